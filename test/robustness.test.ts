// Streams that end early, consumers that stop reading, and floods of spoofed sources.
import t from 'tap'
import { createReadStream, statSync } from 'node:fs'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createEnricher, createSerializer, readAny } from '../lib/stream.js'
import { CorrelationEngine, type EngineOutput } from '../lib/correlate/engine.js'
import { builtinCorrelators } from '../lib/correlate/builtins.js'
import type { NetworkEvent } from '../lib/model.js'

const eve = fileURLToPath(new URL('../examples/data/eve.json', import.meta.url))
const unhandled: unknown[] = []
process.on('unhandledRejection', (err) => { unhandled.push(err) })

t.test('a destination that fails mid-stream ends the pipeline with its error, nothing unhandled', async t => {
  let writes = 0
  const failing = new Writable({
    write (_chunk, _enc, cb) { if (++writes === 3) cb(new Error('disk full')); else cb() }
  })
  await t.rejects(pipeline(createReadStream(eve), readAny({ input: eve }), createEnricher(), createSerializer({ batchBytes: 1024 }), failing), /disk full/)
  const destroyed = new Writable({ write (_c, _e, cb) { cb() } })
  destroyed.destroy()
  await t.rejects(pipeline(createReadStream(eve), readAny(), createEnricher(), createSerializer(), destroyed))
  await new Promise(resolve => setImmediate(resolve))
  t.same(unhandled, [])
})

t.test('an aborted pipeline rejects with AbortError and leaves nothing running', async t => {
  const ac = new AbortController()
  let seen = 0
  const sink = new Writable({ objectMode: true, write (_c, _e, cb) { if (++seen === 100) ac.abort(); cb() } })
  await t.rejects(pipeline(createReadStream(eve), readAny(), createEnricher({ format: 'event' }), sink, { signal: ac.signal }), { name: 'AbortError' })
  await new Promise(resolve => setImmediate(resolve))
  t.same(unhandled, [])
  t.equal(process.getActiveResourcesInfo().filter(r => r === 'Timeout').length, 0, 'no timers left behind')
})

t.test('backpressure: a consumer that stops reading stops the reader', async t => {
  const size = statSync(eve).size
  const reader = readAny({ input: eve })
  const enricher = createEnricher({ format: 'event' })
  let consumed = 0
  const stalled = new Writable({ objectMode: true, highWaterMark: 16, write (_c, _e, _cb) { consumed++ /* never calls back */ } })
  const done = pipeline(createReadStream(eve, { highWaterMark: 16 * 1024 }), reader, enricher, stalled).catch(() => undefined)
  await new Promise(resolve => setTimeout(resolve, 500))
  t.equal(consumed, 1, 'the consumer took one record and stopped')
  t.ok(reader.stats.bytes < size / 2, `reader stopped after ${reader.stats.bytes} of ${size} bytes`)
  stalled.destroy()
  await done
})

t.test('a flood of spoofed sources, each seen once, stays within the caps and a real sweep in it is still found', async t => {
  const engine = new CorrelationEngine({
    correlators: builtinCorrelators({ correlatorOptions: { 'horizontal-sweep': { maxPairs: 2000 }, 'vertical-scan': { maxPairs: 2000 }, 'vuln-scan': { maxSources: 2000, maxLinks: 2000 }, 'wordlist-scan': { maxKeys: 2000 }, 'protocol-anomaly': { maxSources: 2000 } } }),
    maxHeldEvents: 1000,
    maxDetections: 100,
    maxEvidenceSources: 2000
  })
  const flow = (i: number, src: string, dst: string, time: number): NetworkEvent => ({
    category: 'network', sensor: 'suricata', format: 'eve', kind: 'flow', input: 'flood', line: i, time, flowStart: time,
    src: { ip: src, port: 40000 + (i % 20000) }, dst: { ip: dst, port: 445 }, transport: 'tcp', protoNumber: 6, outcome: 'unanswered',
    counters: { origBytes: 60, respBytes: 0, origPackets: 1, respPackets: 0 }, original: {}, scantag: {}
  })
  const N = 200_000
  let out = 0
  const detections: EngineOutput[] = []
  let peakHeldOk = true
  let probes = 0
  for (let i = 0; i < N; i++) {
    const t0 = 1_800_000_000 + i / 1000
    // A spoofed source per event (random-looking, outside the home network) ...
    const spoofed = `${11 + (i % 200)}.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`
    for (const o of engine.push(flow(i + 1, spoofed, '10.9.0.1', t0))) { out++; if (o.category === 'detection') { detections.push(o); out-- } }
    // ... and a real sweep from 198.51.100.7 across 10.1.2.0/24: two quick probes, then one every
    // 3,000 events, so 3,000 spoofed sources (more than the 2,000-pair cap) come between its probes.
    if (i === 0 || i === 1 || i % 3000 === 0) {
      probes++
      for (const o of engine.push(flow(N + i, '198.51.100.7', `10.1.2.${probes}`, t0))) { out++; if (o.category === 'detection') { detections.push(o); out-- } }
    }
    if (engine.held > 1000) peakHeldOk = false
  }
  for (const o of engine.end()) { out++; if (o.category === 'detection') { detections.push(o); out-- } }
  t.equal(out, N + probes, 'every event out exactly once')
  t.ok(peakHeldOk && engine.peakHeld <= 1000, `held events peaked at ${engine.peakHeld} <= 1000`)
  // Every store, the engine's shared source evidence included (maxEvidenceSources).
  for (const [name, store] of engine.allStores()) t.ok(store.size <= 2000, `${name}: ${store.size} entries`)
  const sweep = detections.find(d => d.category === 'detection' && d.detection.source.ip === '198.51.100.7' && d.detection.subtechnique === 'T1595.001')
  t.ok(sweep !== undefined, 'the real sweep is detected inside the flood')
})
