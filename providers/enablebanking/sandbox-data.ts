/**
 * Sandbox data in Enable Banking's wire format: the 7 shared sandbox banks as ASPSPs in each
 * country, two accounts per consent (IBAN and identification_hash derived from the seed, so a
 * re-link finds the same accounts), and the kit's deterministic history as EB transactions.
 */
import { createHash } from 'node:crypto'
import { SANDBOX_BANKS, SANDBOX_MFA_CODE, sandboxBic, type SandboxBank } from '../sandbox-kit/banks.js'
import { addDays, bookedBalanceMinor, generateHistory, isoDate, minorToDecimal, type SandboxTransaction } from '../sandbox-kit/history.js'
import { stableId } from '../sandbox-kit/prng.js'
import type { EbAccountResource, EbAspsp, EbBalance, EbTransaction } from './wire.js'

export const SANDBOX_COUNTRIES: Record<string, string> = {
  FI: 'EUR', SE: 'SEK', NO: 'NOK', DK: 'DKK', DE: 'EUR', BE: 'EUR', NL: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR'
}

/** Transactions per page of `GET /accounts/{uid}/transactions`. */
export const TRANSACTIONS_PAGE_SIZE = 50

const DAY_S = 86_400

export function findBank (name: string, country: string): SandboxBank | undefined {
  return SANDBOX_COUNTRIES[country] === undefined ? undefined : SANDBOX_BANKS.find(b => b.name === name)
}

/** Seconds a consent may last at this bank (`maximum_consent_validity`). */
export function maxConsentSeconds (bank: SandboxBank): number {
  return bank.behaviour === 'ordinary' ? 180 * DAY_S : 90 * DAY_S
}

export function aspspOf (bank: SandboxBank, country: string, baseUrl: string): EbAspsp {
  const psuTypes: Array<'business' | 'personal'> = ['business', 'personal']
  const aspsp: EbAspsp = {
    name: bank.name,
    country,
    logo: `${baseUrl}/brands/${country}/${encodeURIComponent(bank.name)}/`,
    psu_types: psuTypes,
    // EMBEDDED: the user types the bank's one-time code into Enable Banking's own page.
    auth_methods: psuTypes.map(psuType => bank.mfa
      ? { name: 'OTP', title: 'One-time code', psu_type: psuType, approach: 'EMBEDDED' as const, hidden_method: false }
      : { name: 'REDIRECT', title: 'Redirect', psu_type: psuType, approach: 'REDIRECT' as const, hidden_method: false }),
    maximum_consent_validity: maxConsentSeconds(bank),
    beta: bank.beta,
    bic: sandboxBic(bank.behaviour, country)
  }
  if (bank.manualOnly) aspsp.required_psu_headers = ['Psu-Ip-Address', 'Psu-User-Agent']
  if (bank.mfa) aspsp.sandbox = { users: [{ username: 'sandbox', password: 'sandbox', otp: SANDBOX_MFA_CODE }] }
  return aspsp
}

export function aspspList (country: string | undefined, baseUrl: string): EbAspsp[] {
  const countries = country === undefined ? Object.keys(SANDBOX_COUNTRIES) : (SANDBOX_COUNTRIES[country] === undefined ? [] : [country])
  return countries.flatMap(c => SANDBOX_BANKS.map(b => aspspOf(b, c, baseUrl)))
}

const BBAN: Record<string, (digits: string) => string> = {
  FI: d => d.slice(0, 14), SE: d => d.slice(0, 20), NO: d => d.slice(0, 11), DK: d => d.slice(0, 14),
  DE: d => d.slice(0, 18), BE: d => d.slice(0, 12), NL: d => `SAND${d.slice(0, 10)}`, FR: d => d.slice(0, 23),
  ES: d => d.slice(0, 20), IT: d => `X${d.slice(0, 22)}`
}

/** An IBAN with valid ISO 13616 check digits, derived from the account seed. */
export function sandboxIban (accountSeed: string, country: string): string {
  const hex = stableId(accountSeed, 'iban') + stableId(accountSeed, 'iban', 2)
  const digits = hex.replace(/[a-f]/g, c => String(c.charCodeAt(0) % 10))
  const bban = (BBAN[country] ?? BBAN.FI as (d: string) => string)(digits)
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, c => String(c.charCodeAt(0) - 55))
  let mod = 0
  for (const ch of numeric) mod = (mod * 10 + Number(ch)) % 97
  return `${country}${String(98 - mod).padStart(2, '0')}${bban}`
}

/** Shaped like Enable Banking's hashes: base64 of the identification path, a dot, base64 of a SHA-256. */
export function identificationHash (iban: string, salt = 'iban'): string {
  const path = Buffer.from(JSON.stringify([['account', 'account_id', salt]])).toString('base64')
  return `${path}.${createHash('sha256').update(`${salt}|${iban}`).digest('base64')}`
}

export interface SandboxAccountInfo {
  /** Seed of the account's history: `<seed>|<name>|<country>|<index>`. */
  seed: string
  index: number
  bank: SandboxBank
  country: string
  currency: string
  iban: string
  hash: string
}

export function accountInfo (seed: string, bank: SandboxBank, country: string, index: number): SandboxAccountInfo {
  const accountSeed = `${seed}|${bank.name}|${country}|${index}`
  const iban = sandboxIban(accountSeed, country)
  return { seed: accountSeed, index, bank, country, currency: SANDBOX_COUNTRIES[country] ?? 'EUR', iban, hash: identificationHash(iban) }
}

