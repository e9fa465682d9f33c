/**
 * Wordlist scanning (MITRE ATT&CK T1595.003): one source brute forcing names from a list, seen
 * as many distinct names that mostly do not exist.
 *
 * Policy, two kinds of evidence, one key each:
 * - HTTP (Zeek http.log, EVE `http`): per source and web server (destination address), the
 *   distinct URI paths requested (query string and fragment stripped) and the share of answers
 *   that say "no such thing" (400, 401, 403, 404, 405, 410). Web content discovery tools
 *   (gobuster dir, ffuf, dirb, feroxbuster, wfuzz) request thousands of paths, nearly all 404.
 *   A request whose User-Agent is a wordlist tool's default (`knowledge/wordlist-tools.ts`) or
 *   that was attributed to such a process (`knowledge/network-tools.ts`) needs fewer paths and no
 *   failure share: servers that answer every path 200 (soft 404) hide the share.
 * - DNS (Zeek dns.log, EVE `dns` v1/v2/v3): per source and parent zone (the name minus its first
 *   label), the distinct first labels asked for and the share of answers that are NXDOMAIN.
 *   Subdomain brute forcers (gobuster dns, dnsrecon -t brt, amass, fierce, dnsenum) ask for
 *   thousands of names under one zone; almost none exist. DNS blocklist, hash and reverse
 *   lookups look the same and are left out (`LOOKUP_ZONES`), as are names directly under a
 *   public suffix (DGA malware: many NXDOMAIN names under `com`, each its own zone).
 *
 * State for a key is created only at its first failure (a 4xx, an NXDOMAIN) or tool sighting,
 * so ordinary browsing and resolving cost nothing. From then on the key's evidence is held
 * (`holdFor`) for `holdSeconds` (HTTP: failures, alerts and a known tool's requests; DNS: the
 * zone's queries and answers), so that when the threshold is crossed the scan's earlier
 * events are labelled too (`tagHeld`); afterwards each event is labelled as it comes. Alerts
 * that carry the same HTTP request are labelled with their key but not counted twice. The
 * window is tumbling: it starts at the key's first evidence and restarts after `windowSeconds`
 * unless a detection is open, so the slowest scan found asks for `minDistinctPaths` names per
 * window (10 a minute with the defaults).
 *
 * Look-alikes the thresholds are chosen against: a browser loading a page with a few missing
 * assets (few distinct paths), a monitor polling `/health` (one path, 200), a crawler (many
 * paths, mostly 200), CDN-heavy browsing (many names under one zone, answered), a mail server
 * asking DNSBLs (allow-listed zones). Known to fire: link checkers on badly broken sites,
 * build tools probing several artifact repositories (Maven/Gradle ask each repository for each
 * artifact, 404 from all but one), API clients walking ids that mostly do not exist or walking
 * on with an expired token (401), and recursive resolvers relaying a client's brute force
 * (allow-list those sources: `isAllowed`). User agents are not allow-listed: any client can send
 * `Apache-Maven/3.9`. The process rule sees a process only when flow attribution has attached it
 * by the time the event arrives (exact socket matches that come later do not count).
 * Not seen: parameter fuzzing (one path), virtual-host brute force (one path, many Host
 * headers), brute force of a wildcard zone (every name answers).
 *
 * @packageDocumentation
 */
import type { Detection, NetworkEvent, ScantagEvent } from '../model.js'
import type { Correlator, CorrelatorContext, KeyedState, LabelInput } from './api.js'
import { networkToolFor } from './knowledge/network-tools.js'
import { isPublicSuffixLike, lookupZoneFor, wordlistToolForUserAgent } from './knowledge/wordlist-tools.js'
import { memoize } from './knowledge/memo.js'
import { positiveOption, shareOption as shareValue } from './options.js'

