/**
 * Detection records in `merge` and `ecs` output (`lib/output/detection.ts`), and labelled events
 * in `merge` output: hand-built Detection and Label values describing the real nmap sweep of
 * 10.20.30.41 in the lab capture `test/fixtures/eve/lab-variety.json` (read by the real EVE
 * reader), mapped, checked field by field and validated with ajv strict against
 * `schemas/detection.schema.json`, `schemas/merge-output.schema.json` and
 * `schemas/ecs-output.schema.json`. One test runs the real correlation engine with a small
 * correlator, to validate what the engine itself emits.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { Detection, DetectionRecord, Label, NetworkEvent, ScantagProcess } from '../lib/model.js'
import { detectionToEcs, detectionToMerge, DETECTION_ACTIONS, type EcsDetectionDocument } from '../lib/output/detection.js'
import { ECS_VERSION, toEcs } from '../lib/output/ecs.js'
import { toMerge } from '../lib/output/merge.js'
import { CorrelationEngine, type EngineOutput } from '../lib/correlate/engine.js'
import type { Correlator } from '../lib/correlate/api.js'
import { formatIsoMicros } from '../lib/parse/time.js'
import { fixture, readThrough } from './helpers.js'

type Rec = Record<string, unknown>

const load = (name: string): Rec => JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8')) as Rec
const detectionSchema = load('detection.schema.json')
const mergeSchema = load('merge-output.schema.json')
const ecsSchema = load('ecs-output.schema.json')
const ajv = new Ajv2020({ allErrors: true, strict: true })
const validDetection = ajv.compile(detectionSchema)
const validMerge = ajv.compile(mergeSchema)
const validEcs = ajv.compile(ecsSchema)

/** Validates the serialized form (what the output writes). */
function valid (tt: Test, validate: typeof validEcs, doc: unknown, what: string): void {
  tt.ok(validate(JSON.parse(JSON.stringify(doc))), `valid against ${what}`, { errors: validate.errors })
}
/** Whether a mutated copy of `doc` validates. */
function accepts (validate: typeof validEcs, doc: unknown, mutate: (d: Rec) => void): boolean {
  const d = JSON.parse(JSON.stringify(doc)) as Rec
  mutate(d)
  return validate(d)
}

// --- The real evidence: 10.20.30.41 sweeping 10.1.2.0/24 (TCP 22/80/445 and ICMP echo) in the lab capture.

const { events } = await readThrough(fixture('eve/lab-variety.json'))
const SOURCE = '10.20.30.41'
const evidence: NetworkEvent[] = events.filter(e => e.src?.ip === SOURCE && e.dst?.ip.startsWith('10.1.2.') === true)
const startOf = (e: NetworkEvent): number => e.flowStart ?? e.time ?? NaN
const firstSeen = Math.min(...evidence.map(startOf))
const lastSeen = Math.max(...evidence.map(startOf))
const targets = [...new Set(evidence.map(e => e.dst?.ip ?? ''))]
const ports = [...new Set(evidence.flatMap(e => e.transport === 'tcp' && e.dst?.port !== undefined ? [e.dst.port] : []))]
const DETECTION_ID = 'det-5e0c1f2a9b3d4e67'
const REASON = '10.20.30.41 probed 7 addresses of 10.1.2.0/24 on 3 ports in 20.3 s, 71% unanswered or rejected.'
const HOST = 'lnx-ws-041'

/** nmap as the s02 Sysmon for Linux records describe it (the values attribution writes). */
const NMAP: ScantagProcess = {
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
}

function sweep (overrides: Partial<Detection> = {}): Detection {
  return {
    id: DETECTION_ID,
    correlator: 'horizontal-sweep',
    technique: 'T1595',
    subtechnique: 'T1595.001',
    alsoTechniques: ['T1046'],
    source: { ip: SOURCE },
    first_seen: formatIsoMicros(firstSeen),
    last_seen: formatIsoMicros(lastSeen),
    target_count: targets.length,
    port_count: ports.length,
    event_count: evidence.length,
    sample_targets: targets,
    sample_ports: ports,
    confidence: 0.9,
    reason: REASON,
    status: 'open',
    process: NMAP,
    host: { name: HOST },
    user: { name: 'dlee' },
    ...overrides
  }
}
const record = (d: Detection, time = lastSeen): DetectionRecord => ({ category: 'detection', time, detection: d })

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
    subtechnique: { id: ['T1595.001'], name: ['Scanning IP Blocks'], reference: ['https://attack.mitre.org/techniques/T1595/001/'] }
  }
}

