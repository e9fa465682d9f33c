/**
 * Bounded keyed state with event-time expiry, on lru-cache.
 *
 * lru-cache measures age with a clock it asks for; giving it the engine's event-time clock makes
 * entries expire by the time of the logs, not of the machine, so replaying a day of logs in a
 * minute expires state exactly as live processing would. `ttlResolution: 0` and no autopurge
 * keep it free of timers.
 */
import { LRUCache } from 'lru-cache'
import type { KeyedState, StateOptions } from './api.js'

/** An event-time clock in seconds, shared by an engine's stores. */
export interface EventClock {
  /** Current event time (the watermark), epoch seconds. */
  now: () => number
}

/** Validates store options; throws a message naming the store and the bad value. */
export function checkStateOptions (name: string, o: StateOptions<never>): void {
  if (!Number.isInteger(o.max) || o.max < 1) throw new TypeError(`state "${name}": max must be a positive integer, got ${String(o.max)}`)
  if (!(typeof o.ttlSeconds === 'number' && o.ttlSeconds > 0 && Number.isFinite(o.ttlSeconds))) throw new TypeError(`state "${name}": ttlSeconds must be a positive number, got ${String(o.ttlSeconds)}`)
  if ((o.maxSize === undefined) !== (o.sizeOf === undefined)) throw new TypeError(`state "${name}": maxSize and sizeOf go together (got ${o.maxSize === undefined ? 'sizeOf without maxSize' : 'maxSize without sizeOf'})`)
  if (o.maxSize !== undefined && (!Number.isSafeInteger(o.maxSize) || o.maxSize < 1)) throw new TypeError(`state "${name}": maxSize must be a positive integer, got ${String(o.maxSize)}`)
  if (o.sizeOf !== undefined && typeof o.sizeOf !== 'function') throw new TypeError(`state "${name}": sizeOf must be a function, got ${typeof o.sizeOf}`)
}

/** A store as the engine keeps it: the public interface plus its cache, for checkpoints. */
export type StoredState<V extends NonNullable<unknown>> = KeyedState<V> & {
  readonly cache: LRUCache<string, V>
  readonly persist: boolean
  /** The options it was made with. */
  readonly options: StateOptions<V>
}

/**
 * An entry's size as the store counts it: rounded up to a positive integer (a `sizeOf` that
 * gives 0, a fraction or NaN must not make lru-cache throw in the middle of a stream), then to
 * its size class, at most 1/8 above: a growing entry then changes size, and must be measured
 * into the store again, a few dozen times in its life rather than at every event.
 */
export function sizeClass (n: number): number {
  const size = Math.ceil(n)
  if (!(size >= 1)) return 1
  if (size <= 64) return size
  // 2^(floor(log2 size) - 3), by counting leading zeros while the size fits in 31 bits.
  const step = size < 0x80000000 ? 1 << (28 - Math.clz32(size)) : 2 ** (Math.floor(Math.log2(size)) - 3)
  return Math.ceil(size / step) * step
}

/**
 * The options objects passed to every lru-cache call. lru-cache 11 gives a call made without
 * one a fresh `{}` (its default parameter, into which it writes a diagnostics `status`): shared
 * objects save an allocation per lookup, two to three per record for the scan detectors.
 */
const NO_OPTIONS = {}
const PEEK_STALE = { allowStale: true }

/**
 * Creates a bounded store whose entries expire `ttlSeconds` of event time after being set, and
 * with `maxSize`, whose entries' sizes add up to at most that.
 */
export function createKeyedState<V extends NonNullable<unknown>> (name: string, options: StateOptions<V>, clock: EventClock): StoredState<V> {
  checkStateOptions(name, options as StateOptions<never>)
  const sizeOf = options.sizeOf
  // lru-cache allocates its arrays for `max` entries when it is made (about 30 bytes each on
  // the heap, more beside it): the cache is made at the first entry, so a store an input never
  // fills costs nothing. On a Zeek conn.log, 12 of the 19 stores stay empty (the process table,
  // attribution, the HTTP and DNS detectors: 521,000 slots, about 15 MiB).
  let cache: LRUCache<string, V> | undefined
  const made = (): LRUCache<string, V> => (cache ??= new LRUCache<string, V>({
    max: options.max,
    ttl: options.ttlSeconds * 1000,
    ttlResolution: 0,
    ttlAutopurge: false,
    perf: { now: () => clock.now() * 1000 },
    ...(options.maxSize !== undefined && sizeOf !== undefined
      ? { maxSize: options.maxSize, sizeCalculation: (value: V, key: string) => sizeClass(sizeOf(value, key)) }
      : {})
  }))
  let set = (key: string, value: V): void => { made().set(key, value, NO_OPTIONS) }
  if (sizeOf !== undefined) {
    // lru-cache measures an entry when a new value is set, not when the same object is set
    // again after growing in place; so an object whose size class changed is taken out and
    // put back. The size each object was last counted at is kept beside it.
    const counted = new WeakMap<object, number>()
    // One options object for every set (read at once by lru-cache): no allocation per event.
    const sized = { size: 1 }
    set = (key, value) => {
      const c = made()
      const size = sizeClass(sizeOf(value, key))
      if (typeof value === 'object' && counted.get(value) !== size) {
        if (c.peek(key, PEEK_STALE) === value) c.delete(key)
        counted.set(value, size)
      }
      sized.size = size
      c.set(key, value, sized)
    }
  }
  return {
    get cache () { return made() },
    persist: options.persist !== false,
    options,
    get: (key) => cache === undefined ? undefined : cache.get(key, NO_OPTIONS),
    set,
    has: (key) => cache !== undefined && cache.has(key, NO_OPTIONS),
    delete: (key) => cache !== undefined && cache.delete(key),
    get size () { return cache === undefined ? 0 : cache.size }
  }
}

/**
 * A store made again with other options (those its correlator asks for, after a checkpoint
 * created it with the saved ones), holding the same entries with the time each had left:
 * the least recently used are set first, so the order is kept and, if the new bounds are
 * tighter, they are the ones that go.
 */
export function rebuildKeyedState<V extends NonNullable<unknown>> (old: StoredState<V>, options: StateOptions<V>, clock: EventClock, name: string): StoredState<V> {
  const store = createKeyedState<V>(name, options, clock)
  for (const [key, value, left] of entriesByAge(old)) {
    if (left <= 0) continue
    store.cache.set(key, value, Number.isFinite(left) ? { ttl: Math.max(1, left) } : {})
  }
  return store
}

/**
 * A store's entries, least recently used first (setting them in this order keeps recency),
 * each with the event time it has left in ms (Infinity when it does not expire). An empty
 * store yields nothing without making its cache.
 */
export function * entriesByAge<V extends NonNullable<unknown>> (store: StoredState<V>): Generator<[string, V, number]> {
  if (store.size === 0) return
  const cache = store.cache
  for (const [key, value] of cache.rentries()) yield [key as string, value as V, cache.getRemainingTTL(key as string)]
}
