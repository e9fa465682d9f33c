/**
 * `npm run bench:memory`: peak memory of the `scantag` command on worst-case state.
 *
 * Each shape is a synthetic log built to fill one detector's per-key state as far as it goes:
 * many keys, each past the point where its state stops being small, all of them active at once
 * (interleaved, as fast scanners send), so that nothing expires before the input ends.
 *
 * - `port-sweep` (vertical-scan, T1595.002): one source probes H hosts × P ports, every host
 *   once per port round, masscan-like. Each (source, host) pair passes 64 ports and switches
 *   its port list to bitmaps.
 * - `wide-sweep` (horizontal-sweep, T1595.001): S sources each sweep D destinations on tcp/23,
 *   each source one destination per round. Each (source, port) pair remembers up to
 *   `maxTargetsPerPair` (512) destinations.
 * - `dns-wordlist` (wordlist-scan, T1595.003): K clients each brute force N names under their own
 *   zone, all NXDOMAIN. Each (client, zone) key remembers up to `maxNamesPerKey` names.
 *
 * The inputs are written to bench/out/memory/ and reused while the options are the same. Each
 * is run through the built command (dist/cli.js) with the Node flags of its shebang, in a fresh
 * process, exactly as users run it, so its heap limit is theirs. A benchmark, not a test: a run
 * that crashes (heap out of memory) is reported as such, and the bench still exits 0.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BlockWriter, CLI_NODE_FLAGS, mulberry32, OUT_DIR, parseConnLog, ROOT, zeekUid } from './generate.js'
import { fixed, formatTable, int, positiveInt } from './table.js'

const MEMORY_DIR = join(OUT_DIR, 'memory')
const CLI = join(ROOT, 'dist', 'cli.js')
const CONN_TEMPLATE = join(ROOT, 'examples', 'data', 'conn.log')
/** 300 MB (10^6 bytes) in MiB, rounded down: the peak a run should stay under. */
const RSS_BUDGET_MIB = Math.floor(300e6 / 1048576)
/** Event time of the first record (2023-11-14T22:13:20Z): fixed, so the same options give the same bytes. */
const START_TIME = 1_700_000_000

const USAGE = `Usage: npm run bench:memory [-- OPTIONS]

  --only SHAPE        run one shape: port-sweep, wide-sweep or dns-wordlist
  --scale F           multiply the repeated dimension (ports, destinations, names) by F,
                      e.g. 0.25 for a quick run; never below 70 ports, 100 destinations,
                      100 names, so that every key still passes its detector's thresholds
  --hosts N           port-sweep: hosts probed (default 9,000)
  --ports N           port-sweep: ports probed on each host (default 80)
  --sources N         wide-sweep: sweeping sources (default 10,000)
  --destinations N    wide-sweep: destinations each source sweeps on tcp/23 (default 520)
  --clients N         dns-wordlist: brute forcing clients (default 2,000)
  --names N           dns-wordlist: names each client asks for under its zone (default 1,500)
  --seed N            PRNG seed of the generated orders and names (default 1)
  --json              print the results as JSON instead of a table

Default sizes are 720,000, 5,200,000 and 3,000,000 records: minutes at the command's
20,000-30,000 records/s. Inputs are kept in bench/out/memory/ and reused while the options
are the same. Run "npm run build" first: the bench runs dist/cli.js.
`

// ---------------------------------------------------------------------------------------------
// Shapes

/** port-sweep: one source, `hosts` × `ports` probes over `seconds`. */
export interface PortSweepShape { hosts: number, ports: number, seconds: number }
/** wide-sweep: `sources` × `destinations` probes of tcp/23 over `seconds`. */
export interface WideSweepShape { sources: number, destinations: number, seconds: number }
/** dns-wordlist: `clients` × `names` NXDOMAIN queries over `seconds`. */
export interface DnsWordlistShape { clients: number, names: number, seconds: number }

export interface Shapes {
  'port-sweep': PortSweepShape
  'wide-sweep': WideSweepShape
  'dns-wordlist': DnsWordlistShape
}
export type ShapeName = keyof Shapes
const SHAPE_NAMES: ShapeName[] = ['port-sweep', 'wide-sweep', 'dns-wordlist']

