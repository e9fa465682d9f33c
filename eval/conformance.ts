/**
 * `npm run eval`: conformance over every real Zeek and Suricata log in ../shared/data.
 *
 * For every log file (Zeek TSV/JSON, Suricata EVE, Sysmon, auditd, osquery) it checks that
 * - records + dead letters = input records (= data lines for one-record-per-line formats), and
 *   every dead letter is one we expect (a line no sensor would have written), listed below;
 * - every event validates against schemas/network-event.schema.json or
 *   schemas/process-event.schema.json, and its `merge` and `ecs` documents against
 *   schemas/merge-output.schema.json and schemas/ecs-output.schema.json;
 * - every Community ID Suricata wrote equals the one scantag computes from the same tuple;
 * - each brimdata log read as TSV and as JSON gives equal normalized events.
 * Skips cleanly (exit 0) when ../shared/data is absent. Exit 1 on any failure.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { communityId } from '../lib/community-id.js'
import type { DeadLetter, ScantagEvent } from '../lib/model.js'
import { toEcs } from '../lib/output/ecs.js'
import { toMerge } from '../lib/output/merge.js'
import { LogReader, type ReaderStats } from '../lib/parse/reader.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const shared = join(root, '..', 'shared', 'data')
if (!existsSync(shared)) {
  console.log(`eval: ${shared} not found, skipping`)
  process.exit(0)
}

/** Dead letters we expect, per file, and why they are not lines a sensor would write. */
const EXPECTED_DEAD_LETTERS: Record<string, { count: number | 'all', why: string }> = {
  'public/slips-dataset/test10-mixed-zeek-dir/notice.log': {
    count: 1,
    why: 'hand-edited by the Slips authors: line 21 has spaces instead of tabs (23 of 26 columns)'
  },
  'public/auditd-go-libaudit/auparse/audit-rhel7.log': {
    count: 4,
    why: 'a collection of records sorted by type by the go-libaudit authors, not in the order auditd writes them: 3 records of events already complete, and one "type=UNKNOWN[1329] msg=?" line'
  },
  'public/suricata-eve-labs/nicoaller-malware-pcap/eve.json': {
    count: 1,
    why: 'the last line (a stats record) has its event_type key corrupted to "F", which Suricata never writes'
  }
}

/** Files that are not logs: documentation, ground truth, binary EVTX, YAML-wrapped test cases. */
function isCandidate (rel: string): boolean {
  if (/\.(md|ya?ml|config|evtx|txt)$/i.test(rel)) return false
  if (/(^|\/)(LICENSE[^/]*|truth\.json|fast\.log)$/.test(rel)) return false
  return true
}

/** Formats with one input record per data line. */
const LINE_FORMATS = new Set(['zeek-tsv', 'zeek-json', 'eve', 'sysmon', 'ecs'])

function walk (dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else out.push(p)
  }
  return out
}

const ajv = new Ajv2020({ allErrors: false, strict: false })
const schema = (name: string): ReturnType<typeof ajv.compile> => ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', name), 'utf8')) as object)
const validEvent = schema('network-event.schema.json')
const validProcess = schema('process-event.schema.json')
const validMerge = schema('merge-output.schema.json')
const validEcs = schema('ecs-output.schema.json')

interface FileResult {
  rel: string
  stats: ReaderStats
  deadLetters: DeadLetter[]
  events: ScantagEvent[]
}

async function read (file: string, keepEvents: boolean): Promise<FileResult> {
  const deadLetters: DeadLetter[] = []
  const events: ScantagEvent[] = []
  const reader = new LogReader({ input: file, onDeadLetter: dl => { deadLetters.push(dl) } })
  let schemaErrors = 0
  let cidChecked = 0
  let cidMismatch = 0
  const rel = relative(shared, file)
  await pipeline(createReadStream(file), reader, new Writable({
    objectMode: true,
    write (ev: ScantagEvent, _enc, cb) {
      if (keepEvents) events.push(ev)
      const checks: Array<[string, ReturnType<typeof ajv.compile>, unknown]> = [
        ev.category === 'network' ? ['network-event', validEvent, ev] : ['process-event', validProcess, ev],
        ['merge', validMerge, toMerge(ev)], ['ecs', validEcs, toEcs(ev)]
      ]
      for (const [name, validate, doc] of checks) {
        if (!validate(doc)) {
          if (++schemaErrors <= 3) failures.push(`${rel}:${ev.line}: ${name} schema: ${ajv.errorsText(validate.errors)}`)
        }
      }
      if (ev.category === 'network' && ev.scantag.community_id_source === 'sensor' && ev.sensor === 'suricata' && ev.src !== undefined && ev.dst !== undefined && ev.protoNumber !== undefined) {
        const mine = communityId(ev.protoNumber, ev.src.ip, ev.dst.ip, ev.src.port, ev.dst.port)
        cidChecked++
        if (mine !== ev.communityId && ++cidMismatch <= 3) failures.push(`${rel}:${ev.line}: community id ${String(mine)} != Suricata's ${String(ev.communityId)}`)
      }
      cb()
    }
  }))
  totals.cidChecked += cidChecked
  totals.schemaErrors += schemaErrors
  return { rel, stats: reader.stats, deadLetters, events }
}

