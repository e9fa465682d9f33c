/**
 * Vertical port scans: ATT&CK T1595.002 Vulnerability Scanning (probing one host's services).
 *
 * Policy (Zeek `policy/misc/scan.zeek`, "Port_Scan": "an attacking host attempts to connect to
 * `port_scan_threshold` unique ports on a single host over the previous `port_scan_interval`").
 * Per (source, destination host), watch the connection attempts (Zeek `conn`, Suricata EVE
 * `flow`) and count the distinct destination ports (`tcp/80` and `udp/80` are two) probed within
 * `windowSeconds` of the pair's first attempt. Attempts of any outcome count — on an nmap
 * top-1000 scan open ports answer (SYN-ACK, then the scanner's RST: Zeek `RSTO`/`RSTR`), closed
 * ones reject (`REJ`) and filtered ones stay unanswered (`S0`) — and the pair fires when
 *
 * - at least `threshold` distinct ports were probed, and
 * - at least `minFailureShare` of those ports never exchanged data (Zeek's `is_failed_conn`:
 *   rejected, unanswered, or reset with no `D`/`d` in the history).
 *
 * Zeek counts failed connections only; counting every attempt lets the reason show open,
 * closed and filtered ports together, and the failure-share condition keeps Zeek's intent: a
 * host that legitimately serves one client on many ports answers them with data.
 *
 * Not counted at all ({@link isServiceDataFlow}): established connections that carried data
 * between two ephemeral ports (both at or above `ephemeralPortMin`, 32768). Those are the data
 * channels a protocol negotiates on the fly — passive FTP data connections (vsftpd and ProFTPD
 * let the kernel pick the port unless `pasv_min_port`/`PassivePorts` confine it), RPC dynamic
 * endpoints (Windows 49152–65535 after the endpoint mapper on 135; Sun RPC services registered
 * with rpcbind on 111), RTP media after SIP — and would otherwise make one file transfer look
 * like a scan of hundreds of ports. Registered service ports below 32768 (3306, 5900, 8080,
 * 8180) are not ephemeral: nmap -sV/-sC probes of them count (zeek-labs soc-copilot: 83 such
 * probes of 13 services, 8180, 3306, 5432, 2121, 8009, 5900 and others).
 * Nor are UDP records from a system port to an ephemeral port ({@link isReplyDirection}):
 * replies whose request the sensor missed.
 *
 * Retroactive labels: until a pair fires, its failed attempts are held under `${src}|${dst}`
 * (for `holdSeconds`, by default the window; the engine caps holds at its `maxHoldSeconds`
 * and its `maxHeldEvents`, releasing the oldest unlabelled beyond them); when it fires
 * they are labelled together, and from then on every counted attempt of the pair is labelled as
 * it passes. A pair that reaches the end of its window without firing starts a new window and
 * lets its held attempts go unlabelled. One detection per (source, destination host).
 *
 * State: one {@link PairState} per pair in `ctx.state('pairs')` (at most `maxPairs`, expiring
 * `windowSeconds` after the pair's last attempt, and together at most `maxBytes`). Ports are
 * kept in a {@link PortTally}: a short list, then an 8 KiB bitmap per transport once a pair
 * passes 64 ports, so a pair costs at most about 50 KiB whatever the scan.
 */
import type { Detection, NetworkEvent, ScantagEvent } from '../model.js'
import type { Correlator, CorrelatorContext, KeyedState, LabelInput } from './api.js'
import { positiveOption, shareOption } from './options.js'
import { appended, EMPTY_LIST } from './small-lists.js'

