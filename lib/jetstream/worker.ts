/**
 * `createJetStreamWorker()`: one member of a group of scantag workers sharing the partitions of
 * the input stream (see README "Running on several machines").
 *
 * ```ts
 * import { createJetStreamWorker } from 'scantag'
 *
 * const worker = await createJetStreamWorker({
 *   servers: 'nats://nats1:4222',
 *   group: 'campus',
 *   partitions: 16,
 *   enricher: { hosts: [{ name: 'ws1', ips: ['10.20.30.41'] }] }
 * })
 * process.once('SIGTERM', () => { void worker.drain() })
 * await worker.closed
 * ```
 */
import { hostname } from 'node:os'
import { getHeapStatistics } from 'node:v8'
import { connect, type NatsConnection } from 'nats'
import type { Correlator } from '../correlate/api.js'
import type { ConfiguredEnricherOptions } from '../config.js'
import { checkPartitions } from '../partition.js'
import { CheckpointError, CheckpointStore } from './checkpoint.js'
import { LeaseKeeper, planLeases } from './leases.js'
import { checkGroup, checkPrefix, checkWorkerId, defaultWorkerId, DEFAULT_PREFIX, jetStreamNames, JetStreamOptionError, positive } from './names.js'
import { AckPublisher } from './publisher.js'
import { PartitionRunner, type LogLevel, type RunnerContext } from './runner.js'
import { ensureStreams, openBuckets, type StreamLimits } from './setup.js'
import { totalsOf, type WorkerStats } from './stats.js'

/** Enricher settings of a worker: those of `createEnricher()` that make sense per partition. */
export type WorkerEnricherOptions = ConfiguredEnricherOptions

