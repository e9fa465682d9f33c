/**
 * The `ecs` output format: one Elastic Common Schema document per {@link ScantagEvent}.
 *
 * The mapping follows what Elastic's own integrations do at ingest time, so that scantag output
 * lands next to (and queries like) data shipped through them:
 *
 * - Zeek: `elastic/integrations` package `zeek`, data streams `connection`, `dns`, `http`,
 *   `notice`, `weird`, `ssl` (ingest pipelines `data_stream/<name>/elasticsearch/ingest_pipeline/default.yml`).
 * - Suricata: package `suricata`, data stream `eve` (pipelines `default.yml`, `dns.yml`,
 *   `dns-answer-v2.yml`).
 * - Endpoint telemetry ({@link ProcessEvent}s), see {@link toEcs} for the table:
 *   Windows Sysmon as package `windows` data stream `sysmon_operational`; Sysmon for Linux as
 *   package `sysmon_linux` data stream `log`; auditd as package `auditd_manager` (event actions
 *   from go-libaudit's `aucoalesce/normalizations.yaml`); osquery result logs as package
 *   `osquery` data stream `result`; ECS endpoint documents as Elastic Defend (`endpoint`).
 *
 * Where those pipelines disagree with each other or with ECS, or carry an evident bug, the
 * choice made here is documented next to the code. The ECS fields come from the normalized
 * event; the sensor record itself is kept under `zeek.<data stream>` or `suricata.eve`, minus
 * the fields the integration moves into ECS fields, and endpoint records whole under `sysmon`,
 * `auditd` or `osquery.result` (ECS endpoint documents as `event.original`).
 *
 * Network events attributed to a process (`scantag.process` set by flow-to-process
 * attribution) also get `process.*`, `user.*` and `host.name`, as an endpoint integration would
 * write them for the same connection.
 *
 * Events carrying ATT&CK labels (`scantag.labels`) get `threat.*` as Elastic Security writes it
 * for detection alerts (see {@link ecsThreat}): `threat.framework`, `threat.tactic.*`,
 * `threat.technique.*` and `threat.technique.subtechnique.*` (`id`, `name`, `reference`), every
 * one a keyword array as ECS asks (`normalize: array`), merged and deduplicated with what a
 * Suricata alert's rule metadata says. A labelled event keeps its own `event.kind` and
 * `event.category` (`event` for a Zeek conn record, `alert` for a Suricata alert): ECS allows
 * threat fields to be "retrospectively tagged to events", while the alert of a scan is the
 * detection record, mapped by `detectionToEcs` in `./detection.ts` (`event.kind: alert`,
 * `event.category: intrusion_detection`). Adding `intrusion_detection` to a flow record would make
 * every labelled flow count as an IDS alert in Elastic Security's views.
 *
 * Built for the hot path: the document is assembled directly, the sensor record is copied one
 * or two levels deep only (deeper values are shared with {@link NetworkEvent.original}, so do not
 * mutate the output if the event is still in use), no regular expressions are compiled per call.
 *
 * `schemas/ecs-output.schema.json` is the JSON Schema of {@link EcsDocument}.
 *
 * @packageDocumentation
 */
import { isIP } from 'node:net'
import { communityId, protoNumberOf } from '../community-id.js'
import type { Endpoint, NetworkEvent, ProcessEvent, ProcessInfo, ScantagEvent, ScantagFields, ScantagProcess } from '../model.js'
import { formatIsoMicros, parseIsoTime } from '../parse/time.js'

/** The ECS version the documents conform to (the one the current Zeek integration sets). */
export const ECS_VERSION = '8.17.0'

/** `event.kind` values scantag writes. */
export type EcsEventKind = 'event' | 'alert' | 'metric'

/** `event.category` values scantag writes. */
export type EcsEventCategory = 'network' | 'intrusion_detection' | 'web' | 'process' | 'file' | 'driver' | 'configuration' | 'registry'

/** `event.type` values scantag writes. */
export type EcsEventType = 'access' | 'allowed' | 'change' | 'connection' | 'creation' | 'deletion' | 'denied' | 'end' | 'error' | 'info' | 'protocol' | 'start'

/**
 * `event.module` values: the Elastic integration whose documents these resemble (`auditd` is
 * what the `auditd_manager` integration writes, `endpoint` is Elastic Defend).
 */
export type EcsModule = 'zeek' | 'suricata' | 'windows' | 'sysmon_linux' | 'auditd' | 'osquery' | 'endpoint' | 'scantag'

/** `event.outcome` values. */
export type EcsEventOutcome = 'success' | 'failure' | 'unknown'

/** The `event` field set. */
export interface EcsEvent {
  kind: EcsEventKind
  category?: EcsEventCategory[]
  type?: EcsEventType[]
  /** Zeek HTTP: the request method; endpoint telemetry: what the integration names the event (`Process creation`, `executed`, `added`, ...). */
  action?: string
  /** Sysmon: the Event ID, as a string. */
  code?: string
  module: EcsModule
  /**
   * `zeek.connection`, `zeek.<path>`, `suricata.eve`, `windows.sysmon_operational`,
   * `sysmon_linux.log`, `auditd_manager.auditd`, `osquery.result`, `endpoint.events.<kind>`, or
   * `scantag.detection` for scantag's own detection alerts.
   */
  dataset: string
  /** Zeek connection uid, Suricata flow id, Sysmon record id, audit `timestamp:serial`, ECS `event.id`. */
  id?: string
  /** auditd: the audit event serial number. */
  sequence?: number
  /** Duration in nanoseconds. */
  duration?: number
  outcome?: EcsEventOutcome
  /** Suricata alert severity (1 is the highest). */
  severity?: number
  /** ECS endpoint input: the document as read (ECS keeps the raw event here). */
  original?: string
  /** Flow start (Suricata `flow.start`), ISO 8601 UTC with microseconds. */
  start?: string
  /** Flow end (Suricata `flow.end`), ISO 8601 UTC with microseconds. */
  end?: string
}

/** `source` / `destination`. */
export interface EcsEndpoint {
  address?: string
  ip?: string
  port?: number
  bytes?: number
  packets?: number
  /** MAC address in ECS form (`00-1A-2B-3C-4D-5E`). */
  mac?: string
  /** `destination.domain`: the HTTP host (Suricata integration). */
  domain?: string
}

/** The `network` field set. */
export interface EcsNetwork {
  transport?: string
  /** IANA protocol number, a keyword in ECS (`"6"`). */
  iana_number?: string
  community_id?: string
  protocol?: string
  bytes?: number
  packets?: number
  /** Network sensors: `internal`...`external`; endpoint telemetry: `egress` (connect) or `ingress` (accept, listen), as the Sysmon integration sets it. */
  direction?: 'internal' | 'outbound' | 'inbound' | 'external' | 'ingress' | 'egress'
  /** Endpoint socket events: the address family, as the Sysmon integration sets it. */
  type?: 'ipv4' | 'ipv6'
}

/** The `related` field set. */
export interface EcsRelated {
  ip?: string[]
  user?: string[]
  hosts?: string[]
}

/** `process.parent`. */
export interface EcsParentProcess {
  pid?: number
  entity_id?: string
  name?: string
  executable?: string
  command_line?: string
}

/** The `process` field set. */
export interface EcsProcess {
  pid?: number
  entity_id?: string
  name?: string
  executable?: string
  command_line?: string
  args?: string[]
  args_count?: number
  working_directory?: string
  /** ISO 8601 UTC with microseconds. */
  start?: string
  parent?: EcsParentProcess
}

/** The `user` field set. */
export interface EcsUser {
  name?: string
  /** A numeric uid (the telemetry had no name for it). */
  id?: string
  /** Windows: the part before the backslash of `DOMAIN\name`. */
  domain?: string
}

/** The `host` field set. */
export interface EcsHost {
  name?: string
  ip?: string[]
  os?: {
    /** ECS `host.os.type`. */
    type?: 'windows' | 'linux' | 'macos'
    /** ECS `host.os.family`: `windows`, `darwin` (macOS); unknown for Linux (the distribution family). */
    family?: string
  }
}

/** The `http` field set. */
export interface EcsHttp {
  version?: string
  request?: {
    method?: string
    referrer?: string
    body?: { bytes: number }
  }
  response?: {
    status_code?: number
    body?: { bytes: number }
  }
}

/** The `url` field set. */
export interface EcsUrl {
  original?: string
  domain?: string
  path?: string
  query?: string
  fragment?: string
}

/** One `dns.answers` entry. */
export interface EcsDnsAnswer {
  name?: string
  type?: string
  ttl?: number
  data?: string
}

/** The `dns` field set. */
export interface EcsDns {
  id?: string
  type?: 'query' | 'answer'
  header_flags?: string[]
  question?: {
    name?: string
    type?: string
    class?: string
  }
  response_code?: string
  answers?: EcsDnsAnswer[]
  resolved_ip?: string[]
}

/** The `rule` field set. */
export interface EcsRule {
  id?: string
  name?: string
  category?: string
  description?: string
}

/**
 * `threat.tactic`, `threat.technique` or `threat.technique.subtechnique`: parallel keyword arrays
 * (`id[i]`, `name[i]` and `reference[i]` describe the same entry whenever every entry has all three).
 */
export interface EcsThreatEntries {
  id?: string[]
  name?: string[]
  reference?: string[]
}

