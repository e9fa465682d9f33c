/**
 * The normalized event model every reader produces and every correlator consumes.
 *
 * One {@link NetworkEvent} per input record, whatever the sensor: Zeek (TSV or JSON) and
 * Suricata EVE records are mapped onto the same few fields that scan detection needs, and the
 * original record is kept untouched in {@link NetworkEvent.original} so that nothing the sensor
 * wrote is lost. `schemas/network-event.schema.json` is the JSON Schema of this shape.
 *
 * @packageDocumentation
 */

/** Which sensor wrote the record. */
export type Sensor = 'zeek' | 'suricata'

/** The network log formats scantag reads. */
export type NetworkFormat = 'zeek-tsv' | 'zeek-json' | 'eve'

/** Every input format scantag reads: network logs and endpoint telemetry. */
export type InputFormat = NetworkFormat | TelemetryFormat

/**
 * What a record is about. Zeek records use their log path (`conn`, `http`, `dns`, `weird`,
 * `notice`, `ssl`, ...); EVE records use their `event_type` (`flow`, `netflow`, `alert`, `http`,
 * `dns`, `tls`, `ssh`, `anomaly`, `stats`, ...). Open-ended on purpose: unknown kinds pass through.
 */
export type EventKind = string

/** Transport protocol, lower case as Zeek writes it; other IP protocols by name or number. */
export type Transport = 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'sctp' | (string & {})

/**
 * The connection outcome, one vocabulary for Zeek `conn_state`/`history` and for Suricata flow
 * state/TCP flags. The mapping is documented in one table: `lib/parse/outcome.ts`.
 *
 * - `unanswered`: an attempt that got no reply at all (Zeek `S0`, EVE flow with SYN only).
 * - `rejected`: the responder refused (Zeek `REJ`, a SYN answered by RST, ICMP unreachable).
 * - `established`: a handshake completed or both sides exchanged data.
 * - `reset`: established, then aborted by a reset.
 * - `partial`: only part of a connection was seen (mid-stream, one side only).
 * - `other`: none of the above could be decided.
 */
export type ConnectionOutcome = 'unanswered' | 'rejected' | 'established' | 'reset' | 'partial' | 'other'

/** One side of a connection. */
export interface Endpoint {
  /** IPv4 or IPv6 address as written by the sensor (IPv6 as normalized by the reader). */
  ip: string
  /** Port; for ICMP the type (originator) or code (responder), as Zeek and Community ID use them. */
  port?: number
}

/** HTTP fields (Zeek http.log, EVE `http`). */
export interface HttpFields {
  method?: string
  host?: string
  uri?: string
  status?: number
  userAgent?: string
}

/** DNS fields (Zeek dns.log, EVE `dns` v1/v2/v3). */
export interface DnsFields {
  query?: string
  qtype?: string
  rcode?: string
  /** Answer data (addresses, names), flattened. */
  answers?: string[]
}

/** Alert fields (EVE `alert`, Zeek notice). */
export interface AlertFields {
  signature?: string
  signatureId?: number
  category?: string
  severity?: number
  action?: string
  /** Free-text message (Zeek notice `msg`). */
  message?: string
  /** Rule metadata as a map of arrays (EVE `alert.metadata`), MITRE keys included. */
  metadata?: Record<string, string[]>
}

/** Byte and packet counters, each direction. */
export interface Counters {
  origBytes?: number
  respBytes?: number
  origPackets?: number
  respPackets?: number
}

/** A process in ECS `process.*` field names, as attribution writes it. */
export interface ScantagProcess {
  entity_id: string
  pid?: number
  name?: string
  executable?: string
  command_line?: string
  args?: string[]
  working_directory?: string
  /** Process start, ISO 8601. */
  start?: string
  parent?: { pid?: number, entity_id?: string, executable?: string, command_line?: string }
  /** Ancestors, nearest first (scantag extension; ECS has only `parent`). */
  lineage?: Array<{ entity_id: string, pid?: number, name?: string, executable?: string }>
}

/** How a network event was tied to a process. */
export interface Attribution {
  /** `exact`: a socket record matched; `host-time`: a process alive on the host at the time. */
  method: 'exact' | 'host-time'
  /** The rule that matched: `five-tuple`, `remote-endpoint`, `targets`, `network-tool`. */
  rule: string
  /** 0–1. */
  confidence: number
  /** Seconds between the endpoint record and the flow start (positive: endpoint later). */
  skew: number
  /** One sentence for the analyst. */
  reason: string
}

