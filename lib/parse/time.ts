/**
 * Timestamp parsing shared by the readers.
 *
 * Event times are epoch seconds as JS numbers. To keep the microseconds exactly as the sensor
 * wrote them (so that a Zeek TSV `ts` and the same record's ISO 8601 `ts` in JSON compare equal),
 * fractional parts are never added as floats: the integer seconds and the written fraction are
 * joined as a decimal string and converted once, which yields the nearest double to the written
 * value, the same double `Number()` gives for the TSV text.
 */

const DIGIT0 = 48

function digits (s: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - DIGIT0
    if (d < 0 || d > 9) return NaN
    n = n * 10 + d
  }
  return n
}

/** Joins integer epoch seconds and a decimal fraction (digits only) without float rounding. */
export function joinSecondsFraction (seconds: number, fraction: string): number {
  if (fraction.length === 0) return seconds
  if (seconds >= 0) return Number(seconds + '.' + fraction)
  // Negative epochs (before 1970): -5 + 0.25 is -4.75, not -5.25.
  return seconds + Number('0.' + fraction)
}

/**
 * Parses an ISO 8601 / RFC 3339 timestamp as Suricata and Zeek write them:
 * `2026-11-26T19:36:56.103289+0000`, `...+02:00`, `...Z`, or no offset (read as UTC).
 * Also accepts a space instead of `T`. Returns epoch seconds, or `undefined` when the text is
 * not such a timestamp or a field is out of range.
 */
export function parseIsoTime (s: string): number | undefined {
  // Fixed positions: YYYY-MM-DDTHH:MM:SS
  if (s.length < 19) return undefined
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined
  const sep = s.charCodeAt(10)
  if (sep !== 84 && sep !== 32 && sep !== 116) return undefined // 'T', ' ', 't'
  // Records come in time order: the date and time of day repeat, so they are read (and checked)
  // once per distinct second. Two seconds are kept: an EVE flow record's `timestamp` and its
  // `flow.start` differ, and would otherwise evict each other on every record.
  let ms: number
  if (s.startsWith(utcKey)) {
    ms = utcMs
  } else if (s.startsWith(utcKey2)) {
    ms = utcMs2
  } else {
    const utc = utcMsOf(s)
    if (utc === undefined) return undefined
    ms = utc
    utcKey2 = utcKey
    utcMs2 = utcMs
    utcKey = s.slice(0, 19)
    utcMs = utc
  }
  let i = 19
  // The fraction's digits as an integer while they fit (`fractionValue`), else as text (`fraction`).
  let fraction = ''
  let fractionDigits = 0
  let fractionValue = 0
  if (i < s.length && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) { // '.' or ','
    const start = ++i
    while (i < s.length) {
      const c = s.charCodeAt(i)
      if (c < 48 || c > 57) break
      if (i - start < 9) fractionValue = fractionValue * 10 + (c - 48)
      i++
    }
    if (i === start) return undefined
    fractionDigits = i - start
    if (fractionDigits > 9) fraction = s.slice(start, i)
  }
  let offsetSeconds = 0
  if (i < s.length) {
    const c = s.charCodeAt(i)
    if ((c === 90 || c === 122) && i + 1 === s.length) { // 'Z'
      i++
    } else if (c === 43 || c === 45) { // '+' or '-'
      const sign = c === 45 ? -1 : 1
      const rest = s.length - i - 1
      let oh: number, om: number
      if (rest === 4) { // +hhmm
        oh = digits(s, i + 1, i + 3); om = digits(s, i + 3, i + 5)
      } else if (rest === 5 && s.charCodeAt(i + 3) === 58) { // +hh:mm
        oh = digits(s, i + 1, i + 3); om = digits(s, i + 4, i + 6)
      } else if (rest === 2) { // +hh
        oh = digits(s, i + 1, i + 3); om = 0
      } else {
        return undefined
      }
      if (!(oh <= 23 && om <= 59)) return undefined
      offsetSeconds = sign * (oh * 3600 + om * 60)
      i = s.length
    } else {
      return undefined
    }
  }
  const seconds = ms / 1000 - offsetSeconds
  if (fractionDigits === 0) return seconds
  if (fractionDigits <= 9 && seconds >= 0) {
    // seconds·10^k + fraction is an exact integer below 2^53, and IEEE division rounds
    // correctly, so this is the double nearest the written decimal: what Number() of the text
    // gives, without building the text.
    const scale = POWERS_OF_TEN[fractionDigits]
    const whole = seconds * scale + fractionValue
    if (whole <= Number.MAX_SAFE_INTEGER) return whole / scale
  }
  return joinSecondsFraction(seconds, fraction !== '' ? fraction : String(fractionValue).padStart(fractionDigits, '0'))
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

/**
 * The last two dates and times of day {@link parseIsoTime} read (their first 19 characters,
 * '\u0000' before any: it starts no timestamp), as epoch ms.
 */
let utcKey = '\u0000'
let utcMs = 0
let utcKey2 = '\u0000'
let utcMs2 = 0

/** Epoch ms of `YYYY-MM-DD?HH:MM:SS` at the start of `s` (separators already checked), or undefined. */
function utcMsOf (s: string): number | undefined {
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 7)
  const day = digits(s, 8, 10)
  const hour = digits(s, 11, 13)
  const minute = digits(s, 14, 16)
  const second = digits(s, 17, 19)
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)) return undefined
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 31 Feb over into March; reject dates that do not exist.
  const check = new Date(ms)
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined
  return ms
}

