import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_COMMAND_LINE_LENGTH, splitPosixCommandLine, splitWindowsCommandLine } from '../lib/parse/cmdline.js'
import { sharedData } from './helpers.js'

// String.raw keeps the backslashes exactly as they would appear in the command line.
const win = (s: string): string[] => splitWindowsCommandLine(s)

t.test('Windows: Microsoft\'s documented examples (argv[1..])', async t => {
  // "Parsing C command-line arguments" table; a program name is put in front, as in a real
  // command line, and argv[0] is checked separately.
  const cases: Array<[string, string[]]> = [
    [String.raw`"a b c" d e`, ['a b c', 'd', 'e']],
    [String.raw`"ab\"c" "\\" d`, ['ab"c', '\\', 'd']],
    [String.raw`a\\\b d"e f"g h`, [String.raw`a\\\b`, 'de fg', 'h']],
    [String.raw`a\\\"b c d`, [String.raw`a\"b`, 'c', 'd']],
    [String.raw`a\\\\"b c" d e`, [String.raw`a\\b c`, 'd', 'e']]
  ]
  for (const [line, expected] of cases) {
    t.same(win(`prog.exe ${line}`), ['prog.exe', ...expected], line)
  }
})

t.test('Windows: "" inside a quoted section (post-2008 CRT by default, shell32 on request)', async t => {
  const line = String.raw`prog a"b"" c d`
  // Post-2008 msvcrt/UCRT: the doubled quote is one literal quote and the section goes on.
  t.same(win(line), ['prog', 'ab" c d'])
  t.same(splitWindowsCommandLine(line, { doubledQuote: 'crt' }), ['prog', 'ab" c d'])
  // CommandLineToArgvW: a literal quote, and the section ends.
  t.same(splitWindowsCommandLine(line, { doubledQuote: 'shell32' }), ['prog', 'ab"', 'c', 'd'])
  // Three quotes inside a section: CRT reads a literal quote then the closing quote; shell32
  // reads a literal quote, closes, and the third quote opens a new section.
  t.same(win('prog "a""" b'), ['prog', 'a"', 'b'])
  t.same(splitWindowsCommandLine('prog "a""" b', { doubledQuote: 'shell32' }), ['prog', 'a" b'])
  // Outside a section "" opens and closes one: an empty argument, or nothing added mid-word.
  t.same(win('prog "" x'), ['prog', '', 'x'])
  t.same(win('prog a""b'), ['prog', 'ab'])
  // After an even run of backslashes the quote is a delimiter, so "" rules apply to it.
  t.same(win(String.raw`prog "a\\"" b"`), ['prog', String.raw`a\" b`])
})

t.test('Windows: argv[0] has no backslash processing', async t => {
  t.same(win(String.raw`"C:\Program Files\Nmap\nmap.exe" -sn 10.0.0.0/24`), [String.raw`C:\Program Files\Nmap\nmap.exe`, '-sn', '10.0.0.0/24'])
  t.same(win(String.raw`C:\Tools\\nmap.exe -sn`), [String.raw`C:\Tools\\nmap.exe`, '-sn'])
  // A backslash before the closing quote of argv[0] is literal and the quote still closes.
  t.same(win(String.raw`"C:\dir\" x`), ['C:\\dir\\', 'x'])
  // Quotes inside argv[0] only toggle; whitespace in a quoted part does not end it.
  t.same(win(String.raw`C:\"Program Files"\x.exe y`), [String.raw`C:\Program Files\x.exe`, 'y'])
  // A command line starting with whitespace has an empty argv[0].
  t.same(win('  a b'), ['', 'a', 'b'])
  t.same(win('"" a'), ['', 'a'])
})

t.test('Windows: separators, ends, unbalanced quotes, garbage', async t => {
  t.same(win(''), [])
  t.same(win('prog'), ['prog'])
  t.same(win('prog   '), ['prog'])
  t.same(win('prog\ta\t\tb '), ['prog', 'a', 'b'])
  t.same(win('prog a\nb'), ['prog', 'a\nb'], 'only space and tab separate')
  t.same(win('prog "a b'), ['prog', 'a b'], 'an open quote runs to the end')
  t.same(win('prog "'), ['prog', ''])
  t.same(win(String.raw`prog a\ b\\`), ['prog', 'a\\', 'b\\\\'])
  t.same(win(String.raw`prog \"`), ['prog', '"'])
  t.same(win('prog 😀 "é f"'), ['prog', '😀', 'é f'])
  t.same(splitWindowsCommandLine(undefined as unknown as string), [])
  t.same(splitWindowsCommandLine(42 as unknown as string), [])
})

