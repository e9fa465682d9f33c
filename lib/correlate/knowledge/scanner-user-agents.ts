/**
 * Knowledge: HTTP user agents of vulnerability scanners, fingerprinting and probing tools.
 *
 * One entry per tool, in the spirit of a Sigma rule: a stable `id`, the tool's `name`, the exact
 * `substring` its default User-Agent carries (matched case-insensitively, as a plain substring:
 * no regular expression runs on attacker-controlled text), the ATT&CK sub-technique its traffic
 * serves, how much one request with that agent says on its own (`weight`, 0–1), `references`
 * (the tool's source or documentation for the string, and the Emerging Threats rule that keys on
 * it where one exists) and false-positive notes.
 *
 * Substrings are chosen to be specific: a tool name alone is used only when no browser or library
 * agent contains it. Generic HTTP libraries (`curl/`, `python-requests/`, `Go-http-client/`) are
 * deliberately absent: they say nothing about scanning.
 *
 * Wordlist tools (gobuster, ffuf, DirBuster, wfuzz, feroxbuster) are not here: they serve
 * T1595.003 and are listed in `wordlist-tools.ts` (`WORDLIST_USER_AGENTS`).
 *
 * Emerging Threats rules: https://rules.emergingthreats.net/open/suricata-5.0/rules/emerging-scan.rules
 * (rule documentation: `https://doc.emergingthreats.net/<sid>`). Sigma "Hack Tool User Agent"
 * (SigmaHQ/sigma rules/web/proxy_generic/proxy_ua_hacktool.yml, id c42a3073-30fb-48ae-8c99-c23ada84b103)
 * lists several of the same substrings.
 *
 * @packageDocumentation
 */
import type { Subtechnique } from '../../model.js'
import { memoize } from './memo.js'

/** One scanner user agent. */
export interface ScannerUserAgent {
  /** Stable identifier (kebab case). */
  readonly id: string
  /** The tool, as an analyst knows it. */
  readonly name: string
  /** Lower-case substring of the tool's default User-Agent header. */
  readonly substring: string
  /** The sub-technique the tool's traffic serves. */
  readonly subtechnique: Subtechnique
  /** How much one request with this agent says on its own, 0–1. */
  readonly weight: number
  /** Where the string comes from. */
  readonly references: readonly string[]
  /** When the agent can appear without the tool scanning. */
  readonly falsePositives?: string
}

/** Longest User-Agent prefix examined; real agents are far shorter (browsers: about 120-200 characters). */
export const MAX_SCANNER_USER_AGENT_LENGTH = 512

const CRS_SCANNER_UAS = 'https://github.com/coreruleset/coreruleset/blob/v3.3/dev/rules/scanners-user-agents.data (OWASP CRS scanner user agents)'
const SIGMA_HACKTOOL_UA = 'https://github.com/SigmaHQ/sigma/blob/master/rules/web/proxy_generic/proxy_ua_hacktool.yml'

