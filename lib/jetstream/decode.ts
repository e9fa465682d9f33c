/**
 * One NATS message → the events it holds, or the reasons it cannot be read. Pure: no I/O.
 *
 * A message carries one input record, as a log shipper publishes a line:
 *
 * - a JSON object: Zeek JSON, Suricata EVE, Sysmon, osquery, auoms or ECS endpoint (the same
 *   recognition as `scantag enrich`, record by record); a JSON array of such records is read
 *   element by element (each element is recognised on its own);
 * - one raw auditd event: its lines (`type=SYSCALL msg=audit(...)`, `type=EXECVE ...`, ...)
 *   joined by newlines, as `scantag route` publishes them.
 *
 * Zeek TSV lines are not self-describing (their meaning is in the `#fields` header), so they are
 * dead-lettered with a reason: publish Zeek JSON, or let `scantag route` read the TSV file (it
 * publishes each row as a Zeek JSON object).
 */
import type { ScantagEvent } from '../model.js'
import type { RecordContext } from '../parse/zeek.js'
import { context, jsonTooDeep, MAX_JSON_DEPTH, normalizeRecord, parserFor, type ParseSink } from '../parse/parsers.js'
import { sniffLine, sniffRecord } from '../parse/sniff.js'
import { knownZeekPath } from '../parse/reader.js'

/** Why one record of a message could not be read. */
export interface DecodeFailure {
  reason: string
  /** The text concerned (bounded). */
  text: string
}

/** What a message held. Every record of it is either an event or a failure. */
export interface DecodedMessage {
  events: ScantagEvent[]
  failures: DecodeFailure[]
}

/** Longest text kept in a failure (as the readers' dead letters). */
const TEXT_LIMIT = 4096

const bounded = (s: string): string => s.length > TEXT_LIMIT ? s.slice(0, TEXT_LIMIT) : s

/**
 * Decodes messages into events with the parsers `scantag enrich` uses. One decoder per
 * partition (it keeps two reusable parser contexts).
 */
export class MessageDecoder {
  private readonly eve: RecordContext
  private readonly zeek: RecordContext
  private readonly sink: ParseSink
  private out: DecodedMessage = { events: [], failures: [] }
  private hintFor = ''
  private hint: string | undefined

  /** @param communityIdSeed Community ID seed for records without one (0–65535). */
  constructor (private readonly communityIdSeed = 0) {
    const o = { input: 'nats', communityIdSeed, maxDocumentLength: 1 }
    this.eve = context('eve', o)
    this.zeek = context('zeek-json', o)
    this.sink = {
      event: (ev) => { this.out.events.push(ev) },
      dead: (_line, reason, text) => { this.out.failures.push({ reason, text: bounded(text) }) }
    }
  }

  /**
   * Decodes one message. `input` and `line` are written into the events (and so into `ecs`
   * output and attribution reasons) as a file reader would.
   */
  decode (text: string, input: string, line: number): DecodedMessage {
    const out: DecodedMessage = { events: [], failures: [] }
    this.out = out
    let i = 0
    while (i < text.length && text.charCodeAt(i) <= 32) i++
    if (i === text.length) {
      out.failures.push({ reason: 'empty message: a message carries one record', text: '' })
      return out
    }
    const c = text.charCodeAt(i)
    if (c === 123 || c === 91) { // '{' or '['
      this.decodeJson(text, input, line, c === 91)
      return out
    }
    const firstLine = text.slice(i, text.indexOf('\n', i) === -1 ? undefined : text.indexOf('\n', i))
    const kind = sniffLine(firstLine)
    if (kind === 'auditd') {
      const parser = parserFor('auditd', { input, communityIdSeed: this.communityIdSeed, maxDocumentLength: 1 })
      let n = line
      for (const l of text.split('\n')) parser.line(l.endsWith('\r') ? l.slice(0, -1) : l, n++, this.sink)
      parser.end(this.sink)
      return out
    }
    out.failures.push({
      reason: kind === 'zeek-tsv'
        ? 'a Zeek TSV header line: TSV rows cannot be read one message at a time; publish Zeek JSON, or let "scantag route FILE" read the TSV log'
        : 'not a JSON record or a raw auditd event (Zeek TSV rows must go through "scantag route FILE"; publish Zeek JSON, EVE, Sysmon, osquery or ECS JSON, one record per message)',
      text: bounded(text)
    })
    return out
  }

  private decodeJson (text: string, input: string, line: number, array: boolean): void {
    let obj: unknown
    try {
      obj = JSON.parse(text)
    } catch (err) {
      this.out.failures.push({ reason: `invalid JSON: ${(err as Error).message}`, text: bounded(text) })
      return
    }
    if (jsonTooDeep(text, MAX_JSON_DEPTH + (array ? 1 : 0))) {
      this.out.failures.push({ reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels: no sensor writes that, and it would overflow the stack downstream`, text: bounded(text.slice(0, 1024)) })
      return
    }
    if (Array.isArray(obj)) {
      for (let k = 0; k < obj.length; k++) this.record(obj[k] as unknown, input, line, undefined, `element ${k + 1} of the JSON array`)
      return
    }
    this.record(obj, input, line, text, 'the message')
  }

  private record (r: unknown, input: string, line: number, raw: string | undefined, where: string): void {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      this.out.failures.push({ reason: `${where} is not a JSON object (got ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r})`, text: bounded(raw ?? JSON.stringify(r) ?? '') })
      return
    }
    const rec = r as Record<string, unknown>
    const kind = sniffRecord(rec)
    const text = raw ?? JSON.stringify(rec)
    if (kind === 'unknown' || kind === 'blank' || kind === 'json-document' || kind === 'zeek-tsv') {
      this.out.failures.push({ reason: `${where} is not a Zeek, Suricata EVE, Sysmon, osquery, auoms or ECS record`, text: bounded(text) })
      return
    }
    const ctx = kind === 'eve' ? this.eve : this.zeek
    ctx.input = input
    ctx.line = line
    if (ctx === this.zeek) {
      if (input !== this.hintFor) {
        this.hintFor = input
        this.hint = knownZeekPath(input)
      }
      if (this.hint !== undefined) ctx.pathHint = this.hint
      else delete ctx.pathHint
    }
    normalizeRecord(kind, rec, ctx, raw, this.sink, line, text)
  }
}
