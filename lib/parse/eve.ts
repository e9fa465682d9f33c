/**
 * Suricata EVE records → {@link NetworkEvent}.
 *
 * Every `event_type` passes through; the fields scan detection needs are lifted into the model
 * for flow, netflow, alert, http, dns (v1, v2 and v3 layouts), tls, ssh, anomaly and any other
 * event that carries addresses.
 */
import type { AlertFields, DnsFields, HttpFields, NetworkEvent, Transport } from '../model.js'
import { protoNumberOf } from '../community-id.js'
import { eveFlowOutcome, parseTcpFlags } from './outcome.js'
import { parseIsoTime } from './time.js'
import { addCommunityId, type RecordContext } from './zeek.js'
import { address, count, int, isCommunityId, isDigits, json, num, port, protoNumber, rec, str, text } from './values.js'

type Rec = Record<string, unknown>




/** Suricata writes `TCP`, `UDP`, `ICMP`, `IPv6-ICMP`, `SCTP`, or a number for other protocols. */
function transportOf (proto: unknown): Transport | undefined {
  if (typeof proto === 'number') return protoNumber(proto) !== undefined ? String(proto) : undefined
  if (typeof proto !== 'string' || proto.length === 0) return undefined
  switch (proto) {
    case 'TCP': return 'tcp'
    case 'UDP': return 'udp'
    case 'ICMP': return 'icmp'
    case 'IPv6-ICMP': return 'icmp6'
    case 'SCTP': return 'sctp'
  }
  const lower = proto.toLowerCase()
  return lower === 'ipv6-icmp' || lower === 'icmpv6' ? 'icmp6' : lower
}

/** `flow_id` beyond 2^53 would lose digits in JSON.parse; take it from the text instead. */
const FLOW_ID_TEXT = /"flow_id"\s*:\s*(\d+)/

function flowIdOf (v: unknown, raw: string | undefined): string | undefined {
  if (typeof v === 'number') {
    // Suricata writes an unsigned integer; anything else is not an id the model can hold.
    if (!Number.isInteger(v) || v < 0) return undefined
    if (Number.isSafeInteger(v)) return String(v)
    if (raw !== undefined) {
      const m = FLOW_ID_TEXT.exec(raw)
      if (m !== null) return m[1]
    }
    return v < 1e21 ? String(v) : undefined
  }
  if (typeof v === 'string' && isDigits(v)) return v
  return undefined
}

function httpOf (h: Rec): HttpFields {
  const out: HttpFields = {}
  const method = str(h.http_method); if (method !== undefined) out.method = method
  const host = str(h.hostname); if (host !== undefined) out.host = host
  const uri = str(h.url); if (uri !== undefined) out.uri = uri
  const status = num(h.status) ?? (typeof h.status === 'string' ? Number(h.status) : undefined)
  if (status !== undefined && Number.isInteger(status)) out.status = status
  const ua = str(h.http_user_agent); if (ua !== undefined) out.userAgent = ua
  return out
}

function answerData (answers: unknown, into: string[]): void {
  if (!Array.isArray(answers)) return
  for (const a of answers) {
    const r = rec(a)
    if (r === undefined) continue
    const d = r.rdata
    if (typeof d === 'string') into.push(d)
  }
}

/**
 * DNS in its three EVE layouts:
 * - v1 (Suricata ≤ 4): one record per query and one per answer (`type: answer`, `rdata`).
 * - v2 (5.x–7.x): `type: query` records, and `type: answer` with `answers[]` and/or `grouped`.
 * - v3 (8.0): `type: request|response` with `queries[]` and `answers[]`.
 */
export function eveDns (d: Rec): DnsFields {
  const out: DnsFields = {}
  const queries = d.queries
  const first = Array.isArray(queries) ? rec(queries[0]) : undefined
  const query = str(d.rrname) ?? (first !== undefined ? str(first.rrname) : undefined)
  if (query !== undefined) out.query = query
  const qtype = str(d.rrtype) ?? (first !== undefined ? str(first.rrtype) : undefined)
  if (qtype !== undefined) out.qtype = qtype
  const rcode = str(d.rcode); if (rcode !== undefined) out.rcode = rcode
  const answers: string[] = []
  const type = d.type
  if (Array.isArray(d.answers)) {
    answerData(d.answers, answers)
  } else if (rec(d.grouped) !== undefined) {
    for (const values of Object.values(d.grouped as Rec)) {
      if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') answers.push(v)
    }
  } else if (type === 'answer' && typeof d.rdata === 'string') {
    answers.push(d.rdata) // v1: one answer per record
  }
  if (answers.length > 0 || type === 'answer' || type === 'response') out.answers = answers
  return out
}

function alertOf (a: Rec): AlertFields {
  const out: AlertFields = {}
  const sig = str(a.signature); if (sig !== undefined) out.signature = sig
  const sid = int(a.signature_id); if (sid !== undefined) out.signatureId = sid
  const cat = str(a.category); if (cat !== undefined) out.category = cat
  const sev = int(a.severity); if (sev !== undefined) out.severity = sev
  const action = str(a.action); if (action !== undefined) out.action = action
  const md = rec(a.metadata)
  if (md !== undefined) {
    const metadata: Record<string, string[]> = Object.create(null)
    for (const key of Object.keys(md)) {
      const v = md[key]
      metadata[key] = Array.isArray(v) ? v.map(text) : [text(v)]
    }
    out.metadata = metadata
  }
  return out
}

