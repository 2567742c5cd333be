/**
 * `/transactions/sync` loop for one account. Upserts are yielded page by page; removals (Plaid's
 * `removed` and pending ids superseded by posted ones) are held back to the last page, so a restart
 * after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION can never drop a row that still exists.
 */
import { ProviderError } from '../errors.js'
import type { Connection, NormalizedTransaction, TransactionSyncPage, TransactionSyncRequest } from '../types.js'
import type { PlaidClient } from './client.js'
import { badResponse, isPlaidCode } from './errors.js'
import { normalizeTransaction } from './normalize.js'

export const SYNC_PAGE_SIZE = 500
export const MAX_SYNC_RESTARTS = 3
const MAX_PAGES = 10_000

interface SyncResponse {
  added?: unknown
  modified?: unknown
  removed?: unknown
  next_cursor?: unknown
  has_more?: unknown
  transactions_update_status?: unknown
  request_id?: unknown
}

export function accessTokenOf (conn: Connection): string {
  const token = conn.secrets.access_token
  if (typeof token !== 'string' || token === '') {
    throw new ProviderError({ provider: 'plaid', kind: 'reauth_required', message: 'connection has no Plaid access_token', providerCode: 'INVALID_ACCESS_TOKEN' })
  }
  return token
}

function list (v: unknown, field: string, requestId: string | null): unknown[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw badResponse(`${field} is not a list`, requestId)
  return v
}

export async function * syncAccountTransactions (client: PlaidClient, conn: Connection, req: TransactionSyncRequest): AsyncGenerator<TransactionSyncPage> {
  const accessToken = accessTokenOf(conn)
  const start = typeof req.syncState === 'string' && req.syncState !== '' ? req.syncState : null
  const ctx = { accountId: req.account.id, accountCurrency: req.account.currency }
  const plaidAccountId = req.account.providerAccountId
  // Ids that aborted attempts reported as `added`: if the restarted loop no longer lists them they are gone.
  const addedInAbortedAttempts = new Set<string>()
  for (let attempt = 0; ; attempt++) {
    const addedNow = new Set<string>()
    const removals = new Set<string>()
    let cursor = start
    try {
      for (let pageNo = 0; pageNo < MAX_PAGES; pageNo++) {
        const body: Record<string, unknown> = { access_token: accessToken, count: SYNC_PAGE_SIZE, options: { account_id: plaidAccountId, include_original_description: true } }
        if (cursor !== null) body.cursor = cursor
        const page = await client.post<SyncResponse>('/transactions/sync', body, { idempotent: true })
        const requestId = typeof page.request_id === 'string' ? page.request_id : null
        const added = list(page.added, 'added', requestId)
        const modified = list(page.modified, 'modified', requestId)
        const removed = list(page.removed, 'removed', requestId)
        if (page.transactions_update_status === 'NOT_READY' && added.length + modified.length + removed.length === 0) {
          throw new ProviderError({ provider: 'plaid', kind: 'not_ready', message: 'Plaid has not finished the first transaction pull for this Item', providerCode: 'NOT_READY', providerRequestId: requestId })
        }
        if (typeof page.has_more !== 'boolean' || typeof page.next_cursor !== 'string') throw badResponse('has_more/next_cursor missing', requestId)
        const upserts: NormalizedTransaction[] = []
        for (const [raw, isAdded] of [...added.map(t => [t, true] as const), ...modified.map(t => [t, false] as const)]) {
          const tx = normalizeTransaction(raw, ctx)
          const owner = (raw as { account_id?: unknown }).account_id
          if (owner !== plaidAccountId) continue
          if (isAdded) addedNow.add(tx.id)
          if (tx.supersedesPendingId !== null) removals.add(tx.supersedesPendingId)
          const day = tx.bookingDate ?? tx.transactionDate
          if (day !== null && day < req.fromDate) continue
          upserts.push(tx)
        }
        for (const r of removed) {
          const id = (r as { transaction_id?: unknown } | null)?.transaction_id
          if (typeof id !== 'string' || id === '') throw badResponse('removed entry without transaction_id', requestId)
          removals.add(id)
        }
        if (!page.has_more) {
          for (const id of addedInAbortedAttempts) if (!addedNow.has(id)) removals.add(id)
          for (const t of upserts) removals.delete(t.id)
          yield { upserts, removed: [...removals], pendingIsSnapshot: false, syncState: page.next_cursor }
          return
        }
        if (page.next_cursor === cursor) throw badResponse('has_more with an unchanged cursor', requestId)
        cursor = page.next_cursor
        // Intermediate pages keep the loop's starting cursor: saving it by mistake only repeats work.
        yield { upserts, removed: [], pendingIsSnapshot: false, syncState: start }
      }
      throw badResponse(`more than ${MAX_PAGES} pages`)
    } catch (err) {
      if (!isPlaidCode(err, 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION') || attempt >= MAX_SYNC_RESTARTS) throw err
      for (const id of addedNow) addedInAbortedAttempts.add(id)
    }
  }
}
