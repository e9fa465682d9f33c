/**
 * ECS endpoint documents (Elastic Defend, Auditbeat, winlogbeat after its ingest pipeline) →
 * {@link ProcessEvent}.
 *
 * Fields are read by their ECS names, from nested objects (`_source` as Elasticsearch stores it)
 * or dotted keys (`"process.pid": 42`, flattened exports), and single-element arrays (Kibana's
 * `fields` format) count as their element:
 *
 * - time: `@timestamp`;
 * - `process.{pid, entity_id, executable, name, command_line, args, working_directory, start}`,
 *   `process.parent.{pid, entity_id, executable, command_line, name}` (Auditbeat's `process.ppid`
 *   when there is no `process.parent.pid`);
 * - `user.name` (as `DOMAIN\name` when `user.domain` is set, the way Sysmon writes users);
 * - `host.{name | hostname, ip, os.type | os.platform | os.family}`;
 * - `source.{ip, port}`, `destination.{ip, port}`, `network.transport`, `network.direction`.
 *
 * The action comes from `event.action` where the value is known (Elastic Defend `start`, `exec`,
 * `fork`, `end`, `already_running`, `connection_attempted`, `connection_accepted`; Auditbeat
 * `process_started`, `process_stopped`, `existing_process`, `executed`, `connected-to`,
 * `accepted-connection-from`, `listen-for-connections`; winlogbeat Security `created-process`,
 * `exited-process`), else from `event.type` (`start`/`end`) for process events and
 * `network.direction` (`egress`/`outbound`/`outgoing` → `connect`, `ingress`/`inbound`/`incoming`
 * → `accept`) for network events, else `other`.
 *
 * The socket follows ECS: `source` is the side that initiated. For `connect` the local end is
 * `source`; for `accept` it is `destination`; for `listen` it is whichever is present, `source`
 * first.
 */
import type { Endpoint, HostInfo, ParentProcess, ProcessAction, ProcessEvent, ProcessInfo, SocketInfo } from '../model.js'
import { splitPosixCommandLine, splitWindowsCommandLine } from './cmdline.js'
import { baseName, isSysmonRecord, pathOs } from './sysmon.js'
import { parseIsoTime } from './time.js'
import type { RecordContext } from './zeek.js'
import { address, quote, rec } from './values.js'

type Rec = Record<string, unknown>


/**
 * The value at an ECS path, whether the document nests it (`{process: {parent: {pid}}}`), dots
 * it (`{"process.parent.pid": 1}`) or mixes both (`{process: {"parent.pid": 1}}`).
 */
export function ecsGet (o: unknown, path: string): unknown {
  const r = rec(o)
  if (r === undefined) return undefined
  if (Object.prototype.hasOwnProperty.call(r, path)) return r[path]
  let dot = path.indexOf('.')
  while (dot > 0) {
    const head = path.slice(0, dot)
    if (Object.prototype.hasOwnProperty.call(r, head)) {
      const v = ecsGet(r[head], path.slice(dot + 1))
      if (v !== undefined) return v
    }
    dot = path.indexOf('.', dot + 1)
  }
  return undefined
}

/** A single-element array (Kibana `fields` format) as its element. */
function one (v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v
}

function str (v: unknown): string | undefined {
  const x = one(v)
  return typeof x === 'string' && x.length > 0 ? x : undefined
}

function lower (v: unknown): string | undefined {
  return str(v)?.toLowerCase()
}

/** Strings of a keyword field that may be one string or an array of them. */
function list (v: unknown): string[] {
  if (typeof v === 'string') return [v]
  if (!Array.isArray(v)) return []
  const out: string[] = []
  for (const x of v) if (typeof x === 'string') out.push(x)
  return out
}

const INVALID = Symbol('invalid')

