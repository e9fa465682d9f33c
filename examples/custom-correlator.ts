/**
 * A user-defined correlator, end to end: label sources that probe Remote Desktop on several
 * hosts, retroactively, with one detection per source.
 *
 *   node --import tsx examples/custom-correlator.ts            # runs it on the bundled lab scan
 *   scantag enrich eve.json --plugin ./rdp-probes.js           # the same module as a CLI plugin
 *
 * It uses only the public plugin API, exactly as the built-in correlators do.
 */
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { createEnricher, readAny, type Correlator, type ScantagEvent } from 'scantag'

/** Tunables, each with why. */
const RDP_PORT = 3389 // Microsoft Remote Desktop
const MIN_HOSTS = 3 // three hosts: more than a user reconnecting to one server, far fewer than a sweep detector needs
const WINDOW_SECONDS = 300 // five minutes of event time

export function rdpProbes (): Correlator {
  return {
    name: 'rdp-probes',
    categories: ['network'],
    onEvent (event, ctx) {
      if (event.category !== 'network' || event.kind !== 'flow' || event.dst?.port !== RDP_PORT || event.src === undefined || event.time === undefined) return
      const src = event.src.ip
      if (ctx.isAllowed(src, { port: RDP_PORT })) return
      const hosts = ctx.state<string[]>('hosts', { max: 10_000, ttlSeconds: WINDOW_SECONDS })
      const seen = hosts.get(src) ?? []
      if (!seen.includes(event.dst.ip) && seen.length < 1000) seen.push(event.dst.ip)
      hosts.set(src, seen)
      if (seen.length < MIN_HOSTS) {
        // Not yet: keep the event back so the detection can still label it.
        ctx.holdFor(src, event, event.time + WINDOW_SECONDS)
        return
      }
      const detection = ctx.detect({
        key: src,
        subtechnique: 'T1595.001',
        sourceIp: src,
        firstSeen: event.time,
        lastSeen: event.time,
        targetCount: seen.length,
        portCount: 1,
        eventCount: seen.length,
        sampleTargets: seen.slice(0, 5),
        samplePorts: [RDP_PORT],
        confidence: 0.6,
        reason: `${src} probed Remote Desktop (tcp/${RDP_PORT}) on ${seen.length} hosts`
      })
      const label = { subtechnique: 'T1595.001' as const, confidence: 0.6, reason: detection.reason, detection: detection.id }
      ctx.tagHeld(src, label)
      ctx.tag(event, label)
    }
  }
}

export default rdpProbes

// Run directly: enrich the bundled lab capture and report what the custom correlator found.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const input = process.argv[2] ?? 'examples/data/eve.json'
  let labelled = 0
  const sources = new Set<string>()
  const detections: string[] = []
  await pipeline(
    createReadStream(input),
    readAny({ input }),
    createEnricher({ format: 'event', builtins: false, correlators: [rdpProbes()] }),
    new Writable({
      objectMode: true,
      write (out: ScantagEvent | { category: 'detection', detection: { status: string, reason: string } }, _enc, cb) {
        if (out.category === 'detection') {
          if (out.detection.status === 'open') detections.push(out.detection.reason)
        } else if (out.scantag.labels?.some(l => l.correlator === 'rdp-probes') === true) {
          labelled++
          if (out.category === 'network' && out.src !== undefined) sources.add(out.src.ip)
        }
        cb()
      }
    })
  )
  process.stdout.write(`rdp-probes: ${detections.length} detection(s); ${labelled} events labelled from ${[...sources].join(', ')}\n`)
  for (const d of detections) process.stdout.write(`  ${d}\n`)
}
