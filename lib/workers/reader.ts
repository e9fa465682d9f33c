/**
 * The main thread's reader of one input in a sharded run: bytes in, {@link ShardItem} batches
 * out, one array per input chunk (object mode).
 *
 * It is `LogReader`'s shell (gzip by magic bytes, UTF-8 decoding, numbered lines with the length
 * cap, format recognition from the first lines) with the parsing taken out: for the high-volume
 * formats (EVE, Zeek JSON, Zeek TSV) each data line is keyed from its text (lib/workers/shard.ts)
 * and left for a worker to parse; Zeek TSV header lines go to every worker. What cannot be keyed
 * cheaply, and the endpoint telemetry formats (low volume; auditd needs several lines per event),
 * are parsed here by the same parsers, and their events travel to the workers instead of text.
 *
 * Counting follows `LogReader` exactly: this reader counts lines (header, blank, data) and the
 * records and dead letters of what it parses itself; the workers count the rest, and the run
 * adds both, so `records + deadLetters === inputRecords` holds per input as with one thread.
 */
import { Transform, type TransformCallback } from 'node:stream'
import { InputBytes } from '../parse/input-bytes.js'
import type { DeadLetter, InputFormat, ScantagEvent } from '../model.js'
import { partitionOf, type ScannerKeys } from '../partition.js'
import { LineSplitter } from '../parse/lines.js'
import { parserFor, type FormatParser, type ParserOptions, type ParseSink } from '../parse/parsers.js'
import { ALL_FORMATS, DEAD_LETTER_TEXT_LIMIT, DEFAULT_MAX_DOCUMENT_LENGTH, DEFAULT_MAX_LINE_LENGTH, emptyReaderStats, knownZeekPath, SNIFF_LINES, type ReaderStats } from '../parse/reader.js'
import { sniffLine } from '../parse/sniff.js'
import { createZeekTsvState, parseZeekTsvLine, type ZeekTsvState } from '../parse/zeek-tsv.js'
import { ItemKind, WORKER_PARSED } from './protocol.js'
import { eveFacts, tsvFacts, tsvLayout, zeekJsonFacts, type FactsReader, type LineFacts, type TsvLayout } from './shard.js'

/** One thing for a shard: a line for its worker to parse, or an event parsed here. */
export interface ShardItem {
  shard: number
  kind: typeof ItemKind.Line | typeof ItemKind.Event
  input: number
  lineNo: number
  /** Zeek TSV header lines of the input before this line (which header block it belongs to). */
  epoch: number
  /** The line (Line items). */
  text: string
  /** The event (Event items). */
  event: ScantagEvent | undefined
  /** Event time, for the time-ordered merge of several inputs (read only when it is wanted). */
  time: number | undefined
}

/**
 * Where a reader hands lines and events when it does not queue them as items (one input, no
 * time merge: straight to the worker pool, with no object per line).
 */
export interface ShardTarget {
  addLine: (shard: number, input: number, lineNo: number, epoch: number, text: string) => void
  addEvent: (shard: number, input: number, event: ScantagEvent) => void
  /** Undefined when more may come now, else a promise of when (backpressure, per input chunk). */
  pace: () => Promise<void> | undefined
}

/** Where a reader sends what is not an item. */
export interface ShardReaderSink {
  /** An item every worker needs, now (not through the time merge): TSV headers, the input's format. */
  broadcast: (kind: typeof ItemKind.Header | typeof ItemKind.Format, input: number, lineNo: number, text: string) => void
  /** A dead letter made here. */
  deadLetter: (dl: DeadLetter) => void
}

/** Options of {@link ShardingReader}. */
export interface ShardingReaderOptions {
  /** Position of this input among the run's inputs. */
  index: number
  /** Input name, as in events and dead letters. */
  input: string
  format?: InputFormat | 'auto'
  maxLineLength?: number
  maxDocumentLength?: number
  communityIdSeed?: number
  /** Number of shards. */
  shards: number
  /**
   * Hand lines and events to this target as they come. Without it they are queued as
   * {@link ShardItem} arrays on the readable side (for the time merge of several inputs).
   */
  target?: ShardTarget
  /** Scanner keys of the events parsed here (shared by a run's readers: hosts learnt by name). */
  keys: ScannerKeys
  /** Whether items need their event time (several inputs merged by time). */
  wantTime: boolean
  sink: ShardReaderSink
}

/** Whether a TSV line is a header line, as `parseZeekTsvLine` decides (including a stray TAB or BOM before `#separator`). */
function isTsvHeaderLine (line: string): boolean {
  const c0 = line.charCodeAt(0)
  if (c0 === 35) return true
  if (c0 !== 9 && c0 !== 32 && c0 !== 0xfeff) return false
  let i = 1
  while (i < line.length) {
    const c = line.charCodeAt(i)
    if (c !== 9 && c !== 32 && c !== 0xfeff) break
    i++
  }
  return line.startsWith('#separator', i)
}

