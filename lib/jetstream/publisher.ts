/**
 * JetStream publishing with acknowledgements, pipelined: many messages in flight on one reply
 * subscription, each resolved when the stream has stored it (or reported it a duplicate of a
 * stored message, by its `Nats-Msg-Id`).
 *
 * `js.publish()` of the nats client waits for one request per message with a timer each; this
 * shell keeps one wildcard inbox subscription and one sweep timer instead, which is about 3–4
 * times faster. A message whose acknowledgement does not come within `timeoutMs`, or that the
 * server answers with a temporary error (no stream yet, a leader election), is sent again with
 * the same id, so JetStream stores it once. A permanent error (a message larger than the stream
 * accepts) rejects the promise: the caller dead-letters it.
 */
import { createInbox, headers as makeHeaders, type MsgHdrs, type NatsConnection, type Subscription } from 'nats'

/** A stored message. */
export interface PubAck {
  stream: string
  seq: number
  /** The stream already had a message with this `Nats-Msg-Id` (within its duplicate window). */
  duplicate: boolean
}

/** A publish the server refused for good; `code` is the JetStream error code. */
export class PublishError extends Error {
  override name = 'PublishError'
  constructor (message: string, readonly code: number) { super(message) }
}

/** Options of {@link AckPublisher}. */
export interface AckPublisherOptions {
  /** Time to wait for an acknowledgement before sending again, ms (default 5000). */
  timeoutMs?: number
  /** Wait before sending again after a temporary error, ms (default 250). */
  retryDelayMs?: number
  /** Told about every re-send (for logs and statistics). */
  onRetry?: (subject: string, reason: string, attempt: number) => void
}

interface Pending {
  subject: string
  data: Uint8Array
  headers: MsgHdrs
  due: number
  attempts: number
  /** Why the next send is a retry, when an answer said so. */
  reason?: string
  resolve: (ack: PubAck) => void
  reject: (err: Error) => void
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Pipelined, acknowledged JetStream publisher over one connection. */
export class AckPublisher {
  private readonly inbox = createInbox()
  private readonly pending = new Map<number, Pending>()
  private readonly sub: Subscription
  private readonly timer: NodeJS.Timeout
  private readonly timeoutMs: number
  private readonly retryDelayMs: number
  private next = 1
  private closed = false
  /** Messages sent again (timeouts and temporary errors). */
  retries = 0
  /** Acknowledged messages. */
  acked = 0
  /** Of those, duplicates the stream dropped. */
  duplicates = 0

  constructor (private readonly nc: NatsConnection, private readonly options: AckPublisherOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000
    this.retryDelayMs = options.retryDelayMs ?? 250
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err !== null) return
        const token = Number(msg.subject.slice(this.inbox.length + 1))
        const p = this.pending.get(token)
        if (p === undefined) return // a late answer to a message already settled
        this.answer(token, p, msg.data, msg.headers)
      }
    })
    this.timer = setInterval(() => { this.sweep() }, Math.max(50, Math.min(500, this.timeoutMs / 2)))
    this.timer.unref()
  }

  /** Messages sent and not yet acknowledged. */
  get outstanding (): number { return this.pending.size }

  /**
   * Publishes `data` to `subject` with `headers` (set `Nats-Msg-Id` for de-duplication) and
   * resolves when the stream has it.
   */
  async publish (subject: string, data: string | Uint8Array, headers: Record<string, string>): Promise<PubAck> {
    if (this.closed) throw new Error('publisher is closed')
    const h = makeHeaders()
    for (const [k, v] of Object.entries(headers)) h.set(k, v)
    const bytes = typeof data === 'string' ? encoder.encode(data) : data
    return await new Promise<PubAck>((resolve, reject) => {
      const token = this.next++
      const p: Pending = { subject, data: bytes, headers: h, due: 0, attempts: 0, resolve, reject }
      this.pending.set(token, p)
      this.send(token, p)
    })
  }

  /** Resolves when nothing is outstanding (or rejects after `timeoutMs`). */
  async idle (timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs
    while (this.pending.size > 0) {
      if (Date.now() > until) throw new Error(`${this.pending.size} publish(es) not acknowledged within ${timeoutMs} ms`)
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  }

  /** Stops: outstanding publishes are rejected. */
  close (): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    this.sub.unsubscribe()
    for (const [token, p] of this.pending) {
      this.pending.delete(token)
      p.reject(new Error('publisher closed before the acknowledgement came'))
    }
  }

  private send (token: number, p: Pending): void {
    p.attempts++
    p.due = Date.now() + this.timeoutMs
    try {
      this.nc.publish(p.subject, p.data, { reply: `${this.inbox}.${token}`, headers: p.headers })
    } catch (err) {
      const e = err as Error & { code?: string }
      if (e.code === 'MAX_PAYLOAD_EXCEEDED') {
        this.pending.delete(token)
        p.reject(new PublishError(`message of ${p.data.length} bytes exceeds the server's max_payload`, 413))
        return
      }
      // Closed or draining connection: try again later (or be rejected by close()).
      p.due = Date.now() + this.retryDelayMs
    }
  }

  private answer (token: number, p: Pending, data: Uint8Array, headers: MsgHdrs | undefined): void {
    if (data.length === 0 && headers !== undefined && headers.code >= 400) {
      // 503 no responders: no stream captures the subject (yet).
      this.retryLater(p, `${headers.code} ${headers.description}`)
      return
    }
    let ack: { stream?: string, seq?: number, duplicate?: boolean, error?: { code?: number, err_code?: number, description?: string } }
    try {
      ack = JSON.parse(decoder.decode(data)) as typeof ack
    } catch {
      this.retryLater(p, 'unreadable acknowledgement')
      return
    }
    if (ack.error !== undefined) {
      const code = ack.error.code ?? 500
      const text = `${code} ${ack.error.description ?? ''} (err_code ${String(ack.error.err_code)})`
      if (code >= 500 || code === 408 || code === 429) {
        this.retryLater(p, text)
        return
      }
      this.pending.delete(token)
      p.reject(new PublishError(`JetStream refused a message on ${p.subject}: ${text}`, code))
      return
    }
    this.pending.delete(token)
    this.acked++
    if (ack.duplicate === true) this.duplicates++
    p.resolve({ stream: ack.stream ?? '', seq: ack.seq ?? 0, duplicate: ack.duplicate === true })
  }

  private retryLater (p: Pending, reason: string): void {
    p.due = Date.now() + this.retryDelayMs
    p.reason = reason
  }

  private sweep (): void {
    if (this.closed || this.nc.isClosed()) return
    const now = Date.now()
    for (const [token, p] of this.pending) {
      if (p.due > now) continue
      this.retries++
      this.options.onRetry?.(p.subject, p.reason ?? `no acknowledgement within ${this.timeoutMs} ms`, p.attempts)
      p.reason = undefined
      this.send(token, p)
    }
  }
}
