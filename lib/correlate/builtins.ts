/**
 * The built-in correlators, in the order they run. Each is written against the same public
 * `Correlator` API users get. Flow attribution runs first (createEnricher puts it there) because
 * the others read the process it attaches; the evidence correlators (protocol anomalies, rare
 * network processes) run before the detectors whose confidence they raise.
 */
import type { Correlator } from './api.js'
import { horizontalSweep, type HorizontalSweepOptions } from './horizontal-sweep.js'
import { protocolAnomaly, type ProtocolAnomalyOptions } from './protocol-anomaly.js'
import { rareNetworkProcess, type RareNetworkProcessOptions } from './rare-network-process.js'
import { scannerProcess, type ScannerProcessOptions } from './scanner-process.js'
import { verticalScan, type VerticalScanOptions } from './vertical-scan.js'
import { vulnScan, type VulnScanOptions } from './vuln-scan.js'
import { wordlistScan, type WordlistScanOptions } from './wordlist-scan.js'

/** Tunables of each built-in, by correlator name. */
export interface BuiltinCorrelatorOptions {
  'protocol-anomaly'?: ProtocolAnomalyOptions
  'rare-network-process'?: RareNetworkProcessOptions
  'scanner-process'?: ScannerProcessOptions
  'horizontal-sweep'?: HorizontalSweepOptions
  'vertical-scan'?: VerticalScanOptions
  'vuln-scan'?: VulnScanOptions
  'wordlist-scan'?: WordlistScanOptions
}

const FACTORIES: { [K in keyof Required<BuiltinCorrelatorOptions>]: (o: BuiltinCorrelatorOptions[K]) => Correlator } = {
  'protocol-anomaly': (o) => protocolAnomaly(o),
  'rare-network-process': (o) => rareNetworkProcess(o),
  'scanner-process': (o) => scannerProcess(o),
  'horizontal-sweep': (o) => horizontalSweep(o),
  'vertical-scan': (o) => verticalScan(o),
  'vuln-scan': (o) => vulnScan(o),
  'wordlist-scan': (o) => wordlistScan(o)
}

/** Names of the built-in detection correlators, in run order. */
export const BUILTIN_NAMES: ReadonlyArray<keyof BuiltinCorrelatorOptions> = Object.keys(FACTORIES) as Array<keyof BuiltinCorrelatorOptions>

/** Which built-ins to run and their tunables. */
export interface BuiltinOptions {
  /** All (default), none (`false`), or those named. */
  builtins?: boolean | string[]
  /** Tunables per correlator name. */
  correlatorOptions?: BuiltinCorrelatorOptions
}

/**
 * Creates the enabled built-in correlators.
 * @throws TypeError for an unknown correlator name or invalid tunables
 */
export function builtinCorrelators (options: BuiltinOptions = {}): Correlator[] {
  const wanted = options.builtins ?? true
  if (wanted === false) return []
  const names = wanted === true ? BUILTIN_NAMES : wanted
  for (const name of names) {
    if (!(name in FACTORIES)) throw new TypeError(`unknown built-in correlator "${name}" (known: ${BUILTIN_NAMES.join(', ')})`)
  }
  for (const name of Object.keys(options.correlatorOptions ?? {})) {
    if (!(name in FACTORIES)) throw new TypeError(`correlatorOptions: unknown correlator "${name}" (known: ${BUILTIN_NAMES.join(', ')})`)
  }
  const tunables = options.correlatorOptions ?? {}
  // Keep run order regardless of the order names were given in.
  return BUILTIN_NAMES.filter(n => names.includes(n)).map(n => (FACTORIES[n] as (o: unknown) => Correlator)(tunables[n]))
}
