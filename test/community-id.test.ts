import t from 'tap'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { communityId, protoNumberOf } from '../lib/community-id.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const fixtures = join(root, 'test', 'fixtures')

interface Vector {
  proto: number
  saddr: string
  daddr: string
  sport: number | null
  dport: number | null
  communityid: string
}

const BASELINES: Array<{ file: string, seed: number, base64: boolean }> = [
  { file: 'baseline_deflt.json', seed: 0, base64: true },
  { file: 'baseline_seed1.json', seed: 1, base64: true },
  { file: 'baseline_nob64.json', seed: 0, base64: false }
]

t.test('spec baseline JSON vectors', async t => {
  let total = 0
  for (const { file, seed, base64 } of BASELINES) {
    const vectors = JSON.parse(readFileSync(join(fixtures, 'community-id', file), 'utf8')) as Vector[]
    t.ok(vectors.length > 0, `${file} has vectors`)
    for (const v of vectors) {
      const got = communityId(v.proto, v.saddr, v.daddr, v.sport ?? undefined, v.dport ?? undefined, seed, { base64 })
      t.equal(got, v.communityid, `${file}: ${v.proto} ${v.saddr}/${v.sport} -> ${v.daddr}/${v.dport}`)
      total++
    }
  }
  t.equal(total, 69, 'all 3 x 23 JSON vectors checked')
  t.comment(`${total} JSON vectors reproduced`)
})

