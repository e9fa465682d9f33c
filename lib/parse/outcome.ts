/**
 * Connection outcome: one vocabulary for Zeek `conn_state`/`history` and Suricata flow records.
 *
 * This file is the single place where the mapping lives; README.md links here.
 *
 * | outcome       | Zeek conn.log                                                        | Suricata EVE flow                                             |
 * |---------------|----------------------------------------------------------------------|---------------------------------------------------------------|
 * | `unanswered`  | `S0`; `SH`; `RSTOS0`; non-TCP with no responder packets               | TCP: client sent SYN, server sent nothing; UDP/ICMP: no reply |
 * | `rejected`    | `REJ`                                                                 | TCP: client SYN answered by RST (no SYN-ACK)                  |
 * | `established` | `S1`, `SF`, `S2`, `S3`; non-TCP with responder packets                | TCP: SYN-ACK and client ACK, no RST; UDP/ICMP: reply seen     |
 * | `reset`       | `RSTO`, `RSTR` (incl. half-open `ShR` SYN-scan probes of open ports)  | TCP: SYN-ACK seen, then RST from either side                  |
 * | `partial`     | `OTH`, `SHR`, `RSTRH` (no SYN from the originator seen)               | TCP: no client SYN seen (mid-stream or backscatter)           |
 * | `other`       | anything else / missing `conn_state`                                  | anything else                                                 |
 *
 * Sources: Zeek `base/protocols/conn/main.zeek` documents `conn_state` (S0 "connection attempt
 * seen, no reply", REJ "connection attempt rejected", RSTOS0 "originator sent a SYN followed by a
 * RST, never saw a SYN-ACK", SH "originator sent a SYN followed by a FIN, never saw a SYN ACK",
 * SHR / RSTRH "responder sent a SYN ACK ... never saw a SYN from the originator", OTH "no SYN
 * seen, just midstream traffic"). Suricata's `tcp_flags_ts`/`tcp_flags_tc` are the OR of the TCP
 * flags each side sent (hex): FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10.
 */
import type { ConnectionOutcome } from '../model.js'

/** Zeek `conn_state` → outcome, TCP. */
const ZEEK_TCP_STATES: Readonly<Record<string, ConnectionOutcome>> = {
  S0: 'unanswered',
  SH: 'unanswered',
  RSTOS0: 'unanswered',
  REJ: 'rejected',
  S1: 'established',
  SF: 'established',
  S2: 'established',
  S3: 'established',
  RSTO: 'reset',
  RSTR: 'reset',
  OTH: 'partial',
  SHR: 'partial',
  RSTRH: 'partial'
}

/**
 * Outcome of a Zeek conn record.
 *
 * For UDP, ICMP and other connectionless protocols Zeek's state letters say little (ICMP is
 * usually `OTH`), so the decision is whether the responder sent anything back.
 */
export function zeekOutcome (transport: string | undefined, connState: string | undefined, respPackets: number | undefined, respBytes: number | undefined): ConnectionOutcome | undefined {
  if (connState === undefined) return undefined
  // Own keys only: a conn_state of `constructor` or `__proto__` must not find Object.prototype's.
  if (transport === 'tcp' || transport === undefined) return Object.hasOwn(ZEEK_TCP_STATES, connState) ? ZEEK_TCP_STATES[connState] : 'other'
  if (connState === 'REJ') return 'rejected'
  if (respPackets !== undefined) return respPackets > 0 ? 'established' : 'unanswered'
  if (respBytes !== undefined && respBytes > 0) return 'established'
  if (connState === 'S0') return 'unanswered'
  if (connState === 'SF') return 'established'
  return 'other'
}

const SYN = 0x02
const RST = 0x04
const ACK = 0x10

/**
 * Outcome of a Suricata EVE `flow` record.
 *
 * @param transport lower-case transport (`tcp`, `udp`, `icmp`, ...)
 * @param flagsToServer `tcp.tcp_flags_ts` as a number (flags the client sent), or undefined
 * @param flagsToClient `tcp.tcp_flags_tc` as a number (flags the server sent), or undefined
 * @param packetsToClient `flow.pkts_toclient`
 */
export function eveFlowOutcome (transport: string | undefined, flagsToServer: number | undefined, flagsToClient: number | undefined, packetsToClient: number | undefined): ConnectionOutcome {
  if (transport !== 'tcp') {
    if (packetsToClient === undefined) return 'other'
    return packetsToClient > 0 ? 'established' : 'unanswered'
  }
  if (flagsToServer === undefined) {
    if (packetsToClient === 0) return 'unanswered'
    return 'other'
  }
  if ((flagsToServer & SYN) === 0) return 'partial'
  const tc = flagsToClient ?? 0
  if (packetsToClient === 0 || tc === 0) return 'unanswered'
  const synAck = (tc & (SYN | ACK)) === (SYN | ACK)
  if (!synAck) return (tc & RST) !== 0 ? 'rejected' : 'other'
  if (((flagsToServer | tc) & RST) !== 0) return 'reset'
  if ((flagsToServer & ACK) !== 0) return 'established'
  // SYN answered by SYN-ACK, but the client never completed the handshake.
  return 'other'
}

/** Parses Suricata's two-digit hex TCP flag summary (`"1b"`). */
export function parseTcpFlags (hex: unknown): number | undefined {
  if (typeof hex !== 'string' || hex.length === 0 || hex.length > 4) return undefined
  const n = parseInt(hex, 16)
  return Number.isNaN(n) ? undefined : n
}
