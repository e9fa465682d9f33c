import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createEnricher, readAny, type EnricherOptions } from '../lib/stream.js'
import { mergeByTime } from '../lib/merge.js'
import type { Detection, NetworkEvent } from '../lib/model.js'
import {
  carriedData,
  isReplyDirection,
  isServiceDataFlow,
  PortTally,
  probeOutcome,
  verticalConfidence,
  verticalReason,
  verticalRuleFires,
  verticalScan,
  VERTICAL_SCAN_DEFAULTS
} from '../lib/correlate/vertical-scan.js'
import { sharedData } from './helpers.js'

const root = fileURLToPath(new URL('..', import.meta.url))
/** irongirl101/port conn.log (MIT), shipped as the project's example: nmap -sS of 1000 ports. */
const IRONGIRL = join(root, 'examples/data/conn.log')

interface Run {
  events: NetworkEvent[]
  /** Last record per detection id. */
  detections: Map<string, Detection>
}

async function enrich (inputs: Array<string | Readable>, options: Partial<EnricherOptions> = {}, correlatorOptions = {}): Promise<Run> {
  const readers = inputs.map(i => (typeof i === 'string' ? createReadStream(i) : i).pipe(readAny({ input: typeof i === 'string' ? i : 'memory' })))
  const source = readers.length === 1 ? readers[0] : mergeByTime(readers, { lateness: 60 }).stream
  const events: NetworkEvent[] = []
  const detections = new Map<string, Detection>()
  await pipeline(source, createEnricher({ format: 'event', builtins: false, correlators: [verticalScan(correlatorOptions)], ...options }), new Writable({
    objectMode: true,
    write (o: { category: string, detection?: Detection }, _enc, cb) {
      if (o.category === 'detection' && o.detection !== undefined) detections.set(o.detection.id, o.detection)
      else if (o.category === 'network') events.push(o as unknown as NetworkEvent)
      cb()
    }
  }))
  return { events, detections }
}

const labelsOf = (e: NetworkEvent): NonNullable<NetworkEvent['scantag']['labels']> => (e.scantag.labels ?? []).filter(l => l.correlator === 'vertical-scan')
const labelled = (r: Run, src?: string): NetworkEvent[] => r.events.filter(e => (src === undefined || e.src?.ip === src) && labelsOf(e).some(l => l.subtechnique === 'T1595.002'))

/** A Zeek JSON conn record. */
function conn (ts: number, src: string, sport: number, dst: string, dport: number, state: string, history: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ts, uid: `C${Math.round(ts * 1e6)}${dport}`, 'id.orig_h': src, 'id.orig_p': sport, 'id.resp_h': dst, 'id.resp_p': dport, proto: 'tcp', conn_state: state, history, orig_bytes: 0, resp_bytes: 0, orig_pkts: 1, resp_pkts: state === 'S0' ? 0 : 1, ...extra })
}
const zeek = (lines: string[]): Readable => Readable.from([lines.join('\n') + '\n'])

t.test('rule, confidence and reason are small pure functions', async t => {
  t.ok(verticalRuleFires(15, 1, 15, 0.5), 'Zeek port_scan_threshold: 15 ports fire')
  t.notOk(verticalRuleFires(14, 1, 15, 0.5), '14 do not')
  t.notOk(verticalRuleFires(40, 0.4, 15, 0.5), 'most ports answering with data: not a scan')
  t.equal(verticalConfidence(1000, 1, 15), 0.95)
  t.equal(verticalConfidence(15, 1, 15), 0.9)
  t.equal(verticalConfidence(15, 0.5, 15), 0.7)
  t.equal(verticalReason({ source: '192.168.100.103', target: '192.168.100.102', ports: 1000, seconds: 21.1, attempts: 2000, unanswered: 2000, rejected: 0, answered: 0, transports: ['tcp'] }),
    '192.168.100.103 probed 1000 ports of 192.168.100.102 in 21 s (2000 attempts: 2000 unanswered)')
  t.equal(verticalReason({ source: 'a', target: 'b', ports: 20, seconds: 0.25, attempts: 22, unanswered: 1, rejected: 18, answered: 3, transports: ['tcp', 'udp'] }),
    'a probed 20 tcp/udp ports of b in 0.3 s (22 attempts: 1 unanswered, 18 rejected, 3 answered)')
  t.same(VERTICAL_SCAN_DEFAULTS, { windowSeconds: 300, threshold: 15, minFailureShare: 0.5, ephemeralPortMin: 32768, maxPairs: 10_000, maxBytes: 32 * 1024 * 1024, samplePorts: 10 })
})

