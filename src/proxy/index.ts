/**
 * The `/proxy/*` surface (the Odoo wire protocol): JSON bodies kept raw for signature checks,
 * and every route in the HTTP-200 envelope.
 */
import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.js'
import type { Services } from '../services.js'
import { tokenRoutes, type OnClientCreated } from './routes/tokens.js'
import { deleteUserRoute } from './routes/delete-user.js'
import { accountsRoute } from './routes/accounts.js'
import { transactionRoutes } from './routes/transactions.js'
import { refreshRoute } from './routes/refresh.js'
import { connectionRoutes } from './routes/connection.js'

export interface ProxyOptions {
  services: Services
  onClientCreated: OnClientCreated
  /** Registers the endpoints later issues add (link data, accounts, transactions…). */
  routes?: Array<(app: FastifyInstance) => Promise<void>>
}

export async function proxyPlugin (app: FastifyInstance, opts: ProxyOptions): Promise<void> {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'string' }, (req, body, done) => {
    const text = body as string
    req.bsb.rawBody = text
    if (text.trim() === '') {
      done(new AppError('BSB_INVALID_REQUEST', { detail: 'empty body' }), undefined)
      return
    }
    parseJson(req, text, (err, value) => {
      if (err !== null) done(new AppError('BSB_INVALID_REQUEST', { detail: `body is not valid JSON: ${err.message}` }), undefined)
      else if (value === null || typeof value !== 'object' || Array.isArray(value)) done(new AppError('BSB_INVALID_REQUEST', { detail: 'body must be a JSON object' }), undefined)
      else done(null, value)
    })
  })
  await app.register(tokenRoutes, { services: opts.services, onClientCreated: opts.onClientCreated })
  await app.register(deleteUserRoute, { services: opts.services })
  await app.register(accountsRoute, { services: opts.services })
  await app.register(transactionRoutes, { services: opts.services })
  await app.register(refreshRoute, { services: opts.services })
  await app.register(connectionRoutes, { services: opts.services })
  for (const register of opts.routes ?? []) await app.register(register)
}
