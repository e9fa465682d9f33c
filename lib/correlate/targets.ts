/**
 * The targets a command line names: which addresses, host names, target files and ports a
 * scanner was pointed at, so that a flow can be tied to the process that caused it.
 *
 * {@link commandLineTargets} reads an argv (as {@link splitPosixCommandLine} or
 * {@link splitWindowsCommandLine} return it, program first) with the argument forms of the tool
 * from `knowledge/network-tools.ts`: positional targets, target options (`-u URL`,
 * `--range`), target files (`-iL FILE`, kept as names and never read), port lists, exclusions,
 * DNS servers a brute forcer queries, fping's `-g START END`, Angry IP Scanner's
 * `-f:range START END`. Wrappers in front of the program (`sudo`, `env`, `timeout`, `nice`,
 * `proxychains`, `bash -c "..."`, `python3 script.py`, `cmd /c`, ...) are skipped.
 *
 * Target forms understood: IPv4 and IPv6 addresses, CIDRs (`10.1.2.0/24`, `2001:db8::/64`,
 * `10.1.2.0/255.255.255.0`), nmap octet ranges (`10.1.2.1-254`, `10.1.1-3.0-255`,
 * `10.1.2.1,2,3`, `10.1.2.*`; hping3's `10.1.2.x`), dash ranges (`10.1.2.1-10.1.2.50`), URLs
 * (`http://10.1.10.20:8080/FUZZ`: host and port, the scheme's port when none is written; curl's
 * `[1-254]` and `{a,b}` globs in an IPv4 host), `host:port`, `[v6]:port`, `net:netmask`
 * (arp-scan), `target:ports` (unicornscan), comma-separated lists of all of these, and host
 * names (`www.acme.example`, kept as names, never resolved).
 *
 * {@link targetsInclude} answers whether an address is covered, once per flow: the ranges are
 * sorted and merged into a typed array of 32-bit numbers for IPv4 (and BigInt pairs for IPv6)
 * when the targets are built, and each call is one hand-rolled dotted-quad parse and a binary
 * search.
 *
 * Everything is bounded (arguments read, argument length, ranges, host names, files, ports) since
 * command lines are attacker-controlled, and nothing throws: garbage yields empty targets.
 *
 * @packageDocumentation
 */
import ipaddr from 'ipaddr.js'
import { executableKey, networkToolFor, type NetworkTool, type ToolArguments } from './knowledge/network-tools.js'
import { splitPosixCommandLine } from '../parse/cmdline.js'
import { memoize } from './knowledge/memo.js'

/** Most address ranges kept (targets and exclusions each). */
export const MAX_TARGET_RANGES = 1024
/** Most host names kept. */
export const MAX_TARGET_HOSTS = 256
/** Most target file names kept. */
export const MAX_TARGET_FILES = 64
/** Most port ranges kept. */
export const MAX_PORT_RANGES = 1024
/** Most arguments read from one argv. */
export const MAX_ARGUMENTS = 4096
/** Longest argument read; longer ones are cut (at the last comma before the limit). */
export const MAX_ARGUMENT_LENGTH = 4096

/** One contiguous address range a command line names. */
export interface TargetRange {
  family: 4 | 6
  /** First address, canonical text (IPv6 as RFC 5952). */
  first: string
  /** Last address, canonical text. */
  last: string
  /**
   * How the command line wrote it: `10.1.2.0/24`, `10.1.2.1-254`, `http://10.1.10.20/FUZZ`,
   * `10.1.10.53:53`. An octet range that is not contiguous (`10.1.1-3.0-100`) gives several
   * ranges with the same `text`.
   */
  text: string
  /** The option that carried it (`-u`, `--range`, `-g`), or `positional`. */
  via: string
  /** Prefix length, when written as a CIDR. */
  prefix?: number
  /** `server`: a DNS server the tool sends its queries to (gobuster dns `-r`), not a target proper. */
  role?: 'server'
  /**
   * Set when the written range expanded to more than {@link MAX_TARGET_RANGES} pieces
   * (`1-254.1-254.1-254.1`) and was kept as its bounding range: it covers more than was named.
   */
  approximate?: true
}

/** What a command line targets. JSON-serializable (no BigInt). */
export interface CommandLineTargets {
  /** Id of the tool whose argument forms were used; absent when unknown (generic reading). */
  tool?: string
  /** Address ranges named, in command-line order. */
  networks: TargetRange[]
  /** Host and domain names named (lower case, no trailing dot), in order, unique. */
  hosts: string[]
  /** Files of targets named (`-iL`, `-l`, `--input-file`, ...), never read. */
  files: string[]
  /** Ports named, as sorted, merged, inclusive `[first, last]` pairs. */
  ports: Array<[number, number]>
  /** Address ranges excluded (`--exclude`, `-eh`); {@link targetsInclude} honours them. */
  excluded: TargetRange[]
  /** True when a cap was hit and something named was dropped. */
  truncated: boolean
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** Strict dotted quad (no leading zeros) to an unsigned 32-bit number; -1 when not one. */
function parseV4 (s: string): number {
  const n = s.length
  if (n < 7 || n > 15) return -1
  let acc = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return -1 // leading zero
      octet = octet * 10 + (c - 0x30)
      if (++digits > 3 || octet > 255) return -1
    } else if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return -1
      acc = acc * 256 + octet
      octet = 0
      digits = 0
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0) return -1
  return acc * 256 + octet
}

