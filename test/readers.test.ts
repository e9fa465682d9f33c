import t from 'tap'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { fixture, readThrough } from './helpers.js'

const reconciles = (stats: { records: number, deadLetters: number, dataLines: number }): boolean =>
  stats.records + stats.deadLetters === stats.dataLines

t.test('EVE: lab records of every shape normalize', async t => {
  const { events, deadLetters, stats } = await readThrough(fixture('eve/lab-variety.json'))
  t.equal(stats.format, 'eve')
  t.equal(deadLetters.length, 0)
  t.equal(events.length, 21)
  t.ok(reconciles(stats))
  const kinds = new Set(events.map(e => e.kind))
  for (const k of ['dns', 'http', 'tls', 'alert', 'ssh', 'anomaly', 'flow']) t.ok(kinds.has(k), `kind ${k}`)

  const query = events.find(e => e.kind === 'dns' && e.original.dns !== undefined && (e.original.dns as { type: string }).type === 'query')
  t.ok(query)
  t.equal(query?.time, 1795721929.987264) // 2026-11-26T19:38:49.987264+0000
  t.same(query?.src, { ip: '10.20.30.62', port: 33939 })
  t.same(query?.dns, { query: 'intranet.acme.example', qtype: 'A' })
  t.equal(query?.flowId, '299620685706815')
  t.equal(query?.communityId, '1:rwXAQ+H0d7aNV+Y0Y9jPOkk39Gc=')
  t.equal(query?.scantag.community_id_source, 'sensor')

  const answer = events.find(e => e.kind === 'dns' && e.dns?.answers !== undefined)
  t.ok((answer?.dns?.answers ?? []).length > 0, 'v2 answers flattened')
  t.equal(answer?.dns?.rcode, 'NOERROR')

  const flows = events.filter(e => e.kind === 'flow')
  const byFlags = (ts: string, tc: string) => flows.find(e => {
    const tcp = e.original.tcp as { tcp_flags_ts?: string, tcp_flags_tc?: string } | undefined
    return tcp?.tcp_flags_ts === ts && tcp?.tcp_flags_tc === tc
  })
  t.equal(byFlags('02', '00')?.outcome, 'unanswered', 'SYN, no reply')
  t.equal(byFlags('02', '14')?.outcome, 'rejected', 'SYN answered by RST-ACK')
  t.equal(byFlags('06', '12')?.outcome, 'reset', 'half-open SYN scan of an open port')
  t.equal(byFlags('1b', '1b')?.outcome, 'established', 'full session')
  t.equal(byFlags('1e', '1b')?.outcome, 'reset', 'established then reset')
  const icmpNoReply = flows.find(e => e.transport === 'icmp' && e.counters?.respPackets === 0)
  t.equal(icmpNoReply?.outcome, 'unanswered')
  t.equal(icmpNoReply?.src?.port, 8, 'ICMP type in the source port slot')
  const icmpReply = flows.find(e => e.transport === 'icmp' && (e.counters?.respPackets ?? 0) > 0)
  t.equal(icmpReply?.outcome, 'established')
  const udpNoReply = flows.find(e => e.transport === 'udp' && e.counters?.respPackets === 0)
  t.equal(udpNoReply?.outcome, 'unanswered')

  const alert = events.find(e => e.kind === 'alert')
  t.type(alert?.alert?.signature, 'string')
  t.type(alert?.alert?.signatureId, 'number')
  const http = events.find(e => e.kind === 'http')
  t.equal(http?.http?.method, 'GET')
  t.equal(http?.http?.host, 'intranet.acme.example')
  t.equal(http?.http?.uri, '/about/')
  t.match(http?.http?.userAgent, /^Mozilla\/5\.0/)
})

t.test('EVE: Suricata 6 sample with alert metadata and +0100 offsets', async t => {
  const { events, deadLetters } = await readThrough(fixture('eve/nicoaller-sample.json'))
  t.equal(deadLetters.length, 0)
  const [alert, query, answer, flow] = events
  t.equal(alert.time, 1645640684.045266) // 2022-02-23T19:24:44.045266+0100
  t.same(alert.alert?.metadata, { confidence: ['Low'], created_at: ['2019_10_14'], updated_at: ['2019_10_29'] })
  t.equal(alert.alert?.signature, 'ET JA3 Hash - [Abuse.ch] Possible Dridex')
  t.equal(alert.alert?.severity, 3)
  t.equal(alert.scantag.community_id_source, 'computed')
  t.match(alert.communityId, /^1:[A-Za-z0-9+/]{27}=$/)
  t.equal(query.dns?.qtype, 'SRV')
  t.same(answer.dns?.answers, [], 'SRV answers carry no rdata string')
  t.equal(flow.kind, 'flow')
})

