/**
 * Sandbox-only control routes (no Ponto equivalent): add a transaction to an account, and post a
 * pending one, so tests and demos can make new activity appear.
 */
import type { FastifyInstance } from 'fastify'
import type { SandboxContext } from './context.js'
import { uuidFrom } from './data.js'

interface AddBody { account_id?: unknown, date?: unknown, amount?: unknown, description?: unknown, pending?: unknown }

/** `'-12.30'` → -1230 without float arithmetic; null when not a 2-decimal amount. */
function minorUnits (amount: unknown): number | null {
  const m = typeof amount === 'string' ? /^([+-]?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(amount.trim()) : null
  if (m === null) return null
  const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'))
  return m[1] === '-' ? -minor : minor
}

export function controlRoutes (app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/_control/transactions', async (request, reply) => {
    const body = (request.body ?? {}) as AddBody
    const account = typeof body.account_id === 'string' ? ctx.catalog.accounts.get(body.account_id) : undefined
    if (account === undefined) return reply.code(404).send({ error: 'unknown account_id' })
    const amountMinor = minorUnits(body.amount)
    if (typeof body.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(body.date) || amountMinor === null || amountMinor === 0 || typeof body.description !== 'string' || body.description === '') {
      return reply.code(400).send({ error: 'expected date YYYY-MM-DD, a signed non-zero amount with at most 2 decimals, and a description' })
    }
    const pending = body.pending === true
    const tx = ctx.state.extras.add(account.historySeed, 'EUR', { date: body.date, amountMinor, description: body.description, pending })
    ctx.state.extraTimes.set(tx.key, { addedAt: ctx.now(), postedAt: pending ? null : ctx.now() })
    return reply.code(201).send({ key: tx.key, id: uuidFrom(account.id, tx.key, pending ? 'pending' : 'booked'), pending })
  })

  app.post('/_control/transactions/post', async (request, reply) => {
    const body = (request.body ?? {}) as { account_id?: unknown, key?: unknown }
    const account = typeof body.account_id === 'string' ? ctx.catalog.accounts.get(body.account_id) : undefined
    if (account === undefined || typeof body.key !== 'string' || !ctx.state.extras.post(account.historySeed, body.key)) {
      return reply.code(404).send({ error: 'unknown account_id or pending transaction key' })
    }
    const times = ctx.state.extraTimes.get(body.key)
    ctx.state.extraTimes.set(body.key, { addedAt: times?.addedAt ?? ctx.now(), postedAt: ctx.now() })
    return reply.send({ key: body.key, id: uuidFrom(account.id, body.key, 'booked'), pending: false })
  })
}
