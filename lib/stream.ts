/**
 * The public stream API.
 *
 * ```ts
 * import { pipeline } from 'node:stream/promises'
 * import { createReadStream } from 'node:fs'
 * import { readAny, createEnricher, createSerializer } from 'scantag'
 *
 * await pipeline(
 *   createReadStream('eve.json'),
 *   readAny({ input: 'eve.json' }),
 *   createEnricher({ format: 'merge' }),
 *   createSerializer(),
 *   process.stdout
 * )
 * ```
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { DeadLetter, DetectionRecord, ScantagEvent } from './model.js'
import { LogReader, type ReaderOptions } from './parse/reader.js'
import { createRecordNormalizer } from './workers/normalize.js'
import { createShardedEnricher, type ShardedEnricherOptions } from './workers/objects.js'
import { toMerge, mergeLine } from './output/merge.js'
import { toEcs } from './output/ecs.js'
import type { Correlator, CorrelatorLogger } from './correlate/api.js'
import { CorrelationEngine, type AllowEntry, type EngineOutput } from './correlate/engine.js'
import { detectionToEcs, detectionToMerge } from './output/detection.js'
import { restoreEngine, type EngineState } from './state-file.js'
import { flowAttribution, type AttributionOptions } from './correlate/attribution.js'
import { builtinCorrelators, type BuiltinCorrelatorOptions } from './correlate/builtins.js'

export { LogReader, type ReaderOptions, type ReaderStats, DEFAULT_MAX_LINE_LENGTH } from './parse/reader.js'

/**
 * Reads Zeek TSV, Zeek JSON or Suricata EVE bytes (plain or gzip), recognising the format from
 * the first lines, and emits {@link NetworkEvent} objects. Lines that cannot be read are emitted
 * as `dead-letter` events (and passed to `options.onDeadLetter`); they never stop the stream.
 */
export function readAny (options: ReaderOptions = {}): LogReader {
  return new LogReader(options)
}

/** Like {@link readAny}, but accepts only Zeek logs (TSV or JSON). */
export function readZeek (options: ReaderOptions = {}): LogReader {
  return new LogReader(options, ['zeek-tsv', 'zeek-json'])
}

/** Like {@link readAny}, but accepts only Suricata EVE JSON. */
export function readEve (options: ReaderOptions = {}): LogReader {
  return new LogReader({ ...options, format: options.format ?? 'eve' }, ['eve'])
}

/** Like {@link readAny}, but accepts only endpoint telemetry: Sysmon, auditd, osquery, ECS. */
export function readTelemetry (options: ReaderOptions = {}): LogReader {
  return new LogReader(options, ['sysmon', 'auditd', 'osquery', 'ecs'])
}

/** Output formats of {@link createEnricher} and {@link createSerializer}. */
export type OutputFormat = 'merge' | 'ecs'

/** A host known from configuration: its addresses tie flows to its endpoint telemetry. */
export interface HostConfig {
  name: string
  ips: string[]
}

/** Options of {@link createEnricher}. */
export interface EnricherOptions extends AttributionOptions {
  /**
   * What the enricher emits: `merge` (default) the original record plus a `scantag` object,
   * `ecs` an ECS document, `event` the {@link ScantagEvent} itself (for further processing).
   */
  format?: OutputFormat | 'event'
  /** Community ID seed for records given as plain objects (default 0). */
  communityIdSeed?: number
  /** Input name used in dead letters for records given as plain objects (default `stream`). */
  input?: string
  /** Called with every record that could not be enriched (also emitted as `dead-letter`). */
  onDeadLetter?: (deadLetter: DeadLetter) => void
  /** Hosts and their addresses (telemetry also teaches them). */
  hosts?: HostConfig[]
  /** Your correlators, run after the built-in ones. */
  correlators?: Correlator[]
  /** Most events held back by correlators at once (default 10,000). */
  maxHeldEvents?: number
  /** Most memory events held back may take, estimated bytes (default 32 MiB; see `heldEventBytes`). */
  maxHeldBytes?: number
  /**
   * Longest a correlator may hold an event, seconds of event time (default 300): how far back a
   * detection can still label its scan's events, and the longest an event can be delayed.
   */
  maxHoldSeconds?: number
  /** Most processes in the process table (default 100,000). */
  maxProcesses?: number
  /** What to do with a correlator that throws: `skip` that event for it (default) or `disable` it. */
  onError?: 'skip' | 'disable'
  /** Where correlator warnings go (default: emitted as `diagnostic` events on the stream). */
  log?: CorrelatorLogger
  /** Home network CIDRs (default RFC 1918, RFC 6598, ULA, loopback). */
  homeNet?: string[]
  /** Sources never reported (known scanners, monitoring). */
  allow?: AllowEntry[]
  /** Label scans from inside `homeNet` with ATT&CK T1046 too (default true). */
  internalT1046?: boolean
  /** Least event time between two `updated` records of one detection (default 60). */
  detectionUpdateSeconds?: number
  /** Most open detections (default 10,000). */
  maxDetections?: number
  /** Most sources whose evidence correlators share is remembered (default 20,000). */
  maxEvidenceSources?: number
  /**
   * Built-in correlators to run: all (default), none (`false`), or those named. Flow
   * attribution always runs: the others build on it.
   */
  builtins?: boolean | string[]
  /** Tunables of the built-in correlators, by name (see each correlator's options). */
  correlatorOptions?: BuiltinCorrelatorOptions
  /** Time budget of one correlator call in ms (default 250; a correlator over it 10 times is disabled). */
  slowCorrelatorMillis?: number
  /**
   * Detector state to resume from, as read by `readStateFile()`; take checkpoints with
   * `snapshotEngine(enricher.engine, ...)` and `writeStateFile()`.
   */
  state?: EngineState
}

