/**
 * One partition on one worker: a durable pull consumer on `<prefix>.in.<p>`, the enricher, and
 * the bookkeeping that acknowledges an input message only once everything it produced has been
 * stored by the server.
 *
 * Acknowledgement semantics:
 *
 * - An input message is *in flight* from delivery until every event decoded from it has left
 *   the detectors and its output (and any detection record or dead letter it caused) has been
 *   acknowledged by the output stream; then it is acked. Events the detectors hold back for
 *   retroactive labels keep their message in flight. The consumer's `max_ack_pending`
 *   (`maxInFlight`) bounds that, with the engine's `maxHeldEvents` below it, so a partition can
 *   always make progress; an idle flush releases held events when no input came for
 *   `idleFlushSeconds`.
 * - Checkpoints (every `checkpointSeconds` or `checkpointMessages`) hold the detector state, the
 *   last input sequence fed to it (`seq`) and the sequences still in flight (`pending`). A new
 *   owner restores the state, replays `pending` and everything after `seq`, so every record is
 *   output at least once (records that were output after the checkpoint come out again, with the
 *   same event id and `Nats-Msg-Id`, which the output stream drops within its duplicate window).
 *   Replayed held events meet detector state that has already counted them once.
 * - Giving a partition back (rebalance, SIGTERM) drains it: consuming stops, held events are
 *   released as at the end of input (open detections are reported `updated`, not `closed`, and
 *   stay open in the state), everything is acknowledged, and a final checkpoint with nothing
 *   pending is written, so the next owner neither replays nor double-counts anything.
 * - A partition whose lease was lost stops at once, acknowledging and publishing nothing more.
 */
