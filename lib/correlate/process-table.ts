/**
 * The process table: what endpoint telemetry says ran where, bounded.
 *
 * Processes are keyed by entity id (Sysmon ProcessGuid, Elastic entity_id, or a derived
 * `host|pid|start`), so a reused pid never merges two processes: a new start for the same pid
 * replaces it in the per-host pid index while the old record stays reachable by its entity id
 * until it expires. Everything lives in lru-cache stores with event-time expiry.
 */
import type { ProcessEvent } from '../model.js'
import type { EventClock, StoredState } from './state.js'
import { createKeyedState } from './state.js'

/** What the table knows about one process. */
export interface ProcessRecord {
  host: string
  entityId: string
  pid?: number
  executable?: string
  name?: string
  commandLine?: string
  args?: string[]
  user?: string
  workingDirectory?: string
  /** Start time, epoch seconds (or when first seen, if the start was not observed). */
  start?: number
  /** Whether `start` is the observed start (false: first seen running). */
  startObserved: boolean
  /** End time, when the telemetry reported it. */
  end?: number
  parentEntityId?: string
  parentPid?: number
  parentExecutable?: string
  parentCommandLine?: string
  os?: 'windows' | 'linux' | 'macos'
  /** Last event time that mentioned the process. */
  lastSeen: number
}

/** Options of {@link ProcessTable}. */
export interface ProcessTableOptions {
  /** Most processes kept (default 100,000). */
  maxProcesses?: number
  /** Seconds of event time a process is kept after it was last mentioned (default 86,400). */
  ttlSeconds?: number
  /** Most host addresses kept (default 100,000). */
  maxHostAddresses?: number
  /** Hosts known from configuration: their addresses never expire. */
  hosts?: ReadonlyArray<{ name: string, ips: readonly string[] }>
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '127.0.0.1', '::1', ''])

/** Normalized host key: telemetry writes names in mixed case. */
export function hostKey (name: string | undefined): string {
  return name === undefined || name === '' ? 'unknown-host' : name.toLowerCase()
}

/**
 * An address of the host a process event comes from: its socket's local address or a reported
 * host address (loopback and unspecified ones skipped), else the first address the configured
 * `hosts` table gives its name.
 */
export function hostAddress (ev: ProcessEvent, hosts: unknown): string | undefined {
  const ip = ev.socket?.local?.ip ?? ev.host.ips?.find(a => !a.startsWith('127.') && a !== '::1')
  if (ip !== undefined && ip !== '0.0.0.0' && ip !== '::') return ip
  if (!Array.isArray(hosts)) return undefined
  const key = hostKey(ev.host.name)
  for (const h of hosts as Array<{ name?: unknown, ips?: unknown }>) {
    if (typeof h?.name === 'string' && hostKey(h.name) === key && Array.isArray(h.ips) && typeof h.ips[0] === 'string') return h.ips[0]
  }
  return undefined
}

/** The per-host process table with pid-reuse handling, lineage and host-address learning. */
export class ProcessTable {
  private readonly byEntity: StoredState<ProcessRecord>
  private readonly byPid: StoredState<string>
  private readonly ipToHost: StoredState<string>
  private readonly configuredIps = new Map<string, string>()

  constructor (clock: EventClock, options: ProcessTableOptions = {}) {
    const ttlSeconds = options.ttlSeconds ?? 86_400
    const maxProcesses = options.maxProcesses ?? 100_000
    this.byEntity = createKeyedState('process-table', { max: maxProcesses, ttlSeconds }, clock)
    this.byPid = createKeyedState('process-table-pids', { max: maxProcesses, ttlSeconds }, clock)
    this.ipToHost = createKeyedState('host-addresses', { max: options.maxHostAddresses ?? 100_000, ttlSeconds }, clock)
    for (const h of options.hosts ?? []) {
      for (const ip of h.ips) this.configuredIps.set(ip, hostKey(h.name))
    }
  }

  /** The table's stores, by name, for checkpoints. */
  stores (): Record<string, StoredState<NonNullable<unknown>>> {
    return {
      'process-table': this.byEntity as unknown as StoredState<NonNullable<unknown>>,
      'process-table-pids': this.byPid as unknown as StoredState<NonNullable<unknown>>,
      'host-addresses': this.ipToHost as unknown as StoredState<NonNullable<unknown>>
    }
  }

  /** Number of processes held. */
  get size (): number { return this.byEntity.size }

  /** Host that owns an address: from configuration, or learned from telemetry. */
  hostOf (ip: string): string | undefined {
    const configured = this.configuredIps.get(ip)
    // Network logs without telemetry never learn an address: skip the store, asked twice per flow.
    return configured !== undefined || this.ipToHost.size === 0 ? configured : this.ipToHost.get(ip)
  }

