/**
 * Odoo databases linked to a sandbox bank, made the way production makes them: the provider's
 * consent driven over HTTP on the broker's own sandbox, an exchange token minted as the link
 * pop-up mints it, then `/proxy/v1/exchange_token` over HTTP as Odoo calls it.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { request } from 'undici'
import type { ProviderId } from '../../providers/types.js'
import type { LinkData } from '../../src/link/store.js'
import { driveConsent } from '../../test/helpers/consent-driver.js'
import type { BrokerUnderTest } from './harness.js'
import { odooUtils, type OdooCredentials } from './signed.js'

const DAY_MS = 86_400_000

/** One approved consent at a sandbox bank, as the link flow stores it (src/link/finish.ts). */
export async function consentSandboxBank (b: BrokerUnderTest, provider: ProviderId, country: string, bankName: string): Promise<LinkData> {
  const adapter = b.control.services.providers.get(provider)!.adapter
  const institution = (await adapter.listInstitutions(country)).find(i => i.name === bankName)
  if (institution === undefined) throw new Error(`${provider} has no ${bankName} in ${country}`)
  const redirectUri = `${b.config.publicUrl}/link/callback/${provider}`
  const state = randomBytes(16).toString('hex')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri, state, lang: 'en', userEmail: 'bench@example.com', psu: { ip: '203.0.113.7', userAgent: 'bench' }, existing: null })
  const callback = await driveConsent(start.url, redirectUri)
  const connection = await adapter.completeConsent({ institutionId: institution.id, redirectUri, pending: start.pending, callback, existing: null })
  const expiry = await adapter.consentExpiry(connection)
  const consentExpiresAt = expiry !== null ? expiry.slice(0, 10) : institution.consentDays === null ? null : new Date(Date.now() + institution.consentDays * DAY_MS).toISOString().slice(0, 10)
  const { name, bic, refreshPolicy, historyDays, beta, consentDays } = institution
  return { provider, institutionId: institution.id, institution: { name, bic, country: institution.country, refreshPolicy, historyDays, beta, consentDays }, connection, consentExpiresAt }
}

async function registerOne (b: BrokerUnderTest, link: LinkData): Promise<OdooCredentials> {
  const s = b.control.services
  const dbUuid = `bench-${randomUUID()}`
  await s.subscriptions.set(dbUuid, 'enterprise', '2099-12-31', 'bench')
  const token = await s.exchangeTokens.mint({ dbUuid, link })
  const res = await request(`${b.server.url}/proxy/v1/exchange_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ exchange_token: token, company_id: 1, user_id: 2, utils: odooUtils(dbUuid, '18.0') })
  })
  const answer = await res.body.json() as { result?: { client_id: string, refresh_token: string, access_token: string }, error?: unknown }
  if (answer.result === undefined) throw new Error(`exchange_token failed: ${JSON.stringify(answer.error)}`)
  return { dbUuid, clientId: answer.result.client_id, refreshToken: answer.result.refresh_token, accessToken: answer.result.access_token }
}

/** `count` databases, each with its own subscription and client, all on the same bank connection. */
export async function registerClients (b: BrokerUnderTest, link: LinkData, count: number): Promise<OdooCredentials[]> {
  const out: OdooCredentials[] = []
  const CONCURRENCY = 8
  for (let i = 0; i < count; i += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, count - i) }, async () => await registerOne(b, link))
    out.push(...await Promise.all(batch))
  }
  return out
}

export interface Envelope { result?: Record<string, unknown>, error?: { code: number, message: string } }

/** POSTs a prepared request to the broker under test over HTTP; returns the parsed JSON answer. */
export async function callBroker<T = Envelope> (b: BrokerUnderTest, shape: { path: string, headers: Record<string, string>, body?: string }): Promise<T> {
  const res = await request(b.server.url + shape.path, { method: 'POST', headers: shape.headers, body: shape.body })
  return await res.body.json() as T
}
