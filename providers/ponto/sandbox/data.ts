/**
 * Sandbox data in Ponto's shapes: the kit's seven banks per country as financial institutions,
 * two accounts per bank, and the kit's deterministic history (plus control-route extras) rendered
 * as `transaction` / `pendingTransaction` resources with stable UUIDs.
 */
import { SANDBOX_BANKS, sandboxBic, type SandboxBank } from '../../sandbox-kit/banks.js'
import type { ExtraTransactions } from '../../sandbox-kit/extra-transactions.js'
import { generateHistory, minorToDecimal, type HistoryOptions, type SandboxTransaction } from '../../sandbox-kit/history.js'
import { stableId } from '../../sandbox-kit/prng.js'
import { PONTO_COUNTRIES } from '../institution-hints.js'
import type { PontoResource } from '../normalize.js'

export interface SandboxInstitution { id: string, bank: SandboxBank, country: string, bic: string }
export interface SandboxAccount { id: string, institution: SandboxInstitution, index: number, historySeed: string, iban: string }
/** A rendered row: `createdAt` is when Ponto "imported" it (drives ordering and updated-transactions). */
export interface Row { id: string, key: string, createdAt: number, resource: PontoResource }
export interface ExtraTimes { addedAt: number, postedAt: number | null }

export function uuidFrom (...parts: Array<string | number>): string {
  const h = stableId('ponto-sandbox', ...parts)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16] as string, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const BBAN_LENGTH: Record<string, number> = { BE: 12, NL: 14, FR: 23, DE: 18, LU: 16 }

/** A syntactically valid IBAN (mod-97 check digits) with a numeric BBAN derived from the seed. */
function ibanFor (country: string, seed: string): string {
  const hex = stableId(seed, 'iban')
  const length = BBAN_LENGTH[country] ?? 16
  let bban = ''
  for (let i = 0; bban.length < length; i++) bban += String(parseInt(hex[i % hex.length] as string, 16) % 10)
  const numeric = `${bban}${country.split('').map(c => String(c.charCodeAt(0) - 55)).join('')}00`
  let rest = 0
  for (const digit of numeric) rest = (rest * 10 + Number(digit)) % 97
  return `${country}${String(98 - rest).padStart(2, '0')}${bban}`
}

export function buildCatalog (seed: string) {
  const institutions: SandboxInstitution[] = []
  const accounts = new Map<string, SandboxAccount>()
  const byInstitution = new Map<string, SandboxAccount[]>()
  for (const country of PONTO_COUNTRIES) {
    for (const bank of SANDBOX_BANKS) {
      const institution = { id: uuidFrom('fi', bank.behaviour, country), bank, country, bic: sandboxBic(bank.behaviour, country) }
      institutions.push(institution)
      const list = [0, 1].map(index => {
        const historySeed = `${seed}|${institution.id}|${index}`
        return { id: uuidFrom(seed, 'account', institution.id, index), institution, index, historySeed, iban: ibanFor(country, historySeed) }
      })
      byInstitution.set(institution.id, list)
      for (const a of list) accounts.set(a.id, a)
    }
  }
  return { institutions, accounts, institution: (id: string) => institutions.find(i => i.id === id), accountsOf: (id: string) => byInstitution.get(id) ?? [] }
}

export type Catalog = ReturnType<typeof buildCatalog>

export function historyOptions (account: SandboxAccount, now: number): HistoryOptions {
  return { seed: account.historySeed, currency: 'EUR', historyDays: account.institution.bank.historyDays, now, perDay: account.index === 0 ? 2 : 0.3 }
}

const KIND_TEXT: Record<SandboxTransaction['kind'], { description: string, code: string }> = {
  card: { description: 'Card payment', code: 'PMNT-CCRD-POSD' },
  transfer_in: { description: 'Wire transfer', code: 'PMNT-RCDT-ESCT' },
  transfer_out: { description: 'Wire transfer', code: 'PMNT-ICDT-ESCT' },
  direct_debit: { description: 'Direct debit', code: 'PMNT-IDDT-ESDD' },
  fee: { description: 'Fee', code: 'ACMT-MDOP-CHRG' },
  interest: { description: 'Interest', code: 'ACMT-MDOP-INTR' }
}

/** Ponto sends amounts as JSON numbers; minor units / 100 prints as the exact decimal. */
export const amountNumber = (minor: number): number => Number(minorToDecimal(minor))

