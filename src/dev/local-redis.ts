/**
 * For `npm start` on a fresh machine: use the Redis at REDIS_URL if one answers, else start a
 * private `redis-server` (AOF on, data in .data/redis) on a free port, else explain how to fix it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export async function redisAnswers (url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

export function redisServerInstalled (): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}

/** A `redis-server` on a free loopback port: with its AOF in `dataDir`, or keeping nothing when `dataDir` is null. */
export async function startPrivateRedis (dataDir: string | null): Promise<{ url: string, child: ChildProcess }> {
  const port = await freePort()
  let persistence = ['--appendonly', 'no']
  if (dataDir !== null) {
    mkdirSync(dataDir, { recursive: true })
    persistence = ['--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec']
  }
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 200)) return { url, child }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  child.kill()
  throw new Error(`redis-server did not start on port ${port}`)
}
