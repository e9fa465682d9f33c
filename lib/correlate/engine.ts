/**
 * The correlation engine: runs correlators over the event stream in event time.
 *
 * Pure and synchronous: `push(event)` returns what may leave now (events and detection
 * records), `end()` the rest. Correlators see an event in order; a plain hold (`ctx.hold`)
 * stops it there, and the correlators after the holder see it only once it is released, with
 * what the holder added (flow attribution holds a flow until its socket record arrives, so the
 * detectors after it see the process). Keyed holds (`ctx.holdFor`, for retroactive labels) do
 * not stop delivery. The watermark is the newest event time seen (inputs are already
 * merged in time order). Events nobody holds leave at once; held events leave when the
 * watermark has passed their hold's deadline (the holder's `onRelease` runs first for plain
 * holds), when the holder releases or labels them, or when `maxHeldEvents` forces the oldest
 * out; released events leave in input order among themselves, before the event that released
 * them. Every event pushed leaves exactly once.
 *
 * Detections are summaries the correlators open and update through `ctx.detect`; the engine
 * emits a record when one opens, when it grows (at most every `detectionUpdateSeconds` of
 * event time), and when it closes (idle for its `idleSeconds`, or at the end of input).
 */
import { createHash } from 'node:crypto'
import type { Detection, DetectionRecord, Label, ScantagEvent, Subtechnique } from '../model.js'
import { formatIsoMicros } from '../parse/time.js'
import type { Correlator, CorrelatorContext, CorrelatorLogger, DetectionInput, KeyedState, LabelInput, SourceEvidence, StateOptions } from './api.js'
import { t1046Label, t1595Label } from './knowledge/attack.js'
import { createNetSet, DEFAULT_HOME_NET, type NetSet } from './netset.js'
import { ProcessTable, type ProcessTableOptions } from './process-table.js'
import { createKeyedState, rebuildKeyedState, type EventClock, type StoredState } from './state.js'

/** A source that must not be reported (known scanners, monitoring systems). */
export interface AllowEntry {
  /** Address or CIDR of the source. */
  cidr: string
  /** Only for these destination ports (default: all). */
  ports?: number[]
  /** Only for these sub-techniques (default: all). */
  subtechniques?: Subtechnique[]
  /** Why (kept for the reader of the config). */
  reason?: string
}

/** Options of {@link CorrelationEngine}. */
export interface EngineOptions {
  correlators: readonly Correlator[]
  /** Most events held at once (default 10,000); beyond it the oldest is released. */
  maxHeldEvents?: number
  /**
   * Most memory held events may take, in bytes as estimated by {@link heldEventBytes}
   * (default 32 MiB); beyond it the oldest is released. The event count alone does not bound
   * memory: lines may be up to `maxLineLength` long.
   */
  maxHeldBytes?: number
  /**
   * Longest hold in seconds of event time (default 300, as in the configuration): how far back a
   * detection can label its scan's events, and the longest any event can be delayed.
   */
  maxHoldSeconds?: number
  /** Process table limits and configured hosts. */
  processTable?: ProcessTableOptions
  /** What to do with a correlator that throws: `skip` the event for it (default) or `disable` it. */
  onError?: 'skip' | 'disable'
  /** Where correlator messages and errors go (default: nowhere). */
  log?: CorrelatorLogger
  /** Home network CIDRs (default RFC 1918, RFC 6598, ULA, loopback). */
  homeNet?: readonly string[]
  /** Sources never reported. */
  allow?: readonly AllowEntry[]
  /** Label scans from inside the home network with ATT&CK T1046 too (default true). */
  internalT1046?: boolean
  /** Least event time between two `updated` records of one detection (default 60). */
  detectionUpdateSeconds?: number
  /** Most open detections (default 10,000); beyond it the least recently updated is closed. */
  maxDetections?: number
  /**
   * Most sources whose evidence (`addEvidence`) is remembered (default
   * {@link DEFAULT_MAX_EVIDENCE_SOURCES}); the least recently added go first.
   */
  maxEvidenceSources?: number
  /** The configuration, visible to correlators as `ctx.config`. */
  config?: Readonly<Record<string, unknown>>
  /** Time budget of one correlator call in ms (default 250; 0 turns the check off). */
  slowCorrelatorMillis?: number
  /** Calls over the budget before a correlator is disabled (default 10). */
  slowCallsAllowed?: number
}

interface Hold {
  event: ScantagEvent
  seq: number
  /** {@link heldEventBytes} of the event, counted in the engine's `heldBytes` while held. */
  bytes: number
  /**
   * Correlators still holding it, in the order they took it. An array, not a Map: an event has
   * one or two holders, and a hold is made for most connection records of some logs.
   */
  holders: Holder[]
  /** Index of the next correlator to see the event, when a plain hold stopped its delivery. */
  stage?: number
  /** Forced out (cap or end of input): further holds are ignored. */
  forced?: boolean
}

/** One correlator's hold on an event. */
interface Holder {
  correlator: Correlator
  /** Event time it is released at. */
  deadline: number
  /** Key of a keyed hold (`holdFor`); undefined for a plain hold. */
  key: string | undefined
  /** Its entry in the deadline heap, cut loose from the hold when the holder goes. */
  entry?: Deadline
}

/** Events one correlator holds under one key: one event as itself, more in a Set (most keys hold one). */
type KeyedEvents = ScantagEvent | Set<ScantagEvent>

