/**
 * Vulnerability and version scanning evidence: ATT&CK T1595.002 Vulnerability Scanning.
 *
 * Policy. Per source, within `windowSeconds`, collect independent pieces of evidence that the
 * source probes services for versions and known weaknesses:
 *
 * (a) IDS alerts recognised by `knowledge/alert-signatures.ts` (ET/GPL SCAN rules, the
 *     reconnaissance classtypes, `alert.metadata` naming T1595*). Each distinct signature is one
 *     piece with its table weight. Rules of host discovery (T1595.001), wordlist tools
 *     (T1595.003), brute force and denial of service are not evidence here. Rate-based rules
 *     ("Potential SSH Scan", "Suspicious inbound to mySQL port 3306", "Behavioral Unusual Port
 *     445 ...") also fire on benign fan-out, so their weight is scaled by the failure share of
 *     the source's connections when there are enough of them to judge ({@link rateFactor}).
 * (b) Scanner user agents in HTTP requests (Zeek http.log `user_agent`, EVE `http` and alert
 *     `http.http_user_agent`), from `knowledge/scanner-user-agents.ts`: one piece per tool; an
 *     alert rule that names the same tool (ET 2009358 for the NSE agent) is the same piece.
 * (c) Requests for at least `minVulnerablePaths` distinct known-vulnerable paths
 *     (`knowledge/vulnerable-paths.ts`). Requests made with a wordlist tool's agent
 *     (`knowledge/wordlist-tools.ts`) are left to the T1595.003 correlator, and a source whose
 *     vulnerable-path requests are a tiny share of a large number of requests is guessing from a
 *     wordlist, not probing for weaknesses: its path evidence counts half ({@link pathWeight}).
 * (d) Corroboration, never enough alone: at least `minFailureShare` of the source's own
 *     connection attempts (at least `minAttempts` of them) exchanged no data, or another
 *     correlator found a vertical port scan from the source (`ctx.evidence`, kind
 *     `vertical-scan`).
 *
 * Service/version probing seen only as flows (nmap -sV: short established connections to each
 * open service of a host) is not a separate rule: the lab's benign monitoring server (s10,
 * check_http/ssh/dns on 30 servers, four services per host) makes exactly those connections,
 * and `nmap -sV -p 22,53,80,443` cannot be told from it by flows alone. Version probes are
 * caught by what they send (NSE agents, version-probe alerts) and by `vertical-scan` when they
 * follow a port scan.
 *
 * The pieces are combined as independent causes (noisy-OR, Pearl 1988, "Probabilistic Reasoning
 * in Intelligent Systems" §4.3.2): confidence = 1 − Π(1 − wᵢ), capped at 0.95. No single piece
 * weighs more than 0.7, so a high-confidence detection (≥ 0.8) needs several distinct
 * signatures, or a signature and a user agent, or evidence and corroboration. The source is
 * reported when the confidence reaches `minConfidence`.
 *
 * Labels go on the evidence events (alerts, requests) and on the connection records that carry
 * them (same EVE `flow_id` or Zeek `uid`; EVE writes flow records at flow end, after their
 * alerts and requests; a Zeek conn record is written with its start time, before its http.log
 * entry, so it is only labelled by the next rule). Until the source is reported they are held
 * under `${src}` (retroactive labels); afterwards they are labelled as they pass. Once reported,
 * the source's other records to the hosts it probed (TLS handshakes of a cipher enumeration,
 * SSH and DNS probes, flows) are labelled too while the scan goes on: from `followSeconds`
 * before its first piece of evidence to `followSeconds` after its latest. One detection per
 * source (key `${src}`); a source that pauses longer than the window gets a new one.
 *
 * State (bounded, event-time expiry): `sources` (evidence per source, at most `maxSources`),
 * `outcomes` (connection attempts and failures per source), `links` (flow ids of evidence
 * events, at most `maxLinks`).
 */
import type { AlertFields, Detection, NetworkEvent, ScantagEvent } from '../model.js'
import type { Correlator, CorrelatorContext, KeyedState, LabelInput } from './api.js'
import { alertRuleFor, type AlertSignatureRule } from './knowledge/alert-signatures.js'
import { SCANNER_USER_AGENTS, scannerUserAgentFor } from './knowledge/scanner-user-agents.js'
import { vulnerablePathFor } from './knowledge/vulnerable-paths.js'
import { wordlistToolForUserAgent } from './knowledge/wordlist-tools.js'
import { isConnectionRecord, isFailedProbe, probeOutcome, VERTICAL_SCAN_EVIDENCE_KIND } from './vertical-scan.js'
import { positiveOption, shareOption } from './options.js'

