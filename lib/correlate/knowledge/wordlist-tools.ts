/**
 * Knowledge for ATT&CK T1595.003 Wordlist Scanning, as data tables (Sigma style: every entry
 * names its source).
 *
 * - {@link WORDLIST_USER_AGENTS}: the User-Agent headers web content discovery tools send by
 *   default. A match says which tool made a request; `lib/correlate/wordlist-scan.ts` then asks
 *   for less evidence before it reports a scan.
 * - {@link LOOKUP_ZONES}: DNS zones whose names are data lookups, not host names (DNS
 *   blocklists, hash and ASN lookup services, reverse lookups). A mail server asking a DNSBL about
 *   every connecting client queries many distinct names, mostly answered NXDOMAIN ("not
 *   listed"): exactly the shape of a subdomain brute force, so these zones are left out. So
 *   are reverse lookups: in the WRCCDC 2018 Zeek logs (brimdata zed-sample-data) 10.47.2.10
 *   asks for 60 distinct PTR names of 172.20.0.0/24 in 48 s, every one NXDOMAIN.
 * - {@link GENERIC_SECOND_LEVEL_LABELS}: second-level labels under two-letter country-code TLDs
 *   that are public suffixes (`co.uk`, `com.br`): names directly under them belong to unrelated
 *   registrants, so many NXDOMAIN names there are not one zone being brute forced (DGA malware
 *   looks like that).
 *
 * The process side (gobuster, ffuf, dnsrecon... seen running on the source host) is in
 * `network-tools.ts`, entries with technique `T1595.003`.
 *
 * Deliberately absent from the user-agent table, because they are shared with benign software:
 * `Go-http-client/1.1` (Go's net/http default: gobuster 2.x, but also countless Go programs),
 * `python-requests/`, `curl/`, `Wget/`; DIRB's default `Mozilla/4.0 (compatible; MSIE 6.0;
 * Windows NT 5.1)` (a real, if ancient, browser string); dirsearch's default, a Chrome 87 string
 * (`lib/core/settings.py` DEFAULT_HEADERS). Scanners with those agents are still found by their
 * behaviour, with the full thresholds.
 *
 * @packageDocumentation
 */
import { memoize } from './memo.js'

/** A web content discovery tool's default User-Agent. */
export interface WordlistUserAgent {
  /** Stable identifier; matches the tool's `id` in `network-tools.ts` where it has one. */
  id: string
  /** Display name. */
  tool: string
  /** Lower-case substring of the User-Agent header that identifies the tool. */
  contains: string
  /** An example of the whole header as the tool sends it. */
  example: string
  /** Where the default is set (source file) or documented. */
  references: readonly string[]
  notes?: string
}

/** Default User-Agents of wordlist scanners. Matched case-insensitively as substrings. */
export const WORDLIST_USER_AGENTS: readonly WordlistUserAgent[] = [
  {
    id: 'ffuf',
    tool: 'ffuf',
    contains: 'fuzz faster u fool',
    example: 'Fuzz Faster U Fool v1.1.0',
    references: [
      'https://github.com/ffuf/ffuf/blob/master/pkg/runner/simple.go (req.Headers["User-Agent"] = fmt.Sprintf("%s v%s", "Fuzz Faster U Fool", ffuf.Version()))',
      'lab capture shared/data/lab/s06_t1595.003_internal_ffuf (4614 requests with "Fuzz Faster U Fool v1.1.0")'
    ]
  },
  {
    id: 'gobuster',
    tool: 'Gobuster',
    contains: 'gobuster',
    example: 'gobuster/3.6',
    references: [
      'https://github.com/OJ/gobuster/blob/master/libgobuster/helpers.go (DefaultUserAgent: "gobuster " + VERSION in 3.0; "gobuster/" + VERSION later)'
    ],
    notes: 'gobuster 2.x sent Go\'s default "Go-http-client/1.1", which is not listed (generic).'
  },
  {
    id: 'feroxbuster',
    tool: 'feroxbuster',
    contains: 'feroxbuster',
    example: 'feroxbuster/2.10.1',
    references: ['https://epi052.github.io/feroxbuster-docs/docs/configuration/command-line/ (-a, --user-agent: default feroxbuster/VERSION)']
  },
  {
    id: 'wfuzz',
    tool: 'Wfuzz',
    contains: 'wfuzz',
    example: 'Wfuzz/3.1.0',
    references: ['https://github.com/xmendez/wfuzz/blob/master/src/wfuzz/facade.py (connection "User-Agent": "Wfuzz/%s" % version)']
  },
  {
    id: 'dirbuster',
    tool: 'OWASP DirBuster',
    contains: 'dirbuster',
    example: 'DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)',
    references: [
      'https://gitlab.com/kalilinux/packages/dirbuster (DirBuster-1.0-RC1.jar)',
      'Emerging Threats "ET SCAN DirBuster Web App Scan in Progress" (User-Agent content "DirBuster")'
    ]
  },
  {
    id: 'skipfish',
    tool: 'skipfish',
    contains: 'mozilla/5.0 sf/',
    example: 'Mozilla/5.0 SF/2.10b',
    references: ['https://github.com/spinkham/skipfish/blob/master/src/http_client.c (BROWSER_FAST: "User-Agent: Mozilla/5.0 SF/" VERSION)'],
    notes: 'skipfish brute forces paths from its dictionaries (dictionaries/*.wl) while it crawls.'
  }
]

