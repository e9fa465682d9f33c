/**
 * Knowledge: protocol anomalies that scanners cause, and how much each says about its sender.
 *
 * ATT&CK's detection advice for T1595 (DS0029 Network Traffic Content) is to watch for traffic
 * "that does not follow the protocol's expected standards and flows: extraneous packets that
 * belong to no established flow, gratuitous or anomalous traffic patterns, anomalous syntax or
 * structure". Sensors report exactly that: Suricata's decoder, stream and app-layer events (as
 * EVE `anomaly` records and as `SURICATA ...` alerts of the rules shipped with Suricata), Zeek's
 * weird.log, and Zeek conn.log histories of packets that opened no connection.
 *
 * None of it names a sub-technique on its own, and much of it also comes from broken stacks,
 * middleboxes, packet loss and sensors that started mid-stream. So each entry carries a small
 * `weight` (0–1): the evidence a single occurrence adds about the packet's sender. Entries with
 * weight 0 are listed on purpose, as known non-evidence (normal retransmissions, capture gaps).
 *
 * @packageDocumentation
 */

/** Whose behaviour an anomaly shows: the packet's (or connection's) source, or its destination. */
export type AnomalySubject = 'src' | 'dst'

/** A Suricata decoder, stream or app-layer event. */
export interface SuricataAnomaly {
  /**
   * The event as EVE `anomaly.event` names it, without the `decoder.` prefix of decode events:
   * `stream.fin_syn`, `icmpv4.unknown_code`, `APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS`.
   */
  event: string
  /** The `msg` of the shipped rule that alerts on it (`SURICATA STREAM FIN SYN reuse`), when there is one. */
  signature?: string
  /** Evidence one occurrence adds about the sender, 0–1. */
  weight: number
  /** What it means for scanning. */
  meaning: string
}

/** Suricata's shipped rules for stream events. */
export const SURICATA_STREAM_RULES = 'https://github.com/OISF/suricata/blob/master/rules/stream-events.rules'
/** Suricata's shipped rules for decoder events. */
export const SURICATA_DECODER_RULES = 'https://github.com/OISF/suricata/blob/master/rules/decoder-events.rules'
/** Suricata's shipped rules for app-layer events. */
export const SURICATA_APPLAYER_RULES = 'https://github.com/OISF/suricata/blob/master/rules/app-layer-events.rules'
/** EVE anomaly records. */
export const SURICATA_EVE_ANOMALY = 'https://docs.suricata.io/en/latest/output/eve/eve-json-format.html#event-type-anomaly'
/** Nmap OS detection probes (odd flags, options and ICMP codes). */
export const NMAP_OS_PROBES = 'https://nmap.org/book/osdetect-methods.html'
/** Nmap's FIN, null, Xmas, ACK and Maimon scans. */
export const NMAP_SCAN_TECHNIQUES = 'https://nmap.org/book/man-port-scanning-techniques.html'

