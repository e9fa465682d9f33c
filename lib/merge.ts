/**
 * Time-ordered k-way merge of several event streams (e.g. conn.log + eve.json).
 *
 * Sensors do not write in event-time order: Zeek writes a conn record when the connection ends
 * but stamps it with its start, Suricata writes flows at timeout. So each input is first
 * re-ordered within `lateness` seconds of the newest time it has shown, and the inputs are then
 * merged by time. An event older than what has already been emitted is not dropped: it is emitted
 * at once and counted as late. Memory is bounded by `maxBuffered` events; when full, the oldest
 * event is emitted even if an earlier one might still come.
 */
import { Readable } from 'node:stream'
import type { NetworkEvent } from './model.js'

/** Options of {@link mergeByTime}. */
export interface MergeOptions {
  /** Seconds an input may run behind its newest event and still be put in order (default 60). */
  lateness?: number
  /** Most events held for ordering across all inputs (default 100000). */
  maxBuffered?: number
}

/** Counts kept by {@link mergeByTime}. */
export interface MergeStats {
  /** Events emitted. */
  events: number
  /** Events that arrived after a later event had already been emitted. */
  late: number
  /** Events emitted early because the buffer was full. */
  forced: number
  /** Largest number of events held at once. */
  peakBuffered: number
}

interface Held {
  ev: NetworkEvent
  time: number
  source: number
  seq: number
}

function before (a: Held, b: Held): boolean {
  if (a.time !== b.time) return a.time < b.time
  if (a.source !== b.source) return a.source < b.source
  return a.seq < b.seq
}

/** A binary min-heap of held events, ordered by time, then input, then arrival. */
class HeldHeap {
  private readonly items: Held[] = []
  get size (): number { return this.items.length }
  peek (): Held | undefined { return this.items[0] }
  push (h: Held): void {
    const a = this.items
    a.push(h)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(a[i], a[p])) break
      const t = a[i]; a[i] = a[p]; a[p] = t
      i = p
    }
  }

  pop (): Held | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && before(a[l], a[m])) m = l
        if (r < a.length && before(a[r], a[m])) m = r
        if (m === i) break
        const t = a[i]; a[i] = a[m]; a[m] = t
        i = m
      }
    }
    return top
  }
}

/**
 * Merges event streams into one stream ordered by event time.
 *
 * @param sources readers (or any async iterables of events), in input order
 * @returns an object-mode Readable of events, and its {@link MergeStats}
 */
export function mergeByTime (sources: ReadonlyArray<AsyncIterable<NetworkEvent>>, options: MergeOptions = {}): { stream: Readable, stats: MergeStats } {
  const lateness = options.lateness ?? 60
  const maxBuffered = options.maxBuffered ?? 100_000
  if (!(typeof lateness === 'number' && lateness >= 0 && Number.isFinite(lateness))) throw new TypeError(`lateness must be a finite number of seconds >= 0, got ${String(options.lateness)}`)
  if (!(Number.isInteger(maxBuffered) && maxBuffered >= 1)) throw new TypeError(`maxBuffered must be a positive integer, got ${String(options.maxBuffered)}`)
  const stats: MergeStats = { events: 0, late: 0, forced: 0, peakBuffered: 0 }

  async function * run (): AsyncGenerator<NetworkEvent> {
    const iterators = sources.map(s => s[Symbol.asyncIterator]())
    const ended = sources.map(() => false)
    // The newest time each input has shown; its events older than this minus lateness are late.
    const newest = sources.map(() => -Infinity)
    const heap = new HeldHeap()
    let seq = 0
    let lastEmitted = -Infinity

    /** Input that must be read before the heap's head may go: the one furthest behind. */
    function blocking (headTime: number): number {
      let best = -1
      for (let i = 0; i < iterators.length; i++) {
        if (ended[i]) continue
        const watermark = newest[i] - lateness
        if (watermark < headTime && (best === -1 || newest[i] < newest[best])) best = i
      }
      return best
    }

    for (;;) {
      const head = heap.peek()
      const next = blocking(head === undefined ? Infinity : head.time)
      if (next === -1 || heap.size >= maxBuffered) {
        if (head === undefined) return
        if (next !== -1) stats.forced++
        heap.pop()
        if (head.time < lastEmitted) stats.late++
        else lastEmitted = head.time
        stats.events++
        yield head.ev
        continue
      }
      const res = await iterators[next].next()
      if (res.done === true) { ended[next] = true; continue }
      const ev = res.value
      const time = ev.time
      if (time === undefined) {
        // No time, no place in the order: pass it on at once.
        stats.events++
        yield ev
        continue
      }
      if (time > newest[next]) newest[next] = time
      if (time < lastEmitted) {
        stats.late++
        stats.events++
        yield ev
        continue
      }
      heap.push({ ev, time, source: next, seq: seq++ })
      if (heap.size > stats.peakBuffered) stats.peakBuffered = heap.size
    }
  }

  return { stream: Readable.from(run(), { objectMode: true, highWaterMark: 256 }), stats }
}
