/**
 * Knowledge: web paths that vulnerability scanners and exploit bots request because they expose
 * secrets, administration consoles or known-vulnerable software, as a data table.
 *
 * A browser on a real site essentially never asks for these: they either do not exist (404) or
 * are administrator-only. One request proves little (an administrator opens `/phpmyadmin/`, a
 * monitor polls `/server-status`); several distinct ones from one source in a few minutes are
 * what Nikto, Nuclei, nmap's `http-enum`, ZmEu and Mirai-style bots produce.
 *
 * Each entry: a stable `id`, the lower-case `path`, whether it must match exactly or as a prefix,
 * what it exposes (`what`), and `references` (CVE entries at NVD, OWASP WSTG, SecLists lists that
 * carry the path). Paths that ordinary use requests are absent on purpose: `/robots.txt`,
 * `/favicon.ico`, `/.well-known/*`, `/autodiscover/autodiscover.xml`, `/actuator/health`,
 * `/health`, `/wp-admin/` pages other than the login form, `/owa/` pages.
 *
 * Paths are compared after {@link normalizeRequestPath}: at most 2,048 characters, lower case,
 * the query string and fragment dropped, the scheme and host of an absolute-form request target
 * (proxy requests) dropped, repeated slashes collapsed.
 *
 * @packageDocumentation
 */
import { memoize } from './memo.js'

/** One known-vulnerable or sensitive path. */
export interface VulnerablePath {
  /** Stable identifier (kebab case). */
  readonly id: string
  /** Lower-case path, starting with `/`. */
  readonly path: string
  /** `exact`: the whole path; `prefix`: the path starts with it. */
  readonly match: 'exact' | 'prefix'
  /** What a scanner hopes to find there. */
  readonly what: string
  readonly references: readonly string[]
}

const WSTG_BACKUP = 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information'
const WSTG_ADMIN = 'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/05-Enumerate_Infrastructure_and_Application_Admin_Interfaces'
const QUICKHITS = 'https://github.com/danielmiessler/SecLists/blob/master/Discovery/Web-Content/quickhits.txt'
const nvd = (cve: string): string => `https://nvd.nist.gov/vuln/detail/${cve}`

