/**
 * Partition ownership through leases in a JetStream key-value bucket.
 *
 * Each partition p has a key `lease.<p>` holding its owner; each worker a key `member.<id>`.
 * Owners renew their leases every tick (compare-and-set on the revision they wrote), members
 * their key. Nobody compares wall clocks: every worker watches the bucket and notes, on its own
 * monotonic clock, when each key last changed. A lease unchanged for `leaseMs` is expired and
 * may be taken over (again by compare-and-set, so two claimants cannot both win); a member whose
 * key has not changed for `leaseMs` is gone. An owner that could not renew for `leaseMs / 2`
 * stops working on the partition by itself (self-fencing), before anyone may take it over.
 *
 * The planning ({@link planLeases}) is a pure function: each live member aims at
 * ceil(P / members) partitions, taking first those it is the preferred owner of (p mod n-th
 * member in id order), others once they have been free for a whole lease, and gives back one
 * partition per tick while it holds more than its share.
 */
import type { KV, KvEntry, QueuedIterator } from 'nats'

/** What a worker knows about one key, on its own clock. */
export interface Observed {
  /** Worker named in the value ('' for a deleted key). */
  worker: string
  revision: number
  /** Local monotonic time (ms) when the revision last changed, or when first seen. */
  changedAt: number
  deleted: boolean
}

/** The group as one worker sees it through its watch. */
export class GroupView {
  readonly leases = new Map<number, Observed>()
  readonly members = new Map<string, Observed>()

  /** Records one KV entry (from the watch or a read). */
  observe (key: string, revision: number, operation: string, value: string, now: number): void {
    const deleted = operation !== 'PUT'
    let worker = ''
    if (!deleted) {
      try { worker = String((JSON.parse(value) as { worker?: unknown }).worker ?? '') } catch { worker = '' }
    }
    const map = key.startsWith('lease.') ? this.leases : key.startsWith('member.') ? this.members : undefined
    if (map === undefined) return
    const id: number | string = map === this.leases ? Number(key.slice(6)) : key.slice(7)
    const before = (map as Map<number | string, Observed>).get(id)
    if (before !== undefined && before.revision >= revision) return
    ;(map as Map<number | string, Observed>).set(id, { worker, revision, changedAt: now, deleted })
  }

  /** Members whose key changed within `leaseMs` (always including `me`), sorted by id. */
  liveMembers (now: number, leaseMs: number, me: string): string[] {
    const live = new Set<string>([me])
    for (const [id, o] of this.members) if (!o.deleted && now - o.changedAt < leaseMs) live.add(id)
    return [...live].sort()
  }

  /** Whether partition p has no owner: never leased, released, or not renewed for `leaseMs`. */
  isFree (p: number, now: number, leaseMs: number): boolean {
    const o = this.leases.get(p)
    return o === undefined || o.deleted || now - o.changedAt >= leaseMs
  }

  /** Since when (local ms) partition p has been free, or undefined when it is not. */
  freeSince (p: number, now: number, leaseMs: number): number | undefined {
    const o = this.leases.get(p)
    if (o === undefined) return -Infinity
    if (o.deleted) return o.changedAt
    return now - o.changedAt >= leaseMs ? o.changedAt + leaseMs : undefined
  }

  /** The worker holding p's lease (expired or not), or undefined. */
  ownerOf (p: number): string | undefined {
    const o = this.leases.get(p)
    return o === undefined || o.deleted ? undefined : o.worker
  }
}

/** Inputs of {@link planLeases}. */
export interface PlanInput {
  partitions: number
  me: string
  /** Live members, sorted, including `me`. */
  live: readonly string[]
  /** Partitions `me` owns (including those it is still starting or stopping). */
  owned: ReadonlySet<number>
  /** Since when each partition has been free (local ms), undefined when owned by someone. */
  freeSince: (p: number) => number | undefined
  now: number
  leaseMs: number
  /** Most partitions `me` may own (its memory budget); default unlimited. */
  max?: number
}

/** What to do this tick. */
export interface LeasePlan {
  /** Share of each live member: ceil(P / members), at most `max`. */
  target: number
  claim: number[]
  release: number[]
}

/** The preferred owner of p: the (p mod n)-th live member. */
export function preferredOwner (p: number, live: readonly string[]): string {
  return live[p % live.length]
}

