/**
 * Scale-out on NATS JetStream, against a real `nats-server -js`: SCANTAG_NATS_URL (as .ci/run
 * starts it), else a server this test starts on a free port when the `nats-server` binary is
 * installed, else every test here is skipped with the reason.
 *
 * Workers run as child processes of the built CLI (`node dist/cli.js worker`), as a user runs
 * them; input is the lab data in examples/data (a Suricata EVE sweep with the scanning
 * workstation's Sysmon log, and a Zeek TSV nmap scan) and the reference is the single-process
 * `scantag enrich` over the same files.
 */
import t from 'tap'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connect, type NatsConnection } from 'nats'
import { createEnricher, readAny } from '../lib/stream.js'
import { partitionOf, ScannerKeys } from '../lib/partition.js'
import { jetStreamNames } from '../lib/jetstream/names.js'
import { routeFiles } from '../lib/jetstream/route.js'
import { MessageDecoder } from '../lib/jetstream/decode.js'
import { planLeases, GroupView } from '../lib/jetstream/leases.js'
import { decodeCheckpoint, encodeCheckpoint, inRanges, toRanges, CheckpointError, type CheckpointHeader } from '../lib/jetstream/checkpoint.js'
import { stateToText } from '../lib/state-file.js'
import { snapshotEngine, parseState } from '../lib/state-file.js'
import { checkWorkerOptions, PARTITION_HEAP_MIB } from '../lib/jetstream/worker.js'
import type { Detection } from '../lib/model.js'
import { readWorkerStats, type WorkerStats } from '../lib/jetstream/stats.js'
import { reachable, startNatsServer } from './nats-server.js'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.js')
const data = (p: string): string => join(root, 'examples/data', p)
const LAB = [data('eve.json'), data('host/sysmon.jsonl'), data('conn.log')]
const CONFIG = join(root, 'examples/scantag.json')
const SCANNER = '10.20.30.41'
const tmp = mkdtempSync(join(tmpdir(), 'scantag-js-'))

// ---- pure pieces: no server needed ----------------------------------------------------------

t.test('pure pieces: ranges, lease planning, option checks, message decoding', async t => {
  t.same(toRanges([1, 2, 3, 7, 9, 10]), [[1, 3], [7, 7], [9, 10]])
  t.ok(inRanges([[1, 3], [7, 7], [9, 10]], 9))
  t.notOk(inRanges([[1, 3], [7, 7], [9, 10]], 8))

  // Three members, six partitions: each claims its two preferred ones first.
  const live = ['a', 'b', 'c']
  const plan = planLeases({ partitions: 6, me: 'b', live, owned: new Set(), freeSince: () => -Infinity, now: 0, leaseMs: 5000 })
  t.same(plan, { target: 2, claim: [1, 4], release: [] })
  // Holding four while three are live: give one back, not a preferred one.
  const over = planLeases({ partitions: 6, me: 'a', live, owned: new Set([0, 1, 3, 4]), freeSince: () => undefined, now: 0, leaseMs: 5000 })
  t.same(over.release, [4])
  // Alone with six partitions but room for only four: claims four, the rest wait (as lag).
  const capped = planLeases({ partitions: 6, me: 'a', live: ['a'], owned: new Set(), freeSince: () => -Infinity, now: 0, leaseMs: 5000, max: 4 })
  t.same(capped, { target: 4, claim: [0, 1, 2, 3], release: [] })
  t.equal(planLeases({ partitions: 6, me: 'a', live: ['a'], owned: new Set([0, 1, 2, 3]), freeSince: () => -Infinity, now: 0, leaseMs: 5000, max: 4 }).claim.length, 0, 'at its cap it claims no more')
  // The command's 256 MiB old generation (heap limit 304 MiB) holds 4 partitions of 64 MiB.
  t.equal(Math.max(1, Math.floor((304 - 32) / PARTITION_HEAP_MIB)), 4)
  t.throws(() => checkWorkerOptions({ servers: 'nats://127.0.0.1:1', group: 'g', partitions: 4, maxPartitions: 0 }), /maxPartitions/)
  // A lease unchanged for a whole lease time is free.
  const view = new GroupView()
  view.observe('lease.2', 7, 'PUT', '{"worker":"x"}', 1000)
  t.notOk(view.isFree(2, 5999, 5000))
  t.ok(view.isFree(2, 6000, 5000))
  view.observe('lease.2', 8, 'DEL', '', 6500)
  t.equal(view.freeSince(2, 6600, 5000), 6500, 'a released lease is free from its deletion')

  t.throws(() => checkWorkerOptions({ servers: 'nats://x', group: 'bad group', partitions: 4 }), /group must be/)
  t.throws(() => checkWorkerOptions({ servers: 'nats://x', group: 'g', partitions: 0 }), /partitions must be an integer from 1 to 4096/)
  t.throws(() => checkWorkerOptions({ group: 'g', partitions: 4 }), /servers .* is required/)
  t.throws(() => checkWorkerOptions({ servers: 'nats://x', group: 'g', partitions: 4, maxInFlight: 5000 }), /maxInFlight \(5000\) must exceed maxHeldEvents \(10000\) \+ batch \(500\)/)

  const d = new MessageDecoder()
  const eveLine = readFileSync(data('eve.json'), 'utf8').split('\n')[0]
  const ok = d.decode(eveLine, 'eve.json', 1)
  t.equal(ok.events.length, 1)
  t.equal(ok.events[0].raw, eveLine, 'merge output reuses the line as published')
  t.match(d.decode('{"no": "idea"}', 'x', 2).failures[0].reason, /not a Zeek, Suricata EVE/)
  t.match(d.decode('#separator \\x09', 'x', 3).failures[0].reason, /Zeek TSV/)
  t.match(d.decode('{"event_type": ', 'x', 4).failures[0].reason, /invalid JSON/)
  const audit = readFileSync(data('host/audit.log'), 'utf8').split('\n')
  const firstEvent = audit.slice(0, audit.findIndex((l, i) => i > 0 && !l.includes(':7824)')))
  const a = d.decode(firstEvent.join('\n'), 'audit.log', 1)
  t.equal(a.failures.length, 0, 'a raw auditd event, lines joined')
  t.equal(a.events.length, 1)
  t.equal(a.events[0].category, 'process')
})

