/**
 * The Salt Edge v6 adapter: providers, Connect consent, accounts, posted + pending transactions
 * (a snapshot provider), refresh with `next_refresh_possible_at`, consent expiry, removal, and
 * callback verification.
 */
import { ProviderError, isProviderError } from '../errors.js'
import type { Account, Connection, Institution, NormalizedTransaction, ProviderAdapter, ProviderDeps, TransactionSyncPage, TransactionSyncRequest } from '../types.js'
import { createSaltEdgeClient } from './client.js'
import { createConsentFlow, secretsOf } from './consent.js'
import type { SaltEdgeCredentials } from './credentials.js'
import { withKind } from './errors.js'
import { datePart, normalizeAccount, normalizeInstitution, normalizeTransaction, pendingIds } from './normalize.js'
import { createCallbackVerifier } from './webhook.js'
import type { SeAccount, SeConnection, SeConsent, SeProvider, SeTransaction } from './wire.js'

const PER_PAGE = 1000
/** Pending entries per yielded page. */
const PENDING_PAGE = 500
/** More pending entries than this for one account is not a bank, it is a bug. */
const MAX_PENDING = 50_000

function inWindow (t: NormalizedTransaction, from: string, to: string): boolean {
  return [t.bookingDate, t.transactionDate].some(d => d !== null && d >= from && d <= to)
}

export function createSaltEdgeAdapter (deps: ProviderDeps, creds: SaltEdgeCredentials): ProviderAdapter {
  const client = createSaltEdgeClient(deps, creds)
  const consent = createConsentFlow(client)

  async function connectionOf (id: string): Promise<SeConnection> {
    return await client.get<SeConnection>(`/connections/${encodeURIComponent(id)}`)
  }

  async function consentExpiry (conn: Connection): Promise<string | null> {
    const s = secretsOf(conn)
    const c = await connectionOf(s.connection_id)
    if (c.last_consent_id === null || c.last_consent_id === undefined) return null
    const cons = await client.get<SeConsent>(`/consents/${encodeURIComponent(c.last_consent_id)}`, { connection_id: s.connection_id })
    return datePart(cons.expires_at)
  }

  async function listInstitutions (country?: string): Promise<Institution[]> {
    const cc = country?.toUpperCase()
    const out: Institution[] = []
    for await (const page of client.pages<SeProvider>('/providers', { country_code: cc, include_sandboxes: cc === 'XF' ? true : undefined })) {
      for (const p of page) if (p.status === 'active') out.push(normalizeInstitution(p))
    }
    return out
  }

  async function listAccounts (conn: Connection): Promise<{ accounts: Account[] }> {
    const s = secretsOf(conn)
    const expires = await consentExpiry(conn)
    const accounts: Account[] = []
    for await (const page of client.pages<SeAccount>('/accounts', { connection_id: s.connection_id })) {
      for (const a of page) accounts.push(normalizeAccount(a, expires))
    }
    return { accounts }
  }

  async function * syncTransactions (conn: Connection, req: TransactionSyncRequest): AsyncGenerator<TransactionSyncPage> {
    const s = secretsOf(conn)
    const account = req.account
    const query = { connection_id: s.connection_id, account_id: account.providerAccountId, per_page: PER_PAGE }
    for await (const page of client.pages<SeTransaction>('/transactions', query)) {
      const upserts = page
        .filter(tx => tx?.status !== 'pending' && tx?.duplicated !== true)
        .map(tx => normalizeTransaction(tx, account.id))
        .filter(t => inWindow(t, req.fromDate, req.toDate))
      yield { upserts, removed: [], pendingIsSnapshot: true, syncState: null }
    }
    // Pending entries are re-created at every fetch: take the whole snapshot, then give ids.
    const pending: SeTransaction[] = []
    for await (const page of client.pages<SeTransaction>('/transactions', { ...query, pending: true })) {
      for (const tx of page) if (tx?.status === 'pending') pending.push(tx)
      if (pending.length > MAX_PENDING) {
        throw new ProviderError({ provider: 'saltedge', kind: 'provider_down', message: 'Salt Edge listed too many pending transactions', providerCode: 'bad_response' })
      }
    }
    const ids = pendingIds(pending)
    const normalized = pending.map((tx, i) => normalizeTransaction(tx, account.id, ids[i]))
      .filter(t => inWindow(t, req.fromDate, req.toDate))
    for (let i = 0; i < normalized.length; i += PENDING_PAGE) {
      yield { upserts: normalized.slice(i, i + PENDING_PAGE), removed: [], pendingIsSnapshot: true, syncState: null }
    }
  }

  async function refresh (conn: Connection, opts: { userPresent: boolean }): Promise<{ status: 'started' }> {
    const s = secretsOf(conn)
    if (!opts.userPresent && !s.automatic_fetch) {
      throw new ProviderError({ provider: 'saltedge', kind: 'user_action_required', message: 'this Salt Edge provider only fetches with the user present (automatic_fetch: false)', providerCode: 'automatic_fetch_disabled' })
    }
    const attempt: Record<string, unknown> = { fetch_scopes: ['accounts', 'transactions'], user_present: opts.userPresent }
    if (opts.userPresent) attempt.customer_last_logged_at = new Date(client.now()).toISOString()
    try {
      await client.post(`/connections/${encodeURIComponent(s.connection_id)}/refresh`, { data: { attempt } })
      return { status: 'started' }
    } catch (err) {
      if (!isProviderError(err) || err.providerCode !== 'ConnectionCannotBeRefreshed') throw err
      // The error body does not say when; the connection does.
      const c = await connectionOf(s.connection_id)
      const next = typeof c.next_refresh_possible_at === 'string' ? c.next_refresh_possible_at : null
      if (next === null && c.last_attempt?.automatic_fetch === false) throw withKind(err, 'user_action_required', null, client.now())
      throw withKind(err, 'rate_limited', next, client.now())
    }
  }

  async function revoke (conn: Connection): Promise<void> {
    const s = secretsOf(conn)
    try {
      await client.del(`/connections/${encodeURIComponent(s.connection_id)}`)
    } catch (err) {
      // Already removed (or its customer is gone): revoking again is a success.
      if (isProviderError(err) && (err.providerCode === 'ConnectionNotFound' || err.providerCode === 'CustomerNotFound')) return
      throw err
    }
  }

  return {
    id: 'saltedge',
    displayName: 'Salt Edge',
    listInstitutions,
    startConsent: consent.start,
    completeConsent: consent.complete,
    listAccounts,
    syncTransactions,
    refresh,
    consentExpiry,
    revoke,
    verifyWebhook: createCallbackVerifier(creds.callbackPublicKeyPem, client.now)
  }
}
