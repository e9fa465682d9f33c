import t, { type Test } from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProcessEvent } from '../lib/model.js'
import {
  AuditAssembler, auomsToEvent, decodeAuditValue, decodeProctitle, execveArgs, formatIpv6, isAuomsRecord,
  looksLikeAuditLine, parseAuditLine, parseSockaddr, type AuditAssemblerOptions, type AuditOutput
} from '../lib/parse/auditd.js'
import { splitPosixCommandLine } from '../lib/parse/cmdline.js'
import { fixture, sharedData } from './helpers.js'

interface Dead { line: number, reason: string, text: string }
interface Run { events: ProcessEvent[], lines: number[][], dead: Dead[], outputs: AuditOutput[] }

function collect (outputs: AuditOutput[]): Run {
  const r: Run = { events: [], lines: [], dead: [], outputs }
  for (const o of outputs) {
    if ('dead' in o) r.dead.push(o.dead)
    else { r.events.push(o.event); r.lines.push(o.lines) }
  }
  return r
}

function run (lines: string[], options: AuditAssemblerOptions = {}): Run {
  const a = new AuditAssembler({ input: 'test', ...options })
  const outputs: AuditOutput[] = []
  lines.forEach((l, i) => { outputs.push(...a.push(l, i + 1)) })
  outputs.push(...a.flush())
  return collect(outputs)
}

