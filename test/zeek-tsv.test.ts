import t from 'tap'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createZeekTsvState, parseZeekTsvLine, unescapeZeek } from '../lib/parse/zeek-tsv.js'
import type { ZeekTsvResult, ZeekTsvState } from '../lib/parse/zeek-tsv.js'

const dir = fileURLToPath(new URL('./fixtures/zeek-tsv/', import.meta.url))

interface Parsed {
  state: ZeekTsvState
  results: ZeekTsvResult[]
  records: Array<Record<string, unknown>>
  errors: Array<{ line: number, reason: string }>
  headers: string[]
}

function parseText (text: string): Parsed {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const state = createZeekTsvState()
  const out: Parsed = { state, results: [], records: [], errors: [], headers: [] }
  lines.forEach((line, i) => {
    const r = parseZeekTsvLine(state, line)
    out.results.push(r)
    if (r.type === 'record') out.records.push(r.record)
    else if (r.type === 'error') out.errors.push({ line: i + 1, reason: r.reason })
    else out.headers.push(r.directive)
  })
  return out
}

function parseFixture (name: string): Parsed {
  return parseText(readFileSync(dir + name, 'utf8'))
}

t.test('zat conn.log (Bro 2.x, table[string])', async (t) => {
  const p = parseFixture('zat-conn-bro2.log')
  t.same(p.errors, [])
  t.equal(p.records.length, 5)
  t.same(p.headers, ['separator', 'set_separator', 'empty_field', 'unset_field', 'path', 'open', 'fields', 'types', 'close'])
  t.equal(p.state.path, 'conn')
  t.equal(p.state.open, '2014-04-03-10-08-27')
  t.equal(p.state.close, '2014-04-03-10-08-28')
  const r = p.records[0]
  t.strictSame(Object.keys(r).slice(0, 4), ['_path', 'ts', 'uid', 'id.orig_h'])
  t.equal(r._path, 'conn')
  t.equal(r.ts, 1379288667.706265)
  t.equal(r.uid, 'CoyZrY2g74UvMMgp4a')
  t.equal(r['id.orig_h'], '192.168.33.10')
  t.equal(r['id.orig_p'], 1032)
  t.equal(r['id.resp_p'], 80)
  t.equal(r.proto, 'tcp')
  t.equal(r.duration, 0.44746)
  t.equal(r.orig_bytes, 601)
  t.equal(r.resp_ip_bytes, 39641)
  t.equal(r.history, 'ShADadR')
  t.strictSame(r.tunnel_parents, [], 'table[string] (empty) → []')
  t.notOk('local_orig' in r, 'unset bool → key absent')
  t.equal(p.state.types?.[19], 'table[string]')
})

t.test('zat conn_date_issue.log: #separator<TAB>\\x09', async (t) => {
  const p = parseFixture('zat-conn_date_issue.log')
  t.same(p.errors, [])
  t.equal(p.state.separator, '\t')
  t.equal(p.records.length, 3)
  t.equal(p.records[0].ts, 1647504456.038126)
  t.equal(p.records[0]['id.orig_p'], 50527)
  t.equal(p.records[0].conn_state, 'SH')
  t.notOk('tunnel_parents' in p.records[0])
  t.notOk('service' in p.records[0])
  t.equal(p.records[2].service, 'ssl')
  t.equal(p.records[2].duration, 1.235504)
})

t.test('zat http.log: vectors, table[enum], unset', async (t) => {
  const p = parseFixture('zat-http.log')
  t.same(p.errors, [])
  t.equal(p.records.length, 5)
  const r = p.records[0]
  t.equal(r._path, 'http')
  t.equal(r.ts, 1379288667.668082)
  t.equal(r.method, 'GET')
  t.equal(r.host, 'guyspy.com')
  t.equal(r.user_agent, 'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0)')
  t.equal(r.status_code, 301)
  t.equal(r.status_msg, 'Moved Permanently')
  t.strictSame(r.tags, [])
  t.strictSame(r.resp_fuids, ['Fnjq3r4R0VGmHVWiN5'])
  t.strictSame(r.resp_mime_types, ['text/html'])
  t.notOk('orig_fuids' in r)
  t.notOk('referrer' in r)
  t.equal(p.records[2].referrer, 'http://www.guyspy.com/')
  t.notOk('resp_fuids' in p.records[4], 'row with unset vector')
  t.equal(p.records[4].ts, 1379288672.987145)
})

