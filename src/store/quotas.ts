/**
 * Provider call quotas shared by every broker instance (Redis): a rolling-window counter per
 * provider, account and kind of call (PSD2: at most 4 unattended accesses per account per 24 h;
 * "one refresh a day" banks), and cool-downs after a provider's 429. A call that would exceed
 * its quota is refused before it reaches the provider, with the time it becomes allowed again.
 */
import { randomBytes } from 'node:crypto'
import type { RedisClient } from './redis.js'
import type { Keys } from './keys.js'

export const DAY_MS = 86_400_000

/** Providers bound by PSD2's unattended-access cap (RTS Art. 36(5)(b)). */
export const PSD2_PROVIDERS = new Set(['saltedge', 'ponto', 'enablebanking'])
export const PSD2_UNATTENDED_PER_DAY = 4

export type QuotaDecision = { allowed: true } | { allowed: false, retryAt: number, reason: string }

// Rolling window: drop entries older than the window, refuse at the limit (returning the oldest
// entry's time), else record this call. One script, so concurrent instances cannot both pass.
const WINDOW_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 0
`

export function createQuotas (redis: RedisClient, keys: Keys, now: () => number = Date.now) {
  redis.defineCommand('bsbWindow', { numberOfKeys: 1, lua: WINDOW_LUA })
  const windowCall = async (key: string, windowMs: number, limit: number): Promise<number> =>
    Number(await (redis as unknown as { bsbWindow: (...a: Array<string | number>) => Promise<number> }).bsbWindow(key, now(), windowMs, limit, `${now()}:${randomBytes(6).toString('hex')}`))

  return {
    /** Takes one slot of `limit` per `windowMs` for `scope`, or says when the next slot frees. */
    async take (scope: string, limit: number, windowMs: number, reason: string): Promise<QuotaDecision> {
      const retryAt = await windowCall(keys.quota(scope), windowMs, limit)
      return retryAt === 0 ? { allowed: true } : { allowed: false, retryAt, reason }
    },

    /** The PSD2 cap for unattended calls on one account; user-present calls are not counted. */
    async unattendedAccess (provider: string, accountKey: string, userPresent: boolean): Promise<QuotaDecision> {
      if (userPresent || !PSD2_PROVIDERS.has(provider)) return { allowed: true }
      return await this.take(`psd2:${provider}:${accountKey}`, PSD2_UNATTENDED_PER_DAY, DAY_MS, 'psd2_unattended_limit')
    },

    /** Institutions that allow one provider refresh per 24 h. */
    async dailyRefresh (provider: string, accountKey: string): Promise<QuotaDecision> {
      return await this.take(`daily:${provider}:${accountKey}`, 1, DAY_MS, 'once_per_day')
    },

    /** After a provider 429: nobody calls that scope until `retryAfterSeconds` passed. */
    async coolDown (scope: string, retryAfterSeconds: number): Promise<void> {
      const until = now() + retryAfterSeconds * 1000
      await redis.set(keys.cooldown(scope), String(until), 'PX', Math.max(1, retryAfterSeconds * 1000))
    },

    async coolingDown (scope: string): Promise<QuotaDecision> {
      const until = await redis.get(keys.cooldown(scope))
      if (until === null || Number(until) <= now()) return { allowed: true }
      return { allowed: false, retryAt: Number(until), reason: 'provider_cooldown' }
    }
  }
}

export type Quotas = ReturnType<typeof createQuotas>
