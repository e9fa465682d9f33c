/**
 * The correlation engine: runs correlators over the event stream in event time.
 *
 * Pure and synchronous: `push(event)` returns the events that may leave now, `end()` the rest.
 * The watermark is the newest event time seen (inputs are already merged in time order).
 * Events nobody holds leave at once; held events leave when the watermark has passed their
 * hold's deadline (the holder's `onRelease` runs first, and they leave before the event that
 * moved the watermark), when the holder releases them, or when `maxHeldEvents` forces the
 * oldest out; released events leave in input order among themselves. Every event pushed
 * leaves exactly once.
 */
import type { ScantagEvent } from '../model.js'
import type { Correlator, CorrelatorContext, CorrelatorLogger, KeyedState, StateOptions } from './api.js'
import { ProcessTable, type ProcessTableOptions } from './process-table.js'
import { createKeyedState, type EventClock } from './state.js'

/** Options of {@link CorrelationEngine}. */
export interface EngineOptions {
  correlators: readonly Correlator[]
  /** Most events held at once (default 10,000); beyond it the oldest is released. */
  maxHeldEvents?: number
  /** Longest hold in seconds of event time (default 60). */
  maxHoldSeconds?: number
  /** Process table limits and configured hosts. */
  processTable?: ProcessTableOptions
  /** What to do with a correlator that throws: `skip` the event for it (default) or `disable` it. */
  onError?: 'skip' | 'disable'
  /** Where correlator messages and errors go (default: nowhere). */
  log?: CorrelatorLogger
}

interface Hold {
  event: ScantagEvent
  seq: number
  /** Correlators still holding it, with their deadlines. */
  holders: Map<Correlator, number>
}

const silent: CorrelatorLogger = { info: () => {}, warn: () => {} }

export class CorrelationEngine {
  private watermarkTime = -Infinity
  private seq = 0
  /** In insertion (= input) order, so the first entry is the oldest. */
  private readonly holds = new Map<ScantagEvent, Hold>()
  private readonly contexts = new Map<Correlator, CorrelatorContext>()
  private readonly disabled = new Set<Correlator>()
  private readonly stores = new Map<string, KeyedState<NonNullable<unknown>>>()
  private readonly correlators: readonly Correlator[]
  private readonly maxHeld: number
  private readonly maxHoldSeconds: number
  private readonly onError: 'skip' | 'disable'
  private readonly log: CorrelatorLogger
  private ready: ScantagEvent[] = []
  /** Earliest hold deadline, so that expiry scans only when something is due. */
  private nextDeadline = Infinity
  /** Errors per correlator name. */
  readonly errors = new Map<string, number>()
  readonly clock: EventClock = { now: () => (this.watermarkTime === -Infinity ? 0 : this.watermarkTime) }
  readonly processes: ProcessTable
  /** Largest number of events held at once. */
  peakHeld = 0

