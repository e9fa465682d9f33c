/**
 * Benchmark inputs: large EVE and Zeek TSV conn.log files built from real records.
 *
 * Every output record is a real record (the lab's Suricata EVE, the bundled Zeek conn.log) with
 * its endpoints, ports, ids and times rewritten, so shapes, field order and the event-type mix
 * stay those of the originals while the traffic looks like a large network: many distinct
 * sources, a few percent of the records from a handful of scanners, times always increasing.
 *
 * The pure pieces (address plan, record rewriting) are exported for reuse; {@link writeInputs}
 * writes the files and caches them in bench/out/ until an option or a source file changes.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { communityId } from '../lib/community-id.js'
import { formatIsoMicros, parseIsoTime } from '../lib/parse/time.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/**
 * The Node flags the `scantag` command runs with: its shebang's (lib/cli.ts), so that the
 * benches measure the heap limit users get.
 */
export const CLI_NODE_FLAGS = (/^#!.*\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s*$/.exec(readFileSync(join(ROOT, 'lib', 'cli.ts'), 'utf8').split('\n')[0])?.[1] ?? '').trim().split(/\s+/).filter(f => f !== '')
export const OUT_DIR = join(ROOT, 'bench', 'out')
const LAB_DIR = join(ROOT, '..', 'shared', 'data', 'lab')
const BUNDLED_EVE = join(ROOT, 'examples', 'data', 'eve.json')
const BUNDLED_CONN = join(ROOT, 'examples', 'data', 'conn.log')

/** Options of {@link writeInputs}. */
export interface GenerateOptions {
  /** Records per file. */
  records: number
  /** Size of the pool of ordinary (non-scanner) source addresses. */
  sources: number
  /** Share of connections handed to the scanners (0 to 1). */
  scannerShare: number
  /** Every record its own connection, so ordinary sources never repeat within the pool (worst case for per-source state). */
  adversarial: boolean
  /** Use the bundled examples even when ../shared is there. */
  noShared: boolean
  /** PRNG seed: the same options give the same bytes, so runs on different days compare. */
  seed: number
}

/** A handful of scanners: the lab's two real ones plus three more outside addresses. */
export const SCANNERS = ['203.0.113.77', '10.20.30.41', '198.51.100.23', '192.0.2.201', '203.0.113.150']
/** Destination ports of ordinary Zeek connections, weighted by repetition. */
export const SERVICE_PORTS = [443, 443, 443, 443, 80, 80, 80, 53, 53, 22, 445, 3389, 8080, 25, 123, 993]
/** The service each sweeping scanner of the Zeek input probes across the block. */
export const SWEEP_PORTS = [445, 3389, 22]
/** Servers that ordinary clients talk to: 10.1.0.1 to 10.1.3.250. */
export const SERVERS = 1000
/** Longest run of records kept on one rewritten connection (see {@link EveGenerator}). */
export const MAX_CONNECTION_RECORDS = 100
/** Largest pool {@link sourceAddress} can number (10.32.0.0 to 10.255.255.255). */
export const MAX_SOURCES = 224 * 65536

/** mulberry32: small, fast, seedable; Math.random cannot be seeded. */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Ordinary source number j as an address from 10.32.0.0 up, clear of the servers and of the lab's nets and scanners. */
export function sourceAddress (j: number): string {
  return `10.${32 + (j >>> 16)}.${(j >>> 8) & 255}.${j & 255}`
}

/** One connection's new endpoints. */
export interface Endpoints {
  scanner: boolean
  /** Scanner number, or ordinary source number. */
  sourceId: number
  src: string
  dst: string
  /** Ephemeral source port. */
  sport: number
}

/**
 * The simulated network: hands out endpoints for new connections, keeps a clock, and counts
 * what it handed out so the report says what the input really was.
 */
export class Network {
  readonly rng: () => number
  /** The pool of ordinary sources, dealt like a deck (see {@link Network.nextSource}). */
  private readonly deck: Int32Array
  private dealt = 0
  private readonly seenSources = new Set<number>()
  private readonly seenScanners = new Set<number>()
  records = 0
  scannerRecords = 0
  /** Epoch seconds of the last record. */
  time: number

  constructor (private readonly opts: GenerateOptions, startTime: number, seed: number) {
    this.rng = mulberry32(seed)
    this.time = startTime
    this.deck = new Int32Array(opts.sources).map((_, i) => i)
  }

  /**
   * Deals the pool in random order, reshuffling as it goes (Fisher-Yates, one step per card):
   * every source is used once before any is used twice, so N connections reach all N sources,
   * and the order differs from round to round.
   */
  private nextSource (): number {
    const d = this.deck
    const p = this.dealt
    const r = p + Math.floor(this.rng() * (d.length - p))
    const card = d[r]
    d[r] = d[p]
    d[p] = card
    this.dealt = p + 1 === d.length ? 0 : p + 1
    return card
  }

  /** Whether the next connection is a scanner's: true for a share {@link GenerateOptions.scannerShare} of draws. */
  drawScanner (): boolean { return this.rng() < this.opts.scannerShare }

  connection (scanner = this.drawScanner()): Endpoints {
    const rng = this.rng
    const sport = 32768 + Math.floor(rng() * 28232) // Linux's ephemeral range
    if (scanner) {
      const i = Math.floor(rng() * SCANNERS.length)
      // Scanners sweep: any host of 10.1.0.0/16.
      return { scanner: true, sourceId: i, src: SCANNERS[i], dst: `10.1.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`, sport }
    }
    const j = this.nextSource()
    const k = Math.floor(rng() * SERVERS)
    return { scanner: false, sourceId: j, src: sourceAddress(j), dst: `10.1.${Math.floor(k / 250)}.${1 + k % 250}`, sport }
  }

  /** Counts one record of `ends` and returns its time: ~1,000 records/s, exponential gaps. */
  record (ends: Endpoints): number {
    this.records++
    if (ends.scanner) { this.scannerRecords++; this.seenScanners.add(ends.sourceId) } else this.seenSources.add(ends.sourceId)
    this.time += -Math.log(1 - this.rng()) * 0.001
    return this.time
  }

  get distinctSources (): number { return this.seenSources.size + this.seenScanners.size }
  get scannersUsed (): number { return this.seenScanners.size }
}

// ---------------------------------------------------------------------------------------------
// Suricata EVE

type Rec = Record<string, unknown>

/** One real EVE line and what rewriting needs from it. */
export interface EveTemplate {
  text: string
  /** Connection key: file number and flow_id, plus the run of {@link MAX_CONNECTION_RECORDS}. */
  key: string
  /** The record's own time, epoch seconds (flow start/end keep their offset to it). */
  time: number
  kind: string
  /** Whether the record belongs to one of the recording's scanners (its truth.json `scanner_sources`). */
  scanner: boolean
}

/** The scanner addresses a lab recording's truth.json (next to its eve.json) names; none when it has no truth file. */
export function scannerSources (eveFile: string): Set<string> {
  const truth = join(dirname(eveFile), 'truth.json')
  if (!existsSync(truth)) return new Set()
  const t = JSON.parse(readFileSync(truth, 'utf8')) as { scanner_sources?: unknown }
  return new Set(Array.isArray(t.scanner_sources) ? t.scanner_sources.filter((s): s is string => typeof s === 'string') : [])
}

/**
 * Reads EVE files into templates; lines that are not EVE records with a time are skipped. The
 * files are interleaved evenly, each in its own order, so that a small --records already mixes
 * all of them instead of holding only the first file's records. A record is a scanner's when
 * either of its addresses is one of the recording's scanners (probes and the answers to them).
 */
export function loadEveTemplates (files: string[]): EveTemplate[] {
  const placed: Array<{ at: number, t: EveTemplate }> = []
  files.forEach((file, f) => {
    const scanners = scannerSources(file)
    const perFlow = new Map<string, number>()
    const mine: EveTemplate[] = []
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (text.trim() === '') continue
      const r = JSON.parse(text) as Rec
      const time = typeof r.timestamp === 'string' ? parseIsoTime(r.timestamp) : undefined
      if (time === undefined || typeof r.event_type !== 'string') continue
      const scanner = scanners.has(String(r.src_ip)) || scanners.has(String(r.dest_ip))
      const flow = `${f}:${String(r.flow_id)}`
      const n = perFlow.get(flow) ?? 0
      perFlow.set(flow, n + 1)
      // ffuf's 4,616 requests share one keep-alive flow; cut such flows into runs so that no
      // single connection decides a whole pass's scanner share.
      mine.push({ text, key: `${flow}:${Math.floor(n / MAX_CONNECTION_RECORDS)}`, time, kind: r.event_type, scanner })
    }
    mine.forEach((t, j) => placed.push({ at: (j + 0.5) / mine.length, t }))
  })
  return placed.sort((a, b) => a.at - b.at).map(p => p.t)
}

