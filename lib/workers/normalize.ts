/**
 * Plain input objects (Zeek, EVE, Sysmon, osquery, ECS records, e.g. from `ndjson.parse()`) to
 * events, as `createEnricher` takes them: by the readers' own parsers, one event (osquery: one
 * per row) or one dead letter per object. Shared by `createEnricher` in one thread and the main
 * thread of `createEnricher({ workers })`, which must key the events before sending them.
 */
import type { DeadLetter, ScantagEvent } from '../model.js'
import { context, normalizeRecord, type ParseSink } from '../parse/parsers.js'
import { sniffRecord } from '../parse/sniff.js'

/** Options of {@link createRecordNormalizer}. */
export interface RecordNormalizerOptions {
  /** Input name written into events and dead letters. */
  input: string
  communityIdSeed: number
  onEvent: (ev: ScantagEvent) => void
  onDeadLetter: (dl: DeadLetter) => void
}

/** A record normalizer: call it with each object that is not already an event, and its position. */
export type RecordNormalizer = (chunk: unknown, position: number) => void

/** Text of a value for a dead letter: JSON, at most 4 KiB. */
export function deadLetterText (v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v)
    return s.length > 4096 ? s.slice(0, 4096) : s
  } catch {
    return String(v)
  }
}

/** Makes a {@link RecordNormalizer}; `position` becomes the `line` of events and dead letters. */
export function createRecordNormalizer (o: RecordNormalizerOptions): RecordNormalizer {
  let currentChunk: unknown
  const sink: ParseSink = {
    event: o.onEvent,
    dead: (line, reason, text) => {
      o.onDeadLetter({ input: o.input, line, reason, text: text === '' ? deadLetterText(currentChunk) : text })
    }
  }
  const ctx = context('zeek-json', { input: o.input, communityIdSeed: o.communityIdSeed, maxDocumentLength: 1 })
  return (chunk, position) => {
    currentChunk = chunk
    if (chunk === null || typeof chunk !== 'object' || Array.isArray(chunk)) {
      sink.dead(position, `expected an event or a record object, got ${chunk === null ? 'null' : Array.isArray(chunk) ? 'an array' : typeof chunk}`, deadLetterText(chunk))
      return
    }
    const record = chunk as Record<string, unknown>
    const kind = sniffRecord(record)
    if (kind === 'unknown' || kind === 'blank' || kind === 'json-document' || kind === 'zeek-tsv' || kind === 'auditd') {
      sink.dead(position, 'object is not a Zeek, Suricata EVE, Sysmon, osquery or ECS record', deadLetterText(chunk))
      return
    }
    ctx.line = position
    ctx.format = kind === 'eve' ? 'eve' : 'zeek-json'
    normalizeRecord(kind, record, ctx, undefined, sink, position, '')
  }
}
