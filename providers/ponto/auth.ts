/**
 * Ponto OAuth2: PKCE (S256), the authorization URL, and the token lifecycle. Access tokens live
 * 1799 s and refresh tokens rotate (the old one dies on use), so refreshes are single-flight per
 * refresh token and remembered, and every rotation is handed back to the broker as `secrets`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { ProviderError, isProviderError } from '../errors.js'
import type { JsonObject } from '../types.js'
import { tokenCall, type PontoContext, type TokenResponse } from './client.js'

export const PONTO_SCOPE = 'ai pi offline_access name'

/** Refresh this long before `expires_at` so a token never dies mid-sync. */
const EXPIRY_MARGIN_MS = 60_000
const ROTATION_MEMORY = 1_000
const ROTATION_TTL_MS = 24 * 3_600_000

export interface PontoSecrets {
  access_token: string
  refresh_token: string
  /** ISO instant the access token stops working. */
  expires_at: string
  organization_id?: string
}

export function pkcePair (): { verifier: string, challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function authorizationUrl (ctx: PontoContext, params: Record<string, string>): string {
  const url = new URL(ctx.creds.authorizationUrl ?? `${ctx.baseUrl}/oauth2/auth`)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.toString()
}

export function secretsFromToken (ctx: PontoContext, token: TokenResponse, organizationId?: string): PontoSecrets {
  return {
    access_token: token.access_token,
    refresh_token: token.refresh_token as string,
    expires_at: new Date(ctx.now() + token.expires_in * 1000).toISOString(),
    ...(organizationId !== undefined ? { organization_id: organizationId } : {})
  }
}

export function readSecrets (secrets: JsonObject): PontoSecrets {
  const { access_token: access, refresh_token: refresh, expires_at: expires } = secrets
  if (typeof access !== 'string' || typeof refresh !== 'string' || typeof expires !== 'string') {
    throw new ProviderError({ provider: 'ponto', kind: 'reauth_required', message: 'Ponto connection secrets are incomplete', providerCode: 'missing_tokens' })
  }
  return secrets as unknown as PontoSecrets
}

const fingerprint = (token: string): string => createHash('sha256').update(token).digest('base64url')

export function createTokenManager (ctx: PontoContext) {
  const inflight = new Map<string, Promise<PontoSecrets>>()
  const rotated = new Map<string, { secrets: PontoSecrets, at: number }>()
  let client: { token: string, expiresAt: number } | null = null

  /** A refresh token already rotated in this process resolves to its newest secrets. */
  function latest (secrets: PontoSecrets): PontoSecrets {
    let current = secrets
    for (let hop = 0; hop < 10; hop++) {
      const next = rotated.get(fingerprint(current.refresh_token))
      if (next === undefined || ctx.now() - next.at > ROTATION_TTL_MS) break
      current = next.secrets
    }
    return current
  }

  function refresh (secrets: PontoSecrets): Promise<PontoSecrets> {
    const key = fingerprint(secrets.refresh_token)
    const running = inflight.get(key)
    if (running !== undefined) return running
    const job = (async () => {
      const token = await tokenCall(ctx, 'refresh_token', { refresh_token: secrets.refresh_token, client_id: ctx.creds.clientId })
      const next = { ...secrets, ...secretsFromToken(ctx, token) }
      rotated.set(key, { secrets: next, at: ctx.now() })
      if (rotated.size > ROTATION_MEMORY) rotated.delete(rotated.keys().next().value as string)
      return next
    })().finally(() => inflight.delete(key))
    inflight.set(key, job)
    return job
  }

  return {
    /** Secrets whose access token is valid for at least a minute (refreshing when needed). */
    async fresh (secrets: PontoSecrets): Promise<PontoSecrets> {
      const current = latest(secrets)
      if (Date.parse(current.expires_at) - ctx.now() > EXPIRY_MARGIN_MS) return current
      return await refresh(current)
    },
    refresh: (secrets: PontoSecrets) => refresh(latest(secrets)),
    latest,
    /** Client-credentials token (for onboarding details), cached until a minute before expiry. */
    async clientToken (): Promise<string> {
      if (client !== null && client.expiresAt - ctx.now() > EXPIRY_MARGIN_MS) return client.token
      const token = await tokenCall(ctx, 'client_credentials', {})
      client = { token: token.access_token, expiresAt: ctx.now() + token.expires_in * 1000 }
      return client.token
    }
  }
}

export type TokenManager = ReturnType<typeof createTokenManager>

/**
 * The tokens of one adapter call: runs API calls with a valid access token, refreshes once on
 * `invalidAccessToken`, and remembers a rotation until the caller hands it to the broker.
 */
export function createSession (tokens: TokenManager, stored: JsonObject) {
  const original = readSecrets(stored)
  let current = original
  let pending = false
  const adopt = (next: PontoSecrets): void => {
    if (next.refresh_token !== current.refresh_token || next.access_token !== current.access_token) pending = true
    current = next
  }
  return {
    async call<T> (fn: (accessToken: string) => Promise<T>): Promise<T> {
      adopt(await tokens.fresh(current))
      try {
        return await fn(current.access_token)
      } catch (err) {
        if (!isProviderError(err) || err.httpStatus !== 401 || err.providerCode !== 'invalidAccessToken') throw err
        adopt(await tokens.refresh(current))
        return await fn(current.access_token)
      }
    },
    /** Rotated secrets not yet handed back (returned once, then undefined until the next rotation). */
    takeSecrets (): JsonObject | undefined {
      if (!pending) return undefined
      pending = false
      return { ...current } as unknown as JsonObject
    },
    current: () => current
  }
}

export type Session = ReturnType<typeof createSession>
