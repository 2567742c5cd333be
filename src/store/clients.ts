/**
 * Clients (one per Odoo link): token lifecycle (the gate's read is src/store/gate-script.ts).
 * Refresh secrets are sealed with the secret box; access tokens are stored as SHA-256 only.
 */
import type { RedisClient } from './redis.js'
import type { Keys } from './keys.js'
import type { SecretBox } from '../crypto/secret-box.js'
import { newClientId, newRefreshToken, randomToken, sha256Hex } from '../crypto/tokens.js'

/** Extra lifetime of client keys beyond the refresh token, so an expired token still answers 102 (not "unknown"). */
const RETENTION_SECONDS = 30 * 86_400

export interface ClientRecord {
  clientId: string
  dbUuid: string
  createdAt: number
  refreshSealed: string
  refreshExpiresAt: number
  prevRefreshSealed: string | null
  prevRefreshUntil: number
  accessHash: string
  accessExpiresAt: number
  locked: boolean
  lockReason: string | null
  lockedAt: number | null
  frozen: boolean
}

export function parseClient (clientId: string, h: Record<string, string>): ClientRecord | null {
  if (h.db === undefined || h.rt === undefined) return null
  return {
    clientId,
    dbUuid: h.db,
    createdAt: Number(h.created ?? 0),
    refreshSealed: h.rt,
    refreshExpiresAt: Number(h.rt_exp ?? 0),
    prevRefreshSealed: h.rt_prev ?? null,
    prevRefreshUntil: Number(h.rt_prev_until ?? 0),
    accessHash: h.at ?? '',
    accessExpiresAt: Number(h.at_exp ?? 0),
    locked: h.locked === '1',
    lockReason: h.lock_reason ?? null,
    lockedAt: h.locked_at !== undefined ? Number(h.locked_at) : null,
    frozen: h.frozen === '1'
  }
}

export interface TokenTtls {
  accessTtlSeconds: number
  refreshTtlSeconds: number
  refreshGraceSeconds: number
}

export function createClientStore (redis: RedisClient, keys: Keys, box: SecretBox, ttl: TokenTtls, now: () => number = Date.now) {
  const aad = (clientId: string): string => `refresh:${clientId}`
  const keyTtl = (): number => ttl.refreshTtlSeconds + RETENTION_SECONDS

  return {
    /** The database a client id belongs to (for the wrong-db_uuid path), or null. */
    async ownerOf (clientId: string): Promise<string | null> {
      return await redis.get(keys.clientDb(clientId))
    },

    async get (dbUuid: string, clientId: string): Promise<ClientRecord | null> {
      return parseClient(clientId, await redis.hgetall(keys.client(dbUuid, clientId)))
    },

    /** Creates a client bound to `dbUuid`; returns the tokens to hand to Odoo exactly once. */
    async create (dbUuid: string, extra: Record<string, string> = {}): Promise<{ clientId: string, refreshToken: string, accessToken: string }> {
      const clientId = newClientId()
      const refreshToken = newRefreshToken()
      const accessToken = randomToken()
      const t = now()
      const key = keys.client(dbUuid, clientId)
      // The owner pointer hashes to the client's own slot ({c:…}), the record to its database's ({d:…}):
      // two commands on a cluster. The pointer goes first: without its record it resolves to nothing.
      await redis.set(keys.clientDb(clientId), dbUuid, 'EX', keyTtl())
      await redis.multi()
        .hset(key, {
          db: dbUuid,
          created: String(t),
          rt: box.seal(refreshToken, aad(clientId)),
          rt_exp: String(t + ttl.refreshTtlSeconds * 1000),
          at: sha256Hex(accessToken),
          at_exp: String(t + ttl.accessTtlSeconds * 1000),
          ...extra
        })
        .expire(key, keyTtl())
        .sadd(keys.dbClients(dbUuid), clientId)
        .exec()
      return { clientId, refreshToken, accessToken }
    },

    /** The refresh secrets that may sign right now: current, and the previous one inside its grace window. */
    signingSecrets (client: ClientRecord): Array<{ token: string, current: boolean }> {
      const out = [{ token: box.openKept(client.refreshSealed, aad(client.clientId)), current: true }]
      if (client.prevRefreshSealed !== null && client.prevRefreshUntil > now()) {
        out.push({ token: box.openKept(client.prevRefreshSealed, aad(client.clientId)), current: false })
      }
      return out
    },

    async issueAccessToken (client: ClientRecord): Promise<string> {
      const accessToken = randomToken()
      await redis.hset(keys.client(client.dbUuid, client.clientId), { at: sha256Hex(accessToken), at_exp: String(now() + ttl.accessTtlSeconds * 1000) })
      return accessToken
    },

    /** Rotates the refresh token; the old one keeps signing for the grace period. */
    async rotateRefreshToken (client: ClientRecord, signedWithCurrent: boolean): Promise<string> {
      const refreshToken = newRefreshToken()
      const key = keys.client(client.dbUuid, client.clientId)
      const t = now()
      const previous = signedWithCurrent ? client.refreshSealed : (client.prevRefreshSealed ?? client.refreshSealed)
      await redis.multi()
        .hset(key, {
          rt: box.seal(refreshToken, aad(client.clientId)),
          rt_exp: String(t + ttl.refreshTtlSeconds * 1000),
          rt_prev: previous,
          rt_prev_until: String(t + ttl.refreshGraceSeconds * 1000)
        })
        .expire(key, keyTtl())
        .exec()
      await redis.expire(keys.clientDb(client.clientId), keyTtl())
      return refreshToken
    },

    async remove (client: ClientRecord): Promise<void> {
      // Database slot first (record and membership, atomically), then the pointer and the ops index, each in its own slot.
      await redis.multi()
        .del(keys.client(client.dbUuid, client.clientId))
        .srem(keys.dbClients(client.dbUuid), client.clientId)
        .exec()
      await redis.del(keys.clientDb(client.clientId))
      await redis.srem(keys.lockedClients(), client.clientId)
    },

    async listForDb (dbUuid: string): Promise<string[]> {
      return await redis.smembers(keys.dbClients(dbUuid))
    }
  }
}

export type ClientStore = ReturnType<typeof createClientStore>
