/**
 * The main thread's side of the shard workers: one `worker_threads` Worker per shard, batches of
 * items posted to them, their output handed back in arrival order, and the flow control.
 *
 * - **Batches.** Items for a shard are gathered and posted when the batch holds `batchLines`
 *   items or `batchChars` characters of text, or, so that a slow input is not held back, on the
 *   next turn of the event loop after the first item went in.
 * - **Backpressure.** Each batch is acknowledged by the output message it produces. The pool is
 *   {@link WorkerPool.hasRoom | room} while every worker has fewer than `maxInFlight` batches
 *   unacknowledged and the output is not blocked; producers wait with `whenReady()` between
 *   input chunks, so memory is bounded by a few batches per worker (plus one input chunk).
 * - **Order.** A port delivers messages in order, and a worker answers batches in order, so
 *   everything of one shard (hence of one scanner key) keeps its order end to end.
 * - **Failure.** A worker that throws, exits, or reports a fatal error fails the whole pool: the
 *   other workers are terminated and every pending or later call rejects with a
 *   {@link WorkerFailure} saying which worker and why. Nothing waits forever.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads'
import type { ScantagEvent } from '../model.js'
import { ItemKind, type BatchMessage, type FromWorker, type OutputMessage, type ToWorker, type WorkerInputCounts, type WorkerSetup } from './protocol.js'

/** A shard worker failed; the message names the worker and the reason. */
export class WorkerFailure extends Error {
  override name = 'WorkerFailure'
}

/** Options of {@link WorkerPool}. */
export interface PoolOptions {
  /** Number of workers (= shards). */
  workers: number
  /** What every worker is told (its shard number is added). */
  setup: Omit<WorkerSetup, 'shard' | 'shards'>
  /** Called with every output message, in arrival order. */
  onOutput: (message: OutputMessage, shard: number) => void
  /** Called once when the pool fails or is aborted (before pending calls reject). */
  onFailure?: (err: Error) => void
  /** Items per batch (default 512). */
  batchLines?: number
  /** Text characters per batch (default 1 MiB): long lines make fewer lines per batch. */
  batchChars?: number
  /** Unacknowledged batches per worker before the pool has no more room (default 4). */
  maxInFlight?: number
}

/** Items gathered for one worker. */
class BatchBuilder {
  kinds: ItemKind[] = []
  inputs: number[] = []
  lineNos: number[] = []
  epochs: number[] = []
  texts: string[] = []
  events: ScantagEvent[] = []
  chars = 0

  get size (): number { return this.kinds.length }

  add (kind: ItemKind, input: number, lineNo: number, epoch: number): void {
    this.kinds.push(kind)
    this.inputs.push(input)
    this.lineNos.push(lineNo)
    this.epochs.push(epoch)
  }

  text (text: string): void {
    this.texts.push(text)
    this.chars += text.length + 1
  }

  take (seq: number): BatchMessage {
    const msg: BatchMessage = { type: 'batch', seq, kinds: this.kinds, inputs: this.inputs, lineNos: this.lineNos, epochs: this.epochs, text: this.texts.join('\n'), events: this.events }
    this.kinds = []; this.inputs = []; this.lineNos = []; this.epochs = []; this.texts = []; this.events = []; this.chars = 0
    return msg
  }
}

/**
 * How to start a worker: the compiled `worker.js` next to this module, or, when this module runs
 * as TypeScript source (tests and benchmarks under tsx), `worker.ts` through tsx's loader, which a
 * worker thread does not inherit from `node --import tsx`.
 */
