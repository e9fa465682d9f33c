/**
 * Worker statistics: what `scantag worker` publishes on `<prefix>.stats.<group>.<worker>` and
 * keeps under `stats.<worker>` in the group's lease bucket, and how `scantag worker --status`
 * prints them, and reading them back from the bucket.
 */
import type { NatsConnection } from 'nats'

/** One partition as its owner sees it. */
export interface PartitionStats {
  partition: number
  /** `starting` (restoring), `running`, `draining` (giving it back), `refused` (unusable checkpoint). */
  state: 'starting' | 'running' | 'draining' | 'stopped' | 'refused'
  /** Why the partition is refused. */
  refused?: string
  /** Input messages not yet delivered to the worker (the consumer's `num_pending`); null when unknown. */
  lag: number | null
  /** Delivered and not yet acknowledged (the consumer's `num_ack_pending`); null when unknown. */
  ackPending: number | null
  /** Input messages whose output is not yet acknowledged by the server (held or publishing). */
  inFlight: number
  /** Events the detectors hold (for retroactive labels). */
  held: number
  openDetections: number
  /** Entries in the detector's bounded stores. */
  stateEntries: number
  /** Input messages fed to the detectors since the partition was claimed. */
  received: number
  /** Input messages fully output and acknowledged. */
  completed: number
  /** Output records and detections acknowledged by the server. */
  published: number
  deadLetters: number
  /** Records whose scanner key hashes to another partition (the publisher's hash differs). */
  misrouted: number
  /** Idle flushes (held events released after `idleFlushSeconds` without input). */
  flushes: number
  /** Input messages per second over the last statistics interval. */
  ratePerSecond: number
  /** Last input sequence fed to the detectors. */
  lastSeq: number
  /** Last checkpoint written: input sequence, compressed bytes, ISO time. */
  checkpoint: { seq: number, bytes: number, at: string } | null
  /** The checkpoint the partition was restored from, if any. */
  restoredFrom: { seq: number, pending: number, worker: string } | null
}

/** One worker. */
export interface WorkerStats {
  format: 'scantag-worker-stats'
  group: string
  worker: string
  host: string
  pid: number
  /** ISO time of this report. */
  time: string
  uptimeSeconds: number
  partitions: number
  rssBytes: number
  peakRssBytes: number
  heapUsedBytes: number
  /** Publishes awaiting acknowledgement, re-sends, duplicates the server dropped. */
  publisher: { outstanding: number, retries: number, duplicates: number }
  owned: PartitionStats[]
  totals: { received: number, completed: number, published: number, deadLetters: number, ratePerSecond: number, lag: number, inFlight: number, held: number }
}

/** Totals over a worker's partitions. */
export function totalsOf (owned: readonly PartitionStats[]): WorkerStats['totals'] {
  const t = { received: 0, completed: 0, published: 0, deadLetters: 0, ratePerSecond: 0, lag: 0, inFlight: 0, held: 0 }
  for (const p of owned) {
    t.received += p.received
    t.completed += p.completed
    t.published += p.published
    t.deadLetters += p.deadLetters
    t.ratePerSecond += p.ratePerSecond
    t.lag += p.lag ?? 0
    t.inFlight += p.inFlight
    t.held += p.held
  }
  return t
}

const mib = (n: number): string => `${(n / 1048576).toFixed(0)} MiB`

function pad (cells: string[][]): string {
  const widths = cells[0].map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)))
  return cells.map(r => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join('  ')).join('\n')
}

/**
 * The text `scantag worker --status` prints: one line per worker, one per partition.
 * @param owners lease owner of each partition (undefined: none)
 */
export function formatStatus (group: string, partitions: number, stats: readonly WorkerStats[], owners: ReadonlyMap<number, string>, now = Date.now()): string {
  const lines: string[] = []
  lines.push(`group ${group}: ${partitions} partition(s), ${stats.length} worker(s) reporting`)
  if (stats.length > 0) {
    const rows = [['worker', 'host', 'age', 'partitions', 'rss', 'peak rss', 'rate/s', 'lag', 'in flight', 'held', 'dead']]
    for (const s of stats) {
      rows.push([s.worker, s.host, `${Math.round((now - Date.parse(s.time)) / 1000)}s`, String(s.owned.length), mib(s.rssBytes), mib(s.peakRssBytes), s.totals.ratePerSecond.toFixed(0), String(s.totals.lag), String(s.totals.inFlight), String(s.totals.held), String(s.totals.deadLetters)])
    }
    lines.push(pad(rows))
  }
  const byPartition = new Map<number, PartitionStats>()
  for (const s of stats) for (const p of s.owned) byPartition.set(p.partition, p)
  const rows = [['partition', 'owner', 'state', 'lag', 'in flight', 'held', 'detections', 'state entries', 'rate/s', 'last seq', 'checkpoint']]
  for (let p = 0; p < partitions; p++) {
    const ps = byPartition.get(p)
    const cp = ps?.checkpoint
    rows.push([
      String(p),
      owners.get(p) ?? '-',
      ps?.state === 'refused' ? `refused: ${ps.refused ?? ''}` : (ps?.state ?? (owners.has(p) ? '?' : 'unowned')),
      ps?.lag === null || ps === undefined ? '-' : String(ps.lag),
      ps === undefined ? '-' : String(ps.inFlight),
      ps === undefined ? '-' : String(ps.held),
      ps === undefined ? '-' : String(ps.openDetections),
      ps === undefined ? '-' : String(ps.stateEntries),
      ps === undefined ? '-' : ps.ratePerSecond.toFixed(0),
      ps === undefined ? '-' : String(ps.lastSeq),
      cp === null || cp === undefined ? '-' : `seq ${cp.seq}, ${(cp.bytes / 1024).toFixed(0)} KiB, ${Math.round((now - Date.parse(cp.at)) / 1000)}s ago`
    ])
  }
  lines.push(pad(rows))
  return lines.join('\n') + '\n'
}

/**
 * The keys of a key-value bucket under `filter` (`stats.*`, `>`), from one stream-info request
 * (the bucket stream's subjects). Not `kv.keys()`: that runs an ordered consumer which, when no
 * key matches yet, can wait for one forever (seen once in 14 test runs); a status command and
 * a poll loop must return. Deleted keys are listed too: read them and skip non-`PUT` entries.
 */
export async function bucketKeys (nc: NatsConnection, bucket: string, filter = '>'): Promise<string[]> {
  const jsm = await nc.jetstreamManager()
  const prefix = `$KV.${bucket}.`
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: prefix + filter })
  return Object.keys(info.state.subjects ?? {}).map(s => s.slice(prefix.length)).sort()
}

/** Every worker's latest statistics in a group's lease bucket (`stats.<worker>` keys). */
export async function readWorkerStats (nc: NatsConnection, leaseBucket: string): Promise<WorkerStats[]> {
  const kv = await nc.jetstream().views.kv(leaseBucket, { bindOnly: true })
  const out: WorkerStats[] = []
  for (const k of await bucketKeys(nc, leaseBucket, 'stats.*')) {
    const e = await kv.get(k)
    if (e !== null && e.operation === 'PUT') out.push(e.json<WorkerStats>())
  }
  return out
}
