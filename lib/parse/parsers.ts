/**
 * One line parser per input format, behind one small interface, so that the reader stream is
 * the same thin shell for all of them.
 *
 * A parser is told each line and says what the line was (`data`, `header` or `blank`); what it
 * makes of the data goes to a {@link ParseSink}: an event or a dead letter per *input record*.
 * For most formats an input record is a line. For auditd it is one audit event (several lines
 * sharing `msg=audit(TS:SERIAL)`), for osquery snapshots a row, for a JSON document an element.
 */
import type { InputFormat, NetworkFormat, ScantagEvent } from '../model.js'
import { AuditAssembler, auomsToEvent } from './auditd.js'
import { ecsEndpointToEvent } from './ecs-endpoint.js'
import { eveToEvent } from './eve.js'
import { osqueryToEvents } from './osquery.js'
import { sniffRecord } from './sniff.js'
import { sysmonToEvent } from './sysmon.js'
import { createZeekTsvState, parseZeekTsvLine, type ZeekTsvState } from './zeek-tsv.js'
import { zeekToEvent, type RecordContext } from './zeek.js'
import { json } from './values.js'

/** Receives what a parser makes of its input. */
export interface ParseSink {
  /** One input record became this event. */
  event: (ev: ScantagEvent) => void
  /** One input record (at `line`) could not be read. */
  dead: (line: number, reason: string, text: string) => void
}

/** What a line was. */
export type LineKind = 'data' | 'header' | 'blank'

/** A format's parser: pure state, no streams. */
export interface FormatParser {
  line: (text: string, lineNo: number, sink: ParseSink) => LineKind
  /** End of input: emit whatever is still pending. */
  end: (sink: ParseSink) => void
}

/** Options shared by the parsers. */
export interface ParserOptions {
  input: string
  communityIdSeed: number
  /** Zeek log path suggested by the file name. */
  pathHint?: string
  /** Largest pretty-printed JSON document read whole, in characters. */
  maxDocumentLength: number
}

export function context (format: NetworkFormat, o: ParserOptions): RecordContext {
  const ctx: RecordContext = { input: o.input, line: 0, format, communityIdSeed: o.communityIdSeed }
  if (o.pathHint !== undefined) ctx.pathHint = o.pathHint
  return ctx
}

/**
 * Normalizes one parsed JSON record of a known format into the sink: an event, or a dead
 * letter with the reason; osquery rows may make several events.
 */
export function normalizeRecord (format: InputFormat, r: Record<string, unknown>, ctx: RecordContext, raw: string | undefined, sink: ParseSink, lineNo: number, text: string): void {
  let result: ScantagEvent | string
  switch (format) {
    case 'eve': result = eveToEvent(r, ctx, raw); break
    case 'zeek-json': case 'zeek-tsv': result = zeekToEvent(r, ctx, raw); break
    case 'sysmon': result = sysmonToEvent(r, ctx, raw); break
    case 'ecs': result = ecsEndpointToEvent(r, ctx, raw); break
    case 'auditd': result = auomsToEvent(r, ctx, raw); break
    case 'osquery': {
      const rows = osqueryToEvents(r, ctx, raw)
      if (rows.length === 0) sink.dead(lineNo, 'osquery result has no rows (no columns, snapshot or diffResults)', text)
      for (const row of rows) {
        if (typeof row === 'string') sink.dead(lineNo, row, text)
        else sink.event(row)
      }
      return
    }
    default: result = `${format} records are not JSON objects`
  }
  if (typeof result === 'string') sink.dead(lineNo, result, text)
  else sink.event(result)
}

/** Zeek TSV: header directives and typed rows. */
export class ZeekTsvParser implements FormatParser {
  private readonly state: ZeekTsvState = createZeekTsvState()
  private readonly ctx: RecordContext
  constructor (o: ParserOptions) { this.ctx = context('zeek-tsv', o) }

  line (text: string, lineNo: number, sink: ParseSink): LineKind {
    if (text.length === 0) return 'blank'
    const res = parseZeekTsvLine(this.state, text)
    if (res.type === 'header') return 'header'
    if (res.type === 'error') { sink.dead(lineNo, res.reason, text); return 'data' }
    this.ctx.line = lineNo
    const ev = zeekToEvent(res.record, this.ctx)
    if (typeof ev === 'string') sink.dead(lineNo, ev, text)
    else sink.event(ev)
    return 'data'
  }

  end (): void {}
}

/**
 * Deepest JSON nesting accepted. Real records nest a handful of levels; a crafted record nested
 * thousands deep parses, but then overflows the stack of everything that walks it (serializers,
 * ECS mapping), so it is refused at the door.
 */
export const MAX_JSON_DEPTH = 256

/**
 * Nesting depth of JSON text, scanning only lines long enough to exceed the limit (each level
 * takes at least two characters). Brackets inside strings are skipped.
 */
