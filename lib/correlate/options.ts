/**
 * Checks for correlator tunables: a bad value fails fast with a message naming the option.
 */

/**
 * A positive number (or integer) option; returns it.
 * @throws TypeError `<prefix><name> must be a positive integer|number, got <v>`
 */
export function positiveOption (name: string, v: unknown, integer: boolean, prefix = ''): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) {
    throw new TypeError(`${prefix}${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`)
  }
  return v
}

/**
 * A share (0 to 1) option; returns it.
 * @throws TypeError `<prefix><name> must be a number from 0 to 1, got <v>`
 */
export function shareOption (name: string, v: unknown, prefix = ''): number {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new TypeError(`${prefix}${name} must be a number from 0 to 1, got ${String(v)}`)
  return v
}