function workerEntry (): { filename: string | URL, options: WorkerOptions } {
  const self = import.meta.url
  if (!self.endsWith('.ts')) return { filename: new URL('./worker.js', self), options: {} }
  const entry = new URL('./worker.ts', self).href
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import(${JSON.stringify(tsx)}).then(m => { m.register(); return import(${JSON.stringify(entry)}) })`
  return { filename: boot, options: { eval: true } }
}

/** A fixed set of shard workers. */
export class WorkerPool {
  /** Number of workers (= shards). */
  readonly size: number
  private readonly threads: Worker[]
  private readonly batches: BatchBuilder[]
  private readonly inFlight: number[]
  private readonly counts: Array<WorkerInputCounts[] | undefined>
  private readonly batchLines: number
  private readonly batchChars: number
  private readonly maxInFlight: number
  private seq = 0
  private flushScheduled = false
  private outputBlocked = false
  private ending = false
  private failure: Error | undefined
  private waiters: Array<{ resolve: () => void, reject: (err: Error) => void }> = []
  private finished: { resolve: (counts: WorkerInputCounts[][]) => void, reject: (err: Error) => void } | undefined
  private started = 0
  private startedSignal: { resolve: () => void, reject: (err: Error) => void } | undefined
  /**
   * Resolves once every worker has loaded its modules and plugins (rejects if one fails first).
   * Items may be added before: they wait in the workers' queues. Benchmarks await it so that
   * thread start-up is not counted as throughput, as module loading is not for one thread.
   */
  readonly ready: Promise<void>

  constructor (private readonly options: PoolOptions) {
    const n = options.workers
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`workers must be an integer >= 1, got ${String(n)}`)
    this.size = n
    this.batchLines = options.batchLines ?? 512
    this.batchChars = options.batchChars ?? 1024 * 1024
    this.maxInFlight = options.maxInFlight ?? 4
    this.batches = Array.from({ length: n }, () => new BatchBuilder())
    this.inFlight = new Array<number>(n).fill(0)
    this.counts = new Array<WorkerInputCounts[] | undefined>(n).fill(undefined)
    this.ready = new Promise<void>((resolve, reject) => { this.startedSignal = { resolve, reject } })
    this.ready.catch(() => {}) // also reported through every other call
    const { filename, options: workerOptions } = workerEntry()
    this.threads = Array.from({ length: n }, (_, shard) => {
      const setup: WorkerSetup = { ...options.setup, shard, shards: n }
      const w = new Worker(filename, { ...workerOptions, workerData: setup })
      w.on('message', (m: FromWorker) => { this.onMessage(shard, m) })
      w.on('error', (err: Error) => { this.fail(new WorkerFailure(`worker ${shard + 1} of ${n} failed: ${err.message}`)) })
      w.on('messageerror', (err: Error) => { this.fail(new WorkerFailure(`worker ${shard + 1} of ${n} sent a message that cannot be read: ${err.message}`)) })
      w.on('exit', (code: number) => {
        if (this.counts[shard] === undefined) this.fail(new WorkerFailure(`worker ${shard + 1} of ${n} stopped (exit code ${code}) before the end of its input`))
      })
      return w
    })
  }

  /** A data line for `shard`'s worker to parse. `epoch`: TSV header lines of its input before it. */
  addLine (shard: number, input: number, lineNo: number, epoch: number, text: string): void {
    const b = this.batches[shard]
    b.add(ItemKind.Line, input, lineNo, epoch)
    b.text(text)
    this.added(shard, b)
  }

  /** An event the main thread parsed, for `shard`'s worker. */
  addEvent (shard: number, input: number, event: ScantagEvent): void {
    const b = this.batches[shard]
    b.add(ItemKind.Event, input, 0, 0)
    b.events.push(event)
    this.added(shard, b)
  }

  /** An item every worker needs (a TSV header line, an input's format), in order with the rest. */
  broadcast (kind: typeof ItemKind.Header | typeof ItemKind.Format, input: number, lineNo: number, text: string): void {
    for (let shard = 0; shard < this.size; shard++) {
      const b = this.batches[shard]
      b.add(kind, input, lineNo, 0)
      b.text(text)
      this.added(shard, b)
    }
  }

  private added (shard: number, b: BatchBuilder): void {
    if (b.size >= this.batchLines || b.chars >= this.batchChars) {
      this.post(shard)
    } else if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => { this.flushScheduled = false; this.flush() })
    }
  }

  private post (shard: number): void {
    if (this.failure !== undefined || this.batches[shard].size === 0) return
    const msg: ToWorker = this.batches[shard].take(this.seq++)
    this.inFlight[shard]++
    this.threads[shard].postMessage(msg)
  }

  /** Posts every partial batch. */
  flush (): void {
    for (let shard = 0; shard < this.size; shard++) this.post(shard)
  }

  /** Whether more input may be added now without growing the queues past their bounds. */
  get hasRoom (): boolean {
    if (this.outputBlocked) return false
    for (let shard = 0; shard < this.size; shard++) if (this.inFlight[shard] >= this.maxInFlight) return false
    return true
  }

  /** Resolves when there is {@link hasRoom | room}; rejects when the pool has failed. */
  async whenReady (): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    if (this.hasRoom) return
    // What is gathered must go out, or the acknowledgements awaited here never come.
    this.flush()
    await new Promise<void>((resolve, reject) => { this.waiters.push({ resolve, reject }) })
  }

  /** The output cannot take more for now (true) or has drained (false). */
  setOutputBlocked (blocked: boolean): void {
    this.outputBlocked = blocked
    if (!blocked) this.wake()
  }

  private wake (): void {
    if (this.waiters.length === 0 || !this.hasRoom) return
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w.resolve()
  }

  /**
   * No more input: posts what is gathered, tells every worker to flush, and resolves with each
   * worker's final counts per input once all have reported (the workers are then stopped).
   */
  async end (): Promise<WorkerInputCounts[][]> {
    if (this.failure !== undefined) throw this.failure
    this.ending = true
    this.flush()
    const done = new Promise<WorkerInputCounts[][]>((resolve, reject) => { this.finished = { resolve, reject } })
    for (const t of this.threads) t.postMessage({ type: 'end' } satisfies ToWorker)
    const counts = await done
    await this.terminate()
    return counts
  }

  /** Stops every worker at once (after a failure, or to abandon a run). */
  async terminate (): Promise<void> {
    for (let shard = 0; shard < this.size; shard++) this.counts[shard] ??= [] // expected exits from here on
    await Promise.all(this.threads.map(async t => await t.terminate()))
  }

  private onMessage (shard: number, m: FromWorker): void {
    if (this.failure !== undefined) return
    if (m.type === 'ready') {
      if (++this.started === this.size) this.startedSignal?.resolve()
    } else if (m.type === 'output') {
      if (m.ack >= 0) this.inFlight[shard]--
      this.options.onOutput(m, shard)
      this.wake()
    } else if (m.type === 'done') {
      this.counts[shard] = m.counts
      if (this.ending && this.counts.every(c => c !== undefined)) this.finished?.resolve(this.counts as WorkerInputCounts[][])
    } else {
      this.fail(new WorkerFailure(`worker ${shard + 1} of ${this.size} failed: ${m.message}`))
    }
  }

  /** Gives up: terminates the workers and rejects whatever waits, with `reason`. */
  abort (reason: Error): void {
    this.fail(reason)
  }

  private fail (err: Error): void {
    if (this.failure !== undefined) return
    this.failure = err
    this.options.onFailure?.(err)
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w.reject(err)
    this.finished?.reject(err)
    this.startedSignal?.reject(err)
    void this.terminate()
  }
}
