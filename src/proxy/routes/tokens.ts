/** Token lifecycle endpoints: exchange_token (unsigned), get_access_token, renew_token. */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../../errors.js'
import type { Services } from '../../services.js'
import { envelope, proxyBody, SIGNED_HEADERS } from '../../schemas/proxy.js'
import { resultEnvelope } from '../../protocol/envelope.js'
import { passGate } from '../gate.js'
import { utilsOf } from '../utils.js'
import { exchangeRouteHooks } from '../../locks/hooks.js'

export type OnClientCreated = (dbUuid: string, clientId: string, link: Record<string, unknown>) => Promise<void>

export async function tokenRoutes (app: FastifyInstance, opts: { services: Services, onClientCreated: OnClientCreated }): Promise<void> {
  const s = opts.services

  app.post('/proxy/v1/exchange_token', {
    schema: {
      summary: 'Trade the single-use exchange token from the link pop-up for client credentials (unsigned).',
      tags: ['odoo'],
      operationId: 'exchangeToken',
      body: proxyBody({ exchange_token: Type.Unknown(), company_id: Type.Optional(Type.Unknown()), user_id: Type.Optional(Type.Unknown()) }),
      response: { 200: envelope(Type.Object({ client_id: Type.String(), refresh_token: Type.String(), access_token: Type.String() })) }
    },
    ...exchangeRouteHooks(s)
  }, async (req) => {
    const utils = utilsOf(req.body)
    req.bsb.dbUuid = utils.dbUuid
    const raw = (req.body as { exchange_token?: unknown }).exchange_token
    const token = typeof raw === 'string' ? raw : (raw !== null && typeof raw === 'object' && typeof (raw as { token?: unknown }).token === 'string' ? (raw as { token: string }).token : '')
    const payload = await s.exchangeTokens.consume(token)
    if (payload === null) throw new AppError('BSB_EXCHANGE_TOKEN_INVALID', { detail: 'unknown, expired or already used exchange token' })
    if (payload.dbUuid !== utils.dbUuid) {
      await s.audit.record({ type: 'exchange_foreign_db', actor: 'system', dbUuid: payload.dbUuid, ip: req.ip, detail: 'exchange token presented by another db_uuid' })
      throw new AppError('BSB_EXCHANGE_TOKEN_INVALID', { detail: 'exchange token minted for another database' })
    }
    await s.subscriptions.assertEntitled(utils.dbUuid)
    const created = await s.clients.create(utils.dbUuid)
    req.bsb.clientId = created.clientId
    await opts.onClientCreated(utils.dbUuid, created.clientId, payload.link)
    await s.audit.record({ type: 'client_created', actor: 'odoo', clientId: created.clientId, dbUuid: utils.dbUuid, ip: req.ip })
    return resultEnvelope({ client_id: created.clientId, refresh_token: created.refreshToken, access_token: created.accessToken })
  })

  app.post('/proxy/v1/get_access_token', {
    schema: {
      summary: 'New access token (accepts an expired one; never answers 101).',
      tags: ['odoo'],
      operationId: 'getAccessToken',
      headers: SIGNED_HEADERS,
      body: proxyBody(),
      response: { 200: envelope(Type.Object({ access_token: Type.String() })) }
    }
  }, async (req) => {
    const { client } = await passGate(s, req, { tokens: 'get_access_token', skipSubscription: true, deleting: false })
    return resultEnvelope({ access_token: await s.clients.issueAccessToken(client) })
  })

  app.post('/proxy/v1/renew_token', {
    schema: {
      summary: 'Rotate the refresh token (accepts the expired one; never answers 102). The previous token keeps signing for REFRESH_GRACE seconds.',
      tags: ['odoo'],
      operationId: 'renewToken',
      headers: SIGNED_HEADERS,
      body: proxyBody(),
      response: { 200: envelope(Type.Object({ refresh_token: Type.String() })) }
    }
  }, async (req) => {
    const { client, signedWithCurrent } = await passGate(s, req, { tokens: 'renew_token', skipSubscription: true, deleting: false })
    const refreshToken = await s.clients.rotateRefreshToken(client, signedWithCurrent)
    await s.audit.record({ type: 'refresh_rotated', actor: 'odoo', clientId: client.clientId, dbUuid: client.dbUuid, ip: req.ip })
    return resultEnvelope({ refresh_token: refreshToken })
  })
}