/**
 * A hold's deadline in the heap. Entries of holders that went early (labelled, released,
 * re-held) stay in the heap until popped or rebuilt, so they let go of the hold at once: else
 * each would keep its event, labels and original record alive for the whole hold time (on a
 * wide sweep, 31,000 events beyond the 10,000 held, about 45 MB).
 */
interface Deadline {
  at: number
  hold: Hold | undefined
  holder: Correlator
}

interface OpenDetection {
  detection: Detection
  correlator: string
  idleSeconds: number
  lastEmitted: number
  emittedCounts: string
  lastSeen: number
  /** When it was last put at the back of `detections`, counted in {@link CorrelationEngine.detectionMoves}. */
  moved: number
}

/** What leaves the engine: events, and detection records between them. */
export type EngineOutput = ScantagEvent | DetectionRecord

/** Default of {@link EngineOptions.maxHeldBytes}: 32 MiB. */
export const DEFAULT_MAX_HELD_BYTES = 32 * 1024 * 1024
/**
 * Default of {@link EngineOptions.maxEvidenceSources}: 20,000, twice the detectors' own pair and
 * source stores (10,000 each), whose confidence the evidence raises. About 300 bytes each with
 * protocol-anomaly's sender record; 100,000 of both took 75 MB of the 256 MiB heap on a
 * 1,000,000-source Zeek log and slowed the run by half in garbage collection.
 */
export const DEFAULT_MAX_EVIDENCE_SOURCES = 20_000

/**
 * Estimated heap bytes of one held event: three bytes a character of its line (the line, one
 * byte a character in V8, plus the parsed original and the normalized event, measured at 1.9
 * times the line on the bench's EVE records), plus 256 for the hold's own bookkeeping. Events
 * without a line (Zeek TSV rows, objects given to the enricher) count 2,560 (measured: 2,520 for
 * a conn.log row).
 */
export function heldEventBytes (event: ScantagEvent): number {
  const raw = event.raw
  return raw === undefined ? 2560 : 3 * raw.length + 256
}

const silent: CorrelatorLogger = { info: () => {}, warn: () => {} }
/** One onEvent call in this many is timed against the budget (a power of two). */
const TIMING_SAMPLE = 16
const SAMPLE = 10

/** What the hold queue keeps in place of a hold that has left (never in `holds`). */
const LEFT: Hold = { event: { category: 'network' } as ScantagEvent, seq: -1, bytes: 0, holders: [] }

