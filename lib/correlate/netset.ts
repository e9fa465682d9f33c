/**
 * Sets of networks (CIDRs) with fast membership tests: the home network and the allow-list.
 *
 * CIDRs are parsed and validated with ipaddr.js; IPv4 membership is then a few integer
 * comparisons on a hand-parsed dotted quad (this runs for every event), IPv6 goes through
 * ipaddr.js.
 */
import ipaddr from 'ipaddr.js'

/** RFC 1918, RFC 6598 (carrier-grade NAT), loopback, and IPv6 unique-local and loopback. */
export const DEFAULT_HOME_NET: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', 'fc00::/7', '::1/128']

/** Parses a dotted-quad IPv4 address to an unsigned 32-bit number, or -1. */
export function ipv4ToNumber (ip: string): number {
  let n = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || part > 255) return -1
      n = n * 256 + part
      part = 0; digits = 0; dots++
      if (dots > 3) return -1
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48)
      if (++digits > 3) return -1
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1
  return n * 256 + part
}

/** A set of networks. */
export interface NetSet {
  has: (ip: string) => boolean
}

/**
 * Builds a {@link NetSet}.
 * @throws TypeError naming the entry that is not an address or CIDR
 */
export function createNetSet (cidrs: readonly string[], what = 'network'): NetSet {
  const v4: Array<[number, number]> = []
  const v6: Array<[ipaddr.IPv6, number]> = []
  for (const text of cidrs) {
    let addr: ipaddr.IPv4 | ipaddr.IPv6
    let bits: number
    try {
      if (text.includes('/')) [addr, bits] = ipaddr.parseCIDR(text)
      else { addr = ipaddr.parse(text); bits = addr.kind() === 'ipv4' ? 32 : 128 }
    } catch {
      throw new TypeError(`${what} "${text}" is not an IP address or CIDR`)
    }
    if (addr.kind() === 'ipv4') {
      const base = ipv4ToNumber(addr.toString())
      const size = 2 ** (32 - bits)
      const first = Math.floor(base / size) * size
      v4.push([first, first + size - 1])
    } else {
      v6.push([addr as ipaddr.IPv6, bits])
    }
  }
  return {
    has (ip: string): boolean {
      const n = ipv4ToNumber(ip)
      if (n >= 0) {
        for (const [a, b] of v4) if (n >= a && n <= b) return true
        return false
      }
      if (v6.length === 0 || !ip.includes(':')) return false
      let addr: ipaddr.IPv6
      try { addr = ipaddr.IPv6.parse(ip.split('%')[0]) } catch { return false }
      if (addr.isIPv4MappedAddress()) {
        const m = ipv4ToNumber(addr.toIPv4Address().toString())
        for (const [a, b] of v4) if (m >= a && m <= b) return true
      }
      for (const [net, bits] of v6) if (addr.match(net, bits)) return true
      return false
    }
  }
}
