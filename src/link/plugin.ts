/**
 * The link flow: the OdooFin pop-up script, the pop-up pages under /link, the dashboard
 * institutions (with the catalogue behind the search) and, in sandbox mode, the /demo host.
 * Link pages render their own HTML error page; they are not part of the OpenAPI surface.
 */
import type { FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import type { Services } from '../services.js'
import { AppError } from '../errors.js'
import { createCatalogue } from '../catalogue/service.js'
import { dashboardRoutes } from '../catalogue/dashboard-routes.js'
import type { SmsVerifier } from '../sms/verify.js'
import type { LinkContext } from './context.js'
import { errorPage } from './pages/error.js'
import { linkHeaders } from './html.js'
import { assetRoutes } from './assets.js'
import { odoofinScriptRoute } from './odoofin-script.js'
import { startRoutes } from './routes/start.js'
import { phoneRoutes } from './routes/phone.js'
import { searchRoutes } from './routes/search.js'
import { consentRoutes } from './routes/consent.js'
import { callbackRoutes } from './routes/callback.js'
import { doneRoutes } from './routes/done.js'
import { existingRoutes } from './routes/existing.js'
import { reactivateRoutes } from './routes/reactivate.js'
import { demoPlugin } from './demo/plugin.js'
import { smsVerifierFor } from '../sms/verifier-for.js'

export interface LinkPluginOptions {
  services: Services
  /** Tests may swap the SMS port; by default Twilio Verify (its local sandbox in sandbox mode). */
  sms?: SmsVerifier
}


async function linkPages (app: FastifyInstance, ctx: LinkContext): Promise<void> {
  app.addHook('onRoute', (route) => { route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema })
  await app.register(formbody, { bodyLimit: 16_384 })
  app.addHook('onRequest', async (req, reply) => {
    // Set first so error pages carry them too.
    linkHeaders(reply)
    req.bsb.renderErrorPage = (err, reference) => errorPage(err, reference, 'en', null)
  })
  app.setNotFoundHandler(async (req) => {
    req.bsb.renderErrorPage = (err, reference) => errorPage(err, reference, 'en', null)
    throw new AppError('BSB_NOT_FOUND', { detail: `no link page ${req.method} ${req.url.split('?')[0] as string}`.slice(0, 300), userMessage: 'This page does not exist. Close this window and start again from Odoo.' })
  })
  await assetRoutes(app)
  await startRoutes(app, ctx)
  await reactivateRoutes(app, ctx)
  await phoneRoutes(app, ctx)
  await existingRoutes(app, ctx)
  await searchRoutes(app, ctx)
  await consentRoutes(app, ctx)
  await callbackRoutes(app, ctx)
  await doneRoutes(app, ctx)
}

export async function linkPlugin (app: FastifyInstance, opts: LinkPluginOptions): Promise<void> {
  const s = opts.services
  const catalogue = createCatalogue(s)
  const ctx: LinkContext = { s, catalogue, sms: opts.sms ?? smsVerifierFor(s) }
  app.addHook('onListen', async () => { catalogue.start() })
  app.addHook('onClose', async () => { catalogue.stop() })
  await app.register(odoofinScriptRoute, { publicUrl: s.config.publicUrl })
  await app.register(dashboardRoutes, { catalogue })
  await app.register(linkPages, { prefix: '/link', ...ctx })
  if (s.config.providerMode === 'sandbox') await app.register(demoPlugin, { prefix: '/demo', services: s })
}
