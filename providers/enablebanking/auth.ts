/**
 * The application JWT Enable Banking wants on every call: RS256, `kid` = application id,
 * iss `enablebanking.com`, aud `api.enablebanking.com`, TTL ≤ 86400 s. One token is cached and
 * re-signed shortly before it expires.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import type { EnableBankingCredentials } from './settings.js'

export const JWT_ISSUER = 'enablebanking.com'
export const JWT_AUDIENCE = 'api.enablebanking.com'
/** Enable Banking refuses tokens living longer than a day. */
export const JWT_MAX_TTL_SECONDS = 86_400
const TTL_SECONDS = 3_600
const RENEW_BEFORE_SECONDS = 300

export interface JwtSigner {
  /** A valid bearer token, re-signed when the cached one is within 5 minutes of expiry. */
  token: () => Promise<string>
}

export function createJwtSigner (credentials: EnableBankingCredentials, now: () => number = Date.now): JwtSigner {
  let key: KeyObject | undefined
  let cached: { jwt: string, exp: number } | undefined
  let inflight: Promise<string> | undefined
  async function sign (): Promise<string> {
    key ??= createPrivateKey(credentials.privateKeyPem)
    const iat = Math.floor(now() / 1000)
    const exp = iat + TTL_SECONDS
    const jwt = await new SignJWT({})
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: credentials.applicationId })
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key)
    cached = { jwt, exp }
    return jwt
  }
  return {
    async token () {
      const nowS = Math.floor(now() / 1000)
      if (cached !== undefined && cached.exp - RENEW_BEFORE_SECONDS > nowS && cached.exp - TTL_SECONDS <= nowS) return cached.jwt
      inflight ??= sign().finally(() => { inflight = undefined })
      return await inflight
    }
  }
}
