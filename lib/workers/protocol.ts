/**
 * Messages between the main thread and the shard workers of a sharded run.
 *
 * Everything here crosses a `postMessage`, so it is data only (structured clone). Lines travel
 * in batches with their text joined by `\n` into one string (one string clones much faster than
 * hundreds), beside parallel arrays saying what each item is.
 */
import type { DeadLetter, Detection, InputFormat, ScantagEvent } from '../model.js'
import type { ConfiguredEnricherOptions } from '../config.js'
import type { OutputFormat } from '../stream.js'

/** What one batch item is. */
export const ItemKind = {
  /** A data line for the worker to parse (text in the batch text). */
  Line: 0,
  /** An event the main thread parsed (telemetry, or a line it had to parse to key it). */
  Event: 1,
  /** A Zeek TSV header line, sent to every worker so that each parses that input's columns. */
  Header: 2,
  /** The input's format was decided (text: the format); sent to every worker. */
  Format: 3
} as const
/** What one batch item is (see the constant of the same name). */
export type ItemKind = typeof ItemKind[keyof typeof ItemKind]

/**
 * Enricher settings a worker builds its engine from: {@link EnricherOptions} without the
 * callbacks and objects that cannot cross threads (correlators come as module paths instead).
 */
export type WorkerEnricherSettings = ConfiguredEnricherOptions

/** `workerData` of a shard worker. */
export interface WorkerSetup {
  shard: number
  shards: number
  /**
   * `text`: serialize output as NDJSON (`merge` or `ecs`, as `createSerializer` writes it), for
   * the CLI. `objects`: post output objects formatted as `createEnricher` does (merge, ecs or event).
   */
  output: { mode: 'text', format: OutputFormat } | { mode: 'objects', format: OutputFormat | 'event' }
  enricher: WorkerEnricherSettings
  /** Absolute paths of correlator plugin modules (loaded by each worker). */
  plugins: string[]
  /** Input names, by input index. */
  inputs: string[]
  communityIdSeed: number
  maxDocumentLength: number
}

/** main → worker: a batch of items for one shard. */
export interface BatchMessage {
  type: 'batch'
  seq: number
  kinds: ItemKind[]
  inputs: number[]
  /** Line number of each item (0 for events and format items). */
  lineNos: number[]
  /** TSV header epoch of each line item: how many header lines of its input came before it. */
  epochs: number[]
  /** Texts of Line, Header and Format items, in item order, joined by `\n`. */
  text: string
  /** Event items, in item order. */
  events: ScantagEvent[]
}

/** main → worker: no more input; flush and report. */
export interface EndMessage { type: 'end' }

export type ToWorker = BatchMessage | EndMessage

/** Counts a worker keeps per input, added to the main thread's line counts. */
export interface WorkerInputCounts {
  inputRecords: number
  records: number
  deadLetters: number
  kinds: Record<string, number>
}

/** A correlator message from a worker. */
export interface Diagnostic {
  level: 'info' | 'warn'
  message: string
}

/** worker → main: what one batch (or the end) produced. */
export interface OutputMessage {
  type: 'output'
  /** The batch this answers (-1 for the end-of-input flush). */
  ack: number
  /**
   * NDJSON text as UTF-8 bytes (text mode), encoded by the worker and transferred, not copied:
   * the main thread writes it as it is.
   */
  data: Uint8Array | null
  /** Output objects (objects mode). */
  objects: unknown[]
  /** Enriched records written (detection records not included). */
  records: number
  /** Flows tied to a process, by attribution method. */
  attribution: Record<string, number>
  /** Detection records, in output order. */
  detections: Detection[]
  deadLetters: DeadLetter[]
  diagnostics: Diagnostic[]
}

/** worker → main: plugins loaded and engine built; batches are handled from now on. */
export interface ReadyMessage { type: 'ready' }

/** worker → main: the end flush was sent; these are the final counts. */
export interface DoneMessage {
  type: 'done'
  counts: WorkerInputCounts[]
}

/** worker → main: the worker cannot go on (e.g. a plugin failed to load). */
export interface FatalMessage {
  type: 'fatal'
  message: string
}

export type FromWorker = ReadyMessage | OutputMessage | DoneMessage | FatalMessage

/** Formats whose lines the workers parse; every other format is parsed in the main thread. */
export const WORKER_PARSED: ReadonlySet<InputFormat | 'json-document'> = new Set(['eve', 'zeek-json', 'zeek-tsv'])