t.test('irongirl101 conn.log (Zeek >= 6, ip_proto)', async (t) => {
  const p = parseFixture('irongirl101-conn.log')
  t.same(p.errors, [])
  t.equal(p.records.length, 5)
  const r = p.records[0]
  t.equal(r.ts, 1391765555.371909)
  t.equal(r['id.resp_p'], 25)
  t.equal(r.local_orig, true)
  t.equal(r.local_resp, true)
  t.equal(r.ip_proto, 6)
  t.equal(r.orig_ip_bytes, 44)
  t.strictSame(Object.keys(r).slice(-2), ['resp_ip_bytes', 'ip_proto'])
})

t.test('SIMIR noticeNew.log: raw UTF-8, set[enum], ts 0', async (t) => {
  const p = parseFixture('simir-noticeNew.log')
  t.same(p.errors, [])
  t.equal(p.records.length, 7)
  const r0 = p.records[0]
  t.equal(r0.ts, 0)
  t.equal(r0.note, 'Intel_Framework_Ready')
  t.equal(r0.msg, '[SYSTEM] [INFO] SIMIR Intelligence Framework pronto para produção')
  t.strictSame(r0.actions, ['Notice::ACTION_LOG'])
  t.strictSame(r0.email_dest, [])
  t.equal(r0.suppress_for, 3600)
  t.notOk('uid' in r0)
  const last = p.records[6]
  t.equal(last.note, 'PortScan::Closed_Port_Access')
  t.equal(last.src, 'fe80::1a31:bfff:fed5:2eb9')
})

t.test('IoT-23 merged label column', async (t) => {
  const p = parseFixture('iot23-34-1-conn.log.labeled')
  t.same(p.errors, [])
  t.equal(p.records.length, 11)
  t.strictSame(p.state.fields?.slice(-3), ['tunnel_parents', 'label', 'detailed-label'])
  t.strictSame(p.state.types?.slice(-3), ['set[string]', 'string', 'string'])
  const benign = p.records[0]
  t.equal(benign.ts, 1545403816.962094)
  t.equal(benign.label, 'Benign')
  t.notOk('detailed-label' in benign, "'-' detailed-label → absent")
  t.notOk('tunnel_parents' in benign)
  const scan = p.records.filter((r) => r['detailed-label'] === 'PartOfAHorizontalPortScan')
  t.equal(scan.length, 3)
  t.equal(scan[0].ts, 1545426295.412093)
  t.equal(scan[0]['id.resp_h'], '66.67.61.168')
  t.equal(scan[0]['id.resp_p'], 63798)
  t.equal(scan[0].label, 'Malicious')
  t.equal(scan[0].orig_pkts, 3069)
  t.equal(scan[2]['id.orig_p'], 0)
  t.equal(p.records.filter((r) => r['detailed-label'] === 'C&C').length, 3)
  t.equal(p.records.filter((r) => r['detailed-label'] === 'DDoS').length, 2)
  // the last key is the last split column, _path still first
  t.equal(Object.keys(scan[0])[0], '_path')
  t.equal(Object.keys(scan[0]).at(-1), 'detailed-label')
})

t.test('IoT-23 merged column: wrong part count is an error', async (t) => {
  const p = parseFixture('iot23-34-1-conn.log.labeled')
  const bad = '1545403816.962094\tCx\t192.168.1.195\t41040\t185.244.25.235\t80\ttcp\t-\t-\t-\t-\tS0\t-\t-\t0\tS\t1\t60\t0\t0\t-   Benign'
  const r = parseZeekTsvLine(p.state, bad)
  t.equal(r.type, 'error')
  if (r.type === 'error') t.match(r.reason, /should hold 3 values/)
  // labels separated by tabs instead (all columns present) are read too
  const tabbed = '1545403816.962094\tCx\t192.168.1.195\t41040\t185.244.25.235\t80\ttcp\t-\t-\t-\t-\tS0\t-\t-\t0\tS\t1\t60\t0\t0\t-\tBenign\t-'
  const r2 = parseZeekTsvLine(p.state, tabbed)
  t.equal(r2.type, 'record')
  if (r2.type === 'record') t.equal(r2.record.label, 'Benign')
})