function v4Text (n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`
}

function octetsToNumber (octets: number[]): number {
  return ((octets[0] * 256 + octets[1]) * 256 + octets[2]) * 256 + octets[3]
}


/** Eight 16-bit groups to a 128-bit BigInt (four exact 32-bit steps). */
function partsToBigInt (parts: number[]): bigint {
  return (BigInt(parts[0] * 65536 + parts[1]) << 96n) | (BigInt(parts[2] * 65536 + parts[3]) << 64n) |
    (BigInt(parts[4] * 65536 + parts[5]) << 32n) | BigInt(parts[6] * 65536 + parts[7])
}

function v6Text (b: bigint): string {
  const parts: number[] = new Array(8)
  for (let i = 7; i >= 0; i--) {
    parts[i] = Number(b & 0xffffn)
    b >>= 16n
  }
  return new ipaddr.IPv6(parts).toRFC5952String()
}

type Parsed = { family: 4, value: number } | { family: 6, value: bigint }

/** An IPv6 address (zone id dropped; IPv4-mapped ones as IPv4), or undefined. */
function parseV6 (s: string): Parsed | undefined {
  if (s.length < 2 || s.length > 100) return undefined
  const pct = s.indexOf('%')
  const text = pct >= 0 ? s.slice(0, pct) : s
  let parts: number[]
  try {
    parts = ipaddr.IPv6.parse(text).parts
  } catch {
    return undefined
  }
  if (parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff) {
    return { family: 4, value: parts[6] * 65536 + parts[7] } // IPv4-mapped
  }
  return { family: 6, value: partsToBigInt(parts) }
}

/** Recently parsed IPv6 flow addresses (ipaddr.js parsing costs about a microsecond). */
const parseV6Cached = memoize(parseV6, 4096)

function parseAddress (s: string): Parsed | undefined {
  const v4 = parseV4(s)
  if (v4 >= 0) return { family: 4, value: v4 }
  return s.includes(':') ? parseV6(s) : undefined
}

// ---------------------------------------------------------------------------------------------
// Collection

interface RawRange {
  family: 4 | 6
  first: number | bigint
  last: number | bigint
  text: string
  via: string
  prefix?: number
  role?: 'server'
  approximate?: true
}

class Collector {
  readonly ranges: RawRange[] = []
  readonly excluded: RawRange[] = []
  readonly hosts: string[] = []
  readonly hostSet = new Set<string>()
  readonly files: string[] = []
  readonly ports: Array<[number, number]> = []
  truncated = false

  range (r: RawRange, exclude: boolean): void {
    const list = exclude ? this.excluded : this.ranges
    if (list.length >= MAX_TARGET_RANGES) { this.truncated = true; return }
    list.push(r)
  }

  host (name: string): void {
    if (this.hostSet.has(name)) return
    if (this.hosts.length >= MAX_TARGET_HOSTS) { this.truncated = true; return }
    this.hostSet.add(name)
    this.hosts.push(name)
  }

  file (name: string): void {
    if (this.files.includes(name)) return
    if (this.files.length >= MAX_TARGET_FILES) { this.truncated = true; return }
    this.files.push(name)
  }

  port (first: number, last: number): void {
    if (this.ports.length >= MAX_PORT_RANGES) { this.truncated = true; return }
    this.ports.push([first, last])
  }
}

/** How one token is read. */
interface TokenContext {
  via: string
  /** Host names accepted (known tool); otherwise only addresses and URLs count. */
  hosts: boolean
  /** Single-label names accepted (domains, URL hosts). */
  singleLabel?: boolean
  exclude?: boolean
  role?: 'server'
  /** A value that is not a target but looks like a path is kept as a target file. */
  fileFallback?: boolean
  /** The port spec of a `host:port` is read. */
  ports: boolean
}

// ---------------------------------------------------------------------------------------------
// Ports

function isPortSpec (s: string): boolean {
  if (s.length === 0 || s.length > MAX_ARGUMENT_LENGTH) return false
  let digit = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) digit = true
    else if (c !== 0x2c && c !== 0x2d) return false
  }
  return digit
}

function parsePortNumber (s: string): number {
  if (s.length === 0 || s.length > 5) return -1
  let v = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return -1
    v = v * 10 + (c - 0x30)
  }
  return v <= 65535 ? v : -1
}

/**
 * A port list: `22,80,443`, `1000-2000`, `-` (1-65535), `1024-`, `-100`, nmap's `T:`/`U:`/
 * `S:`/`P:` protocol prefixes, hping3's `+`/`++` increments, `[...]` brackets. Service names are
 * skipped. Returns the number of ranges added.
 */
function parsePorts (spec: string, out: Collector): number {
  let added = 0
  let elements = 0
  for (let raw of spec.split(',')) {
    if (++elements > MAX_PORT_RANGES) { out.truncated = true; break }
    raw = raw.trim()
    // nmap protocol prefixes (T:, U:, S:, P:), brackets, hping3's + and ++.
    if (raw.length > 2 && raw[1] === ':') raw = raw.slice(2)
    while (raw.startsWith('[') || raw.startsWith('+')) raw = raw.slice(1)
    while (raw.endsWith(']')) raw = raw.slice(0, -1)
    if (raw.length === 0) continue
    let first: number
    let last: number
    if (raw === '-' || raw === '*') {
      first = 1
      last = 65535
    } else {
      const dash = raw.indexOf('-')
      if (dash < 0) {
        first = last = parsePortNumber(raw)
      } else {
        first = dash === 0 ? 1 : parsePortNumber(raw.slice(0, dash))
        last = dash === raw.length - 1 ? 65535 : parsePortNumber(raw.slice(dash + 1))
      }
    }
    if (first < 0 || last < 0 || first > last) continue
    out.port(first, last)
    added++
  }
  return added
}

const SCHEME_PORTS: Readonly<Record<string, number>> = {
  http: 80, https: 443, ws: 80, wss: 443, ftp: 21, ftps: 990, ssh: 22, sftp: 22, smb: 445,
  ldap: 389, ldaps: 636, rdp: 3389, mysql: 3306, postgres: 5432, postgresql: 5432, mssql: 1433,
  redis: 6379, mongodb: 27017, telnet: 23, smtp: 25, imap: 143, pop3: 110, dns: 53, tftp: 69
}

// ---------------------------------------------------------------------------------------------
// Host names

/** Last labels that are file extensions, not top-level domains (`services.txt`, `out.gnmap`). */
const FILE_EXTENSIONS = new Set([
  'txt', 'json', 'jsonl', 'xml', 'csv', 'tsv', 'gnmap', 'nmap', 'log', 'lst', 'list', 'out', 'html',
  'htm', 'conf', 'cfg', 'yaml', 'yml', 'ini', 'dat', 'bin', 'sh', 'py', 'pl', 'rb', 'exe', 'dll',
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'pcap', 'pcapng', 'db', 'sqlite', 'md', 'nse', 'lua', 'js', 'ts',
  'tmp', 'bak', 'old', 'ps1', 'bat', 'cmd', 'vbs', 'jar', 'sql', 'req', 'har', 'pem', 'key', 'crt',
  'ips', 'hosts', 'targets', 'wordlist', 'dic', 'dict'
])

/** A syntactically valid DNS host name, lower-cased without a trailing dot, or undefined. */
function hostName (s: string, singleLabel: boolean): string | undefined {
  let name = s
  if (name.endsWith('.')) name = name.slice(0, -1)
  if (name.length === 0 || name.length > 253) return undefined
  let labelStart = 0
  let dots = 0
  let lastLabelHasLetter = false
  for (let i = 0; i <= name.length; i++) {
    const c = i < name.length ? name.charCodeAt(i) : 0x2e
    if (c === 0x2e) {
      const len = i - labelStart
      if (len === 0 || len > 63) return undefined
      if (name.charCodeAt(labelStart) === 0x2d || name.charCodeAt(i - 1) === 0x2d) return undefined
      if (i < name.length) { dots++; lastLabelHasLetter = false }
      labelStart = i + 1
      continue
    }
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)
    if (letter) lastLabelHasLetter = true
    else if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f)) return undefined
  }
  if (!lastLabelHasLetter) return undefined // all-digit last label: a malformed address, not a name
  if (dots === 0 && !singleLabel) return undefined
  const lower = name.toLowerCase()
  if (dots > 0 && FILE_EXTENSIONS.has(lower.slice(lower.lastIndexOf('.') + 1))) return undefined
  return lower
}

const LIST_FILE_EXTENSIONS = ['.txt', '.lst', '.list', '.csv', '.ips', '.hosts', '.targets', '.in', '.xml', '.gnmap']

function looksLikePath (s: string): boolean {
  if (s.includes('/') || s.includes('\\')) return true
  const lower = s.toLowerCase()
  return LIST_FILE_EXTENSIONS.some(ext => lower.endsWith(ext))
}

// ---------------------------------------------------------------------------------------------
// Octet ranges (nmap)

type Segments = Array<[number, number]>

function parseOctetNumber (s: string): number {
  if (s.length === 0 || s.length > 3) return -1
  if (s.length > 1 && s.charCodeAt(0) === 0x30) return -1
  let v = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return -1
    v = v * 10 + (c - 0x30)
  }
  return v <= 255 ? v : -1
}

/** One octet of an nmap range: `1`, `1-254`, `-100`, `200-`, `*`, `x`, `1,2,10-20`; sorted and merged. */
function parseOctet (s: string): Segments | undefined {
  if (s.length === 0 || s.length > 1024) return undefined
  const segs: Segments = []
  for (const el of s.split(',')) {
    if (el === '*' || el === 'x' || el === 'X' || el === '-') { segs.push([0, 255]); continue }
    const dash = el.indexOf('-')
    let lo: number
    let hi: number
    if (dash < 0) {
      lo = hi = parseOctetNumber(el)
    } else {
      lo = dash === 0 ? 0 : parseOctetNumber(el.slice(0, dash))
      hi = dash === el.length - 1 ? 255 : parseOctetNumber(el.slice(dash + 1))
    }
    if (lo < 0 || hi < 0 || lo > hi) return undefined
    segs.push([lo, hi])
  }
  segs.sort((a, b) => a[0] - b[0])
  const merged: Segments = []
  for (const seg of segs) {
    const prev = merged[merged.length - 1]
    if (prev !== undefined && seg[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], seg[1])
    else merged.push([seg[0], seg[1]])
  }
  return merged
}

/** Whether `s` has the shape of an nmap octet range: four dot-separated parts of digits , - * x. */
function looksLikeOctetSpec (s: string): boolean {
  let dots = 0
  let special = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x2e) dots++
    else if (c === 0x2c || c === 0x2d || c === 0x2a) special = true
    else if (c === 0x78 || c === 0x58) special = true
    else if (c < 0x30 || c > 0x39) return false
  }
  return dots === 3 && special
}

const OCTET_WEIGHT = [16777216, 65536, 256, 1]

/**
 * The ranges of an nmap octet spec, sorted and merged, or the bounding range (approximate) when
 * there would be more than `max`.
 */
function octetRanges (octets: Segments[], max: number): { ranges: Array<[number, number]>, approximate: boolean } {
  const full = (segs: Segments): boolean => segs.length === 1 && segs[0][0] === 0 && segs[0][1] === 255
  let k = 3
  while (k >= 0 && full(octets[k])) k--
  if (k < 0) return { ranges: [[0, 4294967295]], approximate: false }
  const unit = OCTET_WEIGHT[k]
  const out: Array<[number, number]> = []
  const emit = (prefix: number): boolean => {
    for (const [lo, hi] of octets[k]) {
      const first = prefix + lo * unit
      const last = prefix + hi * unit + unit - 1
      const prev = out[out.length - 1]
      if (prev !== undefined && prev[1] + 1 === first) prev[1] = last
      else {
        if (out.length >= max) return false
        out.push([first, last])
      }
    }
    return true
  }
  const walk = (i: number, prefix: number): boolean => {
    if (i === k) return emit(prefix)
    for (const [lo, hi] of octets[i]) {
      for (let v = lo; v <= hi; v++) if (!walk(i + 1, prefix + v * OCTET_WEIGHT[i])) return false
    }
    return true
  }
  if (walk(0, 0)) return { ranges: out, approximate: false }
  let first = 0
  let last = 0
  for (let i = 0; i < 4; i++) {
    first += octets[i][0][0] * OCTET_WEIGHT[i]
    last += octets[i][octets[i].length - 1][1] * OCTET_WEIGHT[i]
  }
  return { ranges: [[first, last]], approximate: true }
}

function addOctetSpec (spec: string, text: string, ctx: TokenContext, out: Collector): boolean {
  const parts = spec.split('.')
  if (parts.length !== 4) return false
  const octets: Segments[] = []
  for (const p of parts) {
    const segs = parseOctet(p)
    if (segs === undefined) return false
    octets.push(segs)
  }
  const room = Math.max(1, MAX_TARGET_RANGES - (ctx.exclude === true ? out.excluded.length : out.ranges.length))
  const { ranges, approximate } = octetRanges(octets, room)
  for (const [first, last] of ranges) {
    const r: RawRange = { family: 4, first, last, text, via: ctx.via }
    if (approximate) r.approximate = true
    if (ctx.role !== undefined) r.role = ctx.role
    out.range(r, ctx.exclude === true)
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Tokens

function addAddress (p: Parsed, text: string, ctx: TokenContext, out: Collector, prefix?: number): void {
  const r: RawRange = { family: p.family, first: p.value, last: p.value, text, via: ctx.via }
  if (prefix !== undefined) r.prefix = prefix
  if (ctx.role !== undefined) r.role = ctx.role
  out.range(r, ctx.exclude === true)
}

function addRange (a: Parsed, b: Parsed, text: string, ctx: TokenContext, out: Collector): boolean {
  if (a.family !== b.family) return false
  let first = a.value
  let last = b.value
  if (first > last) [first, last] = [last, first]
  const r: RawRange = { family: a.family, first, last, text, via: ctx.via }
  if (ctx.role !== undefined) r.role = ctx.role
  out.range(r, ctx.exclude === true)
  return true
}

/** `a.b.c.d/nn`, `a.b.c.d/m.m.m.m`, `v6/nn`, through ipaddr.js. */
function addCidr (s: string, text: string, ctx: TokenContext, out: Collector): boolean {
  const slash = s.indexOf('/')
  const addr = s.slice(0, slash)
  const len = s.slice(slash + 1)
  try {
    if (parseV4(addr) >= 0) {
      let cidr = s
      if (len.includes('.')) {
        if (parseV4(len) < 0) return false
        const bits = ipaddr.IPv4.parse(len).prefixLengthFromSubnetMask()
        if (bits === null) return false
        cidr = `${addr}/${bits}`
      }
      if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return false
      const first = octetsToNumber(ipaddr.IPv4.networkAddressFromCIDR(cidr).octets)
      const last = octetsToNumber(ipaddr.IPv4.broadcastAddressFromCIDR(cidr).octets)
      const r: RawRange = { family: 4, first, last, text, via: ctx.via, prefix: Number(cidr.slice(cidr.indexOf('/') + 1)) }
      if (ctx.role !== undefined) r.role = ctx.role
      out.range(r, ctx.exclude === true)
      return true
    }
    if (addr.includes(':') && ipaddr.IPv6.isValidCIDR(s)) {
      const prefix = Number(len)
      const net = ipaddr.IPv6.networkAddressFromCIDR(s)
      if (net.isIPv4MappedAddress() && prefix >= 96) {
        return addCidr(`${net.toIPv4Address().toString()}/${prefix - 96}`, text, ctx, out)
      }
      const first = partsToBigInt(net.parts)
      const last = partsToBigInt(ipaddr.IPv6.broadcastAddressFromCIDR(s).parts)
      const r: RawRange = { family: 6, first, last, text, via: ctx.via, prefix }
      if (ctx.role !== undefined) r.role = ctx.role
      out.range(r, ctx.exclude === true)
      return true
    }
  } catch {
    return false
  }
  return false
}

/** An address-like token without a port: address, CIDR, dash range, octet range, host name. */
function addHostPart (s: string, text: string, ctx: TokenContext, out: Collector): boolean {
  if (s.length === 0) return false
  const v4 = parseV4(s)
  if (v4 >= 0) { addAddress({ family: 4, value: v4 }, text, ctx, out); return true }
  if (s.includes(':')) {
    if (s.includes('/')) return addCidr(s, text, ctx, out)
    const dash = s.indexOf('-')
    if (dash > 0) {
      const a = parseV6(s.slice(0, dash))
      const b = parseV6(s.slice(dash + 1))
      if (a !== undefined && b !== undefined) return addRange(a, b, text, ctx, out)
    }
    const v6 = parseV6(s)
    if (v6 !== undefined) { addAddress(v6, text, ctx, out); return true }
    return false
  }
  if (s.includes('/')) {
    if (addCidr(s, text, ctx, out)) return true
    // nmap accepts host/prefix (scanme.nmap.org/24): the name is kept, the prefix dropped.
    const name = ctx.hosts ? hostName(s.slice(0, s.indexOf('/')), ctx.singleLabel === true) : undefined
    if (name !== undefined && parsePortNumber(s.slice(s.indexOf('/') + 1)) >= 0) {
      if (ctx.exclude !== true) out.host(name)
      return true
    }
    return false
  }
  const dash = s.indexOf('-')
  if (dash > 0) {
    const a = parseV4(s.slice(0, dash))
    const b = parseV4(s.slice(dash + 1))
    if (a >= 0 && b >= 0) return addRange({ family: 4, value: a }, { family: 4, value: b }, text, ctx, out)
  }
  if (looksLikeOctetSpec(s)) return addOctetSpec(s, text, ctx, out)
  if (ctx.hosts) {
    const name = hostName(s, ctx.singleLabel === true)
    if (name !== undefined) {
      if (ctx.exclude !== true) out.host(name)
      return true
    }
  }
  return false
}

/** `scheme://[user@]host[:port][/path]`. */
function addUrl (s: string, ctx: TokenContext, out: Collector): boolean {
  const sep = s.indexOf('://')
  const scheme = s.slice(0, sep).toLowerCase()
  if (scheme.length === 0 || scheme.length > 16) return false
  for (let i = 0; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i)
    if (!((c >= 0x61 && c <= 0x7a) || (i > 0 && ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)))) return false
  }
  let rest = s.slice(sep + 3)
  let end = rest.length
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i)
    if (c === 0x2f || c === 0x3f || c === 0x23) { end = i; break }
  }
  rest = rest.slice(0, end)
  const at = rest.lastIndexOf('@')
  if (at >= 0) rest = rest.slice(at + 1)
  let host: string
  let port: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) return false
    host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after.startsWith(':')) port = after.slice(1)
    else if (after.length > 0) return false
  } else {
    const colon = rest.lastIndexOf(':')
    if (colon >= 0) {
      host = rest.slice(0, colon)
      port = rest.slice(colon + 1)
    } else {
      host = rest
    }
  }
  if (host.length === 0) return false
  // Fuzzing keywords in the host (http://FUZZ.acme.example/): the host is not known.
  if (host.includes('FUZ')) return false
  if (ctx.ports) {
    const p = port !== undefined && port.length > 0 ? parsePortNumber(port) : SCHEME_PORTS[scheme] ?? -1
    if (p >= 0) out.port(p, p)
  }
  const hostCtx: TokenContext = { ...ctx, singleLabel: true }
  if (host.includes(':')) {
    const v6 = parseV6(host)
    if (v6 === undefined) return false
    addAddress(v6, s, hostCtx, out)
    return true
  }
  // curl globbing in an IPv4 host: 10.0.0.[1-254], 10.0.{1,2}.1.
  if (host.includes('[') || host.includes('{')) {
    let plain = ''
    for (let i = 0; i < host.length; i++) {
      const c = host[i]
      if (c !== '[' && c !== ']' && c !== '{' && c !== '}') plain += c
    }
    return looksLikeOctetSpec(plain) && addOctetSpec(plain, s, hostCtx, out)
  }
  const v4 = parseV4(host)
  if (v4 >= 0) { addAddress({ family: 4, value: v4 }, s, hostCtx, out); return true }
  if (looksLikeOctetSpec(host)) return addOctetSpec(host, s, hostCtx, out)
  const name = hostName(host, true)
  if (name === undefined) return false
  if (ctx.exclude !== true) out.host(name)
  return true
}

