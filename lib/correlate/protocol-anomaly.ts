/**
 * Protocol anomalies: packets that break the protocol, as evidence of scanning (ATT&CK DS0029
 * Network Traffic Content: "extraneous packets that belong to no established flow ...
 * anomalous syntax or structure").
 *
 * Policy:
 * 1. Each anomaly a sensor reports is weighed with `knowledge/anomaly-signatures.ts`: Suricata
 *    EVE `anomaly` records (stream, decode, applayer) and `SURICATA ...` decoder/stream/app-layer
 *    alerts, Zeek weird.log records, and Zeek TCP conn records whose history shows packets that
 *    opened no connection (a FIN, a bare ACK, SYN+FIN, a SYN/ACK without SYN).
 * 2. Per sender, the weights of its anomalies combine as independent evidence
 *    (1 − ∏(1 − w)), each kind counted at most `maxRepeats` times, capped at `maxEvidence`,
 *    over `windowSeconds`; the result is reported with
 *    `ctx.addEvidence(sender, 'protocol-anomaly', score)`, which raises the confidence of the
 *    scan detections other correlators make about that sender.
 * 3. The anomalous event gets a technique-level T1595 label (sub-technique null, confidence =
 *    the sender's score). Anomalies alone never name a sub-technique and never open a detection.
 */
import type { NetworkEvent, ScantagEvent } from '../model.js'
import type { Correlator, CorrelatorContext, KeyedState } from './api.js'
import { DEFAULT_MAX_EVIDENCE_SOURCES } from './engine.js'
import {
  CONN_HISTORY_PATTERNS, SURICATA_APPLAYER_ANOMALIES, SURICATA_DECODER_ANOMALIES, SURICATA_DEFAULT_WEIGHTS,
  SURICATA_STREAM_ANOMALIES, ZEEK_WEIRDS, type AnomalySubject, type ConnHistoryPattern
} from './knowledge/anomaly-signatures.js'

/** Tunables of the protocol-anomaly policy. */
export interface ProtocolAnomalyOptions {
  /**
   * Highest evidence score one sender can reach from anomalies alone. Default 0.5: anomalies
   * corroborate (ATT&CK lists them as detection content, not as proof); half a point lets them
   * lift another correlator's finding without ever counting as much as one.
   */
  maxEvidence?: number
  /**
   * Seconds of event time a sender's anomalies are combined. Default 3,600: the engine keeps
   * evidence for an hour (`addEvidence` ttl), so the score never outlives what it reports.
   */
  windowSeconds?: number
  /**
   * Occurrences of one kind of anomaly that count. Default 3: a kind repeated is often one
   * cause seen again (one lossy path, one odd stack, an alert and the anomaly record of the
   * same packet), so repetition adds little; three separate one-off glitches from the same
   * sender are already unlikely, and a sender showing several kinds counts each.
   */
  maxRepeats?: number
  /** Weight of Zeek weirds the table does not list (default 0: unknown weirds are no evidence). */
  unknownWeirdWeight?: number
  /** Senders remembered at once (default 20,000, the engine's default evidence store size, `maxEvidenceSources`). */
  maxSources?: number
}

/** One anomaly, weighed. */
export interface AnomalyFinding {
  /** The anomaly's name: `stream.fin_syn`, `weird:TCP_christmas`, `history:ack-probe (Ar)`. */
  name: string
  /** Evidence it adds about the subject, 0–1. */
  weight: number
  /** Whose evidence: the event's source or its destination. */
  subject: AnomalySubject
  /** What it means. */
  meaning: string
}

/** Longest name or signature looked at (attacker-influenced text). */
const MAX_NAME = 256
/** Kinds of anomaly kept apart per sender; more are pooled as `other`. */
const MAX_KINDS = 16

const BY_EVENT = new Map<string, { weight: number, meaning: string, family: keyof typeof SURICATA_DEFAULT_WEIGHTS }>()
const BY_SIGNATURE = new Map<string, { event: string, weight: number, meaning: string }>()
for (const [list, family] of [[SURICATA_STREAM_ANOMALIES, 'stream'], [SURICATA_DECODER_ANOMALIES, 'decode'], [SURICATA_APPLAYER_ANOMALIES, 'applayer']] as const) {
  for (const a of list) {
    BY_EVENT.set(a.event, { weight: a.weight, meaning: a.meaning, family })
    if (a.signature !== undefined) BY_SIGNATURE.set(a.signature, { event: a.event, weight: a.weight, meaning: a.meaning })
  }
}
const WEIRDS = new Map(ZEEK_WEIRDS.map(w => [w.name, w]))

/** Signature prefixes of Suricata's decoder alerts (`decoder-events.rules`). */
const DECODER_SIGNATURE_PREFIXES = ['SURICATA IPv4 ', 'SURICATA IPv6 ', 'SURICATA ICMPv4 ', 'SURICATA ICMPv6 ', 'SURICATA TCP ', 'SURICATA UDP ', 'SURICATA FRAG ']