t.test('PortTally counts distinct ports per transport and stays bounded past 64 ports', async t => {
  const p = new PortTally(3)
  t.ok(p.add('tcp', 80, false))
  t.notOk(p.add('tcp', 80, true), 'same port again')
  t.ok(p.add('udp', 80, false), 'udp/80 is another port')
  t.equal(p.size, 2)
  t.equal(p.answered, 1)
  for (let port = 1000; port < 1200; port++) p.add('tcp', port, port % 10 === 0)
  t.equal(p.size, 202, 'counted across the switch to bitmaps')
  t.equal(p.answered, 21)
  t.notOk(p.add('tcp', 1005, false), 'bitmap remembers')
  t.notOk(p.add('tcp', 80, false), 'ports from the list survive the switch')
  t.notOk(p.add('icmp', 8, false), 'no ports for ICMP')
  t.same(p.sample, [80, 80, 1000], 'first ports seen, as a sample')
  const other = new PortTally(3)
  t.same([other.size, other.sample], [0, []], 'another tally shares none of it (tallies start from one shared, frozen empty list)')
  t.ok(other.add('sctp', 9, false) && other.size === 1, 'and takes its own first port')
  t.equal(Math.round(p.failureShare * 1000) / 1000, Math.round((1 - 21 / 202) * 1000) / 1000)
})

t.test('PortTally: a bitmap per transport probed, answered bitmaps only once a port answers, and its size in bytes', async t => {
  const tcp = new PortTally()
  const small = tcp.bytes
  for (let port = 1; port <= 64; port++) tcp.add('tcp', port, false)
  t.ok(tcp.bytes > small && tcp.bytes < 1024, `a list of 64 ports: ${tcp.bytes} bytes`)
  for (let port = 65; port <= 1000; port++) tcp.add('tcp', port, false)
  t.equal(tcp.size, 1000)
  t.equal(tcp.bytes, 160 + 8 * 10 + 8192, 'a TCP scan: one 8 KiB bitmap, no answered bitmap')
  tcp.add('tcp', 80, true)
  t.equal(tcp.answered, 1, 'an answer after the switch is counted')
  t.notOk(tcp.add('tcp', 80, true), 'and remembered')
  t.equal(tcp.answered, 1)
  t.equal(tcp.bytes, 160 + 8 * 10 + 2 * 8192, 'its answered bitmap now exists')
  tcp.add('udp', 53, false)
  t.equal(tcp.bytes, 160 + 8 * 10 + 3 * 8192, 'a UDP port adds the UDP bitmap')
  t.equal(tcp.size, 1001)
  const revived = PortTally.revive(structuredClone({ ...tcp }))
  t.ok(revived instanceof PortTally, 'revived from plain fields')
  t.equal(revived?.size, 1001)
  t.notOk(revived?.add('udp', 53, false), 'the revived bitmaps remember')
  t.ok(revived?.add('sctp', 53, false), 'sctp/53 is new')
})

t.test('PortTally reads checkpoints written before the bitmaps were split by transport', async t => {
  // The earlier layout: one 24 KiB bitmap for seen and one for answered, transports side by side.
  const seenBits = new Uint8Array(3 * 8192)
  const answeredBits = new Uint8Array(3 * 8192)
  for (let port = 1; port <= 100; port++) seenBits[port >> 3] |= 1 << (port & 7)
  seenBits[8192 + (53 >> 3)] |= 1 << (53 & 7) // udp/53
  answeredBits[22 >> 3] |= 1 << (22 & 7) // tcp/22 answered
  const old = { list: [], sample: [1, 2, 3], size: 101, answered: 1, sampleSize: 10, seenBits, answeredBits }
  const p = PortTally.revive(old)
  t.ok(p instanceof PortTally)
  t.notOk(p?.add('tcp', 50, false), 'tcp/50 was seen')
  t.notOk(p?.add('udp', 53, false), 'udp/53 was seen')
  t.ok(p?.add('sctp', 53, false), 'sctp/53 was not')
  t.notOk(p?.add('tcp', 22, true), 'tcp/22 was seen')
  t.equal(p?.answered, 1, 'and answered already')
  t.equal(p?.bytes, 160 + 8 * 4 + 4 * 8192, 'tcp, udp, sctp and tcp-answered bitmaps; none for answered udp')
  t.equal(PortTally.revive({ ...old, seenBits: new Uint8Array(10) }), undefined, 'a bitmap of the wrong size is refused')
  // Earlier builds kept a list-mode tally's answered ports in a Set.
  const listed = PortTally.revive({ list: [80, 443], answeredList: new Set([80]), sample: [80, 443], size: 2, answered: 1, sampleSize: 10 })
  t.notOk(listed?.add('tcp', 80, true), 'tcp/80 was seen')
  t.equal(listed?.answered, 1, 'and had answered: counted once')
  t.notOk(listed?.add('tcp', 443, true))
  t.equal(listed?.answered, 2, 'tcp/443 answers now')
  t.equal(PortTally.revive({ list: [80], answeredList: new Set(['80']), sample: [80], size: 1, answered: 1, sampleSize: 10 }), undefined, 'answered keys that are not numbers are refused')
  t.equal(PortTally.revive({ list: [], sample: [], size: 0, answered: 0, sampleSize: 10, seenSlots: [null, null], answeredSlots: [null, null, null] }), undefined, 'so are two slots of three')
})