t.test('invented: stray TAB before #separator', async (t) => {
  const p = parseFixture('invented-stray-tab.log')
  t.same(p.errors, [])
  t.equal(p.headers[0], 'separator')
  t.equal(p.records.length, 2)
  t.equal(p.records[0].ts, 1700000000.000001)
  t.equal(p.records[0]['id.resp_p'], 22)
  t.notOk('tunnel_parents' in p.records[0])
  t.strictSame(p.records[1].tunnel_parents, [])
  t.equal(p.records[1].conn_state, 'REJ')
})

t.test('invented: separate label/detailedlabel columns', async (t) => {
  const p = parseFixture('invented-label-columns.log')
  t.same(p.errors, [])
  t.strictSame(p.records.map((r) => [r.label, r.detailedlabel]), [
    ['Malicious', 'External-Attack-to-Device'],
    ['Benign', ''],
    ['Background', undefined]
  ])
  t.notOk('detailedlabel' in p.records[2])
  t.equal(p.records[0]['id.resp_p'], 445)
})

t.test('invented: #types shorter than #fields', async (t) => {
  const p = parseFixture('invented-short-types.log')
  t.same(p.errors, [])
  t.strictSame(p.state.types?.slice(-3), ['set[string]', 'string', 'string'])
  t.equal(p.records[0].label, 'Malicious')
  t.equal(p.records[0].detailedlabel, 'External-Attack-to-Device')
  t.equal(p.records[0].orig_pkts, 1)
})

t.test('invented: escapes', async (t) => {
  const p = parseFixture('invented-escapes.log')
  t.same(p.errors, [])
  const r = p.records[0]
  t.equal(r.ts, 1387324800.123456)
  t.equal(r.msg, 'col1\tcol2', '\\x09 → TAB inside a string')
  t.equal(r.sub, 'a,b')
  t.strictSame(r.names, ['alpha', 'beta,gamma', '-'], 'escaped set separator and escaped dash inside a set')
  t.strictSame(r.ports, [80, 443], 'set[port] elements are numbers')
  t.strictSame(r.tags, [], '(empty) set')
  t.equal(r.empty_str, '', '(empty) string')
  t.strictSame(r.empty_set, [])
  t.equal(r.dash, '-', '\\x2d → the string "-"')
  t.equal(r.emptyword, '(empty)', '\\x28empty) → the string "(empty)"')
  t.equal(r.path, 'C:\\Windows\\x', '\\\\ → one backslash')
  t.equal(r.utf8, 'café ok', 'escaped UTF-8 bytes decode')
  t.equal(r.ctrl, 'bell\\x07', 'control bytes stay \\xNN text, as the JSON writer writes them')
  t.equal(r.flag, true)
  t.equal(r.rtt, -0.0005)
  t.equal(r.n, -42)
  t.strictSame(r.vec, ['x', '', null, '-'], 'vector elements: (empty) → "", unset → null, \\x2d → "-"')

  const r2 = p.records[1]
  t.strictSame(Object.keys(r2), ['_path', 'ts', 'uid', 'note', 'flag'])
  t.equal(r2.flag, false)
})

t.test('unescapeZeek', async (t) => {
  t.equal(unescapeZeek('plain'), 'plain')
  t.equal(unescapeZeek('\\x41BCD\\x45'), 'ABCDE')
  t.equal(unescapeZeek('a\\\\x41'), 'a\\x41', 'escaped backslash followed by x41 is not an escape')
  t.equal(unescapeZeek('\\xzz\\'), '\\xzz\\', 'malformed escapes kept as written')
  t.equal(unescapeZeek('\\xff\\xc3\\xa9'), '\\xffé', 'invalid UTF-8 byte kept as \\xNN text')
  t.equal(unescapeZeek('\\xf0\\x9f\\x98\\x80'), '😀')
  t.equal(unescapeZeek('\\x00'), '\\x00')
})

