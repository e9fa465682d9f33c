/**
 * The run summary written by `--summary`: counts per input, format, kind and dead letters.
 */
import { getHeapStatistics } from 'node:v8'
import type { MergeStats } from '../merge.js'
import type { DeadLetter, Detection } from '../model.js'
import type { ReaderStats } from '../parse/reader.js'

/** What {@link buildSummary} needs. */
export interface SummaryInput {
  version: string
  format: string
  readers: ReaderStats[]
  outputRecords: number
  /** Flows tied to a process, by attribution method. */
  attribution?: Record<string, number>
  /** Each detection in its last state. */
  detections?: Detection[]
  /** Detection records written, by status. */
  detectionRecords?: Record<string, number>
  merge?: MergeStats
  deadLetterExamples: DeadLetter[]
  elapsedSeconds: number
}

/** The summary document. `totals.records + totals.deadLetters === totals.inputRecords`. */
export interface Summary {
  scantag: string
  outputFormat: string
  inputs: ReaderStats[]
  totals: {
    lines: number
    dataLines: number
    records: number
    deadLetters: number
    outputRecords: number
    /** Input records: lines, or audit events, osquery rows, JSON document elements. */
    inputRecords: number
    /** True when every input record became a record or a dead letter and every record was written. */
    reconciled: boolean
  }
  kinds: Record<string, number>
  sensors: Record<string, number>
  /** Flows tied to a process, by attribution method (`exact`, `host-time`). */
  attribution: Record<string, number>
  /** Detections, in their last state, with counts per sub-technique. */
  detections: { count: number, bySubtechnique: Record<string, number>, records: Record<string, number>, list: Detection[] }
  merge?: MergeStats
  deadLetterExamples: DeadLetter[]
  elapsedSeconds: number
  recordsPerSecond: number
  /**
   * This process's memory: peak resident set size and V8's heap limit (the `scantag` command
   * sets 256 MiB), in MiB, so that caps and heap can be sized from real runs.
   */
  memory: { peakRssMiB: number, heapLimitMiB: number }
}

const SENSOR_OF: Record<string, string> = {
  eve: 'suricata',
  'zeek-tsv': 'zeek',
  'zeek-json': 'zeek',
  sysmon: 'sysmon',
  auditd: 'auditd',
  osquery: 'osquery',
  ecs: 'elastic',
  'json-document': 'mixed (JSON document)'
}

/** Builds the summary from the readers' final stats. */
export function buildSummary (s: SummaryInput): Summary {
  const kinds: Record<string, number> = {}
  const sensors: Record<string, number> = {}
  let lines = 0; let dataLines = 0; let inputRecords = 0; let records = 0; let deadLetters = 0
  for (const r of s.readers) {
    lines += r.lines; dataLines += r.dataLines; inputRecords += r.inputRecords; records += r.records; deadLetters += r.deadLetters
    const sensor = SENSOR_OF[r.format] ?? 'unknown'
    for (const [k, n] of Object.entries(r.kinds)) {
      kinds[k] = (kinds[k] ?? 0) + n
      sensors[sensor] = (sensors[sensor] ?? 0) + n
    }
  }
  const summary: Summary = {
    scantag: s.version,
    outputFormat: s.format,
    inputs: s.readers,
    totals: {
      lines,
      dataLines,
      inputRecords,
      records,
      deadLetters,
      outputRecords: s.outputRecords,
      reconciled: s.readers.every(r => r.records + r.deadLetters === r.inputRecords) && s.outputRecords === records
    },
    kinds,
    sensors,
    attribution: s.attribution ?? {},
    detections: {
      count: (s.detections ?? []).length,
      bySubtechnique: (s.detections ?? []).reduce<Record<string, number>>((m, d) => { const k = d.subtechnique ?? d.technique; m[k] = (m[k] ?? 0) + 1; return m }, {}),
      records: s.detectionRecords ?? {},
      list: s.detections ?? []
    },
    deadLetterExamples: s.deadLetterExamples,
    elapsedSeconds: Math.round(s.elapsedSeconds * 1000) / 1000,
    recordsPerSecond: s.elapsedSeconds > 0 ? Math.round(records / s.elapsedSeconds) : 0,
    memory: {
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 1048576)
    }
  }
  if (s.merge !== undefined) summary.merge = s.merge
  return summary
}
