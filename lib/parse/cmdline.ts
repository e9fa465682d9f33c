/**
 * Command-line splitting: a process's command line, as endpoint telemetry records it (Sysmon
 * `CommandLine`, auditd `proctitle`, osquery `cmdline`), back into the argument vector the
 * program saw.
 *
 * Two rule sets, both pure functions over a character loop (no regular expressions, so nothing can
 * backtrack on hostile input), both total (they never throw, whatever the input) and both bounded:
 * the input is cut to {@link MAX_COMMAND_LINE_LENGTH} UTF-16 code units before it is read, because
 * these strings come from the processes we are watching, i.e. possibly from an attacker.
 *
 * - {@link splitWindowsCommandLine}: how a Windows program splits `GetCommandLineW()` into argv
 *   (the Microsoft C runtime's rules, which `CommandLineToArgvW` shares except for one detail).
 * - {@link splitPosixCommandLine}: POSIX shell word splitting and quote removal for one simple
 *   command, without any expansion.
 *
 * @packageDocumentation
 */

/**
 * Longest command line read, in UTF-16 code units; longer input is truncated first. 32 KiB is
 * also the Windows limit (`CreateProcess` accepts at most 32,767 characters), so nothing a
 * Windows host can log is lost.
 */
export const MAX_COMMAND_LINE_LENGTH = 32 * 1024

/** Cuts `s` to the cap without leaving half a surrogate pair at the end. */
function capped (s: string): string {
  if (s.length <= MAX_COMMAND_LINE_LENGTH) return s
  let end = MAX_COMMAND_LINE_LENGTH
  const last = s.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end-- // a high surrogate whose low half was cut off
  return s.slice(0, end)
}

/** Options of {@link splitWindowsCommandLine}. */
export interface WindowsSplitOptions {
  /**
   * What `""` inside a quoted section does. Both variants put one literal `"` in the argument;
   * they differ in whether the quoted section goes on.
   *
   * - `'crt'` (default): the section goes on. This is the Microsoft C runtime since 2008
   *   (msvcr90 and later, and today's UCRT), and it is what Microsoft's "Parsing C command-line
   *   arguments" documents ("within a quoted block, a pair of double quotes is interpreted as a
   *   single escaped double quote"; its example `a"b"" c d` gives the single argument `ab" c d`).
   * - `'shell32'`: the section ends, as `CommandLineToArgvW` does it (and the C runtime did
   *   before 2008): `a"b"" c d` gives `ab"`, `c`, `d` (MicrosoftDocs/cpp-docs issue 3291, checked
   *   against `CommandLineToArgvW`).
   *
   * The default is `'crt'` because the argv a program acts on comes from its C runtime's startup
   * code (`main(argc, argv)`), not from shell32: nmap.exe, masscan.exe and any other C or C++
   * program compiled with Visual C++ split their command line this way. The two variants give the
   * same result for every command line that does not contain `""` inside quotes.
   */
  doubledQuote?: 'crt' | 'shell32'
}

function isWindowsBlank (c: number): boolean {
  return c === 0x20 || c === 0x09
}

/**
 * Splits a Windows command line into argv the way a Windows program does (Microsoft C runtime
 * startup code; `CommandLineToArgvW` with {@link WindowsSplitOptions.doubledQuote} `'shell32'`).
 *
 * Rules (Microsoft, "Parsing C command-line arguments" and the `CommandLineToArgvW` reference):
 *
 * - Arguments are separated by whitespace: space or tab (nothing else).
 * - `argv[0]`, the program name, is read differently: up to the first whitespace outside double
 *   quotes; quotes only toggle the quoted state and are removed, and backslashes are always
 *   literal (it is a path). A command line that starts with whitespace therefore has an empty
 *   `argv[0]`.
 * - In every later argument, a run of backslashes is literal unless a double quote follows it:
 *   - 2n backslashes and a quote give n backslashes, and the quote opens or closes a quoted
 *     section (it is not part of the argument);
 *   - 2n+1 backslashes and a quote give n backslashes and a literal quote (the section does not
 *     change).
 * - Inside a quoted section whitespace is part of the argument, and `""` is one literal quote
 *   (see {@link WindowsSplitOptions.doubledQuote} for what happens next).
 * - A quoted section can be embedded in an argument (`d"e f"g` is `de fg`), and `""` on its own
 *   is an empty argument.
 * - A quote left open at the end is closed there: the rest is the last argument.
 * - Whitespace at the end is ignored.
 *
 * Unlike `CommandLineToArgvW`, an empty command line gives `[]` (the API returns the path of the
 * calling executable instead). Never throws; input beyond {@link MAX_COMMAND_LINE_LENGTH} is
 * dropped first.
 */
