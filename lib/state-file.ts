/**
 * Crash-safe detector state: checkpoints of the correlation engine's bounded stores (sweep
 * windows, TRW walks, open detections, the process table, rare-process baselines, ...) so that
 * a restart in the middle of a slow scan still detects it.
 *
 * Format: one JSON document, `{format: "scantag-state", version: 1, ...}`, validated by
 * `schemas/state.schema.json`. Values that JSON cannot hold (Map, Set, typed arrays, BigInt,
 * infinities) are written as tagged objects (`{"$map": [[k, v], ...]}`). Each store keeps its
 * entries in least- to most-recently-used order with their remaining time to live, so expiry
 * by event time goes on where it stopped. Events held in flight are not state: they are output
 * at exit and lost in a crash.
 *
 * Files are written atomically (temp file in the same directory, fsync, rename) and read
 * whole: a corrupt, truncated or foreign file is refused with a message, never half-loaded.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { dirname, basename, join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { CorrelationEngine } from './correlate/engine.js'
import { entriesByAge, type StoredState } from './correlate/state.js'

/** The current state-file version. */
export const STATE_VERSION = 1

/** A checkpoint of a {@link CorrelationEngine}. */
export interface EngineState {
  format: 'scantag-state'
  version: number
  /** When it was written (wall clock, ISO 8601). */
  created: string
  /** Event-time watermark at the checkpoint (epoch seconds), null before the first event. */
  watermark: number | null
  /** Correlators that were running, in order. */
  correlators: string[]
  /** Bounded stores by name: limits and entries (least recently used first). */
  stores: Record<string, { max: number, ttlSeconds: number, entries: Array<[string, unknown, number | null]> }>
  /** Open detections. */
  detections: unknown[]
}

/** A state file that cannot be used; the message says why. */
export class StateFileError extends Error {
  override name = 'StateFileError'
}

/** JSON replacer for what JSON cannot hold. */
function encode (_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value.entries()] }
  if (value instanceof Set) return { $set: [...value.values()] }
  if (value instanceof Uint32Array) return { $u32: [...value] }
  if (value instanceof Int32Array) return { $i32: [...value] }
  if (value instanceof Float64Array) return { $f64: [...value].map(n => Number.isFinite(n) ? n : String(n)) }
  if (value instanceof Uint8Array) return { $u8: [...value] }
  if (typeof value === 'bigint') return { $bigint: value.toString() }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) }
  return value
}

/** JSON reviver matching {@link encode}. Only own, plain tag keys are recognised. */
function decode (_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const keys = Object.keys(value)
  if (keys.length !== 1) return value
  const v = (value as Record<string, unknown>)[keys[0]]
  switch (keys[0]) {
    case '$map': return Array.isArray(v) ? new Map(v as Array<[unknown, unknown]>) : value
    case '$set': return Array.isArray(v) ? new Set(v) : value
    case '$u32': return Array.isArray(v) ? Uint32Array.from(v as number[]) : value
    case '$i32': return Array.isArray(v) ? Int32Array.from(v as number[]) : value
    case '$f64': return Array.isArray(v) ? Float64Array.from((v as Array<number | string>).map(Number)) : value
    case '$u8': return Array.isArray(v) ? Uint8Array.from(v as number[]) : value
    case '$bigint': return typeof v === 'string' && /^-?[0-9]{1,400}$/.test(v) ? BigInt(v) : value
    case '$num': return v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : value
  }
  return value
}

/** A state document's text, as {@link writeStateFile} writes it ({@link parseState} reads it back). */
export function stateToText (state: EngineState): string {
  return JSON.stringify(state, encode)
}

/** Takes a checkpoint of an engine (between events). */
export function snapshotEngine (engine: CorrelationEngine, correlators: string[]): EngineState {
  const stores: EngineState['stores'] = {}
  for (const [name, store] of engine.allStores()) {
    if (!store.persist) continue
    const entries: Array<[string, unknown, number | null]> = []
    for (const [key, value, ms] of entriesByAge(store)) entries.push([key, value, Number.isFinite(ms) ? Math.max(0, ms) / 1000 : null])
    stores[name] = { max: store.options.max, ttlSeconds: store.options.ttlSeconds, entries }
  }
  const watermark = engine.watermark
  return {
    format: 'scantag-state',
    version: STATE_VERSION,
    created: new Date().toISOString(),
    watermark: Number.isFinite(watermark) ? watermark : null,
    correlators,
    stores,
    detections: engine.openDetectionStates()
  }
}

/**
 * Loads a checkpoint into a fresh engine. The state must come from {@link readStateFile} or
 * {@link parseState} (checked). Stores of correlators that are not running are skipped and
 * named in the returned list.
 */
export function restoreEngine (engine: CorrelationEngine, state: EngineState): string[] {
  const skipped: string[] = []
  engine.restoreState(state.watermark ?? -Infinity, state.detections as Parameters<CorrelationEngine['restoreState']>[1], (existing) => {
    for (const [name, saved] of Object.entries(state.stores)) {
      let store: StoredState<NonNullable<unknown>> | undefined = existing.get(name)
      if (store === undefined) {
        const correlator = name.slice(0, name.indexOf(':'))
        if (!state.correlators.includes(correlator) || !engine.correlatorNames.includes(correlator)) { skipped.push(name); continue }
        store = engine.storeFor(name, { max: saved.max, ttlSeconds: saved.ttlSeconds > 0 ? saved.ttlSeconds : 1 })
      }
      for (const [key, value, ttl] of saved.entries) {
        if (value === null || value === undefined) continue
        store.cache.set(key, value as NonNullable<unknown>, ttl === null ? {} : { ttl: Math.max(1, ttl * 1000) })
      }
    }
  })
  return skipped
}

let validator: ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string, message?: string }> | null } | undefined

/**
 * Parses and checks a state document.
 * @throws {@link StateFileError} saying what is wrong
 */
export function parseState (text: string, source = 'state file'): EngineState {
  let data: unknown
  try {
    data = JSON.parse(text, decode)
  } catch (err) {
    throw new StateFileError(`${source} is not valid JSON (truncated or corrupt?): ${(err as Error).message}`)
  }
  const d = data as Partial<EngineState> | null
  if (d === null || typeof d !== 'object' || d.format !== 'scantag-state') throw new StateFileError(`${source} is not a scantag state file`)
  if (d.version !== STATE_VERSION) throw new StateFileError(`${source} has state version ${String(d.version)}; this scantag reads version ${STATE_VERSION}`)
  if (validator === undefined) {
    const ajv = new Ajv2020({ allErrors: false, strict: true })
    validator = ajv.compile(JSON.parse(readFileSync(new URL('../schemas/state.schema.json', import.meta.url), 'utf8')) as object)
  }
  // The schema sees the document as written (tags, not Maps).
  if (!validator(JSON.parse(text))) {
    const e = validator.errors?.[0]
    throw new StateFileError(`${source} does not match schemas/state.schema.json: ${e?.instancePath ?? ''} ${e?.message ?? ''}`.trim())
  }
  return d as EngineState
}

/**
 * Reads a state file.
 * @throws {@link StateFileError} when it cannot be read or is not a valid scantag state
 */
export function readStateFile (path: string): EngineState {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new StateFileError(`cannot read state file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return parseState(text, `state file ${path}`)
}

/** Writes a state file atomically: a temp file beside it, fsync, rename. */
export function writeStateFile (path: string, state: EngineState): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, stateToText(state))
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    try { unlinkSync(tmp) } catch { /* already gone */ }
    throw err
  }
  closeSync(fd)
  renameSync(tmp, path)
}
