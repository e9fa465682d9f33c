/**
 * Fuzzing corpus: real lines from `test/fixtures/**`, grouped by the format the reader
 * recognises them as, and the mutations applied to them.
 *
 * Mutations are plain data (descriptors), so that a failing case prints compactly in
 * fast-check's counterexample (a 1 MiB line is `{ big: 'A', n: 1048577 }`, not the line) and
 * can be replayed from it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sniffLine } from '../../lib/parse/sniff.js'

/** The input families the stream properties draw from. */
export type Family = 'zeek-tsv' | 'zeek-json' | 'eve' | 'sysmon' | 'auditd' | 'osquery' | 'ecs' | 'json-document'
export const FAMILIES: readonly Family[] = ['zeek-tsv', 'zeek-json', 'eve', 'sysmon', 'auditd', 'osquery', 'ecs', 'json-document']

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** A Zeek TSV file: its leading header block and the lines after it (rows and later headers). */
export interface TsvBlock { file: string, header: string[], body: string[] }

export interface Corpus {
  /** Non-blank lines per line-oriented family. */
  lines: Record<Exclude<Family, 'zeek-tsv' | 'json-document'>, string[]>
  tsv: TsvBlock[]
  /** Pretty-printed JSON documents, as lines. */
  documents: string[][]
  /** Parsed JSON records per JSON family (for object-level fuzzing). */
  records: Record<'zeek-json' | 'eve' | 'sysmon' | 'osquery' | 'ecs' | 'auoms', Array<Record<string, unknown>>>
  /** Every key seen in the JSON records (any depth), for key insertion. */
  keys: string[]
  /** Community ID vectors: [proto, saddr, daddr, sport, dport]. */
  flows: Array<[number, string, string, number | undefined, number | undefined]>
}

function listFiles (dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = dir + e.name
    if (e.isDirectory()) out.push(...listFiles(p + '/'))
    else out.push(p)
  }
  return out.sort()
}

function collectKeys (v: unknown, into: Set<string>, depth: number): void {
  if (depth > 4 || v === null || typeof v !== 'object') return
  if (Array.isArray(v)) { for (const x of v.slice(0, 4)) collectKeys(x, into, depth + 1); return }
  for (const [k, x] of Object.entries(v)) { into.add(k); collectKeys(x, into, depth + 1) }
}

let cached: Corpus | undefined