t.test('checkpoints: round trip through the state document; foreign or corrupt ones are refused', async t => {
  const enricher = createEnricher({ format: 'event' })
  await pipeline(createReadStream(data('eve.json')), readAny({ input: 'eve.json' }), enricher, new Writable({ objectMode: true, write (_c, _e, cb) { cb() } }))
  const state = snapshotEngine(enricher.engine, enricher.engine.correlatorNames)
  const text = stateToText(state)
  t.same(parseState(text), parseState(text), 'the copied encoder writes what parseState reads')
  const header: CheckpointHeader = { format: 'scantag-jetstream-checkpoint', version: 1, group: 'g', partition: 3, partitions: 8, stream: 'S_IN', seq: 42, pending: [[5, 6], [40, 42]], worker: 'w', created: new Date().toISOString() }
  const bytes = await encodeCheckpoint(header, text)
  const back = await decodeCheckpoint(bytes, { group: 'g', partition: 3, partitions: 8, stream: 'S_IN' }, 'cp')
  t.same(back.header, header)
  t.equal(Object.keys(back.state.stores).length, Object.keys(state.stores).length)
  await t.rejects(decodeCheckpoint(bytes, { group: 'g', partition: 3, partitions: 16, stream: 'S_IN' }, 'cp'), /written with 8 partitions, this worker runs 16/)
  await t.rejects(decodeCheckpoint(bytes, { group: 'h', partition: 3, partitions: 8, stream: 'S_IN' }, 'cp'), CheckpointError)
  await t.rejects(decodeCheckpoint(bytes.subarray(0, bytes.length - 20), { group: 'g', partition: 3, partitions: 8, stream: 'S_IN' }, 'cp'), /not gzip|truncated/)
  const badPending = await encodeCheckpoint({ ...header, pending: [[40, 50]] }, text)
  await t.rejects(decodeCheckpoint(badPending, { group: 'g', partition: 3, partitions: 8, stream: 'S_IN' }, 'cp'), /pending ranges must/)
  const badState = await encodeCheckpoint(header, text.replace('"scantag-state"', '"other"'))
  await t.rejects(decodeCheckpoint(badState, { group: 'g', partition: 3, partitions: 8, stream: 'S_IN' }, 'cp'), /not a scantag state file/)
})

// ---- against a server -----------------------------------------------------------------------

/** The server URL, starting one when the binary is there; a reason string when there is none. */
async function natsServer (): Promise<{ url: string, stop: () => void } | string> {
  const env = process.env.SCANTAG_NATS_URL
  if (env !== undefined && env !== '') {
    if (await reachable(env)) return { url: env, stop: () => {} }
    return `SCANTAG_NATS_URL=${env} is not reachable (or has no JetStream)`
  }
  const started = await startNatsServer(join(tmp, 'store'), 50)
  if (typeof started === 'string') return started
  return { url: started.url, stop: () => { started.proc.kill('SIGTERM') } }
}

async function sleep (ms: number): Promise<void> { await new Promise(resolve => setTimeout(resolve, ms)) }

async function waitFor<T> (what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(200)
  }
}