t.test('the evidence is what the fixture holds', async tt => {
  tt.equal(evidence.length, 7)
  tt.strictSame(targets, ['10.1.2.1', '10.1.2.250', '10.1.2.131', '10.1.2.104', '10.1.2.112', '10.1.2.103', '10.1.2.29'])
  tt.strictSame(ports, [22, 445, 80])
  tt.equal(formatIsoMicros(firstSeen), '2026-11-26T19:39:02.216342Z', 'the ICMP echo to 10.1.2.104')
  tt.equal(formatIsoMicros(lastSeen), '2026-11-26T19:39:22.532310Z', 'the SYN to 10.1.2.131:445')
})

t.test('detection schema accepts the hand-built detection', async tt => {
  valid(tt, validDetection, sweep(), 'detection.schema.json')
  valid(tt, validDetection, sweep({ subtechnique: null, alsoTechniques: [], process: undefined, host: undefined, user: undefined, status: 'closed' }), 'detection.schema.json (minimal)')
})

t.test('detection → ECS alert document, field by field', async tt => {
  const d = sweep()
  const before = JSON.stringify(d)
  const doc = detectionToEcs(record(d))
  tt.strictSame(doc, {
    '@timestamp': '2026-11-26T19:39:22.532310Z',
    ecs: { version: ECS_VERSION },
    message: REASON,
    event: {
      kind: 'alert',
      category: ['intrusion_detection', 'network'],
      type: ['info'],
      module: 'scantag',
      dataset: 'scantag.detection',
      action: 'detection-opened',
      id: DETECTION_ID,
      start: '2026-11-26T19:39:02.216342Z',
      end: '2026-11-26T19:39:22.532310Z',
      duration: 20315968000
    },
    host: { name: HOST },
    process: {
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
    },
    user: { name: 'dlee' },
    source: { address: SOURCE, ip: SOURCE },
    related: {
      ip: [SOURCE, '10.1.2.1', '10.1.2.250', '10.1.2.131', '10.1.2.104', '10.1.2.112', '10.1.2.103', '10.1.2.29'],
      user: ['dlee'],
      hosts: [HOST]
    },
    rule: { name: 'horizontal-sweep' },
    threat: SWEEP_THREAT,
    scantag: { detection: d }
  })
  tt.equal(doc.scantag.detection, d, 'the detection itself, not a copy')
  tt.equal(JSON.stringify(d), before, 'the detection is not mutated')
  tt.equal(Object.keys(doc)[0], '@timestamp')
  tt.equal(Object.keys(doc).at(-1), 'scantag')
  valid(tt, validEcs, doc, 'ecs-output.schema.json')
  valid(tt, validDetection, doc.scantag.detection, 'detection.schema.json')
})

t.test('status → event.action; event.id stays the detection id', async tt => {
  for (const status of ['open', 'updated', 'closed'] as const) {
    const doc = detectionToEcs(record(sweep({ status }), lastSeen + 900))
    tt.equal(doc.event.action, DETECTION_ACTIONS[status])
    tt.equal(doc.event.id, DETECTION_ID)
    tt.equal(doc['@timestamp'], '2026-11-26T19:54:22.532310Z', '@timestamp is the record time')
    valid(tt, validEcs, doc, `ecs-output.schema.json (${status})`)
  }
  tt.strictSame(DETECTION_ACTIONS, { open: 'detection-opened', updated: 'detection-updated', closed: 'detection-closed' })
})

