/**
 * Partitioning by scanner key: which shard (worker thread, or JetStream partition) owns a record.
 *
 * Scan detection is stateful per scanner, so every record of one scanner must reach the same
 * shard. The key is the **source address** of a network event and the **host address** of an
 * endpoint telemetry event (a host's process events then land where its own outbound flows land,
 * so flow attribution still sees both).
 *
 * The hash is documented and stable so that a publisher can compute it too:
 *
 *     partition = CRC-32(key) mod P
 *
 * with CRC-32 the IEEE 802.3 / zlib / PNG polynomial (`zlib.crc32` in Node ≥ 20.15, Python's
 * `zlib.crc32`, Go's `hash/crc32.ChecksumIEEE`), computed over the UTF-8 bytes of the key as
 * {@link canonicalKey} writes it: IPv4 dotted quad, IPv6 in RFC 5952 form (lower case, longest
 * zero run compressed), IPv4-mapped IPv6 written as IPv4. Example: `10.0.0.1` → 654229907, so
 * with 16 partitions it goes to partition 654229907 mod 16 = 3.
 */
import { crc32 } from 'node:zlib'
import ipaddr from 'ipaddr.js'
import type { ScantagEvent } from './model.js'

/** Largest partition count accepted: far above any worker group, small enough for subject names. */
export const MAX_PARTITIONS = 4096

/**
 * The canonical text of an address key (see the module comment), or the text itself, trimmed,
 * when it is not an address (a host name used as a key).
 */
export function canonicalKey (key: string): string {
  // Fast path: a plain dotted quad is already canonical (no leading zeros in what sensors write).
  if (isPlainIPv4(key)) return key
  if (!ipaddr.isValid(key)) return key.trim()
  const a = ipaddr.parse(key)
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String()
  }
  return a.toString()
}

function isPlainIPv4 (s: string): boolean {
  const n = s.length
  if (n < 7 || n > 15) return false
  let dots = 0
  let digits = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0) return false
      dots++
      digits = 0
    } else if (c >= 48 && c <= 57) {
      // A leading zero ("010") is read differently by different tools: let ipaddr.js decide.
      if (digits === 1 && s.charCodeAt(i - 1) === 48) return false
      if (++digits > 3) return false
    } else return false
  }
  return dots === 3 && digits > 0
}

/** The partition (0 to `partitions` − 1) of a key: CRC-32 of its canonical UTF-8 text, mod `partitions`. */
export function partitionOf (key: string, partitions: number): number {
  if (partitions === 1) return 0
  return crc32(canonicalKey(key)) % partitions
}

/** Throws a message that says what to fix when `partitions` is not a usable partition count. */
export function checkPartitions (partitions: unknown, what = 'partitions'): number {
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new RangeError(`${what} must be an integer from 1 to ${MAX_PARTITIONS}, got ${String(partitions)}`)
  }
  return partitions
}

/** A host's addresses, as in the config's `hosts` table. */
export interface HostAddresses { name: string, ips: readonly string[] }

/** Loopback and unspecified addresses say nothing about which host an event is from. */
function usableHostAddress (ip: string | undefined): ip is string {
  return ip !== undefined && ip !== '' && ip !== '0.0.0.0' && ip !== '::' && ip !== '::1' && !ip.startsWith('127.')
}

/**
 * Finds the scanner key of events: network events by source address; endpoint telemetry by the
 * host's address, from (in order) the `hosts` table, the event's own host addresses, its
 * socket's local address, or an address learned earlier for the same host name. A host with no
 * known address yet is keyed by its name (documented limit: telemetry without addresses, such
 * as raw auditd, needs the `hosts` table to land next to the host's flows from the first event).
 *
 * Learned names are bounded (`maxHosts`, least recently used dropped).
 */
export class ScannerKeys {
  private readonly configured = new Map<string, string>()
  private readonly learned = new Map<string, string>()

  constructor (hosts: readonly HostAddresses[] = [], private readonly maxHosts = 10_000) {
    for (const h of hosts) {
      const ip = h.ips.find(usableHostAddress)
      if (ip !== undefined) this.configured.set(h.name, ip)
    }
  }

  /** The key of `ev`, or '' when it has none (no source address, no host): such events go to partition 0. */
  keyOf (ev: ScantagEvent): string {
    if (ev.category === 'network') return ev.src?.ip ?? ''
    const name = ev.host.name
    if (name !== undefined) {
      const known = this.configured.get(name)
      if (known !== undefined) return known
    }
    let ip = ev.host.ips?.find(usableHostAddress)
    if (ip === undefined && usableHostAddress(ev.socket?.local?.ip)) ip = ev.socket?.local?.ip
    if (name === undefined) return ip ?? ''
    if (ip !== undefined) {
      this.learn(name, ip)
      return ip
    }
    return this.learned.get(name) ?? name
  }

  private learn (name: string, ip: string): void {
    const m = this.learned
    if (m.get(name) === ip) return
    m.delete(name)
    m.set(name, ip)
    if (m.size > this.maxHosts) {
      const oldest = m.keys().next()
      if (oldest.done !== true) m.delete(oldest.value)
    }
  }
}
