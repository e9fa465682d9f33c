/**
 * The reader stream: bytes in (plain or gzip), {@link ScantagEvent} objects out.
 *
 * A thin shell around the pure pieces: {@link LineSplitter} numbers lines, {@link sniffLine}
 * picks the format, a {@link FormatParser} turns lines into events. Every line is a header,
 * blank or data line; every input record (a data line, or an auditd event, osquery snapshot
 * row or JSON document element) ends as exactly one event or one dead letter, and
 * {@link ReaderStats} counts them: `records + deadLetters === inputRecords`, and for the
 * one-record-per-line formats `inputRecords === dataLines`.
 */
import { Transform, type TransformCallback } from 'node:stream'
import { InputBytes } from './input-bytes.js'
import type { DeadLetter, InputFormat, ScantagEvent } from '../model.js'
import { LineSplitter } from './lines.js'
import { parserFor, type FormatParser, type ParserOptions, type ParseSink } from './parsers.js'
import { sniffLine } from './sniff.js'
import { zeekPathFromFileName } from './zeek.js'

/** Default cap on one line: longer lines are dead-lettered without being buffered whole. */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024
/** Lines examined to recognise the format before giving up. */
export const SNIFF_LINES = 100
/** Longest line text kept in a dead letter. */
export const DEAD_LETTER_TEXT_LIMIT = 4096
/** Default cap on a pretty-printed JSON document read whole. */
export const DEFAULT_MAX_DOCUMENT_LENGTH = 16 * 1024 * 1024
/** Every format {@link readAny} accepts. */
export const ALL_FORMATS: readonly InputFormat[] = ['zeek-tsv', 'zeek-json', 'eve', 'sysmon', 'auditd', 'osquery', 'ecs']

/** Options of {@link readAny}, {@link readZeek} and {@link readEve}. */
export interface ReaderOptions {
  /** Name of the input, written into events and dead letters (default `-`). */
  input?: string
  /** Input format; `auto` (default) recognises it from the first lines. */
  format?: InputFormat | 'auto'
  /** Longest accepted line in characters (default 1 MiB); longer lines are dead-lettered. */
  maxLineLength?: number
  /** Largest pretty-printed JSON document read whole, in characters (default 16 MiB). */
  maxDocumentLength?: number
  /** Community ID seed for events whose sensor did not write one (default 0). */
  communityIdSeed?: number
  /** Called with every dead letter (they are also emitted as `dead-letter` events). */
  onDeadLetter?: (deadLetter: DeadLetter) => void
}

/** Counts kept by a reader; `records + deadLetters === inputRecords` once it has ended. */
export interface ReaderStats {
  input: string
  /** The recognised or configured format, `unknown` until decided. */
  format: InputFormat | 'json-document' | 'unknown'
  /** Whether the input was gzip-compressed. */
  gzip: boolean
  /** Bytes read (compressed size for gzip input). */
  bytes: number
  /** All lines seen. */
  lines: number
  /** Lines that hold data (all but header and blank lines). */
  dataLines: number
  /** Zeek TSV header lines (`#...`). */
  headerLines: number
  /** Empty or whitespace-only lines. */
  blankLines: number
  /**
   * Input records: data lines for one-record-per-line formats; audit events (and unreadable
   * lines) for auditd; rows for osquery; elements for a JSON document.
   */
  inputRecords: number
  /** Events emitted. */
  records: number
  /** Dead letters emitted. */
  deadLetters: number
  /** Events per kind. */
  kinds: Record<string, number>
}

const kStats = Symbol('stats')

/** Stats of a reader that has read nothing yet. */
export function emptyReaderStats (input: string, format: ReaderStats['format']): ReaderStats {
  return {
    input,
    format,
    gzip: false,
    bytes: 0,
    lines: 0,
    dataLines: 0,
    headerLines: 0,
    blankLines: 0,
    inputRecords: 0,
    records: 0,
    deadLetters: 0,
    kinds: Object.create(null) as Record<string, number>
  }
}

/**
 * Transform from log bytes to normalized events. Create it with {@link readAny},
 * {@link readZeek}, {@link readEve} or {@link readTelemetry}.
 */
export class LogReader extends Transform {
  private readonly [kStats]: ReaderStats
  private readonly splitter: LineSplitter
  private readonly allowed: readonly InputFormat[]
  private readonly onDeadLetter: ((dl: DeadLetter) => void) | undefined
  private readonly parserOptions: ParserOptions
  private parser: FormatParser | undefined
  private readonly sink: ParseSink
  private readonly bytesIn: InputBytes

