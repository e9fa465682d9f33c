/**
 * Community ID v1 flow hashing (https://github.com/corelight/community-id-spec).
 *
 * The Community ID lets a Zeek conn.log line, a Suricata EVE record and anything else that saw
 * the same flow be joined by one string. scantag computes it for every record whose sensor did
 * not write one, so this module is on the hot path: addresses are parsed into preallocated
 * scratch space, the hash input is assembled in one preallocated buffer, and nothing compiles a
 * regular expression per call.
 *
 * Behaviour follows the reference implementation (pycommunityid) and reproduces the spec's
 * baseline vectors (`test/fixtures/community-id/`):
 *
 * - hash input: seed (2 bytes, big-endian) . first address (4 or 16 bytes) . second address .
 *   proto (1 byte) . 0 (1 padding byte) . first port (2 bytes) . second port (2 bytes);
 *   ports only for the port-bearing protocols TCP, UDP, SCTP, ICMP and ICMPv6;
 * - the endpoint with the smaller address (bytes compared in network order; ports break ties)
 *   comes first, so both directions of a flow get the same id;
 * - ICMP and ICMPv6 type/code are mapped onto a port pair the way Zeek does it: a type with a
 *   request/reply counterpart becomes (type, counterpart type) and the flow is bidirectional;
 *   any other type becomes (type, code) and the flow is one-way, i.e. never reordered.
 *
 * @packageDocumentation
 */

import * as crypto from 'node:crypto'

/**
 * `crypto.hash()` (Node >= 20.12) hashes in one call, about 4x faster than createHash() for
 * inputs this small; older Node 20 releases fall back to createHash().
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex' | 'base64') => string }).hash
import ipaddr from 'ipaddr.js'

/** Options of {@link communityId}. */
export interface CommunityIdOptions {
  /**
   * Render the SHA-1 digest in base64 (the default, `1:wCb3OG7yAFWelaUydu0D+125CLM=`) or, with
   * `false`, as 40 lower-case hex digits (`1:c026f7386ef200559e95a53276ed03fb5db908b3`), the
   * spec's `--no-base64` troubleshooting form.
   */
  base64?: boolean
}

const PROTO_ICMP = 1
const PROTO_TCP = 6
const PROTO_UDP = 17
const PROTO_ICMP6 = 58
const PROTO_SCTP = 132

/**
 * ICMP type -> counterpart type, -1 where there is none (a one-way message). Zeek's
 * ICMP4_counterpart(), mirrored by pycommunityid's icmp.py.
 */
const ICMP4_COUNTERPART = counterparts([
  [8, 0], // echo request / echo reply
  [13, 14], // timestamp request / reply
  [15, 16], // information request / reply
  [10, 9], // router solicitation / router advertisement
  [17, 18] // address mask request / reply
])

/**
 * ICMPv6 type -> counterpart type, -1 where there is none. Zeek's ICMP6_counterpart(), mirrored
 * by pycommunityid's icmp6.py. Mobile prefix solicitation/advertisement (146/147) deliberately
 * has no entry: the spec treats 146 as one-way and its baseline vectors depend on it.
 */
const ICMP6_COUNTERPART = counterparts([
  [128, 129], // echo request / echo reply
  [130, 131], // MLD listener query / report
  [133, 134], // router solicitation / advertisement
  [135, 136], // neighbor solicitation / advertisement
  [139, 140], // node information query / response (formerly who-are-you request / reply)
  [144, 145] // home agent address discovery request / reply
])

function counterparts (pairs: Array<[number, number]>): Int16Array {
  const table = new Int16Array(256).fill(-1)
  for (const [a, b] of pairs) {
    table[a] = b
    table[b] = a
  }
  return table
}

// Hash input: 2 seed + 16 + 16 address + 1 proto + 1 pad + 2 + 2 ports = 40 bytes at most.
const INPUT = Buffer.alloc(40)
// Views for the four lengths real flows produce (v4/v6, with/without ports), made once so the
// hot path does not create a Buffer view per call. Mixed-family lengths fall back to subarray().
const INPUT_VIEWS: Buffer[] = []
for (const n of [12, 16, 36, 40]) INPUT_VIEWS[n] = INPUT.subarray(0, n)

// Parsed addresses before ordering decides which goes first.
const SRC = new Uint8Array(16)
const DST = new Uint8Array(16)

/**
 * Parses a dotted-quad IPv4 address into `out` at `at`, strictly as inet_pton(3) does: four
 * decimal parts 0-255, no leading zeros, nothing else. Returns false when `s[from, to)` is not
 * such an address. Hand-written because it runs for nearly every record.
 */
function parseIPv4 (s: string, from: number, to: number, out: Uint8Array, at: number): boolean {
  let part = 0
  let value = 0
  let digits = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) { // '.'
      if (digits === 0 || part === 3) return false
      out[at + part++] = value
      value = 0
      digits = 0
    } else {
      const d = c - 48
      if (d < 0 || d > 9) return false
      // A leading zero is rejected, as inet_pton does: "010" is octal to some parsers.
      if (digits === 1 && value === 0) return false
      value = value * 10 + d
      if (value > 255) return false
      digits++
    }
  }
  if (digits === 0 || part !== 3) return false
  out[at + 3] = value
  return true
}

