/**
 * A sharded enrichment run: what `scantag enrich --workers N` does with N > 1.
 *
 *     input bytes ─▶ ShardingReader ─┐                       ┌▶ worker 1: parse ▶ engine ▶ serialize ─┐
 *     input bytes ─▶ ShardingReader ─┼▶ [time merge] ▶ pool ─┼▶ worker 2: ...                         ├▶ output
 *                                    ┘   (main thread)       └▶ worker N: ...                         ┘
 *
 * The main thread reads, splits and keys lines (lib/workers/reader.ts) and routes each to the
 * worker of its scanner key's partition (`partitionOf(key, N)`, lib/partition.ts); the workers
 * parse, correlate and serialize, and the main thread writes their output in arrival order.
 *
 * **Event time across shards.** With several inputs, the one-thread CLI merges the parsed events
 * of all inputs by time (lib/merge.ts) before correlating. Here the same `mergeByTime` runs in the
 * main thread over the *items*, ordered by the event time read cheaply from each line (exactly the
 * time the parser gives, see lib/workers/shard.ts), and each worker receives its items in that
 * merged order. Restricting a time-ordered sequence to one shard keeps it time-ordered, so every
 * worker sees its records in the order the one-thread engine would have seen them, and each
 * worker's engine clock (its watermark) advances from its own records. At the end of input every
 * worker flushes (held events, open detections). With one input there is no merge, as in the CLI.
 *
 * **Why results are the same as with one thread.** Every built-in correlator keeps its state per
 * scanner key (source address; process telemetry by host address, which is where that host's
 * outbound flows go), so each key's whole history is in one worker, in the same order; the
 * detections are per key too, so there are no cross-source detections to combine (the
 * summaries are added up here). What is global in one thread becomes per worker:
 * - event time: a decision that depends on *another* source's later events (a hold expiring, an
 *   idle detection closing) comes when this worker's own events get there, so it can leave at
 *   another point of the output; the rate limit of a detection's `updated` records also runs on
 *   it, so inputs with far-apart times can get those at other points;
 * - capacity: `maxHeldEvents`, `maxDetections` and the state stores bound each worker, so a full
 *   store evicts differently (each worker holds only its share of the keys);
 * - keys: telemetry without addresses is keyed by host name until one is learnt
 *   (lib/partition.ts), so list hosts in `hosts`; a flow *into* a host with telemetry is keyed by
 *   its remote source, so `accept`-side attribution needs both keys in one shard; plugins that
 *   keep state across sources see only their shard; `--state` needs one worker.
 * Within those bounds (the lab data, every test fixture) records, labels, detections and dead
 * letters are the same as with one thread (test/workers.test.ts).
 */
