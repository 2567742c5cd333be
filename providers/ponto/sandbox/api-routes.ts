/**
 * The Ponto sandbox's JSON:API reads and synchronizations: financial institutions (public),
 * accounts, booked and pending transactions, synchronizations and their updated transactions.
 * The flaky bank answers 503, 429 + Retry-After or slowly on a fixed schedule (sandbox kit).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { flakyOutcome } from '../../sandbox-kit/banks.js'
import { openingBalanceMinor } from '../../sandbox-kit/history.js'
import type { PontoResource } from '../normalize.js'
import type { SandboxContext } from './context.js'
import { accountRows, amountNumber, balances, historyOptions, type SandboxAccount, type SandboxInstitution } from './data.js'
import { invalidAccessToken, notFound, paginate, sendError } from './jsonapi.js'
import { grantOf, type Grant } from './state.js'
import { createSynchronization, latestSynchronization, renderSynchronization, updatedRows } from './sync-engine.js'

type Query = Record<string, string | undefined>
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

function institutionResource (ctx: SandboxContext, i: SandboxInstitution): PontoResource {
  return {
    type: 'financialInstitution',
    id: i.id,
    attributes: {
      name: i.bank.name, bic: i.bic, country: i.country, deprecated: false, status: i.bank.beta ? 'beta' : 'stable',
      logoUrl: null, sharedBrandName: null, sharedBrandReference: null, maintenanceType: null, maintenanceFrom: null, maintenanceTo: null,
      paymentsEnabled: false, bulkPaymentsEnabled: false
    },
    links: { self: `${ctx.baseUrl}/ponto-connect/financial-institutions/${i.id}` }
  } as PontoResource
}

function accountResource (ctx: SandboxContext, a: SandboxAccount): PontoResource {
  const now = ctx.now()
  const rows = accountRows(a, now, ctx.baseUrl, ctx.state)
  const b = balances(rows, openingBalanceMinor(historyOptions(a, now).seed))
  const auth = ctx.state.authorizations.get(a.id)
  const latest = latestSynchronization(ctx, a.id)
  const today = `${new Date(now).toISOString().slice(0, 10)}T00:00:00.000Z`
  const savings = a.index === 1
  return {
    type: 'account',
    id: a.id,
    attributes: {
      subtype: savings ? 'savings' : 'checking', referenceType: 'IBAN', reference: a.iban, product: savings ? 'Savings account' : 'Current account',
      description: savings ? 'Savings account' : 'Current account', holderName: 'Sandbox Company', internalReference: a.id, deprecated: false, currency: 'EUR',
      currentBalance: amountNumber(b.current), currentBalanceReferenceDate: today, currentBalanceChangedAt: new Date(now).toISOString(),
      availableBalance: amountNumber(b.available), availableBalanceReferenceDate: today, availableBalanceChangedAt: new Date(now).toISOString(),
      authorizedAt: auth !== undefined ? new Date(auth.authorizedAt).toISOString() : null,
      authorizationExpirationExpectedAt: auth !== undefined ? new Date(auth.expiresAt).toISOString() : null
    },
    relationships: {
      financialInstitution: { links: { related: `${ctx.baseUrl}/ponto-connect/financial-institutions/${a.institution.id}` }, data: { type: 'financialInstitution', id: a.institution.id } },
      transactions: { links: { related: `${ctx.baseUrl}/ponto-connect/accounts/${a.id}/transactions` } }
    } as PontoResource['relationships'],
    meta: { synchronizedAt: latest !== null ? new Date(latest.createdAt).toISOString() : null, latestSynchronization: latest !== null ? renderSynchronization(ctx, latest) : null, availability: 'available' }
  }
}

export function apiRoutes (app: FastifyInstance, ctx: SandboxContext): void {
  const { state, catalog, now } = ctx

  const authed = (request: FastifyRequest, reply: FastifyReply): Grant | null => {
    const grant = grantOf(state, request.headers.authorization, now())
    if (grant === null) invalidAccessToken(reply)
    return grant
  }
  const ownedAccount = (grant: Grant, id: string, reply: FastifyReply): SandboxAccount | null => {
    const account = grant.accountIds.includes(id) ? catalog.accounts.get(id) : undefined
    if (account === undefined) { notFound(reply, 'account'); return null }
    return account
  }
  /** True when the flaky bank already answered this call with a failure. */
  const flaky = async (account: SandboxAccount, reply: FastifyReply): Promise<boolean> => {
    if (!account.institution.bank.flaky) return false
    const n = (state.flakyCalls.get(account.id) ?? 0) + 1
    state.flakyCalls.set(account.id, n)
    const outcome = flakyOutcome(n)
    if (outcome === 'slow') await sleep(ctx.opts.slowMs ?? 2_000)
    if (outcome === 'unavailable') { sendError(reply, 503, 'serviceUnavailable', 'The financial institution is temporarily unavailable.'); return true }
    if (outcome === 'rate_limited') { sendError(reply.header('retry-after', '1'), 429, 'tooManyRequests', 'Too many requests, please retry later.'); return true }
    return false
  }
  const page = (reply: FastifyReply, rows: Array<{ id: string, resource: PontoResource }>, query: Query, self: string, meta: Record<string, unknown> = {}) => {
    const result = paginate(rows, query, self)
    if ('error' in result) return sendError(reply, 400, result.error.code, result.error.detail, result.error.meta)
    return reply.send({ ...result, meta: { ...meta, ...result.meta } })
  }

  app.get('/ponto-connect/financial-institutions', async (request, reply) => {
    const q = request.query as Query
    const country = q['filter[country][eq]']?.toUpperCase()
    const name = q['filter[name][contains]']?.toLowerCase()
    const rows = catalog.institutions
      .filter(i => (country === undefined || i.country === country) && (name === undefined || i.bank.name.toLowerCase().includes(name)))
      .map(i => ({ id: i.id, resource: institutionResource(ctx, i) }))
    return page(reply, rows, q, `${ctx.baseUrl}/ponto-connect/financial-institutions`)
  })

  app.get('/ponto-connect/financial-institutions/:id', async (request, reply) => {
    const i = catalog.institution((request.params as { id: string }).id)
    return i === undefined ? notFound(reply, 'financialInstitution') : reply.send({ data: institutionResource(ctx, i) })
  })

  app.get('/ponto-connect/accounts', async (request, reply) => {
    const grant = authed(request, reply)
    if (grant === null) return reply
    const rows = grant.accountIds.map(id => catalog.accounts.get(id)).filter((a): a is SandboxAccount => a !== undefined).map(a => ({ id: a.id, resource: accountResource(ctx, a) }))
    return page(reply, rows, request.query as Query, `${ctx.baseUrl}/ponto-connect/accounts`)
  })

  app.get('/ponto-connect/accounts/:id', async (request, reply) => {
    const grant = authed(request, reply)
    const account = grant === null ? null : ownedAccount(grant, (request.params as { id: string }).id, reply)
    if (account === null || await flaky(account, reply)) return reply
    return reply.send({ data: accountResource(ctx, account) })
  })

  for (const kind of ['transactions', 'pending-transactions'] as const) {
    app.get(`/ponto-connect/accounts/:id/${kind}`, async (request, reply) => {
      const grant = authed(request, reply)
      const account = grant === null ? null : ownedAccount(grant, (request.params as { id: string }).id, reply)
      if (account === null || await flaky(account, reply)) return reply
      const rows = accountRows(account, now(), ctx.baseUrl, state)
      const latest = latestSynchronization(ctx, account.id, kind === 'transactions' ? 'accountTransactions' : undefined)
      return page(reply, kind === 'transactions' ? rows.booked : rows.pending, request.query as Query, `${ctx.baseUrl}/ponto-connect/accounts/${account.id}/${kind}`, {
        synchronizedAt: latest !== null ? new Date(latest.createdAt).toISOString() : null,
        latestSynchronization: latest !== null ? renderSynchronization(ctx, latest) : null
      })
    })
  }

  app.post('/ponto-connect/synchronizations', async (request, reply) => {
    const grant = authed(request, reply)
    if (grant === null) return reply
    const key = request.headers['ibanity-idempotency-key']
    const known = typeof key === 'string' ? state.idempotency.get(`${grant.id}|${key}`) : undefined
    const existing = known !== undefined ? state.syncs.get(known) : undefined
    if (existing !== undefined) return reply.code(201).send({ data: renderSynchronization(ctx, existing) })
    const a = ((request.body as { data?: { attributes?: Record<string, unknown> } } | null)?.data?.attributes ?? {})
    if (a.resourceType !== 'account') return sendError(reply, 400, 'invalidAttribute', 'resourceType must be account.', { attribute: 'resourceType' })
    if (!['accountDetails', 'accountTransactions', 'accountTransactionsWithUnsettled'].includes(String(a.subtype))) return sendError(reply, 400, 'invalidAttribute', 'subtype is not supported.', { attribute: 'subtype' })
    const account = ownedAccount(grant, String(a.resourceId), reply)
    if (account === null) return reply
    const ip = typeof a.customerIpAddress === 'string' && a.customerIpAddress !== '' ? a.customerIpAddress : null
    const outcome = createSynchronization(ctx, account, String(a.subtype), ip)
    if ('refused' in outcome) return sendError(reply, 400, outcome.refused.code, outcome.refused.detail)
    if (typeof key === 'string') state.idempotency.set(`${grant.id}|${key}`, outcome.sync.id)
    return reply.code(201).send({ data: renderSynchronization(ctx, outcome.sync) })
  })

  const ownSync = (request: FastifyRequest, reply: FastifyReply) => {
    const grant = authed(request, reply)
    if (grant === null) return null
    const sync = state.syncs.get((request.params as { id: string }).id)
    if (sync === undefined || !grant.accountIds.includes(sync.accountId)) { notFound(reply, 'synchronization'); return null }
    return sync
  }

  app.get('/ponto-connect/synchronizations/:id', async (request, reply) => {
    const sync = ownSync(request, reply)
    return sync === null ? reply : reply.send({ data: renderSynchronization(ctx, sync) })
  })

  app.get('/ponto-connect/synchronizations/:id/updated-transactions', async (request, reply) => {
    const sync = ownSync(request, reply)
    const account = sync === null ? undefined : catalog.accounts.get(sync.accountId)
    if (sync === null || account === undefined) return reply
    return page(reply, updatedRows(ctx, sync, account), request.query as Query, `${ctx.baseUrl}/ponto-connect/synchronizations/${sync.id}/updated-transactions`)
  })
}
