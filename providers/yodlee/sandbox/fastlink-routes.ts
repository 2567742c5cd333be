/**
 * The sandbox FastLink 4: launched with `accessToken=Bearer …` and `extraParams` (`configName`,
 * `flow=add&providerId` or `flow=edit&providerAccountId`, `callback`), it shows the bank's consent page
 * (Approve / Deny, one-time code for the MFA bank) and then sends the browser to `callback` with what
 * FastLink's onSuccess / onExit messages carry.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { SANDBOX_MFA_CODE } from '../../sandbox-kit/banks.js'
import { escapeHtml, renderConsentPage } from '../../sandbox-kit/consent-page.js'
import { addDays, isoDate } from '../../sandbox-kit/history.js'
import { OPEN_BANKING_CONSENT_DAYS, findProvider } from './banks.js'
import type { FastLinkSession, LinkState, SandboxStore } from './store.js'

export interface FastLinkRouteOptions { store: SandboxStore, now: () => number, baseUrl: string }

/** FastLink stays usable for 120 minutes after launch. */
const SESSION_MS = 120 * 60_000
const MAX_OTP_ATTEMPTS = 3

function field (src: unknown, name: string): string | undefined {
  if (src === null || typeof src !== 'object') return undefined
  const v = (src as Record<string, unknown>)[name]
  const first = Array.isArray(v) ? v[0] : v
  return typeof first === 'string' ? first : undefined
}

function errorPage (reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>FastLink</title></head><body><main><h1>FastLink</h1><p role="alert">${escapeHtml(message)}</p></main></body></html>`)
}

function httpUrl (text: string | null): URL | null {
  if (text === null) return null
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
  } catch {
    return null
  }
}

function redirectTo (reply: FastifyReply, callback: string, params: Record<string, string>): FastifyReply {
  const url = new URL(callback)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return reply.header('cache-control', 'no-store').redirect(url.toString(), 302)
}

function grantConsent (store: SandboxStore, link: LinkState, now: number): void {
  if (!link.provider.openBanking) return
  const today = isoDate(now)
  link.consent = { id: link.consent?.id ?? store.newConsentId(), startDate: today, expirationDate: addDays(today, OPEN_BANKING_CONSENT_DAYS), revoked: false }
}

export function registerFastLinkRoutes (app: FastifyInstance, o: FastLinkRouteOptions): void {
  const { store, now } = o

  function page (reply: FastifyReply, session: FastLinkSession, status: number, error?: string): FastifyReply {
    const html = renderConsentPage({
      providerName: 'Yodlee FastLink',
      bankName: session.provider.bank.name,
      action: `${o.baseUrl.replace(/\/+$/, '')}/fastlink/decision`,
      hidden: { session: session.id },
      mfa: session.provider.bank.mfa,
      ...(error !== undefined ? { error } : {})
    })
    return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
  }

  app.route({
    method: ['GET', 'POST'],
    url: '/fastlink',
    handler: async (req, reply) => {
      const src = req.method === 'GET' ? req.query : req.body
      const auth = /^Bearer ([A-Za-z0-9_-]+)$/.exec(field(src, 'accessToken') ?? '')
      const token = auth !== null ? store.token(auth[1]) : undefined
      if (token === undefined || token.admin || now() >= token.expiresAt) return errorPage(reply, 401, 'FastLink could not start: the access token is missing, invalid or expired.')
      const params = new URLSearchParams(field(src, 'extraParams') ?? '')
      if ((params.get('configName') ?? '') === '') return errorPage(reply, 400, 'FastLink could not start: configName is required.')
      const callback = httpUrl(params.get('callback'))
      if (callback === null) return errorPage(reply, 400, 'This sandbox FastLink needs a callback URL (redirect integration).')
      const flow = params.get('flow') ?? 'add'
      let session: FastLinkSession
      if (flow === 'add') {
        const provider = findProvider(Number(params.get('providerId') ?? 'x'))
        if (provider === undefined) return errorPage(reply, 400, 'FastLink could not start: unknown providerId.')
        session = store.openSession({ loginName: token.loginName, provider, flow, linkId: null, callback: callback.toString(), expiresAt: now() + SESSION_MS })
      } else if (flow === 'edit' || flow === 'refresh') {
        const link = store.link(Number(params.get('providerAccountId') ?? 'x'))
        if (link === undefined || link.loginName !== token.loginName) return errorPage(reply, 400, 'FastLink could not start: unknown providerAccountId.')
        session = store.openSession({ loginName: token.loginName, provider: link.provider, flow: 'edit', linkId: link.id, callback: callback.toString(), expiresAt: now() + SESSION_MS })
      } else {
        return errorPage(reply, 400, 'FastLink could not start: unsupported flow.')
      }
      return page(reply, session, 200)
    }
  })

  app.post('/fastlink/decision', async (req, reply) => {
    const session = store.session(field(req.body, 'session') ?? '')
    if (session === undefined || now() >= session.expiresAt) return errorPage(reply, 400, 'This FastLink session has ended. Start again from your application.')
    const decision = field(req.body, 'decision')
    if (decision === 'deny') {
      store.closeSession(session.id)
      return redirectTo(reply, session.callback, { action: 'exit', status: 'USER_CLOSE_ACTION', fnToCall: 'exitAction' })
    }
    if (decision !== 'approve') return page(reply, session, 400, 'Choose Approve or Deny.')
    const provider = session.provider
    if (provider.bank.mfa && field(req.body, 'otp')?.trim() !== SANDBOX_MFA_CODE) {
      session.attempts++
      if (session.attempts < MAX_OTP_ATTEMPTS) return page(reply, session, 400, 'The one-time code is not correct. Try again.')
      store.closeSession(session.id)
      return redirectTo(reply, session.callback, {
        status: 'FAILED', additionalStatus: 'INVALID_ADDL_INFO_PROVIDED', providerId: String(provider.id), providerName: provider.bank.name, fnToCall: 'accountStatus'
      })
    }
    let link: LinkState | undefined
    if (session.flow === 'add') {
      link = store.createLink(session.loginName, provider, now())
    } else {
      link = session.linkId !== null ? store.link(session.linkId) : undefined
      if (link === undefined) return errorPage(reply, 400, 'The account to update no longer exists.')
      link.forced = null
      link.refreshUntil = null
      link.lastUpdated = now()
      link.lastUpdateAttempt = now()
    }
    grantConsent(store, link, now())
    store.closeSession(session.id)
    return redirectTo(reply, session.callback, {
      status: 'SUCCESS',
      providerAccountId: String(link.id),
      providerId: String(provider.id),
      providerName: provider.bank.name,
      requestId: link.requestId,
      additionalStatus: 'AVAILABLE_DATA_RETRIEVED',
      fnToCall: 'accountStatus'
    })
  })
}
