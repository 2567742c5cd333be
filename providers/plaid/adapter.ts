/** The Plaid adapter: Hosted Link consent, accounts, transactions sync, refresh, Item lifecycle. */
import { createHash } from 'node:crypto'
import { ProviderError } from '../errors.js'
import type { Account, Connection, ConsentCompleteInput, ConsentStart, ConsentStartInput, Institution, JsonObject, ProviderAdapter, ProviderDeps, RefreshResult } from '../types.js'
import { createPlaidClient } from './client.js'
import type { PlaidCredentials } from './credentials.js'
import { isPlaidCode } from './errors.js'
import { completeLink, linkLanguage } from './link.js'
import { accountType, normalizeAccount, normalizeInstitution, SYNCABLE_TYPES, utcDateOf } from './normalize.js'
import { accessTokenOf, syncAccountTransactions } from './sync.js'
import { createWebhookVerifier } from './webhook-verify.js'

export const PLAID_COUNTRIES = ['US', 'CA'] as const
/** Plaid's maximum; the bank decides how much of it exists. */
export const DAYS_REQUESTED = 730
const INSTITUTIONS_PAGE = 500
const MAX_INSTITUTION_PAGES = 100

interface ItemResponse { item?: { update_type?: unknown, consent_expiration_time?: unknown } }

export function createPlaidAdapter (deps: ProviderDeps, creds: PlaidCredentials): ProviderAdapter {
  const client = createPlaidClient(deps, creds)
  const now = deps.now ?? Date.now

  async function listInstitutions (country?: string): Promise<Institution[]> {
    const wanted = country?.toUpperCase()
    const codes = wanted === undefined ? [...PLAID_COUNTRIES] : PLAID_COUNTRIES.filter(c => c === wanted)
    if (codes.length === 0) return []
    const out: Institution[] = []
    for (let page = 0, offset = 0; page < MAX_INSTITUTION_PAGES; page++) {
      const res = await client.post<{ institutions?: unknown, total?: unknown }>('/institutions/get', { count: INSTITUTIONS_PAGE, offset, country_codes: codes, options: { products: ['transactions'] } }, { idempotent: true })
      const batch = Array.isArray(res.institutions) ? res.institutions : []
      for (const raw of batch) {
        const inst = normalizeInstitution(raw, wanted)
        if (inst !== null) out.push(inst)
      }
      offset += batch.length
      const total = typeof res.total === 'number' ? res.total : offset
      if (batch.length === 0 || offset >= total) break
    }
    return out
  }

  async function startConsent (input: ConsentStartInput): Promise<ConsentStart> {
    const completion = new URL(input.redirectUri)
    completion.searchParams.set('state', input.state)
    const update = input.existing !== null
    const body: Record<string, unknown> = {
      client_name: creds.clientName,
      language: linkLanguage(input.lang),
      country_codes: [...PLAID_COUNTRIES],
      // Pseudonymous and stable per consent; Plaid asks for no personal data here.
      user: { client_user_id: createHash('sha256').update(`banksync|${input.state}`).digest('hex').slice(0, 32) },
      hosted_link: { completion_redirect_uri: completion.toString() }
    }
    if (update) {
      body.access_token = accessTokenOf(input.existing as Connection)
    } else {
      body.products = ['transactions']
      body.transactions = { days_requested: DAYS_REQUESTED }
      body.institution_id = input.institutionId
    }
    if (creds.webhookUrl !== null) body.webhook = creds.webhookUrl
    const res = await client.post<{ link_token?: unknown, hosted_link_url?: unknown, request_id?: unknown }>('/link/token/create', body, { idempotent: false })
    if (typeof res.link_token !== 'string' || typeof res.hosted_link_url !== 'string' || !/^https?:\/\//.test(res.hosted_link_url)) {
      throw new ProviderError({ provider: 'plaid', kind: 'provider_down', message: 'link token response has no hosted_link_url (is Hosted Link enabled for this client?)', providerCode: 'bad_response', providerRequestId: typeof res.request_id === 'string' ? res.request_id : null })
    }
    return { url: res.hosted_link_url, pending: { link_token: res.link_token, mode: update ? 'update' : 'create' } }
  }

  async function completeConsent (input: ConsentCompleteInput): Promise<Connection> {
    return await completeLink(client, input)
  }

  async function listAccounts (conn: Connection): Promise<{ accounts: Account[] }> {
    const res = await client.post<{ accounts?: unknown, item?: { consent_expiration_time?: unknown } }>('/accounts/get', { access_token: accessTokenOf(conn) }, { idempotent: true })
    if (!Array.isArray(res.accounts)) throw new ProviderError({ provider: 'plaid', kind: 'provider_down', message: 'accounts/get answered without accounts', providerCode: 'bad_response' })
    const expiry = res.item?.consent_expiration_time ?? null
    return { accounts: res.accounts.filter(a => SYNCABLE_TYPES.has(accountType(a))).map(a => normalizeAccount(a, expiry)) }
  }

  async function itemGet (conn: Connection): Promise<ItemResponse['item']> {
    const res = await client.post<ItemResponse>('/item/get', { access_token: accessTokenOf(conn) }, { idempotent: true })
    if (res.item === undefined || res.item === null || typeof res.item !== 'object') {
      throw new ProviderError({ provider: 'plaid', kind: 'provider_down', message: 'item/get answered without item', providerCode: 'bad_response' })
    }
    return res.item
  }

  async function refresh (conn: Connection, opts: { userPresent: boolean }): Promise<RefreshResult> {
    const item = await itemGet(conn)
    // Items whose bank asks for MFA on every login are only updated while the user runs Link.
    if (item?.update_type === 'user_present_required') {
      throw new ProviderError({
        provider: 'plaid',
        kind: opts.userPresent ? 'reauth_required' : 'user_action_required',
        message: 'Plaid Item is update_type user_present_required: fresh data needs the user in Link update mode',
        providerCode: 'user_present_required'
      })
    }
    await client.post('/transactions/refresh', { access_token: accessTokenOf(conn) }, { idempotent: false })
    return { status: 'started' }
  }

  async function consentExpiry (conn: Connection): Promise<string | null> {
    return utcDateOf((await itemGet(conn))?.consent_expiration_time)
  }

  async function revoke (conn: Connection): Promise<void> {
    if (typeof conn.secrets.access_token !== 'string' || conn.secrets.access_token === '') return
    try {
      await client.post('/item/remove', { access_token: accessTokenOf(conn) }, { idempotent: false })
    } catch (err) {
      // Removing an Item that is already gone is success.
      if (isPlaidCode(err, 'ITEM_NOT_FOUND', 'INVALID_ACCESS_TOKEN')) return
      throw err
    }
  }

  const verifyWebhook = createWebhookVerifier(client, now)

  return {
    id: 'plaid',
    displayName: 'Plaid',
    listInstitutions,
    startConsent,
    completeConsent,
    listAccounts,
    syncTransactions: (conn, req) => syncAccountTransactions(client, conn, req),
    refresh,
    consentExpiry,
    revoke,
    verifyWebhook: async input => await verifyWebhook(input) as JsonObject
  }
}
