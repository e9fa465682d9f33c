// The scanner-process correlator: T1595 sub-techniques read from the command lines of real scans
// (the project's lab captures: Sysmon, auditd and osquery telemetry of the scanning workstation,
// with the Suricata EVE of the same moment and ground truth), and its negatives.
import t, { type Test } from 'tap'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mergeByTime } from '../lib/merge.js'
import type { Detection, Label, NetworkEvent, ProcessEvent, ScantagEvent } from '../lib/model.js'
import { LogReader } from '../lib/parse/reader.js'
import { splitPosixCommandLine, splitWindowsCommandLine } from '../lib/parse/cmdline.js'
import { flowAttribution } from '../lib/correlate/attribution.js'
import { CorrelationEngine } from '../lib/correlate/engine.js'
import type { Correlator } from '../lib/correlate/api.js'
import { classifyCommandLine, scannerProcess } from '../lib/correlate/scanner-process.js'
import { SCANNER_OPTION_RULES } from '../lib/correlate/knowledge/scanner-options.js'
import { fixture, sharedData } from './helpers.js'

const example = (name: string): string => fileURLToPath(new URL(`../examples/data/${name}`, import.meta.url))

interface Activity { id: string, label: string, tool: string, command_lines: string[], start: number, end: number, src_ip: string, dst_ips: string[] }
interface Truth { main_host: { ip: string, hostname: string | null, user: string }, benign_sources: string[], activities: Activity[] }

interface Run { events: ScantagEvent[], detections: Map<string, Detection> }

/** Runs files (merged by event time) through flow-attribution and the correlator under test. */
async function run (t: Test, files: string[], correlator: Correlator, hosts: Array<{ name: string, ips: string[] }>, allow: Array<{ cidr: string }> = []): Promise<Run> {
  const readers = files.map(f => createReadStream(f).pipe(new LogReader({ input: f })))
  const { stream } = mergeByTime(readers, { lateness: 120 })
  const engine = new CorrelationEngine({ correlators: [flowAttribution(), correlator], processTable: { hosts }, config: { hosts }, allow })
  const events: ScantagEvent[] = []
  const detections = new Map<string, Detection>()
  const take = (outs: ReturnType<CorrelationEngine['push']>): void => {
    for (const o of outs) {
      if (o.category === 'detection') detections.set(o.detection.id, o.detection)
      else events.push(o)
    }
  }
  for await (const ev of stream) take(engine.push(ev as ScantagEvent))
  take(engine.end())
  t.same(Object.fromEntries(engine.errors), {}, 'no correlator error')
  return { events, detections }
}

const mine = (e: ScantagEvent): Label[] => (e.scantag.labels ?? []).filter(l => l.correlator === 'scanner-process')
const t1595 = (e: ScantagEvent): Label | undefined => mine(e).find(l => l.technique === 'T1595')

/** The activity a network event belongs to: from the scanner, in its window, to one of its targets. */
function activityOf (truth: Truth, ev: NetworkEvent): Activity | undefined {
  const t0 = ev.flowStart ?? ev.time
  if (t0 === undefined || ev.src === undefined || ev.dst === undefined) return undefined
  return truth.activities.find(a => a.src_ip === ev.src?.ip && t0 >= a.start - 1 && t0 <= a.end + 5 && a.dst_ips.includes(ev.dst?.ip ?? ''))
}

t.test('exports: factory name, option validation', async t => {
  t.equal(scannerProcess().name, 'scanner-process')
  t.throws(() => scannerProcess({ minToolWeight: -1 }), { name: 'TypeError', message: /minToolWeight/ })
  t.throws(() => scannerProcess({ maxProcesses: 0 }), { name: 'TypeError', message: /maxProcesses/ })
  t.throws(() => scannerProcess({ maxTrackedTargets: 1.5 }), { name: 'TypeError', message: /maxTrackedTargets/ })
  t.throws(() => scannerProcess({ ttlSeconds: Number.NaN }), { name: 'TypeError', message: /ttlSeconds/ })
  t.throws(() => scannerProcess({ minToolWieght: 1 } as never), { name: 'TypeError', message: /unknown option "minToolWieght"/ })
  const ids = SCANNER_OPTION_RULES.map(r => r.id)
  t.equal(new Set(ids).size, ids.length, 'rule ids are unique')
  for (const r of SCANNER_OPTION_RULES) t.ok(r.references.length > 0 && r.references.every(u => u.startsWith('https://')), `${r.id} cites its source`)
})

