/** The admin API (`/admin/*`): bearer JWT required; support reads, ops also writes. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { createAdminAuth, type AdminIdentity } from './auth.js'
import { subscriptionRoutes } from './subscriptions.js'
import { supportRoutes } from './support.js'
import { lockRoutes } from './locks.js'

declare module 'fastify' {
  interface FastifyRequest { admin: AdminIdentity | null }
  interface FastifyContextConfig { adminRole?: 'ops' | 'support' }
}

export interface AdminOptions {
  services: Services
  routes?: Array<(app: FastifyInstance) => Promise<void>>
}

export function requireOps (req: FastifyRequest): AdminIdentity {
  if (req.admin === null || req.admin.role !== 'ops') throw new AppError('BSB_ADMIN_FORBIDDEN', { detail: 'ops role required' })
  return req.admin
}

export async function adminPlugin (app: FastifyInstance, opts: AdminOptions): Promise<void> {
  const auth = createAdminAuth(opts.services.config.admin, opts.services.now)
  app.decorateRequest('admin', null)
  app.addHook('onRequest', async (req) => {
    req.admin = await auth.verify(req.headers.authorization)
    if (req.routeOptions.config.adminRole === 'ops') requireOps(req)
  })
  await app.register(subscriptionRoutes, { services: opts.services })
  await app.register(supportRoutes, { services: opts.services })
  await app.register(lockRoutes, { services: opts.services })
  for (const register of opts.routes ?? []) await app.register(register)
}
