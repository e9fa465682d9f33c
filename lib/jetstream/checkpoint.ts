/**
 * Partition checkpoints in a JetStream key-value bucket: the detector state of one partition
 * (a scantag state document, `lib/state-file.ts`, versioned and schema-checked) with the input
 * position it belongs to, so that whoever owns the partition next resumes where it stopped.
 *
 * Layout (schemas/jetstream-checkpoint.schema.json): the gzip of `header JSON line + "\n" +
 * state document`, cut into chunks of at most {@link CHUNK_BYTES} (`c.<p>.<generation>.<i>`,
 * since a KV value must fit one NATS message), and a manifest (`p.<p>`) naming the generation,
 * chunk count, size and SHA-256. A checkpoint is committed by the manifest, written with the
 * revision the writer last saw (compare-and-set): a writer that lost the partition cannot
 * overwrite its successor's checkpoint. A corrupt, truncated or foreign checkpoint is refused
 * with a message, never half-loaded.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { KV } from 'nats'
import { parseState, type EngineState } from '../state-file.js'

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

/** Format name and version of the checkpoint header. */
export const CHECKPOINT_FORMAT = 'scantag-jetstream-checkpoint'
export const CHECKPOINT_VERSION = 1
/** Largest chunk value, bytes (NATS' default max_payload is 1 MiB). */
export const CHUNK_BYTES = 512 * 1024

/** The header of a checkpoint (see the schema). */
export interface CheckpointHeader {
  format: typeof CHECKPOINT_FORMAT
  version: number
  group: string
  partition: number
  partitions: number
  /** Input stream name. */
  stream: string
  /** Input sequence of the last message fed to the detectors (0: none). */
  seq: number
  /** Input sequences up to `seq` whose output was not acknowledged: replayed by the next owner. */
  pending: Array<[number, number]>
  worker: string
  created: string
  messages?: number
}

/** A checkpoint read back: header, checked state, and what it took. */
export interface Checkpoint {
  header: CheckpointHeader
  state: EngineState
  /** Revision of the manifest (for the next compare-and-set write). */
  revision: number
  /** Compressed size, bytes. */
  bytes: number
}

/** What a reader expects a checkpoint to be for. */
export interface CheckpointIdentity {
  group: string
  partition: number
  partitions: number
  stream: string
}

/** A checkpoint that cannot be used; the message says why and what to do. */
export class CheckpointError extends Error {
  override name = 'CheckpointError'
}

/** Lost the compare-and-set: another worker wrote the partition's checkpoint. */
export class CheckpointConflict extends Error {
  override name = 'CheckpointConflict'
}

// ---- pure pieces ----------------------------------------------------------------------------

/** Sorted sequence numbers → inclusive ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function toRanges (sorted: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const n of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && n === last[1] + 1) last[1] = n
    else if (last === undefined || n > last[1]) out.push([n, n])
  }
  return out
}

/** Whether `seq` lies in one of the sorted ranges. */
export function inRanges (ranges: ReadonlyArray<readonly [number, number]>, seq: number): boolean {
  let lo = 0
  let hi = ranges.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const [a, b] = ranges[mid]
    if (seq < a) hi = mid - 1
    else if (seq > b) lo = mid + 1
    else return true
  }
  return false
}

/** Number of sequences in the ranges. */
export function rangeCount (ranges: ReadonlyArray<readonly [number, number]>): number {
  let n = 0
  for (const [a, b] of ranges) n += b - a + 1
  return n
}

type Validator = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string, message?: string }> | null }
let validators: { header: Validator, manifest: Validator } | undefined

function schemaValidators (): { header: Validator, manifest: Validator } {
  if (validators === undefined) {
    const ajv = new Ajv2020({ allErrors: false, strict: true })
    const schema = JSON.parse(readFileSync(new URL('../../schemas/jetstream-checkpoint.schema.json', import.meta.url), 'utf8')) as { $id: string }
    ajv.addSchema(schema)
    validators = {
      header: ajv.getSchema(schema.$id) as Validator,
      manifest: ajv.getSchema(`${schema.$id}#/$defs/manifest`) as Validator
    }
  }
  return validators
}

function firstError (v: Validator): string {
  const e = v.errors?.[0]
  return `${e?.instancePath ?? ''} ${e?.message ?? ''}`.trim()
}

