/**
 * Knowledge: which options of a scanning tool decide the ATT&CK T1595 sub-technique of a run.
 *
 * `knowledge/network-tools.ts` says what a tool is and which of its arguments are targets; this
 * table says what a given command line of it does: `nmap -sn 10.0.0.0/24` is a host-discovery
 * sweep (T1595.001), `nmap -sV www.example` probes one host's services for versions
 * (T1595.002), `gobuster dns ...` brute forces names from a wordlist (T1595.003), and
 * `gobuster version` or `amass intel` (passive) is no scan at all.
 *
 * Rules are tried in table order for the tool; the first that matches decides (a rule with a
 * `null` sub-technique says "not a scan"). When none matches, the tool's own `technique` from
 * `network-tools.ts` applies if its `weight` reaches the correlator's threshold. Each rule cites
 * the tool's documentation for the options it reads (Sigma style: data with references, no code).
 *
 * @packageDocumentation
 */
import type { Subtechnique } from '../../model.js'
import type { NetworkToolPurpose } from './network-tools.js'

/**
 * How a command line's targets are spread:
 * `single`: exactly one address or one host name (no CIDR, range, list or file);
 * `many`: a CIDR or range of more than one address, several targets, or a file of targets;
 * `none`: nothing readable (GUI tools, targets from stdin).
 */
export type TargetScope = 'single' | 'many' | 'none'

/** One decision rule. All the conditions it sets must hold. */
export interface ScannerOptionRule {
  /** Stable identifier (kebab-case). */
  id: string
  /** Tool ids from `network-tools.ts` (or {@link EXTRA_SCANNERS}) the rule applies to. */
  tools: readonly string[]
  /** The first non-option argument is one of these (case-insensitive): gobuster `dir`, amass `enum`. */
  subcommands?: readonly string[]
  /**
   * At least one of these options is present. Exact (`-PE`); a trailing `*` accepts an attached
   * value (`-PS*` matches `-PS22,80`); `--opt` also matches `--opt=value` and `--opt:value`.
   */
  anyOption?: readonly string[]
  /**
   * nmap `-s` scan-type letters, any of which present in an `-s` cluster (`-sV`, `-sSV`, `-sCV`).
   * With {@link ScannerOptionRule.anyOption} as well, either one present is enough.
   */
  scanTypeLetters?: string
  /** An option's value (a comma-separated list) contains one of `values` (case-insensitive). */
  optionValue?: { options: readonly string[], values: readonly string[] }
  /** The spread of the command line's targets. */
  scope?: TargetScope
  /** The sub-technique, or null: "this use of the tool is not active scanning". */
  subtechnique: Subtechnique | null
  /**
   * What the run does, for the reason sentence; `{scantype}` is replaced by nmap's scan types
   * (`TCP connect`, `SYN`, `UDP`, ...; `port` when none is given).
   */
  activity: string
  /** 0–1: how sure the option makes the sub-technique. */
  confidence: number
  /** The tool documentation the rule is read from. */
  references: readonly string[]
  notes?: string
}

/**
 * Scanners that `network-tools.ts` does not list, because their targets need no special
 * reading (positional URLs and addresses) or because they take none on the command line.
 */
export interface ExtraScanner {
  id: string
  name: string
  /** Executable names, lower case, without `.exe`. */
  executables: readonly string[]
  purpose: NetworkToolPurpose
  technique: Subtechnique
  weight: number
  references: readonly string[]
  notes?: string
}