/** Tunables of the wordlist-scan policy. */
export interface WordlistScanOptions {
  /**
   * Window over which distinct names are counted, seconds of event time. Default 300: Zeek's
   * scan policy counts over 5 minutes (`policy/misc/scan.zeek`, `addr_scan_interval = 5min`).
   * ET sid 2009885 uses 60 s and Wazuh rule 31151 90 s, but they count failures, which a single
   * misbehaving client piles up fast; distinct names grow only as fast as the wordlist is read.
   */
  windowSeconds?: number
  /**
   * Distinct paths on one server before a scan is reported (default 50). Emerging Threats sid
   * 2009885 ("ET SCAN Unusually Fast 404 Error Messages ... Directory Guessing Attack", 30
   * 404s in 60 s, track by_dst; disabled in the ET Open ruleset) and Wazuh rule 31151 ("Multiple
   * web server 400 error codes from same source ip", 14 4xx in 90 s) count responses, so a
   * browser retrying one missing favicon, or a page with a dozen broken links reloaded a few
   * times, fires them. Counting distinct paths removes that; 50 is above what one page
   * references missing, and 1% of dirb's common.txt (4,614 words).
   */
  minDistinctPaths?: number
  /**
   * Least share of answered requests that are 400/401/403/404/405/410 (default 0.8). Against a
   * server that answers unknown paths 404, a wordlist gets almost only failures (ffuf in the
   * lab: 99.6%, nmap http-enum: 98%); browsing and crawling stay far below.
   */
  minFailureShare?: number
  /**
   * Distinct names under one zone before a subdomain brute force is reported (default 50).
   * Wordlists are thousands of names (dnsenum dns.txt 1,505, SecLists
   * subdomains-top1million-5000); a client resolves a handful of names per zone in 5 minutes,
   * CDN-heavy pages a few dozen, and those are answered.
   */
  minDistinctNames?: number
  /**
   * Least share of DNS answers that are NXDOMAIN (default 0.7). Lower than for HTTP because a
   * large zone has many of the common words (www, mail, vpn...): the lab's gobuster got 99.5%
   * NXDOMAIN, 70% leaves room for a zone where 30% of the list exists.
   */
  minNxdomainShare?: number
  /**
   * Distinct names that suffice, with no failure share, when the requests carry a wordlist
   * tool's User-Agent or come from such a process (default 20: a tool pointed once at a known
   * URL makes a handful of requests; 20 distinct names are a list being read).
   */
  toolMinDistinct?: number
  /**
   * How long a key's events wait for the threshold to be crossed so they can be labelled too,
   * seconds (default 60: at default speed every wordlist tool asks for 50 names in far less;
   * longer holds delay the enricher's output for keys that never fire).
   */
  holdSeconds?: number
  /** A detection closes after this much event time without new evidence (default 900, the API's default). */
  idleSeconds?: number
  /** Keys (source and server, source and zone) tracked at once, per kind (default 10,000). */
  maxKeys?: number
  /**
   * Distinct names remembered per key (default 5,000: dirb common.txt 4,614, dnsenum dns.txt
   * 1,505 and subdomains-top1million-5000 are counted exactly; beyond, counts become "at least").
   */
  maxNamesPerKey?: number
  /**
   * Approximate memory the keys of each kind may take together, bytes; the least recently
   * active go first past it. Default 16 MiB: ~400,000 remembered names, while `maxKeys` ×
   * `maxNamesPerKey` alone would allow ~2 GB per kind. A key costs ~1 KiB plus ~40 bytes per
   * name ({@link tallyBytes}).
   */
  maxBytes?: number
}

/** The defaults, each justified on {@link WordlistScanOptions}. */
export const WORDLIST_SCAN_DEFAULTS: Readonly<Required<WordlistScanOptions>> = Object.freeze({
  windowSeconds: 300,
  minDistinctPaths: 50,
  minFailureShare: 0.8,
  minDistinctNames: 50,
  minNxdomainShare: 0.7,
  toolMinDistinct: 20,
  holdSeconds: 60,
  idleSeconds: 900,
  maxKeys: 10_000,
  maxNamesPerKey: 5_000,
  maxBytes: 16 * 1024 * 1024
})

/**
 * HTTP statuses a server gives a path it does not serve (or will not show): 400 Bad Request,
 * 401 Unauthorized, 403 Forbidden, 404 Not Found, 405 Method Not Allowed, 410 Gone (RFC 9110
 * section 15.5). Not 408/413/414/429/431: those say how the request was sent, not what it named.
 */