/** A rewritten connection: new endpoints, and which original address was its source. */
export interface EveConnection {
  ends: Endpoints
  origSrc: unknown
  flowId: number
  communityId: string | undefined
}

const PROTO_NUMBERS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, 'IPv6-ICMP': 58, SCTP: 132 }

function isoEve (seconds: number): string {
  return formatIsoMicros(seconds).slice(0, -1) + '+0000' // Suricata writes +0000, not Z
}

function shiftIso (v: unknown, delta: number): unknown {
  const t = typeof v === 'string' ? parseIsoTime(v) : undefined
  return t === undefined ? v : isoEve(t + delta)
}

/** Rewrites an (ip, port) key pair of `o` in place: the connection's source side or its destination side. */
function rewriteEnd (o: Rec, ipKey: string, portKey: string, c: EveConnection): void {
  if (!(ipKey in o)) return
  const isSrc = o[ipKey] === c.origSrc
  o[ipKey] = isSrc ? c.ends.src : c.ends.dst
  // Source ports are redrawn; destination ports stay, because the app layer (dns, http, tls) depends on them.
  if (isSrc && typeof o[portKey] === 'number') o[portKey] = c.ends.sport
}

/**
 * Rewrites one parsed EVE record in place for connection `c` at `time`: endpoints (top level
 * and an alert's `flow`), flow_id, community_id, timestamp, and flow start/end shifted along.
 */
