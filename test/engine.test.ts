import t from 'tap'
import { CorrelationEngine, heldEventBytes, type EngineOutput } from '../lib/correlate/engine.js'
import type { Correlator, KeyedState } from '../lib/correlate/api.js'
import type { NetworkEvent, ScantagEvent } from '../lib/model.js'

function ev (line: number, time: number): NetworkEvent {
  return { category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input: 't', line, time, original: {}, scantag: {} }
}
const lines = (evs: EngineOutput[]): number[] => evs.flatMap(e => e.category === 'detection' ? [] : [e.line])

t.test('events nobody holds pass straight through', async t => {
  const engine = new CorrelationEngine({ correlators: [] })
  t.same(lines(engine.push(ev(1, 10))), [1])
  t.same(lines(engine.push(ev(2, 11))), [2])
  t.same(engine.end(), [])
})

t.test('held events leave when the watermark passes their deadline, after onRelease, in input order', async t => {
  const released: number[] = []
  const holdOdd: Correlator = {
    name: 'hold-odd',
    onEvent (e, ctx) { if (e.line % 2 === 1) ctx.hold(e, (e.time as number) + 5) },
    onRelease (e) { released.push(e.line); e.scantag.community_id_source = 'computed' }
  }
  const engine = new CorrelationEngine({ correlators: [holdOdd] })
  const out: number[] = []
  out.push(...lines(engine.push(ev(1, 100))))
  out.push(...lines(engine.push(ev(2, 101))))
  out.push(...lines(engine.push(ev(3, 102))))
  t.same(out, [2], 'only the unheld event has left')
  t.equal(engine.held, 2)
  out.push(...lines(engine.push(ev(4, 107.5)))) // watermark 107.5 passes 105 and 107
  t.same(out, [2, 1, 3, 4], 'expired holds leave before the event that expired them')
  t.same(released, [1, 3])
  t.equal(engine.held, 0)
})

t.test('a correlator may release early; maxHeldEvents forces the oldest out; end releases all', async t => {
  let toRelease: ScantagEvent | undefined
  const c: Correlator = {
    name: 'c',
    onEvent (e, ctx) {
      if (e.line === 1) { ctx.hold(e, 1e12); toRelease = e }
      if (e.line === 2 && toRelease !== undefined) ctx.release(toRelease)
      if (e.line >= 3) ctx.hold(e, 1e12)
    }
  }
  const engine = new CorrelationEngine({ correlators: [c], maxHeldEvents: 2 })
  t.same(lines(engine.push(ev(1, 1))), [])
  t.same(lines(engine.push(ev(2, 2))), [1, 2], 'released by the correlator while handling event 2, ahead of it')
  t.same(lines(engine.push(ev(3, 3))), [])
  t.same(lines(engine.push(ev(4, 4))), [])
  t.same(lines(engine.push(ev(5, 5))), [3], 'cap of 2 forces the oldest out')
  t.same(lines(engine.end()), [4, 5])
  t.ok(engine.peakHeld <= 2)
})

t.test('maxHeldBytes bounds the memory of held events, whatever their count', async t => {
  const holdAll: Correlator = { name: 'hold-all', onEvent (e, ctx) { ctx.hold(e, 1e12) } }
  const long = (line: number, chars: number): NetworkEvent => ({ ...ev(line, line), raw: 'x'.repeat(chars) })
  // Each 100,000-character line counts 300,256 bytes: two fit under 700,000, three do not.
  t.equal(heldEventBytes(long(1, 100_000)), 300_256)
  const engine = new CorrelationEngine({ correlators: [holdAll], maxHeldBytes: 700_000 })
  t.same(lines(engine.push(long(1, 100_000))), [])
  t.same(lines(engine.push(long(2, 100_000))), [])
  t.same(lines(engine.push(long(3, 100_000))), [1], 'the third over the budget forces the oldest out')
  t.same(lines(engine.push(ev(4, 4))), [], 'a short event fits beside the two long ones')
  t.same(lines(engine.push(long(5, 200_000))), [2, 3], 'a long one forces out as many as needed')
  t.ok(engine.peakHeld <= 3)
  t.same(lines(engine.end()), [4, 5])
  t.throws(() => new CorrelationEngine({ correlators: [], maxHeldBytes: -1 }), /maxHeldBytes must be an integer >= 0/)
})

