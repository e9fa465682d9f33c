// The rare-network-process correlator on the lab's endpoint telemetry and Suricata EVE: new
// network programs after a learning period, and processes fanning out to many addresses. It only
// adds technique-level evidence: no sub-technique, no detection.
import t, { type Test } from 'tap'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mergeByTime } from '../lib/merge.js'
import type { Label, NetworkEvent, ProcessEvent, ScantagEvent } from '../lib/model.js'
import { LogReader } from '../lib/parse/reader.js'
import { flowAttribution } from '../lib/correlate/attribution.js'
import { CorrelationEngine } from '../lib/correlate/engine.js'
import type { Correlator, CorrelatorContext, SourceEvidence } from '../lib/correlate/api.js'
import { isLearning, rareNetworkProcess, type RareNetworkProcessOptions } from '../lib/correlate/rare-network-process.js'
import { sharedData } from './helpers.js'

const example = (name: string): string => fileURLToPath(new URL(`../examples/data/${name}`, import.meta.url))

interface Run { events: ScantagEvent[], evidence: (ip: string) => SourceEvidence, detections: number }

async function run (t: Test, files: string[], options: RareNetworkProcessOptions, hosts: Array<{ name: string, ips: string[] }>): Promise<Run> {
  const readers = files.map(f => createReadStream(f).pipe(new LogReader({ input: f })))
  const { stream } = mergeByTime(readers, { lateness: 120 })
  let ctxRef: CorrelatorContext | undefined
  const probe: Correlator = { name: 'evidence-probe', onEvent (_ev, ctx) { ctxRef = ctx } }
  const engine = new CorrelationEngine({ correlators: [flowAttribution(), rareNetworkProcess(options), probe], processTable: { hosts }, config: { hosts } })
  const events: ScantagEvent[] = []
  let detections = 0
  const take = (outs: ReturnType<CorrelationEngine['push']>): void => {
    for (const o of outs) { if (o.category === 'detection') detections++; else events.push(o) }
  }
  for await (const ev of stream) take(engine.push(ev as ScantagEvent))
  take(engine.end())
  t.same(Object.fromEntries(engine.errors), {}, 'no correlator error')
  return { events, evidence: ip => ctxRef?.evidence(ip) ?? { kinds: {}, score: 0 }, detections }
}

const mine = (e: ScantagEvent): Label[] => (e.scantag.labels ?? []).filter(l => l.correlator === 'rare-network-process')
const labelled = (events: ScantagEvent[]): ScantagEvent[] => events.filter(e => mine(e).length > 0)
const exe = (e: ScantagEvent): string => (e.category === 'process' ? e.process.executable : e.scantag.process?.executable) ?? ''
const countBy = (events: ScantagEvent[], key: (e: ScantagEvent) => string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const e of events) out[key(e)] = (out[key(e)] ?? 0) + 1
  return out
}

function onlyEvidence (t: Test, r: Run): void {
  const labels = r.events.flatMap(mine)
  t.ok(labels.every(l => l.technique === 'T1595' && l.subtechnique === null), 'technique-level labels only')
  t.notOk(r.events.some(e => (e.scantag.labels ?? []).some(l => l.technique === 'T1046' && l.correlator === 'rare-network-process')), 'no T1046 without a sub-technique')
  t.equal(r.detections, 0, 'no detection opened')
}

t.test('exports: factory name, option validation, learning window', async t => {
  t.equal(rareNetworkProcess().name, 'rare-network-process')
  t.throws(() => rareNetworkProcess({ learningSeconds: -1 }), { name: 'TypeError', message: /learningSeconds/ })
  t.throws(() => rareNetworkProcess({ maxImagesPerHost: 0 }), { name: 'TypeError', message: /maxImagesPerHost/ })
  t.throws(() => rareNetworkProcess({ fanOutThreshold: 2.5 }), { name: 'TypeError', message: /fanOutThreshold/ })
  t.throws(() => rareNetworkProcess({ fanOutWindowSeconds: 0 }), { name: 'TypeError', message: /fanOutWindowSeconds/ })
  t.throws(() => rareNetworkProcess({ newImageWeight: 2 }), { name: 'TypeError', message: /newImageWeight/ })
  t.throws(() => rareNetworkProcess({ fanOutWeight: -0.5 }), { name: 'TypeError', message: /fanOutWeight/ })
  t.throws(() => rareNetworkProcess({ maxHosts: 1.5 }), { name: 'TypeError', message: /maxHosts/ })
  t.throws(() => rareNetworkProcess({ threshold: 5 } as never), { name: 'TypeError', message: /unknown option "threshold"/ })
  t.equal(isLearning(1000, 1000 + 86_399, 86_400), true)
  t.equal(isLearning(1000, 1000 + 86_400, 86_400), false)
  t.equal(isLearning(1000, 1000, 0), false, 'no learning period: judged at once')
})

