/**
 * Knowledge: IDS alerts that are evidence of active scanning, as a data table.
 *
 * Suricata/Snort alerts are evidence, not verdicts. Each entry says what a rule family shows
 * (`kind`), which ATT&CK T1595 sub-technique that evidence serves, and how much one distinct
 * rule of the family says on its own (`weight`, 0–1, combined across independent evidence by a
 * correlator). Rules are recognised by Emerging Threats sid (globally assigned in 2000000–2999999;
 * documented at `https://doc.emergingthreats.net/<sid>`) or by a lower-case prefix of the
 * signature text (local re-creations of ET rules keep the text, not always the sid).
 *
 * Rate-based rules (`rateBased: true`: a threshold of SYNs from one source, e.g. "Potential SSH
 * Scan" fires at 5 SYNs to port 22 in 120 s) also fire on benign fan-out (a busy SSH client, a
 * backup agent, a database pooler), so they carry little weight and should be weighed with the
 * outcome of the source's connections.
 *
 * Kinds whose sub-technique is `T1595.001` (host discovery) or `T1595.003` (wordlist tools), and
 * brute-force or denial-of-service rules filed under "SCAN", are listed so that a T1595.002
 * correlator can recognise and skip them.
 *
 * Sources:
 * - Emerging Threats Open `emerging-scan.rules`:
 *   https://rules.emergingthreats.net/open/suricata-5.0/rules/emerging-scan.rules
 * - Suricata `etc/classification.config` (classtype → EVE `alert.category`):
 *   https://github.com/OISF/suricata/blob/master/etc/classification.config —
 *   `attempted-recon` = "Attempted Information Leak" (priority 2),
 *   `network-scan` = "Detection of a Network Scan" (priority 3).
 * - ATT&CK keys of the rule `metadata:` option as ET rules write them (`mitre_tactic_id TA0043,
 *   mitre_technique_id T1595`), which Suricata copies into EVE `alert.metadata`.
 *
 * @packageDocumentation
 */
import type { AlertFields, Subtechnique } from '../../model.js'

/** What an alert rule family shows. */
export type AlertEvidenceKind =
  /** A named scanner (its user agent, probe strings or test files). */
  | 'scanner-tool'
  /** Service or version probing (banner grabs, version-detection probes). */
  | 'version-probe'
  /** Operating-system fingerprinting probes. */
  | 'os-fingerprint'
  /** Port-scan packet shapes (nmap SYN/FIN/NULL/XMAS probes): scanning, no sub-technique. */
  | 'port-scan'
  /** Rate thresholds on connection attempts: weak, benign fan-out trips them. */
  | 'rate'
  /** Ping sweeps and host discovery (T1595.001). */
  | 'host-discovery'
  /** Wordlist tools (T1595.003). */
  | 'wordlist'
  /** Password guessing filed under SCAN (T1110, not T1595). */
  | 'brute-force'
  /** Filed under SCAN but neither scanning nor guessing (denial of service). */
  | 'other'
  /** Matched only by prefix, category or metadata. */
  | 'generic'

/** One rule family. */
export interface AlertSignatureRule {
  /** Stable identifier (kebab case). */
  readonly id: string
  /** Lower-case prefixes of the signature text. */
  readonly signatures: readonly string[]
  /** Emerging Threats sids of the family. */
  readonly sids?: readonly number[]
  readonly kind: AlertEvidenceKind
  /** The sub-technique the evidence serves; `null` for scanning evidence without one. */
  readonly subtechnique: Subtechnique | null
  /** How much one distinct rule of the family says on its own, 0–1 (0: not evidence). */
  readonly weight: number
  /** The scanner (id in `scanner-user-agents.ts`) the rule identifies: the same fact as its user agent. */
  readonly tool?: string
  /** Fires on a rate threshold of connection attempts (benign fan-out trips it). */
  readonly rateBased?: boolean
  readonly references: readonly string[]
  readonly falsePositives?: string
}

const ET = 'https://rules.emergingthreats.net/open/suricata-5.0/rules/emerging-scan.rules'
const doc = (sid: number): string => `https://doc.emergingthreats.net/${sid}`
const docs = (sids: readonly number[]): string[] => sids.map(doc)

