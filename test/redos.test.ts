/**
 * ReDoS audit (issue 6, item 3): every regular expression in `lib/**\/*.ts` is checked with
 * recheck (https://makenowjust-labs.github.io/recheck/), a static checker that finds
 * exponential and polynomial backtracking and proves linear-time patterns safe. Every one must
 * come out `safe`: most run on log text, i.e. on attacker-controlled input.
 *
 * The regular expressions are found two ways, and both lists must agree:
 * - statically: a small tokenizer reads each source file (comments, strings, template literals
 *   and regex literals told apart from division), collecting every regex literal and every
 *   `RegExp(...)` call;
 * - at run time: every lib module (but the CLI entry point, which runs on import) is imported
 *   and its exports are walked for RegExp values (knowledge tables included).
 *
 * The knowledge tables match user agents, request paths, signatures, command lines and DNS names
 * by plain substring/prefix/suffix comparison, after cutting the text to a `MAX_*` length: those
 * caps are checked to be finite and applied.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { checkSync } from 'recheck'
import { MAX_SCANNER_USER_AGENT_LENGTH, SCANNER_USER_AGENTS, scannerUserAgentFor } from '../lib/correlate/knowledge/scanner-user-agents.js'
import { MAX_USER_AGENT_LENGTH, WORDLIST_USER_AGENTS, lookupZoneFor, wordlistToolForUserAgent } from '../lib/correlate/knowledge/wordlist-tools.js'
import { MAX_REQUEST_PATH_LENGTH, normalizeRequestPath, vulnerablePathFor } from '../lib/correlate/knowledge/vulnerable-paths.js'
import { MAX_SIGNATURE_LENGTH, alertRuleFor } from '../lib/correlate/knowledge/alert-signatures.js'
import { executableKey, networkToolFor } from '../lib/correlate/knowledge/network-tools.js'
import { MAX_COMMAND_LINE_LENGTH, splitPosixCommandLine, splitWindowsCommandLine } from '../lib/parse/cmdline.js'
import { MAX_ARGUMENT_LENGTH, MAX_ARGUMENTS, commandLineTargets } from '../lib/correlate/targets.js'

const LIB = fileURLToPath(new URL('../lib/', import.meta.url))

function sourceFiles (dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...sourceFiles(dir + e.name + '/'))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(dir + e.name)
  }
  return out.sort()
}

/** A regular expression found in the source. */
interface FoundRegex {
  file: string
  line: number
  source: string
  flags: string
  /** `literal`, or `RegExp()` with a string literal argument. */
  kind: 'literal' | 'constructor'
}

/** A `RegExp(...)` call whose pattern is not a string literal (must be reviewed by hand). */
interface DynamicRegExp { file: string, line: number, text: string }

const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends'])

function isIdentChar (c: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(c)
}

/** Reads a string literal's value (the characters between its quotes, escapes resolved as JS does). */
function stringValue (raw: string): string {
  return Function(`"use strict"; return (${raw})`)() as string
}

/**
 * Tokenizes TypeScript source just enough to find regex literals: skips comments, strings and
 * template text (following `${ }` nesting), and decides whether a `/` starts a regex from the
 * previous significant token (after an operator, `(`, `,`, `=`, `:`, `[`, `!`, `&`, `|`, `?`,
 * `{`, `}`, `;` or an expression keyword: regex; after an identifier, number, `)` or `]`:
 * division).
 */
