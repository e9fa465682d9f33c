#!/usr/bin/env -S node --max-old-space-size=256
/**
 * The `scantag` command line.
 *
 * Exit codes: 0 success (dead letters are reported, not fatal), 1 usage or configuration error,
 * 2 an input cannot be read or the output cannot be written.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync, type WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { ConfigError, DEFAULT_CONFIG, enricherOptionsOf, loadConfigFile, resolveConfig, type ScantagConfig } from './config.js'
import { mergeByTime, type MergeStats } from './merge.js'
import type { DeadLetter, Detection, DetectionRecord, ScantagEvent } from './model.js'
import type { Correlator } from './correlate/api.js'
import { LogReader } from './parse/reader.js'
import { createEnricher, createSerializer } from './stream.js'
import { readStateFile, snapshotEngine, writeStateFile, type EngineState } from './state-file.js'
import type { ReaderStats } from './parse/reader.js'
import type { WorkerEnricherSettings } from './workers/protocol.js'
import { buildSummary } from './output/summary.js'
import { loadCorrelatorModules, PluginError } from './workers/plugins.js'
import { WorkerFailure } from './workers/pool.js'
import { startShardedEnrichment } from './workers/run.js'

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

const USAGE = `Usage: scantag enrich [options] [INPUT...]

Reads Zeek logs (TSV or JSON), Suricata EVE JSON and endpoint telemetry (Sysmon, auditd,
osquery, ECS), plain or gzip, from files or stdin (no INPUT or "-"), and writes one
enriched JSON record per input record. Several inputs are merged in event-time order;
flows from hosts with telemetry are tied to the process that made them.

Options:
  -o, --out FILE            write records to FILE (default: stdout)
  -f, --format FORMAT       merge (original record + "scantag" object, default) or ecs
      --input-format FMT    auto (default), zeek-tsv, zeek-json, eve, sysmon, auditd,
                            osquery or ecs
      --dead-letter FILE    write unreadable lines to FILE as NDJSON {input,line,reason,text}
      --summary FILE        write a JSON summary (counts per input, format, kind, dead
                            letters) to FILE; "-" = stdout when --out is a file, else stderr
  -c, --config FILE         JSON configuration (schemas/config.schema.json)
      --lateness SECONDS    disorder tolerated per input when merging inputs (default 60)
      --community-id-seed N Community ID seed (default 0)
      --clock-skew SECONDS  sensor/endpoint clock difference tolerated (default 5)
      --detections FILE     also write detection records to FILE as NDJSON
      --home-net CIDR       home network (repeatable; default RFC 1918, RFC 6598, ULA,
                            loopback): internal scanners also get ATT&CK T1046
      --allow CIDR          never report this source (repeatable)
      --plugin PATH         load a correlator module (repeatable); it runs with the full
                            privileges of this process
      --state FILE          resume detector state from FILE if it exists, checkpoint it
                            there every --state-interval seconds (default 60) and at exit
      --max-line-length N   longest accepted line in characters (default 1048576)
      --workers N           shard parsing and correlation across N worker threads by
                            scanner key (default 1: all in this thread)
  -q, --quiet               no progress bar and no closing line on stderr
  -h, --help                show this help
  -v, --version             show the version

Exit status: 0 success (dead letters are reported, not fatal), 1 usage or
configuration error, 2 unreadable input or unwritable output, 130/143 stopped by
SIGINT/SIGTERM (what was read is still enriched, written and summarised).

Running on several machines (NATS JetStream):
  scantag route --nats URL --partitions P [INPUT...|--from SUBJECT]
                            publish records to partition CRC-32(scanner key) mod P
  scantag worker --nats URL --group NAME --partitions P [-c FILE]
                            enrich a share of the partitions in a group of workers
  scantag worker --status --nats URL --group NAME
                            partitions, owners, lag and memory of a group
  (scantag route --help, scantag worker --help for their options)`

/** A usage error (exit 1). */
class UsageError extends Error {}
/** An input or output error (exit 2). */
class IoError extends Error {}

