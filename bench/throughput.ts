/**
 * `npm run bench`: throughput of scantag against a bare split2 → JSON.parse → JSON.stringify
 * pipeline, on the same generated input in the same run. A benchmark, not a timed test: it
 * reports, it never fails on a number.
 *
 * Inputs are written to bench/out/ (see generate.ts). Every run of every pipeline is a fresh
 * process (run-one.ts), so peak RSS is per pipeline and no run warms up another.
 */
import { execFile } from 'node:child_process'
import { cpus } from 'node:os'
import { join, relative } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { CLI_NODE_FLAGS, MAX_SOURCES, ROOT, writeInputs, type GenerateOptions, type InputInfo, type Inputs } from './generate.js'
import type { RunResult } from './run-one.js'
import { fixed, formatTable, int, percent, positiveInt } from './table.js'

const RUN_ONE = join(ROOT, 'bench', 'run-one.ts')
const SCANNER_SHARE = 0.03

const USAGE = `Usage: npm run bench [-- OPTIONS]

  --records N     records per input file (default 100,000; --adversarial: enough to use every source)
  --sources N     pool of ordinary source addresses (default 50,000; --adversarial: 1,000,000)
  --adversarial   every record its own connection: no source repeats until the pool is used up
  --runs N        runs per pipeline, the best one is reported (default 3)
  --no-shared     build from the bundled examples even when ../shared/data/lab is there
  --json          print the results as JSON instead of a table
  --only TEXT     run only the pipelines whose name contains TEXT (with their baselines),
                  e.g. --only merge: one thread and --workers 2, EVE and Zeek TSV
`

/** The pipelines, each with its input and the baseline it is compared with. */
const PIPELINES = [
  { name: 'baseline-eve', input: 'eve', baseline: 'baseline-eve' },
  { name: 'scantag-eve-merge', input: 'eve', baseline: 'baseline-eve' },
  { name: 'scantag-eve-ecs', input: 'eve', baseline: 'baseline-eve' },
  { name: 'baseline-tsv', input: 'conn', baseline: 'baseline-tsv' },
  { name: 'scantag-tsv-merge', input: 'conn', baseline: 'baseline-tsv' },
  { name: 'scantag-tsv-ecs', input: 'conn', baseline: 'baseline-tsv' },
  // --workers 2 (the CLI's sharded path) on the same files, next to the one-thread merge rows.
  { name: 'scantag-eve-merge-w2', input: 'eve', baseline: 'baseline-eve' },
  { name: 'scantag-tsv-merge-w2', input: 'conn', baseline: 'baseline-tsv' }
] as const

/** Sharded pipelines and the one-thread pipeline each is compared with. */
const WORKER_PAIRS = [
  { sharded: 'scantag-eve-merge-w2', single: 'scantag-eve-merge', label: 'EVE merge' },
  { sharded: 'scantag-tsv-merge-w2', single: 'scantag-tsv-merge', label: 'Zeek TSV merge' }
] as const

/** One pipeline's line of the report. */
interface Row {
  pipeline: string
  input: 'eve' | 'conn'
  records: number
  /** Best run. */
  seconds: number
  /** (slowest − fastest) ÷ fastest over the runs. */
  spread: number
  recordsPerSecond: number
  /** Input megabytes (10^6 bytes) per second. */
  mbPerSecond: number
  /** This pipeline's time ÷ its baseline's time on the same file: above 1 is slower. */
  ratioToBaseline: number
  /** Highest maxRSS of the runs, MiB. */
  peakRssMiB: number
  deadLetters: number
  runs: number[]
}