/** Tunables of the vulnerability scanning policy. */
export interface VulnScanOptions {
  /**
   * Window, seconds of event time, from a source's first piece of evidence. Default 600: long
   * enough for exploit bots that pace one request every 30–60 s (ZmEu, Mirai-family loaders)
   * and for an nmap -sV -sC session (the lab s04 evidence spans 67 s over three runs), short enough that an
   * administrator's visits to two or three admin pages over a day never add up. Between Zeek
   * scan.zeek's 5 min and bro-simple-scan's 15 min.
   */
  windowSeconds?: number
  /**
   * Distinct known-vulnerable paths (table entries) for path evidence. Default 5: the most an
   * administrator's own use touches is two or three entries of one application (WordPress:
   * /wp-login.php and /xmlrpc.php; phpMyAdmin pages are one entry; a monitor polls
   * /server-status); five distinct entries spans several unrelated products, which only a
   * scanner asks for (nmap http-enum in lab s04: 17 entries, the fifth 37 s after the first).
   */
  minVulnerablePaths?: number
  /** Confidence at which a source is reported. Default 0.5: more likely than not. */
  minConfidence?: number
  /**
   * Least share of a source's connection attempts that exchanged no data, for the failure
   * corroboration and for full weight of rate-based alerts. Default 0.5: failures outweigh
   * successes (as `vertical-scan` and `horizontal-sweep`).
   */
  minFailureShare?: number
  /** Fewest connection attempts before the failure share is judged. Default 10. */
  minAttempts?: number
  /** Weight of the failure corroboration. Default 0.25. */
  failureWeight?: number
  /** Weight of a vertical scan from the same source (corroboration). Default 0.3. */
  verticalScanWeight?: number
  /**
   * Path evidence counts half when the source made at least this many HTTP requests and fewer
   * than `wordlistShare` of them hit the table (wordlist guessing). Default 500.
   */
  wordlistRequests?: number
  /** See `wordlistRequests`. Default 0.02. */
  wordlistShare?: number
  /** How long an evidence event waits for the source's detection, seconds. Default: the window (capped by the engine's `maxHoldSeconds`). */
  holdSeconds?: number
  /** Most sources followed at once. Default 10,000. */
  maxSources?: number
  /** Most evidence flow ids remembered (to label their connection records). Default 50,000. */
  maxLinks?: number
  /** Seconds a flow id is remembered. Default 3,600: Suricata writes a flow record at flow timeout, at most an hour for established TCP (`flow-timeouts`). */
  linkSeconds?: number
  /**
   * After a source is reported, its other traffic to the hosts it probed is labelled too while
   * it keeps producing evidence, up to this many seconds after the latest piece (0: off).
   * Default 120: nmap runs a host's scripts concurrently, so the probes that leave no evidence
   * of their own (TLS cipher enumeration, SSH host keys, DNS) interleave with the evidence;
   * two minutes bridges its pauses (lab s04: at most 31 s between two pieces, between two nmap
   * runs) without reaching far into later, unrelated sessions.
   */
  followSeconds?: number
}

/** The defaults, with their sources in {@link VulnScanOptions}. */
export const VULN_SCAN_DEFAULTS = Object.freeze({
  windowSeconds: 600,
  minVulnerablePaths: 5,
  minConfidence: 0.5,
  minFailureShare: 0.5,
  minAttempts: 10,
  failureWeight: 0.25,
  verticalScanWeight: 0.3,
  wordlistRequests: 500,
  wordlistShare: 0.02,
  maxSources: 10_000,
  maxLinks: 50_000,
  linkSeconds: 3600,
  followSeconds: 120
})

const SUBTECHNIQUE = 'T1595.002' as const
/** Most distinct signatures, targets and samples remembered per source. */
const MAX_PIECES = 64
const MAX_TARGETS = 64
const SAMPLES = 3
/** Highest confidence reported. */
const MAX_CONFIDENCE = 0.95