export function rewriteEve (o: Rec, c: EveConnection, time: number, templateTime: number): void {
  o.timestamp = isoEve(time)
  if ('flow_id' in o) o.flow_id = c.flowId
  rewriteEnd(o, 'src_ip', 'src_port', c)
  rewriteEnd(o, 'dest_ip', 'dest_port', c)
  if ('community_id' in o && c.communityId !== undefined) o.community_id = c.communityId
  const flow = o.flow
  if (flow !== null && typeof flow === 'object') {
    const f = flow as Rec
    const delta = time - templateTime
    if ('start' in f) f.start = shiftIso(f.start, delta)
    if ('end' in f) f.end = shiftIso(f.end, delta)
    rewriteEnd(f, 'src_ip', 'src_port', c)
    rewriteEnd(f, 'dest_ip', 'dest_port', c)
  }
}

/**
 * Draws each record from one of two pools: the scanners' records (a share
 * {@link GenerateOptions.scannerShare} of draws, given to the handful of {@link SCANNERS}) and
 * everyone else's (the recordings' ordinary clients and servers, given to the large pool of
 * ordinary sources). Each pool is cycled in order, so its event-type mix is the originals';
 * records of one original connection keep sharing one rewritten connection (same endpoints,
 * flow_id and a matching community_id) until the pool starts a new pass.
 */
export class EveGenerator {
  private readonly pools: [EvePool, EvePool]

  constructor (templates: EveTemplate[], readonly net: Network, private readonly adversarial: boolean) {
    if (templates.length === 0) throw new Error('no EVE records to build from')
    const ordinary = templates.filter(t => !t.scanner)
    const scanning = templates.filter(t => t.scanner)
    // Without truth files every record is "ordinary": fall back to one pool for both.
    this.pools = [new EvePool(ordinary.length > 0 ? ordinary : scanning), new EvePool(scanning.length > 0 ? scanning : ordinary)]
  }