t.test('maxHoldSeconds caps a hold', async t => {
  const c: Correlator = { name: 'forever', onEvent (e, ctx) { if (e.line === 1) ctx.hold(e, Infinity) } }
  const engine = new CorrelationEngine({ correlators: [c], maxHoldSeconds: 10 })
  t.same(lines(engine.push(ev(1, 0))), [])
  t.same(lines(engine.push(ev(2, 9))), [2])
  t.same(lines(engine.push(ev(3, 10))), [3], 'a deadline is passed only strictly')
  t.same(lines(engine.push(ev(4, 10.5))), [1, 4])
})

t.test('a throwing correlator is reported and skipped (or disabled); events still flow', async t => {
  const warnings: string[] = []
  let calls = 0
  const bad: Correlator = { name: 'bad', onEvent () { calls++; throw new Error('boom') } }
  const good: Correlator = { name: 'good', onEvent (e) { e.scantag.community_id = 'seen' } }
  const skip = new CorrelationEngine({ correlators: [bad, good], log: { info: () => {}, warn: (m) => { warnings.push(String(m)) } } })
  const out = [...skip.push(ev(1, 1)), ...skip.push(ev(2, 2))]
  t.same(lines(out), [1, 2])
  t.equal((out[0] as ScantagEvent).scantag.community_id, 'seen', 'the other correlator still ran')
  t.equal(calls, 2)
  t.match(warnings[0], /correlator bad failed: boom/)
  t.equal(skip.errors.get('bad'), 2)
  calls = 0
  const disable = new CorrelationEngine({ correlators: [bad], onError: 'disable' })
  disable.push(ev(1, 1)); disable.push(ev(2, 2))
  t.equal(calls, 1, 'disabled after the first error')
})

t.test('state stores are bounded and expire by event time', async t => {
  let store: KeyedState<number> | undefined
  const c: Correlator = {
    name: 'counter',
    onEvent (e, ctx) {
      const s = ctx.state<number>('seen', { max: 3, ttlSeconds: 10 })
      s.set(String(e.line), e.line)
      store = s
    }
  }
  const engine = new CorrelationEngine({ correlators: [c] })
  for (let i = 1; i <= 5; i++) engine.push(ev(i, i))
  t.equal(store?.size, 3, 'max 3')
  t.equal(store?.has('5'), true)
  t.equal(store?.has('1'), false, 'least recently used evicted')
  engine.push(ev(6, 14.5))
  t.equal(store?.get('4'), undefined, 'set at t=4, expired at t=14.5 (ttl 10)')
  t.equal(store?.get('5'), 5, 'set at t=5, still alive at t=14.5')
})