/** Whether a line of a JSON-lines input is blank: what `JsonLineParser` calls blank. */
function isBlankJsonLine (line: string): boolean {
  return line.charCodeAt(0) !== 123 && line.trim().length === 0
}

const FACTS_READERS: Partial<Record<InputFormat, FactsReader>> = { eve: eveFacts, 'zeek-json': zeekJsonFacts }

/**
 * Transform from one input's bytes to arrays of {@link ShardItem}s. `stats` counts what this
 * thread saw and made; the run adds the workers' counts (see lib/workers/run.ts).
 */
export class ShardingReader extends Transform {
  /** Lines, bytes, format and what was parsed in this thread. */
  readonly stats: ReaderStats
  private readonly splitter: LineSplitter
  private readonly parserOptions: ParserOptions
  private readonly facts: LineFacts = { key: '', time: undefined }
  private readonly options: ShardingReaderOptions
  /** Parser of this thread: the whole input (main-parsed formats), or the lines that cannot be keyed. */
  private parser: FormatParser | undefined
  /** Whether the workers parse this input's lines. */
  private workerParsed = false
  private factsReader: FactsReader | undefined
  private tsvState: ZeekTsvState | undefined
  private layout: TsvLayout | undefined
  private epoch = 0
  private pending: ShardItem[] = []
  private readonly parseSink: ParseSink
  private readonly bytesIn: InputBytes

