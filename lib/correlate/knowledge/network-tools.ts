/**
 * Knowledge: network scanning and enumeration tools, as a data table.
 *
 * One entry per tool, in the spirit of a Sigma rule's metadata: a stable `id`, the `name`, the
 * executable names it runs under, what it is for (`purpose`), the ATT&CK T1595 sub-technique it
 * most often serves, how much its mere execution says (`weight`), which of its arguments carry
 * targets, and `references` to the tool's own documentation. `lib/correlate/targets.ts` reads the
 * `arguments` part to pull target addresses, names, files and ports out of a command line.
 *
 * Option lists only need the options that matter for that: the ones that carry targets, target
 * files, ports, exclusions or DNS servers, and the ones that take a value (so the value is not
 * mistaken for a positional target). Anything else is treated as a flag.
 *
 * @packageDocumentation
 */

/** What a tool is for. */
export type NetworkToolPurpose =
  | 'host-discovery'
  | 'port-scan'
  | 'vuln-scan'
  | 'web-content-discovery'
  | 'dns-enumeration'
  | 'generic-network'

/** MITRE ATT&CK T1595 Active Scanning sub-techniques. */
export type ActiveScanningTechnique = 'T1595.001' | 'T1595.002' | 'T1595.003'

/**
 * Which arguments of a tool carry targets. Option names are written as the tool spells them
 * (`-iL`, `--range`, `-target`, `/range`); matching is exact (case-sensitive). An option that
 * takes a value accepts it as the next argument, after `=` (or another of
 * {@link ToolArguments.valueSeparators}), or, for a two-character option such as `-p`, attached
 * (`-p80`).
 */
export interface ToolArguments {
  /**
   * Which non-option arguments are targets: all of them, only the first or last one, or none.
   * A subcommand (see {@link ToolArguments.subcommands}) is not counted.
   */
  positional: 'all' | 'first' | 'last' | 'none'
  /** Positional arguments that are not addresses may name a file of targets (netexec). */
  positionalFiles?: boolean
  /**
   * Options whose value is a target or a comma-separated list of targets: address, CIDR, range,
   * URL, host name, `host:port`. A value that is none of these but looks like a path is kept as
   * a target file (rustscan `-a`, nikto `-h` accept either).
   */
  targetOptions?: readonly string[]
  /** Options whose value is a DNS domain (or a comma-separated list) to enumerate. */
  domainOptions?: readonly string[]
  /**
   * Options naming servers the tool sends its queries to instead of the targets (DNS
   * resolvers): their addresses are what the tool's flows reach, so they count as targets.
   */
  serverOptions?: readonly string[]
  /** Options whose value names a file of targets (kept as a name, never read). */
  fileOptions?: readonly string[]
  /** Options whose value is a port list (`80,443,1000-2000`, nmap's `T:`/`U:` prefixes, `-`). */
  portOptions?: readonly string[]
  /** Options whose value lists targets to leave out. */
  excludeOptions?: readonly string[]
  /** Options followed by two values, START and END addresses (Angry IP Scanner `-f:range`). */
  rangeOptions?: readonly string[]
  /** Options followed by BASE, NETMASK and COUNT: random addresses in BASE/NETMASK. */
  randomOptions?: readonly string[]
  /** Flags that make two positional addresses a START END range (fping `-g`). */
  rangeFlags?: readonly string[]
  /** Other options that take a value. */
  valueOptions?: readonly string[]
  /** Characters that start an option; default `['-']`. Windows tools add `/`. */
  optionPrefixes?: readonly string[]
  /** Characters joining an option to its value in one argument; default `['=']`. */
  valueSeparators?: readonly string[]
  /** Whether everything after `--` is ignored (rustscan passes it on to nmap). */
  ignoreAfterDoubleDash?: boolean
  /**
   * Subcommands (the first non-option argument, matched case-insensitively), each with the
   * argument forms it adds to (or overrides in) these.
   */
  subcommands?: Readonly<Record<string, Partial<Omit<ToolArguments, 'subcommands'>>>>
}

/** One tool. */
export interface NetworkTool {
  /** Stable identifier (kebab-case). */
  id: string
  /** Display name. */
  name: string
  /**
   * Executable names and aliases, lower case, without `.exe`. A trailing `*` matches any rest
   * (`ipscan-*` for `ipscan-win64-3.9.1.exe`).
   */
  executables: readonly string[]
  /** What the tool is for. */
  purpose: NetworkToolPurpose
  /** The ATT&CK sub-technique its use most often serves. */
  technique: ActiveScanningTechnique
  /**
   * How much running it says about scanning, 0 to 1: 1 for dedicated scanners, low for
   * general-purpose network programs (ping 0.2, curl and wget 0.1).
   */
  weight: number
  /** One sentence on what it does. */
  description: string
  /** Which arguments carry targets. */
  arguments: ToolArguments
  /** The tool's documentation (man page, README, manual). */
  references: readonly string[]
  /** Caveats about this entry. */
  notes?: string
}

/** nmap's options that take a value (from the nmap reference guide), shared with nping where the same. */
const NMAP_VALUE_OPTIONS = [
  '-iR', '-sI', '-b', '--scanflags', '--top-ports', '--port-ratio', '--exclude-ports',
  '--dns-servers', '--version-intensity', '--script', '--script-args', '--script-args-file',
  '--script-help', '--script-timeout', '--script-trace-file',
  '-T', '--min-hostgroup', '--max-hostgroup', '--min-parallelism', '--max-parallelism',
  '--min-rtt-timeout', '--max-rtt-timeout', '--initial-rtt-timeout', '--max-retries',
  '--host-timeout', '--scan-delay', '--max-scan-delay', '--min-rate', '--max-rate',
  '--max-os-tries', '--mtu', '-D', '-S', '-e', '-g', '--source-port', '--proxies',
  '--data', '--data-string', '--data-length', '--ip-options', '--ttl', '--spoof-mac',
  '-oN', '-oX', '-oS', '-oG', '-oA', '--stylesheet', '--datadir', '--servicedb', '--versiondb',
  '--resume', '--stats-every'
] as const