t.test('spec README table vectors (upper-case, leading-zero IPv6; ICMP type/code)', async t => {
  // The README's three tables: default settings, seed=1, no base64; in that order.
  const tables = [{ seed: 0, base64: true }, { seed: 1, base64: true }, { seed: 0, base64: false }]
  const readme = readFileSync(join(fixtures, 'community-id', 'README.md'), 'utf8')
  let table = -1
  let total = 0
  for (const line of readme.split('\n')) {
    if (line.startsWith('### ')) table++
    const m = /^\s+\|\s*(\w+)\s*\|\s*(\d+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(1:\S+)\s*\|/.exec(line)
    if (m === null) continue
    const { seed, base64 } = tables[table]
    const port = (s: string): number | undefined => s === '-' ? undefined : Number(s)
    const got = communityId(Number(m[2]), m[3], m[4], port(m[5]), port(m[6]), seed, { base64 })
    t.equal(got, m[7], `table ${table + 1}: ${m[1]} ${m[3]}/${m[5]} -> ${m[4]}/${m[6]}`)
    total++
  }
  t.equal(total, 48, 'all 3 x 16 table rows checked')
  t.comment(`${total} README table vectors reproduced`)
})

t.test('ordering, ICMP mapping and address forms', async t => {
  const tcp = communityId(6, '10.0.0.1', '127.0.0.1', 1234, 80)
  t.equal(communityId(6, '127.0.0.1', '10.0.0.1', 80, 1234), tcp, 'direction does not matter')
  t.not(communityId(17, '10.0.0.1', '127.0.0.1', 1234, 80), tcp, 'proto is hashed')
  t.equal(communityId(6, '10.0.0.1', '10.0.0.1', 80, 1234), communityId(6, '10.0.0.1', '10.0.0.1', 1234, 80),
    'equal addresses: ports decide the order')

  // Echo request and reply are one flow whatever the code; the reply direction is reordered.
  const echo = communityId(1, '1.2.3.4', '5.6.7.8', 8, 0)
  t.equal(communityId(1, '5.6.7.8', '1.2.3.4', 0, 0), echo, 'echo reply pairs with request')
  t.equal(communityId(1, '1.2.3.4', '5.6.7.8', 8, 7), echo, 'code ignored for types with a counterpart')
  t.equal(communityId(1, '1.2.3.4', '5.6.7.8', 13, 0), communityId(1, '5.6.7.8', '1.2.3.4', 14, 0), 'timestamp')
  t.equal(communityId(1, '1.2.3.4', '5.6.7.8', 10, 0), communityId(1, '5.6.7.8', '1.2.3.4', 9, 0), 'router solicit/advert')
  t.equal(communityId(58, '::1', '::2', 139, 0), communityId(58, '::2', '::1', 140, 0), 'node information query/response')
  t.equal(communityId(58, '::1', '::2', 144, 0), communityId(58, '::2', '::1', 145, 0), 'home agent address discovery')
  t.equal(communityId(58, '::1', '::2', 130, 0), communityId(58, '::2', '::1', 131, 0), 'MLD query/report')
  // One-way types: never reordered, and the code matters.
  t.not(communityId(1, '5.6.7.8', '1.2.3.4', 3, 3), communityId(1, '1.2.3.4', '5.6.7.8', 3, 3), 'unreachable is one-way')
  t.not(communityId(1, '1.2.3.4', '5.6.7.8', 3, 1), communityId(1, '1.2.3.4', '5.6.7.8', 3, 3), 'one-way keeps the code')
  t.not(communityId(58, '::2', '::1', 146, 0), communityId(58, '::1', '::2', 146, 0), 'mobile prefix solicitation is one-way')

  // Ports only count for port-bearing protocols.
  t.equal(communityId(46, '1.2.3.4', '5.6.7.8', 1, 2), communityId(46, '1.2.3.4', '5.6.7.8'), 'ports ignored for RSVP')
  t.equal(communityId(46, '1.2.3.4', '5.6.7.8'), '1:ikv3kmf89luf73WPz1jOs49S768=', 'port-less protocol')

  const v6 = communityId(6, 'fe80::1', '2001:db8::ab', 1, 2)
  for (const form of ['FE80::1', 'fe80:0:0:0:0:0:0:1', 'fe80:0000:0000:0000:0000:0000:0000:0001', 'fe80::0:1', 'fe80::1%eth0']) {
    t.equal(communityId(6, form, '2001:0DB8:0000::00AB', 1, 2), v6, `IPv6 form ${form}`)
  }
  const mapped = communityId(6, '::ffff:1.2.3.4', '::ffff:5.6.7.8', 1, 2)
  t.equal(communityId(6, '::FFFF:0102:0304', '0:0:0:0:0:ffff:506:708', 1, 2), mapped, 'IPv4-mapped, hex and dotted')
  t.not(mapped, communityId(6, '1.2.3.4', '5.6.7.8', 1, 2), 'IPv4-mapped IPv6 hashes as 16 bytes, as in the reference')
  t.equal(communityId(6, '::1.2.3.4', '::5.6.7.8', 1, 2), communityId(6, '::102:304', '::506:708', 1, 2),
    'IPv4-compatible ::a.b.c.d is not IPv4-mapped')

  t.equal(communityId(6, '1.2.3.4', '5.6.7.8', 1122, 3344, 0, { base64: false }),
    '1:c026f7386ef200559e95a53276ed03fb5db908b3', 'hex digest')
})

t.test('invalid input', async t => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1..2.3',
    '::g', '1::2::3', '12345::1', '00001::1', '1:2:3:4:5:6:7:8:9', '::1.2.3', '::1.2.3.04', '::0x1.2.3.4',
    'fe80::1%', 'localhost']) {
    t.equal(communityId(6, bad, '1.2.3.4', 1, 2), undefined, `saddr ${JSON.stringify(bad)}`)
    t.equal(communityId(6, '1.2.3.4', bad, 1, 2), undefined, `daddr ${JSON.stringify(bad)}`)
  }
  t.equal(communityId(6, '1.2.3.4', '5.6.7.8'), undefined, 'TCP without ports')
  t.equal(communityId(17, '1.2.3.4', '5.6.7.8', 1), undefined, 'UDP with one port')
  t.equal(communityId(6, '1.2.3.4', '5.6.7.8', 65536, 1), undefined, 'port out of range')
  t.equal(communityId(6, '1.2.3.4', '5.6.7.8', 1.5, 1), undefined, 'fractional port')
  t.equal(communityId(256, '1.2.3.4', '5.6.7.8'), undefined, 'proto out of range')
  t.throws(() => communityId(6, '1.2.3.4', '5.6.7.8', 1, 2, 65536), RangeError, 'seed out of range')
  t.throws(() => communityId(6, '1.2.3.4', '5.6.7.8', 1, 2, -1), RangeError, 'negative seed')
})

t.test('protoNumberOf', async t => {
  const cases: Array<[string, number | undefined]> = [
    ['tcp', 6], ['TCP', 6], ['udp', 17], ['UDP', 17], ['icmp', 1], ['ICMP', 1], ['IPv6-ICMP', 58],
    ['ipv6-icmp', 58], ['icmp6', 58], ['ICMPv6', 58], ['sctp', 132], ['SCTP', 132], ['GRE', 47],
    ['47', 47], ['0', 0], ['255', 255], ['256', undefined], ['', undefined], ['unknown_transport', undefined],
    ['4x', undefined], ['1234', undefined]
  ]
  for (const [name, want] of cases) t.equal(protoNumberOf(name), want, JSON.stringify(name))
})

interface EveRecord {
  proto?: string
  src_ip?: string
  dest_ip?: string
  src_port?: number
  dest_port?: number
  icmp_type?: number
  icmp_code?: number
  community_id?: string
}