t.test('Windows: the SigmaHQ regression command lines', { skip: sharedData === undefined ? '../shared/data not present' : false }, async t => {
  const root = join(sharedData as string, 'public', 'sigmahq-regression-data')
  const lines = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (name.endsWith('.json')) {
        const text = readFileSync(p, 'utf8')
        const collect = (o: unknown): void => {
          if (Array.isArray(o)) for (const x of o) collect(x)
          else if (o !== null && typeof o === 'object') {
            for (const [k, v] of Object.entries(o)) {
              if (k === 'CommandLine' && typeof v === 'string') lines.set(name, v)
              else collect(v)
            }
          }
        }
        collect(JSON.parse(text))
      }
    }
  }
  walk(root)
  const byName = (fragment: string): string => {
    for (const [, v] of lines) if (v.toLowerCase().includes(fragment)) return v
    t.fail(`no CommandLine with ${fragment}`)
    return ''
  }
  // Advanced Port Scanner: a quoted argv[0] with spaces, a quoted argument with forward slashes.
  t.same(win(byName('advanced_port_scanner.exe')), [
    String.raw`C:\Users\SWACHC~1\AppData\Local\Temp\2\Advanced Port Scanner 2\advanced_port_scanner.exe`,
    '/portable', 'C:/Users/SwachchhandaP/Downloads/', '/lng', 'en_us'
  ])
  // Advanced IP Scanner: only the quoted program.
  t.same(win(byName('advanced_ip_scanner.exe')), [String.raw`C:\Program Files (x86)\Advanced IP Scanner\advanced_ip_scanner.exe`])
  // Grixba: two spaces after the program, colon-joined option values.
  t.same(win(byName('grb_net.exe')), ['GRB_NET.exe', '-m:scan', '-i:f', '-d:list.txt'])
  // WMIC (the negative example): a quoted program and plain words.
  t.same(win(byName('wmic.exe')), [String.raw`C:\WINDOWS\System32\Wbem\WMIC.exe`, 'computersystem', 'list', 'full', '/format:csv'])
})

const posix = (s: string): string[] => splitPosixCommandLine(s)

t.test('POSIX: quoting', async t => {
  t.same(posix('nmap -sT -p 80 10.1.2.0/24'), ['nmap', '-sT', '-p', '80', '10.1.2.0/24'])
  t.same(posix(`echo 'a b' "c d" e\\ f`), ['echo', 'a b', 'c d', 'e f'])
  t.same(posix(`echo 'it'\\''s'`), ['echo', "it's"])
  t.same(posix(`echo '\\n $HOME "x"'`), ['echo', '\\n $HOME "x"'], 'single quotes: all literal')
  t.same(posix('echo "a\\"b" "c\\\\d" "\\$x" "\\`y" "\\n"'), ['echo', 'a"b', 'c\\d', '$x', '`y', '\\n'], 'double quotes: \\ escapes only $ ` " \\ newline')
  t.same(posix('echo "a\\\nb"'), ['echo', 'ab'], 'backslash-newline in double quotes is removed')
  t.same(posix('echo a\\\nb'), ['echo', 'ab'], 'line continuation outside quotes')
  t.same(posix('echo \\a\\ \\"'), ['echo', 'a "'])
  t.same(posix('echo a"b c"d\'e f\'g'), ['echo', 'ab cde fg'], 'adjacent quoted parts join one word')
  t.same(posix('echo $HOME `id` * ~'), ['echo', '$HOME', '`id`', '*', '~'], 'no expansion')
  t.same(posix('a;b | c'), ['a;b', '|', 'c'], 'operators are ordinary characters')
})

