/**
 * The Yodlee sandbox: a local Core API v1.1 (auth, providers, accounts, transactions, providerAccounts,
 * consents) and FastLink 4, serving the kit's sandbox banks. State lives in this plugin instance.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { SandboxOptions } from '../../module.js'
import { registerAuthRoutes } from './auth-routes.js'
import { registerControlRoutes } from './control-routes.js'
import { registerDataRoutes } from './data-routes.js'
import { registerFastLinkRoutes } from './fastlink-routes.js'
import { registerLinkRoutes } from './link-routes.js'
import { createAuthHook } from './reply.js'
import { createStore } from './store.js'

const FORM = 'application/x-www-form-urlencoded'

function ensureFormParser (app: FastifyInstance): void {
  // The broker may already parse forms (e.g. @fastify/formbody); a second parser would throw.
  if (app.hasContentTypeParser(FORM)) return
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    const out: Record<string, string> = {}
    for (const [k, v] of new URLSearchParams(body as string)) if (!(k in out)) out[k] = v
    done(null, out)
  })
}

export const yodleeSandbox: FastifyPluginAsync<SandboxOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now
  const slowMs = opts.slowMs ?? 2_000
  const store = createStore(opts.seed)
  ensureFormParser(app)

  registerAuthRoutes(app, store, now)
  registerFastLinkRoutes(app, { store, now, baseUrl: opts.baseUrl })
  registerControlRoutes(app, { store, now })

  await app.register(async api => {
    api.addHook('preHandler', createAuthHook(store, now))
    registerDataRoutes(api, { store, now, slowMs })
    registerLinkRoutes(api, { store, now, slowMs })
  })
}
