/**
 * Where providers send the browser back: `/link/callback/<provider>?state=…&…`. The state is
 * single use (GETDEL); a denial ends in the "access not allowed" page, any other provider
 * failure in its own error page, each with a reference. When the consent ran in a separate window
 * (the provider refuses framing), that window reports back to the iframe instead of showing the result.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../errors.js'
import { isProviderError } from '../../../providers/errors.js'
import type { Institution } from '../../../providers/types.js'
import { useErrorPage, type LinkContext } from '../context.js'
import { finishConsent } from '../finish.js'
import { readLink } from '../store.js'
import { langOf } from '../i18n.js'
import { loadSession, saveSession, sessionPath } from '../session.js'
import { sendPage } from '../html.js'
import { errorPage } from '../pages/error.js'
import { windowReturnPage } from '../pages/window-return.js'

/** What providers say when the user refused or walked away (OAuth, Salt Edge, Yodlee, Plaid exits). */
const DENIED = new Set(['access_denied', 'consent_rejected', 'user_cancelled', 'ProviderAccessNotGranted', 'USER_CLOSE_ACTION', 'requires_credentials', 'exited'])

export async function callbackRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  const { s } = ctx
  app.get('/callback/:provider', async (req, reply) => {
    const provider = (req.params as { provider: string }).provider
    const query: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) if (typeof v === 'string') query[k] = v.slice(0, 4096)
    const state = query.state ?? ''
    const sid = state === '' || state.length > 64 ? null : await s.redis.getdel(s.keys.consentState(state))
    if (sid === null) throw new AppError('BSB_LINK_SESSION_EXPIRED', { detail: 'provider return with an unknown, used or expired state', provider })
    const session = await loadSession(s, sid)
    req.bsb.dbUuid = session.dbUuid
    req.bsb.clientId = session.clientId
    const lang = langOf(session.lang)
    useErrorPage(req, lang, session.hostOrigin)
    if (session.consentWindow === true) req.bsb.renderErrorPage = (err, reference) => errorPage(err, reference, lang, null, 'stay')
    const consent = session.consent
    const inst = session.choice as Institution | null
    if (consent === null || consent.state !== state || inst === null || inst.provider !== provider) {
      throw new AppError('BSB_LINK_SESSION_EXPIRED', { detail: 'provider return does not match the session consent', provider })
    }
    const entry = s.providers.get(provider)
    if (entry === undefined) throw new AppError('BSB_LINK_INSTITUTION_UNKNOWN', { detail: `provider ${provider} is not enabled`, provider })
    session.consent = null
    await saveSession(s, session)
    if (DENIED.has(query.error ?? '')) throw new AppError('BSB_LINK_CONSENT_DENIED', { detail: `provider returned error=${query.error as string}`, provider })
    const linked = session.mode !== 'link' && session.clientId !== null ? (await readLink(s, session.dbUuid, session.clientId))?.connection ?? null : null
    const existing = linked !== null && linked.provider === provider ? linked : null
    let conn
    try {
      conn = await entry.adapter.completeConsent({ institutionId: inst.id, redirectUri: consent.redirectUri, pending: consent.pending, callback: query, existing })
    } catch (err) {
      if (isProviderError(err) && (DENIED.has(err.providerCode ?? '') || err.kind === 'reauth_required')) {
        throw new AppError('BSB_LINK_CONSENT_DENIED', { detail: `consent not completed: ${err.message}`.slice(0, 300), provider, providerCode: err.providerCode, cause: err })
      }
      throw err
    }
    session.result = await finishConsent(s, session, entry.adapter, conn)
    await saveSession(s, session)
    if (session.consentWindow === true) return sendPage(reply, windowReturnPage(lang))
    return reply.redirect(sessionPath(session, 'done'), 303)
  })
}
