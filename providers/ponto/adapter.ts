/**
 * The Ponto Connect adapter (Ibanity API): institutions, the OAuth2 + PKCE consent, accounts,
 * transaction sync, synchronizations (refresh), consent expiry, revocation and webhooks.
 * @see https://documentation.ibanity.com/ponto-connect/api
 */
import { randomUUID } from 'node:crypto'
import { ProviderError, isProviderError } from '../errors.js'
import type { Account, ConsentStart, Connection, Institution, JsonObject, ProviderAdapter, ProviderDeps } from '../types.js'
import { PONTO_SCOPE, authorizationUrl, createSession, createTokenManager, pkcePair, readSecrets, secretsFromToken } from './auth.js'
import { apiGet, apiPost, pages, resource, resources, revokeCall, tokenCall, type PontoContext } from './client.js'
import type { PontoCredentials } from './credentials.js'
import { institutionIdOf, normalizeAccount, normalizeInstitution, type PontoResource } from './normalize.js'
import { refreshAccounts } from './refresh.js'
import { PAGE_LIMIT, syncTransactions } from './sync.js'
import { createMtlsDispatcher } from './tls.js'
import { createWebhookVerifier } from './webhook.js'

export interface PontoAdapterOptions {
  /** Wait between the two synchronization polls of `refresh` (default 1 s). */
  pollDelayMs?: number
  /** Sleep used for retries and polling (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const MAX_CACHED_INSTITUTIONS = 2_000

export function createPontoAdapter (deps: ProviderDeps, creds: PontoCredentials, options: PontoAdapterOptions = {}): ProviderAdapter {
  const sleep = options.sleep ?? realSleep
  if (deps.dispatcher !== undefined && creds.tls !== null) {
    deps.logger?.warn('ponto: a dispatcher was injected, so the PONTO_TLS_* client certificate is not presented')
  }
  const ctx: PontoContext = {
    baseUrl: deps.baseUrl.replace(/\/+$/, ''),
    creds,
    dispatcher: deps.dispatcher ?? (creds.tls !== null ? createMtlsDispatcher(creds.tls) : undefined),
    timeoutMs: deps.timeoutMs,
    now: deps.now ?? Date.now,
    sleep: options.sleep
  }
  const tokens = createTokenManager(ctx)
  const bics = new Map<string, string | null>()

  async function bicOf (institutionId: string | null): Promise<string | null> {
    if (institutionId === null) return null
    if (!bics.has(institutionId)) {
      const doc = await apiGet(ctx, null, `/ponto-connect/financial-institutions/${encodeURIComponent(institutionId)}`)
      const bic = resource(doc).attributes?.bic
      if (bics.size >= MAX_CACHED_INSTITUTIONS) bics.clear()
      bics.set(institutionId, typeof bic === 'string' ? bic : null)
    }
    return bics.get(institutionId) ?? null
  }

  async function accountResources (secrets: JsonObject) {
    const session = createSession(tokens, secrets)
    const list: PontoResource[] = []
    const get = (path: string) => session.call(token => apiGet(ctx, token, path))
    for await (const doc of pages(ctx, get, `/ponto-connect/accounts?page[limit]=${PAGE_LIMIT}`)) list.push(...resources(doc))
    return { list, session }
  }

  async function onboardingDetails (institutionId: string, email: string | null): Promise<string | null> {
    const attributes: Record<string, string> = { initialFinancialInstitutionId: institutionId }
    if (email !== null) attributes.email = email
    try {
      const token = await tokens.clientToken()
      const doc = await apiPost(ctx, token, '/ponto-connect/onboarding-details', { data: { type: 'onboardingDetails', attributes } }, randomUUID())
      const id = resource(doc).id
      return typeof id === 'string' ? id : null
    } catch (err) {
      // Onboarding details only preselect the bank; a refused prefill must not block the consent.
      if (isProviderError(err) && err.kind === 'invalid_request') return null
      throw err
    }
  }

  return {
    id: 'ponto',
    displayName: 'Ponto',

    async listInstitutions (country?: string): Promise<Institution[]> {
      const filter = country !== undefined ? `&filter[country][eq]=${encodeURIComponent(country.toUpperCase())}` : ''
      const out: Institution[] = []
      for await (const doc of pages(ctx, path => apiGet(ctx, null, path), `/ponto-connect/financial-institutions?page[limit]=${PAGE_LIMIT}${filter}`)) {
        for (const r of resources(doc)) {
          if (r.attributes?.deprecated === true) continue
          const institution = normalizeInstitution(r)
          if (country === undefined || institution.country === country.toUpperCase()) out.push(institution)
        }
      }
      return out
    },

    async startConsent (input): Promise<ConsentStart> {
      const { verifier, challenge } = pkcePair()
      const onboardingId = await onboardingDetails(input.institutionId, input.userEmail)
      const url = authorizationUrl(ctx, {
        client_id: creds.clientId,
        redirect_uri: input.redirectUri,
        response_type: 'code',
        scope: PONTO_SCOPE,
        state: input.state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...(onboardingId !== null ? { onboarding_details_id: onboardingId } : {})
      })
      return { url, pending: { code_verifier: verifier, redirect_uri: input.redirectUri } }
    },

    async completeConsent (input): Promise<Connection> {
      const error = input.callback.error
      if (error !== undefined) {
        throw new ProviderError({ provider: 'ponto', kind: 'invalid_request', message: `Ponto authorization ended with ${error}: ${input.callback.error_description ?? ''}`, providerCode: error })
      }
      const code = input.callback.code
      const verifier = input.pending.code_verifier
      if (typeof code !== 'string' || code === '' || typeof verifier !== 'string') {
        throw new ProviderError({ provider: 'ponto', kind: 'invalid_request', message: 'Ponto callback without an authorization code (or no PKCE verifier stored)', providerCode: 'missing_code' })
      }
      const token = await tokenCall(ctx, 'authorization_code', { code, client_id: creds.clientId, redirect_uri: input.redirectUri, code_verifier: verifier })
      let organizationId: string | undefined
      try {
        const info = await apiGet(ctx, token.access_token, '/ponto-connect/userinfo') as { sub?: unknown }
        if (typeof info.sub === 'string') organizationId = info.sub
      } catch (err) {
        if (!isProviderError(err)) throw err
      }
      return { provider: 'ponto', institutionId: input.institutionId, secrets: secretsFromToken(ctx, token, organizationId) as unknown as JsonObject }
    },

    async listAccounts (conn) {
      const { list, session } = await accountResources(conn.secrets)
      const accounts: Account[] = []
      for (const r of list) accounts.push(normalizeAccount(r, await bicOf(institutionIdOf(r))))
      const secrets = session.takeSecrets()
      return secrets !== undefined ? { accounts, secrets } : { accounts }
    },

    syncTransactions (conn, req) {
      return syncTransactions(ctx, createSession(tokens, conn.secrets), req)
    },

    async refresh (conn, opts) {
      return await refreshAccounts(ctx, createSession(tokens, conn.secrets), opts, { delayMs: options.pollDelayMs ?? 1_000, sleep })
    },

    async consentExpiry (conn): Promise<string | null> {
      const { list } = await accountResources(conn.secrets)
      const dates = list.map(r => normalizeAccount(r, null).consentExpiresAt).filter((d): d is string => d !== null).sort()
      return dates[0] ?? null
    },

    async revoke (conn): Promise<void> {
      const secrets = readSecrets(conn.secrets)
      const latest = tokens.latest(secrets)
      for (const token of new Set([latest.refresh_token, secrets.refresh_token])) {
        try {
          await revokeCall(ctx, token)
        } catch (err) {
          // An already revoked or unknown token is the goal of this call.
          if (!isProviderError(err) || (err.kind !== 'invalid_request' && err.kind !== 'reauth_required')) throw err
        }
      }
    },

    verifyWebhook: createWebhookVerifier(ctx)
  }
}
