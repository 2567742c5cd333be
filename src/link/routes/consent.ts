/**
 * The consent step: GET shows the terms for the chosen bank, POST (I agree + CSRF) starts the
 * provider's consent and sends the browser there. The adapter's `pending` data is kept sealed in
 * the session; the OAuth `state` points back to the session once (`keys.consentState`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import { randomToken } from '../../crypto/tokens.js'
import type { Institution } from '../../../providers/types.js'
import { refOf, type CatalogueEntry } from '../../catalogue/dedup.js'
import { field, providerName, sessionOf, type LinkContext } from '../context.js'
import { sendPage } from '../html.js'
import { langOf, t } from '../i18n.js'
import { consentPage } from '../pages/consent.js'
import { readLink } from '../store.js'
import { consentOpensInWindow } from '../consent-window.js'
import { nextStep, stepPath } from '../flow.js'
import { checkCsrf, saveSession, SESSION_TTL_MS, sessionPath, type LinkSession } from '../session.js'

/** The listing a ref names inside its entry (the preferred provider's, or an alternative's). */
export function institutionOfRef (entry: CatalogueEntry, ref: string): Institution {
  return [entry.primary, ...entry.alternatives].find(i => refOf(i) === ref) ?? entry.primary
}

export async function consentRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  const { s } = ctx

  /** The institution this request is about, or null when the user must pick one first. */
  async function chosen (session: LinkSession, ref: string): Promise<Institution | null> {
    if (session.choice !== null && (session.mode !== 'link' || ref === '' || ref === refOf(session.choice))) return session.choice
    if (ref === '') return null
    const entry = await ctx.catalogue.byRef(ref)
    if (entry === undefined) throw new AppError('BSB_LINK_INSTITUTION_UNKNOWN', { detail: `no catalogue entry for ${ref.slice(0, 100)}` })
    return institutionOfRef(entry, ref)
  }

  async function atConsentStep (req: FastifyRequest, reply: FastifyReply): Promise<LinkSession | null> {
    const session = await sessionOf(ctx, req)
    const step = await nextStep(s, session)
    if (step === 'search' || step === 'consent') return session
    await reply.redirect(await stepPath(s, session), 303)
    return null
  }

  function render (reply: FastifyReply, session: LinkSession, inst: Institution, status: number, error?: string): FastifyReply {
    return sendPage(reply, consentPage({ session, lang: langOf(session.lang), institution: inst, ref: refOf(inst), providerName: providerName(s, inst.provider), canChooseAnother: session.mode === 'link', inWindow: consentOpensInWindow(s, inst.provider), error }), status)
  }

  app.get('/s/:sid/consent', async (req, reply) => {
    const session = await atConsentStep(req, reply)
    if (session === null) return reply
    const inst = await chosen(session, field(req.query, 'i'))
    if (inst === null) return reply.redirect(sessionPath(session, 'search'), 303)
    return render(reply, session, inst, 200)
  })

  app.post('/s/:sid/consent', async (req, reply) => {
    const session = await atConsentStep(req, reply)
    if (session === null) return reply
    checkCsrf(session, field(req.body, 'csrf'))
    const inst = await chosen(session, field(req.body, 'i'))
    if (inst === null) return reply.redirect(sessionPath(session, 'search'), 303)
    if (field(req.body, 'agree') !== 'yes') return render(reply, session, inst, 422, t(langOf(session.lang), 'mustAgree'))
    const entry = s.providers.get(inst.provider)
    if (entry === undefined) throw new AppError('BSB_LINK_INSTITUTION_UNKNOWN', { detail: `provider ${inst.provider} is not enabled` })
    const existing = session.mode !== 'link' && session.clientId !== null ? (await readLink(s, session.dbUuid, session.clientId))?.connection ?? null : null
    const state = randomToken(24)
    const redirectUri = `${s.config.publicUrl}/link/callback/${inst.provider}`
    const start = await entry.adapter.startConsent({
      institutionId: inst.id,
      redirectUri,
      state,
      lang: langOf(session.lang),
      userEmail: session.userEmail,
      psu: { ip: req.ip, userAgent: (req.headers['user-agent'] ?? '').slice(0, 512) },
      existing: existing !== null && existing.provider === inst.provider ? existing : null
    })
    session.choice = inst
    session.consent = { state, redirectUri, pending: start.pending }
    session.consentWindow = consentOpensInWindow(s, inst.provider)
    await saveSession(s, session)
    await s.redis.set(s.keys.consentState(state), session.id, 'PX', SESSION_TTL_MS)
    return reply.redirect(start.url, 303)
  })
}
