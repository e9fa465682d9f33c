/**
 * scantag: streaming enrichment of Zeek and Suricata logs with MITRE ATT&CK T1595 labels.
 *
 * @packageDocumentation
 */
export type {
  AlertFields,
  Attribution,
  Detection,
  DetectionRecord,
  Label,
  Subtechnique,
  ConnectionOutcome,
  Counters,
  DeadLetter,
  DnsFields,
  Endpoint,
  EventKind,
  HttpFields,
  InputFormat,
  NetworkEvent,
  NetworkFormat,
  ParentProcess,
  ProcessAction,
  ProcessEvent,
  ProcessInfo,
  HostInfo,
  SocketInfo,
  ScantagEvent,
  ScantagFields,
  ScantagProcess,
  Sensor,
  TelemetryFormat,
  TelemetrySensor,
  Transport
} from './model.js'
export {
  createEnricher,
  createSerializer,
  readAny,
  readEve,
  readTelemetry,
  readZeek,
  isScantagEvent,
  isDetectionRecord,
  LogReader,
  DEFAULT_MAX_LINE_LENGTH,
  type EnricherOptions,
  type HostConfig,
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
export type { Correlator, CorrelatorContext, CorrelatorLogger, DetectionInput, KeyedState, LabelInput, SourceEvidence, StateOptions } from './correlate/api.js'
export { CorrelationEngine, heldEventBytes, DEFAULT_MAX_HELD_BYTES, DEFAULT_MAX_EVIDENCE_SOURCES, type AllowEntry, type EngineOptions, type EngineOutput } from './correlate/engine.js'
export { builtinCorrelators, BUILTIN_NAMES } from './correlate/builtins.js'
export { TACTICS, TECHNIQUES, SUBTECHNIQUES } from './correlate/knowledge/attack.js'
export { createNetSet, DEFAULT_HOME_NET } from './correlate/netset.js'
export { ProcessTable, type ProcessRecord, type ProcessTableOptions } from './correlate/process-table.js'
export { flowAttribution, ATTRIBUTION_CONFIDENCE, type AttributionOptions } from './correlate/attribution.js'
export { commandLineTargets, targetsInclude, describeTargets, type CommandLineTargets } from './correlate/targets.js'
export { NETWORK_TOOLS, networkToolFor, type NetworkTool } from './correlate/knowledge/network-tools.js'
export { splitPosixCommandLine, splitWindowsCommandLine } from './parse/cmdline.js'
export { readStateFile, writeStateFile, snapshotEngine, restoreEngine, parseState, StateFileError, STATE_VERSION, type EngineState } from './state-file.js'
export { startShardedEnrichment, type ShardedEnrichment, type ShardedEnrichmentOptions, type ShardedResult } from './workers/run.js'
export { createShardedEnricher, type ShardedEnricherOptions } from './workers/objects.js'
export { WorkerFailure } from './workers/pool.js'
export type { ShardingReader } from './workers/reader.js'
export type { Diagnostic as WorkerDiagnostic, WorkerEnricherSettings } from './workers/protocol.js'
export { createJetStreamWorker, checkWorkerOptions, type JetStreamWorker, type JetStreamWorkerOptions, type WorkerEnricherOptions } from './jetstream/worker.js'
export { routeFiles, routeSubject, partitionForEvent, recordText, type RouteOptions, type RouteStats } from './jetstream/route.js'
export { jetStreamNames, JetStreamOptionError, HEADERS as JETSTREAM_HEADERS, type JetStreamNames } from './jetstream/names.js'
export { MessageDecoder, type DecodedMessage, type DecodeFailure } from './jetstream/decode.js'
export { CheckpointError, CHECKPOINT_VERSION, type CheckpointHeader } from './jetstream/checkpoint.js'
export type { StreamLimits } from './jetstream/setup.js'
export type { PartitionStats, WorkerStats } from './jetstream/stats.js'
export { partitionOf, canonicalKey, checkPartitions, ScannerKeys, MAX_PARTITIONS } from './partition.js'
