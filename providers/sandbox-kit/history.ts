/**
 * Deterministic bank history for the sandboxes: the same seed and clock always give the same
 * transactions. Each sandbox converts these into its provider's own wire format.
 * Recent card payments stay pending until their booking day, then post (with a new provider id
 * where the provider does that, e.g. Plaid).
 */
import { createRandom, pick, stableId } from './prng.js'

export interface SandboxTransaction {
  /** Stable unique key of the transaction (hex); sandboxes derive provider ids from it. */
  key: string
  /** Day the payment happened (card/authorisation date). */
  transactionDate: string
  /** Day it books; for a pending one, the day it will book. */
  bookingDate: string
  valueDate: string
  /** Signed minor units: + money in. */
  amountMinor: number
  currency: string
  /** Set for card payments abroad: the amount in the original currency (minor units, unsigned). */
  original: { amountMinor: number, currency: string } | null
  counterpartyName: string
  counterpartyIban: string | null
  remittance: string
  structuredReference: string | null
  endToEndId: string | null
  kind: 'card' | 'transfer_in' | 'transfer_out' | 'direct_debit' | 'fee' | 'interest'
  /** True while `now` is before the booking day. */
  pending: boolean
}

const DAY_MS = 86_400_000

export function isoDate (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

export function addDays (date: string, days: number): string {
  return isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS)
}

const MERCHANTS = ['Coffee Bar', 'Grocery Market', 'Fuel Station 24', 'Book Corner', 'Office Supplies Co', 'Train Tickets', 'Cloud Hosting Ltd', 'Telecom Plus', 'Restaurant Le Midi', 'Hardware Store']
const CUSTOMERS = ['Acme Industries', 'Blue Harbor SRL', 'Nordic Parts AB', 'Greenfield BV', 'Atlas Consulting']
const SUPPLIERS = ['Paper & Co', 'Logistics Express', 'Energy Provider SA', 'Insurance Mutual', 'Rent Office Park']

export interface HistoryOptions {
  seed: string
  currency: string
  /** How far back the bank goes (days before today). */
  historyDays: number
  /** Current time in ms (sandbox clock). */
  now: number
  /** Average transactions per day (default 2). */
  perDay?: number
}

/** Opening balance of an account at the start of its history, in minor units. */
export function openingBalanceMinor (seed: string): number {
  return 500_000 + Math.floor(createRandom(`${seed}|opening`)() * 2_000_000)
}

function makeIban (random: () => number, country = 'BE'): string {
  let digits = ''
  for (let i = 0; i < 12; i++) digits += Math.floor(random() * 10)
  return `${country}${String(10 + Math.floor(random() * 89))}${digits}`
}

function belgianStructured (random: () => number): string {
  const base = Math.floor(random() * 9_999_999_999)
  const check = (base % 97) || 97
  const s = String(base).padStart(10, '0') + String(check).padStart(2, '0')
  return `+++${s.slice(0, 3)}/${s.slice(3, 7)}/${s.slice(7)}+++`
}

/** One day of transactions, in a fixed order. */
function dayTransactions (opts: HistoryOptions, date: string): SandboxTransaction[] {
  const random = createRandom(`${opts.seed}|${date}`)
  const perDay = opts.perDay ?? 2
  const count = Math.floor(random() * (perDay * 2 + 1))
  const out: SandboxTransaction[] = []
  for (let i = 0; i < count; i++) {
    const roll = random()
    const kind: SandboxTransaction['kind'] = roll < 0.5 ? 'card' : roll < 0.65 ? 'transfer_in' : roll < 0.85 ? 'transfer_out' : roll < 0.95 ? 'direct_debit' : roll < 0.98 ? 'fee' : 'interest'
    const lag = kind === 'card' ? 1 + Math.floor(random() * 2) : 0
    let amountMinor: number
    let name: string
    let remittance: string
    let structured: string | null = null
    let iban: string | null = null
    let original: SandboxTransaction['original'] = null
    switch (kind) {
      case 'card':
        name = pick(random, MERCHANTS)
        amountMinor = -(150 + Math.floor(random() * 15_000))
        remittance = `CARD 4871 ${name.toUpperCase()}`
        if (random() < 0.1) original = { amountMinor: Math.round(-amountMinor * 1.08), currency: opts.currency === 'USD' ? 'EUR' : 'USD' }
        break
      case 'transfer_in':
        name = pick(random, CUSTOMERS)
        amountMinor = 10_000 + Math.floor(random() * 500_000)
        iban = makeIban(random)
        structured = belgianStructured(random)
        remittance = `INVOICE ${2024000 + Math.floor(random() * 9999)}`
        break
      case 'transfer_out':
        name = pick(random, SUPPLIERS)
        amountMinor = -(5_000 + Math.floor(random() * 300_000))
        iban = makeIban(random)
        remittance = `BILL ${Math.floor(random() * 99999)}`
        break
      case 'direct_debit':
        name = pick(random, ['Telecom Plus', 'Energy Provider SA', 'Insurance Mutual'])
        amountMinor = -(2_000 + Math.floor(random() * 20_000))
        iban = makeIban(random)
        remittance = `SEPA DD ${name.toUpperCase()} MANDATE M${Math.floor(random() * 99999)}`
        break
      case 'fee':
        name = 'Bank fees'
        amountMinor = -(100 + Math.floor(random() * 900))
        remittance = 'MONTHLY ACCOUNT FEE'
        break
      default:
        name = 'Interest'
        amountMinor = 1 + Math.floor(random() * 500)
        remittance = 'CREDIT INTEREST'
    }
    const bookingDate = addDays(date, lag)
    const key = stableId(opts.seed, date, i)
    out.push({
      key,
      transactionDate: date,
      bookingDate,
      valueDate: kind === 'card' ? date : bookingDate,
      amountMinor,
      currency: opts.currency,
      original,
      counterpartyName: name,
      counterpartyIban: iban,
      remittance,
      structuredReference: structured,
      endToEndId: kind === 'card' || kind === 'fee' || kind === 'interest' ? null : `E2E-${key.slice(0, 16)}`,
      kind,
      pending: Date.parse(`${bookingDate}T06:00:00Z`) > opts.now
    })
  }
  return out
}

/**
 * Every transaction whose transaction date lies in [from, to] and within the bank's history,
 * oldest first. Pending ones are included with `pending: true`.
 */
export function generateHistory (opts: HistoryOptions, from?: string, to?: string): SandboxTransaction[] {
  const today = isoDate(opts.now)
  const earliest = addDays(today, -opts.historyDays)
  const start = from !== undefined && from > earliest ? from : earliest
  const end = to !== undefined && to < today ? to : today
  const out: SandboxTransaction[] = []
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(...dayTransactions(opts, d))
  return out
}

/** Booked balance now, in minor units: opening + every posted transaction. */
export function bookedBalanceMinor (opts: HistoryOptions, extra: SandboxTransaction[] = []): number {
  let sum = openingBalanceMinor(opts.seed)
  for (const t of generateHistory(opts)) if (!t.pending) sum += t.amountMinor
  for (const t of extra) if (!t.pending) sum += t.amountMinor
  return sum
}

/** Minor units to a decimal string with two places ("-12.30"). */
export function minorToDecimal (minor: number): string {
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(minor)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