/** The table. */
export const VULNERABLE_PATHS: readonly VulnerablePath[] = [
  // Secrets and source code left in the web root.
  { id: 'dotenv', path: '/.env', match: 'exact', what: 'dotenv file with credentials (Laravel, Node, Docker deployments)', references: [WSTG_BACKUP, QUICKHITS] },
  { id: 'git-config', path: '/.git/config', match: 'exact', what: 'exposed Git repository (source code, remotes with credentials)', references: [WSTG_BACKUP, QUICKHITS] },
  { id: 'git-head', path: '/.git/head', match: 'exact', what: 'exposed Git repository', references: [WSTG_BACKUP, QUICKHITS] },
  { id: 'svn-entries', path: '/.svn/entries', match: 'exact', what: 'exposed Subversion working copy', references: [WSTG_BACKUP, QUICKHITS] },
  { id: 'svn-wcdb', path: '/.svn/wc.db', match: 'exact', what: 'exposed Subversion working copy database', references: [WSTG_BACKUP] },
  { id: 'hg', path: '/.hg/', match: 'prefix', what: 'exposed Mercurial repository', references: [QUICKHITS] },
  { id: 'ds-store', path: '/.ds_store', match: 'exact', what: 'macOS directory listing file', references: [QUICKHITS] },
  { id: 'htaccess', path: '/.htaccess', match: 'exact', what: 'Apache per-directory configuration', references: [QUICKHITS] },
  { id: 'htpasswd', path: '/.htpasswd', match: 'exact', what: 'Apache password file', references: [QUICKHITS] },
  { id: 'aws-credentials', path: '/.aws/credentials', match: 'exact', what: 'AWS access keys', references: [WSTG_BACKUP] },
  { id: 'ssh-key', path: '/.ssh/id_rsa', match: 'exact', what: 'SSH private key', references: [QUICKHITS] },
  { id: 'sftp-config', path: '/sftp-config.json', match: 'exact', what: 'Sublime SFTP credentials', references: ['https://doc.emergingthreats.net/2015940'] },
  { id: 'vscode-sftp', path: '/.vscode/sftp.json', match: 'exact', what: 'VS Code SFTP credentials', references: [WSTG_BACKUP] },
  { id: 'web-config', path: '/web.config', match: 'exact', what: 'IIS/ASP.NET configuration (connection strings)', references: [QUICKHITS] },
  { id: 'wp-config-backup', path: '/wp-config.php.', match: 'prefix', what: 'WordPress configuration backup (.bak, .old, .save, ~)', references: [WSTG_BACKUP, QUICKHITS] },
  { id: 'phpinfo', path: '/phpinfo.php', match: 'exact', what: 'phpinfo() page (configuration disclosure)', references: [QUICKHITS] },
  { id: 'info-php', path: '/info.php', match: 'exact', what: 'phpinfo() page (configuration disclosure)', references: [QUICKHITS] },
  // Administration consoles.
  { id: 'phpmyadmin', path: '/phpmyadmin/', match: 'prefix', what: 'phpMyAdmin (ZmEu, Jorgee and bots probe it)', references: [WSTG_ADMIN, QUICKHITS, 'https://doc.emergingthreats.net/2016222'] },
  { id: 'pma', path: '/pma/', match: 'prefix', what: 'phpMyAdmin under a short alias', references: [QUICKHITS] },
  { id: 'myadmin', path: '/myadmin/', match: 'prefix', what: 'phpMyAdmin under an alias', references: [QUICKHITS] },
  { id: 'adminer', path: '/adminer.php', match: 'exact', what: 'Adminer database console', references: [QUICKHITS] },
  { id: 'wp-login', path: '/wp-login.php', match: 'exact', what: 'WordPress login (credential stuffing, WPScan)', references: [WSTG_ADMIN, 'https://github.com/wpscanteam/wpscan'] },
  { id: 'xmlrpc', path: '/xmlrpc.php', match: 'exact', what: 'WordPress XML-RPC (brute force amplification, pingback SSRF)', references: ['https://doc.emergingthreats.net/2018754'] },
  { id: 'tomcat-manager', path: '/manager/html', match: 'prefix', what: 'Apache Tomcat manager (WAR upload)', references: [WSTG_ADMIN, 'https://doc.emergingthreats.net/2010019'] },
  { id: 'jmx-console', path: '/jmx-console', match: 'prefix', what: 'JBoss JMX console', references: [nvd('CVE-2010-0738')] },
  { id: 'jboss-invoker', path: '/invoker/jmxinvokerservlet', match: 'prefix', what: 'JBoss invoker deserialisation', references: [nvd('CVE-2015-7501')] },
  { id: 'weblogic-console', path: '/console/login/loginform.jsp', match: 'exact', what: 'Oracle WebLogic console', references: [nvd('CVE-2020-14882')] },
  { id: 'weblogic-wls-wsat', path: '/wls-wsat/coordinatorporttype', match: 'prefix', what: 'Oracle WebLogic WLS-WSAT deserialisation', references: [nvd('CVE-2017-10271')] },
  { id: 'jenkins-script', path: '/script', match: 'exact', what: 'Jenkins script console', references: [WSTG_ADMIN] },
  { id: 'solr-cores', path: '/solr/admin/cores', match: 'prefix', what: 'Apache Solr core admin (Velocity template RCE)', references: [nvd('CVE-2019-17558')] },
  // Server status and framework debug endpoints.
  { id: 'server-status', path: '/server-status', match: 'exact', what: 'Apache mod_status (clients, URLs in flight)', references: [QUICKHITS] },
  { id: 'server-info', path: '/server-info', match: 'exact', what: 'Apache mod_info (configuration)', references: [QUICKHITS] },
  { id: 'actuator-env', path: '/actuator/env', match: 'exact', what: 'Spring Boot actuator environment (secrets)', references: ['https://docs.spring.io/spring-boot/reference/actuator/endpoints.html', QUICKHITS] },
  { id: 'actuator-heapdump', path: '/actuator/heapdump', match: 'exact', what: 'Spring Boot heap dump (secrets in memory)', references: ['https://docs.spring.io/spring-boot/reference/actuator/endpoints.html', QUICKHITS] },
  { id: 'laravel-ignition', path: '/_ignition/execute-solution', match: 'exact', what: 'Laravel Ignition RCE', references: [nvd('CVE-2021-3129')] },
  { id: 'phpunit-eval-stdin', path: '/vendor/phpunit/phpunit/src/util/php/eval-stdin.php', match: 'exact', what: 'PHPUnit eval-stdin RCE', references: [nvd('CVE-2017-9841')] },
  { id: 'liferay-jsonws', path: '/api/jsonws/invoke', match: 'exact', what: 'Liferay Portal JSON web service deserialisation', references: [nvd('CVE-2020-7961')] },
  // CGI.
  { id: 'cgi-test-cgi', path: '/cgi-bin/test-cgi', match: 'exact', what: 'test-cgi file disclosure', references: [nvd('CVE-1999-0070')] },
  { id: 'cgi-php', path: '/cgi-bin/php', match: 'prefix', what: 'PHP-CGI query string argument injection', references: [nvd('CVE-2012-1823')] },
  { id: 'cgi-traversal', path: '/cgi-bin/.%2e/', match: 'prefix', what: 'Apache 2.4.49/50 path traversal and RCE', references: [nvd('CVE-2021-41773'), nvd('CVE-2021-42013')] },
  { id: 'cgi-luci', path: '/cgi-bin/luci', match: 'prefix', what: 'OpenWrt LuCI (router admin, command injection bugs)', references: [nvd('CVE-2019-17367')] },
  // Appliances and IoT (Mirai-family exploit scanning).
  { id: 'hnap1', path: '/hnap1', match: 'prefix', what: 'D-Link HNAP SOAPAction command injection', references: [nvd('CVE-2015-2051')] },
  { id: 'boaform', path: '/boaform/admin/formlogin', match: 'exact', what: 'Boa-based routers\' login form (default credentials)', references: ['https://isc.sans.edu/diary/26614'] },
  { id: 'gpon-diag', path: '/gponform/diag_form', match: 'prefix', what: 'Dasan GPON router command injection', references: [nvd('CVE-2018-10561'), nvd('CVE-2018-10562')] },
  { id: 'netgear-setup-cgi', path: '/setup.cgi', match: 'exact', what: 'Netgear DGN setup.cgi unauthenticated command execution', references: ['https://www.exploit-db.com/exploits/25978'] },
  { id: 'f5-tmui', path: '/tmui/login.jsp', match: 'prefix', what: 'F5 BIG-IP TMUI RCE', references: [nvd('CVE-2020-5902')] },
  { id: 'f5-bash', path: '/mgmt/tm/util/bash', match: 'exact', what: 'F5 BIG-IP iControl REST authentication bypass', references: [nvd('CVE-2022-1388')] },
  { id: 'fortios-fgt-lang', path: '/remote/fgt_lang', match: 'exact', what: 'FortiOS SSL VPN path traversal (credential theft)', references: [nvd('CVE-2018-13379')] },
  { id: 'pulse-dana-na', path: '/dana-na/', match: 'prefix', what: 'Pulse Secure SSL VPN arbitrary file read', references: [nvd('CVE-2019-11510')] },
  { id: 'citrix-vpns', path: '/vpns/', match: 'prefix', what: 'Citrix ADC directory traversal', references: [nvd('CVE-2019-19781')] },
  { id: 'docker-api', path: '/containers/json', match: 'exact', what: 'unauthenticated Docker Engine API', references: ['https://docs.docker.com/engine/security/protect-access/'] },
  { id: 'docker-registry-catalog', path: '/v2/_catalog', match: 'exact', what: 'unauthenticated Docker registry', references: ['https://distribution.github.io/distribution/spec/api/'] }
]

