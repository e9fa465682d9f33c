/**
 * Zeek TSV (the ASCII writer's default format) → records, one line at a time.
 *
 * Pure and synchronous: the stream shell owns the I/O and feeds lines (without the trailing
 * `\n`; one trailing `\r` is stripped here) to {@link parseZeekTsvLine}, which mutates the
 * {@link ZeekTsvState} when it meets a header and returns a record or a reason otherwise.
 *
 * The records have the keys and value types Zeek's JSON writer uses (`ts`, `id.orig_h`,
 * `id.orig_p`, ...), with `_path` (from `#path`) first, so the same log read as TSV and as JSON
 * gives equal records:
 *
 * - `time`, `interval`, `double`, `count`, `int`, `port` → number (`Number()` of the text, so
 *   `1387324800.123456` keeps its microseconds as written);
 * - `bool` → `true`/`false`;
 * - every other scalar (`string`, `enum`, `addr`, `subnet`, `pattern`, `file`, `func`, unknown
 *   types) → string, unescaped;
 * - `set[..]`, `vector[..]`, `table[..]` (Bro 2.x) → array of elements decoded by the element type;
 * - the `#unset_field` value (`-`) → key absent (the JSON writer omits unset fields); an unset
 *   element inside a vector → `null`;
 * - the `#empty_field` value (`(empty)`) → `""` for strings, `[]` for containers.
 *
 * Escaping follows Zeek's writer (`ODesc::AddBytes` with escaping on, `formatter::Ascii`):
 * separators, set separators inside containers, non-printable bytes are written `\xNN`; a
 * backslash is written `\\`; a value that would equal the unset or empty marker gets its first
 * byte escaped (`\x2d`, `\x28empty)`); a data line never starts with `#` (escaped `\x23`).
 * Unescaped byte runs are decoded as UTF-8; bytes that are not valid UTF-8, and control bytes
 * other than `\b \t \n \f \r`, come out as the literal text `\xNN`, which is what the JSON
 * writer emits for them. `(empty)` is ambiguous in Zeek's format (an empty container and a
 * container holding one empty string are both written that way); it is read as `[]`, as Zeek's
 * own reader does. TSV rounds `interval`/`time` to 6 decimals, so a JSON log of the same traffic
 * can carry more digits.
 *
 * Real-world quirks accepted: `#separator<TAB>\x09`; a stray leading TAB (or BOM) before
 * `#separator`; IoT-23's last `#fields` entry `tunnel_parents   label   detailed-label` (names
 * joined by spaces, values joined the same way in every row), split into separate columns; a
 * `#types` line shorter than `#fields` (missing types read as `string`); several header blocks
 * in one stream (a `#separator` line starts a new block).
 */

/** What a column value that does not parse decodes to. */
const BAD: unique symbol = Symbol('bad zeek value')
/** An unset column in {@link ZeekTsvState.values}. */
const UNSET: unique symbol = Symbol('unset zeek value')

/** A `#fields` entry that holds several space-joined names (the IoT-23 label quirk). */
export interface ZeekTsvMergedColumn {
  /** Index of the column among the columns as written. */
  index: number
  /** The whitespace run joining names (and values), e.g. three spaces. */
  joiner: string
  /** How many names (and values) it holds. */
  parts: number
  /** The entry as written, for error messages. */
  name: string
}

