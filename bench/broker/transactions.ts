/** The transactions calls Odoo makes, for the page and history benchmarks. */
import type { BrokerUnderTest } from './harness.js'
import { callBroker } from './clients.js'
import { signedRequest, type OdooCredentials } from './signed.js'
import type { RequestShape } from '../load.js'

export const PAGE = 500

/** `/proxy/v1/transactions` as Odoo 17 asks for the whole history, page `nextData` (null: the first). */
export function transactionsRequest (c: OdooCredentials, accountId: string, nextData: unknown = null): RequestShape {
  return signedRequest('/proxy/v1/transactions', c, { account_id: accountId, start_date: false, last_transaction_identifier: false, include_pendings: false, next_data: nextData }, '17.0')
}

/**
 * Stores the client's accounts (`/proxy/v1/accounts`) and syncs the ledger of `accountId`, or of the
 * first account whose history fills a page, with the first transactions call; returns that page.
 */
export async function primeClient (b: BrokerUnderTest, c: OdooCredentials, accountId: string | null): Promise<{ accountId: string, body: string }> {
  const accounts = await callBroker(b, signedRequest('/proxy/v1/accounts', c, {}, '17.0'))
  const ids = ((accounts.result?.accounts ?? []) as Array<{ online_identifier: string }>).map(a => a.online_identifier)
  if (ids.length === 0) throw new Error(`no accounts: ${JSON.stringify(accounts.error)}`)
  for (const id of accountId === null ? ids : [accountId]) {
    const page = await callBroker(b, transactionsRequest(c, id))
    const lines = (page.result?.transactions as unknown[] | undefined)?.length ?? 0
    if (lines === PAGE) return { accountId: id, body: JSON.stringify(page) }
  }
  throw new Error(`no account of the sandbox bank fills a ${PAGE}-line page`)
}
