/**
 * The Enable Banking adapter (providers.md §5): ASPSP list, `/auth` → consent page → `/sessions`,
 * accounts matched across sessions by `identification_hash`, transactions by `sync.ts`.
 * No AIS webhooks exist, so there is no `verifyWebhook`; Enable Banking has no broker-side
 * refresh either (every data call goes live to the bank), so `refresh` only checks the session.
 */
import { ProviderError, isProviderError } from '../errors.js'
import type { Account, Connection, ConsentStart, Institution, JsonObject, ProviderAdapter, ProviderDeps, PsuInfo } from '../types.js'
import { createClient, type EbClient } from './client.js'
import { ALREADY_CLOSED_CODES, sessionStatusError } from './errors.js'
import { accountSnapshot, institutionId, normalizeAccount, normalizeAspsp, parseInstitutionId } from './normalize-account.js'
import { datePart, readSecrets, writeSecrets } from './secrets.js'
import type { EnableBankingCredentials } from './settings.js'
import { syncTransactions } from './sync.js'
import type { EbAccountResource, EbAspsp, EbAuthorizeSessionResponse, EbBalance, EbGetSessionResponse, EbStartAuthorizationResponse } from './wire.js'

const ASPSP_CACHE_MS = 10 * 60_000
const ASPSP_CACHE_MAX = 64

function invalid (message: string, providerCode: string): ProviderError {
  return new ProviderError({ provider: 'enablebanking', kind: 'invalid_request', message, providerCode })
}

function badResponse (message: string): ProviderError {
  return new ProviderError({ provider: 'enablebanking', kind: 'provider_down', message, providerCode: 'bad_response' })
}

/** RFC 3339 with an explicit offset, as the API documents for `valid_until`. */
function rfc3339 (ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00')
}

