// Wordlist scanning (ATT&CK T1595.003): HTTP path brute force and DNS subdomain brute force.
// Pure decisions first, then invented look-alikes through the enricher, then real lab captures
// (trimmed copies in test/fixtures/detect, whole files under ../shared/data when present).
import t from 'tap'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { Readable } from 'node:stream'
import { join } from 'node:path'
import type { DetectionRecord, NetworkEvent, ScantagEvent } from '../lib/model.js'
import { LogReader } from '../lib/parse/reader.js'
import { mergeByTime } from '../lib/merge.js'
import { createEnricher, type EnricherOptions } from '../lib/stream.js'
import {
  dnsReason, formatDuration, httpReason, isNxdomain, isWordlistScan, normalizeDnsName, normalizePath,
  splitDnsName, wordlistConfidence, wordlistScan, WORDLIST_SCAN_DEFAULTS, type WordlistScanOptions
} from '../lib/correlate/wordlist-scan.js'
import { isPublicSuffixLike, lookupZoneFor, wordlistToolForUserAgent, WORDLIST_USER_AGENTS } from '../lib/correlate/knowledge/wordlist-tools.js'
import { fixture, sharedData } from './helpers.js'

type Out = ScantagEvent | DetectionRecord

interface Run {
  events: NetworkEvent[]
  /** Last record of each detection, by id. */
  detections: DetectionRecord['detection'][]
}

function collect (out: Out[]): Run {
  const last = new Map<string, DetectionRecord['detection']>()
  const events: NetworkEvent[] = []
  for (const o of out) {
    if (o.category === 'detection') last.set(o.detection.id, o.detection)
    else if (o.category === 'network') events.push(o)
  }
  return { events, detections: [...last.values()] }
}

/** Plain Zeek/EVE objects through the enricher with only this correlator. */
async function enrichObjects (records: object[], options: WordlistScanOptions = {}, extra: EnricherOptions = {}): Promise<Run> {
  const out: Out[] = []
  for await (const o of Readable.from(records).pipe(createEnricher({ format: 'event', builtins: false, correlators: [wordlistScan(options)], ...extra }))) out.push(o as Out)
  return collect(out)
}

/** Files (EVE, Zeek, telemetry; gzip by name) merged by time through the enricher. */
async function enrichFiles (files: string[], extra: EnricherOptions = {}): Promise<Run> {
  const readers = files.map(f => {
    const raw = createReadStream(f)
    return (f.endsWith('.gz') ? raw.pipe(createGunzip()) : raw).pipe(new LogReader({ input: f }))
  })
  const { stream } = mergeByTime(readers, { lateness: 120 })
  const out: Out[] = []
  for await (const o of stream.pipe(createEnricher({ format: 'event', builtins: false, correlators: [wordlistScan()], ...extra }))) out.push(o as Out)
  return collect(out)
}

const isWordlistLabelled = (e: NetworkEvent): boolean => (e.scantag.labels ?? []).some(l => l.subtechnique === 'T1595.003' && l.correlator === 'wordlist-scan')

/** Share of a source's events of some kinds that carry a T1595.003 label. */
function labelledShare (run: Run, src: string, kinds: string[]): { labelled: number, total: number } {
  const mine = run.events.filter(e => e.src?.ip === src && kinds.includes(e.kind))
  return { labelled: mine.filter(isWordlistLabelled).length, total: mine.length }
}

// ---------------------------------------------------------------------------------------------
// Invented records (documentation addresses, no third-party content).