  next (): { line: string, kind: string } {
    const scanner = this.net.drawScanner()
    const pool = this.pools[scanner ? 1 : 0]
    const t = pool.next()
    const o = JSON.parse(t.text) as Rec
    // Adversarial: every record is its own connection, so no ordinary source repeats.
    let c = this.adversarial ? undefined : pool.connections.get(t.key)
    if (c === undefined) {
      c = this.newConnection(o, scanner)
      if (!this.adversarial) pool.connections.set(t.key, c)
    }
    rewriteEve(o, c, this.net.record(c.ends), t.time)
    return { line: JSON.stringify(o), kind: t.kind }
  }

  private newConnection (o: Rec, scanner: boolean): EveConnection {
    const ends = this.net.connection(scanner)
    const proto = typeof o.proto === 'string' ? PROTO_NUMBERS[o.proto] : undefined
    const icmp = proto === 1 || proto === 58
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
    // ICMP: type and code stand in for the ports, as in the Community ID spec.
    const sport = icmp ? num(o.icmp_type) : (typeof o.src_port === 'number' ? ends.sport : undefined)
    const dport = icmp ? num(o.icmp_code) : num(o.dest_port)
    return {
      ends,
      origSrc: o.src_ip,
      flowId: Math.floor(this.net.rng() * 2 ** 51),
      // Recomputed so that the sensor's id matches the new endpoints, as a real sensor's would.
      communityId: proto === undefined ? undefined : communityId(proto, ends.src, ends.dst, sport, dport)
    }
  }
}

/** One pool of templates, cycled in order; a new pass starts new connections. */
class EvePool {
  private i = 0
  readonly connections = new Map<string, EveConnection>()
  constructor (private readonly templates: EveTemplate[]) {}

  next (): EveTemplate {
    if (this.i === 0) this.connections.clear()
    const t = this.templates[this.i]
    this.i = (this.i + 1) % this.templates.length
    return t
  }
}

// ---------------------------------------------------------------------------------------------
// Zeek TSV conn.log

/** A Zeek TSV log split into its header block, data rows and trailing `#close`. */
export interface TsvTemplate {
  header: string[]
  rows: string[][]
  trailer: string[]
  /** Column numbers of the rewritten fields. */
  col: { ts: number, uid: number, origH: number, respH: number, respP: number }
}

export function parseConnLog (text: string): TsvTemplate {
  const header: string[] = []
  const rows: string[][] = []
  const trailer: string[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('#')) (rows.length === 0 ? header : trailer).push(line)
    else rows.push(line.split('\t'))
  }
  const fields = header.find(h => h.startsWith('#fields\t'))?.split('\t').slice(1) ?? []
  const at = (name: string): number => {
    const i = fields.indexOf(name)
    if (i < 0) throw new Error(`conn.log has no ${name} column`)
    return i
  }
  return { header, rows, trailer, col: { ts: at('ts'), uid: at('uid'), origH: at('id.orig_h'), respH: at('id.resp_h'), respP: at('id.resp_p') } }
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A Zeek-like connection uid: `C` and 17 base62 characters. */
export function zeekUid (rng: () => number): string {
  let s = 'C'
  for (let i = 0; i < 17; i++) s += BASE62[Math.floor(rng() * 62)]
  return s
}

/** Rewrites one conn.log row (a copy): ts, uid, originator, responder and responder port. */
export function rewriteConnRow (row: string[], col: TsvTemplate['col'], ends: Endpoints, time: number, uid: string, respPort: number): string {
  const r = row.slice()
  r[col.ts] = time.toFixed(6)
  r[col.uid] = uid
  r[col.origH] = ends.src
  r[col.respH] = ends.dst
  r[col.respP] = String(respPort)
  return r.join('\t')
}

// ---------------------------------------------------------------------------------------------
// Writing

/** What one generated file holds. */
export interface InputInfo {
  file: string
  format: 'eve' | 'zeek-tsv'
  /** Where the template records came from. */
  from: string[]
  templates: number
  records: number
  bytes: number
  distinctSources: number
  scanners: number
  scannerShare: number
  /** EVE event types, share of records. */
  kinds?: Record<string, number>
}

export interface Inputs {
  options: GenerateOptions
  eve: InputInfo
  conn: InputInfo
}

