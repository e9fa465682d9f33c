/**
 * scantag: streaming enrichment of Zeek and Suricata logs with MITRE ATT&CK T1595 labels.
 *
 * @packageDocumentation
 */
export type {
  AlertFields,
  ConnectionOutcome,
  Counters,
  DeadLetter,
  DnsFields,
  Endpoint,
  EventKind,
  HttpFields,
  InputFormat,
  NetworkEvent,
  ScantagFields,
  Sensor,
  Transport
} from './model.js'
export {
  createEnricher,
  createSerializer,
  readAny,
  readEve,
  readZeek,
  LogReader,
  DEFAULT_MAX_LINE_LENGTH,
  type EnricherOptions,
  type OutputFormat,
  type ReaderOptions,
  type ReaderStats,
  type SerializerOptions
} from './stream.js'
export { mergeByTime, type MergeOptions, type MergeStats } from './merge.js'
export { communityId, protoNumberOf } from './community-id.js'
export { toEcs, type EcsDocument } from './output/ecs.js'
export { toMerge, mergeLine, type MergeDocument } from './output/merge.js'
export { buildSummary, type Summary } from './output/summary.js'
export { DEFAULT_CONFIG, ConfigError, loadConfigFile, resolveConfig, type ScantagConfig } from './config.js'
export { eveFlowOutcome, zeekOutcome } from './parse/outcome.js'
export { parseIsoTime, parseZeekTs } from './parse/time.js'
export { sniffLine } from './parse/sniff.js'
