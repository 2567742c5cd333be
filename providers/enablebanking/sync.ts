/**
 * Transaction sync for Enable Banking: no change feed, so every run re-reads the window
 * [fromDate, toDate] with `strategy=longest` (the bank's own history limit, no error when the
 * window is deeper) and follows `continuation_key` until null. Pending entries are a snapshot.
 */
import { ProviderError } from '../errors.js'
import type { Connection, TransactionSyncPage, TransactionSyncRequest } from '../types.js'
import type { EbClient } from './client.js'
import { createOccurrenceCounter, effectiveDate, normalizeTransaction } from './normalize.js'
import { currentUid, readSecrets } from './secrets.js'
import type { EbTransactionsPage } from './wire.js'

/** Guard against a provider that keeps handing out continuation keys. */
const MAX_PAGES = 2_000

function badResponse (message: string): ProviderError {
  return new ProviderError({ provider: 'enablebanking', kind: 'provider_down', message, providerCode: 'bad_response' })
}

export async function * syncTransactions (client: EbClient, conn: Connection, req: TransactionSyncRequest): AsyncGenerator<TransactionSyncPage> {
  const secrets = readSecrets(conn)
  const uid = currentUid(secrets, req.account.id, req.account.providerAccountId)
  const psu = req.userPresent ? req.psu : null
  const counter = createOccurrenceCounter()
  const seenKeys = new Set<string>()
  let key: string | null = null
  for (let page = 0; page < MAX_PAGES; page++) {
    const body: EbTransactionsPage = await client.get<EbTransactionsPage>(`/accounts/${encodeURIComponent(uid)}/transactions`, {
      date_from: req.fromDate,
      strategy: 'longest',
      continuation_key: key
    }, psu)
    if (!Array.isArray(body.transactions)) throw badResponse('transactions page has no transactions array')
    const upserts = body.transactions
      .map(tx => normalizeTransaction(tx, req.account.id, counter))
      .filter(t => {
        const d = effectiveDate(t)
        return d === null || (d >= req.fromDate && d <= req.toDate)
      })
    const next = typeof body.continuation_key === 'string' && body.continuation_key !== '' ? body.continuation_key : null
    yield { upserts, removed: [], pendingIsSnapshot: true, syncState: null }
    if (next === null) return
    if (seenKeys.has(next)) throw badResponse('Enable Banking repeated a continuation_key')
    seenKeys.add(next)
    key = next
  }
  throw badResponse(`more than ${MAX_PAGES} transaction pages`)
}