export class CorrelationEngine {
  private watermarkTime = -Infinity
  private seq = 0
  /** In insertion (= input) order, so the first entry is the oldest. */
  private readonly holds = new Map<ScantagEvent, Hold>()
  /**
   * Holds in the order they started (oldest at `holdHead`), for forcing the oldest out at the
   * cap. A Map's first entry is slow to reach after many deletions at its front (V8 skips the
   * deleted slots one by one until it rehashes), and at the cap that is every event. Slots the
   * head has passed hold {@link LEFT}, not the hold that left: the queue is compacted only when
   * the dead front is half of it, and until then the front would keep up to as many events
   * alive again as are held (on a wide sweep at the cap, 9,600 more than the 10,000 held).
   */
  private holdOrder: Hold[] = []
  /** Estimated bytes of the events held now. */
  private heldBytes = 0
  private holdHead = 0
  /** Insertions into `detections` (new or moved to the back), for {@link OpenDetection.moved}. */
  private detectionMoves = 0
  /** Keyed holds: correlator → key → events. */
  private readonly keyed = new Map<Correlator, Map<string, KeyedEvents>>()
  private readonly contexts = new Map<Correlator, CorrelatorContext>()
  /** Per correlator, by run order: its context, and whether it takes network / process events (the hot loop reads these, not Maps). */
  private readonly contextList: readonly CorrelatorContext[]
  private readonly takesNetwork: readonly boolean[]
  private readonly takesProcess: readonly boolean[]
  private readonly disabled = new Set<Correlator>()
  private readonly stores = new Map<string, StoredState<NonNullable<unknown>>>()
  /** Stores a correlator has asked for by ctx.state() (the others were made by a checkpoint). */
  private readonly claimedStores = new Set<string>()
  private readonly correlators: readonly Correlator[]
  /** The correlators with an `onWatermark`, called each time event time moves on. */
  private readonly watermarkers: readonly Correlator[]
  private readonly maxHeld: number
  private readonly maxHeldBytes: number
  private readonly maxHoldSeconds: number
  private readonly onError: 'skip' | 'disable'
  private readonly log: CorrelatorLogger
  private readonly homeNet: NetSet
  private readonly allow: Array<{ net: NetSet, ports?: Set<number>, subtechniques?: Set<Subtechnique> }>
  private readonly internalT1046: boolean
  private readonly updateSeconds: number
  private readonly maxDetections: number
  private readonly detections = new Map<string, OpenDetection>()
  private readonly evidenceStore: StoredState<Record<string, number>>
  private readonly config: Readonly<Record<string, unknown>>
  private readonly ready: EngineOutput[] = []
  /** Hold deadlines as a binary min-heap; entries whose hold changed are skipped when popped. */
  private deadlines: Deadline[] = []
  /** Event time of the last idle-detection sweep. */
  private lastIdleSweep = -Infinity
  /** The event being delivered (undefined between events) and its sequence number: two fields, not an object per delivery. */
  private currentEvent: ScantagEvent | undefined
  private currentSeq = 0
  /** Holds whose delivery to later correlators can resume. */
  private readonly resume = new Set<Hold>()
  /** Errors per correlator name. */
  readonly errors = new Map<string, number>()
  /** Calls over the time budget, per correlator name. */
  readonly slowCalls = new Map<string, number>()
  private readonly slowMillis: number
  private readonly slowCallsAllowed: number
  readonly clock: EventClock = { now: () => (this.watermarkTime === -Infinity ? 0 : this.watermarkTime) }
  readonly processes: ProcessTable
  /** Largest number of events held at once. */
  peakHeld = 0
  /** Detection records emitted, by status. */
  readonly detectionCounts = { open: 0, updated: 0, closed: 0 }

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
    this.watermarkers = this.correlators.filter(c => typeof c.onWatermark === 'function')
    this.maxHeld = options.maxHeldEvents ?? 10_000
    this.maxHeldBytes = options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES
    if (!Number.isInteger(this.maxHeldBytes) || this.maxHeldBytes < 0) throw new TypeError(`maxHeldBytes must be an integer >= 0, got ${String(options.maxHeldBytes)}`)
    this.maxHoldSeconds = options.maxHoldSeconds ?? 300
    if (!Number.isInteger(this.maxHeld) || this.maxHeld < 0) throw new TypeError(`maxHeldEvents must be an integer >= 0, got ${String(options.maxHeldEvents)}`)
    if (!(this.maxHoldSeconds >= 0)) throw new TypeError(`maxHoldSeconds must be >= 0, got ${String(options.maxHoldSeconds)}`)
    this.onError = options.onError ?? 'skip'
    this.slowMillis = options.slowCorrelatorMillis ?? 250
    this.slowCallsAllowed = options.slowCallsAllowed ?? 10
    this.log = options.log ?? silent
    this.homeNet = createNetSet(options.homeNet ?? DEFAULT_HOME_NET, 'homeNet entry')
    this.allow = (options.allow ?? []).map(a => {
      const entry: { net: NetSet, ports?: Set<number>, subtechniques?: Set<Subtechnique> } = { net: createNetSet([a.cidr], 'allow entry') }
      if (a.ports !== undefined) entry.ports = new Set(a.ports)
      if (a.subtechniques !== undefined) entry.subtechniques = new Set(a.subtechniques)
      return entry
    })
    this.internalT1046 = options.internalT1046 ?? true
    this.updateSeconds = options.detectionUpdateSeconds ?? 60
    this.maxDetections = options.maxDetections ?? 10_000
    this.config = Object.freeze({ ...(options.config ?? {}) })
    this.processes = new ProcessTable(this.clock, options.processTable)
    const maxEvidence = options.maxEvidenceSources ?? DEFAULT_MAX_EVIDENCE_SOURCES
    if (!Number.isInteger(maxEvidence) || maxEvidence < 1) throw new TypeError(`maxEvidenceSources must be a positive integer, got ${String(options.maxEvidenceSources)}`)
    this.evidenceStore = createKeyedState('source-evidence', { max: maxEvidence, ttlSeconds: 3600 }, this.clock)
    for (const c of this.correlators) this.contexts.set(c, this.contextFor(c))
    this.contextList = this.correlators.map(c => this.contexts.get(c) as CorrelatorContext)
    this.takesNetwork = this.correlators.map(c => c.categories === undefined || c.categories.includes('network'))
    this.takesProcess = this.correlators.map(c => c.categories === undefined || c.categories.includes('process'))
  }

  /**
   * Every bounded store, by name (correlator stores as `correlator:name`, plus the engine's
   * process table and source evidence), for checkpoints.
   */
  allStores (): Map<string, StoredState<NonNullable<unknown>>> {
    const all = new Map(this.stores)
    for (const [name, store] of Object.entries(this.processes.stores())) all.set('engine:' + name, store)
    all.set('engine:source-evidence', this.evidenceStore as unknown as StoredState<NonNullable<unknown>>)
    return all
  }

  /** Open detections, for checkpoints. */
  openDetectionStates (): Array<{ key: string, detection: Detection, idleSeconds: number, lastSeen: number, lastEmitted: number, emittedCounts: string }> {
    return [...this.detections].map(([key, o]) => ({ key, detection: o.detection, idleSeconds: o.idleSeconds, lastSeen: o.lastSeen, lastEmitted: o.lastEmitted, emittedCounts: o.emittedCounts }))
  }

  /**
   * Restores what {@link openDetectionStates}, {@link allStores} and the watermark held, from a
   * checked checkpoint: call before the first event.
   */
  restoreState (watermark: number, detections: ReturnType<CorrelationEngine['openDetectionStates']>, fill: (stores: Map<string, StoredState<NonNullable<unknown>>>) => void): void {
    if (this.seq !== 0) throw new Error('restoreState() must be called before the first event')
    this.watermarkTime = watermark
    // Correlator stores are created lazily by ctx.state(); make them exist by name first.
    fill(this.allStores())
    for (const d of detections) {
      const correlator = d.key.slice(0, d.key.indexOf('\u0000'))
      this.detections.set(d.key, { detection: d.detection, correlator, idleSeconds: d.idleSeconds, lastSeen: d.lastSeen, lastEmitted: d.lastEmitted, emittedCounts: d.emittedCounts, moved: this.detectionMoves++ })
    }
  }

  /**
   * Creates (or returns) a correlator's store by its full name `correlator:store`. A checkpoint
   * creates the stores it restores with the bounds it saved; the first time the correlator
   * itself asks (`claim`), the store is made again with the correlator's options, which may
   * have changed since and carry what a checkpoint cannot (`sizeOf`).
   */
  storeFor (fullName: string, options: StateOptions, claim = false): StoredState<NonNullable<unknown>> {
    let store = this.stores.get(fullName)
    if (store === undefined) {
      store = createKeyedState<NonNullable<unknown>>(fullName, options, this.clock)
      this.stores.set(fullName, store)
    } else if (claim && !this.claimedStores.has(fullName)) {
      store = rebuildKeyedState(store, options as StateOptions<NonNullable<unknown>>, this.clock, fullName)
      this.stores.set(fullName, store)
    }
    if (claim) this.claimedStores.add(fullName)
    return store
  }

  /** Names of the correlators, in run order. */
  get correlatorNames (): string[] { return this.correlators.map(c => c.name) }

  /** Current watermark (epoch seconds). */
  get watermark (): number { return this.watermarkTime }

  /** Events held right now. */
  get held (): number { return this.holds.size }

  /** Detections open right now. */
  get openDetections (): number { return this.detections.size }

  /** Feeds one event; returns what may leave now. */
  push (event: ScantagEvent): EngineOutput[] {
    const out: EngineOutput[] = []
    this.pushInto(event, out)
    return out
  }

  /**
   * Feeds one event and appends what may leave now to `out`: {@link push} without an array per
   * event, for a shell that hands the outputs on at once and reuses `out`.
   */
  pushInto (event: ScantagEvent, out: EngineOutput[]): void {
    this.drainReady(out)
    const t = event.time
    if (t !== undefined && t > this.watermarkTime) {
      this.watermarkTime = t
      for (const c of this.watermarkers) {
        if (!this.disabled.has(c)) this.call(c, () => { c.onWatermark?.(t, this.contexts.get(c) as CorrelatorContext) })
      }
    }
    // Holds the new watermark has passed go first: their events are older than this one.
    this.expire(out)
    this.closeIdle(out)
    this.deliver(event, 0, this.seq++)
    if (this.resume.size > 0) this.runResumes()
    this.drainReady(out)
    if (this.holds.size === 0 || !this.holds.has(event)) out.push(event)
    while (this.holds.size > this.maxHeld || (this.heldBytes > this.maxHeldBytes && this.holds.size > 0)) this.forceOldest(out)
    if (this.holds.size > this.peakHeld) this.peakHeld = this.holds.size
  }

  /** Moves what is ready to leave onto `out`, keeping the one `ready` array. */
  private drainReady (out: EngineOutput[]): void {
    const ready = this.ready
    if (ready.length === 0) return
    for (let i = 0; i < ready.length; i++) out.push(ready[i])
    ready.length = 0
  }

  /** End of input: runs `onEnd`, releases every held event, closes every detection. */
  end (): EngineOutput[] {
    const out: EngineOutput[] = []
    this.drainReady(out)
    for (const c of this.correlators) {
      if (c.onEnd !== undefined && !this.disabled.has(c)) this.call(c, () => { c.onEnd?.(this.contexts.get(c) as CorrelatorContext) })
    }
    this.runResumes()
    this.drainReady(out)
    while (this.holds.size > 0) this.forceOldest(out)
    for (const key of [...this.detections.keys()]) this.close(key, out)
    return out
  }

  /** Hands an event to the correlators from index `from` on, stopping at a plain hold. */
  private deliver (event: ScantagEvent, from: number, seq: number): void {
    const previousEvent = this.currentEvent
    const previousSeq = this.currentSeq
    this.currentEvent = event
    this.currentSeq = seq
    const n = this.correlators.length
    const network = event.category === 'network'
    for (let i = from; i < n; i++) {
      const c = this.correlators[i]
      if (this.disabled.size > 0 && this.disabled.has(c)) continue
      if (!(network ? this.takesNetwork[i] : this.takesProcess[i])) continue
      this.onEvent(c, this.contextList[i], event)
      if (this.holds.size === 0) continue
      const hold = this.holds.get(event)
      if (hold !== undefined && hold.forced !== true && hasPlainHolder(hold)) {
        hold.stage = i + 1
        break
      }
    }
    this.currentEvent = previousEvent
    this.currentSeq = previousSeq
  }

  /**
   * After a holder let go: resume delivery, or let the event go when nobody holds it. True when
   * the event is to leave now (the caller puts it out).
   */
  private settle (hold: Hold): boolean {
    if (!this.holds.has(hold.event)) return false
    if (this.currentEvent === hold.event) {
      // Released while being handled: delivery simply goes on.
      if (hold.holders.length === 0 && hold.stage === undefined) this.dropHold(hold)
      return false
    }
    if (hasPlainHolder(hold)) return false
    if (hold.stage !== undefined && hold.stage < this.correlators.length) {
      this.resume.add(hold)
      return false
    }
    if (hold.holders.length === 0) {
      this.dropHold(hold)
      return true
    }
    return false
  }

  /**
   * Resumes delivery of released events to the correlators after their holder, oldest first.
   * Those that leave go to `leaving`, or straight out (`ready`) without one.
   */
  private runResumes (leaving?: Hold[]): void {
    while (this.resume.size > 0) {
      const list = [...this.resume].sort((a, b) => a.seq - b.seq)
      this.resume.clear()
      for (const hold of list) {
        if (!this.holds.has(hold.event) || hold.stage === undefined) continue
        const stage = hold.stage
        hold.stage = undefined
        this.deliver(hold.event, stage, hold.seq)
        if (this.settle(hold)) {
          if (leaving !== undefined) leaving.push(hold)
          else this.ready.push(hold.event)
        }
      }
    }
  }

  /**
   * The hot path: one correlator, one event, no closure allocated. Timing is sampled (one call
   * in {@link TIMING_SAMPLE}) so that the budget check costs almost nothing.
   */
  private onEvent (c: Correlator, ctx: CorrelatorContext, event: ScantagEvent): void {
    const timed = this.slowMillis > 0 && (++this.callCount & (TIMING_SAMPLE - 1)) === 0
    const started = timed ? performance.now() : 0
    try {
      c.onEvent(event, ctx)
    } catch (err) {
      this.failed(c, err)
      return
    }
    if (timed) this.timed(c, performance.now() - started)
  }

  private failed (c: Correlator, err: unknown): void {
    this.errors.set(c.name, (this.errors.get(c.name) ?? 0) + 1)
    this.log.warn(`correlator ${c.name} failed: ${(err as Error)?.message ?? String(err)}${this.onError === 'disable' ? '; disabled' : ''}`)
    if (this.onError === 'disable') this.disabled.add(c)
  }

  private timed (c: Correlator, took: number): void {
    // A correlator cannot be interrupted (it runs in this thread), but one that keeps taking
    // longer than the budget is reported, and disabled after `slowCallsAllowed` such calls.
    if (took <= this.slowMillis) return
    const n = (this.slowCalls.get(c.name) ?? 0) + 1
    this.slowCalls.set(c.name, n)
    if (n === 1 || n === this.slowCallsAllowed) {
      this.log.warn(`correlator ${c.name} took ${took.toFixed(1)} ms for one event (budget ${this.slowMillis} ms)${n >= this.slowCallsAllowed ? `; disabled after ${n} slow calls` : ''}`)
    }
    if (n >= this.slowCallsAllowed) this.disabled.add(c)
  }

  /** Calls made, for sampling their timing. */
  private callCount = 0

  private call (c: Correlator, fn: () => void): void {
    const timed = this.slowMillis > 0
    const started = timed ? performance.now() : 0
    try {
      fn()
    } catch (err) {
      this.failed(c, err)
      return
    }
    if (timed) this.timed(c, performance.now() - started)
  }

  /** Releases holds whose deadline the watermark has passed; they leave oldest event first. */
  private expire (out: EngineOutput[]): void {
    const heap = this.deadlines
    const now = this.watermarkTime
    // Strictly past: an event stamped exactly at the deadline may still be what is awaited.
    if (heap.length === 0 || heap[0].at >= now) return
    const leaving: Hold[] = []
    while (heap.length > 0 && heap[0].at < now) {
      const d = heapPop(heap)
      const hold = d.hold
      if (hold === undefined || holderOf(hold, d.holder)?.deadline !== d.at) continue // released or re-held since
      this.releaseHolder(hold, d.holder, true)
      if (this.settle(hold)) leaving.push(hold)
    }
    this.runResumes(leaving)
    if (leaving.length > 1) leaving.sort(bySeq)
    for (let i = 0; i < leaving.length; i++) out.push(leaving[i].event)
  }

  private oldestHold (): Hold | undefined {
    const order = this.holdOrder
    let head = this.holdHead
    while (head < order.length && this.holds.get(order[head].event) !== order[head]) order[head++] = LEFT
    if (head > 1024 && head > order.length >>> 1) {
      order.splice(0, head) // compact: entries before the head have left
      head = 0
    }
    this.holdHead = head
    return head < order.length ? order[head] : undefined
  }

  private dropHold (hold: Hold): void {
    if (this.holds.get(hold.event) !== hold) return
    this.holds.delete(hold.event)
    this.heldBytes -= hold.bytes
  }

  private compactHoldOrder (): void {
    const live: Hold[] = []
    const order = this.holdOrder
    for (let i = this.holdHead; i < order.length; i++) if (this.holds.get(order[i].event) === order[i]) live.push(order[i])
    this.holdOrder = live
    this.holdHead = 0
  }

  private forceOldest (out: EngineOutput[]): void {
    const hold = this.oldestHold()
    if (hold === undefined) return
    hold.forced = true
    for (const c of hold.holders.map(correlatorOf)) this.releaseHolder(hold, c, true)
    // The correlators it has not reached yet still see it, but may not hold it again.
    if (hold.stage !== undefined) {
      const stage = hold.stage
      hold.stage = undefined
      this.resume.delete(hold)
      this.deliver(hold.event, stage, hold.seq)
      for (const c of hold.holders.map(correlatorOf)) this.releaseHolder(hold, c, true)
    }
    this.dropHold(hold)
    this.drainReady(out)
    out.push(hold.event)
  }

  private releaseHolder (hold: Hold, c: Correlator, expired: boolean): void {
    const holder = holderOf(hold, c)
    if (holder === undefined) return
    const key = holder.key
    if (holder.entry !== undefined) holder.entry.hold = undefined
    hold.holders.splice(hold.holders.indexOf(holder), 1)
    if (key !== undefined) {
      // Keyed holds wait for a label only: no onRelease call.
      const byKey = this.keyed.get(c)
      if (byKey !== undefined) removeKeyed(byKey, key, hold.event)
      return
    }
    if (expired && c.onRelease !== undefined && !this.disabled.has(c)) {
      this.call(c, () => { c.onRelease?.(hold.event, this.contexts.get(c) as CorrelatorContext) })
    }
  }

  /** Starts holding the current event (or extends a hold); false if the event has left. */
  private addHold (c: Correlator, event: ScantagEvent, until: number): Hold | undefined {
    let hold = this.holds.get(event)
    if (hold?.forced === true) return undefined
    if (hold === undefined) {
      // Only the event being handled can be held: any other has already left.
      if (this.currentEvent !== event) return undefined
      hold = { event, seq: this.currentSeq, bytes: heldEventBytes(event), holders: [] }
      this.holds.set(event, hold)
      this.heldBytes += hold.bytes
      this.holdOrder.push(hold)
      // Holds released before reaching the head stay in the queue: drop them before they pile up.
      if (this.holdOrder.length - this.holdHead > 2 * this.holds.size + 1024) this.compactHoldOrder()
    }
    const base = event.time ?? this.watermarkTime
    const deadline = Math.min(until, base + this.maxHoldSeconds)
    const entry: Deadline = { at: deadline, hold, holder: c }
    const holder = holderOf(hold, c)
    if (holder !== undefined) {
      if (holder.entry !== undefined) holder.entry.hold = undefined
      holder.deadline = deadline
      holder.entry = entry
    } else {
      hold.holders.push({ correlator: c, deadline, key: undefined, entry })
    }
    heapPush(this.deadlines, entry)
    // Entries of holds released early stay until popped; rebuild before they pile up.
    if (this.deadlines.length > 4 * (this.maxHeld + 1024)) this.rebuildDeadlines()
    return hold
  }

  private rebuildDeadlines (): void {
    const live: Deadline[] = []
    for (const hold of this.holds.values()) {
      for (const h of hold.holders) {
        const entry: Deadline = { at: h.deadline, hold, holder: h.correlator }
        h.entry = entry
        live.push(entry)
      }
    }
    this.deadlines = []
    for (const d of live) heapPush(this.deadlines, d)
  }

  /** Whether a scan source is inside the home network. */
  isHome (ip: string): boolean { return this.homeNet.has(ip) }

  private isAllowed (ip: string, what?: { port?: number, subtechnique?: Subtechnique }): boolean {
    for (const a of this.allow) {
      if (!a.net.has(ip)) continue
      if (a.ports !== undefined && (what?.port === undefined || !a.ports.has(what.port))) continue
      if (a.subtechniques !== undefined && (what?.subtechnique === undefined || !a.subtechniques.has(what.subtechnique))) continue
      return true
    }
    return false
  }

  /** The scanning source of a labelled event: the label's, the flow's source, or the host. */
  private sourceOf (event: ScantagEvent, label: LabelInput): string | undefined {
    if (label.source !== undefined) return label.source
    if (event.category === 'network') return event.src?.ip
    return event.host.ips?.[0]
  }

  private applyLabel (c: Correlator, event: ScantagEvent, input: LabelInput): void {
    checkLabel(input)
    const confidence = Math.max(0, Math.min(1, input.confidence))
    const rest: Pick<Label, 'confidence' | 'correlator' | 'reason' | 'detection'> = { confidence, correlator: c.name, reason: input.reason }
    if (input.detection !== undefined) rest.detection = input.detection
    const labels = event.scantag.labels ?? (event.scantag.labels = [])
    addLabel(labels, t1595Label(input.subtechnique, rest))
    if (this.internalT1046 && input.subtechnique !== null) {
      // Endpoint telemetry is from our own hosts: a scan seen there is internal.
      const src = this.sourceOf(event, input)
      if (event.category === 'process' || (src !== undefined && this.homeNet.has(src))) addLabel(labels, t1046Label(rest))
    }
  }

  private emitDetection (open: OpenDetection, status: Detection['status'], out: EngineOutput[]): void {
    open.detection.status = status
    open.lastEmitted = this.watermarkTime
    open.emittedCounts = countsOf(open.detection)
    this.detectionCounts[status]++
    // A snapshot: later updates must not change a record that has left.
    out.push({ category: 'detection', time: open.lastSeen, detection: structuredClone(open.detection) })
  }

  private close (key: string, out: EngineOutput[]): void {
    const open = this.detections.get(key)
    if (open === undefined) return
    this.detections.delete(key)
    this.emitDetection(open, 'closed', out)
  }

  private closeIdle (out: EngineOutput[]): void {
    if (this.detections.size === 0 || this.watermarkTime - this.lastIdleSweep < 1) return
    this.lastIdleSweep = this.watermarkTime
    for (const [key, open] of this.detections) {
      if (open.lastSeen + open.idleSeconds < this.watermarkTime) this.close(key, out)
    }
  }

  private detect (c: Correlator, input: DetectionInput): Detection {
    checkDetection(input)
    const key = c.name + '\u0000' + input.key
    let open = this.detections.get(key)
    const sampleTargets = (input.sampleTargets ?? []).slice(0, SAMPLE)
    const samplePorts = (input.samplePorts ?? []).slice(0, SAMPLE)
    // A source inside the home network, or a host we have endpoint telemetry for, is internal.
    const home = this.homeNet.has(input.sourceIp) || input.host !== undefined
    if (open === undefined) {
      const id = 'det-' + createHash('sha1').update(`${c.name}|${input.key}|${input.firstSeen}`).digest('hex').slice(0, 16)
      const detection: Detection = {
        id,
        correlator: c.name,
        technique: 'T1595',
        subtechnique: input.subtechnique,
        alsoTechniques: this.internalT1046 && home && input.subtechnique !== null ? ['T1046'] : [],
        source: { ip: input.sourceIp },
        first_seen: formatIsoMicros(input.firstSeen),
        last_seen: formatIsoMicros(input.lastSeen),
        target_count: input.targetCount,
        port_count: input.portCount,
        event_count: input.eventCount,
        sample_targets: sampleTargets,
        sample_ports: samplePorts,
        confidence: Math.max(0, Math.min(1, input.confidence)),
        reason: flatString(input.reason),
        status: 'open'
      }
      if (input.process !== undefined) detection.process = input.process
      if (input.host !== undefined) detection.host = input.host
      if (input.user !== undefined) detection.user = input.user
      open = { detection, correlator: c.name, idleSeconds: input.idleSeconds ?? 900, lastEmitted: -Infinity, emittedCounts: '', lastSeen: input.lastSeen, moved: this.detectionMoves++ }
      if (this.detections.size >= this.maxDetections) {
        const oldest = this.detections.keys().next()
        if (oldest.done !== true) this.close(oldest.value, this.ready)
      }
      this.detections.set(key, open)
      this.emitDetection(open, 'open', this.ready)
      return open.detection
    }
    const d = open.detection
    d.last_seen = formatIsoMicros(input.lastSeen)
    d.target_count = input.targetCount
    d.port_count = input.portCount
    d.event_count = input.eventCount
    if (sampleTargets.length > 0) d.sample_targets = sampleTargets
    if (samplePorts.length > 0) d.sample_ports = samplePorts
    d.confidence = Math.max(0, Math.min(1, input.confidence))
    d.reason = flatString(input.reason)
    if (input.process !== undefined) d.process = input.process
    if (input.host !== undefined) d.host = input.host
    if (input.user !== undefined) d.user = input.user
    if (input.idleSeconds !== undefined) open.idleSeconds = input.idleSeconds
    open.lastSeen = input.lastSeen
    // Keep it away from the front, which the cap closes first. It is moved to the back only
    // when more than size/2 others have been added or moved since its own last move, so the
    // order is by last move, which lags the last update by at most size/2 moves. Moving it at
    // every update cost 17% of a 9,000-host port scan's run (a Map whose entries are deleted
    // and added at that rate keeps being rebuilt).
    if (this.detectionMoves - open.moved > this.detections.size >>> 1) {
      this.detections.delete(key)
      this.detections.set(key, open)
      open.moved = this.detectionMoves++
    }
    if (this.watermarkTime - open.lastEmitted >= this.updateSeconds && countsOf(d) !== open.emittedCounts) {
      this.emitDetection(open, 'updated', this.ready)
    }
    return d
  }

  private contextFor (c: Correlator): CorrelatorContext {
    const engine = this
    const prefix = c.name + ':'
    let keyedHolds = this.keyed.get(c)
    if (keyedHolds === undefined) { keyedHolds = new Map(); this.keyed.set(c, keyedHolds) }
    const myHolds = keyedHolds
    return {
      get watermark () { return engine.watermarkTime },
      processes: this.processes,
      log: this.log,
      config: this.config,
      state<V> (name: string, options: StateOptions<V>): KeyedState<V> {
        return engine.storeFor(prefix + name, options as StateOptions, true) as unknown as KeyedState<V>
      },
      hold (event: ScantagEvent, until: number): void {
        engine.addHold(c, event, until)
      },
      release (event: ScantagEvent): void {
        const hold = engine.holds.get(event)
        if (hold === undefined) return
        engine.releaseHolder(hold, c, false)
        // Leaves (or goes on to the next correlators) with the next output batch.
        if (engine.settle(hold)) engine.ready.push(hold.event)
      },
      holdFor (key: string, event: ScantagEvent, until: number): void {
        const hold = engine.addHold(c, event, until)
        if (hold === undefined) return
        const holder = holderOf(hold, c)
        if (holder !== undefined) holder.key = key
        addKeyed(myHolds, key, event)
      },
      tagHeld (key: string, label: LabelInput): number {
        const events = keyedEvents(myHolds, key)
        for (const ev of events) {
          engine.applyLabel(c, ev, label)
          this.release(ev)
        }
        return events.length
      },
      releaseHeld (key: string): number {
        const events = keyedEvents(myHolds, key)
        for (const ev of events) this.release(ev)
        return events.length
      },
      tag (event: ScantagEvent, label: LabelInput): boolean {
        if (engine.currentEvent !== event && !engine.holds.has(event)) return false
        engine.applyLabel(c, event, label)
        return true
      },
      detect (input: DetectionInput): Detection {
        return engine.detect(c, input)
      },
      closeDetection (key: string): void {
        engine.close(c.name + '\u0000' + key, engine.ready)
      },
      isHome: (ip: string) => engine.homeNet.has(ip),
      isAllowed: (ip, what) => engine.isAllowed(ip, what),
      addEvidence (ip: string, kind: string, weight: number): void {
        const kinds = engine.evidenceStore.get(ip) ?? {}
        kinds[kind] = Math.max(kinds[kind] ?? 0, Math.max(0, Math.min(1, weight)))
        engine.evidenceStore.set(ip, kinds)
      },
      evidence (ip: string): SourceEvidence {
        const kinds = engine.evidenceStore.get(ip) ?? {}
        let score = 0
        for (const w of Object.values(kinds)) score += w
        return { kinds: { ...kinds }, score: Math.min(1, score) }
      }
    }
  }
}