/** A non-negative integer from a number or a decimal string; {@link INVALID} for anything else. */
function count (v: unknown, max: number): number | undefined | typeof INVALID {
  const x = one(v)
  if (x === undefined || x === null) return undefined
  if (typeof x === 'number') return Number.isInteger(x) && x >= 0 && x <= max ? x : INVALID
  if (typeof x !== 'string' || x.length === 0 || x.length > 16) return INVALID
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i)
    if (c < 48 || c > 57) return INVALID
  }
  const n = Number(x)
  return n <= max ? n : INVALID
}


/** An ECS date: ISO 8601 text, or epoch milliseconds (Elasticsearch's default `date` formats). */
function dateOf (v: unknown): number | undefined {
  const x = one(v)
  if (typeof x === 'string') {
    const t = parseIsoTime(x)
    if (t !== undefined) return t
    if (/^\d{1,15}$/.test(x)) return Number(x) / 1000
    return undefined
  }
  if (typeof x === 'number' && Number.isFinite(x)) return x / 1000
  return undefined
}

/** `event.module` values of network sensors: their documents are network data, not endpoint data. */
const NETWORK_SENSOR_MODULES = new Set(['zeek', 'suricata', 'network_traffic', 'packetbeat', 'netflow', 'panw', 'fortinet', 'cisco', 'snort'])

function categories (r: Rec): string[] {
  return list(ecsGet(r, 'event.category')).map(s => s.toLowerCase())
}

/**
 * Whether a parsed JSON object is an ECS endpoint document: `event.category` holds `process` or
 * `network`, it has a `process` object (or dotted `process.*` keys), and it is not network
 * sensor data (`event.module` zeek, suricata, network_traffic/packetbeat, ...; `event.dataset`
 * `zeek.*`/`suricata.*`; `agent.type` packetbeat), which includes scantag's own `ecs` output.
 * Sysmon records that winlogbeat shipped with their raw `winlog.event_data` are left to
 * {@link isSysmonRecord}, so the two recognisers never both claim a record.
 */
export function isEcsEndpointRecord (r: Record<string, unknown>): boolean {
  const cats = categories(r)
  if (!cats.includes('process') && !cats.includes('network')) return false
  if (!hasProcess(r)) return false
  const module = lower(ecsGet(r, 'event.module'))
  if (module !== undefined && NETWORK_SENSOR_MODULES.has(module)) return false
  const dataset = lower(ecsGet(r, 'event.dataset'))
  if (dataset !== undefined && (dataset.startsWith('zeek.') || dataset.startsWith('suricata.'))) return false
  if (lower(ecsGet(r, 'agent.type')) === 'packetbeat') return false
  return !isSysmonRecord(r)
}

function hasProcess (r: Rec): boolean {
  if (rec(r.process) !== undefined) return true
  for (const k of Object.keys(r)) if (k.startsWith('process.')) return true
  return false
}

const ACTIONS: Record<string, ProcessAction> = {
  // Elastic Defend
  start: 'start',
  exec: 'start',
  fork: 'start',
  end: 'end',
  already_running: 'snapshot',
  connection_attempted: 'connect',
  connection_accepted: 'accept',
  // Auditbeat system module (process dataset)
  process_started: 'start',
  process_stopped: 'end',
  existing_process: 'snapshot',
  // Auditbeat auditd module
  executed: 'start',
  'connected-to': 'connect',
  'accepted-connection-from': 'accept',
  'listen-for-connections': 'listen',
  // winlogbeat Security log (4688, 4689)
  'created-process': 'start',
  'exited-process': 'end'
}

const INBOUND = new Set(['ingress', 'inbound', 'incoming'])
const OUTBOUND = new Set(['egress', 'outbound', 'outgoing'])

function actionOf (r: Rec, cats: string[]): ProcessAction {
  const a = lower(ecsGet(r, 'event.action'))
  if (a !== undefined && Object.prototype.hasOwnProperty.call(ACTIONS, a)) return ACTIONS[a]
  const types = list(ecsGet(r, 'event.type')).map(s => s.toLowerCase())
  if (cats.includes('network')) {
    const dir = lower(ecsGet(r, 'network.direction'))
    if (dir !== undefined && (types.length === 0 || types.includes('connection') || types.includes('start'))) {
      if (OUTBOUND.has(dir)) return 'connect'
      if (INBOUND.has(dir)) return 'accept'
    }
  }
  if (cats.includes('process')) {
    if (types.includes('start')) return 'start'
    if (types.includes('end')) return 'end'
  }
  return 'other'
}

