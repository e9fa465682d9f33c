/**
 * A throwaway `nats-server -js` on loopback, for test/jetstream.test.ts and bench/jetstream.ts
 * (not a test file: tap runs only `*.test.ts`). `.ci/run` starts its own and exports
 * `SCANTAG_NATS_URL`; without it these start one when Debian's binary is installed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { connect } from 'nats'

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => { resolve(typeof a === 'object' && a !== null ? a.port : 0) })
    })
    s.on('error', reject)
  })
}

/** The nats-server binary on PATH or in the usual system folders, if installed. */
export function natsServerBinary (): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'])) {
    if (dir !== '' && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server')
  }
  return undefined
}

/** Whether a NATS server with JetStream answers at `url`. */
export async function reachable (url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 2000, reconnect: false })
    const jsm = await nc.jetstreamManager().catch(() => undefined)
    await nc.close()
    return jsm !== undefined
  } catch {
    return false
  }
}

/**
 * Starts `nats-server -js` on a free loopback port with its store in a new folder `store` and
 * waits (`attempts` × 100 ms) until JetStream answers. A reason string when it cannot.
 */
export async function startNatsServer (store: string, attempts: number): Promise<{ url: string, proc: ChildProcess } | string> {
  const bin = natsServerBinary()
  if (bin === undefined) return 'no nats-server: set SCANTAG_NATS_URL or install nats-server (apt-get install nats-server; .ci/run does)'
  const port = await freePort()
  mkdirSync(store)
  const proc = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' })
  const url = `nats://127.0.0.1:${port}`
  for (let i = 0; i < attempts; i++) {
    if (await reachable(url)) return { url, proc }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  proc.kill('SIGKILL')
  return `nats-server did not start on ${url}`
}