const failures: string[] = []
const totals = { files: 0, dataLines: 0, inputRecords: 0, records: 0, deadLetters: 0, cidChecked: 0, schemaErrors: 0 }
const skipped: string[] = []
const rows: string[] = []

const files = [...walk(join(shared, 'public')), ...walk(join(shared, 'lab'))].filter(f => isCandidate(relative(shared, f)))
for (const file of files) {
  const { rel, stats, deadLetters } = await read(file, false)
  if (stats.format === 'unknown' && stats.records === 0 && EXPECTED_DEAD_LETTERS[rel] === undefined) {
    skipped.push(`${rel} (${stats.dataLines} lines: ${deadLetters[0]?.reason ?? 'empty'})`)
    continue
  }
  totals.files++
  totals.dataLines += stats.dataLines
  totals.inputRecords += stats.inputRecords
  totals.records += stats.records
  totals.deadLetters += stats.deadLetters
  if (stats.records + stats.deadLetters !== stats.inputRecords) failures.push(`${rel}: ${stats.records} records + ${stats.deadLetters} dead letters != ${stats.inputRecords} input records`)
  if (LINE_FORMATS.has(stats.format) && stats.inputRecords !== stats.dataLines) failures.push(`${rel}: ${stats.inputRecords} input records but ${stats.dataLines} data lines`)
  const expected = EXPECTED_DEAD_LETTERS[rel]
  const want = expected === undefined ? 0 : expected.count === 'all' ? stats.inputRecords : expected.count
  if (deadLetters.length !== want) {
    failures.push(`${rel}: ${deadLetters.length} dead letters, expected ${want}` + deadLetters.slice(0, 3).map(d => `\n    line ${d.line}: ${d.reason}`).join(''))
  }
  rows.push(`${stats.format.padEnd(13)} ${String(stats.dataLines).padStart(7)} ${String(stats.inputRecords).padStart(7)} ${String(stats.records).padStart(7)} ${String(stats.deadLetters).padStart(5)}  ${rel}${expected !== undefined ? `  (expected: ${expected.why})` : ''}`)
}

// brimdata: the same Zeek run as TSV (zeek-default/X.log.gz) and JSON (zeek-json/X.json.gz).
const brim = join(shared, 'public', 'brimdata-zed-sample-data')
let pairs = 0
let compared = 0
const IGNORED = new Set(['input', 'line', 'format', 'original', 'raw'])
const normalized = (ev: ScantagEvent): string => JSON.stringify(ev, (k, v: unknown) => IGNORED.has(k) ? undefined : v)
if (existsSync(brim)) {
  for (const name of readdirSync(join(brim, 'zeek-default')).sort()) {
    const jsonName = name.replace(/\.log\.gz$/, '.json.gz')
    const jsonFile = join(brim, 'zeek-json', jsonName)
    if (!existsSync(jsonFile)) continue
    const tsv = await read(join(brim, 'zeek-default', name), true)
    const json = await read(jsonFile, true)
    pairs++
    if (tsv.events.length !== json.events.length) {
      failures.push(`brimdata ${name}: ${tsv.events.length} TSV events vs ${json.events.length} JSON events`)
      continue
    }
    let diffs = 0
    for (let i = 0; i < tsv.events.length; i++) {
      const a = normalized(tsv.events[i])
      const b = normalized(json.events[i])
      compared++
      if (a !== b && ++diffs <= 2) failures.push(`brimdata ${name} record ${i + 1}: TSV and JSON normalize differently\n    tsv:  ${a.slice(0, 400)}\n    json: ${b.slice(0, 400)}`)
    }
  }
}

console.log('format           lines  inputs records  dead  file')
for (const r of rows) console.log(r)
console.log(`\nskipped (not a log format scantag reads): ${skipped.length}`)
for (const s of skipped) console.log(`  ${s}`)
console.log(`\n${totals.files} files, ${totals.dataLines} data lines: ${totals.records} records + ${totals.deadLetters} dead letters = ${totals.records + totals.deadLetters} of ${totals.inputRecords} input records`)
console.log(`schemas: network-event or process-event, merge and ecs checked for every record, ${totals.schemaErrors} failures`)
console.log(`community id: ${totals.cidChecked} Suricata values recomputed`)
console.log(`brimdata TSV vs JSON: ${pairs} log pairs, ${compared} records compared`)
if (failures.length > 0) {
  console.log(`\nFAIL: ${failures.length} problem(s)`)
  for (const f of failures) console.log(`- ${f}`)
  process.exit(1)
}
console.log('\nOK')
