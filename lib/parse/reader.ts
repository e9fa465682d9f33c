/**
 * The reader stream: bytes in (plain or gzip), {@link NetworkEvent} objects out.
 *
 * A thin shell around the pure pieces: {@link LineSplitter} numbers lines, {@link sniffLine}
 * picks the format, the Zeek TSV parser and the JSON normalizers turn lines into events. Every
 * line ends as exactly one of: an event, a dead letter, a header line or a blank line, and
 * {@link ReaderStats} counts them so that `records + deadLetters === dataLines` always holds.
 */
import { Transform, type TransformCallback } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip, type Gunzip } from 'node:zlib'
import type { DeadLetter, InputFormat, NetworkEvent } from '../model.js'
import { eveToEvent } from './eve.js'
import { LineSplitter } from './lines.js'
import { sniffLine } from './sniff.js'
import { createZeekTsvState, parseZeekTsvLine, type ZeekTsvState } from './zeek-tsv.js'
import { zeekPathFromFileName, zeekToEvent, type RecordContext } from './zeek.js'

/** Default cap on one line: longer lines are dead-lettered without being buffered whole. */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024
/** Lines examined to recognise the format before giving up. */
export const SNIFF_LINES = 100
/** Longest line text kept in a dead letter. */
export const DEAD_LETTER_TEXT_LIMIT = 4096

/** Options of {@link readAny}, {@link readZeek} and {@link readEve}. */
export interface ReaderOptions {
  /** Name of the input, written into events and dead letters (default `-`). */
  input?: string
  /** Input format; `auto` (default) recognises it from the first lines. */
  format?: InputFormat | 'auto'
  /** Longest accepted line in characters (default 1 MiB); longer lines are dead-lettered. */
  maxLineLength?: number
  /** Community ID seed for events whose sensor did not write one (default 0). */
  communityIdSeed?: number
  /** Called with every dead letter (they are also emitted as `dead-letter` events). */
  onDeadLetter?: (deadLetter: DeadLetter) => void
}

/** Counts kept by a reader; `records + deadLetters === dataLines` once it has ended. */
export interface ReaderStats {
  input: string
  /** The recognised or configured format, `unknown` until decided. */
  format: InputFormat | 'unknown'
  /** Whether the input was gzip-compressed. */
  gzip: boolean
  /** Bytes read (compressed size for gzip input). */
  bytes: number
  /** All lines seen. */
  lines: number
  /** Lines that should hold a record (all but header and blank lines). */
  dataLines: number
  /** Zeek TSV header lines (`#...`). */
  headerLines: number
  /** Empty or whitespace-only lines. */
  blankLines: number
  /** Events emitted. */
  records: number
  /** Dead letters emitted. */
  deadLetters: number
  /** Events per kind. */
  kinds: Record<string, number>
}

const kStats = Symbol('stats')

/**
 * Transform from log bytes to normalized events. Create it with {@link readAny},
 * {@link readZeek} or {@link readEve}.
 */
export class LogReader extends Transform {
  private readonly [kStats]: ReaderStats
  private readonly splitter: LineSplitter
  private readonly decoder = new StringDecoder('utf8')
  private readonly ctx: RecordContext
  private readonly allowed: readonly InputFormat[]
  private readonly onDeadLetter: ((dl: DeadLetter) => void) | undefined
  private format: InputFormat | undefined
  /** Set when the input turned out to be one pretty-printed JSON document. */
  private jsonDocument = false
  private tsv: ZeekTsvState | undefined
  private firstChunk = true
  private gunzip: Gunzip | undefined
  private gunzipFailed = false
  private pendingWrite: TransformCallback | undefined
  private gunzipDone: (() => void) | undefined