/** The T1595 sub-techniques scantag labels. */
export type Subtechnique = 'T1595.001' | 'T1595.002' | 'T1595.003'

/** An ATT&CK label on an event. */
export interface Label {
  /** `T1595` (Active Scanning) or `T1046` (Network Service Discovery, for scans from inside). */
  technique: 'T1595' | 'T1046'
  /** `T1595.001` Scanning IP Blocks, `.002` Vulnerability Scanning, `.003` Wordlist Scanning, or null. */
  subtechnique: Subtechnique | null
  /** Name of the sub-technique (or technique when there is none). */
  name: string
  /** `TA0043` Reconnaissance for T1595, `TA0007` Discovery for T1046. */
  tactic: 'TA0043' | 'TA0007'
  /** 0–1. */
  confidence: number
  /** The correlator that set it. */
  correlator: string
  /** Id of the detection this event belongs to. */
  detection?: string
  /** One sentence with the numbers. */
  reason: string
}

/** A scan summarised once: what `scantag.detection` records carry. */
export interface Detection {
  id: string
  correlator: string
  technique: 'T1595'
  subtechnique: Subtechnique | null
  /** Also ATT&CK T1046 when the source is inside the home network. */
  alsoTechniques: Array<'T1046'>
  source: { ip: string }
  /** ISO 8601. */
  first_seen: string
  last_seen: string
  target_count: number
  port_count: number
  event_count: number
  sample_targets: string[]
  sample_ports: number[]
  confidence: number
  reason: string
  status: 'open' | 'updated' | 'closed'
  process?: ScantagProcess
  host?: { name: string }
  user?: { name: string }
}

/** A detection as it leaves the enricher, between the events. */
export interface DetectionRecord {
  category: 'detection'
  /** Event time of the update (epoch seconds). */
  time: number
  detection: Detection
}

/** The `scantag` object added to every output record. */
export interface ScantagFields {
  /** Community ID v1 of the flow, computed when the sensor did not write one. */
  community_id?: string
  /** Whether `community_id` came from the sensor (`sensor`) or was computed (`computed`). */
  community_id_source?: 'sensor' | 'computed'
  /** The process that made this flow (flow-to-process attribution). */
  process?: ScantagProcess
  /** The user that process ran as. */
  user?: { name: string }
  /** The host it ran on. */
  host?: { name: string }
  /** How the process was found. */
  attribution?: Attribution
  /** ATT&CK labels (T1595 sub-techniques, T1046 for internal scanners). */
  labels?: Label[]
  /** On detection records only: the detection. */
  detection?: Detection
}

/**
 * One normalized network event.
 *
 * Fields are absent (not `null`) when the record does not carry them.
 */
export interface NetworkEvent {
  /** Discriminates network events from endpoint {@link ProcessEvent}s. */
  category: 'network'
  /** Event time as epoch seconds, microseconds kept in the fraction. Absent when unknown. */
  time?: number
  /**
   * When the flow began, epoch seconds: Zeek conn `ts`, EVE `flow.start` (EVE flow records are
   * written at timeout, a minute or more after the flow began). Absent when the record has none.
   */
  flowStart?: number
  /** Sensor that wrote the record. */
  sensor: Sensor
  /** The format the record was read from. */
  format: NetworkFormat
  /** Zeek log path or EVE event_type. */
  kind: EventKind
  /** Originator / source side. */
  src?: Endpoint
  /** Responder / destination side. */
  dst?: Endpoint
  /** Transport protocol. */
  transport?: Transport
  /** IANA protocol number when known (6, 17, 1, 58, 132, ...). */
  protoNumber?: number
  /** Community ID v1 (from the sensor or computed). */
  communityId?: string
  /** Zeek connection uid. */
  uid?: string
  /** Suricata flow id, as a decimal string: it fits 51 bits but is kept exact whatever its size. */
  flowId?: string
  /** Normalized connection outcome (conn and flow records). */
  outcome?: ConnectionOutcome
  /** Zeek `conn_state` or EVE `flow.state`, as written. */
  state?: string
  /** Zeek `history` or EVE TCP flags summary, as written. */
  history?: string
  /** Application-layer service (Zeek `service`, EVE `app_proto`). */
  service?: string
  /** Duration in seconds. */
  duration?: number
  counters?: Counters
  http?: HttpFields
  dns?: DnsFields
  alert?: AlertFields
  /** The input this event came from (file name or `-`). */
  input: string
  /** 1-based line number in that input. */
  line: number
  /**
   * The original record: the EVE object, the Zeek JSON object as written, or for Zeek TSV the
   * record in Zeek's JSON writer shape (`id.orig_h` keys plus `_path`).
   */
  original: Record<string, unknown>
  /** The original line text for JSON inputs (lets `merge` output skip re-serializing). */
  raw?: string
  /** Enrichment added by scantag; written as the `scantag` object in `merge` output. */
  scantag: ScantagFields
}

