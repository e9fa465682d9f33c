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
import type { DeadLetter, NetworkEvent } from './model.js'
import { LogReader, type ReaderOptions } from './parse/reader.js'
import { eveToEvent } from './parse/eve.js'
import { sniffRecord } from './parse/sniff.js'
import { zeekToEvent, type RecordContext } from './parse/zeek.js'
import { toMerge, mergeLine } from './output/merge.js'
import { toEcs } from './output/ecs.js'

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

/** Output formats of {@link createEnricher} and {@link createSerializer}. */
export type OutputFormat = 'merge' | 'ecs'

/** Options of {@link createEnricher}. */
export interface EnricherOptions {
  /**
   * What the enricher emits: `merge` (default) the original record plus a `scantag` object,
   * `ecs` an ECS document, `event` the {@link NetworkEvent} itself (for further processing).
   */
  format?: OutputFormat | 'event'
  /** Community ID seed for records given as plain objects (default 0). */
  communityIdSeed?: number
  /** Input name used in dead letters for records given as plain objects (default `stream`). */
  input?: string
  /** Called with every record that could not be enriched (also emitted as `dead-letter`). */
  onDeadLetter?: (deadLetter: DeadLetter) => void
}

const FORMATS = ['merge', 'ecs', 'event']

function isNetworkEvent (v: unknown): v is NetworkEvent {
  return v !== null && typeof v === 'object' && 'sensor' in v && 'original' in v && 'scantag' in v
}

/**
 * The enrichment step: an object-mode Transform that takes {@link NetworkEvent}s from the
 * readers (or plain Zeek/EVE record objects, e.g. from `ndjson.parse()`) and emits enriched
 * records in the chosen format. Every input object leaves as one output object or one dead
 * letter. Usable in `stream.pipeline` and as an async iterator.
 */
export function createEnricher (options: EnricherOptions = {}): Transform {
  const format = options.format ?? 'merge'
  if (!FORMATS.includes(format)) throw new TypeError(`format must be one of ${FORMATS.join(', ')}; got ${String(format)}`)
  const seed = options.communityIdSeed ?? 0
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) throw new TypeError(`communityIdSeed must be an integer from 0 to 65535, got ${String(seed)}`)
  const ctx: RecordContext = { input: options.input ?? 'stream', line: 0, format: 'zeek-json', communityIdSeed: seed }
  const onDeadLetter = options.onDeadLetter
  let count = 0

  return new Transform({
    objectMode: true,
    transform (chunk: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
      count++
      let ev: NetworkEvent | string
      if (isNetworkEvent(chunk)) {
        ev = chunk
      } else if (chunk !== null && typeof chunk === 'object' && !Array.isArray(chunk)) {
        ctx.line = count
        const r = chunk as Record<string, unknown>
        const kind = sniffRecord(r)
        ev = kind === 'eve' ? eveToEvent(r, ctx) : kind === 'zeek-json' ? zeekToEvent(r, ctx) : 'object is neither a Zeek record nor a Suricata EVE record'
      } else {
        ev = `expected a NetworkEvent or a record object, got ${chunk === null ? 'null' : Array.isArray(chunk) ? 'an array' : typeof chunk}`
      }
      if (typeof ev === 'string') {
        const dl: DeadLetter = { input: ctx.input, line: count, reason: ev, text: safeText(chunk) }
        if (onDeadLetter !== undefined) onDeadLetter(dl)
        this.emit('dead-letter', dl)
        cb()
        return
      }
      cb(null, format === 'event' ? ev : format === 'merge' ? toMerge(ev) : toEcs(ev))
    }
  })
}

function safeText (v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v)
    return s.length > 4096 ? s.slice(0, 4096) : s
  } catch {
    return String(v)
  }
}

/** Options of {@link createSerializer}. */
export interface SerializerOptions {
  /** `merge` (default) or `ecs`: how {@link NetworkEvent}s are written. Other objects are written as JSON. */
  format?: OutputFormat
  /** Bytes to gather before writing while input keeps coming (default 65536). */
  batchBytes?: number
}

/**
 * Writes objects as NDJSON text. {@link NetworkEvent}s are formatted (`merge` reuses the
 * original line text); anything else is `JSON.stringify`ed. Lines are batched while more input
 * is queued and written at once when the input pauses.
 */
export function createSerializer (options: SerializerOptions = {}): Transform {
  const format = options.format ?? 'merge'
  if (format !== 'merge' && format !== 'ecs') throw new TypeError(`format must be merge or ecs; got ${String(format)}`)
  const batchBytes = options.batchBytes ?? 65536
  let batch = ''
  return new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    transform (chunk: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
      const line = isNetworkEvent(chunk)
        ? (format === 'merge' ? mergeLine(chunk) : JSON.stringify(toEcs(chunk)))
        : JSON.stringify(chunk)
      batch += line + '\n'
      // writableLength counts this chunk until cb(): 1 means nothing else is queued.
      if (batch.length >= batchBytes || this.writableLength <= 1) {
        const out = batch
        batch = ''
        cb(null, out)
        return
      }
      cb()
    },
    flush (cb: TransformCallback): void {
      cb(null, batch.length > 0 ? batch : undefined)
    }
  })
}
