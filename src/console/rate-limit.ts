/**
 * The console's request limits: the admin surface's own (RATE_LIMIT_ADMIN_IP per source IP,
 * RATE_LIMIT_ADMIN_USER per admin `sub`), counted in the same Redis windows as /admin/*, so the
 * console and the API share one budget. The app-level limiters skip /console (they key on the
 * /proxy and /admin prefixes), hence these route hooks: per IP on onRequest (before the session is
 * checked), per admin on preHandler (after the guard found the `sub`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { redisStoreClass } from '../plugins/rate-limit.js'

const NO_ADMIN = '-'

const refuse = (what: string) => (_req: FastifyRequest, ctx: { max: number, ttl: number }): AppError =>
  new AppError('BSB_RATE_LIMITED', { detail: `console, ${what}: more than ${ctx.max} requests per window`, retryAfterSeconds: Math.max(1, Math.ceil(ctx.ttl / 1000)) })

export async function consoleRateLimits (app: FastifyInstance, s: Services): Promise<void> {
  const l = s.config.rateLimits
  const common = { global: true, timeWindow: l.windowMs, enableDraftSpec: true, skipOnError: false }
  await app.register(rateLimit, {
    ...common,
    hook: 'onRequest',
    store: redisStoreClass(s, 'console-ip'),
    keyGenerator: req => `admin:ip:${req.ip}`,
    max: l.adminPerIp,
    errorResponseBuilder: refuse('source IP')
  })
  await app.register(rateLimit, {
    ...common,
    hook: 'preHandler',
    store: redisStoreClass(s, 'console-admin'),
    keyGenerator: req => req.admin === null ? NO_ADMIN : `admin:u:${req.admin.subject}`,
    allowList: (_req, key) => key === NO_ADMIN,
    max: l.adminPerUser,
    errorResponseBuilder: refuse('admin')
  })
}
