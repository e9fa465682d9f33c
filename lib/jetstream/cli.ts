/**
 * `scantag route` and `scantag worker`: the command-line shells of {@link routeFiles},
 * {@link routeSubject} and {@link createJetStreamWorker}. Dispatched from lib/cli.ts.
 */
import { parseArgs } from 'node:util'
import { connect } from 'nats'
import { ConfigError, DEFAULT_CONFIG, enricherOptionsOf, loadConfigFile, resolveConfig, type ScantagConfig } from '../config.js'
import type { Correlator } from '../correlate/api.js'
import { JetStreamOptionError, checkGroup, checkPrefix, DEFAULT_PREFIX, jetStreamNames } from './names.js'
import { routeFiles, routeSubject, type RouteOptions } from './route.js'
import { createJetStreamWorker, type JetStreamWorkerOptions, type WorkerEnricherOptions } from './worker.js'
import { bucketKeys, formatStatus, type WorkerStats } from './stats.js'
import { loadCorrelatorFactory, PluginError } from '../workers/plugins.js'

export const ROUTE_USAGE = `Usage: scantag route --nats URL --partitions P [options] [INPUT...]
       scantag route --nats URL --partitions P --from SUBJECT [options]

Publishes each record to the JetStream input partition of its scanner key,
<prefix>.in.<CRC-32(key) mod P> (key: source address of network events, host address
of endpoint telemetry). With INPUT files (or "-" for stdin), reads them as "scantag
enrich" does (every format, gzip, several inputs merged by event time) and exits
when all are stored; with --from, reads a raw subject (one record per message, as a
Vector or Fluent Bit nats sink publishes) until SIGINT/SIGTERM.

Options:
      --nats URL            NATS server(s), comma-separated (required)
      --partitions P        number of partitions of the worker group (required)
      --from SUBJECT        route this raw subject instead of files
  -c, --config FILE         JSON configuration (its "hosts" key telemetry by host address)
      --prefix PREFIX       subject prefix (default scantag)
      --input-format FMT    auto (default), zeek-tsv, zeek-json, eve, sysmon, auditd,
                            osquery or ecs
      --lateness SECONDS    disorder tolerated per input when merging files (default 60)
      --rate N              publish at most N records per second
      --run-id ID           Nats-Msg-Id prefix: re-running with the same id within the
                            stream's duplicate window (2 min) stores nothing twice
  -q, --quiet               no closing line on stderr
  -h, --help                show this help`

export const WORKER_USAGE = `Usage: scantag worker --nats URL --group NAME --partitions P [options]
       scantag worker --status --nats URL --group NAME [--json]

Joins a group of workers: claims a share of the P input partitions (leases in the
group's key-value bucket), enriches <prefix>.in.<p> with the same enricher as "scantag
enrich", publishes records to <prefix>.out.<p>, detections to <prefix>.detections and
dead letters to <prefix>.dead, acknowledging input only once its output is stored.
Detector state is checkpointed per partition and restored by whoever takes it over.
SIGTERM/SIGINT give every partition back gracefully (exit 0).

Options:
      --nats URL            NATS server(s), comma-separated (required)
      --group NAME          worker group (required)
      --partitions P        number of input partitions (required; fixed for a group)
      --id ID               worker id (default: host name and process id)
  -c, --config FILE         JSON configuration (schemas/config.schema.json)
  -f, --format FORMAT       merge (default) or ecs
      --home-net CIDR       home network (repeatable)
      --allow CIDR          never report this source (repeatable)
      --plugin PATH         load a correlator module (repeatable)
      --community-id-seed N Community ID seed (default 0)
      --clock-skew SECONDS  sensor/endpoint clock difference tolerated (default 5)
      --prefix PREFIX       subject prefix (default scantag)
      --lease-seconds S     lease time: a dead worker's partitions move after about S
                            seconds (default 5)
      --checkpoint-seconds S  checkpoint detector state every S seconds (default 10)
      --checkpoint-messages N ... or every N input messages (default 100000)
      --max-in-flight N     input messages in flight per partition (default
                            maxHeldEvents + 1000)
      --max-partitions N    own at most N partitions (default: what the heap holds, 64 MiB
                            each: 4 with the command's 256 MiB; raise the heap with
                            node --max-old-space-size=M $(command -v scantag) worker ...)
      --idle-flush-seconds S  release held events after S seconds without input (default 30)
      --stats-seconds S     publish statistics every S seconds (default 5)
      --replicas N          replicas of streams and buckets created (default 1)
      --max-age SECONDS     retention of streams created (default 86400)
      --status              print the group's partitions, owners and statistics, and exit
      --json                with --status: the raw statistics as JSON
      --verbose             log claims, releases, checkpoints restored, flushes
  -q, --quiet               no messages on stderr but errors
  -h, --help                show this help`