/** Tunables of the vertical scan policy. */
export interface VerticalScanOptions {
  /**
   * Window, seconds of event time, from a pair's first attempt. Default 300: Zeek
   * `Scan::port_scan_interval = 5min` (scripts/policy/misc/scan.zeek).
   */
  windowSeconds?: number
  /**
   * Distinct destination ports of one host within the window. Default 15: Zeek
   * `Scan::port_scan_threshold = 15.0` (scripts/policy/misc/scan.zeek).
   */
  threshold?: number
  /**
   * Least share of the probed ports that never exchanged data. Default 0.5: Zeek counts only
   * failed connections, so its threshold is met by failures alone; requiring that failures
   * outweigh answered-with-data ports keeps that intent while still counting open ports. Real
   * scans are far above it (nmap top-1000 then -sV against a server with 4 open services:
   * 99.6%; zeek-labs irongirl101: 100%; soc-copilot, -sV/-sC of 23 open services: 97.7%).
   */
  minFailureShare?: number
  /**
   * Lowest port number treated as ephemeral for the data-flow exclusion. Default 32768: the
   * lower bound of Linux's default `net.ipv4.ip_local_port_range` ("32768 60999",
   * Documentation/networking/ip-sysctl.rst), below the IANA dynamic range 49152–65535
   * (RFC 6335 §6) that Windows and the BSDs use. Lower it (e.g. to 1025) for networks with
   * Windows Server 2003-era hosts (ephemeral 1025–5000) or FTP servers confined to low
   * passive ranges.
   */
  ephemeralPortMin?: number
  /** How long an attempt waits for its pair's detection, seconds. Default: the window (capped by the engine's `maxHoldSeconds`). */
  holdSeconds?: number
  /** Most (source, destination) pairs followed at once. Default 10,000. */
  maxPairs?: number
  /**
   * Approximate memory all pairs may take together, bytes; the least recently active go first
   * past it. Default 32 MiB. A pair costs ~1 KiB until it passes 64 ports, then 8 KiB per
   * transport probed (16 KiB once ports answer), so `maxPairs` alone would allow ~500 MB when
   * one sweep probes 10,000 hosts on 65 ports or more (measured: 623 MiB peak RSS for 9,000
   * hosts × 80 ports). 32 MiB keeps 4,000 such pairs, while a pair fires at 15 ports.
   */
  maxBytes?: number
  /** Ports shown in a detection. Default 10. */
  samplePorts?: number
}

/** The defaults, with their sources in {@link VerticalScanOptions}. */
export const VERTICAL_SCAN_DEFAULTS = Object.freeze({
  windowSeconds: 300,
  threshold: 15,
  minFailureShare: 0.5,
  ephemeralPortMin: 32768,
  maxPairs: 10_000,
  maxBytes: 32 * 1024 * 1024,
  samplePorts: 10
})

const SUBTECHNIQUE = 'T1595.002' as const
/** Evidence kind this correlator reports to others through `ctx.addEvidence`. */
export const VERTICAL_SCAN_EVIDENCE_KIND = 'vertical-scan'

/** Transports whose attempts have ports, with their slot in a {@link PortTally}. */
const TRANSPORT_SLOT: Readonly<Record<string, number>> = { tcp: 0, udp: 1, sctp: 2 }
/** The transports by slot, for {@link PairState.transports}' bits. */
const SLOT_TRANSPORT = ['tcp', 'udp', 'sctp'] as const
const PSH = 0x08

/** Whether an event is connection evidence: a Zeek `conn` record or a Suricata EVE `flow` record. */
export function isConnectionRecord (ev: NetworkEvent): boolean {
  return ev.sensor === 'zeek' ? ev.kind === 'conn' : ev.kind === 'flow'
}

/**
 * Whether a connection exchanged application data. Zeek: `D`/`d` in the history (the test of
 * scan.zeek's `is_failed_conn`), else payload byte counters. Suricata EVE (byte counters
 * include headers): an application protocol was recognised, or either side set PSH; non-TCP:
 * the responder replied.
 */
export function carriedData (ev: NetworkEvent): boolean {
  if (ev.sensor === 'zeek') {
    const h = ev.history
    if (h !== undefined && h !== '' && h !== '-') return h.includes('D') || h.includes('d')
    const c = ev.counters
    return c !== undefined && ((c.origBytes ?? 0) > 0 || (c.respBytes ?? 0) > 0)
  }
  if (ev.transport !== 'tcp') return ev.outcome === 'established'
  if (ev.service !== undefined && ev.service !== 'failed') return true
  const h = ev.history
  if (h === undefined || h.length === 0 || h.length > 4) return false
  const flags = parseInt(h, 16)
  return !Number.isNaN(flags) && (flags & PSH) !== 0
}