t.test('classifyCommandLine: the lab command lines get the truth sub-technique', async t => {
  const cases: Array<[string, string, string | null, string]> = [
    // command line, executable, sub-technique, rule
    ['fping -a -q -r 1 -g 10.1.2.0/24', '/usr/bin/fping', 'T1595.001', 'fping-generate'],
    ['nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24', '/usr/bin/nmap', 'T1595.001', 'nmap-sweep'],
    ['nmap -n -Pn -sS -T4 -p 22,80,443,445,3389 --open -oA sweep-10.1.2 10.1.2.0/24', '/usr/bin/nmap', 'T1595.001', 'nmap-sweep'],
    ['nmap -n -Pn -sS -sV -sC -p 22,53,80,443 -oN services.txt www.acme.example ns1.acme.example', '/usr/bin/nmap', 'T1595.002', 'nmap-version-os-scripts'],
    ['nmap -Pn -sT -sV -p 80,443 --script banner,http-enum,http-headers,http-methods,ssl-enum-ciphers --script-timeout 120s intranet.acme.example', '/usr/bin/nmap', 'T1595.002', 'nmap-version-os-scripts'],
    ['nmap -n -Pn -sU -p 53 --script dns-nsid,dns-recursion,dns-zone-transfer --script-args dns-zone-transfer.domain=acme.example 10.1.10.53', '/usr/bin/nmap', 'T1595.002', 'nmap-version-os-scripts'],
    ['ffuf -w /usr/share/dirb/wordlists/common.txt -u http://intranet.acme.example/FUZZ -t 20 -s -o ffuf-intranet.json', '/usr/bin/ffuf', 'T1595.003', 'tool-default'],
    ['gobuster dns -d acme.example -w /usr/share/dnsenum/dns.txt -r 10.1.10.53:53 -t 10 -i --no-progress -o subdomains.txt', '/usr/bin/gobuster', 'T1595.003', 'gobuster-dns'],
    ['masscan 10.1.2.0/24 -p22,80,443,445,3389 --rate 300 --wait 3 --adapter lo --adapter-ip 203.0.113.77', '/usr/bin/masscan', 'T1595.001', 'tool-default'],
    ['hping3 -1 --rand-dest 10.1.2.x -I lo -c 300 -i u20000', '/usr/sbin/hping3', 'T1595.001', 'hping3-random-destinations']
  ]
  for (const [line, exe, sub, rule] of cases) {
    const c = classifyCommandLine(splitPosixCommandLine(line), exe)
    t.equal(c?.subtechnique, sub, line)
    t.equal(c?.rule, rule, `${line}: rule`)
  }
  const sweep = classifyCommandLine(splitPosixCommandLine('nmap -n -Pn -sT -p 80 --open 10.1.2.0/24'), '/usr/bin/nmap')
  t.match(sweep, { activity: 'TCP connect sweep', scope: 'many', targetCount: 254, targetText: '254 addresses' })
  const dns = classifyCommandLine(splitPosixCommandLine('gobuster dns -d acme.example -w dns.txt -r 10.1.10.53:53'), undefined)
  t.equal(dns?.targetText, 'acme.example through DNS server 10.1.10.53:53')
  // The monitoring plugin of s10 and the sudo wrapper are no scanners.
  t.equal(classifyCommandLine(splitPosixCommandLine('/usr/lib/nagios/plugins/check_http -H web11.acme.example -I 10.1.2.11 -u /health -t 5 -w 1 -c 3'), '/usr/lib/nagios/plugins/check_http'), undefined)
  t.equal(classifyCommandLine(splitPosixCommandLine('sudo nmap -n -Pn -sS -p 22 10.1.2.0/24'), '/usr/bin/sudo'), undefined, 'sudo is the wrapper, not the scanner')
})