/** One piece of evidence about a source. */
export interface EvidencePiece {
  /** What it is, for the reason: a tool or a signature. */
  what: 'tool' | 'signature'
  text: string
  /** For signatures: the tool (scanner-user-agents id) the rule names. */
  tool?: string
  weight: number
  /** The rule family is rate-based (weighed with the failure share). */
  rateBased: boolean
  /** HTTP requests carrying it (tools) or alerts of it (signatures). */
  count: number
  /** Alerts naming it (tools: alerts on requests with its agent, or of a rule naming it). */
  alerts: number
}

/** What is remembered per source. */
export interface SourceState {
  firstSeen: number
  lastSeen: number
  /** Pieces by key (`tool:<id>`, `sig:<signature>`), at most 64. */
  pieces: Map<string, EvidencePiece>
  /** Alerts counted as evidence. */
  alerts: number
  /** HTTP requests seen from the source, and those hitting the path table. */
  requests: number
  pathRequests: number
  /** Distinct path table entries hit, with a few paths as requested. */
  paths: Set<string>
  pathSamples: string[]
  /** Targets (destination addresses) of the evidence, at most 64. */
  targets: string[]
  targetCount: number
  ports: number[]
  /** Evidence events. */
  events: number
  detection?: string
  confidence?: number
  /** The label of the source's detection, once reported. */
  label?: LabelInput
  process?: Detection['process']
  host?: Detection['host']
  user?: Detection['user']
}

/** Connection attempts of a source. */
interface Outcomes { firstSeen: number, attempts: number, failed: number }

/**
 * Weight factor of rate-based alerts given the failure share of the source's connections:
 * 1 when unknown (fewer than `minAttempts`) or at least `minFailureShare`, else scaled down in
 * proportion, never below 0.2.
 */
export function rateFactor (attempts: number, failed: number, minAttempts: number, minFailureShare: number): number {
  if (attempts < minAttempts || minFailureShare <= 0) return 1
  const share = failed / attempts
  return share >= minFailureShare ? 1 : Math.max(0.2, share / minFailureShare)
}

/**
 * Weight of path evidence: 0 below `minPaths` distinct entries; 0.6 at it, 0.7 at twice as
 * many, 0.8 from three times; halved when the requests look like wordlist guessing (many
 * requests, few of them on the table).
 */
export function pathWeight (distinctPaths: number, requests: number, pathRequests: number, minPaths: number, wordlistRequests: number, wordlistShare: number): number {
  if (distinctPaths < minPaths) return 0
  const w = distinctPaths >= 3 * minPaths ? 0.8 : distinctPaths >= 2 * minPaths ? 0.7 : 0.6
  const wordlist = requests >= wordlistRequests && pathRequests / requests < wordlistShare
  return wordlist ? w / 2 : w
}

/**
 * Noisy-OR of independent pieces of evidence: 1 − Π(1 − wᵢ). Corroborating weights count only
 * when there is at least one piece. Capped at 0.95, rounded to 0.01.
 */
export function combineEvidence (weights: readonly number[], corroboration: readonly number[] = []): number {
  const pieces = weights.filter(w => w > 0)
  if (pieces.length === 0) return 0
  let miss = 1
  for (const w of [...pieces, ...corroboration]) miss *= 1 - Math.max(0, Math.min(1, w))
  return Math.round(Math.min(MAX_CONFIDENCE, 1 - miss) * 100) / 100
}

/**
 * The scanning source and target of an alert: the flow's originator when the alert carries its
 * flow (`flow.src_ip`, Suricata 7), else the packet's direction (`direction: to_client` swaps).
 */
export function alertEndpoints (ev: NetworkEvent): { src: string, dst: string } | undefined {
  const flow = ev.original.flow
  if (flow !== null && typeof flow === 'object') {
    const f = flow as Record<string, unknown>
    if (typeof f.src_ip === 'string' && typeof f.dest_ip === 'string') return { src: f.src_ip, dst: f.dest_ip }
  }
  const src = ev.src?.ip
  const dst = ev.dst?.ip
  if (src === undefined || dst === undefined) return undefined
  return ev.original.direction === 'to_client' ? { src: dst, dst: src } : { src, dst }
}

/** Whether an alert rule is evidence of T1595.002 (not of another sub-technique, brute force or DoS). */
export function isVulnScanEvidence (rule: AlertSignatureRule): boolean {
  return rule.weight > 0 && (rule.subtechnique === null || rule.subtechnique === SUBTECHNIQUE) &&
    rule.kind !== 'brute-force' && rule.kind !== 'other'
}

