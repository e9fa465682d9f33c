/**
 * Property-based fuzzing of every reader, shared by `test/fuzz.test.ts` (a bounded run with a
 * fixed seed, part of `npm test`) and `test/fuzz/run.ts` (`npm run fuzz`: many more runs, a
 * random seed printed first).
 *
 * Each property is named and has a base number of runs; a runner scales it. Inputs are real
 * lines from `test/fixtures/**` (see `corpus.ts`) with mutations, or random text, fed through
 * the real {@link LogReader} stream (line splitting, sniffing, gzip, accounting) and directly
 * through the pure functions behind it.
 */
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { DeadLetter, InputFormat, ScantagEvent } from '../../lib/model.js'
import { communityId } from '../../lib/community-id.js'
import { AuditAssembler, auomsToEvent, decodeAuditValue, decodeProctitle, execveArgs, parseAuditLine, parseSockaddr } from '../../lib/parse/auditd.js'
import { MAX_COMMAND_LINE_LENGTH, splitPosixCommandLine, splitWindowsCommandLine } from '../../lib/parse/cmdline.js'
import { ecsEndpointToEvent } from '../../lib/parse/ecs-endpoint.js'
import { eveToEvent } from '../../lib/parse/eve.js'
import { osqueryToEvents } from '../../lib/parse/osquery.js'
import { ALL_FORMATS, DEAD_LETTER_TEXT_LIMIT, type ReaderStats } from '../../lib/parse/reader.js'
import { sniffLine } from '../../lib/parse/sniff.js'
import { parseSysmonXml, sysmonToEvent, unescapeXml } from '../../lib/parse/sysmon.js'
import { parseIsoTime, parseZeekTs } from '../../lib/parse/time.js'
import { createZeekTsvState, parseZeekTsvLine, unescapeZeek } from '../../lib/parse/zeek-tsv.js'
import { zeekToEvent, type RecordContext } from '../../lib/parse/zeek.js'
import { commandLineTargets, describeTargets, MAX_PORT_RANGES, MAX_TARGET_FILES, MAX_TARGET_HOSTS, MAX_TARGET_RANGES, targetsInclude } from '../../lib/correlate/targets.js'
import { NETWORK_TOOLS, networkToolFor } from '../../lib/correlate/knowledge/network-tools.js'
import { scannerUserAgentFor } from '../../lib/correlate/knowledge/scanner-user-agents.js'
import { lookupZoneFor, wordlistToolForUserAgent } from '../../lib/correlate/knowledge/wordlist-tools.js'
import { normalizeRequestPath, vulnerablePathFor } from '../../lib/correlate/knowledge/vulnerable-paths.js'
import { alertRuleFor } from '../../lib/correlate/knowledge/alert-signatures.js'
import { readThrough } from '../helpers.js'
import {
  corpus, expand, FAMILIES, SPECIAL_KEYS, WEIRD_AUDIT, WEIRD_AUDIT_HEADERS, WEIRD_JSON, WEIRD_TSV, ZEEK_HEADERS,
  type Big, type Family, type Text
} from './corpus.js'

// ---------------------------------------------------------------------------------------------
// Bounds

/** Longest time one input may take through a reader (ms). Generous: tap runs files in parallel. */
export const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 3000)
/** Longest time one call of a pure function may take (ms). */
export const CALL_LIMIT_MS = Number(process.env.FUZZ_CALL_LIMIT_MS ?? 1000)
/** Longest dead-letter reason accepted: reasons quote input, but only a bounded part of it. */
export const MAX_REASON_LENGTH = 1024

function timed<T> (what: string, limit: number, fn: () => T): T {
  const t0 = performance.now()
  const out = fn()
  const ms = performance.now() - t0
  if (ms > limit) throw new Error(`${what} took ${ms.toFixed(0)} ms, over the ${limit} ms bound`)
  return out
}

async function withTimeout<T> (what: string, limit: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const t0 = performance.now()
  try {
    const out = await Promise.race([p, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`${what} did not finish within ${limit} ms (hang)`)) }, limit)
    })])
    const ms = performance.now() - t0
    if (ms > limit) throw new Error(`${what} took ${ms.toFixed(0)} ms, over the ${limit} ms bound`)
    return out
  } finally {
    clearTimeout(timer)
  }
}

// ---------------------------------------------------------------------------------------------
// Prototype pollution

function snapshot (o: object): Map<string | symbol, unknown> {
  const m = new Map<string | symbol, unknown>()
  for (const k of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k)
    m.set(k, d === undefined ? undefined : 'value' in d ? d.value : d.get)
  }
  return m
}
const PROTOTYPES: Array<[string, object, Map<string | symbol, unknown>]> = [
  ['Object.prototype', Object.prototype, snapshot(Object.prototype)],
  ['Array.prototype', Array.prototype, snapshot(Array.prototype)],
  ['Function.prototype', Function.prototype, snapshot(Function.prototype)],
  ['String.prototype', String.prototype, snapshot(String.prototype)]
]

/** Throws when any built-in prototype gained, lost or changed a property. */
export function assertNoPollution (): void {
  for (const [name, o, before] of PROTOTYPES) {
    const now = snapshot(o)
    for (const [k, v] of now) {
      if (!before.has(k)) throw new Error(`prototype pollution: ${name} gained ${String(k)}`)
      if (before.get(k) !== v) throw new Error(`prototype pollution: ${name}.${String(k)} changed`)
    }
    if (now.size !== before.size) throw new Error(`prototype pollution: ${name} lost properties`)
  }
  if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('prototype pollution: ({}).polluted is set')
  if (Object.getPrototypeOf({}) !== Object.prototype) throw new Error('prototype pollution: {} has another prototype')
}

// ---------------------------------------------------------------------------------------------
// Schemas

const schema = (name: string): object => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')) as object
// strictNumbers: NaN and ±Infinity are not numbers (they would serialize as null).
const ajv = new Ajv2020({ strict: false, strictNumbers: true, allErrors: true })
const validateNetwork = ajv.compile(schema('network-event.schema.json'))
const validateProcess = ajv.compile(schema('process-event.schema.json'))

function preview (ev: Record<string, unknown>): string {
  const { original: _o, raw: _r, ...rest } = ev
  try { return JSON.stringify(rest).slice(0, 600) } catch { return '(unserializable)' }
}

/** Throws unless `ev` validates against its category's schema and has sane input/line. */
export function checkEvent (ev: ScantagEvent, input?: string, lines?: number): void {
  const e = ev as unknown as Record<string, unknown>
  const validate = e.category === 'network' ? validateNetwork : e.category === 'process' ? validateProcess : undefined
  if (validate === undefined) throw new Error(`event with category ${String(e.category)}: ${preview(e)}`)
  if (!validate(ev as unknown)) {
    throw new Error(`event does not validate against the ${String(e.category)} schema: ${ajv.errorsText(validate.errors)}; event ${preview(e)}`)
  }
  if (input !== undefined && ev.input !== input) throw new Error(`event input ${ev.input} is not ${input}`)
  if (lines !== undefined && !(ev.line >= 1 && ev.line <= lines)) throw new Error(`event line ${ev.line} is outside 1..${lines}`)
}