/** Epoch seconds above this are taken to be milliseconds (1e11 s is the year 5138). */
const MILLISECONDS_THRESHOLD = 1e11

/**
 * Reads a Zeek `ts` in any of the shapes writers produce: epoch seconds (number or numeric
 * string), integer epoch milliseconds (some shippers), or ISO 8601 (json-streaming-logs,
 * `JSON::TS_ISO8601`). Returns `undefined` for anything else.
 */
export function parseZeekTs (value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined
    const seconds = Math.abs(value) >= MILLISECONDS_THRESHOLD && Number.isInteger(value) ? value / 1000 : value
    return isEventTime(seconds) ? seconds : undefined
  }
  if (typeof value === 'string') {
    const c = value.charCodeAt(0)
    if (value.length > 10 && value.charCodeAt(4) === 45) return parseIsoTime(value)
    if ((c >= 48 && c <= 57) || c === 45) {
      const n = Number(value)
      if (Number.isFinite(n)) return parseZeekTs(n)
    }
  }
  return undefined
}

/**
 * Largest event time, epoch seconds: the JavaScript Date range (±8.64e15 ms, years −271821 to
 * 275760). Readers dead-letter times beyond it: no sensor writes them, and they have no ISO form.
 */
export const MAX_EVENT_SECONDS = 8.64e12

/** Whether `seconds` is a time an event can carry (finite, within {@link MAX_EVENT_SECONDS}). */
export function isEventTime (seconds: number): boolean {
  return seconds >= -MAX_EVENT_SECONDS && seconds <= MAX_EVENT_SECONDS
}

/**
 * Formats epoch seconds as ISO 8601 UTC with microseconds: `2018-03-24T17:15:20.865716Z`.
 * A time with no ISO form (beyond {@link MAX_EVENT_SECONDS}: only in events built by hand, the
 * readers refuse it) is written as its epoch seconds rather than stopping the stream.
 */
export function formatIsoMicros (seconds: number): string {
  if (!isEventTime(seconds)) return String(seconds)
  const whole = Math.floor(seconds)
  let micros = Math.round((seconds - whole) * 1e6)
  let base = whole
  if (micros >= 1e6) { base += 1; micros -= 1e6 }
  // Logs come in time order: the hour repeats, and its text ('2018-03-24T17:') is made once by
  // Date (the minutes and seconds are read from a table). Two hours are kept: an EVE flow's
  // `flow.start` can lie in the hour before its `timestamp`. A cache by the second missed on a
  // third of an EVE file's times (start, end and timestamp of interleaved flows differ).
  const hour = base - (((base % 3600) + 3600) % 3600)
  let prefix: string
  if (hour === isoHour) {
    prefix = isoHourText
  } else if (hour === isoHour2) {
    prefix = isoHourText2
  } else {
    const iso = new Date(hour * 1000).toISOString()
    prefix = iso.slice(0, iso.length - 10) // up to the hour and its colon, without 'mm:ss.sssZ' (years past 9999 are longer)
    isoHour2 = isoHour
    isoHourText2 = isoHourText
    isoHour = hour
    isoHourText = prefix
  }
  const within = base - hour
  return prefix + TWO_DIGITS[(within / 60) | 0] + ':' + TWO_DIGITS[within % 60] + '.' + String(micros).padStart(6, '0') + 'Z'
}

/** '00' to '59'. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_v, i) => String(i).padStart(2, '0'))

/** The last two hours {@link formatIsoMicros} formatted (epoch seconds), and their text. */
let isoHour = NaN
let isoHourText = ''
let isoHour2 = NaN
let isoHourText2 = ''
