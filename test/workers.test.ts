/**
 * `scantag enrich --workers N` and `createEnricher({ workers })`: sharding across worker threads
 * by scanner key gives the same records, detections, dead letters and counts as one thread,
 * keeps each key's order, holds memory when the consumer stalls, and reports a failing worker.
 */
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { createReadStream, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createEnricher, readAny } from '../lib/stream.js'
import { eveFacts, jsonDepthAt, topLevelString, tsvFacts, tsvLayout, zeekJsonFacts, type LineFacts } from '../lib/workers/shard.js'
import { startShardedEnrichment } from '../lib/workers/run.js'
import { createZeekTsvState, parseZeekTsvLine } from '../lib/parse/zeek-tsv.js'
import { address } from '../lib/parse/values.js'
import { parseIsoTime, parseZeekTs } from '../lib/parse/time.js'
import { fixture } from './helpers.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.js')
const tmp = mkdtempSync(join(tmpdir(), 'scantag-workers-'))

function run (args: string[]): { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 90_000, maxBuffer: 256 * 1024 * 1024 })
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

const LAB = ['examples/data/conn.log', 'examples/data/eve.json', 'examples/data/host/sysmon.jsonl', 'examples/data/host/audit.log', 'examples/data/host/osqueryd.results.log']

/**
 * Hosts of the lab and of the fixtures. Telemetry that names its host but carries no address
 * is keyed by the host name until an address is learnt (lib/partition.ts), so without this
 * table a host's first process events can land on another worker than its flows; with it every
 * host is keyed by its address from its first event. The lab's examples/scantag.json has it too.
 */
const hostsConfig = join(tmp, 'hosts.json')
writeFileSync(hostsConfig, JSON.stringify({
  hosts: [
    { name: 'lnx-ws-041', ips: ['10.20.30.41'] },
    { name: 'web-07', ips: ['2001:db8::7'] },
    { name: 'win-lab-07', ips: ['192.0.2.57'] },
    { name: 'win-lab-07.lab.example', ips: ['192.0.2.57'] }
  ]
}))

interface Outcome {
  code: number | null
  stderr: string
  /** Output lines, sorted. */
  records: string[]
  /** Output lines in output order. */
  ordered: string[]
  deadLetters: string[]
  detections: string[]
  summary: Record<string, unknown>
}

/** Runs `scantag enrich` with `--workers n` and collects everything it wrote. */
function enrich (n: number, inputs: string[], extra: string[] = []): Outcome {
  const dir = mkdtempSync(join(tmp, `w${n}-`))
  const [out, dl, det, sum] = ['out.ndjson', 'dead.ndjson', 'det.ndjson', 'summary.json'].map(f => join(dir, f))
  const r = run(['enrich', ...inputs, ...extra, '-q', '-o', out, '--dead-letter', dl, '--detections', det, '--summary', sum, '--workers', String(n)])
  const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter(l => l !== '')
  const ordered = r.code === 0 ? lines(out) : []
  return {
    code: r.code,
    stderr: r.stderr,
    records: [...ordered].sort(),
    ordered,
    deadLetters: r.code === 0 ? lines(dl).sort() : [],
    detections: r.code === 0 ? lines(det).sort() : [],
    summary: r.code === 0 ? JSON.parse(readFileSync(sum, 'utf8')) as Record<string, unknown> : {}
  }
}

/** The summary without what differs from run to run anyway: timings, process memory, which dead letters are the examples. */
function comparable (summary: Record<string, unknown>): Record<string, unknown> {
  const { elapsedSeconds: _e, recordsPerSecond: _r, peakRssMiB: _p, memory: _m, deadLetterExamples, detections, ...rest } = summary as Record<string, unknown> & { detections: { list: Array<{ id: string }> }, deadLetterExamples: unknown[] }
  return { ...rest, deadLetterExamples: deadLetterExamples.length, detections: { ...detections, list: [...detections.list].sort((a, b) => a.id.localeCompare(b.id)) } }
}

function sameAsOneThread (t: Test, one: Outcome, many: Outcome, what: string): void {
  t.equal(many.code, 0, `${what}: exit 0 (${many.stderr})`)
  t.equal(many.records.length, one.records.length, `${what}: as many output lines`)
  t.ok(many.records.every((l, i) => l === one.records[i]), `${what}: the same records, byte for byte`)
  t.same(many.deadLetters, one.deadLetters, `${what}: the same dead letters (input, line, reason, text)`)
  t.same(many.detections, one.detections, `${what}: the same detection records`)
  t.same(comparable(many.summary), comparable(one.summary), `${what}: the same summary counts`)
}