t.test('classifyCommandLine: options and targets decide', async t => {
  const sub = (line: string, exe?: string): string | null | undefined => classifyCommandLine(splitPosixCommandLine(line), exe)?.subtechnique
  // nmap
  t.equal(sub('nmap -sn 10.0.0.0/16'), 'T1595.001', 'ping sweep')
  t.equal(sub('nmap -sP 192.168.1.1-254'), 'T1595.001', 'legacy ping sweep')
  t.equal(sub('nmap -PE -PS22,80,443 -iL ranges.txt'), 'T1595.001', 'host-discovery probes over a target file')
  t.equal(sub('nmap -p 1-65535 10.1.2.5'), 'T1595.002', 'vertical scan of one address')
  t.equal(sub('nmap -p- www.acme.example'), 'T1595.002', 'vertical scan of one name')
  t.equal(sub('nmap -p 445 10.1.2.0/24'), 'T1595.001', 'one port over a block')
  t.equal(sub('nmap -p 22 10.1.2.5 10.1.2.6'), 'T1595.001', 'two hosts')
  t.equal(sub('nmap -A 10.1.2.0/24'), 'T1595.002', '-A over a block is still version/OS/script probing')
  t.equal(sub('nmap -O 10.1.2.7'), 'T1595.002')
  t.equal(sub('nmap -sSV 10.1.2.7'), 'T1595.002', 'combined -s letters')
  t.equal(sub('nmap --script=vuln 10.1.2.0/24'), 'T1595.002')
  t.equal(sub('nmap -iR 1000 -p 80'), 'T1595.001', 'random targets')
  t.equal(sub('nmap -sL 10.1.2.0/24'), null, 'a list scan sends nothing')
  t.equal(sub('nmap -oN -sV.txt 10.1.2.0/24'), 'T1595.001', 'the value of -oN is not an option')
  // packet tools
  t.equal(sub('fping -g 10.1.2.1 10.1.2.254'), 'T1595.001')
  t.equal(sub('fping -c 1 10.1.2.1 10.1.2.2 10.1.2.3'), null, 'fping of a host list is monitoring')
  t.equal(sub('hping3 --scan 1-1024 -S 10.1.2.5'), 'T1595.002')
  t.equal(sub('hping3 -S -p 80 10.1.2.5'), null)
  t.equal(sub('zmap -p 443 10.0.0.0/8'), 'T1595.001')
  t.equal(sub('rustscan -a 10.1.2.5'), 'T1595.002')
  t.equal(sub('naabu -host 10.1.2.0/24'), 'T1595.001')
  // wordlist tools
  for (const line of ['gobuster dir -u http://10.1.10.20/ -w common.txt', 'gobuster vhost -u http://acme.example -w names.txt', 'gobuster s3 -w buckets.txt',
    'dirb http://10.1.10.20/', 'wfuzz -w list.txt http://10.1.10.20/FUZZ', 'feroxbuster -u http://10.1.10.20', 'dnsenum acme.example', 'fierce --domain acme.example',
    'dnsrecon -d acme.example -t brt -D names.txt', 'dnsrecon -d acme.example --type std,brt', 'amass enum -brute -d acme.example']) {
    t.equal(sub(line), 'T1595.003', line)
  }
  t.equal(sub('python3 /opt/dirsearch/dirsearch.py -u http://10.1.10.20/', '/usr/bin/python3.11'), 'T1595.003', 'a script run by its interpreter')
  t.equal(sub('gobuster version'), null)
  t.equal(sub('dnsrecon -d acme.example -t axfr'), null)
  t.equal(sub('amass intel -whois -d acme.example'), null)
  t.equal(sub('amass enum -passive -d acme.example'), null)
  t.equal(sub('subfinder -d acme.example'), null)
  // vulnerability scanners
  for (const line of ['nuclei -u https://intranet.acme.example', 'nikto -h 10.1.10.20', 'sqlmap -u "http://10.1.10.20/item?id=1"', 'wpscan --url http://10.1.10.20',
    'whatweb http://10.1.10.20', 'openvas --scan-start 0c0f5a8e']) {
    t.equal(sub(line), 'T1595.002', line)
  }
  // general-purpose programs
  t.equal(sub('ping -c 1 10.1.2.1'), null)
  t.equal(sub('curl -s http://10.1.10.20/'), null)
  t.equal(sub('ls -l'), undefined)
  t.equal(sub(''), undefined)
  // Windows
  const win = (line: string, exe: string): string | null | undefined => classifyCommandLine(splitWindowsCommandLine(line), exe)?.subtechnique
  t.equal(win('"C:\\Program Files (x86)\\Advanced IP Scanner\\advanced_ip_scanner.exe"', 'C:\\Program Files (x86)\\Advanced IP Scanner\\advanced_ip_scanner.exe'), 'T1595.001')
  t.equal(win('C:\\Tools\\NMAP.EXE -sV 10.0.0.5', 'C:\\Tools\\NMAP.EXE'), 'T1595.002')
  t.equal(win('ipscan-win64-3.9.1.exe -f:range 10.0.0.1 10.0.0.254 -o out.txt', 'C:\\Users\\x\\ipscan-win64-3.9.1.exe'), 'T1595.001')
  // hostile input: bounded, no throw
  t.equal(sub('nmap ' + '-'.repeat(200_000)), 'T1595.001')
  t.doesNotThrow(() => classifyCommandLine(Array.from({ length: 50_000 }, () => '-sV'), '/usr/bin/nmap'))
})