t.test('maxBytes bounds the pairs\' memory: a wide port sweep keeps the most recent pairs, and still fires', async t => {
  // Invented: one source probing 400 hosts on 100 ports each, host after host then round again
  // (masscan's interleaving); 400 full pairs need ~3.5 MB, the budget is 1 MiB.
  const lines: string[] = []
  let ts = 1_800_000_000
  for (let port = 1; port <= 100; port++) {
    for (let h = 0; h < 400; h++) lines.push(conn(ts += 0.001, '203.0.113.9', 40000 + (h % 1000), `10.9.${h >> 8}.${h & 255}`, port, 'S0', 'S'))
  }
  const { CorrelationEngine } = await import('../lib/correlate/engine.js')
  const { zeekToEvent } = await import('../lib/parse/zeek.js')
  const engine = new CorrelationEngine({ correlators: [verticalScan({ maxBytes: 1024 * 1024 })] })
  let detections = 0
  for (const [i, l] of lines.entries()) {
    const ev = zeekToEvent(JSON.parse(l) as Record<string, unknown>, { input: 'x', line: i + 1, format: 'zeek-json', communityIdSeed: 0, pathHint: 'conn' })
    if (typeof ev === 'string') continue
    for (const o of engine.push(ev)) if (o.category === 'detection' && o.detection.status === 'open') detections++
  }
  const store = engine.allStores().get('vertical-scan:pairs')
  t.ok(store !== undefined && store.cache.calculatedSize <= 1024 * 1024, `pairs take ${store?.cache.calculatedSize} bytes of 1,048,576`)
  const big = [...(store?.cache.values() ?? [])].filter(v => (v as { ports: PortTally }).ports.size > 64).length
  t.ok(big > 0 && big <= Math.floor(1024 * 1024 / 8192), `pairs past 64 ports, on bitmaps, kept within the budget: ${big} of 400`)
  t.equal(detections, 400, 'every host\'s scan was reported, at 15 ports, before the budget mattered')
  t.throws(() => verticalScan({ maxBytes: 1000 }), { name: 'TypeError', message: /maxBytes must be at least 1 MiB/ })
})

t.test('outcomes, data channels and replies', async t => {
  const ev = (o: Partial<NetworkEvent>): NetworkEvent => ({ category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input: 't', line: 1, original: {}, scantag: {}, transport: 'tcp', ...o })
  t.equal(probeOutcome(ev({ outcome: 'unanswered' })), 'unanswered')
  t.equal(probeOutcome(ev({ outcome: 'rejected' })), 'rejected')
  t.equal(probeOutcome(ev({ outcome: 'reset', history: 'ShR' })), 'answered', 'SYN-scan probe of an open port')
  t.equal(probeOutcome(ev({ outcome: 'partial' })), undefined, 'mid-stream: no attempt')
  t.notOk(carriedData(ev({ outcome: 'reset', history: 'ShAR' })), 'nmap -sT of an open port: no data')
  t.ok(carriedData(ev({ outcome: 'established', history: 'ShADadFf' })))
  const ftpData = ev({ outcome: 'established', history: 'ShADadFf', src: { ip: '10.0.0.5', port: 41000 }, dst: { ip: '10.0.0.9', port: 50010 } })
  t.ok(isServiceDataFlow(ftpData), 'passive FTP data connection: ephemeral to ephemeral with data')
  t.notOk(isServiceDataFlow({ ...ftpData, dst: { ip: '10.0.0.9', port: 8180 } }), '8180 is a service port, not ephemeral')
  t.notOk(isServiceDataFlow({ ...ftpData, outcome: 'rejected', history: 'Sr' }), 'a rejected attempt is a probe')
  const eve = (o: Partial<NetworkEvent>): NetworkEvent => ev({ sensor: 'suricata', format: 'eve', kind: 'flow', ...o })
  t.ok(carriedData(eve({ outcome: 'established', history: '1b' })), 'EVE: PSH seen')
  t.notOk(carriedData(eve({ outcome: 'reset', history: '16' })), 'EVE: SYN/ACK/RST only')
  t.ok(carriedData(eve({ outcome: 'established', history: '13', service: 'ftp-data' })), 'EVE: app-layer protocol recognised')
  t.ok(isReplyDirection(eve({ transport: 'udp', src: { ip: 'dns', port: 53 }, dst: { ip: 'client', port: 45000 } })), 'DNS answer whose query was missed')
  t.notOk(isReplyDirection(eve({ transport: 'udp', src: { ip: 'a', port: 53 }, dst: { ip: 'b', port: 161 } })), 'nmap -sU -g 53 of low ports still counts')
})