/**
 * The probe outcome of a connection record: `unanswered`, `rejected`, `answered` (the port
 * answered: established or reset), or undefined when it is no probe (mid-stream `partial`
 * records, which show no attempt by the originator).
 */
export function probeOutcome (ev: NetworkEvent): 'unanswered' | 'rejected' | 'answered' | undefined {
  switch (ev.outcome) {
    case 'unanswered': return 'unanswered'
    case 'rejected': return 'rejected'
    case 'established':
    case 'reset':
      return 'answered'
    case 'partial': return undefined
    default:
      // `other` or unknown: an attempt whose answer cannot be told; count it, unanswered unless data moved.
      return carriedData(ev) ? 'answered' : 'unanswered'
  }
}

/** Whether a probe failed in Zeek's sense: no data exchanged (rejected, unanswered, or reset before data). */
export function isFailedProbe (ev: NetworkEvent): boolean {
  const o = probeOutcome(ev)
  return o === 'unanswered' || o === 'rejected' || !carriedData(ev)
}

/**
 * Whether a connection is a negotiated data channel between two ephemeral ports (passive FTP
 * data, RPC dynamic endpoints): established or reset, data exchanged, both ports at or above
 * `ephemeralPortMin`. Such connections are not probes.
 */
export function isServiceDataFlow (ev: NetworkEvent, ephemeralPortMin: number = VERTICAL_SCAN_DEFAULTS.ephemeralPortMin): boolean {
  const sp = ev.src?.port
  const dp = ev.dst?.port
  if (sp === undefined || dp === undefined || sp < ephemeralPortMin || dp < ephemeralPortMin) return false
  if (ev.outcome !== 'established' && ev.outcome !== 'reset') return false
  return carriedData(ev)
}

/**
 * Whether a UDP record runs from a system port (below 1024) to an ephemeral port: a reply whose
 * request the sensor missed (Suricata opens the flow on the first packet it sees, so a DNS
 * server's answers look like a scan of the clients' ephemeral ports). UDP has no handshake to
 * tell the sides apart; TCP records without the originator's SYN are `partial` and skipped anyway.
 */
export function isReplyDirection (ev: NetworkEvent, ephemeralPortMin: number = VERTICAL_SCAN_DEFAULTS.ephemeralPortMin): boolean {
  const sp = ev.src?.port
  const dp = ev.dst?.port
  return ev.transport === 'udp' && sp !== undefined && dp !== undefined && sp < 1024 && dp >= ephemeralPortMin
}

/** Bytes of one transport's bitmap: a bit per port. */
const SLOT_BYTES = 65536 / 8
const SLOTS = 3
/** Ports kept as a list before the bitmaps take over: a list of 64 costs ~0.6 KiB, a bitmap 8 KiB. */
const LIST_PORTS = 64

/**
 * Distinct ports of one pair, each remembered as answered-with-data or not. A list for the
 * first 64 ports, then a bitmap (8 KiB) per transport seen, and one for the answered ports of
 * a transport once one answers: a TCP scan costs 8 KiB, every port of every transport with
 * answers 48 KiB, whatever the scan. {@link PortTally.bytes} says how much a tally holds.
 */
export class PortTally {
  /** Port keys (slot × 65536 + port) in first-seen order, until the bitmaps take over. */
  private list: number[] = EMPTY_LIST
  /** The keys of `list` that answered with data (an array: a Set costs ~200 bytes, and most pairs have one port). */
  private answeredList: number[] | undefined
  /** Per transport slot, its bitmap once the list is given up (null: nothing seen on it yet). */
  private seenSlots: Array<Uint8Array | null> | undefined
  private answeredSlots: Array<Uint8Array | null> | undefined
  /** Distinct ports. */
  size = 0
  /** Distinct ports that exchanged data at least once. */
  answered = 0
  /** The first ports seen (numbers), for samples. */
  sample: number[] = EMPTY_LIST