/** A normalizer result: a non-empty, bounded reason or a valid event. */
export function checkResult (r: ScantagEvent | string): void {
  if (typeof r === 'string') {
    if (r.length === 0) throw new Error('empty reason')
    if (r.length > MAX_REASON_LENGTH) throw new Error(`reason is ${r.length} characters long: ${r.slice(0, 200)}…`)
    return
  }
  checkEvent(r)
}

// ---------------------------------------------------------------------------------------------
// Mutations

export type LineMutation =
  | { m: 'truncate', at: number }
  | { m: 'insert', at: number, text: Text }
  | { m: 'json-value', pick: number, raw: Text }
  | { m: 'json-key', pick: number, key: string, raw: Text, end: boolean }
  | { m: 'json-dup', pick: number, raw: Text, end: boolean }
  | { m: 'tsv-column', col: number, token: Text }
  | { m: 'tsv-drop', col: number }
  | { m: 'tsv-dup', col: number }
  | { m: 'audit-field', pick: number, value: Text }
  | { m: 'audit-header', header: string }
  | { m: 'replace', text: Text }
  | { m: 'cr' }
  | { m: 'bom' }

const PLACEHOLDER = 'FUZZ_PLACEHOLDER_7f3a9c'

function positions (s: string, c: string, max: number): number[] {
  const out: number[] = []
  for (let i = s.indexOf(c); i >= 0 && out.length < max; i = s.indexOf(c, i + 1)) out.push(i)
  return out
}

/** Every [container, key] slot of a parsed JSON value, breadth first, at most `max`. */
function slots (root: unknown, max: number): Array<[Record<string, unknown> | unknown[], string | number]> {
  const out: Array<[Record<string, unknown> | unknown[], string | number]> = []
  const queue: unknown[] = [root]
  while (queue.length > 0 && out.length < max) {
    const v = queue.shift()
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && out.length < max; i++) { out.push([v, i]); queue.push(v[i]) }
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>
      for (const k of Object.keys(o)) { if (out.length >= max) break; out.push([o, k]); queue.push(o[k]) }
    }
  }
  return out
}

function insertAt (s: string, at: number, text: string): string {
  const i = at % (s.length + 1)
  return s.slice(0, i) + text + s.slice(i)
}

export function mutateLine (line: string, mut: LineMutation): string {
  switch (mut.m) {
    case 'truncate': return line.slice(0, mut.at % (line.length + 1))
    case 'insert': return insertAt(line, mut.at, expand(mut.text))
    case 'json-value': {
      let root: unknown
      try { root = JSON.parse(line) } catch { return insertAt(line, mut.pick, expand(mut.raw)) }
      const all = slots(root, 400)
      if (all.length === 0) return expand(mut.raw)
      const [container, key] = all[mut.pick % all.length]
      ;(container as Record<string | number, unknown>)[key] = PLACEHOLDER
      let text: string
      try { text = JSON.stringify(root) } catch { return insertAt(line, mut.pick, expand(mut.raw)) } // nested too deep to write back
      return text.replace(`"${PLACEHOLDER}"`, () => expand(mut.raw))
    }
    case 'json-key': {
      const raw = expand(mut.raw)
      if (mut.end) {
        const at = positions(line, '}', 64)
        if (at.length === 0) return line + `,${JSON.stringify(mut.key)}:${raw}`
        const i = at[mut.pick % at.length]
        return line.slice(0, i) + `,${JSON.stringify(mut.key)}:${raw}` + line.slice(i)
      }
      const at = positions(line, '{', 64)
      if (at.length === 0) return `{${JSON.stringify(mut.key)}:${raw},` + line
      const i = at[mut.pick % at.length] + 1
      return line.slice(0, i) + `${JSON.stringify(mut.key)}:${raw},` + line.slice(i)
    }
    case 'json-dup': {
      let keys: string[] = []
      try {
        const o = JSON.parse(line) as unknown
        if (o !== null && typeof o === 'object' && !Array.isArray(o)) keys = Object.keys(o)
      } catch { /* not JSON: duplicate nothing */ }
      if (keys.length === 0 || !line.startsWith('{')) return line
      const k = JSON.stringify(keys[mut.pick % keys.length])
      const raw = expand(mut.raw)
      const close = line.lastIndexOf('}')
      return mut.end ? line.slice(0, close) + `,${k}:${raw}` + line.slice(close) : `{${k}:${raw},` + line.slice(1)
    }
    case 'tsv-column': {
      const cols = line.split('\t')
      cols[mut.col % cols.length] = expand(mut.token)
      return cols.join('\t')
    }
    case 'tsv-drop': {
      const cols = line.split('\t')
      cols.splice(mut.col % cols.length, 1)
      return cols.join('\t')
    }
    case 'tsv-dup': {
      const cols = line.split('\t')
      const i = mut.col % cols.length
      cols.splice(i, 0, cols[i])
      return cols.join('\t')
    }
    case 'audit-field': {
      const words = line.split(' ')
      const idx = words.map((w, i) => w.includes('=') ? i : -1).filter(i => i >= 0)
      if (idx.length === 0) return line + ' k=' + expand(mut.value)
      const i = idx[mut.pick % idx.length]
      const w = words[i]
      words[i] = w.slice(0, w.indexOf('=') + 1) + expand(mut.value)
      return words.join(' ')
    }
    case 'audit-header': {
      const i = line.indexOf('msg=audit(')
      if (i < 0) return line + ' ' + mut.header
      const j = line.indexOf(')', i)
      const end = j < 0 ? line.length : line.charCodeAt(j + 1) === 58 ? j + 2 : j + 1
      return line.slice(0, i) + mut.header + line.slice(end)
    }
    case 'replace': return expand(mut.text)
    case 'cr': return line + '\r'
    case 'bom': return '\ufeff' + line
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const bigArb: fc.Arbitrary<Big> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ big: fc.constantFrom('9', '1'), n: fc.integer({ min: 20, max: 200_000 }) }) },
  { weight: 2, arbitrary: fc.record({ big: fc.constantFrom('A', ' ', '\\x41', '&lt;', '&amp', '<Data Name="a">', '\t', ',', '"', '\\', '\\"', 'a b ', '1-2,', '10.1.2.0/24 ', '<![CDATA['), n: fc.integer({ min: 100, max: 40_000 }) }) },
  { weight: 1, arbitrary: fc.record({ big: fc.constant('A'), n: fc.constantFrom(1_048_577, 1_100_000), pre: fc.constant('{"event_type":"http","x":"'), post: fc.constant('"}') }) }
)