/** The lab s02 bundle shipped in examples/data, with each kind of telemetry. */
const s02Truth = JSON.parse(readFileSync(example('truth.json'), 'utf8')) as Truth
for (const telemetry of ['sysmon.jsonl', 'audit.log', 'osqueryd.results.log']) {
  t.test(`lab s02 (examples/data) with ${telemetry}: fping and both nmaps labelled .001, flows too, benign never`, async t => {
    const hosts = [{ name: 'lnx-ws-041', ips: ['10.20.30.41'] }]
    const { events, detections } = await run(t, [example('eve.json'), example(`host/${telemetry}`)], scannerProcess(), hosts)
    const starts = events.filter((e): e is ProcessEvent => e.category === 'process' && e.action === 'start' && t1595(e) !== undefined)
    t.same(starts.map(e => e.process.name).sort(), ['fping', 'nmap', 'nmap'], 'the three scanner processes, not sudo')
    for (const e of starts) {
      t.equal(t1595(e)?.subtechnique, 'T1595.001')
      t.ok(mine(e).some(l => l.technique === 'T1046'), 'internal host: T1046 too')
    }
    const sudo = events.filter((e): e is ProcessEvent => e.category === 'process' && e.process.name === 'sudo')
    t.ok(sudo.length > 0 && sudo.every(e => mine(e).length === 0), 'the sudo wrapper is not labelled')
    t.equal(detections.size, 3, 'one detection per scanner process')
    const reasons = [...detections.values()].map(d => d.reason.replace(/;.*$/, '')).sort()
    const who = telemetry === 'osqueryd.results.log' ? 'uid 1001' : 'dlee'
    t.same(reasons, [
      `lnx-ws-041: ${who} ran \`fping -a -q -r 1 -g 10.1.2.0/24\` (ICMP echo sweep of 254 addresses)`,
      `lnx-ws-041: ${who} ran \`nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24\` (TCP connect sweep of 254 addresses)`,
      telemetry === 'osqueryd.results.log'
        // The reformatted osquery rows give sudo the uid it runs as (0).
        ? 'lnx-ws-041: uid 0 ran `sudo nmap -n -Pn -sS -T4 -p 22,80,443,445,3389 --open -oA sweep-10.1.2 10.1.2.0/24` (SYN sweep of 254 addresses)'
        : `lnx-ws-041: dlee ran \`sudo nmap -n -Pn -sS -T4 -p 22,80,443,445,3389 --open -oA sweep-10.1.2 10.1.2.0/24\` as root (SYN sweep of 254 addresses)`
    ].sort())
    for (const d of detections.values()) {
      t.match(d, { correlator: 'scanner-process', subtechnique: 'T1595.001', alsoTechniques: ['T1046'], source: { ip: '10.20.30.41' }, host: { name: 'lnx-ws-041' }, status: 'closed' })
      t.ok(d.target_count >= 254, `${d.process?.name}: ${d.target_count} targets`)
    }
    // Network events: every scan flow of the three activities is labelled, nothing else is.
    const flows = events.filter((e): e is NetworkEvent => e.category === 'network' && e.kind === 'flow')
    let scanFlows = 0
    let labelled = 0
    for (const f of flows) {
      const a = activityOf(s02Truth, f)
      const l = t1595(f)
      if (a === undefined) {
        t.equal(l, undefined, `flow ${f.src?.ip} -> ${f.dst?.ip} outside the scans is not labelled`)
        continue
      }
      scanFlows++
      if (l?.subtechnique === 'T1595.001') labelled++
    }
    t.equal(scanFlows, 254 + 462 + 2311)
    t.equal(labelled, scanFlows, 'every scan flow labelled .001')
    const benign = events.filter(e => e.category === 'network' && s02Truth.benign_sources.includes(e.src?.ip ?? ''))
    t.ok(benign.length > 0)
    t.equal(benign.filter(e => mine(e).length > 0).length, 0, 'no event of the benign clients is labelled')
    const fpingFlows = flows.filter(f => t1595(f) !== undefined && f.scantag.process?.name === 'fping')
    t.equal(fpingFlows.length, 254)
    t.match(t1595(fpingFlows[0])?.reason, /^lnx-ws-041: .+ ran `fping -a -q -r 1 -g 10\.1\.2\.0\/24` \(ICMP echo sweep of 254 addresses\)$/)
    t.ok(fpingFlows.every(f => t1595(f)?.detection !== undefined && detections.has(t1595(f)?.detection as string)), 'flow labels name their detection')
  })
}