/** Builds dist/ when it is missing or older than the sources (npm test builds first anyway). */
function ensureBuilt (): void {
  const newest = (dir: string): number => Math.max(...readdirSync(dir).map(f => statSync(join(dir, f)).mtimeMs))
  if (existsSync(join(root, 'dist/jetstream/cli.js')) && newest(join(root, 'dist/jetstream')) >= newest(join(root, 'lib/jetstream'))) return
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`)
}

interface Worker { id: string, proc: ChildProcess, stderr: () => string, exit: Promise<number | null> }

function startWorker (url: string, prefix: string, group: string, id: string, partitions: number, extra: string[] = []): Worker {
  const proc = spawn(process.execPath, [cli, 'worker', '--nats', url, '--group', group, '--partitions', String(partitions), '--prefix', prefix, '--id', id,
    '--lease-seconds', '2', '--stats-seconds', '0.5', '--checkpoint-seconds', '0.5', '--idle-flush-seconds', '1.5', '--verbose', ...extra], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  proc.stderr?.on('data', (b: Buffer) => { err += b.toString() })
  const exit = new Promise<number | null>(resolve => { proc.on('exit', (code) => { resolve(code) }) })
  return { id, proc, stderr: () => err, exit }
}

interface OutMsg { subject: string, seq: number, eventId: string | undefined, worker: string | undefined, input: string | undefined, line: string | undefined, body: string }

/** Every message in a stream, in order. */
async function readStream (nc: NatsConnection, stream: string): Promise<OutMsg[]> {
  const jsm = await nc.jetstreamManager()
  const total = (await jsm.streams.info(stream)).state.messages
  const out: OutMsg[] = []
  if (total === 0) return out
  const c = await nc.jetstream().consumers.get(stream)
  const msgs = await c.consume({ max_messages: 1000 })
  for await (const m of msgs) {
    out.push({ subject: m.subject, seq: m.seq, eventId: m.headers?.get('Scantag-Event-Id'), worker: m.headers?.get('Scantag-Worker'), input: m.headers?.get('Scantag-Input'), line: m.headers?.get('Scantag-Line'), body: m.string() })
    if (m.info.pending === 0) break
  }
  await msgs.close()
  return out
}

async function workerStats (nc: NatsConnection, prefix: string, group: string): Promise<WorkerStats[]> {
  return await readWorkerStats(nc, jetStreamNames(prefix).leaseBucket(group))
}

async function leaseOwner (nc: NatsConnection, prefix: string, group: string, p: number): Promise<string | undefined> {
  const kv = await nc.jetstream().views.kv(jetStreamNames(prefix).leaseBucket(group), { bindOnly: true })
  const e = await kv.get(`lease.${p}`)
  return e === null || e.operation !== 'PUT' ? undefined : e.json<{ worker: string }>().worker
}

async function cleanup (nc: NatsConnection, prefix: string, groups: string[]): Promise<void> {
  const names = jetStreamNames(prefix)
  const jsm = await nc.jetstreamManager()
  for (const s of [names.inStream, names.outStream, ...groups.flatMap(g => [`KV_${names.leaseBucket(g)}`, `KV_${names.checkpointBucket(g)}`])]) {
    await jsm.streams.delete(s).catch(() => undefined)
  }
}

/** The single-process run: records (merge lines) and detections. */
function singleRun (inputs: string[], config: string): { records: string[], detections: Detection[] } {
  const out = join(tmp, `single-${Math.random().toString(36).slice(2)}.ndjson`)
  const det = out + '.det'
  const r = spawnSync(process.execPath, [cli, 'enrich', ...inputs, '-c', config, '-o', out, '--detections', det, '-q'], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  const lines = readFileSync(out, 'utf8').trim().split('\n')
  return {
    records: lines.filter(l => !l.startsWith('{"scantag":{"detection"')),
    detections: readFileSync(det, 'utf8').trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Detection)
  }
}

const detectionsOf = (msgs: OutMsg[]): Detection[] => msgs.filter(m => m.subject.endsWith('.detections')).map(m => (JSON.parse(m.body) as { scantag: { detection: Detection } }).scantag.detection)
const scans = (ds: Detection[]): string[] => [...new Set(ds.map(d => `${d.correlator} ${d.source.ip} ${String(d.subtechnique)}`))].sort()

/** Largest event count seen per detection id. */
function finalCounts (ds: Detection[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const d of ds) m.set(d.id, Math.max(m.get(d.id) ?? 0, d.event_count))
  return m
}

async function main (): Promise<void> {
  const server = await natsServer()
  if (typeof server === 'string') {
    // In CI .ci/run starts the server: not reaching it there is a failure, not a skip.
    if (process.env.CI === 'true' && (process.env.SCANTAG_NATS_URL ?? '') !== '') t.fail(server)
    else t.test('JetStream scale-out', { skip: server }, async () => {})
    return
  }
  t.teardown(() => { server.stop() })
  ensureBuilt()
  const url = server.url
  const nc = await connect({ servers: url })
  t.teardown(async () => { await nc.close() })
  const single = singleRun(LAB, CONFIG)

  t.test('two workers give the single-process results: same records byte for byte, same detections', async t => {
    const prefix = `eq${Date.now().toString(36)}`
    const group = 'eq'
    const P = 4
    t.teardown(async () => { await cleanup(nc, prefix, [group]) })
    // A 5 s lease: nothing fails here, and a busy machine must not make a worker look dead.
    const workers = [startWorker(url, prefix, group, 'eqA', P, ['-c', CONFIG, '--lease-seconds', '5']), startWorker(url, prefix, group, 'eqB', P, ['-c', CONFIG, '--lease-seconds', '5'])]
    t.teardown(() => { for (const w of workers) w.proc.kill('SIGKILL') })
    await waitFor('both workers to share the partitions', async () => {
      const s = await workerStats(nc, prefix, group).catch(() => [])
      return s.length === 2 && s.every(w => w.owned.length === P / 2 && w.owned.every(p => p.state === 'running'))
    }, 20_000)

    // The route stage as a user runs it.
    const route = spawnSync(process.execPath, [cli, 'route', '--nats', url, '--partitions', String(P), '--prefix', prefix, '-c', CONFIG, ...LAB], { cwd: root, encoding: 'utf8' })
    t.equal(route.status, 0, route.stderr)
    t.match(route.stderr, new RegExp(`${single.records.length} record\\(s\\) to 4 partition\\(s\\)`))

    const out = await waitFor('every record and the detections', async () => {
      const msgs = await readStream(nc, jetStreamNames(prefix).outStream)
      const records = msgs.filter(m => m.subject.startsWith(`${prefix}.out.`))
      return records.length >= single.records.length && detectionsOf(msgs).length >= new Set(single.detections.map(d => d.id)).size * 2 ? msgs : undefined
    }, 30_000)
    const records = out.filter(m => m.subject.startsWith(`${prefix}.out.`))
    t.equal(records.length, single.records.length, 'no duplicates without failures')
    t.same(records.map(r => r.body).sort(), [...single.records].sort(), 'the merge output is byte-identical to scantag enrich')
    t.equal(new Set(records.map(r => r.eventId)).size, records.length, 'every record has its own event id')
    t.equal(out.filter(m => m.subject === `${prefix}.dead`).length, 0)
    const ds = detectionsOf(out)
    t.same(scans(ds), scans(single.detections), 'same scanners, correlators and sub-techniques')
    t.same(finalCounts(ds), finalCounts(single.detections), 'same detections (ids) with the same final event counts')

    const status = spawnSync(process.execPath, [cli, 'worker', '--status', '--nats', url, '--group', group, '--prefix', prefix], { cwd: root, encoding: 'utf8' })
    t.equal(status.status, 0, status.stderr)
    t.match(status.stdout, /group eq: 4 partition\(s\), 2 worker\(s\) reporting/)
    t.match(status.stdout, /eqA/)

    // SIGTERM: drain, give the partitions back, exit 0.
    for (const w of workers) w.proc.kill('SIGTERM')
    const codes = await Promise.all(workers.map(async w => await w.exit))
    t.same(codes, [0, 0], workers.map(w => w.stderr()).join('\n'))
    for (let p = 0; p < P; p++) t.equal(await leaseOwner(nc, prefix, group, p), undefined, `lease ${p} released`)
  })

  t.test('SIGKILL one of three workers mid-stream: its partitions move, nothing is lost, memory stays bounded', async t => {
    const prefix = `fo${Date.now().toString(36)}`
    const group = 'fo'
    const P = 6
    t.teardown(async () => { await cleanup(nc, prefix, [group]) })
    const workerIds = ['foA', 'foB', 'foC']
    const workers = workerIds.map(id => startWorker(url, prefix, group, id, P, ['-c', CONFIG]))
    t.teardown(() => { for (const w of workers) w.proc.kill('SIGKILL') })
    await waitFor('three workers with two partitions each', async () => {
      const s = await workerStats(nc, prefix, group).catch(() => [])
      return s.length === 3 && s.every(w => w.owned.length === 2 && w.owned.every(p => p.state === 'running'))
    }, 20_000)
    const scannerPartition = partitionOf(SCANNER, P)
    const victimId = await leaseOwner(nc, prefix, group, scannerPartition)
    const victim = workers.find(w => w.id === victimId)
    if (victim === undefined) throw new Error(`no owner of partition ${scannerPartition}`)

    const hosts = (JSON.parse(readFileSync(CONFIG, 'utf8')) as { hosts: Array<{ name: string, ips: string[] }> }).hosts
    const routed = routeFiles(LAB, { servers: url, partitions: P, prefix, hosts, rate: 1500 })
    // Kill the scanner's worker once it has been working on the scan for a while.
    await waitFor('the scan to be under way', async () => {
      const s = (await workerStats(nc, prefix, group)).find(w => w.worker === victimId)
      const ps = s?.owned.find(p => p.partition === scannerPartition)
      return ps !== undefined && ps.received >= 800 && ps.checkpoint !== null
    }, 30_000)
    victim.proc.kill('SIGKILL')
    const killedAt = Date.now()
    const lastStats = (await workerStats(nc, prefix, group)).find(w => w.worker === victimId)
    const newOwner = await waitFor('another worker to take the scanner partition over', async () => {
      const o = await leaseOwner(nc, prefix, group, scannerPartition)
      return o !== undefined && o !== victimId ? o : undefined
    }, 15_000)
    const takeover = (Date.now() - killedAt) / 1000
    t.ok(takeover < 2 * 2 + 2, `taken over by ${newOwner} within ${takeover.toFixed(1)} s (lease 2 s)`)
    const stats = await routed
    t.equal(stats.records, single.records.length)

    const survivors = workers.filter(w => w !== victim)
    const out = await waitFor('every input record in the output', async () => {
      const msgs = await readStream(nc, jetStreamNames(prefix).outStream)
      const ids = new Set(msgs.filter(m => m.subject.startsWith(`${prefix}.out.`)).map(m => m.eventId))
      const s = await workerStats(nc, prefix, group)
      const quiet = s.filter(w => w.worker !== victimId).every(w => w.totals.inFlight === 0 && w.totals.held === 0 && w.totals.lag === 0)
      return ids.size >= stats.records && quiet ? msgs : undefined
    }, 40_000)
    const records = out.filter(m => m.subject.startsWith(`${prefix}.out.`))
    const ids = new Set(records.map(m => m.eventId))
    const missing: number[] = []
    for (let seq = 1; seq <= stats.lastSeq; seq++) if (!ids.has(String(seq))) missing.push(seq)
    t.same(missing, [], `every one of ${stats.lastSeq} input messages appears in the output (${records.length} records, ${records.length - ids.size} duplicates after redelivery)`)
    // The original record is untouched (only the scantag object, labels, may differ on a replay).
    const original = (body: string): string => body.slice(0, body.lastIndexOf(',"scantag":'))
    const singleOriginals = new Set(single.records.map(original))
    t.equal(records.filter(r => !singleOriginals.has(original(r.body))).length, 0, 'no record that the single run does not have')
    const byId = new Map<string, Set<string>>()
    for (const r of records) byId.set(r.eventId ?? '', (byId.get(r.eventId ?? '') ?? new Set<string>()).add(original(r.body)))
    t.ok([...byId.values()].every(b => b.size === 1), 'a duplicate is the same record under the same event id')
    const ds = detectionsOf(out)
    for (const scan of scans(single.detections)) t.ok(scans(ds).includes(scan), `detected: ${scan}`)
    t.ok(ds.some(d => d.source.ip === SCANNER), 'the scanner whose worker died is detected')
    const after = (await workerStats(nc, prefix, group)).find(w => w.worker === newOwner)?.owned.find(p => p.partition === scannerPartition)
    t.ok(after?.restoredFrom !== null && after?.restoredFrom !== undefined, 'the new owner restored the partition from its checkpoint')
    t.equal(out.filter(m => m.subject === `${prefix}.dead`).length, 0, 'no dead letters')

    // Memory: every worker's peak RSS (the killed one's last report included) stays bounded.
    const all = [...(await workerStats(nc, prefix, group)), ...(lastStats !== undefined ? [lastStats] : [])]
    for (const w of all) t.ok(w.peakRssBytes < 600 * 1048576, `${w.worker}: peak RSS ${(w.peakRssBytes / 1048576).toFixed(0)} MiB < 600 MiB`)
    for (const w of all) for (const p of w.owned) t.ok(p.inFlight <= 11_000, `in flight bounded on partition ${p.partition}`)
    for (const w of survivors) w.proc.kill('SIGTERM')
    t.same(await Promise.all(survivors.map(async w => await w.exit)), [0, 0])
  })

  t.test('a slow scan that spans the failover is still detected (checkpoint restore)', async t => {
    // horizontal-sweep by its count rule alone (TRW made too cautious to decide within a /24):
    // 250 unanswered addresses per port. The lab's nmap SYN sweep reaches 145-202 addresses per
    // port in the first 1541 lines of eve.json and 200-244 in the rest, so neither half alone is
    // a detection; only detector state carried across the failover makes one.
    const prefix = `ss${Date.now().toString(36)}`
    const group = 'ss'
    const P = 2
    t.teardown(async () => { await cleanup(nc, prefix, [group]) })
    const config = join(tmp, 'slow.json')
    writeFileSync(config, JSON.stringify({ builtins: ['horizontal-sweep'], correlatorOptions: { 'horizontal-sweep': { trwTheta1: 0.79, trwFalsePositiveProbability: 1e-9 } } }))
    const lines = readFileSync(data('eve.json'), 'utf8').split('\n').filter(l => l !== '')
    const first = join(tmp, 'eve-first.json')
    const second = join(tmp, 'eve-second.json')
    writeFileSync(first, lines.slice(0, 1541).join('\n') + '\n')
    writeFileSync(second, lines.slice(1541).join('\n') + '\n')
    const whole = singleRun([data('eve.json')], config).detections
    t.same(scans(whole), [`horizontal-sweep ${SCANNER} T1595.001`], 'the whole capture is a sweep by the count rule')
    t.same(singleRun([first], config).detections, [], 'its first part alone is not')
    t.same(singleRun([second], config).detections, [], 'its second part alone is not')

    const scannerPartition = partitionOf(SCANNER, P)
    const a = startWorker(url, prefix, group, 'ssA', P, ['-c', config, '--idle-flush-seconds', '30'])
    t.teardown(() => { a.proc.kill('SIGKILL') })
    await waitFor('worker A to own both partitions', async () => {
      const s = await workerStats(nc, prefix, group).catch(() => [])
      return s.length === 1 && s[0].owned.length === P && s[0].owned.every(p => p.state === 'running')
    }, 20_000)
    const r1 = await routeFiles([first], { servers: url, partitions: P, prefix })
    t.equal(r1.records, 1541)
    // A checkpoint covering the first part (its held events listed as pending), then a crash.
    await waitFor('a checkpoint at the end of the first part', async () => {
      const s = (await workerStats(nc, prefix, group))[0]
      const ps = s?.owned.find(p => p.partition === scannerPartition)
      return ps?.checkpoint !== null && ps?.checkpoint !== undefined && ps.checkpoint.seq >= ps.lastSeq && ps.received > 0 && s.totals.received >= r1.records
    }, 20_000)
    a.proc.kill('SIGKILL')
    await a.exit

    const b = startWorker(url, prefix, group, 'ssB', P, ['-c', config])
    t.teardown(() => { b.proc.kill('SIGKILL') })
    const r2 = await routeFiles([second], { servers: url, partitions: P, prefix })
    t.equal(r2.records, lines.length - 1541)
    const out = await waitFor('the sweep detection from worker B and every record', async () => {
      const msgs = await readStream(nc, jetStreamNames(prefix).outStream)
      const ids = new Set(msgs.filter(m => m.subject.startsWith(`${prefix}.out.`)).map(m => m.eventId))
      return ids.size >= lines.length && msgs.some(m => m.subject.endsWith('.detections') && m.worker === 'ssB') ? msgs : undefined
    }, 30_000)
    const ds = detectionsOf(out)
    t.same(scans(ds), scans(whole), 'detected after the failover, as in the single run over the whole capture')
    t.ok(Math.max(...ds.map(d => d.target_count)) >= 250, `target count ${Math.max(...ds.map(d => d.target_count))}: both parts counted`)
    t.ok(out.filter(m => m.subject.endsWith('.detections')).every(m => m.worker === 'ssB'), 'by the worker that took over')
    const restored = (await workerStats(nc, prefix, group)).find(w => w.worker === 'ssB')?.owned.find(p => p.partition === scannerPartition)?.restoredFrom
    t.equal(restored?.worker, 'ssA', 'from worker A\'s checkpoint')
    t.ok((restored?.seq ?? 0) > 0)
    const ids = new Set(out.filter(m => m.subject.startsWith(`${prefix}.out.`)).map(m => m.eventId))
    t.equal(ids.size, lines.length, 'every record output at least once')
    b.proc.kill('SIGTERM')
    t.equal(await b.exit, 0, b.stderr())
  })

  t.test('a worker that joins gets its share: partitions are given back gracefully, nothing lost', async t => {
    const prefix = `rb${Date.now().toString(36)}`
    const group = 'rb'
    const P = 4
    t.teardown(async () => { await cleanup(nc, prefix, [group]) })
    const a = startWorker(url, prefix, group, 'rbA', P, ['-c', CONFIG, '--lease-seconds', '5'])
    t.teardown(() => { a.proc.kill('SIGKILL') })
    await waitFor('worker A to own every partition', async () => {
      const s = await workerStats(nc, prefix, group).catch(() => [])
      return s.length === 1 && s[0].owned.length === P && s[0].owned.every(p => p.state === 'running')
    }, 20_000)
    const hosts = (JSON.parse(readFileSync(CONFIG, 'utf8')) as { hosts: Array<{ name: string, ips: string[] }> }).hosts
    const r1 = await routeFiles([data('eve.json'), data('host/sysmon.jsonl')], { servers: url, partitions: P, prefix, hosts })
    const b = startWorker(url, prefix, group, 'rbB', P, ['-c', CONFIG, '--lease-seconds', '5'])
    t.teardown(() => { b.proc.kill('SIGKILL') })
    await waitFor('two partitions each', async () => {
      const s = await workerStats(nc, prefix, group).catch(() => [])
      return s.length === 2 && s.every(w => w.owned.length === P / 2 && w.owned.every(p => p.state === 'running'))
    }, 30_000)
    const r2 = await routeFiles([data('conn.log')], { servers: url, partitions: P, prefix, hosts })
    const total = r1.records + r2.records
    const out = await waitFor('every record', async () => {
      const msgs = await readStream(nc, jetStreamNames(prefix).outStream)
      return new Set(msgs.filter(m => m.subject.startsWith(`${prefix}.out.`)).map(m => m.eventId)).size >= total ? msgs : undefined
    }, 30_000)
    t.equal(new Set(out.filter(m => m.subject.startsWith(`${prefix}.out.`)).map(m => m.eventId)).size, total, `all ${total} records`)
    t.equal(out.filter(m => m.subject === `${prefix}.dead`).length, 0)
    t.match(a.stderr(), /giving it back/, 'A gave partitions back')
    t.same(scans(detectionsOf(out)), scans(single.detections), 'same scanners and sub-techniques')
    a.proc.kill('SIGTERM')
    b.proc.kill('SIGTERM')
    t.same([await a.exit, await b.exit], [0, 0])
  })

  t.test('route --from a raw subject (as a Vector nats sink publishes): right partitions, dead letters, every raw message acknowledged', async t => {
    const prefix = `rf${Date.now().toString(36)}`
    const group = 'rf'
    const P = 5 // the lab's four sources land on three of five partitions: two must stay empty
    const names = jetStreamNames(prefix)
    const raw = `${prefix}.raw`
    const durable = 'scantag-route-' + raw.replace(/[^A-Za-z0-9_-]/g, '_')
    const jsm = await nc.jetstreamManager()
    t.teardown(async () => {
      await cleanup(nc, prefix, [group])
      await jsm.streams.delete(names.rawStream).catch(() => undefined)
    })

    // The route stage as a user runs it, and one worker over every partition.
    const route = spawn(process.execPath, [cli, 'route', '--nats', url, '--from', raw, '--partitions', String(P), '--prefix', prefix], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
    let routeErr = ''
    route.stderr?.on('data', (b: Buffer) => { routeErr += b.toString() })
    const routeExit = new Promise<number | null>(resolve => { route.on('exit', code => { resolve(code) }) })
    t.teardown(() => { route.kill('SIGKILL') })
    const worker = startWorker(url, prefix, group, 'rfA', P, ['-c', CONFIG])
    t.teardown(() => { worker.proc.kill('SIGKILL') })

    // Core NATS publishes are only stored once a stream captures the subject: route creates it.
    const rawStream = await waitFor('route to create the raw stream', async () => await jsm.streams.find(raw).catch(() => undefined), 15_000)
    t.equal(rawStream, names.rawStream, `no stream captured ${raw}: route created ${names.rawStream}`)

    // The real capture, line by line as Vector's nats sink publishes it (plain core publishes, no
    // JetStream acknowledgement), with two lines no sensor writes in the middle and at the end.
    const lines = readFileSync(data('eve.json'), 'utf8').split('\n').filter(l => l !== '')
    const truncated = lines[7].slice(0, Math.floor(lines[7].length / 2))
    const published = [...lines.slice(0, 1000), 'not json', ...lines.slice(1000), truncated]
    const badSeq = new Map([['not json', 1001], [truncated, published.length]])
    for (const text of published) nc.publish(raw, text)
    await nc.flush()
    await waitFor('the raw stream to store every message', async () => (await jsm.streams.info(rawStream)).state.messages >= published.length, 10_000)
    t.equal((await jsm.streams.info(rawStream)).state.messages, published.length, `the raw stream holds all ${published.length} messages`)

    // Every raw message acknowledged, only once its record (or dead letter) is stored.
    const consumer = await waitFor('every raw message to be acknowledged', async () => {
      const ci = await jsm.consumers.info(rawStream, durable).catch(() => undefined)
      return ci !== undefined && ci.num_pending === 0 && ci.num_ack_pending === 0 && ci.ack_floor.stream_seq === published.length ? ci : undefined
    }, 15_000)
    t.equal(consumer.delivered.stream_seq, published.length, 'every raw message delivered to the route consumer')
    t.equal(consumer.num_redelivered, 0, 'none redelivered')
    const inMsgs = await readStream(nc, names.inStream)
    const out = await readStream(nc, names.outStream)
    const dead = out.filter(m => m.subject === names.dead).map(m => JSON.parse(m.body) as { input: string, line: number, reason: string, text: string, stage?: string })

    // Each readable record on exactly its partition subject, byte for byte as published, in the
    // order the shipper sent it; nothing on the partitions no source hashes to.
    const expected = lines.map(l => names.inSubject(partitionOf((JSON.parse(l) as { src_ip: string }).src_ip, P)))
    const keys = new ScannerKeys()
    const decoder = new MessageDecoder()
    t.equal(inMsgs.length, lines.length, `${lines.length} records routed`)
    const wrong = inMsgs.filter(m => {
      const ev = decoder.decode(m.body, raw, 0).events
      return ev.length !== 1 || m.subject !== names.inSubject(partitionOf(keys.keyOf(ev[0]), P))
    })
    t.same(wrong.map(m => `${m.subject}: ${m.body.slice(0, 120)}`), [], 'every record on the partition of its scanner key (ScannerKeys.keyOf, CRC-32 mod P)')
    for (let p = 0; p < P; p++) {
      const subject = names.inSubject(p)
      const want = lines.filter((_l, i) => expected[i] === subject)
      const got = inMsgs.filter(m => m.subject === subject)
      t.same(got.map(m => m.body), want, `${subject}: the ${want.length} records whose src_ip hashes to ${p}, unchanged and in publish order`)
    }
    t.ok(inMsgs.every(m => m.input === raw), 'Scantag-Input names the raw subject')
    const seqOf = new Map<string, number>()
    published.forEach((text, i) => { if (!badSeq.has(text)) seqOf.set(text, i + 1) })
    t.ok(inMsgs.every(m => m.line === String(seqOf.get(m.body))), 'Scantag-Line is the raw stream sequence')

    // The two unreadable lines, each dead-lettered with its reason; nothing else.
    t.equal(dead.length, 2, 'two dead letters')
    const byText = new Map(dead.map(d => [d.text, d]))
    t.match(byText.get('not json'), { input: raw, line: badSeq.get('not json'), stage: 'route', reason: /not a JSON record/ }, "'not json' dead-lettered with its reason and raw sequence")
    t.match(byText.get(truncated), { input: raw, line: badSeq.get(truncated), stage: 'route', reason: /invalid JSON/ }, 'the truncated line dead-lettered with its reason and raw sequence')
    t.equal(inMsgs.length + dead.length, published.length, 'records routed + dead letters = lines published')

    // The worker enriches exactly what was routed, and finds nothing misrouted.
    const records = await waitFor('the worker to output every routed record', async () => {
      const r = (await readStream(nc, names.outStream)).filter(m => m.subject.startsWith(`${prefix}.out.`))
      return new Set(r.map(m => m.eventId)).size >= inMsgs.length ? r : undefined
    }, 15_000)
    t.equal(records.length, inMsgs.length, 'one enriched record per routed record')
    t.same(new Set(records.map(m => m.eventId)), new Set(inMsgs.map(m => String(m.seq))), 'event ids are the input sequences')
    const ws = await waitFor('worker statistics covering every record', async () => {
      const s = (await workerStats(nc, prefix, group))[0]
      return s !== undefined && s.totals.received >= inMsgs.length ? s : undefined
    }, 10_000)
    t.same(ws.owned.map(p => p.misrouted), new Array<number>(P).fill(0), 'the worker counts no misrouted record')

    // SIGTERM: route stops consuming, waits for its publishes, says what it did, exits 0.
    route.kill('SIGTERM')
    t.equal(await routeExit, 0, routeErr)
    const perPartition = Array.from({ length: P }, (_x, p) => inMsgs.filter(m => m.subject === names.inSubject(p)).length)
    t.match(routeErr, `${lines.length} record(s) to ${P} partition(s) of ${names.inStream}`, 'the closing line counts the records')
    t.match(routeErr, `2 dead letter(s), 0 duplicate(s); per partition: ${perPartition.join(' ')}`, 'and the dead letters, and the records per partition as stored')
    worker.proc.kill('SIGTERM')
    t.equal(await worker.exit, 0, worker.stderr())
  })

  t.test('bad options fail fast with what to fix', async t => {
    const r = spawnSync(process.execPath, [cli, 'worker', '--nats', url, '--group', 'no good', '--partitions', '4'], { cwd: root, encoding: 'utf8' })
    t.equal(r.status, 1)
    t.match(r.stderr, /group must be 1 to 64 letters/)
    const r2 = spawnSync(process.execPath, [cli, 'route', '--nats', url, data('eve.json')], { cwd: root, encoding: 'utf8' })
    t.equal(r2.status, 1)
    t.match(r2.stderr, /--partitions is required/)
    const prefix = `op${Date.now().toString(36)}`
    t.teardown(async () => { await cleanup(nc, prefix, ['g']) })
    const w = startWorker(url, prefix, 'g', 'opA', 4)
    await waitFor('the group to exist', async () => (await workerStats(nc, prefix, 'g').catch(() => [])).length === 1, 20_000)
    const r3 = spawnSync(process.execPath, [cli, 'worker', '--nats', url, '--group', 'g', '--partitions', '8', '--prefix', prefix], { cwd: root, encoding: 'utf8', timeout: 30_000 })
    t.equal(r3.status, 1)
    t.match(r3.stderr, /group g runs with 4 partitions .* Start it with --partitions 4/)
    w.proc.kill('SIGTERM')
    t.equal(await w.exit, 0)
    const r4 = spawnSync(process.execPath, [cli, 'route', '--nats', 'nats://127.0.0.1:1', '--partitions', '2', data('eve.json')], { cwd: root, encoding: 'utf8', timeout: 30_000 })
    t.equal(r4.status, 2, r4.stderr)
  })
}

await main()
t.teardown(() => { rmSync(tmp, { recursive: true, force: true }) })