/** Recomputes a Suricata EVE record's community_id from its flow tuple. */
function eveCommunityId (r: EveRecord): string | undefined {
  const proto = r.proto === undefined ? undefined : protoNumberOf(r.proto)
  if (proto === undefined || r.src_ip === undefined || r.dest_ip === undefined) return undefined
  // Suricata hashes ICMP with the type in the source port's place and the code (or the
  // counterpart type, which communityId() derives from the type) in the destination port's.
  if (proto === 1 || proto === 58) return communityId(proto, r.src_ip, r.dest_ip, r.icmp_type, r.icmp_code)
  return communityId(proto, r.src_ip, r.dest_ip, r.src_port, r.dest_port)
}

/** Parses EVE text: NDJSON, or one pretty-printed JSON array. Returns records and skipped lines. */
function readEve (text: string): { records: EveRecord[], skipped: number } {
  if (text.trimStart().startsWith('[')) {
    try {
      return { records: JSON.parse(text) as EveRecord[], skipped: 0 }
    } catch {
      // fall through: not one JSON array after all
    }
  }
  const records: EveRecord[] = []
  let skipped = 0
  for (const line of text.split('\n')) {
    const s = line.trim()
    if (s === '') continue
    try {
      const r = JSON.parse(s) as unknown
      if (r !== null && typeof r === 'object' && !Array.isArray(r)) records.push(r as EveRecord)
      else skipped++
    } catch {
      skipped++
    }
  }
  return { records, skipped }
}

interface Tally { compared: number, matched: number, mismatches: string[] }

function check (records: EveRecord[]): Tally {
  const tally: Tally = { compared: 0, matched: 0, mismatches: [] }
  for (const r of records) {
    if (typeof r.community_id !== 'string') continue
    tally.compared++
    const got = eveCommunityId(r)
    if (got === r.community_id) tally.matched++
    else if (tally.mismatches.length < 10) tally.mismatches.push(`${JSON.stringify(r).slice(0, 300)} -> ${got}`)
  }
  return tally
}

t.test('Suricata community_id in the EVE sample fixture', async t => {
  const text = readFileSync(join(fixtures, 'eve', 'community-id-sample.json'), 'utf8')
  const { records, skipped } = readEve(text)
  t.equal(skipped, 0, 'every line is a JSON record')
  const tally = check(records)
  const protos = new Set(records.filter(r => r.community_id !== undefined).map(r => r.proto))
  t.ok(protos.has('TCP') && protos.has('UDP') && protos.has('ICMP'), 'sample covers TCP, UDP and ICMP')
  t.equal(tally.compared, records.length, 'every sample record carries community_id')
  t.same(tally.mismatches, [], 'no mismatches')
  t.equal(tally.matched, tally.compared, `${tally.matched}/${tally.compared} match Suricata`)
  t.comment(`EVE sample: ${tally.matched}/${tally.compared} Suricata community_id values matched`)
})

const sharedData = join(root, '..', 'shared', 'data')

/** Files under `dir` (recursively) whose name satisfies `want`. */
function walk (dir: string, want: (name: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, want, out)
    else if (want(name)) out.push(p)
  }
  return out
}

t.test('Suricata community_id in every shared EVE file', {
  skip: existsSync(sharedData) ? false : `${sharedData} not present`
}, async t => {
  const files = [
    ...readdirSync(join(sharedData, 'lab')).sort()
      .map(d => join(sharedData, 'lab', d, 'eve.json')).filter(f => existsSync(f)),
    ...walk(join(sharedData, 'public', 'suricata-eve-labs'), n => n === 'eve.json'),
    ...walk(join(sharedData, 'public', 'slips-dataset'), n => n.endsWith('.json'))
  ]
  t.ok(files.length > 0, 'found EVE files')
  let compared = 0
  let matched = 0
  for (const file of files) {
    const { records, skipped } = readEve(readFileSync(file, 'utf8'))
    const tally = check(records)
    compared += tally.compared
    matched += tally.matched
    const name = file.slice(sharedData.length + 1)
    t.same(tally.mismatches, [], `${name}: ${tally.matched}/${tally.compared} of ${records.length} records match` +
      (skipped > 0 ? ` (${skipped} non-JSON lines skipped)` : ''))
  }
  t.ok(compared > 0, 'some records carry community_id')
  t.equal(matched, compared, `${matched}/${compared} match Suricata`)
  t.comment(`shared EVE files: ${files.length} files, ${matched}/${compared} Suricata community_id values matched`)
})