/** Loads (once) every fixture file and sorts its lines by format. */
export function corpus (): Corpus {
  if (cached !== undefined) return cached
  const c: Corpus = {
    lines: { 'zeek-json': [], eve: [], sysmon: [], auditd: [], osquery: [], ecs: [] },
    tsv: [],
    documents: [],
    records: { 'zeek-json': [], eve: [], sysmon: [], osquery: [], ecs: [], auoms: [] },
    keys: [],
    flows: []
  }
  const keys = new Set<string>()
  for (const file of listFiles(FIXTURES)) {
    const name = file.slice(FIXTURES.length)
    if (name.startsWith('plugins/') || name.endsWith('.md')) continue
    const text = readFileSync(file, 'utf8')
    if (name.startsWith('community-id/')) {
      for (const v of JSON.parse(text) as Array<{ proto: number, saddr: string, daddr: string, sport?: number, dport?: number }>) {
        c.flows.push([v.proto, v.saddr, v.daddr, v.sport, v.dport])
      }
      continue
    }
    const lines = text.split('\n').map(l => l.endsWith('\r') ? l.slice(0, -1) : l)
    let format: string = 'unknown'
    for (const l of lines) {
      const s = sniffLine(l)
      if (s !== 'blank' && s !== 'unknown') { format = s; break }
    }
    if (format === 'zeek-tsv') {
      const firstData = lines.findIndex(l => l.length > 0 && !l.startsWith('#') && !/^[\t ]+#/.test(l))
      const cut = firstData < 0 ? lines.length : firstData
      c.tsv.push({ file: name, header: lines.slice(0, cut), body: lines.slice(cut).filter(l => l.length > 0) })
      continue
    }
    if (format === 'json-document') {
      c.documents.push(lines)
      const doc = JSON.parse(text) as unknown
      collectKeys(doc, keys, 0)
      continue
    }
    if (format === 'unknown') continue
    const family = format as keyof Corpus['lines']
    for (const l of lines) {
      if (l.trim().length === 0) continue
      c.lines[family].push(l)
      if (l.startsWith('{')) {
        try {
          const r = JSON.parse(l) as Record<string, unknown>
          collectKeys(r, keys, 0)
          const kind = family === 'auditd' ? 'auoms' : family
          c.records[kind].push(r)
        } catch { /* a deliberately broken fixture line */ }
      }
    }
  }
  c.keys = [...keys].sort()
  cached = c
  return c
}

// ---------------------------------------------------------------------------------------------
// Values and tokens

/** A long repetition, kept small in counterexamples: `pre + big * n + post + close * n`. */
export interface Big { big: string, n: number, pre?: string, post?: string, close?: string }
export type Text = string | Big

export function expand (t: Text): string {
  if (typeof t === 'string') return t
  return (t.pre ?? '') + t.big.repeat(t.n) + (t.post ?? '') + (t.close ?? '').repeat(t.n)
}

/** Raw JSON texts of hostile values: huge and out-of-range numbers, odd addresses and times. */
export const WEIRD_JSON: readonly string[] = [
  '1e309', '-1e309', '18446744073709551616', '18446744073709551615', '9007199254740993', '-0', '1e-400',
  '0.5', '-1', '0', '65535', '65536', '70000', '-65536', '1.5', '4294967295', '4294967296', '1e21', '255', '256',
  'null', 'true', 'false', '[]', '{}', '[1]', '["a"]', '""', '"-"', '"(empty)"', '"\\u0000"', '"\\ud800"', '"a\\u0000b"',
  '"1e309"', '"18446744073709551616"', '"-1"', '"65536"', '"99999"', '"0x10"', '" 42"', '"4.2"', '"NaN"', '"Infinity"',
  '"::ffff:10.1.2.3"', '"::ffff:0a01:0203"', '"fe80::1%eth0"', '"fe80::1%25eth0"', '"010.001.002.003"', '"1.2.3"',
  '"1.2.3.4.5"', '"256.1.1.1"', '"0.0.0.0"', '"::"', '"a"', '"[::1]"', '"1.2.3.4:80"', '"10.0.0.0/8"',
  '"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"', '"1:abc"', '"1:AAAAAAAAAAAAAAAAAAAAAAAAAAA="',
  '"1970-01-01T00:00:00Z"', '"1970-01-01T00:00:00.000000+0000"', '"1969-12-31T23:59:59.999999Z"',
  '"2100-01-01T00:00:00Z"', '"2100-12-31T23:59:59.999999+23:59"', '"2026-02-30T00:00:00Z"', '"2026-11-26T24:00:00Z"',
  '"0000-01-01T00:00:00Z"', '"9999-12-31T23:59:60Z"', '"2026-11-26T19:38:49.987264"', '"2026-11-26 19:38:49,1"',
  '"2026-11-26T19:38:49.' + '9'.repeat(40) + 'Z"', '4102444800', '4102444800000', '1e11', '-62135596800', '"1795721937.001"',
  '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"prototype":{"polluted":1}}',
  '{"#text":"1"}', '{"#attributes":{"SystemTime":"x"}}', '[{"Name":"__proto__","#text":"x"}]',
  '"constructor"', '"__proto__"', '"toString"', '"hasOwnProperty"', '"valueOf"', '{"toString":1}', '[{"toString":1}]'
]

/** Raw Zeek TSV column tokens. */
export const WEIRD_TSV: readonly string[] = [
  '-', '(empty)', '\\x2d', '\\x28empty)', '\\xff\\xfe', '\\x00', '\\', '\\x', '\\x4', '\\\\', '1e309', '18446744073709551616',
  '-1', '65536', '99999', '1.5', '-0.0', '.5', '5.', '+1', 'T', 'F', 'x', '', ',', ',,', 'a,b,-,(empty)', '0', '4102444800.000001',
  '-1.5', '::ffff:10.1.2.3', 'fe80::1%eth0', '010.001.002.003', '1e-400', 'NaN', 'Infinity', '__proto__', 'constructor'
]

/** Raw audit field values. */
export const WEIRD_AUDIT: readonly string[] = [
  '-1', '4294967295', '18446744073709551616', '"quoted', '\'single', '{ brace', '""', '(null)', '?', 'ZZ', '0', '00',
  '0200', '02000050', '0A00', '0a000050000000000000000000000000000000000000000000000000', '01002f746d70', '0100',
  '02001F900A0102030000000000000000', '"__proto__"', 'abc def', '=', '=='
]

/** Replacement `msg=audit(...)` headers. */
export const WEIRD_AUDIT_HEADERS: readonly string[] = [
  'msg=audit(0.000:0):', 'msg=audit(4102444800.999:1):', 'msg=audit(99999999999999999999.1:1):', 'msg=audit(1.:1):',
  'msg=audit(1795721937.001:18446744073709551616):', 'msg=audit(:1):', 'msg=audit(1:2)', 'msg=audit(1.2:)',
  'msg=audit(-1.0:1):', 'msg=audit(' + '9'.repeat(400) + '.1:1):'
]

/** Keys inserted into JSON objects: prototype-polluting names and field names of the formats. */
export const SPECIAL_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'polluted']

/** Synthetic Zeek header lines (a mid-stream change of separators, fields or types). */
export const ZEEK_HEADERS: readonly string[] = [
  '#separator \\x09', '#separator \\x2c', '#separator \\x7c', '#separator\t\\x09', '#separator', '#separator ',
  '#set_separator\t;', '#set_separator\t', '#set_separator', '#unset_field\t(empty)', '#empty_field\t-', '#unset_field\t',
  '#path\tdns', '#path\tconn', '#path\t__proto__', '#open\t2100-01-01-00-00-00', '#close\t1970-01-01-00-00-00',
  '#fields', '#fields\t', '#types', '#types\tstring', '#types\ttime\tport\tport\tcount',
  '#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\taddr\tport\taddr\tport\tenum',
  '#fields\tts\t__proto__\tconstructor\tprototype', '#types\ttime\tstring\tstring\tstring',
  '#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto   label   detailed-label',
  '#types\tdouble\tset[addr]\tvector[port]\ttable[string,count]\tset[set[string]]\tbool',
  '#comment anything', '#'
]
