/**
 * Ibanity webhook verification: the `Signature` header is a compact JWS (RS512 only) whose `kid`
 * names a key from `GET /webhooks/keys`; claims `aud` (application id), `iss`, `iat`/`exp` (30 s
 * leeway) and `digest` = base64(SHA-512(raw body)), compared in constant time.
 * @see https://documentation.ibanity.com/webhooks
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import { ProviderError } from '../errors.js'
import { callProvider, expectJson } from '../http.js'
import type { JsonObject } from '../types.js'
import type { PontoContext } from './client.js'
import { mapApiError } from './errors.js'

export const WEBHOOK_ISSUER = 'https://api.ibanity.com'
const CLOCK_TOLERANCE_S = 30
const MAX_TOKEN_AGE_S = 300
/** Unknown `kid`s trigger at most one key fetch per this period (jose's remote JWKS cooldown). */
const REFETCH_COOLDOWN_MS = 30_000
const MAX_KEYS = 50

type VerifyKey = Awaited<ReturnType<typeof importJWK>>

function forged (code: string, message: string, cause?: unknown): ProviderError {
  return new ProviderError({ provider: 'ponto', kind: 'invalid_request', message, providerCode: code, cause })
}

function headerValue (headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name] ?? headers[name.toLowerCase()]
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : null
}

function sameText (a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function createWebhookVerifier (ctx: PontoContext) {
  const keys = new Map<string, VerifyKey>()
  let lastFetch = Number.NEGATIVE_INFINITY

  async function loadKeys (): Promise<void> {
    lastFetch = ctx.now()
    const res = await callProvider({ provider: 'ponto', method: 'GET', url: `${ctx.baseUrl}/webhooks/keys`, idempotent: true, dispatcher: ctx.dispatcher, deadlineMs: ctx.timeoutMs, sleep: ctx.sleep, mapError: mapApiError })
    const jwks = expectJson<{ keys?: unknown }>('ponto', res)
    if (!Array.isArray(jwks.keys)) throw new ProviderError({ provider: 'ponto', kind: 'provider_down', message: 'Ponto webhook keys are not a JWKS', providerCode: 'bad_response' })
    for (const jwk of jwks.keys.slice(0, MAX_KEYS) as Array<JWK & { status?: string }>) {
      if (typeof jwk.kid !== 'string' || jwk.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) continue
      if (jwk.status !== undefined && jwk.status !== 'ACTIVE') { keys.delete(jwk.kid); continue }
      // Ibanity pads the base64url modulus with '='; strip it so strict decoders accept it too.
      keys.set(jwk.kid, await importJWK({ ...jwk, n: jwk.n?.replace(/=+$/, ''), e: jwk.e?.replace(/=+$/, ''), alg: 'RS512' }, 'RS512'))
    }
  }

  async function keyFor (kid: string): Promise<VerifyKey> {
    if (!keys.has(kid) && ctx.now() - lastFetch >= REFETCH_COOLDOWN_MS) await loadKeys()
    const key = keys.get(kid)
    if (key === undefined) throw forged('webhook_unknown_key', `Ponto webhook signed with an unknown key id ${kid}`)
    return key
  }

  return async function verifyWebhook (input: { headers: Record<string, string | string[] | undefined>, rawBody: Buffer, url: string }): Promise<JsonObject> {
    const audience = ctx.creds.applicationId
    if (audience === null) throw new ProviderError({ provider: 'ponto', kind: 'misconfigured', message: 'PONTO_APPLICATION_ID is not set, so Ponto webhooks cannot be verified', providerCode: 'webhook_audience_missing' })
    const jws = headerValue(input.headers, 'signature')
    if (jws === null) throw forged('webhook_signature_missing', 'Ponto webhook without a Signature header')
    let kid: unknown
    try {
      const protectedHeader = decodeProtectedHeader(jws)
      if (protectedHeader.alg !== 'RS512') throw new Error(`alg ${String(protectedHeader.alg)}`)
      kid = protectedHeader.kid
    } catch (err) {
      throw forged('webhook_signature_invalid', 'Ponto webhook Signature is not an RS512 compact JWS', err)
    }
    if (typeof kid !== 'string' || kid === '') throw forged('webhook_signature_invalid', 'Ponto webhook Signature has no kid')
    let claims: Record<string, unknown>
    try {
      const verified = await jwtVerify(jws, await keyFor(kid), {
        algorithms: ['RS512'],
        audience,
        issuer: WEBHOOK_ISSUER,
        clockTolerance: CLOCK_TOLERANCE_S,
        // Also makes jose refuse an `iat` in the future; `exp` (iat + 60 s) stays the real limit.
        maxTokenAge: MAX_TOKEN_AGE_S,
        currentDate: new Date(ctx.now()),
        requiredClaims: ['iat', 'exp', 'digest', 'jti']
      })
      claims = verified.payload
    } catch (err) {
      if (err instanceof ProviderError) throw err
      const code = (err as { code?: string }).code
      throw forged(code === 'ERR_JWT_EXPIRED' ? 'webhook_expired' : 'webhook_signature_invalid', `Ponto webhook signature rejected (${code ?? 'error'})`, err)
    }
    const digest = createHash('sha512').update(input.rawBody).digest('base64')
    if (typeof claims.digest !== 'string' || !sameText(digest, claims.digest)) throw forged('webhook_digest_mismatch', 'Ponto webhook body does not match the signed digest')
    let body: unknown
    try { body = JSON.parse(input.rawBody.toString('utf8')) } catch { body = null }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw forged('webhook_body_invalid', 'Ponto webhook body is not a JSON object')
    return body as JsonObject
  }
}
