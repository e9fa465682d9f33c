import t, { type Test } from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { splitPosixCommandLine, splitWindowsCommandLine } from '../lib/parse/cmdline.js'
import { NETWORK_TOOLS, networkToolFor } from '../lib/correlate/knowledge/network-tools.js'
import {
  commandLineTargets, describeTargets, targetsInclude, MAX_TARGET_RANGES, type CommandLineTargets
} from '../lib/correlate/targets.js'
import { sharedData } from './helpers.js'

const of = (line: string): CommandLineTargets => commandLineTargets(splitPosixCommandLine(line))
const span = (tg: CommandLineTargets): Array<[string, string]> => tg.networks.map(r => [r.first, r.last])

/** Asserts each address in `inside` is covered and each in `outside` is not. */
function covers (t: Test, tg: CommandLineTargets, inside: string[], outside: string[]): void {
  for (const ip of inside) t.ok(targetsInclude(tg, ip), `includes ${ip}`)
  for (const ip of outside) t.notOk(targetsInclude(tg, ip), `excludes ${ip}`)
}

t.test('lab truth command lines (../shared/data/lab/*/truth.json)', async t => {
  // The exact command_lines of the lab activities, copied here: they are our recordings.
  t.test('s01 masscan: positional CIDR, attached -p list; --adapter-ip is the scanner, not a target', async t => {
    const tg = of('masscan 10.1.2.0/24 -p22,80,443,445,3389 --rate 300 --wait 3 --adapter lo --adapter-ip 203.0.113.77 --source-mac 02-00-00-00-00-01 --router-mac 02-00-00-00-00-02')
    t.equal(tg.tool, 'masscan')
    t.same(tg.networks, [{ family: 4, first: '10.1.2.0', last: '10.1.2.255', text: '10.1.2.0/24', via: 'positional', prefix: 24 }])
    t.same(tg.ports, [[22, 22], [80, 80], [443, 443], [445, 445], [3389, 3389]])
    t.same([tg.hosts, tg.files, tg.excluded, tg.truncated], [[], [], [], false])
    covers(t, tg, ['10.1.2.0', '10.1.2.1', '10.1.2.101', '10.1.2.255'], ['10.1.3.0', '10.1.1.255', '203.0.113.77', '10.20.30.41'])
    t.equal(describeTargets(tg), '10.1.2.0/24 (254 hosts) on ports 22,80,443,445,3389')
  })
  t.test('s01 nmap -sS', async t => {
    const tg = of('nmap -n -Pn -sS -T4 --max-retries 1 -p 22,80,443,445,3389 10.1.2.0/24')
    t.equal(tg.tool, 'nmap')
    t.same(span(tg), [['10.1.2.0', '10.1.2.255']])
    t.same(tg.ports, [[22, 22], [80, 80], [443, 443], [445, 445], [3389, 3389]])
    covers(t, tg, ['10.1.2.50'], ['10.1.10.20'])
  })
  t.test('s01 hping3 --rand-dest with an x octet', async t => {
    const tg = of('hping3 -1 --rand-dest 10.1.2.x -I lo -c 300 -i u20000')
    t.equal(tg.tool, 'hping3')
    t.same(tg.networks, [{ family: 4, first: '10.1.2.0', last: '10.1.2.255', text: '10.1.2.x', via: 'positional' }])
    t.same(tg.ports, [])
    covers(t, tg, ['10.1.2.77'], ['10.1.3.77'])
    t.equal(describeTargets(tg), '10.1.2.x (256 addresses)')
  })
  t.test('s02 fping -g CIDR', async t => {
    const tg = of('fping -a -q -r 1 -g 10.1.2.0/24')
    t.equal(tg.tool, 'fping')
    t.same(tg.networks, [{ family: 4, first: '10.1.2.0', last: '10.1.2.255', text: '10.1.2.0/24', via: '-g', prefix: 24 }])
    t.same(tg.ports, [], '-r 1 is a retry count')
    covers(t, tg, ['10.1.2.1', '10.1.2.254'], ['10.1.0.1', '1.0.0.0'])
  })
  t.test('s02 nmap -sT -p 80 with -oG output', async t => {
    const tg = of('nmap -n -Pn -sT -p 80 --open -oG web-hosts.gnmap 10.1.2.0/24')
    t.same(span(tg), [['10.1.2.0', '10.1.2.255']])
    t.same(tg.ports, [[80, 80]])
    t.same(tg.hosts, [], 'the -oG file is not a host')
    t.same(tg.files, [], 'nor a target file')
  })
  t.test('s02 sudo nmap -sS -oA', async t => {
    const tg = of('sudo nmap -n -Pn -sS -T4 -p 22,80,443,445,3389 --open -oA sweep-10.1.2 10.1.2.0/24')
    t.equal(tg.tool, 'nmap', 'sudo is skipped')
    t.same(span(tg), [['10.1.2.0', '10.1.2.255']])
    t.same(tg.hosts, [])
    t.same(tg.ports, [[22, 22], [80, 80], [443, 443], [445, 445], [3389, 3389]])
  })
  t.test('s04 nmap host names, -oN file', async t => {
    const tg = of('sudo nmap -n -Pn -sS -sV -sC -p 22,53,80,443 -oN services.txt www.acme.example ns1.acme.example')
    t.same(tg.networks, [])
    t.same(tg.hosts, ['www.acme.example', 'ns1.acme.example'])
    t.same(tg.files, [])
    t.same(tg.ports, [[22, 22], [53, 53], [80, 80], [443, 443]])
    t.notOk(targetsInclude(tg, '10.1.10.20'), 'names are not resolved')
    t.equal(describeTargets(tg), 'www.acme.example, ns1.acme.example on ports 22,53,80,443')
  })
  t.test('s04 nmap --script lists and --script-timeout', async t => {
    const tg = of('nmap -Pn -sT -sV -p 80,443 --script banner,http-enum,http-headers,http-methods,ssl-enum-ciphers --script-timeout 120s intranet.acme.example')
    t.same(tg.hosts, ['intranet.acme.example'])
    t.same(tg.networks, [])
    t.same(tg.ports, [[80, 80], [443, 443]])
  })
  t.test('s04 nmap -sU with --script-args key=value', async t => {
    const tg = of('sudo nmap -n -Pn -sU -p 53 --script dns-nsid,dns-recursion,dns-zone-transfer --script-args dns-zone-transfer.domain=acme.example 10.1.10.53')
    t.same(tg.networks, [{ family: 4, first: '10.1.10.53', last: '10.1.10.53', text: '10.1.10.53', via: 'positional' }])
    t.same(tg.hosts, [], 'the --script-args value is not a host')
    t.same(tg.ports, [[53, 53]])
    covers(t, tg, ['10.1.10.53'], ['10.1.10.52', '10.1.10.54'])
    t.equal(describeTargets(tg), '10.1.10.53 on port 53')
  })
  t.test('s06 ffuf -u URL with a host name', async t => {
    const tg = of('ffuf -w /usr/share/dirb/wordlists/common.txt -u http://intranet.acme.example/FUZZ -t 20 -s -o ffuf-intranet.json')
    t.equal(tg.tool, 'ffuf')
    t.same(tg.hosts, ['intranet.acme.example'])
    t.same(tg.networks, [])
    t.same(tg.files, [], 'the wordlist is not a target file')
    t.same(tg.ports, [[80, 80]], 'the scheme\'s port')
  })
  t.test('s09 gobuster dns: the domain and the resolver the queries go to', async t => {
    const tg = of('gobuster dns -d acme.example -w /usr/share/dnsenum/dns.txt -r 10.1.10.53:53 -t 10 -i --no-progress -o subdomains.txt')
    t.equal(tg.tool, 'gobuster')
    t.same(tg.hosts, ['acme.example'])
    t.same(tg.networks, [{ family: 4, first: '10.1.10.53', last: '10.1.10.53', text: '10.1.10.53:53', via: '-r', role: 'server' }])
    t.same(tg.ports, [[53, 53]])
    covers(t, tg, ['10.1.10.53'], ['10.1.10.20'])
    t.equal(describeTargets(tg), 'DNS server 10.1.10.53:53, acme.example on port 53')
  })
  t.test('s10 a monitoring script names nothing', async t => {
    const tg = of('bin/check-web-fleet.sh')
    t.same(tg, { networks: [], hosts: [], files: [], ports: [], excluded: [], truncated: false })
    t.notOk(targetsInclude(tg, '10.1.2.11'))
    t.equal(describeTargets(tg), 'no readable target')
  })
})