t.test('a store with maxSize bounds the sizes its entries add up to, entries that grow in place included', async t => {
  let store: KeyedState<number[]> | undefined
  const c: Correlator = {
    name: 'growing',
    onEvent (e, ctx) {
      // One list per key of ten; each event adds to its key's list in place and sets it again.
      const s = ctx.state<number[]>('lists', { max: 100, ttlSeconds: 1000, maxSize: 2000, sizeOf: (v) => 8 * v.length })
      const key = String(e.line % 10)
      const list = s.get(key) ?? []
      list.push(e.line)
      s.set(key, list)
      store = s
    }
  }
  const engine = new CorrelationEngine({ correlators: [c] })
  const stored = (): { size: number, total: number } => {
    const cache = engine.allStores().get('growing:lists')?.cache
    return { size: cache?.size ?? 0, total: cache?.calculatedSize ?? 0 }
  }
  for (let i = 1; i <= 100; i++) engine.push(ev(i, i))
  t.same(stored(), { size: 10, total: 10 * 80 }, 'ten lists of ten: 800 of 2,000')
  for (let i = 101; i <= 400; i++) engine.push(ev(i, i))
  const after = stored()
  t.ok(after.total <= 2000, `lists that grew in place are measured again: ${after.total} of 2,000`)
  const kept = [...(engine.allStores().get('growing:lists')?.cache.values() ?? [])].reduce<number>((n, v) => n + (v as number[]).length, 0)
  t.ok(kept < 400 && kept >= 200, `the least recently used lists went, and started over: ${kept} of 400 numbers kept`)
  t.equal(store?.get('0')?.at(-1), 400, 'the list set last is kept')
  const { sizeClass } = await import('../lib/correlate/state.js')
  t.same([0, Number.NaN, 0.2, 1, 64, 65, 100, 1000, 1025].map(sizeClass), [1, 1, 1, 1, 64, 72, 104, 1024, 1152], 'size classes: whole, at least 1, at most 1/8 above')
})

t.test('a store restored from a checkpoint takes its correlator\'s options when the correlator asks for it', async t => {
  let seen: KeyedState<string> | undefined
  const c: Correlator = { name: 'c', onEvent (e, ctx) { seen = ctx.state<string>('s', { max: 2, ttlSeconds: 100, maxSize: 10, sizeOf: (v) => v.length }) } }
  const engine = new CorrelationEngine({ correlators: [c] })
  engine.restoreState(0, [], (stores) => {
    const s = engine.storeFor('c:s', { max: 10, ttlSeconds: 100 })
    for (const k of ['a', 'b', 'c', 'd']) s.cache.set(k, k.repeat(4))
    stores.set('c:s', s)
  })
  engine.push(ev(1, 1))
  t.equal(seen?.size, 2, 'the correlator\'s max (2), not the checkpoint\'s (10)')
  t.same([seen?.get('c'), seen?.get('d'), seen?.get('a')], ['cccc', 'dddd', undefined], 'the most recently used entries kept, in order')
  t.same(engine.allStores().get('c:s')?.options, { max: 2, ttlSeconds: 100, maxSize: 10, sizeOf: engine.allStores().get('c:s')?.options.sizeOf }, 'made with the correlator\'s options')
})

/** V8's `gc()`, exposed at run time (tap starts the test without --expose-gc). */
async function exposedGc (): Promise<() => void> {
  const v8 = await import('node:v8')
  const vm = await import('node:vm')
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc') as () => void
}

/**
 * Pushes `n` events (one per 10 ms) through the engine and counts how many are still alive
 * after a full garbage collection, and how many the engine put out.
 */
async function pushAndCollect (engine: CorrelationEngine, n: number): Promise<{ alive: number, out: number }> {
  const gc = await exposedGc()
  const refs: Array<WeakRef<object>> = []
  let out = 0
  for (let i = 0; i < n; i++) {
    const e = ev(i, 1_800_000_000 + i / 100)
    refs.push(new WeakRef(e))
    out += engine.push(e).length
  }
  // WeakRef targets stay alive until the current job ends: collect in a later one.
  await new Promise(resolve => setImmediate(resolve))
  gc()
  return { alive: refs.filter(r => r.deref() !== undefined).length, out }
}

t.test('events labelled before their hold deadline are not kept alive by the deadline heap', async t => {
  // Every event is held for an hour under its source; the tenth event of a source labels them.
  const c: Correlator = {
    name: 'early',
    onEvent (e, ctx) {
      if (e.category !== 'network') return
      const key = String(e.line % 100)
      if (e.line % 1000 < 900) { ctx.holdFor(key, e, (e.time as number) + 3600); return }
      ctx.tagHeld(key, { subtechnique: 'T1595.001', confidence: 0.5, reason: 'test' })
    }
  }
  const engine = new CorrelationEngine({ correlators: [c], maxHeldEvents: 100_000 })
  const { alive, out } = await pushAndCollect(engine, 5000)
  t.equal(out + engine.held, 5000, 'every event left or is held')
  // The hold queue lets go of leavers in batches of 1,024 (compactHoldOrder); the heap kept all 4,500 labelled ones.
  t.ok(alive <= engine.held + 1025, `only the held events and the queue's last batch stay alive: ${alive} alive, ${engine.held} held`)
})

