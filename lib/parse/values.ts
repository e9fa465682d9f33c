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

/** A value quoted for a dead-letter reason, kept short. */
export function quote (v: unknown): string {
  return (JSON.stringify(v) ?? String(v)).slice(0, 64)
}