t.test('unattributed external scan: no process/host/user, no T1046, technique-level', async tt => {
  // 203.0.113.77 → 10.1.2.31:3389, the fixture's last line: one probe from outside.
  const ext = events.find(e => e.src?.ip === '203.0.113.77')
  if (ext === undefined) throw new Error('fixture changed')
  const d = sweep({
    id: 'det-0a1b2c3d4e5f6071',
    subtechnique: null,
    alsoTechniques: [],
    source: { ip: '203.0.113.77' },
    first_seen: formatIsoMicros(startOf(ext)),
    last_seen: formatIsoMicros(startOf(ext)),
    target_count: 1,
    port_count: 1,
    event_count: 1,
    sample_targets: ['10.1.2.31'],
    sample_ports: [3389],
    confidence: 0.3,
    reason: '203.0.113.77 probed 10.1.2.31 on tcp/3389.',
    process: undefined,
    host: undefined,
    user: undefined
  })
  delete d.process; delete d.host; delete d.user
  const doc = detectionToEcs(record(d, startOf(ext)))
  tt.strictSame(doc.threat, {
    framework: 'MITRE ATT&CK',
    tactic: { id: ['TA0043'], name: ['Reconnaissance'], reference: ['https://attack.mitre.org/tactics/TA0043/'] },
    technique: { id: ['T1595'], name: ['Active Scanning'], reference: ['https://attack.mitre.org/techniques/T1595/'] }
  })
  tt.equal(doc.process, undefined)
  tt.equal(doc.host, undefined)
  tt.equal(doc.user, undefined)
  tt.strictSame(doc.related, { ip: ['203.0.113.77', '10.1.2.31'] })
  tt.equal(doc.event.start, '2026-11-26T19:37:07.942311Z')
  tt.equal(doc.event.duration, 0)
  valid(tt, validEcs, doc, 'ecs-output.schema.json')
  valid(tt, validMerge, detectionToMerge(record(d)), 'merge-output.schema.json')
})

t.test('wordlist scan: names and paths are not related.ip; a numeric user is user.id', async tt => {
  const http = events.find(e => e.kind === 'http')
  if (http?.src === undefined || http.time === undefined) throw new Error('fixture changed')
  const d = sweep({
    subtechnique: 'T1595.003',
    alsoTechniques: ['T1046'],
    source: { ip: http.src.ip },
    first_seen: formatIsoMicros(http.time),
    last_seen: formatIsoMicros(http.time),
    target_count: 1,
    port_count: 1,
    event_count: 1,
    sample_targets: [http.http?.uri ?? '', 'intranet.acme.example'],
    sample_ports: [80],
    reason: '10.20.30.62 requested 1 path of intranet.acme.example.',
    user: { name: '1001' },
    process: undefined
  })
  delete d.process
  const doc = detectionToEcs(record(d, http.time))
  tt.strictSame(doc.related, { ip: ['10.20.30.62'], user: ['1001'], hosts: [HOST] })
  tt.strictSame(doc.user, { id: '1001' })
  tt.strictSame(doc.threat?.technique?.subtechnique, { id: ['T1595.003'], name: ['Wordlist Scanning'], reference: ['https://attack.mitre.org/techniques/T1595/003/'] })
  tt.strictSame(doc.threat?.tactic?.id, ['TA0043', 'TA0007'])
  valid(tt, validEcs, doc, 'ecs-output.schema.json')
})

t.test('endpoint-only detection (scanner process seen, source address unknown): no source.*, the host named', async tt => {
  // What the scanner-process correlator reports when nmap starts on a host whose address is unknown.
  const d = sweep({
    source: { ip: '' },
    alsoTechniques: [],
    first_seen: '2026-11-26T19:39:12.101000Z',
    last_seen: '2026-11-26T19:39:12.101000Z',
    target_count: 254,
    port_count: 1,
    event_count: 0,
    sample_targets: ['10.1.2.0/24'],
    sample_ports: [80],
    correlator: 'scanner-process',
    reason: 'lnx-ws-041: dlee ran `nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24` (TCP connect sweep of 254 addresses)'
  })
  valid(tt, validDetection, d, 'detection.schema.json')
  const doc = detectionToEcs(record(d, 1795721952.101))
  tt.equal(doc.source, undefined)
  tt.strictSame(doc.host, { name: HOST })
  tt.strictSame(doc.related, { user: ['dlee'], hosts: [HOST] }, 'a CIDR target is not an address')
  tt.equal(doc.event.duration, 0)
  valid(tt, validEcs, doc, 'ecs-output.schema.json')
  valid(tt, validMerge, detectionToMerge(record(d)), 'merge-output.schema.json')
  tt.notOk(accepts(validDetection, d, x => { delete x.host }), 'no source address and no host')
  tt.notOk(accepts(validEcs, doc, r => { r.source = { ip: '10.20.30.41' } }), 'source.* without a source address in the detection')
})

