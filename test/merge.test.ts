import t from 'tap'
import { Readable } from 'node:stream'
import { mergeByTime } from '../lib/merge.js'
import type { NetworkEvent } from '../lib/model.js'
import { fixture, readThrough } from './helpers.js'
import { LogReader } from '../lib/parse/reader.js'
import { createReadStream } from 'node:fs'

function ev (input: string, line: number, time?: number): NetworkEvent {
  const e: NetworkEvent = { category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input, line, original: {}, scantag: {} }
  if (time !== undefined) e.time = time
  return e
}

async function collect (stream: Readable): Promise<NetworkEvent[]> {
  const out: NetworkEvent[] = []
  for await (const e of stream) out.push(e as NetworkEvent)
  return out
}

const label = (e: NetworkEvent): string => `${e.input}${e.line}`

t.test('merges inputs by time, ties by input order', async t => {
  const a = Readable.from([ev('a', 1, 1), ev('a', 2, 4), ev('a', 3, 6)])
  const b = Readable.from([ev('b', 1, 2), ev('b', 2, 4), ev('b', 3, 5)])
  const { stream, stats } = mergeByTime([a, b], { lateness: 0 })
  const out = await collect(stream)
  t.same(out.map(label), ['a1', 'b1', 'a2', 'b2', 'b3', 'a3'])
  t.equal(stats.events, 6)
  t.equal(stats.late, 0)
})

t.test('re-orders each input within the lateness, counts what is later than that', async t => {
  // Zeek writes conn records at connection end: start times arrive out of order.
  const a = Readable.from([ev('a', 1, 10), ev('a', 2, 8), ev('a', 3, 12), ev('a', 4, 30), ev('a', 5, 9)])
  const b = Readable.from([ev('b', 1, 11)])
  const { stream, stats } = mergeByTime([a, b], { lateness: 5 })
  const out = await collect(stream)
  t.same(out.map(label), ['a2', 'a1', 'b1', 'a3', 'a5', 'a4'])
  t.equal(stats.late, 1, 'a5 (t=9) came after t=12 had been emitted')
})

t.test('events without a time pass straight through', async t => {
  const a = Readable.from([ev('a', 1, 5), ev('a', 2), ev('a', 3, 6)])
  const { stream } = mergeByTime([a], { lateness: 100 })
  const out = await collect(stream)
  t.same(out.map(label), ['a2', 'a1', 'a3'])
})

t.test('maxBuffered bounds memory: the oldest event is forced out', async t => {
  const many = Array.from({ length: 50 }, (_, i) => ev('a', i + 1, i))
  const slow = Readable.from([ev('b', 1, 1000)])
  const { stream, stats } = mergeByTime([Readable.from(many), slow], { lateness: 10_000, maxBuffered: 10 })
  const out = await collect(stream)
  t.equal(out.length, 51)
  t.ok(stats.peakBuffered <= 10, `peak ${stats.peakBuffered}`)
  t.ok(stats.forced > 0)
  const times = out.map(e => e.time as number)
  t.same(times, [...times].sort((x, y) => x - y), 'still in order here')
})

t.test('bad options fail fast', async t => {
  t.throws(() => mergeByTime([], { lateness: -1 }), /lateness must be a finite number of seconds >= 0/)
  t.throws(() => mergeByTime([], { maxBuffered: 0 }), /maxBuffered must be a positive integer/)
})

t.test('real Zeek conn.log and Suricata EVE merged by time', async t => {
  const files = [fixture('zeek-tsv/irongirl101-conn.log'), fixture('eve/lab-variety.json'), fixture('eve/nicoaller-sample.json')]
  const expected = (await Promise.all(files.map(f => readThrough(f)))).reduce((n, r) => n + r.events.length, 0)
  const open = (): LogReader[] => files.map(f => createReadStream(f).pipe(new LogReader({ input: f })))

  // The fixtures splice records from captures minutes apart: a day of lateness orders them all.
  const wide = mergeByTime(open(), { lateness: 86400 })
  const out = await collect(wide.stream)
  t.equal(out.length, expected, 'every event comes out once')
  const times = out.map(e => e.time as number)
  t.same(times, [...times].sort((x, y) => x - y), 'non-decreasing times')
  t.equal(wide.stats.late, 0)

  // With 60 s, the nicoaller flow written 140 s after its alert is late: emitted, and counted.
  const narrow = mergeByTime(open(), { lateness: 60 })
  const out2 = await collect(narrow.stream)
  t.equal(out2.length, expected, 'late events are not dropped')
  t.ok(narrow.stats.late > 0, `${narrow.stats.late} late`)
})