/** The table. Order does not matter: the longest matching substring wins. */
export const SCANNER_USER_AGENTS: readonly ScannerUserAgent[] = [
  {
    id: 'nmap-nse',
    name: 'Nmap Scripting Engine',
    substring: 'nmap scripting engine',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: [
      'https://github.com/nmap/nmap/blob/master/nselib/http.lua (USER_AGENT = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)")',
      'https://doc.emergingthreats.net/2009358 (ET SCAN Nmap Scripting Engine User-Agent Detected)'
    ],
    falsePositives: 'an administrator running nmap -sV/-sC or -A against own hosts (authorised scanning: allow-list the source)'
  },
  {
    id: 'nmap-nse-short',
    name: 'Nmap Scripting Engine',
    substring: 'nmap nse',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2009359 (ET SCAN Nmap Scripting Engine User-Agent Detected (Nmap NSE))']
  },
  {
    id: 'nikto',
    name: 'Nikto',
    substring: '(nikto/',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: [
      'https://github.com/sullo/nikto/blob/master/program/nikto.conf.default (USERAGENT=Mozilla/5.00 (Nikto/@VERSION) (Evasions:@EVASIONS) (Test:@TESTID))',
      'https://doc.emergingthreats.net/2002677 (ET SCAN Nikto Web App Scan in Progress, content "(Nikto")'
    ]
  },
  {
    id: 'nessus',
    name: 'Nessus',
    substring: 'nessus',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2002664 (ET SCAN Nessus User Agent, http.user_agent content "Nessus")'],
    falsePositives: 'authorised vulnerability management scans (allow-list the scanner)'
  },
  {
    id: 'openvas',
    name: 'OpenVAS / Greenbone',
    substring: 'openvas',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: [
      'https://doc.emergingthreats.net/2012726 (ET SCAN OpenVAS User-Agent Inbound, http.user_agent content "OpenVAS")',
      'https://github.com/greenbone/openvas-scanner (NASL HTTP functions send "Mozilla/5.0 [en] (X11, U; OpenVAS-VT <version>)" unless configured otherwise)'
    ],
    falsePositives: 'authorised vulnerability management scans (allow-list the scanner)'
  },
  {
    id: 'nuclei',
    name: 'Nuclei',
    substring: 'projectdiscovery/nuclei',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://github.com/projectdiscovery/nuclei (v2 request.go: User-Agent "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)"; newer releases randomise the agent by default)']
  },
  {
    id: 'sqlmap',
    name: 'sqlmap',
    substring: 'sqlmap',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: [
      'https://github.com/sqlmapproject/sqlmap/blob/master/lib/core/settings.py (DEFAULT_USER_AGENT = "sqlmap/<version> (https://sqlmap.org)")',
      'https://doc.emergingthreats.net/2008538 (ET SCAN Sqlmap SQL Injection Scan, http.user_agent content "sqlmap" depth 6)'
    ]
  },
  {
    id: 'wpscan',
    name: 'WPScan',
    substring: 'wpscan v',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://github.com/wpscanteam/wpscan (default agent "WPScan v<version> (https://wpscan.com/wordpress-security-scanner)")']
  },
  {
    id: 'whatweb',
    name: 'WhatWeb',
    substring: 'whatweb/',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: [
      'https://github.com/urbanadventurer/WhatWeb (default agent "WhatWeb/<version>")',
      'https://doc.emergingthreats.net/2010960 (ET SCAN WhatWeb Web Application Fingerprint Scanner Default User-Agent Detected)'
    ]
  },
  {
    id: 'zgrab',
    name: 'ZGrab',
    substring: 'zgrab/',
    subtechnique: 'T1595.002',
    weight: 0.5,
    references: [
      'https://github.com/zmap/zgrab2 (default agent "Mozilla/5.0 zgrab/0.x")',
      'https://doc.emergingthreats.net/2030345 (ET SCAN Zmap User-Agent, content "Mozilla/5.0 zgrab/0.x")'
    ],
    falsePositives: 'Internet-wide research scanners (Censys and others) banner-grab every address; real scanning, usually benign intent'
  },
  {
    id: 'masscan',
    name: 'masscan (banner grabbing)',
    substring: 'masscan/',
    subtechnique: 'T1595.002',
    weight: 0.5,
    references: [
      'https://github.com/robertdavidgraham/masscan (--banners sends "User-Agent: masscan/1.3 (https://github.com/robertdavidgraham/masscan)")',
      'https://doc.emergingthreats.net/2017616 (ET SCAN NETWORK Incoming Masscan detected)'
    ]
  },
  {
    id: 'acunetix',
    name: 'Acunetix',
    substring: 'acunetix',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: [
      'https://doc.emergingthreats.net/2009646 (ET SCAN Acunetix Version 6 (Free Edition) Scan Detected, content "(Acunetix Web Vulnerability Scanner")',
      SIGMA_HACKTOOL_UA
    ]
  },
  {
    id: 'burp-collaborator',
    name: 'Burp Suite (Collaborator payloads)',
    substring: 'burpcollaborator.net',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: ['https://portswigger.net/burp/documentation/collaborator (Burp Scanner injects Collaborator domains into headers such as User-Agent; its default agent is otherwise a browser string)']
  },
  {
    id: 'zmeu',
    name: 'ZmEu',
    substring: 'zmeu',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2010715 (ET SCAN ZmEu exploit scanner, http.user_agent "Made by ZmEu")', SIGMA_HACKTOOL_UA, CRS_SCANNER_UAS]
  },
  {
    id: 'morfeus',
    name: 'Morfeus F Scanner',
    substring: 'morfeus',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2003466 (ET SCAN PHP Attack Tool Morfeus F Scanner)', SIGMA_HACKTOOL_UA]
  },
  {
    id: 'netsparker',
    name: 'Netsparker / Invicti',
    substring: ' netsparker)',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2011029 (ET SCAN Netsparker Default User-Agent, content " Netsparker)")']
  },
  {
    id: 'arachni',
    name: 'Arachni',
    substring: 'arachni/',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2014869 (ET SCAN Arachni Scanner Web Scan)', SIGMA_HACKTOOL_UA]
  },
  {
    id: 'w3af',
    name: 'w3af',
    substring: 'w3af.',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2007757 (ET SCAN w3af User Agent, "w3af.sourceforge.net")', 'https://doc.emergingthreats.net/2015484 (ET SCAN w3af User-Agent 2, "w3af.sf.net")']
  },
  {
    id: 'skipfish',
    name: 'skipfish',
    substring: 'mozilla/5.0 sf/',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: ['https://doc.emergingthreats.net/2010953 (ET SCAN Skipfish Web Application Scan Detected, "Mozilla/5.0 SF")']
  },
  {
    id: 'vega',
    name: 'Vega',
    substring: ' vega/',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: ['https://doc.emergingthreats.net/2013249 (ET SCAN Vega Web Application Scan)', SIGMA_HACKTOOL_UA]
  },
  {
    id: 'webshag',
    name: 'webshag',
    substring: 'webshag',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: ['https://doc.emergingthreats.net/2009158 (ET SCAN WebShag Web Application Scan Detected)', SIGMA_HACKTOOL_UA]
  },
  {
    id: 'commix',
    name: 'commix',
    substring: 'commix',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2022243 (ET SCAN COMMIX Command injection scan attempt, "User-Agent: commix")']
  },
  {
    id: 'havij',
    name: 'Havij',
    substring: ') havij',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: ['https://doc.emergingthreats.net/2012606 (ET SCAN Havij SQL Injection Tool User-Agent Inbound)', SIGMA_HACKTOOL_UA]
  },
  {
    id: 'sqlninja',
    name: 'sqlninja',
    substring: 'sqlninja',
    subtechnique: 'T1595.002',
    weight: 0.7,
    references: [SIGMA_HACKTOOL_UA]
  },
  {
    id: 'jorgee',
    name: 'Jorgee (phpMyAdmin scanner)',
    substring: 'mozilla/5.0 jorgee',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: ['http://www.skepticism.us/2015/05/new-malware-user-agent-value-jorgee/ ("Mozilla/5.0 Jorgee" probing phpMyAdmin paths)', CRS_SCANNER_UAS]
  },
  {
    id: 'paros',
    name: 'Paros proxy scanner',
    substring: 'paros/',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: ['https://doc.emergingthreats.net/2008187 (ET SCAN Paros Proxy Scanner Detected)']
  },
  {
    id: 'n-stealth',
    name: 'N-Stealth',
    substring: 'n-stealth',
    subtechnique: 'T1595.002',
    weight: 0.6,
    references: [SIGMA_HACKTOOL_UA]
  }
]