/** Parser state for one Zeek TSV stream; create with {@link createZeekTsvState}. */
export interface ZeekTsvState {
  /** Field separator (`#separator`, unescaped). */
  separator: string
  /** Separator between container elements (`#set_separator`). */
  setSeparator: string
  /** Marker for an empty string or container (`#empty_field`). */
  emptyField: string
  /** Marker for an unset field (`#unset_field`). */
  unsetField: string
  /** Log path (`#path`), written as `_path` in records. */
  path: string | undefined
  /** `#open` value as written. */
  open: string | undefined
  /** `#close` value as written, once seen in the current block. */
  close: string | undefined
  /** Column names, after splitting merged (IoT-23) entries; `undefined` before `#fields`. */
  fields: string[] | undefined
  /** Column types, same length as `fields` (`string` where `#types` had none). */
  types: string[] | undefined
  /** Per-column value kinds, rebuilt whenever a header changes them. */
  kinds: ZeekTsvKind[]
  /** Per-column element kinds of container columns (unused for the others). */
  elementKinds: ZeekTsvKind[]
  /** Whether a column name needs `defineProperty` (a field literally named `__proto__`). */
  unsafeKeys: boolean
  /** Record templates of this block by which columns are set (see {@link buildRecord}). */
  shapes: Map<number, Record<string, unknown>>
  /** The current row's decoded values ({@link UNSET} where unset), reused from row to row. */
  values: unknown[]
  /** Number of columns as written in `#fields` (before splitting merged entries). */
  declaredColumns: number
  /** Merged `#fields` entries, when present. */
  merged: ZeekTsvMergedColumn[] | undefined
  /** `#types` entries as written (kept to rebuild the kinds). */
  declaredTypes: string[] | undefined
  /** `#fields` entries as written. */
  declaredFields: string[] | undefined
}

/** What one line was. */
export type ZeekTsvResult =
  | { type: 'header', directive: string }
  | { type: 'record', record: Record<string, unknown> }
  | { type: 'error', reason: string }

/** Zeek's defaults (`LogAscii::separator` etc.), in force until the headers say otherwise. */
const DEFAULT_SEPARATOR = '\t'
const DEFAULT_SET_SEPARATOR = ','
const DEFAULT_EMPTY_FIELD = '(empty)'
const DEFAULT_UNSET_FIELD = '-'

/** A fresh state: Zeek's default separators, no columns yet. */
export function createZeekTsvState (): ZeekTsvState {
  return {
    separator: DEFAULT_SEPARATOR,
    setSeparator: DEFAULT_SET_SEPARATOR,
    emptyField: DEFAULT_EMPTY_FIELD,
    unsetField: DEFAULT_UNSET_FIELD,
    path: undefined,
    open: undefined,
    close: undefined,
    fields: undefined,
    types: undefined,
    kinds: [],
    elementKinds: [],
    unsafeKeys: false,
    shapes: new Map(),
    values: [],
    declaredColumns: 0,
    merged: undefined,
    declaredTypes: undefined,
    declaredFields: undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Unescaping

function hexValue (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

const HEX = '0123456789abcdef'

/**
 * Decodes a run of unescaped bytes the way Zeek's JSON writer renders the same bytes: valid
 * UTF-8 → characters; a byte that does not start a valid sequence, and control bytes other than
 * `\b \t \n \f \r`, → the literal text `\xNN` (lower-case hex).
 */
function decodeByteRun (bytes: number[]): string {
  let out = ''
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i]
    if (b < 0x80) {
      // Printable ASCII and \b \t \n \f \r come out as characters; the other control bytes
      // stay `\xNN` text, as the JSON writer (`util::json_escape_utf8`) writes them.
      out += (b >= 0x20 && b < 0x7f) || (b >= 8 && b <= 10) || b === 12 || b === 13
        ? String.fromCharCode(b)
        : '\\x' + HEX[b >> 4] + HEX[b & 15]
      i++
      continue
    }
    let need = 0
    let cp = 0
    let min = 0
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; min = 0x80 } else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0x0f; min = 0x800 } else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x07; min = 0x10000 }
    let ok = need > 0 && i + need < n
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const c = bytes[i + k]
        if ((c & 0xc0) !== 0x80) { ok = false; break }
        cp = (cp << 6) | (c & 0x3f)
      }
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false
    if (ok) {
      out += String.fromCodePoint(cp)
      i += need + 1
    } else {
      out += '\\x' + HEX[b >> 4] + HEX[b & 15]
      i++
    }
  }
  return out
}

/**
 * Undoes Zeek's ASCII-writer escaping: `\xNN` → the byte (runs of bytes decoded as UTF-8) and
 * `\\` → `\`. Any other backslash is kept as written. Fast path: no backslash, no work.
 */
