/**
 * Control routes (not part of Plaid's API): add a transaction, post a pending one, and switch an
 * Item into "transactions not ready". Amounts use the broker's sign (+ = money in).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { isIsoDate } from './normalize.js'
import { decimalToMinor } from '../decimal.js'
import { transactionIdFor } from './sandbox-data.js'
import { bodyOf } from './sandbox-guards.js'
import type { SandboxState } from './sandbox-state.js'

function fail (reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).send({ error })
}

export function registerControl (app: FastifyInstance, state: SandboxState): void {
  app.post('/_control/transactions', async (req, reply) => {
    const body = bodyOf(req)
    const found = state.findAccount(body.account_id)
    if (found === undefined) return fail(reply, 404, 'account_id: no such sandbox account')
    if (!isIsoDate(body.date)) return fail(reply, 400, 'date: expected YYYY-MM-DD')
    const amountMinor = typeof body.amount === 'string' ? decimalToMinor(body.amount) : null
    if (amountMinor === null || amountMinor === 0) return fail(reply, 400, 'amount: expected a non-zero signed decimal string such as "-12.30"')
    const description = typeof body.description === 'string' ? body.description.trim() : ''
    if (description === '' || description.length > 140) return fail(reply, 400, 'description: 1 to 140 characters')
    if (body.pending !== undefined && typeof body.pending !== 'boolean') return fail(reply, 400, 'pending: expected a boolean')
    const pending = body.pending === true
    const { item, account } = found
    const tx = state.extras.add(account.seed, item.institution.currency, { date: body.date, amountMinor, description, pending })
    state.extraTimes.set(tx.key, { addedAt: state.now(), postedAt: pending ? null : state.now(), createdPending: pending })
    state.boundExtras()
    state.touch()
    return reply.code(201).send({ key: tx.key, transaction_id: transactionIdFor(item.itemId, tx.key, pending), pending })
  })

  app.post('/_control/transactions/post', async (req, reply) => {
    const body = bodyOf(req)
    const found = state.findAccount(body.account_id)
    if (found === undefined) return fail(reply, 404, 'account_id: no such sandbox account')
    if (typeof body.key !== 'string' || !state.extras.post(found.account.seed, body.key)) return fail(reply, 404, 'key: no such transaction on this account')
    const times = state.extraTimes.get(body.key)
    if (times !== undefined && times.postedAt === null) times.postedAt = state.now()
    state.touch()
    return { posted: true, transaction_id: transactionIdFor(found.item.itemId, body.key, false) }
  })

  app.post('/_control/item', async (req, reply) => {
    const body = bodyOf(req)
    const item = state.itemByAccessToken(body.access_token)
    if (item === undefined) return fail(reply, 404, 'access_token: no such sandbox Item')
    if (body.transactions_not_ready !== undefined) {
      if (typeof body.transactions_not_ready !== 'boolean') return fail(reply, 400, 'transactions_not_ready: expected a boolean')
      item.notReady = body.transactions_not_ready
    }
    return { item_id: item.itemId, transactions_not_ready: item.notReady, login_required: item.loginRequired }
  })
}