t.test('a record time that is not a number: @timestamp from last_seen', async tt => {
  const doc = detectionToEcs(record(sweep(), NaN))
  tt.equal(doc['@timestamp'], '2026-11-26T19:39:22.532310Z')
  valid(tt, validEcs, doc, 'ecs-output.schema.json')
})

t.test('detection → merge record: the scantag object alone', async tt => {
  const d = sweep()
  const m = detectionToMerge(record(d))
  tt.strictSame(m, { scantag: { detection: d } })
  tt.equal(m.scantag.detection, d)
  valid(tt, validMerge, m, 'merge-output.schema.json')
  valid(tt, validDetection, m.scantag.detection, 'detection.schema.json')
  tt.notOk(accepts(validMerge, m, r => { r.event_type = 'flow' }), 'a detection record with other fields')
  tt.notOk(accepts(validMerge, m, r => { (r.scantag as Rec).community_id_source = 'sensor' }), 'a detection beside other scantag fields')
})

t.test('detection schemas reject bad detections (detection, merge and ecs schemas alike)', async tt => {
  const d = sweep()
  const m = detectionToMerge(record(d))
  const doc = detectionToEcs(record(d))
  const cases: Array<[string, (x: Rec) => void]> = [
    ['status "maybe"', x => { x.status = 'maybe' }],
    ['confidence 1.5', x => { x.confidence = 1.5 }],
    ['confidence -0.1', x => { x.confidence = -0.1 }],
    ['sub-technique T1595.4', x => { x.subtechnique = 'T1595.4' }],
    ['technique T1046', x => { x.technique = 'T1046' }],
    ['alsoTechniques T1595', x => { x.alsoTechniques = ['T1595'] }],
    ['alsoTechniques twice T1046', x => { x.alsoTechniques = ['T1046', 'T1046'] }],
    ['first_seen without microseconds', x => { x.first_seen = '2026-11-26T19:39:02.216Z' }],
    ['last_seen with an offset', x => { x.last_seen = '2026-11-26T19:39:22.532310+00:00' }],
    ['negative target_count', x => { x.target_count = -1 }],
    ['fractional event_count', x => { x.event_count = 7.5 }],
    ['port 70000 in sample_ports', x => { x.sample_ports = [22, 70000] }],
    ['21 sample targets', x => { x.sample_targets = Array.from({ length: 21 }, (_, i) => `10.1.2.${i + 1}`) }],
    ['empty reason', x => { x.reason = '' }],
    ['source without ip', x => { x.source = {} }],
    ['source ip not an address', x => { x.source = { ip: 'scanner' } }],
    ['unknown field', x => { x.severity = 'high' }],
    ['missing status', x => { delete x.status }],
    ['process without entity_id', x => { delete (x.process as Rec).entity_id }],
    ['process pid as a string', x => { (x.process as Rec).pid = '31242' }],
    ['host without name', x => { x.host = {} }],
    ['user with an id', x => { x.user = { name: 'dlee', id: '1001' } }]
  ]
  tt.ok(validDetection(JSON.parse(JSON.stringify(d))), 'baseline')
  for (const [what, mutate] of cases) {
    tt.notOk(accepts(validDetection, d, mutate), `detection schema: ${what}`)
    tt.notOk(accepts(validMerge, m, r => { mutate((r.scantag as Rec).detection as Rec) }), `merge schema: ${what}`)
    tt.notOk(accepts(validEcs, doc, r => { mutate((r.scantag as Rec).detection as Rec) }), `ecs schema: ${what}`)
  }
})