function text (v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, MAX_NAME) : undefined
}

/** Suricata anomaly record: `anomaly.type` and `anomaly.event`. */
function suricataAnomaly (ev: NetworkEvent): AnomalyFinding | undefined {
  const a = ev.original.anomaly
  if (a === null || typeof a !== 'object') return undefined
  const type = text((a as Record<string, unknown>).type)
  let event = text((a as Record<string, unknown>).event) ?? ev.alert?.signature
  if (event === undefined) return undefined
  if (event.startsWith('decoder.')) event = event.slice('decoder.'.length)
  const known = BY_EVENT.get(event)
  if (known !== undefined) return { name: event, weight: known.weight, subject: 'src', meaning: known.meaning }
  const family = type === 'decode' ? 'decode' : type === 'stream' ? 'stream' : 'applayer'
  return { name: event, weight: SURICATA_DEFAULT_WEIGHTS[family], subject: 'src', meaning: `Suricata ${family} anomaly` }
}

/** Suricata alert of a shipped decoder/stream/app-layer rule. */
function suricataAlert (ev: NetworkEvent): AnomalyFinding | undefined {
  const sig = text(ev.alert?.signature)
  if (sig === undefined || !sig.startsWith('SURICATA ')) return undefined
  const known = BY_SIGNATURE.get(sig)
  if (known !== undefined) return { name: known.event, weight: known.weight, subject: 'src', meaning: known.meaning }
  if (sig.startsWith('SURICATA STREAM ')) return { name: sig, weight: SURICATA_DEFAULT_WEIGHTS.stream, subject: 'src', meaning: 'Suricata stream event' }
  if (DECODER_SIGNATURE_PREFIXES.some(p => sig.startsWith(p))) return { name: sig, weight: SURICATA_DEFAULT_WEIGHTS.decode, subject: 'src', meaning: 'Suricata decoder event' }
  return { name: sig, weight: SURICATA_DEFAULT_WEIGHTS.applayer, subject: 'src', meaning: 'Suricata app-layer event' }
}

function zeekWeird (ev: NetworkEvent, unknownWeight: number): AnomalyFinding | undefined {
  const name = text(ev.original.name)
  if (name === undefined) return undefined
  const w = WEIRDS.get(name)
  if (w !== undefined) return { name: `weird:${name}`, weight: w.weight, subject: 'src', meaning: w.meaning }
  return { name: `weird:${name}`, weight: unknownWeight, subject: 'src', meaning: 'Zeek weird' }
}

/** Letters of one side of a Zeek history, without the modifiers (checksum, gap, retransmission, window). */
function sideLetters (history: string, upper: boolean): string {
  let out = ''
  for (let i = 0; i < history.length; i++) {
    const c = history[i]
    const isUpper = c >= 'A' && c <= 'Z'
    const isLower = c >= 'a' && c <= 'z'
    if ((upper && !isUpper) || (!upper && !isLower)) continue
    if ('CGTWcgtw'.includes(c)) continue
    out += c
  }
  return out
}

function only (letters: string, allowed: string): boolean {
  for (const c of letters) if (!allowed.includes(c)) return false
  return true
}

interface HistoryView {
  h: string
  orig: string
  resp: string
  state: string | undefined
}

function historyMatches (p: ConnHistoryPattern, v: HistoryView): boolean {
  const { h, orig, resp, state } = v
  if (p.has !== undefined && !h.includes(p.has)) return false
  if (p.noSyn === true && orig.includes('S')) return false
  if (p.noData === true && (h.includes('D') || h.includes('d'))) return false
  if (p.flipped !== undefined && p.flipped !== h.includes('^')) return false
  if (p.originatorFirst !== undefined && orig[0] !== p.originatorFirst) return false
  if (p.originatorOnly !== undefined && !only(orig, p.originatorOnly)) return false
  if (p.responderOnly !== undefined && !only(resp, p.responderOnly)) return false
  if (p.states !== undefined && (state === undefined || !p.states.includes(state))) return false
  return true
}

/** Zeek TCP conn record whose history shows packets outside any connection. */
function connHistory (ev: NetworkEvent): AnomalyFinding | undefined {
  if (ev.sensor !== 'zeek' || ev.transport !== 'tcp') return undefined
  const h = ev.history === undefined ? '' : ev.history.slice(0, 64)
  if (h === '' && ev.state !== 'OTH') return undefined
  // The common case, a connection opened by a SYN with no odd flags, leaves at once.
  if (h[0] === 'S' && !h.includes('Q') && !h.includes('I')) return undefined
  const v: HistoryView = { h, orig: sideLetters(h, true), resp: sideLetters(h, false), state: ev.state }
  for (const p of CONN_HISTORY_PATTERNS) {
    if (historyMatches(p, v)) return { name: `history:${p.id} (${h === '' ? 'no flags' : h}${ev.state !== undefined ? ', ' + ev.state : ''})`, weight: p.weight, subject: p.subject, meaning: p.meaning }
  }
  return undefined
}

