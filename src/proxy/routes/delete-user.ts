/**
 * `/proxy/v1/delete_user`: the Odoo link is being deleted. Revokes the consent at the provider
 * (idempotent) and forgets the client. Answers `{delete: true}`; an unknown client answers 104,
 * which the client also treats as deleted.
 */
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../../services.js'
import { envelope, proxyBody, SIGNED_HEADERS } from '../../schemas/proxy.js'
import { resultEnvelope } from '../../protocol/envelope.js'
import { passGate } from '../gate.js'
import { readLink, removeLink } from '../../link/store.js'

export async function deleteUserRoute (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  app.post('/proxy/v1/delete_user', {
    schema: {
      summary: 'Delete the link: revoke the consent at the provider and forget the client (idempotent).',
      tags: ['odoo'],
      operationId: 'deleteUser',
      headers: SIGNED_HEADERS,
      body: proxyBody({ provider_data: Type.Optional(Type.Unknown()) }),
      response: { 200: envelope(Type.Object({ delete: Type.Boolean() })) }
    }
  }, async (req) => {
    const { client } = await passGate(s, req, { tokens: 'ordinary', skipSubscription: true, deleting: true })
    const link = await readLink(s, client.dbUuid, client.clientId)
    const entry = link?.provider !== undefined ? s.providers.get(link.provider) : undefined
    if (entry !== undefined && link?.connection !== undefined) await entry.adapter.revoke(link.connection)
    await removeLink(s, client.dbUuid, client.clientId)
    await s.clients.remove(client)
    await s.audit.record({ type: 'client_deleted', actor: 'odoo', clientId: client.clientId, dbUuid: client.dbUuid, ip: req.ip })
    return resultEnvelope({ delete: true })
  })
}
