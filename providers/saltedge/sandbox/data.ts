/**
 * Sandbox bank data in Salt Edge's wire format: the kit's deterministic history (plus control-route
 * extras) as posted transactions with stable ids, pending ones with ids that change at every fetch,
 * and accounts with balances. Manual-only banks show data as of their last fetch.
 */
import { stableId } from '../../sandbox-kit/prng.js'
import { addDays, bookedBalanceMinor, generateHistory, isoDate, type SandboxTransaction } from '../../sandbox-kit/history.js'
import { minorToNumber } from '../../decimal.js'
import type { SeAccount, SeTransaction } from '../wire.js'
import { iso } from './replies.js'
import type { AccountRec, ConnectionRec, ConsentRec, SandboxState } from './state.js'

const TX_BASE = 7_000_000_000_000_000_000n
const DAY_MS = 86_400_000

/** The moment the connection's data reflects: now, or the last fetch for banks that never fetch alone. */
export function dataTime (c: ConnectionRec, now: number): number {
  return c.entry.provider.automatic_fetch ? now : c.lastSuccessAt
}

export function makeAccount (state: SandboxState, seed: string, providerCode: string, country: string, currency: string, index: number, now: number): AccountRec {
  const digits = BigInt(`0x${stableId(seed, providerCode, index).slice(0, 15)}`).toString().padStart(16, '0').slice(-16)
  const check = String(10 + (Number(digits.slice(-4)) % 89)).padStart(2, '0')
  const iban = country === 'XF' ? null : `${country}${check}${digits}`
  return { id: state.ids.account(), seq: state.ids.accountSeq(), index, seed: `${seed}|${providerCode}|${index}`, currency, iban, accountNumber: digits.slice(-10), createdAt: now }
}

function epochDay (date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

function txId (acct: AccountRec, offset: bigint): string {
  return String(TX_BASE + BigInt(acct.seq) * 1_000_000_000_000n + offset)
}

function category (t: SandboxTransaction): string {
  return { card: 'shopping', transfer_in: 'income', transfer_out: 'bills', direct_debit: 'utilities', fee: 'fees', interest: 'income' }[t.kind]
}

function wire (t: SandboxTransaction, acct: AccountRec, id: string, at: string): SeTransaction {
  const credit = t.amountMinor >= 0
  const original = t.original === null
    ? {}
    : { original_amount: minorToNumber(credit ? t.original.amountMinor : -t.original.amountMinor), original_currency_code: t.original.currency }
  return {
    id,
    account_id: acct.id,
    duplicated: false,
    mode: t.kind === 'fee' ? 'fee' : 'normal',
    status: t.pending ? 'pending' : 'posted',
    made_on: t.transactionDate,
    amount: minorToNumber(t.amountMinor),
    currency_code: t.currency,
    description: t.remittance,
    category: category(t),
    extra: {
      ...(t.pending ? {} : { posting_date: t.bookingDate }),
      ...(credit ? { payer: t.counterpartyName } : { payee: t.counterpartyName }),
      ...(t.counterpartyIban === null ? {} : { account_number: t.counterpartyIban }),
      ...(t.structuredReference === null ? {} : { information: t.structuredReference }),
      ...(t.endToEndId === null ? {} : { end_to_end_id: t.endToEndId }),
      ...original,
      type: t.kind === 'card' ? 'card_payment' : t.kind
    },
    created_at: at,
    updated_at: at
  }
}

export interface AccountView { posted: SeTransaction[], pending: SeTransaction[], balanceMinor: number }

/** Generated views are costly (two years of history); the last few are kept. */
const VIEW_CACHE_SIZE = 32
const viewCache = new WeakMap<SandboxState, Map<string, AccountView>>()

/** Everything the connection shows for one account, posted sorted by id. */
export function accountView (state: SandboxState, c: ConnectionRec, consent: ConsentRec | undefined, acct: AccountRec, now: number): AccountView {
  const at = dataTime(c, now)
  const from = consent?.fromDate ?? addDays(isoDate(at), -c.entry.bank.historyDays)
  const extras = state.extras.list(acct.seed)
  const cacheKey = [acct.id, at, from, c.fetchGeneration, extras.length, extras.filter(x => x.pending).length].join('|')
  let cache = viewCache.get(state)
  if (cache === undefined) { cache = new Map(); viewCache.set(state, cache) }
  const hit = cache.get(cacheKey)
  if (hit !== undefined) return hit
  const view = buildView(c, acct, at, from, extras)
  if (cache.size >= VIEW_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
  cache.set(cacheKey, view)
  return view
}

function buildView (c: ConnectionRec, acct: AccountRec, at: number, from: string, extras: SandboxTransaction[]): AccountView {
  const opts = { seed: acct.seed, currency: acct.currency, historyDays: c.entry.bank.historyDays, now: at }
  const history = generateHistory(opts, from)
  const posted: SeTransaction[] = []
  const pending: SeTransaction[] = []
  const fetchedAt = iso(at)
  let day = ''
  let i = 0
  for (const t of history) {
    i = t.transactionDate === day ? i + 1 : 0
    day = t.transactionDate
    if (t.pending) {
      pending.push(wire(t, acct, txId(acct, 800_000_000_000n + BigInt(c.fetchGeneration) * 100_000n + BigInt(pending.length)), fetchedAt))
    } else {
      const lag = epochDay(t.bookingDate) - epochDay(t.transactionDate)
      posted.push(wire(t, acct, txId(acct, BigInt(epochDay(t.bookingDate)) * 10_000n + BigInt(lag * 100 + i)), `${t.bookingDate}T06:00:00Z`))
    }
  }
  extras.forEach((t, n) => {
    if (t.pending) pending.push(wire(t, acct, txId(acct, 800_000_000_000n + BigInt(c.fetchGeneration) * 100_000n + BigInt(pending.length)), fetchedAt))
    else posted.push(wire(t, acct, txId(acct, 900_000_000_000n + BigInt(n)), fetchedAt))
  })
  // ids of one account have the same number of digits: text order is numeric order
  posted.sort((a, b) => (a.id < b.id ? -1 : 1))
  return { posted, pending, balanceMinor: bookedBalanceMinor(opts, extras) }
}

export function accountJson (state: SandboxState, c: ConnectionRec, consent: ConsentRec | undefined, acct: AccountRec, now: number): SeAccount {
  const view = accountView(state, c, consent, acct, now)
  const at = dataTime(c, now)
  const bic = c.entry.provider.bic_codes[0] ?? null
  return {
    id: acct.id,
    connection_id: c.id,
    name: acct.index === 0 ? 'Current account' : 'Savings account',
    nature: acct.index === 0 ? 'account' : 'savings',
    balance: minorToNumber(view.balanceMinor),
    currency_code: acct.currency,
    extra: {
      ...(acct.iban === null ? {} : { iban: acct.iban }),
      swift: bic,
      account_number: acct.accountNumber,
      account_name: acct.index === 0 ? 'Current account' : 'Savings account',
      holder_name: 'Sandbox Company SRL',
      status: 'active',
      available_amount: minorToNumber(view.balanceMinor),
      current_date: iso(at).slice(0, 10),
      current_time: iso(at).slice(11, 19),
      transactions_count: { posted: view.posted.length, pending: view.pending.length }
    },
    created_at: iso(acct.createdAt),
    updated_at: iso(at)
  }
}
