/**
 * Horizontal sweeps: ATT&CK T1595.001 Scanning IP Blocks.
 *
 * Policy. Per scanning source and port/protocol (`tcp/445`, `udp/161`, `icmp/echo`), a "pair",
 * watch the connection attempts (Zeek `conn`, Suricata EVE `flow`; alerts and
 * application-layer records are not sweep evidence) and remember which destinations the pair
 * has contacted and whether they answered. Two detectors read the same evidence; either fires:
 *
 * 1. Count threshold (ncsa/bro-simple-scan `scan.zeek`): at least `externalThreshold` (25)
 *    destinations first contacted within the last `windowSeconds` (15 min) did not answer,
 *    for a source outside the home network; `internalThreshold` (250) for one inside; and at
 *    least `minFailureShare` of the destinations first contacted in that window did not answer
 *    (a monitoring server, load balancer or NAT gateway reaches most of what it contacts).
 * 2. Threshold Random Walk (Jung, Paxson, Berger, Balakrishnan, "Fast Portscan Detection Using
 *    Sequential Hypothesis Testing", IEEE S&P 2004): on each FIRST contact of a destination the
 *    likelihood ratio is multiplied by θ1/θ0 when it answered and by (1−θ1)/(1−θ0) when it did
 *    not; at η1 = PD/PF the pair is a scanner, at η0 = (1−PD)/(1−PF) it is benign. With the
 *    paper's θ0 0.8, θ1 0.2, PD 0.99, PF 0.01 a failure multiplies by 4 and an answer by 1/4:
 *    4 failed first contacts in a row (4^4 = 256 ≥ 99) decide "scanner", 4 answers in a row
 *    (1/256 ≤ 0.0101) "benign", after which the walk restarts at 1 and keeps watching
 *    (`trwOnBenign: 'reset'`) or the pair is never judged by TRW again (`'stop'`).
 *    A destination is first contacted once for as long as the pair is remembered (it is
 *    forgotten `windowSeconds` after its last attempt, as bro-simple-scan forgets a scanner),
 *    so re-contacting known destinations never moves the walk, however slowly it happens.
 *
 * What counts as a failed attempt (outcome vocabulary: `lib/parse/outcome.ts`): `unanswered`
 * (Zeek S0, SH, RSTOS0; EVE SYN without reply; UDP/ICMP without reply) and `rejected` (REJ, SYN
 * answered by RST); Zeek `partial` RSTRH, and OTH without any reply (nmap's ACK ping `-PA` of an
 * empty address); bro-simple-scan's histories `S`, `SW`, `Sr`, `SWr` whatever the state; never a
 * connection that carried payload. Answered: `established` and `reset` (a half-open SYN-scan
 * probe of an open port is answered). `other` and the remaining `partial` records are neither.
 * ICMP counts request types only (echo 8, information 15, timestamp 13, address mask 17;
 * ICMPv6 echo 128), each type its own sweep.
 *
 * Retroactive labels: until a pair fires, its probes that may belong to a sweep (failed ones,
 * and answered first contacts while the walk leans towards "scanner") are held under
 * `${src}|${service}` for `holdSeconds`; when the detection fires they are labelled together,
 * and from then on every probe of the pair is labelled as it passes. A pair TRW finds benign
 * has its held probes released at once. One detection per pair, updated as it grows; its
 * reason ends with "detected after N probes", N the destinations first contacted when it fired
 * ({@link probesToDetection}).
 *
 * State: one {@link SweepState} per pair, in `ctx.state('pairs')` while it has one destination
 * and in `ctx.state('suspects')` from two (each at most `maxPairs`, expiring `windowSeconds`
 * after the pair's last attempt; suspects together at most `maxBytes`); each remembers at most
 * `maxTargetsPerPair` destinations (the least recently contacted go first) and the first
 * contacts of the window.
 */
import ipaddr from 'ipaddr.js'
import type { Detection, NetworkEvent, ScantagEvent } from '../model.js'
import { parseTcpFlags } from '../parse/outcome.js'
import type { Correlator, CorrelatorContext, KeyedState, LabelInput } from './api.js'
import { positiveOption, shareOption } from './options.js'
import { appended, EMPTY_LIST } from './small-lists.js'
import { isConnectionRecord } from './vertical-scan.js'

