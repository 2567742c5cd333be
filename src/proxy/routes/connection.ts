/**
 * Consent and access endpoints: `/proxy/v1/consent_expiring_date` (15–17),
 * `/proxy/v2/connection_status` (18+) and `/proxy/v1/authorize_access` (17+: records the accounts
 * Odoo activated and grants the next link pop-up a look at the others, src/link/existing-accounts.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Services } from '../../services.js'
import { envelope, proxyBody, SIGNED_HEADERS } from '../../schemas/proxy.js'
import { resultEnvelope } from '../../protocol/envelope.js'
import { allStoredAccounts, linkContext } from '../link-context.js'
import { writeLink } from '../../link/store.js'
import { isRecordAccessToken, recordAuthorizeAccess, unlinkedAccounts } from '../../link/existing-accounts.js'

async function consentStatus (s: Services, req: FastifyRequest): Promise<unknown> {
  const ctx = await linkContext(s, req)
  let expires = ctx.link.consentExpiresAt ?? null
  if (expires === null) {
    const entry = s.providers.get(ctx.link.provider as string)
    expires = await entry!.adapter.consentExpiry(ctx.link.connection!)
    if (expires !== null) await writeLink(s, ctx.dbUuid, ctx.clientId, { ...ctx.link, consentExpiresAt: expires })
  }
  if (expires === null) return resultEnvelope({ odoofin_state: 'connected' })
  const date = expires.slice(0, 10)
  return resultEnvelope({
    consent_expiring_date: date,
    activity_message: `Your consent for ${ctx.link.institution?.name ?? 'this bank'} expires on ${date}. Renew it with "Update Credentials" before then to keep your statements synchronized.`,
    odoofin_state: 'connected'
  })
}

const StatusResult = Type.Object({ consent_expiring_date: Type.Optional(Type.String()), activity_message: Type.Optional(Type.String()), odoofin_state: Type.Optional(Type.String()) })

export async function connectionRoutes (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  app.post('/proxy/v1/consent_expiring_date', { schema: { summary: 'When the bank consent expires (Odoo 15–17).', tags: ['odoo'], operationId: 'consentExpiringDate', headers: SIGNED_HEADERS, body: proxyBody(), response: { 200: envelope(StatusResult) } } }, async req => await consentStatus(s, req))
  app.post('/proxy/v2/connection_status', { schema: { summary: 'Connection status and consent expiry (Odoo 18+).', tags: ['odoo'], operationId: 'connectionStatus', headers: SIGNED_HEADERS, body: proxyBody(), response: { 200: envelope(StatusResult) } } }, async req => await consentStatus(s, req))

  app.post('/proxy/v1/authorize_access', {
    schema: {
      summary: 'Let the link pop-up offer this link\'s accounts that no journal uses yet.',
      tags: ['odoo'],
      operationId: 'authorizeAccess',
      headers: SIGNED_HEADERS,
      body: proxyBody({ linked_accounts: Type.Optional(Type.Unknown()), record_access_token: Type.Optional(Type.Unknown()) }),
      response: { 200: envelope(Type.Object({ has_unlinked_accounts: Type.Boolean() })) }
    }
  }, async (req) => {
    const ctx = await linkContext(s, req)
    const body = req.body as { linked_accounts?: unknown, record_access_token?: unknown }
    const activated = Array.isArray(body.linked_accounts) ? body.linked_accounts.slice(0, 1000).map(String) : []
    const unlinked = unlinkedAccounts(await allStoredAccounts(s, ctx), activated)
    await recordAuthorizeAccess(s, ctx.dbUuid, ctx.clientId, activated, isRecordAccessToken(body.record_access_token) ? body.record_access_token : null)
    return resultEnvelope({ has_unlinked_accounts: unlinked.length > 0 })
  })
}