interface CliOptions {
  inputs: string[]
  out?: string
  state?: string
  stateInterval: number
  detections?: string
  plugins: string[]
  deadLetter?: string
  summary?: string
  quiet: boolean
  config: ScantagConfig
}

/** Command-line flag of each setting it can override, for error messages. */
const FLAG_OF: Record<string, string> = {
  format: 'format',
  inputFormat: 'input-format',
  lateness: 'lateness',
  communityIdSeed: 'community-id-seed',
  maxLineLength: 'max-line-length',
  clockSkewSeconds: 'clock-skew',
  homeNet: 'home-net',
  allow: 'allow',
  workers: 'workers'
}

function positiveSeconds (name: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number of seconds > 0, got "${value}"`)
  return n
}

function parseNumber (name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${value}"`)
  return n
}

function parseCommandLine (argv: string[]): CliOptions | 'help' | 'version' {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f' },
        'input-format': { type: 'string' },
        'dead-letter': { type: 'string' },
        summary: { type: 'string' },
        config: { type: 'string', short: 'c' },
        lateness: { type: 'string' },
        'community-id-seed': { type: 'string' },
        'max-line-length': { type: 'string' },
        'clock-skew': { type: 'string' },
        detections: { type: 'string' },
        'home-net': { type: 'string', multiple: true },
        allow: { type: 'string', multiple: true },
        plugin: { type: 'string', multiple: true },
        state: { type: 'string' },
        'state-interval': { type: 'string' },
        workers: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const v = parsed.values
  if (v.help === true) return 'help'
  if (v.version === true) return 'version'
  const [command, ...inputs] = parsed.positionals
  if (command === undefined) throw new UsageError('missing command: try "scantag enrich FILE"')
  if (command !== 'enrich') throw new UsageError(`unknown command "${command}": the command is "enrich"`)

  const base = v.config !== undefined ? loadConfigFile(v.config) : { ...DEFAULT_CONFIG }
  const overrides: Record<string, unknown> = {}
  if (v.format !== undefined) overrides.format = v.format
  if (v['input-format'] !== undefined) overrides.inputFormat = v['input-format']
  const lateness = parseNumber('lateness', v.lateness); if (lateness !== undefined) overrides.lateness = lateness
  const seed = parseNumber('community-id-seed', v['community-id-seed']); if (seed !== undefined) overrides.communityIdSeed = seed
  const maxLine = parseNumber('max-line-length', v['max-line-length']); if (maxLine !== undefined) overrides.maxLineLength = maxLine
  const skew = parseNumber('clock-skew', v['clock-skew']); if (skew !== undefined) overrides.clockSkewSeconds = skew
  const workers = parseNumber('workers', v.workers); if (workers !== undefined) overrides.workers = workers
  if (v['home-net'] !== undefined) overrides.homeNet = v['home-net'].flatMap(x => x.split(',')).map(x => x.trim()).filter(x => x !== '')
  if (v.allow !== undefined) overrides.allow = [...(base.allow ?? []), ...v.allow.flatMap(x => x.split(',')).map(x => x.trim()).filter(x => x !== '').map(cidr => ({ cidr }))]
  const { $schema: _ignored, ...baseSettings } = base as ScantagConfig & { $schema?: string }
  const config = resolveConfig({ ...baseSettings, ...overrides }, 'invalid option', field => field in overrides ? `--${FLAG_OF[field] ?? field}` : field)
  if (config.workers > 1 && v.state !== undefined) {
    throw new UsageError(`--state works with one worker only (detector state is split across workers): drop --state or use --workers 1 (workers: ${config.workers})`)
  }
  return {
    inputs: inputs.length === 0 ? ['-'] : inputs,
    out: v.out,
    deadLetter: v['dead-letter'],
    detections: v.detections,
    plugins: v.plugin ?? [],
    state: v.state,
    stateInterval: positiveSeconds('state-interval', v['state-interval'] ?? '60'),
    summary: v.summary,
    quiet: v.quiet === true,
    config
  }
}

