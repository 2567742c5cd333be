/**
 * The Hosted Link page (`hosted_link_url`): the kit's consent page with Approve/Deny (plus the
 * one-time code for the MFA bank). Finishing the session redirects to `completion_redirect_uri`,
 * and the outcome is then readable through `/link/token/get`, as with Plaid.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { SANDBOX_MFA_CODE } from '../sandbox-kit/banks.js'
import { escapeHtml, renderConsentPage } from '../sandbox-kit/consent-page.js'
import { PLAID_ERRORS } from './sandbox-errors.js'
import { deliverWebhook, webhookBody, webhookTarget } from './sandbox-webhooks.js'
import { OAUTH_CONSENT_MS, type LinkTokenRecord, type SandboxState } from './sandbox-state.js'

const MAX_MFA_FAILURES = 3

function notice (reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plaid sandbox</title></head><body><main><h1>Plaid sandbox</h1><p role="alert">${escapeHtml(text)}</p></main></body></html>`)
}

function page (state: SandboxState, reply: FastifyReply, record: LinkTokenRecord, error?: string): FastifyReply {
  const html = renderConsentPage({
    providerName: 'Plaid',
    bankName: record.institution.bank.name,
    action: `${state.opts.baseUrl.replace(/\/+$/, '')}/hl/${record.hostedId}`,
    hidden: { link_session_id: record.session?.id ?? '' },
    mfa: record.institution.bank.mfa,
    error
  })
  return reply.code(error === undefined ? 200 : 400).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
}

function usable (state: SandboxState, reply: FastifyReply, record: LinkTokenRecord | undefined): record is LinkTokenRecord {
  if (record === undefined) { notice(reply, 404, 'This Link session does not exist.'); return false }
  if (record.expiresAt <= state.now()) { notice(reply, 400, 'This Link session has expired. Please start again from your application.'); return false }
  if (record.session?.finishedAt != null) { notice(reply, 400, 'This Link session is already complete.'); return false }
  return true
}

function finish (state: SandboxState, reply: FastifyReply, record: LinkTokenRecord): FastifyReply {
  const session = record.session
  if (session !== null) session.finishedAt = state.now()
  if (record.completionUri === '') return notice(reply, 200, 'You can close this window.')
  return reply.code(303).header('location', record.completionUri).send()
}

function approve (state: SandboxState, record: LinkTokenRecord): string {
  const now = state.now()
  if (record.updateItemId !== null) {
    const item = state.items.get(record.updateItemId)
    if (item === undefined || item.removed) throw new Error('item gone')
    const wasBroken = item.loginRequired || (item.consentExpiresAt !== null && now >= item.consentExpiresAt)
    item.loginRequired = false
    if (item.consentExpiresAt !== null) item.consentExpiresAt = now + OAUTH_CONSENT_MS
    if (item.dataAsOf !== null) item.dataAsOf = now
    state.touch()
    if (record.webhook !== null) item.webhook = record.webhook
    const target = webhookTarget(state, item)
    if (wasBroken && target !== null) void deliverWebhook(state, target, webhookBody(item, 'ITEM', 'LOGIN_REPAIRED'))
    return state.issuePublicToken(item)
  }
  return state.issuePublicToken(state.createItem(record.institution, record.webhook, record.daysRequested))
}

export function registerHostedLink (app: FastifyInstance, state: SandboxState): void {
  app.get<{ Params: { id: string } }>('/hl/:id', async (req, reply) => {
    const record = state.linkTokenByHostedId(req.params.id)
    if (!usable(state, reply, record)) return reply
    record.session ??= { id: randomUUID(), startedAt: state.now(), finishedAt: null, publicToken: null, exit: null, mfaFailures: 0 }
    return page(state, reply, record)
  })

  app.post<{ Params: { id: string } }>('/hl/:id', async (req, reply) => {
    const record = state.linkTokenByHostedId(req.params.id)
    if (!usable(state, reply, record)) return reply
    const form = (req.body ?? {}) as Record<string, unknown>
    const session = record.session ??= { id: randomUUID(), startedAt: state.now(), finishedAt: null, publicToken: null, exit: null, mfaFailures: 0 }
    if (form.decision === 'deny') {
      session.exit = { error: null, status: 'requires_credentials' }
      return finish(state, reply, record)
    }
    if (form.decision !== 'approve') return page(state, reply, record, 'Choose Approve or Deny.')
    if (record.institution.bank.mfa && form.otp !== SANDBOX_MFA_CODE) {
      session.mfaFailures += 1
      if (session.mfaFailures >= MAX_MFA_FAILURES) {
        const spec = PLAID_ERRORS.INVALID_MFA
        session.exit = { error: { error_type: spec.type, error_code: 'INVALID_MFA', error_message: spec.message, display_message: spec.display }, status: 'requires_code' }
        return finish(state, reply, record)
      }
      return page(state, reply, record, 'The one-time code is not correct. Please try again.')
    }
    try {
      session.publicToken = approve(state, record)
    } catch {
      return notice(reply, 400, 'The connection to update no longer exists.')
    }
    return finish(state, reply, record)
  })
}