/** One target without commas (or a URL). */
function addSingle (s: string, ctx: TokenContext, out: Collector): boolean {
  if (s.length === 0) return false
  if (s.includes('://')) return addUrl(s, ctx, out)
  if (s.startsWith('[')) { // [v6] or [v6]:port
    const close = s.indexOf(']')
    if (close < 0) return false
    const v6 = parseV6(s.slice(1, close))
    if (v6 === undefined) return false
    const after = s.slice(close + 1)
    if (after.startsWith(':') && ctx.ports) parsePorts(after.slice(1), out)
    else if (after.length > 0) return false
    addAddress(v6, s, ctx, out)
    return true
  }
  const colon = s.indexOf(':')
  if (colon > 0 && s.indexOf(':', colon + 1) < 0) {
    const left = s.slice(0, colon)
    const right = s.slice(colon + 1)
    if (isPortSpec(right)) { // host:port, target:ports
      if (!addHostPart(left, s, ctx, out)) return false
      if (ctx.ports) parsePorts(right, out)
      return true
    }
    const mask = parseV4(right) // arp-scan network:netmask
    if (mask >= 0 && parseV4(left) >= 0) return addCidr(`${left}/${right}`, s, ctx, out)
    return false
  }
  return addHostPart(s, s, ctx, out)
}