/** Stream engine events (`stream-events.rules`; EVE `anomaly.type` `stream`). */
export const SURICATA_STREAM_ANOMALIES: readonly SuricataAnomaly[] = [
  { event: 'stream.fin_syn', signature: 'SURICATA STREAM FIN SYN reuse', weight: 0.4, meaning: 'SYN and FIN in one packet: a crafted probe (nmap OS detection T3, SYN/FIN scans)' },
  { event: 'stream.fin_but_no_session', signature: 'SURICATA STREAM FIN recv but no session', weight: 0.3, meaning: 'a FIN outside any session: FIN, Xmas and Maimon scans (rule disabled by default: common when the sensor starts mid-stream)' },
  { event: 'stream.3whs_synack_in_wrong_direction', signature: 'SURICATA STREAM 3way handshake SYNACK in wrong direction', weight: 0.3, meaning: 'the client sent the SYN/ACK: SYN/ACK probes' },
  { event: 'stream.3whs_ack_in_wrong_dir', signature: 'SURICATA STREAM 3way handshake with ack in wrong dir', weight: 0.2, meaning: 'handshake ACK from the wrong side: crafted packets' },
  { event: 'stream.3whs_right_seq_wrong_ack_evasion', signature: 'SURICATA STREAM 3way handshake right seq wrong ack evasion', weight: 0.2, meaning: 'crafted handshake (evasion)' },
  { event: 'stream.3whs_wrong_seq_wrong_ack', signature: 'SURICATA STREAM 3way handshake wrong seq wrong ack', weight: 0.2, meaning: 'crafted handshake' },
  { event: 'stream.3whs_synack_toserver_on_syn_recv', signature: 'SURICATA STREAM 3way handshake SYNACK to server on SYN recv', weight: 0.2, meaning: 'SYN/ACK sent by the client during a handshake' },
  { event: 'stream.3whs_synack_flood', signature: 'SURICATA STREAM 3way handshake excessive different SYN/ACKs', weight: 0.2, meaning: 'many different SYN/ACKs in one session' },
  { event: 'stream.est_synack_toserver', signature: 'SURICATA STREAM ESTABLISHED SYNACK to server', weight: 0.2, meaning: 'SYN/ACK from the client in an established session' },
  { event: 'stream.pkt_invalid_ack', signature: 'SURICATA STREAM Packet with invalid ack', weight: 0.2, meaning: 'ACK field inconsistent with the session: ACK and window scans' },
  { event: 'stream.3whs_async_wrong_seq', signature: 'SURICATA STREAM 3way handshake async wrong sequence', weight: 0.1, meaning: 'inconsistent handshake seen one-sided' },
  { event: 'stream.3whs_synack_with_wrong_ack', signature: 'SURICATA STREAM 3way handshake SYNACK with wrong ack', weight: 0.1, meaning: 'SYN/ACK not matching the SYN' },
  { event: 'stream.3whs_syn_resend_diff_seq_on_syn_recv', signature: 'SURICATA STREAM 3way handshake SYN resend different seq on SYN recv', weight: 0.1, meaning: 'new SYN on the same ports: scanners reusing a source port (nmap SYN scans)' },
  { event: 'stream.3whs_syn_toclient_on_syn_recv', signature: 'SURICATA STREAM 3way handshake SYN to client on SYN recv', weight: 0.1, meaning: 'SYN from the server side mid-handshake' },
  { event: 'stream.est_syn_resend_diff_seq', signature: 'SURICATA STREAM ESTABLISHED SYN resend with different seq', weight: 0.1, meaning: 'SYN reusing an established session\'s ports' },
  { event: 'stream.est_syn_toclient', signature: 'SURICATA STREAM ESTABLISHED SYN to client', weight: 0.1, meaning: 'SYN from the server side in an established session' },
  { event: 'stream.4whs_synack_with_wrong_ack', signature: 'SURICATA STREAM 4way handshake SYNACK with wrong ACK', weight: 0.1, meaning: 'simultaneous-open handshake inconsistency' },
  { event: 'stream.4whs_synack_with_wrong_syn', signature: 'SURICATA STREAM 4way handshake SYNACK with wrong SYN', weight: 0.1, meaning: 'simultaneous-open handshake inconsistency' },
  { event: 'stream.4whs_wrong_seq', signature: 'SURICATA STREAM 4way handshake wrong seq', weight: 0.1, meaning: 'simultaneous-open handshake inconsistency' },
  { event: 'stream.4whs_invalid_ack', signature: 'SURICATA STREAM 4way handshake invalid ack', weight: 0.1, meaning: 'simultaneous-open handshake inconsistency' },
  { event: 'stream.3whs_synack_resend_with_different_ack', signature: 'SURICATA STREAM 3way handshake SYNACK resend with different ack', weight: 0.05, meaning: 'server resends a different SYN/ACK (often load balancers)' },
  { event: 'stream.3whs_synack_resend_with_diff_seq', signature: 'SURICATA STREAM 3way handshake SYNACK resend with different seq', weight: 0.05, meaning: 'server resends a different SYN/ACK' },
  { event: 'stream.pkt_spurious_retransmission', weight: 0.05, meaning: 'retransmission of data already acknowledged; scanners resending unanswered probes' },
  { event: 'stream.est_packet_out_of_window', signature: 'SURICATA STREAM ESTABLISHED packet out of window', weight: 0.05, meaning: 'out-of-window packet (also lossy links)' },
  { event: 'stream.est_invalid_ack', signature: 'SURICATA STREAM ESTABLISHED invalid ack', weight: 0.05, meaning: 'invalid ACK in an established session' },
  { event: 'stream.fin_out_of_window', signature: 'SURICATA STREAM FIN out of window', weight: 0.05, meaning: 'FIN outside the window' },
  { event: 'stream.closewait_fin_out_of_window', signature: 'SURICATA STREAM CLOSEWAIT FIN out of window', weight: 0.05, meaning: 'FIN outside the window while closing' },
  { event: 'stream.rst_invalid_ack', signature: 'SURICATA STREAM SHUTDOWN RST invalid ack', weight: 0.05, meaning: 'RST with an invalid ACK' },
  { event: 'stream.pkt_invalid_timestamp', signature: 'SURICATA STREAM Packet with invalid timestamp', weight: 0.05, meaning: 'TCP timestamp option out of sequence' },
  { event: 'stream.rst_but_no_session', signature: 'SURICATA STREAM RST recv but no session', weight: 0.05, meaning: 'RST outside any session: mostly backscatter and mid-stream starts' },
  // Known non-evidence.
  { event: 'stream.pkt_retransmission', signature: 'SURICATA STREAM Packet is retransmission', weight: 0, meaning: 'an ordinary retransmission' },
  { event: 'stream.est_pkt_before_last_ack', signature: 'SURICATA STREAM ESTABLISHED retransmission packet before last ack', weight: 0, meaning: 'an ordinary retransmission' },
  { event: 'stream.closewait_pkt_before_last_ack', signature: 'SURICATA STREAM CLOSEWAIT retransmission packet before last ack', weight: 0, meaning: 'an ordinary retransmission' },
  { event: 'stream.reassembly_segment_before_base_seq', signature: 'SURICATA STREAM reassembly segment before base seq (retransmission)', weight: 0, meaning: 'an ordinary retransmission' },
  { event: 'stream.excessive_retransmissions', signature: 'SURICATA STREAM excessive retransmissions', weight: 0, meaning: 'a lossy path' },
  { event: 'stream.reassembly_seq_gap', signature: 'SURICATA STREAM reassembly sequence GAP -- missing packet(s)', weight: 0, meaning: 'packet loss at the sensor' },
  { event: 'stream.pkt_broken_ack', signature: 'SURICATA STREAM Packet with broken ack', weight: 0, meaning: 'broken load balancers and firewalls' },
  { event: 'stream.wrong_thread', signature: 'SURICATA STREAM pkt seen on wrong thread', weight: 0, meaning: 'sensor load-balancing configuration' },
  { event: 'stream.suspected_rst_inject', signature: 'SURICATA STREAM suspected RST injection', weight: 0, meaning: 'RST injection, not scanning' },
  { event: 'stream.reassembly_overlap_different_data', signature: 'SURICATA STREAM reassembly overlap with different data', weight: 0, meaning: 'evasion or broken stacks, not scanning' },
  { event: 'stream.shutdown_syn_resend', signature: 'SURICATA STREAM SYN resend', weight: 0, meaning: 'a client reconnecting' }
]

