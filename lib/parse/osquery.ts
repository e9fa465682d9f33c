/**
 * osquery result logs (`osqueryd.results.log`, the filesystem/TLS/Kafka loggers: one JSON object
 * per line) → {@link ProcessEvent}s, one per result row.
 *
 * Three layouts are read:
 * - differential, one row per line (osquery's default, `log_result_events=true`):
 *   `{name, hostIdentifier, calendarTime, unixTime, epoch, counter, numerics, decorations,
 *   columns: {...}, action: "added" | "removed"}`;
 * - snapshot (`"snapshot": true` queries): `{name, hostIdentifier, unixTime, snapshot: [rows],
 *   action: "snapshot"}`;
 * - batched differential (`log_result_events=false`): `diffResults: {added: [...], removed: [...]}`
 *   (rows of `added` first, then `removed`).
 *
 * Values are strings (`numerics: false`, the default) or numbers; both are read.
 *
 * The table behind a result is recognised from the query name, exactly (`processes`) or as the
 * last word of a pack query name (`pack/incident-response/process_events`,
 * `pack_ir_processes`), else from the row's columns. Mapping:
 *
 * | table | action |
 * |---|---|
 * | `processes` | `added`/`snapshot` → `snapshot` (seen running), `removed` → `end` |
 * | `process_events` | `start` (rows of `execve`/`execveat`, or without a `syscall` column); other syscalls (`fork`, `clone`, ...) and `removed` rows → `other` |
 * | `process_open_sockets` | `listen` when the remote side is unspecified (`0.0.0.0`/`::`/empty, port 0), else `connect`; unix sockets (family 1) → `other` |
 * | `listening_ports` | `listen` (family 1 → `other`) |
 * | `socket_events` | by its `action` column: `connect` → `connect`, `bind` → `listen`, `accept` → `accept`; a failed (`success` 0) bind/accept, unix sockets and anything else → `other` |
 * | any other table | `other` (pid kept when the row has a `pid` column) |
 *
 * A connect is kept as `connect` whether it succeeded or not (`EINPROGRESS` is how scanners
 * connect). In `process_open_sockets` and `listening_ports`, `path` is the unix socket path,
 * not the process: it is not used as the executable there.
 *
 * Field conventions: `time` is the row's `time` column (event tables) when present, else the
 * result's `unixTime` (else `calendarTime`). `host.name` is `decorations.hostname` when
 * decorated (it stays a host name when `--host_identifier` is `uuid`), else `hostIdentifier`.
 * `host.ips` lists a row's local address when it is a specific one (not unspecified, not
 * loopback). `host.os` comes from a `decorations` platform field when there is one, else from
 * the executable path: a drive letter means `windows`, `/Applications/`, `/System/`,
 * `/Library/` or `/private/` mean `macos`, another absolute path `linux` (POSIX quoting either
 * way). `process.args` is `cmdline` split with POSIX rules (osquery joins argv with spaces, so
 * arguments that contained spaces cannot be told apart); Windows command lines are not split.
 * `process.entityId` is `${host}|${pid}|${start}` with `start` the `start_time` column
 * (`processes`) or the event's `time` (`process_events`). `kind` is `osquery:<query name>`.
 * `original` is the whole result for a one-row (differential) line, with `raw` the line; for
 * snapshot and batch lines, where one line holds many rows, it is the row re-expressed in the
 * differential layout (`{name, hostIdentifier, ..., columns: row, action}`) and `raw` is absent.
 *
 * @packageDocumentation
 */
import type { Endpoint, HostInfo, ProcessAction, ProcessEvent, ProcessInfo, SocketInfo, Transport } from '../model.js'
import { splitPosixCommandLine } from './cmdline.js'
import type { RecordContext } from './zeek.js'
import { address, port as validPort, quote, rec } from './values.js'
import { isEventTime } from './time.js'

type Rec = Record<string, unknown>


/** A column as text: non-empty strings, numbers as decimal. */
function text (v: unknown): string | undefined {
  if (typeof v === 'string') return v.length === 0 ? undefined : v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

/** A column as an integer: a number or a decimal string. */
function int (v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = Number(v)
    return Number.isFinite(n) ? n : undefined // 400 digits are Infinity
  }
  return undefined
}

