/**
 * Plaid webhook verification: `Plaid-Verification` is an ES256 JWT whose `request_body_sha256`
 * claim is the hex SHA-256 of the exact body bytes. Keys come from `/webhook_verification_key/get`,
 * cached by `kid`; keys with `expired_at` are refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { decodeProtectedHeader, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose'
import { ProviderError } from '../errors.js'
import type { JsonObject } from '../types.js'
import type { PlaidClient } from './client.js'
import { isPlaidCode } from './errors.js'

export const WEBHOOK_LIMITS = Object.freeze({
  maxAgeSeconds: 300,
  maxFutureSeconds: 30,
  keyCacheTtlMs: 60 * 60 * 1000,
  unknownKidCooldownMs: 30_000,
  maxCachedKeys: 16
})

interface CachedKey { key: CryptoKey | Uint8Array, expiredAt: number | null, fetchedAt: number }

function forged (message: string, code = 'webhook_signature_invalid'): ProviderError {
  return new ProviderError({ provider: 'plaid', kind: 'invalid_request', message: `Plaid webhook rejected: ${message}`, providerCode: code })
}

function headerValue (headers: Record<string, string | string[] | undefined>, name: string): string | null {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue
    const value = Array.isArray(v) ? v[0] : v
    return typeof value === 'string' && value !== '' ? value : null
  }
  return null
}

export function createWebhookVerifier (client: PlaidClient, now: () => number) {
  const cache = new Map<string, CachedKey>()
  let lastFailedLookup = -Infinity

  async function keyFor (kid: string): Promise<CachedKey> {
    const hit = cache.get(kid)
    if (hit !== undefined && now() - hit.fetchedAt < WEBHOOK_LIMITS.keyCacheTtlMs) return hit
    // After a look-up for an unknown kid failed, a flood of random kids must not become a flood of look-ups.
    if (hit === undefined && now() - lastFailedLookup < WEBHOOK_LIMITS.unknownKidCooldownMs) throw forged('unknown key id (look-ups cooling down)', 'webhook_key_unknown')
    let res: { key?: Record<string, unknown> }
    try {
      res = await client.post('/webhook_verification_key/get', { key_id: kid }, { idempotent: true })
    } catch (err) {
      if (isPlaidCode(err, 'INVALID_WEBHOOK_VERIFICATION_KEY_ID')) {
        lastFailedLookup = now()
        throw forged('unknown key id', 'webhook_key_unknown')
      }
      throw err
    }
    const jwk = res.key
    if (jwk === undefined || jwk === null || typeof jwk !== 'object' || jwk.kid !== kid || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      throw new ProviderError({ provider: 'plaid', kind: 'provider_down', message: 'webhook verification key response has no usable key', providerCode: 'bad_response' })
    }
    const { kty, crv, x, y } = jwk as { kty: string, crv: string, x: string, y: string }
    const key = await importJWK({ kty, crv, x, y } satisfies JWK, 'ES256')
    const expiredAt = typeof jwk.expired_at === 'number' ? jwk.expired_at : null
    if (cache.size >= WEBHOOK_LIMITS.maxCachedKeys) cache.delete(cache.keys().next().value as string)
    const entry = { key, expiredAt, fetchedAt: now() }
    cache.set(kid, entry)
    return entry
  }

  return async function verifyWebhook (input: { headers: Record<string, string | string[] | undefined>, rawBody: Buffer, url: string }): Promise<JsonObject> {
    const token = headerValue(input.headers, 'plaid-verification')
    if (token === null) throw forged('no Plaid-Verification header', 'webhook_signature_missing')
    let protectedHeader: { alg?: string, kid?: string }
    try { protectedHeader = decodeProtectedHeader(token) } catch { throw forged('Plaid-Verification is not a JWT') }
    if (protectedHeader.alg !== 'ES256') throw forged(`algorithm ${String(protectedHeader.alg)} is not ES256`)
    const kid = protectedHeader.kid
    if (typeof kid !== 'string' || kid === '' || kid.length > 200) throw forged('no key id')
    const { key, expiredAt } = await keyFor(kid)
    if (expiredAt !== null) throw forged('signed with an expired key', 'webhook_key_expired')
    let claims: Record<string, unknown>
    try {
      claims = (await jwtVerify(token, key, { algorithms: ['ES256'], currentDate: new Date(now()) })).payload
    } catch {
      throw forged('bad signature')
    }
    const iat = claims.iat
    const nowSeconds = now() / 1000
    if (typeof iat !== 'number') throw forged('no iat')
    if (iat < nowSeconds - WEBHOOK_LIMITS.maxAgeSeconds) throw forged('too old', 'webhook_stale')
    if (iat > nowSeconds + WEBHOOK_LIMITS.maxFutureSeconds) throw forged('issued in the future', 'webhook_stale')
    const claimed = claims.request_body_sha256
    if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/i.test(claimed)) throw forged('no body hash')
    const actual = createHash('sha256').update(input.rawBody).digest()
    if (!timingSafeEqual(actual, Buffer.from(claimed, 'hex'))) throw forged('body does not match the signed hash', 'webhook_body_mismatch')
    let body: unknown
    try { body = JSON.parse(input.rawBody.toString('utf8')) } catch { throw forged('body is not JSON') }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw forged('body is not a JSON object')
    return body as JsonObject
  }
}
