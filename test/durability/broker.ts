/**
 * The real broker on a private redis-server that tests may SIGKILL: listening on a loopback port
 * (the sandboxes are served over HTTP), AOF with fsync on every write, and request limits and
 * rate/burst detection raised out of the way so load is not mistaken for an attack.
 */
import { Redis } from 'ioredis'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { freePort } from '../helpers/net.js'
import { privateRedis, type PrivateRedis } from '../helpers/redis-server.js'

export const FSYNC_EVERY_WRITE = ['--appendonly', 'yes', '--appendfsync', 'always']

const UNTHROTTLED: Record<string, string> = {
  RATE_LIMIT_PROXY_CLIENT: '9999999',
  RATE_LIMIT_PROXY_IP: '9999999',
  RATE_LIMIT_ADMIN_IP: '9999999',
  RATE_LIMIT_ADMIN_USER: '9999999',
  DETECT_LINK_BURST: '9999999',
  DETECT_RATE_FLOOR: '9999999'
}

export interface Broker {
  h: TestApp
  redis: PrivateRedis
  /** A plain client on the private Redis, to check what is stored independently of the broker. */
  direct: Redis
  baseUrl: string
}

interface Teardown { teardown: (fn: () => unknown) => void }

export async function startBroker (t: Teardown, redisArgs: string[] = FSYNC_EVERY_WRITE): Promise<Broker> {
  const redis = await privateRedis(t, redisArgs)
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const h = await buildTestApp(t, { REDIS_URL: redis.url, PORT: String(port), PUBLIC_URL: baseUrl, ...UNTHROTTLED })
  await h.app.listen({ port, host: '127.0.0.1' })
  const direct = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 })
  direct.on('error', () => {})
  t.teardown(() => direct.disconnect())
  return { h, redis, direct, baseUrl }
}

/** Waits (bounded) until the broker's own readiness check sees Redis again. */
export async function untilReady (b: Broker, timeoutMs = 10_000): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if ((await b.h.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200) return Date.now() - started
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`broker not ready ${timeoutMs} ms after the Redis restart`)
}

/** Deterministic PRNG (mulberry32) so a failing schedule can be replayed from its printed seed. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * Setup and check steps on a busy CI disk: with `appendfsync always` one fsync can outlast the
 * broker's 500 ms command timeout, so a step refused that way is tried again (bounded).
 */
export async function patiently<T> (step: () => Promise<T>, refused: (value: T) => boolean = () => false, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      const value = await step()
      if (!refused(value) || i >= attempts) return value
    } catch (err) {
      if (i >= attempts) throw err
    }
    await new Promise(resolve => setTimeout(resolve, 100 * i))
  }
}