/** A usage error (exit 1). */
class UsageError extends Error {}

function num (name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${value}"`)
  return n
}

function servers (v: string | undefined): string[] {
  if (v === undefined || v.trim() === '') throw new UsageError('--nats URL is required (e.g. --nats nats://127.0.0.1:4222)')
  return v.split(',').map(s => s.trim()).filter(s => s !== '')
}

function required (v: number | undefined, name: string): number {
  if (v === undefined) throw new UsageError(`--${name} is required`)
  return v
}

/** Settings from --config and the flags that override it, checked as `scantag enrich` checks them. */
function configFrom (v: Record<string, string | boolean | string[] | undefined>): ScantagConfig {
  const base = typeof v.config === 'string' ? loadConfigFile(v.config) : { ...DEFAULT_CONFIG }
  const overrides: Record<string, unknown> = {}
  if (typeof v.format === 'string') overrides.format = v.format
  if (typeof v['input-format'] === 'string') overrides.inputFormat = v['input-format']
  const lateness = num('lateness', v.lateness as string | undefined); if (lateness !== undefined) overrides.lateness = lateness
  const seed = num('community-id-seed', v['community-id-seed'] as string | undefined); if (seed !== undefined) overrides.communityIdSeed = seed
  const skew = num('clock-skew', v['clock-skew'] as string | undefined); if (skew !== undefined) overrides.clockSkewSeconds = skew
  const split = (x: string[]): string[] => x.flatMap(s => s.split(',')).map(s => s.trim()).filter(s => s !== '')
  if (Array.isArray(v['home-net'])) overrides.homeNet = split(v['home-net'])
  if (Array.isArray(v.allow)) overrides.allow = [...(base.allow ?? []), ...split(v.allow).map(cidr => ({ cidr }))]
  const { $schema: _ignored, ...settings } = base as ScantagConfig & { $schema?: string }
  const flag: Record<string, string> = { format: 'format', inputFormat: 'input-format', lateness: 'lateness', communityIdSeed: 'community-id-seed', clockSkewSeconds: 'clock-skew', homeNet: 'home-net', allow: 'allow' }
  return resolveConfig({ ...settings, ...overrides }, 'invalid option', field => field in overrides ? `--${flag[field] ?? field}` : field)
}

/**
 * Loads correlator plugins (as `scantag enrich --plugin`, lib/workers/plugins.ts): the factory
 * is called once per partition engine.
 */
async function loadPlugins (paths: string[]): Promise<() => Correlator[]> {
  try {
    return await loadCorrelatorFactory(paths)
  } catch (err) {
    if (err instanceof PluginError) throw new UsageError(err.message)
    throw err
  }
}

function isConnectionError (err: unknown): boolean {
  const code = String((err as { code?: unknown }).code ?? '')
  return /CONNECTION_REFUSED|TIMEOUT|DISCONNECT|CONNECTION_CLOSED|ECONNREFUSED|ENOTFOUND/.test(code) || /ECONNREFUSED|ENOTFOUND|connection refused/i.test((err as Error).message ?? '')
}

