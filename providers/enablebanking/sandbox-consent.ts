/**
 * Sandbox routes for ASPSPs and user sessions: `GET /aspsps`, `GET /application`, `POST /auth`,
 * the hosted consent page (`/ais/start`, Approve/Deny, one-time code for the MFA bank) that
 * redirects to `redirect_url?code=…&state=…` (deny: `error=access_denied&error_description=…`),
 * `POST /sessions`, `GET /sessions/{id}` and `DELETE /sessions/{id}`.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { SandboxOptions } from '../module.js'
import { SANDBOX_MFA_CODE } from '../sandbox-kit/banks.js'
import { escapeHtml, renderConsentPage } from '../sandbox-kit/consent-page.js'
import { SANDBOX_APPLICATION_ID } from './sandbox-keys.js'
import { accountInfo, accountResource, aspspList, findBank, maxConsentSeconds, SANDBOX_COUNTRIES } from './sandbox-data.js'
import { requireJwt, sendError } from './sandbox-http.js'
import { boundedSet, sessionStatus, type SandboxAuthorization, type SandboxSession, type SandboxState } from './sandbox-state.js'

const CODE_TTL_MS = 10 * 60_000
const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

function iso (ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00')
}

function page (reply: FastifyReply, status: number, title: string, text: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body></html>`)
}

function redirectBack (reply: FastifyReply, target: string, params: Record<string, string>): FastifyReply {
  const url = new URL(target)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return reply.code(302).header('location', url.toString()).header('cache-control', 'no-store').send()
}

export function sessionView (s: SandboxSession, now: number) {
  return {
    status: sessionStatus(s, now),
    accounts: s.accounts.map(a => a.uid),
    accounts_data: s.accounts.map(a => ({ uid: a.uid, identification_hash: a.info.hash, identification_hashes: [a.info.hash] })),
    aspsp: { name: s.bank.name, country: s.country },
    psu_type: s.psuType,
    psu_id_hash: s.psuIdHash,
    access: { valid_until: s.validUntil, accounts: null, balances: true, transactions: true },
    created: iso(s.created),
    authorized: iso(s.authorized),
    closed: s.closed === null ? null : iso(s.closed)
  }
}

export function registerConsentRoutes (app: FastifyInstance, opts: SandboxOptions, state: SandboxState): void {
  const now = opts.now ?? Date.now
  const base = opts.baseUrl.replace(/\/+$/, '')

  app.get('/aspsps', async (req, reply) => {
    if (!await requireJwt(req, reply, now())) return reply
    const q = req.query as Record<string, string | undefined>
    if (q.country !== undefined && !/^[A-Z]{2}$/.test(q.country)) return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'country must match ^[A-Z]{2}$')
    if (q.service !== undefined && q.service !== 'AIS' && q.service !== 'PIS') return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'service must be AIS or PIS')
    // The sandbox banks offer account information only.
    const list = q.service === 'PIS' ? [] : aspspList(q.country, base)
    return { aspsps: q.psu_type === undefined ? list : list.filter(a => a.psu_types.includes(q.psu_type as 'business')) }
  })

  app.get('/application', async (req, reply) => {
    if (!await requireJwt(req, reply, now())) return reply
    return { name: 'banksync-broker sandbox', description: null, kid: SANDBOX_APPLICATION_ID, environment: 'SANDBOX', redirect_urls: [], active: true, countries: Object.keys(SANDBOX_COUNTRIES), services: ['AIS'] }
  })

  app.get('/brands/:country/:name/', async (_req, reply) => {
    return reply.type('image/svg+xml').send('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="#2b5797"/></svg>')
  })

  app.post('/auth', async (req, reply) => {
    if (!await requireJwt(req, reply, now())) return reply
    const b = (req.body ?? {}) as Record<string, any>
    const name = b.aspsp?.name
    const country = b.aspsp?.country
    if (typeof name !== 'string' || typeof country !== 'string') return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'aspsp.name and aspsp.country are required')
    const bank = findBank(name, country)
    if (bank === undefined) return sendError(reply, 422, 'WRONG_ASPSP_PROVIDED', `ASPSP ${name} (${country}) is not available`)
    const validUntil = b.access?.valid_until
    if (typeof validUntil !== 'string' || !RFC3339_WITH_OFFSET.test(validUntil) || Number.isNaN(Date.parse(validUntil))) {
      return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'access.valid_until must be an RFC3339 date-time with a timezone offset')
    }
    const validUntilMs = Date.parse(validUntil)
    if (validUntilMs <= now()) return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'access.valid_until must be in the future')
    if (validUntilMs > now() + maxConsentSeconds(bank) * 1000) return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', `access.valid_until exceeds maximum_consent_validity (${maxConsentSeconds(bank)} s)`)
    if (typeof b.state !== 'string' || b.state === '') return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'state is required')
    let redirect: URL
    try { redirect = new URL(String(b.redirect_url)) } catch { return sendError(reply, 422, 'REDIRECT_URI_NOT_ALLOWED', 'redirect_url is not a URL') }
    if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:') return sendError(reply, 422, 'REDIRECT_URI_NOT_ALLOWED', 'redirect_url must be http(s)')
    const psuType = b.psu_type ?? 'personal'
    if (psuType !== 'business' && psuType !== 'personal') return sendError(reply, 422, 'WRONG_REQUEST_PARAMETERS', 'psu_type must be business or personal')
    const auth: SandboxAuthorization = {
      id: randomUUID(),
      bank,
      country,
      state: b.state,
      redirectUrl: redirect.toString(),
      validUntil,
      validUntilMs,
      psuType,
      psuIdHash: createHash('sha256').update(`${SANDBOX_APPLICATION_ID}|${typeof b.psu_id === 'string' ? b.psu_id : randomUUID()}`).digest('hex'),
      createdAt: now(),
      decided: false
    }
    boundedSet(state.authorizations, auth.id, auth)
    return { url: `${base}/ais/start?sessionid=${auth.id}&locale=${country}`, authorization_id: auth.id, psu_id_hash: auth.psuIdHash }
  })

  app.get('/ais/start', async (req, reply) => {
    const id = (req.query as Record<string, string | undefined>).sessionid ?? ''
    const auth = state.authorizations.get(id)
    if (auth === undefined) return page(reply, 404, 'Authorization not found', 'This authorization link is unknown or has expired.')
    if (auth.decided) return page(reply, 410, 'Authorization finished', 'This authorization has already been completed.')
    return reply.type('text/html; charset=utf-8').send(renderConsentPage({
      providerName: 'Enable Banking', bankName: auth.bank.name, action: `${base}/ais/confirm`, hidden: { sessionid: auth.id }, mfa: auth.bank.mfa
    }))
  })

  app.post('/ais/confirm', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, string | undefined>
    const auth = state.authorizations.get(form.sessionid ?? '')
    if (auth === undefined) return page(reply, 404, 'Authorization not found', 'This authorization link is unknown or has expired.')
    if (auth.decided) return page(reply, 410, 'Authorization finished', 'This authorization has already been completed.')
    if (form.decision === 'deny') {
      auth.decided = true
      return redirectBack(reply, auth.redirectUrl, { state: auth.state, error: 'access_denied', error_description: 'The user cancelled the authorisation' })
    }
    if (form.decision !== 'approve') return page(reply, 400, 'Choose an option', 'Approve or deny the access request.')
    if (auth.bank.mfa && (form.otp ?? '').trim() !== SANDBOX_MFA_CODE) {
      return reply.code(400).type('text/html; charset=utf-8').send(renderConsentPage({
        providerName: 'Enable Banking', bankName: auth.bank.name, action: `${base}/ais/confirm`, hidden: { sessionid: auth.id }, mfa: true, error: 'The one-time code is not correct.'
      }))
    }
    auth.decided = true
    const code = randomUUID()
    boundedSet(state.codes, code, { authorizationId: auth.id, expiresAt: now() + CODE_TTL_MS, used: false })
    return redirectBack(reply, auth.redirectUrl, { code, state: auth.state })
  })

  app.post('/sessions', async (req, reply) => {
    if (!await requireJwt(req, reply, now())) return reply
    const code = ((req.body ?? {}) as Record<string, unknown>).code
    const entry = typeof code === 'string' ? state.codes.get(code) : undefined
    const auth = entry === undefined ? undefined : state.authorizations.get(entry.authorizationId)
    if (entry === undefined || auth === undefined) return sendError(reply, 422, 'WRONG_AUTHORIZATION_CODE', 'Authorization code is unknown')
    if (entry.used) return sendError(reply, 422, 'ALREADY_AUTHORIZED', 'Authorization code was already used')
    if (now() > entry.expiresAt) return sendError(reply, 422, 'EXPIRED_AUTHORIZATION_CODE', null)
    entry.used = true
    const session: SandboxSession = {
      id: randomUUID(),
      bank: auth.bank,
      country: auth.country,
      psuType: auth.psuType,
      psuIdHash: auth.psuIdHash,
      validUntil: auth.validUntil,
      validUntilMs: auth.validUntilMs,
      created: auth.createdAt,
      authorized: now(),
      closed: null,
      status: 'AUTHORIZED',
      accounts: [0, 1].map(index => ({ uid: randomUUID(), info: accountInfo(opts.seed, auth.bank, auth.country, index) }))
    }
    boundedSet(state.sessions, session.id, session)
    session.accounts.forEach((a, index) => {
      boundedSet(state.uids, a.uid, { sessionId: session.id, index })
      boundedSet(state.accountsByHash, a.info.hash, a.info)
    })
    return {
      session_id: session.id,
      accounts: session.accounts.map(a => accountResource(a.info, a.uid)),
      aspsp: { name: session.bank.name, country: session.country },
      psu_type: session.psuType,
      access: { valid_until: session.validUntil, accounts: null, balances: true, transactions: true }
    }
  })

  app.get('/sessions/:id', async (req, reply) => {
    if (!await requireJwt(req, reply, now())) return reply
    const s = state.sessions.get((req.params as { id: string }).id)
    if (s === undefined) return sendError(reply, 404, 'SESSION_DOES_NOT_EXIST', null)
    return sessionView(s, now())
  })

  app.delete('/sessions/:id', async (req, reply) => {
    if (!await requireJwt(req, reply, now())) return reply
    const s = state.sessions.get((req.params as { id: string }).id)
    if (s === undefined) return sendError(reply, 404, 'SESSION_DOES_NOT_EXIST', null)
    const status = sessionStatus(s, now())
    if (status !== 'AUTHORIZED') return sendError(reply, 401, `${status}_SESSION`, null)
    s.status = 'CLOSED'
    s.closed = now()
    return { message: 'OK' }
  })
}
