/**
 * Raw Linux audit log lines (`/var/log/audit/audit.log`, auditd `log_format = RAW` or
 * `ENRICHED`, audisp/syslog forwarding with a `node=` prefix) → {@link ProcessEvent}s.
 *
 * The kernel writes one audit *event* as several *records*, one per line, that share
 * `msg=audit(SECONDS.MILLIS:SERIAL)`: a `SYSCALL` record, then auxiliary records (`EXECVE`,
 * `CWD`, `PATH`, `SOCKADDR`, `PROCTITLE`, ...), and, on kernels that write it, an `EOE`
 * (end of event) record. Records of several events can interleave. {@link AuditAssembler}
 * groups records by `(node, serial)` and turns each audit event into exactly one
 * {@link ProcessEvent}:
 *
 * | audit event | action | notes |
 * |---|---|---|
 * | `execve` / `execveat`, `success=yes` | `start` | argv from `EXECVE` (hex and split args decoded), else from `PROCTITLE` |
 * | `connect` with an `AF_INET`/`AF_INET6` `SOCKADDR` | `connect` | `socket.remote` from the sockaddr; successful or not (`EINPROGRESS` is the norm for scanners); transport is not in the audit trail and stays undefined |
 * | `accept` / `accept4`, `success=yes`, no sockaddr or an inet one | `accept` | `socket.remote` is the peer |
 * | `bind` with an inet sockaddr, `success=yes` | `listen` | `socket.local` |
 * | `listen`, `success=yes` | `listen` | no address in the audit trail |
 * | anything else (other syscalls, failed execve, unix-socket connects, `USER_LOGIN`, `AVC`, `CONFIG_CHANGE`, ...) | `other` | kept, never dead-lettered |
 *
 * Field conventions:
 * - `kind` is `auditd:<syscall name>` (`auditd:execve`, `auditd:connect`, `auditd:socket`, or
 *   `auditd:syscall_<n>` for a number not in the built-in tables) for events with a `SYSCALL`
 *   record, else `auditd:<record type>` (`auditd:USER_LOGIN`). The syscall name is taken from the
 *   ENRICHED `SYSCALL=` field when present, else from the x86_64, i386 or aarch64 table
 *   selected by `arch=`.
 * - `time` is the `msg=audit(...)` timestamp, exact (seconds and the written fraction joined
 *   as decimal text).
 * - `process.user` is the ENRICHED `UID="name"` when present, else the numeric `uid`.
 * - `process.entityId`: audit has no process GUID, so `start` events get
 *   `${host}|${pid}|${timestamp}`, with `host` the `node=` name (empty when absent) and
 *   `timestamp` the `msg=audit` timestamp as written (`1795721937.001`). Other events have none
 *   (the audit trail does not say when their process started).
 * - `process.commandLine` is argv joined by spaces, POSIX-quoting (`'...'`) only words that
 *   need it, so that splitting it again gives `args` back. `PROCTITLE` is truncated by the
 *   kernel to 128 bytes; `EXECVE` is not.
 * - `original` is a parsed representation of the whole audit event:
 *   `{ node?, timestamp: "1795721937.001", serial: 7824, records: [{ type: "SYSCALL",
 *   arch: "c000003e", syscall: "59", ..., enriched?: { ARCH: "x86_64", UID: "dlee", ... } },
 *   ...] }`: one object per record in arrival order, `type` plus every `key=value` field as a
 *   string with surrounding double quotes removed (hex-encoded values are left encoded), the
 *   user-space `msg='...'` payload both kept whole as `msg` and split into fields (fields
 *   outside it win), and the ENRICHED part (after the `\x1d` separator) under `enriched`.
 *   A field literally named `type` or `enriched` is stored as `field_type` / `field_enriched`.
 * - `raw` is the event's lines joined by `\n`; `line` is its first line, and the assembler's
 *   output also lists every line number.
 *
 * @packageDocumentation
 */
import type { Endpoint, HostInfo, ProcessAction, ProcessEvent, ProcessInfo, SocketInfo } from '../model.js'
import { splitPosixCommandLine } from './cmdline.js'
import { joinSecondsFraction } from './time.js'
import type { RecordContext } from './zeek.js'

/** Longest line text kept in a dead letter (the same bound the readers use). */
const DEAD_LETTER_TEXT_LIMIT = 4096

/** The ENRICHED format's separator between the raw fields and the interpreted ones. */
const GS = '\x1d'

// ---------------------------------------------------------------------------------------------
// Record parsing
// ---------------------------------------------------------------------------------------------