/** Output lines by scanner key (detection records by detection id), in output order. */
function byKey (lines: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const line of lines) {
    const o = JSON.parse(line) as { src_ip?: string, 'id.orig_h'?: string, scantag: { detection?: { id: string }, host?: { name?: string } } }
    const key = o.scantag.detection !== undefined ? `detection ${o.scantag.detection.id}` : o.src_ip ?? o['id.orig_h'] ?? `host ${o.scantag.host?.name ?? '?'}`
    const list = groups.get(key)
    if (list === undefined) groups.set(key, [line])
    else list.push(line)
  }
  return groups
}

t.test('lab data: --workers 2 and 3 give what --workers 1 gives, in order per key', async t => {
  const config = ['-c', 'examples/scantag.json']
  const one = enrich(1, LAB, config)
  t.equal(one.code, 0, one.stderr)
  t.ok(one.records.length > 7000 && one.detections.length > 10, 'a real run: thousands of records, several detections')
  for (const n of [2, 3]) {
    const many = enrich(n, LAB, config)
    sameAsOneThread(t, one, many, `--workers ${n}`)
    const expected = byKey(one.ordered)
    const got = byKey(many.ordered)
    t.same([...got.keys()].sort(), [...expected.keys()].sort(), `--workers ${n}: the same keys`)
    t.ok([...expected].every(([key, lines]) => JSON.stringify(got.get(key)) === JSON.stringify(lines)), `--workers ${n}: every key's records in the same order`)
  }
  const ecsOne = enrich(1, LAB, [...config, '-f', 'ecs'])
  sameAsOneThread(t, ecsOne, enrich(2, LAB, [...config, '-f', 'ecs']), '--format ecs --workers 2')
})

t.test('fixtures: each directory as one multi-input run', async t => {
  // Every format and quirk the readers know, bad lines included; Zeek TSV (header lines sent to
  // every worker, concatenated logs) also with three workers.
  const dirs = ['detect', 'ecs', 'eve', 'telemetry', 'zeek-json', 'zeek-tsv']
  for (const dir of dirs) {
    const files = readdirSync(fixture(dir)).filter(f => !f.endsWith('.md')).sort().map(f => fixture(`${dir}/${f}`))
    const one = enrich(1, files, ['-c', hostsConfig])
    t.equal(one.code, 0, one.stderr)
    for (const n of dir === 'zeek-tsv' ? [2, 3] : [2]) sameAsOneThread(t, one, enrich(n, files, ['-c', hostsConfig]), `${dir} (${files.length} inputs), --workers ${n}`)
  }
})

t.test('counts reconcile in the summary of a sharded run', async t => {
  const bad = join(tmp, 'mixed.json')
  writeFileSync(bad, readFileSync(fixture('eve/invented-variants.json')))
  const r = enrich(2, [fixture('zeek-tsv/invented-bad-lines.log'), bad, 'examples/data/host/audit.log'])
  t.equal(r.code, 0, r.stderr)
  const s = r.summary as { totals: { records: number, deadLetters: number, inputRecords: number, outputRecords: number, reconciled: boolean }, inputs: Array<{ records: number, deadLetters: number, inputRecords: number }>, detections: { records: Record<string, number> } }
  t.equal(s.totals.reconciled, true)
  t.ok(s.inputs.every(i => i.records + i.deadLetters === i.inputRecords), 'per input: records + dead letters = input records')
  t.ok(s.totals.deadLetters > 0, 'the bad lines were dead-lettered')
  const detectionRecords = Object.values(s.detections.records).reduce((a, b) => a + b, 0)
  t.equal(r.records.length, s.totals.outputRecords + detectionRecords, 'every record and detection record was written once')
  t.equal(r.deadLetters.length, s.totals.deadLetters, 'every dead letter was written once')
})