/** Decoder events (`decoder-events.rules`; EVE `anomaly.type` `decode`, event prefixed `decoder.`). */
export const SURICATA_DECODER_ANOMALIES: readonly SuricataAnomaly[] = [
  { event: 'icmpv4.unknown_code', signature: 'SURICATA ICMPv4 unknown code', weight: 0.4, meaning: 'ICMP with an invalid code: nmap OS detection\'s IE probe is an echo request with code 9' },
  { event: 'icmpv4.unknown_type', signature: 'SURICATA ICMPv4 unknown type', weight: 0.2, meaning: 'ICMP type no stack sends' },
  { event: 'icmpv6.unknown_code', signature: 'SURICATA ICMPv6 unknown code', weight: 0.2, meaning: 'ICMPv6 with an invalid code' },
  { event: 'icmpv6.unknown_type', signature: 'SURICATA ICMPv6 unknown type', weight: 0.2, meaning: 'ICMPv6 type no stack sends' },
  { event: 'icmpv6.unassigned_type', signature: 'SURICATA ICMPv6 unassigned type', weight: 0.2, meaning: 'unassigned ICMPv6 type' },
  { event: 'ipv4.frag_overlap', signature: 'SURICATA FRAG IPv4 Fragmentation overlap', weight: 0.3, meaning: 'overlapping fragments: evasive scans (nmap -f, fragroute)' },
  { event: 'ipv6.frag_overlap', signature: 'SURICATA FRAG IPv6 Fragmentation overlap', weight: 0.3, meaning: 'overlapping fragments: evasive scans' },
  { event: 'ipv4.opt_invalid', signature: 'SURICATA IPv4 invalid option', weight: 0.2, meaning: 'crafted IP options' },
  { event: 'ipv4.opt_invalid_len', signature: 'SURICATA IPv4 invalid option length', weight: 0.2, meaning: 'crafted IP options' },
  { event: 'ipv4.opt_malformed', signature: 'SURICATA IPv4 malformed option', weight: 0.2, meaning: 'crafted IP options' },
  { event: 'ipv4.opt_unknown', signature: 'SURICATA IPv4 unknown IP option', weight: 0.2, meaning: 'crafted IP options (nmap --ip-options)' },
  { event: 'ipv4.opt_duplicate', signature: 'SURICATA IPv4 duplicated IP option', weight: 0.2, meaning: 'crafted IP options' },
  { event: 'ipv4.opt_eol_required', signature: 'SURICATA IPv4 option end of list required', weight: 0.1, meaning: 'sloppy or crafted IP options' },
  { event: 'tcp.invalid_optlen', signature: 'SURICATA TCP invalid option length', weight: 0.2, meaning: 'crafted TCP options' },
  { event: 'tcp.opt_invalid_len', signature: 'SURICATA TCP option invalid length', weight: 0.2, meaning: 'crafted TCP options' },
  { event: 'tcp.opt_duplicate', signature: 'SURICATA TCP duplicated option', weight: 0.2, meaning: 'crafted TCP options' },
  { event: 'tcp.hlen_too_small', signature: 'SURICATA TCP header length too small', weight: 0.2, meaning: 'crafted TCP header' },
  { event: 'tcp.pkt_too_small', signature: 'SURICATA TCP packet too small', weight: 0.1, meaning: 'truncated or crafted TCP' },
  { event: 'udp.hlen_invalid', signature: 'SURICATA UDP invalid header length', weight: 0.1, meaning: 'crafted UDP header' },
  { event: 'ipv4.hlen_too_small', signature: 'SURICATA IPv4 header size too small', weight: 0.1, meaning: 'crafted IP header' },
  { event: 'ipv4.iplen_smaller_than_hlen', signature: 'SURICATA IPv4 total length smaller than header size', weight: 0.1, meaning: 'crafted IP header' },
  { event: 'ipv4.opt_pad_required', signature: 'SURICATA IPv4 padding required ', weight: 0.05, meaning: 'unpadded IP options (rule disabled by default)' },
  // Known non-evidence: link layers, encapsulations and truncation by the capture.
  { event: 'ipv4.trunc_pkt', signature: 'SURICATA IPv4 truncated packet', weight: 0, meaning: 'capture truncation' },
  { event: 'ipv6.trunc_pkt', signature: 'SURICATA IPv6 truncated packet', weight: 0, meaning: 'capture truncation' },
  { event: 'ethernet.pkt_too_small', signature: 'SURICATA Ethernet packet too small', weight: 0, meaning: 'link layer' },
  { event: 'vlan.unknown_type', signature: 'SURICATA VLAN unknown type', weight: 0, meaning: 'link layer' },
  { event: 'ipv6.zero_len_padn', signature: 'SURICATA zero length padN option', weight: 0, meaning: 'common and harmless (rule disabled by default)' }
]