  constructor (options: EngineOptions) {
    this.correlators = options.correlators
    const names = new Set<string>()
    for (const c of this.correlators) {
      if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || c.name === '' || typeof c.onEvent !== 'function') {
        throw new TypeError('every correlator needs a non-empty string name and an onEvent function')
      }
      if (names.has(c.name)) throw new TypeError(`two correlators are named "${c.name}"`)
      names.add(c.name)
    }
    this.maxHeld = options.maxHeldEvents ?? 10_000
    this.maxHoldSeconds = options.maxHoldSeconds ?? 60
    if (!Number.isInteger(this.maxHeld) || this.maxHeld < 0) throw new TypeError(`maxHeldEvents must be an integer >= 0, got ${String(options.maxHeldEvents)}`)
    if (!(this.maxHoldSeconds >= 0)) throw new TypeError(`maxHoldSeconds must be >= 0, got ${String(options.maxHoldSeconds)}`)
    this.onError = options.onError ?? 'skip'
    this.log = options.log ?? silent
    this.processes = new ProcessTable(this.clock, options.processTable)
    for (const c of this.correlators) this.contexts.set(c, this.contextFor(c))
  }

  /** Current watermark (epoch seconds). */
  get watermark (): number { return this.watermarkTime }

  /** Events held right now. */
  get held (): number { return this.holds.size }

  /** Feeds one event; returns the events that may leave now. */
  push (event: ScantagEvent): ScantagEvent[] {
    const out = this.ready
    this.ready = []
    const t = event.time
    if (t !== undefined && t > this.watermarkTime) {
      this.watermarkTime = t
      for (const c of this.correlators) {
        if (c.onWatermark !== undefined) this.call(c, () => { c.onWatermark?.(t, this.contexts.get(c) as CorrelatorContext) })
      }
    }
    // Holds the new watermark has passed go first: their events are older than this one.
    this.expire(out)
    const seq = this.seq++
    this.current = { event, seq }
    for (const c of this.correlators) {
      if (this.disabled.has(c)) continue
      if (c.categories !== undefined && !c.categories.includes(event.category)) continue
      this.call(c, () => { c.onEvent(event, this.contexts.get(c) as CorrelatorContext) })
    }
    this.current = undefined
    if (!this.holds.has(event)) out.push(event)
    while (this.holds.size > this.maxHeld) this.forceOldest(out)
    if (this.holds.size > this.peakHeld) this.peakHeld = this.holds.size
    out.push(...this.ready)
    this.ready = []
    return out
  }

  /** End of input: runs `onEnd`, then releases every held event. */
  end (): ScantagEvent[] {
    const out = this.ready
    this.ready = []
    for (const c of this.correlators) {
      if (c.onEnd !== undefined && !this.disabled.has(c)) this.call(c, () => { c.onEnd?.(this.contexts.get(c) as CorrelatorContext) })
    }
    while (this.holds.size > 0) this.forceOldest(out)
    out.push(...this.ready)
    this.ready = []
    return out
  }

  private current: { event: ScantagEvent, seq: number } | undefined

  private call (c: Correlator, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.errors.set(c.name, (this.errors.get(c.name) ?? 0) + 1)
      this.log.warn(`correlator ${c.name} failed: ${(err as Error).message ?? String(err)}${this.onError === 'disable' ? '; disabled' : ''}`)
      if (this.onError === 'disable') this.disabled.add(c)
    }
  }

  /** Releases holds whose deadline the watermark has passed, oldest event first. */
  private expire (out: ScantagEvent[]): void {
    if (this.holds.size === 0 || this.watermarkTime <= this.nextDeadline) return
    const now = this.watermarkTime
    let next = Infinity
    for (const hold of this.holds.values()) {
      for (const [c, until] of hold.holders) {
        // Strictly past: an event stamped exactly at the deadline may still be what is awaited.
        if (until < now) this.releaseHolder(hold, c, true)
        else if (until < next) next = until
      }
    }
    this.nextDeadline = next
    this.collect(out)
  }

  private forceOldest (out: ScantagEvent[]): void {
    const first = this.holds.values().next()
    if (first.done === true) return
    const hold = first.value
    for (const c of [...hold.holders.keys()]) this.releaseHolder(hold, c, true)
    this.collect(out)
  }

  private releaseHolder (hold: Hold, c: Correlator, expired: boolean): void {
    if (!hold.holders.has(c)) return
    hold.holders.delete(c)
    if (expired && c.onRelease !== undefined && !this.disabled.has(c)) {
      this.call(c, () => { c.onRelease?.(hold.event, this.contexts.get(c) as CorrelatorContext) })
    }
  }

  /** Moves fully released events to `out`, in input order. */
  private collect (out: ScantagEvent[]): void {
    for (const [event, hold] of this.holds) {
      if (hold.holders.size === 0) {
        this.holds.delete(event)
        out.push(event)
      }
    }
  }

  private contextFor (c: Correlator): CorrelatorContext {
    const engine = this
    const prefix = c.name + ':'
    return {
      get watermark () { return engine.watermarkTime },
      processes: this.processes,
      log: this.log,
      state<V> (name: string, options: StateOptions): KeyedState<V> {
        const key = prefix + name
        let store = engine.stores.get(key)
        if (store === undefined) {
          store = createKeyedState<NonNullable<unknown>>(key, options, engine.clock)
          engine.stores.set(key, store)
        }
        return store as unknown as KeyedState<V>
      },
      hold (event: ScantagEvent, until: number): void {
        let hold = engine.holds.get(event)
        if (hold === undefined) {
          // Only the event being handled can be held: any other has already left.
          if (engine.current?.event !== event) return
          const seq = engine.current?.event === event ? engine.current.seq : engine.seq
          hold = { event, seq, holders: new Map() }
          engine.holds.set(event, hold)
        }
        const base = event.time ?? engine.watermarkTime
        const deadline = Math.min(until, base + engine.maxHoldSeconds)
        hold.holders.set(c, deadline)
        if (deadline < engine.nextDeadline) engine.nextDeadline = deadline
      },
      release (event: ScantagEvent): void {
        const hold = engine.holds.get(event)
        if (hold === undefined) return
        engine.releaseHolder(hold, c, false)
        if (hold.holders.size === 0) {
          engine.holds.delete(event)
          // Released from outside its own onEvent: leave with the next output batch.
          if (engine.current?.event !== event) engine.ready.push(event)
        }
      }
    }
  }
}