t.test('events forced out at the held-events cap are not kept alive by the hold queue', async t => {
  // Every event is held for an hour: past 1,000 held, the oldest is forced out at each event.
  const c: Correlator = {
    name: 'hoarder',
    onEvent (e, ctx) { if (e.category === 'network') ctx.holdFor(String(e.line % 100), e, (e.time as number) + 3600) }
  }
  const engine = new CorrelationEngine({ correlators: [c], maxHeldEvents: 1000 })
  const { alive, out } = await pushAndCollect(engine, 6000)
  t.equal(engine.held, 1000, 'the cap holds')
  t.equal(out, 5000, 'the rest were forced out')
  // Before the queue's passed slots were cleared, up to half the queue stayed alive (1,900 here).
  t.ok(alive <= engine.held + 1, `only the held events stay alive: ${alive} alive, ${engine.held} held`)
})

t.test('a store makes its lru-cache at its first entry', async t => {
  const gc = await exposedGc()
  const clock = { now: () => 1000 }
  gc()
  const before = process.memoryUsage().heapUsed
  // lru-cache allocates about 30 bytes per slot on the heap up front: 1,000,000 slots, ~30 MiB.
  const { createKeyedState } = await import('../lib/correlate/state.js')
  const stores = Array.from({ length: 5 }, (_, i) => createKeyedState<string>(`s${i}`, { max: 200_000, ttlSeconds: 60 }, clock))
  for (const s of stores) {
    t.equal(s.get('k'), undefined)
    t.equal(s.has('k'), false)
    t.equal(s.delete('k'), false)
  }
  gc()
  const grown = process.memoryUsage().heapUsed - before
  t.ok(grown < 4 * 1024 * 1024, `five empty stores of 200,000 took ${(grown / 1048576).toFixed(1)} MiB`)
  stores[0].set('k', 'v')
  t.equal(stores[0].get('k'), 'v', 'the first entry makes it')
  t.equal(stores[0].size, 1)
  t.equal(stores[0].cache.max, 200_000, 'with the store\'s options')
})

t.test('bad correlators and options fail fast', async t => {
  t.throws(() => new CorrelationEngine({ correlators: [{ name: '', onEvent: () => {} }] }), /non-empty string name/)
  t.throws(() => new CorrelationEngine({ correlators: [{ name: 'a', onEvent: () => {} }, { name: 'a', onEvent: () => {} }] }), /two correlators are named "a"/)
  t.throws(() => new CorrelationEngine({ correlators: [], maxHeldEvents: -1 }), /maxHeldEvents/)
  const c: Correlator = { name: 'x', onEvent (e, ctx) { ctx.state('s', { max: 0, ttlSeconds: 1 }) } }
  const warnings: string[] = []
  new CorrelationEngine({ correlators: [c], log: { info: () => {}, warn: (m) => { warnings.push(String(m)) } } }).push(ev(1, 1))
  t.match(warnings[0], /state "x:s": max must be a positive integer/)
  const bad = (options: Record<string, unknown>): string => {
    const seen: string[] = []
    const d: Correlator = { name: 'y', onEvent (e, ctx) { ctx.state('s', { max: 1, ttlSeconds: 1, ...options }) } }
    new CorrelationEngine({ correlators: [d], log: { info: () => {}, warn: (m) => { seen.push(String(m)) } } }).push(ev(1, 1))
    return seen[0] ?? ''
  }
  t.match(bad({ maxSize: 10 }), /maxSize and sizeOf go together \(got maxSize without sizeOf\)/)
  t.match(bad({ sizeOf: () => 1 }), /got sizeOf without maxSize/)
  t.match(bad({ maxSize: 0.5, sizeOf: () => 1 }), /maxSize must be a positive integer, got 0.5/)
  t.match(bad({ maxSize: 5, sizeOf: 'big' }), /sizeOf must be a function, got string/)
})