/** App-layer protocol detection events (`app-layer-events.rules`; EVE `anomaly.type` `applayer`, layer `proto_detect`). */
export const SURICATA_APPLAYER_ANOMALIES: readonly SuricataAnomaly[] = [
  { event: 'APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS', signature: 'SURICATA Applayer Mismatch protocol both directions', weight: 0.2, meaning: 'client and server speak different protocols: service/version probes (nmap -sV) sent to the wrong service' },
  { event: 'APPLAYER_WRONG_DIRECTION_FIRST_DATA', signature: 'SURICATA Applayer Wrong direction first Data', weight: 0.1, meaning: 'the protocol started from the unexpected side' },
  { event: 'APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION', signature: 'SURICATA Applayer Detect protocol only one direction', weight: 0.1, meaning: 'a protocol recognised one way only: banner grabs and probes; also malware C2 and half-captured flows' },
  { event: 'APPLAYER_PROTO_DETECTION_SKIPPED', signature: 'SURICATA Applayer Protocol detection skipped', weight: 0.05, meaning: 'too little data to tell the protocol' },
  { event: 'APPLAYER_UNEXPECTED_PROTOCOL', signature: 'SURICATA Applayer Unexpected protocol', weight: 0.1, meaning: 'unexpected protocol after an upgrade' },
  { event: 'APPLAYER_NO_TLS_AFTER_STARTTLS', signature: 'SURICATA Applayer No TLS after STARTTLS', weight: 0.1, meaning: 'STARTTLS probe not followed by TLS (nmap ssl scripts, STARTTLS checkers)' }
]