async function route (argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      nats: { type: 'string' },
      partitions: { type: 'string' },
      from: { type: 'string' },
      config: { type: 'string', short: 'c' },
      prefix: { type: 'string' },
      'input-format': { type: 'string' },
      lateness: { type: 'string' },
      'community-id-seed': { type: 'string' },
      rate: { type: 'string' },
      'run-id': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (v.help === true) { process.stdout.write(ROUTE_USAGE + '\n'); return 0 }
  const config = configFrom(v)
  const options: RouteOptions = {
    servers: servers(v.nats),
    partitions: required(num('partitions', v.partitions), 'partitions'),
    prefix: checkPrefix(v.prefix ?? DEFAULT_PREFIX),
    hosts: config.hosts,
    communityIdSeed: config.communityIdSeed,
    inputFormat: config.inputFormat,
    maxLineLength: config.maxLineLength,
    lateness: config.lateness,
    maxBuffered: config.maxBuffered
  }
  const rate = num('rate', v.rate)
  if (rate !== undefined) options.rate = rate
  if (v['run-id'] !== undefined) options.runId = v['run-id']
  const ac = new AbortController()
  options.signal = ac.signal
  const stop = (): void => { ac.abort() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  let stats
  if (v.from !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either INPUT files or --from SUBJECT, not both')
    stats = await routeSubject(v.from, options)
  } else {
    stats = await routeFiles(positionals.length === 0 ? ['-'] : positionals, options)
  }
  if (v.quiet !== true) {
    process.stderr.write(`scantag route: ${stats.records} record(s) to ${options.partitions} partition(s) of ${jetStreamNames(options.prefix).inStream} in ${stats.elapsedSeconds.toFixed(2)} s (${Math.round(stats.records / Math.max(stats.elapsedSeconds, 1e-3))}/s), ${stats.deadLetters} dead letter(s), ${stats.duplicates} duplicate(s); per partition: ${stats.perPartition.join(' ')}\n`)
  }
  return ac.signal.aborted && v.from === undefined ? 143 : 0
}

async function status (v: { nats?: string, group?: string, prefix?: string, json?: boolean }): Promise<number> {
  const group = checkGroup(v.group)
  const names = jetStreamNames(checkPrefix(v.prefix ?? DEFAULT_PREFIX))
  const nc = await connect({ servers: servers(v.nats), name: 'scantag-status' })
  try {
    const js = nc.jetstream()
    let leases, checkpoints
    try {
      leases = await js.views.kv(names.leaseBucket(group), { bindOnly: true })
      checkpoints = await js.views.kv(names.checkpointBucket(group), { bindOnly: true })
    } catch {
      throw new UsageError(`no group "${group}" with prefix "${names.prefix}" on this server (no bucket ${names.leaseBucket(group)})`)
    }
    const record = (await checkpoints.get('group'))?.json<{ partitions?: number }>()
    const partitions = record?.partitions ?? 0
    const stats: WorkerStats[] = []
    const owners = new Map<number, string>()
    for (const k of await bucketKeys(nc, names.leaseBucket(group))) {
      const e = await leases.get(k)
      if (e === null || e.operation !== 'PUT') continue
      if (k.startsWith('stats.')) stats.push(e.json<WorkerStats>())
      else if (k.startsWith('lease.')) owners.set(Number(k.slice(6)), String(e.json<{ worker?: string }>().worker ?? '?'))
    }
    if (v.json === true) process.stdout.write(JSON.stringify({ group, partitions, owners: Object.fromEntries(owners), workers: stats }, null, 2) + '\n')
    else process.stdout.write(formatStatus(group, partitions, stats, owners))
    return 0
  } finally {
    await nc.close()
  }
}

async function worker (argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      nats: { type: 'string' },
      group: { type: 'string' },
      partitions: { type: 'string' },
      id: { type: 'string' },
      config: { type: 'string', short: 'c' },
      format: { type: 'string', short: 'f' },
      'home-net': { type: 'string', multiple: true },
      allow: { type: 'string', multiple: true },
      plugin: { type: 'string', multiple: true },
      'community-id-seed': { type: 'string' },
      'clock-skew': { type: 'string' },
      prefix: { type: 'string' },
      'lease-seconds': { type: 'string' },
      'checkpoint-seconds': { type: 'string' },
      'checkpoint-messages': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'max-partitions': { type: 'string' },
      'idle-flush-seconds': { type: 'string' },
      'stats-seconds': { type: 'string' },
      replicas: { type: 'string' },
      'max-age': { type: 'string' },
      status: { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (v.help === true) { process.stdout.write(WORKER_USAGE + '\n'); return 0 }
  if (v.status === true) return await status(v)
  const config = configFrom(v)
  const correlators = await loadPlugins(v.plugin ?? [])
  const quiet = v.quiet === true
  const verbose = v.verbose === true
  const options: JetStreamWorkerOptions = {
    servers: servers(v.nats),
    group: checkGroup(v.group),
    partitions: required(num('partitions', v.partitions), 'partitions'),
    prefix: v.prefix ?? DEFAULT_PREFIX,
    format: config.format,
    enricher: enricherOptionsOf(config),
    correlators,
    log: (level, message) => {
      if (level === 'error' || (level === 'warn' && !quiet) || (level === 'info' && verbose)) process.stderr.write(`scantag worker: ${level}: ${message}\n`)
    }
  }
  if (v.id !== undefined) options.id = v.id
  const set = <K extends keyof JetStreamWorkerOptions>(key: K, flag: string): void => {
    const n = num(flag, v[flag as keyof typeof v] as string | undefined)
    if (n !== undefined) (options as unknown as Record<string, unknown>)[key] = n
  }
  set('leaseSeconds', 'lease-seconds')
  set('checkpointSeconds', 'checkpoint-seconds')
  set('checkpointMessages', 'checkpoint-messages')
  set('maxInFlight', 'max-in-flight')
  set('maxPartitions', 'max-partitions')
  set('idleFlushSeconds', 'idle-flush-seconds')
  set('statsSeconds', 'stats-seconds')
  const replicas = num('replicas', v.replicas)
  const maxAge = num('max-age', v['max-age'])
  options.streams = { ...(replicas !== undefined ? { replicas } : {}), ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}) }
  // Signals are taken from the start: one that comes while joining drains right after.
  let signalled: NodeJS.Signals | undefined
  let w: Awaited<ReturnType<typeof createJetStreamWorker>> | undefined
  const drain = (): void => {
    if (w === undefined || signalled === undefined) return
    if (!quiet) process.stderr.write(`scantag worker: ${signalled}: giving back ${w.owned().length} partition(s)\n`)
    void w.drain()
  }
  const stop = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) return
    signalled = signal
    drain()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  w = await createJetStreamWorker(options)
  if (!quiet) process.stderr.write(`scantag worker: ${w.id} joined group ${w.group} (${options.partitions} partitions)\n`)
  drain()
  try {
    await w.closed
  } catch (err) {
    process.stderr.write(`scantag worker: ${(err as Error).message}\n`)
    return 2
  }
  if (!quiet) process.stderr.write(`scantag worker: ${w.id} stopped\n`)
  return 0
}

/** Runs `scantag route ...` or `scantag worker ...` (argv starts with the command); returns the exit code. */
export async function jetstreamMain (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    return command === 'route' ? await route(rest) : await worker(rest)
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof JetStreamOptionError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(`scantag ${command}: ${(err as Error).message}\nRun "scantag ${command} --help" for usage.\n`)
      return 1
    }
    if (isConnectionError(err)) {
      process.stderr.write(`scantag ${command}: cannot reach NATS: ${(err as Error).message}\n`)
      return 2
    }
    process.stderr.write(`scantag ${command}: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return 70
  }
}
