/**
 * What a shard worker does, as a plain class (the thread entry, `worker.ts`, only wires it to
 * its port): parse the lines of its shard with the same parsers the readers use, run the same
 * correlation engine `createEnricher` builds, and format or serialize what leaves it, reporting
 * back one {@link OutputMessage} per batch.
 */
import type { Correlator, CorrelatorLogger } from '../correlate/api.js'
import type { EngineOutput } from '../correlate/engine.js'
import type { DeadLetter, InputFormat, ScantagEvent } from '../model.js'
import { parserFor, type FormatParser, type ParseSink, type ParserOptions } from '../parse/parsers.js'
import { DEAD_LETTER_TEXT_LIMIT, knownZeekPath } from '../parse/reader.js'
import { createEnricher, formatEngineOutput, serializeRecord } from '../stream.js'
import { ItemKind, type BatchMessage, type Diagnostic, type FromWorker, type OutputMessage, type WorkerInputCounts, type WorkerSetup } from './protocol.js'

/** Parsers kept for earlier TSV header epochs (lines the time merge moved across a header). */
const OLD_EPOCH_PARSERS = 4

/** Ignores what a header line makes: headers make nothing but state. */
const HEADER_SINK: ParseSink = { event: () => {}, dead: () => {} }

/** One input as a worker sees it: its format, its TSV header lines, its parsers. */
class InputParsers {
  format: InputFormat | undefined
  /** Header lines in input order (Zeek TSV). */
  private readonly headers: string[] = []
  /** Parser with every header so far applied. */
  private current: FormatParser | undefined
  /** Parsers for earlier epochs, rebuilt by replaying headers when asked for. */
  private readonly older = new Map<number, FormatParser>()

  constructor (private readonly options: ParserOptions) {}

  setFormat (format: InputFormat): void {
    this.format = format
    this.current = parserFor(format, this.options)
  }

  header (text: string, lineNo: number): void {
    this.headers.push(text)
    this.current?.line(text, lineNo, HEADER_SINK)
  }

  /** The parser that reads lines which came after `epoch` header lines. */
  parserAt (epoch: number): FormatParser {
    if (this.format === undefined || this.current === undefined) throw new Error(`input ${this.options.input}: a line arrived before its format`)
    if (epoch >= this.headers.length) return this.current
    let parser = this.older.get(epoch)
    if (parser === undefined) {
      parser = parserFor(this.format, this.options)
      for (let i = 0; i < epoch; i++) parser.line(this.headers[i], 0, HEADER_SINK)
      this.older.set(epoch, parser)
      if (this.older.size > OLD_EPOCH_PARSERS) this.older.delete(this.older.keys().next().value as number)
    }
    return parser
  }

  end (sink: ParseSink): void {
    this.current?.end(sink)
  }
}

function emptyCounts (): WorkerInputCounts {
  return { inputRecords: 0, records: 0, deadLetters: 0, kinds: Object.create(null) as Record<string, number> }
}

/** The work of one shard: lines and events in, output batches out. */
export class ShardWorker {
  private readonly engine
  private readonly inputs: InputParsers[]
  private readonly counts: WorkerInputCounts[]
  private out: OutputMessage = ShardWorker.emptyOutput(-1)
  private textParts: string[] = []
  private readonly sinks: ParseSink[]

  private readonly encoder = new TextEncoder()