/** The checkpoint bytes (gzip) of a header and a state document's text. */
export async function encodeCheckpoint (header: CheckpointHeader, stateText: string): Promise<Buffer> {
  return await gzipAsync(Buffer.from(JSON.stringify(header) + '\n' + stateText, 'utf8'), { level: 1 })
}

/**
 * Reads checkpoint bytes: unzips, checks the header against the schema and `expect`, and the
 * state with `parseState`.
 * @throws {@link CheckpointError} saying what is wrong and what to do
 */
export async function decodeCheckpoint (bytes: Buffer, expect: CheckpointIdentity, where: string): Promise<{ header: CheckpointHeader, state: EngineState }> {
  const fix = `delete key p.${expect.partition} of the checkpoint bucket to start partition ${expect.partition} afresh (its detector state is then lost)`
  let text: string
  try {
    text = (await gunzipAsync(bytes)).toString('utf8')
  } catch (err) {
    throw new CheckpointError(`${where} is not gzip (truncated or corrupt?): ${(err as Error).message}; ${fix}`)
  }
  const nl = text.indexOf('\n')
  let header: unknown
  try {
    header = JSON.parse(nl === -1 ? text : text.slice(0, nl))
  } catch (err) {
    throw new CheckpointError(`${where}: the header is not JSON: ${(err as Error).message}; ${fix}`)
  }
  const h = header as Partial<CheckpointHeader> | null
  if (h === null || typeof h !== 'object' || h.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${where} is not a scantag JetStream checkpoint; ${fix}`)
  if (h.version !== CHECKPOINT_VERSION) throw new CheckpointError(`${where} has checkpoint version ${String(h.version)}; this scantag reads version ${CHECKPOINT_VERSION}; ${fix}`)
  const v = schemaValidators().header
  if (!v(header)) throw new CheckpointError(`${where} does not match schemas/jetstream-checkpoint.schema.json: ${firstError(v)}; ${fix}`)
  const hh = header as CheckpointHeader
  if (hh.group !== expect.group || hh.partition !== expect.partition || hh.stream !== expect.stream) {
    throw new CheckpointError(`${where} belongs to group ${hh.group}, partition ${hh.partition} of stream ${hh.stream}, not group ${expect.group}, partition ${expect.partition} of ${expect.stream}; ${fix}`)
  }
  if (hh.partitions !== expect.partitions) {
    throw new CheckpointError(`${where} was written with ${hh.partitions} partitions, this worker runs ${expect.partitions}: records of one scanner would now land elsewhere; run the group with --partitions ${hh.partitions}, or start a new group`)
  }
  for (let i = 0; i < hh.pending.length; i++) {
    const [a, b] = hh.pending[i]
    if (b < a || b > hh.seq || (i > 0 && a <= hh.pending[i - 1][1])) throw new CheckpointError(`${where}: pending ranges must be sorted, disjoint and end at or before seq ${hh.seq}; ${fix}`)
  }
  if (nl === -1) throw new CheckpointError(`${where} has no state after its header (truncated?); ${fix}`)
  let state: EngineState
  try {
    state = parseState(text.slice(nl + 1), where)
  } catch (err) {
    throw new CheckpointError(`${(err as Error).message}; ${fix}`)
  }
  return { header: hh, state }
}

// ---- the KV shell ---------------------------------------------------------------------------

interface Manifest {
  format: 'scantag-jetstream-manifest'
  version: 1
  generation: string
  chunks: number
  bytes: number
  sha256: string
  seq: number
  created: string
}

/** Checkpoints of one group's partitions in a KV bucket. */
export class CheckpointStore {
  constructor (private readonly kv: KV, private readonly bucket: string) {}

  /** Manifest key of partition `p`. */
  static manifestKey (p: number): string { return `p.${p}` }

  /**
   * The partition's checkpoint, or null when it has none.
   * @throws {@link CheckpointError} when it exists but cannot be used
   */
  async read (expect: CheckpointIdentity): Promise<Checkpoint | null> {
    const p = expect.partition
    const where = `checkpoint of partition ${p} (bucket ${this.bucket}, key p.${p})`
    const fix = `delete key p.${p} of bucket ${this.bucket} to start partition ${p} afresh (its detector state is then lost)`
    const entry = await this.kv.get(CheckpointStore.manifestKey(p))
    if (entry === null || entry.operation !== 'PUT') return null
    let manifest: Manifest
    try {
      manifest = JSON.parse(entry.string()) as Manifest
    } catch (err) {
      throw new CheckpointError(`${where}: the manifest is not JSON: ${(err as Error).message}; ${fix}`)
    }
    const v = schemaValidators().manifest
    if (!v(manifest)) throw new CheckpointError(`${where}: the manifest does not match schemas/jetstream-checkpoint.schema.json: ${firstError(v)}; ${fix}`)
    const parts: Uint8Array[] = []
    for (let i = 0; i < manifest.chunks; i++) {
      const chunk = await this.kv.get(`c.${p}.${manifest.generation}.${i}`)
      if (chunk === null || chunk.operation !== 'PUT') throw new CheckpointError(`${where}: chunk ${i + 1} of ${manifest.chunks} is missing; ${fix}`)
      parts.push(chunk.value)
    }
    const bytes = Buffer.concat(parts)
    const sha = createHash('sha256').update(bytes).digest('hex')
    if (bytes.length !== manifest.bytes || sha !== manifest.sha256) throw new CheckpointError(`${where}: the chunks do not match the manifest (size ${bytes.length}/${manifest.bytes}, sha256 ${sha.slice(0, 12)}…/${manifest.sha256.slice(0, 12)}…); ${fix}`)
    const { header, state } = await decodeCheckpoint(bytes, expect, where)
    if (header.seq !== manifest.seq) throw new CheckpointError(`${where}: the manifest says seq ${manifest.seq}, the header ${header.seq}; ${fix}`)
    return { header, state, revision: entry.revision, bytes: bytes.length }
  }

  /** Revision of the partition's manifest (0: none), to start compare-and-set writes from. */
  async revision (p: number): Promise<number> {
    const entry = await this.kv.get(CheckpointStore.manifestKey(p))
    return entry === null ? 0 : entry.revision
  }

  /**
   * Writes a checkpoint and commits it by compare-and-set on the manifest: `revision` is the
   * manifest revision this writer last saw (0: none, or deleted). Returns the new revision and
   * the compressed size.
   * @throws {@link CheckpointConflict} when someone else committed in between
   */
  async write (header: CheckpointHeader, stateText: string, revision: number): Promise<{ revision: number, bytes: number }> {
    const p = header.partition
    const bytes = await encodeCheckpoint(header, stateText)
    const generation = Date.now().toString(36) + randomBytes(4).toString('hex')
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES))
    await Promise.all(Array.from({ length: chunks }, async (_, i) => await this.kv.put(`c.${p}.${generation}.${i}`, bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES))))
    const manifest: Manifest = {
      format: 'scantag-jetstream-manifest',
      version: 1,
      generation,
      chunks,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      seq: header.seq,
      created: header.created
    }
    const previous = revision === 0 ? null : await this.kv.get(CheckpointStore.manifestKey(p))
    let committed: number
    try {
      const text = JSON.stringify(manifest)
      committed = revision === 0
        ? await this.kv.create(CheckpointStore.manifestKey(p), text)
        : await this.kv.update(CheckpointStore.manifestKey(p), text, revision)
    } catch (err) {
      await this.dropGeneration(p, generation, chunks)
      throw new CheckpointConflict(`checkpoint of partition ${p} was written by another worker (${(err as Error).message})`)
    }
    // The previous generation's chunks are garbage now.
    if (previous !== null && previous.operation === 'PUT') {
      try {
        const old = JSON.parse(previous.string()) as Partial<Manifest>
        if (typeof old.generation === 'string' && typeof old.chunks === 'number' && old.generation !== generation) await this.dropGeneration(p, old.generation, old.chunks)
      } catch { /* an unreadable manifest has no chunks to drop */ }
    }
    return { revision: committed, bytes: bytes.length }
  }

  private async dropGeneration (p: number, generation: string, chunks: number): Promise<void> {
    await Promise.all(Array.from({ length: Math.min(chunks, 4096) }, async (_, i) => await this.kv.purge(`c.${p}.${generation}.${i}`).catch(() => undefined)))
  }
}
