/**
 * Sysmon records (Windows Sysmon and Sysmon for Linux) → {@link ProcessEvent}.
 *
 * Five shapes that real shippers write are read, each reduced to the same three things: the
 * Event ID, the `<System>` facts (time, computer, provider/channel) and the event data fields
 * (`UtcTime`, `ProcessGuid`, `ProcessId`, `Image`, `CommandLine`, ...):
 *
 * 1. flat: event data and system fields side by side (nxlog `im_msvistalog`/syslog, flattened
 *    evtx_dump): `EventID`, `UtcTime`, `ProcessGuid`, ..., `Hostname` or `Computer`;
 * 2. winlogbeat: `winlog.event_id`, `winlog.event_data.*`, `winlog.computer_name`, `@timestamp`
 *    (nested objects or dotted keys);
 * 3. evtx_dump JSON: `Event.System.EventID` (a number, or `{"#text": ...}` when it carries
 *    `Qualifiers`), `Event.System.TimeCreated["#attributes"].SystemTime`, `Event.EventData.*`;
 *    the `EventData.Data[]` list of `{Name, #text}` that other converters write is read too;
 * 4. Azure Sentinel `WindowsEvent` rows: top-level `EventID`, `Computer`, `TimeGenerated`,
 *    `Provider`, and `EventData` as a JSON string (parsed a second time) or an object; an
 *    `EventData` XML string (Sentinel's older `Event` table) goes through the XML reader;
 * 5. Sysmon for Linux: the `<Event>` XML document inside a syslog record (`SyslogMessage` in the
 *    Sentinel `Syslog` table; `message`, `Message` or `msg` elsewhere), read by a small
 *    hand-written extractor ({@link parseSysmonXml}).
 *
 * Mapping: Event ID 1 → `start`, 3 → `connect` (`accept` when `Initiated` is false), 5 → `end`,
 * anything else → `other` (kept: they are valid Sysmon records). The event time is `UtcTime`
 * (when Sysmon saw it happen), else `<TimeCreated SystemTime>`, else the shipper's
 * `TimeGenerated`/`@timestamp`. Sysmon writes `-` for "no value": such fields are left out, as
 * are the all-zero GUID (`ParentProcessGuid` of a process whose parent Sysmon did not see) and
 * the `<unknown process>` image.
 *
 * `process.entityId` is `ProcessGuid` exactly as written (braces and letter case kept: Windows
 * Sysmon writes upper case, Sysmon for Linux lower case, evtx_dump drops the braces). Within one
 * source the GUIDs of a process and of its parent are written alike, so equality works there;
 * to match GUIDs across shippers, compare with {@link sameProcessGuid}.
 */
import type { Endpoint, HostInfo, ParentProcess, ProcessAction, ProcessEvent, ProcessInfo, SocketInfo } from '../model.js'
import { splitPosixCommandLine, splitWindowsCommandLine } from './cmdline.js'
import { parseIsoTime } from './time.js'
import type { RecordContext } from './zeek.js'
import { address, quote, rec } from './values.js'

type Rec = Record<string, unknown>

/** Longest `<Event>` XML text read (Sysmon events are a few KiB; command lines are capped at 32 KiB on Windows). */
export const MAX_SYSMON_XML_LENGTH = 256 * 1024


function has (o: Rec, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key)
}

/** A field as text: strings except Sysmon's `-` placeholder and empty strings, numbers as decimal. */
function text (v: unknown): string | undefined {
  if (typeof v === 'string') return v.length === 0 || v === '-' ? undefined : v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

const INVALID = Symbol('invalid')

/** A non-negative integer written as a number or a decimal string; {@link INVALID} when it is neither. */
function count (v: unknown, max: number): number | undefined | typeof INVALID {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= max ? v : INVALID
  if (typeof v !== 'string') return INVALID
  const s = v.trim()
  if (s.length === 0 || s === '-') return undefined
  if (s.length > 16) return INVALID
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return INVALID
  }
  const n = Number(s)
  return n <= max ? n : INVALID
}


/** `true`/`false` as a boolean or any letter case of the words; undefined otherwise. */
function bool (v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase()
    if (l === 'true') return true
    if (l === 'false') return false
  }
  return undefined
}