function openInput (path: string): Readable {
  if (path === '-') return process.stdin
  try {
    const st = statSync(path)
    if (st.isDirectory()) throw new IoError(`cannot read ${path}: it is a directory`)
  } catch (err) {
    if (err instanceof IoError) throw err
    throw new IoError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return createReadStream(path, { highWaterMark: 256 * 1024 })
}

async function openOutput (path: string): Promise<WriteStream> {
  await mkdir(dirname(path), { recursive: true }).catch(() => undefined)
  // 1 MiB before backpressure: with the default 16 KiB every 64 KiB batch the serializer wrote
  // paused the whole pipeline until the thread pool had written it, and the command sat idle
  // for a quarter of its run (100,000 EVE records to /dev/null: 2.4-2.7 s, now 1.4-1.5 s).
  const ws = createWriteStream(path, { highWaterMark: 1 << 20 })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { resolve() })
    ws.once('error', (err) => { reject(new IoError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)) })
  })
  return ws
}

function fileSize (path: string): number | undefined {
  if (path === '-') return undefined
  try { return statSync(path).size } catch { return undefined }
}

/**
 * Loads correlator plugins: each module's default export is a Correlator, an array of them, or
 * a function returning either. Only paths the user named are loaded.
 */
async function loadPlugins (paths: string[]): Promise<Correlator[]> {
  try {
    return await loadCorrelatorModules(paths)
  } catch (err) {
    throw err instanceof PluginError ? new UsageError(err.message) : err
  }
}

