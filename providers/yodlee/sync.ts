/**
 * Transaction sync for one account. Yodlee has no change feed in `/transactions` (pending entries
 * just disappear when they post), so each run re-reads the whole window with `skip`/`top` (≤ 500)
 * and hands the broker a snapshot (`pendingIsSnapshot: true`).
 */
import type { Logger } from 'pino'
import type { NormalizedTransaction, TransactionSyncPage, TransactionSyncRequest } from '../types.js'
import type { YodleeClient } from './client.js'
import { badResponse } from './errors.js'
import { assertReadable, getProviderAccount } from './health.js'
import { idText, normalizeYodleeTransaction } from './normalize.js'
import type { YTransaction } from './wire.js'

export const PAGE_SIZE = 500
/** Hard stop on paging (500 × 400 = 200k rows in one window). */
const MAX_PAGES = 400
/** Re-reads of the window when its row count changed while paging. */
const MAX_PASSES = 3

export interface SyncContext {
  client: YodleeClient
  logger?: Logger
}

export interface LinkSecrets {
  loginName: string
  providerAccountId: string
}

async function countWindow (ctx: SyncContext, loginName: string, query: Record<string, string>): Promise<number | null> {
  const body = await ctx.client.json<{ transaction?: { TOTAL?: { count?: unknown } } }>(loginName, {
    method: 'GET', path: '/transactions/count', query, idempotent: true
  })
  const count = body.transaction?.TOTAL?.count
  return typeof count === 'number' ? count : null
}

async function readWindow (ctx: SyncContext, loginName: string, accountId: string, query: Record<string, string>): Promise<Map<string, NormalizedTransaction>> {
  const out = new Map<string, NormalizedTransaction>()
  for (let page = 0, skip = 0; page < MAX_PAGES; page++) {
    const body = await ctx.client.json<{ transaction?: unknown }>(loginName, {
      method: 'GET', path: '/transactions', query: { ...query, skip, top: PAGE_SIZE }, idempotent: true
    })
    // Yodlee answers `{}` when nothing matches.
    const rows = body.transaction ?? []
    if (!Array.isArray(rows)) throw badResponse('Yodlee /transactions answered a non-list transaction field')
    for (const raw of rows as YTransaction[]) {
      if (idText(raw.accountId) !== accountId) throw badResponse('Yodlee /transactions returned a row of another account')
      const tx = normalizeYodleeTransaction(raw, accountId)
      out.set(tx.id, tx)
    }
    if (rows.length < PAGE_SIZE) return out
    skip += rows.length
  }
  throw badResponse(`Yodlee /transactions did not end after ${MAX_PAGES} pages`)
}

export async function * syncYodleeTransactions (ctx: SyncContext, link: LinkSecrets, req: TransactionSyncRequest): AsyncGenerator<TransactionSyncPage> {
  const pa = await getProviderAccount(ctx.client, link.loginName, link.providerAccountId)
  assertReadable(pa, 'transactions')
  const accountId = req.account.providerAccountId
  const query = { accountId, fromDate: req.fromDate, toDate: req.toDate }

  let rows = new Map<string, NormalizedTransaction>()
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    // Offsets shift when rows appear or post during paging; an unchanged count around the read
    // shows the window held still (the count itself is not compared with the rows read).
    const before = await countWindow(ctx, link.loginName, query)
    rows = await readWindow(ctx, link.loginName, accountId, query)
    const after = await countWindow(ctx, link.loginName, query)
    if (before === after) break
    ctx.logger?.warn({ provider: 'yodlee', pass, before, after }, 'transaction window changed while paging; reading again')
  }

  const all = [...rows.values()]
  if (all.length === 0) {
    yield { upserts: [], removed: [], pendingIsSnapshot: true, syncState: null }
    return
  }
  for (let i = 0; i < all.length; i += PAGE_SIZE) {
    yield { upserts: all.slice(i, i + PAGE_SIZE), removed: [], pendingIsSnapshot: true, syncState: null }
  }
}