t.test('ecs schema: detection alerts are strict', async tt => {
  const doc: EcsDetectionDocument = detectionToEcs(record(sweep()))
  const event = (r: Rec): Rec => r.event as Rec
  tt.ok(validEcs(JSON.parse(JSON.stringify(doc))), 'baseline')
  tt.notOk(accepts(validEcs, doc, r => { event(r).kind = 'event' }), 'event.kind event')
  tt.notOk(accepts(validEcs, doc, r => { event(r).dataset = 'scantag.detections' }), 'wrong dataset')
  tt.notOk(accepts(validEcs, doc, r => { event(r).dataset = 'zeek.detection' }), 'a zeek dataset on a scantag document')
  tt.notOk(accepts(validEcs, doc, r => { event(r).action = 'detection-maybe' }), 'unknown action')
  tt.notOk(accepts(validEcs, doc, r => { event(r).category = ['network'] }), 'not intrusion_detection')
  tt.notOk(accepts(validEcs, doc, r => { delete event(r).id }), 'no event.id')
  tt.notOk(accepts(validEcs, doc, r => { event(r).original = '{}' }), 'event.original')
  tt.notOk(accepts(validEcs, doc, r => { delete r.threat }), 'no threat')
  tt.notOk(accepts(validEcs, doc, r => { delete r.source }), 'no source')
  tt.notOk(accepts(validEcs, doc, r => { delete r['@timestamp'] }), 'no @timestamp')
  tt.notOk(accepts(validEcs, doc, r => { r.zeek = { session_id: 'C1' } }), 'a zeek record')
  tt.notOk(accepts(validEcs, doc, r => { r.suricata = { eve: {} } }), 'a suricata record')
  tt.notOk(accepts(validEcs, doc, r => { r.destination = { ip: '10.1.2.1' } }), 'a destination')
  tt.notOk(accepts(validEcs, doc, r => { delete (r.scantag as Rec).detection }), 'no detection')
  tt.notOk(accepts(validEcs, doc, r => { (r.scantag as Rec).labels = [] }), 'labels beside the detection')
  tt.notOk(accepts(validEcs, doc, r => { delete ((r.scantag as Rec).detection as Rec).process }), 'process.* without an attributed process')
  tt.notOk(accepts(validEcs, doc, r => { delete ((r.scantag as Rec).detection as Rec).host }), 'host.* without an attributed host')
  tt.notOk(accepts(validEcs, doc, r => { delete ((r.scantag as Rec).detection as Rec).user }), 'user.* without an attributed user')
  tt.notOk(accepts(validEcs, doc, r => { ((r.threat as Rec).technique as Rec).subtechnique = { id: ['T1595.4'] } }), 'threat sub-technique T1595.4')
})

t.test('labelled events in merge output validate; bad labels are rejected', async tt => {
  const sweepLabel: Label = {
    technique: 'T1595', subtechnique: 'T1595.001', name: 'Scanning IP Blocks', tactic: 'TA0043',
    confidence: 0.9, correlator: 'horizontal-sweep', detection: DETECTION_ID, reason: REASON
  }
  const internal: Label = { ...sweepLabel, technique: 'T1046', subtechnique: null, name: 'Network Service Discovery', tactic: 'TA0007' }
  for (const ev of evidence) {
    const labelled: NetworkEvent = { ...ev, scantag: { ...ev.scantag, labels: [sweepLabel, internal] } }
    const m = toMerge(labelled)
    valid(tt, validMerge, m, `merge-output.schema.json (line ${ev.line})`)
    const doc = toEcs(labelled)
    tt.strictSame(doc.threat, SWEEP_THREAT, `threat.* (line ${ev.line})`)
    valid(tt, validEcs, doc, `ecs-output.schema.json (line ${ev.line})`)
  }
  const m = toMerge({ ...evidence[0], scantag: { ...evidence[0].scantag, labels: [sweepLabel, internal] } })
  const label = (r: Rec, i: number): Rec => ((r.scantag as Rec).labels as Rec[])[i]
  tt.notOk(accepts(validMerge, m, r => { label(r, 0).subtechnique = 'T1595.4' }), 'sub-technique T1595.4')
  tt.notOk(accepts(validMerge, m, r => { label(r, 0).confidence = 1.5 }), 'confidence 1.5')
  tt.notOk(accepts(validMerge, m, r => { label(r, 1).tactic = 'TA0043' }), 'T1046 under Reconnaissance')
  tt.notOk(accepts(validMerge, m, r => { label(r, 0).extra = true }), 'unknown label field')
  tt.notOk(accepts(validMerge, m, r => { (r.scantag as Rec).labels = {} }), 'labels not an array')
})

