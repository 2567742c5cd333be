/**
 * Admin bearer JWTs, verified with jose: algorithm pinned, `iss`/`aud`/`exp`/`iat`/`sub` required,
 * role claim `ops` or `support`. Keys come only from configuration (shared secret or JWKS URL);
 * `jwk`/`jku`/`x5u` headers are never followed.
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose'
import type { Config } from '../config.js'
import { AppError } from '../errors.js'

export type AdminRole = 'ops' | 'support'
export interface AdminIdentity { subject: string, role: AdminRole }

const MAX_TOKEN_AGE = '24h'

export function createAdminAuth (admin: Config['admin'], now: () => number = Date.now) {
  const remote: JWTVerifyGetKey | null = admin.jwksUrl !== null ? createRemoteJWKSet(new URL(admin.jwksUrl)) : null

  async function verify (authorization: string | undefined): Promise<AdminIdentity> {
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '')
    if (m === null) throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: 'missing or malformed bearer token' })
    const options = {
      algorithms: [admin.algorithm],
      issuer: admin.issuer,
      audience: admin.audience,
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: MAX_TOKEN_AGE,
      clockTolerance: 30,
      currentDate: new Date(now())
    }
    try {
      const { payload } = remote !== null
        ? await jwtVerify(m[1] as string, remote, options)
        : await jwtVerify(m[1] as string, admin.secret as Uint8Array, options)
      const role = payload.role
      if (role !== 'ops' && role !== 'support') throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: 'role claim must be ops or support' })
      return { subject: String(payload.sub).slice(0, 100), role }
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: `token refused: ${(err as { code?: string }).code ?? 'invalid'}` })
    }
  }

  return { verify }
}

/** Mints an admin token with the shared secret (CLI `banksync admin-token`). */
export async function mintAdminToken (admin: Pick<Config['admin'], 'secret' | 'issuer' | 'audience'>, role: AdminRole, subject: string, ttlSeconds = 3600): Promise<string> {
  if (admin.secret === null) throw new Error('ADMIN_JWT_SECRET: required to mint tokens')
  return await new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(admin.issuer)
    .setAudience(admin.audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${Math.min(ttlSeconds, 86_400)}s`)
    .sign(admin.secret)
}
