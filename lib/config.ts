/**
 * Configuration: defaults, loading and validation against `schemas/config.schema.json`.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject } from 'ajv'
import type { BuiltinCorrelatorOptions } from './correlate/builtins.js'
import type { EnricherOptions } from './stream.js'

/** scantag configuration (see `schemas/config.schema.json`). */
export interface ScantagConfig {
  /** Output format. */
  format: 'merge' | 'ecs'
  /** Input format for every input, or `auto`. */
  inputFormat: 'auto' | 'zeek-tsv' | 'zeek-json' | 'eve' | 'sysmon' | 'auditd' | 'osquery' | 'ecs'
  /** Community ID seed (0–65535). */
  communityIdSeed: number
  /** Longest accepted line in characters. */
  maxLineLength: number
  /** Seconds of disorder tolerated per input in the time-ordered merge. */
  lateness: number
  /** Most events held for the merge. */
  maxBuffered: number
  /** Worker threads the CLI shards parsing and correlation across, by scanner key (1: none). */
  workers: number
  /** Endpoints and their addresses. */
  hosts: Array<{ name: string, ips: string[] }>
  /** Clock difference tolerated between sensors and endpoints, seconds. */
  clockSkewSeconds: number
  /** How long a socket record waits for its flow, seconds. */
  socketTtlSeconds: number
  /** Most socket records remembered. */
  maxSockets: number
  /** Most processes in the process table. */
  maxProcesses: number
  /** Ancestors written into scantag.process.lineage. */
  lineageDepth: number
  /** Most events held back by correlators. */
  maxHeldEvents: number
  /** Most estimated bytes of events held back by correlators. */
  maxHeldBytes: number
  /** Longest hold, seconds of event time. */
  maxHoldSeconds: number
  /** Home network CIDRs. */
  homeNet: string[]
  /** Sources never reported. */
  allow: Array<{ cidr: string, ports?: number[], subtechniques?: Array<'T1595.001' | 'T1595.002' | 'T1595.003'>, reason?: string }>
  /** Label internal scans with T1046 too. */
  internalT1046: boolean
  /** Least event time between two updated records of one detection. */
  detectionUpdateSeconds: number
  /** Most open detections. */
  maxDetections: number
  /** Most sources whose shared evidence is remembered. */
  maxEvidenceSources: number
  /** Built-in correlators to run. */
  builtins: boolean | string[]
  /** Tunables of the built-in correlators, by name. */
  correlatorOptions: BuiltinCorrelatorOptions
}

/** Defaults, as in the schema. */
export const DEFAULT_CONFIG: Readonly<ScantagConfig> = Object.freeze({
  format: 'merge',
  inputFormat: 'auto',
  communityIdSeed: 0,
  maxLineLength: 1024 * 1024,
  lateness: 60,
  maxBuffered: 100_000,
  workers: 1,
  hosts: [],
  clockSkewSeconds: 5,
  socketTtlSeconds: 3600,
  maxSockets: 100_000,
  maxProcesses: 100_000,
  lineageDepth: 4,
  maxHeldEvents: 10_000,
  maxHeldBytes: 32 * 1024 * 1024,
  maxHoldSeconds: 300,
  homeNet: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', 'fc00::/7', '::1/128'],
  allow: [],
  internalT1046: true,
  detectionUpdateSeconds: 60,
  maxDetections: 10_000,
  maxEvidenceSources: 20_000,
  builtins: true,
  correlatorOptions: {}
})

/** A configuration error: the message names the field and what to change. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const schemaUrl = new URL('../schemas/config.schema.json', import.meta.url)
let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined

function validate (data: unknown): ErrorObject[] {
  if (validator === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true })
    validator = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object)
  }
  return validator(data) ? [] : (validator.errors ?? [])
}

function describe (e: ErrorObject, nameOf: (field: string) => string): string {
  const where = e.instancePath === '' ? 'the configuration' : nameOf(e.instancePath.slice(1).replace(/\//g, '.'))
  if (e.keyword === 'additionalProperties') {
    const name = String(e.params.additionalProperty)
    return e.instancePath === ''
      ? `unknown setting "${name}" (allowed: ${Object.keys(DEFAULT_CONFIG).join(', ')})`
      : `unknown setting "${name}" in ${where}`
  }
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`
  return `${where} ${e.message ?? 'is invalid'}`
}

/**
 * Validates a partial configuration object and returns it merged over the defaults.
 * @throws {@link ConfigError} naming every invalid field
 */
export function resolveConfig (partial: unknown, source = 'configuration', nameOf: (field: string) => string = f => f): ScantagConfig {
  const errors = validate(partial)
  if (errors.length > 0) {
    throw new ConfigError(`${source}: ${errors.map(e => describe(e, nameOf)).join('; ')}`)
  }
  return { ...DEFAULT_CONFIG, ...(partial as Partial<ScantagConfig>) }
}

/**
 * Reads and validates a JSON configuration file.
 * @throws {@link ConfigError} when the file cannot be read, is not JSON, or is invalid
 */
export function loadConfigFile (path: string): ScantagConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`)
  }
  return resolveConfig(data, `config file ${path}`)
}

/**
 * The `createEnricher` options a configuration decides: everything but what belongs to one
 * stream (output format, input name, callbacks, plugin correlators, restored state).
 */
export type ConfiguredEnricherOptions = Omit<EnricherOptions, 'format' | 'input' | 'onDeadLetter' | 'log' | 'correlators' | 'state'>

/**
 * The enricher options of a configuration: one list for every place that builds an enricher
 * (`scantag enrich` in this thread or its worker threads, `scantag worker`), so that none of
 * them can miss a setting.
 */
export function enricherOptionsOf (config: ScantagConfig): ConfiguredEnricherOptions {
  return {
    communityIdSeed: config.communityIdSeed,
    homeNet: config.homeNet,
    allow: config.allow,
    internalT1046: config.internalT1046,
    detectionUpdateSeconds: config.detectionUpdateSeconds,
    maxDetections: config.maxDetections,
    maxEvidenceSources: config.maxEvidenceSources,
    builtins: config.builtins,
    correlatorOptions: config.correlatorOptions,
    hosts: config.hosts,
    clockSkewSeconds: config.clockSkewSeconds,
    socketTtlSeconds: config.socketTtlSeconds,
    maxSockets: config.maxSockets,
    maxProcesses: config.maxProcesses,
    lineageDepth: config.lineageDepth,
    maxHeldEvents: config.maxHeldEvents,
    maxHeldBytes: config.maxHeldBytes,
    maxHoldSeconds: config.maxHoldSeconds
  }
}