t.test('invented: concatenated logs with #close between', async (t) => {
  const p = parseFixture('invented-concatenated.log')
  t.same(p.errors, [])
  t.equal(p.records.length, 3)
  t.equal(p.headers.filter((h) => h === 'separator').length, 2)
  t.equal(p.headers.filter((h) => h === 'close').length, 2)
  const [conn, dns1, dns2] = p.records
  t.equal(conn._path, 'conn')
  t.equal(conn['id.resp_p'], 80)
  t.equal(conn.orig_pkts, 5)
  t.equal(dns1._path, 'dns')
  t.notOk('conn_state' in dns1)
  t.equal(dns1.query, 'example.com')
  t.equal(dns1.AA, false)
  t.strictSame(dns1.answers, ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])
  t.strictSame(dns1.TTLs, [3600, 60])
  t.equal(dns2.AA, true)
  t.strictSame(dns2.answers, [])
  t.strictSame(dns2.TTLs, [])
  t.equal(p.state.path, 'dns')
})

t.test('data after #close keeps the columns of its block', async (t) => {
  const p = parseFixture('invented-concatenated.log')
  const r = parseZeekTsvLine(p.state, '1700000402.000000\tCCat4\t10.1.1.1\t5355\t10.1.1.53\t53\tudp\tx.example\tA\tNOERROR\tF\t-\t-')
  t.equal(r.type, 'record')
  if (r.type === 'record') t.equal(r.record.query, 'x.example')
})

t.test('invented: bad lines', async (t) => {
  const p = parseFixture('invented-bad-lines.log')
  t.equal(p.records.length, 2)
  t.strictSame(p.records.map((r) => r.uid), ['CBad1', 'CBad8'])
  t.equal(p.records[1].local_orig, false)
  t.equal(p.records[1].orig_pkts, 4)
  const reasons = p.errors.map((e) => `${e.line}: ${e.reason}`)
  t.strictSame(reasons, [
    '1: data line before any #fields header (not a Zeek TSV log, or its header block is missing)',
    '11: expected 8 columns per #fields, got 7',
    '12: column "orig_pkts" (count): invalid value "abc"',
    '13: column "local_orig" (bool): invalid value "X"',
    '14: column "ts" (time): invalid value "yesterday"',
    '15: column "id.orig_p" (port): invalid value "99999x"',
    '16: expected 8 columns per #fields, got 9'
  ])
})

t.test('CRLF lines, unknown comments, empty lines, header errors', async (t) => {
  const s = createZeekTsvState()
  t.same(parseZeekTsvLine(s, '#separator \\x09\r'), { type: 'header', directive: 'separator' })
  t.same(parseZeekTsvLine(s, '#path\tconn\r'), { type: 'header', directive: 'path' })
  t.same(parseZeekTsvLine(s, '#fields\tts\tid.orig_p\tservice\r'), { type: 'header', directive: 'fields' })
  t.same(parseZeekTsvLine(s, '#types\ttime\tport\tstring\r'), { type: 'header', directive: 'types' })
  t.same(parseZeekTsvLine(s, '# a comment'), { type: 'header', directive: '' })
  t.same(parseZeekTsvLine(s, '#note\tsomething'), { type: 'header', directive: 'note' })
  const r = parseZeekTsvLine(s, '1.500000\t8080\thttp\r')
  t.same(r, { type: 'record', record: { _path: 'conn', ts: 1.5, 'id.orig_p': 8080, service: 'http' } })
  t.same(parseZeekTsvLine(s, ''), { type: 'error', reason: 'empty line' })
  t.same(parseZeekTsvLine(s, '#separator'), { type: 'error', reason: '#separator header without a value' })
  // the #types of a #fields-only block default to string
  const s2 = createZeekTsvState()
  parseZeekTsvLine(s2, '#fields\ta\tb')
  t.same(parseZeekTsvLine(s2, 'x\t(empty)'), { type: 'record', record: { a: 'x', b: '' } })
})

t.test('custom separators from the header', async (t) => {
  const s = createZeekTsvState()
  for (const h of ['#separator |', '#set_separator|;', '#empty_field|EMPTY', '#unset_field|NONE', '#path|x', '#fields|a|b|c', '#types|set[count]|string|count']) {
    t.equal(parseZeekTsvLine(s, h).type, 'header')
  }
  t.equal(s.separator, '|')
  const r = parseZeekTsvLine(s, '1;2;3|EMPTY|NONE')
  t.same(r, { type: 'record', record: { _path: 'x', a: [1, 2, 3], b: '' } })
  t.same(parseZeekTsvLine(s, 'EMPTY|-|7'), { type: 'record', record: { _path: 'x', a: [], b: '-', c: 7 } })
})