export const FAILURE_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 405, 410])

/** mDNS (RFC 6762), LLMNR (RFC 4795) and NetBIOS name service (RFC 1002): local names, not zones. */
const LOCAL_NAME_PORTS: ReadonlySet<number> = new Set([5353, 5355, 137])

/** Longest URI read; longest path kept. */
const MAX_URI = 2048
const MAX_PATH = 256
/** Longest DNS name (RFC 1035 section 2.3.4). */
const MAX_NAME = 253
/** Shown in reasons and detections. */
const SAMPLES = 5
const MAX_PORTS = 4

/** The counts one key accumulates. */
interface Tally extends ReasonCounts {
  /** Window start (the key's first evidence in this window). */
  start: number
  /** FNV-1a hashes of the distinct names, at most `maxNamesPerKey`. */
  names: Set<number>
  /** Failures by status or rcode. */
  failures: Record<string, number>
  /** Evidence events (requests, queries, answers, alerts). */
  events: number
  ports: number[]
  samples: string[]
  detection?: string
  process?: Detection['process']
  host?: Detection['host']
  user?: Detection['user']
}

/**
 * Approximate bytes a key's tally holds, for the `maxBytes` budget: the object with its
 * samples, failures and ports (~1 KiB) and ~40 bytes per name hash (a `Set` entry, whose table
 * grows in powers of two: 29-42 bytes measured from 64 to 5,000 entries).
 */
export function tallyBytes (tally: { names?: unknown }): number {
  return 1024 + 40 * (tally.names instanceof Set ? tally.names.size : 0)
}

/** What one event contributes. */
interface Evidence {
  /** Normalized name (path, DNS label); absent for events that are only labelled. */
  name?: string
  /** The full name for samples (path, DNS name). */
  sample?: string
  answered: boolean
  failed: boolean
  failure?: string
  port?: number
  tool?: string
}

/** Thresholds of one kind of evidence. */
export interface WordlistThresholds {
  minDistinct: number
  minShare: number
  toolMinDistinct: number
}

/**
 * The decision: enough distinct names with enough failures among the answers, or, when a
 * wordlist tool is known to be behind the requests, enough distinct names alone.
 */
export function isWordlistScan (distinct: number, answered: number, failed: number, toolKnown: boolean, th: WordlistThresholds): boolean {
  if (toolKnown && distinct >= th.toolMinDistinct) return true
  return distinct >= th.minDistinct && answered >= th.minDistinct && failed >= th.minShare * answered
}

/**
 * Confidence 0.6–0.9 from how far past the thresholds the evidence is (ten times the distinct
 * names, all answers failures), 0.1 more with a known tool; 0.8 when only the tool rule fired.
 */
export function wordlistConfidence (distinct: number, answered: number, failed: number, toolKnown: boolean, th: WordlistThresholds): number {
  const behaviour = distinct >= th.minDistinct && answered >= th.minDistinct && failed >= th.minShare * answered
  if (!behaviour) return toolKnown ? 0.8 : 0
  const volume = Math.min(1, Math.log10(distinct / th.minDistinct))
  const share = answered === 0 || th.minShare >= 1 ? 1 : Math.min(1, Math.max(0, (failed / answered - th.minShare) / (1 - th.minShare)))
  const c = 0.6 + 0.15 * volume + 0.15 * share + (toolKnown ? 0.1 : 0)
  return Math.round(Math.min(0.99, c) * 100) / 100
}

/**
 * The path of a request URI: query string and fragment removed, scheme and authority of an
 * absolute-form URI (proxy requests) removed, at most 256 characters. Undefined for no URI or
 * the asterisk form (`OPTIONS *`).
 */