/**
 * Evidence for events and `SURICATA ` signatures the tables do not list, by family. Stream and
 * decoder events keep a token weight (most are crafted or broken packets); app-layer parser
 * events (HTTP, TLS, SMB ... syntax) are too common in ordinary traffic to count.
 */
export const SURICATA_DEFAULT_WEIGHTS = { stream: 0.05, decode: 0.05, applayer: 0 } as const

/** A Zeek weird (weird.log `name`). */
export interface ZeekWeird {
  name: string
  weight: number
  meaning: string
}

/** Zeek's weird names and their default actions. */
export const ZEEK_WEIRD_SCRIPT = 'https://github.com/zeek/zeek/blob/master/scripts/base/frameworks/notice/weird.zeek'
/** Where Zeek's TCP analyzer raises the SYN weirds (TCP_christmas, baroque_SYN, SYN_with_data). */
export const ZEEK_TCP_ANALYZER = 'https://github.com/zeek/zeek/blob/master/src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc'

/** Weirds, keyed by name. Names not listed weigh 0 (the correlator's `unknownWeirdWeight`). */
export const ZEEK_WEIRDS: readonly ZeekWeird[] = [
  { name: 'TCP_christmas', weight: 0.4, meaning: 'SYN and RST in one packet (Zeek\'s SYN weirds): a crafted probe' },
  { name: 'baroque_SYN', weight: 0.4, meaning: 'SYN with URG: nmap OS detection T3 (SYN, FIN, URG, PSH) and similar probes' },
  { name: 'connection_originator_SYN_ack', weight: 0.2, meaning: 'the originator sent a SYN/ACK: SYN/ACK probes' },
  { name: 'spontaneous_FIN', weight: 0.2, meaning: 'FIN without a connection: FIN/Xmas/Maimon scans (ignored by Zeek\'s default actions)' },
  { name: 'FIN_storm', weight: 0.2, meaning: 'a burst of FINs: FIN scans (Zeek raises a notice per originator)' },
  { name: 'excessively_small_fragment', weight: 0.3, meaning: 'tiny fragments: nmap -f splits probes into 8-byte fragments' },
  { name: 'fragment_overlap', weight: 0.3, meaning: 'overlapping fragments: evasion' },
  { name: 'fragment_inconsistency', weight: 0.2, meaning: 'inconsistent fragments: evasion' },
  { name: 'bad_TCP_header_len', weight: 0.1, meaning: 'crafted TCP header' },
  { name: 'SYN_with_data', weight: 0.1, meaning: 'payload on a SYN: some scanners\' probes (also TCP Fast Open)' },
  { name: 'inappropriate_FIN', weight: 0.1, meaning: 'FIN in the wrong state' },
  { name: 'data_before_established', weight: 0.1, meaning: 'data before the handshake completed' },
  { name: 'SYN_seq_jump', weight: 0.1, meaning: 'a new SYN on the same ports with another sequence number: scanners reusing a source port' },
  { name: 'SYN_inside_connection', weight: 0.1, meaning: 'a SYN inside an open connection' },
  { name: 'active_connection_reuse', weight: 0.05, meaning: 'a new connection on an active 4-tuple' },
  { name: 'repeated_SYN_with_ack', weight: 0.05, meaning: 'repeated SYN with ACK set' },
  { name: 'repeated_SYN_reply_wo_ack', weight: 0.05, meaning: 'repeated SYN reply without ACK' },
  { name: 'bad_HTTP_request', weight: 0.2, meaning: 'non-HTTP bytes sent to an HTTP port: service/version probes (nmap -sV sends its probe set)' },
  { name: 'unknown_HTTP_method', weight: 0.2, meaning: 'invented HTTP methods: vulnerability scanners and nmap http-methods' },
  { name: 'invalid_http_09_request_method', weight: 0.2, meaning: 'HTTP/0.9-style request with a bad method: probes' },
  { name: 'empty_http_request', weight: 0.1, meaning: 'empty HTTP request: probes' },
  { name: 'unescaped_%_in_URI', weight: 0.1, meaning: 'malformed URI escapes: injection payloads (nikto, sqlmap)' },
  { name: 'double_%_in_URI', weight: 0.1, meaning: 'double-encoded URI: evasion payloads' },
  { name: 'illegal_%_at_end_of_URI', weight: 0.1, meaning: 'malformed URI escape' },
  { name: 'partial_escape_at_end_of_URI', weight: 0.1, meaning: 'malformed URI escape' },
  { name: 'malformed_ssh_identification', weight: 0.2, meaning: 'a non-SSH banner to an SSH port: banner grabs and probes' },
  { name: 'malformed_ssh_version', weight: 0.1, meaning: 'bad SSH version string' },
  { name: 'line_terminated_with_single_CR', weight: 0.05, meaning: 'CR-only line ends: hand-made clients and probes' },
  { name: 'HTTP_version_mismatch', weight: 0.05, meaning: 'request and reply versions differ' },
  // Known non-evidence.
  { name: 'bad_TCP_checksum', weight: 0, meaning: 'checksum offloading on the sensor host' },
  { name: 'bad_UDP_checksum', weight: 0, meaning: 'checksum offloading on the sensor host' },
  { name: 'bad_IP_checksum', weight: 0, meaning: 'checksum offloading on the sensor host' },
  { name: 'possible_split_routing', weight: 0, meaning: 'the sensor sees one direction only' },
  { name: 'above_hole_data_without_any_acks', weight: 0, meaning: 'capture loss' },
  { name: 'window_recision', weight: 0, meaning: 'TCP stack behaviour' },
  { name: 'unsolicited_SYN_response', weight: 0, meaning: 'backscatter: evidence about someone else' },
  { name: 'spontaneous_RST', weight: 0, meaning: 'RST without a connection: mostly backscatter and mid-stream starts' },
  { name: 'DNS_Conn_count_too_large', weight: 0, meaning: 'DNS analyzer limit' },
  { name: 'unknown_protocol', weight: 0, meaning: 'a non-IP frame or an IP protocol Zeek has no analyzer for' }
]