export const DEFAULT_SHAPES: Shapes = {
  // 9,000 pairs past 64 ports: ~8 KiB of bitmap each, 72 MiB if all were kept.
  'port-sweep': { hosts: 9000, ports: 80, seconds: 600 },
  // 10,000 pairs past the 512-destination cap: the most horizontal-sweep keeps per pair.
  'wide-sweep': { sources: 10_000, destinations: 520, seconds: 600 },
  // 2,000 keys of 1,500 names (dnsenum's dns.txt is 1,505 words), inside one 300 s window.
  'dns-wordlist': { clients: 2000, names: 1500, seconds: 240 }
}

/**
 * Least value of each shape's repeated dimension under --scale: past vertical-scan's 64-port
 * list (bitmaps), past horizontal-sweep's external threshold (25) well into the pair's memory,
 * and twice wordlist-scan's 50 names.
 */
const SCALE_FLOORS = { ports: 70, destinations: 100, names: 100 }

/** The detections each shape should produce with the default policy, per sub-technique. */
export function expectedDetections (name: ShapeName, s: Shapes[ShapeName]): Record<string, number> {
  switch (name) {
    case 'port-sweep': {
      const p = s as PortSweepShape
      // Every host is a vertical scan; every port is also swept across all the hosts.
      return { 'T1595.001': p.ports, 'T1595.002': p.hosts }
    }
    case 'wide-sweep': return { 'T1595.001': (s as WideSweepShape).sources }
    case 'dns-wordlist': return { 'T1595.003': (s as DnsWordlistShape).clients }
  }
}

export function recordsOf (name: ShapeName, s: Shapes[ShapeName]): number {
  switch (name) {
    case 'port-sweep': return (s as PortSweepShape).hosts * (s as PortSweepShape).ports
    case 'wide-sweep': return (s as WideSweepShape).sources * (s as WideSweepShape).destinations
    case 'dns-wordlist': return (s as DnsWordlistShape).clients * (s as DnsWordlistShape).names
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: one function per shape, each a function of its options and seed.

/** What a generator wrote. */
export interface GeneratedFile { file: string, records: number, bytes: number }

/** Fisher-Yates in place with a seeded PRNG. */
function shuffle (a: Int32Array, rng: () => number): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = a[i]; a[i] = a[j]; a[j] = t
  }
  return a
}

const indexes = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i)

/** Address number `i` of a block given by its first two octets: `a.b.0.0` + i (at most 65,536 × 256 minus b). */
function blockAddress (a: number, b: number, i: number): string {
  return `${a}.${b + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}`
}

/** A Zeek conn.log probe: a SYN that got no answer (S0, history `S`), from `src` to `dst`. */
interface Probe { time: number, uid: string, src: string, sport: number, dst: string, dport: number }

/**
 * The header, trailer and a row formatter of a Zeek TSV conn.log, taken from the bundled
 * examples/data/conn.log so that the columns are those of a real one. Unanswered SYNs: no
 * duration or byte counts, one 44-byte packet out, none back.
 */
function connLogFormat (): { header: string[], trailer: string[], row: (p: Probe) => string } {
  const tpl = parseConnLog(readFileSync(CONN_TEMPLATE, 'utf8'))
  const fields = tpl.header.find(h => h.startsWith('#fields\t'))?.split('\t').slice(1) ?? []
  const constant: Record<string, string> = {
    proto: 'tcp',
    conn_state: 'S0',
    // The scanners are outside (TEST-NET and benchmarking addresses), the targets inside.
    local_orig: 'F',
    local_resp: 'T',
    missed_bytes: '0',
    history: 'S',
    orig_pkts: '1',
    orig_ip_bytes: '44',
    resp_pkts: '0',
    resp_ip_bytes: '0',
    ip_proto: '6'
  }
  const template = fields.map(f => constant[f] ?? '-')
  const col = tpl.col
  const origP = fields.indexOf('id.orig_p')
  if (origP < 0) throw new Error(`${CONN_TEMPLATE} has no id.orig_p column`)
  return {
    header: tpl.header,
    trailer: tpl.trailer,
    row: (p: Probe): string => {
      const r = template.slice()
      r[col.ts] = p.time.toFixed(6)
      r[col.uid] = p.uid
      r[col.origH] = p.src
      r[origP] = String(p.sport)
      r[col.respH] = p.dst
      r[col.respP] = String(p.dport)
      return r.join('\t')
    }
  }
}

