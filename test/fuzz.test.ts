/**
 * Property-based fuzzing of every reader (issue 6, item 2), bounded for `npm test`: a fixed
 * seed, a few thousand inputs, well under 20 s on the project's 2-core machine.
 *
 * The properties live in `test/fuzz/properties.ts`; `npm run fuzz` runs the same ones with many
 * more runs and a random seed (see `test/fuzz/run.ts`). The first test pins the bugs fuzzing
 * found, one input each, so that they stay fixed whatever the seed.
 *
 * A failure prints fast-check's seed, path and counterexample; replay it with
 * `npm run fuzz -- --seed <seed> --path <path> --property '<name>'`.
 */
import t from 'tap'
import fc from 'fast-check'
import { readThrough } from './helpers.js'
import { checkEvent, checkRead, PROPERTIES, runProperty } from './fuzz/properties.js'
import { createZeekTsvState, parseZeekTsvLine } from '../lib/parse/zeek-tsv.js'
import { AuditAssembler, execveArgs } from '../lib/parse/auditd.js'
import type { InputFormat, NetworkEvent, ProcessEvent, ScantagEvent } from '../lib/model.js'

const SEED = 20261126
/** FUZZ_SCALE=2 doubles every property's runs (the seed stays fixed). */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1)
fc.configureGlobal({ seed: SEED })

const deep = (n: number, open = '['): string => open.repeat(n) + (open === '[' ? '' : '1') + (open === '[' ? ']' : '}').repeat(n)

/** Reads `content`, checks every reader invariant, and returns what came out. */
async function read (content: string, format: InputFormat | 'auto' = 'auto', limitMs = 1000): Promise<{ events: ScantagEvent[], reasons: string[] }> {
  const t0 = performance.now()
  const r = await readThrough({ content }, { input: 'regression', format })
  const ms = performance.now() - t0
  if (ms > limitMs) throw new Error(`took ${ms.toFixed(0)} ms (bound ${limitMs} ms)`)
  checkRead(r, 'regression')
  return { events: r.events as unknown as ScantagEvent[], reasons: r.deadLetters.map(d => d.reason) }
}