t.test('options are validated', async t => {
  t.throws(() => verticalScan({ threshold: 0 }), { name: 'TypeError', message: /threshold/ })
  t.throws(() => verticalScan({ windowSeconds: -1 }), { name: 'TypeError', message: /windowSeconds/ })
  t.throws(() => verticalScan({ minFailureShare: 2 }), { name: 'TypeError', message: /minFailureShare/ })
  t.throws(() => verticalScan({ ephemeralPortMin: 70000 }), { name: 'TypeError', message: /ephemeralPortMin/ })
  t.throws(() => verticalScan({ maxPairs: 1.5 }), { name: 'TypeError', message: /maxPairs/ })
  t.equal(verticalScan().name, 'vertical-scan')
})

t.test('irongirl101 (Zeek TSV, MIT): 192.168.100.103 probing 1000 ports of 192.168.100.102', async t => {
  const r = await enrich([IRONGIRL])
  t.equal(r.events.length, 2000)
  const dets = [...r.detections.values()]
  t.equal(dets.length, 1, 'one detection for the (source, destination) pair')
  const d = dets[0]
  t.match(d, { correlator: 'vertical-scan', technique: 'T1595', subtechnique: 'T1595.002', source: { ip: '192.168.100.103' }, target_count: 1, port_count: 1000, event_count: 2000, sample_targets: ['192.168.100.102'], confidence: 0.95, alsoTechniques: ['T1046'] })
  t.equal(d.reason, '192.168.100.103 probed 1000 ports of 192.168.100.102 in 21 s (2000 attempts: 2000 unanswered)')
  const l = labelled(r, '192.168.100.103')
  t.equal(l.length, 2000, 'every probe labelled, the first 24 retroactively')
  const label = labelsOf(l[0]).find(x => x.subtechnique === 'T1595.002')
  t.match(label, { technique: 'T1595', name: 'Vulnerability Scanning', tactic: 'TA0043', confidence: 0.9, detection: d.id })
  t.equal(label?.reason, '192.168.100.103 probed 15 ports of 192.168.100.102 in 1.2 s (25 attempts: 25 unanswered)', 'the held probes get the sentence of the moment the scan was recognised (nmap sends each port twice)')
  const last = labelsOf(l[l.length - 1]).find(x => x.subtechnique === 'T1595.002')
  t.match(last, { confidence: 0.95, detection: d.id, reason: d.reason }, 'the last probe carries the final numbers')
  t.ok(labelsOf(l[0]).some(x => x.technique === 'T1046'), 'an internal scanner also gets T1046')
  t.equal(labelsOf(l[0])[0].reason.startsWith('192.168.100.103 probed'), true)
})

t.test('an allow-listed source is not reported', async t => {
  const r = await enrich([IRONGIRL], { allow: [{ cidr: '192.168.100.103/32', reason: 'authorised scanner' }] })
  t.equal(r.detections.size, 0)
  t.equal(labelled(r).length, 0)
})