t.test('the detection and label definitions are the same in every schema', async tt => {
  const { $schema, $id, ...body } = detectionSchema
  tt.equal($schema, 'https://json-schema.org/draft/2020-12/schema')
  tt.match($id, /detection\.schema\.json$/)
  const mergeDefs = mergeSchema.$defs as Rec
  const ecsDefs = ecsSchema.$defs as Rec
  tt.strictSame(mergeDefs.detection, body, 'merge-output $defs.detection = detection.schema.json')
  tt.strictSame(ecsDefs.detection, body, 'ecs-output $defs.detection = detection.schema.json')
  tt.strictSame(mergeDefs.label, ecsDefs.label, 'label: merge-output = ecs-output')
})

t.test('what the correlation engine emits validates (a small sweep correlator over the real evidence)', async tt => {
  const correlator: Correlator = {
    name: 'test-sweep',
    onEvent (e, ctx) {
      if (e.category !== 'network' || e.src?.ip !== SOURCE || e.dst?.ip.startsWith('10.1.2.') !== true) return
      const seen = evidence.slice(0, evidence.indexOf(evidence.find(x => x.line === e.line) as NetworkEvent) + 1)
      const ds = ctx.detect({
        key: SOURCE,
        subtechnique: 'T1595.001',
        sourceIp: SOURCE,
        firstSeen: Math.min(...seen.map(startOf)),
        lastSeen: Math.max(...seen.map(startOf)),
        targetCount: new Set(seen.map(x => x.dst?.ip)).size,
        portCount: new Set(seen.flatMap(x => x.dst?.port === undefined || x.transport !== 'tcp' ? [] : [x.dst.port])).size,
        eventCount: seen.length,
        sampleTargets: seen.map(x => x.dst?.ip ?? ''),
        samplePorts: [22, 445, 80],
        confidence: 0.4 + 0.1 * seen.length,
        reason: `${SOURCE} probed ${seen.length} addresses of 10.1.2.0/24.`,
        host: { name: HOST },
        user: { name: 'dlee' },
        process: NMAP
      })
      ctx.tag(e, { subtechnique: 'T1595.001', confidence: ds.confidence, reason: ds.reason, detection: ds.id })
    }
  }
  const engine = new CorrelationEngine({ correlators: [correlator], detectionUpdateSeconds: 0 })
  const out: EngineOutput[] = []
  for (const e of events) out.push(...engine.push(e))
  out.push(...engine.end())
  const records = out.filter((o): o is DetectionRecord => o.category === 'detection')
  const labelled = out.filter((o): o is NetworkEvent => o.category === 'network' && o.scantag.labels !== undefined)
  tt.ok(records.length >= 2, `${records.length} detection records`)
  tt.equal(records[0].detection.status, 'open')
  tt.equal(records.at(-1)?.detection.status, 'closed')
  tt.equal(labelled.length, evidence.length, 'every evidence event labelled')
  for (const r of records) {
    valid(tt, validDetection, r.detection, `detection.schema.json (${r.detection.status})`)
    valid(tt, validMerge, detectionToMerge(r), `merge-output.schema.json (${r.detection.status})`)
    const doc = detectionToEcs(r)
    valid(tt, validEcs, doc, `ecs-output.schema.json (${r.detection.status})`)
    tt.equal(doc.event.id, records[0].detection.id)
    tt.strictSame(doc.threat, SWEEP_THREAT, 'internal source: T1046 too')
  }
  for (const e of labelled) {
    valid(tt, validMerge, toMerge(e), `merge-output.schema.json (line ${e.line})`)
    const doc = toEcs(e)
    tt.strictSame(doc.threat, SWEEP_THREAT)
    valid(tt, validEcs, doc, `ecs-output.schema.json (line ${e.line})`)
  }
})