t.test('an unknown host address: the detection still opens, with no source address', async t => {
  // No hosts configured: Sysmon process creation says nothing about the host's addresses until
  // its first Event ID 3 arrives.
  const { events, detections } = await run(t, [example('host/sysmon.jsonl')], scannerProcess(), [])
  t.equal(detections.size, 3)
  const byName = new Map([...detections.values()].map(d => [d.reason.slice(0, 60), d]))
  const connect = [...byName.values()].find(d => d.reason.includes('-sT'))
  t.equal(connect?.source.ip, '', 'the start event comes before any address is known')
  t.equal(events.filter(e => e.category === 'process' && e.action === 'connect' && t1595(e)?.subtechnique === 'T1595.001').length, 462, 'the 462 nmap Event ID 3 records are labelled')
})

t.test('SigmaHQ Grixba (fixture): GRB_NET.exe -m:scan is a .001 host-discovery sweep', async t => {
  const { events, detections } = await run(t, [fixture('telemetry/sigmahq-grixba-recon-af688c76.json')], scannerProcess(), [])
  const labelled = events.filter(e => t1595(e) !== undefined)
  t.equal(labelled.length, 1)
  t.equal(t1595(labelled[0])?.subtechnique, 'T1595.001')
  t.equal(t1595(labelled[0])?.reason, 'swachchhanda: swachchhanda\\xodih ran `GRB_NET.exe  -m:scan -i:f -d:list.txt` (host-discovery sweep of the hosts in list.txt)')
  t.equal(detections.size, 1)
})

const lab = sharedData !== undefined ? join(sharedData, 'lab') : undefined
const scenarios = ['s04_t1595.002_internal_vulnscan', 's06_t1595.003_internal_ffuf', 's09_t1595.003_internal_gobuster_dns', 's10_benign_monitoring']
for (const scenario of scenarios) {
  for (const telemetry of ['sysmon.jsonl', 'audit.log', 'osqueryd.results.log']) {
    const dir = lab !== undefined ? join(lab, scenario) : undefined
    t.test(`lab ${scenario} with ${telemetry}`, { skip: dir === undefined || !existsSync(dir) ? '../shared/data/lab not present' : false }, async t => {
      const d = dir as string
      const truth = JSON.parse(readFileSync(join(d, 'truth.json'), 'utf8')) as Truth
      const hosts = [{ name: truth.main_host.hostname as string, ips: [truth.main_host.ip] }]
      const { events, detections } = await run(t, [join(d, 'eve.json'), join(d, 'host', telemetry)], scannerProcess(), hosts)
      const scans = truth.activities.filter(a => a.label !== 'benign')
      const starts = events.filter((e): e is ProcessEvent => e.category === 'process' && e.action === 'start')
      for (const a of scans) {
        // The process whose command line is the activity's (sudo's child: the line without sudo).
        const line = a.command_lines[0].replace(/^sudo /, '')
        const p = starts.find(e => e.process.commandLine === line)
        t.ok(p !== undefined, `${a.id}: process seen`)
        if (p !== undefined) t.equal(t1595(p)?.subtechnique, a.label, `${a.id}: ${a.tool} labelled ${a.label}`)
      }
      t.equal(detections.size, scans.length, 'one detection per scanner process')
      for (const det of detections.values()) t.equal(det.subtechnique, scans[0]?.label)
      const flows = events.filter((e): e is NetworkEvent => e.category === 'network' && e.kind === 'flow')
      for (const f of flows) {
        const a = activityOf(truth, f)
        if (a === undefined) t.equal(t1595(f), undefined, `flow ${f.src?.ip} -> ${f.dst?.ip}:${f.dst?.port} is not labelled`)
      }
      const labelledFlows = flows.filter(f => t1595(f) !== undefined)
      const scanFlows = flows.filter(f => activityOf(truth, f) !== undefined)
      if (scans.length > 0) {
        t.ok(scanFlows.length > 0)
        t.equal(labelledFlows.length, scanFlows.length, `all ${scanFlows.length} scan flows labelled`)
      } else {
        t.equal(events.filter(e => mine(e).length > 0).length, 0, 'the benign monitoring host: nothing labelled')
        t.ok(starts.some(e => e.process.name === 'check_http'), 'check_http processes were seen')
      }
      t.equal(events.filter(e => truth.benign_sources.includes(e.category === 'network' ? e.src?.ip ?? '' : '') && mine(e).length > 0).length, 0, 'benign sources never labelled')
    })
  }
}