/** Tunables of the horizontal sweep policy. */
export interface HorizontalSweepOptions {
  /**
   * Window of the count detector, seconds of event time: destinations first contacted longer
   * ago no longer count; a pair idle this long is forgotten with its first-contact set. Default
   * 900: bro-simple-scan `scan_timeout = 15min` ("failed connection attempts are tracked until
   * not seen for this interval").
   */
  windowSeconds?: number
  /** Distinct failed destinations in the window for a source outside `homeNet`. Default 25: bro-simple-scan `scan_threshold`. */
  externalThreshold?: number
  /** The same for a source inside `homeNet`. Default 250: bro-simple-scan `local_scan_threshold`. */
  internalThreshold?: number
  /**
   * Least share of the window's destinations that never answered, for the count detector.
   * Default 0.5: a sweep of a block mostly meets empty addresses and closed ports (the lab
   * sweeps: 80-98% of the destinations never answered), while a monitoring server, load
   * balancer or NAT gateway reaches most of what it contacts; half is the point where failures
   * outweigh successes, the count analogue of TRW's walk crossing 1.
   */
  minFailureShare?: number
  /** TRW θ0, P[first contact answered | benign]. Default 0.8 (Jung et al. 2004). */
  trwTheta0?: number
  /** TRW θ1, P[first contact answered | scanner]. Default 0.2 (Jung et al. 2004). */
  trwTheta1?: number
  /** TRW PD, desired detection probability. Default 0.99 (Jung et al. 2004). */
  trwDetectionProbability?: number
  /** TRW PF, tolerated false-positive probability. Default 0.01 (Jung et al. 2004). */
  trwFalsePositiveProbability?: number
  /**
   * What happens when TRW decides "benign": `reset` (default) restarts the walk at 1 and keeps
   * watching, so a pair that turns to sweeping after a benign start is still caught (the
   * destinations it already reached stay known, so they cannot be replayed); `stop` makes the
   * decision final, as a single sequential test would (the count detector still runs).
   */
  trwOnBenign?: 'reset' | 'stop'
  /**
   * How long an attempt waits for its pair's detection, seconds of event time. Default: the
   * window (an attempt can contribute to a detection for that long); the engine caps it at its
   * `maxHoldSeconds`.
   */
  holdSeconds?: number
  /**
   * Most (source, port/protocol) pairs followed at once; the least recently active go first.
   * Default 10,000. Memory is about 40 bytes per remembered destination, so at most about
   * `maxPairs` × `maxTargetsPerPair` × 40 B (200 MB with the defaults, when every pair is full).
   */
  maxPairs?: number
  /**
   * Most recent destinations remembered per pair. Default: the larger of 512 and
   * `internalThreshold / minFailureShare`, so that the count rule can be decided at the internal
   * threshold with the least failure share (250 / 0.5 = 500).
   */
  maxTargetsPerPair?: number
  /**
   * Approximate memory the pairs with two or more destinations may take together, bytes; the
   * least recently active go first past it. Default 32 MiB: about 1,100 pairs at the full 512
   * destinations, or 10,000 (`maxPairs`) at 50, while `maxPairs` × `maxTargetsPerPair` alone
   * would allow ~300 MB (measured: 10,000 sources sweeping 520 addresses each ran the `scantag`
   * command out of heap). A pair costs ~0.6 KiB plus ~56 bytes per remembered destination
   * ({@link sweepStateBytes}).
   */
  maxBytes?: number
  /** Targets shown in a detection. Default 10 (the engine keeps 10). */
  sampleTargets?: number
}

/** The defaults, with their sources in {@link HorizontalSweepOptions}. */
export const HORIZONTAL_SWEEP_DEFAULTS = Object.freeze({
  windowSeconds: 900,
  externalThreshold: 25,
  internalThreshold: 250,
  minFailureShare: 0.5,
  trwTheta0: 0.8,
  trwTheta1: 0.2,
  trwDetectionProbability: 0.99,
  trwFalsePositiveProbability: 0.01,
  trwOnBenign: 'reset' as 'reset' | 'stop',
  maxPairs: 10_000,
  maxBytes: 32 * 1024 * 1024,
  sampleTargets: 10
})

const SUBTECHNIQUE = 'T1595.001' as const
/** Evidence kind this correlator reports to others through `ctx.addEvidence`. */
export const SWEEP_EVIDENCE_KIND = 'horizontal-sweep'
const SWEEP_EVIDENCE_WEIGHT = 0.3

/**
 * ICMP request types a sweep sends, by transport and type (RFC 792 echo 8, timestamp 13,
 * information 15; RFC 950 address mask 17; RFC 4443 ICMPv6 echo 128). Replies, errors and
 * everything else are not probes.
 */
const ICMP_REQUESTS: ReadonlyMap<string, ReadonlyMap<number, string>> = new Map([
  ['icmp', new Map([[8, 'echo'], [13, 'timestamp'], [15, 'info'], [17, 'mask']])],
  ['icmp6', new Map([[128, 'echo']])]
])

/** Zeek histories bro-simple-scan counts as scan attempts (`connection_attempt`, `connection_rejected`). */
const FAILED_HISTORIES: ReadonlySet<string> = new Set(['S', 'SW', 'Sr', 'SWr'])