function findRegexes (file: string, src: string): { found: FoundRegex[], dynamic: DynamicRegExp[] } {
  const found: FoundRegex[] = []
  const dynamic: DynamicRegExp[] = []
  let i = src.startsWith('#!') ? src.indexOf('\n') : 0 // hashbang line
  const n = src.length
  /** Kind of the previous significant token. */
  let prev: 'start' | 'punct' | 'ident' | 'keyword' | 'value' = 'start'
  let prevWord = ''
  /** Brace depths at which a template literal continues (`${ ... }`). */
  const templates: number[] = []
  let depth = 0
  const lineOf = (at: number): number => src.slice(0, at).split('\n').length

  const skipString = (q: string): void => {
    i++
    while (i < n && src[i] !== q) {
      if (src[i] === '\\') i++
      else if (src[i] === '\n') throw new Error(`${file}:${lineOf(i)}: unterminated string`)
      i++
    }
    i++
  }
  /** Skips template text from `i` (just after a backquote or a closing `}` of `${`); stops after the closing backquote or at `${`. */
  const skipTemplate = (): void => {
    while (i < n) {
      const c = src[i]
      if (c === '\\') { i += 2; continue }
      if (c === '`') { i++; prev = 'value'; return }
      if (c === '$' && src[i + 1] === '{') { i += 2; templates.push(depth); depth++; prev = 'punct'; return }
      i++
    }
    throw new Error(`${file}: unterminated template literal`)
  }

  while (i < n) {
    const c = src[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      if (end < 0) throw new Error(`${file}: unterminated comment`)
      i = end + 2
      continue
    }
    if (c === '"' || c === "'") {
      skipString(c)
      prev = 'value'
      continue
    }
    if (c === '`') { i++; skipTemplate(); continue }
    if (c === '{') { depth++; i++; prev = 'punct'; continue }
    if (c === '}') {
      depth--
      i++
      if (templates.length > 0 && templates[templates.length - 1] === depth) { templates.pop(); skipTemplate(); continue }
      prev = 'punct'
      continue
    }
    if (c === '/') {
      const regexAllowed = prev === 'start' || prev === 'punct' || (prev === 'keyword' && KEYWORDS_BEFORE_EXPRESSION.has(prevWord))
      if (!regexAllowed) { i++; prev = 'punct'; continue }
      const start = i
      let j = i + 1
      let inClass = false
      for (; j < n; j++) {
        const d = src[j]
        if (d === '\n') throw new Error(`${file}:${lineOf(start)}: unterminated regex literal`)
        if (d === '\\') { j++; continue }
        if (inClass) { if (d === ']') inClass = false; continue }
        if (d === '[') inClass = true
        else if (d === '/') break
      }
      let k = j + 1
      while (k < n && /[a-z]/.test(src[k])) k++
      found.push({ file, line: lineOf(start), source: src.slice(start + 1, j), flags: src.slice(j + 1, k), kind: 'literal' })
      i = k
      prev = 'value'
      continue
    }
    if (isIdentChar(c)) {
      const start = i
      while (i < n && isIdentChar(src[i])) i++
      const word = src.slice(start, i)
      if (/^[0-9]/.test(word)) { prev = 'value'; continue }
      prevWord = word
      prev = KEYWORDS_BEFORE_EXPRESSION.has(word) ? 'keyword' : 'ident'
      if (word === 'RegExp') {
        // RegExp(...) / new RegExp(...): a literal pattern is checked, anything else is listed.
        let j = i
        while (j < n && /\s/.test(src[j])) j++
        if (src[j] === '(') {
          j++
          while (j < n && /\s/.test(src[j])) j++
          const q = src[j]
          let parsed = false
          if (q === '"' || q === "'") {
            const saveI = i
            i = j
            skipString(q)
            const raw = src.slice(j, i)
            let k = i
            while (k < n && /\s/.test(src[k])) k++
            let flags = ''
            if (src[k] === ',') {
              k++
              while (k < n && /\s/.test(src[k])) k++
              const fq = src[k]
              if (fq === '"' || fq === "'") { i = k; skipString(fq); flags = stringValue(src.slice(k, i)); k = i; while (k < n && /\s/.test(src[k])) k++ }
            }
            if (src[k] === ')') {
              found.push({ file, line: lineOf(start), source: stringValue(raw), flags, kind: 'constructor' })
              parsed = true
            }
            i = saveI
          }
          if (!parsed) dynamic.push({ file, line: lineOf(start), text: src.slice(start, src.indexOf('\n', start)).trim() })
        }
      }
      continue
    }
    // Punctuators: `)` and `]` end a value (division follows); everything else allows a regex.
    prev = c === ')' || c === ']' ? 'value' : 'punct'
    i++
  }
  return { found, dynamic }
}

/** Every RegExp reachable from a module's exports (tables included), with where it was found. */
function regexValues (root: unknown, name: string, out: Array<{ where: string, re: RegExp }>, seen: Set<unknown>, depth: number): void {
  if (root instanceof RegExp) { out.push({ where: name, re: root }); return }
  if (root === null || typeof root !== 'object' || seen.has(root) || depth > 8) return
  seen.add(root)
  if (root instanceof Map) { for (const [k, v] of root) regexValues(v, `${name}.get(${String(k)})`, out, seen, depth + 1); return }
  if (root instanceof Set) { let k = 0; for (const v of root) regexValues(v, `${name}[${k++}]`, out, seen, depth + 1); return }
  if (ArrayBuffer.isView(root)) return
  for (const key of Object.keys(root)) regexValues((root as Record<string, unknown>)[key], `${name}.${key}`, out, seen, depth + 1)
}

