// Crash-safe detector state: a scan split across a restart is still detected.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseState, snapshotEngine, restoreEngine, StateFileError } from '../lib/state-file.js'
import { CorrelationEngine } from '../lib/correlate/engine.js'
import { builtinCorrelators } from '../lib/correlate/builtins.js'
import type { ScantagEvent } from '../lib/model.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.js')
const tmp = mkdtempSync(join(tmpdir(), 'scantag-state-'))

// Invented for this edge case: a slow SYN sweep of tcp/445, one unanswered probe a minute
// (Zeek JSON conn records, as Zeek writes them for S0 attempts).
const probe = (i: number): string => JSON.stringify({
  ts: 1_800_000_000 + 60 * i, uid: `Cslow${String(i).padStart(13, '0')}`, 'id.orig_h': '203.0.113.5', 'id.orig_p': 40000 + i,
  'id.resp_h': `10.1.2.${i}`, 'id.resp_p': 445, proto: 'tcp', duration: 3.0, orig_bytes: 0, resp_bytes: 0, conn_state: 'S0',
  history: 'S', orig_pkts: 2, orig_ip_bytes: 120, resp_pkts: 0, resp_ip_bytes: 0
})
const first = join(tmp, 'conn-1.log')
const second = join(tmp, 'conn-2.log')
writeFileSync(first, [1, 2, 3].map(probe).join('\n') + '\n')
writeFileSync(second, [4, 5, 6].map(probe).join('\n') + '\n')