t.test('POSIX: empty words, blanks, unbalanced quotes, garbage', async t => {
  t.same(posix(''), [])
  t.same(posix('   \t\n '), [])
  t.same(posix("a '' b"), ['a', '', 'b'])
  t.same(posix('a "" b'), ['a', '', 'b'])
  t.same(posix("''"), [''])
  t.same(posix('a\tb\nc  d'), ['a', 'b', 'c', 'd'])
  t.same(posix("echo 'abc def"), ['echo', 'abc def'], 'unbalanced single quote: the rest is the last word')
  t.same(posix('echo "abc def'), ['echo', 'abc def'], 'unbalanced double quote')
  t.same(posix('echo "abc\\'), ['echo', 'abc\\'])
  t.same(posix('echo abc\\'), ['echo', 'abc\\'], 'a trailing backslash is kept')
  t.same(posix('echo \\😀x'), ['echo', '😀x'], 'escaping keeps a surrogate pair whole')
  t.same(splitPosixCommandLine(null as unknown as string), [])
})

t.test('the lab command lines split as a shell would', async t => {
  // From ../shared/data/lab/*/truth.json (activities[].command_lines): our own recordings.
  t.same(posix('fping -a -q -r 1 -g 10.1.2.0/24'), ['fping', '-a', '-q', '-r', '1', '-g', '10.1.2.0/24'])
  t.same(posix('gobuster dns -d acme.example -w /usr/share/dnsenum/dns.txt -r 10.1.10.53:53 -t 10 -i --no-progress -o subdomains.txt'),
    ['gobuster', 'dns', '-d', 'acme.example', '-w', '/usr/share/dnsenum/dns.txt', '-r', '10.1.10.53:53', '-t', '10', '-i', '--no-progress', '-o', 'subdomains.txt'])
  t.same(posix('sudo nmap -n -Pn -sU -p 53 --script dns-nsid,dns-recursion,dns-zone-transfer --script-args dns-zone-transfer.domain=acme.example 10.1.10.53').length, 12)
})

t.test('both splitters cap their input and stay linear on hostile strings', async t => {
  t.equal(MAX_COMMAND_LINE_LENGTH, 32768)
  const long = 'a '.repeat(40000) // 80000 chars
  t.equal(posix(long).length, MAX_COMMAND_LINE_LENGTH / 2, 'words beyond 32 KiB are dropped')
  t.equal(win(long).length, MAX_COMMAND_LINE_LENGTH / 2)
  const oneWord = 'x'.repeat(100000)
  t.equal(posix(oneWord)[0].length, MAX_COMMAND_LINE_LENGTH)
  t.equal(win(oneWord)[0].length, MAX_COMMAND_LINE_LENGTH)
  // A surrogate pair cut in half at the limit is dropped whole.
  const pair = 'x'.repeat(MAX_COMMAND_LINE_LENGTH - 1) + '😀'
  t.equal(posix(pair)[0].length, MAX_COMMAND_LINE_LENGTH - 1)
  t.equal(win(pair)[0].length, MAX_COMMAND_LINE_LENGTH - 1)
  const hostile = ['"\\'.repeat(50000), '\\'.repeat(100000) + '"', '"\'"\''.repeat(30000), ' \t'.repeat(60000), '\\"\\ '.repeat(30000)]
  const started = performance.now()
  for (const s of hostile) {
    for (const r of [posix(s), win(s), splitWindowsCommandLine(s, { doubledQuote: 'shell32' })]) {
      t.ok(Array.isArray(r))
      t.ok(r.every(w => typeof w === 'string' && w.length <= MAX_COMMAND_LINE_LENGTH))
    }
  }
  const ms = performance.now() - started
  t.ok(ms < 2000, `15 hostile 32 KiB splits in ${ms.toFixed(0)} ms`)
})

t.test('random input never throws and always yields strings', async t => {
  const alphabet = ['a', ' ', '\t', '\n', '"', "'", '\\', '$', '`', 'é', '\ud83d', '\ude00', '/', ':']
  let seed = 12345
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
  for (let i = 0; i < 2000; i++) {
    let s = ''
    const len = rnd(40)
    for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)]
    const a = posix(s)
    const b = win(s)
    const c = splitWindowsCommandLine(s, { doubledQuote: 'shell32' })
    if (!(Array.isArray(a) && Array.isArray(b) && Array.isArray(c))) t.fail(JSON.stringify(s))
  }
  t.pass('2000 random strings')
})