/**
 * A conn.log history shape. Zeek writes one letter per event: upper case for the originator,
 * lower case for the responder; `S` SYN, `H` SYN/ACK, `A` pure ACK, `D` data, `F` FIN, `R` RST,
 * `C` bad checksum, `G` gap, `T` retransmission, `W` zero window, `I` inconsistent flags,
 * `Q` SYN with FIN or RST, and `^` when Zeek flipped the direction (it saw the responder first).
 */
export interface ConnHistoryPattern {
  id: string
  /** Zeek's history contains this letter. */
  has?: string
  /** The originator's letters (ignoring `C`, `G`, `T`, `W`) are only these. */
  originatorOnly?: string
  /** The responder's letters are only these (an empty string: no responder packet). */
  responderOnly?: string
  /** The first originator letter (after `^`). */
  originatorFirst?: string
  /** The originator sent no SYN. */
  noSyn?: boolean
  /** Neither side sent data (no `D`/`d`). */
  noData?: boolean
  /** Zeek flipped the connection (`^`). */
  flipped?: boolean
  /** Conn states (`OTH`, ...). */
  states?: readonly string[]
  /** Whose evidence it is: the originator (src), or after a flip the responder that sent first. */
  subject: AnomalySubject
  weight: number
  meaning: string
}

/** Zeek's conn.log field documentation (history letters, conn_state). */
export const ZEEK_CONN_LOG = 'https://docs.zeek.org/en/master/scripts/base/protocols/conn/main.zeek.html#type-Conn::Info'