/** The numbers of a reason sentence. */
export interface VulnReasonInput {
  source: string
  /**
   * Tools seen in user agents or named by alerts: name, requests with its agent, alerts on it,
   * and whether a listed signature already names it.
   */
  tools: ReadonlyArray<{ name: string, requests: number, alerts: number, named?: boolean }>
  /** Distinct vulnerable paths and a few examples. */
  paths: number
  pathSamples: readonly string[]
  /** Alerts and distinct signatures, with examples. */
  alerts: number
  signatures: readonly string[]
  targets: number
  targetSamples: readonly string[]
  /** Failure share of the source's connections, when it corroborated. */
  failure?: { attempts: number, share: number }
  /** A vertical scan corroborated. */
  vertical?: boolean
}

/**
 * The reason sentence, e.g. "10.20.30.41 sent 2291 requests with the Nmap Scripting Engine user
 * agent, requested 12 known-vulnerable paths (/.git/head, /server-status, /phpmyadmin/) and
 * triggered 19 alerts of 4 scan signatures (ET SCAN Nmap NSE SSH Client Banner, ...) against 2
 * hosts (10.1.10.20, 10.1.10.53)".
 */
export function vulnReason (r: VulnReasonInput): string {
  const parts: string[] = []
  for (const t of r.tools) {
    if (t.requests > 0) parts.push(`sent ${t.requests} request${t.requests === 1 ? '' : 's'} with the ${t.name} user agent`)
    else if (t.named !== true) parts.push(`used the ${t.name} user agent (${t.alerts} alert${t.alerts === 1 ? '' : 's'})`)
  }
  if (r.paths > 0) parts.push(`requested ${r.paths} known-vulnerable path${r.paths === 1 ? '' : 's'} (${r.pathSamples.join(', ')})`)
  if (r.signatures.length > 0) {
    const shown = r.signatures.slice(0, SAMPLES).join(', ') + (r.signatures.length > SAMPLES ? ', ...' : '')
    parts.push(`triggered ${r.alerts} alert${r.alerts === 1 ? '' : 's'} of ${r.signatures.length} scan signature${r.signatures.length === 1 ? '' : 's'} (${shown})`)
  }
  const list = parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
  const against = r.targets === 1
    ? ` against ${r.targetSamples[0] ?? '1 host'}`
    : ` against ${r.targets} hosts (${r.targetSamples.slice(0, SAMPLES).join(', ')}${r.targets > SAMPLES ? ', ...' : ''})`
  const extra: string[] = []
  if (r.failure !== undefined) extra.push(`${Math.round(100 * r.failure.share)}% of its ${r.failure.attempts} connection attempts exchanged no data`)
  if (r.vertical === true) extra.push('it also port-scanned a host')
  return `${r.source} ${list}${against}${extra.length > 0 ? '; ' + extra.join('; ') : ''}`
}