/** A token that may be a comma-separated list of targets. */
function addTargets (token: string, ctx: TokenContext, out: Collector): boolean {
  const s = token.trim()
  if (s.length === 0) return false
  let ok: boolean
  if (!s.includes(',')) {
    ok = addSingle(s, ctx, out)
  } else if (looksLikeOctetSpec(s)) {
    ok = addOctetSpec(s, s, ctx, out)
  } else {
    const colon = s.indexOf(':')
    if (colon > 0 && s.indexOf(':', colon + 1) < 0 && !s.includes('://') && isPortSpec(s.slice(colon + 1))) {
      ok = addSingle(s, ctx, out) // target:22,80
    } else {
      ok = false
      let n = 0
      for (const part of s.split(',')) {
        if (++n > MAX_TARGET_RANGES) { out.truncated = true; break }
        if (addSingle(part.trim(), ctx, out)) ok = true
      }
    }
  }
  if (!ok && ctx.fileFallback === true && ctx.exclude !== true && looksLikePath(s)) {
    out.file(s)
    return true
  }
  return ok
}

// ---------------------------------------------------------------------------------------------
// Argument forms

type Role = 'target' | 'domain' | 'server' | 'file' | 'port' | 'exclude' | 'range' | 'random' | 'rangeFlag' | 'value'

