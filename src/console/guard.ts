/**
 * The console's request guard (preValidation: after the body is parsed, before it is validated):
 * a valid session for every page but sign-in and assets, the form's CSRF token on every POST, and
 * role ops for the routes that act. A GET without a valid session goes to the sign-in page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import { requireOps } from '../admin/index.js'
import type { AdminIdentity } from '../admin/auth.js'
import { PRE_SESSION_COOKIE, readCookie, SESSION_COOKIE, type ConsoleSession } from './session.js'
import type { Viewer } from './layout.js'

declare module 'fastify' {
  interface FastifyRequest { consoleViewer: Viewer | null }
  interface FastifyContextConfig { consolePublic?: boolean }
}

export const SIGN_IN_PATH = '/console/sign-in'

const formExpired = (): AppError => new AppError('BSB_ADMIN_FORBIDDEN', { detail: 'console: CSRF token missing or wrong, or a cross-site form', userMessage: 'This form has expired or was not sent from a console page. Go back, reload the page and try again.' })

async function identityOf (session: ConsoleSession, token: string | null): Promise<AdminIdentity | null> {
  if (token === null) return null
  try {
    return await session.identify(token)
  } catch (err) {
    if (err instanceof AppError && err.code === 'BSB_ADMIN_UNAUTHORIZED') return null
    throw err
  }
}

export function consoleGuard (session: ConsoleSession) {
  return async function guard (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const isPublic = req.routeOptions.config.consolePublic === true
    const posted = req.method === 'POST'
    let expectedCsrf: string | null = null
    if (isPublic) {
      const nonce = readCookie(req.headers.cookie, PRE_SESSION_COOKIE)
      if (nonce !== null) expectedCsrf = session.csrfForSignIn(nonce)
    } else {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE)
      const who = await identityOf(session, token)
      if (who === null) {
        if (token !== null) reply.header('set-cookie', session.clearCookie(SESSION_COOKIE))
        if (!posted) return await reply.redirect(SIGN_IN_PATH, 303)
        throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: token === null ? 'console: no session' : 'console: session token refused', userMessage: 'You are not signed in, or your session has expired. Sign in again.' })
      }
      req.admin = who
      expectedCsrf = session.csrfForSession(token as string)
      req.consoleViewer = { subject: who.subject, role: who.role, csrf: expectedCsrf }
    }
    if (posted) {
      const given = (req.body as { csrf?: unknown } | null | undefined)?.csrf
      if (expectedCsrf === null || !session.matches(expectedCsrf, given) || req.headers['sec-fetch-site'] === 'cross-site') throw formExpired()
    }
    if (req.routeOptions.config.adminRole === 'ops') requireOps(req)
    return undefined
  }
}

/** The viewer of a route behind the guard. */
export function viewerOf (req: FastifyRequest): Viewer {
  if (req.consoleViewer === null) throw new AppError('BSB_ADMIN_UNAUTHORIZED', { detail: 'console: no session' })
  return req.consoleViewer
}
