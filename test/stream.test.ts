import t from 'tap'
import { createReadStream, readFileSync } from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import ndjson from 'ndjson'
import { createEnricher, createSerializer, readAny, readEve, readZeek } from '../lib/stream.js'
import type { DeadLetter, NetworkEvent, ScantagEvent } from '../lib/model.js'
import { mergeLine, toMerge } from '../lib/output/merge.js'
import { fixture, readThrough } from './helpers.js'
import { Ajv2020 } from 'ajv/dist/2020.js'

const ajv = new Ajv2020({ strict: true, allErrors: true })
const schema = (name: string): ((data: unknown) => boolean) & { errors?: unknown } => ajv.compile(JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8')) as object)

t.test('real events and their merge documents validate against the schemas', async t => {
  const validEvent = schema('network-event.schema.json')
  const validMerge = schema('merge-output.schema.json')
  const files = ['eve/lab-variety.json', 'eve/nicoaller-sample.json', 'eve/invented-variants.json', 'zeek-json/zat-conn.log', 'zeek-json/otrf-apt29-underscore.log', 'zeek-json/simir-dns.log', 'zeek-json/invented-variants.log', 'zeek-tsv/zat-conn-bro2.log', 'zeek-tsv/iot23-34-1-conn.log.labeled', 'zeek-tsv/simir-noticeNew.log']
  let n = 0
  for (const f of files) {
    const { events } = await readThrough(fixture(f))
    for (const ev of events) {
      n++
      if (!validEvent(ev)) t.fail(`${f}:${ev.line} network-event: ${ajv.errorsText(validEvent.errors as never)}`)
      if (!validMerge(JSON.parse(mergeLine(ev)))) t.fail(`${f}:${ev.line} merge: ${ajv.errorsText(validMerge.errors as never)}`)
    }
  }
  t.ok(n > 50, `${n} events validated`)
  const bad = { category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input: 'x', line: 1, original: {}, scantag: {}, src: { ip: '10.0.0.1', port: 70000 } }
  t.notOk(validEvent(bad), 'a port out of range is rejected')
  t.notOk(validMerge({ a: 1 }), 'a merge document without scantag is rejected')
  t.notOk(validMerge({ scantag: { community_id: 'x' } }), 'a malformed community id is rejected')
})

async function collectText (stream: Readable): Promise<string> {
  let s = ''
  for await (const chunk of stream) s += String(chunk)
  return s
}

t.test('merge format: original record unchanged plus scantag, every record exactly once', async t => {
  const file = fixture('eve/lab-variety.json')
  const lines = readFileSync(file, 'utf8').trim().split('\n')
  const out: ScantagEvent[] = []
  await pipeline(createReadStream(file), readAny({ input: file }), createEnricher({ format: 'event' }), new Writable({
    objectMode: true, write (o: ScantagEvent, _e, cb) { if (o.category !== 'detection' as string) out.push(o); cb() }
  }))
  t.equal(out.length, lines.length)
  t.same(out.map(e => e.line).sort((a, b) => a - b), lines.map((_, i) => i + 1), 'each line once')
  for (const ev of out) {
    const { scantag, ...rest } = toMerge(ev)
    t.same(rest, JSON.parse(lines[ev.line - 1]), `line ${ev.line} unchanged`)
    t.match(scantag, { community_id: /^1:/, community_id_source: 'sensor' })
  }
})

t.test('serializer: merge text equals the object form; fast path keeps the original text', async t => {
  const { events } = await readThrough(fixture('eve/nicoaller-sample.json'))
  for (const ev of events) {
    const text = mergeLine(ev)
    t.same(JSON.parse(text), toMerge(ev))
    t.ok(text.startsWith((ev.raw as string).slice(0, -1)), 'original bytes reused')
  }
  const empty: NetworkEvent = { ...events[0], original: {}, raw: '{ }' }
  t.same(JSON.parse(mergeLine(empty)), { scantag: events[0].scantag })
  const clash: NetworkEvent = { ...events[0], original: { scantag: 'theirs', a: 1 }, raw: '{"scantag":"theirs","a":1}' }
  t.same(JSON.parse(mergeLine(clash)), { scantag: events[0].scantag, a: 1 }, 'an existing scantag key is replaced, not duplicated')

  const tsv = await readThrough(fixture('zeek-tsv/irongirl101-conn.log'))
  const first = JSON.parse(mergeLine(tsv.events[0])) as Record<string, unknown>
  t.equal(first._path, 'conn', 'TSV rows become Zeek JSON objects')
  t.equal(first['id.orig_h'], '192.168.100.103')
  t.equal(first.ts, 1391765555.371909)
})

t.test('serializer batches and writes everything', async t => {
  const { events } = await readThrough(fixture('eve/lab-variety.json'))
  const text = await collectText(Readable.from(events).pipe(createSerializer({ format: 'merge', batchBytes: 100 })))
  t.equal(text.split('\n').length - 1, events.length)
  const ecs = await collectText(Readable.from(events).pipe(createSerializer({ format: 'ecs' })))
  const docs = ecs.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>)
  t.equal(docs.length, events.length)
  t.ok(docs.every(d => typeof d['@timestamp'] === 'string'))
  t.throws(() => createSerializer({ format: 'xml' as never }), /format must be merge or ecs/)
})

