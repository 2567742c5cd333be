/** What a broker whose Redis takes no writes must answer: refusals with a reference, never a success or a 500. */
import type { Test } from 'tap'
import type { Broker } from './broker.js'
import type { TrackedClient } from './writers.js'
import { signedCall } from '../helpers/odoo-client.js'

/** An ops write (`POST /admin/clients/:id/lock`) answered 503 BSB_SERVICE_UNAVAILABLE with a reference. */
export function expectRefusedOpsWrite (t: Test, res: { statusCode: number, json: () => { code?: string, reference?: string } }): void {
  t.equal(res.statusCode, 503, 'an ops write (a lock) answers 503')
  t.equal(res.json().code, 'BSB_SERVICE_UNAVAILABLE')
  t.match(res.json().reference, /^ref_/, 'with a reference')
}

/** A signed call of an open client, which the gate must count (a write), refused in the Odoo envelope with a reference. */
export async function expectRefusedClientCall (t: Test, b: Broker, c: TrackedClient): Promise<void> {
  const call = await signedCall(b.h.app, '/proxy/v1/accounts', c, {}, { dbUuid: c.db })
  t.equal(call.body.error?.data?.exception_type, 'BSB_SERVICE_UNAVAILABLE', 'an open client\'s call, which the gate must count, is refused (fail closed)')
  t.match(call.body.error?.data?.error_reference, /^ref_/, 'with a reference')
}