  constructor (private readonly sampleSize = 10) {}

  /** Adds a port (`transport` tcp/udp/sctp); returns true when it is new. */
  add (transport: string, port: number, withData: boolean): boolean {
    const slot = TRANSPORT_SLOT[transport]
    if (slot === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return false
    let isNew: boolean
    let wasAnswered: boolean
    if (this.seenSlots === undefined) {
      const key = slot * 65536 + port
      isNew = !this.list.includes(key)
      wasAnswered = this.answeredList !== undefined && this.answeredList.includes(key)
      if (isNew) this.list = appended(this.list, key)
      if (withData && !wasAnswered) this.answeredList = appended(this.answeredList, key)
      if (this.list.length > LIST_PORTS) this.toBitmaps()
    } else {
      const byte = port >> 3
      const bit = 1 << (port & 7)
      const seen = this.seenSlots[slot] ??= new Uint8Array(SLOT_BYTES)
      const answered = (this.answeredSlots as Array<Uint8Array | null>)[slot]
      isNew = (seen[byte] & bit) === 0
      wasAnswered = answered !== null && (answered[byte] & bit) !== 0
      seen[byte] |= bit
      if (withData && !wasAnswered) mark(this.answeredSlots as Array<Uint8Array | null>, slot, port)
    }
    if (isNew) {
      this.size++
      if (this.sample.length < this.sampleSize) this.sample = appended(this.sample, port)
    }
    if (withData && !wasAnswered) this.answered++
    return isNew
  }

  /** Approximate bytes the tally holds (object, list or bitmaps, samples), for the pairs' memory budget. */
  get bytes (): number {
    let n = 160 + 8 * this.sample.length
    if (this.seenSlots === undefined) return n + 8 * this.list.length + 8 * (this.answeredList?.length ?? 0)
    for (const b of this.seenSlots) if (b !== null) n += SLOT_BYTES
    for (const b of this.answeredSlots ?? []) if (b !== null) n += SLOT_BYTES
    return n
  }

  private toBitmaps (): void {
    const seen: Array<Uint8Array | null> = new Array<Uint8Array | null>(SLOTS).fill(null)
    const answered: Array<Uint8Array | null> = new Array<Uint8Array | null>(SLOTS).fill(null)
    for (const key of this.list) mark(seen, key >>> 16, key & 0xffff)
    for (const key of this.answeredList ?? []) mark(answered, key >>> 16, key & 0xffff)
    this.seenSlots = seen
    this.answeredSlots = answered
    this.list = EMPTY_LIST
    this.answeredList = undefined
  }

  /** Share of the ports that never exchanged data (0 when there are none). */
  get failureShare (): number {
    return this.size === 0 ? 0 : 1 - this.answered / this.size
  }

  /**
   * A tally again from its fields as a checkpoint restores them (`--state`, JetStream): a plain
   * object with the same fields, its Set and bitmaps already revived. Checkpoints written
   * before the bitmaps were split by transport (one 24 KiB `seenBits` and `answeredBits`) are
   * read too. Undefined when the fields are not a tally's, so that a damaged entry starts over
   * instead of failing every event.
   */
  static revive (v: unknown): PortTally | undefined {
    if (v instanceof PortTally) return v
    if (v === null || typeof v !== 'object') return undefined
    const o = v as Record<string, unknown>
    const numbers = (a: unknown): a is number[] => Array.isArray(a) && a.every(n => Number.isInteger(n))
    if (!numbers(o.list) || !numbers(o.sample) || !Number.isInteger(o.size) || !Number.isInteger(o.answered) || !Number.isInteger(o.sampleSize)) return undefined
    // Checkpoints of earlier builds hold the answered keys as a Set.
    const answeredList = o.answeredList instanceof Set ? [...o.answeredList as Set<unknown>] : o.answeredList
    if (answeredList !== undefined && !numbers(answeredList)) return undefined
    let seenSlots = slotsOf(o.seenSlots)
    let answeredSlots = slotsOf(o.answeredSlots)
    if (o.seenBits !== undefined || o.answeredBits !== undefined) {
      // The format before: one bitmap of the three transports each for seen and answered.
      seenSlots = splitBitmap(o.seenBits)
      answeredSlots = splitBitmap(o.answeredBits)
      if (seenSlots === undefined || answeredSlots === undefined) return undefined
    }
    if (seenSlots === null || answeredSlots === null || (seenSlots === undefined) !== (answeredSlots === undefined)) return undefined
    const tally = new PortTally(o.sampleSize as number)
    Object.assign(tally, { list: o.list, answeredList, seenSlots, answeredSlots, size: o.size, answered: o.answered, sample: o.sample.slice() })
    return tally
  }
}

/** Sets a port's bit in its transport's bitmap, made when the transport has none yet. */
function mark (slots: Array<Uint8Array | null>, slot: number, port: number): void {
  (slots[slot] ??= new Uint8Array(SLOT_BYTES))[port >> 3] |= 1 << (port & 7)
}

/** Per-transport bitmaps as a checkpoint gives them back; undefined when absent, null when malformed. */
function slotsOf (v: unknown): Array<Uint8Array | null> | undefined | null {
  if (v === undefined) return undefined
  if (!Array.isArray(v) || v.length !== SLOTS) return null
  return v.every(b => b === null || (b instanceof Uint8Array && b.length === SLOT_BYTES)) ? v as Array<Uint8Array | null> : null
}

/** An old 24 KiB bitmap split by transport, slots without a bit left empty; undefined when malformed. */
function splitBitmap (v: unknown): Array<Uint8Array | null> | undefined {
  if (!(v instanceof Uint8Array) || v.length !== SLOTS * SLOT_BYTES) return undefined
  const slots: Array<Uint8Array | null> = []
  for (let i = 0; i < SLOTS; i++) {
    const part = v.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES)
    slots.push(part.some(b => b !== 0) ? part.slice() : null)
  }
  return slots
}