/** Scanners outside `network-tools.ts`. */
export const EXTRA_SCANNERS: readonly ExtraScanner[] = [
  {
    id: 'openvas',
    name: 'OpenVAS scanner (Greenbone)',
    executables: ['openvas', 'openvassd'],
    purpose: 'vuln-scan',
    technique: 'T1595.002',
    weight: 1,
    references: ['https://github.com/greenbone/openvas-scanner', 'https://greenbone.github.io/docs/latest/'],
    notes: 'ospd-openvas starts `openvas --scan-start <id>` for each scan; that process sends the probes. gvm-cli/gvmd only ask for scans and are not labelled.'
  },
  {
    id: 'whatweb',
    name: 'WhatWeb',
    executables: ['whatweb'],
    purpose: 'vuln-scan',
    technique: 'T1595.002',
    weight: 1,
    references: ['https://github.com/urbanadventurer/WhatWeb', 'https://github.com/urbanadventurer/WhatWeb/wiki'],
    notes: 'Identifies web technologies and their versions (fingerprinting, OWASP OAT-004, cited by ATT&CK for T1595).'
  }
]

/** nmap `-s` letters that name a scan type, with the words the reason uses. */
export const NMAP_SCAN_TYPES: Readonly<Record<string, string>> = {
  S: 'SYN',
  T: 'TCP connect',
  A: 'ACK',
  W: 'window',
  M: 'Maimon',
  U: 'UDP',
  N: 'null',
  F: 'FIN',
  X: 'Xmas',
  Y: 'SCTP INIT',
  Z: 'SCTP COOKIE-ECHO',
  O: 'IP protocol',
  I: 'idle'
}

const NMAP_MAN = 'https://nmap.org/book/man.html'
const NMAP_DISCOVERY = 'https://nmap.org/book/man-host-discovery.html'
const NMAP_VERSION = 'https://nmap.org/book/man-version-detection.html'
const NMAP_OS = 'https://nmap.org/book/man-os-detection.html'
const NMAP_NSE = 'https://nmap.org/book/man-nse.html'
const NMAP_TARGETS = 'https://nmap.org/book/man-target-specification.html'
const ATTACK_002 = 'https://attack.mitre.org/techniques/T1595/002/'