/**
 * A line that could not be read. Every input line ends as exactly one event or one dead letter.
 */
export interface DeadLetter {
  /** The input the line came from (file name or `-`). */
  input: string
  /** 1-based line number. */
  line: number
  /** Why it was rejected, in words an operator can act on. */
  reason: string
  /** The line text (truncated to a bounded length for oversized lines). */
  text: string
}

/** Endpoint telemetry sources. */
export type TelemetrySensor = 'sysmon' | 'auditd' | 'osquery' | 'elastic'

/** Endpoint telemetry input formats. */
export type TelemetryFormat = 'sysmon' | 'auditd' | 'osquery' | 'ecs'

/**
 * What a process event says happened:
 * `start` (process created), `end` (terminated), `connect` (outbound socket), `accept` /
 * `listen` (inbound), `snapshot` (seen running by a poller, e.g. osquery `processes`),
 * `other` (a record of the source that is not about processes or sockets, passed through).
 */
export type ProcessAction = 'start' | 'end' | 'connect' | 'accept' | 'listen' | 'snapshot' | 'other'

/** The parent of a process, as far as the telemetry says. */
export interface ParentProcess {
  pid?: number
  /** Sysmon ParentProcessGuid or a derived id. */
  entityId?: string
  executable?: string
  commandLine?: string
  name?: string
}

/** A process, in the telemetry's own words, normalized. */
export interface ProcessInfo {
  pid?: number
  /**
   * Identifier stable across pid reuse: Sysmon `ProcessGuid`, Elastic `process.entity_id`, or
   * derived as `host|pid|start time` when the source has none.
   */
  entityId?: string
  /** Full path of the executable. */
  executable?: string
  /** Base name of the executable. */
  name?: string
  /** The command line as one string. */
  commandLine?: string
  /** The command line split into words with the host's quoting rules. */
  args?: string[]
  /** User name (or numeric uid when no name is known). */
  user?: string
  workingDirectory?: string
  /** Process start, epoch seconds. */
  start?: number
  parent?: ParentProcess
}

/** The host a process event comes from. */
export interface HostInfo {
  name?: string
  /** Addresses the telemetry reports for the host. */
  ips?: string[]
  /** Operating system family: decides command-line quoting rules. */
  os?: 'windows' | 'linux' | 'macos'
}

/** The socket of a network action (`connect`, `accept`, `listen`). */
export interface SocketInfo {
  transport?: Transport
  local?: Endpoint
  remote?: Endpoint
}

/**
 * One normalized endpoint telemetry event (Sysmon, auditd, osquery, ECS endpoint data).
 * `schemas/process-event.schema.json` is its JSON Schema.
 */
export interface ProcessEvent {
  /** Discriminates process events from {@link NetworkEvent}s. */
  category: 'process'
  /** Event time as epoch seconds. */
  time?: number
  sensor: TelemetrySensor
  format: TelemetryFormat
  /** Source-specific record kind: `sysmon:1`, `sysmon:3`, `auditd:execve`, `osquery:process_events`, `ecs:process`, ... */
  kind: string
  action: ProcessAction
  host: HostInfo
  process: ProcessInfo
  /** For `connect`/`accept`/`listen`. */
  socket?: SocketInfo
  input: string
  /** 1-based line number (the first line, for multi-line auditd events). */
  line: number
  original: Record<string, unknown>
  raw?: string
  scantag: ScantagFields
}

/** Any event scantag reads. */
export type ScantagEvent = NetworkEvent | ProcessEvent
