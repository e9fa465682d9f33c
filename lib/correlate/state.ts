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
export function checkStateOptions (name: string, o: StateOptions): void {
  if (!Number.isInteger(o.max) || o.max < 1) throw new TypeError(`state "${name}": max must be a positive integer, got ${String(o.max)}`)
  if (!(typeof o.ttlSeconds === 'number' && o.ttlSeconds > 0 && Number.isFinite(o.ttlSeconds))) throw new TypeError(`state "${name}": ttlSeconds must be a positive number, got ${String(o.ttlSeconds)}`)
}

/** A store as the engine keeps it: the public interface plus its cache, for checkpoints. */
export type StoredState<V extends NonNullable<unknown>> = KeyedState<V> & { readonly cache: LRUCache<string, V>, readonly persist: boolean }

/** Creates a bounded store whose entries expire `ttlSeconds` of event time after being set. */
export function createKeyedState<V extends NonNullable<unknown>> (name: string, options: StateOptions, clock: EventClock): StoredState<V> {
  checkStateOptions(name, options)
  const cache = new LRUCache<string, V>({
    max: options.max,
    ttl: options.ttlSeconds * 1000,
    ttlResolution: 0,
    ttlAutopurge: false,
    perf: { now: () => clock.now() * 1000 }
  })
  return {
    cache,
    persist: options.persist !== false,
    get: (key) => cache.get(key),
    set: (key, value) => { cache.set(key, value) },
    has: (key) => cache.has(key),
    delete: (key) => cache.delete(key),
    get size () { return cache.size }
  }
}