interface CompiledArgs {
  spec: ToolArguments
  roles: Map<string, Role>
  prefixes: readonly string[]
  separators: readonly string[]
}

const ROLE_LISTS: Array<[keyof ToolArguments, Role]> = [
  ['valueOptions', 'value'], ['rangeFlags', 'rangeFlag'], ['randomOptions', 'random'],
  ['rangeOptions', 'range'], ['excludeOptions', 'exclude'], ['portOptions', 'port'],
  ['fileOptions', 'file'], ['serverOptions', 'server'], ['domainOptions', 'domain'],
  ['targetOptions', 'target']
]

const compiledCache = new WeakMap<object, CompiledArgs>()
const compiledSubCache = new WeakMap<object, CompiledArgs>()

/**
 * Roles by option name; later lists win (so a name that carries targets is never just a value),
 * and a subcommand's lists win over the tool's.
 */
function compile (spec: ToolArguments, sub?: Partial<ToolArguments>): CompiledArgs {
  const cached = sub === undefined ? compiledCache.get(spec) : compiledSubCache.get(sub)
  if (cached !== undefined) return cached
  const roles = new Map<string, Role>()
  for (const source of sub === undefined ? [spec] : [spec, sub]) {
    for (const [list, role] of ROLE_LISTS) {
      const names = source[list] as readonly string[] | undefined
      if (names !== undefined) for (const name of names) roles.set(name, role)
    }
  }
  const merged: ToolArguments = sub === undefined ? spec : { ...spec, ...sub, subcommands: spec.subcommands }
  const c: CompiledArgs = {
    spec: merged,
    roles,
    prefixes: merged.optionPrefixes ?? ['-'],
    separators: merged.valueSeparators ?? ['=']
  }
  if (sub === undefined) compiledCache.set(spec, c)
  else compiledSubCache.set(sub, c)
  return c
}

const GENERIC: ToolArguments = { positional: 'all' }

// ---------------------------------------------------------------------------------------------
// Wrappers

/** Programs that run the next argument as the command, with their options that take a value. */
const WRAPPERS: Readonly<Record<string, { values: readonly string[], operands?: number }>> = {
  sudo: { values: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-T', '-U', '--user', '--group', '--host', '--prompt', '--close-from', '--chdir', '--role', '--type', '--command-timeout', '--other-user'] },
  doas: { values: ['-u', '-C'] },
  env: { values: ['-u', '--unset', '-C', '--chdir'] },
  nice: { values: ['-n', '--adjustment'] },
  ionice: { values: ['-c', '--class', '-n', '--classdata'] },
  timeout: { values: ['-s', '--signal', '-k', '--kill-after'], operands: 1 },
  nohup: { values: [] },
  time: { values: ['-f', '--format', '-o', '--output'] },
  stdbuf: { values: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  proxychains: { values: ['-f'] },
  proxychains4: { values: ['-f'] },
  torsocks: { values: ['-u', '-p', '-a', '-P'] },
  torify: { values: [] },
  unbuffer: { values: [] },
  busybox: { values: [] },
  exec: { values: ['-a'] },
  command: { values: [] },
  chronic: { values: [] },
  caffeinate: { values: ['-t', '-w'] }
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'busybox-sh'])

/** Script interpreters whose first non-option argument is the program they run. */
const INTERPRETERS = ['python', 'pypy', 'perl', 'ruby', 'php']

/**
 * Whether an executable key (`executableKey`) names a script interpreter, version suffixes
 * included (`python3.11`, `php8`).
 */
export function isInterpreter (key: string): boolean {
  for (const name of INTERPRETERS) {
    if (!key.startsWith(name)) continue
    const rest = key.slice(name.length)
    let ok = true
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i)
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2e)) { ok = false; break }
    }
    if (ok) return true
  }
  return false
}