t.test('a field named __proto__ stays a plain own key', async (t) => {
  const s = createZeekTsvState()
  parseZeekTsvLine(s, '#fields\t__proto__\tb')
  const r = parseZeekTsvLine(s, 'x\ty')
  t.equal(r.type, 'record')
  if (r.type === 'record') {
    t.equal(Object.getPrototypeOf(r.record), Object.prototype)
    t.strictSame(Object.keys(r.record), ['__proto__', 'b'])
    t.equal(JSON.stringify(r.record), '{"__proto__":"x","b":"y"}')
  }
})

// The grammar the number readers implement, as the regular expressions they replaced, then
// Number(): the readers must accept and reject exactly the same texts and give the same doubles.
const COUNT_RE = /^\d+$/
const INT_RE = /^[-+]?\d+$/
const REAL_RE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/
const NUMBER_TYPES: Array<[string, RegExp]> = [
  ['count', COUNT_RE], ['port', COUNT_RE], ['int', INT_RE],
  ['double', REAL_RE], ['time', REAL_RE], ['interval', REAL_RE],
  ['vector[count]', COUNT_RE], ['set[int]', INT_RE], ['vector[double]', REAL_RE]
]

/** One state per type: column `v` of that type, then a string column so that `v` can be empty. */
function numberStates (): Array<[string, RegExp, ZeekTsvState]> {
  return NUMBER_TYPES.map(([type, re]) => {
    const s = createZeekTsvState()
    parseZeekTsvLine(s, '#fields\tv\tw')
    parseZeekTsvLine(s, `#types\t${type}\tstring`)
    return [type, re, s]
  })
}

/** The ways `text` in column `v` is read differently from the reference (none, hopefully). */
function numberMismatches (states: Array<[string, RegExp, ZeekTsvState]>, text: string): string[] {
  const out: string[] = []
  for (const [type, re, state] of states) {
    const r = parseZeekTsvLine(state, text + '\tx')
    const container = type.includes('[')
    let ok: boolean
    if (text === '-') {
      ok = r.type === 'record' && !('v' in r.record)
    } else if (re.test(text)) {
      const v = r.type === 'record' ? (container ? (r.record.v as unknown[])[0] : r.record.v) : undefined
      ok = Object.is(v, Number(text))
    } else {
      ok = r.type === 'error' && r.reason === `column "v" (${type}): invalid value ${JSON.stringify(text)}`
    }
    if (!ok) out.push(`${type} ${JSON.stringify(text)}: ${JSON.stringify(r)}`)
  }
  return out
}

t.test('number columns accept and read exactly what the regular expressions and Number() do', async (t) => {
  const states = numberStates()
  // Every text of up to four characters over an alphabet of the grammar's characters and near misses.
  const alphabet = ['0', '1', '9', '-', '+', '.', 'e', 'E', 'x', ' ', '\u0663']
  const texts = ['']
  for (let len = 1, level = ['']; len <= 4; len++) {
    level = level.flatMap((p) => alphabet.map((c) => p + c))
    texts.push(...level)
  }
  const bad = texts.flatMap((text) => numberMismatches(states, text))
  t.strictSame(bad.slice(0, 10), [], `${texts.length} short texts`)

  const digits = (max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '7', '9'), minLength: 1, maxLength: max })
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 30 }),
    fc.double().map(String),
    fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
    // epoch times, durations and digit runs on either side of 2^53 and of 22 decimals
    fc.tuple(fc.constantFrom('', '-', '+'), fc.option(digits(20), { nil: '' }), fc.constantFrom('.', ''), fc.option(digits(26), { nil: '' }), fc.constantFrom('', 'e5', 'E-3', 'e+308', 'e400', 'e-330'))
      .map((parts) => parts.join(''))
  )
  fc.assert(fc.property(text, (s) => numberMismatches(states, s).length === 0), { numRuns: 20_000, seed: 20261127 })
  t.strictSame(numberMismatches(states, '9007199254740993'), [], '2^53 + 1 rounds as Number() rounds it')
  t.strictSame(numberMismatches(states, '1391765555.373991'), [])
  t.strictSame(numberMismatches(states, '0.0000000000000000000000001'), [], 'more decimals than exact powers of ten')
})

