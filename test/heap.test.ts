import t from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The built CLI (npm test builds first), started the way npm's bin link starts it: by its shebang.
const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'dist/cli.js')

interface Memory { peakRssMiB: number, heapLimitMiB: number }

function summaryOf (argv0: string, args: string[]): { code: number | null, memory?: Memory, stderr: string } {
  const r = spawnSync(argv0, args, { cwd: root, encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0) return { code: r.status, stderr: r.stderr }
  return { code: r.status, memory: (JSON.parse(r.stdout) as { memory: Memory }).memory, stderr: r.stderr }
}

t.test('the scantag command runs with a 256 MiB old generation, and the summary reports memory', async t => {
  t.equal(readFileSync(cli, 'utf8').split('\n')[0], '#!/usr/bin/env -S node --max-old-space-size=256')
  // npm makes the bin executable when it installs the package; do the same to a copy.
  const tmp = mkdtempSync(join(tmpdir(), 'scantag-heap-'))
  const bin = join(root, 'dist', `.cli-heap-test-${process.pid}.js`)
  copyFileSync(cli, bin)
  chmodSync(bin, 0o755)
  t.teardown(() => { spawnSync('rm', ['-f', bin]) })
  const args = ['enrich', join(root, 'examples/data/eve.json'), '--out', join(tmp, 'out.ndjson'), '--summary', '-', '-q']
  const viaShebang = summaryOf(bin, args)
  t.equal(viaShebang.code, 0, viaShebang.stderr)
  // V8's heap limit is the old generation plus the young one (16 MiB semi-spaces: 48 MiB).
  t.ok(viaShebang.memory !== undefined && viaShebang.memory.heapLimitMiB >= 256 && viaShebang.memory.heapLimitMiB <= 320, `heap limit ${viaShebang.memory?.heapLimitMiB} MiB`)
  t.ok(viaShebang.memory !== undefined && viaShebang.memory.peakRssMiB > 0 && viaShebang.memory.peakRssMiB < 300, `peak RSS ${viaShebang.memory?.peakRssMiB} MiB`)
  // Without the shebang's flag (plain `node dist/cli.js`), V8's default applies: far larger.
  const plain = summaryOf(process.execPath, [cli, ...args])
  t.equal(plain.code, 0, plain.stderr)
  t.ok(plain.memory !== undefined && plain.memory.heapLimitMiB > 320, `default heap limit ${plain.memory?.heapLimitMiB} MiB`)
})
