// The protocol-anomaly correlator on real sensor records: Suricata EVE anomaly events and
// decoder/stream/app-layer alerts, Zeek weird.log, Zeek conn histories. It only ever adds
// technique-level evidence: no sub-technique, no detection.
import t, { type Test } from 'tap'
import { createReadStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Label, NetworkEvent, ScantagEvent } from '../lib/model.js'
import { LogReader } from '../lib/parse/reader.js'
import { CorrelationEngine } from '../lib/correlate/engine.js'
import type { Correlator, SourceEvidence } from '../lib/correlate/api.js'
import { anomalyOf, protocolAnomaly, type ProtocolAnomalyOptions } from '../lib/correlate/protocol-anomaly.js'
import {
  CONN_HISTORY_PATTERNS, SURICATA_APPLAYER_ANOMALIES, SURICATA_DECODER_ANOMALIES, SURICATA_STREAM_ANOMALIES, ZEEK_WEIRDS
} from '../lib/correlate/knowledge/anomaly-signatures.js'
import { fixture, sharedData } from './helpers.js'

interface Run { events: NetworkEvent[], evidence: (ip: string) => SourceEvidence, detections: number }

/** Reads one file through the engine with the correlator and an evidence probe after it. */
async function run (t: Test, file: string, options: ProtocolAnomalyOptions = {}): Promise<Run> {
  const seen = new Set<string>()
  let ctxRef: Parameters<Correlator['onEvent']>[1] | undefined
  const probe: Correlator = {
    name: 'evidence-probe',
    onEvent (ev, ctx) { ctxRef = ctx; if (ev.category === 'network') { if (ev.src !== undefined) seen.add(ev.src.ip); if (ev.dst !== undefined) seen.add(ev.dst.ip) } }
  }
  const engine = new CorrelationEngine({ correlators: [protocolAnomaly(options), probe] })
  const events: NetworkEvent[] = []
  let detections = 0
  for await (const ev of createReadStream(file).pipe(new LogReader({ input: file }))) {
    for (const o of engine.push(ev as ScantagEvent)) {
      if (o.category === 'detection') detections++
      else if (o.category === 'network') events.push(o)
    }
  }
  for (const o of engine.end()) if (o.category === 'network') events.push(o)
  t.same(Object.fromEntries(engine.errors), {}, 'no correlator error')
  const evidence = (ip: string): SourceEvidence => ctxRef?.evidence(ip) ?? { kinds: {}, score: 0 }
  return { events, evidence, detections }
}

const mine = (e: ScantagEvent): Label[] => (e.scantag.labels ?? []).filter(l => l.correlator === 'protocol-anomaly')
const labelled = (events: NetworkEvent[]): NetworkEvent[] => events.filter(e => mine(e).length > 0)
const countBy = (events: NetworkEvent[], key: (e: NetworkEvent) => string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const e of events) out[key(e)] = (out[key(e)] ?? 0) + 1
  return out
}

/** Every label this correlator set is technique-level T1595 evidence, and no detection opened. */
function onlyEvidence (t: Test, r: Run): void {
  const labels = r.events.flatMap(mine)
  t.ok(labels.every(l => l.technique === 'T1595' && l.subtechnique === null && l.name === 'Active Scanning'), 'technique-level labels only')
  t.ok(labels.every(l => l.confidence > 0 && l.confidence <= 0.5), 'confidence within (0, maxEvidence]')
  t.equal(r.detections, 0, 'no detection opened')
}

