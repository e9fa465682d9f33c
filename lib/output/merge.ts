/**
 * The `merge` output format: the original record unchanged plus one namespaced `scantag` object.
 *
 * Zeek TSV rows are written as Zeek JSON objects (`id.orig_h` keys, `_path`). For JSON inputs
 * the original line text is reused: the `scantag` object is appended before its closing brace
 * instead of re-serializing a record that did not change.
 */
import type { ScantagEvent } from '../model.js'

/** The `merge` document: the original record's fields and `scantag`. */
export type MergeDocument = Record<string, unknown> & { scantag: ScantagEvent['scantag'] }

/** Builds the `merge` document as an object (a shallow copy of the original plus `scantag`). */
export function toMerge (ev: ScantagEvent): MergeDocument {
  const out: Record<string, unknown> = Object.assign({}, ev.original)
  out.scantag = ev.scantag
  return out as MergeDocument
}

/** Serializes the `merge` document as one JSON text (no newline). */
export function mergeLine (ev: ScantagEvent): string {
  const raw = ev.raw
  const tag = JSON.stringify(ev.scantag)
  if (raw !== undefined && !('scantag' in ev.original)) {
    let end = raw.length - 1
    while (end > 0 && raw.charCodeAt(end) <= 32) end--
    if (raw.charCodeAt(end) === 125) { // '}'
      let before = end - 1
      while (before > 0 && raw.charCodeAt(before) <= 32) before--
      const empty = raw.charCodeAt(before) === 123 // '{}'
      return raw.slice(0, end) + (empty ? '"scantag":' : ',"scantag":') + tag + '}'
    }
  }
  if ('scantag' in ev.original) return JSON.stringify(toMerge(ev))
  // No line text to reuse (Zeek TSV): serialize the original as it is and add `scantag` at its
  // end, rather than copying every field into a new object first.
  const body = JSON.stringify(ev.original)
  return body.length > 2 ? body.slice(0, -1) + ',"scantag":' + tag + '}' : '{"scantag":' + tag + '}'
}