export function jsonTooDeep (text: string, max = MAX_JSON_DEPTH): boolean {
  if (text.length <= 2 * max) return false
  // Nesting past `max` needs more than `max` opening brackets. Counting them with indexOf (a
  // native search) is far cheaper than walking every character, and real records (an EVE
  // line has a handful of objects) stop here.
  if (openingBrackets(text, max) <= max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return false
}

/** Count of `{` and `[` in `text`, counting no further than `limit + 1`. */
function openingBrackets (text: string, limit: number): number {
  let n = 0
  for (let i = text.indexOf('{'); i !== -1 && n <= limit; i = text.indexOf('{', i + 1)) n++
  for (let i = text.indexOf('['); i !== -1 && n <= limit; i = text.indexOf('[', i + 1)) n++
  return n
}

/** One JSON object per line: Zeek JSON, EVE, Sysmon, osquery, ECS endpoint. */
export class JsonLineParser implements FormatParser {
  private readonly ctx: RecordContext
  constructor (private readonly format: InputFormat, o: ParserOptions) {
    this.ctx = context(format === 'zeek-tsv' || format === 'eve' ? format : 'zeek-json', o)
  }

  line (text: string, lineNo: number, sink: ParseSink): LineKind {
    let obj: unknown
    try {
      obj = JSON.parse(text)
    } catch (err) {
      if (text.trim().length === 0) return 'blank'
      sink.dead(lineNo, `invalid JSON: ${(err as Error).message}`, text)
      return 'data'
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      sink.dead(lineNo, `expected one JSON object per line, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj}`, text)
      return 'data'
    }
    if (jsonTooDeep(text)) {
      sink.dead(lineNo, `JSON nested deeper than ${MAX_JSON_DEPTH} levels: no sensor writes that, and it would overflow the stack downstream`, text.slice(0, 1024))
      return 'data'
    }
    this.ctx.line = lineNo
    normalizeRecord(this.format, obj as Record<string, unknown>, this.ctx, text, sink, lineNo, text)
    return 'data'
  }

  end (): void {}
}

/**
 * A pretty-printed JSON document (an array of records, or one record), as some tools export
 * (SigmaHQ's evtx dumps, EVE re-exports). Read whole up to `maxDocumentLength`; each element
 * is one input record, recognised on its own.
 */
export class JsonDocumentParser implements FormatParser {
  private readonly parts: string[] = []
  private length = 0
  private firstLine = 0
  private overflow = false
  private readonly ctx: RecordContext
  constructor (private readonly o: ParserOptions) { this.ctx = context('zeek-json', o) }

  line (text: string, lineNo: number): LineKind {
    if (this.firstLine === 0) this.firstLine = lineNo
    if (this.overflow) return 'data'
    this.length += text.length + 1
    if (this.length > this.o.maxDocumentLength) {
      this.overflow = true
      this.parts.length = 0
      return 'data'
    }
    this.parts.push(text)
    return 'data'
  }

  end (sink: ParseSink): void {
    if (this.firstLine === 0) return
    if (this.overflow) {
      sink.dead(this.firstLine, `JSON document is over ${this.o.maxDocumentLength} characters (maxDocumentLength); write one record per line instead`, '')
      return
    }
    const text = this.parts.join('\n')
    this.parts.length = 0
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch (err) {
      sink.dead(this.firstLine, `invalid JSON document: ${(err as Error).message}`, text)
      return
    }
    // The document is one level deeper than its elements when it is an array.
    if (jsonTooDeep(text, MAX_JSON_DEPTH + 1)) {
      sink.dead(this.firstLine, `JSON document nested deeper than ${MAX_JSON_DEPTH} levels`, text.slice(0, 1024))
      return
    }
    const records = Array.isArray(doc) ? doc : [doc]
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as unknown
      const where = `element ${i + 1} of the JSON document`
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        sink.dead(this.firstLine, `${where} is not an object`, json(r))
        continue
      }
      const rec = r as Record<string, unknown>
      const format = sniffRecord(rec)
      if (format === 'unknown' || format === 'blank' || format === 'json-document') {
        sink.dead(this.firstLine, `${where} is not a Zeek, Suricata EVE, Sysmon, osquery or ECS record`, json(r))
        continue
      }
      this.ctx.line = this.firstLine
      this.ctx.format = format === 'eve' ? 'eve' : 'zeek-json'
      normalizeRecord(format, rec, this.ctx, undefined, sink, this.firstLine, json(r))
    }
  }
}

/**
 * Raw auditd lines, grouped into audit events; also Microsoft auoms records (auditd events
 * as JSON in Syslog rows), which are complete events one per line.
 */
export class AuditdParser implements FormatParser {
  private readonly assembler: AuditAssembler
  private readonly ctx: RecordContext
  constructor (private readonly o: ParserOptions) {
    this.assembler = new AuditAssembler({ input: o.input })
    this.ctx = context('zeek-json', o)
  }

  line (text: string, lineNo: number, sink: ParseSink): LineKind {
    if (text.trim().length === 0) return 'blank'
    if (text.charCodeAt(0) === 123) { // '{': an auoms JSON record
      let obj: unknown
      try { obj = JSON.parse(text) } catch (err) {
        sink.dead(lineNo, `invalid JSON: ${(err as Error).message}`, text)
        return 'data'
      }
      this.ctx.line = lineNo
      const ev = obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? auomsToEvent(obj as Record<string, unknown>, this.ctx, text) : 'expected an auoms JSON object'
      if (typeof ev === 'string') sink.dead(lineNo, ev, text)
      else sink.event(ev)
      return 'data'
    }
    this.deliver(this.assembler.push(text, lineNo), sink)
    return 'data'
  }

  end (sink: ParseSink): void {
    this.deliver(this.assembler.flush(), sink)
  }

  private deliver (outputs: ReturnType<AuditAssembler['flush']>, sink: ParseSink): void {
    for (const out of outputs) {
      if ('dead' in out) {
        sink.dead(out.dead.line, out.dead.reason, out.dead.text)
      } else {
        sink.event(out.event)
      }
    }
  }
}

/** The parser for a format. */
export function parserFor (format: InputFormat | 'json-document', o: ParserOptions): FormatParser {
  switch (format) {
    case 'zeek-tsv': return new ZeekTsvParser(o)
    case 'auditd': return new AuditdParser(o)
    case 'json-document': return new JsonDocumentParser(o)
    default: return new JsonLineParser(format, o)
  }
}