const FORMATS = ['merge', 'ecs', 'event']

/** Whether a value is a detection record from the enricher. */
export function isDetectionRecord (v: unknown): v is DetectionRecord {
  return v !== null && typeof v === 'object' && (v as { category?: unknown }).category === 'detection' && 'detection' in v
}

/** Whether a value is an event made by scantag's readers. */
export function isScantagEvent (v: unknown): v is ScantagEvent {
  return v !== null && typeof v === 'object' && 'category' in v && 'original' in v && 'scantag' in v
}

/**
 * The enrichment step: an object-mode Transform that takes events from the readers (or plain
 * Zeek/EVE/Sysmon/osquery records, e.g. from `ndjson.parse()`), runs the correlators (flow-to-
 * process attribution built in, then yours) and emits enriched records in the chosen format.
 * Every input object leaves as one output object or one dead letter. Usable in
 * `stream.pipeline` and as an async iterator. The engine is exposed as `enricher.engine`.
 *
 * With `workers: N` the correlation runs in N worker threads instead, sharded by scanner key
 * (lib/workers/objects.ts): the same output, in order per key; `engine` is then undefined, and
 * correlators are given as module paths (`plugins`). For files, `scantag enrich --workers N`
 * is faster still: it shards raw lines and parses them in the workers.
 */
export function createEnricher (options: ShardedEnricherOptions): Transform & { engine: undefined }
export function createEnricher (options?: EnricherOptions): Transform & { engine: CorrelationEngine }
export function createEnricher (options: EnricherOptions | ShardedEnricherOptions = {}): Transform & { engine: CorrelationEngine | undefined } {
  if ('workers' in options) return createShardedEnricher(options)
  const format = options.format ?? 'merge'
  if (!FORMATS.includes(format)) throw new TypeError(`format must be one of ${FORMATS.join(', ')}; got ${String(format)}`)
  const seed = options.communityIdSeed ?? 0
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) throw new TypeError(`communityIdSeed must be an integer from 0 to 65535, got ${String(seed)}`)
  for (const h of options.hosts ?? []) {
    if (h === null || typeof h !== 'object' || typeof h.name !== 'string' || !Array.isArray(h.ips)) throw new TypeError('hosts must be an array of { name: string, ips: string[] }')
  }
  const input = options.input ?? 'stream'
  const onDeadLetter = options.onDeadLetter
  let count = 0
  let current: Transform | undefined
  const log: CorrelatorLogger = options.log ?? {
    info: (...args) => { current?.emit('diagnostic', { level: 'info', message: args.map(String).join(' ') }) },
    warn: (...args) => { current?.emit('diagnostic', { level: 'warn', message: args.map(String).join(' ') }) }
  }
  const engineOptions: ConstructorParameters<typeof CorrelationEngine>[0] = {
    correlators: [flowAttribution(options), ...builtinCorrelators(options), ...(options.correlators ?? [])],
    processTable: { hosts: options.hosts ?? [] },
    log,
    config: { ...options }
  }
  if (options.homeNet !== undefined) engineOptions.homeNet = options.homeNet
  if (options.allow !== undefined) engineOptions.allow = options.allow
  if (options.internalT1046 !== undefined) engineOptions.internalT1046 = options.internalT1046
  if (options.detectionUpdateSeconds !== undefined) engineOptions.detectionUpdateSeconds = options.detectionUpdateSeconds
  if (options.maxDetections !== undefined) engineOptions.maxDetections = options.maxDetections
  if (options.maxEvidenceSources !== undefined) engineOptions.maxEvidenceSources = options.maxEvidenceSources
  if (options.slowCorrelatorMillis !== undefined) engineOptions.slowCorrelatorMillis = options.slowCorrelatorMillis
  if (options.maxProcesses !== undefined) engineOptions.processTable = { ...engineOptions.processTable, maxProcesses: options.maxProcesses }
  if (options.maxHeldEvents !== undefined) engineOptions.maxHeldEvents = options.maxHeldEvents
  if (options.maxHeldBytes !== undefined) engineOptions.maxHeldBytes = options.maxHeldBytes
  if (options.maxHoldSeconds !== undefined) engineOptions.maxHoldSeconds = options.maxHoldSeconds
  if (options.onError !== undefined) engineOptions.onError = options.onError
  const engine = new CorrelationEngine(engineOptions)
  if (options.state !== undefined) {
    const skipped = restoreEngine(engine, options.state)
    if (skipped.length > 0) log.warn(`state of correlators not running was not restored: ${skipped.join(', ')}`)
  }
  const formatEvent = (ev: EngineOutput): unknown => formatEngineOutput(ev, format, seed)

  // Plain objects are normalized by the same parsers the readers use.
  const pending: ScantagEvent[] = []
  const normalize = createRecordNormalizer({
    input,
    communityIdSeed: seed,
    onEvent: (ev) => { pending.push(ev) },
    onDeadLetter: (dl) => {
      if (onDeadLetter !== undefined) onDeadLetter(dl)
      current?.emit('dead-letter', dl)
    }
  })

  const outputs: EngineOutput[] = [] // reused: no array per event
  const transform = new Transform({
    objectMode: true,
    transform (chunk: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
      current = this
      count++
      if (isScantagEvent(chunk)) pending.push(chunk)
      else normalize(chunk, count)
      for (let i = 0; i < pending.length; i++) {
        engine.pushInto(pending[i], outputs)
        for (let k = 0; k < outputs.length; k++) this.push(formatEvent(outputs[k]))
        outputs.length = 0
      }
      pending.length = 0
      cb()
    },
    flush (cb: TransformCallback): void {
      current = this
      for (const out of engine.end()) this.push(formatEvent(out))
      cb()
    }
  })
  return Object.assign(transform, { engine })
}