t.test('exports: factory name, option validation, tables', async t => {
  t.equal(protocolAnomaly().name, 'protocol-anomaly')
  t.throws(() => protocolAnomaly({ maxEvidence: 1.5 }), { name: 'TypeError', message: /maxEvidence/ })
  t.throws(() => protocolAnomaly({ windowSeconds: 0 }), { name: 'TypeError', message: /windowSeconds/ })
  t.throws(() => protocolAnomaly({ maxRepeats: 0.5 }), { name: 'TypeError', message: /maxRepeats/ })
  t.throws(() => protocolAnomaly({ unknownWeirdWeight: -0.1 }), { name: 'TypeError', message: /unknownWeirdWeight/ })
  t.throws(() => protocolAnomaly({ maxSources: 0 }), { name: 'TypeError', message: /maxSources/ })
  t.throws(() => protocolAnomaly({ window: 60 } as never), { name: 'TypeError', message: /unknown option "window"/ })
  const suricata = [...SURICATA_STREAM_ANOMALIES, ...SURICATA_DECODER_ANOMALIES, ...SURICATA_APPLAYER_ANOMALIES]
  t.equal(new Set(suricata.map(a => a.event)).size, suricata.length, 'Suricata events unique')
  const sigs = suricata.flatMap(a => a.signature === undefined ? [] : [a.signature])
  t.equal(new Set(sigs).size, sigs.length, 'signatures unique')
  t.ok(sigs.every(s => s.startsWith('SURICATA ')), 'shipped-rule messages')
  t.ok([...suricata, ...ZEEK_WEIRDS, ...CONN_HISTORY_PATTERNS].every(a => a.weight >= 0 && a.weight <= 1 && a.meaning.length > 0))
  t.equal(new Set(ZEEK_WEIRDS.map(w => w.name)).size, ZEEK_WEIRDS.length, 'weird names unique')
  t.equal(new Set(CONN_HISTORY_PATTERNS.map(p => p.id)).size, CONN_HISTORY_PATTERNS.length, 'history pattern ids unique')
})