/** Deeply nested JSON, closed or not. */
const deepArb: fc.Arbitrary<Big> = fc.record({
  big: fc.constantFrom('[', '{"a":', '{"__proto__":'),
  n: fc.constantFrom(100, 1000, 10_000, 100_000),
  closed: fc.boolean()
}).map(({ big, n, closed }) => {
  const close = big === '[' ? ']' : '}'
  return closed ? { big, n, post: big === '[' ? '' : '1', close } : { big, n }
})

/** Very long Zeek header lines: thousands of fields or types, a path or separator of a megabyte. */
const longHeaderArb: fc.Arbitrary<Big> = fc.oneof(
  fc.record({ pre: fc.constantFrom('#fields\tts\t', '#types\ttime\t'), big: fc.constantFrom('f\t', 'string\t', 'set[string]\t', '__proto__\t'), n: fc.integer({ min: 1000, max: 50_000 }) }),
  fc.record({ pre: fc.constantFrom('#path\t', '#separator ', '#set_separator\t', '#unset_field\t', '#open\t', '#fields\t'), big: fc.constantFrom('A', '\\x41', '\\x09', 'a b'), n: fc.integer({ min: 1000, max: 250_000 }) })
)

/** Raw JSON value text, hostile more often than not. */
const rawJsonArb: fc.Arbitrary<Text> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...WEIRD_JSON) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(v => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.double().map(x => Number.isFinite(x) ? String(x) : '1e309') },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(s => JSON.stringify(s)) },
  { weight: 1, arbitrary: deepArb },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 100_000 }).map((n): Big => ({ big: '9', n })) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 100_000 }).map((n): Big => ({ big: '9', n, pre: '"', post: '"' })) }
)

const insertTextArb: fc.Arbitrary<Text> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.constantFrom<string>(...WEIRD_JSON, ...WEIRD_TSV, '\0', '\r', '\ufeff', '\t', '"', '\\', '{', '}', '[', ']', ',', ':', '\u2028', '\ud800', '\udc00') },
  { weight: 1, arbitrary: bigArb }
)

const lineMutationArb = (family: Family | 'any'): fc.Arbitrary<LineMutation> => {
  const common: Array<fc.WeightedArbitrary<LineMutation>> = [
    { weight: 2, arbitrary: fc.record({ m: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ m: fc.constant('insert' as const), at: fc.nat(), text: insertTextArb }) },
    { weight: 1, arbitrary: fc.record({ m: fc.constant('replace' as const), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), deepArb, bigArb, fc.constantFrom(...ZEEK_HEADERS), longHeaderArb) }) },
    { weight: 1, arbitrary: fc.constantFrom({ m: 'cr' as const }, { m: 'bom' as const }) }
  ]
  const json: Array<fc.WeightedArbitrary<LineMutation>> = [
    { weight: 6, arbitrary: fc.record({ m: fc.constant('json-value' as const), pick: fc.nat(), raw: rawJsonArb }) },
    { weight: 2, arbitrary: fc.record({ m: fc.constant('json-key' as const), pick: fc.nat(), key: fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.constantFrom(...corpus().keys)), raw: rawJsonArb, end: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ m: fc.constant('json-dup' as const), pick: fc.nat(), raw: rawJsonArb, end: fc.boolean() }) }
  ]
  const tsvToken = fc.oneof({ weight: 5, arbitrary: fc.constantFrom<Text>(...WEIRD_TSV) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: bigArb })
  const tsv: Array<fc.WeightedArbitrary<LineMutation>> = [
    { weight: 6, arbitrary: fc.record({ m: fc.constant('tsv-column' as const), col: fc.nat(), token: tsvToken }) },
    { weight: 1, arbitrary: fc.record({ m: fc.constant('tsv-drop' as const), col: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ m: fc.constant('tsv-dup' as const), col: fc.nat() }) }
  ]
  const auditValue = fc.oneof({ weight: 5, arbitrary: fc.constantFrom<Text>(...WEIRD_AUDIT) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: bigArb })
  const audit: Array<fc.WeightedArbitrary<LineMutation>> = [
    { weight: 6, arbitrary: fc.record({ m: fc.constant('audit-field' as const), pick: fc.nat(), value: auditValue }) },
    { weight: 2, arbitrary: fc.record({ m: fc.constant('audit-header' as const), header: fc.constantFrom(...WEIRD_AUDIT_HEADERS) }) }
  ]
  switch (family) {
    case 'zeek-tsv': return fc.oneof(...common, ...tsv)
    case 'auditd': return fc.oneof(...common, ...audit, ...json)
    case 'any': return fc.oneof(...common, ...json, ...tsv, ...audit)
    default: return fc.oneof(...common, ...json)
  }
}

/** A line of a pool, by index, with mutations (none most of the time). */
interface LineCase { src: number, muts: LineMutation[] }

const lineCaseArb = (family: Family): fc.Arbitrary<LineCase> => fc.record({
  src: fc.nat(),
  muts: fc.oneof({ weight: 3, arbitrary: fc.constant<LineMutation[]>([]) }, { weight: 2, arbitrary: fc.array(lineMutationArb(family), { minLength: 1, maxLength: 3 }) })
})

/** Lines added anywhere: garbage, blank, another family's line, Zeek headers. */
type Extra = { at: number, text: Text } | { at: number, from: Family, src: number }

const extraArb: fc.Arbitrary<Extra> = fc.oneof(
  fc.record({ at: fc.nat(), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', ' ', '\t', '\r', '\ufeff', '{', '[', '#', ...ZEEK_HEADERS), deepArb, bigArb, longHeaderArb) }),
  fc.record({ at: fc.nat(), from: fc.constantFrom(...FAMILIES), src: fc.nat() })
)

type ByteMutation = { b: 'insert', at: number, bytes: number[] } | { b: 'truncate', at: number } | { b: 'set', at: number, value: number }

const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    b: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom<number[]>([0xff], [0xfe], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00], [0x00, 0x00], [0xef, 0xbb, 0xbf], [0x0d], [0x0d, 0x0a], [0x1f, 0x8b]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 })
    )
  }),
  fc.record({ b: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ b: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) })
)

type Gzip = 'none' | 'whole' | { cut: number } | { corrupt: number, value: number }

export interface StreamCase {
  family: Family
  /** Zeek TSV: which file's header block; JSON documents: which document (past the end: built). */
  block: number
  headerMuts: Array<[number, LineMutation]>
  rows: LineCase[]
  extras: Extra[]
  joiner: '\n' | '\r\n' | '\r'
  trailingNewline: boolean
  bom: boolean
  bytes: ByteMutation[]
  gzip: Gzip
  chunk: number
  format: InputFormat | 'auto'
  allowed: 'all' | 'network' | 'telemetry' | 'own'
  maxLineLength?: number
  maxDocumentLength?: number
  seed: number
  input: string
}