/** Decides which partitions to claim and release (see the module comment). Pure. */
export function planLeases (i: PlanInput): LeasePlan {
  const target = Math.min(Math.ceil(i.partitions / Math.max(1, i.live.length)), i.max ?? Infinity)
  const claim: number[] = []
  const release: number[] = []
  let count = i.owned.size
  if (count < target) {
    const mine: number[] = []
    const others: number[] = []
    for (let p = 0; p < i.partitions; p++) {
      if (i.owned.has(p)) continue
      const since = i.freeSince(p)
      if (since === undefined) continue
      if (preferredOwner(p, i.live) === i.me) mine.push(p)
      else if (i.now - since >= i.leaseMs || !i.live.includes(preferredOwner(p, i.live))) others.push(p)
    }
    for (const p of [...mine, ...others]) {
      if (count >= target) break
      claim.push(p)
      count++
    }
  } else if (count > target && i.live.length > 1) {
    // Give back one partition per tick, one whose preferred owner is someone else.
    const give = [...i.owned].filter(p => preferredOwner(p, i.live) !== i.me).sort((a, b) => b - a)
    if (give.length > 0) release.push(give[0])
  }
  return { target, claim, release }
}

/** The KV shell: watch, heartbeat, claim, renew, release. */
export class LeaseKeeper {
  readonly view = new GroupView()
  /** Owned partitions: the revision last written and when (local ms) it was acknowledged. */
  readonly owned = new Map<number, { revision: number, renewedAt: number }>()
  private watch: QueuedIterator<KvEntry> | undefined
  private memberRevision = 0
  private readonly started = new Date().toISOString()

  constructor (private readonly kv: KV, private readonly me: string, private readonly info: Record<string, unknown> = {}) {}

  /** Starts watching the bucket; resolves once the current keys are known. */
  async start (): Promise<void> {
    let initialized!: () => void
    const ready = new Promise<void>(resolve => { initialized = resolve })
    this.watch = await this.kv.watch({ key: '>', initializedFn: () => { initialized() } })
    const w = this.watch
    void (async () => {
      for await (const e of w) this.view.observe(e.key, e.revision, e.operation, e.operation === 'PUT' ? e.string() : '', performance.now())
    })().catch(() => undefined)
    await ready
    await this.heartbeat([])
  }

  /** Writes this worker's member key (with the partitions it owns). */
  async heartbeat (owned: number[]): Promise<void> {
    this.memberRevision = await this.kv.put(`member.${this.me}`, JSON.stringify({ worker: this.me, started: this.started, renewed: new Date().toISOString(), partitions: owned, ...this.info }))
    this.view.observe(`member.${this.me}`, this.memberRevision, 'PUT', JSON.stringify({ worker: this.me }), performance.now())
  }

  /** Tries to take partition p (compare-and-set). */
  async claim (p: number): Promise<boolean> {
    const value = this.leaseValue()
    const seen = this.view.leases.get(p)
    const key = `lease.${p}`
    let revision: number
    try {
      revision = seen === undefined || seen.deleted ? await this.kv.create(key, value) : await this.kv.update(key, value, seen.revision)
    } catch {
      // Somebody else was faster, or the key vanished (bucket max age): try creating once.
      try { revision = await this.kv.create(key, value) } catch { return false }
    }
    this.owned.set(p, { revision, renewedAt: performance.now() })
    this.view.observe(key, revision, 'PUT', value, performance.now())
    return true
  }

  /**
   * Renews every owned lease; returns the partitions lost (renewal refused: someone took over),
   * and drops them from `owned`.
   */
  async renew (): Promise<number[]> {
    const lost: number[] = []
    await Promise.all([...this.owned].map(async ([p, o]) => {
      try {
        const revision = await this.kv.update(`lease.${p}`, this.leaseValue(), o.revision)
        if (this.owned.get(p) === o) this.owned.set(p, { revision, renewedAt: performance.now() })
      } catch (err) {
        const msg = (err as Error).message
        // "wrong last sequence": someone else wrote the key. Anything else (timeout, connection)
        // is retried next tick; self-fencing ends it if it lasts.
        if (/wrong last sequence|10071/i.test(msg) && this.owned.get(p) === o) {
          this.owned.delete(p)
          lost.push(p)
        }
      }
    }))
    return lost
  }

  /** Partitions whose lease could not be renewed for `ms`: the worker must stop them now. */
  stale (now: number, ms: number): number[] {
    const out: number[] = []
    for (const [p, o] of this.owned) if (now - o.renewedAt > ms) out.push(p)
    return out
  }

  /** Gives partition p back (deletes its lease if still ours). */
  async release (p: number): Promise<void> {
    const o = this.owned.get(p)
    this.owned.delete(p)
    if (o === undefined) return
    await this.kv.delete(`lease.${p}`, { previousSeq: o.revision }).catch(() => undefined)
  }

  /** Forgets p without touching the bucket (the lease was lost). */
  forget (p: number): void { this.owned.delete(p) }

  /** Stops the watch and deletes the member key. */
  async stop (): Promise<void> {
    this.watch?.stop()
    await this.kv.delete(`member.${this.me}`).catch(() => undefined)
  }

  private leaseValue (): string {
    return JSON.stringify({ worker: this.me, renewed: new Date().toISOString() })
  }
}