t.test('EVE: invented variants and broken lines', async t => {
  const { events, deadLetters, stats } = await readThrough(fixture('eve/invented-variants.json'))
  t.ok(reconciles(stats), 'records + dead letters = data lines')
  t.equal(stats.blankLines, 1)
  t.equal(stats.lines, 15)
  t.equal(events.length, 10)
  t.same(deadLetters.map(d => d.line), [10, 11, 12, 13])
  t.match(deadLetters[0].reason, /timestamp "not a time" is not an ISO 8601 time/)
  t.match(deadLetters[1].reason, /no event_type/)
  t.match(deadLetters[2].reason, /invalid JSON/)
  t.match(deadLetters[3].reason, /expected one JSON object per line, got an array/)
  for (const d of deadLetters) t.equal(d.input, fixture('eve/invented-variants.json'))

  const [v1q, v1a, v3q, v3r, icmp6, netflow, mitre, stats2, gre, http] = events
  t.equal(v1q.time, 1614585600.000001, '+02:00 offset')
  t.same(v1q.dns, { query: 'www.example.com', qtype: 'A' })
  t.equal(v1a.time, 1614585600.25, 'Z offset')
  t.same(v1a.dns?.answers, ['93.184.216.34'], 'v1 per-answer rdata')
  t.equal(v3q.time, 1614585600.5, 'no offset read as UTC')
  t.same(v3q.dns, { query: 'mail.example.com', qtype: 'MX', rcode: 'NOERROR' })
  t.equal(v3r.time, 1614600000.6, '-0400 offset')
  t.same(v3r.dns, { query: 'mail.example.com', qtype: 'MX', rcode: 'NXDOMAIN', answers: [] })
  t.equal(icmp6.flowId, '9007199254740993', 'flow_id beyond 2^53 kept exactly from the text')
  t.equal(icmp6.transport, 'icmp6')
  t.equal(icmp6.protoNumber, 58)
  t.same(icmp6.src, { ip: 'fe80::1', port: 135 })
  t.equal(icmp6.outcome, 'unanswered')
  t.equal(netflow.kind, 'netflow')
  t.equal(netflow.duration, 0.5)
  t.same(netflow.counters, { origBytes: 60, origPackets: 1 })
  t.same(mitre.alert?.metadata?.mitre_technique_id, ['T1595'])
  t.equal(stats2.kind, 'stats')
  t.equal(stats2.src, undefined)
  t.equal(stats2.communityId, undefined, 'no flow, no community id')
  t.equal(gre.transport, '47')
  t.equal(gre.protoNumber, 47)
  t.match(gre.communityId, /^1:/)
  t.equal(http.http?.status, 404)
  t.equal(http.http?.userAgent, 'Mozilla/5.00 (Nikto/2.1.6)')
})

t.test('Zeek JSON: dotted, underscore, envelopes, ISO/ms/string ts, nested id', async t => {
  const zat = await readThrough(fixture('zeek-json/zat-conn.log'))
  t.equal(zat.stats.format, 'zeek-json')
  t.equal(zat.events.length, 3)
  const c = zat.events[0]
  t.equal(c.kind, 'conn', 'path from the file name conn.log')
  t.equal(c.time, 1575413096.052279)
  t.same(c.src, { ip: '10.18.20.97', port: 49187 })
  t.same(c.dst, { ip: '10.18.20.8', port: 88 })
  t.equal(c.transport, 'tcp')
  t.equal(c.state, 'RSTR')
  t.equal(c.outcome, 'reset')
  t.equal(c.uid, 'CH53301MTU21BMj2Bj')
  t.same(c.counters, { origBytes: 242, respBytes: 283, origPackets: 4, respPackets: 4 })
  t.equal(c.scantag.community_id_source, 'computed')

  const otrf = await readThrough(fixture('zeek-json/otrf-apt29-underscore.log'))
  t.equal(otrf.deadLetters.length, 0)
  t.same(otrf.events.map(e => e.kind), ['conn', 'conn', 'conn', 'dns', 'dns'], 'path from @stream')
  t.same(otrf.events[0].src, { ip: '10.0.1.6', port: 54243 })
  t.equal(otrf.events[0].outcome, 'established', 'udp SF with a reply')

  const http = await readThrough(fixture('zeek-json/zat-http.log'))
  t.equal(http.events[0].kind, 'http')
  t.equal(http.events[0].transport, 'tcp')
  t.type(http.events[0].http?.method, 'string')

  const inv = await readThrough(fixture('zeek-json/invented-variants.log'))
  t.ok(reconciles(inv.stats))
  t.equal(inv.events.length, 4)
  const [nested, iso, icmp6, noPath] = inv.events
  t.equal(nested.time, 1700000000.123, 'integer milliseconds')
  t.same(nested.src, { ip: '10.1.1.1', port: 50000 }, 'nested id')
  t.equal(nested.outcome, 'rejected')
  t.equal(iso.time, 1521911720.865716, 'ISO 8601 ts keeps microseconds')
  t.equal(iso.kind, 'conn')
  t.equal(iso.outcome, 'unanswered')
  t.equal(icmp6.time, 1521911720.5)
  t.equal(icmp6.transport, 'icmp6', 'Zeek writes ICMPv6 as icmp')
  t.equal(icmp6.protoNumber, 58)
  t.equal(icmp6.outcome, 'established')
  t.equal(noPath.kind, 'http', 'path guessed from the fields')
  t.equal(noPath.http?.userAgent, 'gobuster/3.6')
  t.equal(inv.deadLetters.length, 1)
  t.match(inv.deadLetters[0].reason, /ts "yesterday" is neither/)
  t.equal(inv.deadLetters[0].line, 5)
})