/** Bytes a pair takes besides its tally: the state object and its key. */
const PAIR_OVERHEAD_BYTES = 400

/** Approximate bytes a pair's state holds, for the `maxBytes` budget (restored plain data included). */
export function pairBytes (s: PairState): number {
  return PAIR_OVERHEAD_BYTES + (s.ports instanceof PortTally ? s.ports.bytes : 50_000)
}

export interface PairState {
  firstSeen: number
  lastSeen: number
  ports: PortTally
  /** Attempts counted, by outcome. */
  attempts: number
  unanswered: number
  rejected: number
  answered: number
  /** Transports seen, for the reason: a bit per {@link PortTally} slot (a Set per pair cost ~200 bytes). */
  transports: number
  /** Set once the pair fired. */
  detection?: string
  process?: Detection['process']
  host?: Detection['host']
  user?: Detection['user']
}

/** The transports of a {@link PairState.transports} bit set, in slot order. */
function transportNames (bits: number): string[] {
  const names: string[] = []
  for (let slot = 0; slot < SLOT_TRANSPORT.length; slot++) if ((bits & (1 << slot)) !== 0) names.push(SLOT_TRANSPORT[slot])
  return names
}

/**
 * A pair again as a checkpoint restores it: JSON keeps the tally's fields, not its class, and
 * checkpoints of earlier builds kept the transports as a Set of names. Undefined when the
 * tally is damaged, so that the pair starts over instead of failing every event.
 */
function revivePair (s: PairState): PairState | undefined {
  const ports = PortTally.revive(s.ports)
  if (ports === undefined) return undefined
  s.ports = ports
  const t: unknown = s.transports
  if (typeof t !== 'number') {
    let bits = 0
    if (t instanceof Set || Array.isArray(t)) for (const name of t) if (typeof name === 'string' && TRANSPORT_SLOT[name] !== undefined) bits |= 1 << TRANSPORT_SLOT[name]
    s.transports = bits
  }
  return s
}

