/**
 * ECS endpoint normalizer. No real Elastic Defend / Auditbeat sample with a permissive licence is
 * in ../shared/data, so the fixture `telemetry/invented-ecs-endpoint.ndjson` is INVENTED, written
 * to Elastic's documented field names (ECS process/network/host/user fields; Elastic Defend
 * `endpoint.events.process|network` actions; Auditbeat system/auditd actions). Recognition is also
 * checked against real Sysmon records and scantag's own `ecs` output, which it must not claim.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ProcessEvent } from '../lib/model.js'
import { toEcs } from '../lib/output/ecs.js'
import { ecsEndpointToEvent, ecsGet, isEcsEndpointRecord } from '../lib/parse/ecs-endpoint.js'
import { eveToEvent } from '../lib/parse/eve.js'
import { isSysmonRecord, sysmonToEvent } from '../lib/parse/sysmon.js'
import type { RecordContext } from '../lib/parse/zeek.js'

type Rec = Record<string, unknown>

const fixturePath = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const lines = (name: string): string[] => readFileSync(fixturePath(name), 'utf8').split('\n').filter(l => l.length > 0)
const ctx = (line: number, input = 'test'): RecordContext => ({ input, line, format: 'zeek-json', communityIdSeed: 0 })
const ms = (seconds: number | undefined): number | undefined => seconds === undefined ? undefined : Math.round(seconds * 1000)

const NAME = 'telemetry/invented-ecs-endpoint.ndjson'
const docs = lines(NAME)

function eventAt (n: number): ProcessEvent {
  const text = docs[n - 1]
  const ev = ecsEndpointToEvent(JSON.parse(text) as Rec, ctx(n, NAME), text)
  if (typeof ev === 'string') throw new Error(`line ${n}: ${ev}`)
  return ev
}

t.test('every fixture document is recognised, and only by the ECS recogniser', async t => {
  t.equal(docs.length, 14)
  for (const [i, text] of docs.entries()) {
    const r = JSON.parse(text) as Rec
    t.ok(isEcsEndpointRecord(r), `line ${i + 1} recognised`)
    t.notOk(isSysmonRecord(r), `line ${i + 1} not Sysmon`)
  }
})

t.test('Elastic Defend, Linux: exec, connection_attempted, disconnect, end', async t => {
  const exec = eventAt(1)
  t.equal(exec.category, 'process')
  t.equal(exec.sensor, 'elastic')
  t.equal(exec.format, 'ecs')
  t.equal(exec.kind, 'ecs:process')
  t.equal(exec.action, 'start')
  t.equal(exec.input, NAME)
  t.equal(exec.line, 1)
  t.equal(exec.raw, docs[0])
  t.same(exec.original, JSON.parse(docs[0]))
  t.same(exec.scantag, {})
  t.equal(ms(exec.time), Date.UTC(2026, 10, 26, 19, 39, 12, 101))
  t.same(exec.host, { name: 'lnx-ws-041', ips: ['10.20.30.41', 'fe80::5054:ff:fe12:3456'], os: 'linux' })
  t.same(exec.process, {
    pid: 31242,
    entityId: 'NmQ4ZjE2YjMtNDQyNy00YjI0LWE4ZmQtMDFlOTY1NjAzNjE0LTMxMjQyLTE3OTU3MjE5NTI=',
    executable: '/usr/bin/nmap',
    name: 'nmap',
    commandLine: 'nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24',
    args: ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'],
    user: 'dlee',
    workingDirectory: '/home/dlee/work',
    start: exec.time,
    parent: {
      pid: 31200,
      entityId: 'NmQ4ZjE2YjMtNDQyNy00YjI0LWE4ZmQtMDFlOTY1NjAzNjE0LTMxMjAwLTE3OTU3MjE5Mzc=',
      executable: '/usr/bin/bash',
      commandLine: '-bash --noprofile --norc',
      name: 'bash'
    }
  })

  const conn = eventAt(2)
  t.equal(conn.kind, 'ecs:network')
  t.equal(conn.action, 'connect')
  t.equal(ms(conn.time), Date.UTC(2026, 10, 26, 19, 39, 12, 121))
  t.same(conn.socket, { transport: 'tcp', local: { ip: '10.20.30.41', port: 52564 }, remote: { ip: '10.1.2.7', port: 80 } })
  t.equal(conn.process.entityId, exec.process.entityId)
  t.equal(conn.process.user, 'dlee')

  const end = eventAt(5)
  t.equal(end.action, 'end')
  t.equal(end.kind, 'ecs:process')
  t.equal(end.process.pid, 31242)

  const disconnect = eventAt(11)
  t.equal(disconnect.kind, 'ecs:network')
  t.equal(disconnect.action, 'other', 'disconnect_received is none of connect/accept/listen')
  t.equal(disconnect.socket, undefined)
})

t.test('Elastic Defend, Windows: start with quoted command line, connection_accepted', async t => {
  const start = eventAt(3)
  t.equal(start.action, 'start')
  t.same(start.host, { name: 'win-lab-07', ips: ['192.0.2.57'], os: 'windows' })
  t.equal(start.process.pid, 6204)
  t.equal(start.process.entityId, '{8a1b7c3d-0f4e-4b6a-9c2d-5e7f1a3b9c10}')
  t.equal(start.process.commandLine, '"C:\\Program Files (x86)\\Advanced Port Scanner\\advanced_port_scanner.exe" /portable "C:\\Users\\analyst\\Desktop\\aps"')
  t.same(start.process.args, ['C:\\Program Files (x86)\\Advanced Port Scanner\\advanced_port_scanner.exe', '/portable', 'C:\\Users\\analyst\\Desktop\\aps'])
  t.equal(start.process.user, 'LAB\\analyst', 'user.domain + user.name, as Sysmon writes users')
  t.equal(start.process.parent?.name, 'explorer.exe')
  t.equal(start.process.parent?.pid, 4312)
  t.equal(ms(start.process.start), Date.UTC(2025, 9, 23, 10, 11, 5, 401))

  // Without process.args, the command line is split with the host's rules (Windows here).
  const r = JSON.parse(docs[2]) as Rec
  delete (r.process as Rec).args
  const split = ecsEndpointToEvent(r, ctx(3))
  if (typeof split === 'string') throw new Error(split)
  t.same(split.process.args, start.process.args)

  const accepted = eventAt(4)
  t.equal(accepted.kind, 'ecs:network')
  t.equal(accepted.action, 'accept')
  t.same(accepted.socket, { transport: 'tcp', local: { ip: '192.0.2.57', port: 445 }, remote: { ip: '192.0.2.200', port: 49822 } })
  t.equal(accepted.process.pid, 4)
  t.equal(accepted.process.user, 'NT AUTHORITY\\SYSTEM')
})

t.test('Auditbeat system and auditd modules, dotted keys, string numbers', async t => {
  const started = eventAt(6)
  t.equal(started.action, 'start')
  t.same(started.host, { name: 'lnx-ws-041', os: 'linux' })
  t.same(started.process.parent, { pid: 31200 }, 'process.ppid')
  t.same(started.process.args, ['fping', '-a', '-q', '-r', '1', '-g', '10.1.2.0/24'])
  t.equal(started.process.commandLine, undefined)
  t.equal(ms(started.process.start), Date.UTC(2026, 10, 26, 19, 39, 1, 9))
  t.equal(ms(started.time), Date.UTC(2026, 10, 26, 19, 39, 1, 20))

  const existing = eventAt(7)
  t.equal(existing.action, 'snapshot')
  t.equal(existing.process.pid, 812)

  const dotted = eventAt(8)
  t.equal(dotted.kind, 'ecs:process')
  t.equal(dotted.action, 'start')
  t.same(dotted.host, { name: 'lnx-ws-041', os: 'linux' })
  t.same(dotted.process, {
    pid: 31267,
    executable: '/usr/bin/sudo',
    name: 'sudo',
    args: ['sudo', 'nmap', '-n', '-Pn', '-sS', '-T4', '-p', '22,80,443,445,3389', '--open', '-oA', 'sweep-10.1.2', '10.1.2.0/24'],
    user: 'dlee',
    workingDirectory: '/home/dlee/work',
    parent: { pid: 31200 }
  })

  const connected = eventAt(9)
  t.equal(connected.action, 'connect')
  t.equal(connected.process.pid, 31242, 'pid as a string')
  t.same(connected.socket, { remote: { ip: '10.1.2.9', port: 80 } }, 'auditd knows only the destination')
})

t.test('winlogbeat after the Sysmon ingest pipeline is ECS data', async t => {
  const ev = eventAt(10)
  t.equal(ev.kind, 'ecs:network')
  t.equal(ev.action, 'connect', 'from network.direction egress')
  t.same(ev.host, { name: 'WORKSTATION5', os: 'windows' }, 'Windows from the executable path')
  t.equal(ev.process.entityId, '{f3329a35-1ca8-627e-f216-000000000600}')
  t.same(ev.socket, { transport: 'tcp', local: { ip: '192.168.2.5', port: 54217 }, remote: { ip: '169.254.169.254', port: 80 } })
  t.equal(ms(ev.time), Date.UTC(2022, 4, 13, 8, 54, 5, 135))

  // The same Sysmon event read raw (OTRF, Sentinel WindowsEvent) agrees on process and socket.
  const raw = JSON.parse(lines('telemetry/otrf-log4shell-windowsevent-sysmon.json')[1]) as Rec
  const sysmon = sysmonToEvent(raw, ctx(2))
  if (typeof sysmon === 'string') throw new Error(sysmon)
  t.equal(sysmon.process.entityId, ev.process.entityId)
  t.equal(sysmon.process.user, ev.process.user)
  t.same(sysmon.socket, ev.socket)
  t.equal(sysmon.action, ev.action)
})

t.test('reasons', async t => {
  t.equal(ecsEndpointToEvent(JSON.parse(docs[11]) as Rec, ctx(12)), 'ECS process event has no process.pid or process.entity_id')
  t.equal(ecsEndpointToEvent(JSON.parse(docs[12]) as Rec, ctx(13)), '@timestamp "26/Nov/2026:19:39:12 +0000" is not an ISO 8601 time')
  t.equal(ecsEndpointToEvent(JSON.parse(docs[13]) as Rec, ctx(14)), 'source.port "ephemeral" is not a port number')
  t.equal(ecsEndpointToEvent({ event: { category: ['process'] }, host: { name: 'h' } }, ctx(1)), 'ECS document has no process object')
  t.equal(ecsEndpointToEvent({ event: { category: 'process', type: 'start' }, process: { pid: 1.5 } }, ctx(1)), 'process.pid 1.5 is not a number')
  t.equal(ecsEndpointToEvent({ event: { category: 'process' }, process: { pid: 2, parent: { pid: 'one' } } }, ctx(1)), 'process.parent.pid "one" is not a number')
  t.equal(ecsEndpointToEvent({ event: { category: 'network', action: 'connection_attempted' }, process: { pid: 2 } }, ctx(1)),
    'ECS connect event has no source.ip or destination.ip')
  // Categories other than process/network are kept as `other` when they carry a process.
  const file = ecsEndpointToEvent({ '@timestamp': 1795721952121, event: { category: ['file'], action: 'creation' }, process: { pid: 2 } }, ctx(1))
  if (typeof file === 'string') throw new Error(file)
  t.equal(file.kind, 'ecs:file')
  t.equal(file.action, 'other')
  t.equal(ms(file.time), 1795721952121, 'epoch milliseconds')
})

t.test('ecsGet reads nested, dotted and mixed keys, and Kibana single-element arrays count as values', async t => {
  t.equal(ecsGet({ process: { parent: { pid: 1 } } }, 'process.parent.pid'), 1)
  t.equal(ecsGet({ 'process.parent.pid': 2 }, 'process.parent.pid'), 2)
  t.equal(ecsGet({ process: { 'parent.pid': 3 } }, 'process.parent.pid'), 3)
  t.equal(ecsGet({ 'process.parent': { pid: 4 } }, 'process.parent.pid'), 4)
  t.equal(ecsGet({ process: {} }, 'process.parent.pid'), undefined)
  const kibana = ecsEndpointToEvent({
    '@timestamp': ['2026-11-26T19:39:12.101Z'],
    event: { category: ['process'], type: ['start'], action: ['exec'] },
    host: { name: ['lnx-ws-041'], os: { type: ['linux'] } },
    process: { pid: [31242], name: ['nmap'], command_line: ['nmap -p "80 443" 10.1.2.0/24'] },
    user: { name: ['dlee'] }
  }, ctx(1))
  if (typeof kibana === 'string') throw new Error(kibana)
  t.equal(kibana.action, 'start')
  t.equal(kibana.process.pid, 31242)
  t.same(kibana.process.args, ['nmap', '-p', '80 443', '10.1.2.0/24'], 'POSIX split on Linux')
  t.equal(kibana.host.name, 'lnx-ws-041')
})

t.test('not claimed: network sensor data, scantag output, Sysmon, other categories', async t => {
  // scantag's own `ecs` output for a real EVE flow (lab s02).
  const eveLine = lines('ecs/s02-eve.json')[0]
  const net = eveToEvent(JSON.parse(eveLine) as Rec, { ...ctx(1), format: 'eve' }, eveLine)
  if (typeof net === 'string') throw new Error(net)
  const out = JSON.parse(JSON.stringify(toEcs(net))) as Rec
  t.notOk(isEcsEndpointRecord(out), 'scantag ecs output')
  t.notOk(isEcsEndpointRecord({ ...out, process: { pid: 1 } }), 'even with a process object: event.module suricata')

  const base = { '@timestamp': '2026-11-26T19:39:12.121Z', event: { category: ['network'], type: ['connection'] }, process: { pid: 1 }, source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2' } }
  t.ok(isEcsEndpointRecord(base))
  t.notOk(isEcsEndpointRecord({ ...base, event: { ...base.event, module: 'zeek' } }), 'zeek')
  t.notOk(isEcsEndpointRecord({ ...base, event: { ...base.event, dataset: 'suricata.eve' } }), 'suricata dataset')
  t.notOk(isEcsEndpointRecord({ ...base, event: { ...base.event, module: 'network_traffic' } }), 'packetbeat integration')
  t.notOk(isEcsEndpointRecord({ ...base, agent: { type: 'packetbeat' } }), 'packetbeat')
  t.notOk(isEcsEndpointRecord({ ...base, process: undefined }), 'no process object')
  t.notOk(isEcsEndpointRecord({ ...base, event: { category: ['authentication'] } }), 'other category')
  t.notOk(isEcsEndpointRecord({ ts: 1, uid: 'C1', 'id.orig_h': '10.0.0.1' }), 'Zeek JSON')

  // winlogbeat with the raw Sysmon event data is Sysmon's, even though it also has ECS fields.
  const raw = { ...base, winlog: { event_id: '3', provider_name: 'Microsoft-Windows-Sysmon', event_data: { UtcTime: '2026-11-26 19:39:12.121', ProcessGuid: '{x}', ProcessId: '1' } } }
  t.ok(isSysmonRecord(raw))
  t.notOk(isEcsEndpointRecord(raw))
  for (const name of ['telemetry/lab-s02-sysmon.jsonl', 'telemetry/otrf-log4shell-windowsevent-sysmon.json', 'telemetry/otrf-log4shell-syslog-sysmon.json']) {
    for (const text of lines(name)) t.notOk(isEcsEndpointRecord(JSON.parse(text) as Rec), `${name} not ECS`)
  }
})
