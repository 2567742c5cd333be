/**
 * Sandbox-only control routes (not part of Enable Banking's API): add a transaction to an account,
 * post a pending one, and revoke a session as if the user withdrew consent at the bank.
 * `account_id` is the account `uid` the API returns (its `identification_hash` is accepted too).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { SandboxOptions } from '../module.js'
import { entryReference } from './sandbox-data.js'
import type { SandboxAccountInfo } from './sandbox-data.js'
import type { SandboxState } from './sandbox-state.js'
import { decimalToMinor } from '../decimal.js'

function fail (reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ message, code: status, error: 'WRONG_REQUEST_PARAMETERS', detail: null })
}


export function registerControlRoutes (app: FastifyInstance, opts: SandboxOptions, state: SandboxState): void {
  function account (id: unknown): SandboxAccountInfo | undefined {
    if (typeof id !== 'string') return undefined
    const ref = state.uids.get(id)
    if (ref !== undefined) return state.sessions.get(ref.sessionId)?.accounts[ref.index]?.info
    return state.accountsByHash.get(id)
  }

  app.post('/_control/transactions', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const info = account(b.account_id)
    if (info === undefined) return fail(reply, 404, 'unknown account_id (use the account uid)')
    if (typeof b.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.date)) return fail(reply, 422, 'date must be YYYY-MM-DD')
    const amountMinor = typeof b.amount === 'string' ? decimalToMinor(b.amount) : null
    if (amountMinor === null || amountMinor === 0) return fail(reply, 422, 'amount must be a non-zero decimal string with at most 2 decimals, + = money in')
    if (typeof b.description !== 'string' || b.description.trim() === '') return fail(reply, 422, 'description is required')
    const tx = state.extra.add(info.seed, info.currency, {
      date: b.date,
      amountMinor,
      description: b.description,
      counterpartyName: typeof b.counterparty_name === 'string' ? b.counterparty_name : undefined,
      pending: b.pending === true
    })
    return { key: tx.key, entry_reference: tx.pending ? null : entryReference(tx), pending: tx.pending }
  })

  app.post('/_control/transactions/post', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const info = account(b.account_id)
    if (info === undefined) return fail(reply, 404, 'unknown account_id (use the account uid)')
    if (typeof b.key !== 'string' || !state.extra.post(info.seed, b.key)) return fail(reply, 404, 'unknown transaction key')
    const tx = state.extra.list(info.seed).find(t => t.key === b.key)
    return { key: b.key, entry_reference: tx === undefined ? null : entryReference(tx) }
  })

  app.post('/_control/sessions/revoke', async (req, reply) => {
    const id = ((req.body ?? {}) as Record<string, unknown>).session_id
    const s = typeof id === 'string' ? state.sessions.get(id) : undefined
    if (s === undefined) return fail(reply, 404, 'unknown session_id')
    s.status = 'REVOKED'
    s.closed = (opts.now ?? Date.now)()
    return { message: 'OK' }
  })
}