/** Options of {@link createJetStreamWorker}. */
export interface JetStreamWorkerOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`; or give `connection`. */
  servers?: string | string[]
  /** An open connection to use (the worker leaves it open when it stops). */
  connection?: NatsConnection
  /** Group name: workers of one group share the partitions (letters, digits, `_`, `-`). */
  group: string
  /** Number of partitions P of the input (`<prefix>.in.0` … `<prefix>.in.<P-1>`); fixed for a group. */
  partitions: number
  /** This worker's id (default: host name and process id). */
  id?: string
  /** Subject prefix (default `scantag`). */
  prefix?: string
  /** Output format of records and detections (default `merge`). */
  format?: 'merge' | 'ecs'
  /** Enricher settings, as `createEnricher()` takes them (the CLI's `--config` file gives them). */
  enricher?: WorkerEnricherOptions
  /**
   * Your correlators. A function is called once per partition engine, so that correlators
   * keeping private state get one instance each; an array is shared by all partitions.
   */
  correlators?: Correlator[] | (() => Correlator[])
  /** Lease time, seconds (default 5): a dead worker's partitions are taken over after about this long. */
  leaseSeconds?: number
  /** Checkpoint every this many seconds (default 10) … */
  checkpointSeconds?: number
  /** … or every this many input messages (default 100,000), whichever comes first. */
  checkpointMessages?: number
  /**
   * Most input messages in flight per partition (delivered, output not yet acknowledged):
   * the consumer's `max_ack_pending`. Must exceed the engine's `maxHeldEvents` plus `batch`
   * (default: `maxHeldEvents` + 2 × `batch`).
   */
  maxInFlight?: number
  /** Messages pulled at once per partition (default 500). */
  batch?: number
  /**
   * Most partitions this worker owns at once (default: what its V8 heap holds,
   * {@link defaultMaxPartitions}). Partitions beyond every worker's share wait, their lag
   * growing, rather than a worker running out of memory and failing over onto the next.
   */
  maxPartitions?: number
  /** Release held events after this many seconds without input on a partition (default 30). */
  idleFlushSeconds?: number
  /** Publish statistics every this many seconds (default 5). */
  statsSeconds?: number
  /** Limits of the streams and buckets created when missing. */
  streams?: StreamLimits
  /** Where worker messages go (default: stderr, `info` only when `verbose`). */
  log?: (level: LogLevel, message: string) => void
}

/** A running worker. */
export interface JetStreamWorker {
  readonly id: string
  readonly group: string
  /** Resolves when the worker has stopped (after {@link drain}); rejects when it failed. */
  readonly closed: Promise<void>
  /** Current statistics. */
  stats: () => WorkerStats
  /** Partitions this worker holds now. */
  owned: () => number[]
  /** Gives every partition back gracefully (see PartitionRunner.drain) and stops. */
  drain: () => Promise<void>
}

interface Settings {
  id: string
  group: string
  partitions: number
  prefix: string
  format: 'merge' | 'ecs'
  leaseMs: number
  checkpointMs: number
  checkpointMessages: number
  maxInFlight: number
  batch: number
  maxPartitions: number
  idleFlushMs: number
  statsMs: number
}

/**
 * Heap one partition's engine may need with the default caps, MiB: 13 MiB of stores when
 * created, up to 32 MiB of held events (`maxHeldBytes`), its in-flight input, and stores
 * filled to their caps (a whole engine's live heap measured 66-87 MB on 1,000,000 sources).
 */
export const PARTITION_HEAP_MIB = 64

/**
 * Partitions a worker can own in this process's V8 heap: (heap limit − 32 MiB for the worker
 * itself) ÷ {@link PARTITION_HEAP_MIB}, at least 1. With the `scantag` command's 256 MiB old
 * generation that is 4; start it with `node --max-old-space-size=N $(command -v scantag) worker`
 * to own more.
 */
export function defaultMaxPartitions (): number {
  const heapMiB = getHeapStatistics().heap_size_limit / 1048576
  return Math.max(1, Math.floor((heapMiB - 32) / PARTITION_HEAP_MIB))
}

/**
 * Checks options without connecting.
 * @throws {@link JetStreamOptionError} saying what to fix
 */
export function checkWorkerOptions (o: JetStreamWorkerOptions): Settings {
  if (o === null || typeof o !== 'object') throw new JetStreamOptionError('createJetStreamWorker() needs an options object with servers (or connection), group and partitions')
  if (o.connection === undefined && (o.servers === undefined || (Array.isArray(o.servers) ? o.servers.length === 0 : typeof o.servers !== 'string' || o.servers === ''))) {
    throw new JetStreamOptionError('servers (a NATS URL such as nats://127.0.0.1:4222) or connection is required')
  }
  const group = checkGroup(o.group)
  let partitions: number
  try { partitions = checkPartitions(o.partitions) } catch (err) { throw new JetStreamOptionError((err as Error).message) }
  const format = o.format ?? 'merge'
  if (format !== 'merge' && format !== 'ecs') throw new JetStreamOptionError(`format must be merge or ecs, got ${String(format)}`)
  const batch = positive(o.batch ?? 500, 'batch', true)
  const held = o.enricher?.maxHeldEvents ?? 10_000
  const maxInFlight = positive(o.maxInFlight ?? held + 2 * batch, 'maxInFlight', true)
  if (maxInFlight <= held + batch) {
    throw new JetStreamOptionError(`maxInFlight (${maxInFlight}) must exceed maxHeldEvents (${held}) + batch (${batch}): held events keep their input in flight, and a partition whose in-flight limit is all held cannot move; raise maxInFlight or lower maxHeldEvents`)
  }
  const leaseSeconds = positive(o.leaseSeconds ?? 5, 'leaseSeconds')
  if (leaseSeconds < 0.5) throw new JetStreamOptionError(`leaseSeconds must be at least 0.5, got ${leaseSeconds}`)
  return {
    id: checkWorkerId(o.id ?? defaultWorkerId()),
    group,
    partitions,
    prefix: checkPrefix(o.prefix ?? DEFAULT_PREFIX),
    format,
    leaseMs: leaseSeconds * 1000,
    checkpointMs: positive(o.checkpointSeconds ?? 10, 'checkpointSeconds') * 1000,
    checkpointMessages: positive(o.checkpointMessages ?? 100_000, 'checkpointMessages', true),
    maxInFlight,
    batch,
    maxPartitions: positive(o.maxPartitions ?? defaultMaxPartitions(), 'maxPartitions', true),
    idleFlushMs: positive(o.idleFlushSeconds ?? 30, 'idleFlushSeconds') * 1000,
    statsMs: positive(o.statsSeconds ?? 5, 'statsSeconds') * 1000
  }
}

/** Group settings every member must agree on, kept in the checkpoint bucket under `group`. */
interface GroupRecord {
  format: 'scantag-jetstream-group'
  version: 1
  group: string
  partitions: number
  stream: string
  created: string
}

const defaultLog = (level: LogLevel, message: string): void => {
  if (level !== 'info') process.stderr.write(`scantag worker: ${level}: ${message}\n`)
}

/**
 * Joins a group of workers on NATS JetStream: claims a share of the partitions, enriches their
 * input with the same enricher as `scantag enrich`, publishes records to `<prefix>.out.<p>`,
 * detections to `<prefix>.detections`, dead letters to `<prefix>.dead`, and checkpoints detector
 * state to the group's key-value bucket.
 *
 * @throws {@link JetStreamOptionError} for bad options (before connecting), or when the group
 *   already runs with another partition count
 */
export async function createJetStreamWorker (options: JetStreamWorkerOptions): Promise<JetStreamWorker> {
  const s = checkWorkerOptions(options)
  const log = options.log ?? defaultLog
  const names = jetStreamNames(s.prefix)
  const ownConnection = options.connection === undefined
  const nc = options.connection ?? await connect({ servers: options.servers as string | string[], name: `scantag-worker-${s.id}`, maxReconnectAttempts: -1, reconnectTimeWait: 500 })
  try {
    const jsm = await nc.jetstreamManager()
    const js = nc.jetstream()
    await ensureStreams(jsm, names, options.streams)
    const buckets = await openBuckets(js, names, s.group, options.streams)
    await checkGroupRecord(buckets.checkpoints, { format: 'scantag-jetstream-group', version: 1, group: s.group, partitions: s.partitions, stream: names.inStream, created: new Date().toISOString() })
    return await runWorker(s, options, log, nc, ownConnection, jsm, js, buckets)
  } catch (err) {
    if (ownConnection) await nc.close().catch(() => undefined)
    throw err
  }
}

async function checkGroupRecord (kv: Awaited<ReturnType<typeof openBuckets>>['checkpoints'], mine: GroupRecord): Promise<void> {
  const entry = await kv.get('group')
  if (entry === null || entry.operation !== 'PUT') {
    try { await kv.create('group', JSON.stringify(mine)); return } catch { /* created meanwhile: check it */ }
  }
  const current = (await kv.get('group'))?.json<Partial<GroupRecord>>()
  if (current?.partitions !== mine.partitions || current.stream !== mine.stream) {
    throw new JetStreamOptionError(`group ${mine.group} runs with ${String(current?.partitions)} partitions on stream ${String(current?.stream)}; this worker was started with ${mine.partitions} on ${mine.stream}. Start it with --partitions ${String(current?.partitions)}, or use a new group name (changing P moves scanners to other partitions, so the group's state cannot follow)`)
  }
}