/** The `threat` field set: from scantag's ATT&CK labels and the MITRE keys of Suricata rule metadata. */
export interface EcsThreat {
  framework: 'MITRE ATT&CK'
  tactic?: EcsThreatEntries
  technique?: EcsThreatEntries & { subtechnique?: EcsThreatEntries }
}

/** The `file` field set (Zeek notice). */
export interface EcsFile {
  mime_type?: string
}

/** A sensor record carried through (what the integration leaves of it). */
export type SensorRecord = Record<string, unknown>

/**
 * The `zeek` object: `session_id` (the uid) and the record under its integration data stream
 * name (`connection` for conn.log, the log path otherwise).
 */
export interface EcsZeek {
  session_id?: string
  connection?: SensorRecord
  [dataStream: string]: SensorRecord | string | undefined
}

/** `suricata.eve.alert` as left by the integration. */
export interface SuricataEveAlert {
  /** Rule metadata, a map of arrays as Suricata writes it. */
  metadata?: Record<string, string[]>
  [key: string]: unknown
}

/** `suricata.eve`: the EVE record minus the fields mapped to ECS. */
export interface SuricataEve {
  event_type?: string
  /** Exact decimal flow id. */
  flow_id?: string
  alert?: SuricataEveAlert
  [key: string]: unknown
}

/**
 * One ECS document as written by the `ecs` output. Absent fields are omitted, never `null` (except in
 * `scantag`, the model as is: a label without a sub-technique has `subtechnique: null`).
 */
export interface EcsDocument {
  /** Event time, ISO 8601 UTC with microseconds; absent when the event time is unknown. */
  '@timestamp'?: string
  ecs: { version: string }
  /** Suricata alerts: the alert category, as the integration sets it. */
  message?: string
  event: EcsEvent
  /** Endpoint telemetry: where it was produced; attributed network events: the endpoint the flow came from. */
  host?: EcsHost
  /** Endpoint telemetry, and network events attributed to a process. */
  process?: EcsProcess
  user?: EcsUser
  source?: EcsEndpoint
  destination?: EcsEndpoint
  network?: EcsNetwork
  related?: EcsRelated
  http?: EcsHttp
  url?: EcsUrl
  user_agent?: { original: string }
  dns?: EcsDns
  rule?: EcsRule
  threat?: EcsThreat
  file?: EcsFile
  zeek?: EcsZeek
  suricata?: { eve: SuricataEve }
  /** Sysmon (Windows and Linux): the record as read, whatever its shipper's shape. */
  sysmon?: SensorRecord
  /** auditd: the assembled audit event (`node`, `timestamp`, `serial`, `records`). */
  auditd?: SensorRecord
  /** osquery: the result record with the osquery integration's renames (`host_identifier`, `unix_time`, `calendar_time`) and empty columns left out. */
  osquery?: { result: SensorRecord }
  /** scantag's own namespace, as on the event. */
  scantag: ScantagFields
}

type Rec = Record<string, unknown>

/** An {@link EcsDocument} being built (everything but `scantag`, which is added last). */
type Draft = Omit<EcsDocument, 'scantag'> & { scantag?: ScantagFields }

function rec (v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Rec : undefined
}

