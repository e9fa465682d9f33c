/**
 * Names of everything a scantag group uses on NATS, and the checks of the options that make them.
 *
 * With the default prefix `scantag`:
 *
 * | what | name |
 * |---|---|
 * | input subjects (one per partition) | `scantag.in.<p>` in stream `SCANTAG_IN` |
 * | enriched records | `scantag.out.<p>` in stream `SCANTAG_OUT` |
 * | detection records | `scantag.detections` in stream `SCANTAG_OUT` |
 * | dead letters | `scantag.dead` in stream `SCANTAG_OUT` |
 * | worker statistics | `scantag.stats.<group>.<worker>` (core NATS, not stored) |
 * | leases, members, stats | KV bucket `scantag-<group>-leases` |
 * | checkpoints | KV bucket `scantag-<group>-checkpoints` |
 * | durable consumer of partition p | `<group>-p<p>` on `SCANTAG_IN` |
 */
import { hostname } from 'node:os'

/** Characters allowed in a group name, a worker id and a prefix token. */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/
const PREFIX = /^[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]{1,32}){0,3}$/

/** The default subject prefix. */
export const DEFAULT_PREFIX = 'scantag'

/** Subjects, streams, buckets and consumers of one prefix (and group). */
export interface JetStreamNames {
  /** The subject prefix, e.g. `scantag`. */
  readonly prefix: string
  /** Stream of the input subjects. */
  readonly inStream: string
  /** Stream of enriched records, detections and dead letters. */
  readonly outStream: string
  /** Stream `scantag route --from` creates for a raw subject when none captures it. */
  readonly rawStream: string
  /** Wildcard of all input subjects. */
  readonly inWildcard: string
  /** Input subject of partition `p`. */
  inSubject: (p: number) => string
  /** Output subject of partition `p`. */
  outSubject: (p: number) => string
  /** Wildcard of all output subjects. */
  readonly outWildcard: string
  /** Subject of detection records. */
  readonly detections: string
  /** Subject of dead letters. */
  readonly dead: string
  /** Statistics subject of a worker of a group. */
  statsSubject: (group: string, worker: string) => string
  /** KV bucket of a group's leases, members and statistics. */
  leaseBucket: (group: string) => string
  /** KV bucket of a group's checkpoints. */
  checkpointBucket: (group: string) => string
  /** Durable consumer of a group's partition. */
  consumer: (group: string, p: number) => string
}

/** A bad option: the message says what to fix. */
export class JetStreamOptionError extends Error {
  override name = 'JetStreamOptionError'
}

/** Checks a subject prefix (1–4 dot-separated tokens of letters, digits, `_`, `-`). */
export function checkPrefix (prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new JetStreamOptionError(`prefix must be 1 to 4 dot-separated tokens of letters, digits, "_" or "-" (like "scantag" or "site1.scantag"), got ${JSON.stringify(prefix)}`)
  }
  return prefix
}

/** Checks a group name (used in consumer and bucket names). */
export function checkGroup (group: unknown): string {
  if (typeof group !== 'string' || !TOKEN.test(group)) {
    throw new JetStreamOptionError(`group must be 1 to 64 letters, digits, "_" or "-", got ${JSON.stringify(group)}`)
  }
  return group
}

/** Checks a worker id (used in subjects and KV keys). */
export function checkWorkerId (id: unknown): string {
  if (typeof id !== 'string' || !TOKEN.test(id)) {
    throw new JetStreamOptionError(`worker id must be 1 to 64 letters, digits, "_" or "-", got ${JSON.stringify(id)}`)
  }
  return id
}

/** A worker id from the host name and process id, e.g. `sensor-03-4242`. */
export function defaultWorkerId (): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'host'
  return `${host}-${process.pid}`
}

/** The names of a prefix (see the module comment). */
export function jetStreamNames (prefix: string = DEFAULT_PREFIX): JetStreamNames {
  checkPrefix(prefix)
  const base = prefix.replace(/\./g, '_')
  const upper = base.toUpperCase()
  return {
    prefix,
    inStream: `${upper}_IN`,
    outStream: `${upper}_OUT`,
    rawStream: `${upper}_RAW`,
    inWildcard: `${prefix}.in.*`,
    inSubject: p => `${prefix}.in.${p}`,
    outSubject: p => `${prefix}.out.${p}`,
    outWildcard: `${prefix}.out.*`,
    detections: `${prefix}.detections`,
    dead: `${prefix}.dead`,
    statsSubject: (group, worker) => `${prefix}.stats.${group}.${worker}`,
    leaseBucket: group => `${base}-${group}-leases`,
    checkpointBucket: group => `${base}-${group}-checkpoints`,
    consumer: (group, p) => `${group}-p${p}`
  }
}

/** Headers scantag reads and writes. */
export const HEADERS = {
  /** Name of the input a record came from (file name, sensor): written into dead letters and events. */
  input: 'Scantag-Input',
  /** Line (or record) number in that input. */
  line: 'Scantag-Line',
  /** Stable id of an output record: the input stream sequence, `.<n>` for the n-th event of one message. */
  eventId: 'Scantag-Event-Id',
  /** Partition that produced an output record. */
  partition: 'Scantag-Partition',
  /** Group and worker that produced it. */
  group: 'Scantag-Group',
  worker: 'Scantag-Worker',
  /** JetStream's de-duplication id. */
  msgId: 'Nats-Msg-Id'
} as const

/** Reads a positive number option; `what` names it in the message. */
export function positive (value: unknown, what: string, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new JetStreamOptionError(`${what} must be ${integer ? 'an integer' : 'a number'} > 0, got ${String(value)}`)
  }
  return value
}