t.test('every lab activity whose command line names addresses covers its dst_ips', { skip: sharedData === undefined ? '../shared/data not present' : false }, async t => {
  const lab = join(sharedData as string, 'lab')
  let checked = 0
  for (const dir of readdirSync(lab)) {
    const file = join(lab, dir, 'truth.json')
    if (!existsSync(file)) continue
    const truth = JSON.parse(readFileSync(file, 'utf8')) as { activities?: Array<{ id: string, label: string, command_lines?: string[], dst_ips?: string[] }> }
    for (const a of truth.activities ?? []) {
      if (a.label === 'benign') continue
      for (const line of a.command_lines ?? []) {
        const tg = of(line)
        if (tg.networks.length === 0) continue
        const missed = (a.dst_ips ?? []).filter(ip => !targetsInclude(tg, ip))
        t.same(missed, [], `${a.id}: all ${a.dst_ips?.length ?? 0} dst_ips covered by ${describeTargets(tg)}`)
        checked++
      }
    }
  }
  t.ok(checked >= 7, `${checked} command lines checked`)
})

t.test('SigmaHQ Windows command lines', async t => {
  // Read with the Windows rules, then with the tool table.
  const aps = splitWindowsCommandLine(String.raw`"C:\Users\SWACHC~1\AppData\Local\Temp\2\Advanced Port Scanner 2\advanced_port_scanner.exe" /portable "C:/Users/SwachchhandaP/Downloads/" /lng en_us`)
  t.equal(networkToolFor(aps[0])?.id, 'advanced-port-scanner')
  const apsTargets = commandLineTargets(aps)
  t.same(apsTargets, { tool: 'advanced-port-scanner', networks: [], hosts: [], files: [], ports: [], excluded: [], truncated: false }, '/portable DIR and /lng LANG name no target')

  const ais = splitWindowsCommandLine(String.raw`"C:\Program Files (x86)\Advanced IP Scanner\advanced_ip_scanner.exe"`)
  t.equal(networkToolFor(ais[0])?.name, 'Advanced IP Scanner')
  t.same(commandLineTargets(ais).networks, [])

  const grixba = splitWindowsCommandLine('GRB_NET.exe  -m:scan -i:f -d:list.txt')
  const g = commandLineTargets(grixba)
  t.equal(g.tool, 'grixba')
  t.same(g.files, ['list.txt'])
  t.same(g.networks, [])

  const wmic = splitWindowsCommandLine(String.raw`"C:\WINDOWS\System32\Wbem\WMIC.exe" computersystem list full /format:csv`)
  t.equal(networkToolFor(wmic[0]), undefined)
  t.same(commandLineTargets(wmic), { networks: [], hosts: [], files: [], ports: [], excluded: [], truncated: false })

  // Console scanners and NetScan with colon-joined values.
  const console = commandLineTargets(splitWindowsCommandLine(String.raw`cmd.exe /c "C:\Program Files (x86)\Advanced IP Scanner\advanced_ip_scanner_console.exe" "/r:10.10.10.1-10.10.10.255"`))
  t.equal(console.tool, 'advanced-ip-scanner', 'cmd /c is skipped')
  t.same(span(console), [['10.10.10.1', '10.10.10.255']])
  const netscan = commandLineTargets(splitWindowsCommandLine('netscan.exe /hide /range:10.10.11.1-10.10.255.255 /auto:results.xml'))
  t.same(span(netscan), [['10.10.11.1', '10.10.255.255']])
  t.same(netscan.files, [])
  const angry = commandLineTargets(splitWindowsCommandLine('ipscan-win64-3.8.2.exe -o log.txt -f:range 192.168.1.1 192.168.1.255 -q'))
  t.equal(angry.tool, 'angry-ip-scanner')
  t.same(span(angry), [['192.168.1.1', '192.168.1.255']])
  const random = commandLineTargets(splitWindowsCommandLine('ipscan -f:random 10.9.0.0 255.255.0.0 500 -o out.csv'))
  t.same(span(random), [['10.9.0.0', '10.9.255.255']])
})