/** Longest User-Agent read; the tool names sit in the first few dozen characters. */
export const MAX_USER_AGENT_LENGTH = 256

/**
 * The wordlist tool whose default User-Agent this is, if any. Case-insensitive substring
 * match on the first {@link MAX_USER_AGENT_LENGTH} characters (no regular expression).
 */
export function wordlistToolForUserAgent (userAgent: string | undefined): WordlistUserAgent | undefined {
  if (typeof userAgent !== 'string' || userAgent.length === 0) return undefined
  return knownWordlistUserAgent(userAgent)
}

/** Answers remembered: a network has few distinct User-Agents. */
const knownWordlistUserAgent = memoize((userAgent: string): WordlistUserAgent | undefined => {
  const ua = userAgent.slice(0, MAX_USER_AGENT_LENGTH).toLowerCase()
  for (const entry of WORDLIST_USER_AGENTS) if (ua.includes(entry.contains)) return entry
  return undefined
})

/** What a lookup zone's names encode. */
export type LookupZoneKind = 'dnsbl' | 'uribl' | 'allowlist' | 'hash-lookup' | 'asn-lookup' | 'reverse'

/** A zone whose names are lookups of data (addresses, domains, hashes), not host names. */
export interface LookupZone {
  /** The zone, lower case; names under it (any depth) match. */
  zone: string
  kind: LookupZoneKind
  /** Who runs it or what it is. */
  name: string
  references: readonly string[]
}

/**
 * Zones left out of DNS wordlist detection. Add the blocklists your mail servers and
 * spam filters use (SpamAssassin's `20_dnsbl_tests.cf` and rspamd's `rbl.conf` list theirs).
 */
