/**
 * `npm run fuzz`: the properties of `test/fuzz.test.ts` with many more runs and a random seed.
 *
 *   npm run fuzz                                  # every property, scale 20, a random seed
 *   npm run fuzz -- --seed 123 --scale 50         # reproducible, longer
 *   npm run fuzz -- --property 'Zeek TSV'         # properties whose name contains the text
 *   npm run fuzz -- --seed 123 --path 62:32:4 --property 'auditd: assembler'   # replay a counterexample
 *   npm run fuzz -- --list
 *
 * The seed is printed first, so any failure can be replayed. A failing property prints
 * fast-check's report (seed, path, shrunk counterexample, the error) and the replay command;
 * the run goes on with the other properties and exits 1 at the end. The properties run in a
 * child process: a synchronous hang (catastrophic regex backtracking, an endless loop) blocks
 * its event loop, so this process watches for progress and, after `--stall` seconds without
 * any, names the property, stops the child and exits 2.
 *
 * Environment: FUZZ_TIME_LIMIT_MS (one input through a reader, default 3000) and
 * FUZZ_CALL_LIMIT_MS (one pure-function call, default 1000) bound every input.
 */
import { fork } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { fileURLToPath } from 'node:url'

interface Job { seed: number, scale: number, filter: string | undefined, path: string | undefined }

type Message =
  | { type: 'start', name: string, runs: number }
  | { type: 'tick', name: string, run: number }
  | { type: 'pass', name: string, runs: number, ms: number }
  | { type: 'fail', name: string, report: string, replay: string, ms: number }
  | { type: 'end', failed: number, runs: number }

function usage (): never {
  console.error('usage: npm run fuzz -- [--seed N] [--scale K] [--property TEXT] [--path P] [--stall SECONDS] [--list]')
  process.exit(1)
}

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name)
    if (i < 0) return undefined
    const v = args[i + 1]
    if (v === undefined) usage()
    return v
  }
  for (const a of args) if (a.startsWith('--') && !['--seed', '--scale', '--property', '--path', '--stall', '--list', '--help'].includes(a)) usage()
  if (args.includes('--help')) usage()
  if (args.includes('--list')) {
    const { PROPERTIES } = await import('./properties.js')
    for (const p of PROPERTIES) console.log(`${String(p.runs).padStart(5)}  ${p.name}`)
    return
  }
  const seedText = opt('--seed')
  const seed = seedText !== undefined ? Number(seedText) : randomInt(2 ** 31 - 1)
  const scale = Number(opt('--scale') ?? 20)
  const stallMs = Number(opt('--stall') ?? 60) * 1000
  if (!Number.isInteger(seed) || !(scale > 0) || !(stallMs > 0)) usage()
  const job: Job = { seed, scale, filter: opt('--property'), path: opt('--path') }
  if (job.path !== undefined && job.filter === undefined) usage() // a path belongs to one property
  const scope = job.filter !== undefined ? ` --property '${job.filter}'` : ''
  console.log(`scantag fuzz: seed ${seed}, scale ${scale}${scope}${job.path !== undefined ? `, path ${job.path}` : ''}`)
  console.log(`reproduce with: npm run fuzz -- --seed ${seed} --scale ${scale}${scope}`)

  const started = Date.now()
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, SCANTAG_FUZZ_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  let lastProgress = Date.now()
  let current = '(loading)'
  let currentRuns = 0
  let lastRun = -1
  let failed = 0
  let finished = false
  child.on('message', (m: Message) => {
    lastProgress = Date.now()
    switch (m.type) {
      case 'start': current = m.name; currentRuns = m.runs; lastRun = -1; process.stdout.write(`… ${m.name} (${m.runs} runs)\n`); break
      case 'tick': lastRun = m.run; break
      case 'pass': console.log(`ok   ${m.name}: ${m.runs} runs in ${(m.ms / 1000).toFixed(1)} s`); break
      case 'fail':
        failed++
        console.log(`FAIL ${m.name} after ${(m.ms / 1000).toFixed(1)} s\n${m.report}\n${m.replay}\n`)
        break
      case 'end':
        finished = true
        console.log(`${m.failed === 0 ? 'all properties hold' : `${m.failed} of the properties failed`}: ${m.runs} runs planned in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`)
        break
    }
  })
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress < stallMs) return
    console.log(`HANG ${current}: no progress for ${stallMs / 1000} s, an input that does not finish (catastrophic backtracking or an endless loop)`)
    console.log(`reproduce with: npm run fuzz -- --seed ${seed} --scale ${scale} --property '${current}'`)
    // Runs count from the start of the given path when one was given (a plain run number).
    const at = job.path === undefined ? lastRun : /^\d+$/.test(job.path) ? Number(job.path) + lastRun : -1
    if (lastRun >= 0 && lastRun < currentRuns && at >= 0) console.log(`it hung at run ${at} of that property or a few runs later; replay from there: npm run fuzz -- --seed ${seed} --path ${at} --property '${current}'`)
    clearInterval(watchdog)
    process.exitCode = 2
    child.kill('SIGKILL')
  }, 1000)
  child.on('error', (err) => { console.error(err); process.exitCode = 2 })
  child.on('exit', (code, signal) => {
    clearInterval(watchdog)
    if (!finished && process.exitCode !== 2) console.log(`the fuzzing process ended early (exit code ${String(code)}, signal ${String(signal)}) while running "${current}"; reproduce with: npm run fuzz -- --seed ${seed} --scale ${scale}`)
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = failed > 0 || !finished ? 1 : 0
  })
}

async function work (job: Job): Promise<void> {
  const post = (m: Message): void => { process.send?.(m) }
  const { PROPERTIES, runProperty } = await import('./properties.js')
  let failed = 0
  let total = 0
  for (const p of PROPERTIES) {
    if (job.filter !== undefined && !p.name.includes(job.filter)) continue
    const runs = Math.max(1, Math.round(p.runs * job.scale))
    post({ type: 'start', name: p.name, runs })
    const t0 = performance.now()
    // A heartbeat with the run number, at most every 100 ms (a message per run floods the IPC
    // pipe in fast synchronous properties): on a hang the watchdog knows a run at or before it.
    let run = 0
    let lastTick = 0
    const onRun = (): void => {
      const now = performance.now()
      if (now - lastTick >= 100) { lastTick = now; post({ type: 'tick', name: p.name, run }) }
      run++
    }
    try {
      total += await runProperty(p, { scale: job.scale, seed: job.seed, path: job.path, onRun })
      post({ type: 'pass', name: p.name, runs, ms: performance.now() - t0 })
    } catch (err) {
      failed++
      total += runs
      const e = err as Error
      const cause = e.cause instanceof Error ? `\n${e.cause.stack ?? e.cause.message}` : ''
      const m = /seed: (-?\d+), path: "([^"]*)"/.exec(e.message)
      const replay = m !== null ? `replay: npm run fuzz -- --seed ${m[1]} --path ${m[2]} --property '${p.name}'` : `replay: npm run fuzz -- --seed ${job.seed} --property '${p.name}'`
      post({ type: 'fail', name: p.name, report: e.message + cause, replay, ms: performance.now() - t0 })
    }
  }
  // Disconnect only once every message is written (queued ones would be dropped).
  await new Promise<void>((resolve) => { process.send?.({ type: 'end', failed, runs: total } satisfies Message, () => { resolve() }) })
  process.disconnect?.()
}

const jobText = process.env.SCANTAG_FUZZ_JOB
if (jobText !== undefined && process.send !== undefined) await work(JSON.parse(jobText) as Job)
else await main()