/**
 * Where the real program is in `args`: skips wrappers, returns the argv to read (a shell's
 * `-c` string is split again) and the index of the program in it, or -1.
 */
function findProgram (args: readonly string[], depth = 0): { argv: readonly string[], at: number } {
  let i = 0
  while (i < args.length && depth < 8) {
    const key = executableKey(args[i])
    if (key === '') return { argv: args, at: -1 }
    const w = WRAPPERS[key]
    if (w !== undefined) {
      i++
      let operands = w.operands ?? 0
      while (i < args.length) {
        const a = args[i]
        if (a === '--') { i++; break }
        if (key === 'env' && !a.startsWith('-') && a.includes('=')) { i++; continue }
        if (a.startsWith('-') && a.length > 1) {
          i += w.values.includes(a) ? 2 : 1
          continue
        }
        if (operands > 0) { operands--; i++; continue }
        break
      }
      depth++
      continue
    }
    if (key === 'cmd') { // cmd /c COMMAND (or /k)
      let j = i + 1
      while (j < args.length && args[j].startsWith('/') && !['/c', '/k', '/r'].includes(args[j].toLowerCase())) j++
      if (j >= args.length) return { argv: args, at: -1 }
      i = j + 1
      depth++
      continue
    }
    if (SHELLS.has(key)) {
      for (let j = i + 1; j < args.length; j++) {
        const a = args[j]
        if (a === '-c' || (a.startsWith('-') && !a.startsWith('--') && a.includes('c') && a.length <= 6)) {
          const cmd = args[j + 1]
          if (cmd === undefined) return { argv: args, at: -1 }
          return findProgram(splitPosixCommandLine(cmd), depth + 1)
        }
        if (!a.startsWith('-')) { i = j; break } // a script: treat it as the program
      }
      if (executableKey(args[i]) === key) return { argv: args, at: -1 }
      depth++
      continue
    }
    if (isInterpreter(key)) {
      let j = i + 1
      while (j < args.length && args[j].startsWith('-')) {
        if (args[j] === '-m') return { argv: args, at: j + 1 < args.length ? j + 1 : -1 }
        if (args[j] === '-c' || args[j] === '-e') return { argv: args, at: -1 }
        j++
      }
      if (j >= args.length) return { argv: args, at: -1 }
      i = j
      depth++
      continue
    }
    return { argv: args, at: i }
  }
  return { argv: args, at: -1 }
}

// ---------------------------------------------------------------------------------------------
// The command line

function cappedArgument (a: string, out: Collector): string {
  if (typeof a !== 'string') return ''
  if (a.length <= MAX_ARGUMENT_LENGTH) return a
  out.truncated = true
  const cut = a.slice(0, MAX_ARGUMENT_LENGTH)
  const comma = cut.lastIndexOf(',')
  return comma > 0 ? cut.slice(0, comma) : cut
}

function readCommandLine (args: readonly string[], tool: NetworkTool | undefined, out: Collector): string | undefined {
  const { argv, at } = findProgram(args.length > MAX_ARGUMENTS ? args.slice(0, MAX_ARGUMENTS) : args)
  if (args.length > MAX_ARGUMENTS) out.truncated = true
  if (at < 0) return undefined
  const t = tool ?? networkToolFor(argv[at])
  const known = t !== undefined
  let c = compile(t?.arguments ?? GENERIC)
  let subcommandSeen = false
  let rangeMode = false
  const positionals: string[] = []
  const end = Math.min(argv.length, MAX_ARGUMENTS)

  const tokenCtx = (via: string, extra: Partial<TokenContext> = {}): TokenContext =>
    ({ via, hosts: known, ports: known, ...extra })

  for (let i = at + 1; i < end; i++) {
    const a = cappedArgument(argv[i], out)
    if (a === '--') {
      if (c.spec.ignoreAfterDoubleDash === true) break
      for (let j = i + 1; j < end; j++) positionals.push(cappedArgument(argv[j], out))
      break
    }
    const isOption = a.length > 1 && c.prefixes.includes(a[0])
    if (!isOption) {
      const subs = c.spec.subcommands
      if (!subcommandSeen && positionals.length === 0 && subs !== undefined) {
        const sub = subs[a.toLowerCase()]
        subcommandSeen = true
        if (sub !== undefined && t !== undefined) {
          c = compile(t.arguments, sub)
          continue
        }
      }
      positionals.push(a)
      continue
    }
    if (!known) continue
    // Which option, and its value if attached.
    let role = c.roles.get(a)
    let name = a
    let value: string | undefined
    if (role === undefined) {
      for (const sep of c.separators) {
        const k = a.indexOf(sep, 1)
        if (k > 0) {
          const r = c.roles.get(a.slice(0, k))
          if (r !== undefined) { role = r; name = a.slice(0, k); value = a.slice(k + 1); break }
        }
      }
    }
    if (role === undefined && a.length > 2 && a[1] !== '-' && a[1] !== a[0]) {
      // Attached value of a two-character option (-p80, -T4). For the options that carry names
      // and addresses, only when the rest looks like one (-uhttp://x, not -update-templates).
      const r = c.roles.get(a.slice(0, 2))
      const rest = a.slice(2)
      const nameLike = rest.includes('.') || rest.includes(':')
      if (r !== undefined && r !== 'rangeFlag' && (nameLike || (r !== 'target' && r !== 'domain' && r !== 'server'))) {
        role = r
        name = a.slice(0, 2)
        value = rest
      }
    }
    if (role === undefined) continue // a flag
    if (role === 'rangeFlag') { rangeMode = true; continue }
    if (value === undefined) {
      if (i + 1 >= end) break
      value = cappedArgument(argv[++i], out)
    }
    switch (role) {
      case 'value':
        break
      case 'target':
        addTargets(value, tokenCtx(name, { fileFallback: true }), out)
        break
      case 'domain':
        for (const d of value.split(',').slice(0, MAX_TARGET_HOSTS)) {
          const h = hostName(d.trim(), true)
          if (h !== undefined) out.host(h)
        }
        break
      case 'server':
        addTargets(value, tokenCtx(name, { role: 'server', singleLabel: true }), out)
        break
      case 'file':
        if (value.length > 0 && value !== '-') out.file(value)
        break
      case 'port':
        parsePorts(value, out)
        break
      case 'exclude':
        addTargets(value, tokenCtx(name, { exclude: true }), out)
        break
      case 'range': {
        if (value.includes('/') || value.includes('-')) { addTargets(value, tokenCtx(name), out); break }
        const a1 = parseAddress(value)
        const next = i + 1 < end ? cappedArgument(argv[i + 1], out) : ''
        const a2 = parseAddress(next)
        if (a1 !== undefined && a2 !== undefined) {
          i++
          addRange(a1, a2, `${value}-${next}`, tokenCtx(name), out)
        } else {
          addTargets(value, tokenCtx(name), out)
        }
        break
      }
      case 'random': {
        const mask = i + 1 < end ? cappedArgument(argv[i + 1], out) : ''
        if (parseV4(value) >= 0 && parseV4(mask) >= 0) {
          i += 2 // BASE NETMASK COUNT
          addCidr(`${value}/${mask}`, `${value}/${mask}`, tokenCtx(name), out)
        }
        break
      }
    }
  }

  // Positional targets.
  const mode = c.spec.positional
  const chosen = mode === 'all' ? positionals
    : mode === 'first' ? positionals.slice(0, 1)
      : mode === 'last' ? positionals.slice(-1)
        : []
  if (rangeMode && chosen.length === 2) {
    const a1 = parseAddress(chosen[0])
    const a2 = parseAddress(chosen[1])
    if (a1 !== undefined && a2 !== undefined && addRange(a1, a2, `${chosen[0]}-${chosen[1]}`, tokenCtx('-g'), out)) {
      return t?.id
    }
  }
  const fileFallback = c.spec.positionalFiles === true
  for (const p of chosen) addTargets(p, tokenCtx(rangeMode ? '-g' : 'positional', { fileFallback }), out)
  return t?.id
}