/**
 * The same string, flattened: a reason built by concatenation is a rope of a dozen or more
 * pieces, and an open detection keeps it until it closes (10,000 of them by default). V8
 * flattens a rope in place on first indexed access: 502 → 181 bytes per 138-character reason.
 */
function flatString (s: string): string {
  s.charCodeAt(0)
  return s
}

/** Input order of holds. */
function bySeq (a: Hold, b: Hold): number { return a.seq - b.seq }

function countsOf (d: Detection): string {
  return `${d.target_count}/${d.port_count}/${d.event_count}`
}

/** Adds a label, or raises the confidence of the same finding by the same correlator. */
function addLabel (labels: Label[], label: Label): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]
    if (l.correlator === label.correlator && l.technique === label.technique && l.subtechnique === label.subtechnique) {
      if (label.confidence >= l.confidence) labels[i] = label
      return
    }
  }
  labels.push(label)
}

function heapPush (heap: Deadline[], d: Deadline): void {
  heap.push(d)
  let i = heap.length - 1
  while (i > 0) {
    const p = (i - 1) >> 1
    if (heap[p].at <= heap[i].at) break
    const t = heap[i]; heap[i] = heap[p]; heap[p] = t
    i = p
  }
}

function heapPop (heap: Deadline[]): Deadline {
  const top = heap[0]
  const last = heap.pop() as Deadline
  if (heap.length > 0) {
    heap[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && heap[l].at < heap[m].at) m = l
      if (r < heap.length && heap[r].at < heap[m].at) m = r
      if (m === i) break
      const t = heap[i]; heap[i] = heap[m]; heap[m] = t
      i = m
    }
  }
  return top
}

