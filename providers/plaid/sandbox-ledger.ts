/**
 * What an Item's accounts hold at a given time: the kit's deterministic history (from the bank's
 * history depth before the link day onwards, so old rows never fall out) plus control-route extras.
 */
import { generateHistory, isoDate, openingBalanceMinor, type SandboxTransaction } from '../sandbox-kit/history.js'
import { transactionIdFor, transactionJson } from './sandbox-data.js'
import { DAY_MS, type SandboxAccount, type SandboxItem, type SandboxState } from './sandbox-state.js'

// The kit regenerates two years of rows per call; every page of a sync asks again at the same clock.
const historyCache = new Map<string, SandboxTransaction[]>()

function historyFor (item: SandboxItem, account: SandboxAccount, at: number): SandboxTransaction[] {
  const linkDay = isoDate(item.createdAt)
  const daysSinceLink = Math.max(0, Math.round((Date.parse(`${isoDate(at)}T00:00:00Z`) - Date.parse(`${linkDay}T00:00:00Z`)) / DAY_MS))
  const historyDays = item.historyDays + daysSinceLink
  const key = `${account.seed}|${item.institution.currency}|${historyDays}|${at}`
  const hit = historyCache.get(key)
  if (hit !== undefined) return hit
  const rows = generateHistory({ seed: account.seed, currency: item.institution.currency, historyDays, now: at })
  historyCache.set(key, rows)
  while (historyCache.size > 32) historyCache.delete(historyCache.keys().next().value as string)
  return rows
}

interface Row { tx: SandboxTransaction, pending: boolean, wasPendingWhileLinked: boolean }

function rowsFor (state: SandboxState, item: SandboxItem, account: SandboxAccount, at: number): Row[] {
  // The kit books at 06:00Z, so "still pending when the Item was created" is a plain date comparison.
  const pendingAfter = isoDate(item.createdAt - 6 * 60 * 60 * 1000)
  const rows: Row[] = historyFor(item, account, at).map(tx => ({ tx, pending: tx.pending, wasPendingWhileLinked: tx.bookingDate > pendingAfter }))
  const frozen = item.dataAsOf !== null
  for (const tx of state.extras.list(account.seed)) {
    const times = state.extraTimes.get(tx.key) ?? { addedAt: 0, postedAt: null, createdPending: tx.pending }
    if (frozen && times.addedAt > at) continue
    const pending = frozen ? times.createdPending && (times.postedAt === null || times.postedAt > at) : tx.pending
    rows.push({ tx, pending, wasPendingWhileLinked: times.createdPending })
  }
  return rows
}

/** The account's transactions as Plaid serves them now (pending and posted versions, one each). */
export function accountTransactions (state: SandboxState, item: SandboxItem, account: SandboxAccount): Array<Record<string, unknown>> {
  const at = state.dataTime(item)
  return rowsFor(state, item, account, at).map(r => {
    // Same inputs give the same JSON object, so the sync diff can hash each object once.
    const cacheKey = `${item.itemId}|${account.accountId}|${r.tx.key}|${r.pending ? 1 : 0}|${r.wasPendingWhileLinked ? 1 : 0}|${r.tx.remittance}`
    let json = txJsonCache.get(cacheKey)
    if (json === undefined) {
      json = transactionJson(item.itemId, account.accountId, {
        tx: r.tx,
        pending: r.pending,
        pendingId: r.wasPendingWhileLinked ? transactionIdFor(item.itemId, r.tx.key, true) : null
      })
      txJsonCache.set(cacheKey, json)
      while (txJsonCache.size > 60_000) txJsonCache.delete(txJsonCache.keys().next().value as string)
    }
    return json
  })
}

const txJsonCache = new Map<string, Record<string, unknown>>()

export function accountJson (state: SandboxState, item: SandboxItem, account: SandboxAccount): Record<string, unknown> {
  const at = state.dataTime(item)
  let current = openingBalanceMinor(account.seed)
  let pendingOut = 0
  for (const r of rowsFor(state, item, account, at)) {
    if (!r.pending) current += r.tx.amountMinor
    else if (r.tx.amountMinor < 0) pendingOut += r.tx.amountMinor
  }
  const checking = account.subtype === 'checking'
  return {
    account_id: account.accountId,
    balances: {
      available: (current + pendingOut) / 100,
      current: current / 100,
      iso_currency_code: item.institution.currency,
      limit: null,
      unofficial_currency_code: null
    },
    holder_category: 'business',
    mask: account.mask,
    name: checking ? 'Business Checking' : 'Business Savings',
    official_name: `${item.institution.bank.name} ${checking ? 'Business Checking' : 'Business Savings'}`,
    subtype: account.subtype,
    type: 'depository'
  }
}