  /** Records that `ip` belongs to `host` (loopback and unspecified addresses are ignored). */
  learnHostAddress (host: string, ip: string | undefined): void {
    if (ip === undefined || UNSPECIFIED.has(ip) || ip.startsWith('127.') || ip.startsWith('fe80:') || this.configuredIps.has(ip)) return
    const key = hostKey(host)
    if (this.ipToHost.get(ip) !== key) this.ipToHost.set(ip, key)
  }

  /** The process with this entity id. */
  get (entityId: string): ProcessRecord | undefined {
    return this.byEntity.get(entityId)
  }

  /**
   * The process that had `pid` on `host` at `time`: the latest one started with that pid, unless
   * it started after `time` (then the one asked about is gone: pid reuse).
   */
  findByPid (host: string, pid: number, time?: number, slack = 0): ProcessRecord | undefined {
    const id = this.byPid.get(hostKey(host) + '|' + String(pid))
    if (id === undefined) return undefined
    const rec = this.byEntity.get(id)
    if (rec === undefined) return undefined
    if (time !== undefined && rec.start !== undefined && rec.startObserved && rec.start > time + slack) return undefined
    return rec
  }

  /** The parent chain of a process, nearest first, up to `depth` ancestors. */
  lineage (rec: ProcessRecord, depth: number): ProcessRecord[] {
    const out: ProcessRecord[] = []
    let cur: ProcessRecord | undefined = rec
    const seen = new Set<string>([rec.entityId])
    while (out.length < depth && cur !== undefined) {
      const parentId: string | undefined = cur.parentEntityId
      let parent: ProcessRecord | undefined = parentId !== undefined ? this.byEntity.get(parentId) : undefined
      if (parent === undefined && cur.parentPid !== undefined) parent = this.findByPid(cur.host, cur.parentPid, cur.start)
      if (parent === undefined || seen.has(parent.entityId)) break
      seen.add(parent.entityId)
      out.push(parent)
      cur = parent
    }
    return out
  }

  /**
   * Applies one telemetry event and returns the process record it concerns (undefined for
   * events without a process). Learns the host's addresses from its sockets.
   */
  update (ev: ProcessEvent): ProcessRecord | undefined {
    const host = hostKey(ev.host.name)
    for (const ip of ev.host.ips ?? []) this.learnHostAddress(host, ip)
    if (ev.socket?.local !== undefined) this.learnHostAddress(host, ev.socket.local.ip)
    const p = ev.process
    const time = ev.time ?? 0
    if (p.pid === undefined && p.entityId === undefined) return undefined

    let rec: ProcessRecord | undefined
    if (p.entityId !== undefined) rec = this.byEntity.get(p.entityId)
    if (rec === undefined && p.pid !== undefined && ev.action !== 'start') rec = this.findByPid(host, p.pid, ev.time, 1)

    if (rec === undefined) {
      const start = p.start ?? (ev.action === 'start' ? ev.time : undefined)
      const entityId = p.entityId ?? `${host}|${p.pid ?? '?'}|${start ?? time}`
      rec = { host, entityId, startObserved: ev.action === 'start' || p.start !== undefined, lastSeen: time }
      if (start !== undefined) rec.start = start
      else if (ev.time !== undefined) rec.start = ev.time
    }
    if (p.pid !== undefined) rec.pid = p.pid
    if (p.executable !== undefined) rec.executable = p.executable
    if (p.name !== undefined) rec.name = p.name
    // An exec record's argv is authoritative; a poller's view of it (osquery `processes`,
    // /proc cmdline) may be truncated or re-joined, so it only fills what is missing.
    const authoritative = ev.action !== 'snapshot' || rec.commandLine === undefined
    if (authoritative && p.commandLine !== undefined && p.commandLine !== '') rec.commandLine = p.commandLine
    if (authoritative && p.args !== undefined && p.args.length > 0) rec.args = p.args
    if (p.user !== undefined) rec.user = p.user
    if (p.workingDirectory !== undefined) rec.workingDirectory = p.workingDirectory
    if (ev.host.os !== undefined) rec.os = ev.host.os
    const parent = p.parent
    if (parent !== undefined) {
      if (parent.entityId !== undefined) rec.parentEntityId = parent.entityId
      if (parent.pid !== undefined) rec.parentPid = parent.pid
      if (parent.executable !== undefined) rec.parentExecutable = parent.executable
      if (parent.commandLine !== undefined) rec.parentCommandLine = parent.commandLine
    }
    if (ev.action === 'end') rec.end = time
    if (time > rec.lastSeen) rec.lastSeen = time
    this.byEntity.set(rec.entityId, rec)
    if (rec.pid !== undefined && ev.action !== 'end') this.byPid.set(host + '|' + String(rec.pid), rec.entityId)
    return rec
  }
}