/** Base name of a Windows or POSIX path. */
export function baseName (path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'))
  return i < 0 ? path : path.slice(i + 1)
}

const ZERO_GUID = /^\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?$/

/** A GUID as written, or undefined for `-` and the all-zero GUID. */
function guid (v: unknown): string | undefined {
  const s = text(v)
  return s === undefined || ZERO_GUID.test(s) ? undefined : s
}

/**
 * Whether two Sysmon process GUIDs name the same process, whatever the letter case and whether
 * the braces were written (`{0197231E-...}` vs `0197231e-...`).
 */
export function sameProcessGuid (a: string, b: string): boolean {
  const strip = (s: string): string => {
    const t = s.trim()
    return (t.startsWith('{') && t.endsWith('}') ? t.slice(1, -1) : t).toLowerCase()
  }
  return strip(a) === strip(b)
}

// ---------------------------------------------------------------------------------------------
// XML

/**
 * What {@link parseSysmonXml} reads from an `<Event>` document: the System facts and the
 * `<Data Name="...">` fields of `<EventData>`, entities decoded.
 */
export interface SysmonXml {
  eventId?: string
  systemTime?: string
  computer?: string
  provider?: string
  channel?: string
  data: Record<string, string>
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
const QUIRK_ENTITIES = ['lt', 'gt', 'amp', 'quot', 'apos'] as const

/**
 * Decodes the XML entities `&lt; &gt; &amp; &quot; &apos;` and numeric references
 * (`&#60;`, `&#x3C;`). Also reads the five named entities when a space stands in for the `;`,
 * as Sysmon for Linux 1.0.x writes them (`&lt unknown process&gt ` is `<unknown process>`): the
 * writer escapes every `&`, so such text cannot be a literal. Anything else that starts with `&`
 * is kept as written.
 */
export function unescapeXml (s: string): string {
  let amp = s.indexOf('&')
  if (amp < 0) return s
  let out = ''
  let from = 0
  while (amp >= 0) {
    // Entity names are short: look for the ';' within 12 characters only (keeps this linear).
    let semi = -1
    const stop = Math.min(s.length, amp + 12)
    for (let i = amp + 1; i < stop; i++) {
      if (s.charCodeAt(i) === 59) { semi = i; break }
    }
    let rep: string | undefined
    if (semi > amp + 1) {
      const name = s.slice(amp + 1, semi)
      if (name.charCodeAt(0) === 35) { // '#'
        const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88 // x / X
        const digits = name.slice(hex ? 2 : 1)
        if (digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
          const cp = parseInt(digits, hex ? 16 : 10)
          if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) rep = String.fromCodePoint(cp)
        }
      } else if (Object.prototype.hasOwnProperty.call(NAMED_ENTITIES, name)) {
        rep = NAMED_ENTITIES[name]
      }
    }
    if (rep === undefined && semi < 0) {
      // Sysmon for Linux 1.0.x writes named entities with a space instead of the ';'
      // ("&lt unknown process&gt ", "&quot SELECT ...&quot "): read those too.
      for (const name of QUIRK_ENTITIES) {
        if (s.startsWith(name, amp + 1) && s.charCodeAt(amp + 1 + name.length) === 32) {
          rep = NAMED_ENTITIES[name]
          semi = amp + 1 + name.length
          break
        }
      }
    }
    if (rep !== undefined) {
      out += s.slice(from, amp) + rep
      from = semi + 1
      amp = s.indexOf('&', from)
    } else {
      amp = s.indexOf('&', amp + 1)
    }
  }
  return out + s.slice(from)
}

/** Index of the `>` closing the start tag that begins at `lt`, skipping quoted attribute values; -1 if none. */
function tagEnd (xml: string, lt: number, limit: number): number {
  let quote = 0
  for (let i = lt + 1; i < limit; i++) {
    const c = xml.charCodeAt(i)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 34 || c === 39) {
      quote = c
    } else if (c === 62) {
      return i
    }
  }
  return -1
}

function isSpace (c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13
}