t.test('bad --workers values fail fast and say what to fix', async t => {
  for (const [value, message] of [['0', /--workers must be >= 1/], ['abc', /--workers expects a number, got "abc"/], ['1.5', /--workers must be integer/], ['1000', /--workers must be <= 256/]] as const) {
    const r = run(['enrich', 'examples/data/eve.json', '--workers', value])
    t.equal(r.code, 1, `--workers ${value}: usage error`)
    t.match(r.stderr, message)
  }
  const state = run(['enrich', 'examples/data/eve.json', '--workers', '2', '--state', join(tmp, 'state.json')])
  t.equal(state.code, 1)
  t.match(state.stderr, /--state works with one worker only/)
  const config = join(tmp, 'workers0.json')
  writeFileSync(config, JSON.stringify({ workers: 0 }))
  const fromConfig = run(['enrich', 'examples/data/eve.json', '-c', config])
  t.equal(fromConfig.code, 1)
  t.match(fromConfig.stderr, /workers must be >= 1/)
})

t.test('a failing worker is reported with its reason, nothing hangs', async t => {
  const plugin = (name: string, body: string): string => {
    const path = join(tmp, name)
    writeFileSync(path, body)
    return path
  }
  const asyncThrow = plugin('async-throw.mjs', `let fired = false
export default { name: 'async-thrower', onEvent () { if (!fired) { fired = true; setTimeout(() => { throw new Error('plugin blew up') }, 0) } } }`)
  const crashed = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'crash.ndjson'), '--workers', '2', '--plugin', asyncThrow])
  t.equal(crashed.signal, null, 'ended by itself, not by the test timeout')
  t.equal(crashed.code, 70)
  t.match(crashed.stderr, /worker \d of 2 failed: plugin blew up/)

  const exits = plugin('exits.mjs', "export default { name: 'exiter', onEvent () { process.exit(3) } }")
  const exited = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'exit.ndjson'), '--workers', '2', '--plugin', exits])
  t.equal(exited.signal, null)
  t.equal(exited.code, 70)
  t.match(exited.stderr, /worker \d of 2 stopped \(exit code 3\) before the end of its input/)

  const onlyMain = plugin('main-only.mjs', `import { isMainThread } from 'node:worker_threads'
if (!isMainThread) throw new Error('not in a thread')
export default { name: 'main-only', onEvent () {} }`)
  const refused = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'refused.ndjson'), '--workers', '2', '--plugin', onlyMain])
  t.equal(refused.code, 70)
  t.match(refused.stderr, /worker \d of 2 failed: cannot load plugin .*main-only\.mjs: not in a thread/)

  // A correlator that throws on an event is isolated by the engine, in a worker as in one thread.
  const syncThrow = plugin('sync-throw.mjs', "export default { name: 'thrower', onEvent () { throw new Error('bad event') } }")
  const isolated = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'isolated.ndjson'), '--workers', '2', '--plugin', syncThrow, '--summary', '-'])
  t.equal(isolated.code, 0)
  t.match(isolated.stderr, /scantag: warn: correlator thrower failed: bad event/)
  t.equal((JSON.parse(isolated.stdout) as { totals: { records: number } }).totals.records, 3372, 'every record still enriched')
})

t.test('backpressure: a consumer that stops taking output stops the reading', async t => {
  const line = (i: number): string => JSON.stringify({ timestamp: new Date(1_700_000_000_000 + i).toISOString().replace('Z', '+0000'), event_type: 'flow', src_ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dest_ip: '192.0.2.1', src_port: 40000, dest_port: 80, proto: 'TCP', flow: { pkts_toserver: 1, pkts_toclient: 0, bytes_toserver: 60, bytes_toclient: 0, start: '2023-11-14T22:13:20.000000+0000' } }) + '\n'
  let generated = 0
  const input = Readable.from((function * () {
    for (let chunk = 0; chunk < 20_000; chunk++) {
      let text = ''
      for (let k = 0; k < 100; k++) text += line(generated++)
      yield Buffer.from(text)
    }
  })())
  const stalled = new Writable({ highWaterMark: 1024, write (_chunk, _enc, _cb) { /* never done */ } })
  const sharded = startShardedEnrichment({ inputs: ['generated.json'], workers: 2, output: stalled, batchLines: 256 })
  const failed = sharded.done.then(() => undefined, (err: unknown) => err)
  input.pipe(sharded.readers[0])
  let last = -1
  for (let polls = 0; polls < 100 && generated !== last; polls++) {
    last = generated
    await new Promise(resolve => setTimeout(resolve, 150))
  }
  t.equal(generated, last, 'reading stopped')
  t.ok(generated < 60_000, `a bounded amount was read: ${generated} of 2,000,000 lines`)
  sharded.abort(new Error('test is done'))
  input.destroy()
  t.match(await failed, { message: 'test is done' }, 'abort ends the run with the reason')
})