// ---------------------------------------------------------------------------------------------
// Index

interface Index {
  v4: Uint32Array
  v6: bigint[]
  ex4: Uint32Array
  ex6: bigint[]
}

const INDEX = new WeakMap<CommandLineTargets, Index>()

function mergeV4 (ranges: Array<{ first: number, last: number }>): Uint32Array {
  const sorted = ranges.slice().sort((a, b) => a.first - b.first || a.last - b.last)
  const flat: number[] = []
  for (const r of sorted) {
    const n = flat.length
    if (n > 0 && r.first <= flat[n - 1] + 1) {
      if (r.last > flat[n - 1]) flat[n - 1] = r.last
    } else {
      flat.push(r.first, r.last)
    }
  }
  return Uint32Array.from(flat)
}

function mergeV6 (ranges: Array<{ first: bigint, last: bigint }>): bigint[] {
  const sorted = ranges.slice().sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
  const flat: bigint[] = []
  for (const r of sorted) {
    const n = flat.length
    if (n > 0 && r.first <= flat[n - 1] + 1n) {
      if (r.last > flat[n - 1]) flat[n - 1] = r.last
    } else {
      flat.push(r.first, r.last)
    }
  }
  return flat
}

function buildIndex (ranges: RawRange[], excluded: RawRange[]): Index {
  const split = (list: RawRange[]): [Array<{ first: number, last: number }>, Array<{ first: bigint, last: bigint }>] => {
    const four: Array<{ first: number, last: number }> = []
    const six: Array<{ first: bigint, last: bigint }> = []
    for (const r of list) {
      if (r.family === 4) four.push({ first: r.first as number, last: r.last as number })
      else six.push({ first: r.first as bigint, last: r.last as bigint })
    }
    return [four, six]
  }
  const [v4, v6] = split(ranges)
  const [e4, e6] = split(excluded)
  return { v4: mergeV4(v4), v6: mergeV6(v6), ex4: mergeV4(e4), ex6: mergeV6(e6) }
}

/** Rebuilds the index from the public ranges (for targets that were copied or deserialized). */
function indexFromPublic (targets: CommandLineTargets): Index {
  const raw = (list: readonly TargetRange[] | undefined): RawRange[] => {
    const out: RawRange[] = []
    if (!Array.isArray(list)) return out
    for (const r of list) {
      if (r === null || typeof r !== 'object') continue
      const a = parseAddress(String(r.first))
      const b = parseAddress(String(r.last))
      if (a === undefined || b === undefined || a.family !== b.family) continue
      out.push({ family: a.family, first: a.value, last: b.value, text: '', via: '' })
    }
    return out
  }
  return buildIndex(raw(targets.networks), raw(targets.excluded))
}

function inV4 (flat: Uint32Array, x: number): boolean {
  let lo = 0
  let hi = (flat.length >> 1) - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const first = flat[mid << 1]
    if (x < first) hi = mid - 1
    else if (x > flat[(mid << 1) + 1]) lo = mid + 1
    else return true
  }
  return false
}