export function accountResource (info: SandboxAccountInfo, uid: string): EbAccountResource {
  const savings = info.index === 1
  return {
    account_id: { iban: info.iban, other: null },
    all_account_ids: [{ identification: info.iban, scheme_name: 'IBAN', issuer: null }],
    account_servicer: { bic_fi: sandboxBic(info.bank.behaviour, info.country) },
    name: 'SANDBOX COMPANY LTD',
    details: savings ? 'Savings account' : 'Current account',
    usage: 'ORGA',
    cash_account_type: savings ? 'SVGS' : 'CACC',
    product: savings ? 'Business Savings' : 'Business Account',
    currency: info.currency,
    psu_status: 'Account Holder',
    credit_limit: null,
    uid,
    identification_hash: info.hash,
    identification_hashes: [info.hash, identificationHash(info.iban, 'bban')]
  }
}

function historyOptions (info: SandboxAccountInfo, now: number) {
  return { seed: info.seed, currency: info.currency, historyDays: info.bank.historyDays, now }
}

/** The first day the bank still gives. */
export function earliestDate (info: SandboxAccountInfo, now: number): string {
  return addDays(isoDate(now), -info.bank.historyDays)
}

/** The day a transaction is listed under: booking day once booked, transaction day while pending. */
function listDate (t: SandboxTransaction): string {
  return t.pending ? t.transactionDate : t.bookingDate
}

/** Every transaction of the account listed in [from, to], newest first (as Enable Banking lists them). */
export function accountTransactions (info: SandboxAccountInfo, extra: SandboxTransaction[], from: string, to: string, now: number): SandboxTransaction[] {
  // Card payments book a day or two after they happen: look back a little so they are not missed.
  const generated = generateHistory(historyOptions(info, now), addDays(from, -3), to)
  const all = [...generated, ...extra].filter(t => listDate(t) >= from && listDate(t) <= to)
  return all
    .map((t, i) => ({ t, i }))
    .sort((a, b) => listDate(b.t).localeCompare(listDate(a.t)) || b.i - a.i)
    .map(x => x.t)
}

const MCC: Record<string, string> = {
  'Coffee Bar': '5814', 'Grocery Market': '5411', 'Fuel Station 24': '5541', 'Book Corner': '5942', 'Office Supplies Co': '5943',
  'Train Tickets': '4112', 'Cloud Hosting Ltd': '4816', 'Telecom Plus': '4814', 'Restaurant Le Midi': '5812', 'Hardware Store': '5251'
}
const BTC: Record<SandboxTransaction['kind'], string> = {
  card: 'Card payment', transfer_in: 'Credit transfer', transfer_out: 'Credit transfer', direct_debit: 'Direct debit', fee: 'Fee', interest: 'Interest'
}

/** The `entry_reference` a booked sandbox transaction carries (pending ones have none). */
export function entryReference (t: SandboxTransaction): string {
  return `${t.bookingDate.replace(/-/g, '')}${t.key.slice(0, 12).toUpperCase()}`
}

export function toEbTransaction (t: SandboxTransaction): EbTransaction {
  const out = t.amountMinor < 0
  const party = { name: t.counterpartyName }
  const account = t.counterpartyIban === null ? null : { iban: t.counterpartyIban }
  return {
    entry_reference: t.pending ? null : entryReference(t),
    merchant_category_code: t.kind === 'card' ? (MCC[t.counterpartyName] ?? '5999') : null,
    transaction_amount: { currency: t.currency, amount: minorToDecimal(Math.abs(t.amountMinor)) },
    creditor: out ? party : null,
    creditor_account: out ? account : null,
    creditor_agent: null,
    debtor: out ? null : party,
    debtor_account: out ? null : account,
    debtor_agent: null,
    bank_transaction_code: { description: BTC[t.kind], code: null, sub_code: null },
    credit_debit_indicator: out ? 'DBIT' : 'CRDT',
    status: t.pending ? 'PDNG' : 'BOOK',
    booking_date: t.pending ? null : t.bookingDate,
    value_date: t.valueDate,
    transaction_date: t.transactionDate,
    balance_after_transaction: null,
    reference_number: t.structuredReference,
    remittance_information: [t.remittance],
    exchange_rate: t.original === null
      ? null
      : { unit_currency: t.original.currency, exchange_rate: null, rate_type: null, contract_identification: null, instructed_amount: { currency: t.original.currency, amount: minorToDecimal(t.original.amountMinor) } },
    note: null,
    transaction_id: null
  }
}

export function balancesOf (info: SandboxAccountInfo, extra: SandboxTransaction[], now: number): EbBalance[] {
  const opts = historyOptions(info, now)
  const booked = bookedBalanceMinor(opts, extra)
  const pending = [...generateHistory(opts), ...extra].filter(t => t.pending).reduce((sum, t) => sum + t.amountMinor, 0)
  const today = isoDate(now)
  const balance = (name: string, type: string, minor: number): EbBalance => ({
    name,
    balance_amount: { currency: info.currency, amount: minorToDecimal(minor) },
    balance_type: type,
    last_change_date_time: null,
    reference_date: today,
    last_committed_transaction: null
  })
  return [balance('Booked balance', 'CLBD', booked), balance('Available balance', 'ITAV', booked + pending)]
}