t.test('a host serving one client on many ports is not a scan', async t => {
  const base = 1_700_000_000
  const lines: string[] = []
  // Passive FTP: a control connection on 21, then 40 data connections to ephemeral server ports.
  lines.push(conn(base, '10.0.0.5', 40000, '10.0.0.9', 21, 'SF', 'ShADadFf', { orig_bytes: 300, resp_bytes: 900 }))
  for (let i = 0; i < 40; i++) lines.push(conn(base + 1 + i, '10.0.0.5', 40001 + i, '10.0.0.9', 50000 + i, 'SF', 'ShADadFf', { orig_bytes: 10, resp_bytes: 100_000 }))
  // An application using 20 distinct service ports of one server, all answering with data.
  for (let i = 0; i < 20; i++) lines.push(conn(base + 50 + i, '10.0.0.6', 41000 + i, '10.0.0.9', 3000 + i, 'SF', 'ShADadFf', { orig_bytes: 100, resp_bytes: 200 }))
  // A few refused ports among them: still most ports answered.
  for (let i = 0; i < 5; i++) lines.push(conn(base + 80 + i, '10.0.0.6', 42000 + i, '10.0.0.9', 4000 + i, 'REJ', 'Sr'))
  const r = await enrich([zeek(lines)])
  t.equal(r.detections.size, 0, 'no detection')
  t.equal(labelled(r).length, 0)
})

t.test('UDP answers whose queries were missed are not a scan of the clients', async t => {
  const base = 1_700_000_000
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ ts: base + i, uid: `CU${i}`, 'id.orig_h': '10.0.0.53', 'id.orig_p': 53, 'id.resp_h': '10.0.0.7', 'id.resp_p': 40000 + i * 7, proto: 'udp', conn_state: 'S0', history: 'D', orig_pkts: 1, resp_pkts: 0 }))
  const r = await enrich([zeek(lines)])
  t.equal(r.detections.size, 0)
})

t.test('the window: 15 ports within 5 minutes fire, spread over more they do not', async t => {
  const base = 1_700_000_000
  const slow = Array.from({ length: 20 }, (_, i) => conn(base + i * 30, '203.0.113.9', 50000 + i, '10.0.0.9', 100 + i, 'S0', 'S'))
  const slowRun = await enrich([zeek(slow)])
  t.equal(slowRun.detections.size, 0, '20 ports over 9.5 minutes: no more than 11 in any window from its start')
  t.equal(labelled(slowRun).length, 0, 'held probes are released unlabelled')
  t.equal(slowRun.events.length, 20, 'every event leaves')
  const fast = Array.from({ length: 15 }, (_, i) => conn(base + i * 10, '203.0.113.9', 50000 + i, '10.0.0.9', 100 + i, i % 3 === 0 ? 'REJ' : 'S0', i % 3 === 0 ? 'Sr' : 'S'))
  const fastRun = await enrich([zeek(fast)])
  const d = [...fastRun.detections.values()][0]
  t.match(d, { subtechnique: 'T1595.002', port_count: 15, confidence: 0.9, alsoTechniques: [] })
  t.equal(d.reason, '203.0.113.9 probed 15 ports of 10.0.0.9 in 140 s (15 attempts: 10 unanswered, 5 rejected)')
  t.equal(labelled(fastRun).length, 15, 'all 15 labelled: 14 retroactively')
  t.notOk(labelsOf(labelled(fastRun)[0]).some(l => l.technique === 'T1046'), 'an external scanner gets no T1046')
  const tuned = await enrich([zeek(slow)], {}, { windowSeconds: 900 })
  t.equal(tuned.detections.size, 1, 'a 15 minute window catches the slow scan')
})

const shared = sharedData
const skip = shared === undefined ? 'shared data absent' : false
const sharedPath = (...p: string[]): string => join(shared ?? '', ...p)

t.test('zeek-labs satyamkamboj soc-copilot: nmap of 1008 ports (guarded: no licence)', { skip }, async t => {
  const r = await enrich([sharedPath('public/zeek-labs/satyamkamboj-soc-copilot/conn.log')])
  const dets = [...r.detections.values()]
  t.equal(dets.length, 1)
  t.match(dets[0], { source: { ip: '192.168.56.103' }, sample_targets: ['192.168.56.102'], port_count: 1008, subtechnique: 'T1595.002' })
  t.ok(dets[0].confidence >= 0.9)
  t.match(dets[0].reason, /^192\.168\.56\.103 probed 1008 tcp\/udp ports of 192\.168\.56\.102 in 22 s \(1182 attempts: 4 unanswered, 981 rejected, 197 answered\)$/)
  const mine = r.events.filter(e => e.src?.ip === '192.168.56.103')
  t.equal(labelled(r).length, 1182, 'all probes of the scanned host')
  t.ok(labelled(r).length / mine.length > 0.99, 'more than 99% of the scanner\'s records')
  t.equal(labelled(r).filter(e => e.src?.ip !== '192.168.56.103').length, 0)
})

