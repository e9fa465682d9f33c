/**
 * Scanner processes: the T1595 sub-technique of a scan, read from the command line that ran it.
 *
 * Policy:
 * 1. A process starts (or a poller sees it running) whose executable is a scanning tool
 *    (`knowledge/network-tools.ts`, `knowledge/scanner-options.ts`), or whose interpreter runs
 *    one (`python3 dirsearch.py`). Its options decide the sub-technique (`nmap -sn` sweep:
 *    .001, `nmap -sV`: .002, `gobuster dns`: .003; table in `knowledge/scanner-options.ts`),
 *    and its command-line targets (`targets.ts`) say how much it aims at: an nmap port scan of
 *    one host is .002, of a block .001.
 * 2. The process event is labelled, and one detection opens per (host, process).
 * 3. Every later event of that process is labelled with the same finding and grows the
 *    detection: its socket records (Sysmon 3, auditd connect, osquery sockets) and the network
 *    flows flow-attribution tied to it (`scantag.process.entity_id`; the engine hands a flow on
 *    only once attribution has finished with it, so one without a process never gets one later).
 *
 * Wrappers: `sudo nmap ...` appears twice in telemetry, as sudo (whose command line names nmap)
 * and as its child nmap. Only the process whose executable is the tool is labelled (the child):
 * the wrapper sends no packet, and labelling it would count one scan twice. The reason sentence
 * names the wrapper and the user who ran it (`dlee ran \`sudo nmap ...\``). A scan whose child
 * process the telemetry missed is therefore not labelled from the wrapper alone.
 *
 * Scans from our own hosts are internal by construction: the engine adds ATT&CK T1046.
 */
import ipaddr from 'ipaddr.js'
import type { NetworkEvent, ProcessEvent, ScantagEvent, ScantagProcess, Subtechnique } from '../model.js'
import { formatIsoMicros } from '../parse/time.js'
import type { Correlator, CorrelatorContext, KeyedState, LabelInput } from './api.js'
import { executableKey, networkToolFor, type NetworkTool, type NetworkToolPurpose } from './knowledge/network-tools.js'
import {
  EXTRA_SCANNERS, NMAP_SCAN_TYPES, PRIVILEGE_WRAPPERS, PURPOSE_ACTIVITY, SCANNER_OPTION_RULES,
  type ScannerOptionRule, type TargetScope
} from './knowledge/scanner-options.js'
import { hostAddress, hostKey, type ProcessRecord } from './process-table.js'
import { commandLineTargets, isInterpreter, type CommandLineTargets, type TargetRange } from './targets.js'

/** Tunables of the scanner-process policy. */
export interface ScannerProcessOptions {
  /**
   * Least `weight` (network-tools.ts) for a tool without a deciding rule to count as a scanner.
   * Default 0.8: keeps dedicated scanners (nmap 1, fping 0.9, hping3 0.8, amass 0.8) and leaves
   * out general network programs (ping 0.2, curl/wget 0.1) and passive ones (subfinder 0.6),
   * whose mere execution is no scan.
   */
  minToolWeight?: number
  /**
   * Scanner processes followed at once; the least recently active go first. Default 1,000: the
   * lab's busiest host ran 3 scanners in 5 minutes; a thousand running at once across the
   * monitored hosts is an incident of its own, and the cap bounds memory with the next option.
   */
  maxProcesses?: number
  /**
   * Seconds of event time a scanner process is followed after its last event. Default 86,400:
   * the process table's own retention (process-table.ts), and longer than any lab scan; a
   * full-range nmap of a /16 at default timing takes hours.
   */
  ttlSeconds?: number
  /**
   * Distinct targets and ports remembered per process for the detection's counts (default
   * 1,024; the command line's own target count covers larger scans). Worst case with
   * `maxProcesses`: about a million remembered addresses.
   */
  maxTrackedTargets?: number
  /** Close a detection after this many seconds without an event of its process (default 900, the engine's). */
  idleSeconds?: number
}

