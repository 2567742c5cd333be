/**
 * `GET/PUT/DELETE /providerAccounts` and `GET /consents`. A refresh (`PUT ?providerAccountIds=`) runs
 * for REFRESH_MS; another one is not started before 15 minutes (24 h for the daily bank): the answer
 * then shows `updateEligibility: DISALLOW_UPDATE` and `nextUpdateScheduled` (no Yodlee error code for
 * an early refresh was found in its documentation). Unknown or deleted links answer Y807.
 */
import type { FastifyInstance } from 'fastify'
import { flakyGate } from './flaky.js'
import { DAY_MS, MIN_REFRESH_GAP_MS, REFRESH_MS, consentJson, linkStatus, providerAccountJson } from './model.js'
import { principalOf, sendYodleeError } from './reply.js'
import type { LinkState, SandboxStore } from './store.js'

export interface LinkRouteOptions { store: SandboxStore, now: () => number, slowMs: number }

const INT = /^\d+$/

/** Starts a refresh when Yodlee would; otherwise leaves the link as it is. */
function refresh (link: LinkState, now: number): void {
  const st = linkStatus(link, now)
  link.lastUpdateAttempt = now
  if (st.status === 'IN_PROGRESS' || st.updateEligibility === 'DISALLOW_UPDATE') return
  if (st.status === 'FAILED' && st.updateEligibility === 'ALLOW_UPDATE_WITH_CREDENTIALS' && !link.provider.bank.manualOnly) return
  link.refreshUntil = now + REFRESH_MS
  link.nextAllowedAt = now + (link.provider.bank.oncePerDay ? DAY_MS : MIN_REFRESH_GAP_MS)
}

export function registerLinkRoutes (app: FastifyInstance, o: LinkRouteOptions): void {
  const { store, now } = o

  function owned (loginName: string, id: string): LinkState | undefined {
    if (!INT.test(id)) return undefined
    const link = store.link(Number(id))
    return link !== undefined && link.loginName === loginName ? link : undefined
  }

  app.get('/providerAccounts', async (req) => {
    const links = store.linksOf(principalOf(req).loginName)
    return links.length === 0 ? {} : { providerAccount: links.map(l => providerAccountJson(l, now())) }
  })

  app.get('/providerAccounts/:providerAccountId', async (req, reply) => {
    const { providerAccountId } = req.params as { providerAccountId: string }
    if (!INT.test(providerAccountId)) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerAccountId', now())
    const link = owned(principalOf(req).loginName, providerAccountId)
    if (link === undefined) return sendYodleeError(reply, 400, 'Y807', 'Resource not found', now())
    if (await flakyGate(store, link, reply, o.slowMs, now)) return reply
    return { providerAccount: [providerAccountJson(link, now())] }
  })

  app.put('/providerAccounts', async (req, reply) => {
    const ids = (req.query as Record<string, string | undefined>).providerAccountIds
    if (ids === undefined || ids === '') return sendYodleeError(reply, 400, 'Y803', 'providerAccountIds required', now())
    const parts = ids.split(',')
    if (!parts.every(id => INT.test(id))) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerAccountIds', now())
    const { loginName } = principalOf(req)
    const links: LinkState[] = []
    for (const id of parts) {
      const link = owned(loginName, id)
      if (link === undefined) return sendYodleeError(reply, 400, 'Y807', 'Resource not found', now())
      links.push(link)
    }
    for (const link of links) if (await flakyGate(store, link, reply, o.slowMs, now)) return reply
    for (const link of links) refresh(link, now())
    return { providerAccount: links.map(l => providerAccountJson(l, now())) }
  })

  app.delete('/providerAccounts/:providerAccountId', async (req, reply) => {
    const { providerAccountId } = req.params as { providerAccountId: string }
    if (!INT.test(providerAccountId)) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerAccountId', now())
    const link = owned(principalOf(req).loginName, providerAccountId)
    if (link === undefined) return sendYodleeError(reply, 400, 'Y807', 'Resource not found', now())
    store.deleteLink(link.id)
    return reply.code(204).send()
  })

  app.get('/consents', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>
    let links = store.linksOf(principalOf(req).loginName)
    if (q.providerAccountIds !== undefined) {
      const ids = q.providerAccountIds.split(',')
      if (!ids.every(id => INT.test(id))) return sendYodleeError(reply, 400, 'Y800', 'Invalid value for providerAccountIds', now())
      links = links.filter(l => ids.includes(String(l.id)))
    }
    const consent = links.map(l => consentJson(l, now())).filter(c => c !== null)
    return consent.length === 0 ? {} : { consent }
  })
}
