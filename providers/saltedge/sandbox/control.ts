/**
 * Sandbox control routes (not part of Salt Edge's API): add a transaction to an account, and post
 * a pending one. Amounts are signed decimal strings, + = money in. Like every sandbox's control
 * routes, the reply is a plain object with `key` at the top (no Salt Edge `data` envelope: these
 * routes are the sandboxes' shared test contract, not Salt Edge's API).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { decimalToMinor } from '../../decimal.js'
import type { SandboxState } from './state.js'

function refuse (reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(code).send({ error: { class: 'WrongRequestFormat', message, documentation_url: null }, request: {} })
}

export function registerControl (app: FastifyInstance, state: SandboxState): void {
  app.post('/_control/transactions', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const found = typeof b.account_id === 'string' ? state.accounts.get(b.account_id) : undefined
    if (found === undefined) return refuse(reply, 404, 'account_id is not an account of this sandbox')
    if (typeof b.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.date) || Number.isNaN(Date.parse(`${b.date}T00:00:00Z`))) return refuse(reply, 400, 'date must be YYYY-MM-DD')
    const minor = typeof b.amount === 'string' ? decimalToMinor(b.amount) : null
    if (minor === null || minor === 0) return refuse(reply, 400, 'amount must be a non-zero signed decimal string with at most 2 decimals')
    if (typeof b.description !== 'string' || b.description.trim() === '' || b.description.length > 500) return refuse(reply, 400, 'description is required (at most 500 characters)')
    const { account } = found
    if (state.extras.list(account.seed).length >= 10_000) return refuse(reply, 409, 'too many extra transactions on this account')
    const tx = state.extras.add(account.seed, account.currency, { date: b.date, amountMinor: minor, description: b.description.trim(), pending: b.pending === true })
    return { key: tx.key, account_id: account.id, date: tx.transactionDate, pending: tx.pending }
  })

  app.post('/_control/transactions/post', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const found = typeof b.account_id === 'string' ? state.accounts.get(b.account_id) : undefined
    if (found === undefined) return refuse(reply, 404, 'account_id is not an account of this sandbox')
    if (typeof b.key !== 'string' || !state.extras.post(found.account.seed, b.key)) return refuse(reply, 404, 'no extra transaction with that key on this account')
    return { key: b.key, account_id: found.account.id, pending: false }
  })
}