/** What a command line is, as far as scanning goes. */
export interface ScannerClassification {
  /** Tool id (`nmap`, `gobuster`, `openvas`, ...). */
  tool: string
  /** Display name. */
  toolName: string
  /** The sub-technique; null when this use of the tool is not a scan. */
  subtechnique: Subtechnique | null
  /** The rule that decided (`nmap-sweep`), or `tool-default`. */
  rule: string
  /** What the run does, e.g. `TCP connect sweep`. */
  activity: string
  /** 0–1. */
  confidence: number
  /** The command line's targets. */
  targets: CommandLineTargets
  /** How the targets are spread. */
  scope: TargetScope
  /** Addresses and names the command line names (server addresses not counted). */
  targetCount: number
  /** Where the targets are, in words: `254 addresses`, `intranet.acme.example`, ``. */
  targetText: string
}

interface ToolRef {
  id: string
  name: string
  purpose: NetworkToolPurpose
  technique: Subtechnique
  weight: number
  network?: NetworkTool
}

/** What is known about one scanner process. */
interface Scanner {
  host: string
  hostName: string
  entityId: string
  ip?: string
  c: ScannerClassification
  reason: string
  detectionId?: string
  firstSeen: number
  lastSeen: number
  events: number
  flows: number
  dsts: Set<string>
  ports: Set<number>
  process: ScantagProcess
  user?: string
}

/** Longest command line quoted in a reason. */
const MAX_QUOTED = 240
/** Arguments read for options (targets.ts reads up to 4,096 itself). */
const MAX_OPTION_ARGS = 1024

const EXTRA: ReadonlyMap<string, ToolRef> = new Map(EXTRA_SCANNERS.flatMap(t =>
  t.executables.map(e => [e, { id: t.id, name: t.name, purpose: t.purpose, technique: t.technique, weight: t.weight }] as const)))

function toolRef (executableOrName: string | undefined): ToolRef | undefined {
  if (executableOrName === undefined || executableOrName === '') return undefined
  const t = networkToolFor(executableOrName)
  if (t !== undefined) return { id: t.id, name: t.name, purpose: t.purpose, technique: t.technique, weight: t.weight, network: t }
  const key = executableKey(executableOrName)
  return EXTRA.get(key) ?? EXTRA.get(key.replace(/\.(py|pl|rb|sh)$/, ''))
}

/**
 * The tool a process runs and where its arguments start: the executable itself, or the script
 * an interpreter runs. A wrapper (`sudo`, `env`) is not the tool: its child is.
 */
function locateTool (args: readonly string[], executable: string | undefined): { tool: ToolRef, at: number } | undefined {
  const image = executable ?? args[0]
  const direct = toolRef(image)
  if (direct !== undefined) return { tool: direct, at: 0 }
  if (image === undefined || !isInterpreter(executableKey(image))) return undefined
  for (let i = 1; i < args.length && i < 16; i++) {
    const a = args[i]
    if (a === '-m') { const t = toolRef(args[i + 1]); return t === undefined ? undefined : { tool: t, at: i + 1 } }
    if (a === '-c' || a === '-e') return undefined
    if (a.startsWith('-')) continue
    const t = toolRef(a)
    return t === undefined ? undefined : { tool: t, at: i }
  }
  return undefined
}

/** Options that take a value, so that the value is not read as an option or subcommand. */
function valueOptions (tool: NetworkTool | undefined): Set<string> {
  const out = new Set<string>()
  if (tool === undefined) return out
  const add = (a: Partial<NetworkTool['arguments']>): void => {
    for (const list of [a.valueOptions, a.portOptions, a.fileOptions, a.targetOptions, a.domainOptions, a.serverOptions, a.excludeOptions]) {
      for (const o of list ?? []) out.add(o)
    }
  }
  add(tool.arguments)
  for (const sub of Object.values(tool.arguments.subcommands ?? {})) add(sub)
  return out
}

interface ParsedOptions {
  subcommand?: string
  options: string[]
  values: Map<string, string>
  scanLetters: string
}

function readOptions (args: readonly string[], at: number, tool: ToolRef): ParsedOptions {
  const takesValue = valueOptions(tool.network)
  const prefixes = tool.network?.arguments.optionPrefixes ?? ['-']
  const out: ParsedOptions = { options: [], values: new Map(), scanLetters: '' }
  const end = Math.min(args.length, at + MAX_OPTION_ARGS)
  for (let i = at + 1; i < end; i++) {
    const a = typeof args[i] === 'string' ? args[i].slice(0, 4096) : ''
    if (a.length < 2 || !prefixes.includes(a[0])) {
      if (out.subcommand === undefined && out.options.length === 0) out.subcommand = a.toLowerCase()
      continue
    }
    out.options.push(a)
    if (tool.id === 'nmap' && a.length > 2 && a[1] === 's') out.scanLetters += a.slice(2)
    const eq = a.indexOf('=')
    if (eq > 0) out.values.set(a.slice(0, eq), a.slice(eq + 1))
    else if (takesValue.has(a) && i + 1 < end) out.values.set(a, String(args[++i]).slice(0, 4096))
  }
  return out
}