async function enrich (opts: CliOptions): Promise<void> {
  const started = process.hrtime.bigint()
  const { config } = opts
  const stdinCount = opts.inputs.filter(i => i === '-').length
  if (stdinCount > 1) throw new UsageError('stdin ("-") can be read only once')
  const sources = opts.inputs.map(openInput)

  let deadLetterOut: WriteStream | undefined
  if (opts.deadLetter !== undefined) deadLetterOut = await openOutput(opts.deadLetter)
  const deadLetterExamples: DeadLetter[] = []
  const onDeadLetter = (dl: DeadLetter): void => {
    if (deadLetterExamples.length < 10) deadLetterExamples.push(dl)
    if (deadLetterOut !== undefined) deadLetterOut.write(JSON.stringify(dl) + '\n')
  }

  if (config.workers > 1) {
    let run: Omit<RunOutcome, 'deadLetterExamples'>
    try {
      run = await enrichSharded(opts, sources, onDeadLetter)
    } finally {
      await closeStream(deadLetterOut)
    }
    await report(opts, started, { ...run, deadLetterExamples })
    return
  }

  const readers = opts.inputs.map(input => new LogReader({
    input,
    format: config.inputFormat,
    maxLineLength: config.maxLineLength,
    communityIdSeed: config.communityIdSeed,
    onDeadLetter
  }))
  const piped = pipeInputs(opts, sources, readers)
  const readDone = piped.done

  let events: Readable
  let mergeStats: MergeStats | undefined
  if (readers.length === 1) {
    events = readers[0]
  } else {
    const merged = mergeByTime(readers, { lateness: config.lateness, maxBuffered: config.maxBuffered })
    events = merged.stream
    mergeStats = merged.stats
  }

  const output: Writable = opts.out !== undefined ? await openOutput(opts.out) : process.stdout
  const plugins = await loadPlugins(opts.plugins)
  let resumed: EngineState | undefined
  if (opts.state !== undefined && existsSync(opts.state)) {
    try {
      resumed = readStateFile(opts.state)
    } catch (err) {
      throw new UsageError(`${(err as Error).message}; move it away to start without it`)
    }
  }
  let detectionsOut: WriteStream | undefined
  if (opts.detections !== undefined) detectionsOut = await openOutput(opts.detections)
  const enricher = createEnricher({
    format: 'event',
    correlators: plugins,
    ...(resumed !== undefined ? { state: resumed } : {}),
    ...enricherOptionsOf(config)
  })
  const stateFile = opts.state
  const checkpoint = (): void => {
    if (stateFile === undefined) return
    try {
      writeStateFile(stateFile, snapshotEngine(enricher.engine, enricher.engine.correlatorNames))
    } catch (err) {
      process.stderr.write(`scantag: cannot write state file ${stateFile}: ${(err as Error).message}\n`)
    }
  }
  const checkpointTimer = stateFile !== undefined ? setInterval(checkpoint, opts.stateInterval * 1000) : undefined
  checkpointTimer?.unref()
  const diagnostics: string[] = []
  enricher.on('diagnostic', (d: { level: string, message: string }) => {
    if (diagnostics.length < 100) diagnostics.push(d.message)
    if (!opts.quiet) process.stderr.write(`scantag: ${d.level}: ${d.message}\n`)
  })
  let outputRecords = 0
  const attribution: Record<string, number> = {}
  const counter = new PassThrough({ objectMode: true })
  const detections = new Map<string, Detection>()
  const detectionStatus = { open: 0, updated: 0, closed: 0 }
  counter.on('data', (ev: ScantagEvent | DetectionRecord) => {
    if (ev.category === 'detection') {
      detections.set(ev.detection.id, ev.detection)
      detectionStatus[ev.detection.status]++
      if (detectionsOut !== undefined) detectionsOut.write(JSON.stringify(ev.detection) + '\n')
      return
    }
    outputRecords++
    const method = ev.scantag.attribution?.method
    if (method !== undefined) attribution[method] = (attribution[method] ?? 0) + 1
  })

  const sizes = opts.inputs.map(fileSize)
  const showProgress = !opts.quiet && process.stderr.isTTY === true && sizes.every(s => s !== undefined) && opts.out !== undefined
  let bar: cliProgress.SingleBar | undefined
  let timer: NodeJS.Timeout | undefined
  if (showProgress) {
    const total = sizes.reduce<number>((a, b) => a + (b ?? 0), 0)
    bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'scantag {bar} {percentage}% | {value}/{total} bytes | {records} records', hideCursor: true }, cliProgress.Presets.shades_classic)
    bar.start(total, 0, { records: 0 })
    timer = setInterval(() => {
      bar?.update(readers.reduce((a, r) => a + r.stats.bytes, 0), { records: outputRecords })
    }, 200)
    timer.unref()
  }

  try {
    await Promise.all([
      ...readDone,
      pipeline(events, enricher, counter, createSerializer({ format: config.format }), output)
    ])
  } finally {
    if (checkpointTimer !== undefined) clearInterval(checkpointTimer)
    if (timer !== undefined) clearInterval(timer)
    if (bar !== undefined) {
      bar.update(readers.reduce((a, r) => a + r.stats.bytes, 0), { records: outputRecords })
      bar.stop()
    }
    if (detectionsOut !== undefined) {
      const d = detectionsOut
      await new Promise<void>(resolve => { d.end(resolve) })
    }
    if (deadLetterOut !== undefined) {
      const dl = deadLetterOut
      await new Promise<void>(resolve => { dl.end(resolve) })
    }
  }

  checkpoint()
  await report(opts, started, {
    readers: readers.map(r => r.stats),
    outputRecords,
    attribution,
    detections: [...detections.values()],
    detectionRecords: detectionStatus,
    merge: mergeStats,
    deadLetterExamples,
    stopped: piped.stoppedBy()
  })
}

/**
 * Pipes each input into its reader. Inputs are piped by hand rather than with pipeline(): on
 * SIGINT/SIGTERM an input is cut off and its reader ended, so that everything already read (and
 * held) is still enriched, written and summarised.
 */