  constructor (options: ReaderOptions = {}, allowed: readonly InputFormat[] = ['zeek-tsv', 'zeek-json', 'eve']) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 256 })
    const input = options.input ?? '-'
    const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH
    if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
      throw new TypeError(`maxLineLength must be a positive integer, got ${String(options.maxLineLength)}`)
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
    this.format = format === 'auto' ? undefined : format
    if (this.format === 'zeek-tsv') this.tsv = createZeekTsvState()
    this.onDeadLetter = options.onDeadLetter
    this[kStats] = {
      input,
      format: this.format ?? 'unknown',
      gzip: false,
      bytes: 0,
      lines: 0,
      dataLines: 0,
      headerLines: 0,
      blankLines: 0,
      records: 0,
      deadLetters: 0,
      kinds: Object.create(null) as Record<string, number>
    }
    this.ctx = {
      input,
      line: 0,
      format: this.format ?? 'zeek-json',
      communityIdSeed: seed,
      pathHint: knownZeekPath(input)
    }
    this.splitter = new LineSplitter(
      maxLineLength,
      (line, lineNo) => { this.onLine(line, lineNo) },
      (sample, lineNo, length) => {
        this[kStats].dataLines++
        this.dead(lineNo, `line is ${length} characters long, over the ${maxLineLength}-character limit (maxLineLength); only its start is kept here`, sample)
      }
    )
  }

  /** Counts so far (final once the stream has ended). */
  get stats (): ReaderStats {
    this[kStats].lines = this.splitter.lines
    return this[kStats]
  }

  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this[kStats].bytes += chunk.length
    if (this.firstChunk) {
      this.firstChunk = false
      if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) this.startGunzip()
    }
    if (this.gunzipFailed) { cb(); return } // rest of a corrupt archive: already reported
    if (this.gunzip !== undefined) {
      this.pendingWrite = cb
      this.gunzip.write(chunk, () => { this.releaseWrite() })
      return
    }
    this.splitter.push(this.decoder.write(chunk))
    cb()
  }

  override _flush (cb: TransformCallback): void {
    if (this.gunzip !== undefined) {
      const gz = this.gunzip
      this.gunzipDone = () => { this.finish(); cb() }
      gz.end()
      return
    }
    if (!this.gunzipFailed) this.finish()
    cb()
  }

  private releaseWrite (): void {
    const cb = this.pendingWrite
    this.pendingWrite = undefined
    if (cb !== undefined) cb()
  }

  private finish (): void {
    this.splitter.push(this.decoder.end())
    this.splitter.end()
  }

  private startGunzip (): void {
    this[kStats].gzip = true
    const gz = createGunzip()
    this.gunzip = gz
    gz.on('data', (buf: Buffer) => { this.splitter.push(this.decoder.write(buf)) })
    gz.on('end', () => { this.gunzipDone?.() })
    gz.on('error', (err: Error) => {
      // A corrupt or truncated archive is reported once and ends the input cleanly.
      this.splitter.end()
      const line = this.splitter.lines + 1
      this[kStats].dataLines++
      this.dead(line, `gzip data is corrupt or truncated after line ${line - 1}: ${err.message}`, '')
      this.gunzip = undefined
      this.gunzipFailed = true
      this.releaseWrite()
      const done = this.gunzipDone
      this.gunzipDone = undefined
      if (done !== undefined) done()
    })
  }

  private onLine (line: string, lineNo: number): void {
    const stats = this[kStats]
    if (this.jsonDocument) {
      if (line.trim().length === 0) { stats.blankLines++; return }
      stats.dataLines++
      this.dead(lineNo, JSON_DOCUMENT_REASON, line)
      return
    }
    if (this.format === undefined) {
      const sniffed = sniffLine(line)
      if (sniffed === 'blank') { stats.blankLines++; return }
      if (sniffed === 'json-document') {
        this.jsonDocument = true
        this.onLine(line, lineNo)
        return
      }
      if (sniffed === 'unknown' || !this.allowed.includes(sniffed)) {
        stats.dataLines++
        const why = sniffed === 'unknown'
          ? 'not a Zeek TSV header nor a Zeek JSON or Suricata EVE record; input format not recognised yet'
          : `looks like ${sniffed}, which this reader does not accept (it reads ${this.allowed.join(', ')})`
        this.dead(lineNo, lineNo >= SNIFF_LINES ? `${why}; gave up after ${SNIFF_LINES} lines, set the input format explicitly` : why, line)
        if (lineNo >= SNIFF_LINES) this.format = this.allowed[0]
        return
      }
      this.format = sniffed
      this.ctx.format = sniffed
      stats.format = sniffed
      if (sniffed === 'zeek-tsv') this.tsv = createZeekTsvState()
    }
    if (this.format === 'zeek-tsv') {
      this.onTsvLine(line, lineNo)
    } else {
      this.onJsonLine(line, lineNo)
    }
  }

  private onTsvLine (line: string, lineNo: number): void {
    const stats = this[kStats]
    if (line.length === 0) { stats.blankLines++; return }
    const res = parseZeekTsvLine(this.tsv as ZeekTsvState, line)
    if (res.type === 'header') { stats.headerLines++; return }
    stats.dataLines++
    if (res.type === 'error') { this.dead(lineNo, res.reason, line); return }
    this.ctx.line = lineNo
    this.emitEvent(zeekToEvent(res.record, this.ctx), lineNo, line)
  }

  private onJsonLine (line: string, lineNo: number): void {
    const stats = this[kStats]
    let obj: unknown
    try {
      obj = JSON.parse(line)
    } catch (err) {
      if (line.trim().length === 0) { stats.blankLines++; return }
      stats.dataLines++
      this.dead(lineNo, `invalid JSON: ${(err as Error).message}`, line)
      return
    }
    stats.dataLines++
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      this.dead(lineNo, `expected one JSON object per line, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj}`, line)
      return
    }
    this.ctx.line = lineNo
    const r = obj as Record<string, unknown>
    const ev = this.format === 'eve' ? eveToEvent(r, this.ctx, line) : zeekToEvent(r, this.ctx, line)
    this.emitEvent(ev, lineNo, line)
  }

  private emitEvent (ev: NetworkEvent | string, lineNo: number, line: string): void {
    if (typeof ev === 'string') { this.dead(lineNo, ev, line); return }
    const stats = this[kStats]
    stats.records++
    stats.kinds[ev.kind] = (stats.kinds[ev.kind] ?? 0) + 1
    this.push(ev)
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

const JSON_DOCUMENT_REASON = 'part of a pretty-printed JSON document: Zeek and Suricata write one JSON object per line (convert with jq -c \'.[]\')'

/** Zeek log names that a file name may reveal when records carry no `_path`. */
const KNOWN_ZEEK_PATHS = new Set([
  'conn', 'dns', 'http', 'ssl', 'x509', 'files', 'notice', 'weird', 'ssh', 'ftp', 'smtp', 'dhcp',
  'rdp', 'snmp', 'sip', 'smb_files', 'smb_mapping', 'dce_rpc', 'kerberos', 'ntlm', 'ntp', 'dpd',
  'software', 'known_hosts', 'known_services', 'known_certs', 'tunnel', 'capture_loss', 'stats',
  'reporter', 'packet_filter', 'loaded_scripts', 'pe', 'arp', 'quic', 'mysql', 'radius', 'irc',
  'socks', 'syslog', 'modbus', 'dnp3', 'intel', 'signatures', 'conn_long', 'open_conn', 'open_http',
  'open_ssl', 'telemetry', 'analyzer', 'websocket', 'ldap', 'ldap_search', 'postgresql', 'redis'
])

function knownZeekPath (input: string): string | undefined {
  const p = zeekPathFromFileName(input)
  return p !== undefined && KNOWN_ZEEK_PATHS.has(p) ? p : undefined
}