t.test('line handling: CRLF, BOM, chunk boundaries, no trailing newline', async t => {
  const text = readFileSync(fixture('eve/nicoaller-sample.json'), 'utf8')
  const crlf = '\ufeff' + text.replace(/\n/g, '\r\n').replace(/\r\n$/, '')
  const whole = await readThrough({ content: text })
  for (const chunkSize of [1, 7, 4096]) {
    const r = await readThrough({ content: crlf, chunkSize })
    t.equal(r.deadLetters.length, 0, `chunk ${chunkSize}: no dead letters`)
    t.same(r.events.map(e => e.time), whole.events.map(e => e.time), `chunk ${chunkSize}: same events`)
    t.equal(r.events[0].raw?.endsWith('}'), true, 'CR stripped from the raw line')
  }
})

t.test('over-long lines are dead-lettered without buffering them whole', async t => {
  const good = readFileSync(fixture('eve/nicoaller-sample.json'), 'utf8').split('\n')[1]
  const long = '{"event_type":"http","x":"' + 'A'.repeat(5000) + '"}'
  const content = [good, long, good, long].join('\n') + '\n'
  const r = await readThrough({ content, chunkSize: 512 }, { maxLineLength: 1000 })
  t.equal(r.events.length, 2)
  t.equal(r.deadLetters.length, 2)
  t.same(r.deadLetters.map(d => d.line), [2, 4])
  t.match(r.deadLetters[0].reason, /line is 5028 characters long, over the 1000-character limit/)
  t.equal(r.deadLetters[0].text.length, 1024, 'only a sample is kept')
  t.ok(reconciles(r.stats))
  t.same(r.events.map(e => e.line), [1, 3])
})

t.test('gzip input is read transparently; a truncated archive is one dead letter', async t => {
  const text = readFileSync(fixture('eve/lab-variety.json'))
  const gz = gzipSync(text)
  const r = await readThrough({ content: gz, chunkSize: 100 })
  t.equal(r.stats.gzip, true)
  t.equal(r.events.length, 21)
  t.equal(r.stats.bytes, gz.length)

  const cut = await readThrough({ content: gz.subarray(0, Math.floor(gz.length * 0.6)) })
  t.ok(cut.events.length > 0 && cut.events.length < 21, `read ${cut.events.length} records before the cut`)
  const last = cut.deadLetters[cut.deadLetters.length - 1]
  t.match(last.reason, /gzip data is corrupt or truncated/)
  t.ok(reconciles(cut.stats))
})

t.test('format sniffing', async t => {
  const unknown = await readThrough({ content: 'hello world\n\n{"foo":1}\n' + readFileSync(fixture('eve/nicoaller-sample.json'), 'utf8') })
  t.equal(unknown.stats.format, 'eve', 'decided on the first recognisable line')
  t.equal(unknown.deadLetters.length, 2)
  t.match(unknown.deadLetters[0].reason, /input format not recognised/)
  t.equal(unknown.stats.blankLines, 1)
  t.ok(reconciles(unknown.stats))

  const forced = await readThrough(fixture('eve/nicoaller-sample.json'), { format: 'zeek-json' })
  t.equal(forced.stats.format, 'zeek-json', '--input-format overrides sniffing')

  const zeekOnly = await readThrough(fixture('eve/nicoaller-sample.json'), {}, ['zeek-tsv', 'zeek-json'])
  t.equal(zeekOnly.events.length, 0)
  t.match(zeekOnly.deadLetters[0].reason, /looks like eve, which this reader does not accept/)
  t.ok(reconciles(zeekOnly.stats))
})