export function unescapeZeek (s: string): string {
  let i = s.indexOf('\\')
  if (i === -1) return s
  let out = s.slice(0, i)
  const len = s.length
  let run: number[] | undefined
  while (i < len) {
    if (s.charCodeAt(i) === 92) {
      const next = s.charCodeAt(i + 1)
      if (next === 120 && i + 3 < len) {
        const hi = hexValue(s.charCodeAt(i + 2))
        const lo = hexValue(s.charCodeAt(i + 3))
        if (hi >= 0 && lo >= 0) {
          if (run === undefined) run = []
          run.push((hi << 4) | lo)
          i += 4
          continue
        }
      }
      if (run !== undefined) { out += decodeByteRun(run); run = undefined }
      if (next === 92) {
        out += '\\'
        i += 2
      } else {
        out += '\\'
        i++
      }
      continue
    }
    if (run !== undefined) { out += decodeByteRun(run); run = undefined }
    const j = s.indexOf('\\', i)
    if (j === -1) {
      out += s.slice(i)
      break
    }
    out += s.slice(i, j)
    i = j
  }
  if (run !== undefined) out += decodeByteRun(run)
  return out
}

const HEADER_ESCAPE_RE = /\\x([0-9a-fA-F]{2})/g

/**
 * Header values (`#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`) are
 * written with `get_escaped_string(.., false)`: only `\xNN`, a backslash stays as it is.
 */
