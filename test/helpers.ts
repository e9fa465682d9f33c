/** Test helpers: run an input through a reader and collect what comes out. */
import { createReadStream, existsSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import type { DeadLetter, NetworkEvent } from '../lib/model.js'
import { LogReader, type ReaderOptions, type ReaderStats } from '../lib/parse/reader.js'

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** `../shared/data` relative to the project root, or undefined when absent (fresh clones, CI without it). */
export const sharedData: string | undefined = (() => {
  const p = fileURLToPath(new URL('../../shared/data', import.meta.url))
  return existsSync(p) ? p : undefined
})()

export interface ReadResult {
  events: NetworkEvent[]
  deadLetters: DeadLetter[]
  stats: ReaderStats
}

/** Reads a file (or a string/Buffer given as `content`) through a {@link LogReader}. */
export async function readThrough (source: string | { content: string | Buffer, chunkSize?: number }, options: ReaderOptions = {}, allowed?: ConstructorParameters<typeof LogReader>[1]): Promise<ReadResult> {
  const deadLetters: DeadLetter[] = []
  const events: NetworkEvent[] = []
  const reader = new LogReader({ input: typeof source === 'string' ? source : 'test', ...options, onDeadLetter: (dl) => { deadLetters.push(dl) } }, allowed)
  let input: Readable
  if (typeof source === 'string') {
    input = createReadStream(source)
  } else {
    const buf = Buffer.isBuffer(source.content) ? source.content : Buffer.from(source.content)
    const size = source.chunkSize ?? buf.length
    const chunks: Buffer[] = []
    for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size))
    input = Readable.from(chunks, { objectMode: false })
  }
  await pipeline(input, reader, new Writable({
    objectMode: true,
    write (ev: NetworkEvent, _enc, cb) { events.push(ev); cb() }
  }))
  return { events, deadLetters, stats: reader.stats }
}
