/**
 * The Redis client, configured to fail closed: no offline queue, one retry, a command timeout,
 * so a Redis outage turns into fast refusals instead of hanging requests (reliability.md §3.4).
 */
import { Redis, Cluster, type RedisOptions } from 'ioredis'
import type { Config } from '../config.js'

export type RedisClient = Redis | Cluster

export const REDIS_OPTIONS: RedisOptions = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 500,
  connectTimeout: 2_000,
  lazyConnect: false,
  retryStrategy: (times: number) => Math.min(times * 100, 1_000),
  // A demoted master (failover behind a Sentinel or a managed endpoint) answers writes with READONLY:
  // reconnect to find the new master. The failed command is not resent; its caller already failed closed.
  reconnectOnError: (err: Error) => err.message.startsWith('READONLY') ? 1 : false
})

/**
 * `REDIS_URL` for a cluster or Sentinel: a comma-separated list of seed nodes (or sentinels), each
 * `host:port` or `redis[s]://[user:password@]host:port`. Scheme and credentials hold for every
 * entry: `rediss://` turns TLS on for every connection and the credentials authenticate to every
 * node (and, under Sentinel, to the sentinels and the master); mixed entries are refused rather
 * than half applied.
 */
export interface RedisEndpoints {
  hosts: Array<{ host: string, port: number }>
  tls: boolean
  username: string | undefined
  password: string | undefined
}

/** Parses the list; throws an Error saying what is wrong. */
export function parseRedisEndpoints (list: string): RedisEndpoints {
  const entries = list.split(',').map(e => e.trim()).filter(e => e !== '')
  if (entries.length === 0) throw new Error('expected at least one host:port')
  const parsed = entries.map(entry => {
    let url: URL
    try {
      url = new URL(/^rediss?:\/\//.test(entry) ? entry : `redis://${entry}`)
    } catch {
      throw new Error(`"${entry.replace(/\/\/[^@]*@/, '//…@')}" is not host:port or a redis:// URL`)
    }
    if (url.pathname !== '' && url.pathname !== '/') throw new Error('a cluster or Sentinel has no database number: drop the /n')
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? 6379 : Number(url.port),
      tls: url.protocol === 'rediss:',
      username: url.username === '' ? undefined : decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password)
    }
  })
  const first = parsed[0] as typeof parsed[number]
  if (parsed.some(p => p.tls !== first.tls)) throw new Error('every entry must use the same scheme (all redis:// or all rediss://)')
  const withCredentials = parsed.filter(p => p.username !== undefined || p.password !== undefined)
  const credentials = withCredentials[0] ?? { username: undefined, password: undefined }
  if (withCredentials.some(p => p.username !== credentials.username || p.password !== credentials.password)) {
    throw new Error('entries carry different credentials: give them once, or the same on every entry')
  }
  return { hosts: parsed.map(p => ({ host: p.host, port: p.port })), tls: first.tls, username: credentials.username, password: credentials.password }
}

/** What is wrong with `REDIS_URL` for `REDIS_MODE`, or null (checked once at start by loadConfig). */
export function redisTopologyProblem (mode: Config['redisMode'], url: string): string | null {
  if (mode === 'standalone') {
    if (url.includes(',')) return 'one redis:// URL in standalone mode (a list of nodes needs REDIS_MODE=cluster or sentinel)'
    return /^rediss?:\/\//.test(url) ? null : 'a redis:// or rediss:// URL in standalone mode'
  }
  try {
    parseRedisEndpoints(url)
    return null
  } catch (err) {
    return (err as Error).message
  }
}

export function createRedis (config: Pick<Config, 'redisUrl' | 'redisMode' | 'redisSentinelName'>): RedisClient {
  if (config.redisMode === 'standalone') return new Redis(config.redisUrl, { ...REDIS_OPTIONS })
  const { hosts, tls, username, password } = parseRedisEndpoints(config.redisUrl)
  const auth = { username, password, ...(tls ? { tls: {} } : {}) }
  if (config.redisMode === 'cluster') {
    return new Cluster(hosts, {
      enableOfflineQueue: false,
      redisOptions: { ...REDIS_OPTIONS, ...auth },
      clusterRetryStrategy: (times: number) => Math.min(times * 100, 1_000)
    })
  }
  // failoverDetector: on the sentinels' +switch-master, reconnect at once. Without it the instance keeps
  // writing to the old master until the sentinels demote it (their next INFO, up to ~10 s), and the
  // old master drops those writes when it resyncs from the new one (test/cluster/sentinel.test.ts).
  return new Redis({
    ...REDIS_OPTIONS,
    ...auth,
    sentinels: hosts,
    name: config.redisSentinelName,
    failoverDetector: true,
    sentinelUsername: username,
    sentinelPassword: password,
    ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {})
  })
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export function waitReady (redis: RedisClient, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error('Redis did not become ready in time')) }, timeoutMs)
    const onReady = (): void => { cleanup(); resolve() }
    const cleanup = (): void => { clearTimeout(timer); redis.off('ready', onReady) }
    redis.on('ready', onReady)
  })
}