/**
 * Writes `rounds` rounds of one line per member (host, source, client: `line` makes the line),
 * the members in a new shuffled order each round, so that every key gains in every round and
 * none goes idle; times spread evenly over `seconds`. `header` and `trailer` lines around them.
 */
function writeRounds (file: string, rng: () => number, o: { rounds: number, members: number, seconds: number, header?: string[], trailer?: string[] },
  line: (round: number, member: number, n: number, time: number) => string): GeneratedFile {
  const order = indexes(o.members)
  const total = o.rounds * o.members
  const w = new BlockWriter(file)
  for (const h of o.header ?? []) w.line(h)
  let n = 0
  for (let round = 0; round < o.rounds; round++) {
    shuffle(order, rng)
    for (let k = 0; k < o.members; k++) {
      w.line(line(round, order[k], n, START_TIME + (n + 0.5) * o.seconds / total))
      n++
    }
  }
  for (const t of o.trailer ?? []) w.line(t)
  return { file, records: n, bytes: w.close() }
}

/**
 * port-sweep: 192.0.2.9 probes hosts 10.64.0.0 + i on ports 1 to P. Port by port in a shuffled
 * order, every host once per port in a new shuffled order each time (masscan randomizes both),
 * so that every (source, host) pair gains a port every round and stays active to the end.
 */
export function writePortSweep (file: string, s: PortSweepShape, seed: number): GeneratedFile {
  const rng = mulberry32(seed)
  const conn = connLogFormat()
  const ports = shuffle(indexes(s.ports).map(i => i + 1), rng)
  return writeRounds(file, rng, { rounds: s.ports, members: s.hosts, seconds: s.seconds, header: conn.header, trailer: conn.trailer }, (round, host, n, time) =>
    conn.row({ time, uid: zeekUid(rng), src: '192.0.2.9', sport: 40000 + (n & 8191), dst: blockAddress(10, 64, host), dport: ports[round] }))
}

/**
 * wide-sweep: sources 198.18.0.0 + s (RFC 2544 benchmarking space, outside the default home
 * network: the external threshold applies) sweep the block 10.128.0.0 + j on tcp/23. Each source
 * starts at its own place in the block and walks it in order; each round every source contacts
 * its next destination, the sources in a new shuffled order each round, so every pair grows
 * together and none goes idle.
 */
export function writeWideSweep (file: string, s: WideSweepShape, seed: number): GeneratedFile {
  const rng = mulberry32(seed)
  const conn = connLogFormat()
  const start = Int32Array.from({ length: s.sources }, () => Math.floor(rng() * s.destinations))
  return writeRounds(file, rng, { rounds: s.destinations, members: s.sources, seconds: s.seconds, header: conn.header, trailer: conn.trailer }, (round, src, n, time) => {
    const dst = (start[src] + round) % s.destinations
    return conn.row({ time, uid: zeekUid(rng), src: blockAddress(198, 18, src), sport: 40000 + (n & 8191), dst: blockAddress(10, 128, dst), dport: 23 })
  })
}

/** `n` distinct random lower-case labels of 3 to 12 letters: a wordlist. */
function randomWordlist (n: number, rng: () => number): string[] {
  const words = new Set<string>()
  while (words.size < n) {
    const length = 3 + Math.floor(rng() * 10)
    let w = ''
    for (let i = 0; i < length; i++) w += String.fromCharCode(97 + Math.floor(rng() * 26))
    words.add(w)
  }
  return [...words]
}

/**
 * dns-wordlist: clients 10.100.0.0 + k ask the resolver 10.255.0.53 for `<word>.c<k>.example.com`,
 * every answer NXDOMAIN: a Zeek JSON dns.log, fields as Zeek's JSON writer writes them (an
 * NXDOMAIN record has no answers or TTLs). All clients read the same wordlist (they would run
 * the same tool), each from its own place in it; each round every client asks its next name,
 * the clients in a new shuffled order each round.
 */