function flow (line: number, time: number, src: string, dst: string): NetworkEvent {
  return { category: 'network', sensor: 'suricata', format: 'eve', kind: 'flow', input: 't', line, time, src: { ip: src, port: 40000 }, dst: { ip: dst, port: 22 }, transport: 'tcp', original: {}, scantag: {} }
}

t.test('retroactive tagging: events held under a key are labelled when the detection fires', async t => {
  // A toy sweep policy: the third distinct target from a source fires.
  const toy: Correlator = {
    name: 'toy-sweep',
    onEvent (e, ctx) {
      if (e.category !== 'network' || e.src === undefined || e.dst === undefined) return
      const key = e.src.ip
      const seen = ctx.state<string[]>('targets', { max: 100, ttlSeconds: 60 })
      const targets = seen.get(key) ?? []
      if (!targets.includes(e.dst.ip)) targets.push(e.dst.ip)
      seen.set(key, targets)
      if (targets.length < 3) { ctx.holdFor(key, e, (e.time as number) + 30); return }
      const d = ctx.detect({ key, subtechnique: 'T1595.001', sourceIp: key, firstSeen: 100, lastSeen: e.time as number, targetCount: targets.length, portCount: 1, eventCount: targets.length, sampleTargets: targets, samplePorts: [22], confidence: 0.9, reason: `${key} probed ${targets.length} addresses`, idleSeconds: 50 })
      const label = { subtechnique: 'T1595.001' as const, confidence: 0.9, reason: d.reason, detection: d.id }
      ctx.tagHeld(key, label)
      ctx.tag(e, label)
    }
  }
  const engine = new CorrelationEngine({ correlators: [toy], detectionUpdateSeconds: 10 })
  const out: EngineOutput[] = []
  out.push(...engine.push(flow(1, 100, '203.0.113.5', '10.0.0.1')))
  out.push(...engine.push(flow(2, 101, '10.9.9.9', '10.0.0.1'))) // another source, never fires
  out.push(...engine.push(flow(3, 102, '203.0.113.5', '10.0.0.2')))
  t.same(lines(out), [], 'evidence held')
  out.push(...engine.push(flow(4, 103, '203.0.113.5', '10.0.0.3')))
  const events = out.filter((e): e is ScantagEvent => e.category !== 'detection')
  const dets = out.filter(e => e.category === 'detection')
  t.same(events.map(e => e.line), [1, 3, 4], 'held evidence released, labelled, before the event that fired')
  for (const e of events) t.match(e.scantag.labels, [{ technique: 'T1595', subtechnique: 'T1595.001', name: 'Scanning IP Blocks', tactic: 'TA0043', correlator: 'toy-sweep', detection: /^det-[0-9a-f]{16}$/ }])
  t.equal(dets.length, 1)
  t.match(dets[0], { category: 'detection', detection: { status: 'open', subtechnique: 'T1595.001', source: { ip: '203.0.113.5' }, target_count: 3, alsoTechniques: [], first_seen: '1970-01-01T00:01:40.000000Z' } })
  // Updates are rate-limited, then the idle detection closes; the unfired source's event is released unlabelled.
  const more: EngineOutput[] = []
  more.push(...engine.push(flow(5, 104, '203.0.113.5', '10.0.0.4')))
  more.push(...engine.push(flow(6, 115, '203.0.113.5', '10.0.0.5')))
  more.push(...engine.push(flow(7, 200, '198.51.100.1', '10.0.0.5')))
  const statuses = more.filter(e => e.category === 'detection').map(e => e.category === 'detection' ? `${e.detection.status}:${e.detection.target_count}` : '')
  t.same(statuses, ['updated:5', 'closed:5'], 'no update at 104 (within 10 s), one at 115, closed when idle > 50 s')
  const unfired = more.find(e => e.category !== 'detection' && e.line === 2) as ScantagEvent | undefined
  t.ok(unfired !== undefined && unfired.scantag.labels === undefined, 'a source that never fired leaves unlabelled when its hold expires')
  t.equal(engine.openDetections, 0)
})

