/**
 * Kit history as Yodlee transactions: unsigned `amount` + `baseType`, `date` = postDate or (pending)
 * transactionDate, newest first. A pending entry has its own id and is replaced by a POSTED entry with
 * a new id on its booking day, as Yodlee's pending entries "just disappear".
 */
import { stableId } from '../../sandbox-kit/prng.js'
import { generateHistory, minorToDecimal, type HistoryOptions, type SandboxTransaction } from '../../sandbox-kit/history.js'
import type { SandboxStore, LinkState, AccountState } from './store.js'

const MEMO_SIZE = 64

/** The kit history, memoised per seed/depth/clock in the store: a sync asks for the same window many times. */
export function historyOf (store: SandboxStore, opts: HistoryOptions): SandboxTransaction[] {
  const key = `${opts.seed}|${opts.historyDays}|${opts.currency}|${opts.now}`
  let hit = store.historyMemo.get(key)
  if (hit === undefined) {
    hit = generateHistory(opts)
    if (store.historyMemo.size >= MEMO_SIZE) store.historyMemo.delete(store.historyMemo.keys().next().value as string)
    store.historyMemo.set(key, hit)
  }
  return hit
}

interface Category { type: string, category: string, categoryId: number, categoryType: string, highLevelCategoryId: number }

const CATEGORY: Record<SandboxTransaction['kind'], Category> = {
  card: { type: 'PURCHASE', category: 'General Merchandise', categoryId: 20, categoryType: 'EXPENSE', highLevelCategoryId: 10000003 },
  transfer_in: { type: 'DEPOSIT', category: 'Deposits', categoryId: 27, categoryType: 'INCOME', highLevelCategoryId: 10000012 },
  transfer_out: { type: 'PAYMENT', category: 'Transfers', categoryId: 28, categoryType: 'TRANSFER', highLevelCategoryId: 10000017 },
  direct_debit: { type: 'PAYMENT', category: 'Utilities', categoryId: 39, categoryType: 'EXPENSE', highLevelCategoryId: 10000009 },
  fee: { type: 'FEE', category: 'Service Charges/Fees', categoryId: 24, categoryType: 'EXPENSE', highLevelCategoryId: 10000011 },
  interest: { type: 'INTEREST', category: 'Interest Income', categoryId: 96, categoryType: 'INCOME', highLevelCategoryId: 10000012 }
}

/** Yodlee-style int64 id (48 bits, safe in JSON) of one state of one transaction. */
export function transactionId (accountId: number, key: string, posted: boolean): number {
  return Number.parseInt(stableId(accountId, key, posted ? 'posted' : 'pending').slice(0, 12), 16)
}

export interface YodleeSandboxTransaction {
  id: number
  date: string
  json: Record<string, unknown>
}

export function toYodleeTransaction (t: SandboxTransaction, account: AccountState): YodleeSandboxTransaction {
  const posted = !t.pending
  const id = transactionId(account.id, t.key, posted)
  const cat = CATEGORY[t.kind]
  const date = posted ? t.bookingDate : t.transactionDate
  return {
    id,
    date,
    json: {
      CONTAINER: 'bank',
      id,
      amount: { amount: Number(minorToDecimal(Math.abs(t.amountMinor))), currency: t.currency },
      baseType: t.amountMinor < 0 ? 'DEBIT' : 'CREDIT',
      categoryType: cat.categoryType,
      categoryId: cat.categoryId,
      category: cat.category,
      categorySource: 'SYSTEM',
      highLevelCategoryId: cat.highLevelCategoryId,
      createdDate: `${t.transactionDate}T12:00:00Z`,
      lastUpdated: `${date}T12:00:00Z`,
      description: { original: t.remittance, simple: t.counterpartyName },
      type: cat.type,
      isManual: false,
      sourceType: 'AGGREGATED',
      date,
      transactionDate: t.transactionDate,
      ...(posted ? { postDate: t.bookingDate } : {}),
      status: posted ? 'POSTED' : 'PENDING',
      accountId: account.id,
      ...(t.kind === 'card' ? { merchant: { id: `sandbox_${stableId(t.counterpartyName).slice(0, 8)}`, name: t.counterpartyName, source: 'YODLEE' } } : {})
    }
  }
}

/** Every transaction of the account whose `date` lies in [from, to], newest first. */
export function accountTransactions (store: SandboxStore, link: LinkState, account: AccountState, now: number, from: string, to: string): YodleeSandboxTransaction[] {
  const history = historyOf(store, { seed: account.seed, currency: link.provider.currency, historyDays: link.provider.bank.historyDays, now })
  const all = [...history, ...store.extras.list(String(account.id))]
    .map(t => toYodleeTransaction(t, account))
    .filter(t => t.date >= from && t.date <= to)
  return all.sort((a, b) => (a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1))
}
