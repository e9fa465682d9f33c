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