t.test('internal scanners also get T1046; allow-list and evidence', async t => {
  let allowed: boolean[] = []
  let evidence = 0
  const c: Correlator = {
    name: 'c',
    onEvent (e, ctx) {
      if (e.category !== 'network' || e.src === undefined) return
      allowed.push(ctx.isAllowed(e.src.ip, { port: 22, subtechnique: 'T1595.001' }))
      ctx.addEvidence(e.src.ip, 'anomaly', 0.3)
      ctx.addEvidence(e.src.ip, 'rare', 0.9)
      evidence = ctx.evidence(e.src.ip).score
      ctx.tag(e, { subtechnique: 'T1595.001', confidence: 2, reason: 'r' })
    }
  }
  const engine = new CorrelationEngine({ correlators: [c], allow: [{ cidr: '10.1.10.5/32', ports: [22] }, { cidr: '192.0.2.0/24', subtechniques: ['T1595.003'] }] })
  const [inside] = engine.push(flow(1, 1, '10.20.30.41', '10.1.2.3')) as ScantagEvent[]
  const [outside] = engine.push(flow(2, 2, '203.0.113.77', '10.1.2.3')) as ScantagEvent[]
  engine.push(flow(3, 3, '10.1.10.5', '10.1.2.3'))
  engine.push(flow(4, 4, '192.0.2.9', '10.1.2.3'))
  t.same(inside.scantag.labels?.map(l => `${l.technique}/${l.tactic}`), ['T1595/TA0043', 'T1046/TA0007'])
  t.same(outside.scantag.labels?.map(l => l.technique), ['T1595'])
  t.equal(inside.scantag.labels?.[0].confidence, 1, 'confidence clamped to 1')
  t.same(allowed, [false, false, true, false], 'allowed only for the matching port/sub-technique')
  t.equal(evidence, 1, 'evidence score capped at 1')
  t.throws(() => new CorrelationEngine({ correlators: [], homeNet: ['10.0.0.0/33'] }), /homeNet entry "10.0.0.0\/33" is not an IP address or CIDR/)
  t.throws(() => new CorrelationEngine({ correlators: [], allow: [{ cidr: 'printer' }] }), /allow entry "printer"/)
  allowed = []
})

t.test('detections close at the end of input and the open-detection cap closes the stalest', async t => {
  const c: Correlator = {
    name: 'every',
    onEvent (e, ctx) {
      if (e.category !== 'network' || e.src === undefined) return
      ctx.detect({ key: e.src.ip, subtechnique: null, sourceIp: e.src.ip, firstSeen: e.time as number, lastSeen: e.time as number, targetCount: 1, portCount: 1, eventCount: 1, confidence: 0.2, reason: 'x' })
    }
  }
  const engine = new CorrelationEngine({ correlators: [c], maxDetections: 2 })
  const out: EngineOutput[] = []
  for (let i = 1; i <= 3; i++) out.push(...engine.push(flow(i, i, `198.51.100.${i}`, '10.0.0.1')))
  out.push(...engine.end())
  const recs = out.flatMap(e => e.category === 'detection' ? [`${e.detection.source.ip}:${e.detection.status}`] : [])
  t.same(recs, ['198.51.100.1:open', '198.51.100.2:open', '198.51.100.1:closed', '198.51.100.3:open', '198.51.100.2:closed', '198.51.100.3:closed'])
  t.same(engine.detectionCounts, { open: 3, updated: 0, closed: 3 })
})

