/**
 * `npm run bench:jetstream`: scantag workers on NATS JetStream (1, 2 and 3 workers) against the
 * single-process `scantag enrich` on the same generated EVE input. A benchmark, not a timed
 * test: it reports, it never fails on a number.
 *
 * Each measurement starts a fresh `nats-server -js` on a free port with a temporary store (the
 * Debian package's binary) and `node dist/cli.js worker` processes sharing P partitions:
 *
 * - live: the workers share the partitions, then the input is routed (`routeFiles`, as fast as
 *   the input stream acknowledges); records/s from the first record routed to the last record
 *   output, peak lag (input routed but not yet delivered: the consumers' `num_pending`, sampled
 *   every 250 ms) and catch-up (end of routing to last output, including the 1 s idle flush);
 * - backlog: the whole input is routed first, then the workers start; records/s from their
 *   first output to their last: what a group of that size works off per second;
 * - peak RSS of the largest worker (its own statistics).
 *
 * Everything shares this machine's cores: the server, the route stage and the workers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connect, type NatsConnection } from 'nats'
import { ROOT, writeInputs } from './generate.js'
import { formatTable, int, fixed } from './table.js'
import { routeFiles } from '../lib/jetstream/route.js'
import { jetStreamNames } from '../lib/jetstream/names.js'
import { readWorkerStats, type WorkerStats } from '../lib/jetstream/stats.js'
import { startNatsServer } from '../test/nats-server.js'

const USAGE = `Usage: npm run bench:jetstream [-- OPTIONS]

  --records N      records of the generated EVE input (default 100,000)
  --partitions P   input partitions (default 6)
  --workers LIST   worker counts to run, comma-separated (default 1,2,3)
  --json           print the results as JSON instead of a table
`

const CLI = join(ROOT, 'dist', 'cli.js')

async function sleep (ms: number): Promise<void> { await new Promise(resolve => setTimeout(resolve, ms)) }

async function startServer (dir: string): Promise<{ url: string, proc: ChildProcess }> {
  const started = await startNatsServer(join(dir, `store-${Date.now()}`), 100)
  if (typeof started === 'string') throw new Error(started)
  return started
}

async function stats (nc: NatsConnection, prefix: string, group: string): Promise<WorkerStats[]> {
  return await readWorkerStats(nc, jetStreamNames(prefix).leaseBucket(group))
}

async function outputCount (nc: NatsConnection, prefix: string): Promise<number> {
  const names = jetStreamNames(prefix)
  const jsm = await nc.jetstreamManager()
  const info = await jsm.streams.info(names.outStream, { subjects_filter: names.outWildcard })
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0)
}

async function lag (nc: NatsConnection, prefix: string, group: string, partitions: number): Promise<number> {
  const names = jetStreamNames(prefix)
  const jsm = await nc.jetstreamManager()
  let sum = 0
  await Promise.all(Array.from({ length: partitions }, async (_, p) => {
    try { sum += (await jsm.consumers.info(names.inStream, names.consumer(group, p))).num_pending } catch { /* not created yet */ }
  }))
  return sum
}

interface Result {
  workers: number
  records: number
  /** Live: route and workers at once, first record routed to last record output. */
  liveRecordsPerSecond: number
  routeSeconds: number
  peakLag: number
  catchUpSeconds: number
  /** Backlog: the whole input routed first, then the workers started; first to last output. */
  drainRecordsPerSecond: number
  peakRssMiB: number
  detections: number
}

async function startWorkers (url: string, prefix: string, group: string, workers: number, partitions: number): Promise<ChildProcess[]> {
  const procs: ChildProcess[] = []
  for (let i = 0; i < workers; i++) {
    procs.push(spawn(process.execPath, [CLI, 'worker', '--nats', url, '--group', group, '--partitions', String(partitions), '--prefix', prefix,
      '--id', `w${i + 1}`, '--idle-flush-seconds', '1', '--stats-seconds', '0.5', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] }))
  }
  return procs
}

async function stopWorkers (procs: ChildProcess[]): Promise<void> {
  for (const p of procs) p.kill('SIGTERM')
  await Promise.all(procs.map(async p => await new Promise(resolve => { if (p.exitCode !== null) resolve(null); else p.on('exit', resolve) })))
}

async function shared (nc: NatsConnection, prefix: string, group: string, workers: number, partitions: number): Promise<void> {
  for (let i = 0; ; i++) {
    const s = await stats(nc, prefix, group).catch(() => [])
    if (s.length === workers && s.reduce((a, w) => a + w.owned.filter(p => p.state === 'running').length, 0) === partitions) return
    if (i > 200) throw new Error('workers did not share the partitions within 50 s')
    await sleep(250)
  }
}

async function peakRss (nc: NatsConnection, prefix: string, group: string): Promise<number> {
  return Math.max(0, ...(await stats(nc, prefix, group).catch(() => [])).map(w => w.peakRssBytes))
}