async function runWorker (
  s: Settings,
  options: JetStreamWorkerOptions,
  log: (level: LogLevel, message: string) => void,
  nc: NatsConnection,
  ownConnection: boolean,
  jsm: Awaited<ReturnType<NatsConnection['jetstreamManager']>>,
  js: ReturnType<NatsConnection['jetstream']>,
  buckets: Awaited<ReturnType<typeof openBuckets>>
): Promise<JetStreamWorker> {
  const names = jetStreamNames(s.prefix)
  const started = performance.now()
  const publisher = new AckPublisher(nc, {
    onRetry: (subject, reason, attempt) => { if (attempt % 10 === 1) log('warn', `publish to ${subject} retried (attempt ${attempt}): ${reason}`) }
  })
  const enricher = options.enricher ?? {}
  const correlators = options.correlators
  const runners = new Map<number, PartitionRunner>()
  const ctx: RunnerContext = {
    js,
    jsm,
    names,
    group: s.group,
    worker: s.id,
    partitions: s.partitions,
    publisher,
    checkpoints: new CheckpointStore(buckets.checkpoints, names.checkpointBucket(s.group)),
    enricherOptions: () => ({ ...enricher, correlators: typeof correlators === 'function' ? correlators() : (correlators ?? []) }),
    format: s.format,
    communityIdSeed: enricher.communityIdSeed ?? 0,
    hosts: enricher.hosts ?? [],
    maxInFlight: s.maxInFlight,
    batch: s.batch,
    checkpointMs: s.checkpointMs,
    checkpointMessages: s.checkpointMessages,
    idleFlushMs: s.idleFlushMs,
    ackWaitMs: 60_000,
    log
  }
  const keeper = new LeaseKeeper(buckets.leases, s.id, { host: hostname(), pid: process.pid })
  const releasing = new Set<number>()
  let draining = false
  let stopped = false
  let peakRss = 0
  let resolveClosed!: () => void
  let rejectClosed!: (err: Error) => void
  const closed = new Promise<void>((resolve, reject) => { resolveClosed = resolve; rejectClosed = reject })
  closed.catch(() => undefined)

  const startRunner = (p: number): void => {
    const runner = new PartitionRunner(ctx, p)
    runners.set(p, runner)
    runner.start().catch((err: unknown) => {
      if (err instanceof CheckpointError) {
        log('error', `partition ${p} refused: ${err.message}`)
        runner.refuse(err.message)
        return
      }
      if (runner.state === 'stopped') return
      log('error', `partition ${p}: cannot start: ${(err as Error).message}; giving it back`)
      runner.stop('start failed')
      runners.delete(p)
      void keeper.release(p)
    })
  }

  const releaseRunner = (p: number): void => {
    if (releasing.has(p)) return
    releasing.add(p)
    const runner = runners.get(p)
    log('info', `partition ${p}: giving it back`)
    void (runner !== undefined ? runner.drain() : Promise.resolve())
      .catch((err: unknown) => { log('error', `partition ${p}: drain failed: ${(err as Error).message}`) })
      .then(async () => { await keeper.release(p) })
      .finally(() => {
        if (runners.get(p) === runner) runners.delete(p)
        releasing.delete(p)
      })
  }

  const lose = (p: number, why: string): void => {
    const runner = runners.get(p)
    runners.delete(p)
    keeper.forget(p)
    runner?.stop(why)
  }

  const tickMs = Math.max(100, s.leaseMs / 4)
  let timer: NodeJS.Timeout | undefined
  const tick = async (): Promise<void> => {
    try {
      for (const p of await keeper.renew()) lose(p, 'another worker took the lease over')
      for (const p of keeper.stale(performance.now(), s.leaseMs / 2)) lose(p, `lease not renewed for ${s.leaseMs / 2000} s (connection trouble?)`)
      await keeper.heartbeat([...keeper.owned.keys()]).catch(() => undefined)
      if (!draining) {
        const now = performance.now()
        const live = keeper.view.liveMembers(now, s.leaseMs, s.id)
        const owned = new Set([...keeper.owned.keys()].filter(p => !releasing.has(p)))
        const plan = planLeases({ partitions: s.partitions, me: s.id, live, owned, freeSince: p => keeper.view.freeSince(p, now, s.leaseMs), now, leaseMs: s.leaseMs, max: s.maxPartitions })
        for (const p of plan.claim) {
          if (await keeper.claim(p)) {
            log('info', `partition ${p}: claimed`)
            startRunner(p)
          }
        }
        if (releasing.size === 0) for (const p of plan.release) releaseRunner(p)
      }
    } catch (err) {
      log('warn', `lease round failed: ${(err as Error).message}`)
    }
    if (!stopped) timer = setTimeout(() => { void tick() }, tickMs)
  }

  const stats = (): WorkerStats => {
    const mem = process.memoryUsage()
    if (mem.rss > peakRss) peakRss = mem.rss
    const owned = [...runners.values()].map(r => r.stats()).sort((a, b) => a.partition - b.partition)
    return {
      format: 'scantag-worker-stats',
      group: s.group,
      worker: s.id,
      host: hostname(),
      pid: process.pid,
      time: new Date().toISOString(),
      uptimeSeconds: Math.round((performance.now() - started) / 1000),
      partitions: s.partitions,
      rssBytes: mem.rss,
      peakRssBytes: peakRss,
      heapUsedBytes: mem.heapUsed,
      publisher: { outstanding: publisher.outstanding, retries: publisher.retries, duplicates: publisher.duplicates },
      owned,
      totals: totalsOf(owned)
    }
  }
  const publishStats = async (): Promise<void> => {
    await Promise.all([...runners.values()].map(async r => { await r.refreshConsumerInfo() }))
    const text = JSON.stringify(stats())
    nc.publish(names.statsSubject(s.group, s.id), text)
    await buckets.leases.put(`stats.${s.id}`, text).catch(() => undefined)
  }
  const statsTimer = setInterval(() => { void publishStats().catch(() => undefined) }, s.statsMs)
  statsTimer.unref()

  await keeper.start()
  // Let the other members' keys arrive before claiming, so that workers started together share
  // the partitions from the start instead of rebalancing.
  await new Promise(resolve => setTimeout(resolve, Math.min(s.leaseMs / 2, 2000)))
  await tick()

  void nc.closed().then((err) => {
    if (stopped) return
    stopped = true
    clearTimeout(timer)
    clearInterval(statsTimer)
    for (const r of runners.values()) r.stop('connection closed')
    publisher.close()
    rejectClosed(err ?? new Error('NATS connection closed'))
  })

  let drained: Promise<void> | undefined
  const drain = async (): Promise<void> => {
    if (drained !== undefined) return await drained
    drained = (async () => {
      draining = true
      log('info', `draining ${runners.size} partition(s)`)
      await Promise.all([...runners.entries()].map(async ([p, r]) => {
        await r.drain().catch((err: unknown) => { log('error', `partition ${p}: drain failed: ${(err as Error).message}`) })
        await keeper.release(p)
        runners.delete(p)
      }))
      // Partitions being given back by a rebalance finish their own drain.
      for (let i = 0; releasing.size > 0 && i < 600; i++) await new Promise(resolve => setTimeout(resolve, 50))
      await publishStats().catch(() => undefined)
      stopped = true
      clearTimeout(timer)
      clearInterval(statsTimer)
      await keeper.stop()
      await buckets.leases.delete(`stats.${s.id}`).catch(() => undefined)
      publisher.close()
      if (ownConnection) await nc.drain().catch(() => undefined)
      resolveClosed()
    })()
    await drained
  }

  return {
    id: s.id,
    group: s.group,
    closed,
    stats,
    owned: () => [...keeper.owned.keys()].sort((a, b) => a - b),
    drain
  }
}