t.test('regressions: inputs fuzzing found', async t => {
  t.test('Zeek TSV: a long digit run in a double column is rejected in linear time (REAL_RE ReDoS)', async t => {
    const state = createZeekTsvState()
    for (const h of ['#separator \\x09', '#fields\tts\trtt', '#types\ttime\tinterval']) parseZeekTsvLine(state, h)
    const t0 = performance.now()
    const res = parseZeekTsvLine(state, '1\t' + '1'.repeat(100_000) + 'x')
    const ms = performance.now() - t0
    t.equal(res.type, 'error')
    t.ok(ms < 500, `100,000 digits and a letter rejected in ${ms.toFixed(0)} ms (quadratic backtracking took about 4 s)`)
    for (const good of ['1.', '.5', '1e5', '-1.5e-3', '+2', '1387324800.123456']) {
      const r = parseZeekTsvLine(state, `1\t${good}`)
      t.same(r.type === 'record' ? r.record.rtt : r, Number(good), `${good} still reads`)
    }
  })

  t.test('deeply nested JSON does not crash a reader (JSON.stringify / String overflow the stack)', async t => {
    const d = deep(10_000)
    const cases: Array<[string, string, InputFormat | 'auto']> = [
      ['JSON document element', d, 'auto'],
      ['EVE timestamp', `{"event_type":"flow","timestamp":${d}}`, 'auto'],
      ['EVE alert metadata', `{"event_type":"alert","alert":{"metadata":{"a":${d},"b":[${d}],"c":{"toString":1},"d":[{"toString":1}]}}}`, 'auto'],
      ['Zeek JSON ts', `{"_path":"conn","ts":${d}}`, 'auto'],
      ['Zeek JSON answers', `{"_path":"dns","ts":1,"answers":[${d},{"toString":1}]}`, 'auto'],
      ['Sysmon EventID', `{"EventID":${d},"Channel":"Microsoft-Windows-Sysmon/Operational"}`, 'auto'],
      ['ECS @timestamp', `{"@timestamp":[${d}],"event":{"category":["process"]},"process":{"pid":1}}`, 'auto'],
      ['osquery time', `{"name":"process_events","hostIdentifier":"h","columns":{"time":${d}}}`, 'auto']
    ]
    for (const [name, line, format] of cases) {
      try {
        const r = await read(line + '\n', format)
        t.equal(r.events.length + r.reasons.length, 1, name)
      } catch (err) {
        t.fail(`${name}: ${(err as Error).message}`)
      }
    }
  })

  t.test('network events hold only what the schema allows (ports, addresses, numbers, ids)', async t => {
    const eve = '{"event_type":"flow","timestamp":"2026-11-26T19:38:49.987264+0000","flow_id":-5,"proto":300,"src_ip":"a","src_port":70000,"dest_ip":"10.1.2.3","dest_port":1.5,' +
      '"community_id":"1:not-an-id","flow":{"pkts_toserver":-1,"bytes_toserver":1e309,"state":"new"}}'
    const eve2 = '{"event_type":"alert","timestamp":"2026-11-26T19:38:49Z","flow_id":"12ab","proto":"","src_ip":"10.1.2.4","src_port":-1,"dest_ip":"' + 'f'.repeat(65) + '",' +
      '"alert":{"signature_id":1.5,"severity":2.5,"signature":"x"},"http":{"status":"1.5"}}'
    const eve3 = '{"event_type":"flow","timestamp":"2026-11-26T19:38:49Z","proto":1.5,"src_ip":"10.1.2.4","dest_ip":"10.1.2.5"}'
    const zeek = '{"_path":"conn","ts":1700000000,"id.orig_h":"10.1.1.1","id.orig_p":70000,"id.resp_h":"' + '1'.repeat(65) + '","id.resp_p":-1,"proto":"","ip_proto":300,' +
      '"duration":-1,"orig_bytes":-1,"resp_pkts":-0.5}'
    const zeek2 = '{"_path":"http","ts":1700000000,"id.orig_h":"10.1.1.1","id.orig_p":50000,"id.resp_h":"10.1.1.2","id.resp_p":80,"status_code":1.5,"community_id":"x"}'
    const r = await read([eve, eve2, eve3].join('\n') + '\n')
    t.equal(r.events.length, 3)
    const [flow, alert, odd] = r.events as NetworkEvent[]
    t.equal(flow.src, undefined, 'address "a" is not lifted')
    t.same(flow.dst, { ip: '10.1.2.3' }, 'port 1.5 is not lifted')
    t.equal(flow.flowId, undefined, 'negative flow_id is not lifted')
    t.equal(flow.protoNumber, undefined)
    t.not(flow.communityId, '1:not-an-id')
    t.same(alert.src, { ip: '10.1.2.4' }, 'port -1 is not lifted')
    t.equal(alert.dst, undefined)
    t.equal(alert.flowId, undefined)
    t.equal(alert.transport, undefined, 'empty proto is no transport')
    t.same(alert.alert, { signature: 'x' })
    t.equal(alert.http?.status, undefined)
    t.equal(odd.protoNumber, undefined)
    const z = await read([zeek, zeek2].join('\n') + '\n')
    t.equal(z.events.length, 2)
    const [conn, http] = z.events as NetworkEvent[]
    t.same(conn.src, { ip: '10.1.1.1' })
    t.equal(conn.dst, undefined)
    t.equal(conn.transport, undefined)
    t.equal(conn.protoNumber, undefined)
    t.equal(conn.duration, undefined)
    t.equal(conn.counters, undefined)
    t.same(http.src, { ip: '10.1.1.1', port: 50000 })
    t.equal(http.http?.status, undefined)
    t.match(http.communityId, /^1:[A-Za-z0-9+/]{27}=$/, 'a malformed sensor community id is replaced by a computed one')
    t.equal(http.scantag.community_id_source, 'computed')
    const tsv = ['#separator \\x09', '#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto', '#types\ttime\taddr\tport\taddr\tport\tenum',
      '1700000000\t10.1.1.1\t99999\t10.1.1.2\t' + '9'.repeat(400) + '\ttcp'].join('\n')
    const zt = await read(tsv + '\n')
    t.same((zt.events[0] as NetworkEvent).src, { ip: '10.1.1.1' }, 'TSV port 99999 is not lifted')
  })

  t.test('process events hold only what the schema allows', async t => {
    const sysmon = '{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","UtcTime":"2026-11-26 19:39:01.009","ProcessGuid":"{A}","ProcessId":"12","Image":"C:\\\\x.exe","SourceIp":"0","SourcePort":"1","DestinationIp":"10.1.2.3","DestinationPort":"80"}'
    const s = await read(sysmon + '\n')
    t.equal(s.events.length, 0)
    t.match(s.reasons[0], /SourceIp "0" is not an IP address/)
    const ecs = '{"@timestamp":"2026-11-26T19:39:01Z","event":{"category":["network"],"action":"connection_attempted"},"process":{"pid":1},"source":{"ip":"x","port":1},"destination":{"ip":"10.1.2.3","port":80}}'
    const e = await read(ecs + '\n')
    t.equal(e.events.length, 0)
    t.match(e.reasons[0], /source\.ip "x" is not an IP address/)
    const big = '9'.repeat(400)
    const osq = [
      `{"name":"processes","hostIdentifier":"h","unixTime":"${big}","columns":{"pid":"${big}","parent":"-1","start_time":"${big}","path":"/bin/x"}}`,
      '{"name":"socket_events","hostIdentifier":"h","unixTime":1700000000,"columns":{"action":"connect","pid":"1","family":"2","remote_address":"-","remote_port":"70000","local_address":"10.1.2.3","local_port":"-1","time":"1700000000"}}'
    ].join('\n')
    const o = await read(osq + '\n')
    t.equal(o.events.length, 2)
    const [proc, sock] = o.events as ProcessEvent[]
    t.equal(proc.time, undefined)
    t.equal(proc.process.pid, undefined)
    t.equal(proc.process.start, undefined)
    t.equal(sock.socket?.remote, undefined, 'remote "-" is not an address')
    t.same(sock.socket?.local, { ip: '10.1.2.3' }, 'port -1 is not lifted')
    const audit = [
      'type=SYSCALL msg=audit(1700000000.001:2): arch=c000003e syscall=59 success=yes exit=0 ppid=-1 pid=-5 comm="x" exe="/bin/x"',
      'type=EXECVE msg=audit(1700000000.001:2): argc=4294967295 a0="x" a1="y"',
      'type=EOE msg=audit(1700000000.001:2):',
      `type=SYSCALL msg=audit(${'9'.repeat(30)}.001:3): arch=c000003e syscall=59 success=yes exit=0 pid=1 comm="x"`
    ].join('\n')
    const a = await read(audit + '\n')
    t.equal(a.events.length, 1)
    t.match(a.reasons[0], /malformed msg=audit/)
    const ev = a.events[0] as ProcessEvent
    t.equal(ev.process.pid, undefined, 'pid=-5 is not lifted')
    t.equal(ev.process.parent, undefined, 'ppid=-1 is not lifted')
    t.same(ev.process.args, ['x', 'y'])
    const auoms = `{"SyslogMessage":"type=AUOMS_EXECVE audit(${'9'.repeat(30)}.1:1): pid=1 exe=\\"/bin/x\\""}`
    const au = await read(auoms + '\n')
    t.equal(au.events.length, 0)
    t.match(au.reasons[0], /timestamp/)
  })

  t.test('auditd: a late record after a stray old event does not lose that event', async t => {
    const lines = [
      'type=SYSCALL msg=audit(1700000100.000:1000): arch=c000003e syscall=59 success=yes exit=0 pid=1 comm="a"',
      'type=EOE msg=audit(1700000100.000:1000):',
      'type=SYSCALL msg=audit(1700000000.000:10): arch=c000003e syscall=42 success=no exit=-115 pid=2 comm="b"',
      'type=PROCTITLE msg=audit(1700000100.000:1000): proctitle="a"'
    ]
    const r = await read(lines.join('\n') + '\n')
    t.same(r.events.map(e => e.line), [1, 3], 'the stray event (serial 10) is emitted, not dropped')
    t.equal(r.reasons.length, 1)
    t.match(r.reasons[0], /late PROCTITLE record/)
    const a = new AuditAssembler({ maxPendingSerials: 1, maxPendingEvents: 1 })
    let accounted = 0
    for (const [i, l] of lines.entries()) for (const o of a.push(l, i + 1)) accounted += 'dead' in o ? 1 : o.lines.length
    for (const o of a.flush()) accounted += 'dead' in o ? 1 : o.lines.length
    t.equal(accounted, lines.length, 'every line ends in exactly one output')
  })

  t.test('Zeek conn_state "constructor" is no outcome (own-key lookup)', async t => {
    const r = await read('{"_path":"conn","ts":1,"proto":"tcp","conn_state":"constructor"}\n{"_path":"conn","ts":1,"proto":"tcp","conn_state":"__proto__"}\n')
    t.same(r.events.map(e => (e as NetworkEvent).outcome), ['other', 'other'])
  })

  t.test('reasons quote a bounded part of the input', async t => {
    const r = await read(`type=${'A'.repeat(100_000)} msg=audit(x)\n`, 'auditd')
    t.ok(r.reasons[0].length < 200, `auditd reason is ${r.reasons[0].length} characters`)
    const o = await read(`{"name":"${'q'.repeat(100_000)}","hostIdentifier":"h","snapshot":[1]}\n`)
    t.ok(o.reasons[0].length < 200, `osquery reason is ${o.reasons[0].length} characters`)
  })

  t.test('an address of one astral character is not lifted (JSON Schema counts code points)', async t => {
    const r = await read('{"event_type":"flow","src_ip":"\\ud83d\\ude00","dest_ip":"10.0.0.1"}\n')
    t.equal((r.events[0] as NetworkEvent).src, undefined)
  })

  t.test('auditd: a huge argc is bounded by the arguments present', async t => {
    const t0 = performance.now()
    t.same(execveArgs([{ argc: '4294967295', a0: '"x"', a2: '"z"' }]), ['x', '', 'z'])
    t.ok(performance.now() - t0 < 100, 'no loop over four billion positions')
    t.same(execveArgs([{ argc: '3', a0: '"a"', a1_len: '6', 'a1[0]': '"abc"', 'a1[1]': '646566', a2: '""' }]), ['a', 'abcdef', ''])
  })

  t.test('checkEvent rejects what the schema rejects', async t => {
    const base = { category: 'network', sensor: 'zeek', format: 'zeek-json', kind: 'conn', input: 'x', line: 1, original: {}, scantag: {} }
    t.doesNotThrow(() => { checkEvent(base as unknown as ScantagEvent) })
    t.throws(() => { checkEvent({ ...base, src: { ip: '10.0.0.1', port: 70000 } } as unknown as ScantagEvent) }, /port/)
    t.throws(() => { checkEvent({ ...base, time: Infinity } as unknown as ScantagEvent) }, /time/, 'NaN and Infinity are not numbers')
  })
})

let totalRuns = 0
const started = performance.now()
for (const p of PROPERTIES) {
  t.test(p.name, async t => {
    const t0 = performance.now()
    try {
      const runs = await runProperty(p, { scale: SCALE, seed: SEED })
      totalRuns += runs
      t.pass(`${runs} runs`)
      t.comment(`${p.name}: ${runs} runs in ${(performance.now() - t0).toFixed(0)} ms`)
    } catch (err) {
      const e = err as Error
      const cause = e.cause instanceof Error ? `\n${e.cause.stack ?? e.cause.message}` : ''
      const m = /seed: (-?\d+), path: "([^"]*)"/.exec(e.message)
      const replay = m !== null ? `\nreplay: npm run fuzz -- --seed ${m[1]} --path ${m[2]} --property '${p.name}'` : ''
      t.fail(`${e.message}${cause}${replay}`)
    }
  })
}

t.test('fuzzing summary', async t => {
  t.comment(`${PROPERTIES.length} properties, ${totalRuns} runs in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SEED}, scale ${SCALE})`)
  t.ok(totalRuns > 0)
})
