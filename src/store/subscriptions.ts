/** Subscriptions: each database has an edition and an expiry date, provisioned by ops. */
import type { RedisClient } from './redis.js'
import type { Keys } from './keys.js'
import { AppError, type ErrorCode } from '../errors.js'

export const EDITIONS = ['enterprise', 'online', 'community'] as const
export type Edition = typeof EDITIONS[number]

export interface Subscription {
  dbUuid: string
  edition: Edition
  /** Last day covered, `YYYY-MM-DD` (inclusive). */
  expiresOn: string
  updatedAt: string
  updatedBy: string
}

/** Keep the record a year past expiry so "expired" stays distinguishable from "unknown". */
const KEEP_AFTER_EXPIRY_SECONDS = 365 * 86_400

export function entitlementProblem (sub: Record<string, string>, today: string): ErrorCode | null {
  if (sub.edition === undefined) return 'BSB_SUBSCRIPTION_MISSING'
  if (sub.edition === 'community') return 'BSB_SUBSCRIPTION_COMMUNITY'
  if ((sub.expires ?? '') < today) return 'BSB_SUBSCRIPTION_EXPIRED'
  return null
}

export function createSubscriptionStore (redis: RedisClient, keys: Keys, now: () => number = Date.now) {
  return {
    async set (dbUuid: string, edition: Edition, expiresOn: string, by: string): Promise<Subscription> {
      const updatedAt = new Date(now()).toISOString()
      const key = keys.subscription(dbUuid)
      const ttl = Math.max(86_400, Math.ceil((Date.parse(`${expiresOn}T23:59:59Z`) - now()) / 1000) + KEEP_AFTER_EXPIRY_SECONDS)
      await redis.multi().hset(key, { edition, expires: expiresOn, updated_at: updatedAt, updated_by: by }).expire(key, ttl).exec()
      return { dbUuid, edition, expiresOn, updatedAt, updatedBy: by }
    },
    async get (dbUuid: string): Promise<Subscription | null> {
      const h = await redis.hgetall(keys.subscription(dbUuid))
      if (h.edition === undefined) return null
      return { dbUuid, edition: h.edition as Edition, expiresOn: h.expires ?? '', updatedAt: h.updated_at ?? '', updatedBy: h.updated_by ?? '' }
    },
    /** Throws the matching subscription error when the database is not entitled. */
    async assertEntitled (dbUuid: string): Promise<void> {
      const problem = entitlementProblem(await redis.hgetall(keys.subscription(dbUuid)), new Date(now()).toISOString().slice(0, 10))
      if (problem !== null) throw new AppError(problem, { detail: `database not entitled (${problem})` })
    }
  }
}

export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>