export const streamCaseArb = (family: Family): fc.Arbitrary<StreamCase> => fc.record({
  family: fc.constant(family),
  block: fc.nat(),
  headerMuts: fc.oneof({ weight: 4, arbitrary: fc.constant<Array<[number, LineMutation]>>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), lineMutationArb(family)), { maxLength: 2 }) }),
  rows: fc.array(lineCaseArb(family), { minLength: 0, maxLength: 12 }),
  extras: fc.oneof({ weight: 2, arbitrary: fc.constant<Extra[]>([]) }, { weight: 1, arbitrary: fc.array(extraArb, { maxLength: 4 }) }),
  joiner: fc.constantFrom<StreamCase['joiner']>('\n', '\n', '\n', '\r\n', '\r'),
  trailingNewline: fc.boolean(),
  bom: fc.boolean(),
  bytes: fc.oneof({ weight: 3, arbitrary: fc.constant<ByteMutation[]>([]) }, { weight: 1, arbitrary: fc.array(byteMutationArb, { maxLength: 3 }) }),
  gzip: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Gzip>('none') },
    { weight: 1, arbitrary: fc.constant<Gzip>('whole') },
    { weight: 1, arbitrary: fc.record({ cut: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ corrupt: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) }
  ),
  chunk: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 70_000 }), fc.constant(0)),
  format: fc.oneof({ weight: 6, arbitrary: fc.constant<'auto'>('auto') }, { weight: 1, arbitrary: fc.constantFrom<InputFormat>(...ALL_FORMATS) }),
  allowed: fc.constantFrom<StreamCase['allowed']>('all', 'all', 'all', 'network', 'telemetry', 'own'),
  maxLineLength: fc.option(fc.constantFrom(1, 16, 200, 1024, 4096), { nil: undefined, freq: 4 }),
  maxDocumentLength: fc.option(fc.constantFrom(1, 100, 5000), { nil: undefined, freq: 6 }),
  seed: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65535 })),
  input: fc.constantFrom('test', 'conn.log', 'dns.04:00:00-05:00:00.log.gz', 'eve.json', '-', '__proto__.log', '')
}, { requiredKeys: ['family', 'block', 'headerMuts', 'rows', 'extras', 'joiner', 'trailingNewline', 'bom', 'bytes', 'gzip', 'chunk', 'format', 'allowed', 'seed', 'input'] })

function pool (family: Family): string[] {
  const c = corpus()
  switch (family) {
    case 'zeek-tsv': return c.tsv.flatMap(b => b.body)
    case 'json-document': return c.documents.flat()
    default: return c.lines[family]
  }
}

function poolLine (family: Family, src: number): string {
  const p = pool(family)
  return p.length === 0 ? '' : p[src % p.length]
}

/** The lines of a case, before encoding. */
export function caseLines (c: StreamCase): string[] {
  const cor = corpus()
  let head: string[] = []
  let rows: string[]
  if (c.family === 'zeek-tsv') {
    const block = cor.tsv[c.block % cor.tsv.length]
    head = block.header.slice()
    rows = c.rows.map(r => r.muts.reduce(mutateLine, block.body.length > 0 ? block.body[r.src % block.body.length] : ''))
  } else if (c.family === 'json-document') {
    const docs = cor.documents
    const k = c.block % (docs.length + 2)
    if (k < docs.length) {
      rows = docs[k].slice()
    } else {
      const all = [...cor.records.eve, ...cor.records['zeek-json'], ...cor.records.sysmon, ...cor.records.osquery, ...cor.records.ecs]
      const elements: unknown[] = c.rows.map(r => all[r.src % all.length])
      if (k === docs.length + 1 && elements.length > 0) elements.splice(c.rows.length % elements.length, 0, 42, null, [], 'x')
      rows = JSON.stringify(k === docs.length + 1 || elements.length !== 1 ? elements : elements[0], null, 2).split('\n')
    }
    // mutations on lines of the document
    for (const r of c.rows) {
      if (r.muts.length === 0 || rows.length === 0) continue
      const i = r.src % rows.length
      rows[i] = r.muts.reduce(mutateLine, rows[i])
    }
  } else {
    rows = c.rows.map(r => r.muts.reduce(mutateLine, poolLine(c.family, r.src)))
  }
  for (const [i, mut] of c.headerMuts) {
    if (head.length > 0) head[i % head.length] = mutateLine(head[i % head.length], mut)
    else if (rows.length > 0) rows[i % rows.length] = mutateLine(rows[i % rows.length], mut)
  }
  const lines = [...head, ...rows]
  for (const e of c.extras) {
    const text = 'text' in e ? expand(e.text) : e.from === 'zeek-tsv' ? (() => { const b = cor.tsv[e.src % cor.tsv.length]; return [...b.header, ...b.body].join('\n') })() : poolLine(e.from, e.src)
    lines.splice(e.at % (lines.length + 1), 0, text)
  }
  return lines
}

/** The bytes, reader options and chunk size of a case. */
export function renderCase (c: StreamCase): { bytes: Buffer, chunk: number, options: { input: string, format: InputFormat | 'auto', maxLineLength?: number, maxDocumentLength?: number, communityIdSeed: number }, allowed: readonly InputFormat[] } {
  const lines = caseLines(c)
  let text = lines.join(c.joiner)
  if (c.trailingNewline) text += c.joiner
  let bytes = Buffer.from(text, 'utf8')
  if (c.bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])
  for (const m of c.bytes) {
    const at = m.at % (bytes.length + 1)
    if (m.b === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)])
    else if (m.b === 'truncate') bytes = bytes.subarray(0, at)
    else if (bytes.length > 0) { bytes = Buffer.from(bytes); bytes[at % bytes.length] = m.value }
  }
  if (c.gzip !== 'none') {
    let gz = gzipSync(bytes)
    if (typeof c.gzip === 'object' && 'cut' in c.gzip) gz = gz.subarray(0, c.gzip.cut % (gz.length + 1))
    else if (typeof c.gzip === 'object') gz[c.gzip.corrupt % gz.length] = c.gzip.value
    bytes = gz
  }
  // Tiny chunks only for small inputs (a 1 MiB input in 1-byte chunks tests nothing more).
  const chunk = c.chunk === 0 ? Math.max(1, bytes.length) : Math.max(c.chunk, Math.ceil(bytes.length / 4000))
  const allowed: readonly InputFormat[] = c.allowed === 'all'
    ? ALL_FORMATS
    : c.allowed === 'network'
      ? ['zeek-tsv', 'zeek-json', 'eve']
      : c.allowed === 'telemetry'
        ? ['sysmon', 'auditd', 'osquery', 'ecs']
        : c.family === 'json-document' ? ALL_FORMATS : [c.family]
  const format = c.format !== 'auto' && !allowed.includes(c.format) ? 'auto' : c.format
  const options: ReturnType<typeof renderCase>['options'] = { input: c.input, format, communityIdSeed: c.seed }
  if (c.maxLineLength !== undefined) options.maxLineLength = c.maxLineLength
  if (c.maxDocumentLength !== undefined) options.maxDocumentLength = c.maxDocumentLength
  return { bytes, chunk, options, allowed }
}