/** One audit record (one line), parsed. Field values are as written, quotes included. */
export interface AuditRecord {
  /** `node=` prefix (audisp/auditd `name_format`), when present. */
  node?: string
  /** Record type as written: `SYSCALL`, `EXECVE`, `USER_LOGIN`, `UNKNOWN[1329]`, ... */
  type: string
  /** The `msg=audit(...)` timestamp as written: `1795721937.001`. */
  timestamp: string
  /** Integer seconds of the timestamp. */
  seconds: number
  /** Fraction digits of the timestamp (`001`), possibly empty. */
  fraction: string
  /** Event serial number. */
  serial: number
  /** `key=value` fields in the order written; values keep their quotes (`"bash"`, `'op=...'`). */
  fields: Record<string, string>
  /** Fields of the ENRICHED part after the `\x1d` separator, values as written. */
  enriched?: Record<string, string>
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * Splits `key=value` fields of an audit record body between `from` and `to` into `into`.
 * Values are `"quoted"` (audit never escapes inside quotes), `'single quoted'` (the user-space
 * `msg='...'` payload), `{ braced }` (ENRICHED `SADDR={ ... }`) or bare up to the next space.
 * Words without `=` (`avc:  denied  { read } for`, `config changed,`) are skipped. A repeated
 * key keeps its last value (old-style `LOGIN ... old auid=N new auid=M`).
 */
function parseFields (s: string, from: number, to: number, into: Record<string, string>): void {
  let i = from
  while (i < to) {
    while (i < to && s.charCodeAt(i) === 32) i++
    if (i >= to) break
    let k = i
    while (k < to) {
      const c = s.charCodeAt(k)
      if (c === 61 || c === 32) break
      k++
    }
    if (k >= to || s.charCodeAt(k) === 32) { i = k; continue } // a word without '='
    const v = k + 1
    let end: number
    const c = v < to ? s.charCodeAt(v) : -1
    if (c === 34 || c === 39) { // " or '
      const close = s.indexOf(c === 34 ? '"' : "'", v + 1)
      end = close < 0 || close >= to ? to : close + 1
    } else if (c === 123) { // {
      const close = s.indexOf('}', v + 1)
      end = close < 0 || close >= to ? to : close + 1
    } else {
      const sp = s.indexOf(' ', v)
      end = sp < 0 || sp > to ? to : sp
    }
    if (k > i) {
      let key = s.slice(i, k)
      if (key === 'type' || key === 'enriched') key = 'field_' + key
      into[key] = s.slice(v, end)
    }
    i = end
  }
}

/** Text from the line as a reason quotes it: the first 64 characters. */
function short (s: string): string {
  return s.length > 64 ? s.slice(0, 64) + '…' : s
}

/** The header `msg=audit(SECONDS.FRACTION:SERIAL)`, with its position in the line. */
const HEADER = 'msg=audit('

/**
 * Parses one audit log line into an {@link AuditRecord}, or returns why it cannot be one.
 * Accepts an optional `node=NAME ` prefix (and, tolerantly, any other text before `type=`,
 * such as a syslog prefix), the ENRICHED part after `\x1d`, and a trailing `\r`.
 */
export function parseAuditLine (line: string): AuditRecord | string {
  let text = line
  if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1)
  const t = text.startsWith('type=') ? 0 : text.indexOf('type=')
  if (t < 0) return 'no type= field: not an audit record'
  let node: string | undefined
  if (t > 0) {
    const m = /(?:^|\s)node=(\S+)\s/.exec(text.slice(0, t))
    if (m !== null) node = m[1]
  }
  let typeEnd = text.indexOf(' ', t + 5)
  if (typeEnd < 0) typeEnd = text.length
  const type = text.slice(t + 5, typeEnd)
  if (type.length === 0) return 'empty type= field'
  const h = text.indexOf(HEADER, typeEnd)
  if (h < 0) return `${short(type)} record has no msg=audit(TIMESTAMP:SERIAL) header`
  // SECONDS[.FRACTION]:SERIAL)
  let i = h + HEADER.length
  const secStart = i
  while (i < text.length && isDigit(text.charCodeAt(i))) i++
  const secEnd = i
  let fracStart = i
  let fracEnd = i
  if (text.charCodeAt(i) === 46) { // .
    fracStart = ++i
    while (i < text.length && isDigit(text.charCodeAt(i))) i++
    fracEnd = i
  }
  if (secEnd === secStart || text.charCodeAt(i) !== 58) return `${short(type)} record has a malformed msg=audit(...) header (expected SECONDS.MILLIS:SERIAL)`
  const serialStart = ++i
  while (i < text.length && isDigit(text.charCodeAt(i))) i++
  if (i === serialStart || text.charCodeAt(i) !== 41) return `${short(type)} record has a malformed msg=audit(...) header (expected SECONDS.MILLIS:SERIAL)`
  const serialEnd = i
  // More than 20 digits (the format sniffer's bound too) is no clock or counter: 1e21 seconds
  // would not even join with its fraction.
  if (secEnd - secStart > 20 || serialEnd - serialStart > 20) return `${short(type)} record has a malformed msg=audit(...) header (expected SECONDS.MILLIS:SERIAL)`
  i++ // ')'
  if (text.charCodeAt(i) === 58) i++ // ':' (absent in some daemon records)
  const gs = text.indexOf(GS, i)
  const bodyEnd = gs < 0 ? text.length : gs
  const fields: Record<string, string> = Object.create(null)
  parseFields(text, i, bodyEnd, fields)
  const msg = fields.msg
  if (msg !== undefined && msg.charCodeAt(0) === 39) { // user-space payload msg='...'
    const inner: Record<string, string> = Object.create(null)
    const close = msg.length > 1 && msg.charCodeAt(msg.length - 1) === 39 ? msg.length - 1 : msg.length
    parseFields(msg, 1, close, inner)
    for (const key of Object.keys(inner)) if (!(key in fields)) fields[key] = inner[key]
  }
  const timestamp = text.slice(secStart, fracEnd)
  const rec: AuditRecord = {
    type,
    timestamp,
    seconds: Number(text.slice(secStart, secEnd)),
    fraction: text.slice(fracStart, fracEnd),
    serial: Number(text.slice(serialStart, serialEnd)),
    fields
  }
  if (node !== undefined) rec.node = node
  if (gs >= 0) {
    const enriched: Record<string, string> = Object.create(null)
    parseFields(text, gs + 1, text.length, enriched)
    rec.enriched = enriched
  }
  return rec
}

