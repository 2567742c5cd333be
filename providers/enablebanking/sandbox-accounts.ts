/**
 * Sandbox account-data routes: `/accounts/{uid}/details|balances|transactions`. Before answering,
 * each call goes through the session status, the PSU headers (the manual bank refuses calls
 * without them), the flaky bank's schedule and the PSD2 unattended-access limit (4 per account and
 * scope per 24 h; the daily bank allows one unattended transactions read per 24 h).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SandboxOptions } from '../module.js'
import { flakyOutcome } from '../sandbox-kit/banks.js'
import { addDays, isoDate, type SandboxTransaction } from '../sandbox-kit/history.js'
import { accountResource, accountTransactions, balancesOf, earliestDate, toEbTransaction, TRANSACTIONS_PAGE_SIZE, type SandboxAccountInfo } from './sandbox-data.js'
import { camelHeader, psuHeadersOf, requireJwt, sendError } from './sandbox-http.js'
import { boundedSet, sessionStatus, type SandboxSession, type SandboxState } from './sandbox-state.js'

const DAY_MS = 86_400_000
const UNATTENDED_LIMIT = 4
const STATUSES = new Set(['BOOK', 'CNCL', 'HOLD', 'OTHR', 'PDNG', 'RJCT', 'SCHD'])
const DATE = /^\d{4}-\d{2}-\d{2}$/

type Scope = 'details' | 'balances' | 'transactions'

interface Resolved { uid: string, session: SandboxSession, info: SandboxAccountInfo, attended: boolean }

export function registerAccountRoutes (app: FastifyInstance, opts: SandboxOptions, state: SandboxState): void {
  const now = opts.now ?? Date.now
  const slowMs = opts.slowMs ?? 2_000

  function unattendedKey (info: SandboxAccountInfo, scope: Scope): string {
    return `${info.hash}|${scope}`
  }

  function recentAccesses (info: SandboxAccountInfo, scope: Scope): number[] {
    const t = now()
    return (state.unattended.get(unattendedKey(info, scope)) ?? []).filter(at => at > t - DAY_MS)
  }

  function recordAccess (r: Resolved, scope: Scope): void {
    if (r.attended) return
    boundedSet(state.unattended, unattendedKey(r.info, scope), [...recentAccesses(r.info, scope), now()])
  }

  /** Each page re-reads the same list: keep the last few (by account, window, minute and extra entries). */
  const listings = new Map<string, SandboxTransaction[]>()
  function listing (info: SandboxAccountInfo, from: string, to: string): SandboxTransaction[] {
    const extra = state.extra.list(info.seed)
    const key = `${info.hash}|${from}|${to}|${Math.floor(now() / 60_000)}|${extra.map(x => `${x.key}${x.pending ? 'p' : 'b'}`).join(',')}`
    let list = listings.get(key)
    if (list === undefined) {
      list = accountTransactions(info, extra, from, to, now())
      boundedSet(listings, key, list, 64)
    }
    return list
  }

  /** Common checks; answers the error itself and returns null when the call must stop. */
  async function resolve (req: FastifyRequest, reply: FastifyReply, scope: Scope, firstPage: boolean): Promise<Resolved | null> {
    if (!await requireJwt(req, reply, now())) return null
    const uid = (req.params as { uid: string }).uid
    const ref = state.uids.get(uid)
    const session = ref === undefined ? undefined : state.sessions.get(ref.sessionId)
    const account = session?.accounts[ref?.index ?? -1]
    if (session === undefined || account === undefined) { sendError(reply, 404, 'ACCOUNT_DOES_NOT_EXIST', null); return null }
    const status = sessionStatus(session, now())
    if (status !== 'AUTHORIZED') { sendError(reply, 401, `${status}_SESSION`, null); return null }
    const bank = session.bank
    const psu = psuHeadersOf(req)
    if (bank.manualOnly) {
      // Either all required PSU headers or none; this bank also refuses "none" (the user must be present).
      for (const h of ['Psu-Ip-Address', 'Psu-User-Agent']) {
        if (!psu.has(h.toLowerCase())) { sendError(reply, 422, 'PSU_HEADER_NOT_PROVIDED', `PSU header ${camelHeader(h)} is not provided`); return null }
      }
    }
    if (bank.flaky) {
      const n = (state.flakyCalls.get(account.info.hash) ?? 0) + 1
      boundedSet(state.flakyCalls, account.info.hash, n)
      const outcome = flakyOutcome(n)
      if (outcome === 'unavailable') { sendError(reply, 500, 'ASPSP_ERROR', 'The bank did not answer (sandbox flaky bank)'); return null }
      if (outcome === 'rate_limited') { sendError(reply, 429, 'ASPSP_RATE_LIMIT_EXCEEDED', 'Too many requests (sandbox flaky bank)', { 'retry-after': '1' }); return null }
      if (outcome === 'slow') await new Promise(resolve => setTimeout(resolve, slowMs))
    }
    const resolved: Resolved = { uid, session, info: account.info, attended: psu.size > 0 }
    if (!resolved.attended && firstPage) {
      const limit = bank.oncePerDay && scope === 'transactions' ? 1 : UNATTENDED_LIMIT
      const recent = recentAccesses(account.info, scope)
      if (recent.length >= limit) {
        const retry = Math.max(1, Math.ceil(((recent[0] as number) + DAY_MS - now()) / 1000))
        sendError(reply, 429, 'ASPSP_RATE_LIMIT_EXCEEDED', `Unattended access limit of ${limit} per 24 hours reached for this account`, { 'retry-after': String(retry) })
        return null
      }
    }
    return resolved
  }

  app.get('/accounts/:uid/details', async (req, reply) => {
    const r = await resolve(req, reply, 'details', true)
    if (r === null) return reply
    recordAccess(r, 'details')
    return accountResource(r.info, r.uid)
  })

  app.get('/accounts/:uid/balances', async (req, reply) => {
    const r = await resolve(req, reply, 'balances', true)
    if (r === null) return reply
    recordAccess(r, 'balances')
    return { balances: balancesOf(r.info, state.extra.list(r.info.seed), now()) }
  })

  app.get('/accounts/:uid/transactions', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>
    const r = await resolve(req, reply, 'transactions', q.continuation_key === undefined)
    if (r === null) return reply
    const today = isoDate(now())
    const earliest = earliestDate(r.info, now())
    let from: string
    let to: string
    let status: string | null
    let offset = 0
    if (q.continuation_key !== undefined) {
      const key = state.readKey(q.continuation_key)
      if (key === null || key.s !== r.session.id || key.u !== r.uid || typeof key.o !== 'number' || typeof key.f !== 'string' || typeof key.t !== 'string') {
        return sendError(reply, 422, 'WRONG_CONTINUATION_KEY', 'The continuation key does not belong to this session and account')
      }
      from = key.f
      to = key.t
      status = typeof key.st === 'string' ? key.st : null
      offset = key.o
    } else {
      const strategy = q.strategy ?? 'default'
      if (strategy !== 'default' && strategy !== 'longest') return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'strategy must be default or longest')
      if ((q.date_from !== undefined && !DATE.test(q.date_from)) || (q.date_to !== undefined && !DATE.test(q.date_to))) return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'dates must be YYYY-MM-DD')
      if (q.date_to !== undefined && q.date_from === undefined) return sendError(reply, 422, 'DATE_TO_WITHOUT_DATE_FROM', null)
      if (q.date_from !== undefined && q.date_from > today) return sendError(reply, 422, 'DATE_FROM_IN_FUTURE', null)
      if (q.transaction_status !== undefined && !STATUSES.has(q.transaction_status)) return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'unknown transaction_status')
      status = q.transaction_status ?? null
      if (strategy === 'longest') {
        // The longest period the bank allows; date_from still counts, date_to is ignored.
        from = q.date_from !== undefined && q.date_from > earliest ? q.date_from : earliest
        to = today
      } else {
        from = q.date_from ?? addDays(today, -90)
        to = q.date_to !== undefined && q.date_to < today ? q.date_to : today
        if (from > to) return sendError(reply, 422, 'WRONG_DATE_INTERVAL', null)
        if (from < earliest) return sendError(reply, 422, 'WRONG_TRANSACTIONS_PERIOD', `Transactions are only available from ${earliest}`)
      }
    }
    const all = listing(r.info, from, to)
      .filter(t => status === null || (status === 'PDNG' ? t.pending : status === 'BOOK' ? !t.pending : false))
    const slice = all.slice(offset, offset + TRANSACTIONS_PAGE_SIZE)
    const next = offset + TRANSACTIONS_PAGE_SIZE < all.length
      ? state.signKey({ s: r.session.id, u: r.uid, o: offset + TRANSACTIONS_PAGE_SIZE, f: from, t: to, st: status })
      : null
    if (offset === 0) recordAccess(r, 'transactions')
    return { transactions: slice.map(toEbTransaction), continuation_key: next }
  })
}