export function normalizePath (uri: string | undefined): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return undefined
  let s = uri.length > MAX_URI ? uri.slice(0, MAX_URI) : uri
  if (s.charCodeAt(0) !== 47 /* / */) {
    if (s === '*') return undefined
    const scheme = s.indexOf('://')
    if (scheme > 0 && scheme <= 10) {
      const slash = s.indexOf('/', scheme + 3)
      s = slash < 0 ? '/' : s.slice(slash)
    }
  }
  const q = s.indexOf('?')
  if (q >= 0) s = s.slice(0, q)
  const h = s.indexOf('#')
  if (h >= 0) s = s.slice(0, h)
  if (s.length > MAX_PATH) s = s.slice(0, MAX_PATH)
  return s.length === 0 ? '/' : s
}

/**
 * A DNS query name, lower case, without the trailing dot, and with a search-list suffix that
 * repeats the name's own ending dropped (`www.acme.example.acme.example`, which resolvers ask
 * when `www.acme.example` failed and `acme.example` is in the search list, becomes
 * `www.acme.example`). Undefined for empty or over-long names.
 */
export function normalizeDnsName (query: string | undefined): string | undefined {
  if (typeof query !== 'string' || query.length === 0 || query.length > MAX_NAME + 1) return undefined
  let s = query.toLowerCase()
  if (s.endsWith('.')) s = s.slice(0, -1)
  if (s.length === 0 || s.length > MAX_NAME) return undefined
  const labels = s.split('.')
  const n = labels.length
  for (let k = Math.min(4, Math.floor(n / 2)); k >= 2; k--) {
    let same = true
    for (let i = 0; i < k && same; i++) same = labels[n - k + i] === labels[n - 2 * k + i]
    if (same && n - k >= k + 1) return labels.slice(0, n - k).join('.')
  }
  return s
}

/**
 * A queried name as a guess under a zone (normalized, first label, zone), or undefined when it
 * cannot be one: not a name, a lookup zone's data (DNSBL, reverse), a single label, or directly
 * under a public suffix. Remembered per query text: a network asks for the same names all day.
 */
const guessableName = memoize((query: string): { name: string, label: string, zone: string } | undefined => {
  const name = normalizeDnsName(query)
  if (name === undefined || lookupZoneFor(name) !== undefined) return undefined
  const parts = splitDnsName(name)
  if (parts === undefined || isPublicSuffixLike(parts.zone)) return undefined
  return { name, label: parts.label, zone: parts.zone }
})

/** Splits a name into its first label and parent zone; undefined for single labels. */
export function splitDnsName (name: string): { label: string, zone: string } | undefined {
  const dot = name.indexOf('.')
  if (dot <= 0 || dot === name.length - 1) return undefined
  return { label: name.slice(0, dot), zone: name.slice(dot + 1) }
}

/** Whether an rcode (name as Zeek and EVE write it, or number) is NXDOMAIN. */
export function isNxdomain (rcode: string | undefined): boolean {
  return rcode === 'NXDOMAIN' || rcode === '3' || rcode === 'nxdomain'
}

/** 32-bit FNV-1a of a string's UTF-16 code units: names are remembered as these. */
function fnv1a (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** "0.42 s", "2.1 s", "41 s", "12 min". */
export function formatDuration (seconds: number): string {
  const s = Math.max(0, seconds)
  if (s < 1) return `${s.toFixed(2)} s`
  if (s < 10) return `${s.toFixed(1)} s`
  if (s < 600) return `${Math.round(s)} s`
  return `${Math.round(s / 60)} min`
}

function share (failed: number, answered: number): string {
  return answered === 0 ? 'no answers seen' : `${Math.floor((failed / answered) * 100)}%`
}

function topFailures (failures: Record<string, number>): string {
  return Object.entries(failures).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k]) => k).join('/')
}

/** The numbers a reason sentence carries. */
export interface ReasonCounts {
  /** Distinct names; `capped`: at least that many. */
  distinct: number
  capped: boolean
  /** First and last evidence, epoch seconds. */
  first: number
  last: number
  answered: number
  failed: number
  /** Failures by status (HTTP). */
  failures?: Record<string, number>
  /** The tool, in words (`user agent "gobuster/3.6": Gobuster`, `process gobuster on ws1`). */
  tool?: string
  /** Server (`host (address)`) or zone. */
  target: string
}

