/**
 * Flow-to-process attribution: which process on which host made a flow.
 *
 * Policy, in the order tried:
 * 1. `exact`: an endpoint socket event (Sysmon 3, auditd connect/accept, osquery sockets, ECS
 *    network) on the flow's host shares the flow's addresses and ports (either direction)
 *    within `clockSkewSeconds`. Works whichever side arrives first: a flow from a host with
 *    telemetry is held for up to the skew, and released as soon as its socket turns up.
 * 2. `host-time`: no socket record exists (raw-socket scans such as `nmap -sS`, masscan and
 *    ICMP sweeps never create one), but a process alive on the flow's source host at the flow's
 *    time names the flow's destination on its command line (`targets`), or is a known network
 *    tool whose targets cannot be read from its command line (`network-tool`).
 * Only flows whose source (or, for inbound sockets, destination) address belongs to a host with
 * telemetry are considered; all others pass through untouched and undelayed.
 */
import type { NetworkEvent, ProcessEvent, ScantagEvent, ScantagProcess } from '../model.js'
import { formatIsoMicros } from '../parse/time.js'
import type { Correlator, CorrelatorContext, KeyedState } from './api.js'
import { networkToolFor, type NetworkTool } from './knowledge/network-tools.js'
import { hostKey, type ProcessRecord } from './process-table.js'
import { commandLineTargets, describeTargets, targetsInclude, type CommandLineTargets } from './targets.js'

/** Tunables of the attribution policy. */
export interface AttributionOptions {
  /**
   * Clock difference tolerated between sensor and endpoint, seconds. Default 5: NTP-synced
   * hosts agree within milliseconds; 5 s leaves room for log timestamps truncated to the second
   * and for sensor packet timestamps taken at a different hop (issue #3 sets ±5 s).
   */
  clockSkewSeconds?: number
  /**
   * How long a socket event waits for its flow record, seconds of event time. Default 3,600:
   * Suricata writes flow records at flow timeout and Zeek at connection end, which for
   * established TCP can be up to an hour after the connect (Suricata `flow-timeouts`).
   */
  socketTtlSeconds?: number
  /** Most socket events remembered (default 100,000). */
  maxSockets?: number
  /** Most flows waiting for their socket at once (default 10,000). */
  maxPending?: number
  /** Scanner-like processes remembered per host for host-time attribution (default 64). */
  maxCandidatesPerHost?: number
  /** Most hosts with such processes (default 10,000). */
  maxHosts?: number
  /** Ancestors written into `scantag.process.lineage` (default 4). */
  lineageDepth?: number
}

/** Confidence of each rule: exact socket matches are as good as telemetry gets. */
export const ATTRIBUTION_CONFIDENCE = {
  exactFiveTuple: 0.95,
  /** auditd connect records carry the remote address only, not the local port. */
  exactRemoteOnly: 0.9,
  hostTimeTargets: 0.75,
  hostTimeNetworkTool: 0.4
} as const

interface SocketSeen {
  host: string
  action: 'connect' | 'accept'
  time: number
  localIp?: string
  localPort?: number
  transport?: string
  entityId?: string
  pid?: number
}

interface Candidate {
  entityId: string
  tool?: NetworkTool
  targets?: CommandLineTargets
}

/** Transports whose flows can match a socket record. */
const SOCKET_TRANSPORTS = new Set(['tcp', 'udp', 'sctp'])

function socketKey (ip: string, port: number | undefined): string {
  return ip + '|' + String(port ?? '')
}