function hasOption (parsed: ParsedOptions, wanted: readonly string[]): boolean {
  for (const w of wanted) {
    const prefix = w.endsWith('*')
    const base = prefix ? w.slice(0, -1) : w
    for (const o of parsed.options) {
      if (o === base || (prefix && o.startsWith(base)) || o.startsWith(base + '=') || o.startsWith(base + ':')) return true
    }
  }
  return false
}

function ruleMatches (rule: ScannerOptionRule, parsed: ParsedOptions, scope: TargetScope): boolean {
  if (rule.subcommands !== undefined && (parsed.subcommand === undefined || !rule.subcommands.includes(parsed.subcommand))) return false
  if (rule.anyOption !== undefined || rule.scanTypeLetters !== undefined) {
    const byOption = rule.anyOption !== undefined && hasOption(parsed, rule.anyOption)
    let byLetter = false
    for (const l of rule.scanTypeLetters ?? '') if (parsed.scanLetters.includes(l)) byLetter = true
    if (!byOption && !byLetter) return false
  }
  if (rule.optionValue !== undefined) {
    let found = false
    for (const o of rule.optionValue.options) {
      const v = parsed.values.get(o)
      if (v !== undefined && v.toLowerCase().split(',').some(x => rule.optionValue?.values.includes(x.trim()))) found = true
    }
    if (!found) return false
  }
  if (rule.scope !== undefined && rule.scope !== scope) return false
  return true
}

/** Addresses in a range (a CIDR's usable hosts, as describeTargets counts them). */
function rangeSize (r: TargetRange): number {
  try {
    const a = ipaddr.parse(r.first).toByteArray()
    const b = ipaddr.parse(r.last).toByteArray()
    let x = 0n
    let y = 0n
    for (const v of a) x = (x << 8n) | BigInt(v)
    for (const v of b) y = (y << 8n) | BigInt(v)
    let n = y - x + 1n
    if (r.family === 4 && r.prefix !== undefined && r.prefix <= 30) n -= 2n
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n)
  } catch {
    return 0
  }
}

