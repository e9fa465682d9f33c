import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { fixture } from './helpers.js'

// The built CLI (npm test builds first), run as a user would.
const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.js')

function run (args: string[], input?: string | Buffer): { code: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, input, encoding: 'buffer', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

const tmp = mkdtempSync(join(tmpdir(), 'scantag-cli-'))

t.test('--help and --version', async t => {
  const help = run(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /Usage: scantag enrich/)
  const v = run(['--version'])
  t.equal(v.code, 0)
  t.match(v.stdout, /^\d+\.\d+\.\d+\n$/)
})

t.test('enrich two inputs: output, dead letters and a reconciled summary', async t => {
  const bad = join(tmp, 'mixed.json')
  writeFileSync(bad, readFileSync(fixture('eve/invented-variants.json')))
  const out = join(tmp, 'out.ndjson')
  const dl = join(tmp, 'dead.ndjson')
  const summaryFile = join(tmp, 'summary.json')
  const r = run(['enrich', fixture('zeek-tsv/irongirl101-conn.log'), bad, '--out', out, '--dead-letter', dl, '--summary', summaryFile])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /records from 2 input\(s\), 1 detection\(s\), 4 dead letter\(s\)/)
  const all = readFileSync(out, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { ts?: number, timestamp?: string, scantag: { detection?: { subtechnique: string } } })
  const lines = all.filter(o => o.scantag.detection === undefined)
  const detectionRecords = all.filter(o => o.scantag.detection !== undefined)
  t.same(detectionRecords.map(d => d.scantag.detection?.subtechnique), ['T1595.002', 'T1595.002'], 'the 1000-port scan: opened, closed')
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
    totals: { records: number, deadLetters: number, dataLines: number, outputRecords: number, reconciled: boolean }
    inputs: Array<{ format: string, records: number }>
    kinds: Record<string, number>
    sensors: Record<string, number>
  }
  t.equal(lines.length, summary.totals.records)
  t.equal(summary.totals.records + summary.totals.deadLetters, summary.totals.dataLines)
  t.equal(summary.totals.reconciled, true)
  t.same(summary.inputs.map(i => i.format), ['zeek-tsv', 'eve'])
  t.equal(summary.sensors.zeek, summary.inputs[0].records)
  const dead = readFileSync(dl, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { input: string, line: number, reason: string, text: string })
  t.same(dead.map(d => d.line), [10, 11, 12, 13])
  t.ok(dead.every(d => d.input === bad && d.reason.length > 0 && typeof d.text === 'string'))
  // Events the detectors held back (scan evidence) leave after the others: order is by time
  // among the events nobody held.
  const times = lines.filter(o => (o as { scantag: { labels?: unknown[] } }).scantag.labels === undefined).map(o => o.ts ?? Date.parse(o.timestamp as string) / 1000)
  t.same(times, [...times].sort((a, b) => a - b), 'unheld events merged in time order')
})

t.test('stdin, gzip and --format ecs', async t => {
  const gz = gzipSync(readFileSync(fixture('eve/nicoaller-sample.json')))
  const r = run(['enrich', '--format', 'ecs', '-q'], gz)
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '', '--quiet')
  const docs = r.stdout.trim().split('\n').map(l => JSON.parse(l) as { event: { module: string }, network?: { community_id?: string } })
  t.equal(docs.length, 4)
  t.ok(docs.every(d => d.event.module === 'suricata'))
})

t.test('--summary - goes to stdout when --out is a file', async t => {
  const out = join(tmp, 'o2.ndjson')
  const r = run(['enrich', fixture('zeek-json/zat-conn.log'), '-o', out, '--summary', '-', '-q'])
  t.equal(r.code, 0)
  const s = JSON.parse(r.stdout) as { totals: { records: number } }
  t.equal(s.totals.records, 3)
})