function run (args: string[]): { code: number | null, stderr: string, detections: Array<{ subtechnique: string, source: { ip: string }, target_count: number }> } {
  const dets = join(tmp, `d-${Math.random()}.ndjson`)
  const r = spawnSync(process.execPath, [cli, 'enrich', ...args, '-o', join(tmp, 'out.ndjson'), '--detections', dets, '-q'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  const detections = existsSync(dets) ? readFileSync(dets, 'utf8').trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { subtechnique: string, source: { ip: string }, target_count: number }) : []
  return { code: r.status, stderr: r.stderr, detections }
}

t.test('a restart in the middle of a slow scan still detects it', async t => {
  const state = join(tmp, 'state.json')
  const a = run([first, '--state', state])
  t.equal(a.code, 0, a.stderr)
  t.same(a.detections, [], 'three probes: not yet a sweep')
  t.ok(existsSync(state), 'state written at exit')
  const doc = parseState(readFileSync(state, 'utf8'))
  t.equal(doc.format, 'scantag-state')
  t.ok(Object.keys(doc.stores).some(n => n.startsWith('horizontal-sweep:')), 'sweep state saved')

  const control = run([second])
  t.same(control.detections, [], 'without state, the second half alone is not a sweep either')

  const b = run([second, '--state', state])
  t.equal(b.code, 0, b.stderr)
  const sweep = b.detections.find(d => d.subtechnique === 'T1595.001' && d.source.ip === '203.0.113.5')
  t.ok(sweep !== undefined, 'with the state, the sweep is detected after the restart')
  t.ok((sweep?.target_count ?? 0) >= 4, `target count carries over (${sweep?.target_count})`)
})

t.test('corrupt, truncated and foreign state files are refused with a message, never half-loaded', async t => {
  const good = join(tmp, 'good.json')
  run([first, '--state', good])
  const text = readFileSync(good, 'utf8')
  const cases: Array<[string, string, RegExp]> = [
    ['truncated.json', text.slice(0, Math.floor(text.length / 2)), /is not valid JSON \(truncated or corrupt\?\)/],
    ['foreign.json', JSON.stringify({ hello: 'world' }), /is not a scantag state file/],
    ['future.json', text.replace('"version":1', '"version":2'), /has state version 2; this scantag reads version 1/],
    ['bent.json', text.replace('"stores":{', '"stores":{"x:y":{"max":0,"ttlSeconds":1,"entries":[]},'), /does not match schemas\/state\.schema\.json/]
  ]
  for (const [name, content, message] of cases) {
    const f = join(tmp, name)
    writeFileSync(f, content)
    const r = run([second, '--state', f])
    t.equal(r.code, 1, `${name}: exit 1`)
    t.match(r.stderr, message, name)
    t.match(r.stderr, /move it away to start without it/)
    t.equal(readFileSync(f, 'utf8'), content, `${name}: left untouched`)
  }
  t.throws(() => parseState('{"format":"scantag-state","version":1}'), StateFileError)
})

t.test('snapshot and restore round-trip through the API, Maps and all', async t => {
  const make = (): CorrelationEngine => new CorrelationEngine({ correlators: builtinCorrelators() })
  const a = make()
  const lines = readFileSync(first, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  const { zeekToEvent } = await import('../lib/parse/zeek.js')
  for (const [i, r] of lines.entries()) {
    const ev = zeekToEvent(r, { input: 'x', line: i + 1, format: 'zeek-json', communityIdSeed: 0, pathHint: 'conn' })
    if (typeof ev !== 'string') a.push(ev)
  }
  const snap = snapshotEngine(a, a.correlatorNames)
  const text = JSON.stringify(snap, (_k, v: unknown) => v instanceof Map ? { $map: [...v.entries()] } : v)
  const b = make()
  const skipped = restoreEngine(b, parseState(JSON.stringify(JSON.parse(readFileSync(join(tmp, 'state.json'), 'utf8')))))
  t.same(skipped, ['flow-attribution:sockets', 'flow-attribution:candidates'], 'stores of correlators not running are skipped, by name')
  t.equal(b.watermark, 1_800_000_360, 'watermark restored (the file was last written after the second half)')
  t.notOk(Object.keys(parseState(readFileSync(join(tmp, 'state.json'), 'utf8')).stores).includes('flow-attribution:pending'), 'stores of events in flight are not saved')
  t.ok(text.length > 100)
  t.throws(() => { restoreEngine(a, snap) }, /before the first event/)
})

type Closed = Array<{ correlator: string, port_count: number, target_count: number, reason: string }>
/** The closed detection records among an engine's outputs. */
const closedDetections = (outs: ReturnType<CorrelationEngine['push']>): Closed =>
  outs.flatMap(o => o.category === 'detection' && o.detection.status === 'closed' ? [o.detection] : [])

/**
 * A real nmap SYN scan of 1,000 ports on one host (irongirl101 conn.log, examples/data), and
 * engines with every built-in correlator whose warnings are collected.
 */
async function nmapScan (): Promise<{ events: ScantagEvent[], warnings: string[], make: () => CorrelationEngine }> {
  const { readThrough } = await import('./helpers.js')
  const events = (await readThrough(join(root, 'examples/data/conn.log'))).events
  const warnings: string[] = []
  const log = { info: () => {}, warn: (...a: unknown[]) => { warnings.push(a.map(String).join(' ')) } }
  return { events, warnings, make: () => new CorrelationEngine({ correlators: builtinCorrelators(), log }) }
}

t.test('every correlator goes on without errors after a restore (class-held state such as port tallies included)', async t => {
  // The nmap scan split in two at a checkpoint.
  const { events, warnings, make } = await nmapScan()

  const whole = make()
  const unbroken = closedDetections([...events.flatMap(e => whole.push(structuredClone(e))), ...whole.end()])
  const vertical = unbroken.find(d => d.correlator === 'vertical-scan')
  t.ok(vertical !== undefined && vertical.port_count > 500, `the unbroken run finds the vertical scan (${vertical?.port_count} ports)`)

  const half = Math.floor(events.length / 2)
  const a = make()
  for (const e of events.slice(0, half)) a.push(structuredClone(e))
  const file = join(tmp, 'split.json')
  const { writeStateFile, readStateFile } = await import('../lib/state-file.js')
  writeStateFile(file, snapshotEngine(a, a.correlatorNames))
  const b = make()
  restoreEngine(b, readStateFile(file))
  const resumed = closedDetections([...events.slice(half).flatMap(e => b.push(structuredClone(e))), ...b.end()])
  t.same(warnings, [], 'no correlator failed after the restore')
  const again = resumed.find(d => d.correlator === 'vertical-scan')
  t.equal(again?.port_count, vertical?.port_count, 'the scan split by the restart counts the same ports as the unbroken run')
})

t.test('checkpoints written before pairs were made smaller still restore', async t => {
  // Earlier builds kept a vertical pair's transports as a Set of names and gave every sweep
  // pair a Map of its destinations; now a bit set, and one destination without a Map. The
  // nmap scan, split at a checkpoint rewritten in the earlier layout.
  const { events, warnings, make } = await nmapScan()
  const whole = make()
  const unbroken = closedDetections([...events.flatMap(e => whole.push(structuredClone(e))), ...whole.end()])

  const half = Math.floor(events.length / 2)
  const a = make()
  for (const e of events.slice(0, half)) a.push(structuredClone(e))
  const { writeStateFile, readStateFile } = await import('../lib/state-file.js')
  const file = join(tmp, 'old-layout.json')
  writeStateFile(file, snapshotEngine(a, a.correlatorNames))
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { stores: Record<string, { entries: Array<[string, Record<string, unknown>, number]> }> }
  let pairs = 0
  let sweeps = 0
  for (const [, v] of doc.stores['vertical-scan:pairs']?.entries ?? []) {
    t.type(v.transports, 'number', 'written as bits now')
    const names = ['tcp', 'udp', 'sctp'].filter((_n, slot) => ((v.transports as number) & (1 << slot)) !== 0)
    v.transports = { $set: names }
    pairs++
  }
  for (const name of ['horizontal-sweep:pairs', 'horizontal-sweep:suspects']) {
    for (const [, v] of doc.stores[name]?.entries ?? []) {
      if (v.sole === undefined) continue
      v.contacted = { $map: [[v.sole, v.soleAnswered === true]] }
      delete v.sole
      delete v.soleAnswered
      sweeps++
    }
  }
  t.ok(pairs > 0 && sweeps > 0, `rewrote ${pairs} vertical pairs and ${sweeps} one-destination sweep pairs`)
  writeFileSync(file, JSON.stringify(doc))
  const b = make()
  restoreEngine(b, readStateFile(file))
  const resumed = closedDetections([...events.slice(half).flatMap(e => b.push(structuredClone(e))), ...b.end()])
  t.same(warnings, [], 'no correlator failed on the old layout')
  const before = unbroken.find(d => d.correlator === 'vertical-scan')
  const after = resumed.find(d => d.correlator === 'vertical-scan')
  t.equal(after?.port_count, before?.port_count, `the same ${before?.port_count} ports`)
  t.equal(after?.reason, before?.reason, 'and the same reason')

  // A sweep pair with one destination at the checkpoint, probed again after it: the slow
  // tcp/445 sweep above, its first probe before the restart, the rest and a repeat after.
  const { zeekToEvent } = await import('../lib/parse/zeek.js')
  const sweepEvents = [1, 2, 1, ...Array.from({ length: 30 }, (_v, i) => i + 3)].map((n, i) => {
    const ev = zeekToEvent(JSON.parse(probe(n)) as Record<string, unknown>, { input: 'x', line: i + 1, format: 'zeek-json', communityIdSeed: 0, pathHint: 'conn' })
    if (typeof ev === 'string') throw new Error(ev)
    return ev
  })
  const sweepOf = (outs: ReturnType<CorrelationEngine['push']>): unknown[] => closedDetections(outs).filter(d => d.correlator === 'horizontal-sweep').map(d => [d.target_count, d.reason])
  const c = make()
  const oneGo = sweepOf([...sweepEvents.flatMap(e => c.push(structuredClone(e))), ...c.end()])
  t.same(oneGo.map(x => (x as [number])[0]), [32], 'the unbroken run finds the sweep of 32 destinations, 10.1.2.1 counted once')
  const d = make()
  d.push(structuredClone(sweepEvents[0]))
  writeStateFile(file, snapshotEngine(d, d.correlatorNames))
  const sweepDoc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc
  const entry = sweepDoc.stores['horizontal-sweep:pairs']?.entries[0]?.[1]
  t.same([entry?.sole, entry?.contacted], [167838209, undefined], 'one destination (10.1.2.1) and no Map, as written now')
  if (entry !== undefined) {
    entry.contacted = { $map: [[entry.sole, false]] }
    delete entry.sole
    delete entry.soleAnswered
  }
  writeFileSync(file, JSON.stringify(sweepDoc))
  const e = make()
  restoreEngine(e, readStateFile(file))
  const resumedSweep = sweepOf([...sweepEvents.slice(1).flatMap(ev => e.push(structuredClone(ev))), ...e.end()])
  t.same(resumedSweep, oneGo, 'restored from the earlier layout: the same destinations counted (10.1.2.1 once), the same reason')
  t.same(warnings, [], 'no correlator failed')
})
