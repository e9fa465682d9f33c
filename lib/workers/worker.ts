/**
 * Thread entry of a shard worker (`new Worker(...)` in pool.ts): loads the plugins, then hands
 * every message to a {@link ShardWorker}. Messages that arrive while plugins load wait in order.
 * Imported anywhere else (no parent port), it does nothing.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { loadCorrelatorModules } from './plugins.js'
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js'
import { ShardWorker } from './shard-worker.js'

function handle (w: ShardWorker, m: ToWorker): void {
  if (m.type === 'batch') w.batch(m)
  else w.end()
}

function serve (port: MessagePort, setup: WorkerSetup): void {
  const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => { port.postMessage(m, transfer) }
  let shard: ShardWorker | undefined
  const waiting: ToWorker[] = []
  port.on('message', (m: ToWorker) => {
    if (shard === undefined) waiting.push(m)
    else handle(shard, m)
  })
  loadCorrelatorModules(setup.plugins).then(correlators => {
    const w = new ShardWorker(setup, correlators, post)
    shard = w
    post({ type: 'ready' })
    for (const m of waiting) handle(w, m)
    waiting.length = 0
  }).catch((err: unknown) => {
    // Plugins that fail here passed the main thread's check: report, do not hang.
    post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
  })
}

if (parentPort !== null) serve(parentPort, workerData as WorkerSetup)