export function createEnableBankingAdapter (deps: ProviderDeps, credentials: EnableBankingCredentials): ProviderAdapter {
  const client: EbClient = createClient(deps, credentials)
  const aspspCache = new Map<string, { at: number, list: EbAspsp[] }>()

  async function aspsps (country: string | undefined): Promise<EbAspsp[]> {
    const cacheKey = country ?? '*'
    const hit = aspspCache.get(cacheKey)
    if (hit !== undefined && client.now() - hit.at < ASPSP_CACHE_MS) return hit.list
    const body = await client.get<{ aspsps?: EbAspsp[] }>('/aspsps', { country, service: 'AIS' })
    if (!Array.isArray(body.aspsps)) throw badResponse('aspsps answer has no aspsps array')
    const list = body.aspsps.filter(a => typeof a?.name === 'string' && typeof a.country === 'string')
    if (aspspCache.size >= ASPSP_CACHE_MAX) aspspCache.clear()
    aspspCache.set(cacheKey, { at: client.now(), list })
    return list
  }

  async function session (sessionId: string): Promise<EbGetSessionResponse> {
    const s = await client.get<EbGetSessionResponse>(`/sessions/${encodeURIComponent(sessionId)}`)
    if (typeof s.status !== 'string') throw badResponse('session answer has no status')
    return s
  }

  async function liveSession (sessionId: string): Promise<EbGetSessionResponse> {
    const s = await session(sessionId)
    const err = sessionStatusError(s.status)
    if (err !== null) throw err
    return s
  }

  async function balancesOf (uid: string, psu: PsuInfo | null): Promise<EbBalance[] | null> {
    try {
      const body = await client.get<{ balances?: EbBalance[] }>(`/accounts/${encodeURIComponent(uid)}/balances`, undefined, psu)
      return Array.isArray(body.balances) ? body.balances : null
    } catch (err) {
      // A spent daily allowance on balances must not hide the accounts (or stop the transactions).
      if (isProviderError(err) && err.kind === 'rate_limited') return null
      throw err
    }
  }

  return {
    id: 'enablebanking',
    displayName: 'Enable Banking',

    async listInstitutions (country?: string): Promise<Institution[]> {
      const c = country?.toUpperCase()
      if (c !== undefined && !/^[A-Z]{2}$/.test(c)) throw invalid('country must be an ISO 3166 alpha-2 code', 'bad_country')
      return (await aspsps(c)).map(normalizeAspsp)
    },

    async startConsent (input): Promise<ConsentStart> {
      const ref = parseInstitutionId(input.institutionId)
      if (ref === null) throw invalid('institution id is not "<name>|<country>"', 'bad_institution')
      const aspsp = (await aspsps(ref.country)).find(a => a.name === ref.name)
      if (aspsp === undefined) throw invalid('Enable Banking does not list this institution', 'WRONG_ASPSP_PROVIDED')
      const maxSeconds = typeof aspsp.maximum_consent_validity === 'number' ? aspsp.maximum_consent_validity : 90 * 86_400
      // One minute of slack so the clock difference with Enable Banking never pushes us past the maximum.
      const validUntil = rfc3339(client.now() + Math.max(60, maxSeconds - 60) * 1000)
      const psuType = aspsp.psu_types?.includes('business') ? 'business' : (aspsp.psu_types?.[0] ?? 'personal')
      const lang = /^[a-z]{2}/i.test(input.lang) ? input.lang.slice(0, 2).toLowerCase() : undefined
      const res = await client.post<EbStartAuthorizationResponse>('/auth', {
        access: { valid_until: validUntil },
        aspsp: { name: aspsp.name, country: aspsp.country },
        state: input.state,
        redirect_url: input.redirectUri,
        psu_type: psuType,
        ...(lang === undefined ? {} : { language: lang })
      })
      if (typeof res.url !== 'string' || !/^https?:\/\//.test(res.url)) throw badResponse('auth answer has no redirect url')
      return {
        url: res.url,
        pending: {
          authorizationId: typeof res.authorization_id === 'string' ? res.authorization_id : null,
          state: input.state,
          aspsp: { name: aspsp.name, country: aspsp.country },
          psuType,
          bic: aspsp.bic ?? null
        }
      }
    },

    async completeConsent (input): Promise<Connection> {
      const cb = input.callback
      if (typeof cb.error === 'string' && cb.error !== '') {
        throw new ProviderError({ provider: 'enablebanking', kind: 'user_action_required', message: `consent not given: ${cb.error}${cb.error_description === undefined ? '' : ` (${cb.error_description})`}`, providerCode: cb.error })
      }
      if (typeof input.pending.state === 'string' && cb.state !== input.pending.state) throw invalid('callback state does not match the consent that was started', 'state_mismatch')
      if (typeof cb.code !== 'string' || cb.code === '') throw invalid('callback has no authorization code', 'missing_code')
      const res = await client.post<EbAuthorizeSessionResponse>('/sessions', { code: cb.code })
      if (typeof res.session_id !== 'string' || !Array.isArray(res.accounts)) throw badResponse('session answer has no session_id or accounts')
      const pendingAspsp = input.pending.aspsp as { name?: string, country?: string } | undefined
      const aspsp = res.aspsp ?? { name: pendingAspsp?.name ?? '', country: pendingAspsp?.country ?? '' }
      const secrets = writeSecrets({
        sessionId: res.session_id,
        validUntil: res.access?.valid_until ?? null,
        aspsp,
        psuType: res.psu_type ?? (typeof input.pending.psuType === 'string' ? input.pending.psuType : 'business'),
        bic: typeof input.pending.bic === 'string' ? input.pending.bic : null,
        accounts: []
      }, res.accounts.filter(a => typeof a?.identification_hash === 'string').map(accountSnapshot))
      const old = input.existing?.secrets.sessionId
      if (typeof old === 'string' && old !== res.session_id) {
        // The re-link replaced the old session: close it (best effort) so it stops counting.
        try { await client.del(`/sessions/${encodeURIComponent(old)}`) } catch { /* already gone or unreachable */ }
      }
      return { provider: 'enablebanking', institutionId: input.institutionId || institutionId(aspsp.name, aspsp.country), secrets }
    },

    async listAccounts (conn: Connection, psu: PsuInfo | null): Promise<{ accounts: Account[], secrets?: JsonObject }> {
      const secrets = readSecrets(conn)
      const s = await liveSession(secrets.sessionId)
      const data = Array.isArray(s.accounts_data) ? s.accounts_data : []
      const snapshots: EbAccountResource[] = []
      let changed = false
      for (const entry of data) {
        if (typeof entry?.uid !== 'string' || typeof entry.identification_hash !== 'string') continue
        let snap = secrets.accounts.find(a => a.identification_hash === entry.identification_hash)
        if (snap === undefined) {
          snap = await client.get<EbAccountResource>(`/accounts/${encodeURIComponent(entry.uid)}/details`, undefined, psu)
          changed = true
        }
        if (snap.uid !== entry.uid) changed = true
        snapshots.push({ ...snap, uid: entry.uid, identification_hash: entry.identification_hash })
      }
      const validUntil = s.access?.valid_until ?? secrets.validUntil
      const ctx = { consentExpiresAt: datePart(validUntil), bic: secrets.bic }
      const accounts: Account[] = []
      for (const snap of snapshots) accounts.push(normalizeAccount(snap, await balancesOf(snap.uid as string, psu), ctx))
      if (!changed && validUntil === secrets.validUntil) return { accounts }
      return { accounts, secrets: writeSecrets({ ...secrets, validUntil }, snapshots.map(accountSnapshot)) }
    },

    syncTransactions: (conn, req) => syncTransactions(client, conn, req),

    async refresh (conn: Connection) {
      // Every data call is live at the bank; there is nothing to trigger. Only confirm the session still works.
      await liveSession(readSecrets(conn).sessionId)
      return { status: 'done' }
    },

    async consentExpiry (conn: Connection): Promise<string | null> {
      const secrets = readSecrets(conn)
      const s = await session(secrets.sessionId)
      if (s.status !== 'EXPIRED') {
        const err = sessionStatusError(s.status)
        if (err !== null) throw err
      }
      return datePart(s.access?.valid_until ?? secrets.validUntil)
    },

    async revoke (conn: Connection): Promise<void> {
      let secrets
      try { secrets = readSecrets(conn) } catch { return } // nothing was ever opened: nothing to close
      try {
        await client.del(`/sessions/${encodeURIComponent(secrets.sessionId)}`)
      } catch (err) {
        if (isProviderError(err) && err.providerCode !== null && ALREADY_CLOSED_CODES.has(err.providerCode)) return
        throw err
      }
    }
  }
}