/**
 * Weighs one network event: the anomaly it reports, or undefined when it reports none. A
 * finding with weight 0 is a known non-evidence anomaly (normal retransmissions, checksum
 * offloading). Pure: reads the event only.
 */
export function anomalyOf (ev: NetworkEvent, unknownWeirdWeight = 0): AnomalyFinding | undefined {
  if (ev === null || typeof ev !== 'object' || ev.category !== 'network') return undefined
  if (ev.kind === 'anomaly') return suricataAnomaly(ev)
  if (ev.kind === 'alert' && ev.sensor === 'suricata') return suricataAlert(ev)
  if (ev.kind === 'weird') return zeekWeird(ev, unknownWeirdWeight)
  if (ev.kind === 'conn') return connHistory(ev)
  return undefined
}

/** A sender's anomalies so far. */
interface SenderEvidence {
  first: number
  last: number
  count: number
  score: number
  /** Per kind: occurrences and weight. */
  kinds: Map<string, { n: number, w: number }>
}

function checkNumber (name: string, v: number | undefined, min: number, max: number, integer: boolean): void {
  if (v === undefined) return
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new TypeError(`protocol-anomaly: ${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(v)}`)
  }
}

/** Independent evidence: 1 − ∏ (1 − w)^min(n, maxRepeats), capped. */
function combine (kinds: Map<string, { n: number, w: number }>, maxRepeats: number, cap: number): number {
  let miss = 1
  for (const { n, w } of kinds.values()) miss *= (1 - w) ** Math.min(n, maxRepeats)
  return Math.min(cap, 1 - miss)
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}

const OPTION_NAMES = ['maxEvidence', 'windowSeconds', 'maxRepeats', 'unknownWeirdWeight', 'maxSources']

/** Creates the protocol-anomaly correlator. */
export function protocolAnomaly (options: ProtocolAnomalyOptions = {}): Correlator {
  if (options === null || typeof options !== 'object') throw new TypeError('protocol-anomaly: options must be an object')
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new TypeError(`protocol-anomaly: unknown option "${key}" (known: ${OPTION_NAMES.join(', ')})`)
  }
  checkNumber('maxEvidence', options.maxEvidence, 0, 1, false)
  checkNumber('windowSeconds', options.windowSeconds, 1, Number.MAX_SAFE_INTEGER, false)
  checkNumber('maxRepeats', options.maxRepeats, 1, 1_000_000, true)
  checkNumber('unknownWeirdWeight', options.unknownWeirdWeight, 0, 1, false)
  checkNumber('maxSources', options.maxSources, 1, Number.MAX_SAFE_INTEGER, true)
  const maxEvidence = options.maxEvidence ?? 0.5
  const windowSeconds = options.windowSeconds ?? 3600
  const maxRepeats = options.maxRepeats ?? 3
  const unknownWeirdWeight = options.unknownWeirdWeight ?? 0
  const maxSources = options.maxSources ?? DEFAULT_MAX_EVIDENCE_SOURCES
  let senders: KeyedState<SenderEvidence>

  return {
    name: 'protocol-anomaly',
    categories: ['network'],
    onEvent (ev: ScantagEvent, ctx: CorrelatorContext): void {
      senders ??= ctx.state('senders', { max: maxSources, ttlSeconds: windowSeconds })
      if (ev.category !== 'network') return
      const f = anomalyOf(ev, unknownWeirdWeight)
      if (f === undefined || !(f.weight > 0)) return
      const who = f.subject === 'src' ? ev.src?.ip : ev.dst?.ip
      if (who === undefined || ctx.isAllowed(who)) return
      const t = ev.time ?? ctx.watermark
      let s = senders.get(who)
      if (s === undefined || t - s.first > windowSeconds) s = { first: t, last: t, count: 0, score: 0, kinds: new Map() }
      s.last = Math.max(s.last, t)
      s.count++
      let kind = f.name.startsWith('history:') ? f.name.slice(0, f.name.indexOf(' (')) : f.name
      if (!s.kinds.has(kind) && s.kinds.size >= MAX_KINDS) kind = 'other'
      const k = s.kinds.get(kind) ?? { n: 0, w: 0 }
      k.n++
      k.w = Math.max(k.w, f.weight)
      s.kinds.set(kind, k)
      s.score = combine(s.kinds, maxRepeats, maxEvidence)
      senders.set(who, s)
      ctx.addEvidence(who, 'protocol-anomaly', s.score)
      const kinds = [...s.kinds].sort((a, b) => b[1].n - a[1].n).slice(0, 3).map(([name, { n }]) => `${name} ×${n}`).join(', ')
      const span = round(s.last - s.first)
      const reason = `${who} sent ${f.name}: ${f.meaning}; ${s.count} anomal${s.count === 1 ? 'y' : 'ies'} from it in ${span} s (${kinds}), evidence ${round(s.score)}`
      ctx.tag(ev, { subtechnique: null, confidence: round(s.score), reason, source: who })
    }
  }
}
