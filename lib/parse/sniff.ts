/**
 * Input format recognition from the first non-blank line (or record).
 */
import type { InputFormat } from '../model.js'
import { isAuomsRecord } from './auditd.js'
import { isEcsEndpointRecord } from './ecs-endpoint.js'
import { isOsqueryRecord } from './osquery.js'
import { isSysmonRecord } from './sysmon.js'

/**
 * Result of looking at one line: a format, `blank`, `unknown` (look at the next line), or
 * `json-document` (the start of a pretty-printed JSON array or object, read whole).
 */
export type SniffResult = InputFormat | 'blank' | 'unknown' | 'json-document'

const ZEEK_HEADER = /^[\t ]*#(separator|fields|path|types|set_separator|empty_field|unset_field|open)\b/
/** `type=SYSCALL msg=audit(1700000000.123:42): ...`, optionally after `node=HOST `. */
const AUDIT_LINE = /^(?:node=\S{1,255} )?type=[A-Z0-9_]{1,64} msg=audit\(\d{1,20}\.\d{1,9}:\d{1,20}\)/

/**
 * Decides the format of an input from one of its first lines.
 *
 * - Zeek TSV: a header directive (`#separator` first, tolerating a stray leading TAB).
 * - auditd: a raw audit record line.
 * - JSON lines: by the record's fields (see {@link sniffRecord}).
 * - `[` or a lone `{`: a pretty-printed JSON document.
 */
export function sniffLine (line: string): SniffResult {
  let i = 0
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++
  if (i === line.length) return 'blank'
  const c = line.charCodeAt(i)
  if (c === 35) return ZEEK_HEADER.test(line) ? 'zeek-tsv' : 'unknown' // '#'
  if (c === 110 || c === 116) return AUDIT_LINE.test(line) ? 'auditd' : 'unknown' // 'n', 't'
  if (c === 91) return 'json-document' // '['
  if (c !== 123) return 'unknown' // '{'
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return line.trim() === '{' ? 'json-document' : 'unknown'
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return 'unknown'
  return sniffRecord(obj as Record<string, unknown>)
}

/** Decides which format a parsed JSON object belongs to. */
export function sniffRecord (r: Record<string, unknown>): SniffResult {
  if (typeof r.event_type === 'string') return 'eve'
  if ('_path' in r || '@stream' in r || 'uid' in r || 'id.orig_h' in r || 'id_orig_h' in r || ('ts' in r && ('id' in r || 'proto' in r))) return 'zeek-json'
  if (isSysmonRecord(r)) return 'sysmon'
  if (isOsqueryRecord(r)) return 'osquery'
  if (isAuomsRecord(r)) return 'auditd'
  if (isEcsEndpointRecord(r)) return 'ecs'
  if ('ts' in r && !('timestamp' in r)) return 'zeek-json'
  return 'unknown'
}