t.test('anomalyOf: Zeek TCP conn histories of packets outside any connection', async t => {
  const conn = (history: string, state: string, transport = 'tcp'): NetworkEvent => ({
    category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', transport, history, state,
    src: { ip: '192.0.2.1', port: 40000 }, dst: { ip: '198.51.100.7', port: 80 }, input: 't', line: 1, original: {}, scantag: {}
  })
  const id = (h: string, s: string, tr?: string): string | undefined => anomalyOf(conn(h, s, tr))?.name.replace(/ \(.*$/, '')
  // Shapes seen in the nmap captures of Stratosphere 002 and the soc-copilot lab (guarded tests below).
  t.equal(id('Fr', 'RSTR'), 'history:fin-probe')
  t.equal(id('Ar', 'RSTRH'), 'history:ack-probe')
  t.equal(id('A', 'OTH'), 'history:ack-probe')
  t.equal(id('QhR', 'RSTO'), 'history:multi-flag')
  t.equal(id('^hR', 'RSTO'), 'history:synack-probe')
  t.equal(anomalyOf(conn('^hR', 'RSTO'))?.subject, 'dst', 'after the flip, the SYN/ACK sender is the responder')
  t.equal(id('r', 'OTH'), 'history:null-probe')
  t.equal(id('^hCadf', 'SHR'), 'history:flipped')
  t.equal(id('C', 'OTH'), 'history:outside-connection')
  t.equal(id('', 'OTH'), 'history:outside-connection')
  // Ordinary connections and mid-stream closes of real ones: nothing.
  for (const [h, s] of [['S', 'S0'], ['Sr', 'REJ'], ['ShADadFf', 'SF'], ['ShR', 'RSTO'], ['AR', 'RSTOS0'], ['R', 'RSTOS0'], ['DdfAR', 'RSTO'], ['ShADadR', 'RSTO']]) {
    t.equal(anomalyOf(conn(h, s)), undefined, `${h} ${s}`)
  }
  t.equal(anomalyOf(conn('D', 'S0', 'udp')), undefined, 'UDP has no handshake')
  t.equal(anomalyOf(conn('A'.repeat(10_000), 'OTH'))?.name.length !== undefined, true, 'long histories are cut, not rejected')
})

t.test('lab anomalies (fixture): the scanners get evidence, servers retransmitting do not', async t => {
  const r = await run(t, fixture('detect/lab-anomalies.json'))
  onlyEvidence(t, r)
  const l = labelled(r.events)
  t.same(countBy(l, e => `${e.src?.ip} ${e.kind} ${e.alert?.signature ?? ''}`), {
    '203.0.113.77 anomaly stream.pkt_spurious_retransmission': 3,
    '10.20.30.41 anomaly APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION': 2,
    '10.20.30.41 anomaly APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS': 1,
    '10.20.30.41 alert SURICATA Applayer Detect protocol only one direction': 2,
    '10.20.30.41 alert SURICATA Applayer Mismatch protocol both directions': 1
  })
  // Not evidence: the ET SCAN alert (not a protocol anomaly) and the servers' retransmissions.
  const unlabelled = r.events.filter(e => mine(e).length === 0)
  t.same(countBy(unlabelled, e => `${e.src?.ip} ${e.alert?.signature ?? ''}`), {
    '203.0.113.77 ET SCAN NMAP -sS window 1024': 1,
    '10.1.10.20 stream.pkt_retransmission': 2,
    '10.1.10.53 stream.pkt_retransmission': 1
  })
  t.same(r.evidence('10.20.30.41'), { kinds: { 'protocol-anomaly': 0.5 }, score: 0.5 }, 'nmap -sV probes: capped evidence')
  t.same(r.evidence('203.0.113.77'), { kinds: { 'protocol-anomaly': 1 - 0.95 ** 3 }, score: 1 - 0.95 ** 3 }, 'three spurious retransmissions')
  t.same(r.evidence('10.1.10.20'), { kinds: {}, score: 0 })
  const last = l.filter(e => e.src?.ip === '10.20.30.41').at(-1) as NetworkEvent
  t.equal(mine(last)[0].reason, '10.20.30.41 sent APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS: client and server speak different protocols: service/version probes (nmap -sV) sent to the wrong service; 6 anomalies from it in 42.72 s (APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION ×4, APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS ×2), evidence 0.5')
  t.equal(mine(last)[0].confidence, 0.5)
  t.notOk(mine(last).some(x => x.technique === 'T1046'), 'no T1046 without a sub-technique')
})

t.test('nicoaller malware capture (fixture, MIT): one-direction app-layer events weigh little; parser events nothing', async t => {
  const r = await run(t, fixture('detect/nicoaller-anomalies.json'))
  onlyEvidence(t, r)
  t.same(countBy(labelled(r.events), e => `${e.src?.ip} ${e.kind}`), { '172.16.0.149 alert': 2, '172.16.0.149 anomaly': 2, '74.208.5.15 alert': 1, '74.208.5.15 anomaly': 1 })
  t.equal(r.events.find(e => e.alert?.signature === 'REQUEST_BODY_UNEXPECTED')?.scantag.labels, undefined, 'HTTP parser event: not evidence')
  t.ok(r.evidence('172.16.0.149').score < 0.3, `malware host evidence ${r.evidence('172.16.0.149').score.toFixed(2)} stays below a scanner's`)
  t.ok(Math.abs(r.evidence('74.208.5.15').score - 0.19) < 1e-9, 'SMTP server: alert and anomaly of one packet')
})

t.test('zat (fixtures, MIT): weirds and mid-stream conn records that are no scan evidence', async t => {
  for (const f of ['detect/zat-weird.log', 'detect/zat-weird-json.log', 'detect/zat-conn-midstream.log']) {
    const r = await run(t, fixture(f))
    t.ok(r.events.length > 0, `${f}: read`)
    t.equal(labelled(r.events).length, 0, `${f}: nothing labelled`)
  }
  const weird = (await run(t, fixture('detect/zat-weird.log'))).events
  t.same(countBy(weird, e => String(e.original.name)), { unknown_protocol_2: 1, DNS_Conn_count_too_large: 11 })
})

const pub = sharedData !== undefined ? join(sharedData, 'public') : undefined
const lab = sharedData !== undefined ? join(sharedData, 'lab') : undefined
const guard = (p: string | undefined): { skip: string | false } => ({ skip: p === undefined || !existsSync(p) ? `${p ?? '../shared/data'} not present` : false })

const strato = pub !== undefined ? join(pub, 'stratosphere-security-datasets-for-testing/002-zeek-scenario-port-scanning/conn.log') : undefined
t.test('Stratosphere 002 nmap capture (GPL, not copied): only the scanner 172.16.1.11 gets evidence', guard(strato), async t => {
  const r = await run(t, strato as string)
  onlyEvidence(t, r)
  const l = labelled(r.events)
  t.same(countBy(l, e => `${e.src?.ip} ${(mine(e)[0].reason.match(/history:[a-z-]+/) ?? [''])[0]}`), {
    '172.16.1.11 history:ack-probe': 172,
    '172.16.1.11 history:outside-connection': 97,
    '172.16.1.11 history:flipped': 17
  })
  t.equal(r.evidence('172.16.1.11').score, 0.5)
  t.equal(r.events.length, 4504)
})

const soc = pub !== undefined ? join(pub, 'zeek-labs/satyamkamboj-soc-copilot/conn.log') : undefined
t.test('soc-copilot vertical nmap scan (no licence, not copied): FIN, ACK and SYN+FIN probes of 192.168.56.103', guard(soc), async t => {
  const r = await run(t, soc as string)
  onlyEvidence(t, r)
  t.same(countBy(labelled(r.events), e => `${e.src?.ip} ${e.history} ${e.state}`), {
    '192.168.56.103 Ar RSTRH': 2,
    '192.168.56.103 QhR RSTO': 1,
    '192.168.56.103 Fr RSTR': 1,
    '192.168.56.103 undefined OTH': 1
  })
  t.equal(r.evidence('192.168.56.102').score, 0, 'the target gets none')
})

const landon = pub !== undefined ? join(pub, 'suricata-eve-labs/landonhare-nmap-os-scan/eve.json') : undefined
t.test('nmap OS detection (landonhare EVE, no licence, not copied): ICMP code 9 probes from both scanners', guard(landon), async t => {
  const r = await run(t, landon as string)
  onlyEvidence(t, r)
  t.same(countBy(labelled(r.events), e => `${e.src?.ip} -> ${e.dst?.ip} ${e.alert?.signature}`), {
    '192.168.50.30 -> 192.168.10.50 SURICATA ICMPv4 unknown code': 4,
    '192.168.50.20 -> 192.168.10.50 SURICATA ICMPv4 unknown code': 4
  })
  t.equal(r.evidence('192.168.50.30').score, 0.5)
  t.equal(r.evidence('192.168.10.50').score, 0)
})

const brim = pub !== undefined ? join(pub, 'brimdata-zed-sample-data/zeek-default/weird.log.gz') : undefined
t.test('WRCCDC weird.log (brimdata, CC BY-SA, not copied): scan side effects labelled, sensor artefacts not', guard(brim), async t => {
  const r = await run(t, brim as string)
  onlyEvidence(t, r)
  t.equal(r.events.length, 24202)
  const byName = countBy(labelled(r.events), e => String(e.original.name))
  t.equal(byName.bad_HTTP_request, 11821)
  t.equal(byName.line_terminated_with_single_CR, 11738)
  t.equal(byName.connection_originator_SYN_ack, 14)
  for (const n of ['possible_split_routing', 'above_hole_data_without_any_acks', 'window_recision', 'dnp3_corrupt_header_checksum']) t.equal(byName[n], undefined, `${n}: not evidence`)
  const bySender = countBy(labelled(r.events), e => e.src?.ip ?? '')
  const top = Object.entries(bySender).sort((a, b) => b[1] - a[1])[0]
  t.equal(top[0], '10.128.0.241', `busiest sender ${top[0]} (${top[1]} anomalies)`)
  t.equal(r.evidence('10.128.0.241').score, 0.5)
})

for (const scenario of ['s01_t1595.001_external_sweep', 's02_t1595.001_internal_sweep', 's04_t1595.002_internal_vulnscan', 's06_t1595.003_internal_ffuf', 's09_t1595.003_internal_gobuster_dns', 's10_benign_monitoring']) {
  const file = lab !== undefined ? join(lab, scenario, 'eve.json') : undefined
  t.test(`lab ${scenario} EVE: anomaly evidence only for the scanner`, guard(file), async t => {
    const r = await run(t, file as string)
    onlyEvidence(t, r)
    const expected: Record<string, Record<string, number>> = {
      s01_t1595: { '203.0.113.77': 107 },
      s04_t1595: { '10.20.30.41': 6 }
    }
    t.same(countBy(labelled(r.events), e => e.src?.ip ?? ''), expected[scenario.slice(0, 9)] ?? {})
  })
}