/** Longest request target examined. */
export const MAX_REQUEST_PATH_LENGTH = 2048

const exact = new Map<string, VulnerablePath>()
const prefixes: VulnerablePath[] = []
for (const p of VULNERABLE_PATHS) {
  if (p.match === 'exact') exact.set(p.path, p)
  else prefixes.push(p)
}

/**
 * The path of an HTTP request target, normalised for matching: cut to
 * {@link MAX_REQUEST_PATH_LENGTH} characters, query and fragment dropped, the scheme and
 * authority of an absolute-form target dropped, lower case, runs of `/` collapsed. Undefined
 * when there is no path. Linear in the input; no regular expression.
 */
export function normalizeRequestPath (uri: string | undefined): string | undefined {
  if (uri === undefined || uri === '') return undefined
  let s = uri.length > MAX_REQUEST_PATH_LENGTH ? uri.slice(0, MAX_REQUEST_PATH_LENGTH) : uri
  const scheme = s.indexOf('://')
  if (scheme > 0 && scheme < 10) {
    const slash = s.indexOf('/', scheme + 3)
    s = slash < 0 ? '/' : s.slice(slash)
  }
  let end = s.length
  const q = s.indexOf('?'); if (q >= 0 && q < end) end = q
  const h = s.indexOf('#'); if (h >= 0 && h < end) end = h
  s = s.slice(0, end).toLowerCase()
  if (!s.startsWith('/')) return undefined
  if (!s.includes('//')) return s // nothing to collapse (nearly every request)
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '/' && out.endsWith('/')) continue
    out += c
  }
  return out
}

/** The table entry a request target matches (exact first, then the longest prefix). */
export function vulnerablePathFor (uri: string | undefined): VulnerablePath | undefined {
  return uri === undefined || uri === '' ? undefined : knownRequestTarget(uri)
}

/** Answers remembered: a site's paths repeat (a wordlist scan's do not, and only cost a Map entry each). */
const knownRequestTarget = memoize((uri: string) => matchRequestTarget(uri))

function matchRequestTarget (uri: string): VulnerablePath | undefined {
  const path = normalizeRequestPath(uri)
  if (path === undefined) return undefined
  const hit = exact.get(path)
  if (hit !== undefined) return hit
  let best: VulnerablePath | undefined
  for (const p of prefixes) {
    if (path.startsWith(p.path) && (best === undefined || p.path.length > best.path.length)) best = p
  }
  if (best !== undefined) return best
  // A directory asked for without its trailing slash (`/phpmyadmin`) is the same probe.
  for (const p of prefixes) {
    if (p.path.endsWith('/') && path === p.path.slice(0, -1)) return p
  }
  return undefined
}
