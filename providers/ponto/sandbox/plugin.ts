/**
 * The Ponto Connect sandbox as a Fastify plugin: a local, faithful server of the Ibanity API
 * shapes (OAuth2 + PKCE, JSON:API, synchronizations, signed webhooks) over the shared sandbox banks.
 * Mount it with a prefix, e.g. `/sandbox/ponto`; `opts.baseUrl` is that mount's absolute URL.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { SandboxOptions } from '../../module.js'
import { apiRoutes } from './api-routes.js'
import type { SandboxContext } from './context.js'
import { controlRoutes } from './control-routes.js'
import { buildCatalog } from './data.js'
import { requestId } from './jsonapi.js'
import { oauthRoutes } from './oauth-routes.js'
import { createState } from './state.js'
import { deliverFinishedSyncs, webhookKeyRoutes } from './webhooks.js'

const FORM = 'application/x-www-form-urlencoded'

export const pontoSandbox: FastifyPluginAsync<SandboxOptions> = async (app, opts) => {
  const ctx: SandboxContext = {
    state: createState(),
    catalog: buildCatalog(opts.seed),
    opts,
    now: opts.now ?? Date.now,
    baseUrl: opts.baseUrl.replace(/\/+$/, '')
  }
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 65_536 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
  }
  app.addHook('onRequest', async () => { deliverFinishedSyncs(ctx) })
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('ibanity-request-id')) reply.header('ibanity-request-id', requestId())
  })
  oauthRoutes(app, ctx)
  apiRoutes(app, ctx)
  webhookKeyRoutes(app)
  controlRoutes(app, ctx)
}