/** Cheap test for format recognition: does the line look like a raw audit record? */
export function looksLikeAuditLine (line: string): boolean {
  const t = line.indexOf('type=')
  return t >= 0 && line.indexOf(HEADER, t) > t
}

// ---------------------------------------------------------------------------------------------
// Value decoding
// ---------------------------------------------------------------------------------------------

const HEX = /^(?:[0-9A-Fa-f]{2})+$/

/**
 * Decodes an audit value as the kernel writes "untrusted strings": `"text"` when the value is
 * plain, hex (unquoted) when it contains a space, a quote or a control character. Anything
 * else (`(null)`, `?`, numbers of non-string fields) is returned as written.
 */
export function decodeAuditValue (raw: string): string {
  const n = raw.length
  if (n > 0 && raw.charCodeAt(0) === 34) return raw.slice(1, n > 1 && raw.charCodeAt(n - 1) === 34 ? n - 1 : n)
  if (n > 0 && raw.charCodeAt(0) === 39) return raw.slice(1, n > 1 && raw.charCodeAt(n - 1) === 39 ? n - 1 : n)
  if (HEX.test(raw)) return Buffer.from(raw, 'hex').toString('utf8')
  return raw
}

/** Like {@link decodeAuditValue}, but `undefined` for absent and unset values. */
function decoded (raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '(null)' || raw === '(none)' || raw === '?' || raw === '') return undefined
  return decodeAuditValue(raw)
}

function intOf (raw: string | undefined): number | undefined {
  if (raw === undefined || raw.length === 0) return undefined
  const v = raw.charCodeAt(0) === 34 ? raw.slice(1, -1) : raw
  if (!/^-?\d+$/.test(v)) return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined // 400 digits are Infinity
}

/** The value of a field with surrounding double quotes removed (as `original` shows it). */
function unquote (raw: string): string {
  const n = raw.length
  return n >= 2 && raw.charCodeAt(0) === 34 && raw.charCodeAt(n - 1) === 34 ? raw.slice(1, -1) : raw
}

/** argv from `PROCTITLE`: hex of the NUL-separated argv, or one quoted word. */
export function decodeProctitle (raw: string): string[] {
  if (raw.charCodeAt(0) === 34) return [decodeAuditValue(raw)]
  if (!HEX.test(raw)) return [raw]
  const parts = Buffer.from(raw, 'hex').toString('utf8').split('\0')
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}

/**
 * argv from the `EXECVE` records of one event (a long argv spans several records). Arguments
 * are `aN="text"`, `aN=HEX`, or, for long ones, `aN_len=LEN aN[0]=... aN[1]=...` chunks.
 * Returns `undefined` when no argument is present.
 */
export function execveArgs (records: ReadonlyArray<Record<string, string>>): string[] | undefined {
  const all: Record<string, string> = Object.create(null)
  let argc: number | undefined
  for (const r of records) {
    for (const k of Object.keys(r)) all[k] = r[k]
    if (argc === undefined) argc = intOf(r.argc)
  }
  // Lost arguments keep their positions up to the last argument present, not up to argc: a
  // corrupt or hostile record can claim argc=4294967295.
  let last = -1
  for (const k of Object.keys(all)) {
    if (k.charCodeAt(0) !== 97) continue // a<N>, a<N>[<j>]
    let j = 1
    while (j < k.length && isDigit(k.charCodeAt(j))) j++
    if (j > 1 && (j === k.length || k.charCodeAt(j) === 91)) last = Math.max(last, Number(k.slice(1, j)))
  }
  const end = argc === undefined ? Infinity : Math.min(argc, last + 1)
  const args: string[] = []
  for (let i = 0; i < end; i++) {
    const whole = all['a' + i]
    if (whole !== undefined) { args.push(decodeAuditValue(whole)); continue }
    let chunk = all[`a${i}[0]`]
    if (chunk === undefined) {
      if (argc === undefined) break
      args.push('') // argument lost (record dropped); keep positions
      continue
    }
    let arg = ''
    for (let j = 1; chunk !== undefined; j++) {
      arg += decodeAuditValue(chunk)
      chunk = all[`a${i}[${j}]`]
    }
    args.push(arg)
  }
  return args.length > 0 || argc === 0 ? args : undefined
}