  constructor (options: ShardingReaderOptions) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 16 })
    this.options = options
    const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH
    const maxDocumentLength = options.maxDocumentLength ?? DEFAULT_MAX_DOCUMENT_LENGTH
    this.parserOptions = { input: options.input, communityIdSeed: options.communityIdSeed ?? 0, maxDocumentLength }
    const pathHint = knownZeekPath(options.input)
    if (pathHint !== undefined) this.parserOptions.pathHint = pathHint
    const format = options.format ?? 'auto'
    this.stats = emptyReaderStats(options.input, 'unknown')
    this.parseSink = {
      event: (ev) => {
        const s = this.stats
        s.inputRecords++
        s.records++
        s.kinds[ev.kind] = (s.kinds[ev.kind] ?? 0) + 1
        const shard = partitionOf(options.keys.keyOf(ev), options.shards)
        if (options.target !== undefined) {
          options.target.addEvent(shard, options.index, ev)
          return
        }
        this.pending.push({
          shard,
          kind: ItemKind.Event,
          input: options.index,
          lineNo: ev.line,
          epoch: 0,
          text: '',
          event: ev,
          time: ev.time
        })
      },
      dead: (line, reason, text) => {
        this.stats.inputRecords++
        this.dead(line, reason, text)
      }
    }
    this.splitter = new LineSplitter(
      maxLineLength,
      (line, lineNo) => { this.onLine(line, lineNo) },
      (sample, lineNo, length) => {
        this.stats.dataLines++
        this.parseSink.dead(lineNo, `line is ${length} characters long, over the ${maxLineLength}-character limit (maxLineLength); only its start is kept here`, sample)
      }
    )
    this.bytesIn = new InputBytes((bytes) => {
      this.splitter.pushBytes(bytes)
      this.pushPending()
    }, (err) => { this.corruptGzip(err) })
    if (format !== 'auto') this.decide(format)
  }

  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.stats.bytes += chunk.length
    this.bytesIn.write(chunk, () => {
      this.pushPending()
      this.paced(cb)
    })
  }

  /** Calls `cb` when the target can take more (only a direct target paces; items are paced by the stream). */
  private paced (cb: TransformCallback): void {
    const wait = this.options.target?.pace()
    if (wait === undefined) cb()
    else wait.then(() => { cb() }, cb)
  }

  override _flush (cb: TransformCallback): void {
    this.bytesIn.end(() => {
      if (!this.bytesIn.failed) this.finish()
      cb()
    })
  }

  private pushPending (): void {
    if (this.pending.length === 0) return
    const items = this.pending
    this.pending = []
    this.push(items)
  }

  private finish (): void {
    this.splitter.end()
    this.parser?.end(this.parseSink)
    this.stats.lines = this.splitter.lines
    this.stats.gzip = this.bytesIn.gzip
    this.pushPending()
  }

  /** A corrupt or truncated archive is reported once and ends the input cleanly. */
  private corruptGzip (err: Error): void {
    this.splitter.end()
    this.parser?.end(this.parseSink)
    const line = this.splitter.lines + 1
    this.stats.dataLines++
    this.parseSink.dead(line, `gzip data is corrupt or truncated after line ${line - 1}: ${err.message}`, '')
    this.stats.lines = this.splitter.lines
    this.stats.gzip = true
    this.pushPending()
  }

  /** The input's format is known: tell the workers, or parse it here. */
  private decide (format: InputFormat): void {
    this.stats.format = format
    this.parser = parserFor(format, this.parserOptions)
    this.workerParsed = WORKER_PARSED.has(format)
    if (!this.workerParsed) return
    this.options.sink.broadcast(ItemKind.Format, this.options.index, 0, format)
    this.factsReader = FACTS_READERS[format]
    if (format === 'zeek-tsv') this.tsvState = createZeekTsvState()
  }

  private onLine (line: string, lineNo: number): void {
    const stats = this.stats
    this.stats.lines = lineNo
    if (this.parser === undefined) {
      // Format recognition, exactly as LogReader does it.
      const sniffed = sniffLine(line)
      if (sniffed === 'blank') { stats.blankLines++; return }
      if (sniffed === 'unknown') {
        stats.dataLines++
        const why = 'input format not recognised: not a Zeek TSV header, auditd record, or Zeek JSON, Suricata EVE, Sysmon, osquery or ECS record'
        this.parseSink.dead(lineNo, lineNo >= SNIFF_LINES ? `${why}; gave up after ${SNIFF_LINES} lines, set the input format explicitly` : why, line)
        if (lineNo >= SNIFF_LINES) this.decide(ALL_FORMATS[0])
        return
      }
      if (sniffed === 'json-document') {
        this.stats.format = 'json-document'
        this.parser = parserFor('json-document', this.parserOptions)
      } else {
        this.decide(sniffed)
      }
    }
    if (!this.workerParsed) {
      this.count(this.parser?.line(line, lineNo, this.parseSink) ?? 'data')
    } else if (this.tsvState !== undefined) {
      this.tsvLine(this.tsvState, line, lineNo)
    } else {
      this.jsonLine(line, lineNo)
    }
  }

  private count (kind: 'data' | 'header' | 'blank'): void {
    if (kind === 'data') this.stats.dataLines++
    else if (kind === 'header') this.stats.headerLines++
    else this.stats.blankLines++
  }

  private jsonLine (line: string, lineNo: number): void {
    if (isBlankJsonLine(line)) { this.stats.blankLines++; return }
    this.stats.dataLines++
    const facts = this.facts
    facts.key = ''
    facts.time = undefined
    if (this.factsReader !== undefined && this.factsReader(line, facts, this.options.wantTime)) this.addLine(line, lineNo)
    else this.parser?.line(line, lineNo, this.parseSink)
  }

  private tsvLine (state: ZeekTsvState, line: string, lineNo: number): void {
    if (line.length === 0) { this.stats.blankLines++; return }
    if (isTsvHeaderLine(line)) {
      if (parseZeekTsvLine(state, line).type === 'header') {
        this.stats.headerLines++
        this.parser?.line(line, lineNo, this.parseSink)
        this.layout = tsvLayout(state)
        this.epoch++
        this.options.sink.broadcast(ItemKind.Header, this.options.index, lineNo, line)
        return
      }
      // A broken header is a dead letter, made here once rather than by every worker.
      this.stats.dataLines++
      this.parser?.line(line, lineNo, this.parseSink)
      return
    }
    this.stats.dataLines++
    const facts = this.facts
    facts.key = ''
    facts.time = undefined
    if (this.layout !== undefined && tsvFacts(this.layout, line, facts, this.options.wantTime)) this.addLine(line, lineNo)
    else this.parser?.line(line, lineNo, this.parseSink)
  }

  private addLine (line: string, lineNo: number): void {
    const shard = partitionOf(this.facts.key, this.options.shards)
    const target = this.options.target
    if (target !== undefined) {
      target.addLine(shard, this.options.index, lineNo, this.epoch, line)
      return
    }
    this.pending.push({
      shard,
      kind: ItemKind.Line,
      input: this.options.index,
      lineNo,
      epoch: this.epoch,
      text: line,
      event: undefined,
      time: this.facts.time
    })
  }

  private dead (line: number, reason: string, text: string): void {
    const dl: DeadLetter = {
      input: this.options.input,
      line,
      reason,
      text: text.length > DEAD_LETTER_TEXT_LIMIT ? text.slice(0, DEAD_LETTER_TEXT_LIMIT) : text
    }
    this.stats.deadLetters++
    this.options.sink.deadLetter(dl)
  }
}
