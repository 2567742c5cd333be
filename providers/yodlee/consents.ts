/**
 * Open Banking consent expiry from `GET /consents?providerAccountIds=` (UK/AU Open Banking links);
 * credential-based links have no consent and never expire on their own.
 */
import type { YodleeClient } from './client.js'
import { badResponse } from './errors.js'
import { datePart, idText } from './normalize.js'
import type { LinkSecrets } from './sync.js'
import type { YConsent } from './wire.js'

const ENDED = new Set(['REVOKED', 'EXPIRED'])

export async function consentExpiryOf (client: YodleeClient, link: LinkSecrets): Promise<string | null> {
  const body = await client.json<{ consent?: unknown }>(link.loginName, {
    method: 'GET', path: '/consents', query: { providerAccountIds: link.providerAccountId }, idempotent: true
  })
  const rows = body.consent ?? []
  if (!Array.isArray(rows)) throw badResponse('Yodlee /consents answered a non-list consent field')
  const active: string[] = []
  const ended: string[] = []
  for (const c of rows as YConsent[]) {
    if (idText(c.providerAccountId) !== link.providerAccountId) continue
    const date = datePart(c.expirationDate)
    if (date === null) continue
    if (ENDED.has(c.consentStatus ?? '')) ended.push(date)
    else active.push(date)
  }
  // The first active consent to end; with only ended consents, when the last one ended (a past date).
  if (active.length > 0) return active.sort()[0]
  return ended.length > 0 ? ended.sort()[ended.length - 1] : null
}