t.test('config file is validated; flags override it', async t => {
  const good = join(tmp, 'good.json')
  writeFileSync(good, JSON.stringify({ format: 'ecs', lateness: 5 }))
  const r = run(['enrich', '-c', good, fixture('zeek-json/zat-conn.log'), '-q'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /"@timestamp"/)
  const r2 = run(['enrich', '-c', good, '--format', 'merge', fixture('zeek-json/zat-conn.log'), '-q'])
  t.match(r2.stdout, /"scantag":/)
  t.notMatch(r2.stdout, /"@timestamp"/)

  const bad = join(tmp, 'bad.json')
  writeFileSync(bad, JSON.stringify({ format: 'xml', lateness: -1, colour: 'red' }))
  const r3 = run(['enrich', '-c', bad, fixture('zeek-json/zat-conn.log')])
  t.equal(r3.code, 1)
  t.match(r3.stderr, /config file .*bad\.json: /)
  t.match(r3.stderr, /unknown setting "colour"/)
  t.match(r3.stderr, /lateness must be >= 0/)
  t.match(r3.stderr, /format must be one of merge, ecs/)
  const notJson = join(tmp, 'notjson.json')
  writeFileSync(notJson, '{format: ecs}')
  t.match(run(['enrich', '-c', notJson]).stderr, /is not valid JSON/)
})

t.test('exit codes: usage 1, unreadable input 2', async t => {
  t.equal(run(['enrich', '--frobnicate']).code, 1)
  t.equal(run(['scan']).code, 1)
  t.equal(run([]).code, 1)
  const badFlag = run(['enrich', '--lateness', 'soon'])
  t.equal(badFlag.code, 1)
  t.match(badFlag.stderr, /--lateness expects a number, got "soon"/)
  const missing = run(['enrich', join(tmp, 'nope.log')])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /cannot read .*nope\.log: ENOENT/)
  t.equal(run(['enrich', tmp]).code, 2, 'a directory')
  t.equal(run(['enrich', '-', '-']).code, 1, 'stdin twice')
})

t.test('EPIPE: `scantag enrich x | head -1` ends quietly', async t => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" enrich "${join(root, 'examples/data/eve.json')}" | head -1; echo "status=$?"`], { encoding: 'utf8' })
  t.equal(r.stdout.split('\n').filter(l => l.startsWith('{')).length, 1)
  t.notMatch(r.stderr, /Error|at /, 'no stack trace')
})

t.test('examples/pipeline.ts runs as documented', async t => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/pipeline.ts', 'examples/data/conn.log', 'ecs'], { cwd: root, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  t.equal(r.status, 0, r.stderr)
  const all = r.stdout.trim().split('\n').map(l => JSON.parse(l) as { event: { dataset: string, module: string }, source: { ip: string } })
  const docs = all.filter(d => d.event.module !== 'scantag')
  t.equal(docs.length, 2000)
  t.ok(all.length > docs.length, 'and detection documents')
  t.equal(docs[0].event.dataset, 'zeek.connection')
  t.equal(docs[0].source.ip, '192.168.100.103')
  t.match(r.stderr, /2000 records \+ 0 dead letters = 2000 data lines/)
})

t.test('endpoint telemetry is just another input: flows get their process', async t => {
  const out = join(tmp, 'attributed.ndjson')
  const summaryFile = join(tmp, 'attr-summary.json')
  const r = run(['enrich', 'examples/data/eve.json', 'examples/data/host/audit.log', '-c', 'examples/scantag.json', '-o', out, '--summary', summaryFile, '-q'])
  t.equal(r.code, 0, r.stderr)
  const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { sensors: Record<string, number>, attribution: Record<string, number>, totals: { reconciled: boolean, inputRecords: number, dataLines: number } }
  t.equal(s.totals.reconciled, true)
  t.ok(s.totals.inputRecords < s.totals.dataLines, 'audit events span several lines')
  t.equal(s.sensors.auditd, 941)
  t.ok((s.attribution.exact ?? 0) >= 462, `exact: ${s.attribution.exact}`)
  t.ok((s.attribution['host-time'] ?? 0) >= 2565, `host-time: ${s.attribution['host-time']}`)
  const records = readFileSync(out, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { scantag: { process?: { name: string, command_line: string }, user?: { name: string } } })
  t.match(records.find(o => o.scantag.process?.name === 'fping')?.scantag, { user: { name: 'dlee' } }, 'fping ran as the user')
  t.match(records.find(o => o.scantag.process?.command_line.includes('-sS') === true)?.scantag, { user: { name: 'root' } }, 'sudo nmap -sS ran as root')
})

