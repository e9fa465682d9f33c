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
import type { Detection, Label, ScantagEvent, Subtechnique } from '../model.js'
import type { ProcessTable } from './process-table.js'

/** What a correlator says when it labels an event; the engine fills in the ATT&CK names. */
export interface LabelInput {
  /** `T1595.001`, `T1595.002`, `T1595.003`, or `null` for technique-level evidence (T1595). */
  subtechnique: Subtechnique | null
  /** 0–1. */
  confidence: number
  /** One sentence with the numbers, e.g. "203.0.113.5 probed 212 addresses of 10.1.2.0/24 on tcp/445 in 41 s, 98% unanswered". */
  reason: string
  /** The detection this label belongs to, when there is one. */
  detection?: string
  /** The scanning source, when it is not the event's own source (decides T1046 for internal scanners). */
  source?: string
}

/** What a correlator reports to open or update a detection (one per key). */
export interface DetectionInput {
  /** Identifies the detection within the correlator, e.g. `${srcIp}|tcp/445`. */
  key: string
  subtechnique: Subtechnique | null
  /** The scanning source address. */
  sourceIp: string
  /** First and last evidence, epoch seconds. */
  firstSeen: number
  lastSeen: number
  /** Distinct targets (addresses, or names/paths for wordlist scans) so far. */
  targetCount: number
  /** Distinct ports so far. */
  portCount: number
  /** Evidence events so far. */
  eventCount: number
  /** A few targets and ports to show (kept short by the engine). */
  sampleTargets?: string[]
  samplePorts?: number[]
  confidence: number
  reason: string
  /** Close the detection when no update came for this many seconds of event time (default 900). */
  idleSeconds?: number
  /** Attributed process, host and user, when known. */
  process?: Detection['process']
  host?: Detection['host']
  user?: Detection['user']
}

/** Evidence about a source shared between correlators (e.g. protocol anomalies raise confidence). */
export interface SourceEvidence {
  /** Weight per kind of evidence. */
  kinds: Record<string, number>
  /** Sum of the weights, capped at 1. */
  score: number
}

/** Options of a keyed state store. */
export interface StateOptions<V = unknown> {
  /**
   * Most keys kept; the least recently used go first. The store's arrays for `max` keys are
   * allocated at its first entry (about 50 bytes a key), so size it for the keys it must hold.
   */
  max: number
  /** Seconds of event time after which an entry expires. */
  ttlSeconds: number
  /**
   * Whether the store goes into state checkpoints (default true). Stores that reference events
   * in flight (held, not yet output) must say false: those events do not survive a restart.
   * A checkpoint keeps plain data: objects, arrays, strings, numbers, booleans, `Map`, `Set`,
   * typed arrays and `BigInt`. Class instances come back as plain objects with their fields, so
   * a correlator keeping one must rebuild it when it reads the entry (as vertical-scan's
   * `PortTally.revive` does).
   */
  persist?: boolean
  /**
   * Most total size of the entries, in the units {@link StateOptions.sizeOf} gives (the two go
   * together): once the entries add up to more, the least recently used go first. For stores
   * whose entries grow (the destinations of a source, the ports of a pair), where `max` entries
   * alone does not bound the memory. An entry larger than `maxSize` is not kept.
   */
  maxSize?: number
  /**
   * The size of an entry, measured each time it is set (an entry changed in place is measured
   * again when it is set again). Rounded up; at least 1. Entries restored from a checkpoint
   * are plain data, so this must accept them too.
   */
  sizeOf?: (value: V, key: string) => number
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
  state: <V>(name: string, options: StateOptions<V>) => KeyedState<V>
  /**
   * Holds an event back until the watermark passes `until` (event time, seconds), or until
   * {@link CorrelatorContext.release}. When the hold expires, the correlator's `onRelease` is
   * called first. Events nobody holds pass through at once.
   */
  hold: (event: ScantagEvent, until: number) => void
  /** Releases an event this correlator holds, now (no `onRelease` call). */
  release: (event: ScantagEvent) => void
  /**
   * Holds an event under a key (e.g. the scanning source) until `until`, so that a detection
   * that fires later can still label it (retroactive tagging). Bounded by `maxHeldEvents`.
   */
  holdFor: (key: string, event: ScantagEvent, until: number) => void
  /** Labels and releases every event held under `key`; returns how many. */
  tagHeld: (key: string, label: LabelInput) => number
  /** Releases every event held under `key` unlabelled (e.g. the source turned out benign). */
  releaseHeld: (key: string) => number
  /**
   * Labels an event that has not left yet (the current event or a held one). Returns false
   * when the event has already left. Scans from inside `homeNet` also get ATT&CK T1046.
   */
  tag: (event: ScantagEvent, label: LabelInput) => boolean
  /** Opens or updates a detection; the engine emits it (opened, updated rate-limited, closed). */
  detect: (input: DetectionInput) => Detection
  /** Closes a detection now. */
  closeDetection: (key: string) => void
  /** Whether an address is inside the configured home network. */
  isHome: (ip: string) => boolean
  /** Whether a source is allow-listed (optionally for a port or sub-technique). */
  isAllowed: (ip: string, what?: { port?: number, subtechnique?: Subtechnique }) => boolean
  /** Adds evidence about a source for other correlators (weight 0–1, kept for `ttlSeconds`, default 3600). */
  addEvidence: (ip: string, kind: string, weight: number) => void
  /** Evidence other correlators reported about a source. */
  evidence: (ip: string) => SourceEvidence
  /** The configuration the enricher was created with (read-only). */
  readonly config: Readonly<Record<string, unknown>>
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