/** Shapes tried in order (TCP only); the first that matches counts. */
export const CONN_HISTORY_PATTERNS: readonly ConnHistoryPattern[] = [
  { id: 'multi-flag', has: 'Q', subject: 'src', weight: 0.4, meaning: 'a SYN with FIN or RST in the same packet (nmap OS detection, SYN/FIN scans)' },
  { id: 'inconsistent-flags', has: 'I', subject: 'src', weight: 0.3, meaning: 'a packet with inconsistent flags' },
  { id: 'fin-probe', noSyn: true, originatorFirst: 'F', noData: true, subject: 'src', weight: 0.3, meaning: 'a FIN that opened no connection (FIN, Xmas or Maimon scan)' },
  { id: 'ack-probe', noSyn: true, originatorFirst: 'A', originatorOnly: 'A', responderOnly: 'r', noData: true, subject: 'src', weight: 0.2, meaning: 'a bare ACK outside any connection, answered by RST or nothing (ACK scan, nmap -PA host discovery)' },
  { id: 'synack-probe', flipped: true, originatorOnly: 'R', responderOnly: 'h', noData: true, subject: 'dst', weight: 0.2, meaning: 'a SYN/ACK without a SYN, reset by its receiver (SYN/ACK probe; Zeek flipped the connection)' },
  { id: 'null-probe', has: 'r', noSyn: true, originatorOnly: '', responderOnly: 'r', states: ['OTH'], subject: 'src', weight: 0.2, meaning: 'a flagless packet answered by RST (null scan)' },
  { id: 'flipped', flipped: true, noSyn: true, subject: 'src', weight: 0.05, meaning: 'Zeek flipped the connection: it saw the responder first, so the originator\'s opening packets were missed or never sent (also capture starts)' },
  { id: 'outside-connection', noSyn: true, states: ['OTH'], subject: 'src', weight: 0.05, meaning: 'traffic outside an established connection (also sensors started mid-stream)' }
]