export function writeDnsWordlist (file: string, s: DnsWordlistShape, seed: number): GeneratedFile {
  const rng = mulberry32(seed)
  const words = randomWordlist(s.names, rng)
  const start = Int32Array.from({ length: s.clients }, () => Math.floor(rng() * s.names))
  return writeRounds(file, rng, { rounds: s.names, members: s.clients, seconds: s.seconds }, (round, client, _n, time) => JSON.stringify({
    ts: Number(time.toFixed(6)),
    uid: zeekUid(rng),
    'id.orig_h': blockAddress(10, 100, client),
    'id.orig_p': 1024 + Math.floor(rng() * 64512),
    'id.resp_h': '10.255.0.53',
    'id.resp_p': 53,
    proto: 'udp',
    trans_id: Math.floor(rng() * 65536),
    rtt: Number((0.002 + rng() * 0.03).toFixed(6)),
    query: `${words[(start[client] + round) % s.names]}.c${client}.example.com`,
    qclass: 1,
    qclass_name: 'C_INTERNET',
    qtype: 1,
    qtype_name: 'A',
    rcode: 3,
    rcode_name: 'NXDOMAIN',
    AA: false,
    TC: false,
    RD: true,
    RA: true,
    Z: 0,
    rejected: false
  }))
}

/**
 * Input files are named `<zeek path>.<shape>.log`, as rotated Zeek logs are, so that the command
 * reads the log path (conn, dns) from the file name as it does for real ones.
 */
const INPUT_FILES: Record<ShapeName, string> = {
  'port-sweep': 'conn.port-sweep.log',
  'wide-sweep': 'conn.wide-sweep.log',
  'dns-wordlist': 'dns.dns-wordlist.log'
}

function generate (name: ShapeName, file: string, s: Shapes[ShapeName], seed: number): GeneratedFile {
  switch (name) {
    case 'port-sweep': return writePortSweep(file, s as PortSweepShape, seed)
    case 'wide-sweep': return writeWideSweep(file, s as WideSweepShape, seed)
    case 'dns-wordlist': return writeDnsWordlist(file, s as DnsWordlistShape, seed)
  }
}

/**
 * Writes a shape's input, or reuses it when its side file says it was made from the same
 * options, seed and generator (this file and the conn.log template, by size and mtime).
 */
function inputFor (name: ShapeName, s: Shapes[ShapeName], seed: number, log: (msg: string) => void): GeneratedFile {
  const file = join(MEMORY_DIR, INPUT_FILES[name])
  const metaFile = file + '.json'
  const sources = [fileURLToPath(import.meta.url), CONN_TEMPLATE].map(f => { const st = statSync(f); return [f, st.size, st.mtimeMs] })
  const key = JSON.stringify({ name, shape: s, seed, sources })
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { key: string, generated: GeneratedFile }
    if (meta.key === key && existsSync(file) && statSync(file).size === meta.generated.bytes) {
      log(`${name}: reusing ${relative(ROOT, file)} (same options)`)
      return meta.generated
    }
  } catch { /* no usable side file: generate */ }
  const started = Date.now()
  const generated = generate(name, file, s, seed)
  log(`${name}: wrote ${relative(ROOT, file)}, ${int(generated.records)} records, ${fixed(generated.bytes / 1e6, 0)} MB in ${fixed((Date.now() - started) / 1000, 1)} s`)
  writeFileSync(metaFile, JSON.stringify({ key, generated }, null, 2) + '\n')
  return generated
}

// ---------------------------------------------------------------------------------------------
// Running the command

/** One run of the command over one shape. */
export interface RunOutcome {
  exitCode: number | null
  signal: string | null
  /** "ok", "exit N", or the signal, with "heap out of memory" when V8 said so. */
  status: string
  wallSeconds: number
  /** Peak RSS polled from /proc/PID/status (VmHWM) while the command ran: the only figure a crashed run leaves. */
  polledPeakRssMiB?: number
  summary?: CommandSummary
  /** The command's warnings (`scantag: warn: ...`), at most 10. */
  warnings: string[]
  warningCount: number
  /** The end of stderr when the run failed. */
  stderrTail?: string
}

/** The fields of the `--summary` document read here (lib/output/summary.ts). */
interface CommandSummary {
  totals: { records: number, deadLetters: number, reconciled: boolean }
  detections: { count: number, bySubtechnique: Record<string, number> }
  elapsedSeconds: number
  recordsPerSecond: number
  memory: { peakRssMiB: number, heapLimitMiB: number }
}