t.test('serializer writes whole batches, not a write per record, and still writes a lone record at once', async t => {
  // The CLI's pipeline hands the serializer one record at a time; it used to write each one
  // as soon as nothing else was queued, which was after nearly every record: 100,015 writes
  // (system calls) for the bench's 100,000 conn records.
  const { events: five } = await readThrough(fixture('zeek-tsv/irongirl101-conn.log'))
  const events = Array.from({ length: 2000 }, (_v, i) => five[i % five.length])
  const chunks: number[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, cb) { chunks.push(chunk.length); cb() } })
  const source = new Readable({
    objectMode: true,
    read () {
      // As a reader does: every event of a read chunk pushed in one go.
      for (const ev of events) this.push(ev)
      this.push(null)
    }
  })
  await pipeline(source, createSerializer({ format: 'merge', batchBytes: 65536 }), sink)
  const bytes = chunks.reduce((a, b) => a + b, 0)
  t.ok(chunks.length <= Math.ceil(bytes / 65536) + 1, `${chunks.length} writes for ${bytes} bytes in batches of 65,536`)

  const live = createSerializer()
  const first = new Promise<string>(resolve => live.once('data', (c: Buffer) => { resolve(String(c)) }))
  live.write(events[0])
  const timer = new Promise<string>(resolve => setTimeout(() => { resolve('nothing within 1 s') }, 1000))
  const got = await Promise.race([first, timer])
  t.equal(got, mergeLine(events[0]) + '\n', 'a record with nothing after it is written without waiting for more or for the end')
  live.end()
})

t.test('enricher accepts plain Zeek/EVE objects (e.g. from ndjson.parse) and dead-letters the rest', async t => {
  const dead: DeadLetter[] = []
  const enricher = createEnricher({ format: 'event', input: 'mixed', onDeadLetter: d => { dead.push(d) } })
  const src = Readable.from([
    ...readFileSync(fixture('zeek-json/zat-conn.log'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as object),
    { hello: 'world' },
    42,
    JSON.parse(readFileSync(fixture('eve/nicoaller-sample.json'), 'utf8').split('\n')[0]) as object
  ])
  const out: NetworkEvent[] = []
  for await (const ev of src.pipe(enricher)) out.push(ev as NetworkEvent)
  t.same(out.map(e => `${e.sensor}/${e.kind}`), ['zeek/conn', 'zeek/conn', 'zeek/conn', 'suricata/alert'])
  t.same(dead.map(d => [d.input, d.line]), [['mixed', 4], ['mixed', 5]])
  t.match(dead[0].reason, /not a Zeek, Suricata EVE, Sysmon, osquery or ECS record/)
  t.match(dead[1].reason, /got number/)
  t.throws(() => createEnricher({ format: 'csv' as never }), /format must be one of merge, ecs, event/)
  t.throws(() => createEnricher({ communityIdSeed: -1 }), /communityIdSeed/)
})

t.test('ndjson.parse -> createEnricher -> ndjson.stringify drop-in', async t => {
  const file = fixture('zeek-json/simir-conn.log')
  const text = await collectText(createReadStream(file).pipe(ndjson.parse()).pipe(createEnricher({ format: 'ecs' })).pipe(ndjson.stringify()))
  const docs = text.trim().split('\n').map(l => JSON.parse(l) as { event: { dataset: string } })
  t.equal(docs.length, 2)
  t.equal(docs[0].event.dataset, 'zeek.connection')
})

t.test('readZeek / readEve accept only their formats', async t => {
  const eveAsZeek = await readThrough(fixture('eve/nicoaller-sample.json'), {}, ['zeek-tsv', 'zeek-json'])
  t.equal(eveAsZeek.events.length, 0)
  t.equal(readEve().stats.format, 'eve')
  t.equal(readZeek().stats.format, 'unknown')
  t.throws(() => readEve({ format: 'zeek-tsv' }), /format must be one of auto, eve/)
})
