/**
 * Transactions: `/proxy/v1/transactions` (≤18) and `/proxy/v2/transactions/posted|pending` (19).
 * Posted entries only, from `start_date` (or all the history the bank gives when `false`); what a
 * client already imported (up to `last_transaction_identifier`) never comes back; pages of 500
 * through `next_data`; pending entries only through `include_pendings` / the pending endpoint.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../../services.js'
import { AppError } from '../../errors.js'
import { envelope, proxyBody, SIGNED_HEADERS } from '../../schemas/proxy.js'
import { resultEnvelope } from '../../protocol/envelope.js'
import { linkContext, storedAccount } from '../link-context.js'
import { readCursor } from '../cursor.js'
import { shapeTransaction, toNumber } from '../shape.js'
import { createLedger, ledgerDate } from '../../ledger/store.js'
import { syncAccount } from '../../ledger/sync.js'

const PAGE = 500
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** A real calendar day (`9999-99-99` matches the pattern but has no day number for the ledger). */
function isCalendarDate (value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`)
  return ISO_DATE.test(value) && !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value
}

const TxBody = proxyBody({
  account_id: Type.Unknown(),
  start_date: Type.Optional(Type.Unknown()),
  last_transaction_identifier: Type.Optional(Type.Unknown()),
  include_pendings: Type.Optional(Type.Unknown()),
  include_foreign_currency: Type.Optional(Type.Unknown()),
  currency_code: Type.Optional(Type.Unknown()),
  next_data: Type.Optional(Type.Unknown()),
  provider_data: Type.Optional(Type.Unknown()),
  account_data: Type.Optional(Type.Unknown())
})

const TxResult = Type.Object({
  transactions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  pendings: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  balance: Type.Number(),
  available_balance: Type.Optional(Type.Number()),
  next_data: Type.Unknown(),
  odoofin_state: Type.Optional(Type.String())
})

type Kind = 'v1' | 'posted' | 'pending'

async function handle (s: Services, req: FastifyRequest, kind: Kind): Promise<unknown> {
  const ctx = await linkContext(s, req)
  const body = req.body as Record<string, unknown>
  const account = await storedAccount(s, ctx, body.account_id)
  const cursor = readCursor(body.next_data)
  const startDate = typeof body.start_date === 'string' && isCalendarDate(body.start_date) ? body.start_date : null
  if (body.start_date !== undefined && body.start_date !== false && body.start_date !== null && startDate === null) {
    throw new AppError('BSB_INVALID_REQUEST', { detail: 'start_date must be YYYY-MM-DD or false' })
  }
  const ledger = createLedger(s, ctx.dbUuid, ctx.clientId, account.id)
  if (cursor.offset === 0) {
    const meta = await ledger.meta()
    const presentUntil = Number(meta.present_until ?? 0)
    const userPresent = (ctx.utils.psu !== null && !ctx.utils.cron) || presentUntil > s.now()
    await syncAccount(s, { dbUuid: ctx.dbUuid, clientId: ctx.clientId, link: ctx.link, account, userPresent, psu: ctx.utils.psu, force: false })
  }
  const foreign = body.include_foreign_currency === true
  const major = ctx.major
  const posted = kind !== 'pending'
  let skip: { date: string, gen: number, id: string } | null = null
  const lastId = body.last_transaction_identifier
  if (posted && typeof lastId === 'string' && lastId !== '') {
    const last = await ledger.get(lastId)
    const date = last !== null ? ledgerDate(last.tx) : null
    if (last !== null && date !== null) skip = { date, gen: last.gen, id: lastId }
  }
  const page = await ledger.page(posted ? 'booked' : 'pending', startDate, cursor.offset, PAGE)
  const rows = []
  for (const e of page.entries) {
    const date = ledgerDate(e.tx) as string
    if (skip !== null && (e.tx.id === skip.id || (date <= skip.date && e.gen <= skip.gen))) continue
    rows.push(shapeTransaction(e.tx, date, { major, transient: !posted, foreignCurrency: foreign }))
  }
  const result: Record<string, unknown> = {
    transactions: rows,
    balance: toNumber(account.balance),
    next_data: page.more ? { offset: cursor.offset + PAGE } : null,
    odoofin_state: 'connected'
  }
  if (kind === 'v1' && body.include_pendings === true && cursor.offset === 0) {
    const pend = await ledger.page('pending', null, 0, PAGE)
    result.pendings = pend.entries.map(e => shapeTransaction(e.tx, ledgerDate(e.tx) as string, { major, transient: true, foreignCurrency: foreign }))
  } else if (kind === 'v1') {
    result.pendings = []
  }
  if (kind !== 'v1') result.available_balance = toNumber(account.availableBalance ?? account.balance)
  return resultEnvelope(result)
}

export async function transactionRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  const schema = (operationId: string, summary: string) => ({ summary, tags: ['odoo'], operationId, headers: SIGNED_HEADERS, body: TxBody, response: { 200: envelope(TxResult) } })
  app.post('/proxy/v1/transactions', { schema: schema('transactions', 'Posted transactions from start_date (pendings with include_pendings), paged by next_data.') }, async req => await handle(s, req, 'v1'))
  app.post('/proxy/v2/transactions/posted', { schema: schema('transactionsPosted', 'Posted transactions (Odoo 19).') }, async req => await handle(s, req, 'posted'))
  app.post('/proxy/v2/transactions/pending', { schema: schema('transactionsPending', 'Pending transactions (Odoo 19); they cannot be imported.') }, async req => await handle(s, req, 'pending'))
}
