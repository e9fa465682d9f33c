import t from 'tap'
import fc from 'fast-check'
import { parseIsoTime } from '../lib/parse/time.js'

// The reference: integer seconds from Date.UTC, and the written fraction joined as decimal text
// and converted once, which is the double nearest the written value.
function reference (date: number[], fraction: string, offsetMinutes: number): number {
  const [y, mo, d, h, mi, s] = date
  const seconds = Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offsetMinutes * 60
  if (fraction === '') return seconds
  return seconds >= 0 ? Number(`${seconds}.${fraction}`) : seconds + Number(`0.${fraction}`)
}

const pad = (v: number, w: number): string => String(v).padStart(w, '0')

t.test('parseIsoTime gives the double nearest the written time, for any fraction length and offset', async t => {
  fc.assert(fc.property(
    fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }),
    fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }),
    fc.stringMatching(/^[0-9]{0,12}$/), fc.integer({ min: -23 * 60, max: 23 * 60 }),
    (y, mo, d, h, mi, s, fraction, offset) => {
      const sign = offset < 0 ? '-' : '+'
      const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}` +
        (fraction === '' ? '' : '.' + fraction) + `${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}${pad(Math.abs(offset) % 60, 2)}`
      // Parsed twice: the second time the date comes from the per-second cache.
      const want = reference([y, mo, d, h, mi, s], fraction, offset)
      return parseIsoTime(text) === want && parseIsoTime(text) === want
    }
  ), { numRuns: 20_000 })
})

t.test('the per-second cache never answers for another second', async t => {
  const a = '2026-11-26T19:45:26.474268+0000'
  const b = '2026-11-26T19:45:27.000001+0000'
  const c = '2026-11-26T19:45:28+0000'
  // Alternating seconds (an EVE flow's timestamp and flow.start) hit both cache entries.
  for (const [text, want] of [[a, 1795722326.474268], [b, 1795722327.000001], [a, 1795722326.474268], [b, 1795722327.000001], [c, 1795722328], [a, 1795722326.474268], [c, 1795722328]] as const) {
    t.equal(parseIsoTime(text), want, text)
  }
  t.equal(parseIsoTime('2026-02-31T00:00:00Z'), undefined, 'a date that does not exist')
  t.equal(parseIsoTime('2026-11-26T19:45:26.+0000'), undefined, 'a point without digits')
})

t.test('times beyond the Date range: readers refuse them, formatting never throws', async t => {
  const { parseZeekTs, formatIsoMicros, MAX_EVENT_SECONDS } = await import('../lib/parse/time.js')
  t.equal(parseZeekTs(1e300), undefined)
  t.equal(parseZeekTs('1e300'), undefined)
  // (Integers this large are read as milliseconds: fractions keep them seconds.)
  t.equal(parseZeekTs(-MAX_EVENT_SECONDS - 0.5), undefined)
  t.equal(parseZeekTs(MAX_EVENT_SECONDS - 0.5), MAX_EVENT_SECONDS - 0.5, 'within the range is a time')
  t.equal(formatIsoMicros(MAX_EVENT_SECONDS), '+275760-09-13T00:00:00.000000Z', 'the last representable second')
  t.equal(formatIsoMicros(1e300), '1e+300', 'an event built by hand with such a time is written, not thrown')
  const { readThrough } = await import('./helpers.js')
  const tsv = '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\n' +
    '1e300\tC1\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\n1700000000.5\tC2\t10.0.0.1\t2\t10.0.0.2\t80\ttcp\n'
  const r = await readThrough({ content: tsv })
  t.equal(r.events.length, 1)
  t.equal(r.deadLetters.length, 1)
  t.match(r.deadLetters[0].reason, /within the years/)
})

t.test('formatIsoMicros agrees with Date.toISOString whatever order the hours come in', async t => {
  const { formatIsoMicros, MAX_EVENT_SECONDS } = await import('../lib/parse/time.js')
  // It keeps the text of the last two hours: interleave three hours, their edges, negative
  // times (before 1970: the hour is floored, not truncated) and the ends of the Date range.
  const times = [
    1_779_824_399.999999, 1_779_824_400, 1_779_824_400.000001, 1_779_820_800.25, 1_779_827_999.5, 1_779_824_459.999_9995,
    -0.5, -3600, -3600.000001, -1, 0, 59.000001, 60, 3599.999999, 3600,
    253_402_300_799.5, 253_402_300_800, -62_135_596_800.25, MAX_EVENT_SECONDS, -MAX_EVENT_SECONDS
  ]
  const expected = (s: number): string => {
    let whole = Math.floor(s)
    let micros = Math.round((s - whole) * 1e6)
    if (micros >= 1e6) { whole += 1; micros -= 1e6 }
    return new Date(whole * 1000).toISOString().slice(0, -5) + '.' + String(micros).padStart(6, '0') + 'Z'
  }
  for (let round = 0; round < 3; round++) {
    for (const s of round === 1 ? [...times].reverse() : times) t.equal(formatIsoMicros(s), expected(s), `${s}`)
  }
  t.equal(formatIsoMicros(1_779_824_459.999_9995), '2026-05-26T19:41:00.000000Z', 'microseconds rounding up carry into the minute')
  t.equal(formatIsoMicros(-0.5), '1969-12-31T23:59:59.500000Z')
})