/**
 * The scanner whose substring occurs in `userAgent` (case-insensitive; only the first
 * {@link MAX_SCANNER_USER_AGENT_LENGTH} characters are examined). When several match, the longest
 * substring wins (the most specific entry).
 */
export function scannerUserAgentFor (userAgent: string | undefined, table: readonly ScannerUserAgent[] = SCANNER_USER_AGENTS): ScannerUserAgent | undefined {
  if (userAgent === undefined || userAgent === '' || userAgent === '-') return undefined
  return table === SCANNER_USER_AGENTS ? knownScannerUserAgent(userAgent) : scanTable(userAgent, table)
}

function scanTable (userAgent: string, table: readonly ScannerUserAgent[]): ScannerUserAgent | undefined {
  const ua = (userAgent.length > MAX_SCANNER_USER_AGENT_LENGTH ? userAgent.slice(0, MAX_SCANNER_USER_AGENT_LENGTH) : userAgent).toLowerCase()
  let best: ScannerUserAgent | undefined
  for (const entry of table) {
    if (ua.includes(entry.substring) && (best === undefined || entry.substring.length > best.substring.length)) best = entry
  }
  return best
}

/** The built-in table's answers, remembered: a network has few distinct User-Agents. */
const knownScannerUserAgent = memoize((userAgent: string) => scanTable(userAgent, SCANNER_USER_AGENTS))