t.test('rows with any combination of unset columns keep Zeek\'s key order', async (t) => {
  // 8 columns: 256 combinations, more than the parser keeps record templates for.
  const names = ['ts', 'a', 'b', 'c', 'd', 'e', 'f', 'g']
  const s = createZeekTsvState()
  for (const h of ['#path\tconn', `#fields\t${names.join('\t')}`, '#types\ttime\tcount\tstring\tint\tbool\tdouble\tset[port]\tenum']) parseZeekTsvLine(s, h)
  const written = ['1.5', '7', 'x', '-3', 'T', '0.25', '80,443', 'tcp']
  const read = [1.5, 7, 'x', -3, true, 0.25, [80, 443], 'tcp']
  const bad: string[] = []
  for (let pass = 0; pass < 2; pass++) {
    for (let mask = 0; mask < 256; mask++) {
      const want: Record<string, unknown> = { _path: 'conn' }
      names.forEach((n, i) => { if ((mask & (1 << i)) !== 0) want[n] = read[i] })
      const line = written.map((v, i) => (mask & (1 << i)) !== 0 ? v : '-').join('\t')
      const r = parseZeekTsvLine(s, line)
      if (r.type !== 'record' || JSON.stringify(r.record) !== JSON.stringify(want) || Object.getPrototypeOf(r.record) !== Object.prototype) bad.push(`${line}: ${JSON.stringify(r)}`)
    }
  }
  t.strictSame(bad, [])
})

t.test('#path changes within a block, repeated names and a column named _path', async (t) => {
  const s = createZeekTsvState()
  for (const h of ['#fields\ta\t_path\ta', '#types\tcount\tstring\tcount']) parseZeekTsvLine(s, h)
  t.same(parseZeekTsvLine(s, '1\t-\t2'), { type: 'record', record: { a: 2 } })
  parseZeekTsvLine(s, '#path\tconn')
  t.same(parseZeekTsvLine(s, '1\t-\t-'), { type: 'record', record: { _path: 'conn', a: 1 } })
  const r = parseZeekTsvLine(s, '-\tp\t2')
  t.same(r, { type: 'record', record: { _path: 'p', a: 2 } })
  if (r.type === 'record') t.strictSame(Object.keys(r.record), ['_path', 'a'], 'the _path column takes the place of _path')
  parseZeekTsvLine(s, '#path\tdns')
  t.same(parseZeekTsvLine(s, '1\t-\t2'), { type: 'record', record: { _path: 'dns', a: 2 } })
})

t.test('merged (IoT-23 style) columns hold typed values', async (t) => {
  const s = createZeekTsvState()
  for (const h of ['#fields\tts\ta   b', '#types\ttime\tcount   count']) parseZeekTsvLine(s, h)
  t.same(parseZeekTsvLine(s, '1\t5   6'), { type: 'record', record: { ts: 1, a: 5, b: 6 } })
  t.same(parseZeekTsvLine(s, '1\t-   6'), { type: 'record', record: { ts: 1, b: 6 } })
  t.same(parseZeekTsvLine(s, '1\t5\t6'), { type: 'record', record: { ts: 1, a: 5, b: 6 } }, 'values in separate columns')
  t.same(parseZeekTsvLine(s, '1\t5   x'), { type: 'error', reason: 'column "b" (count): invalid value "x"' })
  t.same(parseZeekTsvLine(s, '1\t5   6   7'), { type: 'error', reason: 'column "a   b" should hold 2 values joined by "   ", got 3: "5   6   7"' })
  t.same(parseZeekTsvLine(s, '1\t5 6'), { type: 'error', reason: 'column "a   b" should hold 2 values joined by "   ", got 1: "5 6"' })
  t.same(parseZeekTsvLine(s, 'x\t5   6'), { type: 'error', reason: 'column "ts" (time): invalid value "x"' })
})