/** The swept service of an attempt: `tcp/445`, `udp/161`, `icmp/echo`. */
export interface SweepService {
  /** `transport/port`, or `icmp/<request>` for ICMP. */
  service: string
  /** Destination port (absent for ICMP). */
  port?: number
}

/** Whether an event is connection evidence: a Zeek `conn` record or a Suricata EVE `flow` record. */
export const isAttemptRecord = isConnectionRecord

/** The service an attempt probes, or undefined when it is not a sweep probe (ICMP replies, no port). */
export function sweepService (ev: NetworkEvent): SweepService | undefined {
  const transport = ev.transport
  if (transport === undefined) return undefined
  const icmp = ICMP_REQUESTS.get(transport)
  if (icmp !== undefined) {
    const type = ev.src?.port
    const name = type === undefined ? undefined : icmp.get(type)
    return name === undefined ? undefined : { service: `${transport}/${name}` }
  }
  const port = ev.dst?.port
  if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return undefined
  return { service: `${transport}/${port}`, port }
}

/**
 * Whether an attempt failed (`failed`), was answered (`answered`), or says neither (undefined).
 * See the module comment for the mapping. A record whose connection carried payload is never a
 * failed attempt, whatever its state: on captures that miss packets Zeek writes `SH`, `RSTOS0`
 * or `S0` for connections that exchanged kilobytes (Stratosphere 010: dozens of such records from
 * one ordinary HTTPS client), and a probe carries no payload.
 */
export function attemptResult (ev: NetworkEvent): 'failed' | 'answered' | undefined {
  switch (ev.outcome) {
    case 'unanswered':
    case 'rejected':
      return payloadSeen(ev) ? undefined : 'failed'
    case 'established':
    case 'reset':
      return 'answered'
    case 'partial':
      // RSTRH: a SYN-ACK and RST came back to an unseen SYN. OTH: midstream traffic; without any
      // reply and without payload it is an ACK probe (nmap -PA) that met nobody.
      if (ev.sensor !== 'zeek' || payloadSeen(ev)) return undefined
      if (ev.state === 'RSTRH' || (ev.state === 'OTH' && (ev.counters?.respPackets ?? 0) === 0)) return 'failed'
      return undefined
    default:
      if (ev.sensor === 'zeek' && ev.history !== undefined && FAILED_HISTORIES.has(ev.history)) return 'failed'
      return undefined
  }
}

/**
 * Whether the connection carried payload (application bytes). TCP: either side (Zeek byte
 * counters or `D`/`d` in the history; Suricata, whose byte counters include headers: PSH in
 * the TCP flags). UDP and ICMP requests carry payload by nature, so there only the responder's
 * counts. False when unknown.
 */
export function payloadSeen (ev: NetworkEvent): boolean {
  const c = ev.counters
  const tcp = ev.transport === 'tcp'
  if (ev.sensor === 'suricata') {
    if (!tcp) return (c?.respBytes ?? 0) > 0 && (c?.respPackets ?? 0) > 0
    const flags = parseTcpFlags(ev.history)
    return flags !== undefined && (flags & PSH) !== 0
  }
  if ((c?.respBytes ?? 0) > 0) return true
  if (tcp && (c?.origBytes ?? 0) > 0) return true
  const h = ev.history
  if (h === undefined || h.length > 64) return false
  return h.includes('d') || (tcp && h.includes('D'))
}
const PSH = 0x08

/** TRW parameters (Jung et al. 2004). */
export interface TrwParameters {
  theta0: number
  theta1: number
  detectionProbability: number
  falsePositiveProbability: number
}

/** The log-domain steps and thresholds of a TRW. */
export interface TrwModel {
  /** ln(θ1/θ0), added on an answered first contact. */
  answered: number
  /** ln((1−θ1)/(1−θ0)), added on a failed first contact. */
  failed: number
  /** ln η1 = ln(PD/PF): at or above, scanner. */
  upper: number
  /** ln η0 = ln((1−PD)/(1−PF)): at or below, benign. */
  lower: number
}

/** Builds the TRW model; throws a TypeError naming the offending parameter. */
export function trwModel (p: TrwParameters): TrwModel {
  const unit = (name: string, v: number): void => {
    if (!(typeof v === 'number' && v > 0 && v < 1)) throw new TypeError(`${name} must be a number strictly between 0 and 1, got ${String(v)}`)
  }
  unit('trwTheta0', p.theta0)
  unit('trwTheta1', p.theta1)
  unit('trwDetectionProbability', p.detectionProbability)
  unit('trwFalsePositiveProbability', p.falsePositiveProbability)
  if (!(p.theta1 < p.theta0)) throw new TypeError(`trwTheta1 (${p.theta1}) must be below trwTheta0 (${p.theta0}): scanners reach fewer hosts than benign sources`)
  if (!(p.falsePositiveProbability < p.detectionProbability)) throw new TypeError(`trwFalsePositiveProbability (${p.falsePositiveProbability}) must be below trwDetectionProbability (${p.detectionProbability})`)
  return {
    answered: Math.log(p.theta1 / p.theta0),
    failed: Math.log((1 - p.theta1) / (1 - p.theta0)),
    upper: Math.log(p.detectionProbability / p.falsePositiveProbability),
    lower: Math.log((1 - p.detectionProbability) / (1 - p.falsePositiveProbability))
  }
}

