/**
 * The Lua scripts of detection, locks and unlock codes. Each touches keys of one hash slot only
 * (a client's keys live under its database's tag), so they also run on Redis Cluster.
 */
import type { RedisClient } from '../store/redis.js'

/** Fixed-window counter: INCR, and PEXPIRE when the window starts (or the key lost its TTL). */
const COUNT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`

/** Locks a client record that exists: 1 locked now, 0 already locked, -1 no such record. */
const LOCK_CLIENT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'locked') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'locked', '1', 'lock_reason', ARGV[1], 'locked_at', ARGV[2], 'locked_by', ARGV[3])
return 1
`

const LOCK_DB = `
if redis.call('HGET', KEYS[1], 'locked') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'locked', '1', 'reason', ARGV[1], 'locked_at', ARGV[2], 'locked_by', ARGV[3])
return 1
`

/** Records a sent code; a resend to the same phone for the same lock keeps the first expiry (Twilio resends the same code). */
const CODE_SENT = `
local c = redis.call('HMGET', KEYS[1], 'phone', 'lock', 'expires_at')
if c[1] == ARGV[1] and c[2] == ARGV[2] and tonumber(c[3]) > tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'phone', ARGV[1], 'lock', ARGV[2], 'expires_at', ARGV[4], 'tries', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`

/** Counts a try before Twilio is asked, so parallel guesses cannot exceed the cap: n ≥ 1 the try number, 0 no live code, -1 code ended. */
const CODE_TRY = `
local c = redis.call('HMGET', KEYS[1], 'phone', 'expires_at')
if not c[1] then return 0 end
if c[1] ~= ARGV[1] or tonumber(c[2]) <= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) return 0 end
local t = redis.call('HINCRBY', KEYS[1], 'tries', 1)
if t > tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) return -1 end
return t
`

/** A wrong code: counts a consecutive failure, ends the code at its last try, freezes at the cap. Returns {failures, frozen}. */
const CODE_FAILED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0} end
local f = redis.call('HINCRBY', KEYS[1], 'unlock_failures', 1)
if f >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'frozen', '1')
  redis.call('DEL', KEYS[2])
  return {f, 1}
end
if tonumber(ARGV[2]) >= tonumber(ARGV[3]) then redis.call('DEL', KEYS[2]) end
return {f, 0}
`

/** An approved code unlocks only the lock it was sent for, once: 1 unlocked, 0 no such code/lock, -1 frozen. */
const UNLOCK = `
if redis.call('HGET', KEYS[1], 'frozen') == '1' then return -1 end
local c = redis.call('HMGET', KEYS[2], 'phone', 'lock', 'expires_at')
if not c[1] or c[1] ~= ARGV[1] or tonumber(c[3]) <= tonumber(ARGV[2]) then return 0 end
local lockId = (redis.call('HGET', KEYS[1], 'locked_at') or '') .. '|' .. (redis.call('HGET', KEYS[3], 'locked_at') or '')
if c[2] ~= lockId or lockId == '|' then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HDEL', KEYS[1], 'locked', 'lock_reason', 'locked_at', 'locked_by')
redis.call('HSET', KEYS[1], 'unlock_failures', '0')
return 1
`

/** Sliding window of sends (ZSET, app-clock scores): 1 reserved, 0 over the limit, -n wait n ms. */
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if last and tonumber(ARGV[1]) - tonumber(last) < tonumber(ARGV[4]) then
  return -(tonumber(ARGV[4]) - (tonumber(ARGV[1]) - tonumber(last)))
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

type Cmd<R> = (...args: Array<string | number>) => Promise<R>

export interface LockScripts {
  bsbCount: Cmd<number>
  bsbLockClient: Cmd<number>
  bsbLockDb: Cmd<number>
  bsbCodeSent: Cmd<number>
  bsbCodeTry: Cmd<number>
  bsbCodeFailed: Cmd<[number, number]>
  bsbUnlock: Cmd<number>
  bsbReserve: Cmd<number>
}

const DEFINITIONS: Array<[keyof LockScripts, number, string]> = [
  ['bsbCount', 1, COUNT], ['bsbLockClient', 1, LOCK_CLIENT], ['bsbLockDb', 1, LOCK_DB],
  ['bsbCodeSent', 1, CODE_SENT], ['bsbCodeTry', 1, CODE_TRY], ['bsbCodeFailed', 2, CODE_FAILED], ['bsbUnlock', 3, UNLOCK],
  ['bsbReserve', 1, RESERVE]
]

const defined = new WeakSet<object>()

export function lockScripts (redis: RedisClient): LockScripts {
  if (!defined.has(redis)) {
    for (const [name, numberOfKeys, lua] of DEFINITIONS) redis.defineCommand(name, { numberOfKeys, lua })
    defined.add(redis)
  }
  return redis as unknown as LockScripts
}