function num (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

function str (v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function isEmpty (o: object): boolean {
  for (const _ in o) return false
  return true
}

/** Copies `o` one level deep, without the keys in `drop` and without null/undefined values. */
function without (o: Rec, drop: ReadonlySet<string>): Rec {
  const out: Rec = {}
  for (const k in o) {
    if (drop.has(k) || k === '__proto__') continue
    const v = o[k]
    if (v === null || v === undefined) continue
    out[k] = v
  }
  return out
}

/** ISO 8601 text as Suricata writes it (`...+0000`) → ISO 8601 UTC with microseconds. */
function isoUtc (v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  const t = parseIsoTime(v)
  return t === undefined ? undefined : formatIsoMicros(t)
}

/** MAC address in ECS form: upper case, hyphen separated (`00-1A-2B-3C-4D-5E`); `undefined` if not 6 or 8 octets of hex. */
function ecsMac (v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  let out = ''
  let digits = 0
  for (let i = 0; i < v.length; i++) {
    let c = v.charCodeAt(i)
    if (c === 58 || c === 45 || c === 46) continue // ':' '-' '.'
    if (c >= 97 && c <= 102) c -= 32 // a-f → A-F
    else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return undefined
    if (digits > 0 && digits % 2 === 0) out += '-'
    out += String.fromCharCode(c)
    digits++
  }
  return digits === 12 || digits === 16 ? out : undefined
}

function pushUnique (list: string[], v: string): void {
  if (!list.includes(v)) list.push(v)
}

/** Splits a request target into `url.path`, `url.query`, `url.fragment` (the Suricata integration's grok, without a regex). */
function urlParts (url: EcsUrl, target: string): void {
  const hash = target.indexOf('#')
  const beforeHash = hash === -1 ? target : target.slice(0, hash)
  const q = beforeHash.indexOf('?')
  let path = q === -1 ? beforeHash : beforeHash.slice(0, q)
  // Absolute-form targets (proxies): keep only the path, as uri_parts does.
  const scheme = path.indexOf('://')
  if (scheme !== -1) {
    const slash = path.indexOf('/', scheme + 3)
    path = slash === -1 ? '' : path.slice(slash)
  }
  if (path.length > 0) url.path = path
  if (q !== -1 && q + 1 < beforeHash.length) url.query = beforeHash.slice(q + 1)
  if (hash !== -1 && hash + 1 < target.length) url.fragment = target.slice(hash + 1)
}

/**
 * Zeek `conn_state` → `event.type`, from the integration's connection pipeline (the
 * `zeek.connection.state_message` texts are Zeek's own conn.log documentation).
 */
const ZEEK_CONN_STATES: ReadonlyMap<string, { types: EcsEventType[], message: string }> = new Map(Object.entries<{ types: EcsEventType[], message: string }>({
  S0: { types: ['connection', 'start'], message: 'Connection attempt seen, no reply.' },
  S1: { types: ['connection', 'start'], message: 'Connection established, not terminated.' },
  SF: { types: ['connection', 'start', 'end'], message: 'Normal establishment and termination.' },
  REJ: { types: ['connection', 'start', 'denied'], message: 'Connection attempt rejected.' },
  S2: { types: ['connection', 'info'], message: 'Connection established and close attempt by originator seen (but no reply from responder).' },
  S3: { types: ['connection', 'info'], message: 'Connection established and close attempt by responder seen (but no reply from originator).' },
  RSTO: { types: ['connection', 'info'], message: 'Connection established, originator aborted (sent a RST).' },
  RSTR: { types: ['connection', 'info'], message: 'Responder sent a RST.' },
  RSTOS0: { types: ['connection', 'info'], message: 'Originator sent a SYN followed by a RST, we never saw a SYN-ACK from the responder.' },
  RSTRH: { types: ['connection', 'info'], message: 'Responder sent a SYN ACK followed by a RST, we never saw a SYN from the (purported) originator.' },
  SH: { types: ['connection', 'info'], message: "Originator sent a SYN followed by a FIN, we never saw a SYN ACK from the responder (hence the connection was 'half' open)." },
  SHR: { types: ['connection', 'info'], message: 'Responder sent a SYN ACK followed by a FIN, we never saw a SYN from the originator.' },
  OTH: { types: ['connection', 'info'], message: "No SYN seen, just midstream traffic (a 'partial connection' that was not later closed)." }
}))

/** Zeek protocol logs the integration types as `connection` + `protocol` (dns, http, ssl, ...). */
const ZEEK_PROTOCOL_LOGS: ReadonlySet<string> = new Set([
  'dce_rpc', 'dhcp', 'dnp3', 'dns', 'ftp', 'http', 'irc', 'kerberos', 'modbus', 'mysql', 'ntlm', 'ntp',
  'radius', 'rdp', 'rfb', 'sip', 'smb_cmd', 'smb_files', 'smb_mapping', 'smtp', 'snmp', 'socks', 'ssh', 'ssl'
])

/** Fields every Zeek pipeline removes from the record: `ts` (→ `@timestamp`), `uid` (→ `zeek.session_id`), the conn id (→ source/destination). */
const ZEEK_COMMON_DROP = ['ts', 'uid', 'id', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p',
  'id_orig_h', 'id_orig_p', 'id_resp_h', 'id_resp_p', '_path', 'community_id', 'proto']

/** Per log: the further fields each pipeline moves into ECS fields (and so drops from `zeek.<path>`). */
const ZEEK_DROP: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries<ReadonlySet<string>>({
  conn: new Set([...ZEEK_COMMON_DROP, 'service', 'duration', 'orig_bytes', 'resp_bytes', 'orig_ip_bytes',
    'resp_ip_bytes', 'orig_pkts', 'resp_pkts', 'orig_l2_addr', 'resp_l2_addr', 'tunnel_parents', 'conn_state']),
  dns: new Set([...ZEEK_COMMON_DROP, 'Z', 'auth', 'addl']),
  http: new Set([...ZEEK_COMMON_DROP, 'method', 'referrer', 'status_code', 'version', 'request_body_len',
    'response_body_len', 'uri', 'host', 'user_agent']),
  notice: new Set([...ZEEK_COMMON_DROP, 'action']),
  weird: new Set([...ZEEK_COMMON_DROP, 'addl'])
}))
const ZEEK_DROP_OTHER: ReadonlySet<string> = new Set(ZEEK_COMMON_DROP)

/** Zeek `qclass` → `dns.question.class` (the dns pipeline's table). */
const DNS_CLASSES: Readonly<Record<number, string>> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' }

/** Suricata `event_type` → categorization and default `network.protocol` (the eve pipeline's table). */
interface EveTypeInfo { kind?: EcsEventKind, category?: EcsEventCategory[], type?: EcsEventType[], protocol?: string }
const PROTOCOL_TYPE: EcsEventType[] = ['protocol']
const EVE_TYPES: ReadonlyMap<string, EveTypeInfo> = new Map(Object.entries<EveTypeInfo>({
  alert: { kind: 'alert', category: ['network', 'intrusion_detection'] },
  dns: { type: PROTOCOL_TYPE, protocol: 'dns' },
  flow: { type: ['connection'] },
  ftp: { type: PROTOCOL_TYPE, protocol: 'ftp' },
  ftp_data: { type: PROTOCOL_TYPE, protocol: 'ftp' },
  http: { category: ['network', 'web'], type: ['access', 'protocol'], protocol: 'http' },
  http2: { category: ['network', 'web'], type: ['access', 'protocol'], protocol: 'http' },
  ikev2: { type: PROTOCOL_TYPE, protocol: 'ikev2' },
  krb5: { type: PROTOCOL_TYPE, protocol: 'krb5' },
  mqtt: { type: PROTOCOL_TYPE, protocol: 'mqtt' },
  rdp: { type: PROTOCOL_TYPE, protocol: 'rdp' },
  rfb: { type: PROTOCOL_TYPE, protocol: 'rdp' },
  smb: { type: PROTOCOL_TYPE, protocol: 'smb' },
  smtp: { type: PROTOCOL_TYPE, protocol: 'smtp' },
  snmp: { type: PROTOCOL_TYPE, protocol: 'snmp' },
  ssh: { type: PROTOCOL_TYPE, protocol: 'ssh' },
  stats: { kind: 'metric' },
  tftp: { type: PROTOCOL_TYPE, protocol: 'tftp' },
  tls: { type: PROTOCOL_TYPE, protocol: 'tls' }
}))

/** EVE fields the eve pipeline maps to ECS (and removes), top level and per sub-object. */
const EVE_DROP_TOP: ReadonlySet<string> = new Set(['timestamp', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'app_proto', 'community_id', 'flow_id'])
const EVE_DROP_FLOW: ReadonlySet<string> = new Set(['pkts_toserver', 'pkts_toclient', 'bytes_toserver', 'bytes_toclient', 'start', 'end'])
const EVE_DROP_HTTP: ReadonlySet<string> = new Set(['hostname', 'url', 'http_method', 'http_user_agent', 'status', 'http_refer', 'length'])
const EVE_DROP_DNS: ReadonlySet<string> = new Set(['aa', 'tc', 'rd', 'ra', 'qr', 'version', 'flags', 'grouped', 'answers'])
const EVE_DROP_ALERT: ReadonlySet<string> = new Set(['action', 'severity'])
const EVE_DROP_ETHER: ReadonlySet<string> = new Set(['src_mac', 'dest_mac'])

/** Options of {@link toEcs}. */
export interface EcsOptions {
  /**
   * Community ID seed for the `network.community_id` computed for endpoint socket events
   * (default 0). Use the seed the network readers use, or the ids will not match.
   */
  communityIdSeed?: number
}

/**
 * Maps one normalized event to an ECS document, dispatching on `event.category`.
 *
 * Network events ({@link NetworkEvent}): ECS fields come from the normalized event (plus,
 * where the model has no field for them, from the sensor record: Zeek `orig_ip_bytes`, HTTP body
 * sizes, DNS flags and answers, Suricata `flow.start`/`flow.end`, ...). The sensor record is
 * carried under `zeek.<data stream>` or `suricata.eve` without the fields moved into ECS fields.
 * When attribution tied the flow to a process (`scantag.process`), `process.*`, `user.*` and
 * `host.name` are written too.
 *
 * Endpoint events ({@link ProcessEvent}):
 *
 * | sensor | `event.module` / `event.dataset` | `event.action` | record kept under |
 * |---|---|---|---|
 * | Sysmon, Windows | `windows` / `windows.sysmon_operational` | the integration's names: `Process creation`, `Network connection`, `Process terminated`, ... (`event.code`: the Event ID) | `sysmon` |
 * | Sysmon for Linux | `sysmon_linux` / `sysmon_linux.log` | as Windows (the integration itself writes a constant `log`) | `sysmon` |
 * | auditd | `auditd` / `auditd_manager.auditd` | go-libaudit's: `executed`, `connected-to`, `accepted-connection-from`, `bound-socket`, `listen-for-connections`; else the syscall or record type, lower case | `auditd` |
 * | osquery | `osquery` / `osquery.result` | the result's `action` (`added`, `removed`, `snapshot`), as the osquery integration sets it | `osquery.result` |
 * | ECS endpoint documents | `endpoint` / `endpoint.events.<process\|network\|...>` | the document's own `event.action` | `event.original` |
 *
 * `event.category`/`event.type` follow the normalized action: `start` → process/start,
 * `end` → process/end, `snapshot` → process/info, `connect` and `accept` → network/connection+start,
 * `listen` → network/start (go-libaudit's `bind`/`listen`); `other` → Sysmon's per-Event-ID table
 * from the integration, the ECS document's own values, else process/info (go-libaudit's catch-all).
 *
 * Socket events: `source` is the side that opened the connection, so the local endpoint is
 * `source` for `connect` and `destination` for `accept` (the remote peer being `source`) and
 * for `listen`; `network.direction` is `egress` or `ingress` as the Sysmon integration sets it,
 * and `network.community_id` is computed when both endpoints and their ports are known.
 *
 * @param event a normalized event from any reader
 * @param options see {@link EcsOptions}
 * @returns the ECS document; `@timestamp` is absent when the event time is unknown
 */
export function toEcs (event: ScantagEvent, options?: EcsOptions): EcsDocument {
  return event.category === 'process' ? processToEcs(event, options?.communityIdSeed ?? 0) : networkToEcs(event)
}

function networkToEcs (event: NetworkEvent): EcsDocument {
  const zeek = event.sensor === 'zeek'
  const kind = event.kind
  const dataset = zeek ? (kind === 'conn' ? 'zeek.connection' : 'zeek.' + kind) : 'suricata.eve'
  const ev: EcsEvent = { kind: 'event', module: zeek ? 'zeek' : 'suricata', dataset }
  // Built in output order; `scantag` goes last, so the document is typed as a draft until then.
  const doc: Draft = event.time !== undefined && Number.isFinite(event.time)
    ? { '@timestamp': formatIsoMicros(event.time), ecs: { version: ECS_VERSION }, event: ev }
    : { ecs: { version: ECS_VERSION }, event: ev }
  const original = event.original

  // --- event.id, event.duration
  const id = zeek ? event.uid : event.flowId
  if (id !== undefined) ev.id = id
  if (event.duration !== undefined && Number.isFinite(event.duration) && event.duration >= 0) {
    // Zeek (conn pipeline): round(duration * 1e9). Suricata times are microsecond-exact, so the
    // duration is rounded to whole microseconds first (what flow.end - flow.start gives in Painless).
    ev.duration = zeek ? Math.round(event.duration * 1e9) : Math.round(event.duration * 1e6) * 1000
  }

  // --- network
  const network: EcsNetwork = {}
  const transport = event.transport
  const icmp = transport === 'icmp' || transport === 'icmp6' || event.protoNumber === 1 || event.protoNumber === 58
  // Zeek writes `unknown_transport` (ports 0) for IP protocols other than TCP/UDP/ICMP.
  const portless = icmp || transport === 'unknown_transport'
  if (transport !== undefined && transport.length > 0 && transport !== 'unknown_transport') {
    const c = transport.charCodeAt(0)
    if (transport === 'icmp6') network.transport = 'ipv6-icmp'
    else if (c < 48 || c > 57) network.transport = transport.toLowerCase() // a bare number is left to iana_number
  } else if (zeek && (kind === 'http' || kind === 'ssl')) {
    network.transport = 'tcp'
  }
  const protoNumber = event.protoNumber ?? (zeek ? num(original.ip_proto) : undefined)
  if (protoNumber !== undefined) network.iana_number = String(protoNumber)
  if (event.communityId !== undefined) network.community_id = event.communityId

  // --- source / destination (ICMP type/code are not ports: Zeek conn keeps them under zeek.connection.icmp)
  const related: string[] = []
  let source: EcsEndpoint | undefined
  let destination: EcsEndpoint | undefined
  if (event.src !== undefined) {
    source = { address: event.src.ip, ip: event.src.ip }
    if (event.src.port !== undefined && !portless) source.port = event.src.port
    related.push(event.src.ip)
  }
  if (event.dst !== undefined) {
    destination = { address: event.dst.ip, ip: event.dst.ip }
    if (event.dst.port !== undefined && !portless) destination.port = event.dst.port
    pushUnique(related, event.dst.ip)
  }

  // Counters: Zeek conn uses the IP-level byte counts (orig_ip_bytes), which the model lacks.
  const c = event.counters
  let origBytes = c?.origBytes
  let respBytes = c?.respBytes
  let origPackets = c?.origPackets
  let respPackets = c?.respPackets
  let eveFlow: Rec | undefined
  if (zeek) {
    if (kind === 'conn') {
      origBytes = num(original.orig_ip_bytes) ?? origBytes
      respBytes = num(original.resp_ip_bytes) ?? respBytes
      origPackets ??= num(original.orig_pkts)
      respPackets ??= num(original.resp_pkts)
    }
  } else {
    eveFlow = rec(original.flow)
    if (eveFlow !== undefined) { // alerts and protocol events carry the flow counters too
      origBytes ??= num(eveFlow.bytes_toserver)
      respBytes ??= num(eveFlow.bytes_toclient)
      origPackets ??= num(eveFlow.pkts_toserver)
      respPackets ??= num(eveFlow.pkts_toclient)
    }
  }
  if (origBytes !== undefined || origPackets !== undefined) {
    source ??= {}
    if (origBytes !== undefined) source.bytes = origBytes
    if (origPackets !== undefined) source.packets = origPackets
  }
  if (respBytes !== undefined || respPackets !== undefined) {
    destination ??= {}
    if (respBytes !== undefined) destination.bytes = respBytes
    if (respPackets !== undefined) destination.packets = respPackets
  }
  if (origBytes !== undefined || respBytes !== undefined) network.bytes = (origBytes ?? 0) + (respBytes ?? 0)
  if (origPackets !== undefined || respPackets !== undefined) network.packets = (origPackets ?? 0) + (respPackets ?? 0)

  // Connection outcome (our normalized one; the integrations set none for conn/flow).
  switch (event.outcome) {
    case 'established': case 'reset': ev.outcome = 'success'; break
    case 'rejected': case 'unanswered': ev.outcome = 'failure'; break
    case 'partial': case 'other': ev.outcome = 'unknown'; break
  }

  // --- http / url / user_agent (both sensors; Suricata alerts carry http too)
  const h = event.http
  let url: EcsUrl | undefined
  if (h !== undefined) {
    const http: EcsHttp = {}
    if (h.method !== undefined) http.request = { method: h.method }
    if (h.status !== undefined) {
      http.response = { status_code: h.status }
      if (kind === 'http') ev.outcome = h.status < 400 ? 'success' : 'failure'
    }
    if (h.uri !== undefined || h.host !== undefined) {
      url = {}
      if (h.uri !== undefined) { url.original = h.uri; urlParts(url, h.uri) }
      if (h.host !== undefined) url.domain = h.host
    }
    if (h.userAgent !== undefined) doc.user_agent = { original: h.userAgent }
    // Fields the model does not carry, from the sensor record.
    const src = zeek ? original : rec(original.http)
    if (src !== undefined) {
      const referrer = str(zeek ? src.referrer : src.http_refer)
      if (referrer !== undefined) (http.request ??= {}).referrer = referrer
      const reqBody = zeek ? num(src.request_body_len) : undefined
      if (reqBody !== undefined) (http.request ??= {}).body = { bytes: reqBody }
      const respBody = num(zeek ? src.response_body_len : src.length)
      if (respBody !== undefined) (http.response ??= {}).body = { bytes: respBody }
      const version = zeek ? str(src.version) : undefined
      if (version !== undefined) http.version = version
    }
    if (zeek && h.method !== undefined) ev.action = h.method
    if (!zeek && h.host !== undefined && h.host.length > 0) (destination ??= {}).domain = h.host
    if (http.request !== undefined || http.response !== undefined || http.version !== undefined) doc.http = http
  }

  // --- dns
  const d = event.dns
  if (d !== undefined) {
    const dns: EcsDns = {}
    const src = zeek ? original : rec(original.dns)
    if (src !== undefined) {
      const txid = zeek ? src.trans_id : src.id
      if (typeof txid === 'number' || typeof txid === 'string') dns.id = String(txid)
      if (zeek) {
        dns.type = src.rcode_name !== undefined || src.rcode !== undefined ? 'answer' : 'query'
      } else {
        const t = src.type
        if (t === 'query' || t === 'request') dns.type = 'query'
        else if (t === 'answer' || t === 'response') dns.type = 'answer'
      }
      const flags: string[] = []
      if ((zeek ? src.AA : src.aa) === true) flags.push('AA')
      if ((zeek ? src.TC : src.tc) === true) flags.push('TC')
      if ((zeek ? src.RD : src.rd) === true) flags.push('RD')
      if ((zeek ? src.RA : src.ra) === true) flags.push('RA')
      if (flags.length > 0) dns.header_flags = flags
    }
    if (d.query !== undefined || d.qtype !== undefined) {
      dns.question = {}
      if (d.query !== undefined) dns.question.name = d.query
      if (d.qtype !== undefined) dns.question.type = d.qtype
      const qclass = zeek ? num(original.qclass) : undefined
      if (qclass !== undefined && DNS_CLASSES[qclass] !== undefined) dns.question.class = DNS_CLASSES[qclass]
    }
    if (d.rcode !== undefined) {
      dns.response_code = d.rcode
      ev.outcome = 'success' // the zeek dns pipeline marks every answered query a success
    }
    if (src !== undefined) {
      const answers = zeek ? zeekDnsAnswers(src) : eveDnsAnswers(src.answers)
      if (answers !== undefined) dns.answers = answers
    }
    if (d.answers !== undefined && d.answers.length > 0) {
      let resolved: string[] | undefined
      for (const a of d.answers) {
        if (isIP(a) === 0) continue
        resolved ??= []
        pushUnique(resolved, a)
        pushUnique(related, a)
      }
      if (resolved !== undefined) dns.resolved_ip = resolved
    }
    if (zeek) {
      const rtt = num(original.rtt)
      if (rtt !== undefined && ev.duration === undefined) ev.duration = Math.round(rtt * 1e9)
    }
    if (!isEmpty(dns)) doc.dns = dns
  }

  // --- categorization, rule, sensor record
  let protocol: string | undefined
  if (zeek) {
    protocol = zeekCategorize(event, ev, doc, network, original)
  } else {
    protocol = eveCategorize(event, ev, doc, original)
  }
  if (protocol !== undefined && protocol.length > 0) network.protocol = protocol

  // --- threat: scantag's ATT&CK labels, merged with the MITRE keys of a Suricata alert's rule metadata
  const labels = event.scantag.labels
  const metadata = !zeek && kind === 'alert' ? event.alert?.metadata : undefined
  if ((labels !== undefined && labels.length > 0) || metadata !== undefined) {
    const threat = ecsThreat(labels, metadata)
    if (threat !== undefined) doc.threat = threat
  }

  if (source !== undefined) doc.source = source
  if (destination !== undefined) doc.destination = destination
  if (network.transport !== undefined || network.iana_number !== undefined || network.community_id !== undefined ||
    network.protocol !== undefined || network.bytes !== undefined || network.packets !== undefined || network.direction !== undefined) {
    doc.network = network
  }
  const relatedHosts: string[] = []
  if (url !== undefined) {
    doc.url = url
    if (url.domain !== undefined && url.domain.length > 0) relatedHosts.push(url.domain)
  }

  // --- flow-to-process attribution: the process that made the flow, as an endpoint integration
  // would describe it. ECS `host` is where an event was observed or produced: for an attributed
  // flow that is the endpoint the flow came from (the host the process ran on), not the sensor.
  const st = event.scantag
  const relatedUsers: string[] = []
  if (st.process !== undefined) {
    const p = scantagProcessToEcs(st.process)
    if (p !== undefined) doc.process = p
    if (st.user !== undefined && st.user.name.length > 0) {
      const u = ecsUser(st.user.name)
      doc.user = u
      relatedUsers.push(u.name ?? st.user.name)
    }
    if (st.host !== undefined && st.host.name.length > 0) {
      doc.host = { name: st.host.name }
      pushUnique(relatedHosts, st.host.name)
    }
  }
  if (related.length > 0 || relatedUsers.length > 0 || relatedHosts.length > 0) {
    const r: EcsRelated = {}
    if (related.length > 0) r.ip = related
    if (relatedUsers.length > 0) r.user = relatedUsers
    if (relatedHosts.length > 0) r.hosts = relatedHosts
    doc.related = r
  }

  if (zeek) {
    const z: EcsZeek = {}
    if (event.uid !== undefined) z.session_id = event.uid
    const rest = zeekRecord(event, original, source, destination)
    const name = kind === 'conn' ? 'connection' : kind
    if (!isEmpty(rest) && name !== '__proto__' && name !== 'session_id') z[name] = rest
    if (!isEmpty(z)) doc.zeek = z
  } else {
    doc.suricata = { eve: eveRecord(event, original, eveFlow, doc) }
  }
  doc.scantag = event.scantag
  return doc as EcsDocument
}

/** Zeek answers + TTLs → `dns.answers` (the dns pipeline pairs them when the lengths match). */
function zeekDnsAnswers (r: Rec): EcsDnsAnswer[] | undefined {
  const answers = r.answers
  const ttls = r.TTLs
  if (!Array.isArray(answers) || !Array.isArray(ttls) || answers.length === 0 || answers.length !== ttls.length) return undefined
  const out: EcsDnsAnswer[] = []
  for (let i = 0; i < answers.length; i++) {
    const a: EcsDnsAnswer = { data: String(answers[i]) }
    const ttl = num(ttls[i])
    if (ttl !== undefined) a.ttl = Math.trunc(ttl)
    out.push(a)
  }
  return out
}

/** EVE v2/v3 `answers[]` (rrname, rrtype, ttl, rdata) → `dns.answers` (name, type, ttl, data). */
function eveDnsAnswers (answers: unknown): EcsDnsAnswer[] | undefined {
  if (!Array.isArray(answers) || answers.length === 0) return undefined
  const out: EcsDnsAnswer[] = []
  for (const x of answers) {
    const r = rec(x)
    if (r === undefined) continue
    const a: EcsDnsAnswer = {}
    const name = str(r.rrname); if (name !== undefined) a.name = name
    const type = str(r.rrtype); if (type !== undefined) a.type = type
    const ttl = num(r.ttl); if (ttl !== undefined) a.ttl = ttl
    const data = str(r.rdata); if (data !== undefined) a.data = data
    out.push(a)
  }
  return out.length > 0 ? out : undefined
}

/** Sets `event.kind/category/type` and rule fields for Zeek; returns `network.protocol`. */
function zeekCategorize (event: NetworkEvent, ev: EcsEvent, doc: Draft, network: EcsNetwork, original: Rec): string | undefined {
  const kind = event.kind
  switch (kind) {
    case 'conn': {
      ev.category = ['network']
      const s = event.state !== undefined ? ZEEK_CONN_STATES.get(event.state) : undefined
      ev.type = s !== undefined ? s.types.slice() : ['connection']
      const lo = original.local_orig
      const lr = original.local_resp
      if (typeof lo === 'boolean' && typeof lr === 'boolean') {
        network.direction = lo ? (lr ? 'internal' : 'outbound') : (lr ? 'inbound' : 'external')
      }
      return event.service
    }
    case 'notice': {
      ev.kind = 'alert'
      ev.category = ['intrusion_detection']
      ev.type = ['info']
      const dropped = original.dropped
      if (dropped === true) ev.type.push('denied')
      else if (dropped === false) ev.type.push('allowed')
      const rule: EcsRule = {}
      const note = str(original.note) ?? event.alert?.signature
      if (note !== undefined) rule.name = note
      const msg = str(original.msg)
      if (msg !== undefined) rule.description = msg
      if (rule.name !== undefined || rule.description !== undefined) doc.rule = rule
      const mime = str(original.file_mime_type)
      if (mime !== undefined) doc.file = { mime_type: mime }
      return event.service
    }
    case 'weird': {
      ev.category = ['network']
      ev.type = ['info']
      // The weird pipeline tests `ctx.weird?.name`, so never fires; its evident intent is applied.
      const name = str(original.name)
      if (name !== undefined) doc.rule = { name }
      return event.service
    }
    default: {
      ev.category = ['network']
      ev.type = ZEEK_PROTOCOL_LOGS.has(kind) ? ['connection', 'protocol', 'info'] : ['info']
      if (kind === 'http') ev.category = ['network', 'web']
      else if (kind === 'ssl') ev.type = ['connection', 'protocol']
      if (kind === 'dns' || kind === 'http') return kind
      return event.service
    }
  }
}

/** Sets `event.kind/category/type`, rule and threat fields for Suricata; returns `network.protocol`. */
function eveCategorize (event: NetworkEvent, ev: EcsEvent, doc: Draft, original: Rec): string | undefined {
  const kind = event.kind.toLowerCase()
  ev.category = ['network']
  const info = EVE_TYPES.get(kind)
  let protocol: string | undefined
  if (info !== undefined) {
    if (info.kind !== undefined) ev.kind = info.kind
    if (info.category !== undefined) ev.category = info.category.slice()
    if (info.type !== undefined) ev.type = info.type.slice()
    protocol = info.protocol
  }
  // app_proto overrides the table, except Suricata's placeholders.
  if (event.service !== undefined) {
    const app = event.service.toLowerCase()
    if (app === 'ftp-data') protocol = 'ftp'
    else if (app !== 'failed' && app !== 'template' && app !== 'template-rust' && app.length > 0) protocol = app
  }
  // Flow state → start/end.
  if (kind === 'flow') {
    if (event.state === 'new') (ev.type ??= []).push('start')
    else if (event.state === 'closed') (ev.type ??= []).push('end')
  }
  const fl = rec(original.flow)
  if (fl !== undefined) {
    const start = isoUtc(fl.start); if (start !== undefined) ev.start = start
    const end = isoUtc(fl.end); if (end !== undefined) ev.end = end
  }
  if (kind === 'alert') {
    const a = event.alert
    if (a !== undefined) {
      const rule: EcsRule = {}
      if (a.signatureId !== undefined) rule.id = String(a.signatureId)
      if (a.signature !== undefined) rule.name = a.signature
      if (a.category !== undefined) { rule.category = a.category; doc.message = a.category }
      if (rule.id !== undefined || rule.name !== undefined || rule.category !== undefined) doc.rule = rule
      if (a.severity !== undefined) ev.severity = a.severity
      if (a.action === 'allowed') (ev.type ??= []).push('allowed')
      else if (a.action === 'blocked') (ev.type ??= []).push('denied')
    }
  }
  return protocol
}

function stringArray (v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined
  for (const x of v) if (typeof x !== 'string') return undefined
  return v.slice() as string[]
}

// ---------------------------------------------------------------------------------------------
// ATT&CK → threat.*

/** One ATT&CK classification: what a `Label` carries (a detection is one or two of them). */
export interface AttackClassification {
  /** Tactic id, `TA0043`. */
  tactic: string
  /** Technique id, `T1595`. */
  technique: string
  /** Sub-technique id, `T1595.001`, or null. */
  subtechnique: string | null
}

/**
 * Names of the ATT&CK entries scantag labels with (MITRE ATT&CK Enterprise; the same table as
 * `lib/correlate/knowledge/attack.ts`). Other ids get a name only from the sensor.
 */
const ATTACK_NAMES: ReadonlyMap<string, string> = new Map([
  ['TA0043', 'Reconnaissance'],
  ['TA0007', 'Discovery'],
  ['T1595', 'Active Scanning'],
  ['T1046', 'Network Service Discovery'],
  ['T1595.001', 'Scanning IP Blocks'],
  ['T1595.002', 'Vulnerability Scanning'],
  ['T1595.003', 'Wordlist Scanning']
])

const TACTIC_ID = /^TA[0-9]{4}$/
const TECHNIQUE_ID = /^T[0-9]{4}$/
const SUBTECHNIQUE_ID = /^T[0-9]{4}\.[0-9]{3}$/

/** 0 tactic, 1 technique, 2 sub-technique, -1 not an ATT&CK id. */
function attackLevel (id: string): 0 | 1 | 2 | -1 {
  if (TACTIC_ID.test(id)) return 0
  if (TECHNIQUE_ID.test(id)) return 1
  if (SUBTECHNIQUE_ID.test(id)) return 2
  return -1
}

/** ATT&CK's page for an id: `https://attack.mitre.org/tactics/TA0043/`, `.../techniques/T1595/`, `.../techniques/T1595/001/`. */
function attackReference (id: string, level: 0 | 1 | 2): string {
  if (level === 0) return 'https://attack.mitre.org/tactics/' + id + '/'
  if (level === 1) return 'https://attack.mitre.org/techniques/' + id + '/'
  return 'https://attack.mitre.org/techniques/' + id.slice(0, 5) + '/' + id.slice(6) + '/'
}

interface ThreatEntry { id?: string, name?: string }
/** Entries per level: tactic, technique, sub-technique. */
type ThreatLevels = [ThreatEntry[], ThreatEntry[], ThreatEntry[]]

/**
 * Adds an ATT&CK id (with the sensor's name for it, if any) at the level its form says, once;
 * a sub-technique brings its parent technique. Returns false when `raw` is not an ATT&CK id.
 */
function addAttackId (levels: ThreatLevels, raw: string, name: string | undefined): boolean {
  const id = raw.trim().toUpperCase()
  const level = attackLevel(id)
  if (level === -1) return false
  if (level === 2) addAttackId(levels, id.slice(0, 5), undefined)
  const entries = levels[level]
  for (const e of entries) {
    if (e.id !== id) continue
    if (e.name === undefined && name !== undefined) e.name = name
    return true
  }
  entries.push(name === undefined ? { id } : { id, name })
  return true
}

/** One id/name pair of rule metadata keys: names go with ids when there are as many of each, else they are kept on their own. */
function addMetadataPair (levels: ThreatLevels, ids: string[] | undefined, names: string[] | undefined, level: 0 | 1): void {
  const paired = ids !== undefined && names !== undefined && ids.length === names.length
  if (ids !== undefined) {
    for (let i = 0; i < ids.length; i++) {
      const name = paired ? names[i] : undefined
      if (!addAttackId(levels, ids[i], name) && name !== undefined) levels[level].push({ name })
    }
  }
  if (names !== undefined && !paired) for (const name of names) levels[level].push({ name })
}

function threatEntries (entries: ThreatEntry[], level: 0 | 1 | 2, labelled: boolean): EcsThreatEntries | undefined {
  if (entries.length === 0) return undefined
  const ids: string[] = []
  const names: string[] = []
  const references: string[] = []
  for (const e of entries) {
    if (e.id !== undefined) {
      ids.push(e.id)
      if (labelled) references.push(attackReference(e.id, level))
    }
    const name = e.name ?? (labelled && e.id !== undefined ? ATTACK_NAMES.get(e.id) : undefined)
    if (name !== undefined) names.push(name)
  }
  const out: EcsThreatEntries = {}
  if (ids.length > 0) out.id = ids
  if (names.length > 0) out.name = names
  if (references.length > 0) out.reference = references
  return out
}

/**
 * `threat.*` from ATT&CK classifications (scantag's labels, or a detection's techniques) and a
 * Suricata alert's rule metadata, as ECS and Elastic Security write them:
 *
 * - `threat.framework: "MITRE ATT&CK"`; `threat.tactic.{id,name,reference}`,
 *   `threat.technique.{id,name,reference}`, `threat.technique.subtechnique.{id,name,reference}`,
 *   each a keyword array (ECS `normalize: array`, even for one value), e.g. T1595.001 + T1046
 *   gives tactic ids `[TA0043, TA0007]`, technique ids `[T1595, T1046]`, sub-technique ids `[T1595.001]`.
 * - Rule metadata first, as Elastic's Suricata integration maps it (`mitre_tactic_id` and
 *   `mitre_attack` → tactic ids, `mitre_tactic_name` → tactic names, `mitre_technique_id` /
 *   `mitre_technique_name` → technique ids / names; the integration's pipeline copies
 *   `mitre_technique_id` into `threat.technique.name`, an evident slip, not reproduced), then
 *   the labels. Ids are deduplicated; each goes to the level its form says (`TA0043`, `T1595`,
 *   `T1595.001`: a sub-technique in `mitre_technique_id` lands under `subtechnique`, with its
 *   parent technique), upper-cased; values that are no ATT&CK id are left out of `threat.*`
 *   (the metadata stays under `suricata.eve.alert.metadata` as written).
 * - Names: the sensor's name for an id wins (ET rules write `Active_Scanning`); with labels, ids
 *   without one get ATT&CK's name when scantag knows it (its tactics, techniques and sub-techniques).
 * - References (`https://attack.mitre.org/techniques/T1595/001/`) are written when there are
 *   labels, for every id, so that `id`, `name` and `reference` stay parallel arrays; metadata
 *   alone maps as the Suricata integration maps it, without references.
 *
 * @param classifications labels (or any tactic/technique/sub-technique triples); none or empty for metadata only
 * @param metadata a Suricata alert's rule metadata
 * @returns the threat field set, or undefined when nothing maps to it
 */
export function ecsThreat (classifications: readonly AttackClassification[] | undefined, metadata?: Record<string, string[]>): EcsThreat | undefined {
  const levels: ThreatLevels = [[], [], []]
  if (metadata !== undefined) {
    addMetadataPair(levels, stringArray(metadata.mitre_tactic_id), stringArray(metadata.mitre_tactic_name), 0)
    const attack = stringArray(metadata.mitre_attack)
    if (attack !== undefined) for (const id of attack) addAttackId(levels, id, undefined)
    addMetadataPair(levels, stringArray(metadata.mitre_technique_id), stringArray(metadata.mitre_technique_name), 1)
  }
  const labelled = classifications !== undefined && classifications.length > 0
  if (labelled) {
    for (const c of classifications) {
      addAttackId(levels, c.tactic, undefined)
      addAttackId(levels, c.technique, undefined)
      if (c.subtechnique !== null) addAttackId(levels, c.subtechnique, undefined)
    }
  }
  const tactic = threatEntries(levels[0], 0, labelled)
  const technique = threatEntries(levels[1], 1, labelled)
  const subtechnique = threatEntries(levels[2], 2, labelled)
  if (tactic === undefined && technique === undefined && subtechnique === undefined) return undefined
  const t: EcsThreat = { framework: 'MITRE ATT&CK' }
  if (tactic !== undefined) t.tactic = tactic
  if (technique !== undefined || subtechnique !== undefined) {
    const tech: NonNullable<EcsThreat['technique']> = technique ?? {}
    if (subtechnique !== undefined) tech.subtechnique = subtechnique
    t.technique = tech
  }
  return t
}

/** What the Zeek pipelines leave of the record under `zeek.<data stream>`. */
function zeekRecord (event: NetworkEvent, original: Rec, source: EcsEndpoint | undefined, destination: EcsEndpoint | undefined): Rec {
  const kind = event.kind
  const out = without(original, ZEEK_DROP.get(kind) ?? ZEEK_DROP_OTHER)
  switch (kind) {
    case 'conn': {
      if (event.state !== undefined) {
        out.state = event.state
        const s = ZEEK_CONN_STATES.get(event.state)
        if (s !== undefined) out.state_message = s.message
      }
      const transport = event.transport
      if ((transport === 'icmp' || transport === 'icmp6') && (event.src?.port !== undefined || event.dst?.port !== undefined)) {
        const icmp: Rec = {}
        if (event.src?.port !== undefined) icmp.type = event.src.port
        if (event.dst?.port !== undefined) icmp.code = event.dst.port
        out.icmp = icmp
      }
      const sm = ecsMac(original.orig_l2_addr); if (sm !== undefined && source !== undefined) source.mac = sm
      const dm = ecsMac(original.resp_l2_addr); if (dm !== undefined && destination !== undefined) destination.mac = dm
      break
    }
    case 'notice': {
      // src/dst/p duplicate the endpoints: dropped when equal, as the notice pipeline does.
      if (out.src !== undefined && out.src === source?.ip) delete out.src
      if (out.dst !== undefined && out.dst === destination?.ip) delete out.dst
      if (out.p !== undefined && out.p === event.dst?.port) delete out.p
      for (const k in out) if (k.startsWith('remote_location')) delete out[k]
      break
    }
    case 'weird': {
      const addl = original.addl
      if (addl !== undefined && addl !== null) out.additional_info = addl
      break
    }
  }
  return out
}

/** What the eve pipeline leaves of the EVE record under `suricata.eve`. */
function eveRecord (event: NetworkEvent, original: Rec, flow: Rec | undefined, doc: Draft): SuricataEve {
  const out: SuricataEve = without(original, EVE_DROP_TOP)
  if (event.flowId !== undefined) out.flow_id = event.flowId
  else if (typeof original.flow_id === 'number' || typeof original.flow_id === 'string') out.flow_id = String(original.flow_id)
  if (typeof original.event_type === 'string') out.event_type = original.event_type.toLowerCase()
  if (flow !== undefined) {
    const f = without(flow, EVE_DROP_FLOW)
    if (isEmpty(f)) delete out.flow
    else out.flow = f
  }
  const http = rec(original.http)
  if (http !== undefined) {
    const h = without(http, EVE_DROP_HTTP)
    if (isEmpty(h)) delete out.http
    else out.http = h
  }
  const dns = rec(original.dns)
  if (dns !== undefined) {
    // answers[] moved to dns.answers only when they were mapped (v2/v3 layout).
    const keep = doc.dns?.answers === undefined && dns.answers !== undefined
    const d = without(dns, EVE_DROP_DNS)
    if (keep) d.answers = dns.answers
    if (isEmpty(d)) delete out.dns
    else out.dns = d
  }
  const alert = rec(original.alert)
  if (alert !== undefined) {
    const a: SuricataEveAlert = without(alert, EVE_DROP_ALERT)
    const m = rec(alert.metadata)
    if (m === undefined || isEmpty(m)) delete a.metadata
    out.alert = a
  }
  const ether = rec(original.ether)
  if (ether !== undefined) {
    const sm = ecsMac(ether.src_mac); if (sm !== undefined) (doc.source ??= {}).mac = sm
    const dm = ecsMac(ether.dest_mac); if (dm !== undefined) (doc.destination ??= {}).mac = dm
    const e = without(ether, EVE_DROP_ETHER)
    if (isEmpty(e)) delete out.ether
    else out.ether = e
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Processes, users, hosts (attributed flows and endpoint telemetry)

/**
 * `DOMAIN\name` → `user.domain` + `user.name` (the Sysmon integration's split); a bare number is a uid → `user.id`.
 * @internal shared with `./detection.ts`
 */
export function ecsUser (user: string): EcsUser {
  const bs = user.indexOf('\\')
  if (bs > 0 && bs < user.length - 1) return { name: user.slice(bs + 1), domain: user.slice(0, bs) }
  let digits = user.length > 0
  for (let i = 0; i < user.length && digits; i++) {
    const c = user.charCodeAt(i)
    digits = c >= 48 && c <= 57
  }
  return digits ? { id: user } : { name: user }
}

/** ISO 8601 text → the document's timestamp form (ISO 8601 UTC, microseconds); `undefined` when unreadable. */
function isoMicros (v: string): string | undefined {
  const t = parseIsoTime(v)
  return t === undefined ? undefined : formatIsoMicros(t)
}

function validPid (v: number | undefined): v is number {
  return v !== undefined && Number.isInteger(v) && v >= 0
}

/**
 * `scantag.process` (already in ECS names) → `process.*`, without the scantag-only `lineage`.
 * @internal shared with `./detection.ts`
 */
export function scantagProcessToEcs (sp: ScantagProcess): EcsProcess | undefined {
  const p: EcsProcess = {}
  if (validPid(sp.pid)) p.pid = sp.pid
  if (sp.entity_id.length > 0) p.entity_id = sp.entity_id
  if (sp.name !== undefined && sp.name.length > 0) p.name = sp.name
  if (sp.executable !== undefined && sp.executable.length > 0) p.executable = sp.executable
  if (sp.command_line !== undefined) p.command_line = sp.command_line
  if (sp.args !== undefined && sp.args.length > 0) { p.args = sp.args; p.args_count = sp.args.length }
  if (sp.working_directory !== undefined && sp.working_directory.length > 0) p.working_directory = sp.working_directory
  if (sp.start !== undefined) { const s = isoMicros(sp.start); if (s !== undefined) p.start = s }
  const sq = sp.parent
  if (sq !== undefined) {
    const q: EcsParentProcess = {}
    if (validPid(sq.pid)) q.pid = sq.pid
    if (sq.entity_id !== undefined && sq.entity_id.length > 0) q.entity_id = sq.entity_id
    if (sq.executable !== undefined && sq.executable.length > 0) q.executable = sq.executable
    if (sq.command_line !== undefined) q.command_line = sq.command_line
    if (!isEmpty(q)) p.parent = q
  }
  return isEmpty(p) ? undefined : p
}

/** The normalized {@link ProcessInfo} → `process.*`. */
function processInfo (pi: ProcessInfo): EcsProcess | undefined {
  const p: EcsProcess = {}
  if (validPid(pi.pid)) p.pid = pi.pid
  if (pi.entityId !== undefined && pi.entityId.length > 0) p.entity_id = pi.entityId
  if (pi.name !== undefined && pi.name.length > 0) p.name = pi.name
  if (pi.executable !== undefined && pi.executable.length > 0) p.executable = pi.executable
  if (pi.commandLine !== undefined) p.command_line = pi.commandLine
  if (pi.args !== undefined && pi.args.length > 0) { p.args = pi.args; p.args_count = pi.args.length }
  if (pi.workingDirectory !== undefined && pi.workingDirectory.length > 0) p.working_directory = pi.workingDirectory
  if (pi.start !== undefined && Number.isFinite(pi.start)) p.start = formatIsoMicros(pi.start)
  const pp = pi.parent
  if (pp !== undefined) {
    const q: EcsParentProcess = {}
    if (validPid(pp.pid)) q.pid = pp.pid
    if (pp.entityId !== undefined && pp.entityId.length > 0) q.entity_id = pp.entityId
    if (pp.name !== undefined && pp.name.length > 0) q.name = pp.name
    if (pp.executable !== undefined && pp.executable.length > 0) q.executable = pp.executable
    if (pp.commandLine !== undefined) q.command_line = pp.commandLine
    if (!isEmpty(q)) p.parent = q
  }
  return isEmpty(p) ? undefined : p
}

// ---------------------------------------------------------------------------------------------
// Endpoint telemetry

interface Categorization { category?: EcsEventCategory[], type: EcsEventType[], action?: string }

/** Normalized action → `event.category` / `event.type` (`other` is decided per source). */
const ACTION_CATEGORIZATION: Readonly<Record<Exclude<ProcessEvent['action'], 'other'>, Categorization>> = {
  start: { category: ['process'], type: ['start'] },
  end: { category: ['process'], type: ['end'] },
  snapshot: { category: ['process'], type: ['info'] },
  connect: { category: ['network'], type: ['connection', 'start'] },
  accept: { category: ['network'], type: ['connection', 'start'] },
  listen: { category: ['network'], type: ['start'] }
}
const OTHER_CATEGORIZATION: Categorization = { category: ['process'], type: ['info'] }

/**
 * Sysmon Event ID → categorization and `event.action`, the table of the `windows` integration's
 * `sysmon_operational` pipeline (Sysmon for Linux uses the same Event IDs). Event ID 24 has no
 * category there, and none here. Its categorization is used for `other` events only: for
 * `start`/`end`/`connect`/`accept` the normalized action's wins, the same for every source (so
 * Event ID 3 is `connection`+`start`, without the `protocol` the pipeline adds: Sysmon does not
 * identify the application protocol).
 */
const SYSMON_EVENTS: ReadonlyMap<string, Categorization> = new Map(Object.entries<Categorization>({
  1: { category: ['process'], type: ['start'], action: 'Process creation' },
  2: { category: ['file'], type: ['change'], action: 'A process changed a file creation time' },
  3: { category: ['network'], type: ['start', 'connection', 'protocol'], action: 'Network connection' },
  4: { category: ['process'], type: ['change'], action: 'Sysmon service state changed' },
  5: { category: ['process'], type: ['end'], action: 'Process terminated' },
  6: { category: ['driver'], type: ['start'], action: 'Driver loaded' },
  7: { category: ['process'], type: ['change'], action: 'Image loaded' },
  8: { category: ['process'], type: ['change'], action: 'CreateRemoteThread' },
  9: { category: ['process'], type: ['access'], action: 'RawAccessRead' },
  10: { category: ['process'], type: ['access'], action: 'ProcessAccess' },
  11: { category: ['file'], type: ['creation'], action: 'FileCreate' },
  12: { category: ['configuration', 'registry'], type: ['change'], action: 'RegistryEvent (Object create and delete)' },
  13: { category: ['configuration', 'registry'], type: ['change'], action: 'RegistryEvent (Value Set)' },
  14: { category: ['configuration', 'registry'], type: ['change'], action: 'RegistryEvent (Key and Value Rename)' },
  15: { category: ['file'], type: ['access'], action: 'FileCreateStreamHash' },
  16: { category: ['configuration'], type: ['change'], action: 'ServiceConfigurationChange' },
  17: { category: ['file'], type: ['creation'], action: 'PipeEvent (Pipe Created)' },
  18: { category: ['file'], type: ['access'], action: 'PipeEvent (Pipe Connected)' },
  19: { category: ['process'], type: ['creation'], action: 'WmiEvent (WmiEventFilter activity detected)' },
  20: { category: ['process'], type: ['creation'], action: 'WmiEvent (WmiEventConsumer activity detected)' },
  21: { category: ['process'], type: ['access'], action: 'WmiEvent (WmiEventConsumerToFilter activity detected)' },
  22: { category: ['network'], type: ['connection', 'protocol', 'info'], action: 'DNSEvent (DNS query)' },
  23: { category: ['file'], type: ['deletion'], action: 'FileDelete (File Delete archived)' },
  24: { type: ['change'], action: 'ClipboardChange (New content in the clipboard)' },
  25: { category: ['process'], type: ['change'], action: 'ProcessTampering (Process image change)' },
  26: { category: ['file'], type: ['deletion'], action: 'FileDeleteDetected (File Delete logged)' },
  27: { category: ['file'], type: ['creation', 'denied'], action: 'FileBlockExecutable' },
  28: { category: ['file'], type: ['deletion', 'denied'], action: 'FileBlockShredding' },
  29: { category: ['file'], type: ['creation'], action: 'FileExecutableDetected' },
  255: { category: ['process'], type: ['error'], action: 'Error' }
}))

/** Audit syscall → `event.action`, go-libaudit's normalizations (what `auditd_manager` writes) for the syscalls scantag reads. */
const AUDITD_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['execve', 'executed'], ['execveat', 'executed'],
  ['connect', 'connected-to'],
  ['accept', 'accepted-connection-from'], ['accept4', 'accepted-connection-from'],
  ['bind', 'bound-socket'],
  ['listen', 'listen-for-connections']
])

/** The ECS `event.category` / `event.type` values the output schema accepts (for ECS endpoint input passed through). */
const ECS_CATEGORIES: ReadonlySet<string> = new Set<EcsEventCategory>(['network', 'intrusion_detection', 'web', 'process', 'file', 'driver', 'configuration', 'registry'])
const ECS_TYPES: ReadonlySet<string> = new Set<EcsEventType>(['access', 'allowed', 'change', 'connection', 'creation', 'deletion', 'denied', 'end', 'error', 'info', 'protocol', 'start'])

/** osquery result keys the osquery integration renames. */
const OSQUERY_RENAMES: ReadonlyMap<string, string> = new Map([
  ['hostIdentifier', 'host_identifier'], ['unixTime', 'unix_time'], ['calendarTime', 'calendar_time']
])

const NO_KEYS: ReadonlySet<string> = new Set()

/** A field of an ECS document, nested (`event: {action}`) or dotted (`"event.action"`). */
function ecsField (r: Rec, group: string, key: string): unknown {
  const g = rec(r[group])
  if (g !== undefined && g[key] !== undefined) return g[key]
  return r[group + '.' + key]
}

/** Values of `v` (a string or a string array) that are in `allowed`, without duplicates. */
function allowedList<T extends string> (v: unknown, allowed: ReadonlySet<string>): T[] | undefined {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined
  if (list === undefined) return undefined
  let out: T[] | undefined
  for (const x of list) {
    if (typeof x !== 'string' || !allowed.has(x)) continue
    out ??= []
    if (!out.includes(x as T)) out.push(x as T)
  }
  return out
}

/** `endpoint.events.<kind>` from `ecs:<kind>`; lower-case letters and `_` only, else `process`. */
function endpointDataset (kind: string): string {
  const name = kind.startsWith('ecs:') ? kind.slice(4) : ''
  let ok = name.length > 0
  for (let i = 0; i < name.length && ok; i++) {
    const c = name.charCodeAt(i)
    ok = (c >= 97 && c <= 122) || c === 95
  }
  return 'endpoint.events.' + (ok ? name : 'process')
}

/** A Sysmon record's id (`EventRecordID`, nxlog `RecordNumber`, winlogbeat `winlog.record_id`, evtx `Event.System.EventRecordID`). */
function sysmonRecordId (r: Rec): string | undefined {
  let v: unknown = r.EventRecordID ?? r.RecordNumber ?? r['winlog.record_id']
  if (v === undefined) {
    const w = rec(r.winlog)
    if (w !== undefined) v = w.record_id
  }
  if (v === undefined) {
    const sys = rec(rec(r.Event)?.System)
    if (sys !== undefined) v = sys.EventRecordID
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v)
  if (typeof v === 'string' && v.length > 0 && v !== '-') return v
  return undefined
}

/** What the osquery integration keeps of a result record under `osquery.result`: renamed keys, no empty column or decoration values. */
function osqueryResult (r: Rec): Rec {
  const out: Rec = {}
  for (const k in r) {
    if (k === '__proto__') continue
    const v = r[k]
    if (v === null || v === undefined) continue
    if (k === 'columns' || k === 'decorations') {
      const o = rec(v)
      if (o !== undefined) {
        const kept: Rec = {}
        for (const c in o) {
          const x = o[c]
          if (x === '' || x === null || x === undefined || c === '__proto__') continue
          kept[c] = x
        }
        out[k] = kept
        continue
      }
    }
    out[OSQUERY_RENAMES.get(k) ?? k] = v
  }
  return out
}

/** `source` / `destination` from a socket endpoint (an empty address, as osquery writes for an unbound socket, is left out). */
function socketEndpoint (e: Endpoint | undefined): EcsEndpoint | undefined {
  if (e === undefined) return undefined
  const out: EcsEndpoint = {}
  if (typeof e.ip === 'string' && e.ip.length > 0) { out.address = e.ip; out.ip = e.ip }
  if (e.port !== undefined && Number.isInteger(e.port) && e.port >= 0 && e.port <= 65535) out.port = e.port
  return isEmpty(out) ? undefined : out
}

function processToEcs (event: ProcessEvent, seed: number): EcsDocument {
  const original = event.original
  const action = event.action
  const kind = event.kind
  const host = event.host

  // --- module, dataset, categorization, event.action, event.id
  let module: EcsModule
  let dataset: string
  let cat: Categorization | undefined = action === 'other' ? undefined : ACTION_CATEGORIZATION[action]
  let ecsAction: string | undefined
  let id: string | undefined
  let code: string | undefined
  let sequence: number | undefined
  switch (event.sensor) {
    case 'sysmon': {
      // Sysmon for Linux has its own integration; the Windows one is the default.
      if (host.os === 'linux') { module = 'sysmon_linux'; dataset = 'sysmon_linux.log' } else { module = 'windows'; dataset = 'windows.sysmon_operational' }
      if (kind.startsWith('sysmon:')) {
        code = kind.slice(7)
        const known = SYSMON_EVENTS.get(code)
        if (known !== undefined) { ecsAction = known.action; cat ??= known }
      }
      id = sysmonRecordId(original)
      break
    }
    case 'auditd': {
      module = 'auditd'
      dataset = 'auditd_manager.auditd'
      const name = kind.startsWith('auditd:') ? kind.slice(7) : kind
      ecsAction = AUDITD_ACTIONS.get(name) ?? (name.length > 0 ? name.toLowerCase() : undefined)
      const serial = original.serial
      const ts = original.timestamp
      if (typeof serial === 'number' && Number.isInteger(serial) && serial >= 0) {
        sequence = serial
        if (typeof ts === 'string' && ts.length > 0) id = ts + ':' + String(serial) // the audit event's own id, as ausearch shows it
      }
      break
    }
    case 'osquery': {
      module = 'osquery'
      dataset = 'osquery.result'
      ecsAction = str(original.action)
      break
    }
    default: { // 'elastic': an ECS endpoint document
      module = 'endpoint'
      dataset = endpointDataset(kind)
      ecsAction = str(ecsField(original, 'event', 'action'))
      id = str(ecsField(original, 'event', 'id'))
      if (cat === undefined) {
        const c = allowedList<EcsEventCategory>(ecsField(original, 'event', 'category'), ECS_CATEGORIES)
        const t = allowedList<EcsEventType>(ecsField(original, 'event', 'type'), ECS_TYPES)
        if (t !== undefined) cat = c !== undefined ? { category: c, type: t } : { type: t }
      }
    }
  }
  cat ??= OTHER_CATEGORIZATION
  if (ecsAction === undefined && action !== 'other') ecsAction = action
  if (ecsAction !== undefined && ecsAction.length === 0) ecsAction = undefined

  const ev: EcsEvent = { kind: 'event', module, dataset }
  if (cat.category !== undefined) ev.category = cat.category.slice()
  ev.type = cat.type.slice()
  if (ecsAction !== undefined) ev.action = ecsAction
  if (code !== undefined && code.length > 0) ev.code = code
  if (id !== undefined && id.length > 0) ev.id = id
  if (sequence !== undefined) ev.sequence = sequence
  if (event.sensor === 'elastic') ev.original = event.raw ?? JSON.stringify(original)

  const doc: Draft = event.time !== undefined && Number.isFinite(event.time)
    ? { '@timestamp': formatIsoMicros(event.time), ecs: { version: ECS_VERSION }, event: ev }
    : { ecs: { version: ECS_VERSION }, event: ev }

  // --- host: where the telemetry was produced
  const relatedHosts: string[] = []
  const h: EcsHost = {}
  if (host.name !== undefined && host.name.length > 0) { h.name = host.name; relatedHosts.push(host.name) }
  if (host.ips !== undefined && host.ips.length > 0) {
    let ips: string[] | undefined
    for (const ip of host.ips) {
      if (isIP(ip) === 0) continue
      ips ??= []
      pushUnique(ips, ip)
    }
    if (ips !== undefined) h.ip = ips
  }
  if (host.os !== undefined) {
    // ECS host.os.family is the OS family (`windows`, `darwin`, or a Linux distribution family such as `debian`, which the telemetry does not say).
    h.os = host.os === 'windows' ? { type: 'windows', family: 'windows' } : host.os === 'macos' ? { type: 'macos', family: 'darwin' } : { type: host.os }
  }
  if (!isEmpty(h)) doc.host = h

  // --- process, user
  const p = processInfo(event.process)
  if (p !== undefined) doc.process = p
  const relatedUsers: string[] = []
  const userName = event.process.user
  if (userName !== undefined && userName.length > 0) {
    const u = ecsUser(userName)
    doc.user = u
    relatedUsers.push(u.name ?? userName)
  }

  // --- socket: source is the side that opened the connection
  const related: string[] = []
  const sock = event.socket
  if (sock !== undefined) {
    const inbound = action === 'accept' || action === 'listen'
    const source = socketEndpoint(inbound ? sock.remote : sock.local)
    const destination = socketEndpoint(inbound ? sock.local : sock.remote)
    if (source !== undefined) doc.source = source
    if (destination !== undefined) doc.destination = destination
    const network: EcsNetwork = {}
    const transport = sock.transport
    let proto: number | undefined
    if (transport !== undefined && transport.length > 0) {
      proto = protoNumberOf(transport)
      const c = transport.charCodeAt(0)
      if (transport === 'icmp6') network.transport = 'ipv6-icmp'
      else if (c < 48 || c > 57) network.transport = transport.toLowerCase() // a bare number is left to iana_number
      if (proto !== undefined) network.iana_number = String(proto)
    }
    const sip = source?.ip
    const dip = destination?.ip
    const family = isIP(sip ?? dip ?? '')
    if (proto !== undefined && sip !== undefined && dip !== undefined && isIP(dip) === family) {
      if (transport === 'icmp' && family === 6) proto = 58
      const cid = communityId(proto, sip, dip, source?.port, destination?.port, seed)
      if (cid !== undefined) network.community_id = cid
    }
    if (action === 'connect') network.direction = 'egress'
    else if (inbound) network.direction = 'ingress'
    if (family === 4) network.type = 'ipv4'
    else if (family === 6) network.type = 'ipv6'
    if (!isEmpty(network)) doc.network = network
    if (sip !== undefined) related.push(sip)
    if (dip !== undefined) pushUnique(related, dip)
  }

  if (related.length > 0 || relatedUsers.length > 0 || relatedHosts.length > 0) {
    const r: EcsRelated = {}
    if (related.length > 0) r.ip = related
    if (relatedUsers.length > 0) r.user = relatedUsers
    if (relatedHosts.length > 0) r.hosts = relatedHosts
    doc.related = r
  }

  // --- the telemetry record
  switch (event.sensor) {
    case 'sysmon': doc.sysmon = without(original, NO_KEYS); break
    case 'auditd':
      // Raw audit logs are assembled into {node, timestamp, serial, records}; Microsoft auoms
      // rows (Syslog JSON) are kept whole under `auditd.auoms`.
      doc.auditd = Array.isArray(original.records) ? without(original, NO_KEYS) : { auoms: without(original, NO_KEYS) }
      break
    case 'osquery': {
      const name = str(original.name)
      if (name !== undefined && name.length > 0) doc.rule = { name } // the query name, as the osquery integration sets it
      doc.osquery = { result: osqueryResult(original) }
      break
    }
  }
  const labels = event.scantag.labels
  if (labels !== undefined && labels.length > 0) {
    const threat = ecsThreat(labels)
    if (threat !== undefined) doc.threat = threat
  }
  doc.scantag = event.scantag
  return doc as EcsDocument
}