/**
 * What {@link createEnricher} emits for one engine output in `format` (shared with the shard
 * workers of `createEnricher({ workers })`, so both give the same objects).
 */
export function formatEngineOutput (ev: EngineOutput, format: OutputFormat | 'event', communityIdSeed = 0): unknown {
  if (format === 'event') return ev
  if (ev.category === 'detection') return format === 'merge' ? detectionToMerge(ev) : detectionToEcs(ev)
  return format === 'merge' ? toMerge(ev) : toEcs(ev, { communityIdSeed })
}

/**
 * One NDJSON line (without its newline) as {@link createSerializer} writes `chunk`: events
 * formatted (`merge` reuses the original line text), detection records as documents, anything
 * else `JSON.stringify`ed. Shared with the shard workers of `scantag enrich --workers N`.
 */
export function serializeRecord (chunk: unknown, format: OutputFormat): string {
  return isScantagEvent(chunk)
    ? (format === 'merge' ? mergeLine(chunk) : JSON.stringify(toEcs(chunk)))
    : isDetectionRecord(chunk)
      ? JSON.stringify(format === 'merge' ? detectionToMerge(chunk) : detectionToEcs(chunk))
      : JSON.stringify(chunk)
}

/** Options of {@link createSerializer}. */
export interface SerializerOptions {
  /** `merge` (default) or `ecs`: how {@link ScantagEvent}s are written. Other objects are written as JSON. */
  format?: OutputFormat
  /** Bytes to gather before writing while input keeps coming (default 65536). */
  batchBytes?: number
}

/**
 * Writes objects as NDJSON text. {@link ScantagEvent}s are formatted (`merge` reuses the
 * original line text); anything else is `JSON.stringify`ed. Lines are gathered into batches
 * of `batchBytes`; what has gathered when the input pauses (by the next turn of the event
 * loop) is written then, so a live stream is not held back.
 *
 * Writing to a file, give the file stream room for several batches, as `scantag enrich --out`
 * does: `createWriteStream(path, { highWaterMark: 1 << 20 })`. With its default 16 KiB, each
 * batch stops the pipeline until the write is done (a quarter of the run idle, measured).
 */
export function createSerializer (options: SerializerOptions = {}): Transform {
  const format = options.format ?? 'merge'
  if (format !== 'merge' && format !== 'ecs') throw new TypeError(`format must be merge or ecs; got ${String(format)}`)
  const batchBytes = options.batchBytes ?? 65536
  let batch = ''
  let pending: NodeJS.Immediate | undefined
  // Records usually arrive one at a time, each passed down the pipeline before the next is
  // read, so "nothing else queued" is true after nearly every record: writing then made one
  // write (one system call to a file or stdout) per record. The batch is written when full, or
  // once the records of this turn have all come through.
  const takeBatch = (): string => {
    const out = batch
    batch = ''
    return out
  }
  const cancelPending = (): void => {
    if (pending !== undefined) clearImmediate(pending)
    pending = undefined
  }
  const writeGathered = (): void => {
    pending = undefined
    if (batch.length === 0 || serializer.writableFinished || serializer.destroyed) return
    serializer.push(takeBatch())
  }
  const serializer = new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    transform (chunk: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
      batch += serializeRecord(chunk, format) + '\n'
      if (batch.length >= batchBytes) {
        cb(null, takeBatch())
        return
      }
      pending ??= setImmediate(writeGathered)
      cb()
    },
    flush (cb: TransformCallback): void {
      cancelPending()
      const out = takeBatch()
      cb(null, out.length > 0 ? out : undefined)
    },
    destroy (err: Error | null, cb: (error: Error | null) => void): void {
      cancelPending()
      cb(err)
    }
  })
  return serializer
}