const LINUX_NAMES = new Set(['linux', 'debian', 'ubuntu', 'redhat', 'rhel', 'centos', 'fedora', 'amazon', 'amzn', 'suse', 'opensuse', 'sles', 'arch', 'alpine', 'oracle', 'ol', 'rocky', 'almalinux', 'kali', 'linuxmint', 'gentoo'])

function osName (v: string | undefined): HostInfo['os'] {
  if (v === undefined) return undefined
  if (v === 'windows') return 'windows'
  if (v === 'macos' || v === 'darwin') return 'macos'
  if (LINUX_NAMES.has(v)) return 'linux'
  return undefined
}

function osOf (r: Rec, executable: string | undefined): HostInfo['os'] {
  const os = osName(lower(ecsGet(r, 'host.os.type'))) ?? osName(lower(ecsGet(r, 'host.os.platform'))) ?? osName(lower(ecsGet(r, 'host.os.family')))
  if (os !== undefined) return os
  // A POSIX path may be Linux or macOS: only a Windows path decides.
  return pathOs(executable) === 'windows' ? 'windows' : undefined
}

function endpointOf (r: Rec, side: 'source' | 'destination'): Endpoint | undefined | string {
  const ip = str(ecsGet(r, side + '.ip'))
  const portV = ecsGet(r, side + '.port')
  const port = count(portV, 65535)
  if (port === INVALID) return `${side}.port ${quote(portV)} is not a port number`
  if (ip === undefined) return undefined
  if (address(ip) === undefined) return `${side}.ip ${quote(ip)} is not an IP address`
  return port === undefined ? { ip } : { ip, port }
}

function transportOf (v: unknown): string | undefined {
  const t = lower(v)
  if (t === undefined) return undefined
  return t === 'ipv6-icmp' || t === 'icmpv6' ? 'icmp6' : t
}

/**
 * Normalizes one ECS endpoint document. Returns the event, or a reason string when it cannot be
 * one (it then becomes a dead letter): no `process` object, a bad `@timestamp`, pid or port, a
 * process or network event without `process.pid` and `process.entity_id`, a `connect`/`accept`/
 * `listen` without any address.
 *
 * `kind` is `ecs:network` for network actions and other documents whose `event.category` holds
 * `network`, `ecs:process` for the rest of the process documents, `ecs:<first category>` else.
 *
 * @param r the parsed document
 * @param ctx input and line (other context fields are not used)
 * @param raw the original line text, kept for `merge` output
 */