t.test('slips port-scans/vertical (Zeek JSON, guarded: GPL): 44 ports', { skip }, async t => {
  const r = await enrich([sharedPath('public/slips-dataset/port-scans/vertical/conn.log')])
  const dets = [...r.detections.values()]
  t.equal(dets.length, 1)
  t.match(dets[0], { source: { ip: '192.168.1.9' }, sample_targets: ['45.33.32.156'], port_count: 44 })
  t.equal(dets[0].reason, '192.168.1.9 probed 44 ports of 45.33.32.156 in 0.8 s (46 attempts: 43 rejected, 3 answered)')
  t.equal(labelled(r).length, 46)
  const horizontal = await enrich([sharedPath('public/slips-dataset/port-scans/horizontal/conn.log')])
  t.equal(horizontal.detections.size, 0, 'the horizontal capture (one port, many hosts) is not vertical')
})

t.test('Stratosphere 002 port scanning (guarded: GPL): every detection is 172.16.1.11', { skip }, async t => {
  const r = await enrich([sharedPath('public/stratosphere-security-datasets-for-testing/002-zeek-scenario-port-scanning/conn.log')])
  const dets = [...r.detections.values()]
  t.ok(dets.length >= 20, `nmap -F of many hosts: ${dets.length} (source, host) detections`)
  t.ok(dets.every(d => d.source.ip === '172.16.1.11' && d.subtechnique === 'T1595.002'))
  t.ok(new Set(dets.map(d => d.sample_targets[0])).size >= 20, 'at least 20 distinct hosts')
  t.ok(labelled(r).every(e => e.src?.ip === '172.16.1.11'))
})

t.test('Stratosphere 008/010 exposed hosts (guarded: GPL): no Benign-labelled source', { skip }, async t => {
  for (const n of ['008', '010']) {
    const file = sharedPath(`public/stratosphere-security-datasets-for-testing/${n}-zeek-mixed/data/conn.log.labeled`)
    if (!existsSync(file)) continue
    const benign = new Set<string>()
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.startsWith('#') || line === '') continue
      const f = line.split('\t')
      if (f[f.length - 2] === 'Benign') benign.add(f[2])
    }
    const r = await enrich([file])
    const sources = [...r.detections.values()].map(d => d.source.ip)
    t.same(sources.filter(s => benign.has(s)), [], `${n}: no Benign source detected`)
    t.same([...new Set(labelled(r).map(e => `${String(e.original.label)} ${String(e.original.detailedlabel)}`))], ['Malicious External-Attack-to-Device'], `${n}: every labelled record is labelled Malicious External-Attack-to-Device`)
    t.ok(sources.length <= 2, `${n}: ${sources.join(', ')}`)
  }
})

t.test('suricata-eve-labs (guarded: no licence): nmap top-1000 SYN scans found, DNS replies not', { skip }, async t => {
  const muntaha = await enrich([sharedPath('public/suricata-eve-labs/muntaha-ghafoor-nids-suricata8/eve.json')])
  t.same([...muntaha.detections.values()].map(d => [d.source.ip, d.sample_targets[0], d.port_count]), [['192.168.137.1', '192.168.137.128', 1000]])
  t.equal(labelled(muntaha).length, 1000)
  const landon = await enrich([sharedPath('public/suricata-eve-labs/landonhare-nmap-os-scan/eve.json')])
  t.same([...landon.detections.values()].map(d => d.reason), ['192.168.50.30 probed 705 ports of 192.168.10.50 in 5.1 s (897 attempts: 897 unanswered)'])
  const chala = await enrich([sharedPath('public/suricata-eve-labs/chala1899-ids-lab/eve.json')])
  t.equal(chala.detections.size, 0, 'a DNS server\'s answers to 48 client ports (queries not captured) are not a UDP scan')
})

t.test('lab captures s01..s10 (guarded): no vertical scan (no scenario probes 15 ports of a host)', { skip }, async t => {
  for (const scenario of ['s01_t1595.001_external_sweep', 's02_t1595.001_internal_sweep', 's04_t1595.002_internal_vulnscan', 's06_t1595.003_internal_ffuf', 's09_t1595.003_internal_gobuster_dns', 's10_benign_monitoring']) {
    const r = await enrich([sharedPath('lab', scenario, 'eve.json')])
    t.equal(r.detections.size, 0, scenario)
  }
})
