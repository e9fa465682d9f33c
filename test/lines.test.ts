import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { LineSplitter } from '../lib/parse/lines.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

// A real EVE line (examples/data/eve.json), repeated into 256 KiB chunks as the CLI reads them.
const line = readFileSync(new URL('../examples/data/eve.json', import.meta.url), 'utf8').split('\n')[0]

t.test('a kept line does not pin the chunk it came from', async t => {
  const chunk = Buffer.from((line + '\n').repeat(Math.ceil(256 * 1024 / (line.length + 1))))
  const chunks = 200 // ~51 MB of input
  const kept: string[] = []
  gc()
  const before = process.memoryUsage().heapUsed
  // One line kept per chunk: what a held event or a stored key looks like to the heap.
  const splitter = new LineSplitter(1 << 20, (text, n) => { if (n % 500 === 0) kept.push(text) }, () => {})
  for (let i = 0; i < chunks; i++) splitter.pushBytes(Buffer.from(chunk))
  splitter.end()
  gc()
  const grown = process.memoryUsage().heapUsed - before
  t.ok(kept.length >= chunks, `kept ${kept.length} lines`)
  // Kept lines alone are ~kept × 600 bytes; pinned chunks would be ~51 MB.
  t.ok(grown < 8e6, `heap grew ${(grown / 1e6).toFixed(1)} MB for ${kept.length} kept lines`)
  t.equal(kept[0], line)
})

t.test('bytes split over chunks anywhere decode as whole lines', async t => {
  const text = '\ufeff{"a":"é€😀"}\r\n{"b":1}\nlast'
  const bytes = Buffer.from(text)
  for (let size = 1; size <= bytes.length; size++) {
    const lines: string[] = []
    const s = new LineSplitter(1 << 20, l => { lines.push(l) }, () => {})
    for (let i = 0; i < bytes.length; i += size) s.pushBytes(bytes.subarray(i, i + size))
    s.end()
    t.same(lines, ['{"a":"é€😀"}', '{"b":1}', 'last'], `chunks of ${size} bytes`)
  }
})

t.test('over-long lines from bytes are reported with their length in characters', async t => {
  const over: Array<[number, number]> = []
  const lines: string[] = []
  const s = new LineSplitter(10, l => { lines.push(l) }, (_sample, n, length) => { over.push([n, length]) })
  const bytes = Buffer.from('short\n' + 'é'.repeat(30) + '\nok\n')
  for (let i = 0; i < bytes.length; i += 4) s.pushBytes(bytes.subarray(i, i + 4))
  s.end()
  t.same(lines, ['short', 'ok'])
  t.same(over, [[2, 30]])
})