/** Creates the attribution correlator. */
export function flowAttribution (options: AttributionOptions = {}): Correlator {
  const skew = options.clockSkewSeconds ?? 5
  const socketTtl = options.socketTtlSeconds ?? 3600
  const maxSockets = options.maxSockets ?? 100_000
  const maxPending = options.maxPending ?? 10_000
  const maxCandidates = options.maxCandidatesPerHost ?? 64
  const maxHosts = options.maxHosts ?? 10_000
  const lineageDepth = options.lineageDepth ?? 4
  if (!(skew >= 0 && Number.isFinite(skew))) throw new TypeError(`clockSkewSeconds must be a finite number >= 0, got ${String(options.clockSkewSeconds)}`)

  let sockets: KeyedState<SocketSeen[]>
  let pending: KeyedState<NetworkEvent[]>
  let candidates: KeyedState<Candidate[]>

  function init (ctx: CorrelatorContext): void {
    if (sockets !== undefined) return
    sockets = ctx.state('sockets', { max: maxSockets, ttlSeconds: socketTtl })
    pending = ctx.state('pending', { max: maxPending, ttlSeconds: Math.max(skew * 4, 60), persist: false })
    candidates = ctx.state('candidates', { max: maxHosts, ttlSeconds: 86_400 })
  }

  function attach (ev: NetworkEvent, rec: ProcessRecord, ctx: CorrelatorContext, method: 'exact' | 'host-time', rule: string, confidence: number, skewSeconds: number, reason: string): void {
    const proc: ScantagProcess = { entity_id: rec.entityId }
    if (rec.pid !== undefined) proc.pid = rec.pid
    if (rec.name !== undefined) proc.name = rec.name
    if (rec.executable !== undefined) proc.executable = rec.executable
    if (rec.commandLine !== undefined) proc.command_line = rec.commandLine
    if (rec.args !== undefined) proc.args = rec.args
    if (rec.workingDirectory !== undefined) proc.working_directory = rec.workingDirectory
    if (rec.start !== undefined) proc.start = formatIsoMicros(rec.start)
    const parent: NonNullable<ScantagProcess['parent']> = {}
    if (rec.parentPid !== undefined) parent.pid = rec.parentPid
    if (rec.parentEntityId !== undefined) parent.entity_id = rec.parentEntityId
    if (rec.parentExecutable !== undefined) parent.executable = rec.parentExecutable
    if (rec.parentCommandLine !== undefined) parent.command_line = rec.parentCommandLine
    if (Object.keys(parent).length > 0) proc.parent = parent
    if (lineageDepth > 0) {
      const lineage = ctx.processes.lineage(rec, lineageDepth)
      if (lineage.length > 0) {
        proc.lineage = lineage.map(p => {
          const l: NonNullable<ScantagProcess['lineage']>[number] = { entity_id: p.entityId }
          if (p.pid !== undefined) l.pid = p.pid
          if (p.name !== undefined) l.name = p.name
          if (p.executable !== undefined) l.executable = p.executable
          return l
        })
      }
    }
    ev.scantag.process = proc
    if (rec.user !== undefined) ev.scantag.user = { name: rec.user }
    ev.scantag.host = { name: rec.host }
    ev.scantag.attribution = { method, rule, confidence, skew: Math.round(skewSeconds * 1e6) / 1e6, reason }
  }

  /** Finds the socket record of a flow and attributes it; true when found. */
  function matchSocket (ev: NetworkEvent, ctx: CorrelatorContext): boolean {
    const src = ev.src
    const dst = ev.dst
    if (src === undefined || dst === undefined) return false
    const t = ev.flowStart ?? ev.time
    if (t === undefined) return false
    const srcHost = ctx.processes.hostOf(src.ip)
    const dstHost = ctx.processes.hostOf(dst.ip)
    // Outbound: the source host connected to dst. Inbound: the destination host accepted src.
    const tries: Array<[string | undefined, string, 'connect' | 'accept', number | undefined, string]> = [
      [srcHost, socketKey(dst.ip, dst.port), 'connect', src.port, src.ip],
      [dstHost, socketKey(src.ip, src.port), 'accept', dst.port, dst.ip]
    ]
    for (const [host, key, action, localPort, localIp] of tries) {
      if (host === undefined) continue
      const seen = sockets.get(key)
      if (seen === undefined) continue
      for (const s of seen) {
        if (s.host !== host || s.action !== action) continue
        if (s.localPort !== undefined && localPort !== undefined && s.localPort !== localPort) continue
        if (s.localIp !== undefined && s.localIp !== localIp && s.localIp !== '0.0.0.0' && s.localIp !== '::') continue
        if (s.transport !== undefined && ev.transport !== undefined && s.transport !== ev.transport) continue
        const d = s.time - t
        if (Math.abs(d) > skew) continue
        const rec = (s.entityId !== undefined ? ctx.processes.get(s.entityId) : undefined) ??
          (s.pid !== undefined ? ctx.processes.findByPid(host, s.pid, s.time, skew) : undefined)
        if (rec === undefined) continue
        const fiveTuple = s.localPort !== undefined
        attach(ev, rec, ctx, 'exact', fiveTuple ? 'five-tuple' : 'remote-endpoint', fiveTuple ? ATTRIBUTION_CONFIDENCE.exactFiveTuple : ATTRIBUTION_CONFIDENCE.exactRemoteOnly, d,
          `${action === 'connect' ? 'outbound' : 'inbound'} socket of ${rec.name ?? rec.executable ?? 'pid ' + String(rec.pid)} on ${host} ${Math.abs(d) < 0.0005 ? 'at the same time' : `${Math.abs(d).toFixed(3)} s ${d < 0 ? 'before' : 'after'} the flow`}`)
        return true
      }
    }
    return false
  }

  /** Host-time rule: a scanner-like process alive on the source host names the destination. */
  function matchHostTime (ev: NetworkEvent, ctx: CorrelatorContext): boolean {
    const src = ev.src
    const dst = ev.dst
    const t = ev.flowStart ?? ev.time
    if (src === undefined || dst === undefined || t === undefined) return false
    const host = ctx.processes.hostOf(src.ip)
    if (host === undefined) return false
    const list = candidates.get(host)
    if (list === undefined) return false
    let best: { rec: ProcessRecord, rule: 'targets' | 'network-tool', c: Candidate } | undefined
    for (const c of list) {
      const rec = ctx.processes.get(c.entityId)
      if (rec === undefined || rec.start === undefined) continue
      if (t < rec.start - skew) continue
      if (rec.end !== undefined && t > rec.end + skew) continue
      let rule: 'targets' | 'network-tool' | undefined
      if (c.targets !== undefined && targetsInclude(c.targets, dst.ip)) rule = 'targets'
      else if (c.tool !== undefined && (c.targets === undefined || c.targets.files.length > 0 || c.targets.hosts.length > 0)) rule = 'network-tool'
      if (rule === undefined) continue
      // Prefer a command line that names the destination, then the most recent start.
      if (best === undefined || (rule === 'targets' && best.rule !== 'targets') ||
          (rule === best.rule && (rec.start ?? 0) > (best.rec.start ?? 0))) best = { rec, rule, c }
    }
    if (best === undefined) return false
    const { rec, rule, c } = best
    const d = (rec.start ?? t) - t
    const who = rec.name ?? rec.executable ?? 'pid ' + String(rec.pid)
    const reason = rule === 'targets'
      ? `${who} on ${host} was running at the flow's time and its command line targets ${describeTargets(c.targets as CommandLineTargets)}, which includes ${dst.ip}`
      : `${who} (${c.tool?.name ?? 'network tool'}) on ${host} was running at the flow's time; its targets cannot be read from its command line`
    attach(ev, rec, ctx, 'host-time', rule, rule === 'targets' ? ATTRIBUTION_CONFIDENCE.hostTimeTargets : ATTRIBUTION_CONFIDENCE.hostTimeNetworkTool, d, reason)
    return true
  }

  function onProcess (ev: ProcessEvent, ctx: CorrelatorContext): void {
    const rec = ctx.processes.update(ev)
    if (rec === undefined) return
    const host = hostKey(ev.host.name)
    if (ev.action === 'start' || ev.action === 'snapshot') rememberCandidate(host, rec)
    const remote = ev.socket?.remote
    if ((ev.action === 'connect' || ev.action === 'accept') && remote !== undefined && ev.time !== undefined) {
      const key = socketKey(remote.ip, remote.port)
      const s: SocketSeen = { host, action: ev.action, time: ev.time, entityId: rec.entityId }
      if (rec.pid !== undefined) s.pid = rec.pid
      const local = ev.socket?.local
      if (local?.ip !== undefined) s.localIp = local.ip
      if (local?.port !== undefined && local.port !== 0) s.localPort = local.port
      if (ev.socket?.transport !== undefined) s.transport = ev.socket.transport
      const list = sockets.get(key)
      if (list === undefined) sockets.set(key, [s])
      else { list.unshift(s); if (list.length > 8) list.length = 8 }
      // A flow that arrived first may be waiting for exactly this socket.
      const waiting = pending.get(key)
      if (waiting !== undefined) {
        const still: NetworkEvent[] = []
        for (const flow of waiting) {
          if (matchSocket(flow, ctx)) ctx.release(flow)
          else still.push(flow)
        }
        if (still.length === 0) pending.delete(key)
        else pending.set(key, still)
      }
    }
  }

  function rememberCandidate (host: string, rec: ProcessRecord): void {
    const args = rec.args
    if (args === undefined || args.length === 0) return
    const tool = networkToolFor(rec.executable ?? rec.name ?? args[0])
    const targets = commandLineTargets(args, tool)
    const named = targets.networks.length > 0
    if (tool === undefined && !named) return
    const c: Candidate = { entityId: rec.entityId }
    if (tool !== undefined) c.tool = tool
    if (named || targets.hosts.length > 0 || targets.files.length > 0) c.targets = targets
    const list = candidates.get(host) ?? []
    const i = list.findIndex(x => x.entityId === rec.entityId)
    if (i >= 0) list.splice(i, 1)
    list.unshift(c)
    if (list.length > maxCandidates) list.length = maxCandidates
    candidates.set(host, list)
  }

  function onNetwork (ev: NetworkEvent, ctx: CorrelatorContext): void {
    const src = ev.src
    const dst = ev.dst
    if (src === undefined || dst === undefined) return
    const srcHost = ctx.processes.hostOf(src.ip)
    const dstHost = ctx.processes.hostOf(dst.ip)
    if (srcHost === undefined && dstHost === undefined) return
    if (matchSocket(ev, ctx)) return
    const t = ev.flowStart ?? ev.time
    if (t !== undefined && ev.transport !== undefined && SOCKET_TRANSPORTS.has(ev.transport)) {
      // Its socket may still come: wait for it, at most the clock skew past the flow's start.
      const key = srcHost !== undefined ? socketKey(dst.ip, dst.port) : socketKey(src.ip, src.port)
      const list = pending.get(key)
      if (list === undefined) pending.set(key, [ev])
      else if (list.length < 64) list.push(ev)
      else { matchHostTime(ev, ctx); return }
      ctx.hold(ev, t + skew)
      return
    }
    matchHostTime(ev, ctx)
  }

  return {
    name: 'flow-attribution',
    onEvent (ev: ScantagEvent, ctx: CorrelatorContext): void {
      init(ctx)
      if (ev.category === 'process') onProcess(ev, ctx)
      else onNetwork(ev, ctx)
    },
    onRelease (ev: ScantagEvent, ctx: CorrelatorContext): void {
      init(ctx)
      if (ev.category !== 'network') return
      const src = ev.src
      const dst = ev.dst
      if (src !== undefined && dst !== undefined) {
        const key = ctx.processes.hostOf(src.ip) !== undefined ? socketKey(dst.ip, dst.port) : socketKey(src.ip, src.port)
        const list = pending.get(key)
        if (list !== undefined) {
          const i = list.indexOf(ev)
          if (i >= 0) list.splice(i, 1)
          if (list.length === 0) pending.delete(key)
        }
      }
      if (!matchSocket(ev, ctx)) matchHostTime(ev, ctx)
    }
  }
}