t.test('address forms', async t => {
  t.test('nmap octet ranges', async t => {
    const a = of('nmap 10.1.2.1-254')
    t.same(span(a), [['10.1.2.1', '10.1.2.254']])
    covers(t, a, ['10.1.2.1', '10.1.2.254'], ['10.1.2.0', '10.1.2.255'])
    t.equal(describeTargets(a), '10.1.2.1-254 (254 addresses)')

    const b = of('nmap 10.1.1-3.0-255')
    t.same(span(b), [['10.1.1.0', '10.1.3.255']], 'a full last octet makes it contiguous')
    const c = of('nmap 10.1.1-3.0-100')
    t.same(span(c), [['10.1.1.0', '10.1.1.100'], ['10.1.2.0', '10.1.2.100'], ['10.1.3.0', '10.1.3.100']])
    t.equal(describeTargets(c), '10.1.1-3.0-100 (303 addresses)', 'one spec, described once')
    covers(t, c, ['10.1.2.50'], ['10.1.2.101', '10.1.4.0'])

    const d = of('nmap 10.1.2.1,2,3')
    t.same(span(d), [['10.1.2.1', '10.1.2.3']])
    covers(t, d, ['10.1.2.2'], ['10.1.2.4'])
    t.same(span(of('nmap 10.1.2.1,3,200-')), [['10.1.2.1', '10.1.2.1'], ['10.1.2.3', '10.1.2.3'], ['10.1.2.200', '10.1.2.255']])
    t.same(span(of('nmap 10.1.2.-5')), [['10.1.2.0', '10.1.2.5']])
    t.same(span(of('nmap 10.1.*.1')), Array.from({ length: 256 }, (_, i) => [`10.1.${i}.1`, `10.1.${i}.1`]))
    t.same(span(of('nmap *.*.*.*')), [['0.0.0.0', '255.255.255.255']])
  })
  t.test('an octet range too large to expand is kept as its bounding range', async t => {
    const tg = of('nmap 10.1-254.1-254.1')
    t.equal(tg.networks.length, 1)
    t.same(tg.networks[0], { family: 4, first: '10.1.1.1', last: '10.254.254.1', text: '10.1-254.1-254.1', via: 'positional', approximate: true })
    t.ok(targetsInclude(tg, '10.100.100.1'))
    t.match(describeTargets(tg), /approximated by 10\.1\.1\.1-10\.254\.254\.1/)
  })
  t.test('dash ranges, fping -g START END, CIDR forms', async t => {
    const a = of('nmap 10.1.2.1-10.1.2.50')
    t.same(span(a), [['10.1.2.1', '10.1.2.50']])
    covers(t, a, ['10.1.2.50'], ['10.1.2.51'])
    const b = of('fping -a -g 10.1.2.1 10.1.2.50')
    t.same(b.networks, [{ family: 4, first: '10.1.2.1', last: '10.1.2.50', text: '10.1.2.1-10.1.2.50', via: '-g' }])
    t.same(span(of('fping -g 10.1.2.50 10.1.2.1')), [['10.1.2.1', '10.1.2.50']], 'reversed ends are ordered')
    t.same(span(of('fping 10.1.2.1 10.1.2.50')), [['10.1.2.1', '10.1.2.1'], ['10.1.2.50', '10.1.2.50']], 'without -g two hosts')
    t.same(span(of('arp-scan -I eth0 10.1.2.0/255.255.255.0 10.1.3.0:255.255.255.128')), [['10.1.2.0', '10.1.2.255'], ['10.1.3.0', '10.1.3.127']])
    t.same(span(of('nmap 10.1.2.77/24')), [['10.1.2.0', '10.1.2.255']], 'host bits are masked')
    t.same(span(of('nmap 10.1.2.7/32')), [['10.1.2.7', '10.1.2.7']])
    t.equal(describeTargets(of('nmap 10.1.2.4/31')), '10.1.2.4/31 (2 hosts)')
  })
  t.test('URLs and host:port', async t => {
    const a = of('ffuf -w words.txt -u http://10.1.10.20:8080/FUZZ')
    t.same(a.networks, [{ family: 4, first: '10.1.10.20', last: '10.1.10.20', text: 'http://10.1.10.20:8080/FUZZ', via: '-u' }])
    t.same(a.ports, [[8080, 8080]])
    covers(t, a, ['10.1.10.20'], ['10.1.10.21'])
    t.equal(describeTargets(a), 'http://10.1.10.20:8080/FUZZ on port 8080')
    const b = of('wfuzz -c -z file,/usr/share/wordlists/common.txt --hc 404 https://user:pw@www.acme.example/FUZZ')
    t.same(b.hosts, ['www.acme.example'])
    t.same(b.ports, [[443, 443]])
    t.same(of('ffuf -w subs.txt -u http://FUZZ.acme.example/').hosts, [], 'a fuzzed host is not a host')
    const c = of('nuclei -u 10.1.10.20:8443,https://intranet.acme.example -severity critical')
    t.same(span(c), [['10.1.10.20', '10.1.10.20']])
    t.same(c.hosts, ['intranet.acme.example'])
    t.same(c.ports, [[443, 443], [8443, 8443]])
    const d = of('curl -s http://10.0.0.[1-254]/ -o /dev/null')
    t.same(span(d), [['10.0.0.1', '10.0.0.254']], 'curl URL globbing')
    t.same(span(of('unicornscan -mT 10.1.2.0/24:22,80')), [['10.1.2.0', '10.1.2.255']])
    t.same(of('unicornscan -mT 10.1.2.0/24:22,80').ports, [[22, 22], [80, 80]])
  })
  t.test('IPv6', async t => {
    const a = of('nmap -6 2001:db8::/64 [2001:db8:1::5]:8080 fe80::1%eth0 2001:db8:2::1-2001:db8:2::ff')
    t.same(span(a), [
      ['2001:db8::', '2001:db8::ffff:ffff:ffff:ffff'],
      ['2001:db8:1::5', '2001:db8:1::5'],
      ['fe80::1', 'fe80::1'],
      ['2001:db8:2::1', '2001:db8:2::ff']
    ])
    covers(t, a, ['2001:db8::1', '2001:DB8::abcd:1', '2001:db8:1::5', 'fe80::1%en0', '2001:db8:2::80'],
      ['2001:db8:1::6', '2001:db9::', '2001:db8:2::100', '10.1.2.3', '::'])
    t.match(describeTargets(a), /^2001:db8::\/64 \(2\^64 addresses\)/)
    const mapped = of('nmap 10.1.2.0/24')
    t.ok(targetsInclude(mapped, '::ffff:10.1.2.9'), 'an IPv4-mapped flow address matches IPv4 targets')
    t.ok(targetsInclude(of('nmap -6 2001:db8::/64 10.1.2.0/24'), '::ffff:10.1.2.9'))
    t.same(span(of('nmap ::ffff:10.1.2.3')), [['10.1.2.3', '10.1.2.3']], 'an IPv4-mapped target is IPv4')
  })
  t.test('host names', async t => {
    t.same(of('nmap WWW.Acme.Example. 10.0.0.1').hosts, ['www.acme.example'])
    t.same(of('nmap dc01 out.xml scan.gnmap').hosts, [], 'single labels and file names are not hosts')
    t.same(of('nmap scanme.nmap.org/24').hosts, ['scanme.nmap.org'], 'nmap host/prefix keeps the name')
    t.same(of('dnsenum --dnsserver 10.1.10.53 -f subdomains.txt acme.example').hosts, ['acme.example'])
    t.same(span(of('dnsenum --dnsserver 10.1.10.53 -f subdomains.txt acme.example')), [['10.1.10.53', '10.1.10.53']])
    t.same(of('subfinder -d acme.example,corp -silent').hosts, ['acme.example', 'corp'], 'a domain option accepts single labels')
    t.same(of('unknowntool www.acme.example 10.0.0.5').hosts, [], 'an unknown tool\'s words are not taken as names')
    t.same(span(of('unknowntool www.acme.example 10.0.0.5')), [['10.0.0.5', '10.0.0.5']], 'but its addresses are')
  })
})

