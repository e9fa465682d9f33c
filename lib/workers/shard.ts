/**
 * Cheap facts about a raw input line: its scanner key (and, when inputs are merged by time, its
 * event time) read straight from the text, without `JSON.parse` or decoding every column.
 *
 * The main thread of a sharded run calls these for every line, so they must be much cheaper
 * than parsing; the workers parse. Each extractor either answers **exactly** what the full
 * parser would make of the line (the key `ScannerKeys.keyOf` gives its event, the time the
 * event carries) or says it is unsure (returns false), and the caller then parses the line
 * fully in the main thread. "Unsure" covers everything unusual: a key written twice or inside
 * a nested object, escapes in the value, pretty-printed separators, missing fields, unset TSV
 * columns. A line that is not valid at all may still be answered (e.g. JSON truncated after
 * `src_ip`): the worker that gets it dead-letters it, which is what the full parser does too.
 *
 * Pure functions, no state beyond the {@link TsvLayout} derived from a TSV header block.
 */
import { address } from '../parse/values.js'
import { parseIsoTime, parseZeekTs } from '../parse/time.js'
import type { ZeekTsvState } from '../parse/zeek-tsv.js'

/** What the main thread needs to know about one line: which shard, and when (merge order). */
export interface LineFacts {
  /** Scanner key (source address), '' for none. */
  key: string
  /** Event time in epoch seconds, undefined when the record has none (only read when asked for). */
  time: number | undefined
}

/** Reads the facts of one line into `out`; false when only a full parse can tell. */
export type FactsReader = (text: string, out: LineFacts, wantTime: boolean) => boolean

/**
 * Nesting depth at `end` of JSON text (objects and arrays, strings skipped), or -1 when `end`
 * falls inside a string. Scans only the prefix, which for the keys asked about is short.
 */
export function jsonDepthAt (text: string, end: number): number {
  let depth = 0
  let inString = false
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 123 || c === 91) {
      depth++
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return inString ? -1 : depth
}

/** How many times `needle` starts at depth 1 outside strings (a member name of the top-level object). */
function topLevelOccurrences (text: string, needle: string): number {
  let count = 0
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) {
      if (depth === 1 && text.startsWith(needle, i)) count++
      inString = true
    } else if (c === 123 || c === 91) {
      depth++
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return count
}

/**
 * Where the value of a top-level member starts: `needle` is the quoted name with its colon
 * (`"src_ip":`). Answers only when the first occurrence is at depth 1 and no other is, so that
 * `JSON.parse` would give that very value (it keeps the last of duplicate keys). The same name
 * nested deeper is fine: Suricata 7 repeats `src_ip` inside an alert's `flow` object. Returns -1
 * when unsure.
 */
export function topLevelValueStart (text: string, needle: string): number {
  const at = text.indexOf(needle)
  if (at === -1 || jsonDepthAt(text, at) !== 1) return -1
  // Rare (alerts): a whole-line scan tells a nested repeat from a duplicate key.
  if (text.indexOf(needle, at + needle.length) !== -1 && topLevelOccurrences(text, needle) !== 1) return -1
  let i = at + needle.length
  while (text.charCodeAt(i) === 32) i++ // `"name": value`, as Python's json.dumps writes it
  return i
}

/** A top-level string member without escapes, or undefined when unsure (absent, not a plain string). */
export function topLevelString (text: string, needle: string): string | undefined {
  const start = topLevelValueStart(text, needle)
  if (start === -1 || text.charCodeAt(start) !== 34) return undefined
  const end = text.indexOf('"', start + 1)
  if (end === -1) return undefined
  const value = text.slice(start + 1, end)
  // An escape would have to be decoded as JSON.parse does: leave that to the parser.
  return value.includes('\\') ? undefined : value
}

/** Characters a JSON number can hold. */
function isNumberChar (c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69
}

/** A top-level member that is a number or a plain string, or undefined when unsure. */
export function topLevelScalar (text: string, needle: string): number | string | undefined {
  const start = topLevelValueStart(text, needle)
  if (start === -1) return undefined
  if (text.charCodeAt(start) === 34) return topLevelString(text, needle)
  let end = start
  while (end < text.length && isNumberChar(text.charCodeAt(end))) end++
  if (end === start) return undefined
  const n = Number(text.slice(start, end))
  return Number.isFinite(n) ? n : undefined
}

