/**
 * scantag as a drop-in Transform: read a Zeek or Suricata log, enrich it, write NDJSON.
 *
 *   node --import tsx examples/pipeline.ts examples/data/eve.json > enriched.ndjson
 *
 * Dead letters (lines that cannot be read) go to stderr as JSON; the stream never stops for them.
 */
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createEnricher, createSerializer, readAny, type DeadLetter } from 'scantag'

const input = process.argv[2] ?? 'examples/data/eve.json'
const format = process.argv[3] === 'ecs' ? 'ecs' : 'merge'

const reader = readAny({
  input,
  onDeadLetter: (dl: DeadLetter) => { process.stderr.write(JSON.stringify(dl) + '\n') }
})

try {
  await pipeline(
    createReadStream(input),
    reader,
    createEnricher({ format }),
    createSerializer(),
    process.stdout
  )
} catch (err) {
  // `... | head` closes the pipe early: that is not an error for a command-line filter.
  if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err
  process.exit(0)
}

const { records, deadLetters, dataLines } = reader.stats
process.stderr.write(`${input}: ${records} records + ${deadLetters} dead letters = ${dataLines} data lines\n`)