/**
 * Parses an IPv6 address in any textual form (compressed `::`, upper-case hex, leading-zero
 * groups, trailing dotted quad as in `::ffff:1.2.3.4`, an optional `%zone` which is ignored)
 * into 16 bytes of `out`. Returns false when `s` is not an IPv6 address.
 */
function parseIPv6 (s: string, out: Uint8Array): boolean {
  // One pass to find a zone index and an embedded dotted quad, and to reject what ipaddr.js
  // would let through but inet_pton(3) does not: hex groups longer than four digits.
  let end = s.length
  let dot = -1
  let run = 0
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 37) { // '%': zone index, not part of the address bytes
      if (i === s.length - 1) return false
      end = i
      break
    }
    if (c === 58) run = 0 // ':'
    else if (c === 46) { // '.'
      if (dot < 0) dot = i
      run = 0
    } else if (++run > 4) return false
  }
  let text = end === s.length ? s : s.slice(0, end)
  if (dot >= 0) {
    // Convert the dotted-quad tail to two hex groups ourselves: ipaddr.js reads "::1.2.3.4"
    // (IPv4-compatible, ::0102:0304) as the IPv4-mapped ::ffff:1.2.3.4, and accepts octal and
    // hex IPv4 parts that inet_pton rejects.
    const colon = text.lastIndexOf(':', dot)
    if (colon < 0) return false
    if (!parseIPv4(text, colon + 1, text.length, out, 12)) return false
    text = text.slice(0, colon + 1) + ((out[12] << 8) | out[13]).toString(16) + ':' +
      ((out[14] << 8) | out[15]).toString(16)
  }
  let parts: number[]
  try {
    parts = ipaddr.IPv6.parse(text).parts
  } catch {
    return false
  }
  for (let i = 0; i < 8; i++) {
    out[2 * i] = parts[i] >> 8
    out[2 * i + 1] = parts[i] & 0xff
  }
  return true
}

/** Parses an IPv4 or IPv6 address into `out`; returns its length in bytes, or 0 if invalid. */
function parseAddress (s: string, out: Uint8Array): number {
  if (typeof s !== 'string') return 0
  // Any colon means IPv6; IPv4-mapped IPv6 text stays IPv6 (16 bytes), as in the reference.
  if (s.indexOf(':') >= 0) return parseIPv6(s, out) ? 16 : 0
  return parseIPv4(s, 0, s.length, out, 0) ? 4 : 0
}

function isPort (p: number | undefined): p is number {
  return typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 65535
}

/**
 * Computes the Community ID v1 of a flow.
 *
 * Direction does not matter: `communityId(6, a, b, pa, pb)` equals `communityId(6, b, a, pb, pa)`.
 *
 * @param proto - IANA protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, ...); see
 *   {@link protoNumberOf}. Zeek logs ICMPv6 as `icmp`: pass 58 for ICMP over IPv6.
 * @param saddr - Source address, IPv4 dotted quad or IPv6 in any textual form.
 * @param daddr - Destination address, same family as `saddr`.
 * @param sport - Source port; for ICMP/ICMPv6 the message type. Required for TCP, UDP, SCTP,
 *   ICMP and ICMPv6; ignored for every other protocol.
 * @param dport - Destination port; for ICMP/ICMPv6 the message code. A counterpart type in its
 *   place (as the spec's JSON vectors and Suricata hold it) gives the same result.
 * @param seed - Hash seed, 0 to 65535 (default 0). Sensors must agree on it for ids to match.
 * @param options - See {@link CommunityIdOptions}.
 * @returns `"1:"` followed by the base64 (or hex) SHA-1 digest, or `undefined` when an address
 *   cannot be parsed, `proto` is not 0 to 255, or a port-bearing protocol lacks a valid port.
 * @throws RangeError if `seed` is not an integer from 0 to 65535 (a configuration error, which
 *   would otherwise silently change every id).
 */