/**
 * Suricata EVE: the key is `src_ip` (as `eveToEvent` lifts it), the time `timestamp`.
 */
export const eveFacts: FactsReader = (text, out, wantTime) => {
  const ip = topLevelString(text, '"src_ip":')
  if (ip === undefined) return false
  out.key = address(ip) ?? ''
  if (!wantTime) return true
  const ts = topLevelString(text, '"timestamp":')
  const time = ts === undefined ? undefined : parseIsoTime(ts)
  if (time === undefined) return false // absent or unreadable: the parser decides
  out.time = time
  return true
}

/**
 * Zeek JSON: the key is the dotted `id.orig_h` (which `zeekToEvent` prefers over the nested and
 * underscore spellings), the time `ts` (epoch seconds, milliseconds or ISO 8601).
 */
export const zeekJsonFacts: FactsReader = (text, out, wantTime) => {
  const ip = topLevelString(text, '"id.orig_h":')
  if (ip === undefined) return false
  out.key = address(ip) ?? ''
  if (!wantTime) return true
  const ts = topLevelScalar(text, '"ts":')
  const time = ts === undefined ? undefined : parseZeekTs(ts)
  if (time === undefined) return false
  out.time = time
  return true
}

/** Where a TSV header block puts the columns the main thread reads. */
export interface TsvLayout {
  separator: string
  unsetField: string
  emptyField: string
  /** Column of `id.orig_h` as written. */
  keyColumn: number
  /** Column of `ts` as written, -1 when the block has none. */
  timeColumn: number
}

/** `time`/`double` columns are decoded with this test, then `Number()` (lib/parse/zeek-tsv.ts). */
const REAL_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/

/**
 * The layout of the current TSV header block, or undefined when lines of this block cannot be
 * read cheaply (no `#fields` yet, no `id.orig_h`, a type the text of which is not the value, or
 * IoT-23's space-joined columns before the ones needed, which shift the positions).
 */
export function tsvLayout (state: ZeekTsvState): TsvLayout | undefined {
  const names = state.fields
  const types = state.types
  if (names === undefined || types === undefined) return undefined
  const keyColumn = names.indexOf('id.orig_h')
  if (keyColumn === -1 || (types[keyColumn] !== 'addr' && types[keyColumn] !== 'string')) return undefined
  let timeColumn = names.indexOf('ts')
  if (timeColumn !== -1 && types[timeColumn] !== 'time' && types[timeColumn] !== 'double') timeColumn = -1
  const lastNeeded = Math.max(keyColumn, timeColumn)
  if (state.merged !== undefined && state.merged.some(m => m.index <= lastNeeded)) return undefined
  return { separator: state.separator, unsetField: state.unsetField, emptyField: state.emptyField, keyColumn, timeColumn }
}

/** The raw text of column `n` (0-based) of a TSV line, or undefined when the line is shorter. */
export function tsvColumn (text: string, separator: string, n: number): string | undefined {
  let start = 0
  for (let i = 0; i < n; i++) {
    const at = text.indexOf(separator, start)
    if (at === -1) return undefined
    start = at + separator.length
  }
  const end = text.indexOf(separator, start)
  return end === -1 ? text.slice(start) : text.slice(start, end)
}

/** Zeek TSV data line under `layout`: the key is `id.orig_h`, the time `ts`. */
export function tsvFacts (layout: TsvLayout, text: string, out: LineFacts, wantTime: boolean): boolean {
  const ip = tsvColumn(text, layout.separator, layout.keyColumn)
  // Unset (notice.log then falls back to `src`), empty or escaped: the parser decides.
  if (ip === undefined || ip === layout.unsetField || ip === layout.emptyField || ip.includes('\\')) return false
  out.key = address(ip) ?? ''
  if (!wantTime) return true
  if (layout.timeColumn === -1) return false
  const ts = tsvColumn(text, layout.separator, layout.timeColumn)
  if (ts === undefined) return false
  if (ts === layout.unsetField) {
    out.time = undefined
    return true
  }
  if (!REAL_RE.test(ts)) return false
  const time = parseZeekTs(Number(ts))
  if (time === undefined) return false
  out.time = time
  return true
}