function unescapeHeaderValue (s: string): string {
  if (!s.includes('\\x')) return s
  return s.replace(HEADER_ESCAPE_RE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

// ---------------------------------------------------------------------------------------------
// Decoders
//
// A column's type picks one of a few kinds once per header block. A value is then read straight
// from the line between two separators: numbers by scanning their characters, without slicing
// the text out first and without a regular expression; one switch on the kind rather than a
// closure per column, so the call stays cheap and a row allocates only the values it keeps.

/** How a column's text becomes a value (see {@link kindOf}). */
export type ZeekTsvKind = 0 | 1 | 2 | 3 | 4 | 5
/** `time`, `interval`, `double`: `/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/`, then `Number()`. */
const REAL = 0
/** `count`, `port`: `/^\d+$/`, then `Number()`. */
const COUNT = 1
/** `int`: `/^[-+]?\d+$/`, then `Number()`. */
const INT = 2
/** `bool`: `T` or `F`. */
const BOOL = 3
/** Everything else: unescaped text, the empty marker → `""`. */
const TEXT = 4
/** `set[..]`, `vector[..]`, `table[..]`: elements of the column's element kind. */
const CONTAINER = 5

/** Container type names: `set[...]`, `vector[...]`, `table[...]` (Bro 2.x writes sets as `table`). */
const CONTAINER_RE = /^(?:set|vector|table)\[(.*)\]$/

function scalarKind (type: string): ZeekTsvKind {
  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return REAL
    case 'count':
    case 'port':
      return COUNT
    case 'int':
      return INT
    case 'bool':
      return BOOL
    default:
      // string, enum, addr, subnet, pattern, file, func and anything unknown: text
      return TEXT
  }
}

/** The kind of a column of `type`, and the kind of its elements (containers; else unused). */
function kindOf (type: string): [ZeekTsvKind, ZeekTsvKind] {
  const m = CONTAINER_RE.exec(type)
  if (m === null) return [scalarKind(type), TEXT]
  const inner = m[1]
  // table[string,count] and the like: not written by Zeek's logger; read elements as text
  return [CONTAINER, inner.includes(',') || inner.includes('[') ? TEXT : scalarKind(inner)]
}

/** Powers of ten that are exact doubles, for {@link readReal}. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k)

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

/**
 * `s[start, end)` read as a `count`: what `/^\d+$/` then `Number()` give, NaN when the text does
 * not match. Digits are summed while the sum is exact (below 2^53, so it equals `Number()`);
 * longer runs go to `Number()`, which rounds them as the reference does.
 */
function readCount (s: string, start: number, end: number): number {
  if (start >= end) return NaN
  let n = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (!isDigit(c)) return NaN
    n = n * 10 + (c - 48)
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : Number(s.slice(start, end))
}

/** `s[start, end)` read as an `int` (`/^[-+]?\d+$/`, then `Number()`); NaN when it does not match. */
function readInt (s: string, start: number, end: number): number {
  if (start >= end) return NaN
  const c = s.charCodeAt(start)
  if (c !== 45 && c !== 43) return readCount(s, start, end)
  // Number('-x') is -Number('x') exactly (rounding is symmetric), and -0 stays -0.
  const n = readCount(s, start + 1, end)
  return c === 45 ? -n : n
}

/**
 * `s[start, end)` read as a `time`/`interval`/`double`: what
 * `/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/` then `Number()` give, NaN when the text
 * does not match. Without an exponent, and with all digits forming an integer m below 2^53, the
 * text's value is m / 10^k exactly, and one IEEE division rounds that to the same double as
 * `Number()` does; anything else goes to `Number()`.
 */
function readReal (s: string, start: number, end: number): number {
  let i = start
  const sign = i < end ? s.charCodeAt(i) : 0
  if (sign === 45 || sign === 43) i++
  let m = 0
  const intStart = i
  while (i < end && isDigit(s.charCodeAt(i))) m = m * 10 + (s.charCodeAt(i++) - 48)
  const intDigits = i - intStart
  let fracDigits = 0
  if (i < end && s.charCodeAt(i) === 46) { // '.'
    const fracStart = ++i
    while (i < end && isDigit(s.charCodeAt(i))) m = m * 10 + (s.charCodeAt(i++) - 48)
    fracDigits = i - fracStart
  }
  if (intDigits === 0 && fracDigits === 0) return NaN
  if (i < end) {
    // Only an exponent may follow: [eE][-+]?\d+ up to the end.
    const e = s.charCodeAt(i++)
    if (e !== 101 && e !== 69) return NaN
    if (i < end && (s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43)) i++
    if (i === end) return NaN
    while (i < end) if (!isDigit(s.charCodeAt(i++))) return NaN
    return Number(s.slice(start, end))
  }
  if (m > Number.MAX_SAFE_INTEGER || fracDigits >= POW10.length) return Number(s.slice(start, end))
  const v = fracDigits === 0 ? m : m / POW10[fracDigits]
  return sign === 45 ? -v : v
}

/** Whether `s[start, end)` is `marker` (the unset or empty field marker). */
function isMarker (s: string, start: number, end: number, marker: string): boolean {
  return end - start === marker.length && s.startsWith(marker, start)
}

/** Column `i`, the text `s[start, end)`, decoded; {@link BAD} when it does not parse. */
function decodeColumn (state: ZeekTsvState, i: number, s: string, start: number, end: number): unknown {
  const kind = state.kinds[i]
  if (kind === CONTAINER) return readContainer(state, state.elementKinds[i], s.slice(start, end))
  return decodeScalar(state, kind, s, start, end)
}

/** `s[start, end)` read as `kind` (not a container); {@link BAD} when it does not parse. */
function decodeScalar (state: ZeekTsvState, kind: ZeekTsvKind, s: string, start: number, end: number): unknown {
  switch (kind) {
    case REAL: return numberOrBad(readReal(s, start, end))
    case COUNT: return numberOrBad(readCount(s, start, end))
    case INT: return numberOrBad(readInt(s, start, end))
    case BOOL: return readBool(s, start, end)
    default: return readText(state, s, start, end)
  }
}

/** The number readers say "no match" with NaN, which no matching text reads as. */
function numberOrBad (v: number): number | typeof BAD {
  return Number.isNaN(v) ? BAD : v
}

function readBool (s: string, start: number, end: number): boolean | typeof BAD {
  if (end - start !== 1) return BAD
  const c = s.charCodeAt(start)
  return c === 84 ? true : c === 70 ? false : BAD // 'T', 'F'
}

function readText (state: ZeekTsvState, s: string, start: number, end: number): string {
  return isMarker(s, start, end, state.emptyField) ? '' : unescapeZeek(s.slice(start, end))
}

/** A container column's value: elements split on the set separator, each read as `kind`. */
function readContainer (state: ZeekTsvState, kind: ZeekTsvKind, raw: string): unknown[] | typeof BAD {
  if (raw === state.emptyField) return []
  const parts = raw.split(state.setSeparator)
  const out: unknown[] = new Array(parts.length)
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]
    if (p === state.unsetField) {
      out[i] = null
      continue
    }
    const v = decodeScalar(state, kind, p, 0, p.length)
    if (v === BAD) return BAD
    out[i] = v
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Headers

/** Rebuilds names, types and kinds from the declared `#fields`/`#types`. */
function compileColumns (state: ZeekTsvState): void {
  const declared = state.declaredFields
  if (declared === undefined) return
  const declaredTypes = state.declaredTypes ?? []
  const names: string[] = []
  const types: string[] = []
  let merged: ZeekTsvMergedColumn[] | undefined
  for (let i = 0; i < declared.length; i++) {
    const name = declared[i]
    const type = declaredTypes[i] ?? 'string'
    const ws = /[ \t]+/.exec(name.trim())
    if (ws === null) {
      names.push(name)
      types.push(type)
      continue
    }
    // IoT-23: several names joined by a run of spaces in one #fields entry
    const joiner = ws[0]
    const subNames = name.trim().split(joiner)
    const subTypes = type.trim().split(joiner)
    for (let k = 0; k < subNames.length; k++) {
      names.push(subNames[k])
      types.push(subTypes.length === subNames.length ? subTypes[k] : k === 0 ? type.trim() : 'string')
    }
    merged ??= []
    merged.push({ index: i, joiner, parts: subNames.length, name })
  }
  state.fields = names
  state.types = types
  state.merged = merged
  state.declaredColumns = declared.length
  const kinds = types.map(kindOf)
  state.kinds = kinds.map((k) => k[0])
  state.elementKinds = kinds.map((k) => k[1])
  state.unsafeKeys = names.includes('__proto__')
  state.shapes.clear()
  state.values = new Array(names.length).fill(UNSET)
}

/** Starts a new header block: Zeek's defaults, no columns. */
function resetBlock (state: ZeekTsvState, separator: string): void {
  Object.assign(state, createZeekTsvState())
  state.separator = separator
}

function headerError (reason: string): ZeekTsvResult {
  return { type: 'error', reason }
}

function parseHeader (state: ZeekTsvState, line: string): ZeekTsvResult {
  if (line.startsWith('#separator')) {
    const after = line.charCodeAt(10)
    // '#separator \x09' as Zeek writes it; '#separator<TAB>\x09' as some tools write it
    if ((after === 32 || after === 9) && line.length > 11) {
      const sep = unescapeHeaderValue(line.slice(11))
      resetBlock(state, sep)
      return { type: 'header', directive: 'separator' }
    }
    if (line.length === 10 || after === 32 || after === 9) return headerError('#separator header without a value')
    // '#separatorX...' is some other directive; fall through
  }

  // Directive name: up to the first separator, space or tab.
  const sep = state.separator
  let end = line.length
  const sepAt = line.indexOf(sep, 1)
  if (sepAt !== -1) end = sepAt
  for (let i = 1; i < end; i++) {
    const c = line.charCodeAt(i)
    if (c === 32 || c === 9) { end = i; break }
  }
  const directive = line.slice(1, end)
  const value = end < line.length ? line.slice(end === sepAt ? end + sep.length : end + 1) : undefined

  switch (directive) {
    case 'set_separator':
    case 'empty_field':
    case 'unset_field': {
      if (value === undefined) return headerError(`#${directive} header without a value`)
      const v = unescapeHeaderValue(value)
      if (directive === 'set_separator') {
        if (v === '') return headerError('#set_separator header with an empty value')
        state.setSeparator = v
      } else if (directive === 'empty_field') {
        state.emptyField = v
      } else {
        state.unsetField = v
      }
      compileColumns(state)
      return { type: 'header', directive }
    }
    case 'path':
      state.path = value === undefined ? undefined : unescapeHeaderValue(value)
      state.shapes.clear() // the templates hold `_path`
      return { type: 'header', directive }
    case 'open':
      state.open = value
      state.close = undefined
      return { type: 'header', directive }
    case 'close':
      state.close = value
      return { type: 'header', directive }
    case 'fields': {
      if (value === undefined || value === '') return headerError('#fields header without field names')
      state.declaredFields = value.split(sep)
      state.declaredTypes = undefined
      compileColumns(state)
      return { type: 'header', directive }
    }
    case 'types': {
      if (value === undefined || value === '') return headerError('#types header without types')
      state.declaredTypes = value.split(sep)
      compileColumns(state)
      return { type: 'header', directive }
    }
    default:
      // any other '#...' line is a comment; Zeek's own reader skips it too
      return { type: 'header', directive }
  }
}

// ---------------------------------------------------------------------------------------------
// Records

const MAX_SHOWN = 120

function show (raw: string): string {
  return JSON.stringify(raw.length > MAX_SHOWN ? raw.slice(0, MAX_SHOWN) + '…' : raw)
}

/** Splits merged (IoT-23) columns; returns the expanded values or an error reason. */
function expandMerged (state: ZeekTsvState, cols: string[]): string[] | string {
  const merged = state.merged as ZeekTsvMergedColumn[]
  const out: string[] = []
  let from = 0
  for (const m of merged) {
    for (let i = from; i < m.index; i++) out.push(cols[i])
    const parts = cols[m.index].split(m.joiner)
    if (parts.length !== m.parts) {
      return `column ${show(m.name)} should hold ${m.parts} values joined by ${JSON.stringify(m.joiner)}, got ${parts.length}: ${show(cols[m.index])}`
    }
    for (const p of parts) out.push(p)
    from = m.index + 1
  }
  for (let i = from; i < cols.length; i++) out.push(cols[i])
  return out
}

function parseData (state: ZeekTsvState, line: string): ZeekTsvResult {
  const names = state.fields
  if (names === undefined) return { type: 'error', reason: 'data line before any #fields header (not a Zeek TSV log, or its header block is missing)' }
  if (line === '') return { type: 'error', reason: 'empty line' }
  if (readLine(state, line)) return { type: 'record', record: buildRecord(state, names) }
  return parseColumns(state, names, line.split(state.separator))
}

/**
 * The common case, read in one pass over the line into `state.values`: the columns as declared
 * (merged IoT-23 entries holding their joined values), every value valid. Anything else (a
 * wrong column count, an invalid value, IoT-23 labels written as separate columns) returns
 * false, and {@link parseColumns} reads the line again to explain or expand it.
 */
function readLine (state: ZeekTsvState, line: string): boolean {
  const sep = state.separator
  const merged = state.merged
  const columns = state.declaredColumns
  let m = 0 // next merged entry
  let i = 0 // next name
  let start = 0
  for (let w = 0; w < columns; w++) {
    let end = line.indexOf(sep, start)
    if (w === columns - 1) {
      if (end !== -1) return false // more columns than declared
      end = line.length
    } else if (end === -1) {
      return false // fewer columns than declared
    }
    if (merged !== undefined && m < merged.length && merged[m].index === w) {
      if (!readMerged(state, merged[m], i, line, start, end)) return false
      i += merged[m++].parts
    } else if (!readValue(state, i++, line, start, end)) {
      return false
    }
    start = end + sep.length
  }
  return true
}

/** A merged column `line[start, end)`: its joined values, as names `i` onwards. */
function readMerged (state: ZeekTsvState, m: ZeekTsvMergedColumn, i: number, line: string, start: number, end: number): boolean {
  const joiner = m.joiner
  let from = start
  for (let k = 0; k < m.parts; k++) {
    let to = line.indexOf(joiner, from)
    const inColumn = to !== -1 && to + joiner.length <= end
    if (k === m.parts - 1) {
      if (inColumn) return false // more values than names
      to = end
    } else if (!inColumn) {
      return false // fewer values than names
    }
    if (!readValue(state, i + k, line, from, to)) return false
    from = to + joiner.length
  }
  return true
}

/** `s[start, end)` as column `i` into `state.values` ({@link UNSET} when unset); false when invalid. */
function readValue (state: ZeekTsvState, i: number, s: string, start: number, end: number): boolean {
  if (isMarker(s, start, end, state.unsetField)) {
    state.values[i] = UNSET
    return true
  }
  const v = decodeColumn(state, i, s, start, end)
  state.values[i] = v
  return v !== BAD
}

/** A line split into its columns: merged (IoT-23) columns expanded, or the reason it is wrong. */
function parseColumns (state: ZeekTsvState, names: string[], cols: string[]): ZeekTsvResult {
  const n = names.length
  if (cols.length !== n) {
    if (state.merged !== undefined && cols.length === state.declaredColumns) {
      const expanded = expandMerged(state, cols)
      if (typeof expanded === 'string') return { type: 'error', reason: expanded }
      cols = expanded
    } else {
      const declared = state.merged !== undefined ? `${state.declaredColumns} (or ${n} with the space-joined ${show(state.merged[0].name)} entry split)` : String(n)
      return { type: 'error', reason: `expected ${declared} columns per #fields, got ${cols.length}` }
    }
  }
  for (let i = 0; i < n; i++) {
    const raw = cols[i]
    if (!readValue(state, i, raw, 0, raw.length)) {
      const type = (state.types as string[])[i]
      return { type: 'error', reason: `column ${show(names[i])} (${type}): invalid value ${show(raw)}` }
    }
  }
  return { type: 'record', record: buildRecord(state, names) }
}

/**
 * A row's shape is which of its columns are set, one bit per column, summed into a number: exact
 * up to 53 columns (a double's integer range); wider rows get no template.
 */
const SHAPE_BIT = Array.from({ length: 53 }, (_, i) => 2 ** i)
/** Templates kept per header block; rows with yet other combinations of unset columns are built key by key. */
const MAX_SHAPES = 64

/**
 * The record of the row in `state.values`: `_path` first, then the set columns in order.
 *
 * Assigning 20-odd computed keys to `{}` one by one turns the object into a hash table in V8
 * (more than a handful of properties added by keyed stores), which is slow to build, to read
 * and to serialize. A copy of a template that already has the row's keys (`{ ...template }`)
 * keeps V8's fast property layout, and filling it in only replaces values.
 */
function buildRecord (state: ZeekTsvState, names: string[]): Record<string, unknown> {
  const values = state.values
  const n = names.length
  let record: Record<string, unknown> | undefined
  if (n <= SHAPE_BIT.length) {
    let shape = 0
    for (let i = 0; i < n; i++) if (values[i] !== UNSET) shape += SHAPE_BIT[i]
    const template = templateOf(state, names, shape)
    if (template !== undefined) record = { ...template }
  }
  if (record === undefined) {
    record = {}
    if (state.path !== undefined) record._path = state.path
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v !== UNSET) setField(state, record, names[i], v)
  }
  return record
}

