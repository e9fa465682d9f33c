/**
 * Output of detection records: the scan summaries the enricher emits between the events
 * ({@link DetectionRecord}), in `merge` form and as ECS alert documents.
 *
 * The ECS document is what Elastic Security writes for a detection alert, as far as ECS goes
 * (Kibana's `kibana.alert.*` fields are Elastic's own and are not reproduced):
 *
 * | field | value |
 * |---|---|
 * | `@timestamp` | the record's event time (ISO 8601 UTC, microseconds) |
 * | `message` | the detection's `reason` |
 * | `event.kind` / `event.category` / `event.type` | `alert` / `[intrusion_detection, network]` / `[info]` |
 * | `event.module` / `event.dataset` | `scantag` / `scantag.detection` |
 * | `event.action` | `detection-opened`, `detection-updated` or `detection-closed` (from `status`) |
 * | `event.id` | the detection id: the same on every record of one detection, each a newer state of it |
 * | `event.start` / `event.end` / `event.duration` | `first_seen` / `last_seen` / their difference in nanoseconds |
 * | `rule.name` | the correlator |
 * | `source.ip` (and `source.address`) | the scanning source |
 * | `related.ip` | the source, then the sample targets that are addresses (wordlist scans sample names and paths, left out) |
 * | `threat.*` | TA0043 Reconnaissance / T1595 Active Scanning / the sub-technique, plus TA0007 Discovery / T1046 Network Service Discovery when `alsoTechniques` has it (see `ecsThreat` in `./ecs.ts`) |
 * | `process.*`, `host.name`, `user.*` (and `related.user`, `related.hosts`) | when the scan was attributed to a process |
 * | `scantag.detection` | the {@link Detection} itself |
 *
 * `schemas/detection.schema.json` is the JSON Schema of {@link Detection}; the documents
 * validate against `schemas/merge-output.schema.json` and `schemas/ecs-output.schema.json`.
 *
 * @packageDocumentation
 */
import { isIP } from 'node:net'
import type { Detection, DetectionRecord } from '../model.js'
import { formatIsoMicros, parseIsoTime } from '../parse/time.js'
import {
  ECS_VERSION, ecsThreat, ecsUser, scantagProcessToEcs,
  type AttackClassification, type EcsDocument, type EcsEndpoint, type EcsEvent, type EcsRelated
} from './ecs.js'

/** A detection record in `merge` output: the `scantag` object alone. */
export interface MergeDetectionRecord {
  scantag: { detection: Detection }
}

/** A detection record in `ecs` output: an {@link EcsDocument} whose `scantag` holds the detection. */
export type EcsDetectionDocument = Omit<EcsDocument, 'scantag'> & { scantag: { detection: Detection } }

/** An {@link EcsDetectionDocument} being built (`scantag` is added last). */
type Draft = Omit<EcsDetectionDocument, 'scantag'> & { scantag?: EcsDetectionDocument['scantag'] }

/** `event.action` per detection status. */
export const DETECTION_ACTIONS: Readonly<Record<Detection['status'], string>> = {
  open: 'detection-opened',
  updated: 'detection-updated',
  closed: 'detection-closed'
}

/** The ATT&CK classifications of a detection: T1595 (with its sub-technique) and the `alsoTechniques`. */
function classificationsOf (d: Detection): AttackClassification[] {
  const out: AttackClassification[] = [{ tactic: 'TA0043', technique: d.technique, subtechnique: d.subtechnique }]
  for (const t of d.alsoTechniques) {
    if (t === 'T1046') out.push({ tactic: 'TA0007', technique: 'T1046', subtechnique: null })
  }
  return out
}

/**
 * A detection record in `merge` output: `{scantag: {detection}}`, the detection shared, not copied
 * (the engine emits a snapshot per record).
 *
 * @param rec a detection record from the enricher
 */
export function detectionToMerge (rec: DetectionRecord): MergeDetectionRecord {
  return { scantag: { detection: rec.detection } }
}

/**
 * A detection record as an ECS alert document (see the table in this module's documentation).
 * Fields the detection lacks are omitted, never `null`; the detection is shared, not copied.
 *
 * @param rec a detection record from the enricher
 * @returns the ECS document
 */
export function detectionToEcs (rec: DetectionRecord): EcsDetectionDocument {
  const d = rec.detection
  const first = parseIsoTime(d.first_seen)
  const last = parseIsoTime(d.last_seen)
  const ev: EcsEvent = {
    kind: 'alert',
    category: ['intrusion_detection', 'network'],
    type: ['info'],
    module: 'scantag',
    dataset: 'scantag.detection',
    action: DETECTION_ACTIONS[d.status],
    id: d.id
  }
  if (first !== undefined) ev.start = formatIsoMicros(first)
  if (last !== undefined) ev.end = formatIsoMicros(last)
  if (first !== undefined && last !== undefined && last >= first) ev.duration = Math.round((last - first) * 1e6) * 1000

  // Built in output order; `scantag` goes last, as in every other document.
  const time = Number.isFinite(rec.time) ? rec.time : last
  const doc: Draft = time !== undefined
    ? { '@timestamp': formatIsoMicros(time), ecs: { version: ECS_VERSION }, message: d.reason, event: ev }
    : { ecs: { version: ECS_VERSION }, message: d.reason, event: ev }

  // --- the process, host and user the scan was attributed to
  const relatedUsers: string[] = []
  const relatedHosts: string[] = []
  if (d.host !== undefined && d.host.name.length > 0) {
    doc.host = { name: d.host.name }
    relatedHosts.push(d.host.name)
  }
  if (d.process !== undefined) {
    const p = scantagProcessToEcs(d.process)
    if (p !== undefined) doc.process = p
  }
  if (d.user !== undefined && d.user.name.length > 0) {
    const u = ecsUser(d.user.name)
    doc.user = u
    relatedUsers.push(u.name ?? d.user.name)
  }

  // --- source, related
  const ips: string[] = []
  if (d.source.ip.length > 0) {
    const source: EcsEndpoint = { address: d.source.ip, ip: d.source.ip }
    doc.source = source
    if (isIP(d.source.ip) !== 0) ips.push(d.source.ip)
  }
  for (const target of d.sample_targets) {
    if (isIP(target) !== 0 && !ips.includes(target)) ips.push(target)
  }
  if (ips.length > 0 || relatedUsers.length > 0 || relatedHosts.length > 0) {
    const r: EcsRelated = {}
    if (ips.length > 0) r.ip = ips
    if (relatedUsers.length > 0) r.user = relatedUsers
    if (relatedHosts.length > 0) r.hosts = relatedHosts
    doc.related = r
  }

  // --- rule, threat
  if (d.correlator.length > 0) doc.rule = { name: d.correlator }
  const threat = ecsThreat(classificationsOf(d))
  if (threat !== undefined) doc.threat = threat

  doc.scantag = { detection: d }
  return doc as EcsDetectionDocument
}