/** A column as a number (epoch seconds may carry a fraction). */
function numeric (v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v === 'string' && /^-?\d+(?:\.\d+)?$/.test(v)) {
    const n = Number(v)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

/**
 * Whether a parsed JSON object is an osquery result: a query `name` and rows in `columns`,
 * `snapshot` or `diffResults`, with `hostIdentifier` or `unixTime`.
 */
export function isOsqueryRecord (r: Rec): boolean {
  if (typeof r.name !== 'string') return false
  if (r.hostIdentifier === undefined && r.unixTime === undefined) return false
  return rec(r.columns) !== undefined || Array.isArray(r.snapshot) || rec(r.diffResults) !== undefined
}

/** Tables mapped to process events, longest first so that suffix matching is unambiguous. */
const TABLES = ['process_open_sockets', 'listening_ports', 'process_events', 'socket_events', 'processes'] as const
type Table = typeof TABLES[number] | 'other'

/** The osquery table a result comes from: by query name, else by the row's columns. */
export function osqueryTableOf (name: string, row: Rec): Table {
  for (const t of TABLES) {
    if (name === t) return t
    if (name.endsWith(t)) {
      const sep = name.charCodeAt(name.length - t.length - 1)
      if (sep === 47 || sep === 95 || sep === 58 || sep === 45 || sep === 46) return t // / _ : - .
    }
  }
  const has = (k: string): boolean => k in row
  if (has('family') && has('remote_address') && has('action') && has('time')) return 'socket_events'
  if (has('family') && has('remote_address') && has('local_address') && (has('net_namespace') || has('fd') || has('socket'))) return 'process_open_sockets'
  if (has('cmdline') && has('parent') && has('time') && (has('syscall') || has('eid') || has('auid'))) return 'process_events'
  if (has('pid') && has('parent') && has('start_time')) return 'processes'
  if (has('pid') && has('port') && has('address') && has('family') && !has('remote_address')) return 'listening_ports'
  return 'other'
}

const PROTOCOLS: Record<number, Transport> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' }

function transportOf (v: unknown): Transport | undefined {
  const n = int(v)
  if (n === undefined || n === 0) return undefined
  return PROTOCOLS[n] ?? String(n)
}

function isUnspecified (ip: string | undefined): boolean {
  return ip === undefined || ip === '0.0.0.0' || ip === '::' || ip === '0:0:0:0:0:0:0:0'
}

/** A specific local address: not unspecified, not loopback. */
function isHostAddress (ip: string | undefined): ip is string {
  if (isUnspecified(ip)) return false
  const a = ip as string
  return !(a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.'))
}

function endpoint (ip: unknown, port: unknown): Endpoint | undefined {
  const a = address(text(ip))
  if (a === undefined) return undefined
  const p = validPort(int(port))
  return p !== undefined ? { ip: a, port: p } : { ip: a }
}

function basename (path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  return i < 0 ? path : path.slice(i + 1)
}

const PLATFORM_KEYS = ['platform', 'os', 'os_platform', 'platform_like', 'os_name']

function osOf (decorations: Rec | undefined, path: string | undefined): HostInfo['os'] {
  if (decorations !== undefined) {
    for (const k of PLATFORM_KEYS) {
      const v = text(decorations[k])?.toLowerCase()
      if (v === undefined) continue
      if (v.includes('windows')) return 'windows'
      if (v.includes('darwin') || v.includes('mac')) return 'macos'
      if (v.includes('linux') || v.includes('ubuntu') || v.includes('debian') || v.includes('rhel') || v.includes('centos') || v.includes('fedora') || v.includes('suse') || v.includes('amzn')) return 'linux'
    }
  }
  if (path === undefined) return undefined
  if (/^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')) return 'windows'
  if (/^\/(?:Applications|System|Library|private)\//.test(path)) return 'macos'
  if (path.startsWith('/')) return 'linux'
  return undefined
}

/** A query name as reasons show it: its first 64 characters (names come from the log). */
function shortName (name: string): string {
  return name.length > 64 ? name.slice(0, 64) + '…' : name
}

/** The differential row action of one row. */
type RowAction = 'added' | 'removed' | 'snapshot'

/**
 * Normalizes one osquery result into one event per row; a row that cannot be an event becomes
 * a reason string (a dead letter). A result with no rows gives an empty array.
 *
 * @param r the parsed result object
 * @param ctx input and line (the other fields are not used)
 * @param raw the line text
 */
export function osqueryToEvents (r: Rec, ctx: RecordContext, raw?: string): Array<ProcessEvent | string> {
  const name = r.name
  if (typeof name !== 'string' || name.length === 0) return ['osquery result has no query name']
  const rows: Array<[unknown, RowAction]> = []
  let single = false
  const columns = rec(r.columns)
  if (columns !== undefined) {
    const a = r.action
    rows.push([columns, a === 'removed' ? 'removed' : a === 'snapshot' ? 'snapshot' : 'added'])
    single = true
  } else if (Array.isArray(r.snapshot)) {
    for (const row of r.snapshot) rows.push([row, 'snapshot'])
  } else {
    const diff = rec(r.diffResults)
    if (diff === undefined) return ['osquery result has no columns, snapshot or diffResults']
    if (diff.added !== undefined && !Array.isArray(diff.added)) return ['osquery diffResults.added is not an array']
    if (diff.removed !== undefined && !Array.isArray(diff.removed)) return ['osquery diffResults.removed is not an array']
    for (const row of (diff.added ?? []) as unknown[]) rows.push([row, 'added'])
    for (const row of (diff.removed ?? []) as unknown[]) rows.push([row, 'removed'])
  }
  const decorations = rec(r.decorations)
  const hostName = text(decorations?.hostname) ?? text(r.hostIdentifier)
  let resultTime = numeric(r.unixTime)
  if (resultTime !== undefined && !isEventTime(resultTime)) resultTime = undefined
  if (resultTime === undefined && typeof r.calendarTime === 'string') {
    const ms = Date.parse(r.calendarTime)
    if (Number.isFinite(ms)) resultTime = ms / 1000
  }
  const out: Array<ProcessEvent | string> = []
  let index = 0
  for (const [value, rowAction] of rows) {
    index++
    const row = rec(value)
    if (row === undefined) { out.push(`osquery ${shortName(name)} row ${index} is not an object`); continue }
    const envelope = single ? r : rowOriginal(r, row, rowAction)
    const ev = rowToEvent(name, row, rowAction, envelope, hostName, decorations, resultTime, ctx)
    if (typeof ev !== 'string' && single && raw !== undefined) ev.raw = raw
    out.push(ev)
  }
  return out
}

/** A row of a snapshot or batch result in the differential layout. */
function rowOriginal (r: Rec, row: Rec, action: RowAction): Rec {
  const o: Rec = {}
  for (const k of Object.keys(r)) {
    if (k !== 'snapshot' && k !== 'diffResults' && k !== 'action') o[k] = r[k]
  }
  o.columns = row
  o.action = action
  return o
}

function rowToEvent (name: string, row: Rec, rowAction: RowAction, original: Rec, hostName: string | undefined,
  decorations: Rec | undefined, resultTime: number | undefined, ctx: RecordContext): ProcessEvent | string {
  const table = osqueryTableOf(name, row)
  let time = resultTime
  if (row.time !== undefined && row.time !== '') {
    const t = numeric(row.time)
    if (t === undefined || !isEventTime(t)) return `osquery ${shortName(name)} row has a time column that is not epoch seconds: ${quote(row.time)}`
    time = t
  }

  const process: ProcessInfo = {}
  const pid = int(row.pid)
  if (pid !== undefined && pid >= 0) process.pid = pid
  // `path` is the process image except in the socket inventory tables (unix socket path there).
  const exe = table === 'process_open_sockets' || table === 'listening_ports' ? undefined : text(row.path)
  const host: HostInfo = {}
  if (hostName !== undefined) host.name = hostName
  const os = osOf(decorations, exe)
  if (os !== undefined) host.os = os

  let action: ProcessAction = 'other'
  const socket: SocketInfo = {}
  const localIps: string[] = []

  if (table !== 'other') {
    if (exe !== undefined) {
      process.executable = exe
      process.name = basename(exe)
    }
    const procName = text(row.name)
    if (table === 'processes' && procName !== undefined) process.name = procName
    const cmdline = text(row.cmdline)
    if (cmdline !== undefined) {
      process.commandLine = cmdline
      if (host.os !== 'windows') process.args = splitPosixCommandLine(cmdline)
    }
    const cwd = text(row.cwd); if (cwd !== undefined) process.workingDirectory = cwd
    const user = text(row.username) ?? text(row.user) ?? text(row.uid)
    if (user !== undefined) process.user = user
    const ppid = int(row.parent)
    if (ppid !== undefined && ppid >= 0) process.parent = { pid: ppid }
  }

  switch (table) {
    case 'processes': {
      action = rowAction === 'removed' ? 'end' : 'snapshot'
      const start = int(row.start_time)
      if (start !== undefined && start >= 0) {
        process.start = start
        if (process.pid !== undefined) process.entityId = `${hostName ?? ''}|${process.pid}|${start}`
      }
      break
    }
    case 'process_events': {
      const syscall = text(row.syscall)
      if (rowAction !== 'removed' && (syscall === undefined || syscall === 'execve' || syscall === 'execveat')) {
        action = 'start'
        if (time !== undefined) {
          process.start = time
          if (process.pid !== undefined) process.entityId = `${hostName ?? ''}|${process.pid}|${time}`
        }
      }
      break
    }
    case 'process_open_sockets':
    case 'listening_ports': {
      const family = int(row.family)
      if (family === 1) break
      const transport = transportOf(row.protocol)
      if (transport !== undefined) socket.transport = transport
      if (table === 'listening_ports') {
        const local = endpoint(row.address, row.port)
        if (local !== undefined) socket.local = local
        if (isHostAddress(local?.ip)) localIps.push(local.ip)
        action = 'listen'
        break
      }
      const local = endpoint(row.local_address, row.local_port)
      if (local !== undefined) socket.local = local
      if (isHostAddress(local?.ip)) localIps.push(local.ip)
      const remoteIp = text(row.remote_address)
      const remotePort = int(row.remote_port)
      if (isUnspecified(remoteIp) && (remotePort === undefined || remotePort === 0)) {
        action = 'listen'
      } else {
        action = 'connect'
        const remote = endpoint(row.remote_address, row.remote_port)
        if (remote !== undefined) socket.remote = remote
      }
      break
    }
    case 'socket_events': {
      const family = int(row.family)
      if (family === 1) break
      const what = text(row.action)
      const success = int(row.success)
      const failed = success === 0
      const local = endpoint(row.local_address, row.local_port)
      const remote = endpoint(row.remote_address, row.remote_port)
      if (what === 'connect') {
        action = 'connect'
      } else if (what === 'bind' && !failed) {
        action = 'listen'
      } else if (what === 'accept' && !failed) {
        action = 'accept'
      }
      if (action === 'other') break
      const transport = transportOf(row.protocol)
      if (transport !== undefined) socket.transport = transport
      if (what === 'bind') {
        // The bound address is on local_* (current osquery); take remote_* if only that is set.
        const bound = local !== undefined && !isUnspecified(local.ip) ? local : remote ?? local
        if (bound !== undefined) socket.local = bound
        if (isHostAddress(bound?.ip)) localIps.push(bound.ip)
      } else {
        if (remote !== undefined) socket.remote = remote
        if (local !== undefined) socket.local = local
        if (isHostAddress(local?.ip)) localIps.push(local.ip)
      }
      break
    }
    default:
      break
  }
  if (localIps.length > 0) host.ips = localIps

  const ev: ProcessEvent = {
    category: 'process',
    sensor: 'osquery',
    format: 'osquery',
    kind: `osquery:${name}`,
    action,
    host,
    process,
    input: ctx.input,
    line: ctx.line,
    original,
    scantag: {}
  }
  if (time !== undefined) ev.time = time
  if (socket.local !== undefined || socket.remote !== undefined || socket.transport !== undefined) ev.socket = socket
  return ev
}