const files = sourceFiles(LIB)
const all: FoundRegex[] = []
const dynamic: DynamicRegExp[] = []
for (const f of files) {
  const r = findRegexes(f.slice(LIB.length - 4), readFileSync(f, 'utf8'))
  all.push(...r.found)
  dynamic.push(...r.dynamic)
}

t.test('the tokenizer finds regex literals and nothing else', async t => {
  const sample = [
    'const a = /x\\/y[/]z/gi // not /this/',
    'const b = c / d / e',
    "const s = '/not a regex/' + \"/nor/\" + `/nor ${ f(/inner/) } this/`",
    '/* /commented/ */ if (x) return /ret/.test(y)',
    'const g = arr[0] / 2, h = (p) / q, k = x.replace(/\\//g, "")',
    'class C { #f = 1; m () { return this.#f / 2 } }',
    "const r = new RegExp('a+b', 'u'), dyn = RegExp(name)"
  ].join('\n')
  const r = findRegexes('sample.ts', sample)
  t.same(r.found.map(x => `/${x.source}/${x.flags}`), ['/x\\/y[/]z/gi', '/inner/', '/ret/', '/\\//g', '/a+b/u'])
  t.same(r.dynamic.map(d => d.line), [7])
  t.same(findRegexes('bin.ts', '#!/usr/bin/env node\nconst x = /a/').found.map(x => x.source), ['a'], 'a hashbang line is not a regex')
})

t.test('every regular expression in lib/ is safe (recheck)', async t => {
  t.ok(files.length > 20, `${files.length} source files read`)
  for (const r of all) {
    t.doesNotThrow(() => new RegExp(r.source, r.flags), `${r.file}:${r.line} /${r.source}/${r.flags} compiles (the tokenizer read a real regex)`)
  }
  t.same(dynamic, [], 'no RegExp built from a non-literal pattern (each would need a review of where its pattern comes from)')

  const unique = new Map<string, FoundRegex[]>()
  for (const r of all) {
    const key = `/${r.source}/${r.flags}`
    unique.set(key, [...(unique.get(key) ?? []), r])
  }
  const lines: string[] = []
  const verdicts = new Map<string, number>()
  for (const [key, where] of unique) {
    const first = where[0]
    const t0 = performance.now()
    const d = checkSync(first.source, first.flags)
    const ms = performance.now() - t0
    verdicts.set(d.status, (verdicts.get(d.status) ?? 0) + 1)
    const complexity = d.status === 'safe' || d.status === 'vulnerable' ? d.complexity.type : ''
    lines.push(`${d.status.padEnd(10)} ${complexity.padEnd(11)} ${key}  (${where.map(w => `${w.file}:${w.line}`).join(', ')}; ${d.checker ?? '-'}, ${ms.toFixed(0)} ms)`)
    if (d.status === 'vulnerable') {
      t.fail(`${key} is vulnerable (${d.complexity.type}): attack ${d.attack.pattern} at ${where.map(w => `${w.file}:${w.line}`).join(', ')}`)
    } else {
      t.equal(d.status, 'safe', `${key} is safe`)
    }
  }
  t.comment(`recheck over lib/**/*.ts: ${all.length} regular expressions (${all.filter(r => r.kind === 'literal').length} literals, ${all.filter(r => r.kind === 'constructor').length} RegExp() calls), ${unique.size} distinct, in ${new Set(all.map(r => r.file)).size} of ${files.length} files; verdicts: ${[...verdicts].map(([k, v]) => `${v} ${k}`).join(', ')}`)
  for (const l of lines) t.comment(l)
})

t.test('RegExp values reachable from the modules are the ones found in the source', async t => {
  const found: Array<{ where: string, re: RegExp }> = []
  for (const f of files) {
    if (f.endsWith('/cli.ts')) continue // the CLI entry point runs main() on import
    const mod = await import(pathToFileURL(f).href) as Record<string, unknown>
    regexValues(mod, f.slice(LIB.length - 4), found, new Set(), 0)
  }
  const known = new Set(all.map(r => `/${r.source}/${r.flags}`))
  for (const { where, re } of found) t.ok(known.has(`/${re.source}/${re.flags}`), `${where}: /${re.source}/${re.flags} is one of the checked patterns`)
  t.comment(`${found.length} RegExp values among the exports (knowledge tables included); knowledge tables match by substring, prefix or suffix`)
})