/** The table. The longest matching prefix (or an exact sid) wins. */
export const ALERT_SIGNATURE_RULES: readonly AlertSignatureRule[] = [
  // --- named scanners -------------------------------------------------------------------------
  { id: 'nmap-nse-user-agent', signatures: ['et scan nmap scripting engine user-agent detected'], sids: [2009358, 2009359], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'nmap-nse', references: docs([2009358, 2009359]) },
  { id: 'nmap-user-agent', signatures: ['et scan possible nmap user-agent observed'], sids: [2024364], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'nmap-nse', references: [doc(2024364)] },
  { id: 'nmap-sql-spider', signatures: ['et scan nmap sql spider scan'], sids: [2013778], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'nmap-nse', references: [doc(2013778), 'https://nmap.org/nsedoc/scripts/sql-injection.html'] },
  { id: 'nikto', signatures: ['et scan nikto'], sids: [2002677, 2011390], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'nikto', references: docs([2002677, 2011390]) },
  { id: 'nessus', signatures: ['et scan nessus', 'gpl scan nessus'], sids: [2002664, 2013263, 2013264, 2015754, 2102585, 2101102], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'nessus', references: docs([2002664, 2013263, 2015754, 2102585]), falsePositives: 'authorised vulnerability management (allow-list the scanner)' },
  { id: 'openvas', signatures: ['et scan openvas'], sids: [2012726], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'openvas', references: [doc(2012726)], falsePositives: 'authorised vulnerability management (allow-list the scanner)' },
  { id: 'sqlmap', signatures: ['et scan sqlmap', 'et scan possible sqlmap scan'], sids: [2008538, 2012754, 2012755], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'sqlmap', references: docs([2008538, 2012754]) },
  { id: 'acunetix', signatures: ['et scan acunetix'], sids: [2009646, 2019963, 2008571], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'acunetix', references: docs([2009646, 2019963, 2008571]) },
  { id: 'netsparker', signatures: ['et scan netsparker'], sids: [2011029, 2011030], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'netsparker', references: docs([2011029, 2011030]) },
  { id: 'arachni', signatures: ['et scan arachni'], sids: [2014869, 2017142], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'arachni', references: [doc(2014869)] },
  { id: 'w3af', signatures: ['et scan w3af'], sids: [2007757, 2015484, 2011027, 2011389], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'w3af', references: docs([2007757, 2015484, 2011027]) },
  { id: 'skipfish', signatures: ['et scan skipfish'], sids: [2010953, 2010956], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'skipfish', references: docs([2010953, 2010956]) },
  { id: 'whatweb', signatures: ['et scan whatweb'], sids: [2010960], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'whatweb', references: [doc(2010960)] },
  { id: 'zmeu', signatures: ['et scan zmeu'], sids: [2010715], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'zmeu', references: [doc(2010715)] },
  { id: 'morfeus', signatures: ['et scan php attack tool morfeus'], sids: [2003466], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'morfeus', references: [doc(2003466)] },
  { id: 'masscan-banners', signatures: ['et scan network incoming masscan', 'et scan network outgoing masscan'], sids: [2017615, 2017616], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.5, tool: 'masscan', references: docs([2017615, 2017616]) },
  { id: 'zgrab', signatures: ['et scan zmap user-agent'], sids: [2030345], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.5, tool: 'zgrab', references: [doc(2030345)], falsePositives: 'Internet-wide research scanners' },
  { id: 'vega', signatures: ['et scan vega web application scan'], sids: [2013249], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'vega', references: [doc(2013249)] },
  { id: 'webshag', signatures: ['et scan webshag'], sids: [2009158], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'webshag', references: [doc(2009158)] },
  { id: 'commix', signatures: ['et scan commix'], sids: [2022243], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'commix', references: [doc(2022243)] },
  { id: 'havij', signatures: ['et scan havij'], sids: [2012606, 2011924], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'havij', references: docs([2012606, 2011924]) },
  { id: 'paros', signatures: ['et scan paros proxy scanner'], sids: [2008187], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, tool: 'paros', references: [doc(2008187)] },
  { id: 'sqlninja', signatures: ['et scan sqlninja'], sids: [2009038, 2009039, 2009040, 2009041, 2009042, 2009043, 2009044], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.7, tool: 'sqlninja', references: docs([2009038, 2009040]) },
  { id: 'web-app-scanners', signatures: ['et scan wapiti', 'et scan davtest', 'et scan possible davtest', 'et scan grendel', 'et scan metasploit wmap', 'et scan springenwerk', 'et scan watchfire appscan', 'et scan wikto', 'et scan inspathx', 'et scan dotdotpwn', 'et scan bsqlbf', 'et scan mysqloit', 'et scan possible mysqloit', 'et scan sqlbrute', 'et scan sqlix', 'et scan sql power injector', 'et scan mini mysqlator', 'et scan grabber.py', 'et scan fhscan', 'et scan crimscanner', 'et scan core-project', 'et scan positive technologies xspider', 'et scan ibm nsa user agent', 'et scan cisco torch', 'et scan httprecon', 'et scan asp-audit', 'et scan wsfuzzer', 'et scan stompy', 'et scan toata scanner', 'et scan jce joomla scanner', 'et scan domino hunter', 'et scan dominohunter'], sids: [2008417, 2011088, 2011089, 2009480, 2009481, 2011974, 2010508, 2008311, 2008617, 2008629, 2011808, 2011809, 2011915, 2008362, 2009882, 2009883, 2009477, 2008654, 2009769, 2008729, 2009483, 2014541, 2010954, 2008529, 2013779, 2003171, 2008414, 2008415, 2008627, 2009479, 2008628, 2008605, 2009159, 2016032, 2013171], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.6, references: [ET] },
  { id: 'suspicious-scanner-user-agent', signatures: ['et scan suspicious user-agent containing'], sids: [2010087, 2010088, 2010089], kind: 'scanner-tool', subtechnique: 'T1595.002', weight: 0.4, references: docs([2010087, 2010088, 2010089]), falsePositives: 'any agent containing "web" and "scan" or "security" and "scan" (e.g. security vendors\' update agents)' },
  // --- service, version and OS probing --------------------------------------------------------
  { id: 'nmap-os-detection', signatures: ['et scan nmap os detection probe'], sids: [2018489], kind: 'os-fingerprint', subtechnique: 'T1595.002', weight: 0.5, references: [doc(2018489), 'https://nmap.org/book/osdetect-methods.html (the U1 probe: UDP with 300 "C" bytes to a closed port)'] },
  { id: 'nmap-sip-version', signatures: ['et scan nmap sip version'], sids: [2018317, 2018318], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.5, references: docs([2018317, 2018318]) },
  { id: 'nmap-nse-ssh-banner', signatures: ['et scan nmap nse ssh client banner'], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.6, references: ['https://nmap.org/nsedoc/scripts/ssh-hostkey.html (ssh-hostkey identifies itself as "SSH-1.5-Nmap-SSH1-Hostkey")', 'lab rule 9000002 (shared/data/lab/README.md)'] },
  { id: 'nmap-version-probe', signatures: ['et scan nmap version probe', 'et scan nmap service version'], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.6, references: ['https://nmap.org/book/vscan.html (nmap-service-probes)', 'lab rule 9000001 (shared/data/lab/README.md)'] },
  { id: 'amap', signatures: ['et scan amap'], sids: [2010371, 2010372], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.6, references: docs([2010371, 2010372]) },
  { id: 'http-fingerprinting', signatures: ['et scan httprint', 'et scan hmap', 'et scan possible wafwoof'], sids: [2008416, 2008537, 2011720], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.5, references: docs([2008416, 2008537, 2011720]) },
  { id: 'ssh-version-map', signatures: ['gpl scan ssh version map attempt', 'gpl scan ssh-research-scanner'], sids: [2101638, 2100617], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.5, references: docs([2101638, 2100617]) },
  { id: 'xprobe', signatures: ['et scan port unreachable response to xprobe2'], sids: [2009298], kind: 'os-fingerprint', subtechnique: 'T1595.002', weight: 0.5, references: [doc(2009298)] },
  { id: 'gpl-os-fingerprint', signatures: ['gpl scan nmap fingerprint attempt', 'gpl scan cybercop os'], sids: [2100629, 2100626, 2100627, 2101133, 2100619], kind: 'os-fingerprint', subtechnique: 'T1595.002', weight: 0.4, references: docs([2100629, 2100626]) },
  { id: 'sip-scanners', signatures: ['et scan sipvicious', 'et scan modified sipvicious', 'et scan smap voip', 'et scan sipscan', 'et scan sipcli', 'et scan sipsak', 'et scan sivus voip vulnerability scanner', 'et scan enumiax'], sids: [2011716, 2008578, 2011766, 2012204, 2008526, 2008641, 2017161, 2017162, 2008598, 2008609, 2008610, 2008606], kind: 'version-probe', subtechnique: 'T1595.002', weight: 0.4, references: docs([2011716, 2008578, 2008526]), falsePositives: 'SIPVicious "friendly-scanner" floods the Internet; it also guesses extensions (brute force)' },
  // --- port-scan packet shapes (scanning, sub-technique open) ---------------------------------
  { id: 'nmap-scan-flags', signatures: ['et scan nmap -s', 'et scan nmap -f -s', 'gpl scan nmap', 'gpl scan null', 'gpl scan xmas', 'gpl scan syn fin', 'gpl scan myscan'], sids: [2009582, 2009583, 2009584, 2000537, 2000536, 2000538, 2000540, 2000543, 2000544, 2000545, 2000546, 2100628, 2101228, 2100623, 2100625, 2100624, 2100613], kind: 'port-scan', subtechnique: null, weight: 0.2, references: docs([2009582, 2000537, 2100628]), falsePositives: 'any SYN scan, vertical or horizontal: says nothing about vulnerability probing alone' },
  // --- rate thresholds (weak) -------------------------------------------------------------------
  { id: 'ssh-scan-rate', signatures: ['et scan potential ssh scan'], sids: [2001219, 2003068], kind: 'rate', subtechnique: null, weight: 0.15, rateBased: true, references: docs([2001219, 2003068]), falsePositives: '5 SYNs to tcp/22 in 120 s: an administrator\'s SSH loop, configuration management (Ansible), git over SSH' },
  { id: 'vnc-scan-rate', signatures: ['et scan potential vnc scan'], sids: [2002910, 2002911], kind: 'rate', subtechnique: null, weight: 0.15, rateBased: true, references: docs([2002910, 2002911]), falsePositives: '5 SYNs to the VNC port range in 60 s from a remote-support client' },
  { id: 'database-inbound-rate', signatures: ['et scan suspicious inbound to'], sids: [2010935, 2010936, 2010937, 2010938, 2010939], kind: 'rate', subtechnique: null, weight: 0.15, rateBased: true, references: docs([2010935, 2010936, 2010937, 2010938, 2010939]), falsePositives: '5 SYNs to a database port in 60 s: connection pools, ORMs and replicas reconnecting (former_category HUNTING)' },
  { id: 'behavioral-unusual-port', signatures: ['et scan behavioral unusual port', 'et scan behavioral unusually fast'], sids: [2001569, 2001579, 2001580, 2001581, 2001582, 2001583, 2002973, 2001904, 2008230, 2013479], kind: 'rate', subtechnique: null, weight: 0.1, rateBased: true, references: docs([2001569, 2001583, 2013479]), falsePositives: '70 SYNs to 445/139/135 in 60 s: file servers, domain controllers, SCCM, backup agents' },
  { id: 'mysql-not-allowed', signatures: ['et scan non-allowed host tried to connect to mysql server'], sids: [2010493], kind: 'rate', subtechnique: null, weight: 0.1, references: [doc(2010493)], falsePositives: 'a misconfigured client' },
  { id: 'upnp-probe', signatures: ['et scan external to internal upnp request', 'et scan internal to internal upnp request'], sids: [2008092, 2008093, 2008094], kind: 'rate', subtechnique: null, weight: 0.1, references: docs([2008092, 2008094]), falsePositives: 'UPnP control points on the LAN' },
  // --- not vulnerability scanning -------------------------------------------------------------
  { id: 'icmp-sweep', signatures: ['gpl icmp_info ping nmap', 'gpl scan ping', 'gpl scan superscan echo', 'gpl scan webtrends scanner', 'gpl scan iss pinger', 'gpl scan solarwinds ip scan', 'gpl scan broadscan smurf', 'gpl scan icmpenum', 'gpl scan nemesis', 'et scan icmp '], sids: [2100469, 2100474, 2100476, 2100465, 2101918, 2100478, 2100471, 2100467, 2100483, 2100372, 2100484, 2010686, 2010641, 2010681, 2000575], kind: 'host-discovery', subtechnique: 'T1595.001', weight: 0.3, references: docs([2100469, 2010686]) },
  { id: 'wordlist-tools', signatures: ['et scan dirbuster', 'et scan dirb ', 'et scan gobuster', 'et scan ffuf', 'et scan wfuzz', 'et scan feroxbuster', 'et scan unusually fast 404', 'et scan unusually fast 403', 'et scan unusually fast 400'], sids: [2008186, 2011914, 2009885, 2009749, 2009884], kind: 'wordlist', subtechnique: 'T1595.003', weight: 0.5, references: [...docs([2008186, 2011914, 2009885]), 'lab rules 9000003-9000007 (shared/data/lab/README.md)'] },
  { id: 'brute-force', signatures: ['et scan multiple ftp', 'et scan mysql 4.', 'et scan mysql mysql remote fast account password', 'et scan libssh based frequent ssh', 'et scan potential ftp brute-force', 'et scan rapid pop3', 'et scan rapid imap', 'et scan tomcat auth brute force', 'et scan tomcat admin-blank', 'et scan ssh bruteforce tool', 'et scan multiple mysql login failures', 'et scan medusa user-agent', 'et scan brutus', 'et scan possible wordpress xmlrpc.php', 'et scan sip erase_registrations', 'gpl scan adm scan'], sids: [2010642, 2010643, 2001906, 2002842, 2015986, 2006546, 2002383, 2002992, 2002993, 2002994, 2002995, 2008453, 2008454, 2008455, 2009218, 2019876, 2010494, 2011887, 2015702, 2018754, 2018755, 2008640, 2100353], kind: 'brute-force', subtechnique: null, weight: 0, references: docs([2006546, 2010494, 2018755]) },
  { id: 'denial-of-service', signatures: ['et scan simple slowloris', 'et scan kingcope killapache', 'et scan sipp sip stress test', 'et scan nng ms02-039'], sids: [2016033, 2013472, 2008579, 2008560], kind: 'other', subtechnique: null, weight: 0, references: docs([2016033, 2013472]) }
]

