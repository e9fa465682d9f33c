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

/** Decodes one raw (still escaped) column value; returns {@link BAD} when it does not parse. */
export type ZeekTsvDecoder = (raw: string) => unknown

const BAD: unique symbol = Symbol('bad zeek value')

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
  /** Per-column decoders, rebuilt whenever a header changes them. */
  decoders: ZeekTsvDecoder[]
  /** Whether a column name needs `defineProperty` (a field literally named `__proto__`). */
  unsafeKeys: boolean
  /** Number of columns as written in `#fields` (before splitting merged entries). */
  declaredColumns: number
  /** Merged `#fields` entries, when present. */
  merged: ZeekTsvMergedColumn[] | undefined
  /** `#types` entries as written (kept to rebuild the decoders). */
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
    decoders: [],
    unsafeKeys: false,
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

const COUNT_RE = /^\d+$/
const INT_RE = /^[-+]?\d+$/
// `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the latter backtracks quadratically on a long digit run
// that does not match (recheck: polynomial; 100,000 digits took 4 s).
const REAL_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/

/** Container type names: `set[...]`, `vector[...]`, `table[...]` (Bro 2.x writes sets as `table`). */
const CONTAINER_RE = /^(?:set|vector|table)\[(.*)\]$/

function scalarDecoder (type: string, emptyField: string): ZeekTsvDecoder {
  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return (raw) => REAL_RE.test(raw) ? Number(raw) : BAD
    case 'count':
    case 'port':
      return (raw) => COUNT_RE.test(raw) ? Number(raw) : BAD
    case 'int':
      return (raw) => INT_RE.test(raw) ? Number(raw) : BAD
    case 'bool':
      return (raw) => raw === 'T' ? true : raw === 'F' ? false : BAD
    default:
      // string, enum, addr, subnet, pattern, file, func and anything unknown: text
      return (raw) => raw === emptyField ? '' : unescapeZeek(raw)
  }
}

function columnDecoder (type: string, state: ZeekTsvState): ZeekTsvDecoder {
  const m = CONTAINER_RE.exec(type)
  if (m === null) return scalarDecoder(type, state.emptyField)
  const inner = m[1]
  // table[string,count] and the like: not written by Zeek's logger; read elements as text
  const elementDecoder = scalarDecoder(inner.includes(',') || inner.includes('[') ? 'string' : inner, state.emptyField)
  const { emptyField, unsetField, setSeparator } = state
  return (raw) => {
    if (raw === emptyField) return []
    const parts = raw.split(setSeparator)
    const out: unknown[] = new Array(parts.length)
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]
      if (p === unsetField) {
        out[i] = null
        continue
      }
      const v = elementDecoder(p)
      if (v === BAD) return BAD
      out[i] = v
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------
// Headers

/** Rebuilds names, types and decoders from the declared `#fields`/`#types`. */
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
  state.decoders = types.map((t) => columnDecoder(t, state))
  state.unsafeKeys = names.includes('__proto__')
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

  let cols = line.split(state.separator)
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

  const decoders = state.decoders
  const unset = state.unsetField
  const record: Record<string, unknown> = {}
  if (state.path !== undefined) record._path = state.path
  for (let i = 0; i < n; i++) {
    const raw = cols[i]
    if (raw === unset) continue
    const v = decoders[i](raw)
    if (v === BAD) {
      const type = (state.types as string[])[i]
      return { type: 'error', reason: `column ${show(names[i])} (${type}): invalid value ${show(raw)}` }
    }
    if (state.unsafeKeys && names[i] === '__proto__') {
      Object.defineProperty(record, '__proto__', { value: v, enumerable: true, writable: true, configurable: true })
    } else {
      record[names[i]] = v
    }
  }
  return { type: 'record', record }
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