/** The rule: enough distinct ports, and most of them failing. */
export function verticalRuleFires (ports: number, failureShare: number, threshold: number, minFailureShare: number): boolean {
  return ports >= threshold && failureShare >= minFailureShare
}

/**
 * Confidence of a vertical scan: 0.5, plus up to 0.4 for the failure share, plus 0.05 once the
 * ports reach four times the threshold (a top-100 scan or more); at most 0.95.
 */
export function verticalConfidence (ports: number, failureShare: number, threshold: number): number {
  const v = 0.5 + 0.4 * Math.max(0, Math.min(1, failureShare)) + (ports >= 4 * threshold ? 0.05 : 0)
  return Math.round(Math.min(0.95, v) * 100) / 100
}

/** The numbers of a vertical scan's reason sentence. */
export interface VerticalReasonInput {
  source: string
  target: string
  ports: number
  seconds: number
  attempts: number
  unanswered: number
  rejected: number
  answered: number
  /** Transports probed (`tcp`, `udp`): named when not TCP alone. */
  transports?: readonly string[]
}

/**
 * The reason sentence, e.g. "192.168.100.103 probed 1000 ports of 192.168.100.102 in 21 s
 * (2000 attempts: 2000 unanswered)".
 */
export function verticalReason (r: VerticalReasonInput): string {
  const secs = r.seconds < 10 ? r.seconds.toFixed(1) : String(Math.round(r.seconds))
  const kinds = r.transports !== undefined && (r.transports.length > 1 || r.transports[0] !== 'tcp') ? ` ${r.transports.join('/')}` : ''
  const parts: string[] = []
  if (r.unanswered > 0) parts.push(`${r.unanswered} unanswered`)
  if (r.rejected > 0) parts.push(`${r.rejected} rejected`)
  if (r.answered > 0) parts.push(`${r.answered} answered`)
  const what = r.ports === 1 ? `1${kinds} port` : `${r.ports}${kinds} ports`
  return `${r.source} probed ${what} of ${r.target} in ${secs} s (${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${parts.join(', ')})`
}

