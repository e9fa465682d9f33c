/**
 * A bounded memo for the knowledge lookups, which are pure functions of text that repeats: a
 * network's few browser User-Agents and its sites' paths come back on record after record,
 * and each lookup otherwise scans a whole table (0.1–0.5 µs per call on the bench's HTTP
 * records, several calls per record).
 */

/** Most answers one memo keeps. */
export const MEMO_ENTRIES = 2048
/** Longest key remembered: with {@link MEMO_ENTRIES}, a memo holds at most about 2 MiB of keys. */
export const MEMO_KEY_LENGTH = 512

/**
 * Wraps `lookup` with a cache of at most `max` (default {@link MEMO_ENTRIES}) answers, emptied whole when full:
 * no eviction bookkeeping on the hot path, and a flood of unique keys (a wordlist scan's paths)
 * costs one `Map.set` each and a clear now and then. Longer keys than {@link MEMO_KEY_LENGTH}
 * are looked up every time (they are rare, and attacker-sized).
 */
export function memoize<R extends object> (lookup: (key: string) => R | undefined, max = MEMO_ENTRIES): (key: string) => R | undefined {
  const answers = new Map<string, R | null>()
  return (key: string): R | undefined => {
    if (key.length > MEMO_KEY_LENGTH) return lookup(key)
    const known = answers.get(key)
    if (known !== undefined) return known ?? undefined
    const answer = lookup(key)
    if (answers.size >= max) answers.clear()
    answers.set(key, answer ?? null)
    return answer
  }
}