// ---------------------------------------------------------------------------------------------
// The stream property

const ONE_RECORD_PER_LINE = new Set(['zeek-tsv', 'zeek-json', 'eve', 'sysmon', 'ecs', 'unknown'])

/** Reads a case through a LogReader and checks every accounting and output invariant. */
export async function checkStreamCase (c: StreamCase): Promise<void> {
  const { bytes, chunk, options, allowed } = renderCase(c)
  const r = await withTimeout(`reading ${bytes.length} bytes`, TIME_LIMIT_MS, readThrough({ content: bytes, chunkSize: chunk }, options, allowed))
  checkRead(r, options.input, bytes.length)
}

/**
 * The invariants of one read: `records + deadLetters === inputRecords`, `inputRecords ===
 * dataLines` for one-record-per-line formats, every line counted once, every dead letter with
 * its input, a line in 1..lines, a bounded non-empty reason and bounded text, every event valid
 * against its schema, and no prototype touched.
 */
export function checkRead (r: { events: unknown[], deadLetters: DeadLetter[], stats: ReaderStats }, input: string, byteCount?: number): void {
  const s = r.stats
  const events = r.events as ScantagEvent[]
  const dls = r.deadLetters
  const where = `(format ${s.format}, ${s.lines} lines, ${s.records} records, ${s.deadLetters} dead letters, ${s.inputRecords} input records, ${s.dataLines} data lines)`
  if (events.length !== s.records) throw new Error(`${events.length} events emitted, stats.records ${s.records} ${where}`)
  if (dls.length !== s.deadLetters) throw new Error(`${dls.length} dead letters emitted, stats.deadLetters ${s.deadLetters} ${where}`)
  if (s.records + s.deadLetters !== s.inputRecords) throw new Error(`records + deadLetters !== inputRecords ${where}`)
  if (ONE_RECORD_PER_LINE.has(s.format) && s.inputRecords !== s.dataLines) throw new Error(`inputRecords !== dataLines for ${s.format} ${where}`)
  // A corrupt gzip archive is reported as one dead letter just past the last line read.
  const gzipErrors = dls.filter(d => d.reason.startsWith('gzip data is corrupt or truncated')).length
  if (gzipErrors > 1) throw new Error(`${gzipErrors} gzip dead letters`)
  if (s.dataLines + s.headerLines + s.blankLines !== s.lines + gzipErrors) throw new Error(`data + header + blank lines !== lines ${where}, ${s.headerLines} header, ${s.blankLines} blank`)
  if (byteCount !== undefined && s.bytes !== byteCount) throw new Error(`stats.bytes ${s.bytes} !== ${byteCount}`)
  for (const d of dls) {
    if (d.input !== input) throw new Error(`dead letter input ${d.input}`)
    const maxLine = s.lines + (d.reason.startsWith('gzip data is corrupt') ? 1 : 0)
    if (!Number.isInteger(d.line) || d.line < 1 || d.line > maxLine) throw new Error(`dead letter line ${d.line} outside 1..${maxLine}: ${d.reason.slice(0, 200)}`)
    if (typeof d.reason !== 'string' || d.reason.length === 0) throw new Error('dead letter without a reason')
    if (d.reason.length > MAX_REASON_LENGTH) throw new Error(`dead letter reason is ${d.reason.length} characters long: ${d.reason.slice(0, 200)}…`)
    if (typeof d.text !== 'string' || d.text.length > DEAD_LETTER_TEXT_LIMIT) throw new Error(`dead letter text is ${d.text.length} characters long`)
  }
  for (const ev of events) checkEvent(ev, input, s.lines)
  assertNoPollution()
}

// ---------------------------------------------------------------------------------------------
// Object-level records for the normalizers

/** Sets `value` at a slot of a deep copy of `record`, or adds `key`. */
type RecordMutation = { pick: number, value: unknown } | { key: string, value: unknown, nested: number }

function deepValue (n: number, open: '[' | '{'): unknown {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = open === '[' ? [v] : { a: v }
  return v
}

const jsValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WEIRD_JSON).map(s => JSON.parse(s) as unknown) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, 2 ** 64, -(2 ** 63), Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, -0, 1e21, 0.1 + 0.2) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.record({ n: fc.constantFrom(1000, 10_000, 50_000), open: fc.constantFrom<'[' | '{'>('[', '{') }).map(({ n, open }) => deepValue(n, open)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 300_000 }).map(n => '9'.repeat(n)) }
)

export const recordMutationArb: fc.Arbitrary<RecordMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ pick: fc.nat(), value: jsValueArb }) },
  { weight: 1, arbitrary: fc.record({ key: fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.constantFrom(...corpus().keys)), value: jsValueArb, nested: fc.nat() }) }
)

/** A deep copy of a real record with hostile values put in. Own `__proto__` keys are kept as own keys. */
export function mutateRecord (record: Record<string, unknown>, muts: RecordMutation[]): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>
  for (const m of muts) {
    if ('pick' in m) {
      const all = slots(copy, 400)
      if (all.length === 0) continue
      const [container, key] = all[m.pick % all.length]
      if (Array.isArray(container)) container[key as number] = m.value
      else Object.defineProperty(container, key, { value: m.value, enumerable: true, writable: true, configurable: true })
    } else {
      const objects = [copy, ...slots(copy, 400).map(([c, k]) => (c as Record<string | number, unknown>)[k]).filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))]
      const target = objects[m.nested % objects.length]
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
    }
  }
  return copy
}

const ctx = (format: RecordContext['format'] = 'zeek-json'): RecordContext => ({ input: 'fuzz', line: 1, format, communityIdSeed: 0 })

export type Normalizer = 'zeek-json' | 'eve' | 'sysmon' | 'osquery' | 'ecs' | 'auoms'

export function normalize (kind: Normalizer, r: Record<string, unknown>): Array<ScantagEvent | string> {
  switch (kind) {
    case 'zeek-json': return [zeekToEvent(r, ctx('zeek-json'))]
    case 'eve': return [eveToEvent(r, ctx('eve'))]
    case 'sysmon': return [sysmonToEvent(r, ctx())]
    case 'osquery': return osqueryToEvents(r, ctx())
    case 'ecs': return [ecsEndpointToEvent(r, ctx())]
    case 'auoms': return [auomsToEvent(r, ctx())]
  }
}

// ---------------------------------------------------------------------------------------------
// Text arbitraries for the small pure functions