/** The template for `shape` (keys with undefined values, `_path` set), made on first use. */
function templateOf (state: ZeekTsvState, names: string[], shape: number): Record<string, unknown> | undefined {
  let template = state.shapes.get(shape)
  if (template !== undefined || state.shapes.size >= MAX_SHAPES) return template
  // defineProperty: unlike keyed assignment, it keeps the template in fast mode, and it makes
  // `__proto__` an own key like the others.
  template = {}
  if (state.path !== undefined) defineField(template, '_path', state.path)
  for (let i = 0; i < names.length; i++) {
    if (state.values[i] !== UNSET) defineField(template, names[i], undefined)
  }
  state.shapes.set(shape, template)
  return template
}

function defineField (record: Record<string, unknown>, name: string, v: unknown): void {
  Object.defineProperty(record, name, { value: v, enumerable: true, writable: true, configurable: true })
}

function setField (state: ZeekTsvState, record: Record<string, unknown>, name: string, v: unknown): void {
  if (state.unsafeKeys && name === '__proto__') defineField(record, name, v)
  else record[name] = v
}

/**
 * Parses one line of a Zeek TSV stream (without its `\n`; a trailing `\r` is stripped).
 * Header lines update `state` and return `{ type: 'header' }`; data lines return the record,
 * or an error reason naming what is wrong.
 */
export function parseZeekTsvLine (state: ZeekTsvState, line: string): ZeekTsvResult {
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1)
  const c0 = line.charCodeAt(0)
  if (c0 === 35) return parseHeader(state, line)
  if (c0 === 9 || c0 === 32 || c0 === 0xfeff) {
    // stray TAB/space/BOM before '#separator' (seen on the first line of real files)
    let i = 1
    while (i < line.length) {
      const c = line.charCodeAt(i)
      if (c !== 9 && c !== 32 && c !== 0xfeff) break
      i++
    }
    if (line.startsWith('#separator', i)) return parseHeader(state, line.slice(i))
  }
  return parseData(state, line)
}
