/**
 * The link data a sandbox consent produces (provider, institution, sealed connection), so a test can
 * mint many exchange tokens for real links without driving one consent per client.
 */
import { randomBytes } from 'node:crypto'
import type { TestApp } from '../helpers/app.js'
import { driveConsent } from '../helpers/consent-driver.js'
import type { LinkData } from '../../src/link/store.js'

export async function sandboxLinkData (h: TestApp, bankName = 'Sandbox Ordinary Bank'): Promise<LinkData> {
  const adapter = h.app.services.providers.get('plaid')!.adapter
  const institution = (await adapter.listInstitutions('US')).find(i => i.name === bankName)
  if (institution === undefined) throw new Error(`plaid has no ${bankName} in US`)
  const redirectUri = `${h.config.publicUrl}/link/callback/plaid`
  const state = randomBytes(16).toString('hex')
  const start = await adapter.startConsent({ institutionId: institution.id, redirectUri, state, lang: 'en', userEmail: 'owner@example.com', psu: { ip: '203.0.113.7', userAgent: 'test' }, existing: null })
  const callback = await driveConsent(start.url, redirectUri)
  const connection = await adapter.completeConsent({ institutionId: institution.id, redirectUri, pending: start.pending, callback, existing: null })
  const { historyDays, refreshPolicy, beta, consentDays, name, bic } = institution
  return { provider: 'plaid', institutionId: institution.id, institution: { name, bic, country: institution.country, refreshPolicy, historyDays, beta, consentDays }, connection, consentExpiresAt: null }
}