/** The reason sentence of an HTTP wordlist scan. */
export function httpReason (src: string, tally: ReasonCounts): string {
  const n = `${tally.distinct}${tally.capped ? '+' : ''}`
  const answers = tally.answered === 0 ? 'no answers seen' : `${share(tally.failed, tally.answered)} answered ${tally.failed > 0 && tally.failures !== undefined ? topFailures(tally.failures) : '4xx'}`
  return `${src} requested ${n} distinct paths on ${tally.target} in ${formatDuration(tally.last - tally.first)}, ${answers}${tally.tool !== undefined ? ` (${tally.tool})` : ''}`
}

/** The reason sentence of a DNS subdomain brute force. */
export function dnsReason (src: string, tally: ReasonCounts): string {
  const n = `${tally.distinct}${tally.capped ? '+' : ''}`
  const answers = tally.answered === 0 ? 'no answers seen' : `${share(tally.failed, tally.answered)} NXDOMAIN`
  return `${src} queried ${n} distinct names under ${tally.target} in ${formatDuration(tally.last - tally.first)}, ${answers}${tally.tool !== undefined ? ` (${tally.tool})` : ''}`
}

/** The wordlist tool behind an event: its User-Agent, or the process attribution found. */
function toolOf (ev: NetworkEvent): string | undefined {
  const ua = ev.http?.userAgent
  const byUa = wordlistToolForUserAgent(ua)
  if (byUa !== undefined && ua !== undefined) {
    const shown = ua.length > 64 ? ua.slice(0, 64) + '…' : ua
    return `user agent ${JSON.stringify(shown)}: ${byUa.tool}`
  }
  const p = ev.scantag.process
  if (p !== undefined) {
    const tool = networkToolFor(p.executable ?? p.name ?? '')
    if (tool !== undefined && tool.technique === 'T1595.003' && tool.weight >= 0.8) {
      return `process ${p.name ?? tool.name}${ev.scantag.host !== undefined ? ` on ${ev.scantag.host.name}` : ''}`
    }
  }
  return undefined
}

function positiveNumber (name: string, v: unknown, integer: boolean): void {
  positiveOption(name, v, integer, 'wordlistScan: ')
}

function shareOption (name: string, v: unknown): void {
  shareValue(name, v, 'wordlistScan: ')
}

/**
 * Creates the wordlist-scan correlator (ATT&CK T1595.003): HTTP path brute force and DNS
 * subdomain brute force, one detection per source and server or source and zone.
 *
 * @throws TypeError naming the option when an option is out of range
 */
