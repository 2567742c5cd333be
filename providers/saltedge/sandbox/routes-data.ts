/**
 * Sandbox Salt Edge v6 data routes: `GET /accounts` and `GET /transactions` (posted by default,
 * `pending=true` for the pending snapshot, `duplicated=true` for duplicates), paged with
 * `from_id`/`per_page`, and the flaky bank's scheduled failures (kit `flakyOutcome`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { flakyOutcome } from '../../sandbox-kit/banks.js'
import type { SeTransaction } from '../wire.js'
import { accountJson, accountView } from './data.js'
import { paginate, seError } from './replies.js'
import type { ConnectionRec, SandboxState } from './state.js'

type Q = Record<string, string | undefined>

export interface DataContext { state: SandboxState, now: () => number, slowMs: number }

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Applies the flaky bank's schedule; returns true when a failure reply was sent. */
async function flaky (ctx: DataContext, c: ConnectionRec, key: string, reply: FastifyReply): Promise<boolean> {
  if (!c.entry.bank.flaky) return false
  const outcome = flakyOutcome(ctx.state.flakyCall(key))
  if (outcome === 'unavailable') { seError(reply, 'ProviderUnavailable', 'The provider is temporarily unavailable.'); return true }
  if (outcome === 'rate_limited') { reply.header('retry-after', '1'); seError(reply, 'TooManyRequests', 'Too many requests.'); return true }
  if (outcome === 'slow') await sleep(ctx.slowMs)
  return false
}

export function registerDataRoutes (app: FastifyInstance, ctx: DataContext): void {
  const { state, now } = ctx

  function connectionOf (reply: FastifyReply, q: Q): ConnectionRec | null {
    if (q.connection_id === undefined || q.connection_id === '') { seError(reply, 'WrongRequestFormat', 'connection_id is required.', q); return null }
    const c = state.connections.get(q.connection_id)
    if (c === undefined) { seError(reply, 'ConnectionNotFound', `Connection with id: '${q.connection_id}' was not found.`, { connection_id: q.connection_id }); return null }
    return c
  }

  app.get('/accounts', async (req, reply) => {
    const q = req.query as Q
    const c = connectionOf(reply, q)
    if (c === null || await flaky(ctx, c, `accounts|${c.id}`, reply)) return reply
    const consent = state.consents.get(c.lastConsentId)
    const list = c.accounts.map(a => accountJson(state, c, consent, a, now()))
    return paginate(list, q, '/accounts') ?? seError(reply, 'WrongRequestFormat', 'from_id or per_page is not valid.', q)
  })

  app.get('/transactions', async (req, reply) => {
    const q = req.query as Q
    const c = connectionOf(reply, q)
    if (c === null) return reply
    const accounts = q.account_id === undefined ? c.accounts : c.accounts.filter(a => a.id === q.account_id)
    if (accounts.length === 0) return seError(reply, 'AccountNotFound', `Account with id: '${q.account_id ?? ''}' was not found.`, { account_id: q.account_id ?? null })
    if (await flaky(ctx, c, `transactions|${q.account_id ?? c.id}`, reply)) return reply
    const consent = state.consents.get(c.lastConsentId)
    let list: SeTransaction[] = []
    for (const a of accounts) {
      const view = accountView(state, c, consent, a, now())
      // No duplicates in the sandbox: `duplicated=true` is an empty list.
      if (q.duplicated === 'true') continue
      list = list.concat(q.pending === 'true' ? view.pending : view.posted)
    }
    if (accounts.length > 1) list.sort((a, b) => (a.id < b.id ? -1 : 1))
    return paginate(list, q, '/transactions') ?? seError(reply, 'WrongRequestFormat', 'from_id or per_page is not valid.', q)
  })
}