function inV6 (flat: bigint[], x: bigint): boolean {
  let lo = 0
  let hi = (flat.length >> 1) - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (x < flat[mid << 1]) hi = mid - 1
    else if (x > flat[(mid << 1) + 1]) lo = mid + 1
    else return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// API

/**
 * The targets a command line names.
 *
 * `args` is the whole argv, program first (as the splitters in `lib/parse/cmdline.ts` return
 * it); wrappers such as `sudo` in front are skipped. `tool` gives the argument forms; when it is
 * absent the program is looked up with {@link networkToolFor}, and an unknown program is read
 * generically: only its non-option arguments that are addresses, CIDRs, ranges or URLs count (no
 * host names, no ports, since what its options mean is not known).
 *
 * Never throws; garbage gives empty targets.
 */
export function commandLineTargets (args: readonly string[], tool?: NetworkTool): CommandLineTargets {
  const out = new Collector()
  let id: string | undefined
  try {
    if (Array.isArray(args) && args.length > 0) id = readCommandLine(args, tool, out)
  } catch {
    out.truncated = true // defensive: keep what was read
  }
  // Ports: sorted and merged.
  const ports = out.ports.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: Array<[number, number]> = []
  for (const p of ports) {
    const prev = merged[merged.length - 1]
    if (prev !== undefined && p[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], p[1])
    else merged.push([p[0], p[1]])
  }
  const pub = (r: RawRange): TargetRange => {
    const t: TargetRange = {
      family: r.family,
      first: r.family === 4 ? v4Text(r.first as number) : v6Text(r.first as bigint),
      last: r.family === 4 ? v4Text(r.last as number) : v6Text(r.last as bigint),
      text: r.text,
      via: r.via
    }
    if (r.prefix !== undefined) t.prefix = r.prefix
    if (r.role !== undefined) t.role = r.role
    if (r.approximate === true) t.approximate = true
    return t
  }
  const targets: CommandLineTargets = {
    networks: out.ranges.map(pub),
    hosts: out.hosts,
    files: out.files,
    ports: merged,
    excluded: out.excluded.map(pub),
    truncated: out.truncated
  }
  if (id !== undefined) targets.tool = id
  INDEX.set(targets, buildIndex(out.ranges, out.excluded))
  return targets
}

/**
 * Whether `ip` (IPv4 dotted quad or IPv6, zone id and IPv4-mapped form accepted) is in one of
 * the targets' ranges and not excluded. Host names and files are not consulted (nothing is
 * resolved or read). Fast: one dotted-quad parse and a binary search over merged ranges
 * precomputed by {@link commandLineTargets} (targets built elsewhere are indexed on first use).
 * IPv6 addresses are parsed by ipaddr.js, behind a small cache; when the targets have no IPv6
 * range, an IPv6 address is rejected without parsing unless written `::ffff:a.b.c.d`.
 */
export function targetsInclude (targets: CommandLineTargets, ip: string): boolean {
  if (targets === null || typeof targets !== 'object' || typeof ip !== 'string') return false
  let idx = INDEX.get(targets)
  if (idx === undefined) {
    idx = indexFromPublic(targets)
    INDEX.set(targets, idx)
  }
  const v4 = parseV4(ip)
  if (v4 >= 0) return idx.v4.length > 0 && inV4(idx.v4, v4) && !(idx.ex4.length > 0 && inV4(idx.ex4, v4))
  if (idx.v6.length === 0) {
    // Only an IPv4-mapped address can match, and sensors write those as ::ffff:a.b.c.d.
    if (idx.v4.length === 0 || ip.length < 14 || ip.charCodeAt(0) !== 0x3a || ip.slice(0, 7).toLowerCase() !== '::ffff:') return false
    const m = parseV4(ip.slice(7))
    return m >= 0 && inV4(idx.v4, m) && !inV4(idx.ex4, m)
  }
  const v6 = ip.includes(':') ? parseV6Cached(ip) : undefined
  if (v6 === undefined) return false
  if (v6.family === 4) return inV4(idx.v4, v6.value) && !inV4(idx.ex4, v6.value)
  return inV6(idx.v6, v6.value) && !inV6(idx.ex6, v6.value)
}

function countOf (r: TargetRange): bigint {
  const a = parseAddress(r.first)
  const b = parseAddress(r.last)
  if (a === undefined || b === undefined) return 0n
  return BigInt(b.value) - BigInt(a.value) + 1n
}

function addresses (n: bigint): string {
  if (n > 1n << 32n) {
    let bits = 0
    while ((1n << BigInt(bits)) < n) bits++
    if ((1n << BigInt(bits)) === n) return `2^${bits} addresses`
  }
  return `${n.toString()} address${n === 1n ? '' : 'es'}`
}

function describeRanges (list: readonly TargetRange[]): string[] {
  const parts: string[] = []
  let i = 0
  while (i < list.length && parts.length < 8) {
    const head = list[i]
    let j = i + 1
    let count = countOf(head)
    while (j < list.length && list[j].text === head.text && list[j].via === head.via) count += countOf(list[j++])
    let d: string
    if (head.approximate === true) {
      d = `${head.text} (approximated by ${head.first}-${head.last})`
    } else if (j - i === 1 && head.prefix !== undefined && head.family === 4) {
      const size = 2 ** (32 - head.prefix)
      d = `${head.text} (${size > 2 ? size - 2 : size} host${size === 1 ? '' : 's'})`
    } else if (count === 1n) {
      d = head.text.includes(head.first) ? head.text : `${head.text} (${head.first})`
    } else {
      d = `${head.text} (${addresses(count)})`
    }
    if (head.role === 'server') d = `DNS server ${d}`
    parts.push(d)
    i = j
  }
  if (i < list.length) parts.push(`and ${list.length - i} more range${list.length - i === 1 ? '' : 's'}`)
  return parts
}

function describePorts (ports: ReadonlyArray<readonly [number, number]>): string {
  const shown = ports.slice(0, 12).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
  return shown.join(',') + (ports.length > 12 ? `,... (${ports.length} ranges)` : '')
}

/**
 * A short human-readable account of the targets, for attribution reasons:
 * `10.1.2.0/24 (254 hosts) on ports 22,80,443,445,3389`, `DNS server 10.1.10.53:53, acme.example on port 53`.
 */
export function describeTargets (targets: CommandLineTargets): string {
  if (targets === null || typeof targets !== 'object') return 'nothing'
  const parts: string[] = []
  if (Array.isArray(targets.networks)) parts.push(...describeRanges(targets.networks))
  if (Array.isArray(targets.hosts) && targets.hosts.length > 0) {
    parts.push(targets.hosts.slice(0, 5).join(', ') + (targets.hosts.length > 5 ? ` and ${targets.hosts.length - 5} more names` : ''))
  }
  if (Array.isArray(targets.files)) for (const f of targets.files.slice(0, 3)) parts.push(`the hosts listed in ${f}`)
  let text = parts.length > 0 ? parts.join(', ') : 'no readable target'
  if (Array.isArray(targets.ports) && targets.ports.length > 0) text += ` on port${targets.ports.length === 1 && targets.ports[0][0] === targets.ports[0][1] ? '' : 's'} ${describePorts(targets.ports)}`
  if (Array.isArray(targets.excluded) && targets.excluded.length > 0) text += `, excluding ${describeRanges(targets.excluded).join(', ')}`
  if (targets.truncated === true) text += ' (command line truncated)'
  return text
}