/** Whether a correlator holds the event with a plain (delivery-stopping) hold. */
function hasPlainHolder (hold: Hold): boolean {
  for (const h of hold.holders) if (h.key === undefined) return true
  return false
}

/** Correlator `c`'s hold on `hold`'s event, if it has one. */
function holderOf (hold: Hold, c: Correlator): Holder | undefined {
  for (const h of hold.holders) if (h.correlator === c) return h
  return undefined
}

function correlatorOf (h: Holder): Correlator { return h.correlator }

function addKeyed (byKey: Map<string, KeyedEvents>, key: string, event: ScantagEvent): void {
  const held = byKey.get(key)
  if (held === undefined) byKey.set(key, event)
  else if (held instanceof Set) held.add(event)
  else if (held !== event) byKey.set(key, new Set([held, event]))
}

function removeKeyed (byKey: Map<string, KeyedEvents>, key: string, event: ScantagEvent): void {
  const held = byKey.get(key)
  if (held === event) {
    byKey.delete(key)
  } else if (held instanceof Set) {
    held.delete(event)
    if (held.size === 0) byKey.delete(key)
  }
}

/** The events held under `key`, as a new array (releasing them changes what is held). */
function keyedEvents (byKey: Map<string, KeyedEvents>, key: string): ScantagEvent[] {
  const held = byKey.get(key)
  return held === undefined ? [] : held instanceof Set ? [...held] : [held]
}

