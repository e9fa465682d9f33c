/**
 * The ATT&CK entries scantag labels with, as data.
 *
 * Reference: MITRE ATT&CK Enterprise, T1595 Active Scanning (v1.0, last modified 2022-03-08,
 * https://attack.mitre.org/techniques/T1595/) and T1046 Network Service Discovery
 * (https://attack.mitre.org/techniques/T1046/), which ATT&CK files internal scanning under
 * and Elastic's prebuilt rules also use for scans from inside the network.
 */
import type { Label, Subtechnique } from '../../model.js'

/** A technique or sub-technique entry. */
export interface AttackEntry {
  id: string
  name: string
  reference: string
}

export const TACTICS = {
  TA0043: { id: 'TA0043', name: 'Reconnaissance', reference: 'https://attack.mitre.org/tactics/TA0043/' },
  TA0007: { id: 'TA0007', name: 'Discovery', reference: 'https://attack.mitre.org/tactics/TA0007/' }
} as const satisfies Record<string, AttackEntry>

export const TECHNIQUES = {
  T1595: { id: 'T1595', name: 'Active Scanning', reference: 'https://attack.mitre.org/techniques/T1595/' },
  T1046: { id: 'T1046', name: 'Network Service Discovery', reference: 'https://attack.mitre.org/techniques/T1046/' }
} as const satisfies Record<string, AttackEntry>

export const SUBTECHNIQUES: Readonly<Record<Subtechnique, AttackEntry>> = {
  'T1595.001': { id: 'T1595.001', name: 'Scanning IP Blocks', reference: 'https://attack.mitre.org/techniques/T1595/001/' },
  'T1595.002': { id: 'T1595.002', name: 'Vulnerability Scanning', reference: 'https://attack.mitre.org/techniques/T1595/002/' },
  'T1595.003': { id: 'T1595.003', name: 'Wordlist Scanning', reference: 'https://attack.mitre.org/techniques/T1595/003/' }
}

/** The label for a T1595 finding: the sub-technique's name, or the technique's for evidence. */
export function t1595Label (subtechnique: Subtechnique | null, rest: Pick<Label, 'confidence' | 'correlator' | 'reason' | 'detection'>): Label {
  const label: Label = {
    technique: 'T1595',
    subtechnique,
    name: subtechnique === null ? TECHNIQUES.T1595.name : SUBTECHNIQUES[subtechnique].name,
    tactic: 'TA0043',
    confidence: rest.confidence,
    correlator: rest.correlator,
    reason: rest.reason
  }
  if (rest.detection !== undefined) label.detection = rest.detection
  return label
}

/** The companion T1046 label for a scan from inside the home network. */
export function t1046Label (rest: Pick<Label, 'confidence' | 'correlator' | 'reason' | 'detection'>): Label {
  const label: Label = {
    technique: 'T1046',
    subtechnique: null,
    name: TECHNIQUES.T1046.name,
    tactic: 'TA0007',
    confidence: rest.confidence,
    correlator: rest.correlator,
    reason: rest.reason
  }
  if (rest.detection !== undefined) label.detection = rest.detection
  return label
}
