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
  retryStrategy: (times: number) => Math.min(times * 100, 1_000)
})

function hostsOf (list: string): Array<{ host: string, port: number }> {
  return list.split(',').map(entry => {
    const text = entry.trim().replace(/^rediss?:\/\//, '')
    const [host, port] = text.split(':')
    return { host: host as string, port: Number(port ?? 6379) }
  })
}

export function createRedis (config: Pick<Config, 'redisUrl' | 'redisMode' | 'redisSentinelName'>): RedisClient {
  if (config.redisMode === 'cluster') {
    return new Cluster(hostsOf(config.redisUrl), {
      enableOfflineQueue: false,
      redisOptions: { ...REDIS_OPTIONS },
      clusterRetryStrategy: (times: number) => Math.min(times * 100, 1_000)
    })
  }
  if (config.redisMode === 'sentinel') {
    return new Redis({ ...REDIS_OPTIONS, sentinels: hostsOf(config.redisUrl), name: config.redisSentinelName })
  }
  return new Redis(config.redisUrl, { ...REDIS_OPTIONS })
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