const sigma = sharedData !== undefined ? join(sharedData, 'public', 'sigmahq-regression-data', 'rules', 'windows') : undefined
t.test('SigmaHQ Advanced IP Scanner / Advanced Port Scanner process creation: .001; the installer file event is not a scan', { skip: sigma === undefined || !existsSync(sigma) ? '../shared/data/public not present' : false }, async t => {
  const base = sigma as string
  const files = [
    join(base, 'process_creation/proc_creation_win_pua_advanced_ip_scanner/bef37fa2-f205-4a7b-b484-0759bfd5f86f.json'),
    join(base, 'process_creation/proc_creation_win_pua_advanced_port_scanner/54773c5f-f1cc-4703-9126-2f797d96a69d.json'),
    join(base, 'file/file_event/file_event_win_advanced_ip_scanner/fed85bf9-e075-4280-9159-fbe8a023d6fa.json'),
    join(base, 'process_creation/proc_creation_win_wmic_recon_computersystem/9d7ca793-f6bd-471c-8d0f-11e68b2f0d2f.json')
  ]
  for (const f of files) {
    const { events, detections } = await run(t, [f], scannerProcess(), [])
    const labelled = events.filter(e => t1595(e) !== undefined)
    if (f.includes('proc_creation_win_pua')) {
      t.equal(labelled.length, 1, f)
      t.equal(t1595(labelled[0])?.subtechnique, 'T1595.001')
      t.match(t1595(labelled[0])?.reason, /^srv-01\.midgardnet\.tech: MIDGARDNET\\SwachchhandaP ran `.*advanced_(ip|port)_scanner\.exe.*` \((host-discovery sweep|port scan)\)$/)
      t.equal(detections.size, 1)
    } else {
      t.equal(labelled.length, 0, `${f}: not labelled`)
      t.equal(detections.size, 0)
    }
  }
})

t.test('end to end through createEnricher (format event): lab s02 Sysmon + EVE', async t => {
  const { createEnricher } = await import('../lib/stream.js')
  const files = [example('eve.json'), example('host/sysmon.jsonl')]
  const readers = files.map(f => createReadStream(f).pipe(new LogReader({ input: f })))
  const { stream } = mergeByTime(readers, { lateness: 120 })
  const enricher = createEnricher({ format: 'event', hosts: [{ name: 'lnx-ws-041', ips: ['10.20.30.41'] }], builtins: false, correlators: [scannerProcess()] })
  let labelledFlows = 0
  const opened: Detection[] = []
  for await (const o of stream.pipe(enricher)) {
    const out = o as ScantagEvent | { category: 'detection', detection: Detection }
    if (out.category === 'detection') { if (out.detection.status === 'open') opened.push(out.detection); continue }
    if (out.category === 'network' && out.kind === 'flow' && t1595(out)?.subtechnique === 'T1595.001') labelledFlows++
  }
  t.equal(opened.length, 3)
  t.same(opened.map(d => d.process?.name).sort(), ['fping', 'nmap', 'nmap'])
  t.equal(labelledFlows, 254 + 462 + 2311)
})

t.test('bounded: a small maxTrackedTargets caps what is remembered, not what is reported', async t => {
  const { detections } = await run(t, [example('eve.json'), example('host/sysmon.jsonl')], scannerProcess({ maxTrackedTargets: 16 }), [{ name: 'lnx-ws-041', ips: ['10.20.30.41'] }])
  t.equal(detections.size, 3)
  for (const d of detections.values()) {
    t.ok(d.target_count >= 254, 'the command line still says 254 addresses')
    t.match(d.reason, /to 16 addresses or more so far$/)
    t.ok(d.sample_targets.length <= 10)
  }
})

t.test('allow-listed host: nothing labelled, no detection', async t => {
  const { events, detections } = await run(t, [example('eve.json'), example('host/sysmon.jsonl')], scannerProcess(), [{ name: 'lnx-ws-041', ips: ['10.20.30.41'] }], [{ cidr: '10.20.30.41/32' }])
  t.equal(detections.size, 0)
  t.equal(events.filter(e => mine(e).length > 0).length, 0)
})
