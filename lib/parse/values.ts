/**
 * Small, strict readers of JSON values, shared by the normalizers: a field is used only when
 * it has the expected type, never coerced.
 */

/** A JSON object. */
export type Rec = Record<string, unknown>

/** The value if it is a string. */
export function str (v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** The value if it is a finite number. */
export function num (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** The value if it is a plain object (not null, not an array). */
export function rec (v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Rec : undefined
}

/**
 * A value quoted for a dead-letter reason, kept short. Never throws: `JSON.stringify` overflows
 * the stack on JSON nested thousands of levels deep, which such a value is then said to be.
 */
export function quote (v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 64)
  } catch {
    return Array.isArray(v) ? '[…]' : v !== null && typeof v === 'object' ? '{…}' : typeof v
  }
}

/**
 * `String(v)` that never throws: a deeply nested array overflows the stack in `join`, and an
 * object whose `toString` is not a function (`{"toString": 1}`) has no string value.
 */
export function text (v: unknown): string {
  if (typeof v === 'string') return v
  try {
    return String(v)
  } catch {
    return quote(v)
  }
}

/** `JSON.stringify(v)` that never throws (see {@link quote}); `''` for what has no JSON text. */
export function json (v: unknown): string {
  try {
    return JSON.stringify(v) ?? ''
  } catch {
    return quote(v)
  }
}

// What the normalized model can hold (schemas/network-event.schema.json, process-event.schema.json).
// A value that fails stays in `original` but is not lifted into the event.

/** The value if it is a port (or ICMP type/code): an integer from 0 to 65535. */
export function port (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : undefined
}

/** The value if it is a count, size or duration: a finite number, not negative. */
export function count (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined
}

/** The value if it is an integer (a status code, a rule id). */
export function int (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined
}

/** The value if it is an IP protocol number, 0 to 255. */
export function protoNumber (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255 ? v : undefined
}

/**
 * The value if it can be an endpoint address: a string of 2 (`::`) to 64 characters (an IPv6
 * address with a zone id fits). The model keeps addresses as written and does not parse them.
 */
export function address (v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length < 2 || v.length > 64) return undefined
  // JSON Schema counts code points: one astral character (a surrogate pair) is one, not two.
  if (v.length === 2 && v.charCodeAt(0) >= 0xd800 && v.charCodeAt(0) <= 0xdbff && v.charCodeAt(1) >= 0xdc00 && v.charCodeAt(1) <= 0xdfff) return undefined
  return v
}

/** Whether `s` is one or more ASCII digits (an exact decimal id such as Suricata's `flow_id`). */
export function isDigits (s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** Whether `s` is a Community ID v1 in its base64 form: `1:`, 27 base64 characters, `=`. */
export function isCommunityId (s: string): boolean {
  if (s.length !== 30 || !s.startsWith('1:') || s.charCodeAt(29) !== 61) return false
  for (let i = 2; i < 29; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47)) return false
  }
  return true
}