t.test('bad options fail fast with a message', async t => {
  const { LogReader } = await import('../lib/parse/reader.js')
  t.throws(() => new LogReader({ maxLineLength: 0 }), /maxLineLength must be a positive integer/)
  t.throws(() => new LogReader({ communityIdSeed: 70000 }), /communityIdSeed must be an integer from 0 to 65535/)
  t.throws(() => new LogReader({ format: 'pcap' as never }), /format must be one of auto/)
})

t.test('a pretty-printed JSON document (an EVE re-export, an evtx dump) is read whole, element by element', async t => {
  const lines = readFileSync(fixture('eve/nicoaller-sample.json'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as object)
  const doc = JSON.stringify([lines[0], 42, lines[1], { hello: 'world' }], null, 2)
  const r = await readThrough({ content: doc + '\n' })
  t.equal(r.stats.format, 'json-document')
  t.same(r.events.map(e => e.kind), ['alert', 'dns'])
  t.equal(r.events[0].time, 1645640684.045266)
  t.equal(r.deadLetters.length, 2)
  t.match(r.deadLetters[0].reason, /element 2 of the JSON document is not an object/)
  t.match(r.deadLetters[1].reason, /element 4 of the JSON document is not a Zeek, Suricata EVE, Sysmon, osquery or ECS record/)
  t.equal(r.stats.inputRecords, 4, 'input records are the elements')
  t.equal(r.stats.records + r.stats.deadLetters, r.stats.inputRecords)
  t.equal(r.stats.dataLines, doc.split('\n').length)

  const single = await readThrough({ content: JSON.stringify(lines[2], null, 2) })
  t.same(single.events.map(e => e.kind), ['dns'], 'a single pretty-printed object')

  const cut = await readThrough({ content: doc.slice(0, doc.length / 2) })
  t.equal(cut.events.length, 0)
  t.equal(cut.deadLetters.length, 1)
  t.match(cut.deadLetters[0].reason, /invalid JSON document/)
  t.equal(cut.deadLetters[0].line, 1)

  const big = await readThrough({ content: doc }, { maxDocumentLength: 100 })
  t.equal(big.deadLetters.length, 1)
  t.match(big.deadLetters[0].reason, /JSON document is over 100 characters \(maxDocumentLength\)/)
  t.equal(big.stats.records + big.stats.deadLetters, big.stats.inputRecords)
})

t.test('for one-record-per-line formats input records are data lines', async t => {
  for (const f of ['eve/invented-variants.json', 'zeek-json/invented-variants.log', 'zeek-tsv/invented-bad-lines.log']) {
    const r = await readThrough(fixture(f))
    t.equal(r.stats.inputRecords, r.stats.dataLines, f)
    t.ok(reconciles(r.stats), f)
  }
})

t.test('records nested deeper than MAX_JSON_DEPTH are dead-lettered, and the pipeline survives to the serializer', async t => {
  const { MAX_JSON_DEPTH } = await import('../lib/parse/parsers.js')
  const deep = '{"event_type":"flow","src_ip":"10.0.0.1","a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}'
  const ok = '{"event_type":"flow","src_ip":"10.0.0.1","a":"[[[[not nesting]]]]' + '['.repeat(600) + '"}'
  const r = await readThrough({ content: deep + '\n' + ok + '\n' })
  t.equal(r.deadLetters.length, 1)
  t.match(r.deadLetters[0].reason, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`))
  t.equal(r.events.length, 1, 'brackets inside strings do not count')
  const { createSerializer } = await import('../lib/stream.js')
  const { Readable } = await import('node:stream')
  let text = ''
  for await (const c of Readable.from(r.events).pipe(createSerializer({ format: 'ecs' }))) text += String(c)
  t.equal(text.trim().split('\n').length, 1)
  // The bracket count that lets most lines skip the scan must not move the limit itself.
  const { jsonTooDeep } = await import('../lib/parse/parsers.js')
  const nest = (levels: number): string => '{"a":' + '['.repeat(levels - 1) + ']'.repeat(levels - 1) + '}'
  t.equal(jsonTooDeep(nest(MAX_JSON_DEPTH)), false, `${MAX_JSON_DEPTH} levels are accepted`)
  t.equal(jsonTooDeep(nest(MAX_JSON_DEPTH + 1)), true, `${MAX_JSON_DEPTH + 1} levels are refused`)
  t.equal(jsonTooDeep('{"a":' + '[],'.repeat(400) + '1}'), false, 'many shallow brackets: scanned, accepted')
})
