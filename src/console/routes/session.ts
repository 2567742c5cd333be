/** Sign in (paste an admin token; it becomes the session cookie) and sign out. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { ConsoleContext } from '../context.js'
import { PRE_SESSION_COOKIE, readCookie, SESSION_COOKIE } from '../session.js'
import { signInPage } from '../pages/sign-in.js'
import { SIGN_IN_PATH, viewerOf } from '../guard.js'

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
// Like the admin API, a refused token is never told why (the reason is in the error record).
const REFUSED = 'This token was refused. Paste a current token from `banksync admin-token --role ops|support`.'
const SignInBody = Type.Object({ csrf: Type.String(), token: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false })

export async function sessionRoutes (app: FastifyInstance, { s, session }: ConsoleContext): Promise<void> {
  app.get('/sign-in', { config: { consolePublic: true } }, async (req, reply) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE)
    if (token !== null && await session.identify(token).then(() => true, () => false)) return await reply.redirect('/console', 303)
    const nonce = readCookie(req.headers.cookie, PRE_SESSION_COOKIE) ?? session.newNonce()
    return await reply.header('set-cookie', session.preSessionCookie(nonce)).type('text/html; charset=utf-8').send(signInPage(session.csrfForSignIn(nonce)))
  })

  app.post('/sign-in', { config: { consolePublic: true }, schema: { body: SignInBody } }, async (req, reply) => {
    const token = (req.body as { token: string }).token.trim()
    if (!JWT_SHAPE.test(token)) throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: 'sign-in: not a JWT', userMessage: REFUSED })
    const who = await session.identify(token).catch((err: unknown) => {
      throw err instanceof AppError && err.code === 'BSB_ADMIN_UNAUTHORIZED' ? new AppError(err.code, { ...err.context, userMessage: REFUSED }) : err
    })
    await s.audit.record({ type: 'console_sign_in', actor: `admin:${who.subject}`, ip: req.ip, userAgent: req.headers['user-agent'] ?? null, detail: `role=${who.role}; request_id=${String(req.id)}` })
    return await reply.header('set-cookie', [session.sessionCookie(token), session.clearCookie(PRE_SESSION_COOKIE)]).redirect('/console', 303)
  })

  app.post('/sign-out', { schema: { body: Type.Object({ csrf: Type.String() }, { additionalProperties: false }) } }, async (req, reply) => {
    const v = viewerOf(req)
    await s.audit.record({ type: 'console_sign_out', actor: `admin:${v.subject}`, ip: req.ip, userAgent: req.headers['user-agent'] ?? null, detail: `request_id=${String(req.id)}` })
    return await reply.header('set-cookie', session.clearCookie(SESSION_COOKIE)).redirect(SIGN_IN_PATH, 303)
  })
}