/** POSIX shell word quoting, only where needed, so that a shell split gives the words back. */
function shellQuote (word: string): string {
  if (word.length > 0 && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return "'" + word.replace(/'/g, "'\\''") + "'"
}

/** argv joined into one command line (see the module notes). */
export function joinArgs (args: readonly string[]): string {
  return args.map(shellQuote).join(' ')
}

// ---------------------------------------------------------------------------------------------
// SOCKADDR
// ---------------------------------------------------------------------------------------------

/** A decoded `SOCKADDR` `saddr=`. */
export interface Sockaddr {
  /** Address family number: 1 unix, 2 inet, 10 inet6, 16 netlink, 0 unspec, ... */
  family: number
  /** `inet`, `inet6`, `unix`, `netlink`, `unspec`, or `family_<n>`. */
  familyName: string
  ip?: string
  port?: number
  /** Unix socket path (`@name` for the abstract namespace). */
  path?: string
}

const FAMILY_NAMES: Record<number, string> = { 0: 'unspec', 1: 'unix', 2: 'inet', 10: 'inet6', 16: 'netlink', 17: 'packet' }

/** Formats 16 bytes as an IPv6 address in RFC 5952 form (`::ffff:1.2.3.4` for mapped IPv4). */
export function formatIpv6 (b: Uint8Array): string {
  const g: number[] = []
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1])
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`
  }
  let bestStart = -1
  let bestLen = 1 // a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hex = (x: number): string => x.toString(16)
  if (bestStart < 0) return g.map(hex).join(':')
  return g.slice(0, bestStart).map(hex).join(':') + '::' + g.slice(bestStart + bestLen).map(hex).join(':')
}

/**
 * Decodes the hex `saddr=` of a `SOCKADDR` record: `sa_family` (host byte order, little-endian
 * on x86 and arm; big-endian hosts are recognised too), then for `AF_INET` the port (2 bytes,
 * network order) and the 4-byte address, for `AF_INET6` the port, 4 bytes of flow info and the
 * 16-byte address, for `AF_UNIX` the path. Returns `undefined` for text that is not hex or is
 * too short for its family.
 */
export function parseSockaddr (hex: string): Sockaddr | undefined {
  if (hex.length < 4 || !HEX.test(hex)) return undefined
  const b = Buffer.from(hex, 'hex')
  let family = b[0] | (b[1] << 8)
  if (family > 255) family = (b[0] << 8) | b[1]
  const out: Sockaddr = { family, familyName: FAMILY_NAMES[family] ?? `family_${family}` }
  if (family === 2) {
    if (b.length < 8) return undefined
    out.port = (b[2] << 8) | b[3]
    out.ip = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`
  } else if (family === 10) {
    if (b.length < 24) return undefined
    out.port = (b[2] << 8) | b[3]
    out.ip = formatIpv6(b.subarray(8, 24))
  } else if (family === 1) {
    if (b.length > 2) {
      const abstract = b[2] === 0
      const from = abstract ? 3 : 2
      let end = b.indexOf(0, from)
      if (end < 0) end = b.length
      out.path = (abstract ? '@' : '') + b.subarray(from, end).toString('utf8')
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Syscall names
// ---------------------------------------------------------------------------------------------

/** Syscalls the mapping cares about, plus common audited ones, per audit arch. */
const X86_64: Record<number, string> = {
  0: 'read', 1: 'write', 2: 'open', 3: 'close', 4: 'stat', 9: 'mmap', 10: 'mprotect', 13: 'rt_sigaction',
  14: 'rt_sigprocmask', 16: 'ioctl', 21: 'access', 23: 'select', 32: 'dup', 33: 'dup2',
  41: 'socket', 42: 'connect', 43: 'accept', 44: 'sendto', 45: 'recvfrom', 46: 'sendmsg', 47: 'recvmsg',
  49: 'bind', 50: 'listen', 51: 'getsockname', 52: 'getpeername', 54: 'setsockopt', 56: 'clone', 57: 'fork',
  58: 'vfork', 59: 'execve', 60: 'exit', 61: 'wait4', 62: 'kill', 72: 'fcntl', 76: 'truncate', 77: 'ftruncate',
  80: 'chdir', 82: 'rename', 83: 'mkdir', 84: 'rmdir', 86: 'link', 87: 'unlink', 88: 'symlink', 90: 'chmod',
  91: 'fchmod', 92: 'chown', 93: 'fchown', 94: 'lchown', 101: 'ptrace', 105: 'setuid', 106: 'setgid',
  113: 'setreuid', 117: 'setresuid', 133: 'mknod', 157: 'prctl', 159: 'adjtimex', 161: 'chroot', 165: 'mount',
  166: 'umount2', 169: 'reboot', 175: 'init_module', 176: 'delete_module', 200: 'tkill', 228: 'clock_gettime',
  231: 'exit_group', 234: 'tgkill', 257: 'openat', 258: 'mkdirat', 259: 'mknodat', 260: 'fchownat',
  263: 'unlinkat', 264: 'renameat', 265: 'linkat', 266: 'symlinkat', 268: 'fchmodat', 272: 'unshare',
  288: 'accept4', 305: 'clock_adjtime', 308: 'setns', 313: 'finit_module', 316: 'renameat2', 321: 'bpf',
  322: 'execveat', 435: 'clone3'
}
const AARCH64: Record<number, string> = {
  35: 'unlinkat', 37: 'linkat', 38: 'renameat', 56: 'openat', 57: 'close', 63: 'read', 64: 'write',
  93: 'exit', 94: 'exit_group', 117: 'ptrace', 129: 'kill', 171: 'adjtimex', 198: 'socket', 200: 'bind', 201: 'listen',
  202: 'accept', 203: 'connect', 204: 'getsockname', 205: 'getpeername', 206: 'sendto', 207: 'recvfrom',
  220: 'clone', 221: 'execve', 242: 'accept4', 266: 'clock_adjtime', 273: 'finit_module', 281: 'execveat'
}
const I386: Record<number, string> = {
  1: 'exit', 2: 'fork', 3: 'read', 4: 'write', 5: 'open', 11: 'execve', 37: 'kill', 102: 'socketcall',
  120: 'clone', 124: 'adjtimex', 190: 'vfork', 295: 'openat', 358: 'execveat', 359: 'socket', 361: 'bind',
  362: 'connect', 363: 'listen', 364: 'accept4'
}
/** i386 `socketcall(call, args)`: the call number is in `a0`. */
const SOCKETCALL: Record<number, string> = {
  1: 'socket', 2: 'bind', 3: 'connect', 4: 'listen', 5: 'accept', 6: 'getsockname', 7: 'getpeername',
  11: 'sendto', 12: 'recvfrom', 16: 'sendmsg', 17: 'recvmsg', 18: 'accept4'
}
const ARCH_TABLES: Record<string, Record<number, string>> = {
  c000003e: X86_64, // AUDIT_ARCH_X86_64
  c00000b7: AARCH64, // AUDIT_ARCH_AARCH64
  '40000003': I386 // AUDIT_ARCH_I386
}
const ENRICHED_ARCH: Record<string, Record<number, string>> = { x86_64: X86_64, aarch64: AARCH64, i386: I386, i686: I386 }

/** The syscall name of a `SYSCALL` record: ENRICHED `SYSCALL=`, else the arch table, else `syscall_<n>`. */
export function syscallNameOf (rec: Pick<AuditRecord, 'fields' | 'enriched'>): string | undefined {
  const f = rec.fields
  let name = rec.enriched?.SYSCALL
  const n = intOf(f.syscall)
  if (name === undefined) {
    if (n === undefined) return undefined
    const table = ARCH_TABLES[(f.arch ?? '').toLowerCase()] ?? ENRICHED_ARCH[rec.enriched?.ARCH ?? '']
    name = table?.[n] ?? `syscall_${n}`
  }
  if (name === 'socketcall') {
    const call = f.a0 !== undefined ? parseInt(f.a0, 16) : NaN
    name = SOCKETCALL[call] ?? name
  }
  return name
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/** The records of one audit event, in arrival order, with their line numbers and texts. */
interface PendingEvent {
  key: string
  node?: string
  timestamp: string
  seconds: number
  fraction: string
  serial: number
  records: AuditRecord[]
  lines: number[]
  texts: string[]
}

function basename (path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? path : path.slice(i + 1)
}

function recordOriginal (r: AuditRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { type: r.type }
  for (const k of Object.keys(r.fields)) {
    const v = r.fields[k]
    o[k] = k === 'msg' ? decodeAuditValue(v) : unquote(v)
  }
  if (r.enriched !== undefined) {
    const e: Record<string, string> = {}
    for (const k of Object.keys(r.enriched)) e[k] = unquote(r.enriched[k])
    o.enriched = e
  }
  return o
}

const NET_FAMILIES = new Set([2, 10])

function endpointOf (sa: Sockaddr | undefined): Endpoint | undefined {
  if (sa === undefined || !NET_FAMILIES.has(sa.family) || sa.ip === undefined) return undefined
  return sa.port !== undefined ? { ip: sa.ip, port: sa.port } : { ip: sa.ip }
}

/** Builds the one {@link ProcessEvent} of an assembled audit event. */
function buildEvent (p: PendingEvent, input: string): ProcessEvent {
  let syscall: AuditRecord | undefined
  let withPid: AuditRecord | undefined
  let proctitle: string | undefined
  let saddr: string | undefined
  let cwd: string | undefined
  const execve: Array<Record<string, string>> = []
  let firstType: string | undefined
  for (const r of p.records) {
    switch (r.type) {
      case 'SYSCALL': if (syscall === undefined) syscall = r; break
      case 'EXECVE': execve.push(r.fields); break
      case 'PROCTITLE': if (proctitle === undefined) proctitle = r.fields.proctitle; break
      case 'SOCKADDR': if (saddr === undefined) saddr = r.fields.saddr; break
      case 'CWD': if (cwd === undefined) cwd = r.fields.cwd; break
    }
    if (withPid === undefined && r.fields.pid !== undefined) withPid = r
    if (firstType === undefined && r.type !== 'EOE' && r.type !== 'PROCTITLE') firstType = r.type
  }
  const source = syscall ?? withPid
  const name = syscall !== undefined ? syscallNameOf(syscall) : undefined
  const kindName = name ?? firstType ?? p.records[0].type
  const sa = saddr !== undefined ? parseSockaddr(saddr) : undefined
  const ok = syscall === undefined || syscall.fields.success !== 'no'

  let action: ProcessAction = 'other'
  const socket: SocketInfo = {}
  switch (name) {
    case 'execve': case 'execveat':
      if (ok) action = 'start'
      break
    case 'connect': {
      const remote = endpointOf(sa)
      if (remote !== undefined) { action = 'connect'; socket.remote = remote }
      break
    }
    case 'accept': case 'accept4': {
      const remote = endpointOf(sa)
      if (ok && (sa === undefined || remote !== undefined)) {
        action = 'accept'
        if (remote !== undefined) socket.remote = remote
      }
      break
    }
    case 'bind': {
      const local = endpointOf(sa)
      if (ok && local !== undefined) { action = 'listen'; socket.local = local }
      break
    }
    case 'listen':
      if (ok) action = 'listen'
      break
  }

  const time = joinSecondsFraction(p.seconds, p.fraction)
  const process: ProcessInfo = {}
  if (source !== undefined) {
    const f = source.fields
    const pid = intOf(f.pid); if (pid !== undefined && pid >= 0) process.pid = pid
    const exe = decoded(f.exe)
    if (exe !== undefined) process.executable = exe
    const comm = decoded(f.comm)
    const procName = exe !== undefined ? basename(exe) : comm
    if (procName !== undefined && procName.length > 0) process.name = procName
    const user = source.enriched?.UID !== undefined ? unquote(source.enriched.UID) : unquote(f.uid ?? '')
    if (user.length > 0) process.user = user
    const ppid = intOf(f.ppid)
    if (ppid !== undefined && ppid >= 0) process.parent = { pid: ppid }
  }
  const args = execve.length > 0 ? execveArgs(execve) : undefined
  const argv = args ?? (proctitle !== undefined ? decodeProctitle(proctitle) : undefined)
  if (argv !== undefined && argv.length > 0) {
    process.args = argv
    process.commandLine = joinArgs(argv)
  }
  const wd = decoded(cwd); if (wd !== undefined) process.workingDirectory = wd
  if (action === 'start') {
    process.start = time
    if (process.pid !== undefined) process.entityId = `${p.node ?? ''}|${process.pid}|${p.timestamp}`
  }

  const original: Record<string, unknown> = {}
  if (p.node !== undefined) original.node = p.node
  original.timestamp = p.timestamp
  original.serial = p.serial
  original.records = p.records.map(recordOriginal)

  const ev: ProcessEvent = {
    category: 'process',
    time,
    sensor: 'auditd',
    format: 'auditd',
    kind: `auditd:${kindName}`,
    action,
    host: p.node !== undefined ? { name: p.node, os: 'linux' } : { os: 'linux' },
    process,
    input,
    line: p.lines[0],
    original,
    raw: p.texts.join('\n'),
    scantag: {}
  }
  if (socket.remote !== undefined || socket.local !== undefined) ev.socket = socket
  return ev
}

// ---------------------------------------------------------------------------------------------
// Assembler
// ---------------------------------------------------------------------------------------------

/** What {@link AuditAssembler} emits: one event per audit event, or one dead letter per bad line. */
export type AuditOutput =
  | { event: ProcessEvent, lines: number[] }
  | { dead: { line: number, reason: string, text: string } }

/** Options of {@link AuditAssembler}. */
export interface AuditAssemblerOptions {
  /** Input name written into events (default `-`). */
  input?: string
  /**
   * An event without `EOE` is emitted once a record of the same node with a serial this many
   * higher has been seen (default 64). Kernels without `EOE`, and user-space records, rely on it.
   */
  maxPendingSerials?: number
  /** At most this many events wait for more records; beyond it the oldest is emitted (default 1024). */
  maxPendingEvents?: number
}

/** How many emitted event keys are remembered to recognise records that arrive too late. */
const COMPLETED_MEMORY = 4096

/**
 * Groups audit records into events and normalizes them. Pure and synchronous: no streams, no
 * timers; the caller feeds lines in order and calls {@link flush} at the end of the input.
 *
 * Grouping key is `(node, serial)`. An event is emitted when its `EOE` record arrives; when a
 * record of the same node `maxPendingSerials` serials later has been seen; when more than
 * `maxPendingEvents` events are pending (oldest first); and at {@link flush}. Records of
 * several events may interleave freely within that window.
 *
 * Every non-blank line ends in exactly one output: a record line joins an event (emitted once),
 * an unparseable line is a dead letter, and so is a record whose event was already emitted
 * (too late for the window; it is named in the reason). Blank lines produce nothing.
 * A new serial at least `maxPendingSerials` below the node's highest one is either a stray late
 * record (older timestamp: its event takes the records that directly follow it and is emitted at
 * the first record of another event) or, when its timestamp is later
 * than any seen for the node, a restarted counter (reboot, auditd restart): that node's pending
 * events are emitted and the window restarts. Emitted events are remembered by
 * `(node, serial, timestamp)`, so a reused serial starts a new event.
 */
export class AuditAssembler {
  readonly input: string
  readonly maxPendingSerials: number
  readonly maxPendingEvents: number
  private readonly pending = new Map<string, PendingEvent>()
  private readonly maxSerial = new Map<string, number>()
  private readonly maxSeconds = new Map<string, number>()
  private readonly completed = new Set<string>()
  private readonly completedOrder: string[] = []
  /** An event below the window, open only until a record of another event arrives. */
  private stray: PendingEvent | undefined
  private completedHead = 0

  constructor (options: AuditAssemblerOptions = {}) {
    this.input = options.input ?? '-'
    this.maxPendingSerials = Math.max(1, options.maxPendingSerials ?? 64)
    this.maxPendingEvents = Math.max(1, options.maxPendingEvents ?? 1024)
  }

  /** Events waiting for more records. */
  get pendingCount (): number { return this.pending.size }

  /**
   * Adds one line (1-based `lineNo`) and returns what it completes: events emitted because of
   * it (including older ones pushed out of the window) and/or a dead letter for the line itself.
   */
  push (line: string, lineNo: number): AuditOutput[] {
    if (line.trim().length === 0) return []
    const rec = parseAuditLine(line)
    if (typeof rec === 'string') {
      return [{ dead: { line: lineNo, reason: rec, text: line.length > DEAD_LETTER_TEXT_LIMIT ? line.slice(0, DEAD_LETTER_TEXT_LIMIT) : line } }]
    }
    const out: AuditOutput[] = []
    const node = rec.node ?? ''
    const key = node + '\0' + rec.serial
    if (this.stray !== undefined && this.stray.key !== key) {
      if (this.pending.get(this.stray.key) === this.stray) this.emit(this.stray, out)
      this.stray = undefined
    }
    let p = this.pending.get(key)
    if (p !== undefined && p.timestamp !== rec.timestamp) {
      // Same serial, another timestamp: the counter was reused; the old event is complete.
      this.emit(p, out)
      p = undefined
    }
    if (p === undefined) {
      if (this.completed.has(key + '\0' + rec.timestamp)) {
        // `out` may already hold events this line completed (a stray one above): keep them.
        out.push({ dead: { line: lineNo, reason: `late ${short(rec.type)} record: audit event ${short(rec.timestamp)}:${rec.serial}${node !== '' ? ' of ' + short(node) : ''} was already emitted (EOE seen or more than maxPendingSerials=${this.maxPendingSerials} serials later)`, text: line.length > DEAD_LETTER_TEXT_LIMIT ? line.slice(0, DEAD_LETTER_TEXT_LIMIT) : line } })
        return out
      }
      const max = this.maxSerial.get(node)
      if (max !== undefined && rec.serial <= max - this.maxPendingSerials && rec.seconds > (this.maxSeconds.get(node) ?? Infinity)) {
        // The serial counter restarted: close everything pending for this node.
        for (const q of [...this.pending.values()]) if ((q.node ?? '') === node) this.emit(q, out)
        this.maxSerial.set(node, rec.serial)
      }
      p = {
        key,
        timestamp: rec.timestamp,
        seconds: rec.seconds,
        fraction: rec.fraction,
        serial: rec.serial,
        records: [],
        lines: [],
        texts: []
      }
      if (rec.node !== undefined) p.node = rec.node
      this.pending.set(key, p)
    }
    p.records.push(rec)
    p.lines.push(lineNo)
    p.texts.push(line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line)
    if (rec.seconds > (this.maxSeconds.get(node) ?? -Infinity)) this.maxSeconds.set(node, rec.seconds)

    // Bounded wait: events of this node far enough behind the newest serial are complete.
    const max = this.maxSerial.get(node)
    if (max === undefined || rec.serial > max) {
      this.maxSerial.set(node, rec.serial)
      const limit = rec.serial - this.maxPendingSerials
      for (const q of this.pending.values()) {
        if (q !== p && q.serial <= limit && (q.node ?? '') === node) this.emit(q, out)
      }
    } else if (rec.serial <= max - this.maxPendingSerials) {
      // A stray old serial (not a counter restart): it collects the records that follow it
      // directly and is emitted at the first record of another event.
      this.stray = p
    }
    if (rec.type === 'EOE' && this.pending.get(key) === p) this.emit(p, out)
    while (this.pending.size > this.maxPendingEvents) {
      const oldest = this.pending.values().next().value as PendingEvent
      this.emit(oldest, out)
    }
    return out
  }

  /** Emits every pending event, oldest first (call at the end of the input). */
  flush (): AuditOutput[] {
    const out: AuditOutput[] = []
    for (const p of [...this.pending.values()]) this.emit(p, out)
    this.stray = undefined
    return out
  }

  private emit (p: PendingEvent, out: AuditOutput[]): void {
    this.pending.delete(p.key)
    this.remember(p.key + '\0' + p.timestamp)
    out.push({ event: buildEvent(p, this.input), lines: p.lines })
  }

  private remember (key: string): void {
    if (this.completed.has(key)) return
    if (this.completedOrder.length < COMPLETED_MEMORY) {
      this.completedOrder.push(key)
    } else {
      this.completed.delete(this.completedOrder[this.completedHead])
      this.completedOrder[this.completedHead] = key
      this.completedHead = (this.completedHead + 1) % COMPLETED_MEMORY
    }
    this.completed.add(key)
  }
}

// ---------------------------------------------------------------------------------------------
// Microsoft auoms (Azure Monitor agent) records in Syslog JSON
// ---------------------------------------------------------------------------------------------

const AUOMS_HEADER = /^type=(AUOMS_[A-Z0-9_]+) (?:msg=)?audit\((\d+)(?:\.(\d+))?:(\d+)\):?/

/**
 * Whether a parsed JSON object is an auoms record as Azure Sentinel's `Syslog` table stores it:
 * `SyslogMessage` starting `type=AUOMS_...` (`ProcessName` `auoms`, `EventType` `AUOMS_EXECVE`).
 */
export function isAuomsRecord (r: Record<string, unknown>): boolean {
  const m = r.SyslogMessage
  return typeof m === 'string' && m.startsWith('type=AUOMS_')
}

/**
 * Normalizes one auoms record (Microsoft's audit daemon writes one line per audit event, the
 * kernel records already merged). `AUOMS_EXECVE` with `success=yes` → `start`; everything else
 * (failed execs, other auoms types) → `other`. The command line is `cmdline` (argv joined by
 * auoms), else `proctitle` (unquoted, spaces for NULs, truncated; read up to ` redactors=`),
 * split with POSIX rules. `process.user` is auoms' `user` name, else `uid`. Time is the
 * `audit(...)` timestamp, exact; `host.name` is `node` (else `Computer`/`HostName`), `host.ips`
 * the Sentinel `HostIP`. `original` is the whole JSON record.
 */
export function auomsToEvent (r: Record<string, unknown>, ctx: RecordContext, raw?: string): ProcessEvent | string {
  const msg = r.SyslogMessage
  if (typeof msg !== 'string') return 'auoms record has no SyslogMessage'
  const h = AUOMS_HEADER.exec(msg)
  if (h === null) return 'auoms SyslogMessage has no type=AUOMS_... audit(TIMESTAMP:SERIAL) header'
  const type = h[1]
  if (h[2].length > 20) return 'auoms SyslogMessage has a malformed audit(TIMESTAMP:SERIAL) header (timestamp of more than 20 digits)'
  const timestamp = h[3] !== undefined ? `${h[2]}.${h[3]}` : h[2]
  let body = msg.slice(h[0].length)
  // proctitle is written bare although it holds spaces: cut it out before splitting fields.
  let proctitle: string | undefined
  const pt = body.indexOf(' proctitle=')
  if (pt >= 0) {
    const from = pt + ' proctitle='.length
    let end = body.indexOf(' redactors=', from)
    if (end < 0) end = body.indexOf(' containerid=', from)
    if (end < 0) end = body.length
    proctitle = body.slice(from, end)
    body = body.slice(0, pt) + body.slice(end)
  }
  const f: Record<string, string> = Object.create(null)
  parseFields(body, 0, body.length, f)
  const syscall = decoded(f.syscall)
  const ok = f.success !== 'no'
  const action: ProcessAction = type === 'AUOMS_EXECVE' && ok ? 'start' : 'other'
  const time = joinSecondsFraction(Number(h[2]), h[3] ?? '')

  const process: ProcessInfo = {}
  const pid = intOf(f.pid); if (pid !== undefined && pid >= 0) process.pid = pid
  const exe = decoded(f.exe)
  if (exe !== undefined) { process.executable = exe; process.name = basename(exe) }
  const commandLine = decoded(f.cmdline) ?? (proctitle !== undefined && proctitle.length > 0 ? proctitle : undefined)
  if (commandLine !== undefined) {
    process.commandLine = commandLine
    process.args = splitPosixCommandLine(commandLine)
  }
  const user = decoded(f.user) ?? decoded(f.uid)
  if (user !== undefined) process.user = user
  const cwd = decoded(f.cwd); if (cwd !== undefined) process.workingDirectory = cwd
  const ppid = intOf(f.ppid); if (ppid !== undefined && ppid >= 0) process.parent = { pid: ppid }

  const host: HostInfo = { os: 'linux' }
  const str = (v: unknown): string | undefined => typeof v === 'string' && v.length > 0 ? v : undefined
  const hostName = decoded(f.node) ?? str(r.Computer) ?? str(r.HostName)
  if (hostName !== undefined) host.name = hostName
  const ip = str(r.HostIP)
  if (ip !== undefined && ip !== '0.0.0.0' && !ip.startsWith('127.') && ip !== '::1') host.ips = [ip]
  if (action === 'start') {
    process.start = time
    if (process.pid !== undefined) process.entityId = `${hostName ?? ''}|${process.pid}|${timestamp}`
  }
  const ev: ProcessEvent = {
    category: 'process',
    time,
    sensor: 'auditd',
    format: 'auditd',
    kind: syscall !== undefined && type === 'AUOMS_SYSCALL' ? `auditd:${syscall}` : `auditd:${type}`,
    action,
    host,
    process,
    input: ctx.input,
    line: ctx.line,
    original: r,
    scantag: {}
  }
  if (raw !== undefined) ev.raw = raw
  return ev
}