t.test('createEnricher({ workers }): objects in, the same objects out', async t => {
  const collect = async (enricher: Transform, source: Readable): Promise<string[]> => {
    const out: string[] = []
    await pipeline(source, enricher, new Writable({ objectMode: true, write (o, _enc, cb) { out.push(JSON.stringify(o)); cb() } }))
    return out
  }
  const file = 'examples/data/eve.json'
  const one = await collect(createEnricher({ format: 'merge' }), createReadStream(file).pipe(readAny({ input: file })))
  const sharded = createEnricher({ format: 'merge', workers: 2 })
  t.equal(sharded.engine, undefined, 'no engine in this thread')
  const many = await collect(sharded, createReadStream(file).pipe(readAny({ input: file })))
  t.same([...many].sort(), [...one].sort(), 'the same merge documents')

  // Plain records are normalized here, bad ones dead-lettered here, with their position.
  const records = readFileSync(fixture('eve/nicoaller-sample.json'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as unknown)
  const plain = createEnricher({ format: 'ecs', workers: 2, input: 'objects' })
  const dead: unknown[] = []
  plain.on('dead-letter', dl => { dead.push(dl) })
  const docs = await collect(plain, Readable.from([...records, { not: 'a record' }, 42]))
  t.equal(docs.length, records.length)
  t.match(dead, [{ input: 'objects', line: records.length + 1 }, { input: 'objects', line: records.length + 2 }])

  // Nobody reads the output: the enricher stops taking input.
  let generated = 0
  const endless = Readable.from((function * () {
    for (;;) yield { timestamp: '2023-11-14T22:13:20.000000+0000', event_type: 'flow', src_ip: `10.0.${(generated >> 8) & 255}.${generated++ & 255}`, dest_ip: '192.0.2.1', proto: 'TCP' }
  })())
  const unread = createEnricher({ workers: 2 })
  endless.pipe(unread)
  let last = -1
  for (let polls = 0; polls < 100 && generated !== last; polls++) {
    last = generated
    await new Promise(resolve => setTimeout(resolve, 150))
  }
  t.ok(generated === last && generated < 50_000, `input stopped while output was not read: ${generated} objects`)
  endless.destroy()
  unread.destroy()

  // A worker that fails destroys the enricher with the reason: the pipeline rejects, no hang.
  const crashing = join(tmp, 'crash-objects.mjs')
  writeFileSync(crashing, "export default { name: 'crasher', onEvent () { setTimeout(() => { throw new Error('worker crash') }, 0) } }")
  await t.rejects(collect(createEnricher({ workers: 2, plugins: [crashing] }), createReadStream(file).pipe(readAny({ input: file }))), /worker \d of 2 failed: worker crash/)

  t.throws(() => createEnricher({ workers: 2, correlators: [] } as unknown as Parameters<typeof createEnricher>[0]), /correlators cannot be sent to worker threads/)
  t.throws(() => createEnricher({ workers: 0 }), /workers must be an integer from 1 to 4096/)
})

t.test('line facts: exactly what the parser makes of the line, or unsure', async t => {
  const facts = (): LineFacts => ({ key: '', time: undefined })
  // Every EVE and Zeek JSON line of the fixtures and the lab: when the cheap reader answers,
  // its key and time are the parsed record's.
  const jsonFiles = [...readdirSync(fixture('eve')).map(f => fixture(`eve/${f}`)), ...readdirSync(fixture('zeek-json')).map(f => fixture(`zeek-json/${f}`)), join(root, 'examples/data/eve.json')]
  let answered = 0
  let lines = 0
  for (const file of jsonFiles) {
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      let record: Record<string, unknown>
      try { record = JSON.parse(text) as Record<string, unknown> } catch { continue }
      if (record === null || typeof record !== 'object') continue
      lines++
      const eve = typeof record.event_type === 'string'
      const f = facts()
      if (!(eve ? eveFacts : zeekJsonFacts)(text, f, true)) continue
      answered++
      const key = address(eve ? record.src_ip : record['id.orig_h']) ?? ''
      const time = eve ? parseIsoTime(record.timestamp as string) : parseZeekTs(record.ts)
      if (f.key !== key || f.time !== time) t.fail(`${file}: ${text.slice(0, 120)}`)
    }
  }
  t.ok(answered > 0.9 * lines, `most lines keyed without parsing (${answered} of ${lines})`)

  const eve = (text: string): LineFacts | undefined => { const f = facts(); return eveFacts(text, f, true) ? f : undefined }
  t.match(eve('{"timestamp":"2023-11-14T22:13:20.000000+0000","event_type":"flow","src_ip":"10.0.0.1"}'), { key: '10.0.0.1', time: 1_700_000_000 })
  t.match(eve('{"timestamp": "2023-11-14T22:13:20+0000", "event_type": "flow", "src_ip": "10.0.0.1"}'), { key: '10.0.0.1' }, 'spaces after colons')
  t.equal(eve('{"tunnel":{"src_ip":"10.9.9.9"},"timestamp":"2023-11-14T22:13:20+0000","src_ip":"10.0.0.1"}'), undefined, 'a nested src_ip: unsure')
  t.equal(eve('{"timestamp":"2023-11-14T22:13:20+0000","src_ip":"10.0.0.1","src_ip":"10.0.0.2"}'), undefined, 'a duplicate key (JSON.parse keeps the last): unsure')
  t.match(eve('{"timestamp":"2023-11-14T22:13:20+0000","src_ip":"10.0.0.1","flow":{"src_ip":"10.9.9.9"}}'), { key: '10.0.0.1' }, 'the name repeated in a nested object (Suricata 7 alerts): the top-level one')
  t.equal(eve('{"timestamp":"2023-11-14T22:13:20+0000","src_ip":"10.0.0.1","flow":{"src_ip":"10.9.9.9"},"src_ip":"10.0.0.2"}'), undefined, 'and a duplicate after it: unsure')
  t.equal(eve('{"timestamp":"2023-11-14T22:13:20+0000","src_ip":"10.0.0.\\u0031"}'), undefined, 'an escape in the value: unsure')
  t.equal(eve('{"msg":"\\"src_ip\\":\\"1.2.3.4\\"","timestamp":"2023-11-14T22:13:20+0000"}'), undefined, 'inside a string is not a key')
  t.equal(eve('{"event_type":"stats","timestamp":"2023-11-14T22:13:20+0000"}'), undefined, 'no src_ip: the parser decides')
  t.match(eve('{"timestamp":"2023-11-14T22:13:20+0000","src_ip":"x"}'), { key: '' }, 'not an address the model keeps: no key, as the parser')
  const nested = '{"a":{"b":"}"},"c":'
  t.equal(jsonDepthAt(nested, nested.indexOf('"c"')), 1, 'a brace in a string does not count')
  t.equal(jsonDepthAt(nested, nested.indexOf('"b"')), 2)
  t.equal(topLevelString('{"a":"b"}', '"a":'), 'b')

  const state = createZeekTsvState()
  for (const h of ['#separator \\x09', '#fields\tts\tuid\tid.orig_h\tid.orig_p', '#types\ttime\tstring\taddr\tport']) parseZeekTsvLine(state, h)
  const layout = tsvLayout(state)
  if (layout === undefined) throw new Error('a conn.log header block has a layout')
  const tsv = (text: string): LineFacts | undefined => { const f = facts(); return tsvFacts(layout, text, f, true) ? f : undefined }
  t.match(tsv('1700000000.5\tCx\t10.0.0.1\t443'), { key: '10.0.0.1', time: 1_700_000_000.5 })
  t.match(tsv('-\tCx\t10.0.0.1\t443'), { key: '10.0.0.1', time: undefined }, 'unset ts: no time')
  t.equal(tsv('1700000000.5\tCx\t-\t443'), undefined, 'unset id.orig_h: the parser decides (notice.log falls back to src)')
  t.equal(tsv('1700000000.5\tCx\t10.0.0.\\x31\t443'), undefined, 'escaped value: the parser decides')
  t.equal(tsv('17oo\tCx\t10.0.0.1\t443'), undefined, 'unreadable ts: the parser decides')
})