  constructor (options: ReaderOptions = {}, allowed: readonly InputFormat[] = ALL_FORMATS) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 256 })
    const input = options.input ?? '-'
    const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH
    if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
      throw new TypeError(`maxLineLength must be a positive integer, got ${String(options.maxLineLength)}`)
    }
    const maxDocumentLength = options.maxDocumentLength ?? DEFAULT_MAX_DOCUMENT_LENGTH
    if (!Number.isInteger(maxDocumentLength) || maxDocumentLength < 1) {
      throw new TypeError(`maxDocumentLength must be a positive integer, got ${String(options.maxDocumentLength)}`)
    }
    const seed = options.communityIdSeed ?? 0
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) {
      throw new TypeError(`communityIdSeed must be an integer from 0 to 65535, got ${String(options.communityIdSeed)}`)
    }
    const format = options.format ?? 'auto'
    if (format !== 'auto' && !allowed.includes(format)) {
      throw new TypeError(`format must be one of auto, ${allowed.join(', ')}; got ${String(format)}`)
    }
    this.allowed = allowed
    this.onDeadLetter = options.onDeadLetter
    const pathHint = knownZeekPath(input)
    this.parserOptions = { input, communityIdSeed: seed, maxDocumentLength }
    if (pathHint !== undefined) this.parserOptions.pathHint = pathHint
    this[kStats] = emptyReaderStats(input, format === 'auto' ? 'unknown' : format)
    if (format !== 'auto') this.parser = parserFor(format, this.parserOptions)
    this.sink = {
      event: (ev) => {
        const stats = this[kStats]
        stats.inputRecords++
        stats.records++
        stats.kinds[ev.kind] = (stats.kinds[ev.kind] ?? 0) + 1
        this.push(ev)
      },
      dead: (line, reason, text) => {
        this[kStats].inputRecords++
        this.dead(line, reason, text)
      }
    }
    this.splitter = new LineSplitter(
      maxLineLength,
      (line, lineNo) => { this.onLine(line, lineNo) },
      (sample, lineNo, length) => {
        this[kStats].dataLines++
        this.sink.dead(lineNo, `line is ${length} characters long, over the ${maxLineLength}-character limit (maxLineLength); only its start is kept here`, sample)
      }
    )
    this.bytesIn = new InputBytes((bytes) => { this.splitter.pushBytes(bytes) }, (err) => { this.corruptGzip(err) })
  }

  /** Counts so far (final once the stream has ended). */
  get stats (): ReaderStats {
    this[kStats].lines = this.splitter.lines
    this[kStats].gzip = this.bytesIn.gzip
    return this[kStats]
  }

  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this[kStats].bytes += chunk.length
    this.bytesIn.write(chunk, cb)
  }

  override _flush (cb: TransformCallback): void {
    this.bytesIn.end(() => {
      if (!this.bytesIn.failed) this.finish()
      cb()
    })
  }

  private finish (): void {
    this.splitter.end()
    this.parser?.end(this.sink)
  }

  /** A corrupt or truncated archive is reported once and ends the input cleanly. */
  private corruptGzip (err: Error): void {
    this.finish()
    const line = this.splitter.lines + 1
    this[kStats].dataLines++
    this.sink.dead(line, `gzip data is corrupt or truncated after line ${line - 1}: ${err.message}`, '')
  }

  private onLine (line: string, lineNo: number): void {
    const stats = this[kStats]
    if (this.parser === undefined) {
      const sniffed = sniffLine(line)
      if (sniffed === 'blank') { stats.blankLines++; return }
      if (sniffed === 'unknown' || (sniffed !== 'json-document' && !this.allowed.includes(sniffed))) {
        stats.dataLines++
        const why = sniffed === 'unknown'
          ? 'input format not recognised: not a Zeek TSV header, auditd record, or Zeek JSON, Suricata EVE, Sysmon, osquery or ECS record'
          : `looks like ${sniffed}, which this reader does not accept (it reads ${this.allowed.join(', ')})`
        this.sink.dead(lineNo, lineNo >= SNIFF_LINES ? `${why}; gave up after ${SNIFF_LINES} lines, set the input format explicitly` : why, line)
        if (lineNo >= SNIFF_LINES) {
          // Stop guessing: read the rest as the reader's first format, dead-lettering what does not fit.
          this.parser = parserFor(this.allowed[0], this.parserOptions)
          stats.format = this.allowed[0]
        }
        return
      }
      this.parser = parserFor(sniffed, this.parserOptions)
      stats.format = sniffed
    }
    const kind = this.parser.line(line, lineNo, this.sink)
    if (kind === 'data') stats.dataLines++
    else if (kind === 'header') stats.headerLines++
    else stats.blankLines++
  }

  private dead (line: number, reason: string, text: string): void {
    const dl: DeadLetter = {
      input: this[kStats].input,
      line,
      reason,
      text: text.length > DEAD_LETTER_TEXT_LIMIT ? text.slice(0, DEAD_LETTER_TEXT_LIMIT) : text
    }
    this[kStats].deadLetters++
    if (this.onDeadLetter !== undefined) this.onDeadLetter(dl)
    this.emit('dead-letter', dl)
  }
}

/** Zeek log names that a file name may reveal when records carry no `_path`. */
const KNOWN_ZEEK_PATHS = new Set([
  'conn', 'dns', 'http', 'ssl', 'x509', 'files', 'notice', 'weird', 'ssh', 'ftp', 'smtp', 'dhcp',
  'rdp', 'snmp', 'sip', 'smb_files', 'smb_mapping', 'dce_rpc', 'kerberos', 'ntlm', 'ntp', 'dpd',
  'software', 'known_hosts', 'known_services', 'known_certs', 'tunnel', 'capture_loss', 'stats',
  'reporter', 'packet_filter', 'loaded_scripts', 'pe', 'arp', 'quic', 'mysql', 'radius', 'irc',
  'socks', 'syslog', 'modbus', 'dnp3', 'intel', 'signatures', 'conn_long', 'open_conn', 'open_http',
  'open_ssl', 'telemetry', 'analyzer', 'websocket', 'ldap', 'ldap_search', 'postgresql', 'redis'
])

/** The Zeek log path an input name reveals (`conn.log` → `conn`), for records without `_path`. */
export function knownZeekPath (input: string): string | undefined {
  const p = zeekPathFromFileName(input)
  return p !== undefined && KNOWN_ZEEK_PATHS.has(p) ? p : undefined
}