/** The fields read here, without the rest (the summary lists every detection: 10,000 for wide-sweep). */
function pickSummary (s: CommandSummary): CommandSummary {
  return {
    totals: { records: s.totals.records, deadLetters: s.totals.deadLetters, reconciled: s.totals.reconciled },
    detections: { count: s.detections.count, bySubtechnique: s.detections.bySubtechnique },
    elapsedSeconds: s.elapsedSeconds,
    recordsPerSecond: s.recordsPerSecond,
    memory: { peakRssMiB: s.memory.peakRssMiB, heapLimitMiB: s.memory.heapLimitMiB }
  }
}

/** VmHWM (peak resident set) of a live process, MiB; undefined when /proc cannot tell (not Linux, exited). */
function peakRssOf (pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? undefined : Number(m[1]) / 1024
  } catch {
    return undefined
  }
}

function runCommand (file: string, name: ShapeName): Promise<RunOutcome> {
  const summaryFile = join(MEMORY_DIR, `${name}.summary.json`)
  const deadLetterFile = join(MEMORY_DIR, `${name}.dead-letters.ndjson`)
  rmSync(summaryFile, { force: true }) // a crashed run must not be read with the last run's summary
  const args = [...CLI_NODE_FLAGS, CLI, 'enrich', file, '--out', '/dev/null', '--dead-letter', deadLetterFile, '--summary', summaryFile]
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
  let polled: number | undefined
  // The summary's peak RSS is taken at the end; a run killed by V8 writes none, so poll as well.
  const poll = (): void => {
    const v = child.pid === undefined ? undefined : peakRssOf(child.pid)
    if (v !== undefined) polled = Math.max(polled ?? 0, v)
  }
  const timer = setInterval(poll, 100)
  const warnings: string[] = []
  let warningCount = 0
  let tail = ''
  let partial = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000)
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) {
      if (!l.startsWith('scantag: warn')) continue
      warningCount++
      if (warnings.length < 10) warnings.push(l)
    }
  })
  return new Promise((resolve, reject) => {
    child.on('error', err => { clearInterval(timer); reject(err) })
    child.on('close', (exitCode, signal) => {
      clearInterval(timer)
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
      let summary: CommandSummary | undefined
      try { summary = pickSummary(JSON.parse(readFileSync(summaryFile, 'utf8')) as CommandSummary) } catch { /* none written: the run failed */ }
      const oom = /heap out of memory|Reached heap limit/i.test(tail)
      const status = exitCode === 0 ? 'ok' : `${signal ?? `exit ${String(exitCode)}`}${oom ? ' (heap out of memory)' : ''}`
      resolve({
        exitCode,
        signal,
        status,
        wallSeconds,
        ...(polled !== undefined ? { polledPeakRssMiB: Math.round(polled) } : {}),
        ...(summary !== undefined ? { summary } : {}),
        warnings,
        warningCount,
        ...(exitCode !== 0 ? { stderrTail: tail } : {})
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Report

/** One shape's line of the report. */
interface Row {
  shape: ShapeName
  size: Shapes[ShapeName]
  input: GeneratedFile
  /** Records the command read (undefined when it wrote no summary). */
  records?: number
  deadLetters?: number
  recordsPerSecond?: number
  seconds: number
  /** The summary's peak RSS, else the polled one. */
  peakRssMiB?: number
  heapLimitMiB?: number
  detections?: Record<string, number>
  expectedDetections: Record<string, number>
  status: string
  run: RunOutcome
}

interface Options { shapes: Shapes, only: ShapeName | undefined, seed: number, json: boolean }

function options (log: (msg: string) => void): Options | undefined {
  const { values: v } = parseArgs({
    options: {
      only: { type: 'string' },
      scale: { type: 'string' },
      hosts: { type: 'string' },
      ports: { type: 'string' },
      sources: { type: 'string' },
      destinations: { type: 'string' },
      clients: { type: 'string' },
      names: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (v.help === true) return undefined
  const only = v.only
  if (only !== undefined && !(SHAPE_NAMES as string[]).includes(only)) throw new Error(`--only ${only}: no such shape (shapes: ${SHAPE_NAMES.join(', ')})`)
  const scale = v.scale === undefined ? 1 : Number(v.scale)
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`--scale expects a positive number, got "${String(v.scale)}"`)
  const d = DEFAULT_SHAPES
  /** The repeated dimension, scaled but kept past its detector's thresholds. */
  const scaled = (name: keyof typeof SCALE_FLOORS, given: number): number => {
    if (given < SCALE_FLOORS[name]) log(`warning: --${name} ${given} is below ${SCALE_FLOORS[name]}: the keys may not pass their detector's thresholds, so the state is not the worst case`)
    return scale === 1 ? given : Math.max(SCALE_FLOORS[name], Math.round(given * scale))
  }
  const shapes: Shapes = {
    'port-sweep': { ...d['port-sweep'], hosts: positiveInt('hosts', v.hosts) ?? d['port-sweep'].hosts, ports: scaled('ports', positiveInt('ports', v.ports) ?? d['port-sweep'].ports) },
    'wide-sweep': { ...d['wide-sweep'], sources: positiveInt('sources', v.sources) ?? d['wide-sweep'].sources, destinations: scaled('destinations', positiveInt('destinations', v.destinations) ?? d['wide-sweep'].destinations) },
    'dns-wordlist': { ...d['dns-wordlist'], clients: positiveInt('clients', v.clients) ?? d['dns-wordlist'].clients, names: scaled('names', positiveInt('names', v.names) ?? d['dns-wordlist'].names) }
  }
  // Address blocks: hosts and destinations from 10.64/10.128 (64 × 65,536 each), sources from 198.18.0.0/15.
  const BLOCK = 64 * 65536
  if (shapes['port-sweep'].hosts > BLOCK) throw new Error(`--hosts can be at most ${int(BLOCK)}`)
  if (shapes['port-sweep'].ports > 65535) throw new Error('--ports can be at most 65,535')
  if (shapes['wide-sweep'].sources > 2 * 65536) throw new Error(`--sources can be at most ${int(2 * 65536)} (198.18.0.0/15)`)
  if (shapes['wide-sweep'].destinations > BLOCK) throw new Error(`--destinations can be at most ${int(BLOCK)}`)
  if (shapes['dns-wordlist'].clients > 64 * 65536) throw new Error(`--clients can be at most ${int(64 * 65536)}`)
  return { shapes, only: only as ShapeName | undefined, seed: positiveInt('seed', v.seed) ?? 1, json: v.json === true }
}

/** "T1595.001 80, T1595.002 9,000". */
function formatCounts (counts: Record<string, number> | undefined): string {
  if (counts === undefined) return '-'
  const e = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))
  return e.length === 0 ? 'none' : e.map(([k, n]) => `${k} ${int(n)}`).join(', ')
}

function describeShape (name: ShapeName, s: Shapes[ShapeName]): string {
  switch (name) {
    case 'port-sweep': { const p = s as PortSweepShape; return `1 source × ${int(p.hosts)} hosts × ${int(p.ports)} ports (tcp, S0) over ${p.seconds} s` }
    case 'wide-sweep': { const w = s as WideSweepShape; return `${int(w.sources)} sources × ${int(w.destinations)} destinations on tcp/23 (S0) over ${w.seconds} s` }
    case 'dns-wordlist': { const q = s as DnsWordlistShape; return `${int(q.clients)} clients × ${int(q.names)} names, one zone each, all NXDOMAIN, over ${q.seconds} s` }
  }
}

/** The line of a failed run's stderr that says why: V8's `FATAL ERROR`, an `Error:`, else the last line. */
function failureLine (stderr: string): string {
  const lines = stderr.trim().split('\n')
  return lines.find(l => /FATAL ERROR|Error:/.test(l))?.trim() ?? lines[lines.length - 1] ?? ''
}

/** The newest modification time of the TypeScript sources under lib/, ms. */
function newestSourceMtime (): number {
  let newest = 0
  for (const f of readdirSync(join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' })) {
    if (f.endsWith('.ts')) newest = Math.max(newest, statSync(join(ROOT, 'lib', f)).mtimeMs)
  }
  return newest
}

async function main (): Promise<void> {
  const log = (msg: string): void => { process.stderr.write(msg + '\n') }
  const opts = options(log)
  if (opts === undefined) { process.stdout.write(USAGE); return }
  if (!existsSync(CLI)) throw new Error(`${relative(ROOT, CLI)} is missing: run "npm run build" first`)
  // The bench measures what was built; a stale build would measure old code under new names.
  const stale = newestSourceMtime() > statSync(CLI).mtimeMs
  if (stale) log('warning: lib/ has changed since dist/ was built: run "npm run build" to measure the current code')
  mkdirSync(MEMORY_DIR, { recursive: true })

  const rows: Row[] = []
  for (const name of SHAPE_NAMES.filter(n => opts.only === undefined || n === opts.only)) {
    const size = opts.shapes[name]
    const input = inputFor(name, size, opts.seed, log)
    log(`${name}: running ${relative(ROOT, CLI)} enrich over ${int(input.records)} records...`)
    const run = await runCommand(input.file, name)
    const s = run.summary
    log(`${name}: ${run.status} after ${fixed(run.wallSeconds, 1)} s, peak RSS ${s?.memory.peakRssMiB ?? run.polledPeakRssMiB ?? '?'} MiB`)
    rows.push({
      shape: name,
      size,
      input,
      ...(s !== undefined
        ? { records: s.totals.records, deadLetters: s.totals.deadLetters, recordsPerSecond: s.recordsPerSecond, heapLimitMiB: s.memory.heapLimitMiB, detections: s.detections.bySubtechnique }
        : {}),
      seconds: s?.elapsedSeconds ?? run.wallSeconds,
      ...((s?.memory.peakRssMiB ?? run.polledPeakRssMiB) !== undefined ? { peakRssMiB: s?.memory.peakRssMiB ?? run.polledPeakRssMiB } : {}),
      expectedDetections: expectedDetections(name, size),
      status: run.status,
      run
    })
  }

  const overBudget = rows.filter(r => r.peakRssMiB !== undefined && r.peakRssMiB >= RSS_BUDGET_MIB)
    .map(r => `OVER 300 MB: ${r.shape} peaked at ${int(r.peakRssMiB as number)} MiB resident (budget ${RSS_BUDGET_MIB} MiB = 300 MB)`)
  const notes = rows.flatMap(r => {
    const out: string[] = []
    if (r.status !== 'ok') out.push(`FAILED ${r.shape}: ${r.status}${r.run.stderrTail !== undefined ? `; stderr: ${failureLine(r.run.stderrTail)}` : ''}`)
    if (r.records !== undefined && (r.records !== r.input.records || (r.deadLetters ?? 0) > 0)) out.push(`${r.shape}: ${int(r.records)} records read out of ${int(r.input.records)}, ${int(r.deadLetters ?? 0)} dead letters`)
    if (r.detections !== undefined && formatCounts(r.detections) !== formatCounts(r.expectedDetections)) out.push(`${r.shape}: detections ${formatCounts(r.detections)}, expected ${formatCounts(r.expectedDetections)}`)
    if (r.run.warningCount > 0) out.push(`${r.shape}: ${int(r.run.warningCount)} warnings from the command, first: ${r.run.warnings[0]}`)
    return out
  })
  const heapLimit = rows.find(r => r.heapLimitMiB !== undefined)?.heapLimitMiB
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, nodeFlags: CLI_NODE_FLAGS, staleBuild: stale }

  if (opts.json) {
    process.stdout.write(JSON.stringify({ machine, seed: opts.seed, rssBudgetMiB: RSS_BUDGET_MIB, results: rows, overBudget, notes }, null, 2) + '\n')
    return
  }
  const out = [
    `scantag worst-case state, Node ${machine.node} ${CLI_NODE_FLAGS.join(' ')}, ${machine.cores} × ${machine.cpu}; one run per shape, each in a fresh process`,
    '',
    ...rows.map(r => `${r.shape}: ${describeShape(r.shape, r.size)}; ${relative(ROOT, r.input.file)}, ${fixed(r.input.bytes / 1e6, 0)} MB`),
    '',
    formatTable(
      ['shape', 'records', 'records/s', 'seconds', 'peak RSS MiB', 'detections', 'exit'],
      rows.map(r => [
        r.shape,
        int(r.records ?? r.input.records),
        r.recordsPerSecond === undefined ? '-' : int(r.recordsPerSecond),
        fixed(r.seconds, 1),
        r.peakRssMiB === undefined ? '-' : `${int(r.peakRssMiB)}${r.run.summary === undefined ? ' (polled)' : ''}`,
        formatCounts(r.detections),
        r.status
      ])
    ),
    '',
    `peak RSS: the command's own maxRSS from its --summary (polled from /proc when it wrote none); V8 heap limit ${heapLimit === undefined ? `set by ${CLI_NODE_FLAGS.join(' ')}` : `${heapLimit} MiB`}.`,
    ...overBudget,
    ...notes
  ]
  process.stdout.write(out.join('\n') + '\n')
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:memory: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