/**
 * Normalizes one EVE record; returns a reason string when it cannot be an event.
 *
 * @param r the parsed EVE object
 * @param ctx input, line and options
 * @param raw the original line text (kept for fast `merge` output and exact `flow_id`)
 */
export function eveToEvent (r: Rec, ctx: RecordContext, raw?: string): NetworkEvent | string {
  const kind = r.event_type
  if (typeof kind !== 'string' || kind.length === 0) return 'EVE record has no event_type'
  const ev: NetworkEvent = {
    category: 'network',
    sensor: 'suricata',
    format: 'eve',
    kind,
    input: ctx.input,
    line: ctx.line,
    original: r,
    scantag: {}
  }
  if (raw !== undefined) ev.raw = raw
  const ts = r.timestamp
  if (ts !== undefined) {
    const t = typeof ts === 'string' ? parseIsoTime(ts) : undefined
    if (t === undefined) return `timestamp ${json(ts).slice(0, 64)} is not an ISO 8601 time`
    ev.time = t
  }
  const flowId = flowIdOf(r.flow_id, raw); if (flowId !== undefined) ev.flowId = flowId
  const transport = transportOf(r.proto)
  if (transport !== undefined) {
    ev.transport = transport
    const n = typeof r.proto === 'number' ? r.proto : protoNumberOf(transport)
    if (n !== undefined) ev.protoNumber = n
  }
  const srcIp = address(r.src_ip)
  const dstIp = address(r.dest_ip)
  // ICMP: Suricata's community id (and Zeek's conn id) use type/code in the port slots.
  const icmp = transport === 'icmp' || transport === 'icmp6'
  const srcPort = icmp ? port(r.icmp_type) : port(r.src_port)
  const dstPort = icmp ? port(r.icmp_code) : port(r.dest_port)
  if (srcIp !== undefined) ev.src = srcPort !== undefined ? { ip: srcIp, port: srcPort } : { ip: srcIp }
  if (dstIp !== undefined) ev.dst = dstPort !== undefined ? { ip: dstIp, port: dstPort } : { ip: dstIp }
  const app = str(r.app_proto); if (app !== undefined) ev.service = app
  const flowObj = rec(r.flow)
  if (flowObj !== undefined && typeof flowObj.start === 'string') {
    const start = parseIsoTime(flowObj.start)
    if (start !== undefined) ev.flowStart = start
  }

  switch (kind) {
    case 'flow':
    case 'netflow': {
      const f = rec(r[kind])
      const tcp = rec(r.tcp)
      if (f !== undefined) {
        if (kind === 'flow') {
          ev.counters = {}
          const a = count(f.bytes_toserver); if (a !== undefined) ev.counters.origBytes = a
          const b = count(f.bytes_toclient); if (b !== undefined) ev.counters.respBytes = b
          const c = count(f.pkts_toserver); if (c !== undefined) ev.counters.origPackets = c
          const d = count(f.pkts_toclient); if (d !== undefined) ev.counters.respPackets = d
          const state = str(f.state); if (state !== undefined) ev.state = state
          ev.outcome = eveFlowOutcome(transport, parseTcpFlags(tcp?.tcp_flags_ts), parseTcpFlags(tcp?.tcp_flags_tc), d)
        } else {
          // netflow records are one direction each: the reply, if any, is another record.
          ev.counters = {}
          const a = count(f.bytes); if (a !== undefined) ev.counters.origBytes = a
          const c = count(f.pkts); if (c !== undefined) ev.counters.origPackets = c
          ev.outcome = 'other'
        }
        const start = str(f.start)
        const end = str(f.end)
        if (start !== undefined && end !== undefined) {
          // flow.start was read above already (the netflow object is another one).
          const s = f === flowObj ? ev.flowStart : parseIsoTime(start)
          const e = parseIsoTime(end)
          if (s !== undefined && e !== undefined) ev.duration = Math.max(0, Math.round((e - s) * 1e6) / 1e6)
        }
      }
      if (tcp !== undefined) {
        const flags = str(tcp.tcp_flags); if (flags !== undefined) ev.history = flags
      }
      break
    }
    case 'alert': {
      const a = rec(r.alert)
      if (a !== undefined) ev.alert = alertOf(a)
      const h = rec(r.http); if (h !== undefined) ev.http = httpOf(h)
      break
    }
    case 'http': {
      const h = rec(r.http); if (h !== undefined) ev.http = httpOf(h)
      break
    }
    case 'dns': {
      const d = rec(r.dns); if (d !== undefined) ev.dns = eveDns(d)
      break
    }
    case 'anomaly': {
      const a = rec(r.anomaly)
      if (a !== undefined) {
        ev.alert = { category: 'anomaly' }
        const event = str(a.event); if (event !== undefined) ev.alert.signature = event
      }
      break
    }
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