/** Creates the vulnerability scanning correlator (T1595.002). */
export function vulnScan (options: VulnScanOptions = {}): Correlator {
  if (options === null || typeof options !== 'object') throw new TypeError('vulnScan options must be an object')
  const d = VULN_SCAN_DEFAULTS
  const positive = (name: keyof VulnScanOptions, v: unknown, integer: boolean): number => positiveOption(name, v, integer)
  const unit = (name: keyof VulnScanOptions, v: unknown): number => shareOption(name, v)
  const windowSeconds = positive('windowSeconds', options.windowSeconds ?? d.windowSeconds, false)
  const minPaths = positive('minVulnerablePaths', options.minVulnerablePaths ?? d.minVulnerablePaths, true)
  const minConfidence = unit('minConfidence', options.minConfidence ?? d.minConfidence)
  const minFailureShare = unit('minFailureShare', options.minFailureShare ?? d.minFailureShare)
  const minAttempts = positive('minAttempts', options.minAttempts ?? d.minAttempts, true)
  const failureWeight = unit('failureWeight', options.failureWeight ?? d.failureWeight)
  const verticalScanWeight = unit('verticalScanWeight', options.verticalScanWeight ?? d.verticalScanWeight)
  const wordlistRequests = positive('wordlistRequests', options.wordlistRequests ?? d.wordlistRequests, true)
  const wordlistShare = unit('wordlistShare', options.wordlistShare ?? d.wordlistShare)
  const holdSeconds = positive('holdSeconds', options.holdSeconds ?? windowSeconds, false)
  const maxSources = positive('maxSources', options.maxSources ?? d.maxSources, true)
  const maxLinks = positive('maxLinks', options.maxLinks ?? d.maxLinks, true)
  const linkSeconds = positive('linkSeconds', options.linkSeconds ?? d.linkSeconds, false)
  const followSeconds = options.followSeconds ?? d.followSeconds
  if (!(typeof followSeconds === 'number' && followSeconds >= 0 && Number.isFinite(followSeconds))) throw new TypeError(`followSeconds must be a finite number >= 0, got ${String(followSeconds)}`)
  const toolNames = new Map(SCANNER_USER_AGENTS.map(u => [u.id, u.name]))

  let sources: KeyedState<SourceState> | undefined
  let outcomes: KeyedState<Outcomes> | undefined
  let links: KeyedState<string> | undefined

  function init (ctx: CorrelatorContext): void {
    sources ??= ctx.state<SourceState>('sources', { max: maxSources, ttlSeconds: windowSeconds })
    outcomes ??= ctx.state<Outcomes>('outcomes', { max: maxSources, ttlSeconds: windowSeconds })
    links ??= ctx.state<string>('links', { max: maxLinks, ttlSeconds: linkSeconds })
  }

  function fresh (t: number): SourceState {
    return { firstSeen: t, lastSeen: t, pieces: new Map(), alerts: 0, requests: 0, pathRequests: 0, paths: new Set(), pathSamples: [], targets: [], targetCount: 0, ports: [], events: 0 }
  }

  /** Adds (or strengthens) a piece; `increment` is what its count grows by (requests for tools, alerts for signatures). */
  function addPiece (s: SourceState, key: string, piece: Omit<EvidencePiece, 'count' | 'alerts'>, increment: number, alerts = 0): void {
    const p = s.pieces.get(key)
    if (p !== undefined) {
      p.count += increment
      p.alerts += alerts
      if (piece.weight > p.weight) { p.weight = piece.weight; p.rateBased = piece.rateBased }
    } else if (s.pieces.size < MAX_PIECES) {
      s.pieces.set(key, { ...piece, count: increment, alerts })
    }
  }

  function addTarget (s: SourceState, dst: string, port: number | undefined): void {
    if (!s.targets.includes(dst)) {
      s.targetCount++
      if (s.targets.length < MAX_TARGETS) s.targets.push(dst)
    }
    if (port !== undefined && s.ports.length < 10 && !s.ports.includes(port)) s.ports.push(port)
  }

  /** The source's confidence and reason now. */
  function assess (s: SourceState, src: string, ctx: CorrelatorContext): { confidence: number, reason: string } {
    const o = outcomes?.get(src)
    const attempts = o?.attempts ?? 0
    const failed = o?.failed ?? 0
    const factor = rateFactor(attempts, failed, minAttempts, minFailureShare)
    const weights: number[] = []
    const tools: Array<{ id: string, name: string, requests: number, alerts: number, named?: boolean }> = []
    const signatures: Array<{ text: string, weight: number }> = []
    const named = new Set<string>()
    for (const [key, p] of s.pieces) {
      const w = p.rateBased ? p.weight * factor : p.weight
      weights.push(w)
      if (p.what === 'tool') tools.push({ id: key.slice(5), name: p.text, requests: p.count, alerts: p.alerts })
      else {
        signatures.push({ text: p.text, weight: p.weight })
        if (p.tool !== undefined) named.add(p.tool)
      }
    }
    for (const t of tools) t.named = named.has(t.id)
    // Strongest first in the reason (a tool's own rule weighs through the tool: list it first too).
    signatures.sort((a, b) => (b.weight === 0 ? 1 : b.weight) - (a.weight === 0 ? 1 : a.weight))
    const pw = pathWeight(s.paths.size, s.requests, s.pathRequests, minPaths, wordlistRequests, wordlistShare)
    if (pw > 0) weights.push(pw)
    const corroboration: number[] = []
    const failing = attempts >= minAttempts && failed / attempts >= minFailureShare
    if (failing) corroboration.push(failureWeight)
    const vertical = (ctx.evidence(src).kinds[VERTICAL_SCAN_EVIDENCE_KIND] ?? 0) > 0
    if (vertical) corroboration.push(verticalScanWeight)
    const confidence = combineEvidence(weights, corroboration)
    const reason = vulnReason({
      source: src,
      tools: tools.map(({ name, requests, alerts, named }) => ({ name, requests, alerts, ...(named === true ? { named } : {}) })),
      paths: pw > 0 ? s.paths.size : 0,
      pathSamples: s.pathSamples,
      alerts: s.alerts,
      signatures: signatures.map(x => x.text),
      targets: s.targetCount,
      targetSamples: s.targets,
      ...(failing ? { failure: { attempts, share: failed / attempts } } : {}),
      ...(vertical ? { vertical } : {})
    })
    return { confidence, reason }
  }

  function report (s: SourceState, src: string, confidence: number, reason: string, ctx: CorrelatorContext): LabelInput {
    const det = ctx.detect({
      key: src,
      subtechnique: SUBTECHNIQUE,
      sourceIp: src,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      targetCount: s.targetCount,
      portCount: s.ports.length,
      eventCount: s.events,
      sampleTargets: s.targets.slice(0, 10),
      samplePorts: s.ports,
      confidence,
      reason,
      idleSeconds: windowSeconds,
      ...(s.process !== undefined ? { process: s.process } : {}),
      ...(s.host !== undefined ? { host: s.host } : {}),
      ...(s.user !== undefined ? { user: s.user } : {})
    })
    s.detection = det.id
    s.confidence = confidence
    s.label = { subtechnique: SUBTECHNIQUE, confidence, reason, detection: det.id }
    return s.label
  }

  /** Labels a reported source's other traffic to the hosts it probed, while the scan goes on. */
  function follow (ev: NetworkEvent, ctx: CorrelatorContext): void {
    if (followSeconds === 0) return
    const src = ev.src?.ip
    const dst = ev.dst?.ip
    const t = ev.flowStart ?? ev.time
    if (src === undefined || dst === undefined || t === undefined) return
    // Most networks have no reported source most of the time: no lookup then.
    const s = sources !== undefined && sources.size > 0 ? sources.get(src) : undefined
    if (s?.label === undefined || t > s.lastSeen + followSeconds || t < s.firstSeen - followSeconds || !s.targets.includes(dst)) return
    ctx.tag(ev, s.label)
  }

  /** Records what an event says about its source; true when it is evidence. */
  function evidenceOf (ev: NetworkEvent, existing: SourceState | undefined, get: () => SourceState): boolean {
    if (ev.kind === 'alert') return alertEvidence(ev.alert, ev.http?.userAgent, get)
    if (ev.http !== undefined) return httpEvidence(ev.http.userAgent, ev.http.uri, existing, get)
    return false
  }

  /**
   * An alert: its rule (when it is T1595.002 evidence) and the agent of the request it fired on
   * (alert-only logs have no http records). A rule naming a tool and that tool's agent are one
   * piece; the request itself is counted from its http record, not from the alert.
   */
  function alertEvidence (alert: AlertFields | undefined, userAgent: string | undefined, get: () => SourceState): boolean {
    const match = alert === undefined ? undefined : alertRuleFor(alert)
    const rule = match !== undefined && isVulnScanEvidence(match.rule) ? match.rule : undefined
    const ua = scannerUserAgentFor(userAgent)
    if (rule === undefined && ua === undefined) return false
    const st = get()
    const toolId = rule?.tool ?? ua?.id
    if (toolId !== undefined) {
      const weight = Math.max(rule?.tool !== undefined ? rule.weight : 0, ua?.id === toolId ? ua.weight : 0)
      addPiece(st, `tool:${toolId}`, { what: 'tool', text: toolNames.get(toolId) ?? toolId, weight, rateBased: false }, 0, 1)
    }
    if (rule !== undefined && alert !== undefined) {
      st.alerts++
      const text = (alert.signature ?? `sid ${String(alert.signatureId ?? '?')}`).slice(0, 120)
      // A tool's rule weighs through the tool's piece; the signature is listed, not counted twice.
      addPiece(st, `sig:${text.toLowerCase()}`, { what: 'signature', text, weight: rule.tool !== undefined ? 0 : rule.weight, rateBased: rule.rateBased === true, ...(rule.tool !== undefined ? { tool: rule.tool } : {}) }, 1)
    }
    return true
  }

  /**
   * An HTTP request: a scanner's agent, a known-vulnerable path. Requests that are neither only
   * count (for the wordlist share) from sources already followed: ordinary clients get no state.
   */
  function httpEvidence (userAgent: string | undefined, uri: string | undefined, existing: SourceState | undefined, get: () => SourceState): boolean {
    const ua = scannerUserAgentFor(userAgent)
    // Wordlist tools' requests are T1595.003's to judge.
    const hit = wordlistToolForUserAgent(userAgent) === undefined ? vulnerablePathFor(uri) : undefined
    if (ua === undefined && hit === undefined) {
      if (existing !== undefined) existing.requests++
      return false
    }
    const st = get()
    st.requests++
    if (ua !== undefined) addPiece(st, `tool:${ua.id}`, { what: 'tool', text: ua.name, weight: ua.weight, rateBased: false }, 1)
    if (hit !== undefined) {
      st.pathRequests++
      if (!st.paths.has(hit.id)) {
        st.paths.add(hit.id)
        if (st.pathSamples.length < SAMPLES) st.pathSamples.push(hit.path)
      }
    }
    return true
  }

  function onConnection (ev: NetworkEvent, ctx: CorrelatorContext): void {
    const src = ev.src?.ip
    const t = ev.flowStart ?? ev.time
    if (src === undefined || t === undefined || probeOutcome(ev) === undefined) return
    const out = outcomes as KeyedState<Outcomes>
    let o = out.get(src)
    if (o === undefined || t - o.firstSeen > windowSeconds) o = { firstSeen: t, attempts: 0, failed: 0 }
    o.attempts++
    if (isFailedProbe(ev)) o.failed++
    out.set(src, o)
    // The connection record of an evidence event is labelled with it.
    const id = ev.flowId ?? ev.uid
    const owner = id === undefined || links === undefined || links.size === 0 ? undefined : links.get(id)
    if (owner === undefined || owner !== src) { follow(ev, ctx); return }
    const label = sources?.get(src)?.label
    if (label !== undefined) ctx.tag(ev, label)
    else ctx.holdFor(src, ev, (ev.time ?? t) + holdSeconds)
  }

  return {
    name: 'vuln-scan',
    categories: ['network'],
    onEvent (event: ScantagEvent, ctx: CorrelatorContext): void {
      if (event.category !== 'network') return
      init(ctx)
      if (isConnectionRecord(event)) { onConnection(event, ctx); return }
      if (event.kind !== 'alert' && event.http === undefined) { follow(event, ctx); return }
      const ends = event.kind === 'alert' ? alertEndpoints(event) : (event.src !== undefined && event.dst !== undefined ? { src: event.src.ip, dst: event.dst.ip } : undefined)
      const t = event.time ?? event.flowStart
      if (ends === undefined || t === undefined || ends.src === ends.dst) return
      const { src, dst } = ends
      const dport = event.src?.ip === src ? event.dst?.port : event.src?.port
      if (ctx.isAllowed(src, { port: dport, subtechnique: SUBTECHNIQUE })) return

      const store = sources as KeyedState<SourceState>
      let s = store.get(src)
      if (s !== undefined && s.detection === undefined && t - s.firstSeen > windowSeconds) {
        ctx.releaseHeld(src)
        s = undefined
      }
      let created: SourceState | undefined
      const get = (): SourceState => (s ?? (created ??= fresh(t)))
      const found = evidenceOf(event, s, get)
      s ??= created
      if (s === undefined || !found) { follow(event, ctx); return }
      if (t < s.firstSeen) s.firstSeen = t
      if (t > s.lastSeen) s.lastSeen = t
      s.events++
      addTarget(s, dst, dport)
      const attributed = event.scantag
      if (attributed.process !== undefined) s.process = attributed.process
      if (attributed.host !== undefined) s.host = attributed.host
      if (attributed.user !== undefined) s.user = attributed.user
      store.set(src, s)
      const id = event.flowId ?? event.uid
      if (id !== undefined) links?.set(id, src)

      const { confidence, reason } = assess(s, src, ctx)
      if (s.detection === undefined && confidence < minConfidence) {
        ctx.holdFor(src, event, (event.time ?? t) + holdSeconds)
        return
      }
      const first = s.detection === undefined
      const label = report(s, src, Math.max(confidence, s.confidence ?? 0), reason, ctx)
      ctx.tag(event, label)
      if (first) ctx.tagHeld(src, label)
    }
  }
}
