/**
 * The broker keeps the link data it opened and asks Redis only whether it changed (the gate's read
 * sends the tail of the envelope it holds). Whatever rewrote the link in between — this process,
 * another instance, ops — the next request reads the new link, never the kept one.
 */
import t from 'tap'
import { linkedOdooClient } from '../helpers/linked-client.js'
import { readLink, writeLink } from '../../src/link/store.js'

t.test('a rewritten link is what the next request reads', async t => {
  const db = 'db-link-fresh-0001'
  const { h, link, odoo } = await linkedOdooClient(t, 'ponto', 'BE', 'Sandbox Ordinary Bank', db)
  const s = h.app.services
  const status = async (): Promise<string> => {
    const r = await odoo.call('/proxy/v2/connection_status', {}, '18.0')
    t.notOk(r.error, JSON.stringify(r.error))
    return r.result.consent_expiring_date as string
  }

  const asked = await status()
  t.match(asked, /^\d{4}-\d\d-\d\d$/, 'the provider\'s consent end date, stored in the link')
  t.equal(await status(), asked, 'read again from the stored link')

  const rewrite = async (day: string): Promise<void> => {
    const stored = await readLink(s, db, link.clientId)
    await writeLink(s, db, link.clientId, { ...stored, consentExpiresAt: `${day}T00:00:00.000Z` })
  }
  await rewrite('2031-01-15')
  t.equal(await status(), '2031-01-15', 'the rewritten link, not the one this process kept')
  await rewrite('2032-02-16')
  t.same(await Promise.all([status(), status(), status()]), ['2032-02-16', '2032-02-16', '2032-02-16'], 'also for requests read in one batch')
  t.equal(await status(), '2032-02-16')
})