function options (): { gen: GenerateOptions, runs: number, json: boolean, only: string | undefined } | undefined {
  const { values: v } = parseArgs({
    options: {
      records: { type: 'string' },
      sources: { type: 'string' },
      adversarial: { type: 'boolean' },
      runs: { type: 'string' },
      'no-shared': { type: 'boolean' },
      json: { type: 'boolean' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (v.help === true) return undefined
  const adversarial = v.adversarial === true
  const sources = positiveInt('sources', v.sources) ?? (adversarial ? 1_000_000 : 50_000)
  if (sources > MAX_SOURCES) throw new Error(`--sources can be at most ${int(MAX_SOURCES)}`)
  // Adversarial: each ordinary record gets a new source, so this many records reach them all.
  const records = positiveInt('records', v.records) ?? (adversarial ? Math.ceil(sources / (1 - SCANNER_SHARE) * 1.01) : 100_000)
  return {
    gen: { records, sources, scannerShare: SCANNER_SHARE, adversarial, noShared: v['no-shared'] === true, seed: 1 },
    runs: positiveInt('runs', v.runs) ?? 3,
    json: v.json === true,
    only: v.only
  }
}

const execFileAsync = promisify(execFile)

async function runOnce (pipeline: string, file: string): Promise<RunResult> {
  const { stdout } = await execFileAsync(process.execPath, [...(pipeline.startsWith('scantag') ? CLI_NODE_FLAGS : []), '--import', 'tsx', RUN_ONE, pipeline, file], { cwd: ROOT, maxBuffer: 1 << 20 })
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as RunResult
}

function describe (i: InputInfo, pool: number): string {
  const from = i.from.length > 1 ? `${i.from.length} files` : relative(ROOT, i.from[0])
  let s = `${relative(ROOT, i.file)}: ${int(i.records)} records, ${fixed(i.bytes / 1e6, 1)} MB, built from ${int(i.templates)} real records (${from})\n` +
    `  ${int(i.distinctSources)} distinct sources (pool of ${int(pool)} + scanners), ${i.scanners} scanners sending ${percent(i.scannerShare)} of the records`
  if (i.kinds !== undefined) {
    const mix = Object.entries(i.kinds).sort((a, b) => b[1] - a[1]).map(([k, share]) => `${k} ${percent(share)}`)
    s += `\n  event types: ${mix.join(', ')}`
  }
  return s
}

async function main (): Promise<void> {
  const opts = options()
  if (opts === undefined) { process.stdout.write(USAGE); return }
  const { gen, runs, json, only } = opts
  // A chosen pipeline brings its baseline, and a sharded one its one-thread counterpart.
  const named = (name: string): boolean => only === undefined || name.includes(only)
  const chosen = PIPELINES.filter(p => named(p.name) ||
    PIPELINES.some(q => named(q.name) && q.baseline === p.name) ||
    WORKER_PAIRS.some(w => named(w.sharded) && w.single === p.name))
  if (chosen.length === 0) throw new Error(`--only ${only}: no pipeline name contains it (pipelines: ${PIPELINES.map(p => p.name).join(', ')})`)
  const log = (msg: string): void => { process.stderr.write(msg + '\n') }
  const inputs: Inputs = writeInputs(gen, log)
  const results = new Map<string, RunResult[]>(chosen.map(p => [p.name, []]))
  // Runs are interleaved (all pipelines, then all again) so that a slow spell of the machine
  // spreads over every pipeline instead of landing on one.
  for (let r = 1; r <= runs; r++) {
    for (const p of chosen) {
      const res = await runOnce(p.name, inputs[p.input].file)
      results.get(p.name)?.push(res)
      log(`run ${r}/${runs}  ${p.name.padEnd(20)} ${fixed(res.seconds, 3)} s`)
    }
  }

  const best = (name: string): RunResult => (results.get(name) ?? []).reduce((a, b) => (b.seconds < a.seconds ? b : a))
  const rows: Row[] = chosen.map(p => {
    const all = results.get(p.name) ?? []
    const b = best(p.name)
    const slowest = Math.max(...all.map(x => x.seconds))
    return {
      pipeline: p.name,
      input: p.input,
      records: b.records,
      seconds: b.seconds,
      spread: (slowest - b.seconds) / b.seconds,
      recordsPerSecond: b.records / b.seconds,
      mbPerSecond: b.inputBytes / 1e6 / b.seconds,
      ratioToBaseline: b.seconds / best(p.baseline).seconds,
      peakRssMiB: Math.max(...all.map(x => x.maxRssKiB)) / 1024,
      deadLetters: Math.max(...all.map(x => x.deadLetters)),
      runs: all.map(x => x.seconds)
    }
  })
  // Every pipeline must have carried every record, or its number means nothing.
  const warnings = rows
    .filter(r => r.records !== inputs[r.input].records || r.deadLetters > 0)
    .map(r => `${r.pipeline}: ${int(r.records)} records out of ${int(inputs[r.input].records)}, ${int(r.deadLetters)} dead letters`)

  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, runs }
  const rowOf = (name: string): Row | undefined => rows.find(r => r.pipeline === name)
  const speedups = WORKER_PAIRS.flatMap(w => {
    const sharded = rowOf(w.sharded)
    const single = rowOf(w.single)
    return sharded === undefined || single === undefined ? [] : [{ pipelines: `${w.label}: ${w.sharded} / ${w.single}`, speedup: sharded.recordsPerSecond / single.recordsPerSecond }]
  })
  if (json) {
    process.stdout.write(JSON.stringify({ machine, inputs, results: rows, speedups, warnings }, null, 2) + '\n')
    return
  }
  const out = [
    `scantag throughput, Node ${machine.node}, ${machine.cores} × ${machine.cpu}; ${runs === 1 ? 'one run' : `best of ${runs} runs`}, each in a fresh process`,
    '',
    describe(inputs.eve, gen.sources),
    describe(inputs.conn, gen.sources),
    '',
    formatTable(
      ['pipeline', 'records', 'seconds', 'spread', 'records/s', 'MB/s', 'vs baseline', 'peak RSS MiB'],
      rows.map(r => [r.pipeline, int(r.records), fixed(r.seconds, 3), runs > 1 ? percent(r.spread) : '-', int(r.recordsPerSecond), fixed(r.mbPerSecond, 1), `${fixed(r.ratioToBaseline, 2)}x`, fixed(r.peakRssMiB, 0)])
    ),
    '',
    'seconds: first input byte to sink finished, best run; spread: (slowest - fastest) / fastest;',
    'MB/s: input bytes (10^6) per second; vs baseline: time / the baseline\'s time on the same file (above 1 = slower).',
    ...(speedups.length > 0 ? ['', `--workers 2 vs 1 (records/s), ${machine.cores} cores:`, ...speedups.map(x => `  ${x.pipelines}: ${fixed(x.speedup, 2)}x`)] : []),
    ...warnings.map(w => `WARNING ${w}`)
  ]
  process.stdout.write(out.join('\n') + '\n')
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