/**
 * Gathers lines and writes them in large blocks (one write per line would dominate), to
 * `path`.tmp until closed: no half-written input is ever taken for a finished one.
 */
export class BlockWriter {
  private parts: string[] = []
  private size = 0
  bytes = 0
  private readonly fd: number

  constructor (readonly path: string) { this.fd = openSync(path + '.tmp', 'w') }

  line (s: string): void {
    this.parts.push(s)
    this.size += s.length + 1
    if (this.size >= 1 << 22) this.flush()
  }

  private flush (): void {
    if (this.parts.length === 0) return
    this.bytes += writeSync(this.fd, this.parts.join('\n') + '\n')
    this.parts = []
    this.size = 0
  }

  /** Flushes, closes and renames into place; returns the bytes written. */
  close (): number {
    this.flush()
    closeSync(this.fd)
    renameSync(this.path + '.tmp', this.path)
    return this.bytes
  }
}

/** The lab's EVE files, or the bundled one when ../shared is absent or not wanted. */
export function eveSources (noShared: boolean): string[] {
  if (!noShared && existsSync(LAB_DIR)) {
    const files = readdirSync(LAB_DIR).sort().map(d => join(LAB_DIR, d, 'eve.json')).filter(f => existsSync(f))
    if (files.length > 0) return files
  }
  return [BUNDLED_EVE]
}

function writeEve (opts: GenerateOptions, path: string): InputInfo {
  const from = eveSources(opts.noShared)
  const templates = loadEveTemplates(from)
  const net = new Network(opts, templates[0].time, opts.seed)
  const gen = new EveGenerator(templates, net, opts.adversarial)
  const kinds: Record<string, number> = {}
  const w = new BlockWriter(path)
  for (let n = 0; n < opts.records; n++) {
    const { line, kind } = gen.next()
    kinds[kind] = (kinds[kind] ?? 0) + 1
    w.line(line)
  }
  const bytes = w.close()
  for (const k of Object.keys(kinds)) kinds[k] /= opts.records
  return { file: path, format: 'eve', from, templates: templates.length, records: opts.records, bytes, distinctSources: net.distinctSources, scanners: net.scannersUsed, scannerShare: net.scannerRecords / net.records, kinds }
}

/** A real network's benign and background connections (Stratosphere 010, labelled by its authors). */
const BENIGN_CONN = join(ROOT, '..', 'shared', 'data', 'public', 'stratosphere-security-datasets-for-testing', '010-zeek-mixed', 'data', 'conn.log.labeled')
const PROTO_OF: Record<string, string> = { tcp: '6', udp: '17', icmp: '1' }

/**
 * The rows of a Stratosphere labelled conn.log whose label is Benign or Background, rewritten
 * into `into`'s columns (matched by name; `ip_proto` from `proto`; absent fields unset).
 */
export function benignConnRows (text: string, into: TsvTemplate): string[][] {
  const src = parseConnLog(text)
  const fields = src.header.find(h => h.startsWith('#fields\t'))?.split('\t').slice(1) ?? []
  const target = into.header.find(h => h.startsWith('#fields\t'))?.split('\t').slice(1) ?? []
  const label = fields.indexOf('label')
  const proto = fields.indexOf('proto')
  const from = target.map(name => fields.indexOf(name))
  const ipProto = target.indexOf('ip_proto')
  const rows: string[][] = []
  for (const r of src.rows) {
    const l = label >= 0 ? r[label] : ''
    if (!l.startsWith('Benign') && !l.startsWith('Background')) continue
    const out = from.map(i => (i >= 0 ? r[i] : '-'))
    if (ipProto >= 0 && proto >= 0) out[ipProto] = PROTO_OF[r[proto]] ?? '-'
    rows.push(out)
  }
  return rows
}

