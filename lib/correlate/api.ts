/**
 * The correlator plugin API.
 *
 * A correlator sees events in event-time order, keeps bounded state, annotates events (through
 * their `scantag` object) and may hold an event back for a while, until something it is waiting
 * for has had time to arrive. Built-in correlators use exactly this API.
 *
 * ```ts
 * import type { Correlator } from 'scantag'
 *
 * const rareHttpMethods: Correlator = {
 *   name: 'rare-http-methods',
 *   categories: ['network'],
 *   onEvent (event, ctx) {
 *     if (event.category === 'network' && event.http?.method === 'PROPFIND') ctx.log.info('PROPFIND from', event.src?.ip)
 *   }
 * }
 * ```
 */
import type { ScantagEvent } from '../model.js'
import type { ProcessTable } from './process-table.js'

/** Options of a keyed state store. */
export interface StateOptions {
  /** Most keys kept; the least recently used go first. */
  max: number
  /** Seconds of event time after which an entry expires. */
  ttlSeconds: number
}

/** A bounded key-value store whose entries expire by event time (backed by lru-cache). */
export interface KeyedState<V> {
  get: (key: string) => V | undefined
  set: (key: string, value: V) => void
  has: (key: string) => boolean
  delete: (key: string) => boolean
  /** Entries currently held (expired ones may still count until touched). */
  readonly size: number
}

/** Where correlators report. */
export interface CorrelatorLogger {
  info: (...args: unknown[]) => void
  warn: (...args: unknown[]) => void
}

/** What a correlator can do and see while handling an event. */
export interface CorrelatorContext {
  /** The engine's event-time watermark: no event older than this is expected any more. */
  readonly watermark: number
  /** The process table built from endpoint telemetry. */
  readonly processes: ProcessTable
  /** A bounded keyed store private to this correlator (same name → same store). */
  state: <V>(name: string, options: StateOptions) => KeyedState<V>
  /**
   * Holds an event back until the watermark passes `until` (event time, seconds), or until
   * {@link CorrelatorContext.release}. When the hold expires, the correlator's `onRelease` is
   * called first. Events nobody holds pass through at once.
   */
  hold: (event: ScantagEvent, until: number) => void
  /** Releases an event this correlator holds, now (no `onRelease` call). */
  release: (event: ScantagEvent) => void
  readonly log: CorrelatorLogger
}

/** A correlator: a named policy over the event stream. */
export interface Correlator {
  /** Unique name, used in diagnostics and state. */
  readonly name: string
  /** Event categories it wants; all when absent. */
  readonly categories?: ReadonlyArray<ScantagEvent['category']>
  /** Called for each wanted event, in event-time order. */
  onEvent: (event: ScantagEvent, ctx: CorrelatorContext) => void
  /** Called when a hold this correlator placed expires, before the event is released. */
  onRelease?: (event: ScantagEvent, ctx: CorrelatorContext) => void
  /** Called when the watermark advances. */
  onWatermark?: (time: number, ctx: CorrelatorContext) => void
  /** Called once at the end of input, before the remaining held events are released. */
  onEnd?: (ctx: CorrelatorContext) => void
}