export function wordlistScan (options: WordlistScanOptions = {}): Correlator {
  const o: Required<WordlistScanOptions> = { ...WORDLIST_SCAN_DEFAULTS }
  for (const [k, v] of Object.entries(options) as Array<[keyof WordlistScanOptions, unknown]>) {
    if (v === undefined) continue
    if (!(k in WORDLIST_SCAN_DEFAULTS)) throw new TypeError(`wordlistScan: unknown option ${String(k)}`)
    if (k === 'minFailureShare' || k === 'minNxdomainShare') shareOption(k, v)
    else positiveNumber(k, v, k !== 'windowSeconds' && k !== 'holdSeconds' && k !== 'idleSeconds')
    ;(o as Record<string, unknown>)[k] = v
  }
  const httpTh: WordlistThresholds = { minDistinct: o.minDistinctPaths, minShare: o.minFailureShare, toolMinDistinct: o.toolMinDistinct }
  const dnsTh: WordlistThresholds = { minDistinct: o.minDistinctNames, minShare: o.minNxdomainShare, toolMinDistinct: o.toolMinDistinct }
  const ttlSeconds = Math.max(o.windowSeconds, o.idleSeconds)
  // Room for 16 full keys at least, or the budget would evict the very scans it tracks.
  const fullKey = tallyBytes({}) + 40 * o.maxNamesPerKey
  if (o.maxBytes < 16 * fullKey) throw new TypeError(`wordlistScan: maxBytes (${o.maxBytes}) must be at least 16 keys of maxNamesPerKey (${o.maxNamesPerKey}) names, ${16 * fullKey} bytes`)

  let http: KeyedState<Tally>
  let dns: KeyedState<Tally>

  function init (ctx: CorrelatorContext): void {
    if (http !== undefined) return
    http = ctx.state<Tally>('http', { max: o.maxKeys, ttlSeconds, maxSize: o.maxBytes, sizeOf: tallyBytes })
    dns = ctx.state<Tally>('dns', { max: o.maxKeys, ttlSeconds, maxSize: o.maxBytes, sizeOf: tallyBytes })
  }

  /** The key's tally if it is still current: within its window, or its detection not idle. */
  function live (store: KeyedState<Tally>, key: string, t: number): Tally | undefined {
    const tally = store.get(key)
    if (tally === undefined) return undefined
    const stale = tally.detection === undefined ? t - tally.start > o.windowSeconds : t - tally.last > o.idleSeconds
    if (!stale) return tally
    store.delete(key)
    return undefined
  }

  function add (tally: Tally, e: Evidence, t: number, ev: NetworkEvent): void {
    if (t < tally.first) tally.first = t
    if (t > tally.last) tally.last = t
    tally.events++
    if (e.tool !== undefined && tally.tool === undefined) tally.tool = e.tool
    if (tally.process === undefined && ev.scantag.process !== undefined) {
      tally.process = ev.scantag.process
      if (ev.scantag.host !== undefined) tally.host = ev.scantag.host
      if (ev.scantag.user !== undefined) tally.user = ev.scantag.user
    }
    if (e.name === undefined) return
    const h = fnv1a(e.name)
    if (!tally.names.has(h)) {
      if (tally.names.size < o.maxNamesPerKey) {
        tally.names.add(h)
        tally.distinct++
        if (tally.samples.length < SAMPLES) tally.samples.push(e.sample ?? e.name)
      } else {
        tally.capped = true
      }
    }
    if (e.port !== undefined && tally.ports.length < MAX_PORTS && !tally.ports.includes(e.port)) tally.ports.push(e.port)
    if (e.answered) {
      tally.answered++
      if (e.failed) {
        tally.failed++
        if (e.failure !== undefined) tally.failures[e.failure] = (tally.failures[e.failure] ?? 0) + 1
      }
    }
  }

  /**
   * After an event was counted: fire, label, or (when `hold`) keep it back for a later label.
   * HTTP holds only failures and a known tool's requests: a server's clients are many, and one
   * 404 must not make a client's every later request wait.
   */
  function decide (ctx: CorrelatorContext, key: string, src: string, tally: Tally, ev: NetworkEvent, th: WordlistThresholds, reasonOf: (src: string, t: Tally) => string, hold: boolean): void {
    const t = ev.time as number
    const firing = tally.detection !== undefined || isWordlistScan(tally.distinct, tally.answered, tally.failed, tally.tool !== undefined, th)
    if (!firing) {
      if (hold) ctx.holdFor(key, ev, t + o.holdSeconds)
      return
    }
    const confidence = wordlistConfidence(tally.distinct, tally.answered, tally.failed, tally.tool !== undefined, th)
    const reason = reasonOf(src, tally)
    const det = ctx.detect({
      key,
      subtechnique: 'T1595.003',
      sourceIp: src,
      firstSeen: tally.first,
      lastSeen: tally.last,
      targetCount: tally.distinct,
      portCount: tally.ports.length,
      eventCount: tally.events,
      sampleTargets: tally.samples,
      samplePorts: tally.ports,
      confidence,
      reason,
      idleSeconds: o.idleSeconds,
      ...(tally.process !== undefined ? { process: tally.process } : {}),
      ...(tally.host !== undefined ? { host: tally.host } : {}),
      ...(tally.user !== undefined ? { user: tally.user } : {})
    })
    // The source is named on every label: a DNS answer written from the server's side has it as dst.
    const label: LabelInput = { subtechnique: 'T1595.003', confidence, reason, detection: det.id, source: src }
    if (tally.detection === undefined) {
      ctx.addEvidence(src, 'wordlist-scan', confidence)
      ctx.tagHeld(key, label)
    }
    tally.detection = det.id
    ctx.tag(ev, label)
  }

  function onHttp (ev: NetworkEvent, ctx: CorrelatorContext): void {
    const h = ev.http
    const src = ev.src?.ip
    const dst = ev.dst?.ip
    const t = ev.time
    if (h === undefined || src === undefined || dst === undefined || t === undefined) return
    if (h.method !== undefined && h.method.toUpperCase() === 'CONNECT') return
    if (ctx.isAllowed(src, { port: ev.dst?.port, subtechnique: 'T1595.003' })) return
    const key = `http|${src}|${dst}`
    // An alert carrying HTTP repeats a request its http record already counts: label it only.
    const counts = ev.kind === 'http'
    const path = counts ? normalizePath(h.uri) : undefined
    const answered = counts && h.status !== undefined
    const failed = answered && FAILURE_STATUSES.has(h.status as number)
    const tool = toolOf(ev)
    let tally = live(http, key, t)
    if (tally === undefined) {
      // A key starts at its first failure, or at the first sight of a wordlist tool (alerts too).
      if (!(failed || tool !== undefined)) return
      const host = typeof h.host === 'string' && h.host.length > 0 ? h.host.slice(0, 100).toLowerCase() : undefined
      tally = newTally(t, host !== undefined && host !== dst ? `${host} (${dst})` : dst)
    }
    const e: Evidence = { answered, failed }
    if (path !== undefined) e.name = path
    if (failed) e.failure = String(h.status)
    if (ev.dst?.port !== undefined) e.port = ev.dst.port
    if (tool !== undefined) e.tool = tool
    add(tally, e, t, ev)
    http.set(key, tally)
    decide(ctx, key, src, tally, ev, httpTh, httpReason, failed || tally.tool !== undefined || !counts)
  }

  function onDns (ev: NetworkEvent, ctx: CorrelatorContext): void {
    const d = ev.dns
    const t = ev.time
    if (d === undefined || ev.src === undefined || ev.dst === undefined || t === undefined) return
    // EVE v1 (Suricata <= 4) writes answers from the server's side: the client is then dst.
    const swapped = ev.src.port === 53 && ev.dst.port !== 53
    const client = swapped ? ev.dst : ev.src
    const server = swapped ? ev.src : ev.dst
    if (server.port !== undefined && LOCAL_NAME_PORTS.has(server.port)) return
    const parts = d.query === undefined ? undefined : guessableName(d.query)
    if (parts === undefined) return
    const name = parts.name
    if (ctx.isAllowed(client.ip, { port: server.port, subtechnique: 'T1595.003' })) return
    const key = `dns|${client.ip}|${parts.zone}`
    const answered = d.rcode !== undefined
    const failed = answered && isNxdomain(d.rcode)
    const tool = toolOf(ev)
    let tally = live(dns, key, t)
    if (tally === undefined) {
      if (!(failed || tool !== undefined)) return
      tally = newTally(t, parts.zone)
    }
    const e: Evidence = { name: parts.label.slice(0, 63), sample: name, answered, failed }
    if (failed) e.failure = 'NXDOMAIN'
    if (server.port !== undefined) e.port = server.port
    if (tool !== undefined) e.tool = tool
    add(tally, e, t, ev)
    dns.set(key, tally)
    decide(ctx, key, client.ip, tally, ev, dnsTh, dnsReason, true)
  }

  return {
    name: 'wordlist-scan',
    categories: ['network'],
    onEvent (ev: ScantagEvent, ctx: CorrelatorContext): void {
      if (ev.category !== 'network') return
      init(ctx)
      if (ev.http !== undefined && (ev.kind === 'http' || ev.kind === 'alert')) onHttp(ev, ctx)
      else if (ev.dns !== undefined && ev.kind === 'dns') onDns(ev, ctx)
    }
  }
}

function newTally (t: number, target: string): Tally {
  return { start: t, first: t, last: t, names: new Set(), distinct: 0, capped: false, answered: 0, failed: 0, failures: {}, events: 0, ports: [], samples: [], target }
}
