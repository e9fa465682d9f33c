import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProcessEvent } from '../lib/model.js'
import { isOsqueryRecord, osqueryTableOf, osqueryToEvents } from '../lib/parse/osquery.js'
import type { RecordContext } from '../lib/parse/zeek.js'
import { fixture, sharedData } from './helpers.js'

interface Result { events: ProcessEvent[], dead: Array<{ line: number, reason: string }>, lines: string[] }

function readLines (file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

function read (file: string): Result {
  const lines = readLines(file)
  const res: Result = { events: [], dead: [], lines }
  lines.forEach((line, i) => {
    const ctx: RecordContext = { input: 'test', line: i + 1, format: 'zeek-json', communityIdSeed: 0 }
    let r: unknown
    try { r = JSON.parse(line) } catch { res.dead.push({ line: i + 1, reason: 'not JSON' }); return }
    for (const out of osqueryToEvents(r as Record<string, unknown>, ctx, line)) {
      if (typeof out === 'string') res.dead.push({ line: i + 1, reason: out })
      else res.events.push(out)
    }
  })
  return res
}

t.test('lab osquery results (differential, numerics false)', async t => {
  const { events, dead, lines } = read(fixture('telemetry/lab-osquery.log'))
  t.equal(dead.length, 0)
  t.equal(events.length, 18)
  for (const l of lines) t.ok(isOsqueryRecord(JSON.parse(l) as Record<string, unknown>))

  const bash = events[0]
  t.equal(bash.sensor, 'osquery')
  t.equal(bash.format, 'osquery')
  t.equal(bash.kind, 'osquery:process_events')
  t.equal(bash.action, 'start')
  t.equal(bash.time, 1795721937)
  t.same(bash.host, { name: 'lnx-ws-041', os: 'linux' })
  t.same(bash.process, {
    pid: 31200,
    executable: '/usr/bin/bash',
    name: 'bash',
    commandLine: '-bash --noprofile --norc',
    args: ['-bash', '--noprofile', '--norc'],
    workingDirectory: '/home/dlee',
    user: '1001',
    parent: { pid: 31199 },
    start: 1795721937,
    entityId: 'lnx-ws-041|31200|1795721937'
  })
  t.equal(bash.line, 1)
  t.equal(bash.input, 'test')
  t.equal(bash.raw, lines[0])
  t.same(bash.original, JSON.parse(lines[0]), 'original is the whole result of a one-row line')

  const fpingExec = events[3]
  t.same(fpingExec.process.args, ['fping', '-a', '-q', '-r', '1', '-g', '10.1.2.0/24'])

  const fpingSeen = events[4]
  t.equal(fpingSeen.kind, 'osquery:processes')
  t.equal(fpingSeen.action, 'snapshot')
  t.equal(fpingSeen.time, 1795721941, 'unixTime: processes has no time column')
  t.equal(fpingSeen.process.start, 1795721940)
  t.equal(fpingSeen.process.entityId, 'lnx-ws-041|31212|1795721940')
  t.equal(fpingSeen.process.name, 'fping')
  t.equal(fpingSeen.process.workingDirectory, '/home/dlee/work')

  const raw4 = events[5]
  t.equal(raw4.kind, 'osquery:process_open_sockets')
  t.equal(raw4.action, 'listen', 'remote 0.0.0.0:0')
  t.same(raw4.socket, { transport: '255', local: { ip: '0.0.0.0', port: 0 } })
  t.same(raw4.process, { pid: 31212 })
  t.same(raw4.host, { name: 'lnx-ws-041' }, 'no address revealed, no executable to tell the OS')
  t.equal(events[6].action, 'listen', 'remote ::')

  const nmapExec = events[7]
  t.same(nmapExec.process.args, ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'])
  t.equal(nmapExec.process.entityId, 'lnx-ws-041|31242|1795721952')

  const connect = events[8]
  t.equal(connect.kind, 'osquery:socket_events')
  t.equal(connect.action, 'connect', 'success 0 (EINPROGRESS) is still a connect')
  t.equal(connect.time, 1795721952)
  t.same(connect.socket, { transport: 'tcp', remote: { ip: '10.1.2.1', port: 80 } })
  t.same(connect.process, { pid: 31242, executable: '/usr/bin/nmap', name: 'nmap' })
  t.same(events.slice(8, 14).map(e => e.socket?.remote?.ip), ['10.1.2.1', '10.1.2.2', '10.1.2.3', '10.1.2.4', '10.1.2.5', '10.1.2.6'])

  const nmapSeen = events[14]
  t.equal(nmapSeen.action, 'snapshot')
  t.equal(nmapSeen.process.pid, 31242)

  const synSent = events[15]
  t.equal(synSent.action, 'connect')
  t.same(synSent.socket, { transport: 'tcp', local: { ip: '10.20.30.41', port: 44350 }, remote: { ip: '10.1.2.69', port: 80 } })
  t.same(synSent.host.ips, ['10.20.30.41'], 'local address revealed')

  const udp = events[16]
  t.same(udp.socket, { transport: 'udp', local: { ip: '10.20.30.41', port: 41430 }, remote: { ip: '10.1.10.20', port: 1434 } })

  const check = events[17]
  t.equal(check.host.name, 'mon01')
  t.same(check.socket, { transport: 'tcp', remote: { ip: '10.1.2.11', port: 80 } })
  t.equal(check.process.executable, '/usr/lib/nagios/plugins/check_http')
})

t.test('invented osquery variants: snapshot, batch, numerics, bind/accept, pack names, Windows, broken rows', async t => {
  const { events, dead, lines } = read(fixture('telemetry/invented-osquery.log'))
  const on = (line: number): ProcessEvent[] => events.filter(e => e.line === line)

  // 1: snapshot with numbers
  const [sshd, masscan] = on(1)
  t.equal(on(1).length, 2)
  t.equal(sshd.kind, 'osquery:processes_snapshot')
  t.equal(sshd.action, 'snapshot')
  t.equal(sshd.time, 1700000000)
  t.equal(sshd.process.entityId, 'web-07|812|1699990000')
  t.same(masscan.process.args, ['masscan', '10.0.0.0/8', '-p80,443', '--rate', 'ten thousand'])
  t.equal(masscan.process.user, '0')
  t.equal(masscan.raw, undefined, 'no raw for a row of a multi-row line')
  const o = masscan.original
  t.equal(o.action, 'snapshot')
  t.equal(o.snapshot, undefined)
  t.equal((o.columns as Record<string, unknown>).pid, 4242, 'original: the row in the differential layout')
  t.equal(o.hostIdentifier, 'web-07')

  // 2: batch diffResults (added first, then removed)
  const [v6, listen] = on(2)
  t.equal(v6.kind, 'osquery:pack/net/process_open_sockets')
  t.equal(v6.action, 'connect')
  t.same(v6.socket, { transport: 'tcp', local: { ip: '2001:db8::7', port: 50123 }, remote: { ip: '2001:db8::99', port: 443 } })
  t.same(v6.host.ips, ['2001:db8::7'])
  t.equal(listen.action, 'listen')
  t.same(listen.socket, { transport: 'tcp', local: { ip: '0.0.0.0', port: 22 } })
  t.equal((listen.original as { action: string }).action, 'removed')

  // 3: processes removed
  t.equal(on(3)[0].action, 'end')
  t.equal(on(3)[0].process.entityId, 'web-07|4242|1699999990')

  // 4-7: socket_events
  t.equal(on(4)[0].action, 'listen')
  t.same(on(4)[0].socket, { transport: 'tcp', local: { ip: '0.0.0.0', port: 2222 } })
  t.equal(on(5)[0].action, 'accept')
  t.same(on(5)[0].socket, { transport: 'tcp', remote: { ip: '203.0.113.5', port: 51515 } })
  t.equal(on(6)[0].action, 'other', 'failed bind')
  t.equal(on(7)[0].action, 'other', 'unix socket connect')
  t.equal(on(7)[0].socket, undefined)

  // 8-9: process_events by syscall; pack query names
  t.equal(on(8)[0].action, 'other', 'fork is not a start')
  const nmap = on(9)[0]
  t.equal(nmap.kind, 'osquery:pack_incident-response_process_events')
  t.equal(nmap.action, 'start')
  t.same(nmap.process.args, ['nmap', '-sS', '10.0.0.1 10.0.0.2'])
  t.equal(nmap.process.entityId, 'web-07|5001|1700000006')
  t.equal(nmap.time, 1700000006)

  // 10-12: other table, listening_ports, unix open socket
  t.equal(on(10)[0].action, 'other')
  t.same(on(10)[0].process, {})
  t.equal(on(11)[0].action, 'listen')
  t.same(on(11)[0].socket, { transport: 'tcp', local: { ip: '192.0.2.7', port: 22 } })
  t.same(on(11)[0].host.ips, ['192.0.2.7'])
  t.equal(on(12)[0].action, 'other')
  t.equal(on(12)[0].process.executable, undefined, 'path of process_open_sockets is the socket path')

  // 13: Windows, uuid host identifier
  const win = on(13)[0]
  t.same(win.host, { name: 'WS-19', os: 'windows' })
  t.equal(win.process.commandLine, '"C:\\Program Files (x86)\\Nmap\\nmap.exe" -sn 10.0.0.0/24')
  t.equal(win.process.args, undefined, 'Windows command lines are not split with POSIX rules')
  t.equal(win.process.name, 'nmap.exe')
  t.equal(win.process.entityId, 'WS-19|6120|1700000000')

  // 14-16: broken rows, empty snapshot
  t.same(dead, [
    { line: 14, reason: 'osquery process_events row has a time column that is not epoch seconds: "yesterday"' },
    { line: 15, reason: 'osquery processes row 2 is not an object' }
  ])
  t.equal(on(15).length, 1, 'the good row of line 15 is kept')
  t.equal(on(16).length, 0, 'empty snapshot: no rows, no events')
  t.equal(lines.length, 16)
  t.equal(events.length, 16)
  t.equal(events.length + dead.length, 18, '18 rows, each an event or a dead letter')
})

t.test('record recognition and table detection', async t => {
  const ctx: RecordContext = { input: 'x', line: 1, format: 'zeek-json', communityIdSeed: 0 }
  t.notOk(isOsqueryRecord({ name: 'x' }))
  t.notOk(isOsqueryRecord({ event_type: 'flow', timestamp: '2024-01-01T00:00:00Z' }))
  t.notOk(isOsqueryRecord({ name: 1, hostIdentifier: 'h', columns: {} }))
  t.ok(isOsqueryRecord({ name: 'q', unixTime: 1, diffResults: { added: [] } }))
  t.same(osqueryToEvents({ hostIdentifier: 'h', columns: {} }, ctx), ['osquery result has no query name'])
  t.same(osqueryToEvents({ name: 'q', hostIdentifier: 'h' }, ctx), ['osquery result has no columns, snapshot or diffResults'])
  t.same(osqueryToEvents({ name: 'q', hostIdentifier: 'h', diffResults: { added: {} } }, ctx), ['osquery diffResults.added is not an array'])
  t.equal(osqueryTableOf('processes', {}), 'processes')
  t.equal(osqueryTableOf('pack/it/process_open_sockets', {}), 'process_open_sockets')
  t.equal(osqueryTableOf('myprocesses', {}), 'other', 'a suffix needs a separator')
  t.equal(osqueryTableOf('q1', { pid: '1', parent: '0', start_time: '5' }), 'processes', 'by columns')
  t.equal(osqueryTableOf('q2', { action: 'connect', family: '2', remote_address: '1.2.3.4', time: '1' }), 'socket_events')
  t.equal(osqueryTableOf('q3', { family: '2', remote_address: '1.2.3.4', local_address: '5.6.7.8', fd: '3' }), 'process_open_sockets')
  t.equal(osqueryTableOf('q4', { pid: '1', parent: '0', cmdline: 'x', time: '1', syscall: 'execve' }), 'process_events')
  const [ev] = osqueryToEvents({ name: 'q', hostIdentifier: 'h', calendarTime: 'Tue Nov 14 22:13:20 2023 UTC', columns: { x: '1' }, action: 'added' }, ctx)
  t.equal(typeof ev !== 'string' ? ev.time : undefined, 1700000000, 'calendarTime when unixTime is absent')
})

const lab = sharedData === undefined ? undefined : join(sharedData, 'lab')
t.test('lab osqueryd.results.log files: events + dead letters = rows', { skip: lab === undefined || !existsSync(lab) ? '../shared/data not present' : false }, async t => {
  const dir = lab as string
  let files = 0
  const actions: Record<string, number> = {}
  for (const scenario of readdirSync(dir).sort()) {
    const file = join(dir, scenario, 'host', 'osqueryd.results.log')
    if (!existsSync(file)) continue
    const res = read(file)
    // Independent row count from the raw JSON.
    let rows = 0
    for (const line of res.lines) {
      const r = JSON.parse(line) as { columns?: unknown, snapshot?: unknown[], diffResults?: { added?: unknown[], removed?: unknown[] } }
      if (r.columns !== undefined) rows++
      else if (Array.isArray(r.snapshot)) rows += r.snapshot.length
      else if (r.diffResults !== undefined) rows += (r.diffResults.added?.length ?? 0) + (r.diffResults.removed?.length ?? 0)
    }
    t.equal(res.events.length + res.dead.length, rows, `${scenario}: ${res.events.length} events + ${res.dead.length} dead letters = ${rows} rows`)
    t.equal(res.dead.length, 0, `${scenario}: no dead letters`)
    for (const e of res.events) actions[`${e.kind} ${e.action}`] = (actions[`${e.kind} ${e.action}`] ?? 0) + 1
    files++
  }
  t.equal(files, 5)
  t.same(actions, {
    'osquery:process_events start': 102,
    'osquery:processes snapshot': 35,
    'osquery:process_open_sockets listen': 6,
    'osquery:process_open_sockets connect': 1116,
    'osquery:socket_events connect': 8877
  })
})