/** Route and workers at once. */
async function live (file: string, workers: number, partitions: number, dir: string): Promise<Omit<Result, 'drainRecordsPerSecond'>> {
  const server = await startServer(dir)
  const nc = await connect({ servers: server.url })
  const prefix = `live${workers}`
  const group = 'bench'
  const procs = await startWorkers(server.url, prefix, group, workers, partitions)
  try {
    await shared(nc, prefix, group, workers, partitions)
    const started = performance.now()
    let routeSeconds = 0
    let peakLag = 0
    let rss = 0
    let done = false
    const routed = routeFiles([file], { servers: server.url, partitions, prefix }).then(r => { routeSeconds = (performance.now() - started) / 1000; return r })
    const sampler = (async () => {
      while (!done) {
        peakLag = Math.max(peakLag, await lag(nc, prefix, group, partitions))
        rss = Math.max(rss, await peakRss(nc, prefix, group))
        await sleep(250)
      }
    })()
    const r = await routed
    let out = 0
    while ((out = await outputCount(nc, prefix)) < r.records) await sleep(50)
    const seconds = (performance.now() - started) / 1000
    done = true
    await sampler
    await sleep(600)
    rss = Math.max(rss, await peakRss(nc, prefix, group))
    const names = jetStreamNames(prefix)
    const detections = Object.values((await (await nc.jetstreamManager()).streams.info(names.outStream, { subjects_filter: names.detections })).state.subjects ?? {}).reduce((a, b) => a + b, 0)
    return { workers, records: out, liveRecordsPerSecond: out / seconds, routeSeconds, peakLag, catchUpSeconds: Math.max(0, seconds - routeSeconds), peakRssMiB: rss / 1048576, detections }
  } finally {
    await stopWorkers(procs)
    await nc.close()
    server.proc.kill('SIGTERM')
    await sleep(200)
  }
}

/** The whole input routed first, then the workers: how fast they work off a backlog. */
async function drain (file: string, workers: number, partitions: number, dir: string): Promise<{ recordsPerSecond: number, peakRssMiB: number }> {
  const server = await startServer(dir)
  const nc = await connect({ servers: server.url })
  const prefix = `drain${workers}`
  const group = 'bench'
  let procs: ChildProcess[] = []
  try {
    const r = await routeFiles([file], { servers: server.url, partitions, prefix })
    procs = await startWorkers(server.url, prefix, group, workers, partitions)
    let first = 0
    let out = 0
    while ((out = await outputCount(nc, prefix).catch(() => 0)) < r.records) {
      if (first === 0 && out > 0) first = performance.now()
      await sleep(20)
    }
    const seconds = (performance.now() - first) / 1000
    await sleep(600)
    return { recordsPerSecond: out / seconds, peakRssMiB: await peakRss(nc, prefix, group) / 1048576 }
  } finally {
    await stopWorkers(procs)
    await nc.close()
    server.proc.kill('SIGTERM')
    await sleep(200)
  }
}

async function runWorkers (file: string, workers: number, partitions: number, dir: string): Promise<Result> {
  const l = await live(file, workers, partitions, dir)
  const d = await drain(file, workers, partitions, dir)
  return { ...l, drainRecordsPerSecond: d.recordsPerSecond, peakRssMiB: Math.max(l.peakRssMiB, d.peakRssMiB) }
}

function single (file: string): { seconds: number, rssMiB: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, 'enrich', file, '-o', '/dev/null', '-q'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  const [s, kb] = r.stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [NaN, NaN]
  return { seconds: s, rssMiB: kb / 1024 }
}

async function main (): Promise<void> {
  const { values: v } = parseArgs({ options: { records: { type: 'string' }, partitions: { type: 'string' }, workers: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } })
  if (v.help === true) { process.stdout.write(USAGE); return }
  const records = Number(v.records ?? 100_000)
  const partitions = Number(v.partitions ?? 6)
  const counts = (v.workers ?? '1,2,3').split(',').map(Number)
  if (!existsSync(CLI)) spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  const inputs = writeInputs({ records, sources: 50_000, scannerShare: 0.03, adversarial: false, noShared: false, seed: 1 }, m => { process.stderr.write(m + '\n') })
  const file = inputs.eve.file
  const dir = mkdtempSync(join(tmpdir(), 'scantag-bench-js-'))
  try {
    const ref = [single(file), single(file), single(file)].sort((a, b) => a.seconds - b.seconds)[0]
    const refRate = inputs.eve.records / ref.seconds
    const results: Result[] = []
    for (const w of counts) {
      process.stderr.write(`${w} worker(s)...\n`)
      results.push(await runWorkers(file, w, partitions, dir))
    }
    if (v.json === true) {
      process.stdout.write(JSON.stringify({ cpus: cpus().length, records: inputs.eve.records, partitions, single: { seconds: ref.seconds, recordsPerSecond: refRate, peakRssMiB: ref.rssMiB }, workers: results }, null, 2) + '\n')
      return
    }
    process.stdout.write(`EVE input: ${int(inputs.eve.records)} records (${int(inputs.eve.distinctSources)} sources), ${partitions} partitions, ${cpus().length} cores shared by nats-server, route and workers\n\n`)
    const rows = [['single process (scantag enrich, reference)', int(refRate), '1.00', '-', '-', '-', '-', fixed(ref.rssMiB, 0)]]
    for (const r of results) {
      rows.push([`${r.workers} worker(s) on JetStream`, int(r.liveRecordsPerSecond), fixed(r.liveRecordsPerSecond / refRate, 2), int(r.peakLag), fixed(r.catchUpSeconds, 1), int(r.drainRecordsPerSecond), fixed(r.drainRecordsPerSecond / refRate, 2), fixed(r.peakRssMiB, 0)])
    }
    process.stdout.write(formatTable(['pipeline', 'live rec/s', 'vs single', 'peak lag', 'catch-up s', 'backlog rec/s', 'vs single', 'peak RSS MiB'], rows) + '\n')
    process.stdout.write('\nlive: route and workers at once, first record routed to last output; peak lag: routed, not yet delivered (messages);\ncatch-up: seconds from the end of routing to the last output (includes the 1 s idle flush);\nbacklog: the input routed first, then the workers started, first to last output; peak RSS: the largest worker.\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
