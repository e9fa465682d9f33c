/**
 * Rare network processes: programs that use the network but normally do not, or suddenly reach
 * far too many places (ATT&CK DS0029 Network Traffic Flow: "processes that use the network but
 * normally do not, or that were never seen before, are suspicious").
 *
 * Policy, per host with endpoint telemetry:
 * 1. Learning: for `learningSeconds` of event time after the host's first telemetry event, every
 *    program image that opens an outbound connection (Sysmon 3, auditd connect, osquery sockets,
 *    or a flow that flow-attribution tied to it) is remembered as normal for that host.
 * 2. New: after learning, an image never seen connecting from that host is flagged the first
 *    time it does (and remembered from then on).
 * 3. Fan-out: a process whose outbound connections reach more than `fanOutThreshold` distinct
 *    addresses, or distinct ports, within `fanOutWindowSeconds` is flagged.
 * A flagged process's connections get a technique-level T1595 label (sub-technique null, low
 * confidence) and its host's address gets `ctx.addEvidence(ip, 'rare-network-process', weight)`,
 * which raises the confidence of other correlators' findings. It never opens a detection.
 */
import type { NetworkEvent, ProcessEvent, ScantagEvent } from '../model.js'
import type { Correlator, CorrelatorContext, KeyedState } from './api.js'
import { hostAddress, hostKey, type ProcessRecord } from './process-table.js'

/** Tunables of the rare-network-process policy. */
export interface RareNetworkProcessOptions {
  /**
   * Seconds of event time per host during which images are learnt, not flagged. Default
   * 86,400 (one day): it covers the daily cycle of a host (logon, cron.daily and Windows
   * scheduled tasks, updaters, backups), so routine network programs are known before any is
   * judged; longer baselines (Elastic's new-terms rules use days to weeks of history, and warn
   * that a short window "leads to excessive false positives") would leave a streaming
   * detector blind for longer.
   */
  learningSeconds?: number
  /**
   * Images remembered per host; the least recently used go first. Default 128: a workstation
   * or server runs a few dozen programs that connect out (browsers, agents, updaters, shells'
   * tools), so this leaves room while bounding memory (10,000 hosts: 1.3 million paths at most).
   */
  maxImagesPerHost?: number
  /** Hosts remembered (default 10,000). */
  maxHosts?: number
  /**
   * Seconds of event time a host's learnt images are kept after its last update. Default
   * 2,592,000 (30 days): a baseline must outlive weekends and holidays.
   */
  baselineTtlSeconds?: number
  /**
   * Distinct remote addresses, or distinct remote ports, one process may reach within the
   * window before it is flagged. Default 50: Zeek's scan policy flags a host reaching 25
   * addresses in 5 minutes (`Scan::addr_scan_threshold`); a single process gets twice that in a
   * minute, because browsers and agents legitimately open a few dozen connections at once (a
   * web page pulls from 20-40 hosts), while sweeps reach hundreds (lab: fping and nmap, 254
   * addresses in under 5 s).
   */
  fanOutThreshold?: number
  /** The fan-out window, seconds of event time (default 60; see `fanOutThreshold`). */
  fanOutWindowSeconds?: number
  /** Processes followed at once (default 10,000). */
  maxProcesses?: number
  /** Evidence weight and label confidence of a new image (default 0.2). */
  newImageWeight?: number
  /** Evidence weight and label confidence of a fan-out (default 0.3). */
  fanOutWeight?: number
}

/** What is learnt per host. */
interface HostBaseline {
  /** First telemetry event from the host (event time). */
  first: number
  /** Images seen connecting, in least-recently-used order, with when last seen. */
  images: Map<string, number>
}

/** What is followed per process. */
interface ProcessWatch {
  host: string
  image: string
  windowStart: number
  addrs: Set<string>
  ports: Set<number>
  /** Why it is flagged, when it is. */
  rare?: string
  fanOut?: string
}

/** One outbound connection of a process, wherever it was seen. */
interface Connection {
  time: number
  host: string
  hostName: string
  entityId: string
  image: string
  pid?: number
  remote: { ip: string, port?: number }
  localIp?: string
}

function checkNumber (name: string, v: number | undefined, min: number, max: number, integer: boolean): void {
  if (v === undefined) return
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new TypeError(`rare-network-process: ${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(v)}`)
  }
}