/** gobuster's global options that take a value (every mode). */
const GOBUSTER_GLOBAL = ['-w', '--wordlist', '-t', '--threads', '-o', '--output', '--delay', '-p', '--pattern', '--wordlist-offset'] as const

/** gobuster's HTTP options that take a value (dir, vhost, fuzz modes). */
const GOBUSTER_HTTP = [
  '-c', '--cookies', '-x', '--extensions', '-H', '--headers', '-P', '--password', '-U', '--username',
  '-s', '--status-codes', '-b', '--status-codes-blacklist', '-a', '--useragent', '--proxy', '--timeout',
  '-m', '--method', '--exclude-length', '--retry-attempts', '--client-cert-pem', '--client-cert-pem-key',
  '--client-cert-p12', '--client-cert-p12-password'
] as const

/** The table. Order does not matter; ids and executable names are unique. */
export const NETWORK_TOOLS: readonly NetworkTool[] = [
  {
    id: 'nmap',
    name: 'Nmap',
    executables: ['nmap'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 1,
    description: 'Host discovery, port scanning, service/version detection and NSE scripts.',
    arguments: {
      positional: 'all',
      fileOptions: ['-iL'],
      portOptions: ['-p'],
      excludeOptions: ['--exclude'],
      valueOptions: [...NMAP_VALUE_OPTIONS, '--excludefile']
    },
    references: [
      'https://nmap.org/book/man.html',
      'https://nmap.org/book/man-target-specification.html',
      'https://nmap.org/book/man-port-specification.html'
    ],
    notes: 'Used just as often for T1595.002 (-sV, -sC, --script vuln); .001 is its most common use.'
  },
  {
    id: 'masscan',
    name: 'masscan',
    executables: ['masscan'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 1,
    description: 'Asynchronous, stateless TCP SYN port scanner for very large address ranges.',
    arguments: {
      positional: 'all',
      targetOptions: ['--range', '--ranges'],
      fileOptions: ['-iL', '--includefile'],
      portOptions: ['-p', '--ports', '--port'],
      excludeOptions: ['--exclude'],
      valueOptions: [
        '--excludefile', '--rate', '--max-rate', '--wait', '--adapter', '-e', '--adapter-ip', '--adapter-port',
        '--adapter-mac', '--adapter-vlan', '--source-ip', '--source-port', '--source-mac',
        '--router-mac', '--router-ip', '-c', '--conf', '--resume', '--resume-index',
        '--resume-count', '--shard', '--shards', '--seed', '--retries', '--ttl', '--top-ports',
        '--connection-timeout', '--output-format', '--output-filename', '-oX', '-oG', '-oJ',
        '-oL', '-oB', '-oD', '-oU', '--readscan', '--pcap', '--pcap-payloads', '--nmap-payloads',
        '--http-user-agent', '--hello', '--hello-file', '--hello-string'
      ]
    },
    references: ['https://github.com/robertdavidgraham/masscan']
  },
  {
    id: 'zmap',
    name: 'ZMap',
    executables: ['zmap'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 1,
    description: 'Single-packet Internet-wide network scanner.',
    arguments: {
      positional: 'all',
      fileOptions: ['-w', '--allowlist-file', '--whitelist-file', '-I', '--list-of-ips'],
      portOptions: ['-p', '--target-port', '--target-ports'],
      valueOptions: [
        '-b', '--blocklist-file', '--blacklist-file', '-o', '--output-file', '-r', '--rate', '-B', '--bandwidth', '-n', '--max-targets',
        '-N', '--max-results', '-t', '--max-runtime', '-c', '--cooldown-time', '-e', '--seed',
        '--shards', '--shard', '-T', '--sender-threads', '-P', '--probes', '-s', '--source-port',
        '-S', '--source-ip', '-G', '--gateway-mac', '--source-mac', '-i', '--interface',
        '-M', '--probe-module', '-O', '--output-module', '-f', '--output-fields',
        '--output-filter', '-C', '--config', '--probe-args', '--output-args', '--metadata-file',
        '--status-updates-file', '--log-file', '--log-directory', '-v', '--verbosity'
      ]
    },
    references: ['https://github.com/zmap/zmap', 'https://zmap.io/']
  },
  {
    id: 'fping',
    name: 'fping',
    executables: ['fping', 'fping6'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'ICMP echo to many hosts in parallel; -g generates a range or a CIDR sweep.',
    arguments: {
      positional: 'all',
      fileOptions: ['-f', '--file'],
      rangeFlags: ['-g', '--generate'],
      valueOptions: [
        '-b', '--size', '-B', '--backoff', '-c', '--count', '-C', '--vcount', '-H', '--ttl',
        '-i', '--interval', '-I', '--iface', '-O', '--tos', '-p', '--period', '-Q', '--squiet',
        '-r', '--retry', '-S', '--src', '-t', '--timeout', '-x', '--reachable', '-X',
        '--fast-reachable', '-k', '--fwmark'
      ]
    },
    references: ['https://fping.org/fping.8.html', 'https://github.com/schweikert/fping'],
    notes: '-g START END or -g CIDR; -p is the per-target period, not a port.'
  },
  {
    id: 'hping3',
    name: 'hping3',
    executables: ['hping3', 'hping2', 'hping'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.8,
    description: 'Packet crafter: TCP/UDP/ICMP/raw probes, port and host sweeps (--scan, --rand-dest).',
    arguments: {
      positional: 'all',
      portOptions: ['-p', '--destport', '-8', '--scan'],
      valueOptions: [
        '-c', '--count', '-i', '--interval', '-I', '--interface', '-a', '--spoof', '-t', '--ttl',
        '-N', '--id', '-H', '--ipproto', '-m', '--mtu', '-o', '--tos', '-g', '--fragoff',
        '-s', '--baseport', '-w', '--win', '-O', '--tcpoff', '-M', '--setseq', '-L', '--setack',
        '-d', '--data', '-E', '--file', '-e', '--sign', '-C', '--icmptype', '-K', '--icmpcode',
        '--icmp-ipver', '--icmp-iphlen', '--icmp-iplen', '--icmp-ipid', '--icmp-ipproto',
        '--icmp-cksum', '--icmp-gw', '--lsrr', '--ssrr', '--tcp-mss'
      ]
    },
    references: ['https://linux.die.net/man/8/hping3', 'http://www.hping.org/'],
    notes: 'With --rand-dest the target may use x as a wildcard octet (10.1.2.x).'
  },
  {
    id: 'arp-scan',
    name: 'arp-scan',
    executables: ['arp-scan'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'ARP requests to every address of the local network or the given ranges.',
    arguments: {
      positional: 'all',
      fileOptions: ['-f', '--file'],
      valueOptions: [
        '-I', '--interface', '-r', '--retry', '-t', '--timeout', '-i', '--interval', '-b',
        '--backoff', '-B', '--bandwidth', '-n', '--snap', '-O', '--ouifile', '-m', '--macfile',
        '-W', '--pcapsavefile', '-F', '--format', '-S', '--srcaddr', '-T', '--destaddr', '-Q',
        '--vlan', '--arpspa', '--arpsha', '--arptha', '--arpop', '--arphrd', '--arppro',
        '--arphln', '--arppln', '--padding'
      ]
    },
    references: ['https://github.com/royhills/arp-scan', 'https://linux.die.net/man/1/arp-scan'],
    notes: 'Targets may be network:netmask (10.0.0.0:255.255.255.0); --localnet/-l scans the interface network and names no target.'
  },
  {
    id: 'nping',
    name: 'Nping',
    executables: ['nping'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.8,
    description: 'Nmap project packet generator: ping, TCP/UDP/ARP probes, echo mode.',
    arguments: {
      positional: 'all',
      portOptions: ['-p', '--dest-port'],
      valueOptions: [
        '-c', '--count', '--rate', '--delay', '-e', '--interface', '-S', '--source-ip', '-g',
        '--source-port', '--ttl', '--tos', '--id', '--mtu', '--flags', '--win', '--seq', '--ack',
        '--icmp-type', '--icmp-code', '--icmp-id', '--icmp-seq', '--icmp-redirect-addr',
        '--icmp-param-pointer', '--icmp-advert-lifetime', '--icmp-advert-entry',
        '--icmp-orig-time', '--icmp-recv-time', '--icmp-trans-time', '--arp-type',
        '--arp-sender-mac', '--arp-sender-ip', '--arp-target-mac', '--arp-target-ip',
        '--dest-mac', '--source-mac', '--ether-type', '--data', '--data-string', '--data-length',
        '--ip-options', '--traffic-class', '--flow', '--hop-limit', '--echo-client',
        '--echo-server', '--echo-port', '--bpf-filter'
      ]
    },
    references: ['https://nmap.org/book/nping-man.html']
  },
  {
    id: 'unicornscan',
    name: 'Unicornscan',
    executables: ['unicornscan'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 1,
    description: 'Asynchronous TCP/UDP scanner; targets are written host/cidr:ports.',
    arguments: {
      positional: 'all',
      valueOptions: [
        '-b', '--broken-crc', '-B', '--source-port', '-d', '--delay-type', '-e', '--enable-module',
        '-G', '--payload-group', '-i', '--interface', '-l', '--logfile', '-L', '--packet-timeout',
        '-m', '--mode', '-M', '--module-dir', '-o', '--format', '-P', '--pcap-filter', '-r', '--pps',
        '-R', '--repeats', '-s', '--source-addr', '-t', '--ip-ttl', '-T', '--ip-tos', '-u', '--debug',
        '-w', '--safefile', '-W', '--fingerprint', '-Z', '--drone-str'
      ]
    },
    references: ['https://linux.die.net/man/1/unicornscan'],
    notes: 'Ports come from the :ports suffix of each target (10.0.0.0/24:1-1024); the a (all) and p (priority) shorthands are not expanded.'
  },
  {
    id: 'rustscan',
    name: 'RustScan',
    executables: ['rustscan'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 1,
    description: 'Fast port scanner that hands the open ports to nmap.',
    arguments: {
      positional: 'none',
      targetOptions: ['-a', '--addresses'],
      portOptions: ['-p', '--ports', '-r', '--range'],
      excludeOptions: ['-x', '--exclude-addresses'],
      valueOptions: [
        '-b', '--batch-size', '-t', '--timeout', '--tries', '-u', '--ulimit', '--scan-order',
        '--scripts', '-e', '--exclude-ports', '--resolver', '--config-path'
      ],
      ignoreAfterDoubleDash: true
    },
    references: ['https://github.com/RustScan/RustScan'],
    notes: '-a takes addresses, CIDRs, host names or a file of them; arguments after -- go to nmap.'
  },
  {
    id: 'naabu',
    name: 'naabu',
    executables: ['naabu'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 1,
    description: 'ProjectDiscovery SYN/CONNECT port scanner.',
    arguments: {
      positional: 'none',
      targetOptions: ['-host'],
      fileOptions: ['-l', '-list'],
      portOptions: ['-p', '-port'],
      excludeOptions: ['-eh', '-exclude-hosts'],
      valueOptions: [
        '-tp', '-top-ports', '-pf', '-ports-file', '-ep', '-exclude-ports', '-ef', '-exclude-file',
        '-o', '-output', '-c', '-rate', '-timeout', '-retries', '-warm-up-time', '-s', '-scan-type',
        '-source-ip', '-i', '-interface', '-r', '-proxy', '-proxy-auth', '-resume-cfg',
        '-nmap-cli', '-config', '-stats-interval', '-metrics-port', '-ip-version', '-iv'
      ]
    },
    references: ['https://github.com/projectdiscovery/naabu', 'https://docs.projectdiscovery.io/tools/naabu/usage']
  },
  {
    id: 'nuclei',
    name: 'Nuclei',
    executables: ['nuclei'],
    purpose: 'vuln-scan',
    technique: 'T1595.002',
    weight: 1,
    description: 'Template-based vulnerability scanner (HTTP, DNS, TCP, ...).',
    arguments: {
      positional: 'none',
      targetOptions: ['-u', '-target'],
      fileOptions: ['-l', '-list'],
      excludeOptions: ['-eh', '-exclude-hosts'],
      valueOptions: [
        '-t', '-templates', '-tu', '-template-url', '-w', '-workflows', '-wu', '-workflow-url',
        '-tags', '-etags', '-exclude-tags', '-itags', '-include-tags', '-id', '-template-id',
        '-eid', '-exclude-id', '-it', '-include-templates', '-et', '-exclude-templates',
        '-em', '-exclude-matchers', '-s', '-severity', '-es', '-exclude-severity', '-pt', '-type',
        '-ept', '-exclude-type', '-a', '-author', '-tc', '-template-condition', '-o', '-output',
        '-c', '-concurrency', '-bs', '-bulk-size', '-rl', '-rate-limit', '-rlm', '-timeout',
        '-retries', '-H', '-header', '-V', '-var', '-r', '-resolvers', '-p', '-proxy',
        '-config', '-tp', '-profile', '-im', '-input-mode', '-resume', '-me',
        '-markdown-export', '-se', '-sarif-export', '-je', '-json-export', '-jle', '-jsonl-export',
        '-iserver', '-interactsh-server',
        '-itoken', '-interactsh-token', '-mhe', '-max-host-error', '-ss', '-scan-strategy',
        '-tlc', '-template-loading-concurrency'
      ]
    },
    references: ['https://github.com/projectdiscovery/nuclei', 'https://docs.projectdiscovery.io/tools/nuclei/running']
  },
  {
    id: 'nikto',
    name: 'Nikto',
    executables: ['nikto', 'nikto.pl'],
    purpose: 'vuln-scan',
    technique: 'T1595.002',
    weight: 1,
    description: 'Web server scanner for dangerous files, outdated software and misconfigurations.',
    arguments: {
      positional: 'none',
      targetOptions: ['-h', '-host', '--host', '-url'],
      portOptions: ['-p', '-port', '--port'],
      valueOptions: [
        '-o', '-output', '-Format', '-F', '-Tuning', '-T', '-Plugins', '-id', '-vhost',
        '-useproxy', '-timeout', '-maxtime', '-Pause', '-root', '-config', '-Display', '-D',
        '-evasion', '-e', '-mutate', '-mutate-options', '-until', '-Save', '-key', '-cert',
        '-404code', '-404string'
      ]
    },
    references: ['https://github.com/sullo/nikto/wiki', 'https://cirt.net/Nikto2'],
    notes: '-h takes a host, an IP, a URL or a file of targets; -h is not help (that is -H / -Help).'
  },
  {
    id: 'sqlmap',
    name: 'sqlmap',
    executables: ['sqlmap', 'sqlmap.py'],
    purpose: 'vuln-scan',
    technique: 'T1595.002',
    weight: 0.9,
    description: 'Automatic SQL injection detection and exploitation.',
    arguments: {
      positional: 'none',
      targetOptions: ['-u', '--url'],
      fileOptions: ['-m', '-l', '-r'],
      valueOptions: [
        '-d', '-x', '-g', '-c', '--data', '--cookie', '-p', '--level', '--risk', '--dbms', '--os',
        '--technique', '--threads', '-D', '-T', '-C', '-U', '--tamper', '--proxy', '--proxy-cred',
        '--proxy-file', '--user-agent', '-A', '-H', '--header', '--headers', '--method',
        '--time-sec', '--union-cols', '--union-char', '--prefix', '--suffix', '--skip', '--string',
        '--not-string', '--regexp', '--code', '--output-dir', '--delay', '--timeout', '--retries',
        '--param-del', '--cookie-del', '--csrf-token', '--csrf-url', '--auth-type', '--auth-cred',
        '--referer', '--host', '--sql-query', '--os-cmd', '--file-read', '--file-write',
        '--file-dest', '--dump-format', '--crawl', '--crawl-exclude', '--eval',
        '--answers', '-s', '-t', '--scope', '--second-url', '--second-req', '--safe-url',
        '--safe-post', '--safe-req', '--safe-freq'
      ]
    },
    references: ['https://github.com/sqlmapproject/sqlmap/wiki/Usage', 'https://sqlmap.org/'],
    notes: '-m is a file of target URLs, -l a Burp/WebScarab proxy log, -r a raw HTTP request; -p is the parameter to test, not a port.'
  },
  {
    id: 'wpscan',
    name: 'WPScan',
    executables: ['wpscan'],
    purpose: 'vuln-scan',
    technique: 'T1595.002',
    weight: 1,
    description: 'WordPress vulnerability scanner.',
    arguments: {
      positional: 'none',
      targetOptions: ['--url', '-u'],
      valueOptions: [
        '-e', '--enumerate', '-o', '--output', '-f', '--format', '--api-token', '-P', '--passwords',
        '-U', '--usernames', '-t', '--max-threads', '--detection-mode', '--user-agent', '--ua',
        '--proxy', '--proxy-auth', '--cookie-string', '--cookie-jar', '--http-auth',
        '--wp-content-dir', '--wp-plugins-dir', '--throttle', '--request-timeout',
        '--connect-timeout', '--plugins-detection', '--plugins-version-detection',
        '--exclude-content-based', '--cache-dir', '--cache-ttl', '--vhost', '--password-attack',
        '--login-uri', '--multicall-max-passwords', '--server', '--headers', '--scope'
      ]
    },
    references: ['https://github.com/wpscanteam/wpscan']
  },
  {
    id: 'ffuf',
    name: 'ffuf',
    executables: ['ffuf'],
    purpose: 'web-content-discovery',
    technique: 'T1595.003',
    weight: 1,
    description: 'Fast web fuzzer: directories, files, virtual hosts, parameters (FUZZ keyword).',
    arguments: {
      positional: 'none',
      targetOptions: ['-u'],
      fileOptions: ['-request'],
      valueOptions: [
        '-w', '-t', '-o', '-of', '-od', '-H', '-X', '-d', '-b', '-x', '-e', '-p', '-rate', '-mc',
        '-ms', '-mw', '-ml', '-mr', '-mt', '-mmode', '-fc', '-fs', '-fw', '-fl', '-fr', '-ft',
        '-fmode', '-maxtime', '-maxtime-job', '-recursion-depth', '-recursion-strategy',
        '-timeout', '-replay-proxy', '-input-cmd', '-input-num', '-input-shell', '-mode',
        '-request-proto', '-config', '-debug-log', '-acc', '-acs', '-sni', '-cc', '-ck',
        '-scraperfile', '-scrapers', '-search'
      ]
    },
    references: ['https://github.com/ffuf/ffuf']
  },
  {
    id: 'gobuster',
    name: 'Gobuster',
    executables: ['gobuster'],
    purpose: 'web-content-discovery',
    technique: 'T1595.003',
    weight: 1,
    description: 'Wordlist brute forcing of URIs (dir), DNS subdomains (dns), virtual hosts (vhost) and more.',
    arguments: {
      positional: 'none',
      valueOptions: GOBUSTER_GLOBAL,
      subcommands: {
        dir: { targetOptions: ['-u', '--url'], valueOptions: GOBUSTER_HTTP },
        vhost: { targetOptions: ['-u', '--url'], valueOptions: [...GOBUSTER_HTTP, '--domain'] },
        fuzz: { targetOptions: ['-u', '--url'], valueOptions: [...GOBUSTER_HTTP, '-B', '--exclude-length'] },
        dns: {
          domainOptions: ['-d', '--domain', '--do'],
          serverOptions: ['-r', '--resolver'],
          valueOptions: ['--timeout', '--protocol']
        },
        tftp: { serverOptions: ['-s', '--server'] },
        s3: {},
        gcs: {}
      }
    },
    references: ['https://github.com/OJ/gobuster'],
    notes: 'dns mode brute forces names through -r, the resolver: that is where its packets go. -p is a pattern file, not a port.'
  },
  {
    id: 'dirb',
    name: 'DIRB',
    executables: ['dirb'],
    purpose: 'web-content-discovery',
    technique: 'T1595.003',
    weight: 1,
    description: 'Web content scanner: dirb <url_base> [<wordlist_file(s)>] [options].',
    arguments: {
      positional: 'first',
      valueOptions: ['-a', '-c', '-E', '-H', '-o', '-p', '-P', '-u', '-x', '-X', '-z', '-N']
    },
    references: ['https://dirb.sourceforge.net/', 'https://www.kali.org/tools/dirb/'],
    notes: 'The second positional argument is the wordlist; -p is a proxy and -u user:password.'
  },
  {
    id: 'dirsearch',
    name: 'dirsearch',
    executables: ['dirsearch', 'dirsearch.py'],
    purpose: 'web-content-discovery',
    technique: 'T1595.003',
    weight: 1,
    description: 'Web path brute forcer.',
    arguments: {
      positional: 'none',
      targetOptions: ['-u', '--url', '--cidr'],
      fileOptions: ['-l', '--urls-file', '--raw', '--nmap-report'],
      valueOptions: [
        '-w', '--wordlists', '-e', '--extensions', '-t', '--threads', '-o', '--output',
        '--format', '-O', '--output-formats', '-x', '--exclude-status', '-i', '--include-status',
        '-H', '--header', '--header-list', '--proxy', '--proxy-list', '--proxy-auth', '-s',
        '--delay', '-R', '--max-recursion-depth', '--recursion-status', '--subdirs',
        '--exclude-subdirs', '--user-agent', '--cookie', '-m', '--http-method', '-d', '--data',
        '--data-file', '--timeout', '--max-rate', '--retries', '--max-time', '--exclude-sizes',
        '--exclude-text', '--exclude-regex', '--exclude-redirect', '--exclude-response',
        '--prefixes', '--suffixes', '--auth', '--auth-type', '--cert-file', '--key-file',
        '--scheme', '--ip', '--interface', '--config', '--log', '--session'
      ]
    },
    references: ['https://github.com/maurosoria/dirsearch']
  },
  {
    id: 'feroxbuster',
    name: 'feroxbuster',
    executables: ['feroxbuster'],
    purpose: 'web-content-discovery',
    technique: 'T1595.003',
    weight: 1,
    description: 'Recursive content discovery.',
    arguments: {
      positional: 'none',
      targetOptions: ['-u', '--url'],
      valueOptions: [
        '-w', '--wordlist', '-t', '--threads', '-o', '--output', '-x', '--extensions', '-H',
        '--headers', '-b', '--cookies', '-a', '--user-agent', '-p', '--proxy', '-P',
        '--replay-proxy', '-R', '--replay-codes', '-s', '--status-codes', '-C', '--filter-status',
        '-S', '--filter-size', '-W', '--filter-words', '-N', '--filter-lines', '-X',
        '--filter-regex', '--filter-similar-to', '-d', '--depth', '-T', '--timeout', '-L',
        '--scan-limit', '--rate-limit', '--time-limit', '-m', '--methods', '--data',
        '--parallel', '--dont-scan', '--resume-from', '--debug-log', '--query', '-Q',
        '--server-certs', '--client-cert', '--client-key'
      ]
    },
    references: ['https://github.com/epi052/feroxbuster', 'https://epi052.github.io/feroxbuster-docs/']
  },
  {
    id: 'wfuzz',
    name: 'Wfuzz',
    executables: ['wfuzz'],
    purpose: 'web-content-discovery',
    technique: 'T1595.003',
    weight: 1,
    description: 'Web application fuzzer (FUZZ keyword in the URL, headers or body).',
    arguments: {
      positional: 'all',
      targetOptions: ['-u'],
      valueOptions: [
        '-w', '-z', '--zP', '--zD', '--zE', '-t', '-s', '-p', '-b', '-d', '-H', '-X', '-f', '-o',
        '-e', '-m', '-V', '-R', '--hc', '--hl', '--hw', '--hh', '--hs', '--sc', '--sl', '--sw',
        '--sh', '--ss', '--field', '--filter', '--prefilter', '--script', '--script-args',
        '--basic', '--ntlm', '--digest', '--recipe', '--dump-recipe', '--oF', '--req-delay',
        '--conn-delay', '--slice'
      ]
    },
    references: ['https://wfuzz.readthedocs.io/en/latest/', 'https://github.com/xmendez/wfuzz'],
    notes: 'The URL may also be the last positional argument; -p is a proxy.'
  },
  {
    id: 'dnsrecon',
    name: 'DNSRecon',
    executables: ['dnsrecon', 'dnsrecon.py'],
    purpose: 'dns-enumeration',
    technique: 'T1595.003',
    weight: 0.9,
    description: 'DNS enumeration: zone transfers, brute force, reverse lookups over a range.',
    arguments: {
      positional: 'none',
      targetOptions: ['-r', '--range'],
      domainOptions: ['-d', '--domain'],
      serverOptions: ['-n', '--name_server'],
      valueOptions: [
        '-D', '--dictionary', '-t', '--type', '--threads', '--lifetime', '--db', '-x', '--xml',
        '-c', '--csv', '-j', '--json'
      ]
    },
    references: ['https://github.com/darkoperator/dnsrecon'],
    notes: '-r is an address range for reverse (PTR) lookups; -D is the wordlist.'
  },
  {
    id: 'dnsenum',
    name: 'dnsenum',
    executables: ['dnsenum', 'dnsenum.pl'],
    purpose: 'dns-enumeration',
    technique: 'T1595.003',
    weight: 0.9,
    description: 'DNS enumeration: NS/MX, zone transfers, subdomain brute force, whois ranges.',
    arguments: {
      positional: 'all',
      serverOptions: ['--dnsserver', '-dnsserver'],
      valueOptions: [
        '-f', '--file', '-s', '--scrap', '-p', '--pages', '-o', '--output', '--threads', '-t',
        '--timeout', '-d', '--delay', '-e', '--exclude', '-u', '--update', '--subfile'
      ]
    },
    references: ['https://github.com/fwaeytens/dnsenum', 'https://www.kali.org/tools/dnsenum/'],
    notes: 'Positional arguments are domains (kept as host names); -f is the wordlist, -p a page count.'
  },
  {
    id: 'fierce',
    name: 'Fierce',
    executables: ['fierce', 'fierce.pl'],
    purpose: 'dns-enumeration',
    technique: 'T1595.003',
    weight: 0.9,
    description: 'DNS reconnaissance: locates non-contiguous IP space and host names of a domain.',
    arguments: {
      positional: 'none',
      targetOptions: ['--range', '-range'],
      domainOptions: ['--domain', '-dns'],
      serverOptions: ['--dns-servers', '-dnsserver'],
      valueOptions: [
        '--subdomain-file', '--subdomains', '--traverse', '--search', '--delay', '--dns-file',
        '-wordlist', '-file', '-threads', '-traverse', '-wide', '-delay'
      ]
    },
    references: ['https://github.com/mschwager/fierce'],
    notes: 'Covers the Python fierce (--domain) and the original Perl fierce.pl (-dns). --dns-servers may take several values; only the first is read.'
  },
  {
    id: 'amass',
    name: 'OWASP Amass',
    executables: ['amass'],
    purpose: 'dns-enumeration',
    technique: 'T1595.003',
    weight: 0.8,
    description: 'Attack-surface mapping: subdomain enumeration by DNS brute force, scraping and APIs.',
    arguments: {
      positional: 'none',
      domainOptions: ['-d'],
      targetOptions: ['-addr', '-cidr'],
      serverOptions: ['-r', '-tr'],
      fileOptions: ['-df'],
      portOptions: ['-p'],
      valueOptions: [
        '-o', '-oA', '-json', '-dir', '-config', '-w', '-wm', '-aw', '-awm', '-rf', '-trf', '-bl',
        '-blf', '-nf', '-ef', '-if', '-include', '-exclude', '-max-dns-queries', '-dns-qps',
        '-rqps', '-trqps', '-timeout', '-min-for-recursive', '-max-depth', '-asn', '-log', '-scripts'
      ],
      subcommands: { enum: {}, intel: {}, db: {}, viz: {}, track: {} }
    },
    references: ['https://github.com/owasp-amass/amass'],
    notes: 'Much of amass is passive (T1596); its active mode brute forces names through the -r resolvers.'
  },
  {
    id: 'subfinder',
    name: 'subfinder',
    executables: ['subfinder'],
    purpose: 'dns-enumeration',
    technique: 'T1595.003',
    weight: 0.6,
    description: 'Subdomain discovery from passive sources, optionally resolved.',
    arguments: {
      positional: 'none',
      domainOptions: ['-d', '-domain'],
      fileOptions: ['-dL', '-list'],
      serverOptions: ['-r'],
      valueOptions: [
        '-o', '-output', '-oD', '-output-dir', '-rL', '-rlist', '-t', '-timeout', '-max-time',
        '-s', '-sources', '-es', '-exclude-sources', '-config', '-pc', '-provider-config',
        '-proxy', '-rl', '-rate-limit', '-rls', '-m', '-match', '-f', '-filter', '-mf', '-match-file'
      ]
    },
    references: ['https://github.com/projectdiscovery/subfinder'],
    notes: 'Passive by default (closer to T1596): weight lowered accordingly.'
  },
  {
    id: 'advanced-ip-scanner',
    name: 'Advanced IP Scanner',
    executables: ['advanced_ip_scanner', 'advanced_ip_scanner_console'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'Famatech (Radmin) LAN scanner for Windows; favoured by ransomware operators.',
    arguments: {
      positional: 'none',
      optionPrefixes: ['/', '-'],
      valueSeparators: [':', '='],
      targetOptions: ['/r'],
      fileOptions: ['/s'],
      valueOptions: ['/portable', '/lng', '/f']
    },
    references: ['https://www.advanced-ip-scanner.com/', 'https://www.advanced-ip-scanner.com/help/'],
    notes: 'The GUI (advanced_ip_scanner.exe /portable DIR /lng LANG) names no target; the console variant takes /r:RANGE, /s:FILE of ranges and /f:OUTPUT (as used in Atomic Red Team and seen in the wild).'
  },
  {
    id: 'advanced-port-scanner',
    name: 'Advanced Port Scanner',
    executables: ['advanced_port_scanner', 'advanced_port_scanner_console'],
    purpose: 'port-scan',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'Famatech port scanner for Windows.',
    arguments: {
      positional: 'none',
      optionPrefixes: ['/', '-'],
      valueSeparators: [':', '='],
      targetOptions: ['/r'],
      fileOptions: ['/s'],
      portOptions: ['/p'],
      valueOptions: ['/portable', '/lng', '/f']
    },
    references: ['https://www.advanced-port-scanner.com/'],
    notes: 'The GUI command line (/portable DIR /lng LANG) names no target; console options assumed to mirror Advanced IP Scanner\'s.'
  },
  {
    id: 'angry-ip-scanner',
    name: 'Angry IP Scanner',
    executables: ['ipscan', 'ipscan-*', 'angryip', 'angryipscanner'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'Cross-platform IP and port scanner: ipscan [options] <feeder> <exporter>.',
    arguments: {
      positional: 'none',
      rangeOptions: ['-f:range'],
      randomOptions: ['-f:random'],
      fileOptions: ['-f:file'],
      valueOptions: ['-o']
    },
    references: ['https://angryip.org/documentation/', 'https://github.com/angryziber/ipscan'],
    notes: 'Feeders: -f:range START END, -f:random BASE NETMASK COUNT, -f:file FILE; -o is the export file.'
  },
  {
    id: 'softperfect-netscan',
    name: 'SoftPerfect Network Scanner',
    executables: ['netscan', 'netscan64', 'nscan'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'Windows network scanner (addresses, shares, services); often run hidden by intruders.',
    arguments: {
      positional: 'none',
      optionPrefixes: ['/', '-'],
      valueSeparators: [':', '='],
      targetOptions: ['/range'],
      fileOptions: ['/file'],
      valueOptions: ['/auto', '/live', '/config', '/export']
    },
    references: ['https://www.softperfect.com/products/networkscanner/', 'https://www.softperfect.com/products/networkscanner/manual/'],
    notes: '/range:FROM-TO or /range:CIDR; keywords such as /range:all name no address.'
  },
  {
    id: 'nbtscan',
    name: 'NBTscan',
    executables: ['nbtscan'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.9,
    description: 'NetBIOS name scanner over an address range.',
    arguments: {
      positional: 'all',
      fileOptions: ['-f'],
      valueOptions: ['-t', '-b', '-s', '-m']
    },
    references: ['https://manpages.debian.org/nbtscan', 'https://github.com/resurrecting-open-source-projects/nbtscan'],
    notes: 'The nbtscan of Linux distributions (nbtscan [-t timeout] [-b bandwidth] ... (-f filename)|(<scan_range>)); unixwiz\'s Windows nbtscan uses -f differently and is not covered.'
  },
  {
    id: 'enum4linux',
    name: 'enum4linux',
    executables: ['enum4linux', 'enum4linux.pl'],
    purpose: 'generic-network',
    technique: 'T1595.002',
    weight: 0.8,
    description: 'SMB/NetBIOS enumeration of Windows and Samba hosts (users, shares, policies): enum4linux [options] ip.',
    arguments: {
      positional: 'last',
      valueOptions: ['-u', '-p', '-w', '-k', '-R', '-s', '-K']
    },
    references: ['https://github.com/CiscoCXSecurity/enum4linux', 'https://labs.portcullis.co.uk/tools/enum4linux/'],
    notes: '-p is a password, -R a RID range and -s a share-name file: none are targets.'
  },
  {
    id: 'enum4linux-ng',
    name: 'enum4linux-ng',
    executables: ['enum4linux-ng', 'enum4linux-ng.py'],
    purpose: 'generic-network',
    technique: 'T1595.002',
    weight: 0.8,
    description: 'Rewrite of enum4linux in Python (SMB, LDAP, RPC enumeration).',
    arguments: {
      positional: 'last',
      valueOptions: ['-u', '-p', '-w', '-t', '-s', '-oJ', '-oY', '-oA', '--ranges']
    },
    references: ['https://github.com/cddmp/enum4linux-ng'],
    notes: '-R is a flag here (RID cycling), unlike enum4linux\'s -R RANGE.'
  },
  {
    id: 'netexec',
    name: 'NetExec / CrackMapExec',
    executables: ['netexec', 'nxc', 'crackmapexec', 'cme'],
    purpose: 'generic-network',
    technique: 'T1595.002',
    weight: 0.8,
    description: 'Network service exploitation and enumeration over SMB, LDAP, WinRM, SSH, MSSQL, RDP and more.',
    arguments: {
      positional: 'all',
      positionalFiles: true,
      portOptions: ['--port'],
      valueOptions: [
        '-u', '-p', '-H', '--hash', '-d', '-t', '--threads', '--timeout', '--jitter', '-M',
        '--module', '-o', '--options', '-x', '-X', '--exec-method', '--log', '--kdcHost',
        '--aesKey', '--gen-relay-list', '--put-file', '--get-file', '--wmi', '--wmi-namespace',
        '--codec', '-id', '--amsi-bypass', '--spider', '--pattern', '--regex', '--exclude-dirs',
        '--depth'
      ],
      subcommands: {
        smb: {}, ssh: {}, ldap: {}, winrm: {}, mssql: {}, rdp: {}, ftp: {}, wmi: {}, vnc: {},
        nfs: {}, http: {}
      }
    },
    references: ['https://www.netexec.wiki/', 'https://github.com/Pennyw0rth/NetExec', 'https://github.com/byt3bl33d3r/CrackMapExec'],
    notes: 'Targets are positional after the protocol: addresses, CIDRs, ranges, host names or files of them; -p is a password and -d an authentication domain.'
  },
  {
    id: 'grixba',
    name: 'Grixba',
    executables: ['grb_net', 'grixba'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 1,
    description: 'Play ransomware group\'s custom network enumeration tool (GRB_NET.exe).',
    arguments: {
      positional: 'none',
      valueSeparators: [':', '='],
      fileOptions: ['-d'],
      valueOptions: ['-m', '-mode', '-i', '-input']
    },
    references: [
      'https://detection.fyi/sigmahq/sigma/emerging-threats/2025/malware/grixba/proc_creation_win_malware_grixba_recon',
      'https://fieldeffect.com/blog/grixba-play-ransomware-impersonates-sentinelone'
    ],
    notes: 'Undocumented malware: -m scan|scanall selects the mode and -i f|r|s the input (f: file); reading -d as the input file is an inference from the command line SigmaHQ recorded (-m:scan -i:f -d:list.txt).'
  },
  {
    id: 'ping',
    name: 'ping',
    executables: ['ping', 'ping6'],
    purpose: 'host-discovery',
    technique: 'T1595.001',
    weight: 0.2,
    description: 'ICMP echo to one host; a sweep only when run many times (generic, low weight).',
    arguments: {
      positional: 'all',
      valueOptions: [
        // iputils / BSD
        '-c', '-i', '-I', '-s', '-W', '-w', '-l', '-p', '-Q', '-M', '-m', '-S', '-T', '-F',
        // Windows (-n COUNT and -t are left out: iputils -n is a flag, Windows -t is one)
        '-j', '-k'
      ]
    },
    references: ['https://man7.org/linux/man-pages/man8/ping.8.html', 'https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/ping'],
    notes: 'Windows ping also accepts /n-style options; -p is a payload pattern, not a port.'
  },
  {
    id: 'curl',
    name: 'curl',
    executables: ['curl'],
    purpose: 'generic-network',
    technique: 'T1595.003',
    weight: 0.1,
    description: 'URL transfer tool (generic, low weight: a scan only when run in a loop over a wordlist or addresses).',
    arguments: {
      positional: 'all',
      targetOptions: ['--url'],
      valueOptions: [
        '-o', '--output', '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode',
        '--data-ascii', '-H', '--header', '-X', '--request', '-u', '--user', '-A', '--user-agent',
        '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-x', '--proxy', '-U',
        '--proxy-user', '-T', '--upload-file', '-w', '--write-out', '-m', '--max-time',
        '--connect-timeout', '--resolve', '--connect-to', '-F', '--form', '--form-string', '-E',
        '--cert', '--cacert', '--capath', '--key', '--pass', '-r', '--range', '-C',
        '--continue-at', '-Y', '--speed-limit', '-y', '--speed-time', '-z', '--time-cond',
        '--retry', '--retry-delay', '--retry-max-time', '--limit-rate', '--interface',
        '--dns-servers', '-K', '--config', '--output-dir', '--max-redirs', '--max-filesize',
        '-D', '--dump-header', '--trace', '--trace-ascii', '--stderr', '--local-port', '-Q',
        '--quote', '--oauth2-bearer', '--aws-sigv4', '--json', '-t', '--telnet-option',
        '--variable', '--expand-url', '--url-query', '--unix-socket', '--abstract-unix-socket',
        '--doh-url', '--ciphers', '--tls-max', '--proto', '--proto-redir', '--proto-default',
        '--preproxy', '--noproxy', '--proxy-header', '--ftp-port', '-P'
      ]
    },
    references: ['https://curl.se/docs/manpage.html']
  },
  {
    id: 'wget',
    name: 'GNU Wget',
    executables: ['wget', 'wget2'],
    purpose: 'generic-network',
    technique: 'T1595.003',
    weight: 0.1,
    description: 'Non-interactive downloader (generic, low weight; recursive mode crawls).',
    arguments: {
      positional: 'all',
      fileOptions: ['-i', '--input-file'],
      valueOptions: [
        '-O', '--output-document', '-o', '--output-file', '-a', '--append-output', '-P',
        '--directory-prefix', '-U', '--user-agent', '-t', '--tries', '-T', '--timeout', '-w',
        '--wait', '-Q', '--quota', '-e', '--execute', '-B', '--base', '--header', '--user',
        '--password', '--http-user', '--http-password', '-l', '--level', '-A', '--accept', '-R',
        '--reject', '-D', '--domains', '--exclude-domains', '-X', '--exclude-directories', '-I',
        '--include-directories', '--post-data', '--post-file', '--body-data', '--body-file',
        '--method', '--bind-address', '--limit-rate', '--load-cookies', '--save-cookies',
        '--referer', '--config', '--dns-timeout', '--connect-timeout', '--read-timeout',
        '--waitretry', '--ca-certificate', '--certificate', '--private-key', '--output-dir',
        '--cut-dirs', '--reject-regex', '--accept-regex', '--restrict-file-names', '--local-encoding',
        '--remote-encoding', '--default-page'
      ]
    },
    references: ['https://www.gnu.org/software/wget/manual/wget.html']
  }
]

/** Case-insensitive basename without directory, `.exe` and script extensions. */
export function executableKey (executableOrName: string): string {
  if (typeof executableOrName !== 'string') return ''
  let s = executableOrName.length > 4096 ? executableOrName.slice(-4096) : executableOrName
  s = s.trim()
  const slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'))
  if (slash >= 0) s = s.slice(slash + 1)
  s = s.toLowerCase()
  if (s.endsWith('.exe')) s = s.slice(0, -4)
  return s
}

const EXACT = new Map<string, NetworkTool>()
const PREFIXES: Array<[string, NetworkTool]> = []
for (const tool of NETWORK_TOOLS) {
  for (const key of [tool.id, tool.name.toLowerCase(), ...tool.executables]) {
    if (key.endsWith('*')) PREFIXES.push([key.slice(0, -1), tool])
    else if (!EXACT.has(key)) EXACT.set(key, tool)
  }
}
/** Extensions a tool run as a script carries (`dirsearch.py`, `nikto.pl`). */
const SCRIPT_EXTENSIONS = ['.py', '.pl', '.rb', '.sh']

/**
 * The tool an executable path or name belongs to: case-insensitive, by basename, with `.exe`
 * stripped (`C:\Tools\NMAP.EXE`, `/usr/bin/nmap`, `nmap` all give nmap). Also accepts a tool's
 * `id` or display name (`advanced-ip-scanner`, `Advanced IP Scanner`) and a script name without
 * its extension (`dirsearch.py`). Undefined when the tool is not in {@link NETWORK_TOOLS}.
 */
export function networkToolFor (executableOrName: string): NetworkTool | undefined {
  const key = executableKey(executableOrName)
  if (key === '') return undefined
  const exact = EXACT.get(key)
  if (exact !== undefined) return exact
  for (const ext of SCRIPT_EXTENSIONS) {
    if (key.endsWith(ext)) {
      const t = EXACT.get(key.slice(0, -ext.length))
      if (t !== undefined) return t
    }
  }
  for (const [prefix, tool] of PREFIXES) if (key.startsWith(prefix)) return tool
  return undefined
}
