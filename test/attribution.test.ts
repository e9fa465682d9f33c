// Flow-to-process attribution on a real lab scan: Suricata EVE from the wire and the
// workstation's own telemetry (Sysmon, auditd, osquery) from the same moment, with ground truth.
import t from 'tap'
import { createReadStream, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { mergeByTime } from '../lib/merge.js'
import type { NetworkEvent, ProcessEvent, ScantagEvent } from '../lib/model.js'
import { LogReader } from '../lib/parse/reader.js'
import { createEnricher } from '../lib/stream.js'
import { flowAttribution } from '../lib/correlate/attribution.js'
import { CorrelationEngine } from '../lib/correlate/engine.js'

const data = (name: string): string => fileURLToPath(new URL(`../examples/data/${name}`, import.meta.url))

interface Activity { id: string, tool: string, command_lines: string[], start: number, end: number, src_ip: string, dst_ips: string[] }
interface Truth { main_host: { ip: string, hostname: string, user: string }, benign_sources: string[], activities: Activity[] }
const truth = JSON.parse(readFileSync(data('truth.json'), 'utf8')) as Truth

async function enrich (telemetry: string, hosts = [{ name: truth.main_host.hostname, ips: [truth.main_host.ip] }]): Promise<ScantagEvent[]> {
  const inputs = [data('eve.json'), data(`host/${telemetry}`)]
  const readers = inputs.map(f => createReadStream(f).pipe(new LogReader({ input: f })))
  const { stream } = mergeByTime(readers, { lateness: 120 })
  const out: ScantagEvent[] = []
  for await (const ev of stream.pipe(createEnricher({ format: 'event', hosts }))) out.push(ev as ScantagEvent)
  return out
}

/** The activity a flow belongs to: from the scanner, in its time window, to one of its targets. */
function activityOf (ev: NetworkEvent): Activity | undefined {
  const t0 = ev.flowStart ?? ev.time
  if (t0 === undefined || ev.src === undefined || ev.dst === undefined) return undefined
  return truth.activities.find(a => a.src_ip === ev.src?.ip && t0 >= a.start - 1 && t0 <= a.end + 1 && a.dst_ips.includes(ev.dst?.ip ?? ''))
}

/** The truth command line ends with the attributed process's command line (sudo runs nmap as its child). */
const sameCommand = (truthLine: string, attributed: string | undefined): boolean =>
  attributed !== undefined && attributed.length > 0 && truthLine.endsWith(attributed)

const style = (a: Activity): 'connect' | 'raw-syn' | 'icmp' => a.command_lines[0].includes('-sT') ? 'connect' : a.tool === 'fping' ? 'icmp' : 'raw-syn'

for (const telemetry of ['sysmon.jsonl', 'audit.log', 'osqueryd.results.log']) {
  t.test(`lab s02 with ${telemetry}: scanner flows attributed to the right process, benign ones never`, async t => {
    const out = await enrich(telemetry)
    const flows = out.filter((e): e is NetworkEvent => e.category === 'network' && e.kind === 'flow')
    const byStyle = new Map<string, { total: number, right: number }>()
    let benignToScanner = 0
    for (const f of flows) {
      const a = activityOf(f)
      const attributed = f.scantag.process?.command_line
      if (a === undefined) {
        if (f.src?.ip !== truth.main_host.ip && f.scantag.process !== undefined) benignToScanner++
        const cmd = attributed ?? ''
        if (truth.activities.some(x => sameCommand(x.command_lines[0], cmd))) benignToScanner++
        continue
      }
      const s = byStyle.get(style(a)) ?? { total: 0, right: 0 }
      s.total++
      if (sameCommand(a.command_lines[0], attributed)) s.right++
      byStyle.set(style(a), s)
    }
    for (const [name, s] of byStyle) t.comment(`${telemetry} ${name}: ${s.right}/${s.total} = ${(100 * s.right / s.total).toFixed(1)}% attributed to the right command line`)
    const share = (name: string): number => { const s = byStyle.get(name); return s === undefined || s.total === 0 ? NaN : s.right / s.total }
    t.ok((byStyle.get('connect')?.total ?? 0) > 200, 'the connect scan is in the data')
    t.ok(share('connect') >= 0.95, `connect-style scan: ${(100 * share('connect')).toFixed(1)}% >= 95%`)
    t.ok(share('raw-syn') >= 0.8, `raw SYN scan: ${(100 * share('raw-syn')).toFixed(1)}% >= 80%`)
    t.ok(share('icmp') >= 0.8, `ICMP sweep: ${(100 * share('icmp')).toFixed(1)}% >= 80%`)
    t.equal(benignToScanner, 0, 'no benign flow attributed to a scanner process')
    const sample = flows.find(f => f.scantag.attribution?.method === 'exact')
    // osquery reports the numeric uid only.
    const user = telemetry === 'osqueryd.results.log' ? '1001' : truth.main_host.user
    t.match(sample?.scantag, { user: { name: user }, host: { name: truth.main_host.hostname }, attribution: { method: 'exact', confidence: Number } })
    const raw = flows.find(f => f.scantag.attribution?.method === 'host-time')
    t.match(raw?.scantag.attribution, { method: 'host-time', rule: 'targets', reason: /command line targets 10\.1\.2\.0\/24/ })
    t.equal(out.length, new Set(out).size, 'every event exactly once')
  })
}

t.test('host addresses are learned from Sysmon network events when no hosts are configured', async t => {
  const out = await enrich('sysmon.jsonl', [])
  const attributed = out.filter(e => e.category === 'network' && e.scantag.process !== undefined)
  t.ok(attributed.length > 200, `${attributed.length} flows attributed without configuration`)
})

t.test('whichever arrives first: the socket record after the flow, within the skew', async t => {
  const flow: NetworkEvent = {
    category: 'network', sensor: 'suricata', format: 'eve', kind: 'alert', input: 'x', line: 1, time: 1000.2, flowStart: 1000,
    src: { ip: '10.0.0.5', port: 40000 }, dst: { ip: '10.0.0.9', port: 443 }, transport: 'tcp', original: {}, scantag: {}
  }
  const connect: ProcessEvent = {
    category: 'process', sensor: 'sysmon', format: 'sysmon', kind: 'sysmon:3', action: 'connect', input: 'y', line: 1, time: 1001.5,
    host: { name: 'ws5' }, process: { pid: 42, entityId: '{g}', executable: '/usr/bin/curl', name: 'curl', commandLine: 'curl https://10.0.0.9/' },
    socket: { transport: 'tcp', local: { ip: '10.0.0.5', port: 40000 }, remote: { ip: '10.0.0.9', port: 443 } }, original: {}, scantag: {}
  }
  const engine = new CorrelationEngine({ correlators: [flowAttribution({ clockSkewSeconds: 5 })], processTable: { hosts: [{ name: 'ws5', ips: ['10.0.0.5'] }] } })
  t.same(engine.push(flow), [], 'the flow waits for its socket')
  const out = engine.push(connect)
  t.equal(out.length, 2)
  t.equal(out[0], flow, 'the released flow leaves first: it is older')
  t.equal(out[1], connect)
  t.match(flow.scantag, { process: { pid: 42, name: 'curl' }, attribution: { method: 'exact', rule: 'five-tuple', skew: 1.5 } })

  // Beyond the skew it is released unattributed (curl is no scanner and names no target).
  const late: NetworkEvent = { ...flow, line: 2, scantag: {} }
  const engine2 = new CorrelationEngine({ correlators: [flowAttribution({ clockSkewSeconds: 1 })], processTable: { hosts: [{ name: 'ws5', ips: ['10.0.0.5'] }] } })
  t.same(engine2.push(late), [])
  const out2 = engine2.push({ ...connect, time: 1007 })
  t.same(out2.map(e => e.category === 'detection' ? -1 : e.line), [2, 1], 'released when the watermark passed flowStart + skew')
  t.equal(late.scantag.process, undefined)
})

t.test('memory stays under the caps with a million connection events', async t => {
  const engine = new CorrelationEngine({
    correlators: [flowAttribution({ maxSockets: 1000, maxPending: 100 })],
    processTable: { maxProcesses: 500, hosts: [{ name: 'busy', ips: ['10.9.0.1'] }] },
    maxHeldEvents: 200
  })
  const events = function * (): Generator<ScantagEvent> {
    for (let i = 0; i < 1_000_000; i++) {
      const time = 1_700_000_000 + i / 1000
      const remote = { ip: `172.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) }
      if (i % 2 === 0) {
        yield {
          category: 'process', sensor: 'sysmon', format: 'sysmon', kind: 'sysmon:3', action: 'connect', input: 'p', line: i + 1, time,
          host: { name: 'busy' }, process: { pid: 1000 + (i % 5000), entityId: `e${i % 5000}`, name: 'app' },
          socket: { transport: 'tcp', local: { ip: '10.9.0.1', port: 2000 + (i % 50000) }, remote }, original: {}, scantag: {}
        }
      } else {
        yield {
          category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input: 'n', line: i + 1, time, flowStart: time,
          src: { ip: '10.9.0.1', port: 9 }, dst: remote, transport: 'tcp', original: {}, scantag: {}
        }
      }
    }
  }
  let out = 0
  let maxProcesses = 0
  for (const ev of events()) {
    out += engine.push(ev).length
    if (engine.processes.size > maxProcesses) maxProcesses = engine.processes.size
  }
  out += engine.end().length
  t.equal(out, 1_000_000, 'every event out once')
  t.ok(maxProcesses <= 500, `process table peaked at ${maxProcesses} <= 500`)
  t.ok(engine.peakHeld <= 200, `held events peaked at ${engine.peakHeld} <= 200`)
  const sockets = (engine as unknown as { stores: Map<string, { size: number }> }).stores.get('flow-attribution:sockets')
  t.ok((sockets?.size ?? 0) <= 1000, `socket store holds ${sockets?.size} <= 1000`)
})

t.test('enricher drop-in: plain telemetry objects are accepted too', async t => {
  const line = readFileSync(data('host/sysmon.jsonl'), 'utf8').split('\n')[0]
  const out: ScantagEvent[] = []
  for await (const ev of Readable.from([JSON.parse(line) as object]).pipe(createEnricher({ format: 'event' }))) out.push(ev as ScantagEvent)
  t.equal(out[0].category, 'process')
  t.equal((out[0] as ProcessEvent).process.executable, '/usr/bin/bash')
})

t.test('attributed records validate against the merge and ecs schemas', async t => {
  const { Ajv2020 } = await import('ajv/dist/2020.js')
  const { toMerge } = await import('../lib/output/merge.js')
  const { toEcs } = await import('../lib/output/ecs.js')
  const ajv = new Ajv2020({ strict: true, allErrors: true })
  const load = (n: string): object => JSON.parse(readFileSync(new URL(`../schemas/${n}`, import.meta.url), 'utf8')) as object
  const validMerge = ajv.compile(load('merge-output.schema.json'))
  const validEcs = ajv.compile(load('ecs-output.schema.json'))
  const out = await enrich('audit.log')
  let attributed = 0
  for (const ev of out) {
    if ((ev as { category: string }).category === 'detection') continue
    if (ev.scantag.attribution !== undefined) attributed++
    if (!validMerge(toMerge(ev))) t.fail(`merge ${ev.input}:${ev.line}: ${ajv.errorsText(validMerge.errors)}`)
    if (!validEcs(toEcs(ev))) t.fail(`ecs ${ev.input}:${ev.line}: ${ajv.errorsText(validEcs.errors)}`)
  }
  t.ok(attributed > 3000, `${attributed} attributed records validated`)
  const ecs = toEcs(out.find(e => (e as { category: string }).category !== 'detection' && e.scantag.attribution?.method === 'exact') as ScantagEvent) as unknown as Record<string, Record<string, unknown>>
  t.match(ecs.process, { name: 'nmap', pid: Number })
  t.match(ecs.user, { name: 'dlee' })
  t.match(ecs.host, { name: 'lnx-ws-041' })
})
