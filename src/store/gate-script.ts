/**
 * The gate's one Redis round trip: a single script reads the client, the database's subscription
 * and lock, and — only for a caller that presented the client's current access token — counts the
 * request (per-client rate window, the client's normal rate, distinct end-user IPs). Counting only
 * on a matching access token means nobody can exhaust or trip another client's budget by sending
 * its id. It also returns the client's sealed link data, which every data endpoint needs next.
 * Every key sits under the database's hash tag, so the script also runs on Redis Cluster.
 */
import type { RedisClient } from './redis.js'
import type { Keys } from './keys.js'

/** KEYS: 1 client, 2 subscription, 3 db lock, 4 rate window, 5 rate baseline, 6 end-user IPs, 7 link. */
const COUNT_FN = `
local function count()
  local n = redis.call('INCR', KEYS[4])
  local ttl = redis.call('PTTL', KEYS[4])
  if n == 1 or ttl < 0 then
    redis.call('PEXPIRE', KEYS[4], ARGV[3])
    ttl = tonumber(ARGV[3])
  end
  local h = redis.call('HMGET', KEYS[5], 'm', 'n', 'avg')
  local m = tonumber(h[2]) or 0
  local avg = tonumber(h[3]) or -1
  if h[1] ~= ARGV[4] then
    if h[1] then
      if avg < 0 then avg = m else avg = avg + tonumber(ARGV[5]) * (m - avg) end
    end
    m = 0
  end
  m = m + 1
  redis.call('HSET', KEYS[5], 'm', ARGV[4], 'n', tostring(m), 'avg', tostring(avg))
  redis.call('EXPIRE', KEYS[5], ARGV[6])
  local ips = 0
  if ARGV[7] ~= '' then
    local fresh = redis.call('EXISTS', KEYS[6]) == 0
    redis.call('SADD', KEYS[6], ARGV[7])
    if fresh then redis.call('PEXPIRE', KEYS[6], ARGV[8]) end
    ips = redis.call('SCARD', KEYS[6])
  end
  return {n, ttl, m, tostring(avg), ips}
end
`

/** ARGV: 1 SHA-256 of the presented access token, 2 now (ms), then the counting arguments (see COUNT_FN). */
const GATE = COUNT_FN + `
local c = redis.call('HGETALL', KEYS[1])
if #c == 0 then return {0} end
local s = redis.call('HGETALL', KEYS[2])
local l = redis.call('HGETALL', KEYS[3])
local seen = {}
local t = redis.call('HMGET', KEYS[1], 'at', 'at_exp', 'locked', 'frozen')
if t[1] == ARGV[1] and (tonumber(t[2]) or 0) > tonumber(ARGV[2]) and t[3] ~= '1' and t[4] ~= '1' and redis.call('HGET', KEYS[3], 'locked') ~= '1' then
  seen = count()
end
return {1, c, s, l, seen, redis.call('HGET', KEYS[7], 'data') or ''}
`

/** Counting alone, after the signature verified, for token upkeep calls that carry a stale access token. */
const COUNT_ONLY = COUNT_FN + 'return count()'

/** Weight of a newly closed active minute in the client's normal rate (an average over ~5 active minutes). */
const RATE_ALPHA = 0.2
const BASELINE_TTL_SECONDS = 30 * 86_400

export interface RequestCount {
  /** Requests of this client in the current rate-limit window, this one included. */
  inWindow: number
  windowTtlMs: number
  /** Requests in the current minute, and the client's normal per active minute (-1: no history yet). */
  thisMinute: number
  normalPerMinute: number
  distinctPsuIps: number
}

export interface GateRead {
  client: Record<string, string> | null
  subscription: Record<string, string>
  dbLock: Record<string, string>
  /** Null when the request was not counted (no current access token, or locked). */
  counted: RequestCount | null
  /** The client's link data, still sealed (opened only after the signature verified), or null. */
  linkSealed: string | null
}

export interface GateArgs {
  dbUuid: string
  clientId: string
  accessTokenHash: string
  psuIp: string | null
  now: number
  rateWindowMs: number
  psuWindowMs: number
}

function pairs (flat: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string
  return out
}

function parseCount (raw: unknown[]): RequestCount | null {
  if (raw.length < 5) return null
  return { inWindow: Number(raw[0]), windowTtlMs: Number(raw[1]), thisMinute: Number(raw[2]), normalPerMinute: Number(raw[3]), distinctPsuIps: Number(raw[4]) }
}

type Script = (...args: string[]) => Promise<unknown[]>

export function createGateScript (redis: RedisClient, keys: Keys) {
  redis.defineCommand('bsbGate', { numberOfKeys: 7, lua: GATE })
  redis.defineCommand('bsbGateCount', { numberOfKeys: 7, lua: COUNT_ONLY })
  const scripts = redis as unknown as { bsbGate: Script, bsbGateCount: Script }
  const argv = (a: GateArgs): string[] => [
    keys.client(a.dbUuid, a.clientId), keys.subscription(a.dbUuid), keys.dbLock(a.dbUuid),
    keys.clientRate(a.dbUuid, a.clientId), keys.clientBaseline(a.dbUuid, a.clientId), keys.psuIps(a.dbUuid, a.clientId), keys.link(a.dbUuid, a.clientId),
    a.accessTokenHash, String(a.now), String(a.rateWindowMs), String(Math.floor(a.now / 60_000)), String(RATE_ALPHA),
    String(BASELINE_TTL_SECONDS), a.psuIp ?? '', String(a.psuWindowMs)
  ]

  return {
    /** One round trip: everything the gate needs, counted when the caller holds the current access token. */
    async read (a: GateArgs): Promise<GateRead> {
      const raw = await scripts.bsbGate(...argv(a))
      if (raw[0] === 0) return { client: null, subscription: {}, dbLock: {}, counted: null, linkSealed: null }
      return {
        client: pairs(raw[1] as string[]),
        subscription: pairs(raw[2] as string[]),
        dbLock: pairs(raw[3] as string[]),
        counted: parseCount(raw[4] as unknown[]),
        linkSealed: raw[5] === '' ? null : raw[5] as string
      }
    },

    /** Counts a request whose signature verified but which carried no current access token. */
    async count (a: GateArgs): Promise<RequestCount> {
      return parseCount(await scripts.bsbGateCount(...argv(a))) as RequestCount
    }
  }
}

export type GateScript = ReturnType<typeof createGateScript>
