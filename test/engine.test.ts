import t from 'tap'
import { CorrelationEngine } from '../lib/correlate/engine.js'
import type { Correlator, KeyedState } from '../lib/correlate/api.js'
import type { NetworkEvent, ScantagEvent } from '../lib/model.js'

function ev (line: number, time: number): NetworkEvent {
  return { category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input: 't', line, time, original: {}, scantag: {} }
}
const lines = (evs: ScantagEvent[]): number[] => evs.map(e => e.line)

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
  t.same(lines(engine.push(ev(2, 2))), [2, 1], 'released by the correlator while handling event 2')
  t.same(lines(engine.push(ev(3, 3))), [])
  t.same(lines(engine.push(ev(4, 4))), [])
  t.same(lines(engine.push(ev(5, 5))), [3], 'cap of 2 forces the oldest out')
  t.same(lines(engine.end()), [4, 5])
  t.ok(engine.peakHeld <= 2)
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
  t.equal(out[0].scantag.community_id, 'seen', 'the other correlator still ran')
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

t.test('bad correlators and options fail fast', async t => {
  t.throws(() => new CorrelationEngine({ correlators: [{ name: '', onEvent: () => {} }] }), /non-empty string name/)
  t.throws(() => new CorrelationEngine({ correlators: [{ name: 'a', onEvent: () => {} }, { name: 'a', onEvent: () => {} }] }), /two correlators are named "a"/)
  t.throws(() => new CorrelationEngine({ correlators: [], maxHeldEvents: -1 }), /maxHeldEvents/)
  const c: Correlator = { name: 'x', onEvent (e, ctx) { ctx.state('s', { max: 0, ttlSeconds: 1 }) } }
  const warnings: string[] = []
  new CorrelationEngine({ correlators: [c], log: { info: () => {}, warn: (m) => { warnings.push(String(m)) } } }).push(ev(1, 1))
  t.match(warnings[0], /state "x:s": max must be a positive integer/)
})
