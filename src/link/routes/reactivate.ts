/**
 * Reactivation pages (src/link/reactivation.ts): Send code and Verify, through the unlock-code
 * machinery ops use (src/locks/unlock.ts) with the actor `user:link-session` and the end user's
 * IP and agent in the audit trail. The session already proved the client's access token, so the
 * page may say what went wrong (wrong code, tries left, expired, wait); a frozen client or a
 * database without a registered phone ends on the error page with a reference for support.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import { maskPhone } from '../../sms/verify.js'
import { registeredPhone } from '../../locks/phone.js'
import { checkUnlockCode, hasLiveCode, requestUnlockCode, type UserAct } from '../../locks/unlock.js'
import type { LockTarget } from '../../locks/store.js'
import { field, sessionOf, type LinkContext } from '../context.js'
import { sendPage } from '../html.js'
import { langOf, t, type Lang } from '../i18n.js'
import { tr } from '../reactivate-i18n.js'
import { reactivatePage, type ReactivatePageInput } from '../pages/reactivate.js'
import { afterReactivation, lockedTargetOf } from '../reactivation.js'
import { checkCsrf, saveSession, sessionPath, type LinkSession } from '../session.js'
import { nextStep, stepPath } from '../flow.js'

const CODE = /^\d{4,10}$/

const userAct = (req: FastifyRequest): UserAct => ({ user: 'link-session', req })

function frozen (lang: Lang, failures: number): AppError {
  return new AppError('BSB_CLIENT_FROZEN', { detail: `reactivation refused: frozen after ${failures} consecutive wrong codes`, userMessage: tr(lang, 'frozen') })
}

function noPhone (lang: Lang): AppError {
  return new AppError('BSB_ACCOUNT_LOCKED', { detail: 'locked client without a registered phone: ops unlock only', userMessage: tr(lang, 'noPhone') })
}

interface AtStep { session: LinkSession, target: LockTarget, lang: Lang }

export async function reactivateRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  const { s } = ctx

  /** The session and its client's lock; null once redirected (nothing, or nothing anymore, to reactivate). */
  async function atReactivateStep (req: FastifyRequest, reply: FastifyReply): Promise<AtStep | null> {
    const session = await sessionOf(ctx, req)
    const target = await nextStep(s, session) === 'reactivate' ? await lockedTargetOf(s, session) : null
    if (target !== null) return { session, target, lang: langOf(session.lang) }
    await reply.redirect(await stepPath(s, session), 303)
    return null
  }

  /** The page for the lock as it is now; a frozen client or a phoneless database gets the error page instead. */
  async function render (reply: FastifyReply, at: AtStep, status: number, error?: ReactivatePageInput['error']): Promise<FastifyReply> {
    const target = await lockedTargetOf(s, at.session) ?? at.target
    if (target.client.frozen) throw frozen(at.lang, target.unlockFailures)
    const phone = await registeredPhone(s, at.session.dbUuid)
    if (phone === null) throw noPhone(at.lang)
    const codeLive = await hasLiveCode(s, target)
    return sendPage(reply, reactivatePage({ session: at.session, lang: at.lang, maskedPhone: maskPhone(phone), codeLive, error }), status)
  }

  app.get('/s/:sid/reactivate', async (req, reply) => {
    const at = await atReactivateStep(req, reply)
    return at === null ? reply : await render(reply, at, 200)
  })

  app.post('/s/:sid/reactivate/send', async (req, reply) => {
    const at = await atReactivateStep(req, reply)
    if (at === null) return reply
    checkCsrf(at.session, field(req.body, 'csrf'))
    const sent = await requestUnlockCode(s, ctx.sms, at.target.client.clientId, userAct(req))
    if (sent.status === 'frozen') throw frozen(at.lang, sent.failures)
    if (sent.status === 'limited') {
      const text = sent.limit === 'gap' ? t(at.lang, 'waitResend', { seconds: sent.retryAfterSeconds }) : t(at.lang, 'tooManyCodes')
      return await render(reply.header('retry-after', String(sent.retryAfterSeconds)), at, 429, { field: 'send', text })
    }
    if (sent.status === 'not_sent' && sent.reason === 'no_registered_phone') throw noPhone(at.lang)
    // Sent, or the lock went away meanwhile (unlocked elsewhere): the next step tells which.
    return reply.redirect(sessionPath(at.session, 'reactivate'), 303)
  })

  app.post('/s/:sid/reactivate/verify', async (req, reply) => {
    const at = await atReactivateStep(req, reply)
    if (at === null) return reply
    checkCsrf(at.session, field(req.body, 'csrf'))
    const code = field(req.body, 'code').replace(/\s/g, '').slice(0, 16)
    // Not a try: a typo that cannot be a code is not sent to Twilio (which would end the code).
    if (!CODE.test(code)) return await render(reply, at, 422, { field: 'code', text: tr(at.lang, 'codeDigits') })
    const checked = await checkUnlockCode(s, ctx.sms, at.target.client.clientId, code, userAct(req))
    if (checked.status === 'unlocked') {
      await afterReactivation(s, at.session)
      await saveSession(s, at.session)
      return reply.redirect(await stepPath(s, at.session), 303)
    }
    if (checked.status === 'frozen' || (checked.status === 'wrong' && checked.frozen)) throw frozen(at.lang, checked.failures)
    if (checked.status === 'wrong' && checked.triesLeft > 0) return await render(reply, at, 422, { field: 'code', text: t(at.lang, 'codeWrong', { left: checked.triesLeft }) })
    return await render(reply, at, 422, { field: 'send', text: t(at.lang, checked.status === 'wrong' ? 'codeEnded' : 'codeExpired') })
  })
}