/** One TRW step on a first contact: the new log likelihood ratio and the decision, if any. */
export function trwStep (model: TrwModel, logRatio: number, failed: boolean): { logRatio: number, decision: 'scanner' | 'benign' | undefined } {
  const next = logRatio + (failed ? model.failed : model.answered)
  // A hair of tolerance so that 4 failures reach ln 99 exactly as in real arithmetic.
  const eps = 1e-9
  return { logRatio: next, decision: next >= model.upper - eps ? 'scanner' : next <= model.lower + eps ? 'benign' : undefined }
}

/** The count detector's rule: enough failed destinations, and most of the window failing. */
export function countRuleFires (failedTargets: number, windowTargets: number, threshold: number, minFailureShare: number): boolean {
  return failedTargets >= threshold && windowTargets > 0 && failedTargets / windowTargets >= minFailureShare
}

/**
 * The smallest CIDR block containing two addresses of one family (given as byte arrays, as
 * `ipaddr.js` `toByteArray()` returns them), e.g. 10.1.2.3 and 10.1.2.254 → `10.1.2.0/24`.
 */
export function coveringCidr (lo: readonly number[], hi: readonly number[]): string {
  let bits = 0
  for (let i = 0; i < lo.length; i++) {
    const x = lo[i] ^ hi[i]
    if (x === 0) { bits += 8; continue }
    bits += Math.clz32(x) - 24
    break
  }
  const bytes = lo.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8))
    return keep === 0 ? 0 : b & (0xff << (8 - keep)) & 0xff
  })
  return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`
}

/** An unsigned 32-bit IPv4 value as bytes; bytes as they are. */
function asBytes (v: number | number[]): number[] {
  return typeof v === 'number' ? [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff] : v
}

function compareBytes (a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return 0
}

/** What the confidence of a sweep detection depends on. */
export interface SweepConfidenceInput {
  /** Distinct destinations probed. */
  targets: number
  /** The count threshold that applies to the source. */
  threshold: number
  /** Share of the destinations that never answered (0-1). */
  failureShare: number
  /** Whether TRW decided "scanner". */
  trwScanner: boolean
  /** Evidence other correlators reported about the source (0-1). */
  evidenceScore: number
}

/**
 * Confidence of a sweep: 0.35, plus up to 0.25 as the targets approach the count threshold, up
 * to 0.2 for the failure share, 0.1 when TRW decided "scanner", up to 0.1 for other
 * correlators' evidence; at most 0.99.
 */
export function sweepConfidence (c: SweepConfidenceInput): number {
  const v = 0.35 +
    0.25 * Math.min(1, c.targets / Math.max(1, c.threshold)) +
    0.2 * Math.max(0, Math.min(1, c.failureShare)) +
    (c.trwScanner ? 0.1 : 0) +
    0.1 * Math.max(0, Math.min(1, c.evidenceScore))
  return Math.round(Math.min(0.99, v) * 100) / 100
}

/** How the detection fired. */
export type SweepTrigger = 'trw' | 'count'

/**
 * Where the targets lie, for the reason sentence: "of 10.1.2.0/24" (the smallest block holding
 * them all) when that block is at least a /16 (IPv4) or /32 (IPv6), otherwise the span
 * "from 10.0.2.3 to 192.168.1.254" (a block as wide as /0 would say nothing).
 */
export function describeTargets (lo: readonly number[], hi: readonly number[]): string {
  const cidr = coveringCidr(lo, hi)
  const bits = Number(cidr.slice(cidr.lastIndexOf('/') + 1))
  if (bits >= (lo.length === 4 ? 16 : 32)) return `of ${cidr}`
  return `from ${ipaddr.fromByteArray([...lo]).toString()} to ${ipaddr.fromByteArray([...hi]).toString()}`
}

/** The numbers of a sweep's reason sentence. */
export interface SweepReasonInput {
  source: string
  service: string
  targets: number
  /** Lowest and highest target address (bytes), when known. */
  lo?: readonly number[]
  hi?: readonly number[]
  seconds: number
  failureShare: number
  probesAtDetection: number
  trigger: SweepTrigger
  threshold: number
  windowSeconds: number
}

/**
 * The reason sentence, e.g. "203.0.113.77 probed 256 addresses of 10.1.2.0/24 on tcp/22 in
 * 50 s, 98% unanswered or rejected; detected after 4 probes (threshold random walk)".
 */
export function sweepReason (r: SweepReasonInput): string {
  const what = r.targets === 1 ? '1 address' : `${r.targets} addresses`
  const where = r.lo !== undefined && r.hi !== undefined && r.lo.length === r.hi.length ? ' ' + describeTargets(r.lo, r.hi) : ''
  const secs = r.seconds < 10 ? r.seconds.toFixed(1) : String(Math.round(r.seconds))
  const how = r.trigger === 'trw'
    ? 'threshold random walk'
    : `${r.threshold} unanswered addresses within ${formatWindow(r.windowSeconds)}`
  return `${r.source} probed ${what}${where} on ${r.service} in ${secs} s, ${Math.round(100 * r.failureShare)}% unanswered or rejected; detected after ${r.probesAtDetection} probes (${how})`
}

function formatWindow (s: number): string {
  return s % 60 === 0 ? `${s / 60} min` : `${s} s`
}

const PROBES_RE = /detected after (\d{1,9}) probes/

/**
 * The number of probes (first contacts of distinct destinations) at which a horizontal-sweep
 * detection fired, read back from its reason (a label's or a detection's); undefined when the
 * reason is not one of this correlator's.
 */
export function probesToDetection (reason: string): number | undefined {
  const m = PROBES_RE.exec(reason.slice(0, 1000))
  return m === null ? undefined : Number(m[1])
}

/** What is remembered per (source, port/protocol) pair. */
export interface SweepState {
  firstSeen: number
  lastSeen: number
  /** Probes seen: failed attempts, first contacts, and answered attempts without payload. */
  events: number
  /** Distinct destinations contacted (one forgotten under the cap and seen again counts twice). */
  targets: number
  /** ... of which answered at least once. */
  answeredTargets: number
  /**
   * The destinations contacted (TRW's first-contact set), least recently contacted first,
   * each with whether it ever answered. At most `maxTargetsPerPair`. Made at the pair's second
   * destination: until then the one destination is {@link SweepState.sole}.
   */
  contacted?: Map<DestinationKey, boolean>
  /** The pair's one destination while it has only one (most pairs), and whether it answered. */
  sole?: DestinationKey
  soleAnswered?: boolean
  /**
   * The window's first contacts, oldest first from `windowStart`: time + 1, negated when the
   * destination answered ({@link packFirstContact}). Read by the count detector.
   */
  window: number[]
  windowStart: number
  /** First contacts in the window that failed. */
  windowFailed: number
  /** TRW log likelihood ratio (0: the walk's start, ratio 1). */
  logRatio: number
  /** TRW no longer runs for this pair (decided "scanner", or "benign" with `trwOnBenign: 'stop'`). */
  walkDone: boolean
  trwScanner: boolean
  /** Set when the detection fired. */
  trigger?: SweepTrigger
  probesAtDetection?: number
  detection?: string
  /** Confidence of the last report, for the labels of companion alerts. */
  confidence?: number
  /** Probes held for a retroactive label since the pair started or last fired. */
  held: number
  /**
   * Lowest and highest destination, for the covering block: IPv4 as unsigned 32-bit values,
   * otherwise bytes (family of the first destination).
   */
  lo?: number | number[]
  hi?: number | number[]
  samples: string[]
  /** Process, host and user of the latest attributed probe (the engine delivers probes after attribution). */
  process?: Detection['process']
  host?: Detection['host']
  user?: Detection['user']
}

/**
 * Approximate bytes a pair's state holds, for the `maxBytes` budget: the object, its samples
 * and covering block (~600 bytes), ~48 bytes per remembered destination (a `Map` entry, whose
 * table grows in powers of two: 37-58 bytes measured from 64 to 1,000 entries) and 8 per
 * first contact in the window. Restored plain data counts the same.
 */
export function sweepStateBytes (s: SweepState): number {
  const contacted = s.contacted instanceof Map ? s.contacted.size : s.sole !== undefined ? 1 : 0
  return sweepBytes(contacted, Array.isArray(s.window) ? s.window.length : 0)
}

/** The {@link sweepStateBytes} estimate for a pair remembering `destinations`, with `firstContacts` in its window. */
function sweepBytes (destinations: number, firstContacts: number): number {
  return 600 + 48 * destinations + 8 * firstContacts
}

/** A destination as remembered: an IPv4 address as a 32-bit integer, anything else as written. */
export type DestinationKey = number | string

/**
 * The compact key of a destination: a dotted-quad IPv4 address becomes its 32-bit value (a
 * small integer V8 stores inline, instead of a string per remembered destination), anything
 * else (IPv6) stays a string.
 */
export function destinationKey (ip: string): DestinationKey {
  if (ip.length > 15) return ip
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i)
    if (c === 46) { // '.'
      if (digits === 0 || ++dots > 3) return ip
      value = value * 256 + octet
      octet = 0
      digits = 0
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48)
      digits++
      if (octet > 255) return ip
    } else {
      return ip
    }
  }
  if (dots !== 3 || digits === 0) return ip
  return (value * 256 + octet) | 0
}

/**
 * Repeat probes (retransmissions, second passes) held per destination before the pair fires.
 * 4: the lab's masscan + nmap -sS passes over one /24 sent 2.8 probes per destination and port;
 * a flood at one address (IoT-23 34-1: 14,252 records to one web server) is not a sweep and
 * must not fill the engine's hold buffer.
 */
const HELD_PROBES_PER_TARGET = 4

/** A first contact in the window: time offset by 1 (so that 0 keeps a sign), negated when answered. */
function packFirstContact (time: number, answered: boolean): number {
  const v = Math.max(0, time) + 1
  return answered ? -v : v
}
const firstContactTime = (packed: number): number => Math.abs(packed) - 1
const firstContactFailed = (packed: number): boolean => packed > 0

/** Creates the horizontal sweep correlator (T1595.001). */
export function horizontalSweep (options: HorizontalSweepOptions = {}): Correlator {
  if (options === null || typeof options !== 'object') throw new TypeError('horizontalSweep options must be an object')
  const d = HORIZONTAL_SWEEP_DEFAULTS
  const positive = (name: keyof HorizontalSweepOptions, v: unknown, integer: boolean): number => positiveOption(name, v, integer)
  const windowSeconds = positive('windowSeconds', options.windowSeconds ?? d.windowSeconds, false)
  const externalThreshold = positive('externalThreshold', options.externalThreshold ?? d.externalThreshold, true)
  const internalThreshold = positive('internalThreshold', options.internalThreshold ?? d.internalThreshold, true)
  const minFailureShare = shareOption('minFailureShare', options.minFailureShare ?? d.minFailureShare)
  const model = trwModel({
    theta0: options.trwTheta0 ?? d.trwTheta0,
    theta1: options.trwTheta1 ?? d.trwTheta1,
    detectionProbability: options.trwDetectionProbability ?? d.trwDetectionProbability,
    falsePositiveProbability: options.trwFalsePositiveProbability ?? d.trwFalsePositiveProbability
  })
  const onBenign = options.trwOnBenign ?? d.trwOnBenign
  if (onBenign !== 'reset' && onBenign !== 'stop') throw new TypeError(`trwOnBenign must be 'reset' or 'stop', got ${String(onBenign)}`)
  const holdSeconds = positive('holdSeconds', options.holdSeconds ?? windowSeconds, false)
  const maxPairs = positive('maxPairs', options.maxPairs ?? d.maxPairs, true)
  const maxBytes = positive('maxBytes', options.maxBytes ?? d.maxBytes, true)
  const largest = Math.max(externalThreshold, internalThreshold)
  const maxTargets = positive('maxTargetsPerPair', options.maxTargetsPerPair ?? Math.max(512, Math.min(Math.ceil(largest / Math.max(minFailureShare, 1e-3)), 65_536)), true)
  if (maxTargets < largest) throw new TypeError(`maxTargetsPerPair (${maxTargets}) must be at least the larger count threshold (${largest}), or the count detector can never fire`)
  // Room for 16 full pairs at least, or a budget would evict the very sweeps it tracks.
  const fullPair = sweepBytes(maxTargets, 2 * maxTargets)
  if (maxBytes < 16 * fullPair) throw new TypeError(`maxBytes (${maxBytes}) must be at least 16 pairs of maxTargetsPerPair (${maxTargets}) destinations, ${16 * fullPair} bytes`)
  const sampleSize = positive('sampleTargets', options.sampleTargets ?? d.sampleTargets, true)

  /**
   * Two tiers, as in a segmented LRU: pairs seen once live in `newcomers`; a pair with two or
   * more targets moves to `suspects`, which a flood of spoofed one-shot sources cannot evict
   * (each spoofed source only ever churns `newcomers`).
   */
  let newcomers: KeyedState<SweepState> | undefined
  let suspects: KeyedState<SweepState> | undefined
  // An empty tier is not asked (a store lookup costs more than the size check).
  const getPair = (key: string): SweepState | undefined =>
    (suspects !== undefined && suspects.size > 0 ? suspects.get(key) : undefined) ?? newcomers?.get(key)
  function setPair (key: string, s: SweepState): void {
    if (s.targets >= 2 && suspects !== undefined) {
      suspects.set(key, s)
      newcomers?.delete(key)
    } else {
      newcomers?.set(key, s)
    }
  }

  /** Drops the window's first contacts older than the window, and the oldest beyond the cap. */
  function slide (s: SweepState, now: number): void {
    const w = s.window
    while (s.windowStart < w.length && (w.length - s.windowStart > maxTargets || firstContactTime(w[s.windowStart]) < now - windowSeconds)) {
      if (firstContactFailed(w[s.windowStart])) s.windowFailed--
      s.windowStart++
    }
    if (s.windowStart > 64 && s.windowStart * 2 > w.length) {
      s.window = w.slice(s.windowStart)
      s.windowStart = 0
    }
  }

  /** Whether a destination was contacted before, and answered: undefined when it is new. */
  function contact (s: SweepState, k: DestinationKey, answered: boolean): boolean | undefined {
    const contacted = s.contacted
    if (contacted === undefined) {
      // Most pairs never see a second destination: no Map for them (~180 bytes each).
      if (s.sole === undefined) {
        s.sole = k
        s.soleAnswered = answered
        return undefined
      }
      if (s.sole === k) {
        const prev = s.soleAnswered === true
        s.soleAnswered = prev || answered
        return prev
      }
      const m = new Map<DestinationKey, boolean>()
      m.set(s.sole, s.soleAnswered === true)
      m.set(k, answered)
      s.contacted = m
      s.sole = s.soleAnswered = undefined
      return undefined
    }
    const prev = contacted.get(k)
    if (prev !== undefined) contacted.delete(k) // re-insert: the map stays in contact order
    contacted.set(k, prev === true || answered)
    if (contacted.size > maxTargets) {
      const oldest = contacted.keys().next()
      if (oldest.done !== true) contacted.delete(oldest.value)
    }
    return prev
  }

  /** Records one attempt; true when it is the destination's first contact. */
  function record (s: SweepState, dst: string, t: number, answered: boolean): boolean {
    const k = destinationKey(dst)
    const prev = contact(s, k, answered)
    const first = prev === undefined
    if (answered && prev !== true) s.answeredTargets++
    if (first) {
      s.targets++
      s.window = appended(s.window, packFirstContact(t, answered))
      if (!answered) s.windowFailed++
      if (s.samples.length < sampleSize) s.samples = appended(s.samples, dst)
      widen(s, k, dst)
    }
    return first
  }

  /** Takes the process, host and user flow-attribution attached to this probe, if any. */
  function adoptAttribution (s: SweepState, ev: NetworkEvent): void {
    if (ev.scantag.process === undefined) return
    s.process = ev.scantag.process
    if (ev.scantag.host !== undefined) s.host = ev.scantag.host
    if (ev.scantag.user !== undefined) s.user = ev.scantag.user
  }

  function widen (s: SweepState, k: DestinationKey, dst: string): void {
    if (typeof k === 'number') {
      const v = k >>> 0
      if (s.lo === undefined || s.hi === undefined) { s.lo = v; s.hi = v; return }
      if (typeof s.lo !== 'number' || typeof s.hi !== 'number') return
      if (v < s.lo) s.lo = v
      else if (v > s.hi) s.hi = v
      return
    }
    if (!ipaddr.isValid(dst)) return
    const bytes = ipaddr.parse(dst).toByteArray()
    if (s.lo === undefined || s.hi === undefined) { s.lo = bytes; s.hi = bytes.slice(); return }
    if (typeof s.lo === 'number' || typeof s.hi === 'number' || bytes.length !== s.lo.length) return
    if (compareBytes(bytes, s.lo) < 0) s.lo = bytes
    else if (compareBytes(bytes, s.hi) > 0) s.hi = bytes
  }

  function reasonOf (s: SweepState, src: string, service: string, threshold: number): string {
    return sweepReason({
      source: src,
      service,
      targets: s.targets,
      ...(s.lo !== undefined && s.hi !== undefined ? { lo: asBytes(s.lo), hi: asBytes(s.hi) } : {}),
      seconds: Math.max(0, s.lastSeen - s.firstSeen),
      failureShare: s.targets === 0 ? 0 : 1 - s.answeredTargets / s.targets,
      probesAtDetection: s.probesAtDetection ?? s.targets,
      trigger: s.trigger ?? 'count',
      threshold,
      windowSeconds
    })
  }

  /** Opens or updates the pair's detection; returns the label its probes get. */
  function report (s: SweepState, key: string, src: string, svc: SweepService, threshold: number, ctx: CorrelatorContext): LabelInput {
    const reason = reasonOf(s, src, svc.service, threshold)
    const evidence = ctx.evidence(src)
    const others = Math.max(0, evidence.score - (evidence.kinds[SWEEP_EVIDENCE_KIND] ?? 0))
    const confidence = sweepConfidence({
      targets: s.targets,
      threshold,
      failureShare: s.targets === 0 ? 0 : 1 - s.answeredTargets / s.targets,
      trwScanner: s.trwScanner,
      evidenceScore: others
    })
    const det = ctx.detect({
      key,
      subtechnique: SUBTECHNIQUE,
      sourceIp: src,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      targetCount: s.targets,
      portCount: 1,
      eventCount: s.events,
      sampleTargets: s.samples,
      ...(svc.port !== undefined ? { samplePorts: [svc.port] } : {}),
      confidence,
      reason,
      idleSeconds: windowSeconds,
      ...(s.process !== undefined ? { process: s.process } : {}),
      ...(s.host !== undefined ? { host: s.host } : {}),
      ...(s.user !== undefined ? { user: s.user } : {})
    })
    s.detection = det.id
    s.confidence = confidence
    return { subtechnique: SUBTECHNIQUE, confidence, reason, detection: det.id }
  }

  return {
    name: 'horizontal-sweep',
    categories: ['network'],
    onEvent (event: ScantagEvent, ctx: CorrelatorContext): void {
      if (event.category !== 'network') return
      if (!isAttemptRecord(event)) {
        // IDS alerts and anomalies about the probes of a sweep already reported carry its
        // label too. Earlier ones are not held back for it: alerts must not wait.
        const src = event.src?.ip
        const svc = (event.kind === 'alert' || event.kind === 'anomaly') && src !== undefined ? sweepService(event) : undefined
        const s = svc !== undefined ? getPair(`${src as string}|${svc.service}`) : undefined
        if (s?.trigger !== undefined && s.detection !== undefined && svc !== undefined && src !== undefined) {
          const threshold = ctx.isHome(src) ? internalThreshold : externalThreshold
          ctx.tag(event, { subtechnique: SUBTECHNIQUE, confidence: s.confidence ?? 0.5, reason: reasonOf(s, src, svc.service, threshold), detection: s.detection })
        }
        return
      }
      const src = event.src?.ip
      const dst = event.dst?.ip
      const t = event.flowStart ?? event.time
      if (src === undefined || dst === undefined || t === undefined || src === dst) return
      const svc = sweepService(event)
      if (svc === undefined) return
      const result = attemptResult(event)
      if (result === undefined) return
      if (ctx.isAllowed(src, { port: svc.port, subtechnique: SUBTECHNIQUE })) return

      newcomers ??= ctx.state<SweepState>('pairs', { max: maxPairs, ttlSeconds: windowSeconds })
      suspects ??= ctx.state<SweepState>('suspects', { max: maxPairs, ttlSeconds: windowSeconds, maxSize: maxBytes, sizeOf: sweepStateBytes })
      const key = `${src}|${svc.service}`
      let s = getPair(key)
      if (s === undefined) {
        s = {
          firstSeen: t, lastSeen: t, events: 0, targets: 0, answeredTargets: 0,
          window: EMPTY_LIST, windowStart: 0, windowFailed: 0, logRatio: 0, walkDone: false, trwScanner: false, held: 0, samples: EMPTY_LIST
        }
      }
      if (t < s.firstSeen) s.firstSeen = t
      if (t > s.lastSeen) s.lastSeen = t
      slide(s, t)
      const failed = result === 'failed'
      const first = record(s, dst, t, !failed)
      const leaning = s.logRatio > 0
      if (first && !s.walkDone) {
        const step = trwStep(model, s.logRatio, failed)
        s.logRatio = step.logRatio
        if (step.decision === 'scanner') {
          s.trwScanner = true
          s.walkDone = true
        } else if (step.decision === 'benign') {
          s.logRatio = 0
          if (onBenign === 'stop') s.walkDone = true
          // Benign so far: what was kept for a retroactive label can go.
          if (s.trigger === undefined && s.held > 0) { ctx.releaseHeld(key); s.held = 0 }
        }
      }
      setPair(key, s) // also refreshes the pair's expiry
      // Repeat connections that carry data are use of a service found, not probes of the block.
      if (!failed && !first && payloadSeen(event)) return
      s.events++
      adoptAttribution(s, event)

      const threshold = ctx.isHome(src) ? internalThreshold : externalThreshold
      if (s.trigger !== undefined) {
        ctx.tag(event, report(s, key, src, svc, threshold, ctx))
        return
      }
      const windowTotal = s.window.length - s.windowStart
      if (!s.trwScanner && !countRuleFires(s.windowFailed, windowTotal, threshold, minFailureShare)) {
        // Not (yet) a sweep: keep the probe for a retroactive label if it may belong to one.
        const mayBelong = (failed || (first && leaning)) && (first || s.held < HELD_PROBES_PER_TARGET * s.targets)
        if (mayBelong) {
          ctx.holdFor(key, event, (event.time ?? t) + holdSeconds)
          s.held++
        }
        return
      }
      s.trigger = s.trwScanner ? 'trw' : 'count'
      s.probesAtDetection = s.targets
      ctx.addEvidence(src, SWEEP_EVIDENCE_KIND, SWEEP_EVIDENCE_WEIGHT)
      const label = report(s, key, src, svc, threshold, ctx)
      ctx.tag(event, label)
      ctx.tagHeld(key, label)
    }
  }
}
