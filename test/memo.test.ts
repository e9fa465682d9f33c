import t from 'tap'
import { memoize, MEMO_ENTRIES, MEMO_KEY_LENGTH } from '../lib/correlate/knowledge/memo.js'
import { normalizeRequestPath, vulnerablePathFor } from '../lib/correlate/knowledge/vulnerable-paths.js'
import { scannerUserAgentFor } from '../lib/correlate/knowledge/scanner-user-agents.js'

t.test('memoize answers as the lookup does, asks once per remembered key, and stays bounded', async t => {
  const asked = new Map<string, number>()
  const lookup = (k: string): { k: string } | undefined => {
    asked.set(k, (asked.get(k) ?? 0) + 1)
    return k.startsWith('x') ? { k } : undefined
  }
  const memo = memoize(lookup)
  t.same(memo('x1'), { k: 'x1' })
  t.equal(memo('x1'), memo('x1'), 'the same answer object')
  t.equal(memo('y'), undefined)
  t.equal(memo('y'), undefined, 'undefined answers are remembered too')
  t.equal(asked.get('x1'), 1)
  t.equal(asked.get('y'), 1)
  const long = 'x'.repeat(MEMO_KEY_LENGTH + 1)
  memo(long); memo(long)
  t.equal(asked.get(long), 2, 'keys over MEMO_KEY_LENGTH are not kept')
  for (let i = 0; i < MEMO_ENTRIES + 10; i++) memo(`z${i}`)
  t.equal(memo('x1')?.k, 'x1', 'still right after the memo was emptied')
  t.equal(asked.get('x1'), 2, 'asked again once the memo was full and emptied')
})

t.test('the knowledge lookups give the same answers the first and the second time', async t => {
  const nikto = 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)'
  t.equal(scannerUserAgentFor(nikto)?.id, 'nikto')
  t.equal(scannerUserAgentFor(nikto)?.id, 'nikto')
  t.equal(scannerUserAgentFor('Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0'), undefined)
  t.equal(scannerUserAgentFor(nikto, []), undefined, 'a table of the caller\'s own is not answered from the memo')
  t.ok(vulnerablePathFor('/phpmyadmin/') !== undefined && vulnerablePathFor('/phpmyadmin/') === vulnerablePathFor('/phpMyAdmin/'))
  t.equal(normalizeRequestPath('/a//b///c?x=//y'), '/a/b/c', 'runs of slashes still collapse')
  t.equal(normalizeRequestPath('/A/b'), '/a/b')
})