function toResource (t: SandboxTransaction, account: SandboxAccount, id: string, createdAt: number, baseUrl: string, pending: boolean): PontoResource {
  const kind = KIND_TEXT[t.kind]
  const structured = t.structuredReference !== null
  const attributes: Record<string, unknown> = {
    valueDate: `${t.valueDate}T00:00:00.000Z`,
    executionDate: `${t.bookingDate}T00:00:00.000Z`,
    amount: amountNumber(t.amountMinor),
    currency: t.currency,
    description: kind.description,
    remittanceInformationType: structured ? 'structured' : 'unstructured',
    remittanceInformation: structured ? t.structuredReference : t.remittance,
    additionalInformation: structured ? t.remittance : (t.original !== null ? `Original amount ${minorToDecimal(t.original.amountMinor)} ${t.original.currency}` : null),
    counterpartName: t.counterpartyName,
    counterpartReference: t.counterpartyIban,
    endToEndId: t.endToEndId,
    bankTransactionCode: kind.code,
    proprietaryBankTransactionCode: null,
    purposeCode: null,
    mandateId: t.kind === 'direct_debit' ? `M${t.key.slice(0, 6).toUpperCase()}` : null,
    creditorId: null,
    cardReference: t.kind === 'card' ? '4871' : null,
    cardReferenceType: t.kind === 'card' ? 'MASKEDPAN' : null,
    fee: 0,
    internalReference: uuidFrom('internal', t.key),
    digest: stableId('digest', t.key, pending ? 'pending' : 'booked').slice(0, 64),
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(createdAt).toISOString()
  }
  return {
    type: pending ? 'pendingTransaction' : 'transaction',
    id,
    attributes,
    relationships: { account: { links: { related: `${baseUrl}/ponto-connect/accounts/${account.id}` }, data: { type: 'account', id: account.id } } } as PontoResource['relationships']
  }
}

export interface HistoryRows { booked: Row[], pending: Row[] }

function byDateDesc (field: 'executionDate' | 'valueDate') {
  return (a: Row, b: Row): number => {
    const da = String(a.resource.attributes?.[field])
    const db = String(b.resource.attributes?.[field])
    return da !== db ? (da < db ? 1 : -1) : b.createdAt !== a.createdAt ? b.createdAt - a.createdAt : (a.id < b.id ? 1 : -1)
  }
}

function addRow (rows: HistoryRows, t: SandboxTransaction, account: SandboxAccount, createdAt: number, baseUrl: string): void {
  const id = uuidFrom(account.id, t.key, t.pending ? 'pending' : 'booked')
  ;(t.pending ? rows.pending : rows.booked).push({ id, key: t.key, createdAt, resource: toResource(t, account, id, createdAt, baseUrl, t.pending) })
}

export interface RowSources { extras: ExtraTransactions, extraTimes: Map<string, ExtraTimes>, history: Map<string, HistoryRows> }

/**
 * Booked (newest first by execution date, then import time) and pending rows of an account now.
 * The kit history is rendered once per account and minute: its pending cut-off falls on whole
 * minutes (06:00Z), so flooring the clock to the minute changes nothing.
 */
export function accountRows (account: SandboxAccount, now: number, baseUrl: string, sources: RowSources): HistoryRows {
  const minute = Math.floor(now / 60_000) * 60_000
  const cacheKey = `${account.id}|${minute}`
  let kit = sources.history.get(cacheKey)
  if (kit === undefined) {
    kit = { booked: [], pending: [] }
    for (const t of generateHistory(historyOptions(account, minute))) {
      addRow(kit, t, account, t.pending ? Math.min(minute, Date.parse(`${t.transactionDate}T12:00:00Z`)) : Date.parse(`${t.bookingDate}T06:00:00Z`), baseUrl)
    }
    kit.booked.sort(byDateDesc('executionDate'))
    kit.pending.sort(byDateDesc('valueDate'))
    sources.history.set(cacheKey, kit)
  }
  const extras = sources.extras.list(account.historySeed)
  if (extras.length === 0) return kit
  const rows: HistoryRows = { booked: [...kit.booked], pending: [...kit.pending] }
  for (const t of extras) {
    const at = sources.extraTimes.get(t.key)
    if ((at?.addedAt ?? 0) > now) continue
    addRow(rows, t, account, t.pending ? (at?.addedAt ?? now) : (at?.postedAt ?? at?.addedAt ?? now), baseUrl)
  }
  rows.booked.sort(byDateDesc('executionDate'))
  rows.pending.sort(byDateDesc('valueDate'))
  return rows
}

/** Current balance: the kit's opening balance plus every booked row (as the bank would report it). */
export function balances (rows: HistoryRows, openingMinor: number): { current: number, available: number } {
  const minor = (r: Row): number => Math.round(Number(r.resource.attributes?.amount) * 100)
  const current = rows.booked.reduce((sum, r) => sum + minor(r), openingMinor)
  return { current, available: rows.pending.reduce((sum, r) => sum + minor(r), current) }
}
