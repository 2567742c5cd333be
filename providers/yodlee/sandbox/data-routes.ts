/**
 * `GET /providers`, `/accounts`, `/transactions`, `/transactions/count` with Yodlee's validation
 * (Y804 top 1–500, Y800 bad values, Y809 date range, Y824 >100 ids), last-30-days default window and
 * `{}` for empty lists.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { addDays, isoDate } from '../../sandbox-kit/history.js'
import { findProvider, providerJson, sandboxProviders } from './banks.js'
import { flakyGate } from './flaky.js'
import { accountJson, isoSeconds } from './model.js'
import { principalOf, sendYodleeError } from './reply.js'
import type { LinkState, SandboxStore } from './store.js'
import { accountTransactions, type YodleeSandboxTransaction } from './transactions.js'

type Query = Record<string, string | undefined>

export interface DataRouteOptions { store: SandboxStore, now: () => number, slowMs: number }

const INT = /^\d+$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

function validDate (d: string): boolean {
  return DATE.test(d) && isoDate(Date.parse(`${d}T00:00:00Z`)) === d
}

/** skip/top checks; returns an error already sent, or the values. */
function paging (q: Query, reply: FastifyReply, now: number): { skip: number, top: number } | null {
  if (q.top !== undefined && (!INT.test(q.top) || Number(q.top) < 1 || Number(q.top) > 500)) {
    sendYodleeError(reply, 400, 'Y804', 'Permitted values of top between 1 - 500', now)
    return null
  }
  if (q.skip !== undefined && !INT.test(q.skip)) {
    sendYodleeError(reply, 400, 'Y800', 'Invalid value for skip', now)
    return null
  }
  return { skip: Number(q.skip ?? 0), top: Number(q.top ?? 500) }
}

export function registerDataRoutes (app: FastifyInstance, o: DataRouteOptions): void {
  const { store, now } = o

  app.get('/providers', async (req, reply) => {
    const q = req.query as Query
    const page = paging(q, reply, now())
    if (page === null) return reply
    let list = [...sandboxProviders()]
    if (q.providerId !== undefined) {
      const ids = q.providerId.split(',')
      if (ids.length > 5) return sendYodleeError(reply, 400, 'Y824', 'The maximum number of providerIds permitted is 5', now())
      if (!ids.every(id => INT.test(id))) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerId', now())
      list = list.filter(p => ids.includes(String(p.id)))
    }
    if (q.name !== undefined && q.name !== '') {
      const needle = q.name.toLowerCase()
      list = list.filter(p => p.bank.name.toLowerCase().includes(needle))
    } else {
      list = list.slice(page.skip, page.skip + page.top)
    }
    const lastModified = isoSeconds(Date.parse('2025-01-01T00:00:00Z'))
    return list.length === 0 ? {} : { provider: list.map(p => providerJson(p, lastModified)) }
  })

  app.get('/providers/:providerId', async (req, reply) => {
    const { providerId } = req.params as { providerId: string }
    const p = INT.test(providerId) ? findProvider(Number(providerId)) : undefined
    if (p === undefined) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerId', now())
    return { provider: [providerJson(p, isoSeconds(Date.parse('2025-01-01T00:00:00Z')))] }
  })

  app.get('/accounts', async (req, reply) => {
    const q = req.query as Query
    const { loginName } = principalOf(req)
    let links = store.linksOf(loginName)
    if (q.providerAccountId !== undefined) {
      if (!INT.test(q.providerAccountId)) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerAccountId', now())
      links = links.filter(l => l.id === Number(q.providerAccountId))
    }
    for (const link of links) if (await flakyGate(store, link, reply, o.slowMs, now)) return reply
    const account = links.flatMap(l => l.accounts.map(a => accountJson(store, l, a, now())))
    return account.length === 0 ? {} : { account }
  })

  /** Shared filter of `/transactions` and `/transactions/count`. */
  async function window (q: Query, loginName: string, reply: FastifyReply): Promise<YodleeSandboxTransaction[] | null> {
    const today = isoDate(now())
    for (const f of ['fromDate', 'toDate'] as const) {
      if (q[f] !== undefined && !validDate(q[f] as string)) {
        sendYodleeError(reply, 400, 'Y800', `Invalid value for ${f}`, now())
        return null
      }
    }
    const from = q.fromDate ?? addDays(today, -30)
    const to = q.toDate ?? today
    if (from > to) {
      sendYodleeError(reply, 400, 'Y809', 'Invalid date range', now())
      return null
    }
    let selected: Array<{ link: LinkState, accountId: number }> = store.linksOf(loginName).flatMap(l => l.accounts.map(a => ({ link: l, accountId: a.id })))
    if (q.accountId !== undefined) {
      const ids = q.accountId.split(',')
      if (ids.length > 100) {
        sendYodleeError(reply, 400, 'Y824', 'The maximum number of accountIds permitted is 100', now())
        return null
      }
      if (!ids.every(id => INT.test(id))) {
        sendYodleeError(reply, 400, 'Y800', 'Invalid value for accountId', now())
        return null
      }
      selected = selected.filter(s => ids.includes(String(s.accountId)))
    }
    for (const link of new Set(selected.map(s => s.link))) if (await flakyGate(store, link, reply, o.slowMs, now)) return null
    const rows = selected.flatMap(({ link, accountId }) => {
      const account = link.accounts.find(a => a.id === accountId)
      return account === undefined ? [] : accountTransactions(store, link, account, now(), from, to)
    })
    return rows.sort((a, b) => (a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1))
  }

  app.get('/transactions', async (req, reply) => {
    const q = req.query as Query
    const page = paging(q, reply, now())
    if (page === null) return reply
    const rows = await window(q, principalOf(req).loginName, reply)
    if (rows === null) return reply
    const slice = rows.slice(page.skip, page.skip + page.top)
    return slice.length === 0 ? {} : { transaction: slice.map(t => t.json) }
  })

  app.get('/transactions/count', async (req, reply) => {
    const rows = await window(req.query as Query, principalOf(req).loginName, reply)
    if (rows === null) return reply
    return { transaction: { TOTAL: { count: rows.length } } }
  })
}