/** The image key of a process: its executable path (case-folded), or its name. */
function imageOf (rec: ProcessRecord | undefined, ev?: ProcessEvent): string | undefined {
  const image = rec?.executable ?? ev?.process.executable ?? rec?.name ?? ev?.process.name
  return image === undefined || image === '' ? undefined : image.slice(0, 1024).toLowerCase()
}

/**
 * Whether a host is still learning at `time`: within `learningSeconds` of its first event.
 * Pure, for tests and for callers that keep their own baselines.
 */
export function isLearning (firstSeen: number, time: number, learningSeconds: number): boolean {
  return time < firstSeen + learningSeconds
}

const OPTION_NAMES = [
  'learningSeconds', 'maxImagesPerHost', 'maxHosts', 'baselineTtlSeconds', 'fanOutThreshold', 'fanOutWindowSeconds',
  'maxProcesses', 'newImageWeight', 'fanOutWeight'
]

/** Creates the rare-network-process correlator. */
export function rareNetworkProcess (options: RareNetworkProcessOptions = {}): Correlator {
  if (options === null || typeof options !== 'object') throw new TypeError('rare-network-process: options must be an object')
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new TypeError(`rare-network-process: unknown option "${key}" (known: ${OPTION_NAMES.join(', ')})`)
  }
  const big = Number.MAX_SAFE_INTEGER
  checkNumber('learningSeconds', options.learningSeconds, 0, big, false)
  checkNumber('maxImagesPerHost', options.maxImagesPerHost, 1, big, true)
  checkNumber('maxHosts', options.maxHosts, 1, big, true)
  checkNumber('baselineTtlSeconds', options.baselineTtlSeconds, 1, big, false)
  checkNumber('fanOutThreshold', options.fanOutThreshold, 1, 1_000_000, true)
  checkNumber('fanOutWindowSeconds', options.fanOutWindowSeconds, 0.001, big, false)
  checkNumber('maxProcesses', options.maxProcesses, 1, big, true)
  checkNumber('newImageWeight', options.newImageWeight, 0, 1, false)
  checkNumber('fanOutWeight', options.fanOutWeight, 0, 1, false)
  const learningSeconds = options.learningSeconds ?? 86_400
  const maxImages = options.maxImagesPerHost ?? 128
  const maxHosts = options.maxHosts ?? 10_000
  const baselineTtl = options.baselineTtlSeconds ?? 2_592_000
  const threshold = options.fanOutThreshold ?? 50
  const window = options.fanOutWindowSeconds ?? 60
  const maxProcesses = options.maxProcesses ?? 10_000
  const newWeight = options.newImageWeight ?? 0.2
  const fanWeight = options.fanOutWeight ?? 0.3

  let baselines: KeyedState<HostBaseline>
  let watched: KeyedState<ProcessWatch>

  function init (ctx: CorrelatorContext): void {
    if (baselines !== undefined) return
    baselines = ctx.state('baselines', { max: maxHosts, ttlSeconds: baselineTtl })
    watched = ctx.state('processes', { max: maxProcesses, ttlSeconds: Math.max(window, 3600) })
  }

  function baselineOf (host: string, time: number): HostBaseline {
    let b = baselines.get(host)
    if (b === undefined) {
      b = { first: time, images: new Map() }
      baselines.set(host, b)
    }
    return b
  }

  /** Remembers an image as normal for a host (least recently used out beyond the cap). */
  function learn (host: string, b: HostBaseline, image: string, time: number): void {
    b.images.delete(image)
    b.images.set(image, time)
    while (b.images.size > maxImages) {
      const oldest = b.images.keys().next()
      if (oldest.done === true) break
      b.images.delete(oldest.value)
    }
    baselines.set(host, b)
  }

  function onConnection (c: Connection, ev: ScantagEvent, ctx: CorrelatorContext): void {
    const b = baselineOf(c.host, c.time)
    let w = watched.get(c.entityId)
    if (w === undefined) w = { host: c.host, image: c.image, windowStart: c.time, addrs: new Set(), ports: new Set() }
    const to = `${c.remote.ip}${c.remote.port !== undefined ? ':' + String(c.remote.port) : ''}`
    // New image after learning.
    if (!b.images.has(c.image) && !isLearning(b.first, c.time, learningSeconds)) {
      const days = learningSeconds >= 86_400 ? `${Math.round(learningSeconds / 8640) / 10} d` : `${Math.round(learningSeconds)} s`
      w.rare = `connected out (to ${to}) for the first time on this host after ${days} of learning; ${b.images.size} image${b.images.size === 1 ? '' : 's'} known to connect`
    }
    learn(c.host, b, c.image, c.time)
    // Fan-out within the window.
    if (w.fanOut === undefined) {
      if (c.time - w.windowStart > window) {
        w.windowStart = c.time
        w.addrs.clear()
        w.ports.clear()
      }
      // Flow records may start slightly before the socket record that opened the window.
      if (c.time < w.windowStart) w.windowStart = c.time
      if (w.addrs.size <= threshold) w.addrs.add(c.remote.ip)
      if (c.remote.port !== undefined && w.ports.size <= threshold) w.ports.add(c.remote.port)
      if (w.addrs.size > threshold || w.ports.size > threshold) {
        const what = w.addrs.size > threshold ? `${w.addrs.size} distinct addresses` : `${w.ports.size} distinct ports`
        const span = Math.round((c.time - w.windowStart) * 100) / 100
        w.fanOut = `reached ${what} in ${span} s (more than ${threshold} in ${window} s)`
        w.addrs.clear() // no longer needed: keep the state small
        w.ports.clear()
      }
    }
    watched.set(c.entityId, w)
    if (w.rare === undefined && w.fanOut === undefined) return
    const who = `${c.hostName}: ${c.image}${c.pid !== undefined ? ` (pid ${c.pid})` : ''}`
    const ip = c.localIp
    if (ip !== undefined && ctx.isAllowed(ip)) return
    const confidence = Math.round((1 - (1 - (w.rare !== undefined ? newWeight : 0)) * (1 - (w.fanOut !== undefined ? fanWeight : 0))) * 100) / 100
    if (ip !== undefined) ctx.addEvidence(ip, 'rare-network-process', confidence)
    const reason = `${who} ${[w.rare, w.fanOut].filter(x => x !== undefined).join(', then ')}`
    const label = { subtechnique: null, confidence, reason }
    ctx.tag(ev, ip !== undefined ? { ...label, source: ip } : label)
  }

  function onProcess (ev: ProcessEvent, ctx: CorrelatorContext): void {
    const host = hostKey(ev.host.name)
    const time = ev.time ?? ctx.watermark
    baselineOf(host, time)
    if (ev.action !== 'connect') return
    const remote = ev.socket?.remote
    if (remote === undefined) return
    const id = ev.process.entityId
    const rec = (id !== undefined ? ctx.processes.get(id) : undefined) ??
      (ev.process.pid !== undefined ? ctx.processes.findByPid(host, ev.process.pid, ev.time, 1) : undefined)
    const image = imageOf(rec, ev)
    const entityId = rec?.entityId ?? id
    if (image === undefined || entityId === undefined) return
    const c: Connection = { time, host, hostName: ev.host.name ?? host, entityId, image, remote }
    const pid = rec?.pid ?? ev.process.pid
    if (pid !== undefined) c.pid = pid
    const ip = hostAddress(ev, ctx.config.hosts)
    if (ip !== undefined) c.localIp = ip
    onConnection(c, ev, ctx)
  }

  function onNetwork (ev: NetworkEvent, ctx: CorrelatorContext): void {
    const src = ev.src
    const dst = ev.dst
    // Flows attributed to a process only (the engine delivers a flow once attribution is done).
    const p = ev.scantag.process
    if (src === undefined || dst === undefined || p === undefined) return
    const host = ctx.processes.hostOf(src.ip)
    if (host === undefined) return // outbound flows of hosts with telemetry only
    const t = ev.flowStart ?? ev.time
    if (t === undefined || hostKey(ev.scantag.host?.name) !== host) return
    const rec = ctx.processes.get(p.entity_id)
    const image = imageOf(rec) ?? (p.executable ?? p.name)?.slice(0, 1024).toLowerCase()
    if (image === undefined) return
    const c: Connection = { time: t, host, hostName: ev.scantag.host?.name ?? host, entityId: p.entity_id, image, remote: dst, localIp: src.ip }
    if (p.pid !== undefined) c.pid = p.pid
    onConnection(c, ev, ctx)
  }

  return {
    name: 'rare-network-process',
    onEvent (ev: ScantagEvent, ctx: CorrelatorContext): void {
      init(ctx)
      if (ev.category === 'process') onProcess(ev, ctx)
      else onNetwork(ev, ctx)
    }
  }
}