function pipeInputs (opts: CliOptions, sources: Readable[], readers: Writable[]): { done: Array<Promise<void>>, stoppedBy: () => NodeJS.Signals | undefined } {
  let stopped: NodeJS.Signals | undefined
  const done = sources.map(async (src, i) => await new Promise<void>((resolve, reject) => {
    const reader = readers[i]
    src.on('error', (err: NodeJS.ErrnoException) => {
      if (stopped !== undefined) return
      reject(new IoError(`cannot read ${opts.inputs[i]}: ${err.code ?? err.message}`))
    })
    reader.on('finish', () => { resolve() })
    reader.on('error', reject)
    src.pipe(reader)
  }))
  const stop = (signal: NodeJS.Signals): void => {
    if (stopped !== undefined) return
    stopped = signal
    if (!opts.quiet) process.stderr.write(`scantag: ${signal}: finishing what was read\n`)
    sources.forEach((src, i) => {
      src.unpipe(readers[i])
      if (src !== process.stdin) src.destroy()
      else src.pause()
      readers[i].end()
    })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return { done, stoppedBy: () => stopped }
}

async function closeStream (ws: WriteStream | undefined): Promise<void> {
  if (ws !== undefined) await new Promise<void>(resolve => { ws.end(resolve) })
}

/**
 * `enrich` with `--workers N` > 1: the same inputs, outputs, summary and signal handling, with
 * parsing and correlation sharded across worker threads by scanner key (lib/workers/run.ts).
 */
async function enrichSharded (opts: CliOptions, sources: Readable[], onDeadLetter: (dl: DeadLetter) => void): Promise<Omit<RunOutcome, 'deadLetterExamples'>> {
  const { config } = opts
  const output: Writable = opts.out !== undefined ? await openOutput(opts.out) : process.stdout
  // Checked here so that a bad plugin is a usage error before any thread starts; every worker
  // then loads its own instances.
  await loadPlugins(opts.plugins)
  let detectionsOut: WriteStream | undefined
  if (opts.detections !== undefined) detectionsOut = await openOutput(opts.detections)
  const run = startShardedEnrichment({
    inputs: opts.inputs,
    workers: config.workers,
    format: config.format,
    inputFormat: config.inputFormat,
    maxLineLength: config.maxLineLength,
    communityIdSeed: config.communityIdSeed,
    lateness: config.lateness,
    maxBuffered: config.maxBuffered,
    enricher: enricherOptionsOf(config),
    plugins: opts.plugins.map(p => resolve(p)),
    output,
    endOutput: output !== process.stdout,
    onDeadLetter,
    onDetection: (d) => { detectionsOut?.write(JSON.stringify(d) + '\n') },
    onDiagnostic: (d) => { if (!opts.quiet) process.stderr.write(`scantag: ${d.level}: ${d.message}\n`) }
  })
  const piped = pipeInputs(opts, sources, run.readers)

  const sizes = opts.inputs.map(fileSize)
  let bar: cliProgress.SingleBar | undefined
  let timer: NodeJS.Timeout | undefined
  if (!opts.quiet && process.stderr.isTTY === true && sizes.every(s => s !== undefined) && opts.out !== undefined) {
    const progressBar = new cliProgress.SingleBar({ stream: process.stderr, format: 'scantag {bar} {percentage}% | {value}/{total} bytes | {records} records', hideCursor: true }, cliProgress.Presets.shades_classic)
    bar = progressBar
    progressBar.start(sizes.reduce<number>((a, b) => a + (b ?? 0), 0), 0, { records: 0 })
    timer = setInterval(() => { const p = run.progress(); progressBar.update(p.bytes, { records: p.records }) }, 200)
    timer.unref()
  }
  try {
    await Promise.all([...piped.done, run.done])
  } catch (err) {
    // The first failure is reported: a failed worker (the readers were stopped with its error),
    // or an input that could not be read (the run is stopped with it).
    run.abort(err instanceof Error ? err : new Error(String(err)))
    throw await run.done.then(() => err, (failure: unknown) => failure)
  } finally {
    if (timer !== undefined) clearInterval(timer)
    if (bar !== undefined) {
      const p = run.progress()
      bar.update(p.bytes, { records: p.records })
      bar.stop()
    }
    await closeStream(detectionsOut)
  }
  const result = await run.done
  return {
    readers: result.inputs,
    outputRecords: result.outputRecords,
    attribution: result.attribution,
    detections: result.detections,
    detectionRecords: result.detectionRecords,
    merge: result.merge,
    stopped: piped.stoppedBy()
  }
}

/** What one run produced, for the summary and the closing line. */
interface RunOutcome {
  readers: ReaderStats[]
  outputRecords: number
  attribution: Record<string, number>
  detections: Detection[]
  detectionRecords: Record<string, number>
  merge: MergeStats | undefined
  deadLetterExamples: DeadLetter[]
  stopped: NodeJS.Signals | undefined
}

/** Writes the summary (`--summary`), sets the exit code of a stop by signal, prints the closing line. */
async function report (opts: CliOptions, started: bigint, run: RunOutcome): Promise<void> {
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9
  const summary = buildSummary({
    version: VERSION,
    format: opts.config.format,
    readers: run.readers,
    outputRecords: run.outputRecords,
    attribution: run.attribution,
    detections: run.detections,
    detectionRecords: run.detectionRecords,
    merge: run.merge,
    deadLetterExamples: run.deadLetterExamples,
    elapsedSeconds: elapsed
  })
  if (opts.summary !== undefined) {
    const text = JSON.stringify(summary, null, 2) + '\n'
    if (opts.summary === '-') {
      (opts.out !== undefined ? process.stdout : process.stderr).write(text)
    } else {
      const ws = await openOutput(opts.summary)
      await new Promise<void>(resolve => { ws.end(text, resolve) })
    }
  }
  if (run.stopped !== undefined) {
    // 128 + signal number, as shells report a process ended by that signal.
    process.exitCode = run.stopped === 'SIGINT' ? 130 : 143
  }
  if (!opts.quiet) {
    const t = summary.totals
    process.stderr.write(`scantag: ${t.records} records from ${summary.inputs.length} input(s), ${run.detections.length} detection(s), ${t.deadLetters} dead letter(s)${t.deadLetters > 0 && opts.deadLetter === undefined ? ' (use --dead-letter FILE to keep them)' : ''}, ${elapsed.toFixed(2)} s\n`)
  }
}

/** Runs the CLI; returns the exit code. */
export async function main (argv: string[]): Promise<number> {
  // `scantag enrich x | head`: the reader went away; stop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
  })
  // Scale-out on NATS JetStream (lib/jetstream/): loaded only when used.
  if (argv[0] === 'route' || argv[0] === 'worker') return await (await import('./jetstream/cli.js')).jetstreamMain(argv)
  try {
    const opts = parseCommandLine(argv)
    if (opts === 'help') { process.stdout.write(USAGE + '\n'); return 0 }
    if (opts === 'version') { process.stdout.write(VERSION + '\n'); return 0 }
    await enrich(opts)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`scantag: ${err.message}\n${err instanceof UsageError ? 'Run "scantag --help" for usage.\n' : ''}`)
      return 1
    }
    if (err instanceof IoError) {
      process.stderr.write(`scantag: ${err.message}\n`)
      return 2
    }
    if (err instanceof WorkerFailure) {
      process.stderr.write(`scantag: ${err.message}\n`)
      return 70
    }
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0
    process.stderr.write(`scantag: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return 70
  }
}

main(process.argv.slice(2)).then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`scantag: ${String(err)}\n`)
  process.exitCode = 70
})