export const LOOKUP_ZONES: readonly LookupZone[] = [
  { zone: 'in-addr.arpa', kind: 'reverse', name: 'IPv4 reverse lookups (PTR)', references: ['RFC 1035 section 3.5'] },
  { zone: 'ip6.arpa', kind: 'reverse', name: 'IPv6 reverse lookups (PTR)', references: ['RFC 3596 section 2.5'] },
  { zone: 'zen.spamhaus.org', kind: 'dnsbl', name: 'Spamhaus ZEN (SBL+XBL+PBL)', references: ['https://www.spamhaus.org/blocklists/zen-blocklist/'] },
  { zone: 'sbl.spamhaus.org', kind: 'dnsbl', name: 'Spamhaus SBL', references: ['https://www.spamhaus.org/blocklists/spamhaus-blocklist/'] },
  { zone: 'xbl.spamhaus.org', kind: 'dnsbl', name: 'Spamhaus XBL', references: ['https://www.spamhaus.org/blocklists/exploits-blocklist/'] },
  { zone: 'pbl.spamhaus.org', kind: 'dnsbl', name: 'Spamhaus PBL', references: ['https://www.spamhaus.org/blocklists/policy-blocklist/'] },
  { zone: 'sbl-xbl.spamhaus.org', kind: 'dnsbl', name: 'Spamhaus SBL+XBL', references: ['https://www.spamhaus.org/faqs/dnsbl-usage/'] },
  { zone: 'dbl.spamhaus.org', kind: 'uribl', name: 'Spamhaus Domain Blocklist', references: ['https://www.spamhaus.org/blocklists/domain-blocklist/'] },
  { zone: 'zrd.spamhaus.org', kind: 'uribl', name: 'Spamhaus Zero Reputation Domain', references: ['https://www.spamhaus.org/blocklists/zero-reputation-domain/'] },
  { zone: 'dq.spamhaus.net', kind: 'dnsbl', name: 'Spamhaus Data Query Service (<query>.<key>.<list>.dq.spamhaus.net)', references: ['https://docs.spamhaus.com/ (Data Query Service)'] },
  { zone: 'bl.spamcop.net', kind: 'dnsbl', name: 'SpamCop Blocking List', references: ['https://www.spamcop.net/bl.shtml'] },
  { zone: 'b.barracudacentral.org', kind: 'dnsbl', name: 'Barracuda Reputation Block List', references: ['https://www.barracudacentral.org/rbl/how-to-use'] },
  { zone: 'cbl.abuseat.org', kind: 'dnsbl', name: 'Composite Blocking List (now part of Spamhaus XBL)', references: ['https://www.abuseat.org/'] },
  { zone: 'dnsbl.sorbs.net', kind: 'dnsbl', name: 'SORBS (and its sub-lists, e.g. spam.dnsbl.sorbs.net; closed in 2024, still queried by old configurations)', references: ['http://www.sorbs.net/'] },
  { zone: 'psbl.surriel.com', kind: 'dnsbl', name: 'Passive Spam Block List', references: ['https://psbl.org/'] },
  { zone: 'bl.mailspike.net', kind: 'dnsbl', name: 'Mailspike blocklist', references: ['https://mailspike.org/usage.html'] },
  { zone: 'ix.dnsbl.manitu.net', kind: 'dnsbl', name: 'NiX Spam', references: ['https://www.dnsbl.manitu.net/'] },
  { zone: 'dnsbl-1.uceprotect.net', kind: 'dnsbl', name: 'UCEPROTECT level 1', references: ['https://www.uceprotect.net/'] },
  { zone: 'bl.score.senderscore.com', kind: 'dnsbl', name: 'Validity Sender Score blocklist', references: ['https://www.senderscore.org/'] },
  { zone: 'list.dnswl.org', kind: 'allowlist', name: 'DNSWL.org allow-list', references: ['https://www.dnswl.org/?page_id=15'] },
  { zone: 'multi.surbl.org', kind: 'uribl', name: 'SURBL multi', references: ['https://www.surbl.org/guidelines'] },
  { zone: 'multi.uribl.com', kind: 'uribl', name: 'URIBL multi', references: ['https://uribl.com/about.shtml'] },
  { zone: 'hash.cymru.com', kind: 'hash-lookup', name: 'Team Cymru Malware Hash Registry', references: ['https://www.team-cymru.com/mhr'] },
  { zone: 'asn.cymru.com', kind: 'asn-lookup', name: 'Team Cymru IP to ASN mapping (origin, origin6, peer)', references: ['https://www.team-cymru.com/ip-asn-mapping'] }
]

/**
 * Generic second-level labels that, under a two-letter country-code TLD, form a public suffix
 * (`co.uk`, `com.au`, `ac.jp`, `gob.mx`): the common pattern in the Public Suffix List's ICANN
 * section (https://publicsuffix.org/list/public_suffix_list.dat). Not the whole list: enough
 * that names registered directly under such a suffix are not taken for one zone.
 */
export const GENERIC_SECOND_LEVEL_LABELS: ReadonlySet<string> = new Set([
  'ac', 'co', 'com', 'edu', 'gob', 'gov', 'go', 'ltd', 'mil', 'ne', 'net', 'nic', 'or', 'org', 'plc', 'sch'
])

/**
 * The lookup zone a (lower-case, dot-free at the end) name falls under, if any: the name is
 * the zone or ends with `.` + zone. Linear: one suffix comparison per table entry.
 */
export function lookupZoneFor (name: string): LookupZone | undefined {
  for (const z of LOOKUP_ZONES) {
    if (name === z.zone) return z
    if (name.length > z.zone.length && name.endsWith(z.zone) && name.charCodeAt(name.length - z.zone.length - 1) === 46 /* . */) return z
  }
  return undefined
}

/**
 * Whether a zone is a public suffix in the sense that matters here: a single label (a TLD:
 * `com`, `example`) or a generic second level under a two-letter ccTLD (`co.uk`).
 */
export function isPublicSuffixLike (zone: string): boolean {
  const dot = zone.indexOf('.')
  if (dot < 0) return true
  if (zone.indexOf('.', dot + 1) >= 0) return false
  const tld = zone.slice(dot + 1)
  return tld.length === 2 && GENERIC_SECOND_LEVEL_LABELS.has(zone.slice(0, dot))
}