/** Signature text prefixes that mark scan rules in ET/GPL rule sets (fallback when no entry matches). */
export const SCAN_SIGNATURE_PREFIXES: readonly string[] = ['et scan ', 'gpl scan ']

/** Weight of an unlisted rule whose text starts with one of {@link SCAN_SIGNATURE_PREFIXES}. */
export const GENERIC_SCAN_WEIGHT = 0.3

/**
 * EVE `alert.category` (the classtype's description in Suricata's classification.config) of
 * reconnaissance classtypes, with the weight an otherwise unknown rule of that class gets.
 * "Attempted Information Leak" (`attempted-recon`) is broad (ICMP pings, policy rules), hence low.
 */
export const SCAN_CATEGORY_WEIGHTS: Readonly<Record<string, number>> = {
  'detection of a network scan': 0.2,
  'attempted information leak': 0.1
}

/** Weight of an unlisted rule whose metadata names ATT&CK T1595.002, or T1595 without sub-technique. */
export const METADATA_WEIGHTS = { 'T1595.002': 0.5, T1595: 0.3 } as const

/** Longest signature text examined. */
export const MAX_SIGNATURE_LENGTH = 256

/** How an alert was recognised. */
export interface AlertMatch {
  /** The table entry, or a synthetic entry for the fallbacks. */
  readonly rule: AlertSignatureRule
  /** What matched: `sid`, `signature` (a table prefix), `metadata`, `prefix` (ET/GPL SCAN) or `category`. */
  readonly via: 'sid' | 'signature' | 'metadata' | 'prefix' | 'category'
}

