/** A private redis-server on a random loopback port, for durability and fault tests. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, redisAnswers } from '../../src/dev/local-redis.js'

export interface PrivateRedis { url: string, port: number, dir: string, stop: () => Promise<void>, start: () => Promise<void> }

export async function privateRedis (t: { teardown: (fn: () => unknown) => void }, extraArgs: string[] = []): Promise<PrivateRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'bsb-redis-'))
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | null = null
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extraArgs], { stdio: 'ignore' })
    for (let i = 0; i < 100; i++) {
      if (await redisAnswers(url, 200)) return
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    throw new Error('private redis-server did not start')
  }
  const stop = async (): Promise<void> => {
    const c = child
    if (c === null) return
    child = null
    await new Promise<void>(resolve => { c.once('exit', () => resolve()); c.kill('SIGKILL') })
  }
  await start()
  t.teardown(stop)
  return { url, port, dir, stop, start }
}