/** Start of the next `<name` tag (followed by whitespace, `>` or `/`) in [from, limit); -1 if none. */
function findTag (xml: string, name: string, from: number, limit: number): number {
  const open = '<' + name
  let i = xml.indexOf(open, from)
  while (i >= 0 && i + open.length < limit) {
    const c = xml.charCodeAt(i + open.length)
    if (c === 62 || c === 47 || isSpace(c)) return i
    i = xml.indexOf(open, i + 1)
  }
  return -1
}

/** Attributes of a start tag's text (between the name and `>`), values entity-decoded. */
function attributes (tag: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  let i = 0
  const n = tag.length
  while (i < n) {
    while (i < n && (isSpace(tag.charCodeAt(i)) || tag.charCodeAt(i) === 47)) i++
    const nameStart = i
    while (i < n && tag.charCodeAt(i) !== 61 && !isSpace(tag.charCodeAt(i))) i++
    const name = tag.slice(nameStart, i)
    while (i < n && isSpace(tag.charCodeAt(i))) i++
    if (i >= n || tag.charCodeAt(i) !== 61) { i++; continue } // no '=': not an attribute
    i++
    while (i < n && isSpace(tag.charCodeAt(i))) i++
    const q = tag.charCodeAt(i)
    if (q !== 34 && q !== 39) continue
    const close = tag.indexOf(q === 34 ? '"' : "'", i + 1)
    if (close < 0) break
    if (name.length > 0) out[name] = unescapeXml(tag.slice(i + 1, close))
    i = close + 1
  }
  return out
}

interface Element {
  attrs: Record<string, string>
  /** Entity-decoded text content (CDATA sections kept literally); '' for `<x/>`. */
  text: string
  /** Index just after the element. */
  end: number
}

/** Decodes element content: entities outside CDATA sections, CDATA content as written. */
function contentText (raw: string): string {
  let cdata = raw.indexOf('<![CDATA[')
  if (cdata < 0) return unescapeXml(raw)
  let out = ''
  let from = 0
  while (cdata >= 0) {
    const close = raw.indexOf(']]>', cdata + 9)
    if (close < 0) break
    out += unescapeXml(raw.slice(from, cdata)) + raw.slice(cdata + 9, close)
    from = close + 3
    cdata = raw.indexOf('<![CDATA[', from)
  }
  return out + unescapeXml(raw.slice(from))
}

/** The next `<name ...>text</name>` element in [from, limit), or undefined. */
function element (xml: string, name: string, from: number, limit: number): Element | undefined {
  const lt = findTag(xml, name, from, limit)
  if (lt < 0) return undefined
  const gt = tagEnd(xml, lt, limit)
  if (gt < 0) return undefined
  const selfClosing = xml.charCodeAt(gt - 1) === 47
  const attrs = attributes(xml.slice(lt + 1 + name.length, selfClosing ? gt - 1 : gt))
  if (selfClosing) return { attrs, text: '', end: gt + 1 }
  const closeTag = '</' + name
  let close = xml.indexOf(closeTag, gt + 1)
  if (close < 0 || close >= limit) return undefined
  // CDATA sections (which may hold '</name') are looked for in this element's content only.
  if (xml.slice(gt + 1, close).includes('<![CDATA[')) {
    let p = xml.indexOf('<![CDATA[', gt + 1)
    while (p >= 0 && p < close) {
      const cdEnd = xml.indexOf(']]>', p + 9)
      if (cdEnd < 0 || cdEnd >= limit) return undefined
      if (close < cdEnd) {
        close = xml.indexOf(closeTag, cdEnd + 3)
        if (close < 0 || close >= limit) return undefined
      }
      const next = xml.slice(cdEnd + 3, close).indexOf('<![CDATA[')
      p = next < 0 ? -1 : cdEnd + 3 + next
    }
  }
  const after = xml.indexOf('>', close + closeTag.length)
  return { attrs, text: contentText(xml.slice(gt + 1, close)), end: after < 0 ? limit : after + 1 }
}

/**
 * Reads a Windows event XML document (`<Event><System>...</System><EventData><Data Name="...">`)
 * as Sysmon and Sysmon for Linux write it. A small linear scanner (indexOf only, no regular
 * expression over the document, no XML library): enough for the flat, machine-written event
 * schema, not a general XML parser. A document cut short (syslog size limits truncate long
 * command lines) keeps the elements that are complete; the one cut in half is left out. Returns
 * a reason string when the text is not such a document or is longer than
 * {@link MAX_SYSMON_XML_LENGTH}.
 */