function readLines (file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

const byKind = (events: ProcessEvent[], kind: string): ProcessEvent[] => events.filter(e => e.kind === kind)
const rec = (e: ProcessEvent | undefined, i: number): Record<string, unknown> =>
  ((e?.original.records as Array<Record<string, unknown>> | undefined) ?? [])[i] ?? {}

t.test('lab s02 (ENRICHED, node=): bash, cat, fping and nmap -sT execs, sockets and connects', async t => {
  const lines = readLines(fixture('telemetry/lab-s02-audit.log'))
  const { events, lines: groups, dead } = run(lines)
  t.equal(lines.length, 39)
  t.equal(dead.length, 0)
  t.equal(events.length, 10, '10 audit events (serials 7824, 7825, 7857-7859, 7941-7945)')
  t.same(events.map(e => e.action), ['start', 'start', 'start', 'other', 'other', 'start', 'other', 'connect', 'other', 'connect'])
  t.same(events.map(e => e.kind), ['auditd:execve', 'auditd:execve', 'auditd:execve', 'auditd:socket', 'auditd:socket', 'auditd:execve', 'auditd:socket', 'auditd:connect', 'auditd:socket', 'auditd:connect'])

  const bash = events[0]
  t.equal(bash.time, 1795721937.001)
  t.equal(bash.sensor, 'auditd')
  t.equal(bash.format, 'auditd')
  t.equal(bash.category, 'process')
  t.same(bash.host, { name: 'lnx-ws-041', os: 'linux' })
  t.same(bash.process, {
    pid: 31200,
    executable: '/usr/bin/bash',
    name: 'bash',
    user: 'dlee',
    parent: { pid: 31199 },
    args: ['-bash', '--noprofile', '--norc'],
    commandLine: '-bash --noprofile --norc',
    workingDirectory: '/home/dlee',
    start: 1795721937.001,
    entityId: 'lnx-ws-041|31200|1795721937.001'
  })
  t.equal(bash.line, 1)
  t.same(groups[0], [1, 2, 3, 4, 5, 6])
  t.equal(bash.raw, lines.slice(0, 6).join('\n'))
  t.equal(bash.input, 'test')
  t.equal(bash.socket, undefined)

  const fping = events[2]
  t.same(fping.process.args, ['fping', '-a', '-q', '-r', '1', '-g', '10.1.2.0/24'])
  t.equal(fping.process.commandLine, 'fping -a -q -r 1 -g 10.1.2.0/24')
  t.equal(fping.process.parent?.pid, 31200)
  t.equal(fping.time, 1795721941.009)
  t.same(groups[2], [13, 14, 15, 16, 17, 18, 19], 'BPRM_FCAPS joins the event too')

  const nmap = events[5]
  t.same(nmap.process.args, ['nmap', '-n', '-Pn', '-sT', '-p', '80', '--open', '-oG', 'web-hosts.gnmap', '10.1.2.0/24'])
  t.equal(nmap.process.workingDirectory, '/home/dlee/work')
  t.equal(nmap.process.entityId, 'lnx-ws-041|31242|1795721952.101')
  t.same(splitPosixCommandLine(nmap.process.commandLine ?? ''), nmap.process.args, 'commandLine splits back into args')

  const connect = events[7]
  t.equal(connect.time, 1795721952.121)
  t.same(connect.socket, { remote: { ip: '10.1.2.1', port: 80 } }, 'remote from SOCKADDR hex, transport left undefined')
  t.equal(connect.process.pid, 31242)
  t.equal(connect.process.user, 'dlee')
  t.same(connect.process.args, nmap.process.args, 'argv from PROCTITLE')
  t.equal(connect.process.entityId, undefined, 'no entityId: the start time is not in the event')
  t.equal(connect.process.start, undefined)
  t.same(groups[7], [32, 33, 34])
  t.same(events[9].socket, { remote: { ip: '10.1.2.2', port: 80 } })

  // original: the parsed records
  t.equal(connect.original.node, 'lnx-ws-041')
  t.equal(connect.original.timestamp, '1795721952.121')
  t.equal(connect.original.serial, 7943)
  const sys = rec(connect, 0)
  t.equal(sys.type, 'SYSCALL')
  t.equal(sys.syscall, '42')
  t.equal(sys.success, 'no')
  t.equal(sys.exit, '-115')
  t.equal(sys.comm, 'nmap', 'double quotes removed')
  t.equal(sys.key, 'rlab')
  t.same(sys.enriched, {
    ARCH: 'x86_64', SYSCALL: 'connect', AUID: 'unset', UID: 'dlee', GID: 'dlee', EUID: 'dlee', SUID: 'dlee', FSUID: 'dlee', EGID: 'dlee', SGID: 'dlee', FSGID: 'dlee'
  })
  const sa = rec(connect, 1)
  t.equal(sa.type, 'SOCKADDR')
  t.equal(sa.saddr, '020000500A0102010000000000000000')
  t.same(sa.enriched, { SADDR: '{ saddr_fam=inet laddr=10.1.2.1 lport=80 }' })
  t.equal(rec(connect, 2).type, 'PROCTITLE')
})

t.test('lab s10: check_http exec and its successful connect', async t => {
  const { events, dead } = run(readLines(fixture('telemetry/lab-s10-audit.log')))
  t.equal(dead.length, 0)
  t.equal(events.length, 3)
  const [exec, socket, connect] = events
  t.equal(exec.action, 'start')
  t.equal(exec.process.user, 'nagios')
  t.equal(exec.process.pid, 34808)
  t.equal(exec.process.parent?.pid, 34806)
  t.same(exec.process.args, ['/usr/lib/nagios/plugins/check_http', '-H', 'web11.acme.example', '-I', '10.1.2.11', '-u', '/health', '-t', '5', '-w', '1', '-c', '3'])
  t.equal(exec.process.workingDirectory, '/var/lib/nagios')
  t.equal(exec.time, 1795722398.765)
  t.same(exec.host, { name: 'mon01', os: 'linux' })
  t.equal(socket.action, 'other')
  t.equal(connect.action, 'connect')
  t.equal(rec(connect, 0).success, 'yes')
  t.same(connect.socket, { remote: { ip: '10.1.2.11', port: 80 } })
  t.equal(connect.time, 1795722398.769)
})

t.test('go-libaudit normal.log: hex exe, execve, unix connect, accept without address', async t => {
  const { events, lines, dead } = run(readLines(fixture('telemetry/go-libaudit-normal.log')))
  t.equal(dead.length, 0)
  t.same(lines, [[1, 2], [3, 4, 5, 6, 7], [8, 9, 10, 11, 12], [13, 14, 15, 16], [17]])
  const [connect, grep, cat, unix, accept] = events
  t.equal(connect.action, 'connect')
  t.same(connect.socket, { remote: { ip: '169.254.169.254', port: 80 } })
  t.equal(connect.process.executable, '/usr/bin/python2.7;58d1ccfb (deleted)', 'hex-encoded exe decoded')
  t.equal(connect.process.user, '0', 'numeric uid when not ENRICHED')
  t.same(connect.host, { os: 'linux' })
  t.equal(connect.time, 1492037289.295)
  t.equal(grep.action, 'start')
  t.same(grep.process.args, ['grep', '--color=auto', 'mapping'])
  t.equal(grep.process.entityId, '|13393|1492037291.036', 'no node=: empty host part')
  t.equal(grep.process.user, '1000')
  t.equal(grep.process.workingDirectory, '/home/andrew_kroh')
  t.same(cat.process.args, ['cat', 'securitybeat'])
  t.equal(unix.kind, 'auditd:connect')
  t.equal(unix.action, 'other', 'connect to an AF_UNIX socket is not a network connect')
  t.equal(unix.socket, undefined)
  t.equal(accept.kind, 'auditd:accept')
  t.equal(accept.action, 'accept')
  t.equal(accept.socket, undefined)
})

t.test('go-libaudit test3.log: interleaved events are grouped by serial', async t => {
  const { events, lines, dead } = run(readLines(fixture('telemetry/go-libaudit-test3-interleaved.log')))
  t.equal(dead.length, 0)
  t.same(lines, [[1, 4], [2, 3], [5, 7], [6, 8], [9, 13], [10, 11], [12, 14]])
  t.same(events.map(e => e.original.serial), [194435, 194433, 194436, 194437, 194438, 194439, 194440])
  t.same(events.map(e => e.kind), ['auditd:select', 'auditd:rt_sigaction', 'auditd:rt_sigaction', 'auditd:rt_sigprocmask', 'auditd:rt_sigaction', 'auditd:rt_sigprocmask', 'auditd:clock_gettime'])
  t.same(events[0].process.args, ['sshd: burn [priv]'], 'hex PROCTITLE without NUL is one word')
  t.equal(events[0].process.commandLine, "'sshd: burn [priv]'")
  t.same(events[1].process.args, ['bash'], 'quoted PROCTITLE')
  t.ok(events.every(e => e.action === 'other'))
})

t.test('go-libaudit ubuntu 16.10 (with EOE): execve, accept, connect, listen', async t => {
  const lines = readLines(fixture('telemetry/go-libaudit-ubuntu-16.10.log'))
  const a = new AuditAssembler()
  const perLine = lines.map((l, i) => a.push(l, i + 1))
  t.same(perLine.map(o => o.length), [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1], 'each event leaves at its EOE')
  t.equal(a.pendingCount, 0)
  t.same(a.flush(), [])
  const events = perLine.flat().map(o => ('event' in o ? o.event : undefined)).filter((e): e is ProcessEvent => e !== undefined)
  const [uname, netfilter, accept, connect, listen] = events
  t.equal(uname.action, 'start')
  t.same(uname.process.args, ['uname', '-a'])
  t.equal(uname.process.user, '1001')
  t.equal(rec(uname, 6).type, 'EOE')
  t.equal(netfilter.kind, 'auditd:setsockopt', 'NETFILTER_CFG + SYSCALL 54: named by the syscall')
  t.equal(netfilter.action, 'other')
  t.same(netfilter.process.args, ['/sbin/iptables', '-w', '-I', 'sshguard', '-s', '45.76.145.152', '-j', 'DROP'])
  t.equal(accept.action, 'accept')
  t.same(accept.socket, { remote: { ip: '72.83.230.100', port: 58140 } })
  t.equal(connect.action, 'connect', 'EINPROGRESS connect kept as connect')
  t.same(connect.socket, { remote: { ip: '169.254.169.254', port: 80 } })
  t.same(connect.process.args, ['(g_daemon)'])
  t.equal(listen.kind, 'auditd:listen')
  t.equal(listen.action, 'listen')
  t.equal(listen.socket, undefined, 'listen(2) carries no address')
})

t.test('go-libaudit rhel7 records: hex CWD, SOCKADDR families, hex EXECVE arg, unparseable record', async t => {
  const { events, dead } = run(readLines(fixture('telemetry/go-libaudit-rhel7-records.log')))
  t.equal(events.length, 5)
  t.equal(dead.length, 1)
  t.same(dead[0], { line: 5, reason: 'UNKNOWN[1329] record has no msg=audit(TIMESTAMP:SERIAL) header', text: 'type=UNKNOWN[1329] msg=?' })
  // Serials of this record collection are far apart: the highest (the CWD) waits for the flush,
  // the others are strays emitted as the next record arrives (the last one at the flush).
  t.same(events.map(e => e.original.serial), [517643, 517644, 517647, 1208725, 1075898])
  const cwd = events[3]
  t.equal(cwd.kind, 'auditd:CWD')
  t.equal(cwd.process.workingDirectory, '/tmp/a b c')
  t.same(events.slice(0, 3).map(e => e.kind), ['auditd:SOCKADDR', 'auditd:SOCKADDR', 'auditd:SOCKADDR'])
  t.ok(events.every(e => e.action === 'other' && e.socket === undefined), 'a SOCKADDR alone is no connect')
  const jq = events[4]
  t.equal(jq.kind, 'auditd:EXECVE')
  t.equal(jq.process.args?.length, 3)
  t.same(jq.process.args?.slice(0, 2), ['jq', '.'])
  t.match(jq.process.args?.[2], /^\{\n {8}"dev": "08:01",\n/, 'hex-encoded argument decoded')
})

t.test('invented: split and hex args, PROCTITLE fallback, IPv6, bind, accept4, socketcall, failed exec, ENRICHED user message, garbage', async t => {
  const lines = readLines(fixture('telemetry/invented-audit.log'))
  const { events, lines: groups, dead } = run(lines)
  t.same(events.map(e => `${e.kind} ${e.action}`), [
    'auditd:execve start', 'auditd:execve start', 'auditd:connect connect', 'auditd:bind listen',
    'auditd:accept4 accept', 'auditd:connect connect', 'auditd:execve other', 'auditd:USER_LOGIN other'
  ])
  const [curl, ping, v6, bind, accept4, socketcall, failed, login] = events
  t.same(curl.process.args, ['curl', '-H', 'User-Agent: x y', 'http://10.0.0.5/very/long', "it's"], 'argv over two EXECVE records, hex and split arguments')
  t.equal(curl.process.commandLine, "curl -H 'User-Agent: x y' http://10.0.0.5/very/long 'it'\\''s'")
  t.same(splitPosixCommandLine(curl.process.commandLine ?? ''), curl.process.args)
  t.equal(curl.process.workingDirectory, '/tmp/a b')
  t.same(groups[0], [1, 2, 3, 4, 5, 6], 'EOE closes the event; the blank line 7 produces nothing')
  t.equal(ping.time, 1700000001.5)
  t.same(ping.process.args, ['ping', '-c', '1', '10.0.0.9'], 'aarch64 execve (221) with argv from PROCTITLE')
  t.equal(ping.process.entityId, 'lab-a|4002|1700000001.5')
  t.same(v6.socket, { remote: { ip: '2607:f8b0:400c:c06::67', port: 80 } })
  t.same(bind.socket, { local: { ip: '0.0.0.0', port: 8080 } })
  t.same(accept4.socket, { remote: { ip: '::ffff:10.0.0.7', port: 54321 } })
  t.equal(socketcall.kind, 'auditd:connect', 'i386 socketcall(SYS_CONNECT)')
  t.same(socketcall.socket, { remote: { ip: '10.0.0.8', port: 22 } })
  t.equal(failed.action, 'other', 'a failed execve starts no process')
  t.same(failed.process.args, ['nosuchcmd'])
  t.equal(failed.process.entityId, undefined)
  t.equal(login.process.user, 'root', 'ENRICHED UID name')
  t.equal(login.process.executable, '/usr/sbin/sshd', 'from the msg=\'...\' payload')
  t.equal(rec(login, 0).addr, '10.0.0.9')
  t.equal(rec(login, 0).msg, 'op=login id=1000 exe="/usr/sbin/sshd" hostname=? addr=10.0.0.9 terminal=/dev/pts/0 res=success')
  t.same((rec(login, 0).enriched as Record<string, string>), { UID: 'root', AUID: 'alice', ID: 'alice' })
  t.same(dead.map(d => [d.line, d.reason]), [
    [21, 'no type= field: not an audit record'],
    [22, 'SYSCALL record has no msg=audit(TIMESTAMP:SERIAL) header'],
    [23, 'SYSCALL record has a malformed msg=audit(...) header (expected SECONDS.MILLIS:SERIAL)'],
    [24, 'no type= field: not an audit record']
  ])
  t.equal(dead[0].text, 'hello world')
})

t.test('bounded wait: interleaved events leave maxPendingSerials serials later, late records are dead letters', async t => {
  const l = (type: string, serial: number, node = '', ts = '1700000100.250'): string =>
    `${node !== '' ? `node=${node} ` : ''}type=${type} msg=audit(${ts}:${serial}): pid=${serial}`
  const a = new AuditAssembler({ maxPendingSerials: 3 })
  const serialsOf = (outs: AuditOutput[]): Array<number | string> => outs.map(o => 'event' in o ? o.event.original.serial as number : `dead:${o.dead.line}`)
  t.same(serialsOf(a.push(l('SYSCALL', 100), 1)), [])
  t.same(serialsOf(a.push(l('SYSCALL', 101), 2)), [])
  t.same(serialsOf(a.push(l('PROCTITLE', 100), 3)), [])
  t.same(serialsOf(a.push(l('PROCTITLE', 101), 4)), [])
  t.same(serialsOf(a.push(l('SYSCALL', 102), 5)), [], '102 - 3 < 100: still waiting')
  const at6 = a.push(l('SYSCALL', 103), 6)
  t.same(serialsOf(at6), [100], '103 - 3 = 100: serial 100 is complete')
  t.same('event' in at6[0] ? at6[0].lines : [], [1, 3])
  t.same(serialsOf(a.push(l('PROCTITLE', 102), 7)), [])
  t.same(serialsOf(a.push(l('SYSCALL', 104), 8)), [101])
  const late = a.push(l('PROCTITLE', 100), 9)
  t.same(serialsOf(late), ['dead:9'])
  t.match('dead' in late[0] ? late[0].dead.reason : '', /^late PROCTITLE record: audit event 1700000100\.250:100 was already emitted/)
  t.equal(a.pendingCount, 3)
  const rest = a.flush()
  t.same(serialsOf(rest), [102, 103, 104])
  t.same(rest.map(o => 'event' in o ? o.lines : []), [[5, 7], [6], [8]])

  // nodes have their own serial counters and windows
  const b = new AuditAssembler({ maxPendingSerials: 3 })
  t.same(serialsOf(b.push(l('SYSCALL', 100, 'a'), 1)), [])
  t.same(serialsOf(b.push(l('SYSCALL', 100, 'b'), 2)), [], 'same serial, other node: another event')
  t.same(serialsOf(b.push(l('SYSCALL', 500, 'b'), 3)), [100], 'node b moves on; node a is not affected')
  t.equal(b.pendingCount, 2)
  const bEvents = collect(b.flush()).events
  t.same(bEvents.map(e => [e.host.name, e.original.serial]), [['a', 100], ['b', 500]])

  // cap on pending events
  const c = new AuditAssembler({ maxPendingSerials: 1000, maxPendingEvents: 2 })
  t.same(serialsOf(c.push(l('SYSCALL', 200), 1)), [])
  t.same(serialsOf(c.push(l('SYSCALL', 201), 2)), [])
  t.same(serialsOf(c.push(l('SYSCALL', 202), 3)), [200], 'oldest emitted beyond maxPendingEvents')

  // counter restart (later timestamp, much lower serial) and serial reuse
  const d = new AuditAssembler({ maxPendingSerials: 3 })
  t.same(serialsOf(d.push(l('SYSCALL', 1000, '', '1700000100.000'), 1)), [])
  t.same(serialsOf(d.push(l('SYSCALL', 5, '', '1700000200.000'), 2)), [1000], 'restart closes what was pending')
  t.same(serialsOf(d.push(l('SYSCALL', 6, '', '1700000200.001'), 3)), [], 'the window restarted at 5')
  t.same(serialsOf(d.push(l('SYSCALL', 9, '', '1700000200.002'), 4)), [5, 6])
  t.same(serialsOf(d.push(l('SYSCALL', 6, '', '1700000300.000'), 5)), [9], 'serial 6 again, later: another restart (9 closes), not a late record')
  t.same(d.flush().map(o => 'event' in o ? [o.event.original.timestamp, o.lines] : []), [['1700000300.000', [5]]])

  const e = new AuditAssembler()
  t.same(serialsOf(e.push(l('SYSCALL', 7, '', '1700000100.000'), 1)), [])
  const reused = e.push(l('SYSCALL', 7, '', '1700000400.000'), 2)
  t.same(reused.map(o => 'event' in o ? o.event.original.timestamp : ''), ['1700000100.000'], 'same serial, other timestamp, while pending: the first event is complete')
  t.same(e.flush().map(o => 'event' in o ? o.lines : []), [[2]])

  // a stray old serial collects the records right after it
  const s = new AuditAssembler({ maxPendingSerials: 3 })
  s.push(l('SYSCALL', 900, '', '1700000100.000'), 1)
  t.same(serialsOf(s.push(l('SYSCALL', 50, '', '1700000050.000'), 2)), [])
  t.same(serialsOf(s.push(l('CWD', 50, '', '1700000050.000'), 3)), [])
  const strayOut = s.push(l('SYSCALL', 901, '', '1700000100.001'), 4)
  t.same(serialsOf(strayOut), [50])
  t.same('event' in strayOut[0] ? strayOut[0].lines : [], [2, 3])
})

t.test('record and value parsing', async t => {
  const r = parseAuditLine('node=h1 type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, auid=0 pid=1512 res=success\r')
  t.ok(typeof r !== 'string')
  if (typeof r !== 'string') {
    t.equal(r.node, 'h1')
    t.equal(r.type, 'DAEMON_CONFIG')
    t.equal(r.timestamp, '1490239800.477')
    t.equal(r.serial, 34)
    t.same({ ...r.fields }, { auid: '0', pid: '1512', res: 'success' }, 'words without = skipped, header without colon, CR stripped')
  }
  t.equal(parseAuditLine(''), 'no type= field: not an audit record')
  t.ok(looksLikeAuditLine('type=EOE msg=audit(1.2:3): '))
  t.notOk(looksLikeAuditLine('{"type":"x"}'))

  t.equal(decodeAuditValue('"plain"'), 'plain')
  t.equal(decodeAuditValue('2F746D702F6120622063'), '/tmp/a b c')
  t.equal(decodeAuditValue('(null)'), '(null)')
  t.same(decodeProctitle('6E6D6170002D736E0031302E302E302E302F3234'), ['nmap', '-sn', '10.0.0.0/24'])
  t.same(decodeProctitle('"(sshd)"'), ['(sshd)'])
  t.same(execveArgs([{ argc: '3', a0: '"a"', a1_len: '6', 'a1[0]': '"abc"', 'a1[1]': '646566', a2: '""' }]), ['a', 'abcdef', ''])
  t.same(execveArgs([{ argc: '0' }]), [])

  t.same(parseSockaddr('02000050080808080000000000000000'), { family: 2, familyName: 'inet', port: 80, ip: '8.8.8.8' })
  t.same(parseSockaddr('0A000016000000000000000000000000000000000000000000000000'), { family: 10, familyName: 'inet6', port: 22, ip: '::' })
  t.same(parseSockaddr('0A000050000000002607F8B0400C0C06000000000000006700000000'), { family: 10, familyName: 'inet6', port: 80, ip: '2607:f8b0:400c:c06::67' })
  t.same(parseSockaddr('01002F7661722F72756E2F6E7363642F736F636B65740000603B7B47'), { family: 1, familyName: 'unix', path: '/var/run/nscd/socket' })
  t.same(parseSockaddr('0100006162630000'), { family: 1, familyName: 'unix', path: '@abc' }, 'abstract namespace')
  t.same(parseSockaddr('100000000000000000000000'), { family: 16, familyName: 'netlink' })
  t.same(parseSockaddr('00020050C0A80001'), { family: 2, familyName: 'inet', port: 80, ip: '192.168.0.1' }, 'big-endian sa_family')
  t.equal(parseSockaddr('0200'), undefined, 'too short for AF_INET')
  t.equal(parseSockaddr('zz'), undefined)
  t.equal(formatIpv6(Buffer.from('20010db8000000010000000000000001', 'hex')), '2001:db8:0:1::1')
  t.equal(formatIpv6(Buffer.from('20010db8000000000001000000000001', 'hex')), '2001:db8::1:0:0:1', 'first of equal runs')
  t.equal(formatIpv6(Buffer.from('00000000000000000000000000000001', 'hex')), '::1')
  t.equal(formatIpv6(Buffer.from('20010db8000100010001000100010001', 'hex')), '2001:db8:1:1:1:1:1:1')
})

t.test('auoms records in Syslog JSON (OTRF Log4Shell shape)', async t => {
  const line = readLines(fixture('telemetry/otrf-log4shell-auoms.json'))
  t.equal(line.length, 2)
  const ctx = { input: 'auoms', line: 1, format: 'zeek-json' as const, communityIdSeed: 0 }
  const [failedExec, base64] = line.map((l, i) => {
    const r = JSON.parse(l) as Record<string, unknown>
    t.ok(isAuomsRecord(r))
    return auomsToEvent(r, { ...ctx, line: i + 1 }, l)
  })
  t.ok(typeof failedExec !== 'string' && typeof base64 !== 'string')
  if (typeof failedExec === 'string' || typeof base64 === 'string') return
  t.equal(failedExec.action, 'other', 'success=no')
  t.equal(failedExec.kind, 'auditd:AUOMS_EXECVE')
  t.equal(failedExec.process.executable, '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java')
  t.equal(failedExec.process.commandLine, '/usr/lib/jvm/java-1.8.0-openjdk-amd64/bin/java -Djava.util.logging.config.file=/opt/tomcat/conf/logging.properties -Djava.util.l', 'bare proctitle read up to redactors=')
  t.equal(base64.action, 'start')
  t.equal(base64.time, 1652292622.006)
  t.same(base64.process.args, ['base64', '-d'])
  t.equal(base64.process.user, 'tomcat')
  t.equal(base64.process.pid, 17793)
  t.equal(base64.process.parent?.pid, 17790)
  t.equal(base64.process.entityId, 'UBUNTU5|17793|1652292622.006')
  t.same(base64.host, { os: 'linux', name: 'UBUNTU5', ips: ['192.168.2.5'] })
  t.notOk(isAuomsRecord({ SyslogMessage: '<Event>...' }))
})

// ---------------------------------------------------------------------------------------------
// Accounting over real data (../shared/data; skipped when absent)
// ---------------------------------------------------------------------------------------------

/** Independent count: distinct (node, serial) pairs + lines that are not audit records. */
function expectedOutputs (lines: string[]): { pairs: number, unparseable: number, nonBlank: number } {
  const pairs = new Set<string>()
  let unparseable = 0
  let nonBlank = 0
  for (const line of lines) {
    if (line.trim() === '') continue
    nonBlank++
    const m = /type=\S+ .*?msg=audit\(\d+(?:\.\d+)?:(\d+)\)/.exec(line)
    if (m === null) { unparseable++; continue }
    const node = /^node=(\S+) /.exec(line)?.[1] ?? ''
    pairs.add(`${node} ${m[1]}`)
  }
  return { pairs: pairs.size, unparseable, nonBlank }
}

function checkAccounting (t: Test, name: string, lines: string[], options: AuditAssemblerOptions = {}): Run {
  const res = run(lines, options)
  const exp = expectedOutputs(lines)
  t.equal(res.events.length + res.dead.length, exp.pairs + exp.unparseable, `${name}: ${res.events.length} events + ${res.dead.length} dead letters = ${exp.pairs} (node, serial) pairs + ${exp.unparseable} unparseable lines`)
  const seen = new Set<number>()
  let dup = 0
  for (const ls of res.lines) for (const n of ls) { if (seen.has(n)) dup++; seen.add(n) }
  for (const d of res.dead) { if (seen.has(d.line)) dup++; seen.add(d.line) }
  t.equal(dup, 0, `${name}: no line in two outputs`)
  t.equal(seen.size, exp.nonBlank, `${name}: every non-blank line accounted for`)
  return res
}

const lab = sharedData === undefined ? undefined : join(sharedData, 'lab')
t.test('lab audit.log files: events + dead letters = (node, serial) pairs + unparseable lines', { skip: lab === undefined || !existsSync(lab) ? '../shared/data not present' : false }, async t => {
  const dir = lab as string
  let files = 0
  const actions: Record<string, number> = {}
  for (const scenario of readdirSync(dir).sort()) {
    const file = join(dir, scenario, 'host', 'audit.log')
    if (!existsSync(file)) continue
    const res = checkAccounting(t, scenario, readLines(file))
    t.equal(res.dead.length, 0, `${scenario}: no dead letters`)
    for (const e of res.events) actions[e.action] = (actions[e.action] ?? 0) + 1
    files++
  }
  t.equal(files, 5)
  t.same(actions, { start: 102, other: 8898, connect: 8879 }, 'every SOCKADDR connect is a connect event')
})

const goLibaudit = sharedData === undefined ? undefined : join(sharedData, 'public', 'auditd-go-libaudit')
t.test('go-libaudit raw logs and yaml test cases', { skip: goLibaudit === undefined || !existsSync(goLibaudit) ? '../shared/data not present' : false }, async t => {
  const dir = goLibaudit as string
  const raw = ['normal.log', ...readdirSync(join(dir, 'auparse')).sort().map(f => `auparse/${f}`)]
  for (const f of raw) {
    // Some of these files are record collections sorted by type, not logs: an unbounded wait groups them exactly.
    checkAccounting(t, f, readLines(join(dir, f)), { maxPendingSerials: Number.MAX_SAFE_INTEGER, maxPendingEvents: Number.MAX_SAFE_INTEGER })
  }
  let cases = 0
  for (const f of readdirSync(join(dir, 'aucoalesce')).sort()) {
    // Minimal YAML: each `  name: |` (or `>`) under `tests:` starts a case; its indented `type=` lines are raw records.
    const blocks: string[][] = []
    for (const line of readFileSync(join(dir, 'aucoalesce', f), 'utf8').split('\n')) {
      if (/^ {2}\S.*:\s*[|>]-?\s*$/.test(line)) blocks.push([])
      else if (/^ {4}\S/.test(line) && /type=/.test(line) && blocks.length > 0) blocks[blocks.length - 1].push(line.trim())
    }
    for (const [i, block] of blocks.entries()) {
      const res = checkAccounting(t, `${f} case ${i + 1}`, block)
      t.equal(res.dead.length, 0, `${f} case ${i + 1}: no dead letters`)
      cases++
    }
  }
  t.equal(cases, 48)
})