t.test('detections: --detections file, summary, --allow, --plugin', async t => {
  const dets = join(tmp, 'detections.ndjson')
  const summaryFile = join(tmp, 'det-summary.json')
  const r = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'det-out.ndjson'), '--detections', dets, '--summary', summaryFile, '-q', '--plugin', 'test/fixtures/plugins/count-flows.mjs'])
  t.equal(r.code, 0, r.stderr)
  const records = readFileSync(dets, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { subtechnique: string, source: { ip: string }, status: string, correlator: string })
  t.ok(records.some(d => d.correlator === 'horizontal-sweep' && d.subtechnique === 'T1595.001' && d.source.ip === '10.20.30.41'), 'the sweep is detected')
  t.ok(records.every(d => ['open', 'updated', 'closed'].includes(d.status)))
  const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { detections: { count: number, bySubtechnique: Record<string, number>, list: Array<{ source: { ip: string } }> } }
  t.ok(s.detections.count >= 6)
  t.ok((s.detections.bySubtechnique['T1595.001'] ?? 0) >= 6)
  const out = readFileSync(join(tmp, 'det-out.ndjson'), 'utf8')
  t.match(out, /"correlator":"ssh-flow-marker"/, 'the plugin labelled events')

  const allowed = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'allowed.ndjson'), '--summary', summaryFile, '-q', '--allow', '10.20.30.41', '--builtins-off-check'])
  t.equal(allowed.code, 1, 'unknown flag rejected')
  const a2 = run(['enrich', 'examples/data/eve.json', '-o', join(tmp, 'allowed.ndjson'), '--summary', summaryFile, '-q', '--allow', '10.20.30.41/32'])
  t.equal(a2.code, 0, a2.stderr)
  const s2 = JSON.parse(readFileSync(summaryFile, 'utf8')) as { detections: { list: Array<{ source: { ip: string }, correlator: string }> } }
  t.notOk(s2.detections.list.some(d => d.source.ip === '10.20.30.41' && d.correlator !== 'scanner-process'), 'an allowed source is not reported by the network detectors')

  const broken = run(['enrich', 'examples/data/eve.json', '--plugin', 'test/fixtures/plugins/broken.mjs'])
  t.equal(broken.code, 1)
  t.match(broken.stderr, /plugin test\/fixtures\/plugins\/broken\.mjs: its default export must be a correlator/)
  const missing = run(['enrich', 'examples/data/eve.json', '--plugin', 'nope.mjs'])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /cannot load plugin nope\.mjs/)
})

t.test('examples/custom-correlator.ts shows a user-defined label end to end', async t => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/custom-correlator.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  t.equal(r.status, 0, r.stderr)
  t.match(r.stdout, /rdp-probes: 1 detection\(s\); \d+ events labelled from 10\.20\.30\.41/)
  t.match(r.stdout, /10\.20\.30\.41 probed Remote Desktop \(tcp\/3389\) on 3 hosts/)
})

t.test('SIGTERM/SIGINT: what was read is enriched, written and summarised; exit 128+signal', async t => {
  const { spawn } = await import('node:child_process')
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    const out = join(tmp, `sig-${signal}.ndjson`)
    const summaryFile = join(tmp, `sig-${signal}.json`)
    const child = spawn(process.execPath, [cli, 'enrich', '-o', out, '--summary', summaryFile, '-q'], { cwd: root, stdio: ['pipe', 'ignore', 'pipe'] })
    child.stdin.write(readFileSync(join(root, 'examples/data/eve.json')))
    // stdin stays open: the input has not ended when the signal comes.
    const done = new Promise<number | null>(resolve => { child.on('exit', c => { resolve(c) }) })
    await new Promise(resolve => setTimeout(resolve, 1500))
    child.kill(signal)
    const exit = await done
    t.equal(exit, code, `${signal} exits ${code}`)
    const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { totals: { records: number, reconciled: boolean } }
    t.equal(s.totals.records, 3372, 'every line read was processed')
    t.equal(s.totals.reconciled, true)
    const written = readFileSync(out, 'utf8').trim().split('\n').filter(l => !l.includes('"detection":{')).length
    t.equal(written, 3372, 'and written, held events included')
  }
})