export function communityId (
  proto: number,
  saddr: string,
  daddr: string,
  sport?: number,
  dport?: number,
  seed = 0,
  options?: CommunityIdOptions
): string | undefined {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 65535)) {
    throw new RangeError(`Community ID seed must be an integer from 0 to 65535, got ${seed}`)
  }
  if (!(Number.isInteger(proto) && proto >= 0 && proto <= 255)) return undefined

  const hasPorts = proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP ||
    proto === PROTO_ICMP || proto === PROTO_ICMP6
  let oneWay = false
  if (hasPorts) {
    if (!isPort(sport) || !isPort(dport)) return undefined
    if (proto === PROTO_ICMP || proto === PROTO_ICMP6) {
      // sport is the ICMP type, dport the code. With a counterpart the pair becomes
      // (type, counterpart) so request and reply order into one flow; without one the code
      // stays and the message is one-way.
      const counterpart = sport > 255 ? -1 : (proto === PROTO_ICMP ? ICMP4_COUNTERPART : ICMP6_COUNTERPART)[sport]
      if (counterpart >= 0) dport = counterpart
      else oneWay = true
    }
  }

  const sLen = parseAddress(saddr, SRC)
  if (sLen === 0) return undefined
  const dLen = parseAddress(daddr, DST)
  if (dLen === 0) return undefined

  let swap = false
  if (!oneWay) {
    // Byte-wise comparison in network order; a shorter address that is a prefix of the other
    // sorts first (only reachable with mixed families, compared as the reference does).
    let cmp = 0
    const n = sLen < dLen ? sLen : dLen
    for (let i = 0; i < n; i++) {
      if (SRC[i] !== DST[i]) {
        cmp = SRC[i] - DST[i]
        break
      }
    }
    if (cmp === 0) cmp = sLen - dLen
    swap = cmp > 0 || (cmp === 0 && hasPorts && (sport as number) > (dport as number))
  }

  const buf = INPUT
  buf[0] = seed >> 8
  buf[1] = seed & 0xff
  let at = 2
  // Plain loops: at most 16 bytes each, and no subarray view to allocate per call.
  const first = swap ? DST : SRC
  const firstLen = swap ? dLen : sLen
  const second = swap ? SRC : DST
  const secondLen = swap ? sLen : dLen
  for (let i = 0; i < firstLen; i++) buf[at++] = first[i]
  for (let i = 0; i < secondLen; i++) buf[at++] = second[i]
  buf[at++] = proto
  buf[at++] = 0 // padding keeps the input 32-bit aligned
  if (hasPorts) {
    const p1 = (swap ? dport : sport) as number
    const p2 = (swap ? sport : dport) as number
    buf[at++] = p1 >> 8
    buf[at++] = p1 & 0xff
    buf[at++] = p2 >> 8
    buf[at++] = p2 & 0xff
  }

  const input = INPUT_VIEWS[at] ?? buf.subarray(0, at)
  const encoding = options?.base64 === false ? 'hex' : 'base64'
  const digest = oneShotHash !== undefined
    ? oneShotHash('sha1', input, encoding)
    : crypto.createHash('sha1').update(input).digest(encoding)
  return '1:' + digest
}

/**
 * Transport names as Zeek (`tcp`, `udp`, `icmp`, `unknown_transport`), Suricata EVE (`TCP`,
 * `UDP`, `ICMP`, `IPv6-ICMP`, `SCTP`, `GRE`, ...) and other tools write them, lower-cased, with
 * their IANA protocol numbers.
 */
const PROTO_NUMBERS = new Map<string, number>([
  ['hopopt', 0],
  ['icmp', 1],
  ['igmp', 2],
  ['ggp', 3],
  ['ipv4', 4],
  ['ip-in-ip', 4],
  ['ipip', 4],
  ['st', 5],
  ['tcp', 6],
  ['egp', 8],
  ['igp', 9],
  ['udp', 17],
  ['ipv6', 41],
  ['ipv6-route', 43],
  ['ipv6-frag', 44],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['ipv6-icmp', 58],
  ['icmp6', 58],
  ['icmpv6', 58],
  ['ipv6icmp', 58],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['eigrp', 88],
  ['ospf', 89],
  ['ospfigp', 89],
  ['pim', 103],
  ['vrrp', 112],
  ['l2tp', 115],
  ['sctp', 132],
  ['udplite', 136],
  ['mpls-in-ip', 137]
])

/**
 * Maps a transport protocol name, as Zeek and Suricata write it, to its IANA protocol number:
 * `tcp`/`TCP` 6, `udp` 17, `icmp`/`ICMP` 1, `IPv6-ICMP`/`ipv6-icmp`/`icmp6` 58, `sctp` 132,
 * a few other common names (`gre`, `esp`, `igmp`, ...), and decimal strings such as `"47"`, which
 * Suricata writes for protocols it has no name for.
 *
 * Zeek logs ICMPv6 as `icmp` too; for an IPv6 flow the caller has to use 58 instead of 1.
 *
 * @returns The number (0 to 255), or `undefined` for an unknown name such as Zeek's
 *   `unknown_transport`.
 */
export function protoNumberOf (name: string): number | undefined {
  if (typeof name !== 'string') return undefined
  // Exact spellings first (the common case), then any capitalisation.
  const n = PROTO_NUMBERS.get(name) ?? PROTO_NUMBERS.get(name.toLowerCase())
  if (n !== undefined) return n
  // Decimal protocol number: 1 to 3 digits, at most 255.
  const len = name.length
  if (len === 0 || len > 3) return undefined
  let value = 0
  for (let i = 0; i < len; i++) {
    const d = name.charCodeAt(i) - 48
    if (d < 0 || d > 9) return undefined
    value = value * 10 + d
  }
  return value <= 255 ? value : undefined
}