t.test('target files, ports, exclusions, subcommands, wrappers', async t => {
  t.same(of('nmap -sS -iL hosts.txt -p 80').files, ['hosts.txt'])
  t.same(of('nuclei -l urls.txt -t cves/').files, ['urls.txt'])
  t.same(of('wget --input-file=urls.lst -q').files, ['urls.lst'])
  t.same(of('wget -i - -q').files, [], 'stdin is not a file')
  t.same(of('masscan -iL ranges.txt -p80 --excludefile no.txt').files, ['ranges.txt'])
  t.same(of('rustscan -a targets.txt -- -sV').files, ['targets.txt'], 'rustscan -a names a file when it is not an address')
  t.same(span(of('rustscan -a 10.1.2.0/24,10.1.3.7 -p 22 -- -sV 10.9.9.9')), [['10.1.2.0', '10.1.2.255'], ['10.1.3.7', '10.1.3.7']], 'after -- goes to nmap')
  t.same(of('nxc smb targets.txt -u admin -p 10.0.0.1').files, ['targets.txt'], 'netexec: a positional file; -p is a password')
  t.same(span(of('nxc smb 10.1.2.0/24 -u admin -p Passw0rd')), [['10.1.2.0', '10.1.2.255']])

  t.same(of('nmap -p 80,443,1000-2000 10.0.0.1').ports, [[80, 80], [443, 443], [1000, 2000]])
  t.same(of('nmap -p- 10.0.0.1').ports, [[1, 65535]])
  t.same(of('nmap -p U:53,111,T:21-25,80,http 10.0.0.1').ports, [[21, 25], [53, 53], [80, 80], [111, 111]])
  t.same(of('nmap -p 1-100,50-200,-10,60000- 10.0.0.1').ports, [[1, 200], [60000, 65535]], 'merged')
  t.same(of('masscan --ports=0-1023 10.0.0.0/8').ports, [[0, 1023]])
  t.same(of('naabu -host 10.0.0.1 -p 22,80,99999').ports, [[22, 22], [80, 80]], 'out-of-range ports are dropped')
  t.same(of('sqlmap -u http://10.1.10.20/item.php?id=1 -p id --batch').ports, [[80, 80]], 'sqlmap -p is a parameter')

  const ex = of('nmap 10.1.2.0/24 --exclude 10.1.2.1,10.1.2.200-10.1.2.255')
  covers(t, ex, ['10.1.2.2', '10.1.2.199'], ['10.1.2.1', '10.1.2.200', '10.1.2.255'])
  t.equal(describeTargets(ex), '10.1.2.0/24 (254 hosts), excluding 10.1.2.1, 10.1.2.200-10.1.2.255 (56 addresses)')

  t.same(of('gobuster dir -u http://10.1.10.20/ -w common.txt -r -t 50').networks.map(r => r.first), ['10.1.10.20'], 'dir -r is a flag')
  t.same(of('gobuster vhost -u https://acme.example --append-domain -w names.txt').hosts, ['acme.example'])
  t.same(of('amass enum -d acme.example -r 8.8.8.8,1.1.1.1').hosts, ['acme.example'])
  t.same(span(of('amass enum -d acme.example -r 8.8.8.8,1.1.1.1')), [['8.8.8.8', '8.8.8.8'], ['1.1.1.1', '1.1.1.1']])

  t.equal(of('env LANG=C timeout -s KILL 60 nice -n 10 proxychains4 -q nmap 10.0.0.1').tool, 'nmap')
  t.equal(of('python3 -u /opt/sqlmap/sqlmap.py -u http://10.0.0.1/?id=1').tool, 'sqlmap')
  t.equal(of('sh -c "sudo -u root masscan 10.0.0.0/8 -p80"').tool, 'masscan')
  t.same(span(of('sh -c "sudo -u root masscan 10.0.0.0/8 -p80"')), [['10.0.0.0', '10.255.255.255']])
  t.equal(commandLineTargets(['/usr/bin/sudo']).tool, undefined)

  // An explicit tool overrides the program name (e.g. a renamed binary).
  const renamed = commandLineTargets(['/tmp/.x/svc', '-p', '445', '10.1.2.0/24'], networkToolFor('nmap'))
  t.equal(renamed.tool, 'nmap')
  t.same(renamed.ports, [[445, 445]])
})

