/**
 * The ops and support web console at /console: server-rendered pages behind the admin JWT (kept in
 * a session cookie), no script, every form CSRF-protected, limited like /admin/*. Failures take the
 * app's one error path (reference, log line, record); this plugin only renders its problem+json
 * as a page. Not part of the OpenAPI surface.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import formbody from '@fastify/formbody'
import type { Services } from '../services.js'
import type { Problem } from '../protocol/problem.js'
import { smsVerifierFor } from '../sms/verifier-for.js'
import type { SmsVerifier } from '../sms/verify.js'
import type { ConsoleContext } from './context.js'
import { createConsoleSession } from './session.js'
import { consoleGuard, SIGN_IN_PATH } from './guard.js'
import { consoleHeaders } from './layout.js'
import { consoleRateLimits } from './rate-limit.js'
import { notFoundPage, problemPage } from './pages/problem.js'
import { assetRoutes } from './assets.js'
import { sessionRoutes } from './routes/session.js'
import { homeRoutes } from './routes/home.js'
import { errorRoutes } from './routes/errors.js'
import { clientRoutes } from './routes/clients.js'

export interface ConsolePluginOptions {
  services: Services
  /** Tests may swap the SMS port; by default Twilio Verify (its local sandbox in sandbox mode). */
  sms?: SmsVerifier
}

function backLink (req: FastifyRequest, status: number): { href: string, label: string } {
  if (status === 401) return { href: SIGN_IN_PATH, label: 'Sign in' }
  const client = /^\/console\/clients\/([A-Za-z0-9_-]{1,64})\//.exec(req.url)
  if (client !== null) return { href: `/console/clients/${client[1] as string}`, label: 'Back to the client' }
  return { href: '/console', label: 'Console home' }
}

async function problemAsPage (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')) return payload
  const problem = JSON.parse(payload) as Problem
  reply.type('text/html; charset=utf-8')
  return problemPage(problem, backLink(req, reply.statusCode), req.consoleViewer)
}

export async function consolePlugin (app: FastifyInstance, opts: ConsolePluginOptions): Promise<void> {
  const s = opts.services
  const ctx: ConsoleContext = { s, session: createConsoleSession(s), sms: opts.sms ?? smsVerifierFor(s) }
  app.addHook('onRoute', (route) => { route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema })
  await app.register(formbody, { bodyLimit: 16_384 })
  app.decorateRequest('admin', null)
  app.decorateRequest('consoleViewer', null)
  // Set first so every answer carries them, error pages and redirects included.
  app.addHook('onRequest', async (_req, reply) => { consoleHeaders(reply) })
  await consoleRateLimits(app, s)
  app.addHook('preValidation', consoleGuard(ctx.session))
  app.addHook('onSend', problemAsPage)
  // No error record for a mistyped console URL: nothing failed, and records cost Redis writes.
  app.setNotFoundHandler(async (req, reply) => await reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(req.consoleViewer)))
  await assetRoutes(app)
  await sessionRoutes(app, ctx)
  await homeRoutes(app, ctx)
  await errorRoutes(app, ctx)
  await clientRoutes(app, ctx)
}
