/**
 * Sandbox plumbing shared by the routes: Enable Banking's error body, the application-JWT check
 * (RS256 only, known `kid`, iss/aud, TTL ≤ 86400 s, not expired, on the sandbox clock) and the
 * PSU-header reading.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { JWT_AUDIENCE, JWT_ISSUER, JWT_MAX_TTL_SECONDS } from './auth.js'
import { SANDBOX_APPLICATION_ID, SANDBOX_PUBLIC_KEY_PEM } from './sandbox-keys.js'

/** Messages as Enable Banking words them (OpenAPI `ErrorCode` descriptions). */
const MESSAGES: Record<string, string> = {
  ACCESS_DENIED: 'Access to this resource is denied. Check services available for your application.',
  ACCOUNT_DOES_NOT_EXIST: 'No account found matching provided id',
  ALREADY_AUTHORIZED: 'Session is already authorized',
  ASPSP_ERROR: 'Error interacting with ASPSP',
  ASPSP_RATE_LIMIT_EXCEEDED: 'ASPSP Rate limit exceeded',
  ASPSP_TIMEOUT: 'Timeout interacting with ASPSP',
  AUTHORIZATION_NOT_PROVIDED: 'Authorization header is not provided',
  CLOSED_SESSION: 'Session is closed',
  DATE_FROM_IN_FUTURE: 'date_from can not be in the future',
  DATE_TO_WITHOUT_DATE_FROM: 'date_from must be provided if date_to provided',
  EXPIRED_AUTHORIZATION_CODE: 'Authorization code is expired',
  EXPIRED_SESSION: 'Session is expired',
  PSU_HEADER_NOT_PROVIDED: 'Required PSU header is not provided',
  REDIRECT_URI_NOT_ALLOWED: 'Redirect URI not allowed',
  REVOKED_SESSION: 'Session is revoked',
  SESSION_DOES_NOT_EXIST: 'No session found matching provided id',
  UNAUTHORIZED_ACCESS: 'Unauthorized access',
  WRONG_ASPSP_PROVIDED: 'Wrong ASPSP name provided',
  WRONG_AUTHORIZATION_CODE: 'Wrong authorization code provided',
  WRONG_CONTINUATION_KEY: 'Wrong continuation key provided',
  WRONG_DATE_INTERVAL: 'date_from should be less than or equal date_to',
  WRONG_REQUEST_PARAMETERS: 'Wrong request parameters provided',
  WRONG_SESSION_STATUS: 'Wrong session status',
  WRONG_TRANSACTIONS_PERIOD: 'Wrong transactions period requested'
}

export function sendError (reply: FastifyReply, status: number, error: string, detail: string | null = null, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) void reply.header(k, v)
  return reply.code(status).send({ message: MESSAGES[error] ?? error, code: status, error, detail })
}

const APPLICATIONS = new Map<string, KeyObject>([[SANDBOX_APPLICATION_ID, createPublicKey(SANDBOX_PUBLIC_KEY_PEM)]])

export type JwtCheck = { ok: true, kid: string } | { ok: false, status: number, error: string, detail: string }

export async function checkApplicationJwt (authorization: string | undefined, now: number): Promise<JwtCheck> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  if (m === null) return { ok: false, status: 401, error: 'AUTHORIZATION_NOT_PROVIDED', detail: 'Authorization header with a Bearer JWT is required' }
  const token = m[1] as string
  let kid: string | undefined
  try {
    const header = decodeProtectedHeader(token)
    if (header.alg !== 'RS256') return { ok: false, status: 401, error: 'UNAUTHORIZED_ACCESS', detail: 'Only RS256 signed JWTs are accepted' }
    kid = header.kid
  } catch {
    return { ok: false, status: 401, error: 'UNAUTHORIZED_ACCESS', detail: 'Malformed JWT' }
  }
  const key = kid === undefined ? undefined : APPLICATIONS.get(kid)
  if (key === undefined || kid === undefined) return { ok: false, status: 401, error: 'UNAUTHORIZED_ACCESS', detail: 'Unknown application (kid)' }
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['RS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      currentDate: new Date(now),
      requiredClaims: ['iat', 'exp']
    })
    const iat = payload.iat as number
    const exp = payload.exp as number
    if (exp - iat > JWT_MAX_TTL_SECONDS) return { ok: false, status: 401, error: 'UNAUTHORIZED_ACCESS', detail: `JWT time-to-live exceeds ${JWT_MAX_TTL_SECONDS} seconds` }
    if (iat > Math.floor(now / 1000) + 60) return { ok: false, status: 401, error: 'UNAUTHORIZED_ACCESS', detail: 'JWT issued in the future' }
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERR_JWT_INVALID'
    return { ok: false, status: 401, error: 'UNAUTHORIZED_ACCESS', detail: `JWT rejected (${code})` }
  }
  return { ok: true, kid }
}

/** Runs the JWT check; on failure answers the real 401 body and returns false. */
export async function requireJwt (req: FastifyRequest, reply: FastifyReply, now: number): Promise<boolean> {
  const check = await checkApplicationJwt(req.headers.authorization, now)
  if (check.ok) return true
  sendError(reply, check.status, check.error, check.detail)
  return false
}

/** Lower-case names of the PSU context headers on the request. */
export function psuHeadersOf (req: FastifyRequest): Set<string> {
  return new Set(Object.keys(req.headers).filter(h => h.toLowerCase().startsWith('psu-') && String(req.headers[h] ?? '') !== ''))
}

/** `Psu-Ip-Address` → `psuIpAddress`, the form Enable Banking uses in `detail`. */
export function camelHeader (name: string): string {
  return name.toLowerCase().split('-').map((p, i) => i === 0 ? p : `${p.charAt(0).toUpperCase()}${p.slice(1)}`).join('')
}
