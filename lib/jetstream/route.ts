/**
 * The route stage: reads records (files, stdin, or a raw NATS subject such as the one a Vector
 * `nats` sink publishes to), finds each record's scanner key with the parsers `scantag enrich`
 * uses and {@link ScannerKeys.keyOf}, and republishes the record unchanged to
 * `<prefix>.in.<partitionOf(key, P)>` with JetStream acknowledgements.
 *
 * Files are read as `scantag enrich` reads them (every format, gzip, several inputs merged by
 * event time) so each partition receives its records in the same order the single-process run
 * sees them. Zeek TSV rows are published as Zeek JSON objects and raw auditd events as their
 * lines joined by newlines (workers read both). Unreadable lines go to `<prefix>.dead`.
 */
import { createReadStream, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { AckPolicy, DeliverPolicy, connect, type JsMsg, type NatsConnection } from 'nats'
import type { DeadLetter, InputFormat, ScantagEvent } from '../model.js'
import type { HostConfig } from '../stream.js'
import { LogReader } from '../parse/reader.js'
import { mergeByTime } from '../merge.js'
import { checkPartitions, partitionOf, ScannerKeys } from '../partition.js'
import { MessageDecoder } from './decode.js'
import { checkPrefix, DEFAULT_PREFIX, HEADERS, jetStreamNames, JetStreamOptionError, positive, type JetStreamNames } from './names.js'
import { AckPublisher } from './publisher.js'
import { ensureStreams, type StreamLimits } from './setup.js'

/** Options of {@link routeFiles} and {@link routeSubject}. */
export interface RouteOptions {
  /** NATS server URL(s); or give `connection`. */
  servers?: string | string[]
  /** An open connection to use (left open). */
  connection?: NatsConnection
  /** Number of partitions P (as the workers' group). */
  partitions: number
  /** Subject prefix (default `scantag`). */
  prefix?: string
  /** Hosts and their addresses: endpoint telemetry is keyed by its host's address (as the workers are configured). */
  hosts?: HostConfig[]
  /** Community ID seed (default 0). */
  communityIdSeed?: number
  /** Input format of files (default `auto`). */
  inputFormat?: InputFormat | 'auto'
  /** Longest accepted line (default 1 MiB). */
  maxLineLength?: number
  /** Disorder tolerated per input when several files are merged by time, seconds (default 60). */
  lateness?: number
  /** Most records buffered by the merge (default 100,000). */
  maxBuffered?: number
  /** Prefix of `Nats-Msg-Id`s: the same run id re-publishes idempotently within the duplicate window (default random). */
  runId?: string
  /** Publish at most this many records per second (default: as fast as acknowledged). */
  rate?: number
  /** Most publishes awaiting acknowledgement (default 10,000). */
  maxOutstanding?: number
  /** Limits of the streams created when missing. */
  streams?: StreamLimits
  /** Stops a {@link routeSubject} run (and cuts off a {@link routeFiles} run). */
  signal?: AbortSignal
  /** Told about every record published (for progress). */
  onRecord?: (partition: number) => void
}

/** What a route run did. */
export interface RouteStats {
  /** Records published to input partitions. */
  records: number
  /** Records per partition. */
  perPartition: number[]
  /** Unreadable lines or messages, published to `<prefix>.dead`. */
  deadLetters: number
  /** Records the input stream already had (same `Nats-Msg-Id`). */
  duplicates: number
  /** Last input stream sequence assigned (for waiting on workers). */
  lastSeq: number
  elapsedSeconds: number
}

/** The partition of an event: CRC-32 of its scanner key mod P (lib/partition.ts). Pure. */
export function partitionForEvent (keys: ScannerKeys, ev: ScantagEvent, partitions: number): number {
  return partitionOf(keys.keyOf(ev), partitions)
}

/** The text published for an event: its line as read, Zeek TSV rows as Zeek JSON. */
export function recordText (ev: ScantagEvent): string {
  return ev.raw ?? JSON.stringify(ev.original)
}

interface Route {
  nc: NatsConnection
  own: boolean
  names: JetStreamNames
  partitions: number
  publisher: AckPublisher
  stats: RouteStats
  keys: ScannerKeys
  maxOutstanding: number
  started: number
}

async function open (o: RouteOptions): Promise<Route> {
  if (o === null || typeof o !== 'object') throw new JetStreamOptionError('route needs an options object with servers (or connection) and partitions')
  if (o.connection === undefined && (o.servers === undefined || o.servers.length === 0)) throw new JetStreamOptionError('servers (a NATS URL such as nats://127.0.0.1:4222) or connection is required')
  let partitions: number
  try { partitions = checkPartitions(o.partitions) } catch (err) { throw new JetStreamOptionError((err as Error).message) }
  const names = jetStreamNames(checkPrefix(o.prefix ?? DEFAULT_PREFIX))
  if (o.rate !== undefined) positive(o.rate, 'rate')
  const maxOutstanding = positive(o.maxOutstanding ?? 10_000, 'maxOutstanding', true)
  for (const h of o.hosts ?? []) {
    if (h === null || typeof h !== 'object' || typeof h.name !== 'string' || !Array.isArray(h.ips)) throw new JetStreamOptionError('hosts must be an array of { name: string, ips: string[] }')
  }
  const nc = o.connection ?? await connect({ servers: o.servers as string | string[], name: 'scantag-route', maxReconnectAttempts: -1, reconnectTimeWait: 500 })
  try {
    await ensureStreams(await nc.jetstreamManager(), names, o.streams)
  } catch (err) {
    if (o.connection === undefined) await nc.close()
    throw err
  }
  return {
    nc,
    own: o.connection === undefined,
    names,
    partitions,
    publisher: new AckPublisher(nc),
    stats: { records: 0, perPartition: new Array<number>(partitions).fill(0), deadLetters: 0, duplicates: 0, lastSeq: 0, elapsedSeconds: 0 },
    keys: new ScannerKeys(o.hosts ?? []),
    maxOutstanding,
    started: performance.now()
  }
}

async function below (r: Route, max: number): Promise<void> {
  while (r.publisher.outstanding >= max) await new Promise(resolve => setTimeout(resolve, 1))
}

function publishRecord (r: Route, p: number, text: string, headers: Record<string, string>, onStored?: () => void): void {
  r.stats.records++
  r.stats.perPartition[p]++
  r.publisher.publish(r.names.inSubject(p), text, headers).then(ack => {
    if (ack.duplicate) r.stats.duplicates++
    if (ack.seq > r.stats.lastSeq) r.stats.lastSeq = ack.seq
    onStored?.()
  }, (err: unknown) => {
    r.stats.records--
    r.stats.perPartition[p]--
    publishDead(r, { input: headers[HEADERS.input] ?? '', line: Number(headers[HEADERS.line] ?? 0), reason: `input stream refused the record: ${(err as Error).message}`, text: text.slice(0, 4096) }, `${headers[HEADERS.msgId]}.refused`, onStored)
  })
}

function publishDead (r: Route, dl: DeadLetter, id: string, onStored?: () => void): void {
  r.stats.deadLetters++
  r.publisher.publish(r.names.dead, JSON.stringify({ ...dl, stage: 'route' }), { [HEADERS.msgId]: id }).then(() => { onStored?.() }, (err: unknown) => {
    process.stderr.write(`scantag route: cannot publish a dead letter: ${(err as Error).message}\n`)
    onStored?.()
  })
}

async function close (r: Route): Promise<RouteStats> {
  await r.publisher.idle(120_000)
  r.publisher.close()
  if (r.own) await r.nc.drain().catch(() => undefined)
  r.stats.elapsedSeconds = (performance.now() - r.started) / 1000
  return r.stats
}

/**
 * Routes files (`-`: stdin, or readable streams named by `names`) to the input partitions.
 * Resolves when the input stream has acknowledged every record.
 */
export async function routeFiles (inputs: ReadonlyArray<string | { name: string, stream: Readable }>, options: RouteOptions): Promise<RouteStats> {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new JetStreamOptionError('route needs at least one input (a file name, "-" for stdin, or { name, stream })')
  const sources = inputs.map(i => {
    if (typeof i !== 'string') return i
    if (i === '-') return { name: '-', stream: process.stdin as Readable }
    try {
      if (statSync(i).isDirectory()) throw new JetStreamOptionError(`cannot read ${i}: it is a directory`)
    } catch (err) {
      if (err instanceof JetStreamOptionError) throw err
      throw new JetStreamOptionError(`cannot read ${i}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    return { name: i, stream: createReadStream(i, { highWaterMark: 256 * 1024 }) as Readable }
  })
  const r = await open(options)
  const runId = options.runId ?? randomBytes(6).toString('hex')
  const deadLetters: DeadLetter[] = []
  const readers = sources.map(src => new LogReader({
    input: src.name,
    format: options.inputFormat ?? 'auto',
    ...(options.maxLineLength !== undefined ? { maxLineLength: options.maxLineLength } : {}),
    communityIdSeed: options.communityIdSeed ?? 0,
    onDeadLetter: (dl) => { deadLetters.push(dl) }
  }))
  sources.forEach((src, i) => {
    src.stream.on('error', (err: Error) => { readers[i].destroy(err) })
    src.stream.pipe(readers[i])
  })
  const events: AsyncIterable<ScantagEvent> = readers.length === 1
    ? readers[0]
    : mergeByTime(readers, { lateness: options.lateness ?? 60, maxBuffered: options.maxBuffered ?? 100_000 }).stream
  const last = new Map<string, { line: number, text: string }>()
  const rate = options.rate
  const t0 = performance.now()
  let n = 0
  const flushDead = (): void => {
    for (const dl of deadLetters) publishDead(r, dl, `${runId}:dead:${dl.input}:${dl.line}`)
    deadLetters.length = 0
  }
  try {
    for await (const ev of events) {
      if (options.signal?.aborted === true) break
      flushDead()
      const text = recordText(ev)
      // Rows of one osquery result line share the line: it is published once.
      const prev = last.get(ev.input)
      if (prev !== undefined && prev.line === ev.line && prev.text === text) continue
      last.set(ev.input, { line: ev.line, text })
      const p = partitionForEvent(r.keys, ev, r.partitions)
      publishRecord(r, p, text, {
        [HEADERS.msgId]: `${runId}:${ev.input}:${ev.line}${ev.raw === undefined && ev.format !== 'zeek-tsv' ? ':' + String(r.stats.records) : ''}`,
        [HEADERS.input]: ev.input,
        [HEADERS.line]: String(ev.line)
      })
      options.onRecord?.(p)
      n++
      if (r.publisher.outstanding >= r.maxOutstanding) await below(r, r.maxOutstanding)
      if (rate !== undefined && n % 10 === 0) {
        const ahead = t0 + (n / rate) * 1000 - performance.now()
        if (ahead > 1) await new Promise(resolve => setTimeout(resolve, ahead))
      }
    }
    flushDead()
  } catch (err) {
    await close(r).catch(() => undefined)
    throw err
  }
  return await close(r)
}

/**
 * Routes a raw subject (what a log shipper publishes, one record per message) until `signal`
 * aborts. The subject is read through a durable consumer (`scantag-route`) of the stream that
 * captures it, created as `<PREFIX>_RAW` when none does; each raw message is acknowledged once
 * its record is stored in its input partition (or its dead letter in `<prefix>.dead`).
 */
export async function routeSubject (subject: string, options: RouteOptions): Promise<RouteStats> {
  if (typeof subject !== 'string' || !/^[^\s*>.]+(\.[^\s*>.]+)*$/.test(subject)) throw new JetStreamOptionError(`--from needs a subject without wildcards, like scantag.raw; got ${JSON.stringify(subject)}`)
  const r = await open(options)
  const jsm = await r.nc.jetstreamManager()
  const js = r.nc.jetstream()
  let stream: string
  try {
    stream = await jsm.streams.find(subject)
  } catch {
    stream = r.names.rawStream
    await jsm.streams.add({ name: stream, subjects: [subject] }).catch(async (err: Error) => {
      if (!/already in use|already exists/i.test(err.message)) throw err
      const info = await jsm.streams.info(stream)
      if (!info.config.subjects.includes(subject)) await jsm.streams.update(stream, { subjects: [...info.config.subjects, subject] })
    })
  }
  const durable = 'scantag-route-' + subject.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100)
  await jsm.consumers.add(stream, { durable_name: durable, filter_subject: subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: r.maxOutstanding }).catch(async () => undefined)
  const consumer = await js.consumers.get(stream, durable)
  const decoder = new MessageDecoder(options.communityIdSeed ?? 0)
  const textDecoder = new TextDecoder()
  const onMessage = (m: JsMsg): void => {
    const input = m.headers?.get(HEADERS.input) || subject
    const text = textDecoder.decode(m.data)
    const { events, failures } = decoder.decode(text, input, m.seq)
    let waiting = 1
    const settled = (): void => { if (--waiting === 0) m.ack() }
    failures.forEach((f, i) => { waiting++; publishDead(r, { input, line: m.seq, reason: f.reason, text: f.text }, `route/${stream}/${m.seq}/d${i}`, settled) })
    const parts = new Set(events.map(ev => partitionForEvent(r.keys, ev, r.partitions)))
    const headers = (id: string): Record<string, string> => ({ [HEADERS.msgId]: id, [HEADERS.input]: input, [HEADERS.line]: m.headers?.get(HEADERS.line) || String(m.seq) })
    if (parts.size === 1) {
      waiting++
      publishRecord(r, [...parts][0], text, headers(`route/${stream}/${m.seq}`), settled)
    } else {
      // Records of several scanners in one message (a JSON array): one message each.
      const seen = new Set<unknown>()
      events.forEach((ev, k) => {
        if (seen.has(ev.original)) return
        seen.add(ev.original)
        waiting++
        publishRecord(r, partitionForEvent(r.keys, ev, r.partitions), recordText(ev), headers(`route/${stream}/${m.seq}/${k}`), settled)
      })
    }
    settled()
  }
  const messages = await consumer.consume({ max_messages: 500, callback: onMessage })
  await new Promise<void>(resolve => {
    if (options.signal === undefined) return
    if (options.signal.aborted) { resolve(); return }
    options.signal.addEventListener('abort', () => { resolve() }, { once: true })
  })
  await messages.close().catch(() => undefined)
  return await close(r)
}
