/** Every key under a prefix with its value as text, whatever its type (for secret canary scans). */
import type { Redis } from 'ioredis'

async function valueOf (redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key)
  switch (type) {
    case 'string': return (await redis.getBuffer(key))?.toString('latin1') ?? ''
    case 'hash': return JSON.stringify(await redis.hgetall(key))
    case 'list': return JSON.stringify(await redis.lrange(key, 0, -1))
    case 'set': return JSON.stringify(await redis.smembers(key))
    case 'zset': return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'))
    case 'stream': return JSON.stringify(await redis.xrange(key, '-', '+'))
    default: return `(${type})`
  }
}

export async function dumpPrefix (redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) out.set(key, await valueOf(redis, key))
  } while (cursor !== '0')
  return out
}