t.test('caps and garbage', async t => {
  const many = Array.from({ length: 3000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`)
  const tg = commandLineTargets(['nmap', ...many])
  t.equal(tg.networks.length, MAX_TARGET_RANGES)
  t.equal(tg.truncated, true)
  t.match(describeTargets(tg), /and 1016 more ranges.*\(command line truncated\)$/)
  const longList = 'nmap ' + Array.from({ length: 2000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',')
  const cut = of(longList)
  t.equal(cut.truncated, true, 'an argument over 4096 characters is cut')
  t.ok(cut.networks.every(r => r.first === r.last), 'at a comma: no half address')
  t.ok(targetsInclude(cut, '10.0.0.5'))

  const junk: unknown[] = [
    undefined, null, 42, {}, [], [''], [null, 'x'], ['nmap', null, 42, {}],
    ['nmap', '-p'], ['nmap', '-iL'], ['fping', '-g'], ['ipscan', '-f:range', '1.2.3.4'], ['nmap', '-p', '80-'],
    ['nmap', '999.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', '10.1.2.300-400', '-', '--', '[::1', '[zz]:80', 'http://', 'http://[::1', 'a://b:99999/', '::::', '1.2.3.4/33', '1.2.3.4/255.0.255.0', 'x'.repeat(100000)],
    ['nmap', '10.0.0.0/8', '\u0000', '\ud800', '%', '😀.example']
  ]
  for (const args of junk) {
    const r = commandLineTargets(args as string[])
    t.ok(Array.isArray(r.networks) && Array.isArray(r.hosts) && Array.isArray(r.files) && Array.isArray(r.ports), JSON.stringify(args)?.slice(0, 80) ?? String(args))
    t.equal(typeof describeTargets(r), 'string')
    t.equal(typeof targetsInclude(r, '10.0.0.1'), 'boolean')
  }
  t.same(span(of('nmap 999.1.1.1 1.2.3 01.2.3.4 10.1.2.300-400 1.2.3.4/33')), [])
  t.same(of('nmap 999.1.1.1 1.2.3 01.2.3.4 10.1.2.300-400').hosts, [], 'malformed addresses are not names')
  for (const ip of ['', 'x', '10.0.0', '10.0.0.256', '10.0.0.1 ', ' 10.0.0.1', '::g', null, undefined, 5]) {
    t.notOk(targetsInclude(of('nmap 0.0.0.0/0 ::/0'), ip as string), `not an address: ${String(ip)}`)
  }
  t.notOk(targetsInclude(null as unknown as CommandLineTargets, '10.0.0.1'))
  t.equal(describeTargets(null as unknown as CommandLineTargets), 'nothing')

  // Random argv never throws.
  let seed = 7
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
  const parts = ['nmap', 'fping', '-g', '-p', '-iL', '-u', '10', '.', '1', '2', '5', '-', ',', '/', ':', '[', ']', '*', 'x', 'http://', 'a', '::', 'f']
  for (let i = 0; i < 3000; i++) {
    const args: string[] = []
    const n = 1 + rnd(6)
    for (let j = 0; j < n; j++) {
      let a = ''
      const m = 1 + rnd(8)
      for (let k = 0; k < m; k++) a += parts[rnd(parts.length)]
      args.push(a)
    }
    const r = commandLineTargets(args)
    targetsInclude(r, '10.1.2.5')
    describeTargets(r)
  }
  t.pass('3000 random command lines')
})

t.test('targets survive a JSON round trip (the index is rebuilt)', async t => {
  const tg = of('nmap 10.1.2.0/24 2001:db8::/64 --exclude 10.1.2.9')
  const copy = JSON.parse(JSON.stringify(tg)) as CommandLineTargets
  t.same(copy, tg)
  covers(t, copy, ['10.1.2.8', '2001:db8::7'], ['10.1.2.9', '10.1.3.1', '2001:db9::'])
})

t.test('the tool table', async t => {
  const ids = new Set<string>()
  const exes = new Map<string, string>()
  for (const tool of NETWORK_TOOLS) {
    t.notOk(ids.has(tool.id), `unique id ${tool.id}`)
    ids.add(tool.id)
    for (const e of tool.executables) {
      t.equal(e, e.toLowerCase(), `${e} is lower case`)
      t.notOk(e.endsWith('.exe'), `${e} without .exe`)
      t.notOk(exes.has(e), `${e} belongs to one tool (${exes.get(e) ?? tool.id})`)
      exes.set(e, tool.id)
    }
    t.ok(tool.references.length > 0 && tool.references.every(u => /^https?:\/\//.test(u)), `${tool.id} has references`)
    t.ok(tool.weight > 0 && tool.weight <= 1, `${tool.id} weight`)
    t.match(tool.technique, /^T1595\.00[123]$/)
  }
  const required = ['nmap', 'masscan', 'zmap', 'fping', 'hping3', 'arp-scan', 'nping', 'unicornscan', 'rustscan', 'naabu',
    'nuclei', 'nikto', 'sqlmap', 'wpscan', 'ffuf', 'gobuster', 'dirb', 'dirsearch', 'feroxbuster', 'wfuzz', 'dnsrecon',
    'dnsenum', 'fierce', 'amass', 'subfinder', 'advanced_ip_scanner.exe', 'advanced_port_scanner.exe', 'ipscan',
    'netscan.exe', 'nbtscan', 'enum4linux', 'crackmapexec', 'netexec', 'nxc', 'ping', 'curl', 'wget']
  for (const name of required) t.ok(networkToolFor(name) !== undefined, `${name} is known`)

  t.equal(networkToolFor('/usr/bin/nmap')?.id, 'nmap')
  t.equal(networkToolFor(String.raw`C:\Program Files (x86)\Nmap\NMAP.EXE`)?.id, 'nmap')
  t.equal(networkToolFor('Nmap')?.id, 'nmap')
  t.equal(networkToolFor('PING.EXE')?.id, 'ping')
  t.equal(networkToolFor('crackmapexec')?.id, 'netexec')
  t.equal(networkToolFor('Advanced IP Scanner')?.id, 'advanced-ip-scanner')
  t.equal(networkToolFor('ipscan-win64-3.9.1.exe')?.id, 'angry-ip-scanner')
  t.equal(networkToolFor('/opt/dirsearch/dirsearch.py')?.id, 'dirsearch')
  t.equal(networkToolFor('nikto.pl')?.id, 'nikto')
  t.equal(networkToolFor('GRB_NET.exe')?.id, 'grixba')
  t.equal(networkToolFor('wmic.exe'), undefined)
  t.equal(networkToolFor(''), undefined)
  t.equal(networkToolFor(undefined as unknown as string), undefined)
  t.equal(networkToolFor('nmap')?.purpose, 'port-scan')
  t.equal(networkToolFor('gobuster')?.technique, 'T1595.003')
  t.equal(networkToolFor('nuclei')?.technique, 'T1595.002')
  t.ok((networkToolFor('ping')?.weight ?? 1) < 0.5 && (networkToolFor('curl')?.weight ?? 1) < 0.5, 'generic tools weigh little')
})

t.test('targetsInclude speed (informational)', async t => {
  const tg = of('nmap -p 22,80 10.1.2.0/24 10.5.0.0/16 --exclude 10.5.3.3')
  const ips = Array.from({ length: 1024 }, (_, i) => `10.${i & 7}.${(i * 13) & 255}.${(i * 31) & 255}`)
  let hits = 0
  const n = 1_000_000
  const started = performance.now()
  for (let i = 0; i < n; i++) if (targetsInclude(tg, ips[i & 1023])) hits++
  const ms = performance.now() - started
  t.comment(`targetsInclude: ${(n / ms / 1000).toFixed(1)} M calls/s (${hits} hits)`)
  t.ok(n / ms > 500, 'over 500k calls/s')
})