function plural (n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : (word.endsWith('s') ? 'es' : 's')}`
}

/** Scope, count and wording of a command line's targets. */
function spread (t: CommandLineTargets): { scope: TargetScope, count: number, text: string } {
  let addresses = 0
  let single: string | undefined
  const servers: string[] = []
  for (const r of t.networks) {
    if (r.role === 'server') { if (servers.length < 2) servers.push(r.text); continue }
    const n = rangeSize(r)
    addresses += n
    if (n === 1) single = r.first
  }
  const names = t.hosts.length
  const files = t.files.length
  const count = Math.min(Number.MAX_SAFE_INTEGER, addresses + names)
  const scope: TargetScope = files > 0 || count > 1 ? 'many' : count === 1 ? 'single' : 'none'
  const parts: string[] = []
  if (addresses === 1 && single !== undefined) parts.push(single)
  else if (addresses > 1) parts.push(plural(addresses, 'address'))
  if (names > 0) parts.push(t.hosts.slice(0, 3).join(', ') + (names > 3 ? ` and ${names - 3} more names` : ''))
  for (const f of t.files.slice(0, 2)) parts.push(`the hosts in ${f}`)
  let text = parts.join(', ')
  if (servers.length > 0) text += `${text === '' ? '' : ' '}through DNS server ${servers.join(', ')}`
  return { scope, count, text }
}

/**
 * Reads a command line: is it a scanning tool, and which T1595 sub-technique does this run of
 * it serve? `args` is the argv (program first, as the splitters in `lib/parse/cmdline.ts` give
 * it); `executable` the process image when the telemetry has it. Returns undefined when the
 * process is no known scanner (wrappers such as `sudo` included: their child is the scanner),
 * and a classification with a `null` sub-technique when the tool is used in a way that does
 * not scan (`fping host1 host2`, `gobuster version`, `amass intel`).
 */
export function classifyCommandLine (args: readonly string[], executable?: string, minToolWeight = 0.8): ScannerClassification | undefined {
  if (!Array.isArray(args)) return undefined
  const found = locateTool(args, executable)
  if (found === undefined) return undefined
  const { tool, at } = found
  const targets = commandLineTargets(args.slice(at), tool.network)
  const { scope, count, text } = spread(targets)
  const parsed = readOptions(args, at, tool)
  const base = { tool: tool.id, toolName: tool.name, targets, scope, targetCount: count, targetText: text }
  let rule: ScannerOptionRule | undefined
  for (const r of SCANNER_OPTION_RULES) {
    if (r.tools.includes(tool.id) && ruleMatches(r, parsed, scope)) { rule = r; break }
  }
  if (rule === undefined) {
    if (tool.weight < minToolWeight) return { ...base, subtechnique: null, rule: 'tool-weight', activity: PURPOSE_ACTIVITY[tool.purpose], confidence: 0 }
    return { ...base, subtechnique: tool.technique, rule: 'tool-default', activity: PURPOSE_ACTIVITY[tool.purpose], confidence: Math.round(tool.weight * 0.85 * 100) / 100 }
  }
  let activity = rule.activity
  if (activity.includes('{scantype}')) {
    const words: string[] = []
    for (const l of parsed.scanLetters) {
      const w = NMAP_SCAN_TYPES[l]
      if (w !== undefined && !words.includes(w)) words.push(w)
    }
    // Without -s letters nmap picks SYN (privileged) or connect: say only "port".
    const kind = words.length > 0 ? words.join('/') : activity.includes('port') ? '' : 'port'
    activity = activity.replace('{scantype}', kind).trim()
  }
  return { ...base, subtechnique: rule.subtechnique, rule: rule.id, activity, confidence: rule.confidence }
}

/** The first `n` members of a set, without copying it whole. */
function firstOf<T> (set: ReadonlySet<T>, n: number): T[] {
  const out: T[] = []
  for (const v of set) { if (out.length >= n) break; out.push(v) }
  return out
}

/** A command line fit for a reason: control characters blanked, long ones cut. */
function quote (cmd: string): string {
  let s = ''
  const n = Math.min(cmd.length, MAX_QUOTED)
  for (let i = 0; i < n; i++) {
    const c = cmd.charCodeAt(i)
    s += c < 0x20 || c === 0x7f || c === 0x60 ? ' ' : cmd[i]
  }
  return cmd.length > MAX_QUOTED ? s + '…' : s
}

/** A user for a sentence: osquery and auditd may only know the numeric uid. */
function userText (user: string | undefined): string {
  if (user === undefined || user === '') return 'an unknown user'
  for (let i = 0; i < user.length; i++) {
    const c = user.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return user
  }
  return `uid ${user}`
}

/** The process as ECS names it, for detections. */
function ecsProcess (rec: ProcessRecord): ScantagProcess {
  const p: ScantagProcess = { entity_id: rec.entityId }
  if (rec.pid !== undefined) p.pid = rec.pid
  if (rec.name !== undefined) p.name = rec.name
  if (rec.executable !== undefined) p.executable = rec.executable
  if (rec.commandLine !== undefined) p.command_line = rec.commandLine
  if (rec.args !== undefined) p.args = rec.args
  if (rec.workingDirectory !== undefined) p.working_directory = rec.workingDirectory
  if (rec.start !== undefined) p.start = formatIsoMicros(rec.start)
  const parent: NonNullable<ScantagProcess['parent']> = {}
  if (rec.parentPid !== undefined) parent.pid = rec.parentPid
  if (rec.parentEntityId !== undefined) parent.entity_id = rec.parentEntityId
  if (rec.parentExecutable !== undefined) parent.executable = rec.parentExecutable
  if (rec.parentCommandLine !== undefined) parent.command_line = rec.parentCommandLine
  if (Object.keys(parent).length > 0) p.parent = parent
  return p
}

/** The process record an endpoint event is about (flow-attribution has already applied it). */
function recordOf (ev: ProcessEvent, ctx: CorrelatorContext): ProcessRecord | undefined {
  const id = ev.process.entityId
  if (id !== undefined) {
    const rec = ctx.processes.get(id)
    if (rec !== undefined) return rec
  }
  if (ev.process.pid !== undefined) return ctx.processes.findByPid(hostKey(ev.host.name), ev.process.pid, ev.time, 1)
  return undefined
}

function checkNumber (name: string, v: number | undefined, min: number, integer: boolean): void {
  if (v === undefined) return
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new TypeError(`scanner-process: ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(v)}`)
  }
}

const OPTION_NAMES = ['minToolWeight', 'maxProcesses', 'ttlSeconds', 'maxTrackedTargets', 'idleSeconds']

/** Creates the scanner-process correlator. */
export function scannerProcess (options: ScannerProcessOptions = {}): Correlator {
  if (options === null || typeof options !== 'object') throw new TypeError('scanner-process: options must be an object')
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new TypeError(`scanner-process: unknown option "${key}" (known: ${OPTION_NAMES.join(', ')})`)
  }
  checkNumber('minToolWeight', options.minToolWeight, 0, false)
  checkNumber('maxProcesses', options.maxProcesses, 1, true)
  checkNumber('ttlSeconds', options.ttlSeconds, 1, false)
  checkNumber('maxTrackedTargets', options.maxTrackedTargets, 1, true)
  checkNumber('idleSeconds', options.idleSeconds, 1, false)
  const minToolWeight = options.minToolWeight ?? 0.8
  const maxProcesses = options.maxProcesses ?? 1000
  const ttlSeconds = options.ttlSeconds ?? 86_400
  const maxTracked = options.maxTrackedTargets ?? 1024
  const idleSeconds = options.idleSeconds ?? 900

  let scanners: KeyedState<Scanner>

  function init (ctx: CorrelatorContext): void {
    if (scanners !== undefined) return
    scanners = ctx.state('scanners', { max: maxProcesses, ttlSeconds })
  }

  function label (s: Scanner): LabelInput {
    const l: LabelInput = { subtechnique: s.c.subtechnique, confidence: s.c.confidence, reason: s.reason }
    if (s.detectionId !== undefined) l.detection = s.detectionId
    if (s.ip !== undefined) l.source = s.ip
    return l
  }

  /** Stores the scanner and opens or grows its detection; false when its host is allow-listed. */
  function update (s: Scanner, ctx: CorrelatorContext): boolean {
    scanners.set(s.entityId, s)
    if (s.ip !== undefined && ctx.isAllowed(s.ip, s.c.subtechnique === null ? undefined : { subtechnique: s.c.subtechnique })) return false
    const seen = s.flows > 0 ? `; ${plural(s.flows, 'attributed network event')} to ${plural(s.dsts.size, 'address')}${s.dsts.size >= maxTracked ? ' or more' : ''} so far` : ''
    const cmdPorts: number[] = []
    for (const [a, b] of s.c.targets.ports) for (let p = a; p <= b && cmdPorts.length < 10; p++) cmdPorts.push(p)
    let named = 0
    for (const [a, b] of s.c.targets.ports) named += b - a + 1
    const portCount = Math.max(s.ports.size, named)
    const det = ctx.detect({
      key: `${s.host}|${s.entityId}`,
      subtechnique: s.c.subtechnique,
      sourceIp: s.ip ?? '',
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      targetCount: Math.max(s.c.targetCount, s.dsts.size),
      portCount,
      eventCount: s.events,
      sampleTargets: s.dsts.size > 0 ? firstOf(s.dsts, 10) : (s.c.targetText === '' ? [] : [s.c.targetText]),
      samplePorts: s.ports.size > 0 ? firstOf(s.ports, 10) : cmdPorts,
      confidence: s.c.confidence,
      reason: s.reason + seen,
      idleSeconds,
      process: s.process,
      host: { name: s.hostName },
      ...(s.user !== undefined ? { user: { name: s.user } } : {})
    })
    s.detectionId = det.id
    return true
  }

  /** A scanner process starts (or is seen running). */
  function onStart (ev: ProcessEvent, ctx: CorrelatorContext): void {
    const rec = recordOf(ev, ctx)
    const entityId = rec?.entityId ?? ev.process.entityId
    if (entityId === undefined) return
    const known = scanners.get(entityId)
    const args = ev.process.args ?? rec?.args ?? []
    if (known !== undefined && (known.process.command_line !== undefined || args.length === 0)) {
      known.events++
      known.lastSeen = Math.max(known.lastSeen, ev.time ?? known.lastSeen)
      if (update(known, ctx)) ctx.tag(ev, label(known))
      return
    }
    const c = classifyCommandLine(args, ev.process.executable ?? rec?.executable, minToolWeight)
    if (c === undefined || c.subtechnique === null) return
    const host = hostKey(ev.host.name)
    const t = ev.time ?? rec?.start ?? ctx.watermark
    const s: Scanner = known ?? {
      host,
      hostName: ev.host.name ?? host,
      entityId,
      c,
      reason: '',
      firstSeen: rec?.start ?? t,
      lastSeen: t,
      events: 0,
      flows: 0,
      dsts: new Set(),
      ports: new Set(),
      process: rec !== undefined ? ecsProcess(rec) : { entity_id: entityId }
    }
    s.c = c
    if (rec !== undefined) s.process = ecsProcess(rec)
    s.events++
    s.ip ??= hostAddress(ev, ctx.config.hosts)
    s.user = rec?.user ?? ev.process.user
    // Who ran it: through a privilege wrapper, the wrapper's user and command line.
    let who = userText(s.user)
    let cmd = ev.process.commandLine ?? rec?.commandLine ?? args.join(' ')
    let as = ''
    const parent = rec !== undefined ? ctx.processes.lineage(rec, 1)[0] : undefined
    const parentExe = rec?.parentExecutable ?? parent?.executable ?? ev.process.parent?.executable
    if (parentExe !== undefined && PRIVILEGE_WRAPPERS.includes(executableKey(parentExe))) {
      const parentCmd = parent?.commandLine ?? rec?.parentCommandLine ?? ev.process.parent?.commandLine
      if (parentCmd !== undefined) cmd = parentCmd
      if (parent?.user !== undefined && parent.user !== s.user) {
        who = userText(parent.user)
        if (s.user !== undefined) as = ` as ${userText(s.user)}`
      }
    }
    s.reason = `${s.hostName}: ${who} ran \`${quote(cmd)}\`${as} (${c.activity}${c.targetText === '' ? '' : ' of ' + c.targetText})`
    if (update(s, ctx)) ctx.tag(ev, label(s))
  }

  /** An event of a scanner process: its socket record or an attributed flow. */
  function onScannerEvent (s: Scanner, ev: ScantagEvent, ctx: CorrelatorContext): void {
    s.events++
    if (ev.time !== undefined && ev.time > s.lastSeen) s.lastSeen = ev.time
    let remote: { ip: string, port?: number } | undefined
    if (ev.category === 'process') {
      if (ev.action === 'connect') remote = ev.socket?.remote
      if (s.ip === undefined && ev.socket?.local?.ip !== undefined) s.ip = hostAddress(ev, ctx.config.hosts)
    } else {
      s.flows++
      const fromHost = ev.src !== undefined && ctx.processes.hostOf(ev.src.ip) === s.host
      remote = fromHost || ev.src === undefined ? ev.dst : ev.src
      if (fromHost && s.ip === undefined) s.ip = ev.src?.ip
    }
    if (remote !== undefined) {
      if (s.dsts.size < maxTracked) s.dsts.add(remote.ip)
      if (remote.port !== undefined && s.ports.size < maxTracked && (ev.category === 'process' || ev.transport !== 'icmp')) s.ports.add(remote.port)
    }
    if (update(s, ctx)) ctx.tag(ev, label(s))
  }

  function onNetwork (ev: NetworkEvent, ctx: CorrelatorContext): void {
    const id = ev.scantag.process?.entity_id
    if (id === undefined) return
    const s = scanners.get(id)
    if (s !== undefined) onScannerEvent(s, ev, ctx)
  }

  return {
    name: 'scanner-process',
    onEvent (ev: ScantagEvent, ctx: CorrelatorContext): void {
      init(ctx)
      if (ev.category === 'network') { onNetwork(ev, ctx); return }
      if (ev.action === 'start' || ev.action === 'snapshot') { onStart(ev, ctx); return }
      if (ev.action === 'connect' || ev.action === 'accept' || ev.action === 'end') {
        const rec = recordOf(ev, ctx)
        const s = rec !== undefined ? scanners.get(rec.entityId) : undefined
        if (s !== undefined) onScannerEvent(s, ev, ctx)
      }
    }
  }
}
