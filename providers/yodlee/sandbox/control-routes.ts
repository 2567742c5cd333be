/**
 * Sandbox-only control routes: add a transaction, post a pending one, and force a link's
 * `additionalStatus` (INCORRECT_CREDENTIALS, SITE_UNAVAILABLE, …; null clears it).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { isoDate } from '../../sandbox-kit/history.js'
import type { SandboxStore } from './store.js'
import { toYodleeTransaction } from './transactions.js'

export interface ControlRouteOptions { store: SandboxStore, now: () => number }

const AMOUNT = /^([+-])?(\d{1,12})(?:\.(\d{1,2}))?$/

function bad (reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ error: message })
}

/** `"-12.30"` → -1230 without floats. */
function amountMinor (text: unknown): number | null {
  if (typeof text !== 'string') return null
  const m = AMOUNT.exec(text.trim())
  if (m === null) return null
  const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'))
  return m[1] === '-' ? -minor : minor
}

export function registerControlRoutes (app: FastifyInstance, o: ControlRouteOptions): void {
  const { store } = o

  app.post('/_control/transactions', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const found = store.account(Number(b.account_id))
    if (found === undefined) return bad(reply, 404, 'unknown account_id')
    const minor = amountMinor(b.amount)
    if (minor === null || minor === 0) return bad(reply, 400, 'amount must be a signed decimal string such as "-12.30"')
    const date = typeof b.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(b.date) && isoDate(Date.parse(`${b.date}T00:00:00Z`)) === b.date ? b.date : null
    if (date === null) return bad(reply, 400, 'date must be YYYY-MM-DD')
    const description = typeof b.description === 'string' && b.description.trim() !== '' ? b.description.trim().slice(0, 140) : null
    if (description === null) return bad(reply, 400, 'description is required')
    const tx = store.extras.add(String(found.account.id), found.link.provider.currency, {
      date, amountMinor: minor, description, pending: b.pending === true
    })
    return reply.code(201).send({ key: tx.key, transaction: toYodleeTransaction(tx, found.account).json })
  })

  app.post('/_control/transactions/post', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const found = store.account(Number(b.account_id))
    if (found === undefined) return bad(reply, 404, 'unknown account_id')
    if (typeof b.key !== 'string' || !store.extras.post(String(found.account.id), b.key)) return bad(reply, 404, 'unknown key')
    const tx = store.extras.list(String(found.account.id)).find(t => t.key === b.key)
    return { key: b.key, transaction: tx !== undefined ? toYodleeTransaction(tx, found.account).json : null }
  })

  app.post('/_control/provider-accounts/status', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>
    const link = store.link(Number(b.provider_account_id))
    if (link === undefined) return bad(reply, 404, 'unknown provider_account_id')
    const status = b.additional_status
    if (status !== null && (typeof status !== 'string' || !/^[A-Z_]{3,60}$/.test(status))) return bad(reply, 400, 'additional_status must be an additionalStatus value or null')
    link.forced = status
    return { provider_account_id: link.id, additional_status: status }
  })
}