const bySid = new Map<number, AlertSignatureRule>()
for (const r of ALERT_SIGNATURE_RULES) for (const sid of r.sids ?? []) bySid.set(sid, r)

const GENERIC_PREFIX_RULE: AlertSignatureRule = { id: 'generic-scan-rule', signatures: SCAN_SIGNATURE_PREFIXES, kind: 'generic', subtechnique: null, weight: GENERIC_SCAN_WEIGHT, references: [ET] }
const METADATA_RULES: Readonly<Record<string, AlertSignatureRule>> = {
  'T1595.002': { id: 'metadata-t1595.002', signatures: [], kind: 'generic', subtechnique: 'T1595.002', weight: METADATA_WEIGHTS['T1595.002'], references: ['https://attack.mitre.org/techniques/T1595/002/'] },
  T1595: { id: 'metadata-t1595', signatures: [], kind: 'generic', subtechnique: null, weight: METADATA_WEIGHTS.T1595, references: ['https://attack.mitre.org/techniques/T1595/'] },
  'T1595.001': { id: 'metadata-t1595.001', signatures: [], kind: 'host-discovery', subtechnique: 'T1595.001', weight: 0.3, references: ['https://attack.mitre.org/techniques/T1595/001/'] },
  'T1595.003': { id: 'metadata-t1595.003', signatures: [], kind: 'wordlist', subtechnique: 'T1595.003', weight: 0.3, references: ['https://attack.mitre.org/techniques/T1595/003/'] }
}
const CATEGORY_RULES: Readonly<Record<string, AlertSignatureRule>> = Object.fromEntries(
  Object.entries(SCAN_CATEGORY_WEIGHTS).map(([c, w]) => [c, { id: `category-${c.replace(/ /g, '-')}`, signatures: [], kind: 'generic', subtechnique: null, weight: w, references: ['https://github.com/OISF/suricata/blob/master/etc/classification.config'] } satisfies AlertSignatureRule])
)

