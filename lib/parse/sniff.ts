/**
 * Input format recognition from the first non-blank line.
 */
import type { InputFormat } from '../model.js'

/**
 * Result of looking at one line: a format, `blank`, `unknown` (look at the next line), or
 * `json-document` (the start of a pretty-printed JSON array or object, which no sensor writes).
 */
export type SniffResult = InputFormat | 'blank' | 'unknown' | 'json-document'

const ZEEK_HEADER = /^[\t ]*#(separator|fields|path|types|set_separator|empty_field|unset_field|open)\b/

/**
 * Decides the format of an input from one of its first lines.
 *
 * - Zeek TSV: a header directive (`#separator` first, tolerating a stray leading TAB).
 * - Suricata EVE: a JSON object with `event_type` (and usually `timestamp`).
 * - Zeek JSON: a JSON object with `ts`, `uid`, `_path`, `@stream` or conn id fields.
 */
export function sniffLine (line: string): SniffResult {
  let i = 0
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++
  if (i === line.length) return 'blank'
  const c = line.charCodeAt(i)
  if (c === 35) return ZEEK_HEADER.test(line) ? 'zeek-tsv' : 'unknown' // '#'
  if (c === 91) return 'json-document' // '[': a JSON array re-export, not a log
  if (c !== 123) return 'unknown' // '{'
  if (line.trim() === '{') return 'json-document'
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return 'unknown'
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return 'unknown'
  return sniffRecord(obj as Record<string, unknown>)
}

/** Decides whether a parsed JSON object is an EVE or a Zeek record. */
export function sniffRecord (r: Record<string, unknown>): SniffResult {
  if (typeof r.event_type === 'string') return 'eve'
  if ('_path' in r || '@stream' in r || 'uid' in r || 'id.orig_h' in r || 'id_orig_h' in r || ('ts' in r && ('id' in r || 'proto' in r))) return 'zeek-json'
  if ('ts' in r && !('timestamp' in r)) return 'zeek-json'
  return 'unknown'
}