export function parseSysmonXml (xml: string): SysmonXml | string {
  if (xml.length > MAX_SYSMON_XML_LENGTH) return `Sysmon XML is ${xml.length} characters long, more than ${MAX_SYSMON_XML_LENGTH}`
  const start = findTag(xml, 'Event', 0, xml.length)
  if (start < 0) return 'no <Event> element in the Sysmon XML'
  const out: SysmonXml = { data: Object.create(null) }
  const n = xml.length
  const sysStart = findTag(xml, 'System', start, n)
  const sysEnd = sysStart < 0 ? -1 : xml.indexOf('</System>', sysStart)
  const sFrom = sysStart < 0 ? start : sysStart
  const sTo = sysEnd < 0 ? n : sysEnd
  const id = element(xml, 'EventID', sFrom, sTo)
  if (id !== undefined) out.eventId = id.text.trim()
  const tc = element(xml, 'TimeCreated', sFrom, sTo)
  if (tc?.attrs.SystemTime !== undefined) out.systemTime = tc.attrs.SystemTime
  const computer = element(xml, 'Computer', sFrom, sTo)
  if (computer !== undefined && computer.text.length > 0) out.computer = computer.text
  const provider = element(xml, 'Provider', sFrom, sTo)
  if (provider?.attrs.Name !== undefined) out.provider = provider.attrs.Name
  const channel = element(xml, 'Channel', sFrom, sTo)
  if (channel !== undefined && channel.text.length > 0) out.channel = channel.text

  const edStart = findTag(xml, 'EventData', sysEnd < 0 ? start : sysEnd, n)
  let pos = edStart < 0 ? start : edStart
  const edClose = edStart < 0 ? -1 : xml.indexOf('</EventData>', edStart)
  const limit = edClose < 0 ? n : edClose
  for (;;) {
    const d = element(xml, 'Data', pos, limit)
    if (d === undefined) break
    const name = d.attrs.Name
    if (name !== undefined && name.length > 0) out.data[name] = d.text
    if (d.end <= pos) break // cannot happen; keeps the loop provably finite
    pos = d.end
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Record shapes

type Shape = 'flat' | 'winlogbeat' | 'evtx' | 'sentinel' | 'syslog-xml'

interface Parts {
  shape: Shape
  eventId: unknown
  data: Rec
  computer?: string
  /** Provider and channel names, as written (for OS and Sysmon recognition). */
  source: string
  /** Fallback times, in order of preference: [field name, value]. */
  times: Array<[string, unknown]>
  ips?: string[]
}

const XML_MESSAGE_KEYS = ['SyslogMessage', 'message', 'Message', 'msg'] as const

/** The XML text of a syslog-wrapped Sysmon event, or undefined. */
function xmlMessage (r: Rec): string | undefined {
  for (const key of XML_MESSAGE_KEYS) {
    const m = r[key]
    if (typeof m !== 'string') continue
    let i = 0
    while (i < m.length && isSpace(m.charCodeAt(i))) i++
    if (m.startsWith('<Event', i)) return m
    // rsyslog/syslog-ng may keep a prefix before the XML ("Linux-Sysmon: <Event>...").
    const at = m.indexOf('<Event>')
    if (at >= 0 && at < 256) return m.slice(at)
  }
  return undefined
}

/** A nested value (`winlog.event_data`) or its dotted-key spelling. */
function dig (r: Rec, a: string, b: string): unknown {
  const o = rec(r[a])
  if (o !== undefined && has(o, b)) return o[b]
  return r[a + '.' + b]
}

/** `winlog.event_data` as an object, from nested or dotted (`winlog.event_data.Image`) keys. */
function winlogEventData (r: Rec): Rec | undefined {
  const ed = rec(dig(r, 'winlog', 'event_data'))
  if (ed !== undefined) return ed
  const prefix = 'winlog.event_data.'
  let out: Rec | undefined
  for (const k of Object.keys(r)) {
    if (k.startsWith(prefix)) (out ??= Object.create(null) as Rec)[k.slice(prefix.length)] = r[k]
  }
  return out
}

/** `EventData` converters that keep the XML list: `{Data: [{Name|@Name|#attributes.Name, #text}]}`. */
function flattenDataList (ed: Rec): Rec {
  const list = ed.Data
  if (!Array.isArray(list)) return ed
  const out: Rec = Object.create(null)
  for (const item of list) {
    const o = rec(item)
    if (o === undefined) continue
    const name = o.Name ?? o['@Name'] ?? rec(o['#attributes'])?.Name
    if (typeof name === 'string') out[name] = o['#text'] ?? o.text ?? o.value ?? ''
  }
  return out
}

function strings (...vs: unknown[]): string {
  let s = ''
  for (const v of vs) if (typeof v === 'string') s += v + ' '
  return s
}

function hostIps (r: Rec): string[] | undefined {
  const ips: string[] = []
  const hip = r.HostIP
  if (typeof hip === 'string' && hip.length > 0) ips.push(hip)
  const h = rec(r.host)?.ip ?? r['host.ip']
  if (typeof h === 'string') ips.push(h)
  else if (Array.isArray(h)) for (const x of h) if (typeof x === 'string') ips.push(x)
  return ips.length > 0 ? [...new Set(ips)] : undefined
}

/** Reduces any of the five shapes to Event ID, event data and system facts. */
function partsOf (r: Rec): Parts | string {
  const xml = xmlMessage(r)
  if (xml !== undefined) {
    const x = parseSysmonXml(xml)
    if (typeof x === 'string') return x
    const p: Parts = {
      shape: 'syslog-xml',
      eventId: x.eventId,
      data: x.data,
      source: strings(x.provider, x.channel),
      times: [['SystemTime', x.systemTime], ['TimeGenerated', r.TimeGenerated], ['EventTime', r.EventTime]]
    }
    const computer = x.computer ?? text(r.Computer) ?? text(r.HostName) ?? text(r.Hostname)
    if (computer !== undefined) p.computer = computer
    const ips = hostIps(r); if (ips !== undefined) p.ips = ips
    return p
  }

  const event = rec(r.Event)
  const system = event !== undefined ? rec(event.System) : undefined
  if (event !== undefined && system !== undefined) {
    const tc = rec(system.TimeCreated)
    const sysTime = rec(tc?.['#attributes'])?.SystemTime ?? tc?.SystemTime ?? tc?.['@SystemTime']
    const prov = rec(system.Provider)
    const provName = rec(prov?.['#attributes'])?.Name ?? prov?.Name ?? prov?.['@Name']
    const ed = rec(event.EventData)
    const p: Parts = {
      shape: 'evtx',
      eventId: system.EventID,
      data: ed !== undefined ? flattenDataList(ed) : {},
      source: strings(provName, system.Channel),
      times: [['SystemTime', sysTime]]
    }
    const computer = text(system.Computer); if (computer !== undefined) p.computer = computer
    return p
  }

  const winlogId = dig(r, 'winlog', 'event_id')
  if (winlogId !== undefined) {
    const p: Parts = {
      shape: 'winlogbeat',
      eventId: winlogId,
      data: winlogEventData(r) ?? {},
      source: strings(dig(r, 'winlog', 'provider_name'), dig(r, 'winlog', 'channel')),
      times: [['@timestamp', r['@timestamp']]]
    }
    const computer = text(dig(r, 'winlog', 'computer_name')) ?? text(rec(r.host)?.name) ?? text(r['host.name'])
    if (computer !== undefined) p.computer = computer
    const ips = hostIps(r); if (ips !== undefined) p.ips = ips
    return p
  }

  const source = strings(r.Provider, r.ProviderName, r.Source, r.SourceName, r.Channel, r.EventLog)
  const computer = text(r.Computer) ?? text(r.Hostname) ?? text(r.HostName)
  if (r.EventData !== undefined) {
    let data: Rec
    const ed = r.EventData
    if (typeof ed === 'string') {
      const t = ed.trimStart()
      if (t.startsWith('{')) {
        let parsed: unknown
        try { parsed = JSON.parse(ed) } catch { return 'EventData is a string but not valid JSON' }
        const o = rec(parsed)
        if (o === undefined) return 'EventData JSON is not an object'
        data = flattenDataList(o)
      } else if (t.startsWith('<')) {
        if (ed.length > MAX_SYSMON_XML_LENGTH) return `EventData XML is ${ed.length} characters long, more than ${MAX_SYSMON_XML_LENGTH}`
        data = parseDataElements(ed)
      } else {
        return 'EventData is a string but neither JSON nor XML'
      }
    } else {
      const o = rec(ed)
      if (o === undefined) return 'EventData is neither an object nor a string'
      data = flattenDataList(o)
    }
    const p: Parts = {
      shape: 'sentinel',
      eventId: r.EventID,
      data,
      source,
      times: [['TimeGenerated', r.TimeGenerated], ['@timestamp', r['@timestamp']]]
    }
    if (computer !== undefined) p.computer = computer
    const ips = hostIps(r); if (ips !== undefined) p.ips = ips
    return p
  }

  const p: Parts = {
    shape: 'flat',
    eventId: r.EventID ?? r.EventId,
    data: r,
    source,
    times: [['SystemTime', r.SystemTime], ['TimeCreated', r.TimeCreated], ['TimeGenerated', r.TimeGenerated], ['@timestamp', r['@timestamp']]]
  }
  if (computer !== undefined) p.computer = computer
  const ips = hostIps(r); if (ips !== undefined) p.ips = ips
  return p
}

/** `<Data Name="...">` elements anywhere in an XML fragment (Sentinel `Event.EventData`). */
function parseDataElements (xml: string): Rec {
  const out: Rec = Object.create(null)
  let pos = 0
  for (;;) {
    const d = element(xml, 'Data', pos, xml.length)
    if (d === undefined) break
    const name = d.attrs.Name
    if (name !== undefined && name.length > 0) out[name] = d.text
    if (d.end <= pos) break
    pos = d.end
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Recognition

function isSysmonSource (s: unknown): boolean {
  return typeof s === 'string' && s.includes('Sysmon')
}

/** Event data fields every Sysmon event with a process carries. */
function hasSysmonData (d: Rec | undefined): boolean {
  return d !== undefined && (has(d, 'ProcessGuid') || has(d, 'ProcessId') || has(d, 'UtcTime') || has(d, 'SourceProcessGUID') || has(d, 'SourceProcessGuid'))
}

/**
 * Whether a parsed JSON object is a Sysmon record in one of the five shapes. Cheap: looks at a
 * few keys and, for syslog-wrapped XML, at the start of the message. winlogbeat documents are
 * claimed only while they still hold Sysmon's `winlog.event_data` (a document whose ingest
 * pipeline moved those into ECS `process.*` fields is ECS endpoint data, see `ecs-endpoint.ts`).
 */
export function isSysmonRecord (r: Record<string, unknown>): boolean {
  const xml = xmlMessage(r)
  if (xml !== undefined) {
    const head = xml.slice(0, 600)
    return head.includes('Sysmon')
  }
  const event = rec(r.Event)
  const system = event !== undefined ? rec(event.System) : undefined
  if (system !== undefined) {
    const prov = rec(system.Provider)
    const name = rec(prov?.['#attributes'])?.Name ?? prov?.Name ?? prov?.['@Name']
    return isSysmonSource(name) || isSysmonSource(system.Channel)
  }
  if (dig(r, 'winlog', 'event_id') !== undefined) {
    if (!isSysmonSource(dig(r, 'winlog', 'provider_name')) && !isSysmonSource(dig(r, 'winlog', 'channel'))) return false
    return hasSysmonData(winlogEventData(r))
  }
  const eventId = r.EventID ?? r.EventId
  if (eventId === undefined) return false
  if (isSysmonSource(r.Provider) || isSysmonSource(r.Channel) || isSysmonSource(r.SourceName) ||
      isSysmonSource(r.ProviderName) || isSysmonSource(r.Source) || isSysmonSource(r.EventLog)) return true
  // Flattened event data without channel names: Sysmon's own field names.
  return typeof r.UtcTime === 'string' && (has(r, 'ProcessGuid') || has(r, 'ProcessId'))
}

// ---------------------------------------------------------------------------------------------
// Normalization

function eventIdOf (v: unknown): number | undefined {
  const inner = rec(v)
  const raw = inner !== undefined ? inner['#text'] ?? inner.value ?? inner['#value'] : v
  const n = count(raw, 65535)
  return typeof n === 'number' ? n : undefined
}

/**
 * The OS a path belongs to: `windows` for `C:\...`, `C:/...` and paths starting with a
 * backslash (`\\?\`, `\??\`, UNC), `linux` for absolute POSIX paths (Sysmon runs on Windows
 * and Linux only), else undefined.
 */
export function pathOs (path: string | undefined): 'windows' | 'linux' | undefined {
  if (path === undefined) return undefined
  const c0 = path.charCodeAt(0)
  if (c0 === 47) return 'linux' // '/'
  if (c0 === 92) return 'windows' // '\' (\\?\, \??\, UNC)
  if (path.length >= 3 && path.charCodeAt(1) === 58 && (path.charCodeAt(2) === 92 || path.charCodeAt(2) === 47) &&
      ((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return 'windows' // C:\ or C:/
  return undefined
}

/**
 * The host OS: from the provider/channel (`Linux-Sysmon`, `Microsoft-Windows-Sysmon`), else from
 * the image paths (`C:\...` vs `/usr/...`), else from the shape (syslog-wrapped XML is Sysmon for
 * Linux; winlogbeat, evtx and Sentinel `WindowsEvent` rows come from Windows).
 */
function osOf (p: Parts, images: Array<string | undefined>): 'windows' | 'linux' | undefined {
  if (p.source.includes('Linux-Sysmon')) return 'linux'
  if (p.source.includes('Microsoft-Windows-Sysmon')) return 'windows'
  for (const img of images) {
    const os = pathOs(img)
    if (os !== undefined) return os
  }
  switch (p.shape) {
    case 'syslog-xml': return 'linux'
    case 'winlogbeat': case 'evtx': case 'sentinel': return 'windows'
  }
  return undefined
}

function timeOf (p: Parts): number | undefined | string {
  const utc = p.data.UtcTime
  if (utc !== undefined && text(utc) !== undefined) {
    const t = typeof utc === 'string' ? parseIsoTime(utc.trim()) : undefined
    if (t === undefined) return `UtcTime ${quote(utc)} is not a UTC timestamp`
    return t
  }
  for (const [name, v] of p.times) {
    // Only text can be a shipper's timestamp; other values are some other field of that name.
    if (typeof v !== 'string' || v.length === 0) continue
    const t = parseIsoTime(v.trim())
    if (t === undefined) return `${name} ${quote(v)} is not an ISO 8601 time`
    return t
  }
  return undefined
}

function endpoint (ipV: unknown, portV: unknown, which: string): Endpoint | string {
  const ip = text(ipV)
  if (ip === undefined) return `no ${which}Ip`
  if (address(ip) === undefined) return `${which}Ip ${quote(ipV)} is not an IP address`
  const port = count(portV, 65535)
  if (port === INVALID) return `${which}Port ${quote(portV)} is not a port number`
  return port === undefined ? { ip } : { ip, port }
}

/** Process fields of event types that name the acting process `Source*` (8 CreateRemoteThread, 10 ProcessAccess). */
function actingFields (d: Rec): { pid: unknown, guid: unknown, image: unknown } {
  if (d.ProcessId !== undefined || d.ProcessGuid !== undefined) return { pid: d.ProcessId, guid: d.ProcessGuid, image: d.Image }
  return { pid: d.SourceProcessId, guid: d.SourceProcessGUID ?? d.SourceProcessGuid, image: d.SourceImage }
}

/**
 * Normalizes one Sysmon record (any of the five shapes, see the module comment). Returns the
 * event, or a reason string when the record cannot be one (it then becomes a dead letter): no
 * Event ID, unreadable `EventData`/XML, a bad timestamp, pid or port, an Event ID 1/3/5 without
 * `ProcessId` and `ProcessGuid`, an Event ID 3 without both addresses.
 *
 * @param r the parsed record
 * @param ctx input and line (other context fields are not used)
 * @param raw the original line text, kept for `merge` output
 */
export function sysmonToEvent (r: Record<string, unknown>, ctx: RecordContext, raw?: string): ProcessEvent | string {
  const p = partsOf(r)
  if (typeof p === 'string') return p
  const eid = eventIdOf(p.eventId)
  if (eid === undefined) {
    return p.eventId === undefined ? 'Sysmon record has no EventID' : `EventID ${quote(p.eventId)} is not a Sysmon event number`
  }
  const d = p.data

  const time = timeOf(p)
  if (typeof time === 'string') return time

  const acting = actingFields(d)
  const pid = count(acting.pid, 0xffffffff)
  if (pid === INVALID) return `Sysmon event ${eid}: ProcessId ${quote(acting.pid)} is not a number`
  const entityId = guid(acting.guid)
  if ((eid === 1 || eid === 3 || eid === 5) && pid === undefined && entityId === undefined) {
    return `Sysmon event ${eid} has no ProcessId or ProcessGuid`
  }

  // Sysmon writes `<unknown process>` when it could not resolve the image: not a path.
  const writtenImage = text(acting.image)
  const image = writtenImage === '<unknown process>' ? undefined : writtenImage
  const parentImage = eid === 1 ? text(d.ParentImage) : undefined
  const os = osOf(p, [image, parentImage, text(d.CurrentDirectory)])

  const proc: ProcessInfo = {}
  if (pid !== undefined) proc.pid = pid
  if (entityId !== undefined) proc.entityId = entityId
  if (image !== undefined) { proc.executable = image; proc.name = baseName(image) }
  const cmd = text(d.CommandLine)
  if (cmd !== undefined) {
    proc.commandLine = cmd
    proc.args = os === 'windows' ? splitWindowsCommandLine(cmd) : splitPosixCommandLine(cmd)
  }
  const user = text(d.User); if (user !== undefined) proc.user = user
  const cwd = text(d.CurrentDirectory); if (cwd !== undefined) proc.workingDirectory = cwd
  if (eid === 1 && time !== undefined) proc.start = time

  if (eid === 1) {
    const parent: ParentProcess = {}
    const ppid = count(d.ParentProcessId, 0xffffffff)
    if (ppid === INVALID) return `Sysmon event 1: ParentProcessId ${quote(d.ParentProcessId)} is not a number`
    if (ppid !== undefined) parent.pid = ppid
    const pguid = guid(d.ParentProcessGuid); if (pguid !== undefined) parent.entityId = pguid
    if (parentImage !== undefined) { parent.executable = parentImage; parent.name = baseName(parentImage) }
    const pcmd = text(d.ParentCommandLine); if (pcmd !== undefined) parent.commandLine = pcmd
    if (Object.keys(parent).length > 0) proc.parent = parent
  }

  let action: ProcessAction = 'other'
  let socket: SocketInfo | undefined
  if (eid === 1) {
    action = 'start'
  } else if (eid === 5) {
    action = 'end'
  } else if (eid === 3) {
    const src = endpoint(d.SourceIp, d.SourcePort, 'Source')
    if (typeof src === 'string') return `Sysmon event 3: ${src}`
    const dst = endpoint(d.DestinationIp, d.DestinationPort, 'Destination')
    if (typeof dst === 'string') return `Sysmon event 3: ${dst}`
    const initiated = bool(d.Initiated)
    // Sysmon writes the listening side as Destination for inbound connections too.
    action = initiated === false ? 'accept' : 'connect'
    socket = {}
    const protocol = text(d.Protocol)
    if (protocol !== undefined) socket.transport = protocol.toLowerCase()
    socket.local = action === 'connect' ? src : dst
    socket.remote = action === 'connect' ? dst : src
  }

  const host: HostInfo = {}
  if (p.computer !== undefined) host.name = p.computer
  if (p.ips !== undefined) host.ips = p.ips
  if (os !== undefined) host.os = os

  const ev: ProcessEvent = {
    category: 'process',
    sensor: 'sysmon',
    format: 'sysmon',
    kind: `sysmon:${eid}`,
    action,
    host,
    process: proc,
    input: ctx.input,
    line: ctx.line,
    original: r,
    scantag: {}
  }
  if (time !== undefined) ev.time = time
  if (socket !== undefined) ev.socket = socket
  if (raw !== undefined) ev.raw = raw
  return ev
}