const hostsS02 = [{ name: 'lnx-ws-041', ips: ['10.20.30.41'] }]
const s02 = JSON.parse(readFileSync(example('truth.json'), 'utf8')) as { benign_sources: string[] }

for (const telemetry of ['sysmon.jsonl', 'audit.log', 'osqueryd.results.log']) {
  t.test(`lab s02 (examples/data, ${telemetry}), default learning: fping and both nmaps fan out; nothing else flagged`, async t => {
    const r = await run(t, [example('eve.json'), example(`host/${telemetry}`)], {}, hostsS02)
    onlyEvidence(t, r)
    const l = labelled(r.events)
    t.same(countBy(l.filter(e => e.category === 'network'), e => `${e.kind} ${exe(e)}`), {
      'flow /usr/bin/nmap': 2773,
      'alert /usr/bin/nmap': 208,
      'flow /usr/bin/fping': 204
    }, 'network events of the three scanner processes from the threshold crossing on')
    t.same(new Set(l.map(e => mine(e)[0].confidence)), new Set([0.3]), 'fan-out weight')
    const reasons = [...new Set(l.map(e => mine(e)[0].reason.replace(/pid \d+/, 'pid N')))].sort()
    t.same(reasons, [
      'lnx-ws-041: /usr/bin/fping (pid N) reached 51 distinct addresses in 3.59 s (more than 50 in 60 s)',
      'lnx-ws-041: /usr/bin/nmap (pid N) reached 51 distinct addresses in 0 s (more than 50 in 60 s)',
      'lnx-ws-041: /usr/bin/nmap (pid N) reached 51 distinct addresses in 0.01 s (more than 50 in 60 s)'
    ])
    t.same(r.evidence('10.20.30.41'), { kinds: { 'rare-network-process': 0.3 }, score: 0.3 })
    t.equal(l.filter(e => e.category === 'network' && s02.benign_sources.includes(e.src?.ip ?? '')).length, 0, 'benign clients never')
    t.ok(l.every(e => ['/usr/bin/nmap', '/usr/bin/fping', ''].includes(exe(e))), 'only scanner processes')
    const pids = new Set(l.map(e => e.category === 'process' ? e.process.pid : e.scantag.process?.pid))
    t.same([...pids].sort(), [31212, 31242, 31271], 'fping, nmap -sT and the sudo child nmap -sS')
  })
}

t.test('lab s02 (examples/data, Sysmon), no learning: nmap and fping are also new images', async t => {
  const r = await run(t, [example('eve.json'), example('host/sysmon.jsonl')], { learningSeconds: 0 }, hostsS02)
  onlyEvidence(t, r)
  const reasons = [...new Set(labelled(r.events).map(e => mine(e)[0].reason.replace(/pid \d+/, 'pid N').replace(/\(to [0-9.:]+\)/, '(to X)')))].sort()
  t.same(reasons, [
    'lnx-ws-041: /usr/bin/fping (pid N) connected out (to X) for the first time on this host after 0 s of learning; 1 image known to connect',
    'lnx-ws-041: /usr/bin/fping (pid N) connected out (to X) for the first time on this host after 0 s of learning; 1 image known to connect, then reached 51 distinct addresses in 3.59 s (more than 50 in 60 s)',
    'lnx-ws-041: /usr/bin/nmap (pid N) connected out (to X) for the first time on this host after 0 s of learning; 0 images known to connect',
    'lnx-ws-041: /usr/bin/nmap (pid N) connected out (to X) for the first time on this host after 0 s of learning; 0 images known to connect, then reached 51 distinct addresses in 0 s (more than 50 in 60 s)',
    'lnx-ws-041: /usr/bin/nmap (pid N) reached 51 distinct addresses in 0.01 s (more than 50 in 60 s)'
  ], 'the second nmap (sudo nmap -sS) is the same image: not new, only fanning out')
  t.same(r.evidence('10.20.30.41'), { kinds: { 'rare-network-process': 0.44 }, score: 0.44 }, 'both reasons combine: 1 - 0.8 x 0.7')
})

t.test('lab s02 (examples/data, Sysmon): the raw SYN scan is caught from its attributed flows (staged delivery)', async t => {
  const r = await run(t, [example('eve.json'), example('host/sysmon.jsonl')], {}, hostsS02)
  const pids = new Set(labelled(r.events).filter(e => e.category === 'network').map(e => e.scantag.process?.pid))
  t.ok(pids.has(31271), 'nmap -sS has no socket records, yet its flows reach this correlator attributed: the engine delivers a held flow only after attribution releases it')
  t.ok(pids.has(31242))
})

