// Checks over ../shared/data (real logs too large or too restrictively licensed to copy into
// fixtures). Skipped when that folder is absent, as on a fresh clone; `npm run eval` runs the
// full conformance sweep.
import t from 'tap'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { NetworkEvent } from '../lib/model.js'
import { readThrough, sharedData } from './helpers.js'

const brim = sharedData === undefined ? undefined : join(sharedData, 'public', 'brimdata-zed-sample-data')

t.test('brimdata: the same Zeek logs read as TSV and as JSON give equal normalized events', { skip: brim === undefined || !existsSync(brim) ? '../shared/data not present' : false }, async t => {
  const dir = brim as string
  const ignored = new Set(['input', 'line', 'format', 'original', 'raw'])
  const normalized = (ev: NetworkEvent): unknown => JSON.parse(JSON.stringify(ev, (k, v: unknown) => ignored.has(k) ? undefined : v))
  let pairs = 0
  for (const name of readdirSync(join(dir, 'zeek-default')).sort()) {
    const jsonFile = join(dir, 'zeek-json', name.replace(/\.log\.gz$/, '.json.gz'))
    if (!existsSync(jsonFile)) continue
    const tsv = await readThrough(join(dir, 'zeek-default', name))
    const json = await readThrough(jsonFile)
    t.equal(tsv.stats.format, 'zeek-tsv')
    t.equal(json.stats.format, 'zeek-json')
    t.equal(tsv.deadLetters.length + json.deadLetters.length, 0, `${name}: no dead letters`)
    t.equal(tsv.events.length, json.events.length, `${name}: ${tsv.events.length} events each`)
    let equal = 0
    for (let i = 0; i < tsv.events.length; i++) {
      if (JSON.stringify(normalized(tsv.events[i])) === JSON.stringify(normalized(json.events[i]))) equal++
      else t.same(normalized(tsv.events[i]), normalized(json.events[i]), `${name} record ${i + 1}`)
    }
    t.equal(equal, tsv.events.length, `${name}: all ${equal} equal`)
    pairs++
  }
  t.equal(pairs, 12, 'all twelve log pairs compared')
})