export function splitWindowsCommandLine (s: string, options: WindowsSplitOptions = {}): string[] {
  if (typeof s !== 'string' || s.length === 0) return []
  const text = capped(s)
  const closeAfterDoubledQuote = options.doubledQuote === 'shell32'
  const n = text.length
  const out: string[] = []

  // argv[0]: the program name. No backslash processing; quotes toggle and are dropped.
  let i = 0
  let quoted = false
  let start = 0
  let arg = ''
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      arg += text.slice(start, i)
      start = i + 1
      quoted = !quoted
    } else if (!quoted && isWindowsBlank(c)) {
      break
    }
  }
  arg += text.slice(start, i)
  out.push(arg)

  // The remaining arguments.
  while (i < n && isWindowsBlank(text.charCodeAt(i))) i++
  arg = ''
  let started = false
  quoted = false
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x5c) { // backslash run
      let j = i
      while (j < n && text.charCodeAt(j) === 0x5c) j++
      const run = j - i
      if (j < n && text.charCodeAt(j) === 0x22) {
        arg += '\\'.repeat(run >> 1)
        started = true
        if ((run & 1) === 1) { // escaped quote: literal, quoted state unchanged
          arg += '"'
          i = j + 1
          continue
        }
        i = j // the quote is a delimiter: handled below
      } else {
        arg += text.slice(i, j)
        started = true
        i = j
        continue
      }
    }
    const d = text.charCodeAt(i)
    if (d === 0x22) {
      started = true
      if (quoted && i + 1 < n && text.charCodeAt(i + 1) === 0x22) {
        arg += '"'
        i += 2
        if (closeAfterDoubledQuote) quoted = false
        continue
      }
      quoted = !quoted
      i++
      continue
    }
    if (!quoted && isWindowsBlank(d)) {
      out.push(arg)
      arg = ''
      started = false
      while (i < n && isWindowsBlank(text.charCodeAt(i))) i++
      continue
    }
    // An ordinary run: copy up to the next character that matters.
    let j = i + 1
    while (j < n) {
      const e = text.charCodeAt(j)
      if (e === 0x5c || e === 0x22 || (!quoted && isWindowsBlank(e))) break
      j++
    }
    arg += text.slice(i, j)
    started = true
    i = j
  }
  if (started || quoted) out.push(arg)
  return out
}

/**
 * Splits a command line into words the way a POSIX shell does for one simple command: quote
 * removal and field separation, nothing else.
 *
 * - Words are separated by unquoted spaces, tabs and newlines.
 * - `'...'`: everything up to the next single quote is literal (a backslash too).
 * - `"..."`: a backslash escapes only `$`, `` ` ``, `"`, `\` and newline; before any other
 *   character it is kept literally. `\` + newline is removed (line continuation).
 * - Outside quotes a backslash makes the next character literal; `\` + newline is removed; a
 *   backslash at the very end is kept.
 * - `''` and `""` give an empty word (`a '' b` is three words).
 * - An unbalanced quote does not throw: the rest of the input is the (end of the) last word.
 *
 * No expansion of any kind (`$VAR`, `$(...)`, backquotes, `~`, globs stay as written), no
 * operators (`;`, `|`, `&`, `<`, `>` are ordinary characters: a process's recorded argv never
 * contains them unquoted anyway), no comments, and `$'...'` is not special. Never throws; input
 * beyond {@link MAX_COMMAND_LINE_LENGTH} is dropped first.
 */
export function splitPosixCommandLine (s: string): string[] {
  if (typeof s !== 'string' || s.length === 0) return []
  const text = capped(s)
  const n = text.length
  const out: string[] = []
  let word = ''
  let started = false
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a) {
      if (started) {
        out.push(word)
        word = ''
        started = false
      }
      i++
      continue
    }
    if (c === 0x5c) { // backslash outside quotes
      if (i + 1 >= n) {
        word += '\\'
        started = true
        i++
      } else if (text.charCodeAt(i + 1) === 0x0a) {
        i += 2 // line continuation: removed, does not start a word
      } else {
        // Keep a surrogate pair whole.
        const cp = text.codePointAt(i + 1) ?? 0
        const len = cp > 0xffff ? 2 : 1
        word += text.slice(i + 1, i + 1 + len)
        started = true
        i += 1 + len
      }
      continue
    }
    if (c === 0x27) { // single quotes
      started = true
      const end = text.indexOf("'", i + 1)
      if (end < 0) {
        word += text.slice(i + 1)
        i = n
      } else {
        word += text.slice(i + 1, end)
        i = end + 1
      }
      continue
    }
    if (c === 0x22) { // double quotes
      started = true
      i++
      let start = i
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 0x22) break
        if (d === 0x5c && i + 1 < n) {
          const e = text.charCodeAt(i + 1)
          if (e === 0x0a) {
            word += text.slice(start, i)
            i += 2
            start = i
            continue
          }
          if (e === 0x24 || e === 0x60 || e === 0x22 || e === 0x5c) {
            word += text.slice(start, i) + text[i + 1]
            i += 2
            start = i
            continue
          }
        }
        i++
      }
      word += text.slice(start, i)
      i++ // the closing quote (or past the end when unbalanced)
      continue
    }
    // An ordinary run.
    let j = i + 1
    while (j < n) {
      const e = text.charCodeAt(j)
      if (e === 0x20 || e === 0x09 || e === 0x0a || e === 0x5c || e === 0x27 || e === 0x22) break
      j++
    }
    word += text.slice(i, j)
    started = true
    i = j
  }
  if (started) out.push(word)
  return out
}