/** Creates the vertical scan correlator (T1595.002). */
export function verticalScan (options: VerticalScanOptions = {}): Correlator {
  if (options === null || typeof options !== 'object') throw new TypeError('verticalScan options must be an object')
  const d = VERTICAL_SCAN_DEFAULTS
  const positive = (name: keyof VerticalScanOptions, v: unknown, integer: boolean): number => positiveOption(name, v, integer)
  const windowSeconds = positive('windowSeconds', options.windowSeconds ?? d.windowSeconds, false)
  const threshold = positive('threshold', options.threshold ?? d.threshold, true)
  const minFailureShare = shareOption('minFailureShare', options.minFailureShare ?? d.minFailureShare)
  const ephemeralPortMin = options.ephemeralPortMin ?? d.ephemeralPortMin
  if (!(typeof ephemeralPortMin === 'number' && Number.isInteger(ephemeralPortMin) && ephemeralPortMin >= 0 && ephemeralPortMin <= 65535)) throw new TypeError(`ephemeralPortMin must be an integer from 0 to 65535, got ${String(ephemeralPortMin)}`)
  const holdSeconds = positive('holdSeconds', options.holdSeconds ?? windowSeconds, false)
  const maxPairs = positive('maxPairs', options.maxPairs ?? d.maxPairs, true)
  const maxBytes = positive('maxBytes', options.maxBytes ?? d.maxBytes, true)
  // The largest pair (every port of three transports, all answered) must fit, or it could not be kept.
  if (maxBytes < 1024 * 1024) throw new TypeError(`maxBytes must be at least 1 MiB (1048576), got ${maxBytes}`)
  const sampleSize = positive('samplePorts', options.samplePorts ?? d.samplePorts, true)

  let pairs: KeyedState<PairState> | undefined

  function fresh (t: number): PairState {
    return { firstSeen: t, lastSeen: t, ports: new PortTally(sampleSize), attempts: 0, unanswered: 0, rejected: 0, answered: 0, transports: 0 }
  }

  /** Opens or updates the pair's detection; returns the label its attempts get. */
  function report (s: PairState, key: string, src: string, dst: string, ctx: CorrelatorContext): LabelInput {
    const confidence = verticalConfidence(s.ports.size, s.ports.failureShare, threshold)
    const reason = verticalReason({
      source: src,
      target: dst,
      ports: s.ports.size,
      seconds: Math.max(0, s.lastSeen - s.firstSeen),
      attempts: s.attempts,
      unanswered: s.unanswered,
      rejected: s.rejected,
      answered: s.answered,
      transports: transportNames(s.transports)
    })
    const det = ctx.detect({
      key,
      subtechnique: SUBTECHNIQUE,
      sourceIp: src,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      targetCount: 1,
      portCount: s.ports.size,
      eventCount: s.attempts,
      sampleTargets: [dst],
      samplePorts: s.ports.sample,
      confidence,
      reason,
      idleSeconds: windowSeconds,
      ...(s.process !== undefined ? { process: s.process } : {}),
      ...(s.host !== undefined ? { host: s.host } : {}),
      ...(s.user !== undefined ? { user: s.user } : {})
    })
    s.detection = det.id
    return { subtechnique: SUBTECHNIQUE, confidence, reason, detection: det.id }
  }

  return {
    name: 'vertical-scan',
    categories: ['network'],
    onEvent (event: ScantagEvent, ctx: CorrelatorContext): void {
      if (event.category !== 'network' || !isConnectionRecord(event)) return
      const src = event.src?.ip
      const dst = event.dst?.ip
      const dport = event.dst?.port
      const transport = event.transport
      const t = event.flowStart ?? event.time
      if (src === undefined || dst === undefined || dport === undefined || transport === undefined || t === undefined || src === dst) return
      if (TRANSPORT_SLOT[transport] === undefined) return
      const outcome = probeOutcome(event)
      if (outcome === undefined || isServiceDataFlow(event, ephemeralPortMin) || isReplyDirection(event, ephemeralPortMin)) return
      if (ctx.isAllowed(src, { port: dport, subtechnique: SUBTECHNIQUE })) return

      pairs ??= ctx.state<PairState>('pairs', { max: maxPairs, ttlSeconds: windowSeconds, maxSize: maxBytes, sizeOf: pairBytes })
      const key = `${src}|${dst}`
      let s = pairs.get(key)
      if (s !== undefined && !(s.ports instanceof PortTally && typeof s.transports === 'number')) s = revivePair(s)
      if (s !== undefined && s.detection === undefined && t - s.firstSeen > windowSeconds) {
        // The window ended without a scan: start over, and let what was kept go.
        ctx.releaseHeld(key)
        s = undefined
      }
      s ??= fresh(t)
      if (t < s.firstSeen) s.firstSeen = t
      if (t > s.lastSeen) s.lastSeen = t
      const withData = outcome === 'answered' && carriedData(event)
      s.ports.add(transport, dport, withData)
      s.transports |= 1 << TRANSPORT_SLOT[transport]
      s.attempts++
      if (outcome === 'unanswered') s.unanswered++
      else if (outcome === 'rejected') s.rejected++
      else s.answered++
      const attributed = event.scantag
      if (attributed.process !== undefined) s.process = attributed.process
      if (attributed.host !== undefined) s.host = attributed.host
      if (attributed.user !== undefined) s.user = attributed.user
      pairs.set(key, s) // also refreshes the pair's expiry

      if (s.detection !== undefined) {
        ctx.tag(event, report(s, key, src, dst, ctx))
        return
      }
      if (!verticalRuleFires(s.ports.size, s.ports.failureShare, threshold, minFailureShare)) {
        if (!withData) ctx.holdFor(key, event, (event.time ?? t) + holdSeconds)
        return
      }
      const label = report(s, key, src, dst, ctx)
      ctx.addEvidence(src, VERTICAL_SCAN_EVIDENCE_KIND, label.confidence)
      ctx.tag(event, label)
      ctx.tagHeld(key, label)
    }
  }
}
