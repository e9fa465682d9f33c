/**
 * `createEnricher({ workers: N })`: the enricher as an object-mode Transform whose correlation
 * runs in N worker threads, sharded by scanner key.
 *
 * Events (or plain records, normalized here first, as `createEnricher` does) are keyed with
 * `ScannerKeys.keyOf`, routed with `partitionOf(key, N)` (lib/partition.ts), and posted to their
 * worker by structured clone; each worker runs the same engine and posts back the formatted
 * output objects, which this Transform pushes in arrival order (per key, in order). Cloning every
 * event both ways costs about as much as parsing, so this gains less than the CLI's
 * `--workers N`, which sends raw lines and lets the workers parse them (lib/workers/run.ts): that
 * is the fast path; this one is for pipelines that already hold objects.
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { DeadLetter, ScantagEvent } from '../model.js'
import { checkPartitions, partitionOf, ScannerKeys } from '../partition.js'
import type { EnricherOptions } from '../stream.js'
import { createRecordNormalizer } from './normalize.js'
import { WorkerPool } from './pool.js'
import type { OutputMessage } from './protocol.js'

/** Options of `createEnricher` with worker threads. */
export interface ShardedEnricherOptions extends Omit<EnricherOptions, 'correlators' | 'state'> {
  /** Worker threads to run correlation in (1 to 4096): each owns the scanner keys of its partition. */
  workers: number
  /**
   * Correlator plugin modules, by path, loaded by every worker (correlators are code and
   * cannot be posted to a thread; see `--plugin` for the module format).
   */
  plugins?: string[]
}

/** Whether a value is an event made by scantag's readers (as `isScantagEvent` in stream.ts). */
function isEvent (v: unknown): v is ScantagEvent {
  return v !== null && typeof v === 'object' && 'category' in v && 'original' in v && 'scantag' in v
}

/**
 * The sharded enricher. Same input and output as `createEnricher` (also `dead-letter` and
 * `diagnostic` events), with `engine` undefined: the engines live in the workers.
 * @throws TypeError for options that cannot cross threads (`correlators`, `state`) or a bad `workers`
 */
export function createShardedEnricher (options: ShardedEnricherOptions): Transform & { engine: undefined } {
  const forbidden = options as ShardedEnricherOptions & Pick<EnricherOptions, 'correlators' | 'state'>
  if (forbidden.correlators !== undefined) throw new TypeError('correlators cannot be sent to worker threads: give their modules as plugins: [path, ...] (or leave out workers)')
  if (forbidden.state !== undefined) throw new TypeError('state cannot be resumed with workers: detector state would have to be split by key (leave out workers)')
  const workers = checkPartitions(options.workers, 'workers')
  const format = options.format ?? 'merge'
  if (format !== 'merge' && format !== 'ecs' && format !== 'event') throw new TypeError(`format must be one of merge, ecs, event; got ${String(format)}`)
  const seed = options.communityIdSeed ?? 0
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) throw new TypeError(`communityIdSeed must be an integer from 0 to 65535, got ${String(seed)}`)
  const { workers: _w, plugins = [], format: _f, onDeadLetter, log, input = 'stream', ...enricher } = options

  let transform: Transform | undefined
  const deadLetter = (dl: DeadLetter): void => {
    onDeadLetter?.(dl)
    transform?.emit('dead-letter', dl)
  }
  const onOutput = (m: OutputMessage): void => {
    for (const d of m.diagnostics) {
      if (log !== undefined) log[d.level](d.message)
      else transform?.emit('diagnostic', d)
    }
    let full = false
    for (const o of m.objects) if (transform?.push(o) === false) full = true
    // A consumer that does not keep up stops the input (see _read below), as the workers'
    // output has nowhere else to wait.
    if (full) pool.setOutputBlocked(true)
  }
  const pool = new WorkerPool({
    workers,
    setup: {
      output: { mode: 'objects', format },
      enricher: { ...enricher, communityIdSeed: seed },
      plugins,
      inputs: [input],
      communityIdSeed: seed,
      maxDocumentLength: 1
    },
    onOutput,
    onFailure: (err) => { transform?.destroy(err) }
  })
  const keys = new ScannerKeys(options.hosts ?? [])
  const route = (ev: ScantagEvent): void => {
    pool.addEvent(partitionOf(keys.keyOf(ev), workers), 0, ev)
  }
  const normalize = createRecordNormalizer({ input, communityIdSeed: seed, onEvent: route, onDeadLetter: deadLetter })
  let position = 0

  transform = new Transform({
    objectMode: true,
    transform (chunk: unknown, _enc: BufferEncoding, cb: TransformCallback): void {
      position++
      if (isEvent(chunk)) route(chunk)
      else normalize(chunk, position)
      if (pool.hasRoom) { cb(); return }
      pool.whenReady().then(() => { cb() }, cb)
    },
    flush (cb: TransformCallback): void {
      pool.end().then(() => { cb() }, cb)
    },
    destroy (err: Error | null, cb: (error: Error | null) => void): void {
      pool.terminate().then(() => { cb(err) }, () => { cb(err) })
    }
  })
  // The consumer wants more: let the input flow again. (Transform's own _read resumes a
  // held write; it is kept.)
  const transformRead = transform._read.bind(transform)
  transform._read = (size: number): void => {
    pool.setOutputBlocked(false)
    transformRead(size)
  }
  return Object.assign(transform, { engine: undefined })
}
