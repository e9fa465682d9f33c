/**
 * The `ecs` output: real Suricata (lab s02, nicoaller) and Zeek (zat) records, and real endpoint
 * telemetry (lab s02 Sysmon for Linux, osquery and auditd; OTRF Windows Sysmon), normalized by
 * small local helpers (the real readers are tested on their own), mapped with `toEcs`, checked
 * field by field and validated against `schemas/ecs-output.schema.json`.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { AlertFields, DnsFields, HttpFields, Label, NetworkEvent, ProcessEvent, ScantagFields, Transport } from '../lib/model.js'
import { toEcs, ecsThreat, ECS_VERSION, type EcsDocument } from '../lib/output/ecs.js'
import { SUBTECHNIQUES, TACTICS, TECHNIQUES } from '../lib/correlate/knowledge/attack.js'
import { communityId } from '../lib/community-id.js'
import { parseIsoTime } from '../lib/parse/time.js'

type Rec = Record<string, unknown>

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/ecs/${name}`, import.meta.url), 'utf8')
const jsonLines = (name: string): Rec[] => fixture(name).split('\n').filter(l => l.length > 0).map(l => JSON.parse(l) as Rec)

const schema = JSON.parse(readFileSync(new URL('../schemas/ecs-output.schema.json', import.meta.url), 'utf8')) as Rec
const ajv = new Ajv2020({ allErrors: true, strict: true })
const validate = ajv.compile(schema)

function assertValid (tt: Test, doc: unknown): void {
  // What the output writes is JSON: validate the serialized form.
  const ok = validate(JSON.parse(JSON.stringify(doc)))
  tt.ok(ok, 'valid against ecs-output.schema.json', { errors: validate.errors })
}

/** No `null` or `undefined` anywhere in the document. */
function assertNoNulls (tt: Test, doc: unknown): void {
  const bad: string[] = []
  const walk = (v: unknown, path: string): void => {
    if (v === null || v === undefined) { bad.push(path); return }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`))
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`)
  }
  walk(doc, '$')
  tt.strictSame(bad, [], 'no null or undefined values')
}

// --- A minimal normalizer, enough for these records (the real ones live in lib/parse/).

const PROTO_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 }
const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined
const num = (v: unknown): number | undefined => typeof v === 'number' ? v : undefined

function eveEvent (r: Rec, line: number, extra: Partial<NetworkEvent> = {}): NetworkEvent {
  const proto = String(r.proto).toLowerCase()
  const transport: Transport = proto === 'ipv6-icmp' ? 'icmp6' : proto
  const icmp = transport === 'icmp' || transport === 'icmp6'
  const ev: NetworkEvent = {
    category: 'network',
    sensor: 'suricata',
    format: 'eve',
    kind: String(r.event_type),
    input: 'eve.json',
    line,
    original: r,
    scantag: {},
    transport,
    protoNumber: PROTO_NUMBERS[transport],
    flowId: String(r.flow_id)
  }
  const time = parseIsoTime(String(r.timestamp))
  if (time !== undefined) ev.time = time
  const srcPort = num(icmp ? r.icmp_type : r.src_port)
  const dstPort = num(icmp ? r.icmp_code : r.dest_port)
  ev.src = srcPort !== undefined ? { ip: String(r.src_ip), port: srcPort } : { ip: String(r.src_ip) }
  ev.dst = dstPort !== undefined ? { ip: String(r.dest_ip), port: dstPort } : { ip: String(r.dest_ip) }
  const app = str(r.app_proto); if (app !== undefined) ev.service = app
  const cid = str(r.community_id)
  if (cid !== undefined) {
    ev.communityId = cid
    ev.scantag = { community_id: cid, community_id_source: 'sensor' }
  }
  const f = r.flow as Rec | undefined
  if (r.event_type === 'flow' && f !== undefined) {
    ev.counters = { origBytes: num(f.bytes_toserver), respBytes: num(f.bytes_toclient), origPackets: num(f.pkts_toserver), respPackets: num(f.pkts_toclient) }
    ev.state = String(f.state)
    const s = parseIsoTime(String(f.start))
    const e = parseIsoTime(String(f.end))
    if (s !== undefined && e !== undefined) ev.duration = Math.round((e - s) * 1e6) / 1e6
  }
  const a = r.alert as Rec | undefined
  if (a !== undefined) {
    const alert: AlertFields = {
      signature: str(a.signature), signatureId: num(a.signature_id), category: str(a.category),
      severity: num(a.severity), action: str(a.action)
    }
    if (a.metadata !== undefined) alert.metadata = a.metadata as Record<string, string[]>
    ev.alert = alert
  }
  const h = r.http as Rec | undefined
  if (h !== undefined) {
    const http: HttpFields = {}
    if (h.http_method !== undefined) http.method = String(h.http_method)
    if (h.hostname !== undefined) http.host = String(h.hostname)
    if (h.url !== undefined) http.uri = String(h.url)
    if (h.status !== undefined) http.status = Number(h.status)
    if (h.http_user_agent !== undefined) http.userAgent = String(h.http_user_agent)
    ev.http = http
  }
  const d = r.dns as Rec | undefined
  if (d !== undefined) {
    const dns: DnsFields = { query: str(d.rrname), qtype: str(d.rrtype) }
    if (d.rcode !== undefined) dns.rcode = String(d.rcode)
    if (Array.isArray(d.answers)) dns.answers = d.answers.map(x => String((x as Rec).rdata))
    ev.dns = dns
  }
  return Object.assign(ev, extra)
}

function zeekEvent (r: Rec, path: string, line: number, format: 'zeek-json' | 'zeek-tsv' = 'zeek-json', extra: Partial<NetworkEvent> = {}): NetworkEvent {
  const ev: NetworkEvent = { category: 'network', sensor: 'zeek', format, kind: path, input: `${path}.log`, line, original: r, scantag: {} }
  if (typeof r.ts === 'number') ev.time = r.ts
  if (typeof r.uid === 'string') ev.uid = r.uid
  const oh = str(r['id.orig_h']) ?? (path === 'notice' ? str(r.src) : undefined)
  const rh = str(r['id.resp_h']) ?? (path === 'notice' ? str(r.dst) : undefined)
  const op = num(r['id.orig_p'])
  const rp = num(r['id.resp_p'])
  if (oh !== undefined) ev.src = op !== undefined ? { ip: oh, port: op } : { ip: oh }
  if (rh !== undefined) ev.dst = rp !== undefined ? { ip: rh, port: rp } : { ip: rh }
  const proto = str(r.proto) ?? (path === 'http' ? 'tcp' : undefined)
  if (proto !== undefined) { ev.transport = proto; ev.protoNumber = PROTO_NUMBERS[proto] }
  if (typeof r.service === 'string') ev.service = r.service
  if (path === 'conn') {
    ev.duration = num(r.duration)
    ev.counters = { origBytes: num(r.orig_bytes), respBytes: num(r.resp_bytes), origPackets: num(r.orig_pkts), respPackets: num(r.resp_pkts) }
    ev.state = str(r.conn_state)
    ev.history = str(r.history)
  } else if (path === 'http') {
    ev.http = { method: str(r.method), host: str(r.host), uri: str(r.uri), status: num(r.status_code), userAgent: str(r.user_agent) }
  } else if (path === 'dns') {
    ev.dns = { query: str(r.query), qtype: str(r.qtype_name), rcode: str(r.rcode_name) }
    if (Array.isArray(r.answers)) ev.dns.answers = r.answers.map(String)
  } else if (path === 'notice') {
    ev.alert = { signature: str(r.note), category: 'notice' }
  }
  // The model says: fields are absent, not undefined-valued; drop what the helper left undefined.
  for (const o of [ev, ev.counters, ev.http, ev.dns, ev.alert]) {
    if (o === undefined) continue
    for (const [k, v] of Object.entries(o)) if (v === undefined) delete (o as Rec)[k]
  }
  return Object.assign(ev, extra)
}

/** Zeek TSV → the JSON writer shape the model keeps as `original` (enough types for notice.log). */
function zeekTsv (text: string): Rec[] {
  let fields: string[] = []
  let types: string[] = []
  const out: Rec[] = []
  for (const line of text.split('\n')) {
    if (line.length === 0) continue
    const cols = line.split('\t')
    if (cols[0] === '#fields') { fields = cols.slice(1); continue }
    if (cols[0] === '#types') { types = cols.slice(1); continue }
    if (line.startsWith('#')) continue
    const r: Rec = {}
    cols.forEach((v, i) => {
      if (v === '-') return
      const type = types[i]
      if (type.startsWith('set') || type.startsWith('table') || type.startsWith('vector')) r[fields[i]] = v === '(empty)' ? [] : v.split(',')
      else if (type === 'time' || type === 'interval' || type === 'double' || type === 'port' || type === 'count' || type === 'int') r[fields[i]] = Number(v)
      else if (type === 'bool') r[fields[i]] = v === 'T'
      else r[fields[i]] = v
    })
    out.push(r)
  }
  return out
}

// --- Suricata

const s02 = jsonLines('s02-eve.json')

