/**
 * Zeek records (from TSV or JSON) → {@link NetworkEvent}.
 *
 * Zeek JSON comes in three key shapes: dotted (`id.orig_h`, Zeek's own JSON writer), nested
 * (`id: {orig_h}`, some shippers and `JSON::use_json_nested`-style output) and underscore
 * (`id_orig_h`, Logstash/Sentinel pipelines such as the OTRF APT29 set). Only the `id` record
 * is affected, so only those four fields are looked up three ways.
 */
import type { DnsFields, HttpFields, NetworkEvent, NetworkFormat, Transport } from '../model.js'
import { communityId, protoNumberOf } from '../community-id.js'
import { zeekOutcome } from './outcome.js'
import { parseZeekTs } from './time.js'
import { address, count, int, isCommunityId, json, num, port, protoNumber, str, text } from './values.js'

/** Where a record came from, and options the normalizer needs. */
export interface RecordContext {
  input: string
  line: number
  format: NetworkFormat
  /** Community ID seed (0 by default, as Zeek and Suricata use). */
  communityIdSeed: number
  /** Zeek log path inferred from the file name, used when a record carries no `_path`. */
  pathHint?: string
}

type Rec = Record<string, unknown>



/**
 * One field of the conn id: `id.<name>`, else `id: {<name>}`, else `id_<name>`. The callers pass
 * all three keys as literals: building `'id.' + name` on every call costs more than the lookup.
 */
function idField (r: Rec, dotted: string, name: string, underscored: string): unknown {
  const v = r[dotted]
  if (v !== undefined) return v
  const id = r.id
  if (id !== null && typeof id === 'object') return (id as Rec)[name]
  return r[underscored]
}

/** Zeek log paths recognised from a file name such as `conn.log`, `conn.04:00:00-05:00:00.log.gz`, `dns.json`. */
export function zeekPathFromFileName (fileName: string): string | undefined {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1)
  const m = /^([a-z][a-z0-9_]*)\./.exec(base)
  if (m === null) return undefined
  return m[1]
}

/**
 * The log path of a Zeek JSON record: `_path` (json-streaming-logs), `@stream` (Sentinel/OTRF
 * envelope), the file name, or, failing those, a guess from the fields only conn, http, dns,
 * notice and weird logs carry.
 */
export function zeekPathOf (r: Rec, hint: string | undefined): string {
  const p = r._path ?? r['@stream']
  if (typeof p === 'string' && p.length > 0) return p
  if (hint !== undefined) return hint
  if ('conn_state' in r || 'history' in r) return 'conn'
  if ('status_code' in r || 'user_agent' in r || ('method' in r && 'uri' in r)) return 'http'
  if ('qtype_name' in r || 'rcode_name' in r || ('query' in r && 'trans_id' in r)) return 'dns'
  if ('note' in r) return 'notice'
  if ('name' in r && 'notice' in r) return 'weird'
  return 'unknown'
}

/** Transport of a Zeek record: `proto` where present; http, ssl and friends run over TCP. */
const TCP_ONLY_PATHS = new Set(['http', 'ssl', 'ssh', 'ftp', 'smtp', 'rdp', 'smb_files', 'smb_mapping', 'dce_rpc', 'x509', 'files', 'mysql', 'irc', 'pop3', 'imap', 'socks'])

function transportOf (r: Rec, path: string): Transport | undefined {
  const p = r.proto
  if (typeof p === 'string' && p.length > 0) {
    const lower = p.toLowerCase()
    return lower === 'icmp6' || lower === 'ipv6-icmp' ? 'icmp6' : lower
  }
  if (TCP_ONLY_PATHS.has(path)) return 'tcp'
  return undefined
}

function httpOf (r: Rec): HttpFields {
  const h: HttpFields = {}
  const method = str(r.method); if (method !== undefined) h.method = method
  const host = str(r.host); if (host !== undefined) h.host = host
  const uri = str(r.uri); if (uri !== undefined) h.uri = uri
  const status = int(r.status_code); if (status !== undefined) h.status = status
  const ua = str(r.user_agent); if (ua !== undefined) h.userAgent = ua
  return h
}

function dnsOf (r: Rec): DnsFields {
  const d: DnsFields = {}
  const q = str(r.query); if (q !== undefined) d.query = q
  const qtype = str(r.qtype_name) ?? (num(r.qtype) !== undefined ? String(r.qtype) : undefined)
  if (qtype !== undefined) d.qtype = qtype
  const rcode = str(r.rcode_name) ?? (num(r.rcode) !== undefined ? String(r.rcode) : undefined)
  if (rcode !== undefined) d.rcode = rcode
  if (Array.isArray(r.answers)) d.answers = r.answers.map(text)
  return d
}

/**
 * Normalizes one Zeek record. Returns the event, or a string saying why the record cannot be
 * an event (it then becomes a dead letter).
 *
 * @param r the record, keys as written (TSV records use Zeek's JSON writer keys)
 * @param ctx input, line and options
 * @param raw the original line text for JSON input (kept for fast `merge` output)
 */