/** The rules, tried in order per tool. */
export const SCANNER_OPTION_RULES: readonly ScannerOptionRule[] = [
  // ---- nmap ------------------------------------------------------------------------------
  {
    id: 'nmap-list-scan',
    tools: ['nmap'],
    scanTypeLetters: 'L',
    subtechnique: null,
    activity: 'list scan',
    confidence: 0,
    references: [NMAP_DISCOVERY],
    notes: '-sL only lists the targets (and resolves their names): nothing is sent to them.'
  },
  {
    id: 'nmap-version-os-scripts',
    tools: ['nmap'],
    anyOption: ['-A', '-O', '--script', '--version-all', '--version-light', '--version-intensity', '--osscan-guess', '--osscan-limit'],
    scanTypeLetters: 'VCR',
    subtechnique: 'T1595.002',
    activity: '{scantype} scan with version, OS or script probes',
    confidence: 0.9,
    references: [NMAP_VERSION, NMAP_OS, NMAP_NSE, ATTACK_002],
    notes: '-sV probes services for versions, -O fingerprints the OS, -sC/--script run NSE (default, vuln, ...), -A is -sV -O -sC --traceroute: probing software for versions and weaknesses, whatever the number of targets.'
  },
  {
    id: 'nmap-ping-sweep',
    tools: ['nmap'],
    scanTypeLetters: 'nP',
    subtechnique: 'T1595.001',
    activity: 'ping sweep (host discovery, no port scan)',
    confidence: 0.9,
    references: [NMAP_DISCOVERY],
    notes: '-sn (formerly -sP) only finds which addresses are up.'
  },
  {
    id: 'nmap-random-targets',
    tools: ['nmap'],
    anyOption: ['-iR'],
    subtechnique: 'T1595.001',
    activity: '{scantype} scan of random Internet addresses',
    confidence: 0.9,
    references: [NMAP_TARGETS]
  },
  {
    id: 'nmap-single-host',
    tools: ['nmap'],
    scope: 'single',
    subtechnique: 'T1595.002',
    activity: '{scantype} port scan',
    confidence: 0.75,
    references: [NMAP_MAN, ATTACK_002],
    notes: 'A vertical scan of one host looks at its services (ATT&CK .002: "probing a host\'s services"); a sweep of a block is .001.'
  },
  {
    id: 'nmap-host-discovery-probes',
    tools: ['nmap'],
    anyOption: ['-PE', '-PP', '-PM', '-PR', '-PS*', '-PA*', '-PU*', '-PY*', '-PO*'],
    scope: 'many',
    subtechnique: 'T1595.001',
    activity: '{scantype} sweep with host-discovery probes',
    confidence: 0.9,
    references: [NMAP_DISCOVERY]
  },
  {
    id: 'nmap-sweep',
    tools: ['nmap'],
    scope: 'many',
    subtechnique: 'T1595.001',
    activity: '{scantype} sweep',
    confidence: 0.85,
    references: [NMAP_MAN, NMAP_TARGETS],
    notes: 'Ranges, CIDRs, several hosts or a target file (-iL): scanning an address block.'
  },
  // ---- other port scanners: one host is a vertical (service) scan, several a sweep ----------
  {
    id: 'port-scanner-single-host',
    tools: ['rustscan', 'naabu', 'unicornscan'],
    scope: 'single',
    subtechnique: 'T1595.002',
    activity: 'port scan',
    confidence: 0.7,
    references: ['https://github.com/RustScan/RustScan', 'https://github.com/projectdiscovery/naabu', 'https://linux.die.net/man/1/unicornscan', ATTACK_002]
  },
  // ---- packet tools: only their sweeping modes -------------------------------------------
  {
    id: 'fping-generate',
    tools: ['fping'],
    anyOption: ['-g', '--generate'],
    subtechnique: 'T1595.001',
    activity: 'ICMP echo sweep',
    confidence: 0.9,
    references: ['https://fping.org/fping.8.html']
  },
  {
    id: 'fping-list',
    tools: ['fping'],
    subtechnique: null,
    activity: 'ping of listed hosts',
    confidence: 0,
    references: ['https://fping.org/fping.8.html', 'https://oss.oetiker.ch/smokeping/probe/FPing.en.html'],
    notes: 'fping of an explicit host list is how SmokePing, check_fping and Zabbix monitor: not a sweep.'
  },
  {
    id: 'hping3-random-destinations',
    tools: ['hping3'],
    anyOption: ['--rand-dest'],
    subtechnique: 'T1595.001',
    activity: 'sweep of random addresses',
    confidence: 0.9,
    references: ['https://linux.die.net/man/8/hping3']
  },
  {
    id: 'hping3-scan-single-host',
    tools: ['hping3'],
    anyOption: ['--scan', '-8'],
    scope: 'single',
    subtechnique: 'T1595.002',
    activity: 'port scan',
    confidence: 0.8,
    references: ['https://linux.die.net/man/8/hping3']
  },
  {
    id: 'hping3-scan',
    tools: ['hping3'],
    anyOption: ['--scan', '-8'],
    subtechnique: 'T1595.001',
    activity: 'port sweep',
    confidence: 0.8,
    references: ['https://linux.die.net/man/8/hping3']
  },
  {
    id: 'hping3-other',
    tools: ['hping3'],
    subtechnique: null,
    activity: 'crafted packets to one destination',
    confidence: 0,
    references: ['https://linux.die.net/man/8/hping3'],
    notes: 'Without --rand-dest or --scan hping3 tests one destination (firewall tests, floods): not scanning.'
  },
  {
    id: 'nping-sweep',
    tools: ['nping'],
    scope: 'many',
    subtechnique: 'T1595.001',
    activity: 'probe sweep',
    confidence: 0.8,
    references: ['https://nmap.org/book/nping-man.html']
  },
  {
    id: 'nping-other',
    tools: ['nping'],
    subtechnique: null,
    activity: 'probes',
    confidence: 0,
    references: ['https://nmap.org/book/nping-man.html']
  },
  // ---- wordlist tools with modes ----------------------------------------------------------
  {
    id: 'gobuster-dir',
    tools: ['gobuster'],
    subcommands: ['dir', 'fuzz'],
    subtechnique: 'T1595.003',
    activity: 'web path brute force',
    confidence: 0.95,
    references: ['https://github.com/OJ/gobuster']
  },
  {
    id: 'gobuster-dns',
    tools: ['gobuster'],
    subcommands: ['dns'],
    subtechnique: 'T1595.003',
    activity: 'DNS subdomain brute force',
    confidence: 0.95,
    references: ['https://github.com/OJ/gobuster'],
    notes: 'The queries go to the -r resolver, not to the names\' hosts.'
  },
  {
    id: 'gobuster-vhost',
    tools: ['gobuster'],
    subcommands: ['vhost'],
    subtechnique: 'T1595.003',
    activity: 'virtual host brute force',
    confidence: 0.95,
    references: ['https://github.com/OJ/gobuster']
  },
  {
    id: 'gobuster-names',
    tools: ['gobuster'],
    subcommands: ['s3', 'gcs', 'tftp'],
    subtechnique: 'T1595.003',
    activity: 'bucket or file name brute force',
    confidence: 0.9,
    references: ['https://github.com/OJ/gobuster', 'https://attack.mitre.org/techniques/T1595/003/'],
    notes: 'ATT&CK .003 names cloud storage bucket brute forcing explicitly.'
  },
  {
    id: 'gobuster-other',
    tools: ['gobuster'],
    subtechnique: null,
    activity: 'no brute-force mode',
    confidence: 0,
    references: ['https://github.com/OJ/gobuster'],
    notes: '`gobuster version`, `gobuster help`, completion.'
  },
  {
    id: 'dnsrecon-brute-force',
    tools: ['dnsrecon'],
    optionValue: { options: ['-t', '--type'], values: ['brt'] },
    subtechnique: 'T1595.003',
    activity: 'DNS subdomain brute force',
    confidence: 0.9,
    references: ['https://github.com/darkoperator/dnsrecon']
  },
  {
    id: 'dnsrecon-other',
    tools: ['dnsrecon'],
    subtechnique: null,
    activity: 'DNS record enumeration',
    confidence: 0,
    references: ['https://github.com/darkoperator/dnsrecon'],
    notes: 'std/axfr/rvl/srv/zonewalk query the domain\'s own servers for its records; only brt brute forces names.'
  },
  {
    id: 'amass-brute-force',
    tools: ['amass'],
    subcommands: ['enum'],
    anyOption: ['-brute'],
    subtechnique: 'T1595.003',
    activity: 'DNS subdomain brute force',
    confidence: 0.9,
    references: ['https://github.com/owasp-amass/amass/blob/master/doc/user_guide.md']
  },
  {
    id: 'amass-other',
    tools: ['amass'],
    subtechnique: null,
    activity: 'passive attack-surface mapping',
    confidence: 0,
    references: ['https://github.com/owasp-amass/amass/blob/master/doc/user_guide.md'],
    notes: 'intel and enum without -brute gather names from public sources (T1596/T1590), not by probing.'
  },
  {
    id: 'subfinder-passive',
    tools: ['subfinder'],
    subtechnique: null,
    activity: 'passive subdomain discovery',
    confidence: 0,
    references: ['https://github.com/projectdiscovery/subfinder']
  }
]

/** What a tool of each purpose does, when no rule names the activity. */
export const PURPOSE_ACTIVITY: Readonly<Record<NetworkToolPurpose, string>> = {
  'host-discovery': 'host-discovery sweep',
  'port-scan': 'port scan',
  'vuln-scan': 'vulnerability scan',
  'web-content-discovery': 'web content brute force',
  'dns-enumeration': 'DNS brute force',
  'generic-network': 'network service enumeration'
}

/**
 * Programs that run another program with other privileges (`sudo nmap ...`): the scanner is
 * their child, and the reason names who ran the wrapper.
 */
export const PRIVILEGE_WRAPPERS: readonly string[] = ['sudo', 'doas', 'pkexec', 'su', 'runas', 'gsudo']
