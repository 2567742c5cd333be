/**
 * `refresh` for Ponto: one `accountTransactions` synchronization per account (with the user's IP
 * when present, which PSD2 banks count as customer-present access), polled once or twice.
 * `accountRecentlySynchronized` (Ponto's answer to "too soon", also for daily-limited banks) is
 * reported as `rate_limited` when no account could start a synchronization.
 * Ponto reports a lapsed authorization only inside a synchronization, which finishes after the
 * polls; so an account whose latest synchronization already failed that way, with no authorization
 * recorded since (`authorizedAt`), gets no new doomed synchronization: re-authorisation is reported.
 */
import { randomUUID } from 'node:crypto'
import { isProviderError, type ProviderError } from '../errors.js'
import type { Account, PsuInfo, RefreshResult } from '../types.js'
import { apiGet, apiPost, pages, resource, resources, type PontoContext } from './client.js'
import { mapSyncErrors } from './errors.js'
import type { PontoResource } from './normalize.js'
import type { Session } from './auth.js'
import { PAGE_LIMIT } from './sync.js'

export interface RefreshOptions {
  userPresent: boolean
  psu: PsuInfo | null
  account: Account | null
}

const SEVERITY: Record<string, number> = { reauth_required: 3, user_action_required: 2, provider_down: 1 }

/** The account resources to refresh (they carry `meta.latestSynchronization` and `authorizedAt`). */
async function accountsToRefresh (ctx: PontoContext, session: Session, account: Account | null): Promise<PontoResource[]> {
  const get = (path: string) => session.call(token => apiGet(ctx, token, path))
  if (account !== null) return [resource(await get(`/ponto-connect/accounts/${encodeURIComponent(account.providerAccountId)}`))]
  const list: PontoResource[] = []
  for await (const doc of pages(ctx, get, `/ponto-connect/accounts?page[limit]=${PAGE_LIMIT}`)) {
    for (const r of resources(doc)) if (typeof r.id === 'string') list.push(r)
  }
  return list
}

/**
 * The re-authorisation error when the account's latest synchronization failed on the authorization
 * (`authorizationExpired`, `authorizationInvalid`, …) and Ponto has not recorded a new authorization
 * since; null otherwise.
 */
export function knownReauthorization (account: PontoResource): ProviderError | null {
  const latest = account.meta?.latestSynchronization as PontoResource | null | undefined
  const a = latest?.attributes
  if (a?.status !== 'error') return null
  const err = mapSyncErrors(a.errors, typeof latest?.id === 'string' ? latest.id : null)
  if (err.kind !== 'reauth_required') return null
  const authorizedAt = typeof account.attributes?.authorizedAt === 'string' ? Date.parse(account.attributes.authorizedAt) : Number.NaN
  const failedAt = typeof a.createdAt === 'string' ? Date.parse(a.createdAt) : Number.NaN
  return authorizedAt > failedAt ? null : err
}

export async function refreshAccounts (ctx: PontoContext, session: Session, opts: RefreshOptions, poll: { delayMs: number, sleep: (ms: number) => Promise<void> }): Promise<RefreshResult> {
  const accounts = await accountsToRefresh(ctx, session, opts.account)
  for (const account of accounts) {
    const dead = knownReauthorization(account)
    if (dead !== null) throw dead
  }
  const ids = accounts.map(a => String(a.id))
  const started: string[] = []
  let tooSoon: ProviderError | null = null
  let tooSoonCount = 0
  for (const id of ids) {
    const attributes: Record<string, string> = { resourceType: 'account', resourceId: id, subtype: 'accountTransactions' }
    if (opts.userPresent && opts.psu !== null && opts.psu.ip !== '') attributes.customerIpAddress = opts.psu.ip
    const key = randomUUID()
    try {
      const doc = await session.call(token => apiPost(ctx, token, '/ponto-connect/synchronizations', { data: { type: 'synchronization', attributes } }, key))
      const sync = resource(doc)
      if (sync.attributes?.status === 'error') throw mapSyncErrors(sync.attributes.errors, String(sync.id))
      if (sync.attributes?.status !== 'success') started.push(String(sync.id))
    } catch (err) {
      if (isProviderError(err) && err.providerCode === 'accountRecentlySynchronized') { tooSoon = err; tooSoonCount++; continue }
      throw err
    }
  }
  if (tooSoon !== null && tooSoonCount === ids.length) throw tooSoon
  let open = started
  for (let attempt = 0; attempt < 2 && open.length > 0; attempt++) {
    if (attempt > 0) await poll.sleep(poll.delayMs)
    const stillOpen: string[] = []
    let worst: ProviderError | null = null
    for (const id of open) {
      const sync = resource(await session.call(token => apiGet(ctx, token, `/ponto-connect/synchronizations/${encodeURIComponent(id)}`)))
      const status = sync.attributes?.status
      if (status === 'error') {
        const err = mapSyncErrors(sync.attributes?.errors, id)
        if (worst === null || (SEVERITY[err.kind] ?? 0) > (SEVERITY[worst.kind] ?? 0)) worst = err
      } else if (status !== 'success') stillOpen.push(id)
    }
    if (worst !== null) throw worst
    open = stillOpen
  }
  const secrets = session.takeSecrets()
  return { status: open.length === 0 ? 'done' : 'started', ...(secrets !== undefined ? { secrets } : {}) }
}