export function ecsEndpointToEvent (r: Record<string, unknown>, ctx: RecordContext, raw?: string): ProcessEvent | string {
  if (!hasProcess(r)) return 'ECS document has no process object'
  const cats = categories(r)
  const action = actionOf(r, cats)
  const network = action === 'connect' || action === 'accept' || action === 'listen'
  const kind = network || cats.includes('network')
    ? 'ecs:network'
    : cats.includes('process') ? 'ecs:process' : `ecs:${cats[0] ?? 'unknown'}`

  let time: number | undefined
  const ts = ecsGet(r, '@timestamp')
  if (ts !== undefined) {
    time = dateOf(ts)
    if (time === undefined) return `@timestamp ${quote(ts)} is not an ISO 8601 time`
  }

  const pidV = ecsGet(r, 'process.pid')
  const pid = count(pidV, 0xffffffff)
  if (pid === INVALID) return `process.pid ${quote(pidV)} is not a number`
  const entityId = str(ecsGet(r, 'process.entity_id'))
  if ((kind === 'ecs:process' || kind === 'ecs:network') && pid === undefined && entityId === undefined) {
    return `ECS ${kind.slice(4)} event has no process.pid or process.entity_id`
  }

  const executable = str(ecsGet(r, 'process.executable'))
  const os = osOf(r, executable)
  const proc: ProcessInfo = {}
  if (pid !== undefined) proc.pid = pid
  if (entityId !== undefined) proc.entityId = entityId
  if (executable !== undefined) proc.executable = executable
  const name = str(ecsGet(r, 'process.name')) ?? (executable !== undefined ? baseName(executable) : undefined)
  if (name !== undefined) proc.name = name
  const cmd = str(ecsGet(r, 'process.command_line'))
  if (cmd !== undefined) proc.commandLine = cmd
  const argsV = ecsGet(r, 'process.args')
  if (Array.isArray(argsV)) {
    proc.args = list(argsV)
  } else if (typeof argsV === 'string') {
    proc.args = [argsV]
  } else if (cmd !== undefined) {
    proc.args = os === 'windows' ? splitWindowsCommandLine(cmd) : splitPosixCommandLine(cmd)
  }
  const userName = str(ecsGet(r, 'user.name')) ?? str(ecsGet(r, 'process.user.name'))
  if (userName !== undefined) {
    const domain = str(ecsGet(r, 'user.domain'))
    proc.user = domain !== undefined && !userName.includes('\\') ? `${domain}\\${userName}` : userName
  }
  const cwd = str(ecsGet(r, 'process.working_directory')); if (cwd !== undefined) proc.workingDirectory = cwd
  const start = dateOf(ecsGet(r, 'process.start')); if (start !== undefined) proc.start = start

  const parent: ParentProcess = {}
  const ppidV = ecsGet(r, 'process.parent.pid') ?? ecsGet(r, 'process.ppid')
  const ppid = count(ppidV, 0xffffffff)
  if (ppid === INVALID) return `process.parent.pid ${quote(ppidV)} is not a number`
  if (ppid !== undefined) parent.pid = ppid
  const pEntity = str(ecsGet(r, 'process.parent.entity_id')); if (pEntity !== undefined) parent.entityId = pEntity
  const pExe = str(ecsGet(r, 'process.parent.executable')); if (pExe !== undefined) parent.executable = pExe
  const pCmd = str(ecsGet(r, 'process.parent.command_line')); if (pCmd !== undefined) parent.commandLine = pCmd
  const pName = str(ecsGet(r, 'process.parent.name')) ?? (pExe !== undefined ? baseName(pExe) : undefined)
  if (pName !== undefined) parent.name = pName
  if (Object.keys(parent).length > 0) proc.parent = parent

  let socket: SocketInfo | undefined
  if (network) {
    const src = endpointOf(r, 'source'); if (typeof src === 'string') return src
    const dst = endpointOf(r, 'destination'); if (typeof dst === 'string') return dst
    if (src === undefined && dst === undefined) return `ECS ${action} event has no source.ip or destination.ip`
    socket = {}
    const transport = transportOf(ecsGet(r, 'network.transport'))
    if (transport !== undefined) socket.transport = transport
    const local = action === 'connect' ? src : action === 'accept' ? dst : src ?? dst
    const remote = action === 'connect' ? dst : action === 'accept' ? src : (src !== undefined ? dst : undefined)
    if (local !== undefined) socket.local = local
    if (remote !== undefined) socket.remote = remote
  }

  const host: HostInfo = {}
  const hostName = str(ecsGet(r, 'host.name')) ?? str(ecsGet(r, 'host.hostname'))
  if (hostName !== undefined) host.name = hostName
  const ips = list(ecsGet(r, 'host.ip'))
  if (ips.length > 0) host.ips = ips
  if (os !== undefined) host.os = os

  const ev: ProcessEvent = {
    category: 'process',
    sensor: 'elastic',
    format: 'ecs',
    kind,
    action,
    host,
    process: proc,
    input: ctx.input,
    line: ctx.line,
    original: r,
    scantag: {}
  }
  if (time !== undefined) ev.time = time
  if (socket !== undefined) ev.socket = socket
  if (raw !== undefined) ev.raw = raw
  return ev
}
