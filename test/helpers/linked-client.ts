/**
 * Links a sandbox bank end to end without a browser: provider consent (driven over HTTP), an
 * exchange token as the link pop-up mints it, then `/proxy/v1/exchange_token` like Odoo.
 */
import { randomBytes } from 'node:crypto'
import { buildTestApp, type TestApp } from './app.js'
import { createOdooClient, unsignedCall, type OdooLink } from './odoo-client.js'
import { freePort } from './net.js'
import { driveConsent } from './consent-driver.js'
import type { ProviderId } from '../../providers/types.js'

export async function linkSandboxBank (h: TestApp, provider: ProviderId, country: string, bankName: string, dbUuid: string): Promise<OdooLink & { institutionId: string }> {
  const s = h.app.services
  const adapter = s.providers.get(provider)!.adapter
  const institution = (await adapter.listInstitutions(country)).find(i => i.name === bankName)
  if (institution === undefined) throw new Error(`${provider} has no ${bankName} in ${country}`)
  const redirectUri = `${h.config.publicUrl}/link/callback/${provider}`
  const state = randomBytes(16).toString('hex')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri, state, lang: 'en', userEmail: 'owner@example.com', psu: { ip: '203.0.113.7', userAgent: 'test' }, existing: null })
  const callback = await driveConsent(start.url, redirectUri)
  const connection = await adapter.completeConsent({ institutionId: institution.id, redirectUri, pending: start.pending, callback, existing: null })
  const { historyDays, refreshPolicy, beta, consentDays, name, bic } = institution
  const token = await s.exchangeTokens.mint({ dbUuid, link: { provider, institutionId: institution.id, institution: { name, bic, country: institution.country, refreshPolicy, historyDays, beta, consentDays }, connection, consentExpiresAt: null } })
  const r = await unsignedCall(h.app, '/proxy/v1/exchange_token', { exchange_token: token, company_id: 1, user_id: 2 }, { dbUuid })
  if (r.result === undefined) throw new Error(`exchange failed: ${JSON.stringify(r.error)}`)
  return { clientId: r.result.client_id, refreshToken: r.result.refresh_token, accessToken: r.result.access_token, institutionId: institution.id }
}

/**
 * A listening test broker, an entitled database and one linked sandbox bank, with an Odoo client
 * that signs as that database: the set-up of most proxy tests.
 */
export async function linkedOdooClient (t: Parameters<typeof buildTestApp>[0], provider: ProviderId, country: string, bankName: string, dbUuid: string) {
  const port = await freePort()
  const h = await buildTestApp(t, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` })
  await h.app.listen({ port, host: '127.0.0.1' })
  await h.app.services.subscriptions.set(dbUuid, 'enterprise', '2099-12-31', 'test')
  const link = await linkSandboxBank(h, provider, country, bankName, dbUuid)
  return { h, link, odoo: createOdooClient(h.app, link, { dbUuid, now: h.clock.now }) }
}