export function zeekToEvent (r: Rec, ctx: RecordContext, raw?: string): NetworkEvent | string {
  const path = zeekPathOf(r, ctx.pathHint)
  const ev: NetworkEvent = {
    category: 'network',
    sensor: 'zeek',
    format: ctx.format,
    kind: path,
    input: ctx.input,
    line: ctx.line,
    original: r,
    scantag: {}
  }
  if (raw !== undefined) ev.raw = raw
  if (r.ts !== undefined) {
    const t = parseZeekTs(r.ts)
    if (t === undefined) return `ts ${json(r.ts).slice(0, 64)} is neither epoch seconds, epoch milliseconds nor ISO 8601 within the years -271821 to 275760`
    ev.time = t
  }
  const uid = str(r.uid); if (uid !== undefined) ev.uid = uid

  // Endpoints: the conn id where the log has one; notice.log also has src/dst/p.
  let srcIp = idField(r, 'id.orig_h', 'orig_h', 'id_orig_h')
  let dstIp = idField(r, 'id.resp_h', 'resp_h', 'id_resp_h')
  let srcPort = idField(r, 'id.orig_p', 'orig_p', 'id_orig_p')
  let dstPort = idField(r, 'id.resp_p', 'resp_p', 'id_resp_p')
  if (srcIp === undefined && path === 'notice') {
    srcIp = r.src; dstIp = r.dst; dstPort = r.p
  }
  // Only what the model can hold is lifted (the record keeps the rest): 2-64 character
  // addresses, integer ports 0-65535.
  const src = address(srcIp)
  if (src !== undefined) {
    const p = port(srcPort)
    ev.src = p !== undefined ? { ip: src, port: p } : { ip: src }
  }
  const dst = address(dstIp)
  if (dst !== undefined) {
    const p = port(dstPort)
    ev.dst = p !== undefined ? { ip: dst, port: p } : { ip: dst }
  }
  let transport = transportOf(r, path)
  // Zeek writes ICMPv6 connections as proto "icmp"; the address family tells them apart.
  if (transport === 'icmp' && typeof srcIp === 'string' && srcIp.includes(':')) transport = 'icmp6'
  if (transport !== undefined) {
    ev.transport = transport
    const n = protoNumberOf(transport)
    if (n !== undefined) ev.protoNumber = n
  } else if (protoNumber(r.ip_proto) !== undefined) {
    ev.protoNumber = r.ip_proto as number
  }
  const service = str(r.service); if (service !== undefined) ev.service = service

  if (path === 'conn') {
    if (ev.time !== undefined) ev.flowStart = ev.time
    const duration = count(r.duration); if (duration !== undefined) ev.duration = duration
    const origBytes = count(r.orig_bytes)
    const respBytes = count(r.resp_bytes)
    const origPackets = count(r.orig_pkts)
    const respPackets = count(r.resp_pkts)
    if (origBytes !== undefined || respBytes !== undefined || origPackets !== undefined || respPackets !== undefined) {
      ev.counters = {}
      if (origBytes !== undefined) ev.counters.origBytes = origBytes
      if (respBytes !== undefined) ev.counters.respBytes = respBytes
      if (origPackets !== undefined) ev.counters.origPackets = origPackets
      if (respPackets !== undefined) ev.counters.respPackets = respPackets
    }
    const state = str(r.conn_state)
    if (state !== undefined) ev.state = state
    const history = str(r.history); if (history !== undefined) ev.history = history
    const outcome = zeekOutcome(transport, state, respPackets, respBytes)
    if (outcome !== undefined) ev.outcome = outcome
  } else if (path === 'http') {
    ev.http = httpOf(r)
  } else if (path === 'dns') {
    ev.dns = dnsOf(r)
  } else if (path === 'notice') {
    const note = str(r.note)
    ev.alert = {}
    if (note !== undefined) ev.alert.signature = note
    ev.alert.category = 'notice'
    const msg = str(r.msg); if (msg !== undefined) ev.alert.message = msg
  }

  const cid = str(r.community_id)
  if (cid !== undefined && isCommunityId(cid)) {
    ev.communityId = cid
    ev.scantag.community_id = cid
    ev.scantag.community_id_source = 'sensor'
  } else {
    addCommunityId(ev, ctx.communityIdSeed)
  }
  return ev
}

/**
 * Computes the Community ID of an event that has both endpoints and a protocol number, and
 * records it as computed. Events without a flow (stats, dhcp without addresses) get none.
 */
export function addCommunityId (ev: NetworkEvent, seed: number): void {
  if (ev.src === undefined || ev.dst === undefined || ev.protoNumber === undefined) return
  const id = communityId(ev.protoNumber, ev.src.ip, ev.dst.ip, ev.src.port, ev.dst.port, seed)
  if (id === undefined) return
  ev.communityId = id
  ev.scantag.community_id = id
  ev.scantag.community_id_source = 'computed'
}