/** The most specific ATT&CK T1595 technique id in `alert.metadata.mitre_technique_id`, if any. */
function metadataTechnique (metadata: AlertFields['metadata']): string | undefined {
  const ids = metadata?.mitre_technique_id
  if (ids === undefined) return undefined
  let best: string | undefined
  for (const raw of ids) {
    const id = raw.trim().toUpperCase()
    if (id in METADATA_RULES && (best === undefined || id.length > best.length)) best = id
  }
  return best
}

/**
 * Recognises a scan-related alert: by ET sid, by the longest table prefix of its signature, by
 * ATT&CK metadata, by the generic `ET SCAN`/`GPL SCAN` prefix, or by its category — in that
 * order. Returns undefined for alerts that are none of these.
 */
export function alertRuleFor (alert: AlertFields, table: readonly AlertSignatureRule[] = ALERT_SIGNATURE_RULES): AlertMatch | undefined {
  const sid = alert.signatureId
  if (table === ALERT_SIGNATURE_RULES && sid !== undefined && sid >= 2_000_000 && sid < 3_000_000) {
    const r = bySid.get(sid)
    if (r !== undefined) return { rule: r, via: 'sid' }
  }
  const raw = alert.signature
  const sig = raw === undefined ? '' : (raw.length > MAX_SIGNATURE_LENGTH ? raw.slice(0, MAX_SIGNATURE_LENGTH) : raw).toLowerCase()
  if (sig !== '') {
    let best: AlertSignatureRule | undefined
    let bestLength = 0
    for (const r of table) {
      for (const p of r.signatures) {
        if (p.length > bestLength && sig.startsWith(p)) { best = r; bestLength = p.length }
      }
    }
    if (best !== undefined) return { rule: best, via: 'signature' }
  }
  const technique = metadataTechnique(alert.metadata)
  if (technique !== undefined) return { rule: METADATA_RULES[technique], via: 'metadata' }
  if (sig !== '' && SCAN_SIGNATURE_PREFIXES.some(p => sig.startsWith(p))) return { rule: GENERIC_PREFIX_RULE, via: 'prefix' }
  const category = alert.category?.toLowerCase()
  if (category !== undefined && category in CATEGORY_RULES) return { rule: CATEGORY_RULES[category], via: 'category' }
  return undefined
}