function writeConn (opts: GenerateOptions, path: string): InputInfo {
  const tpl = parseConnLog(readFileSync(BUNDLED_CONN, 'utf8'))
  if (tpl.rows.length === 0) throw new Error('no conn.log rows to build from')
  // Scanners replay the bundled nmap SYN scan; everyone else replays real benign traffic when
  // ../shared has it (the bundled log alone is all scan, so without it both pools are the scan).
  const useBenign = !opts.noShared && existsSync(BENIGN_CONN)
  const ordinary = useBenign ? benignConnRows(readFileSync(BENIGN_CONN, 'utf8'), tpl) : tpl.rows
  const from = useBenign ? [BUNDLED_CONN, BENIGN_CONN] : [BUNDLED_CONN]
  const net = new Network(opts, Number(tpl.rows[0][tpl.col.ts]), opts.seed + 1)
  const rng = net.rng
  const w = new BlockWriter(path)
  for (const h of tpl.header) w.line(h)
  let nextScan = 0
  let nextOrdinary = 0
  for (let n = 0; n < opts.records; n++) {
    // A conn.log row is one whole connection: new endpoints for every row.
    let ends = net.connection()
    let row: string[]
    let port: number
    if (ends.scanner) {
      row = tpl.rows[nextScan++ % tpl.rows.length]
      // Scanners scan the way real ones do, so that the correlators find them: even-numbered
      // ones sweep one service across the block (T1595.001), odd-numbered ones walk the ports of
      // one host, as the bundled nmap SYN scan does. A random port to a random host per probe
      // would be neither, and nothing would detect it.
      if (ends.sourceId % 2 === 0) {
        port = SWEEP_PORTS[(ends.sourceId / 2) % SWEEP_PORTS.length]
      } else {
        ends = { ...ends, dst: `10.1.200.${10 + ends.sourceId}` }
        port = 1 + Math.floor(rng() * 65535)
      }
    } else {
      row = ordinary[nextOrdinary++ % ordinary.length]
      // Real benign rows keep their service port; the scan log's rows get a common service.
      const own = Number(row[tpl.col.respP])
      port = useBenign && Number.isInteger(own) ? own : SERVICE_PORTS[Math.floor(rng() * SERVICE_PORTS.length)]
    }
    w.line(rewriteConnRow(row, tpl.col, ends, net.record(ends), zeekUid(rng), port))
  }
  for (const t of tpl.trailer) w.line(t)
  const bytes = w.close()
  return { file: path, format: 'zeek-tsv', from, templates: tpl.rows.length + (useBenign ? ordinary.length : 0), records: opts.records, bytes, distinctSources: net.distinctSources, scanners: net.scannersUsed, scannerShare: net.scannerRecords / net.records }
}

/** Identifies the inputs a set of options and source files produce (sizes and mtimes of the sources and of this file). */
function cacheKey (opts: GenerateOptions): string {
  const files = [fileURLToPath(import.meta.url), BUNDLED_CONN, ...(existsSync(BENIGN_CONN) ? [BENIGN_CONN] : []), ...eveSources(opts.noShared)]
  return JSON.stringify({ opts, files: files.map(f => { const s = statSync(f); return [f, s.size, s.mtimeMs] }) })
}

/**
 * Writes bench/out/eve.json and bench/out/conn.log, or reuses them when bench/out/inputs.json
 * says they were made from the same options and sources (generation takes seconds; reuse keeps
 * repeated runs short).
 */
export function writeInputs (opts: GenerateOptions, log: (msg: string) => void = () => {}): Inputs {
  mkdirSync(OUT_DIR, { recursive: true })
  const metaPath = join(OUT_DIR, 'inputs.json')
  const key = cacheKey(opts)
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { key: string, inputs: Inputs }
    const ok = (i: InputInfo): boolean => existsSync(i.file) && statSync(i.file).size === i.bytes
    if (meta.key === key && ok(meta.inputs.eve) && ok(meta.inputs.conn)) {
      log('reusing the inputs in bench/out/ (same options and sources)')
      return meta.inputs
    }
  } catch { /* no usable cache: generate */ }
  const started = Date.now()
  const eve = writeEve(opts, join(OUT_DIR, 'eve.json'))
  const conn = writeConn(opts, join(OUT_DIR, 'conn.log'))
  log(`generated the inputs in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  const inputs: Inputs = { options: opts, eve, conn }
  writeFileSync(metaPath, JSON.stringify({ key, inputs }, null, 2) + '\n')
  return inputs
}
