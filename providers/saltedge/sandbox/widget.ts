/**
 * The sandbox's Salt Edge Connect widget (`connect_url`): the kit's consent page with Approve /
 * Deny (and the one-time code for interactive providers). It finishes like Salt Edge: callback,
 * then a redirect to `return_to` with `connection_id` or `error_class` appended as asked.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { SandboxOptions } from '../../module.js'
import { SANDBOX_MFA_CODE } from '../../sandbox-kit/banks.js'
import { renderConsentPage } from '../../sandbox-kit/consent-page.js'
import { CATALOG, type CatalogEntry } from './catalog.js'
import { finishConnect, sendFail, sendSuccess } from './connections.js'
import type { SandboxState, SessionRec } from './state.js'

const MAX_OTP_FAILURES = 3

export interface WidgetContext { state: SandboxState, opts: SandboxOptions, now: () => number, prefix: string }

function page (reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(code).type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salt Edge Connect</title></head><body><main><h1>Salt Edge Connect</h1><p>${message}</p></main></body></html>`)
}

function finishUrl (s: SessionRec, params: Record<string, string>): string {
  const url = new URL(s.returnTo)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.toString()
}

export function registerWidget (app: FastifyInstance, ctx: WidgetContext): void {
  const { state, opts, now } = ctx

  function session (token: unknown): { s: SessionRec, entry: CatalogEntry } | 'missing' | 'expired' {
    const s = typeof token === 'string' ? state.sessions.get(token) : undefined
    if (s === undefined) return 'missing'
    const entry = CATALOG.get(s.providerCode)
    if (entry === undefined) return 'missing'
    if (now() > s.expiresAt) { state.sessions.delete(s.token); return 'expired' }
    return { s, entry }
  }

  function render (reply: FastifyReply, s: SessionRec, entry: CatalogEntry, error?: string): FastifyReply {
    return reply.type('text/html; charset=utf-8').send(renderConsentPage({
      providerName: 'Salt Edge',
      bankName: entry.provider.name,
      action: `${ctx.prefix}/connect`,
      hidden: { token: s.token },
      mfa: entry.provider.interactive,
      error
    }))
  }

  async function fail (reply: FastifyReply, s: SessionRec, errorClass: string, message: string): Promise<FastifyReply> {
    state.sessions.delete(s.token)
    await sendFail(opts, s, errorClass, message, now())
    const params: Record<string, string> = {}
    if (s.returnErrorClass) params.error_class = errorClass
    if (s.returnConnectionId && s.reconnectId !== null) params.connection_id = s.reconnectId
    return reply.redirect(finishUrl(s, params), 303)
  }

  app.get('/connect', async (req, reply) => {
    const found = session((req.query as Record<string, unknown>).token)
    if (found === 'missing') return page(reply, 404, 'This Connect session does not exist.')
    if (found === 'expired') return page(reply, 410, 'This Connect session has expired. Please start again.')
    return render(reply, found.s, found.entry)
  })

  app.post('/connect', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    const found = session(body.token)
    if (found === 'missing') return page(reply, 404, 'This Connect session does not exist.')
    if (found === 'expired') return page(reply, 410, 'This Connect session has expired. Please start again.')
    const { s, entry } = found
    if (body.decision === 'deny') return await fail(reply, s, 'ProviderAccessNotGranted', 'The customer did not grant access at the provider.')
    if (body.decision !== 'approve') return render(reply.code(400), s, entry, 'Choose Approve or Deny.')
    if (entry.provider.interactive && body.otp !== SANDBOX_MFA_CODE) {
      s.otpFailures++
      if (s.otpFailures >= MAX_OTP_FAILURES) return await fail(reply, s, 'InvalidInteractiveCredentials', 'The one-time code was wrong too many times.')
      return render(reply.code(422), s, entry, 'The one-time code is not correct. Try again.')
    }
    state.sessions.delete(s.token)
    const conn = finishConnect(state, opts, s, entry, now())
    await sendSuccess(opts, conn, now())
    return reply.redirect(finishUrl(s, s.returnConnectionId ? { connection_id: conn.id } : {}), 303)
  })
}