t.test('suricata flow answered by RST (lab s02, nmap -sT)', async tt => {
  const r = s02[0]
  const ev = eveEvent(r, 1, { outcome: 'rejected' })
  const doc = toEcs(ev)
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:54.491609Z')
  tt.strictSame(doc.ecs, { version: ECS_VERSION })
  tt.strictSame(doc.event, {
    kind: 'event',
    module: 'suricata',
    dataset: 'suricata.eve',
    id: '403090344247605',
    duration: 4000, // flow.end - flow.start = 4 µs
    outcome: 'failure',
    category: ['network'],
    type: ['connection', 'end'], // flow.state closed
    start: '2026-11-26T19:39:21.355995Z',
    end: '2026-11-26T19:39:21.355999Z'
  })
  tt.strictSame(doc.source, { address: '10.20.30.41', ip: '10.20.30.41', port: 40487, bytes: 58, packets: 1 })
  tt.strictSame(doc.destination, { address: '10.1.2.112', ip: '10.1.2.112', port: 80, bytes: 54, packets: 1 })
  tt.strictSame(doc.network, { transport: 'tcp', iana_number: '6', community_id: '1:97SEhqj+dPaYXNqaVPsPXQtgUc4=', bytes: 112, packets: 2 })
  tt.strictSame(doc.related, { ip: ['10.20.30.41', '10.1.2.112'] })
  tt.strictSame(doc.suricata?.eve, {
    flow_id: '403090344247605',
    event_type: 'flow',
    flow: { age: 0, state: 'closed', reason: 'shutdown', alerted: false },
    tcp: r.tcp
  }, 'the EVE record minus what was mapped')
  tt.strictSame(doc.scantag, { community_id: '1:97SEhqj+dPaYXNqaVPsPXQtgUc4=', community_id_source: 'sensor' })
  tt.equal(doc.zeek, undefined)
  tt.strictSame(Object.keys(doc)[0], '@timestamp')
  tt.strictSame(Object.keys(doc).at(-1), 'scantag')
  tt.strictSame(ev.original, JSON.parse(fixture('s02-eve.json').split('\n')[0]), 'the event is not mutated')
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

t.test('suricata unanswered SYN flow: event.type start, zero reply counters kept', async tt => {
  const doc = toEcs(eveEvent(s02[1], 2, { outcome: 'unanswered' }))
  tt.strictSame(doc.event.type, ['connection', 'start'])
  tt.equal(doc.event.outcome, 'failure')
  tt.equal(doc.event.duration, 0)
  tt.strictSame(doc.destination, { address: '10.1.2.131', ip: '10.1.2.131', port: 445, bytes: 0, packets: 0 })
  tt.equal(doc.network?.bytes, 58)
  assertValid(tt, doc)
})

t.test('suricata ICMP flow: no ports, IANA number 1', async tt => {
  const doc = toEcs(eveEvent(s02[2], 3, { outcome: 'established' }))
  tt.strictSame(doc.source, { address: '10.20.30.41', ip: '10.20.30.41', bytes: 98, packets: 1 })
  tt.strictSame(doc.destination, { address: '10.1.2.104', ip: '10.1.2.104', bytes: 98, packets: 1 })
  tt.strictSame(doc.network, { transport: 'icmp', iana_number: '1', community_id: '1:2RrUrHOPBztzjN+s/XtDqFT4KEA=', bytes: 196, packets: 2 })
  tt.equal(doc.event.outcome, 'success')
  tt.strictSame(doc.event.type, ['connection'], 'state established: neither start nor end')
  tt.equal(doc.suricata?.eve.icmp_type, 8, 'ICMP type/code stay in the EVE record')
  tt.equal(doc.suricata?.eve.response_icmp_type, 0)
  assertValid(tt, doc)
})

t.test('suricata alert (ET SCAN NMAP -sS window 1024)', async tt => {
  const doc = toEcs(eveEvent(s02[3], 4))
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:21.028056Z')
  tt.equal(doc.event.kind, 'alert')
  tt.strictSame(doc.event.category, ['network', 'intrusion_detection'])
  tt.strictSame(doc.event.type, ['allowed'])
  tt.equal(doc.event.severity, 2)
  tt.equal(doc.event.id, '401975785860890')
  tt.equal(doc.event.start, '2026-11-26T19:39:21.028056Z')
  tt.equal(doc.event.duration, undefined, 'alerts carry flow.start only')
  tt.strictSame(doc.rule, { id: '2009582', name: 'ET SCAN NMAP -sS window 1024', category: 'Attempted Information Leak' })
  tt.equal(doc.message, 'Attempted Information Leak')
  tt.strictSame(doc.source, { address: '10.20.30.41', ip: '10.20.30.41', port: 40487, bytes: 58, packets: 1 }, 'counters from the alert\'s flow object')
  tt.strictSame(doc.destination, { address: '10.1.2.1', ip: '10.1.2.1', port: 22, bytes: 0, packets: 0 })
  tt.equal(doc.network?.community_id, '1:FMBFvUnoeHMwX0U4QvJTdxiKM3I=')
  tt.strictSame(doc.suricata?.eve.alert, { gid: 1, signature_id: 2009582, rev: 3, signature: 'ET SCAN NMAP -sS window 1024', category: 'Attempted Information Leak' }, 'action and severity moved to event.*')
  tt.strictSame(doc.suricata?.eve.flow, { src_ip: '10.20.30.41', dest_ip: '10.1.2.1', src_port: 40487, dest_port: 22 })
  tt.equal(doc.suricata?.eve.direction, 'to_server')
  tt.equal(doc.suricata?.eve.pcap_cnt, 1203)
  tt.equal(doc.threat, undefined)
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

t.test('suricata alert with rule metadata and a +0100 timestamp (nicoaller)', async tt => {
  const r = jsonLines('nicoaller-alert-metadata.json')[0]
  const doc = toEcs(eveEvent(r, 1))
  tt.equal(doc['@timestamp'], '2022-02-23T18:24:44.045266Z', 'converted to UTC, microseconds kept')
  tt.equal(doc.event.start, '2022-02-23T18:24:43.773918Z')
  tt.strictSame(doc.suricata?.eve.alert?.metadata, { confidence: ['Low'], created_at: ['2019_10_14'], updated_at: ['2019_10_29'] })
  tt.equal(doc.network?.protocol, 'tls', 'from app_proto')
  tt.equal(doc.network?.community_id, undefined, 'this sensor wrote none, the helper computed none')
  tt.strictSame(doc.rule, { id: '2028765', name: 'ET JA3 Hash - [Abuse.ch] Possible Dridex', category: 'Unknown Traffic' })
  tt.equal(doc.event.severity, 3)
  tt.strictSame(doc.source?.bytes, 377)
  tt.strictSame(doc.destination?.bytes, 1544)
  tt.strictSame((doc.suricata?.eve.tls as Rec).ja3, (r.tls as Rec).ja3, 'other EVE objects pass through')
  assertValid(tt, doc)
})

t.test('suricata alert metadata with MITRE keys → threat.*', async tt => {
  // The lab records carry no MITRE metadata: same real alert with ET-style MITRE keys added.
  const r = { ...s02[3], alert: { ...(s02[3].alert as Rec), metadata: { mitre_tactic_id: ['TA0043'], mitre_tactic_name: ['Reconnaissance'], mitre_technique_id: ['T1595'], mitre_technique_name: ['Active_Scanning'] } } }
  const doc = toEcs(eveEvent(r, 4))
  tt.strictSame(doc.threat, { framework: 'MITRE ATT&CK', tactic: { id: ['TA0043'], name: ['Reconnaissance'] }, technique: { id: ['T1595'], name: ['Active_Scanning'] } })
  tt.strictSame(doc.suricata?.eve.alert?.metadata, (r.alert as Rec).metadata, 'metadata kept as written')
  assertValid(tt, doc)
})

t.test('suricata http', async tt => {
  const doc = toEcs(eveEvent(s02[4], 5))
  tt.strictSame(doc.event.category, ['network', 'web'])
  tt.strictSame(doc.event.type, ['access', 'protocol'])
  tt.equal(doc.event.outcome, 'success')
  tt.equal(doc.network?.protocol, 'http')
  tt.strictSame(doc.http, { request: { method: 'GET' }, response: { status_code: 200, body: { bytes: 102 } } })
  tt.strictSame(doc.url, { original: '/about/', path: '/about/', domain: 'intranet.acme.example' })
  tt.equal(doc.destination?.domain, 'intranet.acme.example')
  tt.strictSame(doc.related, { hosts: ['intranet.acme.example'], ip: ['10.20.30.62', '10.1.10.20'] })
  tt.equal(doc.user_agent?.original, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')
  tt.strictSame(doc.suricata?.eve.http, { http_content_type: 'text/html', protocol: 'HTTP/1.1' })
  tt.equal(doc.suricata?.eve.tx_id, 0)
  assertValid(tt, doc)
})

t.test('suricata http status >= 400 is a failure', async tt => {
  const r = { ...s02[4], http: { ...(s02[4].http as Rec), status: 404, url: '/admin/?x=1#top' } }
  const doc = toEcs(eveEvent(r, 5))
  tt.equal(doc.event.outcome, 'failure')
  tt.strictSame(doc.url, { original: '/admin/?x=1#top', path: '/admin/', query: 'x=1', fragment: 'top', domain: 'intranet.acme.example' })
  assertValid(tt, doc)
})

t.test('suricata dns v2 query and answer', async tt => {
  const q = toEcs(eveEvent(s02[5], 6))
  tt.strictSame(q.dns, { id: '60555', type: 'query', question: { name: 'intranet.acme.example', type: 'A' } })
  tt.strictSame(q.event.type, ['protocol'])
  tt.equal(q.event.outcome, undefined)
  tt.equal(q.network?.protocol, 'dns')
  tt.strictSame(q.suricata?.eve.dns, { type: 'query', id: 60555, rrname: 'intranet.acme.example', rrtype: 'A', tx_id: 0, opcode: 0 })
  assertValid(tt, q)

  const a = toEcs(eveEvent(s02[6], 7))
  tt.equal(a['@timestamp'], '2026-11-26T19:38:49.987464Z')
  tt.strictSame(a.dns, {
    id: '60555',
    type: 'answer',
    header_flags: ['RD', 'RA'],
    question: { name: 'intranet.acme.example', type: 'A' },
    response_code: 'NOERROR',
    answers: [{ name: 'intranet.acme.example', type: 'A', ttl: 3600, data: '10.1.10.20' }],
    resolved_ip: ['10.1.10.20']
  })
  tt.strictSame(a.related?.ip, ['10.20.30.62', '10.1.10.53', '10.1.10.20'], 'resolved addresses are related')
  tt.equal(a.event.outcome, 'success')
  tt.strictSame(a.suricata?.eve.dns, { type: 'answer', id: 60555, opcode: 0, rrname: 'intranet.acme.example', rrtype: 'A', rcode: 'NOERROR' })
  assertValid(tt, a)
})

t.test('suricata event without a time: no @timestamp, still valid', async tt => {
  const ev = eveEvent(s02[0], 1)
  delete ev.time
  const doc = toEcs(ev)
  tt.notOk('@timestamp' in doc)
  assertValid(tt, doc)
})

// --- Zeek

const conn = jsonLines('zat-conn.log')

t.test('zeek conn SF (udp dns)', async tt => {
  const ev = zeekEvent(conn[0], 'conn', 1, 'zeek-json', { outcome: 'established' })
  const doc = toEcs(ev)
  tt.equal(doc['@timestamp'], '2019-12-03T22:45:22.764317Z')
  tt.strictSame(doc.event, {
    kind: 'event',
    module: 'zeek',
    dataset: 'zeek.connection',
    id: 'CWwU9s3h33kFsa9Ljg',
    duration: 268936, // round(0.0002689361572265625 s * 1e9)
    outcome: 'success',
    category: ['network'],
    type: ['connection', 'start', 'end']
  })
  tt.strictSame(doc.source, { address: '10.18.20.97', ip: '10.18.20.97', port: 59102, bytes: 114, packets: 1 }, 'source.bytes is orig_ip_bytes, as the integration maps it')
  tt.strictSame(doc.destination, { address: '10.18.20.8', ip: '10.18.20.8', port: 53, bytes: 187, packets: 1 })
  tt.strictSame(doc.network, { transport: 'udp', iana_number: '17', protocol: 'dns', bytes: 301, packets: 2 })
  tt.strictSame(doc.related, { ip: ['10.18.20.97', '10.18.20.8'] })
  tt.strictSame(doc.zeek, {
    session_id: 'CWwU9s3h33kFsa9Ljg',
    connection: { missed_bytes: 0, history: 'Dd', state: 'SF', state_message: 'Normal establishment and termination.' }
  })
  tt.equal(doc.suricata, undefined)
  tt.strictSame(doc.scantag, {})
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

t.test('zeek conn RSTR (tcp krb_tcp) with a community id', async tt => {
  const ev = zeekEvent(conn[1], 'conn', 2, 'zeek-json', {
    outcome: 'reset',
    communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    scantag: { community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', community_id_source: 'computed' }
  })
  const doc = toEcs(ev)
  tt.equal(doc.event.duration, 1230955)
  tt.strictSame(doc.event.type, ['connection', 'info'])
  tt.equal(doc.network?.protocol, 'krb_tcp')
  tt.equal(doc.network?.community_id, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=')
  tt.strictSame(doc.scantag, { community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', community_id_source: 'computed' })
  tt.equal(doc.zeek?.connection?.state_message, 'Responder sent a RST.')
  tt.strictSame(doc.zeek?.connection?.history, 'ShADdFar')
  assertValid(tt, doc)
})

t.test('zeek conn ICMP: type/code under zeek.connection.icmp, no ports', async tt => {
  // The zat sample has no ICMP; the first conn line with its protocol changed to icmp (8/0).
  const r = { ...conn[0], proto: 'icmp', service: undefined, 'id.orig_p': 8, 'id.resp_p': 0 }
  delete r.service
  const doc = toEcs(zeekEvent(r, 'conn', 1))
  tt.strictSame(doc.source, { address: '10.18.20.97', ip: '10.18.20.97', bytes: 114, packets: 1 })
  tt.equal(doc.destination?.port, undefined)
  tt.strictSame(doc.zeek?.connection?.icmp, { type: 8, code: 0 })
  tt.equal(doc.network?.iana_number, '1')
  assertValid(tt, doc)
})

t.test('zeek http', async tt => {
  const r = jsonLines('zat-http.log')[0]
  const doc = toEcs(zeekEvent(r, 'http', 1))
  tt.equal(doc['@timestamp'], '2019-12-03T22:45:55.938245Z')
  tt.strictSame(doc.event.category, ['network', 'web'])
  tt.strictSame(doc.event.type, ['connection', 'protocol', 'info'])
  tt.equal(doc.event.dataset, 'zeek.http')
  tt.equal(doc.event.action, 'GET')
  tt.equal(doc.event.outcome, 'success', '301 < 400')
  tt.strictSame(doc.http, { version: '1.1', request: { method: 'GET', body: { bytes: 0 } }, response: { status_code: 301, body: { bytes: 303 } } })
  tt.strictSame(doc.url, { original: '/', path: '/', domain: 'mail.aol.com' })
  tt.equal(doc.user_agent?.original, 'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko')
  tt.strictSame(doc.network, { transport: 'tcp', iana_number: '6', protocol: 'http' })
  tt.strictSame(doc.zeek, {
    session_id: 'Ctole83bPCuBlM7Xlk',
    http: { trans_depth: 1, status_msg: 'Redirect', tags: [], resp_fuids: ['FAbjvB2sWxQoaj6bye'], resp_mime_types: ['text/html'] }
  })
  assertValid(tt, doc)
})

t.test('zeek dns: answers, resolved_ip, rtt as duration', async tt => {
  const [a, nx] = jsonLines('zat-dns.log')
  const doc = toEcs(zeekEvent(a, 'dns', 1))
  tt.equal(doc.event.dataset, 'zeek.dns')
  tt.equal(doc.event.duration, 54906130, 'rtt in ns')
  tt.equal(doc.event.outcome, 'success')
  tt.strictSame(doc.dns, {
    id: '38266',
    type: 'answer',
    header_flags: ['RD', 'RA'],
    question: { name: 'mail.aol.com', type: 'A', class: 'IN' },
    response_code: 'NOERROR',
    answers: [{ data: 'geoycpi-uno.gycpi.b.yahoodns.net', ttl: 22 }, { data: '69.147.64.34', ttl: 274 }, { data: '69.147.64.33', ttl: 274 }],
    resolved_ip: ['69.147.64.34', '69.147.64.33']
  })
  tt.strictSame(doc.related?.ip, ['10.18.20.97', '10.18.20.8', '69.147.64.34', '69.147.64.33'])
  tt.equal(doc.network?.protocol, 'dns')
  const z = doc.zeek?.dns as Rec
  tt.equal(z.query, 'mail.aol.com')
  tt.equal(z.Z, undefined, 'Z removed as the integration does')
  tt.equal(z['id.orig_h'], undefined)
  tt.equal(z.ts, undefined)
  assertValid(tt, doc)

  const d2 = toEcs(zeekEvent(nx, 'dns', 2))
  tt.equal(d2.dns?.response_code, 'NXDOMAIN')
  tt.equal(d2.dns?.question?.type, 'SRV')
  tt.equal(d2.dns?.resolved_ip, undefined)
  tt.equal(d2.event.duration, undefined, 'no rtt without a reply')
  assertValid(tt, d2)
})

t.test('zeek weird', async tt => {
  const doc = toEcs(zeekEvent(jsonLines('zat-weird.log')[0], 'weird', 1))
  tt.equal(doc.event.dataset, 'zeek.weird')
  tt.strictSame(doc.event.type, ['info'])
  tt.strictSame(doc.rule, { name: 'unknown_dce_rpc_auth_type' })
  tt.strictSame(doc.zeek, { session_id: 'C2PkHY2U2D5K69yYA8', weird: { name: 'unknown_dce_rpc_auth_type', notice: false, peer: 'zeek', additional_info: '68' } })
  assertValid(tt, doc)
})

t.test('zeek notice (Bro 2.x TSV): an alert', async tt => {
  const r = zeekTsv(fixture('zat-notice.log'))[0]
  const doc = toEcs(zeekEvent(r, 'notice', 9, 'zeek-tsv'))
  tt.equal(doc['@timestamp'], '2013-09-15T23:44:51.491151Z')
  tt.equal(doc.event.kind, 'alert')
  tt.strictSame(doc.event.category, ['intrusion_detection'])
  tt.strictSame(doc.event.type, ['info', 'allowed'], 'dropped F')
  tt.strictSame(doc.rule, {
    name: 'TeamCymruMalwareHashRegistry::Match',
    description: 'Malware Hash Registry Detection rate: 14%  Last seen: 2013-09-15 19:31:01'
  })
  tt.strictSame(doc.file, { mime_type: 'application/x-dosexec' })
  tt.strictSame(doc.source, { address: '192.168.33.10', ip: '192.168.33.10', port: 1132 })
  tt.strictSame(doc.destination, { address: '108.59.9.32', ip: '108.59.9.32', port: 80 })
  const z = doc.zeek?.notice as Rec
  tt.equal(z.note, 'TeamCymruMalwareHashRegistry::Match')
  tt.strictSame(z.actions, ['Notice::ACTION_LOG'])
  tt.equal(z.src, undefined, 'src/dst/p equal to the endpoints are dropped')
  tt.equal(z.dst, undefined)
  tt.equal(z.p, undefined)
  tt.equal(z.proto, undefined)
  assertValid(tt, doc)
})

// --- Schema strictness

t.test('schema rejects wrong types', async tt => {
  const good = toEcs(eveEvent(s02[0], 1))
  tt.ok(validate(JSON.parse(JSON.stringify(good))), 'baseline is valid')
  const bad = (mutate: (d: Rec) => void): boolean => {
    const d = JSON.parse(JSON.stringify(good)) as Rec
    mutate(d)
    return validate(d)
  }
  const src = (d: Rec): Rec => d.source as Rec
  const event = (d: Rec): Rec => d.event as Rec
  tt.notOk(bad(d => { src(d).port = '40487' }), 'string port')
  tt.notOk(bad(d => { src(d).port = 70000 }), 'port out of range')
  tt.notOk(bad(d => { src(d).ip = 10 }), 'numeric ip')
  tt.notOk(bad(d => { d['@timestamp'] = '2026-11-26T19:39:54.491Z' }), 'timestamp without microseconds')
  tt.notOk(bad(d => { d['@timestamp'] = 1795808394.491609 }), 'timestamp as a number')
  tt.notOk(bad(d => { event(d).duration = 4000.5 }), 'fractional duration')
  tt.notOk(bad(d => { event(d).category = 'network' }), 'category not an array')
  tt.notOk(bad(d => { event(d).kind = 'signal' }), 'unknown event.kind')
  tt.notOk(bad(d => { event(d).dataset = 'zeek.conn' }), 'zeek dataset on a suricata event')
  tt.notOk(bad(d => { (d.network as Rec).iana_number = 6 }), 'iana_number as a number')
  tt.notOk(bad(d => { (d.network as Rec).community_id = 'FMBFvUnoeHMwX0U4QvJTdxiKM3I=' }), 'community id without version')
  tt.notOk(bad(d => { (d.related as Rec).ip = '10.20.30.41' }), 'related.ip not an array')
  tt.notOk(bad(d => { (d.related as Rec).ip = ['10.20.30.41', '10.20.30.41'] }), 'related.ip with duplicates')
  tt.notOk(bad(d => { src(d).bytes = null }), 'null value')
  tt.notOk(bad(d => { d.sourceip = '1.2.3.4' }), 'unknown top-level field')
  tt.notOk(bad(d => { delete d.scantag }), 'scantag missing')
  tt.notOk(bad(d => { ((d.suricata as Rec).eve as Rec).flow_id = 403090344247605 }), 'numeric flow_id')
})

t.test('a typed EcsDocument is a plain JSON value', async tt => {
  const doc: EcsDocument = toEcs(zeekEvent(conn[0], 'conn', 1))
  tt.strictSame(JSON.parse(JSON.stringify(doc)), doc)
})

// --- Endpoint telemetry: ProcessEvents built by hand from real records

const HOST = 'lnx-ws-041'
/** Sysmon/osquery times as written (`2026-11-26 19:39:12.101`, UTC) → epoch seconds. */
const utc = (s: string): number => {
  const t = parseIsoTime(s)
  if (t === undefined) throw new Error(`bad time ${s}`)
  return t
}
/** Sysmon's `-` means "no value". */
const val = (v: unknown): string | undefined => typeof v === 'string' && v !== '-' && v.length > 0 ? v : undefined
const ZERO_GUID = '{00000000-0000-0000-0000-000000000000}'

/** A flat (nxlog) Sysmon for Linux record → ProcessEvent, the few fields the mapping reads. */
function sysmonEvent (r: Rec, line: number): ProcessEvent {
  const eid = Number(r.EventID)
  const proc: ProcessEvent['process'] = { pid: Number(r.ProcessId), entityId: String(r.ProcessGuid), executable: String(r.Image) }
  proc.name = String(r.Image).slice(String(r.Image).lastIndexOf('/') + 1)
  const user = val(r.User); if (user !== undefined) proc.user = user
  const time = utc(String(r.UtcTime))
  const ev: ProcessEvent = {
    category: 'process', sensor: 'sysmon', format: 'sysmon', kind: `sysmon:${eid}`, action: 'other',
    time, host: { name: String(r.Hostname), os: 'linux' }, process: proc,
    input: 'sysmon.jsonl', line, original: r, raw: JSON.stringify(r), scantag: {}
  }
  if (eid === 1) {
    ev.action = 'start'
    proc.commandLine = String(r.CommandLine)
    proc.args = proc.commandLine.split(' ') // no quoting in these command lines
    proc.workingDirectory = String(r.CurrentDirectory)
    proc.start = time
    const parent: NonNullable<ProcessEvent['process']['parent']> = { pid: Number(r.ParentProcessId) }
    if (r.ParentProcessGuid !== ZERO_GUID) parent.entityId = String(r.ParentProcessGuid)
    const pimg = val(r.ParentImage)
    if (pimg !== undefined) { parent.executable = pimg; parent.name = pimg.slice(pimg.lastIndexOf('/') + 1) }
    const pcmd = val(r.ParentCommandLine); if (pcmd !== undefined) parent.commandLine = pcmd
    proc.parent = parent
  } else if (eid === 3) {
    const src = { ip: String(r.SourceIp), port: Number(r.SourcePort) }
    const dst = { ip: String(r.DestinationIp), port: Number(r.DestinationPort) }
    const initiated = r.Initiated === 'true'
    ev.action = initiated ? 'connect' : 'accept'
    ev.socket = { transport: String(r.Protocol), local: initiated ? src : dst, remote: initiated ? dst : src }
  }
  return ev
}

const sysmon = jsonLines('s02-sysmon.jsonl')

t.test('sysmon for linux EID 1: nmap -n -Pn -sT (lab s02)', async tt => {
  const r = sysmon[1]
  const before = JSON.stringify(r)
  const ev = sysmonEvent(r, 4)
  const doc = toEcs(ev)
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:12.101000Z')
  tt.strictSame(doc.event, {
    kind: 'event',
    module: 'sysmon_linux',
    dataset: 'sysmon_linux.log',
    category: ['process'],
    type: ['start'],
    action: 'Process creation', // the Windows integration's name; sysmon_linux itself writes a constant "log"
    code: '1',
    id: '4' // nxlog RecordNumber
  })
  tt.strictSame(doc.host, { name: HOST, os: { type: 'linux' } }, 'no host.os.family: the Linux distribution family is unknown')
  tt.strictSame(doc.process, {
    pid: 31242,
    entity_id: '{da57fbbf-8ae0-6b08-882f-edf0241f0000}',
    name: 'nmap',
    executable: '/usr/bin/nmap',
    command_line: 'nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24',
    args: ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'],
    args_count: 10,
    working_directory: '/home/dlee/work',
    start: '2026-11-26T19:39:12.101000Z',
    parent: {
      pid: 31200,
      entity_id: '{da57fbbf-8ad0-6b08-396b-91f675ca0000}',
      name: 'bash',
      executable: '/usr/bin/bash',
      command_line: '-bash --noprofile --norc'
    }
  })
  tt.strictSame(doc.user, { name: 'dlee' })
  tt.strictSame(doc.related, { user: ['dlee'], hosts: [HOST] })
  tt.equal(doc.source, undefined)
  tt.equal(doc.network, undefined)
  tt.strictSame(doc.sysmon, r, 'the record kept whole under sysmon')
  tt.equal(doc.zeek, undefined)
  tt.equal(doc.suricata, undefined)
  tt.strictSame(doc.scantag, {})
  tt.strictSame(Object.keys(doc)[0], '@timestamp')
  tt.strictSame(Object.keys(doc).at(-1), 'scantag')
  tt.equal(JSON.stringify(r), before, 'the record is not mutated')
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

t.test('sysmon EID 1 whose parent Sysmon did not see: parent pid only', async tt => {
  const doc = toEcs(sysmonEvent(sysmon[0], 1))
  tt.strictSame(doc.process?.parent, { pid: 31199 }, 'all-zero ParentProcessGuid and "-" ParentImage left out')
  tt.strictSame(doc.process?.args, ['-bash', '--noprofile', '--norc'])
  tt.equal(doc.event.id, '1')
  assertValid(tt, doc)
})

t.test('sysmon for linux EID 3: outbound connect, community id equals Suricata\'s for the same flow', async tt => {
  const doc = toEcs(sysmonEvent(sysmon[2], 5))
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:12.121000Z')
  tt.strictSame(doc.event, {
    kind: 'event',
    module: 'sysmon_linux',
    dataset: 'sysmon_linux.log',
    category: ['network'],
    type: ['connection', 'start'],
    action: 'Network connection',
    code: '3',
    id: '5'
  })
  tt.strictSame(doc.source, { address: '10.20.30.41', ip: '10.20.30.41', port: 50990 }, 'local side opened the connection')
  tt.strictSame(doc.destination, { address: '10.1.2.1', ip: '10.1.2.1', port: 80 })
  const flow = jsonLines('s02-eve-nmap-flow.json')[0]
  tt.strictSame(doc.network, {
    transport: 'tcp',
    iana_number: '6',
    community_id: flow.community_id, // 1:n6QOS8eF5i5caDiIeNmeXDrkJJQ=, written by Suricata for this connection
    direction: 'egress',
    type: 'ipv4'
  })
  tt.strictSame(doc.process, { pid: 31242, entity_id: '{da57fbbf-8ae0-6b08-882f-edf0241f0000}', name: 'nmap', executable: '/usr/bin/nmap' })
  tt.strictSame(doc.related, { ip: ['10.20.30.41', '10.1.2.1'], user: ['dlee'], hosts: [HOST] })
  assertNoNulls(tt, doc)
  assertValid(tt, doc)

  const seeded = toEcs(sysmonEvent(sysmon[2], 5), { communityIdSeed: 1 })
  tt.not(seeded.network?.community_id, doc.network?.community_id, 'communityIdSeed is used')
  tt.equal(seeded.network?.community_id, communityId(6, '10.20.30.41', '10.1.2.1', 50990, 80, 1))
})

t.test('windows sysmon EID 3 inbound (OTRF, Sentinel WindowsEvent): remote peer is source, DOMAIN\\user split', async tt => {
  const r = jsonLines('otrf-log4shell-sysmon-windowsevent.json')[0]
  const d = JSON.parse(String(r.EventData)) as Rec // Sentinel writes EventData as a JSON string
  const src = { ip: String(d.SourceIp), port: Number(d.SourcePort) }
  const dst = { ip: String(d.DestinationIp), port: Number(d.DestinationPort) }
  tt.equal(d.Initiated, 'false')
  const image = String(d.Image)
  const ev: ProcessEvent = {
    category: 'process', sensor: 'sysmon', format: 'sysmon', kind: 'sysmon:3', action: 'accept',
    time: utc(String(d.UtcTime)), host: { name: String(r.Computer), os: 'windows' },
    process: { pid: Number(d.ProcessId), entityId: String(d.ProcessGuid), executable: image, name: image.slice(image.lastIndexOf('\\') + 1), user: String(d.User) },
    socket: { transport: String(d.Protocol), local: dst, remote: src },
    input: 'sysmon.json', line: 1, original: r, scantag: {}
  }
  const doc = toEcs(ev)
  tt.equal(doc['@timestamp'], '2022-05-13T08:54:05.123000Z')
  tt.strictSame(doc.event, {
    kind: 'event', module: 'windows', dataset: 'windows.sysmon_operational',
    category: ['network'], type: ['connection', 'start'], action: 'Network connection', code: '3'
  }, 'no event.id: a Sentinel row carries no record id (EventOriginId is shared)')
  tt.strictSame(doc.host, { name: 'WORKSTATION5', os: { type: 'windows', family: 'windows' } })
  tt.strictSame(doc.user, { name: 'LOCAL SERVICE', domain: 'NT AUTHORITY' })
  tt.strictSame(doc.source, { address: '192.168.3.5', ip: '192.168.3.5', port: 50452 })
  tt.strictSame(doc.destination, { address: '192.168.2.5', ip: '192.168.2.5', port: 8080 })
  tt.strictSame(doc.network, {
    transport: 'tcp', iana_number: '6',
    community_id: communityId(6, '192.168.3.5', '192.168.2.5', 50452, 8080),
    direction: 'ingress', type: 'ipv4'
  })
  tt.equal(doc.process?.name, 'tomcat9.exe')
  tt.strictSame(doc.related, { ip: ['192.168.3.5', '192.168.2.5'], user: ['LOCAL SERVICE'], hosts: ['WORKSTATION5'] })
  tt.equal(doc.sysmon?.EventData, r.EventData, 'record kept as read')
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

// osquery (lab s02 osqueryd.results.log, event format with `columns`)

const osq = jsonLines('s02-osqueryd.results.log')

function osqueryEvent (r: Rec, line: number, action: ProcessEvent['action']): ProcessEvent {
  const c = r.columns as Rec
  const path = String(c.path)
  const proc: ProcessEvent['process'] = { pid: Number(c.pid), executable: path, name: path.slice(path.lastIndexOf('/') + 1) }
  if (typeof c.cmdline === 'string') {
    proc.commandLine = c.cmdline
    proc.args = c.cmdline.split(' ')
  }
  if (typeof c.cwd === 'string') proc.workingDirectory = c.cwd
  if (typeof c.uid === 'string') proc.user = c.uid // osquery has the uid only
  const start = c.start_time ?? (r.name === 'process_events' ? c.time : undefined)
  if (start !== undefined) {
    proc.start = Number(start)
    proc.entityId = `${HOST}|${String(c.pid)}|${String(start)}`
  }
  if (typeof c.parent === 'string') proc.parent = { pid: Number(c.parent) }
  const ev: ProcessEvent = {
    category: 'process', sensor: 'osquery', format: 'osquery', kind: `osquery:${String(r.name)}`, action,
    time: Number(r.unixTime), host: { name: String(r.hostIdentifier), os: 'linux' }, process: proc,
    input: 'osqueryd.results.log', line, original: r, scantag: {}
  }
  if (r.name === 'socket_events') {
    ev.socket = { transport: c.protocol === '6' ? 'tcp' : String(c.protocol), remote: { ip: String(c.remote_address), port: Number(c.remote_port) } }
  }
  return ev
}

t.test('osquery process_events: nmap execve', async tt => {
  const r = osq[0]
  const doc = toEcs(osqueryEvent(r, 8, 'start'))
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:12.000000Z')
  tt.strictSame(doc.event, {
    kind: 'event', module: 'osquery', dataset: 'osquery.result',
    category: ['process'], type: ['start'], action: 'added' // the result's action, as the osquery integration sets it
  })
  tt.strictSame(doc.rule, { name: 'process_events' }, 'the query name, as the integration sets it')
  tt.strictSame(doc.process, {
    pid: 31242,
    entity_id: 'lnx-ws-041|31242|1795721952',
    name: 'nmap',
    executable: '/usr/bin/nmap',
    command_line: 'nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24',
    args: ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'],
    args_count: 10,
    working_directory: '/home/dlee/work',
    start: '2026-11-26T19:39:12.000000Z',
    parent: { pid: 31200 }
  })
  tt.strictSame(doc.user, { id: '1001' }, 'a bare uid is user.id, not user.name')
  tt.strictSame(doc.related, { user: ['1001'], hosts: [HOST] })
  const res = doc.osquery?.result as Rec
  tt.equal(res.host_identifier, HOST)
  tt.equal(res.unix_time, 1795721952)
  tt.equal(res.calendar_time, 'Thu Nov 26 19:39:12 2026 UTC')
  tt.equal(res.hostIdentifier, undefined, 'renamed as the integration does')
  tt.equal((res.columns as Rec).env, undefined, 'empty column values left out')
  tt.equal((res.columns as Rec).overflows, undefined)
  tt.equal((res.columns as Rec).cmdline, 'nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24')
  tt.strictSame(res.decorations, r.decorations)
  tt.equal((r.columns as Rec).env, '', 'the event is not mutated')
  tt.equal(r.hostIdentifier, HOST)
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

t.test('osquery socket_events connect: unbound local side left out', async tt => {
  const doc = toEcs(osqueryEvent(osq[1], 9, 'connect'))
  tt.strictSame(doc.event.category, ['network'])
  tt.strictSame(doc.event.type, ['connection', 'start'])
  tt.equal(doc.event.action, 'added')
  tt.equal(doc.source, undefined)
  tt.strictSame(doc.destination, { address: '10.1.2.1', ip: '10.1.2.1', port: 80 })
  tt.strictSame(doc.network, { transport: 'tcp', iana_number: '6', direction: 'egress', type: 'ipv4' }, 'no community id without the local side')
  tt.strictSame(doc.related, { ip: ['10.1.2.1'], hosts: [HOST] })
  tt.equal(((doc.osquery?.result as Rec).columns as Rec).local_address, undefined)
  tt.equal(((doc.osquery?.result as Rec).columns as Rec).action, 'connect', 'the socket action stays in the record')
  assertValid(tt, doc)
})

t.test('osquery processes (differential snapshot row): process info', async tt => {
  const doc = toEcs(osqueryEvent(osq[2], 33, 'snapshot'))
  tt.strictSame(doc.event.category, ['process'])
  tt.strictSame(doc.event.type, ['info'])
  tt.equal(doc.rule?.name, 'processes')
  tt.equal(doc.process?.start, '2026-11-26T19:39:12.000000Z')
  assertValid(tt, doc)
})

// auditd (lab s02 audit.log, ENRICHED format)

/** The lines of one audit event → the parsed shape `lib/parse/auditd.ts` keeps as `original` (raw fields only, enough here). */
function auditOriginal (lines: string[]): Rec {
  const records: Rec[] = []
  let node = ''
  let timestamp = ''
  let serial = 0
  for (const line of lines) {
    const raw = line.split('\x1d')[0]
    const rec: Rec = {}
    for (const tok of raw.split(' ')) {
      const eq = tok.indexOf('=')
      if (eq < 0) continue
      const k = tok.slice(0, eq)
      let v = tok.slice(eq + 1)
      if (k === 'node') { node = v; continue }
      if (k === 'msg') {
        const m = v.slice(6, -2).split(':') // audit(1795721952.101:7941):
        timestamp = m[0]; serial = Number(m[1]); continue
      }
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1)
      rec[k] = v
    }
    records.push(rec)
  }
  return { node, timestamp, serial, records }
}

const auditLines = fixture('s02-audit.log').split('\n').filter(l => l.length > 0)

t.test('auditd execve of nmap: auditd_manager shape', async tt => {
  const original = auditOriginal(auditLines.slice(0, 6))
  const args = ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24']
  const time = 1795721952.101
  const ev: ProcessEvent = {
    category: 'process', sensor: 'auditd', format: 'auditd', kind: 'auditd:execve', action: 'start', time,
    host: { name: HOST, os: 'linux' },
    process: {
      pid: 31242, executable: '/usr/bin/nmap', name: 'nmap', user: 'dlee', parent: { pid: 31200 },
      args, commandLine: args.join(' '), workingDirectory: '/home/dlee/work', start: time, entityId: `${HOST}|31242|1795721952.101`
    },
    input: 'audit.log', line: 24, original, raw: auditLines.slice(0, 6).join('\n'), scantag: {}
  }
  const doc = toEcs(ev)
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:12.101000Z')
  tt.strictSame(doc.event, {
    kind: 'event', module: 'auditd', dataset: 'auditd_manager.auditd',
    category: ['process'], type: ['start'], action: 'executed', // go-libaudit's name for execve
    id: '1795721952.101:7941', sequence: 7941
  })
  tt.equal(doc.process?.entity_id, 'lnx-ws-041|31242|1795721952.101')
  tt.equal(doc.process?.args_count, 10)
  tt.strictSame(doc.user, { name: 'dlee' })
  tt.strictSame(doc.auditd, original)
  tt.equal((doc.auditd?.records as Rec[]).length, 6)
  assertValid(tt, doc)
})

t.test('auditd connect (EINPROGRESS): destination from the sockaddr, no transport in the audit trail', async tt => {
  const original = auditOriginal(auditLines.slice(6))
  tt.equal(original.serial, 7943)
  const ev: ProcessEvent = {
    category: 'process', sensor: 'auditd', format: 'auditd', kind: 'auditd:connect', action: 'connect', time: 1795721952.121,
    host: { name: HOST, os: 'linux' },
    process: { pid: 31242, executable: '/usr/bin/nmap', name: 'nmap', user: 'dlee', parent: { pid: 31200 } },
    socket: { remote: { ip: '10.1.2.1', port: 80 } },
    input: 'audit.log', line: 32, original, scantag: {}
  }
  const doc = toEcs(ev)
  tt.strictSame(doc.event.category, ['network'])
  tt.strictSame(doc.event.type, ['connection', 'start'])
  tt.equal(doc.event.action, 'connected-to')
  tt.equal(doc.source, undefined)
  tt.strictSame(doc.destination, { address: '10.1.2.1', ip: '10.1.2.1', port: 80 })
  tt.strictSame(doc.network, { direction: 'egress', type: 'ipv4' })
  assertValid(tt, doc)
})

t.test('ECS endpoint document (inline, invented): module endpoint, the document as event.original', async tt => {
  const original: Rec = {
    '@timestamp': '2026-11-26T19:39:12.101Z',
    event: { action: 'exec', category: ['process'], type: ['start'], id: 'MhOmMVaL4+Z0LwCn++++++3F' },
    process: { pid: 31242, entity_id: 'NzU5YjFlMDYtNjZjNi00ZWYx', executable: '/usr/bin/nmap' },
    host: { name: HOST }
  }
  const raw = JSON.stringify(original)
  const ev: ProcessEvent = {
    category: 'process', sensor: 'elastic', format: 'ecs', kind: 'ecs:process', action: 'start', time: 1795721952.101,
    host: { name: HOST }, process: { pid: 31242, entityId: 'NzU5YjFlMDYtNjZjNi00ZWYx', executable: '/usr/bin/nmap', name: 'nmap' },
    input: 'endpoint.ndjson', line: 1, original, raw, scantag: {}
  }
  const doc = toEcs(ev)
  tt.strictSame(doc.event, {
    kind: 'event', module: 'endpoint', dataset: 'endpoint.events.process',
    category: ['process'], type: ['start'], action: 'exec', id: 'MhOmMVaL4+Z0LwCn++++++3F', original: raw
  })
  assertValid(tt, doc)
  const fileDoc: Rec = { ...original, event: { category: ['file', 'bogus'], type: 'creation' } }
  const other = toEcs({ ...ev, kind: 'ecs:file', action: 'other', raw: undefined, original: fileDoc })
  tt.equal(other.event.dataset, 'endpoint.events.file')
  tt.strictSame(other.event.category, ['file'], 'the document\'s own categorization, unknown values dropped')
  tt.strictSame(other.event.type, ['creation'])
  tt.equal(other.event.action, undefined)
  tt.equal(other.event.original, JSON.stringify(fileDoc), 'serialized when there is no line text')
  assertValid(tt, other)
})

// --- Flow-to-process attribution

/** What attribution writes on the flow that nmap's Sysmon EID 3 matched (hand-set, values from the s02 Sysmon records). */
function attributed (): NetworkEvent {
  const ev = eveEvent(jsonLines('s02-eve-nmap-flow.json')[0], 1421, { outcome: 'rejected' })
  const scantag: ScantagFields = {
    community_id: '1:n6QOS8eF5i5caDiIeNmeXDrkJJQ=',
    community_id_source: 'sensor',
    process: {
      entity_id: '{da57fbbf-8ae0-6b08-882f-edf0241f0000}',
      pid: 31242,
      name: 'nmap',
      executable: '/usr/bin/nmap',
      command_line: 'nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24',
      args: ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'],
      working_directory: '/home/dlee/work',
      start: '2026-11-26T19:39:12.101000Z',
      parent: { pid: 31200, entity_id: '{da57fbbf-8ad0-6b08-396b-91f675ca0000}', executable: '/usr/bin/bash', command_line: '-bash --noprofile --norc' },
      lineage: [{ entity_id: '{da57fbbf-8ad0-6b08-396b-91f675ca0000}', pid: 31200, name: 'bash', executable: '/usr/bin/bash' }]
    },
    user: { name: 'dlee' },
    host: { name: HOST },
    attribution: { method: 'exact', rule: 'five-tuple', confidence: 0.99, skew: -0.004634, reason: 'Sysmon event 3 on lnx-ws-041 has this five-tuple.' }
  }
  ev.scantag = scantag
  return ev
}

t.test('attributed suricata flow: process, user and host written, scantag unchanged', async tt => {
  const ev = attributed()
  const before = JSON.stringify(ev.scantag)
  const doc = toEcs(ev)
  tt.equal(doc.event.module, 'suricata')
  tt.strictSame(doc.event.category, ['network'])
  tt.strictSame(doc.process, {
    pid: 31242,
    entity_id: '{da57fbbf-8ae0-6b08-882f-edf0241f0000}',
    name: 'nmap',
    executable: '/usr/bin/nmap',
    command_line: 'nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24',
    args: ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'],
    args_count: 10,
    working_directory: '/home/dlee/work',
    start: '2026-11-26T19:39:12.101000Z',
    parent: { pid: 31200, entity_id: '{da57fbbf-8ad0-6b08-396b-91f675ca0000}', executable: '/usr/bin/bash', command_line: '-bash --noprofile --norc' }
  }, 'ECS process without the scantag-only lineage')
  tt.strictSame(doc.user, { name: 'dlee' })
  tt.strictSame(doc.host, { name: HOST }, 'host: the endpoint the flow came from')
  tt.strictSame(doc.related, { ip: ['10.20.30.41', '10.1.2.1'], user: ['dlee'], hosts: [HOST] })
  tt.equal(doc.scantag, ev.scantag, 'the scantag object itself')
  tt.equal(JSON.stringify(doc.scantag), before, 'unchanged')
  tt.equal(doc.scantag.process?.lineage?.[0].name, 'bash')
  tt.equal(doc.scantag.attribution?.rule, 'five-tuple')
  tt.strictSame(doc.source, { address: '10.20.30.41', ip: '10.20.30.41', port: 50990, bytes: 74, packets: 1 })
  tt.equal(doc.suricata?.eve.event_type, 'flow')
  tt.equal(doc.network?.community_id, toEcs(sysmonEvent(sysmon[2], 5)).network?.community_id, 'joins the Sysmon EID 3 document')
  tt.strictSame(Object.keys(doc).at(-1), 'scantag')
  assertNoNulls(tt, doc)
  assertValid(tt, doc)
})

t.test('attribution edge cases: uid, non-micro start, no process means no ECS process', async tt => {
  const ev = attributed()
  ev.scantag.user = { name: '1001' }
  if (ev.scantag.process !== undefined) ev.scantag.process.start = '2026-11-26T19:39:12.101Z'
  const doc = toEcs(ev)
  tt.strictSame(doc.user, { id: '1001' })
  tt.strictSame(doc.related?.user, ['1001'])
  tt.equal(doc.process?.start, '2026-11-26T19:39:12.101000Z', 'normalized to microseconds')
  assertValid(tt, doc)

  const plain = toEcs(eveEvent(jsonLines('s02-eve-nmap-flow.json')[0], 1421))
  tt.equal(plain.process, undefined)
  tt.equal(plain.user, undefined)
  tt.equal(plain.host, undefined)
  tt.strictSame(plain.related, { ip: ['10.20.30.41', '10.1.2.1'] })

  const zk = toEcs(zeekEvent(conn[0], 'conn', 1, 'zeek-json', { scantag: { process: { entity_id: 'x', pid: 7 }, host: { name: 'h1' } } }))
  tt.strictSame(zk.process, { pid: 7, entity_id: 'x' })
  tt.strictSame(zk.host, { name: 'h1' })
  tt.equal(zk.user, undefined)
  assertValid(tt, zk)
})

// --- Schema strictness for endpoint and attributed documents

t.test('schema rejects malformed process documents', async tt => {
  const good = toEcs(sysmonEvent(sysmon[1], 4))
  const conn3 = toEcs(sysmonEvent(sysmon[2], 5))
  const flow = toEcs(attributed())
  tt.ok(validate(JSON.parse(JSON.stringify(good))), 'baseline is valid')
  const bad = (base: EcsDocument, mutate: (d: Rec) => void): boolean => {
    const d = JSON.parse(JSON.stringify(base)) as Rec
    mutate(d)
    return validate(d)
  }
  const proc = (d: Rec): Rec => d.process as Rec
  const event = (d: Rec): Rec => d.event as Rec
  tt.notOk(bad(good, d => { proc(d).pid = '31242' }), 'process.pid as a string')
  tt.notOk(bad(good, d => { proc(d).pid = -1 }), 'negative pid')
  tt.notOk(bad(good, d => { (proc(d).parent as Rec).pid = 31200.5 }), 'fractional parent pid')
  tt.notOk(bad(good, d => { proc(d).start = '2026-11-26T19:39:12.101Z' }), 'process.start without microseconds')
  tt.notOk(bad(good, d => { proc(d).args = 'nmap -n' }), 'args not an array')
  tt.notOk(bad(good, d => { delete proc(d).args_count }), 'args without args_count')
  tt.notOk(bad(good, d => { proc(d).ppid = 31200 }), 'unknown process field')
  tt.notOk(bad(good, d => { proc(d).lineage = [] }), 'lineage belongs to scantag.process')
  tt.notOk(bad(good, d => { d.user = 'dlee' }), 'user as a string')
  tt.notOk(bad(good, d => { (d.host as Rec).ip = '10.20.30.41' }), 'host.ip not an array')
  tt.notOk(bad(good, d => { ((d.host as Rec).os as Rec).type = 'Linux' }), 'host.os.type outside ECS values')
  tt.notOk(bad(good, d => { (d.related as Rec).user = ['dlee', 'dlee'] }), 'related.user with duplicates')
  tt.notOk(bad(good, d => { event(d).code = 'one' }), 'non-numeric event.code')
  tt.notOk(bad(good, d => { event(d).category = ['process', 'malware'] }), 'unknown category')
  tt.notOk(bad(good, d => { event(d).dataset = 'windows.sysmon_operational' }), 'windows dataset on a sysmon_linux document')
  tt.notOk(bad(good, d => { event(d).module = 'sysmon' }), 'unknown module')
  tt.notOk(bad(good, d => { delete d.sysmon }), 'sysmon record missing')
  tt.notOk(bad(good, d => { d.zeek = { session_id: 'C1' } }), 'process document with a zeek object')
  tt.notOk(bad(good, d => { d.suricata = { eve: {} } }), 'process document with a suricata object')
  tt.notOk(bad(good, d => { d.auditd = { records: [] } }), 'sysmon document with an auditd object')
  tt.notOk(bad(good, d => { proc(d).pid = null }), 'null pid')
  tt.notOk(bad(conn3, d => { (d.network as Rec).direction = 'sideways' }), 'unknown network.direction')
  tt.notOk(bad(conn3, d => { (d.network as Rec).type = 'ipv5' }), 'unknown network.type')
  tt.notOk(bad(conn3, d => { (d.source as Rec).port = '50990' }), 'string port')
  tt.ok(validate(JSON.parse(JSON.stringify(flow))), 'attributed flow is valid')
  tt.notOk(bad(flow, d => { delete (d.scantag as Rec).process }), 'ECS process on a flow without scantag.process')
  tt.notOk(bad(flow, d => { ((d.scantag as Rec).process as Rec).pid = '31242' }), 'scantag.process.pid as a string')
  tt.notOk(bad(flow, d => { ((d.scantag as Rec).attribution as Rec).confidence = 1.5 }), 'confidence above 1')
  tt.notOk(bad(flow, d => { ((d.scantag as Rec).attribution as Rec).method = 'guess' }), 'unknown attribution method')
  tt.notOk(bad(flow, d => { d.sysmon = { EventID: 3 } }), 'flow with a sysmon record')
  tt.notOk(bad(flow, d => { event(d).sequence = 1 }), 'event.sequence on a network document')
  const osqDoc = toEcs(osqueryEvent(osq[0], 8, 'start'))
  tt.ok(validate(JSON.parse(JSON.stringify(osqDoc))), 'osquery baseline is valid')
  tt.notOk(bad(osqDoc, d => { ((d.osquery as Rec).result as Rec).hostIdentifier = HOST }), 'osquery key not renamed')
  tt.notOk(bad(osqDoc, d => { (((d.osquery as Rec).result as Rec).columns as Rec).env = '' }), 'empty osquery column kept')
  tt.notOk(bad(osqDoc, d => { delete d.osquery }), 'osquery record missing')
  tt.notOk(bad(osqDoc, d => { event(d).dataset = 'osquery_manager.result' }), 'wrong osquery dataset')
})

// --- ATT&CK labels → threat.*

/** Hand-set labels, as the engine writes them for 10.20.30.41's sweep of 10.1.2.0/24 (lab s02). */
const sweepLabel: Label = {
  technique: 'T1595',
  subtechnique: 'T1595.001',
  name: 'Scanning IP Blocks',
  tactic: 'TA0043',
  confidence: 0.9,
  correlator: 'horizontal-sweep',
  detection: 'det-5e0c1f2a9b3d4e67',
  reason: '10.20.30.41 probed 7 addresses of 10.1.2.0/24 on 3 ports in 20.3 s, 71% unanswered or rejected.'
}
/** The companion T1046 label: 10.20.30.41 is inside the home network. */
const internalLabel: Label = {
  technique: 'T1046',
  subtechnique: null,
  name: 'Network Service Discovery',
  tactic: 'TA0007',
  confidence: 0.9,
  correlator: 'horizontal-sweep',
  detection: 'det-5e0c1f2a9b3d4e67',
  reason: '10.20.30.41 probed 7 addresses of 10.1.2.0/24 on 3 ports in 20.3 s, 71% unanswered or rejected.'
}

/** threat.* for T1595.001 + T1046, as ECS and Elastic Security write it. */
const SWEEP_THREAT = {
  framework: 'MITRE ATT&CK',
  tactic: {
    id: ['TA0043', 'TA0007'],
    name: ['Reconnaissance', 'Discovery'],
    reference: ['https://attack.mitre.org/tactics/TA0043/', 'https://attack.mitre.org/tactics/TA0007/']
  },
  technique: {
    id: ['T1595', 'T1046'],
    name: ['Active Scanning', 'Network Service Discovery'],
    reference: ['https://attack.mitre.org/techniques/T1595/', 'https://attack.mitre.org/techniques/T1046/'],
    subtechnique: {
      id: ['T1595.001'],
      name: ['Scanning IP Blocks'],
      reference: ['https://attack.mitre.org/techniques/T1595/001/']
    }
  }
}

t.test('labelled suricata flow (T1595.001 + T1046): threat.* keyword arrays, event and scantag unchanged', async tt => {
  const ev = eveEvent(s02[1], 2, { outcome: 'unanswered' }) // SYN to 10.1.2.131:445, no reply
  ev.scantag.labels = [sweepLabel, internalLabel]
  const before = JSON.stringify(ev.scantag)
  const doc = toEcs(ev)
  tt.strictSame(doc.threat, SWEEP_THREAT)
  tt.equal(doc.event.kind, 'event', 'a labelled flow stays an event: the alert is the detection record')
  tt.strictSame(doc.event.category, ['network'], 'no intrusion_detection on a flow record')
  tt.strictSame(doc.event.type, ['connection', 'start'])
  tt.equal(doc.scantag, ev.scantag, 'the scantag object itself')
  tt.equal(JSON.stringify(doc.scantag), before, 'labels unchanged')
  tt.strictSame(doc.scantag.labels, [sweepLabel, internalLabel])
  tt.strictSame(Object.keys(doc).at(-1), 'scantag')
  const { scantag: _scantag, ...ecsFields } = doc
  assertNoNulls(tt, ecsFields) // scantag is the model's own: a label without sub-technique says null
  assertValid(tt, doc)
})

t.test('labelled zeek conn (one label): arrays of one, as ECS normalizes keyword fields', async tt => {
  const label: Label = { ...sweepLabel, subtechnique: 'T1595.002', name: 'Vulnerability Scanning', detection: undefined }
  delete label.detection
  const doc = toEcs(zeekEvent(conn[1], 'conn', 2, 'zeek-json', { scantag: { labels: [label] } }))
  tt.strictSame(doc.threat, {
    framework: 'MITRE ATT&CK',
    tactic: { id: ['TA0043'], name: ['Reconnaissance'], reference: ['https://attack.mitre.org/tactics/TA0043/'] },
    technique: {
      id: ['T1595'],
      name: ['Active Scanning'],
      reference: ['https://attack.mitre.org/techniques/T1595/'],
      subtechnique: { id: ['T1595.002'], name: ['Vulnerability Scanning'], reference: ['https://attack.mitre.org/techniques/T1595/002/'] }
    }
  })
  tt.equal(doc.event.kind, 'event')
  assertValid(tt, doc)
})

t.test('technique-level label (subtechnique null): no threat.technique.subtechnique; duplicates merged', async tt => {
  const evidence: Label = { ...sweepLabel, subtechnique: null, name: 'Active Scanning', correlator: 'scanner-user-agent' }
  const doc = toEcs(eveEvent(s02[4], 5, { scantag: { labels: [evidence, { ...evidence, correlator: 'alert-signature', confidence: 0.6 }] } }))
  tt.strictSame(doc.threat, {
    framework: 'MITRE ATT&CK',
    tactic: { id: ['TA0043'], name: ['Reconnaissance'], reference: ['https://attack.mitre.org/tactics/TA0043/'] },
    technique: { id: ['T1595'], name: ['Active Scanning'], reference: ['https://attack.mitre.org/techniques/T1595/'] }
  })
  tt.strictSame(doc.event.category, ['network', 'web'], 'an http event keeps its categorization')
  assertValid(tt, doc)
  const empty = toEcs(eveEvent(s02[4], 5, { scantag: { labels: [] } }))
  tt.equal(empty.threat, undefined, 'an empty label list writes no threat')
  assertValid(tt, empty)
})

t.test('labelled suricata alert with MITRE rule metadata: both kept, deduplicated, parallel arrays', async tt => {
  const metadata = { mitre_tactic_id: ['TA0043'], mitre_tactic_name: ['Reconnaissance'], mitre_technique_id: ['T1595'], mitre_technique_name: ['Active_Scanning'] }
  const r = { ...s02[3], alert: { ...(s02[3].alert as Rec), metadata } }
  const doc = toEcs(eveEvent(r, 4, { scantag: { labels: [sweepLabel, internalLabel] } }))
  tt.strictSame(doc.threat, {
    framework: 'MITRE ATT&CK',
    tactic: {
      id: ['TA0043', 'TA0007'],
      name: ['Reconnaissance', 'Discovery'],
      reference: ['https://attack.mitre.org/tactics/TA0043/', 'https://attack.mitre.org/tactics/TA0007/']
    },
    technique: {
      id: ['T1595', 'T1046'],
      name: ['Active_Scanning', 'Network Service Discovery'], // the sensor's name for T1595 wins
      reference: ['https://attack.mitre.org/techniques/T1595/', 'https://attack.mitre.org/techniques/T1046/'],
      subtechnique: { id: ['T1595.001'], name: ['Scanning IP Blocks'], reference: ['https://attack.mitre.org/techniques/T1595/001/'] }
    }
  })
  tt.equal(doc.event.kind, 'alert', 'the alert stays an alert')
  tt.strictSame(doc.event.category, ['network', 'intrusion_detection'])
  tt.strictSame(doc.suricata?.eve.alert?.metadata, metadata, 'rule metadata kept as written')
  assertValid(tt, doc)

  // Metadata naming another technique: the sensor's entries first, then the labels'.
  const other = { mitre_tactic_id: ['TA0007'], mitre_tactic_name: ['Discovery'], mitre_technique_id: ['T1046'], mitre_technique_name: ['Network_Service_Discovery'] }
  const r2 = { ...s02[3], alert: { ...(s02[3].alert as Rec), metadata: other } }
  const doc2 = toEcs(eveEvent(r2, 4, { scantag: { labels: [sweepLabel] } }))
  tt.strictSame(doc2.threat?.tactic, {
    id: ['TA0007', 'TA0043'],
    name: ['Discovery', 'Reconnaissance'],
    reference: ['https://attack.mitre.org/tactics/TA0007/', 'https://attack.mitre.org/tactics/TA0043/']
  })
  tt.strictSame(doc2.threat?.technique?.id, ['T1046', 'T1595'])
  tt.strictSame(doc2.threat?.technique?.name, ['Network_Service_Discovery', 'Active Scanning'])
  tt.strictSame(doc2.threat?.technique?.subtechnique?.id, ['T1595.001'])
  assertValid(tt, doc2)
})

t.test('rule metadata without labels: the Suricata integration\'s mapping, ids checked and placed by form', async tt => {
  tt.strictSame(ecsThreat(undefined, {
    mitre_tactic_id: ['ta0043', 'TA0043', 'recon'],
    mitre_tactic_name: ['Reconnaissance', 'Reconnaissance', 'Recon'],
    mitre_technique_id: ['T1595.002'],
    mitre_technique_name: ['Vulnerability_Scanning']
  }), {
    framework: 'MITRE ATT&CK',
    tactic: { id: ['TA0043'], name: ['Reconnaissance', 'Recon'] }, // upper-cased and deduplicated; a non-id left out, its name kept
    technique: { id: ['T1595'], subtechnique: { id: ['T1595.002'], name: ['Vulnerability_Scanning'] } }
  })
  tt.strictSame(ecsThreat([], { mitre_attack: ['TA0043'] }), { framework: 'MITRE ATT&CK', tactic: { id: ['TA0043'] } }, 'mitre_attack: tactic ids')
  tt.strictSame(ecsThreat(undefined, { mitre_tactic_name: ['Reconnaissance'], mitre_technique_id: ['T1595', 'T1046'], mitre_technique_name: ['Active_Scanning'] }), {
    framework: 'MITRE ATT&CK',
    tactic: { name: ['Reconnaissance'] },
    technique: { id: ['T1595', 'T1046'], name: ['Active_Scanning'] }
  }, 'unpaired names are kept as written')
  tt.equal(ecsThreat(undefined, { confidence: ['Low'], mitre_technique_id: ['none'] }), undefined, 'nothing that maps')
  const r = { ...s02[3], alert: { ...(s02[3].alert as Rec), metadata: { mitre_technique_id: ['T1595.002', 'bogus'] } } }
  const doc = toEcs(eveEvent(r, 4))
  tt.strictSame(doc.threat, { framework: 'MITRE ATT&CK', technique: { id: ['T1595'], subtechnique: { id: ['T1595.002'] } } })
  assertValid(tt, doc)
})

t.test('threat names and references agree with the ATT&CK table the correlators label with', async tt => {
  for (const sub of Object.values(SUBTECHNIQUES)) {
    const th = ecsThreat([{ tactic: 'TA0043', technique: 'T1595', subtechnique: sub.id }])
    tt.strictSame(th?.technique?.subtechnique, { id: [sub.id], name: [sub.name], reference: [sub.reference] }, sub.id)
  }
  const th = ecsThreat([{ tactic: 'TA0043', technique: 'T1595', subtechnique: null }, { tactic: 'TA0007', technique: 'T1046', subtechnique: null }])
  tt.strictSame(th?.tactic, { id: [TACTICS.TA0043.id, TACTICS.TA0007.id], name: [TACTICS.TA0043.name, TACTICS.TA0007.name], reference: [TACTICS.TA0043.reference, TACTICS.TA0007.reference] })
  tt.strictSame(th?.technique, { id: [TECHNIQUES.T1595.id, TECHNIQUES.T1046.id], name: [TECHNIQUES.T1595.name, TECHNIQUES.T1046.name], reference: [TECHNIQUES.T1595.reference, TECHNIQUES.T1046.reference] })
})

t.test('labelled process event (sysmon EID 1, nmap): threat.*, event.kind unchanged', async tt => {
  const ev = sysmonEvent(sysmon[1], 4)
  ev.scantag.labels = [sweepLabel, internalLabel]
  const doc = toEcs(ev)
  tt.strictSame(doc.threat, SWEEP_THREAT)
  tt.equal(doc.event.kind, 'event')
  tt.strictSame(doc.event.category, ['process'])
  tt.equal(doc.scantag, ev.scantag)
  assertValid(tt, doc)
})

t.test('schema: threat.* and scantag.labels are strict', async tt => {
  const ev = eveEvent(s02[1], 2, { outcome: 'unanswered' })
  ev.scantag.labels = [sweepLabel, internalLabel]
  const base = toEcs(ev)
  const check = (mutate: (d: Rec) => void): boolean => {
    const d = JSON.parse(JSON.stringify(base)) as Rec
    mutate(d)
    return validate(d)
  }
  const threat = (d: Rec): Rec => d.threat as Rec
  const tech = (d: Rec): Rec => threat(d).technique as Rec
  const sub = (d: Rec): Rec => tech(d).subtechnique as Rec
  const labels = (d: Rec): Rec[] => (d.scantag as Rec).labels as Rec[]
  tt.ok(check(() => {}), 'baseline is valid')
  tt.ok(check(d => { (threat(d).tactic as Rec).id = 'TA0043'; (threat(d).tactic as Rec).name = 'Reconnaissance'; (threat(d).tactic as Rec).reference = 'https://attack.mitre.org/tactics/TA0043/' }), 'a single keyword as a string is ECS too')
  tt.notOk(check(d => { sub(d).id = ['T1595.4'] }), 'sub-technique id T1595.4')
  tt.notOk(check(d => { sub(d).id = 'T1595.4' }), 'sub-technique id T1595.4 as a string')
  tt.notOk(check(d => { tech(d).id = ['T1595.001', 'T1046'] }), 'a sub-technique id among technique ids')
  tt.notOk(check(d => { (threat(d).tactic as Rec).id = ['TA43', 'TA0007'] }), 'malformed tactic id')
  tt.notOk(check(d => { (threat(d).tactic as Rec).id = [] }), 'empty id array')
  tt.notOk(check(d => { (threat(d).tactic as Rec).id = ['TA0043', 'TA0043'] }), 'duplicate ids')
  tt.notOk(check(d => { sub(d).reference = ['https://attack.mitre.org/techniques/T1595.001/'] }), 'sub-technique reference in the wrong form')
  tt.notOk(check(d => { tech(d).reference = ['https://example.com/T1595'] }), 'reference outside ATT&CK')
  tt.notOk(check(d => { threat(d).framework = 'ATT&CK' }), 'other framework name')
  tt.notOk(check(d => { threat(d).indicator = {} }), 'unknown threat field')
  tt.notOk(check(d => { d.threat = { framework: 'MITRE ATT&CK' } }), 'framework alone')
  tt.notOk(check(d => { delete sub(d).id; delete sub(d).name; delete sub(d).reference }), 'empty subtechnique object')
  tt.notOk(check(d => { delete tech(d).id }), 'subtechnique without technique id')
  tt.notOk(check(d => { delete d.threat }), 'labels without threat.*')
  tt.notOk(check(d => { labels(d)[0].subtechnique = 'T1595.4' }), 'label sub-technique T1595.4')
  tt.notOk(check(d => { labels(d)[0].confidence = 1.5 }), 'label confidence 1.5')
  tt.notOk(check(d => { labels(d)[1].tactic = 'TA0043' }), 'T1046 under Reconnaissance')
  tt.notOk(check(d => { labels(d)[1].subtechnique = 'T1595.001' }), 'T1046 with a T1595 sub-technique')
  tt.notOk(check(d => { labels(d)[0].tactic = 'TA0007' }), 'T1595 under Discovery')
  tt.notOk(check(d => { labels(d)[0].reason = '' }), 'empty reason')
  tt.notOk(check(d => { labels(d)[0].score = 3 }), 'unknown label field')
  tt.notOk(check(d => { delete labels(d)[0].correlator }), 'label without correlator')
  tt.notOk(check(d => { (d.scantag as Rec).detection = { id: 'x' } }), 'a detection on a network document')
})
