/**
 * Creates the streams and buckets a group needs when they do not exist (an operator may create
 * them beforehand, with replicas and limits of their choosing: existing ones are left as they are).
 */
import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type KV } from 'nats'
import type { JetStreamNames } from './names.js'

/** Limits of streams scantag creates. */
export interface StreamLimits {
  /** Replicas of created streams and buckets (1 for a single server; 3 in a cluster). Default 1. */
  replicas?: number
  /**
   * How long input and output are kept, seconds (default 86,400). Input must outlive a
   * checkpoint interval plus the longest hold by far: a new owner replays from the checkpoint.
   */
  maxAgeSeconds?: number
  /** Largest size of each stream, bytes (default unlimited: -1). */
  maxBytes?: number
  /** De-duplication window of `Nats-Msg-Id`, seconds (default 120). */
  duplicateWindowSeconds?: number
}

function isNotFound (err: unknown): boolean {
  const e = err as { code?: string | number, api_error?: { err_code?: number }, message?: string }
  return e.api_error?.err_code === 10059 || String(e.code) === '404' || /not found/i.test(e.message ?? '')
}

async function ensureStream (jsm: JetStreamManager, name: string, subjects: string[], limits: StreamLimits): Promise<void> {
  try {
    await jsm.streams.info(name)
    return
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
  try {
    await jsm.streams.add({
      name,
      subjects,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: limits.replicas ?? 1,
      max_age: nanos((limits.maxAgeSeconds ?? 86_400) * 1000),
      max_bytes: limits.maxBytes ?? -1,
      duplicate_window: nanos((limits.duplicateWindowSeconds ?? 120) * 1000)
    })
  } catch (err) {
    // Another worker created it at the same moment.
    if (!/already in use|already exists/i.test((err as Error).message)) throw err
  }
}

/** Creates the input and output streams when missing. */
export async function ensureStreams (jsm: JetStreamManager, names: JetStreamNames, limits: StreamLimits = {}): Promise<void> {
  await ensureStream(jsm, names.inStream, [names.inWildcard], limits)
  await ensureStream(jsm, names.outStream, [names.outWildcard, names.detections, names.dead], limits)
}

/** Opens (creating when missing) a group's lease and checkpoint buckets. */
export async function openBuckets (js: JetStreamClient, names: JetStreamNames, group: string, limits: StreamLimits = {}): Promise<{ leases: KV, checkpoints: KV }> {
  const replicas = limits.replicas ?? 1
  // Leases, member keys and statistics: keys of workers long gone expire after an hour.
  const leases = await js.views.kv(names.leaseBucket(group), { history: 1, replicas, ttl: 3600_000 })
  const checkpoints = await js.views.kv(names.checkpointBucket(group), { history: 1, replicas })
  return { leases, checkpoints }
}