let uid = 0
function zeekHttp (ts: number, src: string, dst: string, uri: string, status: number | undefined, ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', host = 'www.example.com'): object {
  const r: Record<string, unknown> = { _path: 'http', ts, uid: `C${uid++}`, 'id.orig_h': src, 'id.orig_p': 40000 + (uid % 20000), 'id.resp_h': dst, 'id.resp_p': 80, method: 'GET', host, uri, user_agent: ua }
  if (status !== undefined) r.status_code = status
  return r
}
function zeekDns (ts: number, src: string, query: string, rcode: string, answers: string[] = [], server = '192.0.2.53', port = 53): object {
  return { _path: 'dns', ts, uid: `D${uid++}`, 'id.orig_h': src, 'id.orig_p': 50000 + (uid % 10000), 'id.resp_h': server, 'id.resp_p': port, proto: 'udp', trans_id: uid % 65536, query, qtype_name: 'A', rcode_name: rcode, answers }
}
const words = (n: number, prefix = 'w'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

// ---------------------------------------------------------------------------------------------

t.test('options: defaults, name, validation', async t => {
  const c = wordlistScan()
  t.equal(c.name, 'wordlist-scan')
  t.same(c.categories, ['network'])
  t.equal(WORDLIST_SCAN_DEFAULTS.minDistinctPaths, 50)
  t.equal(WORDLIST_SCAN_DEFAULTS.windowSeconds, 300)
  t.throws(() => wordlistScan({ minDistinctPaths: 0 }), { name: 'TypeError', message: /minDistinctPaths/ })
  t.throws(() => wordlistScan({ minDistinctNames: 2.5 }), { name: 'TypeError', message: /minDistinctNames/ })
  t.throws(() => wordlistScan({ minFailureShare: 1.5 }), { name: 'TypeError', message: /minFailureShare/ })
  t.throws(() => wordlistScan({ windowSeconds: -1 }), { name: 'TypeError', message: /windowSeconds/ })
  t.throws(() => wordlistScan({ maxKeys: Number.NaN }), { name: 'TypeError', message: /maxKeys/ })
  t.throws(() => wordlistScan({ nonsense: 1 } as unknown as WordlistScanOptions), { name: 'TypeError', message: /nonsense/ })
  t.doesNotThrow(() => wordlistScan({ minFailureShare: 0, holdSeconds: 0.5 }))
})

t.test('paths: query, fragment, absolute form, length cap', async t => {
  t.equal(normalizePath('/admin/?id=1#top'), '/admin/')
  t.equal(normalizePath('/login?username%3Dadmin'), '/login')
  t.equal(normalizePath('http://intranet.example:8080/a/b?x'), '/a/b')
  t.equal(normalizePath('http://intranet.example'), '/')
  t.equal(normalizePath('?x=1'), '/')
  t.equal(normalizePath('*'), undefined)
  t.equal(normalizePath(''), undefined)
  t.equal(normalizePath(undefined), undefined)
  t.equal(normalizePath('/' + 'a'.repeat(100_000))?.length, 256)
  t.equal(normalizePath('/Admin'), '/Admin', 'case kept: paths are case-sensitive and wordlists hold both')
})

t.test('DNS names: case, trailing dot, repeated search suffix, split, rcode', async t => {
  t.equal(normalizeDnsName('WWW.Acme.Example.'), 'www.acme.example')
  t.equal(normalizeDnsName('vpn.acme.example.acme.example'), 'vpn.acme.example', 'search-list suffix repeated')
  t.equal(normalizeDnsName('a.b.corp.example.corp.example'), 'a.b.corp.example')
  t.equal(normalizeDnsName('acme.example.acme.example'), 'acme.example.acme.example', 'nothing left in front: kept')
  t.equal(normalizeDnsName('x.com.com'), 'x.com.com', 'single-label repeats are not search suffixes')
  t.equal(normalizeDnsName('a'.repeat(300)), undefined)
  t.equal(normalizeDnsName(''), undefined)
  t.same(splitDnsName('admin.acme.example'), { label: 'admin', zone: 'acme.example' })
  t.equal(splitDnsName('localhost'), undefined)
  t.ok(isNxdomain('NXDOMAIN'))
  t.ok(isNxdomain('3'))
  t.notOk(isNxdomain('NOERROR'))
  t.notOk(isNxdomain(undefined))
})

t.test('knowledge: user agents, lookup zones, public suffixes', async t => {
  t.equal(wordlistToolForUserAgent('Fuzz Faster U Fool v1.1.0')?.id, 'ffuf')
  t.equal(wordlistToolForUserAgent('FUZZ FASTER U FOOL v2.1.0-dev')?.id, 'ffuf', 'case-insensitive')
  t.equal(wordlistToolForUserAgent('gobuster/3.6')?.id, 'gobuster')
  t.equal(wordlistToolForUserAgent('gobuster 3.0.1')?.id, 'gobuster')
  t.equal(wordlistToolForUserAgent('feroxbuster/2.10.1')?.id, 'feroxbuster')
  t.equal(wordlistToolForUserAgent('Wfuzz/3.1.0')?.id, 'wfuzz')
  t.equal(wordlistToolForUserAgent('DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)')?.id, 'dirbuster')
  t.equal(wordlistToolForUserAgent('Mozilla/5.0 SF/2.10b')?.id, 'skipfish')
  t.equal(wordlistToolForUserAgent('Go-http-client/1.1'), undefined, 'generic library agents are not tools')
  t.equal(wordlistToolForUserAgent('python-requests/2.32.3'), undefined)
  t.equal(wordlistToolForUserAgent('MaliciousScanner/1.0'), undefined)
  t.equal(wordlistToolForUserAgent('x'.repeat(300) + 'gobuster/3.6'), undefined, 'only the first 256 characters are read')
  for (const e of WORDLIST_USER_AGENTS) {
    t.equal(wordlistToolForUserAgent(e.example)?.id, e.id, `${e.id}: its example matches`)
    t.ok(e.references.length > 0, `${e.id}: has a reference`)
  }
  t.equal(lookupZoneFor('2.0.0.127.zen.spamhaus.org')?.kind, 'dnsbl')
  t.equal(lookupZoneFor('4.3.2.1.in-addr.arpa')?.kind, 'reverse')
  t.equal(lookupZoneFor('zen.spamhaus.org')?.kind, 'dnsbl')
  t.equal(lookupZoneFor('evil-zen.spamhaus.org.attacker.example'), undefined)
  t.equal(lookupZoneFor('xzen.spamhaus.org'), undefined, 'label boundary')
  t.ok(isPublicSuffixLike('com'))
  t.ok(isPublicSuffixLike('co.uk'))
  t.ok(isPublicSuffixLike('com.br'))
  t.notOk(isPublicSuffixLike('acme.example'))
  t.notOk(isPublicSuffixLike('example.co.uk'))
})

t.test('decision, confidence, reasons', async t => {
  const th = { minDistinct: 50, minShare: 0.8, toolMinDistinct: 20 }
  t.notOk(isWordlistScan(49, 49, 49, false, th), 'one short of the distinct names')
  t.ok(isWordlistScan(50, 50, 40, false, th), '80% exactly')
  t.notOk(isWordlistScan(50, 50, 39, false, th))
  t.notOk(isWordlistScan(60, 10, 10, false, th), 'too few answers to judge the share')
  t.ok(isWordlistScan(20, 20, 0, true, th), 'a tool needs only distinct names (soft-404 servers answer 200)')
  t.notOk(isWordlistScan(19, 19, 19, true, th))
  t.equal(wordlistConfidence(50, 50, 40, false, th), 0.6)
  t.equal(wordlistConfidence(500, 500, 500, false, th), 0.9)
  t.equal(wordlistConfidence(500, 500, 500, true, th), 0.99)
  t.equal(wordlistConfidence(20, 20, 0, true, th), 0.8)
  t.equal(wordlistConfidence(20, 20, 0, false, th), 0)
  t.equal(formatDuration(0.4), '0.40 s')
  t.equal(formatDuration(2.14), '2.1 s')
  t.equal(formatDuration(41.4), '41 s')
  t.equal(formatDuration(1800), '30 min')
  t.equal(httpReason('10.20.30.41', { distinct: 4614, capped: false, first: 10, last: 10.4, answered: 4614, failed: 4596, failures: { 404: 4592, 403: 4 }, tool: 'user agent "Fuzz Faster U Fool v1.1.0": ffuf', target: 'intranet.acme.example (10.1.10.20)' }),
    '10.20.30.41 requested 4614 distinct paths on intranet.acme.example (10.1.10.20) in 0.40 s, 99% answered 404/403 (user agent "Fuzz Faster U Fool v1.1.0": ffuf)')
  t.equal(dnsReason('10.20.30.41', { distinct: 5000, capped: true, first: 0, last: 2.1, answered: 100, failed: 97, target: 'acme.example' }),
    '10.20.30.41 queried 5000+ distinct names under acme.example in 2.1 s, 97% NXDOMAIN')
})

t.test('HTTP look-alikes do not fire', async t => {
  const client = '198.51.100.7'
  const server = '203.0.113.10'
  const recs: object[] = []
  // A browser loading pages: each page, its assets, a missing favicon and apple-touch-icon, reloaded 40 times
  // (ET sid 2009885's "30 404s in 60 s" and Wazuh 31151's "14 4xx in 90 s" would both fire here).
  for (let i = 0; i < 40; i++) {
    const t0 = 1000 + i
    recs.push(zeekHttp(t0, client, server, `/page${i % 3}.html`, 200))
    recs.push(zeekHttp(t0, client, server, '/app.css', 200), zeekHttp(t0, client, server, '/app.js', 200))
    recs.push(zeekHttp(t0, client, server, '/favicon.ico', 404), zeekHttp(t0, client, server, '/apple-touch-icon.png', 404))
  }
  // A monitoring job polling /health every 5 s for an hour (s10's look-alike), some of it failing.
  for (let i = 0; i < 720; i++) recs.push(zeekHttp(2000 + i * 5, '198.51.100.8', server, `/health?ts=${i}`, i % 10 === 0 ? 503 : 200, 'check_http/v2.3.3 (monitoring-plugins 2.3.3)'))
  // A crawler: 300 distinct pages, 10% broken links.
  for (let i = 0; i < 300; i++) recs.push(zeekHttp(6000 + i * 0.5, '198.51.100.9', server, `/docs/p${i}.html`, i % 10 === 0 ? 404 : 200, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'))
  // A gobuster run too short to be a list (5 distinct paths).
  for (const p of ['/a', '/b', '/c', '/d', '/e']) recs.push(zeekHttp(7000, '198.51.100.10', server, p, 404, 'gobuster/3.6'))
  recs.sort((a, b) => (a as { ts: number }).ts - (b as { ts: number }).ts)
  const run = await enrichObjects(recs)
  t.same(run.detections, [], 'no detection')
  t.equal(run.events.filter(isWordlistLabelled).length, 0, 'no label')
  t.equal(run.events.length, recs.length, 'every record leaves')
})

t.test('HTTP wordlist scan: detected, every request labelled (also those before the threshold)', async t => {
  const scanner = '203.0.113.66'
  const server = '198.51.100.20'
  const recs: object[] = []
  // A browser on the same server at the same time must stay unlabelled.
  for (let i = 0; i < 30; i++) recs.push(zeekHttp(100 + i, '198.51.100.30', server, `/news/${i}`, 200))
  // A scanner with a browser-like agent (dirb's): 80 paths, 76 of them 404, 4 found.
  for (let i = 0; i < 80; i++) recs.push(zeekHttp(100 + i * 0.25, scanner, server, `/${words(80)[i]}?q=1`, i % 20 === 10 ? 200 : 404, 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)'))
  recs.sort((a, b) => (a as { ts: number }).ts - (b as { ts: number }).ts)
  const run = await enrichObjects(recs)
  t.equal(run.detections.length, 1)
  const d = run.detections[0]
  t.equal(d.source.ip, scanner)
  t.equal(d.subtechnique, 'T1595.003')
  t.equal(d.correlator, 'wordlist-scan')
  t.equal(d.target_count, 80)
  t.same(d.sample_ports, [80])
  t.equal(d.reason, `${scanner} requested 80 distinct paths on www.example.com (${server}) in 20 s, 95% answered 404`)
  t.same(labelledShare(run, scanner, ['http']), { labelled: 78, total: 80 }, 'the failures before the threshold were held and labelled when it was crossed')
  const missed = run.events.filter(e => e.src?.ip === scanner && !isWordlistLabelled(e))
  t.same(missed.map(e => [e.http?.uri, e.http?.status]), [['/w10?q=1', 200], ['/w30?q=1', 200]], 'only the two found paths before the threshold left unlabelled (successes are not held)')
  t.ok(run.events.filter(e => e.src?.ip === scanner && e.http?.status === 200).slice(2).every(isWordlistLabelled), 'found paths after it are labelled')
  t.same(labelledShare(run, '198.51.100.30', ['http']), { labelled: 0, total: 30 })
  const label = run.events.find(e => e.src?.ip === scanner && e.http?.uri === '/w0?q=1')?.scantag.labels?.find(l => l.correlator === 'wordlist-scan')
  t.equal(label?.detection, d.id)
  t.equal(label?.technique, 'T1595')
  t.ok(label !== undefined && label.confidence >= 0.6)
  // Events that left before the detection: none (the hold covers the whole scan).
  t.equal(run.events.length, recs.length)
})

t.test('HTTP: a known tool against a soft-404 server fires on distinct paths alone; the same without the agent does not', async t => {
  const mk = (ua: string): object[] => words(30).map((w, i) => zeekHttp(500 + i * 0.01, '203.0.113.70', '198.51.100.21', `/${w}`, 200, ua))
  const tool = await enrichObjects(mk('gobuster/3.6'))
  t.equal(tool.detections.length, 1)
  t.match(tool.detections[0].reason, /requested 30 distinct paths .* 0% answered 4xx \(user agent "gobuster\/3\.6": Gobuster\)$/)
  t.equal(tool.detections[0].confidence, 0.8)
  t.equal(tool.events.filter(isWordlistLabelled).length, 30)
  const plain = await enrichObjects(mk('Mozilla/5.0'))
  t.same(plain.detections, [])
})

t.test('HTTP: the window is tumbling; allow-listed sources are skipped', async t => {
  const scanner = '203.0.113.80'
  const slow = words(80).map((w, i) => zeekHttp(1000 + i * 10, scanner, '198.51.100.22', `/${w}`, 404))
  const run = await enrichObjects(slow)
  t.same(run.detections, [], '80 paths over 800 s: never 50 in one 300 s window')
  const fast = words(80).map((w, i) => zeekHttp(1000 + i, scanner, '198.51.100.22', `/${w}`, 404))
  const allowed = await enrichObjects(fast, {}, { allow: [{ cidr: '203.0.113.0/24', reason: 'our vulnerability scanner' }] })
  t.same(allowed.detections, [])
  const wider = await enrichObjects(slow, { windowSeconds: 900 })
  t.equal(wider.detections.length, 1, 'a wider window catches it')
})

t.test('HTTP: alerts carrying the request are labelled but not counted twice', async t => {
  const scanner = '203.0.113.90'
  const recs: object[] = []
  for (let i = 0; i < 60; i++) {
    const ts = `2026-01-01T00:00:${String(i).padStart(2, '0')}.000000+0000`
    const http = { hostname: 'intranet.example', url: `/${i}`, http_user_agent: 'Mozilla/5.0', http_method: 'GET', status: 404 }
    recs.push({ timestamp: ts, flow_id: 1000 + i, event_type: 'http', src_ip: scanner, src_port: 40000 + i, dest_ip: '198.51.100.23', dest_port: 80, proto: 'TCP', http })
    if (i % 2 === 0) recs.push({ timestamp: ts, flow_id: 1000 + i, event_type: 'alert', src_ip: scanner, src_port: 40000 + i, dest_ip: '198.51.100.23', dest_port: 80, proto: 'TCP', alert: { signature_id: 1, signature: 'x' }, http })
  }
  const run = await enrichObjects(recs)
  t.equal(run.detections.length, 1)
  t.equal(run.detections[0].target_count, 60)
  t.match(run.detections[0].reason, /100% answered 404$/)
  t.same(labelledShare(run, scanner, ['http']), { labelled: 60, total: 60 })
  t.same(labelledShare(run, scanner, ['alert']), { labelled: 30, total: 30 })
})

t.test('DNS look-alikes do not fire', async t => {
  const recs: object[] = []
  // A mail server asking Spamhaus about 300 connecting clients, 95% not listed (NXDOMAIN).
  for (let i = 0; i < 300; i++) recs.push(zeekDns(100 + i, '198.51.100.25', `${i % 250}.${(i * 7) % 250}.113.203.zen.spamhaus.org`, i % 20 === 0 ? 'NOERROR' : 'NXDOMAIN', i % 20 === 0 ? ['127.0.0.4'] : []))
  // A log server resolving 200 addresses of one /24 back to names, mostly without PTR records.
  for (let i = 0; i < 200; i++) recs.push(zeekDns(100 + i, '198.51.100.26', `${i}.2.0.192.in-addr.arpa`, 'NXDOMAIN'))
  // CDN-heavy browsing: 150 distinct names under one CDN zone, all answered.
  for (let i = 0; i < 150; i++) recs.push(zeekDns(100 + i, '198.51.100.27', `e${i}.a.akamaiedge.net`, 'NOERROR', ['192.0.2.1']))
  // DGA malware: 200 random .com names, NXDOMAIN: each is its own zone under a public suffix.
  for (let i = 0; i < 200; i++) recs.push(zeekDns(100 + i, '198.51.100.28', `q${(i * 7919).toString(36)}x.com`, 'NXDOMAIN'))
  for (let i = 0; i < 200; i++) recs.push(zeekDns(100 + i, '198.51.100.28', `q${(i * 104729).toString(36)}y.co.uk`, 'NXDOMAIN'))
  // mDNS service browsing.
  for (let i = 0; i < 100; i++) recs.push(zeekDns(100 + i, '198.51.100.29', `svc${i}._tcp.local`, 'NXDOMAIN', [], '224.0.0.251', 5353))
  // A client resolving a handful of internal names, one typo.
  for (const n of ['intranet', 'files', 'mail', 'intarnet']) recs.push(zeekDns(100, '198.51.100.31', `${n}.corp.example`, n === 'intarnet' ? 'NXDOMAIN' : 'NOERROR'))
  recs.sort((a, b) => (a as { ts: number }).ts - (b as { ts: number }).ts)
  const run = await enrichObjects(recs)
  t.same(run.detections, [])
  t.equal(run.events.filter(isWordlistLabelled).length, 0)
})

t.test('DNS brute force: detected per source and zone, answers from either side', async t => {
  const scanner = '203.0.113.100'
  const recs: object[] = []
  const list = [...words(70, 'host'), 'www', 'mail', 'vpn']
  list.forEach((w, i) => recs.push(zeekDns(200 + i * 0.02, scanner, `${w}.corp.example`, ['www', 'mail', 'vpn'].includes(w) ? 'NOERROR' : 'NXDOMAIN')))
  const run = await enrichObjects(recs)
  t.equal(run.detections.length, 1)
  const d = run.detections[0]
  t.equal(d.reason, `${scanner} queried 73 distinct names under corp.example in 1.4 s, 95% NXDOMAIN`)
  t.equal(d.target_count, 73)
  t.same(d.sample_targets, ['host0.corp.example', 'host1.corp.example', 'host2.corp.example', 'host3.corp.example', 'host4.corp.example'])
  t.same(labelledShare(run, scanner, ['dns']), { labelled: 73, total: 73 })

  // EVE: query records from the client; answers written from the server's side (Suricata <= 4).
  const eve: object[] = []
  words(60, 'n').forEach((w, i) => {
    const ts = `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}+0000`
    eve.push({ timestamp: ts, event_type: 'dns', src_ip: scanner, src_port: 30000 + i, dest_ip: '198.51.100.53', dest_port: 53, proto: 'UDP', dns: { type: 'query', id: i, rrname: `${w}.corp.example`, rrtype: 'A' } })
    eve.push({ timestamp: ts, event_type: 'dns', src_ip: '198.51.100.53', src_port: 53, dest_ip: scanner, dest_port: 30000 + i, proto: 'UDP', dns: { type: 'answer', id: i, rrname: `${w}.corp.example`, rrtype: 'A', rcode: 'NXDOMAIN' } })
  })
  const v1 = await enrichObjects(eve)
  t.equal(v1.detections.length, 1)
  t.equal(v1.detections[0].source.ip, scanner)
  t.match(v1.detections[0].reason, /queried 60 distinct names under corp\.example in .*, 100% NXDOMAIN$/)
  const answers = v1.events.filter(e => e.src?.ip === '198.51.100.53')
  t.ok(answers.filter(isWordlistLabelled).length >= 55, 'answer records labelled with the client as the source')
})

// ---------------------------------------------------------------------------------------------
// Lab captures, trimmed (test/fixtures/detect, see test/fixtures/README.md).

t.test('lab s06 (ffuf), trimmed: the scanner detected, its requests and alert labelled, benign clients not', async t => {
  const run = await enrichFiles([fixture('detect/lab-s06-ffuf-eve.json')])
  t.equal(run.detections.length, 1)
  const d = run.detections[0]
  t.equal(d.source.ip, '10.20.30.41')
  t.equal(d.subtechnique, 'T1595.003')
  t.same(d.alsoTechniques, ['T1046'], 'an internal scanner')
  t.match(d.reason, /^10\.20\.30\.41 requested 200 distinct paths on intranet\.acme\.example \(10\.1\.10\.20\) in 0\.\d\d s, 99% answered 404\/403 \(user agent "Fuzz Faster U Fool v1\.1\.0": ffuf\)$/)
  t.same(labelledShare(run, '10.20.30.41', ['http', 'alert']), { labelled: 201, total: 201 })
  for (const benign of ['10.20.30.57', '10.20.30.62', '10.20.30.73']) {
    t.equal(run.events.filter(e => e.src?.ip === benign && isWordlistLabelled(e)).length, 0, `${benign} not labelled`)
  }
  const first = run.events.find(e => e.src?.ip === '10.20.30.41' && e.kind === 'http')
  t.same(first?.scantag.labels?.map(l => l.technique).sort(), ['T1046', 'T1595'])
})

t.test('lab s09 (gobuster dns), trimmed, with the workstation\'s Sysmon: detected and attributed', async t => {
  const run = await enrichFiles([fixture('detect/lab-s09-gobuster-dns-eve.json'), fixture('detect/lab-s09-sysmon.jsonl')])
  t.equal(run.detections.length, 1)
  const d = run.detections[0]
  t.equal(d.source.ip, '10.20.30.41')
  t.equal(d.process?.name, 'gobuster')
  t.match(d.process?.command_line ?? '', /^gobuster dns -d acme\.example/)
  t.equal(d.user?.name, 'dlee')
  t.match(d.reason, /^10\.20\.30\.41 queried \d+ distinct names under acme\.example in 0\.\d\d s, 100% NXDOMAIN \(process gobuster on lnx-ws-041\)$/)
  const share = labelledShare(run, '10.20.30.41', ['dns'])
  t.equal(share.total, 400)
  t.ok(share.labelled / share.total >= 0.95, `${share.labelled}/${share.total} labelled`)
  for (const benign of ['10.20.30.62', '10.20.30.73']) t.equal(run.events.filter(e => e.src?.ip === benign && isWordlistLabelled(e)).length, 0)
  // Without telemetry the behaviour alone suffices.
  const bare = await enrichFiles([fixture('detect/lab-s09-gobuster-dns-eve.json')])
  t.equal(bare.detections.length, 1)
  t.notMatch(bare.detections[0].reason, /process/)
})

// ---------------------------------------------------------------------------------------------
// Whole captures under ../shared/data (skipped when absent).

interface Truth { scanner_sources: string[], benign_sources: string[], label: string }

t.test('lab scenarios, whole', { skip: sharedData === undefined ? '../shared/data absent' : false }, async t => {
  const lab = join(sharedData as string, 'lab')
  const ffuf = await enrichFiles([join(lab, 's06_t1595.003_internal_ffuf/eve.json')])
  t.equal(ffuf.detections.length, 1)
  t.match(ffuf.detections[0].reason, /^10\.20\.30\.41 requested 4614 distinct paths on intranet\.acme\.example \(10\.1\.10\.20\) in 0\.4\d s, 99% answered 404\/403 \(user agent "Fuzz Faster U Fool v1\.1\.0": ffuf\)$/)
  const f = labelledShare(ffuf, '10.20.30.41', ['http', 'alert'])
  t.same(f, { labelled: 4615, total: 4615 })

  const gob = await enrichFiles([join(lab, 's09_t1595.003_internal_gobuster_dns/eve.json'), join(lab, 's09_t1595.003_internal_gobuster_dns/host/sysmon.jsonl')])
  t.equal(gob.detections.length, 1)
  t.match(gob.detections[0].reason, /^10\.20\.30\.41 queried 1500 distinct names under acme\.example in 0\.5\d s, 99% NXDOMAIN \(process gobuster on lnx-ws-041\)$/)
  const g = labelledShare(gob, '10.20.30.41', ['dns'])
  t.ok(g.labelled / g.total >= 0.99, `s09: ${g.labelled}/${g.total} DNS records labelled`)

  for (const dir of ['s01_t1595.001_external_sweep', 's02_t1595.001_internal_sweep', 's04_t1595.002_internal_vulnscan', 's06_t1595.003_internal_ffuf', 's09_t1595.003_internal_gobuster_dns', 's10_benign_monitoring']) {
    const truth = JSON.parse(readFileSync(join(lab, dir, 'truth.json'), 'utf8')) as Truth
    const files = [join(lab, dir, 'eve.json')]
    if (existsSync(join(lab, dir, 'host/sysmon.jsonl'))) files.push(join(lab, dir, 'host/sysmon.jsonl'))
    const run = dir === 's06_t1595.003_internal_ffuf' ? ffuf : await enrichFiles(files)
    const sources = run.detections.map(d => d.source.ip)
    for (const b of truth.benign_sources) t.notOk(sources.includes(b), `${dir}: benign ${b} not detected`)
    for (const s of sources) t.ok(truth.scanner_sources.includes(s), `${dir}: ${s} is a scanner`)
    if (dir.startsWith('s01') || dir.startsWith('s02') || dir.startsWith('s10')) t.same(run.detections, [], `${dir}: nothing to find`)
    if (dir.startsWith('s04')) {
      // nmap -sV --script http-enum asks for ~2,200 known paths: a wordlist scan inside the vulnerability scan.
      t.equal(run.detections.length, 1)
      t.match(run.detections[0].reason, /^10\.20\.30\.41 requested 2171 distinct paths on www\.acme\.example \(10\.1\.10\.20\) in 55 s, 98% answered 404\/401\/405$/)
    }
  }
})

t.test('public captures: no false positives', { skip: sharedData === undefined ? '../shared/data absent' : false }, async t => {
  const pub = join(sharedData as string, 'public')
  const files = [
    'suricata-eve-labs/valeriomaietta-progetto-ns/eve.json', // scripted probing, UA MaliciousScanner/1.0: 6 distinct paths, no statuses
    'brimdata-zed-sample-data/zeek-json/dns.json.gz',
    'slips-dataset/test9-mixed-zeek-dir/dns.log',
    'slips-dataset/test9-mixed-zeek-dir/http.log',
    'slips-dataset/test10-mixed-zeek-dir/dns.log',
    'stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious/dns.log',
    'stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious/http.log',
    'stratosphere-security-datasets-for-testing/007-zeek-scenario-ssh-infected/http.log',
    'stratosphere-security-datasets-for-testing/009-zeek-malicious/data/dns.log.labeled',
    'stratosphere-security-datasets-for-testing/009-zeek-malicious/data/http.log.labeled',
    'stratosphere-security-datasets-for-testing/008-zeek-mixed/data/http.log.labeled'
  ]
  for (const f of files) {
    const path = join(pub, f)
    if (!existsSync(path)) { t.comment(`${f} absent`); continue }
    const run = await enrichFiles([path])
    t.same(run.detections.map(d => d.reason), [], `${f}: no detection`)
  }
})

t.test('brimdata (WRCCDC 2018): a reverse-lookup sweep is left out, not mistaken for a brute force', { skip: sharedData === undefined ? '../shared/data absent' : false }, async t => {
  const path = join(sharedData as string, 'public/brimdata-zed-sample-data/zeek-json/dns.json.gz')
  if (!existsSync(path)) return
  const run = await enrichFiles([path])
  // 10.47.2.10 asked for 60 distinct PTR names of 172.20.0.0/24 in 48 s, all NXDOMAIN: the
  // shape of a subdomain brute force, under in-addr.arpa (LOOKUP_ZONES).
  const ptr = run.events.filter(e => e.src?.ip === '10.47.2.10' && e.dns?.query?.endsWith('.0.20.172.in-addr.arpa') === true)
  t.equal(new Set(ptr.map(e => e.dns?.query)).size, 60)
  t.ok(ptr.every(e => e.dns?.rcode === 'NXDOMAIN'))
  t.same(run.detections, [])
})