  /**
   * @param post sends a message to the main thread; `transfer` lists buffers to move, not copy
   */
  constructor (private readonly setup: WorkerSetup, correlators: Correlator[], private readonly post: (m: FromWorker, transfer?: ArrayBuffer[]) => void) {
    const log: CorrelatorLogger = {
      info: (...args) => { this.diagnostic('info', args) },
      warn: (...args) => { this.diagnostic('warn', args) }
    }
    this.engine = createEnricher({ ...setup.enricher, format: 'event', correlators, log }).engine
    this.inputs = setup.inputs.map(input => {
      const options: ParserOptions = { input, communityIdSeed: setup.communityIdSeed, maxDocumentLength: setup.maxDocumentLength }
      const pathHint = knownZeekPath(input)
      if (pathHint !== undefined) options.pathHint = pathHint
      return new InputParsers(options)
    })
    this.counts = setup.inputs.map(emptyCounts)
    this.sinks = setup.inputs.map((input, i) => ({
      event: (ev: ScantagEvent) => {
        const c = this.counts[i]
        c.inputRecords++
        c.records++
        c.kinds[ev.kind] = (c.kinds[ev.kind] ?? 0) + 1
        this.push(ev)
      },
      dead: (line: number, reason: string, text: string) => {
        const c = this.counts[i]
        c.inputRecords++
        c.deadLetters++
        const dl: DeadLetter = { input, line, reason, text: text.length > DEAD_LETTER_TEXT_LIMIT ? text.slice(0, DEAD_LETTER_TEXT_LIMIT) : text }
        this.out.deadLetters.push(dl)
      }
    }))
  }

  private static emptyOutput (ack: number): OutputMessage {
    return { type: 'output', ack, data: null, objects: [], records: 0, attribution: {}, detections: [], deadLetters: [], diagnostics: [] }
  }

  private diagnostic (level: Diagnostic['level'], args: unknown[]): void {
    this.out.diagnostics.push({ level, message: args.map(String).join(' ') })
  }

  /** Handles one batch and posts what it produced. */
  batch (msg: BatchMessage): void {
    const texts = msg.text === '' ? [] : msg.text.split('\n')
    let t = 0
    let e = 0
    const n = msg.kinds.length
    for (let i = 0; i < n; i++) {
      const input = msg.inputs[i]
      switch (msg.kinds[i]) {
        case ItemKind.Line:
          this.inputs[input].parserAt(msg.epochs[i]).line(texts[t++], msg.lineNos[i], this.sinks[input])
          break
        case ItemKind.Event:
          this.push(msg.events[e++])
          break
        case ItemKind.Header:
          this.inputs[input].header(texts[t++], msg.lineNos[i])
          break
        case ItemKind.Format:
          this.inputs[input].setFormat(texts[t++] as InputFormat)
          break
      }
    }
    this.flush(msg.seq)
  }

  /** End of input: flushes the parsers and the engine, posts the rest and the final counts. */
  end (): void {
    this.inputs.forEach((p, i) => { p.end(this.sinks[i]) })
    for (const o of this.engine.end()) this.emit(o)
    this.flush(-1)
    this.post({ type: 'done', counts: this.counts })
  }

  private push (ev: ScantagEvent): void {
    for (const o of this.engine.push(ev)) this.emit(o)
  }

  /** Tallies one output as the CLI's counter does, and serializes or formats it. */
  private emit (o: EngineOutput): void {
    const out = this.out
    if (o.category === 'detection') {
      out.detections.push(o.detection)
    } else {
      out.records++
      const method = o.scantag.attribution?.method
      if (method !== undefined) out.attribution[method] = (out.attribution[method] ?? 0) + 1
    }
    const mode = this.setup.output
    if (mode.mode === 'text') this.textParts.push(serializeRecord(o, mode.format))
    else out.objects.push(formatEngineOutput(o, mode.format, this.setup.enricher.communityIdSeed ?? 0))
  }

  private flush (ack: number): void {
    const out = this.out
    out.ack = ack
    this.out = ShardWorker.emptyOutput(-1)
    if (this.textParts.length === 0) {
      this.post(out)
      return
    }
    // TextEncoder gives each result its own ArrayBuffer (Buffer.from may share a pool), so it
    // can be transferred.
    const data = this.encoder.encode(this.textParts.join('\n') + '\n')
    this.textParts = []
    out.data = data
    this.post(out, [data.buffer as ArrayBuffer])
  }
}