t.test('at the open-detection cap, a detection that keeps being updated is never the one closed', async t => {
  const c: Correlator = {
    name: 'every',
    onEvent (e, ctx) {
      if (e.category !== 'network' || e.src === undefined) return
      ctx.detect({ key: e.src.ip, subtechnique: null, sourceIp: e.src.ip, firstSeen: 1, lastSeen: e.time as number, targetCount: 1, portCount: 1, eventCount: e.line, confidence: 0.2, reason: 'x' })
    }
  }
  const engine = new CorrelationEngine({ correlators: [c], maxDetections: 100 })
  const closed: string[] = []
  const push = (e: NetworkEvent): void => {
    for (const o of engine.push(e)) if (o.category === 'detection' && o.detection.status === 'closed') closed.push(o.detection.source.ip)
  }
  let line = 0
  // 100 open detections, then 500 new ones, each after an update of the first.
  for (let i = 0; i < 100; i++) push(flow(++line, 1000 + line, `10.1.${i >> 8}.${i & 255}`, '10.0.0.1'))
  for (let i = 100; i < 600; i++) {
    push(flow(++line, 1000 + line, '10.1.0.0', '10.0.0.1'))
    push(flow(++line, 1000 + line, `10.1.${i >> 8}.${i & 255}`, '10.0.0.1'))
  }
  t.equal(engine.openDetections, 100, 'the cap holds')
  t.equal(closed.length, 500, 'one closed per new detection past the cap')
  t.notOk(closed.includes('10.1.0.0'), 'the detection updated between them stays open')
  t.same(closed.slice(0, 99), Array.from({ length: 99 }, (_, i) => `10.1.0.${i + 1}`), 'the never-updated ones go first, oldest first')
})

t.test('maxEvidenceSources must be a positive integer', async t => {
  t.throws(() => new CorrelationEngine({ correlators: [], maxEvidenceSources: 0 }), /maxEvidenceSources must be a positive integer/)
  t.throws(() => new CorrelationEngine({ correlators: [], maxEvidenceSources: 1.5 }), /maxEvidenceSources/)
  t.doesNotThrow(() => new CorrelationEngine({ correlators: [], maxEvidenceSources: 1 }))
})

t.test('shared source evidence is bounded by maxEvidenceSources, oldest sources first out', async t => {
  const seen: number[] = []
  const c: Correlator = {
    name: 'evidence',
    onEvent (e, ctx) {
      if (e.category !== 'network' || e.src === undefined) return
      ctx.addEvidence(e.src.ip, 'test', 0.3)
      // Asked only at the first and last event: asking also counts as use.
      if (e.line === 1 || e.line === 50) seen.push(ctx.evidence('198.51.100.1').score)
    }
  }
  const engine = new CorrelationEngine({ correlators: [c], maxEvidenceSources: 10 })
  for (let i = 1; i <= 50; i++) engine.push(flow(i, i, `198.51.100.${i}`, '10.0.0.1'))
  t.equal(engine.allStores().get('engine:source-evidence')?.size, 10)
  t.equal(seen[0], 0.3, 'the first source has its evidence while it is among the last 10')
  t.equal(seen[1], 0, 'and has lost it 49 sources later')
})

t.test('staged delivery: correlators after a plain hold see the event once released, with what the holder added', async t => {
  const seenByB: Array<[number, string | undefined]> = []
  let waiting: ScantagEvent | undefined
  const a: Correlator = {
    name: 'a',
    onEvent (e, ctx) {
      if (e.line === 1) { waiting = e; ctx.hold(e, 100) }
      if (e.line === 2 && waiting !== undefined) { waiting.scantag.community_id = 'from-a'; ctx.release(waiting) }
    }
  }
  const keyed: Correlator = { name: 'keyed', onEvent (e, ctx) { if (e.line === 3) ctx.holdFor('k', e, 1000) } }
  const b: Correlator = { name: 'b', onEvent (e) { seenByB.push([e.line, e.scantag.community_id]) } }
  const engine = new CorrelationEngine({ correlators: [a, keyed, b] })
  t.same(lines(engine.push(ev(1, 1))), [])
  t.same(seenByB, [], 'b has not seen the held event')
  t.same(lines(engine.push(ev(2, 2))), [1, 2])
  t.same(seenByB, [[2, undefined], [1, 'from-a']], 'b sees event 1 after release, with a\'s annotation')
  t.same(lines(engine.push(ev(3, 3))), [])
  t.same(seenByB.map(x => x[0]), [2, 1, 3], 'a keyed hold does not stop delivery')
  t.same(lines(engine.end()), [3])
})

