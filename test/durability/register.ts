/** Setup steps through the broker's own endpoints: a client as Odoo gets one, a lock as ops sets one. */
import { patiently, type Broker } from './broker.js'
import type { TrackedClient } from './writers.js'
import { unsignedCall } from '../helpers/odoo-client.js'
import type { LinkData } from '../../src/link/store.js'

/** Mints an exchange token as the link flow does and trades it at `/proxy/v1/exchange_token`. */
export async function registerClient (b: Broker, db: string, link: LinkData = {}): Promise<TrackedClient> {
  return await patiently(async () => {
    const token = await b.h.app.services.exchangeTokens.mint({ dbUuid: db, link })
    const body = await unsignedCall(b.h.app, '/proxy/v1/exchange_token', { exchange_token: token, company_id: 1, user_id: 2 }, { dbUuid: db })
    if (body.result === undefined) throw new Error(`exchange_token refused: ${JSON.stringify(body.error)}`)
    return { db, clientId: body.result.client_id, refreshToken: body.result.refresh_token, accessToken: body.result.access_token, locked: false }
  })
}

/** `POST /admin/clients/:id/lock` as ops; resolves once the broker acknowledged the lock. */
export async function lockAsOps (b: Broker, c: TrackedClient, adminToken: string): Promise<void> {
  await patiently(async () => {
    const res = await b.h.app.inject({ method: 'POST', url: `/admin/clients/${c.clientId}/lock`, headers: { authorization: `Bearer ${adminToken}` }, payload: { reason: 'durability test' } })
    if (res.statusCode !== 200 || res.json().locked !== true) throw new Error(`lock refused: ${res.statusCode} ${res.body}`)
  })
  c.locked = true
}
