/**
 * Exchange tokens: single-use, short-lived, minted by the link flow when the user finished
 * consent, consumed by `/proxy/v1/exchange_token`. Stored only as a hash; GETDEL makes them single use.
 */
import type { RedisClient } from './redis.js'
import type { Keys } from './keys.js'
import { randomToken, sha256Hex } from '../crypto/tokens.js'
import type { SecretBox } from '../crypto/secret-box.js'

export interface ExchangePayload {
  dbUuid: string
  /** Link-session data to attach to the new client (sealed: it holds provider tokens). */
  link: Record<string, unknown>
}

export function createExchangeTokens (redis: RedisClient, keys: Keys, box: SecretBox, ttlSeconds: number) {
  return {
    async mint (payload: ExchangePayload): Promise<string> {
      const token = randomToken()
      const hash = sha256Hex(token)
      await redis.set(keys.exchangeToken(hash), box.sealJson(payload, `xt:${hash}`), 'EX', ttlSeconds)
      return token
    },
    /** Returns the payload once; null when unknown, expired or already used. */
    async consume (token: string): Promise<ExchangePayload | null> {
      if (typeof token !== 'string' || token.length < 16 || token.length > 200) return null
      const hash = sha256Hex(token)
      const sealed = await redis.getdel(keys.exchangeToken(hash))
      return sealed === null ? null : box.openJson<ExchangePayload>(sealed, `xt:${hash}`)
    }
  }
}

export type ExchangeTokens = ReturnType<typeof createExchangeTokens>