const nastyChars = fc.constantFrom(' ', '\t', '\n', '\r', '"', "'", '\\', '$', '`', '&', '<', '>', ';', '=', ':', '.', '/', '-', ',', '[', ']', '{', '}', '%', '#', '0', '1', '9', 'a', 'x', 'T', 'Z', '+', '\0', '\u00e9', '\ud83d\ude00', '\ud800', '\u3000')
const nastyString = (maxLength: number): fc.Arbitrary<string> => fc.oneof(
  fc.string({ unit: nastyChars, maxLength }),
  fc.string({ unit: 'binary', maxLength }),
  fc.string({ unit: 'grapheme-ascii', maxLength })
)
const longString: fc.Arbitrary<string> = fc.record({ unit: fc.constantFrom('a', ' ', '"', '\\', '\\"', 'a"b ', "'", '1-2,', '\t', '10.0.0.0/8 ', '&lt', '<Data '), n: fc.integer({ min: 1000, max: 50_000 }) }).map(({ unit, n }) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n))

const ipArb: fc.Arbitrary<string> = fc.oneof(
  fc.ipV4(), fc.ipV6(), fc.ipV4Extended(),
  fc.ipV4().map(ip => '::ffff:' + ip), fc.ipV6().map(ip => ip + '%eth0'),
  fc.ipV4().map(ip => ip.split('.').map(o => o.padStart(3, '0')).join('.')),
  fc.constantFrom('fe80::1%eth0', '010.001.002.003', '::', '0.0.0.0', '255.255.255.255', '::ffff:10.1.2.3', '1.2.3', '1.2.3.4.5', '', 'a', '[::1]', '::ffff:0a01:0203', '1::2::3', 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255'),
  nastyString(20)
)

const portArb: fc.Arbitrary<number | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 65535 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 65536, 70000, 1.5, NaN, Infinity, -0, 2 ** 64, undefined) },
  { weight: 1, arbitrary: fc.integer() }
)

// ---------------------------------------------------------------------------------------------
// The properties

export interface FuzzProperty {
  name: string
  /** Runs in the bounded `npm test` run; `npm run fuzz` multiplies it. */
  runs: number
  property: () => fc.IAsyncProperty<any> | fc.IProperty<any>
}

const argvTokenArb = (): fc.Arbitrary<string> => {
  const options = new Set<string>()
  for (const t of NETWORK_TOOLS) {
    const a = t.arguments
    for (const list of [a.targetOptions, a.domainOptions, a.serverOptions, a.fileOptions, a.portOptions, a.excludeOptions, a.rangeOptions, a.randomOptions, a.rangeFlags, a.valueOptions]) for (const o of list ?? []) options.add(o)
    for (const sub of Object.keys(a.subcommands ?? {})) options.add(sub)
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...options) },
    { weight: 3, arbitrary: ipArb },
    { weight: 2, arbitrary: fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([ip, p]) => `${ip}/${p}`) },
    { weight: 2, arbitrary: fc.tuple(fc.ipV6(), fc.integer({ min: -1, max: 130 })).map(([ip, p]) => `${ip}/${p}`) },
    { weight: 2, arbitrary: fc.constantFrom('10.1.2.1-254', '10.1.1-3.0-255', '10.1.2.1,2,3', '10.1.2.*', '10.1.2.x', '10.1.2.1-10.1.2.50', '1-254.1-254.1-254.1-254', '0-255.0-255.0-255.0-255', 'http://10.1.10.20:8080/FUZZ', 'https://[::1]:99999/', 'http://10.1.2.[1-254]/', 'http://{a,b}.example/', '10.1.2.3:80', '[2001:db8::1]:443', '10.1.2.0:255.255.255.0', '10.1.2.3:1-65535', 'T:80,U:53', '1-65535', '-', '0-0', '65536', '80,443,1000-2000,-5', 'www.acme.example', 'acme.example.', '-iL', 'targets.txt', '--', 'sudo', 'env', 'timeout', '10', 'bash', '-c', 'nmap 10.1.2.0/24', 'cmd', '/c', 'python3', 'x.py', 'proxychains', '-f:range', '-g', '--exclude', '10.1.2.5') },
    { weight: 2, arbitrary: nastyString(30) },
    { weight: 1, arbitrary: longString }
  )
}

const isoDateArb: fc.Arbitrary<Date> = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59.999Z'), noInvalidDate: true })

