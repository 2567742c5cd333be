/**
 * Transaction sync for Ponto: booked transactions come newest first without a date filter, so the
 * adapter pages until a whole page lies before `fromDate` (never stopping at the first old row),
 * adds what the latest synchronization reported as updated (late postings with old dates), and
 * lists the pending resource as a snapshot with ids of their own.
 */
import { ProviderError, isProviderError } from '../errors.js'
import type { JsonValue, NormalizedTransaction, TransactionSyncPage, TransactionSyncRequest } from '../types.js'
import { apiGet, pages, resources, type JsonApiDocument, type PontoContext } from './client.js'
import { mapSyncErrors } from './errors.js'
import { normalizeTransaction, type PontoResource } from './normalize.js'
import type { Session } from './auth.js'

export const PAGE_LIMIT = 100
/** A synchronization still pending or running after this long is treated as stuck, not as "wait". */
const STUCK_AFTER_MS = 10 * 60_000

interface SyncState { v: 1, lastSynchronizationId: string | null }

function readState (value: JsonValue | null): SyncState {
  const v = value as Partial<SyncState> | null
  return { v: 1, lastSynchronizationId: typeof v?.lastSynchronizationId === 'string' ? v.lastSynchronizationId : null }
}

function accountGone (err: unknown): unknown {
  if (!isProviderError(err) || err.httpStatus !== 404) return err
  return new ProviderError({ provider: 'ponto', kind: 'reauth_required', message: 'Ponto no longer knows this account (removed from the integration)', providerCode: err.providerCode, providerRequestId: err.providerRequestId, httpStatus: 404, cause: err })
}

/** Throws when the account's latest synchronization says the data cannot be trusted or is coming. */
export function checkLatestSynchronization (latest: PontoResource | null | undefined, userPresent: boolean, now: number): void {
  const a = latest?.attributes
  if (a === undefined) return
  const status = a.status
  const createdAt = typeof a.createdAt === 'string' ? Date.parse(a.createdAt) : Number.NaN
  if ((status === 'pending' || status === 'running') && !(now - createdAt > STUCK_AFTER_MS)) {
    throw new ProviderError({ provider: 'ponto', kind: 'not_ready', message: `Ponto synchronization ${String(latest?.id)} is ${status}`, providerCode: `synchronization_${status}` })
  }
  if (status !== 'error') return
  const err = mapSyncErrors(a.errors, typeof latest?.id === 'string' ? latest.id : null)
  if (err.kind === 'reauth_required' || (err.kind === 'user_action_required' && !userPresent)) throw err
}

function inWindow (t: NormalizedTransaction, req: TransactionSyncRequest): boolean {
  const day = t.bookingDate ?? t.valueDate
  return day !== null && day >= req.fromDate && day <= req.toDate
}

function beforeWindow (t: NormalizedTransaction, fromDate: string): boolean {
  return (t.bookingDate ?? '9999') < fromDate && (t.valueDate ?? '0000') < fromDate
}

function withSecrets (page: TransactionSyncPage, session: Session): void {
  const secrets = session.takeSecrets()
  if (secrets !== undefined) page.secrets = secrets
}

export async function * syncTransactions (ctx: PontoContext, session: Session, req: TransactionSyncRequest): AsyncGenerator<TransactionSyncPage> {
  const state = readState(req.syncState)
  const account = req.account
  const get = (path: string): Promise<JsonApiDocument> => session.call(token => apiGet(ctx, token, path)).catch(err => { throw accountGone(err) })
  const normalize = (r: PontoResource): NormalizedTransaction => normalizeTransaction(r, account.id, account.currency)
  const base = `/ponto-connect/accounts/${encodeURIComponent(account.providerAccountId)}`
  const booked = pages(ctx, get, `${base}/transactions?page[limit]=${PAGE_LIMIT}`)
  const seen = new Set<string>()
  let latest: PontoResource | null = null
  let first = true
  for await (const doc of booked) {
    const page: TransactionSyncPage = { upserts: [], removed: [], pendingIsSnapshot: true, syncState: req.syncState }
    if (first) {
      latest = doc.meta?.latestSynchronization ?? null
      checkLatestSynchronization(latest, req.userPresent, ctx.now())
      for await (const pendingDoc of pages(ctx, get, `${base}/pending-transactions?page[limit]=${PAGE_LIMIT}`)) {
        page.upserts.push(...resources(pendingDoc).map(normalize))
      }
      first = false
    }
    const rows = resources(doc).map(normalize)
    for (const t of rows) {
      if (!inWindow(t, req) || seen.has(t.id)) continue
      seen.add(t.id)
      page.upserts.push(t)
    }
    withSecrets(page, session)
    yield page
    if (rows.length > 0 && rows.every(t => beforeWindow(t, req.fromDate))) break
  }
  const last: TransactionSyncPage = { upserts: [], removed: [], pendingIsSnapshot: true, syncState: null }
  const latestId = typeof latest?.id === 'string' ? latest.id : null
  if (latestId !== null && latestId !== state.lastSynchronizationId && latest?.attributes?.status === 'success' && latest.attributes.subtype !== 'accountDetails') {
    // Rows the bank delivered late (an old executionDate) sit beyond the paged window; the
    // synchronization's own list of updated transactions still names them.
    const getSync = (path: string): Promise<JsonApiDocument> => session.call(token => apiGet(ctx, token, path))
    try {
      for await (const doc of pages(ctx, getSync, `/ponto-connect/synchronizations/${encodeURIComponent(latestId)}/updated-transactions?page[limit]=${PAGE_LIMIT}`)) {
        for (const t of resources(doc).map(normalize)) {
          if (seen.has(t.id) || (t.bookingDate !== null && t.bookingDate > req.toDate)) continue
          seen.add(t.id)
          last.upserts.push(t)
        }
      }
    } catch (err) {
      // An expired synchronization resource only loses the late-posting catch-up, not the sync.
      if (!isProviderError(err) || err.httpStatus !== 404) throw err
    }
  }
  last.syncState = { v: 1, lastSynchronizationId: latestId ?? state.lastSynchronizationId }
  withSecrets(last, session)
  yield last
}
