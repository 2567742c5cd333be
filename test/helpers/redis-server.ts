/** A private redis-server on a random loopback port, for durability and fault tests. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, redisAnswers } from '../../src/dev/local-redis.js'

export interface PrivateRedis {
  url: string
  port: number
  dir: string
  /** SIGKILL (no shutdown save, no final fsync): what a crash does. Resolves once the process is gone. */
  stop: () => Promise<void>
  /**
   * Starts the server again on the same port and directory. `extraArgs` are added for this start
   * only (e.g. `['--aof-load-truncated', 'no']`). Rejects as soon as the process exits without
   * answering, with the end of its log.
   */
  start: (extraArgs?: string[]) => Promise<void>
  /** SIGSTOP / SIGCONT: a Redis that hangs with its connections open (commands get no reply). */
  pause: () => void
  resume: () => void
}

const LOG_TAIL = 4_000

export async function privateRedis (t: { teardown: (fn: () => unknown) => void }, extraArgs: string[] = []): Promise<PrivateRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'bsb-redis-'))
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | null = null
  const start = async (startArgs: string[] = []): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extraArgs, ...startArgs]
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = c
    let log = ''
    const keep = (chunk: Buffer): void => { log = (log + chunk.toString()).slice(-LOG_TAIL) }
    c.stdout?.on('data', keep)
    c.stderr?.on('data', keep)
    let exited: string | null = null
    c.once('exit', (code, signal) => { exited = `redis-server exited (code ${String(code)}, signal ${String(signal)}): ${log.trim()}` })
    for (let i = 0; i < 100; i++) {
      if (exited !== null) {
        if (child === c) child = null
        throw new Error(exited)
      }
      if (await redisAnswers(url, 200)) return
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    throw new Error(`private redis-server did not start: ${log.trim()}`)
  }
  const stop = async (): Promise<void> => {
    const c = child
    if (c === null) return
    child = null
    if (c.exitCode !== null || c.signalCode !== null) return
    await new Promise<void>(resolve => { c.once('exit', () => resolve()); c.kill('SIGKILL') })
  }
  const signal = (name: NodeJS.Signals): void => {
    if (child === null) throw new Error('private redis-server is not running')
    child.kill(name)
  }
  t.teardown(async () => {
    if (child !== null) child.kill('SIGCONT')
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await start()
  return { url, port, dir, stop, start, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT') }
}