export const PROPERTIES: FuzzProperty[] = [
  // --- the reader stream, one property per input family -------------------------------------
  ...FAMILIES.map((family): FuzzProperty => ({
    name: `reader: mutated ${family} input`,
    runs: family === 'zeek-tsv' || family === 'eve' ? 360 : 240,
    property: () => fc.asyncProperty(streamCaseArb(family), checkStreamCase)
  })),
  {
    name: 'reader: random bytes',
    runs: 200,
    property: () => fc.asyncProperty(
      fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 700 }), fc.constantFrom<InputFormat | 'auto'>('auto', ...ALL_FORMATS), fc.boolean(),
      async (data, chunk, format, gzip) => {
        const bytes = gzip ? gzipSync(data) : Buffer.from(data)
        const r = await withTimeout('random bytes', TIME_LIMIT_MS, readThrough({ content: bytes, chunkSize: chunk }, { input: 'rnd', format }))
        checkRead(r, 'rnd', bytes.length)
      })
  },
  // --- pure functions --------------------------------------------------------------------------
  {
    name: 'sniffLine on random lines',
    runs: 2000,
    property: () => fc.property(fc.oneof(nastyString(200), fc.constantFrom(...corpus().lines.eve.slice(0, 20), ...ZEEK_HEADERS).chain(l => fc.tuple(fc.constant(l), lineMutationArb('any')).map(([x, m]) => mutateLine(x, m)))), line => {
      const s = timed('sniffLine', CALL_LIMIT_MS, () => sniffLine(line))
      if (!['blank', 'unknown', 'json-document', ...ALL_FORMATS].includes(s)) throw new Error(`sniffLine returned ${s}`)
      assertNoPollution()
    })
  },
  {
    name: 'Zeek TSV state machine: headers changing mid-stream, hostile columns',
    runs: 800,
    property: () => fc.property(
      fc.nat(), fc.array(fc.oneof(
        { weight: 4, arbitrary: fc.tuple(fc.constant('row' as const), fc.nat(), fc.array(lineMutationArb('zeek-tsv'), { maxLength: 2 })) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('header' as const), fc.oneof({ weight: 8, arbitrary: fc.constantFrom<Text>(...ZEEK_HEADERS) }, { weight: 1, arbitrary: longHeaderArb }), fc.array(lineMutationArb('zeek-tsv'), { maxLength: 1 })) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('block' as const), fc.nat(), fc.constant([] as LineMutation[])) }
      ), { maxLength: 20 }),
      (first, steps) => {
        const blocks = corpus().tsv
        const state = createZeekTsvState()
        const feed = (line: string): void => {
          const res = timed('parseZeekTsvLine', CALL_LIMIT_MS, () => parseZeekTsvLine(state, line))
          if (res.type === 'error') {
            if (res.reason.length === 0 || res.reason.length > MAX_REASON_LENGTH) throw new Error(`bad reason (${res.reason.length} chars)`)
          } else if (res.type === 'record') {
            const ev = timed('zeekToEvent', CALL_LIMIT_MS, () => zeekToEvent(res.record, ctx('zeek-tsv')))
            checkResult(ev)
          } else if (res.type !== 'header') {
            throw new Error(`unexpected result ${JSON.stringify(res)}`)
          }
        }
        let block = blocks[first % blocks.length]
        for (const l of block.header) feed(l)
        for (const [kind, n, muts] of steps) {
          if (kind === 'block') { block = blocks[(n as number) % blocks.length]; for (const l of block.header) feed(l); continue }
          const base = kind === 'header' ? expand(n as Text) : block.body.length > 0 ? block.body[(n as number) % block.body.length] : ''
          feed(muts.reduce(mutateLine, base))
        }
        assertNoPollution()
      })
  },
  ...(['zeek-json', 'eve', 'sysmon', 'osquery', 'ecs', 'auoms'] as const).map((kind): FuzzProperty => ({
    name: `normalizer ${kind}: real records with hostile values`,
    runs: 1500,
    property: () => fc.property(fc.nat(), fc.array(recordMutationArb, { minLength: 1, maxLength: 4 }), (src, muts) => {
      const records = corpus().records[kind]
      const r = mutateRecord(records[src % records.length], muts)
      const out = timed(`${kind} normalizer`, CALL_LIMIT_MS, () => normalize(kind, r))
      for (const x of out) checkResult(x)
      assertNoPollution()
    })
  })),
  {
    name: 'auditd: assembler accounts for every line',
    runs: 500,
    property: () => fc.property(fc.array(fc.oneof(
      { weight: 5, arbitrary: fc.tuple(fc.nat(), fc.array(lineMutationArb('auditd'), { maxLength: 2 })).map(([src, muts]) => muts.reduce(mutateLine, poolLine('auditd', src))) },
      { weight: 1, arbitrary: nastyString(80) }
    ), { maxLength: 40 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 40 }), (lines, serials, events) => {
      const a = new AuditAssembler({ input: 'fuzz', maxPendingSerials: serials, maxPendingEvents: events })
      let nonBlank = 0
      let accounted = 0
      const take = (outs: ReturnType<AuditAssembler['flush']>): void => {
        for (const o of outs) {
          if ('dead' in o) {
            accounted++
            checkResult(o.dead.reason)
            if (o.dead.text.length > DEAD_LETTER_TEXT_LIMIT) throw new Error('dead letter text over the cap')
          } else {
            accounted += o.lines.length
            checkEvent(o.event, 'fuzz', lines.length)
          }
        }
      }
      lines.forEach((l, i) => {
        if (l.trim().length > 0) nonBlank++
        take(timed('AuditAssembler.push', CALL_LIMIT_MS, () => a.push(l, i + 1)))
      })
      take(a.flush())
      if (accounted !== nonBlank) throw new Error(`${nonBlank} non-blank lines, ${accounted} accounted for`)
      assertNoPollution()
    })
  },
  {
    name: 'auditd: value decoders',
    runs: 1500,
    property: () => fc.property(nastyString(80), fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{0,80}$/), nastyString(40)), fc.array(fc.dictionary(fc.oneof(fc.constantFrom('argc', 'a0', 'a1', 'a0_len', 'a0[0]', 'a0[1]', 'a1[0]', '__proto__'), fc.string({ maxLength: 5 })), fc.oneof(fc.constantFrom(...WEIRD_AUDIT), nastyString(20))), { maxLength: 3 }), (s, hex, records) => {
      timed('parseAuditLine', CALL_LIMIT_MS, () => parseAuditLine(s))
      timed('decodeAuditValue', CALL_LIMIT_MS, () => decodeAuditValue(s))
      const argv = decodeProctitle(hex)
      if (!Array.isArray(argv)) throw new Error('decodeProctitle')
      const sa = parseSockaddr(hex)
      if (sa !== undefined && sa.port !== undefined && !(Number.isInteger(sa.port) && sa.port >= 0 && sa.port <= 65535)) throw new Error(`sockaddr port ${sa.port}`)
      const args = timed('execveArgs', CALL_LIMIT_MS, () => execveArgs(records))
      if (args !== undefined && (!Array.isArray(args) || args.length > 1_000_000)) throw new Error('execveArgs')
      assertNoPollution()
    })
  },
  {
    name: 'Sysmon XML reader and entity decoder',
    runs: 1500,
    property: () => fc.property(fc.oneof(
      fc.string({ unit: fc.constantFrom('<Event>', '</Event>', '<System>', '</System>', '<EventID>', '1', '</EventID>', '<EventData>', '</EventData>', '<Data Name="Image">', '<Data Name=\'a\'>', '</Data>', '<Data/>', '<![CDATA[', ']]>', '&lt;', '&lt ', '&#60;', '&#x3C;', '&#xFFFFFFFF;', '&amp', '"', "'", '>', '<', ' ', 'Sysmon', '<TimeCreated SystemTime="2026-01-01T00:00:00Z"/>', 'x'), maxLength: 60 }),
      nastyString(200),
      longString,
      fc.tuple(fc.constantFrom(...corpus().records.sysmon.map(r => r.SyslogMessage).filter((m): m is string => typeof m === 'string')), lineMutationArb('any')).map(([x, m]) => mutateLine(x, m))
    ), xml => {
      const x = timed('parseSysmonXml', CALL_LIMIT_MS, () => parseSysmonXml(xml))
      if (typeof x !== 'string' && (x === null || typeof x.data !== 'object')) throw new Error('parseSysmonXml result')
      const u = timed('unescapeXml', CALL_LIMIT_MS, () => unescapeXml(xml))
      if (u.length > xml.length) throw new Error(`unescapeXml grew the text: ${xml.length} -> ${u.length}`)
      timed('unescapeZeek', CALL_LIMIT_MS, () => unescapeZeek(xml))
      assertNoPollution()
    })
  },
  {
    name: 'command-line splitters on random strings',
    runs: 800,
    property: () => fc.property(fc.oneof({ weight: 4, arbitrary: nastyString(200) }, { weight: 1, arbitrary: longString }, { weight: 1, arbitrary: fc.integer({ min: MAX_COMMAND_LINE_LENGTH - 4, max: MAX_COMMAND_LINE_LENGTH + 10_000 }).map(n => 'a "b\\" c'.repeat(Math.ceil(n / 8)).slice(0, n)) }), fc.constantFrom<'crt' | 'shell32'>('crt', 'shell32'), (s, doubledQuote) => {
      for (const [name, split] of [['windows', () => splitWindowsCommandLine(s, { doubledQuote })], ['posix', () => splitPosixCommandLine(s)]] as const) {
        const argv = timed(`${name} splitter`, CALL_LIMIT_MS, split)
        if (!Array.isArray(argv) || argv.some(a => typeof a !== 'string')) throw new Error(`${name}: not a string[]`)
        const total = argv.reduce((n, a) => n + a.length, 0)
        if (total > Math.min(s.length, MAX_COMMAND_LINE_LENGTH)) throw new Error(`${name}: ${total} characters out of ${s.length} in`)
      }
      assertNoPollution()
    })
  },
  {
    name: 'commandLineTargets / targetsInclude / describeTargets on random argv',
    runs: 800,
    property: () => fc.property(
      fc.oneof(fc.constantFrom(...NETWORK_TOOLS.map(t => t.executables[0].replace('*', ''))), nastyString(10)),
      fc.array(argvTokenArb(), { maxLength: 12 }),
      fc.array(ipArb, { maxLength: 8 }),
      fc.boolean(),
      (program, rest, ips, explicitTool) => {
        const argv = [program, ...rest]
        const tool = explicitTool ? networkToolFor(program) : undefined
        const t = timed('commandLineTargets', CALL_LIMIT_MS, () => commandLineTargets(argv, tool))
        if (t.networks.length > MAX_TARGET_RANGES || t.excluded.length > MAX_TARGET_RANGES) throw new Error('ranges over the cap')
        if (t.hosts.length > MAX_TARGET_HOSTS || t.files.length > MAX_TARGET_FILES || t.ports.length > MAX_PORT_RANGES) throw new Error('names over the cap')
        let prev = -2
        for (const [a, b] of t.ports) {
          if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= 65535 && a <= b && a > prev + 1)) throw new Error(`ports not sorted, merged and in range: ${JSON.stringify(t.ports)}`)
          prev = b
        }
        JSON.stringify(t)
        for (const ip of ips) {
          const inside = timed('targetsInclude', CALL_LIMIT_MS, () => targetsInclude(t, ip))
          if (typeof inside !== 'boolean') throw new Error('targetsInclude')
        }
        if (typeof describeTargets(t) !== 'string') throw new Error('describeTargets')
        assertNoPollution()
      })
  },
  {
    name: 'targetsInclude agrees with a reference CIDR test',
    runs: 600,
    property: () => fc.property(fc.ipV4(), fc.integer({ min: 8, max: 32 }), fc.array(fc.oneof(fc.ipV4(), fc.ipV4().map(ip => '::ffff:' + ip)), { minLength: 1, maxLength: 8 }), (net, prefix, ips) => {
      const toN = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0)
      const mask = prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix))
      const base = toN(net)
      const t = commandLineTargets(['nmap', '-sS', `${net}/${prefix}`])
      for (const ip of ips) {
        const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip
        const want = Math.floor(toN(v4) / 2 ** (32 - prefix)) === Math.floor(base / 2 ** (32 - prefix))
        if (targetsInclude(t, ip) !== want) throw new Error(`targetsInclude(${net}/${prefix}, ${ip}) should be ${want} (mask ${mask})`)
      }
      assertNoPollution()
    })
  },
  {
    name: 'parseIsoTime / parseZeekTs: undefined or a finite number',
    runs: 1500,
    property: () => fc.property(fc.oneof(
      nastyString(40),
      fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}[T t][0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]{0,12})?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?$/),
      fc.constantFrom(...WEIRD_JSON).map(s => { const v = JSON.parse(s) as unknown; return typeof v === 'string' ? v : s })
    ), fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.double(), fc.constantFrom(Infinity, 1e309, 2 ** 64, -1, 1e11, 1e11 - 1)), (s, v) => {
      for (const t of [parseIsoTime(s), parseZeekTs(s), parseZeekTs(v)]) {
        if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t))) throw new Error(`time parser returned ${String(t)} for ${JSON.stringify(s)} / ${String(v)}`)
      }
    })
  },
  {
    name: 'parseIsoTime agrees with Date.parse on 1970..2100',
    runs: 800,
    property: () => fc.property(isoDateArb, fc.constantFrom('Z', '+0000', '+00:00', '', '-05:30', '+14:00'), (d, zone) => {
      const iso = d.toISOString().slice(0, 23) + zone
      const offset = zone === '' || zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(-2)) * 60)
      const want = d.getTime() / 1000 - offset
      const got = parseIsoTime(iso)
      if (got === undefined || Math.abs(got - want) > 1e-6) throw new Error(`parseIsoTime(${iso}) = ${String(got)}, want ${want}`)
      if (parseZeekTs(iso) !== got) throw new Error('parseZeekTs disagrees')
    })
  },
  {
    name: 'communityId on random tuples',
    runs: 1500,
    property: () => fc.property(
      fc.oneof(fc.constantFrom(1, 6, 17, 58, 132, 47, 0, 255), fc.integer({ min: -5, max: 300 }), fc.constantFrom(1.5, NaN, Infinity)),
      fc.oneof(ipArb, fc.constantFrom(...corpus().flows.map(f => f[1]))), fc.oneof(ipArb, fc.constantFrom(...corpus().flows.map(f => f[2]))),
      portArb, portArb, fc.integer({ min: 0, max: 65535 }),
      (proto, a, b, sp, dp, seed) => {
        const id = communityId(proto, a, b, sp, dp, seed)
        if (id !== undefined && !/^1:[A-Za-z0-9+/]{27}=$/.test(id)) throw new Error(`community id ${id}`)
        if (id !== undefined && (proto === 6 || proto === 17 || proto === 132)) {
          const back = communityId(proto, b, a, dp, sp, seed)
          if (back !== id) throw new Error(`not symmetric: ${id} vs ${String(back)}`)
        }
        assertNoPollution()
      })
  },
  {
    name: 'knowledge-table matchers on random text',
    runs: 600,
    property: () => fc.property(fc.oneof(nastyString(100), longString), fc.option(fc.integer({ min: 1_999_990, max: 3_000_010 }), { nil: undefined }), (s, sid) => {
      timed('knowledge matchers', CALL_LIMIT_MS, () => {
        scannerUserAgentFor(s); wordlistToolForUserAgent(s); vulnerablePathFor(s); normalizeRequestPath(s)
        lookupZoneFor(s.toLowerCase()); networkToolFor(s)
        alertRuleFor({ signature: s, signatureId: sid, category: s, metadata: { mitre_technique_id: [s, 'T1595.002'] } })
      })
      assertNoPollution()
    })
  }
]

/** Runs one property with fast-check; throws fast-check's report (seed, path, counterexample) on failure. */
export async function runProperty (p: FuzzProperty, opts: { scale?: number, seed?: number, path?: string, onRun?: () => void } = {}): Promise<number> {
  const numRuns = Math.max(1, Math.round(p.runs * (opts.scale ?? 1)))
  const params: fc.Parameters<unknown> = { numRuns }
  if (opts.seed !== undefined) params.seed = opts.seed
  if (opts.path !== undefined) params.path = opts.path
  if (opts.onRun !== undefined) params.plugins = [fc.beforeEach(opts.onRun)]
  await fc.assert(p.property() as fc.IAsyncProperty<unknown>, params)
  return numRuns
}