const lab = sharedData !== undefined ? join(sharedData, 'lab') : undefined
const guard = (p: string | undefined): { skip: string | false } => ({ skip: p === undefined || !existsSync(p) ? `${p ?? '../shared/data'} not present` : false })

for (const telemetry of ['sysmon.jsonl', 'audit.log', 'osqueryd.results.log']) {
  const dir = lab !== undefined ? join(lab, 's10_benign_monitoring') : undefined
  t.test(`lab s10 benign monitoring (${telemetry}): learning decides`, guard(dir), async t => {
    const d = dir as string
    const files = [join(d, 'eve.json'), join(d, 'host', telemetry)]
    const hosts = [{ name: 'mon01', ips: ['10.1.10.5'] }]
    const day = await run(t, files, {}, hosts)
    t.equal(labelled(day.events).length, 0, 'default learning: nothing flagged, and 32 check_http runs never fan out')
    t.equal(day.evidence('10.1.10.5').score, 0)
    // Learning for 5 s only: check_http was seen in time, check_ssh and nslookup (9 s later) were not.
    const short = await run(t, files, { learningSeconds: 5 }, hosts)
    onlyEvidence(t, short)
    const byExe = countBy(labelled(short.events), e => exe(e))
    t.same(Object.keys(byExe).filter(k => k !== '').sort(), ['/usr/bin/nslookup', '/usr/lib/nagios/plugins/check_ssh'])
    t.equal(labelled(short.events).filter(e => exe(e).endsWith('check_http')).length, 0)
    t.same(short.evidence('10.1.10.5'), { kinds: { 'rare-network-process': 0.2 }, score: 0.2 })
    // Round two (30 s later) re-runs the same programs: all known by then.
    const started = (e: ScantagEvent): number => (e.category === 'network' ? e.flowStart ?? e.time : e.time) ?? 0
    t.ok(short.events.some(e => started(e) > 1795722398), 'round two was captured')
    const round2 = labelled(short.events).filter(e => started(e) > 1795722398)
    t.equal(round2.length, 0, 'the second round is not flagged')
  })
}

for (const scenario of ['s04_t1595.002_internal_vulnscan', 's06_t1595.003_internal_ffuf', 's09_t1595.003_internal_gobuster_dns']) {
  const dir = lab !== undefined ? join(lab, scenario) : undefined
  t.test(`lab ${scenario} (Sysmon): one target each, so no fan-out; new images only without learning`, guard(dir), async t => {
    const d = dir as string
    const files = [join(d, 'eve.json'), join(d, 'host', 'sysmon.jsonl')]
    const day = await run(t, files, {}, hostsS02)
    t.equal(labelled(day.events).length, 0)
    const none = await run(t, files, { learningSeconds: 0 }, hostsS02)
    onlyEvidence(t, none)
    const tools = new Set(labelled(none.events).map(exe).filter(x => x !== ''))
    t.same([...tools], [{ s04: '/usr/bin/nmap', s06: '/usr/bin/ffuf', s09: '/usr/bin/gobuster' }[scenario.slice(0, 3)]])
    t.same(none.evidence('10.20.30.41').score, 0.2)
    const benign = labelled(none.events).filter(e => e.category === 'network' && ['10.20.30.57', '10.20.30.62', '10.20.30.73'].includes(e.src?.ip ?? ''))
    t.equal(benign.length, 0)
    t.ok(labelled(none.events).every((e: ScantagEvent) => e.category === 'process' ? (e as ProcessEvent).action === 'connect' : (e as NetworkEvent).src?.ip === '10.20.30.41'))
  })
}

const s10 = lab !== undefined ? join(lab, 's10_benign_monitoring') : undefined
t.test('bounded: with room for one image per host, an evicted image is new again', guard(s10), async t => {
  const d = s10 as string
  const r = await run(t, [join(d, 'eve.json'), join(d, 'host', 'sysmon.jsonl')], { learningSeconds: 0, maxImagesPerHost: 1 }, [{ name: 'mon01', ips: ['10.1.10.5'] }])
  const firsts = labelled(r.events).filter(e => e.category === 'process')
  const byExe = countBy(firsts, e => exe(e).replace(/^.*\//, ''))
  t.same(byExe, { check_http: 2, check_ssh: 2, nslookup: 4 }, 'each round re-learns after check_ssh and nslookup pushed the others out')
})
