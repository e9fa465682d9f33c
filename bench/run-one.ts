/**
 * Runs one benchmark pipeline once over one file and prints one JSON line with the result.
 *
 *   node --import tsx bench/run-one.ts PIPELINE FILE
 *
 * bench/throughput.ts starts a fresh process for every run, so that peak RSS belongs to one
 * pipeline and no run inherits another's JIT state or heap. Warm-up is part of the measurement.
 */
import { createReadStream } from 'node:fs'
import { Duplex, PassThrough, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import split2 from 'split2'
import { createEnricher, createSerializer, readAny } from '../lib/stream.js'
import { startShardedEnrichment, type ShardedResult } from '../lib/workers/run.js'

/** One pipeline: its stages between the file and the sink, and how to read its counts afterwards. */
interface Stages {
  stages: Duplex[]
  records: () => number
  deadLetters: () => number
  /**
   * Resolves when the stages can take input (worker threads started). Awaited before the clock
   * starts: thread start-up is module loading, which is not timed for the one-thread pipelines.
   */
  ready?: Promise<void>
  /** Resolves once the counts are final (after the sink has finished). */
  done?: Promise<void>
}

/** Each pipeline is a function of nothing: built only in the process that runs it. */
const PIPELINES: Record<string, () => Stages> = {
  // The bare pipeline scantag is compared with: read lines, parse, write JSON.
  'baseline-eve': () => {
    let n = 0
    return {
      stages: [split2((line: string) => { n++; return JSON.stringify(JSON.parse(line)) + '\n' })],
      records: () => n,
      deadLetters: () => 0
    }
  },
  'baseline-tsv': () => {
    let n = 0
    return {
      // Returning undefined drops the line: split2 pushes only defined values.
      stages: [split2((line: string) => {
        if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) return undefined
        n++
        return JSON.stringify(line.split('\t')) + '\n'
      })],
      records: () => n,
      deadLetters: () => 0
    }
  },
  'scantag-eve-merge': () => scantag('merge'),
  'scantag-eve-ecs': () => scantag('ecs'),
  'scantag-tsv-merge': () => scantag('merge'),
  'scantag-tsv-ecs': () => scantag('ecs'),
  // `scantag enrich FILE --workers 2`: the CLI's sharded path (lib/workers/run.ts). The
  // one-thread pipelines above are what `--workers 1` runs.
  'scantag-eve-merge-w2': () => sharded('merge', 2),
  'scantag-tsv-merge-w2': () => sharded('merge', 2)
}

/** What `scantag enrich FILE --format F` runs (lib/cli.ts), minus the progress counter and summary. */
function scantag (format: 'merge' | 'ecs'): Stages {
  const reader = readAny({ input: process.argv[3] })
  return {
    stages: [reader, createEnricher({ format: 'event' }), createSerializer({ format })],
    records: () => reader.stats.records,
    deadLetters: () => reader.stats.deadLetters
  }
}

/** What `scantag enrich FILE --format F --workers N` runs with N > 1, minus the summary. */
function sharded (format: 'merge' | 'ecs', workers: number): Stages {
  const output = new PassThrough()
  const run = startShardedEnrichment({ inputs: [process.argv[3]], workers, format, output })
  let result: ShardedResult | undefined
  const count = (key: 'records' | 'deadLetters'): number => (result?.inputs ?? []).reduce((n, s) => n + s[key], 0)
  return {
    stages: [Duplex.from({ writable: run.readers[0], readable: output })],
    records: () => count('records'),
    deadLetters: () => count('deadLetters'),
    ready: run.ready,
    done: run.done.then(r => { result = r })
  }
}

/** The result line bench/throughput.ts reads. */
export interface RunResult {
  pipeline: string
  records: number
  deadLetters: number
  inputBytes: number
  outputBytes: number
  seconds: number
  maxRssKiB: number
}

async function main (): Promise<void> {
  const [name, file] = process.argv.slice(2)
  const make = PIPELINES[name]
  if (make === undefined || file === undefined) {
    process.stderr.write(`usage: run-one.ts PIPELINE FILE; pipelines: ${Object.keys(PIPELINES).join(', ')}\n`)
    process.exitCode = 1
    return
  }
  const { stages, records, deadLetters, ready, done: counted } = make()
  await ready
  // 256 KiB reads, as the CLI opens files; the same for every pipeline.
  const source = createReadStream(file, { highWaterMark: 256 * 1024 })
  let inputBytes = 0
  let outputBytes = 0
  let start = 0n
  let end = 0n
  // A byte-mode sink: strings written to it are encoded to bytes, as a file or pipe would need,
  // so the baseline (whose split2 emits strings) pays the same encoding as scantag.
  const sink = new Writable({
    write (chunk: Buffer, _enc, cb) { outputBytes += chunk.length; cb() },
    final (cb) { end = process.hrtime.bigint(); cb() }
  })
  const done = pipeline([source, ...stages, sink])
  // Listening in the same tick as pipeline() pipes the source: every chunk is seen by both.
  source.on('data', (chunk: Buffer | string) => {
    if (inputBytes === 0) start = process.hrtime.bigint() // first byte
    inputBytes += chunk.length
  })
  await done
  await counted
  const result: RunResult = {
    pipeline: name,
    records: records(),
    deadLetters: deadLetters(),
    inputBytes,
    outputBytes,
    seconds: inputBytes === 0 ? 0 : Number(end - start) / 1e9,
    maxRssKiB: process.resourceUsage().maxRSS
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()