t.test('text matched against the knowledge tables is cut to a finite MAX_* length first', async t => {
  const caps: Record<string, number> = { MAX_SCANNER_USER_AGENT_LENGTH, MAX_USER_AGENT_LENGTH, MAX_REQUEST_PATH_LENGTH, MAX_SIGNATURE_LENGTH, MAX_COMMAND_LINE_LENGTH, MAX_ARGUMENT_LENGTH, MAX_ARGUMENTS }
  for (const [name, v] of Object.entries(caps)) t.ok(Number.isInteger(v) && v > 0 && v <= 1 << 20, `${name} = ${v} is a finite positive integer`)

  // User agents (vulnerability scanners): a tool's substring past the cap is not seen.
  const nse = SCANNER_USER_AGENTS[0].substring
  t.ok(scannerUserAgentFor(' '.repeat(MAX_SCANNER_USER_AGENT_LENGTH - nse.length) + nse) !== undefined, 'scanner UA within the cap matches')
  t.equal(scannerUserAgentFor(' '.repeat(MAX_SCANNER_USER_AGENT_LENGTH) + nse), undefined, 'scanner UA past the cap is not read')
  // User agents (wordlist tools).
  const wl = WORDLIST_USER_AGENTS[0].contains
  t.ok(wordlistToolForUserAgent(' '.repeat(MAX_USER_AGENT_LENGTH - wl.length) + wl) !== undefined, 'wordlist UA within the cap matches')
  t.equal(wordlistToolForUserAgent(' '.repeat(MAX_USER_AGENT_LENGTH) + wl), undefined, 'wordlist UA past the cap is not read')
  // Request paths.
  t.ok((normalizeRequestPath('/' + 'a/'.repeat(MAX_REQUEST_PATH_LENGTH * 4)) ?? '').length <= MAX_REQUEST_PATH_LENGTH, 'request paths are cut to MAX_REQUEST_PATH_LENGTH')
  // Alert signatures: a prefix match on the first MAX_SIGNATURE_LENGTH characters.
  t.match(alertRuleFor.toString(), /MAX_SIGNATURE_LENGTH/, 'alertRuleFor cuts the signature to MAX_SIGNATURE_LENGTH')
  t.ok(alertRuleFor({ signature: 'ET SCAN ' + 'x'.repeat(10 * MAX_SIGNATURE_LENGTH) }) !== undefined, 'a long signature is still read by its start')
  // Command lines: splitting reads MAX_COMMAND_LINE_LENGTH code units, targets MAX_ARGUMENTS of MAX_ARGUMENT_LENGTH.
  t.same(splitPosixCommandLine('a'.repeat(MAX_COMMAND_LINE_LENGTH) + ' b'), ['a'.repeat(MAX_COMMAND_LINE_LENGTH)], 'POSIX splitting stops at the cap')
  t.same(splitWindowsCommandLine('a'.repeat(MAX_COMMAND_LINE_LENGTH) + ' b'), ['a'.repeat(MAX_COMMAND_LINE_LENGTH)], 'Windows splitting stops at the cap')
  t.ok(commandLineTargets(['nmap', ...Array.from({ length: MAX_ARGUMENTS + 10 }, (_, i) => `10.0.${i >> 8 & 255}.${i & 255}`)]).truncated, 'more than MAX_ARGUMENTS arguments are cut')
  t.ok(executableKey('/' + 'a'.repeat(100_000) + '/nmap') === 'nmap' && networkToolFor('x'.repeat(100_000)) === undefined, 'executable names are cut too')
  // DNS names: the lookup-zone table is matched by suffix comparison (linear, no regex); the
  // wordlist correlator drops names longer than a DNS name can be (253) before it.
  const wordlistScan = readFileSync(new URL('../lib/correlate/wordlist-scan.ts', import.meta.url), 'utf8')
  t.match(wordlistScan, /const MAX_NAME = 253/, 'wordlist-scan bounds DNS names at 253 characters')
  t.match(wordlistScan, /query\.length > MAX_NAME/, 'and checks query names against it')
  const t0 = performance.now()
  lookupZoneFor('a.'.repeat(500_000) + 'zen.spamhaus.org')
  vulnerablePathFor('/' + 'a'.repeat(1_000_000))
  t.ok(performance.now() - t0 < 500, 'a megabyte of name or path is matched in linear time anyway')
})