const SUBTECHNIQUE_SET = new Set<unknown>(['T1595.001', 'T1595.002', 'T1595.003', null])

/** A label from a correlator, checked so that a buggy plugin cannot write garbage into output. */
function checkLabel (l: LabelInput): void {
  if (l === null || typeof l !== 'object') throw new TypeError('tag(): the label must be an object')
  if (!SUBTECHNIQUE_SET.has(l.subtechnique)) throw new TypeError(`tag(): subtechnique must be T1595.001, T1595.002, T1595.003 or null, got ${String(l.subtechnique)}`)
  if (typeof l.confidence !== 'number' || !Number.isFinite(l.confidence)) throw new TypeError(`tag(): confidence must be a finite number, got ${String(l.confidence)}`)
  if (typeof l.reason !== 'string' || l.reason === '') throw new TypeError('tag(): reason must be a non-empty string')
  if (l.detection !== undefined && typeof l.detection !== 'string') throw new TypeError('tag(): detection must be a string id')
}

function checkDetection (d: DetectionInput): void {
  if (d === null || typeof d !== 'object') throw new TypeError('detect(): the input must be an object')
  if (typeof d.key !== 'string' || d.key === '') throw new TypeError('detect(): key must be a non-empty string')
  if (!SUBTECHNIQUE_SET.has(d.subtechnique)) throw new TypeError(`detect(): subtechnique must be T1595.001, T1595.002, T1595.003 or null, got ${String(d.subtechnique)}`)
  if (typeof d.sourceIp !== 'string') throw new TypeError('detect(): sourceIp must be a string')
  for (const k of ['firstSeen', 'lastSeen', 'targetCount', 'portCount', 'eventCount', 'confidence'] as const) {
    if (typeof d[k] !== 'number' || !Number.isFinite(d[k])) throw new TypeError(`detect(): ${k} must be a finite number, got ${String(d[k])}`)
  }
  if (typeof d.reason !== 'string' || d.reason === '') throw new TypeError('detect(): reason must be a non-empty string')
}