import type { Writable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { Writable as WritableStream } from 'node:stream'
import { mergeByTime, type MergeStats } from '../merge.js'
import type { DeadLetter, Detection, InputFormat, NetworkEvent } from '../model.js'
import { checkPartitions, ScannerKeys } from '../partition.js'
import type { ReaderStats } from '../parse/reader.js'
import type { OutputFormat } from '../stream.js'
import { WorkerPool } from './pool.js'
import type { Diagnostic, OutputMessage, WorkerEnricherSettings, WorkerInputCounts } from './protocol.js'
import { ShardingReader, type ShardItem } from './reader.js'

/** Options of {@link startShardedEnrichment}. */
export interface ShardedEnrichmentOptions {
  /** Input names, in order (file names, `-` for stdin). */
  inputs: string[]
  /** Worker threads (= shards), at least 1. */
  workers: number
  /** Output format of the records (default `merge`). */
  format?: OutputFormat
  /** Input format for every input (default `auto`). */
  inputFormat?: InputFormat | 'auto'
  maxLineLength?: number
  maxDocumentLength?: number
  communityIdSeed?: number
  /** Disorder tolerated per input in the time merge of several inputs (default 60 s). */
  lateness?: number
  /** Most items held by the time merge (default 100,000). */
  maxBuffered?: number
  /** Settings of every worker's enricher (the CLI's configuration). */
  enricher?: WorkerEnricherSettings
  /** Correlator plugin module paths, loaded by every worker. */
  plugins?: string[]
  /** Where the NDJSON records go, in arrival order. */
  output: Writable
  /** End `output` when done (default true; false for process.stdout). */
  endOutput?: boolean
  onDeadLetter?: (dl: DeadLetter) => void
  /** Every detection record's detection, in output order. */
  onDetection?: (detection: Detection) => void
  onDiagnostic?: (diagnostic: Diagnostic) => void
  /** Items per batch posted to a worker (default 512). */
  batchLines?: number
  /** Unacknowledged batches per worker before reading pauses (default 4). */
  maxInFlight?: number
}

/** What a run produced, for the summary. */
export interface ShardedResult {
  /** Per input, counts of this thread and the workers added: `records + deadLetters === inputRecords`. */
  inputs: ReaderStats[]
  /** Enriched records written (detection records not included). */
  outputRecords: number
  /** Flows tied to a process, by attribution method. */
  attribution: Record<string, number>
  /** Each detection in its last state. */
  detections: Detection[]
  /** Detection records written, by status. */
  detectionRecords: Record<Detection['status'], number>
  /** Time-merge counts (several inputs only). */
  merge: MergeStats | undefined
}

/** A started run: write each input's bytes into its reader; `done` settles when all is written. */
export interface ShardedEnrichment {
  /** One per input, in order: pipe the input's bytes in, end it at end of input. */
  readers: ShardingReader[]
  /** Resolves when every worker has started (loaded its modules and plugins); see {@link WorkerPool.ready}. */
  ready: Promise<void>
  /** Records written so far and input bytes read so far (for progress display). */
  progress: () => { records: number, bytes: number }
  /** Resolves when every input has ended and all output is written; rejects on a worker failure or output error. */
  done: Promise<ShardedResult>
  /** Gives up now: stops the workers and the readers; `done` rejects with `reason`. */
  abort: (reason?: Error) => void
}

/** Yields the items of a reader's item arrays one by one (the merge takes items). */
async function * itemsOf (reader: ShardingReader): AsyncGenerator<ShardItem> {
  for await (const batch of reader) yield * (batch as ShardItem[])
}

/** Adds a worker's counts of one input to the main thread's. */
function addCounts (stats: ReaderStats, c: WorkerInputCounts): void {
  stats.inputRecords += c.inputRecords
  stats.records += c.records
  stats.deadLetters += c.deadLetters
  for (const [kind, n] of Object.entries(c.kinds)) stats.kinds[kind] = (stats.kinds[kind] ?? 0) + n
}

/**
 * Starts worker threads and readers for a sharded run (see the module comment for the design).
 * @throws RangeError when `workers` is not an integer from 1 to 4096
 */
export function startShardedEnrichment (options: ShardedEnrichmentOptions): ShardedEnrichment {
  const workers = checkPartitions(options.workers, 'workers')
  const output = options.output
  const enricher = options.enricher ?? {}
  let records = 0
  const attribution: Record<string, number> = {}
  const detections = new Map<string, Detection>()
  const detectionRecords: Record<Detection['status'], number> = { open: 0, updated: 0, closed: 0 }
  let failure: Error | undefined
  let outputBlocked = false

  const onOutput = (m: OutputMessage): void => {
    records += m.records
    for (const [method, n] of Object.entries(m.attribution)) attribution[method] = (attribution[method] ?? 0) + n
    for (const d of m.detections) {
      detections.set(d.id, d)
      detectionRecords[d.status]++
      options.onDetection?.(d)
    }
    if (options.onDeadLetter !== undefined) for (const dl of m.deadLetters) options.onDeadLetter(dl)
    if (options.onDiagnostic !== undefined) for (const d of m.diagnostics) options.onDiagnostic(d)
    if (m.data !== null && !output.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)) && !outputBlocked) {
      outputBlocked = true
      pool.setOutputBlocked(true)
      output.once('drain', () => { outputBlocked = false; pool.setOutputBlocked(false) })
    }
  }
  const pool = new WorkerPool({
    workers,
    setup: {
      output: { mode: 'text', format: options.format ?? 'merge' },
      enricher,
      plugins: options.plugins ?? [],
      inputs: options.inputs,
      communityIdSeed: options.communityIdSeed ?? 0,
      maxDocumentLength: options.maxDocumentLength ?? 16 * 1024 * 1024
    },
    onOutput,
    onFailure: (err: Error) => { failure = err; for (const r of readers) r.destroy(err) },
    ...(options.batchLines !== undefined ? { batchLines: options.batchLines } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {})
  })

  // An output that fails (disk full, closed pipe) ends the run: nothing more can be written.
  const onOutputError = (err: Error): void => { pool.abort(err) }
  output.on('error', onOutputError)

  const keys = new ScannerKeys(enricher.hosts ?? [])
  const merging = options.inputs.length > 1
  const readers = options.inputs.map((input, index) => new ShardingReader({
    index,
    input,
    format: options.inputFormat ?? 'auto',
    ...(options.maxLineLength !== undefined ? { maxLineLength: options.maxLineLength } : {}),
    ...(options.maxDocumentLength !== undefined ? { maxDocumentLength: options.maxDocumentLength } : {}),
    communityIdSeed: options.communityIdSeed ?? 0,
    shards: workers,
    keys,
    // One input: lines go straight to the pool, no item objects, no merge.
    ...(merging ? {} : { target: { addLine: pool.addLine.bind(pool), addEvent: pool.addEvent.bind(pool), pace: () => (pool.hasRoom ? undefined : pool.whenReady()) } }),
    wantTime: merging,
    sink: {
      broadcast: (kind, i, lineNo, text) => { pool.broadcast(kind, i, lineNo, text) },
      deadLetter: (dl) => { options.onDeadLetter?.(dl) }
    }
  }))

  const add = (item: ShardItem): void => {
    if (item.event !== undefined) pool.addEvent(item.shard, item.input, item.event)
    else pool.addLine(item.shard, item.input, item.lineNo, item.epoch, item.text)
  }
  // Hands items to the pool and holds the next write until the pool has room: this is what
  // pauses the readers (and through them the inputs) when workers or the output fall behind.
  const dispatch = new WritableStream({
    objectMode: true,
    highWaterMark: 1,
    write (chunk: ShardItem | ShardItem[], _enc, cb): void {
      if (Array.isArray(chunk)) { for (const item of chunk) add(item) } else add(chunk)
      if (pool.hasRoom) { cb(); return }
      pool.whenReady().then(() => { cb() }, cb)
    }
  })

  let mergeStats: MergeStats | undefined
  let items: NodeJS.ReadableStream | undefined
  if (merging) {
    // mergeByTime reads only `time` and passes each item through untouched; it is typed for
    // events, hence the cast.
    const merged = mergeByTime(readers.map(itemsOf) as unknown as Array<AsyncIterable<NetworkEvent>>, {
      ...(options.lateness !== undefined ? { lateness: options.lateness } : {}),
      ...(options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {})
    })
    items = merged.stream
    mergeStats = merged.stats
  }

  async function run (): Promise<ShardedResult> {
    let counts: WorkerInputCounts[][]
    try {
      if (items !== undefined) {
        await pipeline(items, dispatch)
      } else {
        // The reader hands its lines to the pool itself; its readable side stays empty.
        await finished(readers[0], { readable: false })
      }
      counts = await pool.end()
    } catch (err) {
      await pool.terminate()
      throw failure ?? err
    }
    if (options.endOutput !== false) await new Promise<void>(resolve => { output.end(resolve) })
    if (failure !== undefined) throw failure
    output.off('error', onOutputError)
    const inputs = readers.map(r => ({ ...r.stats, kinds: { ...r.stats.kinds } }))
    for (const perWorker of counts) perWorker.forEach((c, i) => { addCounts(inputs[i], c) })
    // One thread counts every event through the merge; items are events or lines that become one.
    if (mergeStats !== undefined) mergeStats.events = inputs.reduce((n, s) => n + s.records, 0)
    return {
      inputs,
      outputRecords: records,
      attribution,
      detections: [...detections.values()],
      detectionRecords,
      merge: mergeStats
    }
  }

  return {
    readers,
    ready: pool.ready,
    abort: (reason) => { pool.abort(reason ?? new Error('sharded enrichment aborted')) },
    progress: () => ({ records, bytes: readers.reduce((n, r) => n + r.stats.bytes, 0) }),
    done: run()
  }
}
