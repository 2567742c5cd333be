/** Phone verification pages: Send code (with our send limits) and Verify (with our try limits). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../errors.js'
import { SmsError } from '../../sms/verify.js'
import { field, sessionOf, type LinkContext } from '../context.js'
import { sendPage } from '../html.js'
import { langOf, t } from '../i18n.js'
import { phonePage } from '../pages/phone.js'
import { checkCode, codeSent, markVerified, normalizePhone, reserveSend, SMS_RULES } from '../phone-verification.js'
import { checkCsrf, saveSession, sessionPath, type LinkSession } from '../session.js'
import { nextStep, stepPath } from '../flow.js'
import { onWrongSmsCode } from '../../locks/detect.js'

function render (reply: FastifyReply, session: LinkSession, status: number, phoneValue: string, error?: { field: 'phone' | 'code', text: string }): FastifyReply {
  return sendPage(reply, phonePage({ session, lang: langOf(session.lang), phoneValue, error }), status)
}

export async function phoneRoutes (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  const { s } = ctx

  async function atPhoneStep (req: FastifyRequest, reply: FastifyReply): Promise<LinkSession | null> {
    const session = await sessionOf(ctx, req)
    if (await nextStep(s, session) === 'phone') return session
    await reply.redirect(await stepPath(s, session), 303)
    return null
  }

  app.get('/s/:sid/phone', async (req, reply) => {
    const session = await atPhoneStep(req, reply)
    if (session === null) return reply
    return render(reply, session, 200, session.pendingPhone ?? session.phoneHint ?? '')
  })

  app.post('/s/:sid/phone/send', async (req, reply) => {
    const session = await atPhoneStep(req, reply)
    if (session === null) return reply
    checkCsrf(session, field(req.body, 'csrf'))
    const lang = langOf(session.lang)
    const typed = field(req.body, 'phone').slice(0, 64)
    const phone = normalizePhone(typed)
    if (phone === null) return render(reply, session, 422, typed, { field: 'phone', text: t(lang, 'phoneInvalid') })
    const allowed = await reserveSend(s, session.dbUuid, phone)
    if (!allowed.ok) {
      const text = allowed.reason === 'wait' ? t(lang, 'waitResend', { seconds: allowed.seconds }) : t(lang, 'tooManyCodes')
      return render(reply.header('retry-after', String(allowed.reason === 'wait' ? allowed.seconds : SMS_RULES.perPhoneWindowMs / 1000)), session, 429, typed, { field: 'phone', text })
    }
    try {
      await ctx.sms.send(phone)
    } catch (err) {
      if (err instanceof SmsError && (err.kind === 'invalid_number' || err.kind === 'blocked')) return render(reply, session, 422, typed, { field: 'phone', text: t(lang, 'phoneRefused') })
      if (err instanceof SmsError && err.kind === 'too_many_sends') return render(reply, session, 429, typed, { field: 'phone', text: t(lang, 'tooManyCodes') })
      throw new AppError('BSB_SMS_UNAVAILABLE', { detail: `sms send: ${(err as Error).message}`, cause: err })
    }
    await codeSent(s, session.dbUuid, phone)
    session.pendingPhone = phone
    await saveSession(s, session)
    return reply.redirect(sessionPath(session, 'phone'), 303)
  })

  app.post('/s/:sid/phone/verify', async (req, reply) => {
    const session = await atPhoneStep(req, reply)
    if (session === null) return reply
    checkCsrf(session, field(req.body, 'csrf'))
    const lang = langOf(session.lang)
    const phone = session.pendingPhone
    if (phone === null) return render(reply, session, 422, session.phoneHint ?? '', { field: 'phone', text: t(lang, 'codeExpired') })
    const result = await checkCode(s, ctx.sms, session.dbUuid, phone, field(req.body, 'code').slice(0, 16))
    if (result.outcome === 'approved') {
      await markVerified(s, session.dbUuid, phone, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null })
      session.phoneVerified = true
      session.pendingPhone = null
      await saveSession(s, session)
      return reply.redirect(await stepPath(s, session), 303)
    }
    if (result.outcome === 'wrong') {
      await onWrongSmsCode(s, req, session.dbUuid, null, 'phone verification')
      return render(reply, session, 422, phone, { field: 'code', text: t(lang, 'codeWrong', { left: result.left }) })
    }
    if (result.outcome === 'ended') {
      await s.audit.record({ type: 'phone_code_tries_exhausted', actor: 'user', dbUuid: session.dbUuid, ip: req.ip })
    }
    session.pendingPhone = null
    await saveSession(s, session)
    return render(reply, session, 422, phone, { field: 'phone', text: t(lang, result.outcome === 'ended' ? 'codeEnded' : 'codeExpired') })
  })
}