import { AckPolicy, DeliverPolicy, nanos, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats'
import type { DetectionRecord, ScantagEvent } from '../model.js'
import type { EngineOutput } from '../correlate/engine.js'
import type { CorrelatorLogger } from '../correlate/api.js'
import { createEnricher, type EnricherOptions } from '../stream.js'
import { mergeLine } from '../output/merge.js'
import { toEcs } from '../output/ecs.js'
import { detectionToEcs, detectionToMerge } from '../output/detection.js'
import { parseState, snapshotEngine, stateToText, type EngineState } from '../state-file.js'
import { partitionOf, ScannerKeys } from '../partition.js'
import { CheckpointConflict, CheckpointStore, toRanges, type CheckpointHeader, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.js'
import { MessageDecoder } from './decode.js'
import { HEADERS, type JetStreamNames } from './names.js'
import { PublishError, type AckPublisher } from './publisher.js'
import type { PartitionStats } from './stats.js'

/** Log levels of worker messages. */
export type LogLevel = 'info' | 'warn' | 'error'

/** What every partition of a worker shares. */
export interface RunnerContext {
  js: JetStreamClient
  jsm: JetStreamManager
  names: JetStreamNames
  group: string
  worker: string
  partitions: number
  publisher: AckPublisher
  checkpoints: CheckpointStore
  /** Makes the enricher options of a new engine (plugins may be instantiated per engine). */
  enricherOptions: () => EnricherOptions
  format: 'merge' | 'ecs'
  communityIdSeed: number
  hosts: Array<{ name: string, ips: string[] }>
  maxInFlight: number
  batch: number
  checkpointMs: number
  checkpointMessages: number
  idleFlushMs: number
  ackWaitMs: number
  log: (level: LogLevel, message: string) => void
}

interface Entry {
  seq: number
  msg: JsMsg | undefined
  /** Things still to happen before the message may be acked (1 while it is being handled). */
  outstanding: number
}

type Engine = ReturnType<typeof createEnricher>['engine']

const textDecoder = new TextDecoder()
/** Completed sequences remembered per partition to spot redeliveries of finished work. */
const RECENTLY_DONE = 65_536

/** A partition being worked on. */
export class PartitionRunner {
  state: PartitionStats['state'] = 'starting'
  refused: string | undefined
  private engine!: Engine
  private messages: ConsumerMessages | undefined
  /** The restored checkpoint's `seq`: messages up to it are done unless pending. */
  private restoredSeq = 0
  /** Recently completed sequences (bounded), to recognise redeliveries of finished work. */
  private readonly recentlyDone = new Set<number>()
  private readonly inFlight = new Map<number, Entry>()
  private readonly owners = new Map<ScantagEvent, { entry: Entry, id: string }>()
  private readonly decoder: MessageDecoder
  private readonly keys: ScannerKeys
  /** Sequences at or below the restored `seq` still to replay. */
  private replayLeft = new Set<number>()
  private lastSeq = 0
  private lastInputAt = performance.now()
  private sinceCheckpoint = 0
  private checkpointRevision = 0
  private writing: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private lastCheckpointAt = performance.now()
  private lastCheckpoint: PartitionStats['checkpoint'] = null
  private restoredFrom: PartitionStats['restoredFrom'] = null
  private totalMessages = 0
  private counters = { received: 0, completed: 0, published: 0, deadLetters: 0, misrouted: 0, flushes: 0 }
  private rate = { at: performance.now(), received: 0, perSecond: 0 }
  private consumerInfo: { lag: number | null, ackPending: number | null } = { lag: null, ackPending: null }

  constructor (private readonly ctx: RunnerContext, readonly partition: number) {
    this.decoder = new MessageDecoder(ctx.communityIdSeed)
    this.keys = new ScannerKeys(ctx.hosts)
  }

  private get consumerName (): string { return this.ctx.names.consumer(this.ctx.group, this.partition) }

  /**
   * Restores the partition's checkpoint and starts consuming from what it says.
   * @throws CheckpointError when the checkpoint cannot be used (the partition is then refused)
   */
  async start (): Promise<void> {
    const { ctx, partition: p } = this
    const cp = await ctx.checkpoints.read({ group: ctx.group, partition: p, partitions: ctx.partitions, stream: ctx.names.inStream })
    this.engine = this.newEngine(cp?.state)
    let startSeq = 1
    if (cp !== null) {
      this.checkpointRevision = cp.revision
      this.lastSeq = cp.header.seq
      this.restoredSeq = cp.header.seq
      this.totalMessages = cp.header.messages ?? 0
      for (const [a, b] of cp.header.pending) for (let s = a; s <= b; s++) this.replayLeft.add(s)
      startSeq = cp.header.pending.length > 0 ? cp.header.pending[0][0] : cp.header.seq + 1
      this.restoredFrom = { seq: cp.header.seq, pending: this.replayLeft.size, worker: cp.header.worker }
      this.lastCheckpoint = { seq: cp.header.seq, bytes: cp.bytes, at: cp.header.created }
      ctx.log('info', `partition ${p}: restored the checkpoint of ${cp.header.worker} at seq ${cp.header.seq} (${this.replayLeft.size} message(s) to replay, ${cp.bytes} bytes)`)
    }
    // A fresh consumer from the checkpoint's position: the previous owner's consumer (and what it
    // had delivered) does not count, this checkpoint does.
    await ctx.jsm.consumers.delete(ctx.names.inStream, this.consumerName).catch(() => undefined)
    await ctx.jsm.consumers.add(ctx.names.inStream, {
      durable_name: this.consumerName,
      filter_subject: ctx.names.inSubject(p),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: startSeq <= 1 ? DeliverPolicy.All : DeliverPolicy.StartSequence,
      ...(startSeq > 1 ? { opt_start_seq: startSeq } : {}),
      max_ack_pending: ctx.maxInFlight,
      ack_wait: nanos(ctx.ackWaitMs),
      max_deliver: -1
    })
    if (this.state !== 'starting') return // stopped while starting
    const consumer = await ctx.js.consumers.get(ctx.names.inStream, this.consumerName)
    // consume() keeps one subscription and re-pulls by itself (a fetch() loop drops messages
    // that arrive after a pull expired, under load); the consumer's max_ack_pending
    // (maxInFlight) is the backpressure.
    this.messages = await consumer.consume({ max_messages: ctx.batch, callback: (m) => { this.onMessage(m) } })
    this.state = 'running'
    this.lastInputAt = performance.now()
    this.timer = setInterval(() => { this.onTimer() }, Math.min(1000, Math.max(100, ctx.checkpointMs / 2)))
    this.timer.unref()
  }

  /** Stops at once without acknowledging or publishing anything more (the lease is lost). */
  stop (why: string): void {
    if (this.state === 'stopped') return
    this.ctx.log('warn', `partition ${this.partition}: stopped: ${why}`)
    this.state = 'stopped'
    this.end()
  }

  /** Marks the partition refused (its checkpoint cannot be used). */
  refuse (why: string): void {
    this.state = 'refused'
    this.refused = why
    this.end()
  }

  /**
   * Gives the partition back gracefully: stops consuming, releases held events, waits until
   * everything is acknowledged, writes a final checkpoint with nothing pending.
   */
  async drain (timeoutMs = 30_000): Promise<void> {
    if (this.state !== 'running' && this.state !== 'starting') { this.end(); return }
    const wasRunning = this.state === 'running'
    this.state = 'draining'
    await this.messages?.close().catch(() => undefined)
    if (wasRunning) {
      if (this.owners.size > 0 || this.engine.held > 0) this.flush('drain')
      const until = performance.now() + timeoutMs
      while (this.inFlight.size > 0 && performance.now() < until && this.state === 'draining') await new Promise(resolve => setTimeout(resolve, 20))
      if (this.inFlight.size > 0) this.ctx.log('warn', `partition ${this.partition}: ${this.inFlight.size} message(s) still unacknowledged after ${timeoutMs} ms; the next owner replays them`)
      if (this.writing !== undefined) await this.writing
      if (this.state === 'draining') await this.checkpoint(true)
    }
    if (this.state === 'draining') this.state = 'stopped'
    this.end()
  }

  private end (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    const m = this.messages
    this.messages = undefined
    void m?.close().catch(() => undefined)
  }

  /** Current figures; `lag` comes from the last {@link refreshConsumerInfo}. */
  stats (): PartitionStats {
    const now = performance.now()
    const dt = (now - this.rate.at) / 1000
    if (dt >= 1) {
      this.rate.perSecond = (this.counters.received - this.rate.received) / dt
      this.rate.at = now
      this.rate.received = this.counters.received
    }
    let stateEntries = 0
    if (this.engine !== undefined) for (const s of this.engine.allStores().values()) stateEntries += s.size
    return {
      partition: this.partition,
      state: this.state,
      ...(this.refused !== undefined ? { refused: this.refused } : {}),
      lag: this.consumerInfo.lag,
      ackPending: this.consumerInfo.ackPending,
      inFlight: this.inFlight.size,
      held: this.engine?.held ?? 0,
      openDetections: this.engine?.openDetections ?? 0,
      stateEntries,
      ...this.counters,
      ratePerSecond: Math.round(this.rate.perSecond),
      lastSeq: this.lastSeq,
      checkpoint: this.lastCheckpoint,
      restoredFrom: this.restoredFrom
    }
  }

  /** Asks the server for the consumer's pending counts (for `lag`). */
  async refreshConsumerInfo (): Promise<void> {
    if (this.state !== 'running') return
    try {
      const info = await this.ctx.jsm.consumers.info(this.ctx.names.inStream, this.consumerName)
      this.consumerInfo = { lag: info.num_pending, ackPending: info.num_ack_pending }
    } catch {
      this.consumerInfo = { lag: null, ackPending: null }
    }
  }

  // ---- input --------------------------------------------------------------------------------

  private onMessage (m: JsMsg): void {
    if (this.state !== 'running') return
    const seq = m.seq
    if (this.inFlight.has(seq)) return // redelivered while still in flight: it will be acked once
    if ((seq <= this.restoredSeq && !this.replayLeft.has(seq)) || this.recentlyDone.has(seq)) {
      // Fed to the detectors before the checkpoint this partition resumed from, or finished
      // and acked moments ago (an ack that got lost): done.
      m.ack()
      return
    }
    // Anything else is processed, a redelivery included (at-least-once: a message whose ack
    // was lost long ago comes out again under the same event id).
    this.replayLeft.delete(seq)
    this.handle(seq, m)
  }

  private handle (seq: number, msg: JsMsg): void {
    const { ctx } = this
    const entry: Entry = { seq, msg, outstanding: 1 }
    this.inFlight.set(seq, entry)
    const h = msg.headers
    const input = h?.get(HEADERS.input) || msg.subject
    const lineText = h?.get(HEADERS.line)
    const lineNo = lineText !== undefined && /^[1-9][0-9]{0,15}$/.test(lineText) ? Number(lineText) : seq
    const text = textDecoder.decode(msg.data)
    const { events, failures } = this.decoder.decode(text, input, lineNo)
    for (let i = 0; i < failures.length; i++) {
      this.deadLetter(entry, `${seq}.d${i}`, { input, line: lineNo, reason: failures[i].reason, text: failures[i].text })
    }
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]
      this.owners.set(ev, { entry, id: events.length === 1 ? String(seq) : `${seq}.${i}` })
      entry.outstanding++
      if (partitionOf(this.keys.keyOf(ev), ctx.partitions) !== this.partition) this.counters.misrouted++
    }
    for (const ev of events) {
      let outs: EngineOutput[]
      try {
        outs = this.engine.push(ev)
      } catch (err) {
        // The engine isolates correlators; this is a bug. The record still leaves, unlabelled.
        ctx.log('error', `partition ${this.partition}: internal error at seq ${seq}: ${(err as Error).stack ?? String(err)}`)
        outs = [ev]
      }
      for (const out of outs) this.emit(out, entry)
    }
    if (seq > this.lastSeq) this.lastSeq = seq
    this.counters.received++
    this.totalMessages++
    this.sinceCheckpoint++
    this.lastInputAt = performance.now()
    this.done(entry)
    if (this.sinceCheckpoint >= ctx.checkpointMessages && this.writing === undefined) void this.checkpoint(false)
  }

  // ---- output -------------------------------------------------------------------------------

  private emit (out: EngineOutput, current: Entry): void {
    const { ctx } = this
    if (out.category === 'detection') {
      const rec = out
      const d = rec.detection
      const body = JSON.stringify(ctx.format === 'merge' ? detectionToMerge(rec) : detectionToEcs(rec))
      current.outstanding++
      this.publish(current, ctx.names.detections, body, {
        [HEADERS.msgId]: `${ctx.group}/${d.id}/${d.status}/${d.event_count}/${d.last_seen}`,
        [HEADERS.partition]: String(this.partition),
        [HEADERS.worker]: ctx.worker
      })
      return
    }
    const owner = this.owners.get(out)
    let entry = current
    let id: string
    if (owner !== undefined) {
      this.owners.delete(out)
      entry = owner.entry
      id = owner.id
    } else {
      current.outstanding++
      id = `${current.seq}.x`
    }
    const body = ctx.format === 'merge' ? mergeLine(out) : JSON.stringify(toEcs(out, { communityIdSeed: ctx.communityIdSeed }))
    // Two headers only: records are the bulk of the traffic (the subject names the partition).
    this.publish(entry, ctx.names.outSubject(this.partition), body, { [HEADERS.msgId]: `${ctx.group}/${id}`, [HEADERS.eventId]: id })
  }

  private deadLetter (entry: Entry, id: string, dl: { input: string, line: number, reason: string, text: string }): void {
    const { ctx } = this
    entry.outstanding++
    this.counters.deadLetters++
    const body = JSON.stringify({ ...dl, stream: ctx.names.inStream, seq: entry.seq, partition: this.partition, group: ctx.group, worker: ctx.worker })
    this.publish(entry, ctx.names.dead, body, { [HEADERS.msgId]: `${ctx.group}/${id}`, [HEADERS.eventId]: id, [HEADERS.partition]: String(this.partition) })
  }

  private publish (entry: Entry, subject: string, body: string, headers: Record<string, string>): void {
    this.ctx.publisher.publish(subject, body, headers).then(() => {
      this.counters.published++
      this.done(entry)
    }, (err: unknown) => {
      if (this.state === 'stopped') return
      if (err instanceof PublishError && subject !== this.ctx.names.dead) {
        // The output stream refuses this record for good (too large): dead-letter it instead.
        this.deadLetter(entry, `${headers[HEADERS.msgId]}.refused`, { input: subject, line: entry.seq, reason: `output refused: ${err.message}`, text: body.slice(0, 4096) })
        this.done(entry)
        return
      }
      this.ctx.log('error', `partition ${this.partition}: cannot publish to ${subject}: ${(err as Error).message}; seq ${entry.seq} stays unacknowledged`)
    })
  }

  private done (entry: Entry): void {
    if (--entry.outstanding > 0) return
    if (entry.seq === 0) return // a flush's own bookkeeping entry
    if (this.inFlight.get(entry.seq) === entry) this.inFlight.delete(entry.seq)
    if (this.state === 'running' || this.state === 'draining') entry.msg?.ack()
    this.counters.completed++
    this.recentlyDone.add(entry.seq)
    if (this.recentlyDone.size > RECENTLY_DONE) {
      const oldest = this.recentlyDone.values().next()
      if (oldest.done !== true) this.recentlyDone.delete(oldest.value)
    }
  }

  // ---- engine, flushes and checkpoints ------------------------------------------------------

  private newEngine (state: EngineState | undefined): Engine {
    const log: CorrelatorLogger = {
      info: (...args) => { this.ctx.log('info', `partition ${this.partition}: ${args.map(String).join(' ')}`) },
      warn: (...args) => { this.ctx.log('warn', `partition ${this.partition}: ${args.map(String).join(' ')}`) }
    }
    return createEnricher({ ...this.ctx.enricherOptions(), format: 'event', log, ...(state !== undefined ? { state } : {}) }).engine
  }

  /**
   * Releases every held event as at the end of input, and goes on with a fresh engine holding
   * the state as it was before: open detections stay open (their records from this flush say
   * `updated`, not `closed`).
   */
  private flush (why: string): void {
    const stateText = stateToText(snapshotEngine(this.engine, this.engine.correlatorNames))
    const open = new Set(this.engine.openDetectionStates().map(d => d.detection.id))
    const entry: Entry = { seq: 0, msg: undefined, outstanding: 1 }
    const outs = this.engine.end()
    for (const out of outs) {
      if (out.category === 'detection' && out.detection.status === 'closed' && open.has(out.detection.id)) {
        const rec: DetectionRecord = { ...out, detection: { ...out.detection, status: 'updated' } }
        this.emit(rec, entry)
      } else {
        this.emit(out, entry)
      }
    }
    // Events still owned were never pushed through (cannot happen) — keep the map honest.
    this.owners.clear()
    this.engine = this.newEngine(parseState(stateText, `partition ${this.partition} state`))
    this.counters.flushes++
    this.ctx.log('info', `partition ${this.partition}: ${why} flush released ${outs.length} record(s)`)
    this.done(entry)
  }

  private onTimer (): void {
    if (this.state !== 'running') return
    const now = performance.now()
    if ((this.owners.size > 0 || this.engine.held > 0) && now - this.lastInputAt >= this.ctx.idleFlushMs) this.flush('idle')
    if (now - this.lastCheckpointAt >= this.ctx.checkpointMs && this.sinceCheckpoint > 0 && this.writing === undefined) void this.checkpoint(false)
  }

  /** Writes a checkpoint (see the module comment). `final`: also when nothing changed. */
  async checkpoint (final: boolean): Promise<void> {
    if (this.writing !== undefined) { await this.writing; if (!final) return }
    if (!final && this.sinceCheckpoint === 0) return
    const { ctx } = this
    const pendingSeqs = [...this.inFlight.keys(), ...this.replayLeft].sort((a, b) => a - b)
    const header: CheckpointHeader = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      group: ctx.group,
      partition: this.partition,
      partitions: ctx.partitions,
      stream: ctx.names.inStream,
      seq: this.lastSeq,
      pending: toRanges(pendingSeqs.filter(s => s <= this.lastSeq)),
      worker: ctx.worker,
      created: new Date().toISOString(),
      messages: this.totalMessages
    }
    const stateText = stateToText(snapshotEngine(this.engine, this.engine.correlatorNames))
    this.sinceCheckpoint = 0
    this.lastCheckpointAt = performance.now()
    const write = (async () => {
      try {
        const r = await ctx.checkpoints.write(header, stateText, this.checkpointRevision)
        this.checkpointRevision = r.revision
        this.lastCheckpoint = { seq: header.seq, bytes: r.bytes, at: header.created }
      } catch (err) {
        if (err instanceof CheckpointConflict) {
          this.stop(err.message)
          return
        }
        this.sinceCheckpoint++ // try again next time
        ctx.log('warn', `partition ${this.partition}: checkpoint failed: ${(err as Error).message}`)
      }
    })()
    this.writing = write
    await write
    this.writing = undefined
  }
}
