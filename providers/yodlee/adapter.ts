/**
 * Yodlee (Envestnet) adapter, Core API v1.1 with client-credentials tokens and FastLink 4. Each link
 * gets its own unguessable Yodlee user (loginName), so a connection's secrets are that loginName and
 * the providerAccountId. Webhooks are not verified: Yodlee does not sign them (it advises allow-listing
 * its IP addresses), so there is no `verifyWebhook`.
 * @see https://developer.yodlee.com/api-reference
 */
import { randomBytes } from 'node:crypto'
import { ProviderError } from '../errors.js'
import type { Account, Connection, Institution, ProviderAdapter, ProviderDeps } from '../types.js'
import { createYodleeClient } from './client.js'
import { resolveFastlinkUrl, type YodleeCredentials } from './credentials.js'
import { badResponse } from './errors.js'
import { callbackWithState, fastlinkLaunchUrl, parseFastLinkCallback } from './fastlink.js'
import { assertReadable, getProviderAccount } from './health.js'
import { idText, normalizeYodleeAccount } from './normalize.js'
import { normalizeYodleeProvider } from './normalize-institution.js'
import { refreshLink } from './refresh.js'
import { consentExpiryOf } from './consents.js'
import { syncYodleeTransactions, type LinkSecrets } from './sync.js'
import type { YAccount, YProvider } from './wire.js'

const PROVIDER_PAGE = 500
const MAX_PROVIDER_PAGES = 200

export interface AdapterInternals {
  /** Test hook: the wait between retries (callProvider's backoff). */
  sleep?: (ms: number) => Promise<void>
}

function secretsOf (conn: Connection): LinkSecrets {
  const { loginName, providerAccountId } = conn.secrets
  if (typeof loginName !== 'string' || typeof providerAccountId !== 'string' || !/^\d+$/.test(providerAccountId)) {
    throw new ProviderError({ provider: 'yodlee', kind: 'reauth_required', message: 'Yodlee connection secrets are incomplete', providerCode: 'missing_secrets' })
  }
  return { loginName, providerAccountId }
}

/** A fresh Yodlee user per link: 32 random hex characters (Yodlee allows 3–150). */
function newLoginName (): string {
  return `bsb${randomBytes(16).toString('hex')}`
}

export function createYodleeAdapter (deps: ProviderDeps, credentials: YodleeCredentials, internals: AdapterInternals = {}): ProviderAdapter {
  const now = deps.now ?? Date.now
  const client = createYodleeClient({
    baseUrl: deps.baseUrl, credentials, dispatcher: deps.dispatcher, now, deadlineMs: deps.timeoutMs, sleep: internals.sleep
  })
  const ctx = { client, logger: deps.logger }

  async function listInstitutions (country?: string): Promise<Institution[]> {
    const wanted = country?.toUpperCase()
    const out: Institution[] = []
    for (let page = 0; page < MAX_PROVIDER_PAGES; page++) {
      const body = await client.json<{ provider?: unknown }>(credentials.adminLoginName, {
        method: 'GET', path: '/providers', query: { skip: page * PROVIDER_PAGE, top: PROVIDER_PAGE }, idempotent: true
      })
      const rows = body.provider ?? []
      if (!Array.isArray(rows)) throw badResponse('Yodlee /providers answered a non-list provider field')
      for (const p of rows as YProvider[]) {
        const inst = normalizeYodleeProvider(p)
        if (inst !== null && (wanted === undefined || inst.country === wanted)) out.push(inst)
      }
      if (rows.length < PROVIDER_PAGE) break
    }
    return out
  }

  return {
    id: 'yodlee',
    displayName: 'Yodlee',
    listInstitutions,

    async startConsent (input) {
      const existing = input.existing !== null ? secretsOf(input.existing) : null
      if (existing === null && !/^\d+$/.test(input.institutionId)) {
        throw new ProviderError({ provider: 'yodlee', kind: 'invalid_request', message: 'Yodlee provider ids are numeric', providerCode: 'invalid_institution' })
      }
      const loginName = existing?.loginName ?? newLoginName()
      // Registers the loginName at Yodlee on first use.
      const accessToken = await client.tokens.get(loginName)
      const url = fastlinkLaunchUrl({
        fastlinkUrl: resolveFastlinkUrl(credentials, deps.baseUrl),
        accessToken,
        configName: credentials.fastlinkConfigName,
        ...(existing !== null
          ? { flow: 'edit' as const, providerAccountId: existing.providerAccountId }
          : { flow: 'add' as const, providerId: input.institutionId }),
        callback: callbackWithState(input.redirectUri, input.state)
      })
      return {
        url,
        pending: { loginName, providerId: input.institutionId, providerAccountId: existing?.providerAccountId ?? null }
      }
    },

    async completeConsent (input) {
      const { loginName, providerId, providerAccountId: expected } = input.pending
      if (typeof loginName !== 'string' || providerId !== input.institutionId) {
        throw new ProviderError({ provider: 'yodlee', kind: 'invalid_request', message: 'pending consent data does not match this institution', providerCode: 'pending_invalid' })
      }
      const result = parseFastLinkCallback(input.callback)
      if (typeof expected === 'string' && result.providerAccountId !== expected) {
        throw new ProviderError({ provider: 'yodlee', kind: 'invalid_request', message: 'FastLink returned another providerAccountId than the one being edited', providerCode: 'fastlink_callback' })
      }
      // The browser's word is checked with Yodlee: the providerAccount must belong to this link's user.
      const pa = await getProviderAccount(client, loginName, result.providerAccountId)
      const paProvider = idText(pa.providerId)
      if (paProvider !== null && paProvider !== input.institutionId) {
        throw new ProviderError({ provider: 'yodlee', kind: 'invalid_request', message: 'the linked providerAccount belongs to another provider', providerCode: 'provider_mismatch' })
      }
      assertReadable(pa, 'accounts')
      return { provider: 'yodlee', institutionId: input.institutionId, secrets: { loginName, providerAccountId: result.providerAccountId } }
    },

    async listAccounts (conn) {
      const link = secretsOf(conn)
      const pa = await getProviderAccount(client, link.loginName, link.providerAccountId)
      assertReadable(pa, 'accounts')
      const body = await client.json<{ account?: unknown }>(link.loginName, {
        method: 'GET', path: '/accounts', query: { providerAccountId: link.providerAccountId }, idempotent: true
      })
      const rows = body.account ?? []
      if (!Array.isArray(rows)) throw badResponse('Yodlee /accounts answered a non-list account field')
      const consentExpiresAt = await consentExpiryOf(client, link)
      const accounts: Account[] = (rows as YAccount[])
        .filter(a => a.accountStatus === undefined || a.accountStatus === 'ACTIVE' || a.accountStatus === 'TO_BE_CLOSED')
        .map(a => normalizeYodleeAccount(a, consentExpiresAt))
      return { accounts }
    },

    syncTransactions (conn, req) {
      return syncYodleeTransactions(ctx, secretsOf(conn), req)
    },

    async refresh (conn, opts) {
      return await refreshLink(client, secretsOf(conn), { userPresent: opts.userPresent, now })
    },

    async consentExpiry (conn) {
      return await consentExpiryOf(client, secretsOf(conn))
    },

    async revoke (conn) {
      const link = secretsOf(conn)
      try {
        await client.send(link.loginName, { method: 'DELETE', path: `/providerAccounts/${link.providerAccountId}`, idempotent: true })
      } catch (err) {
        // Y807 "Resource not found": already deleted, which is what revoking asks for.
        if (err instanceof ProviderError && err.providerCode === 'Y807') return
        throw err
      }
    }
  }
}