t.test('staged delivery when a hold expires or is forced out', async t => {
  const seen: number[] = []
  const a: Correlator = { name: 'a', onEvent (e, ctx) { ctx.hold(e, (e.time as number) + 1) }, onRelease (e) { e.scantag.community_id = 'released' } }
  const b: Correlator = { name: 'b', onEvent (e, ctx) { seen.push(e.line); t.equal(e.scantag.community_id, 'released'); ctx.hold(e, 1e9) } }
  const engine = new CorrelationEngine({ correlators: [a, b], maxHeldEvents: 3 })
  engine.push(ev(1, 0))
  engine.push(ev(2, 0.5))
  t.same(seen, [])
  engine.push(ev(3, 1.6)) // passes the deadlines of 1 (1) and 2 (1.5): b sees both and holds them
  t.same(seen, [1, 2])
  const out = [...engine.push(ev(4, 1.7)), ...engine.push(ev(5, 1.8))]
  t.ok(lines(out).length >= 1, 'the cap forces the oldest out')
  const rest = engine.end()
  t.same([...lines(out), ...lines(rest)].sort(), [1, 2, 3, 4, 5], 'every event once')
})

t.test('isolation: garbage labels and detections are refused and reported; slow correlators are disabled', async t => {
  const warnings: string[] = []
  const log = { info: () => {}, warn: (m: unknown) => { warnings.push(String(m)) } }
  const garbage: Correlator = {
    name: 'garbage',
    onEvent (e, ctx) {
      ctx.tag(e, { subtechnique: 'T9999' as never, confidence: 1, reason: 'x' })
    }
  }
  const nanConfidence: Correlator = { name: 'nan', onEvent (e, ctx) { ctx.tag(e, { subtechnique: null, confidence: NaN, reason: 'x' }) } }
  const badDetect: Correlator = { name: 'bad-detect', onEvent (_e, ctx) { ctx.detect({ key: 'k' } as never) } }
  const good: Correlator = { name: 'good', onEvent (e, ctx) { ctx.tag(e, { subtechnique: 'T1595.001', confidence: 0.5, reason: 'fine' }) } }
  let slowCalls = 0
  const slow: Correlator = { name: 'slow', onEvent () { slowCalls++; const end = performance.now() + 6; while (performance.now() < end) { /* busy */ } } }
  const engine = new CorrelationEngine({ correlators: [garbage, nanConfidence, badDetect, slow, good], log, slowCorrelatorMillis: 5, slowCallsAllowed: 3 })
  const out: EngineOutput[] = []
  const N = 400
  for (let i = 1; i <= N; i++) out.push(...engine.push(ev(i, i)))
  t.equal(out.length, N, 'every event still flows')
  for (const e of out) {
    if (e.category === 'detection') continue
    t.same(e.scantag.labels?.map(l => l.correlator), ['good'], 'only the good label was applied')
  }
  t.ok(warnings.some(w => /correlator garbage failed: tag\(\): subtechnique must be/.test(w)))
  t.ok(warnings.some(w => /correlator nan failed: tag\(\): confidence must be a finite number/.test(w)))
  t.ok(warnings.some(w => /correlator bad-detect failed: detect\(\): subtechnique must be/.test(w)))
  t.ok(warnings.some(w => /correlator slow took [\d.]+ ms for one event \(budget 5 ms\); disabled after 3 slow calls/.test(w)))
  // Timing is sampled (one call in 16), so it takes a few dozen calls to catch three slow ones.
  t.ok(slowCalls < N, `the slow correlator was disabled after ${slowCalls} of ${N} events`)
})
