/**
 * connect_existing_account in headless Chromium: a database with one link whose second account
 * Odoo has not activated grants it (authorize_access); the host page opens the pop-up with that
 * record_access_token like Odoo, the user picks the account, and the host receives exactly
 * `connect_existing_account {client_id, online_identifier}`; the overlay then closes.
 */
import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { browserPage } from '../helpers/browser.js'
import { signedCall } from '../helpers/odoo-client.js'
import { linkedDatabase, provision, startLinkApp } from '../link/helpers.js'
import { chromiumMissing, hostPage, serveHost } from './host.js'

t.test('choosing an account of an existing link in the pop-up', { skip: chromiumMissing(), timeout: 90_000 }, async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const { link, accounts } = await linkedDatabase(la, db)
  const [activated, free] = accounts as [Record<string, any>, Record<string, any>]
  const token = randomBytes(16).toString('base64')
  const granted = await signedCall(la.app, '/proxy/v1/authorize_access', link, { linked_accounts: [activated.online_identifier], record_access_token: token }, { dbUuid: db })
  t.equal(granted.body.result?.has_unlinked_accounts, true)

  const host = await serveHost(t, () => hostPage(la.base, { lang: 'en_US', countryCode: 'BE', serverVersion: '17.0', dbUuid: db, userEmail: 'owner@example.com', recordAccessToken: token }))
  const { page, consoleErrors } = await browserPage(t)
  await page.goto(host)
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  const frame = page.frameLocator('iframe[title="Connect your bank"]')
  await frame.getByRole('heading', { name: 'Add an account you already connected' }).waitFor()
  t.equal(await frame.getByRole('button', { name: activated.name }).count(), 0, 'the activated account is not offered')
  t.ok(await frame.getByRole('button', { name: 'Add a new bank' }).isVisible(), 'a new bank stays possible')
  await frame.getByRole('button', { name: new RegExp(`^${free.name as string}`) }).click()

  await page.waitForFunction(() => (globalThis as any).events.length > 0, null, { timeout: 20_000 })
  const events = await page.evaluate(() => (globalThis as any).events) as Array<{ event: string, data: any }>
  t.same(events.map(e => ({ event: e.event, data: e.data })), [{ event: 'connect_existing_account', data: { client_id: link.clientId, online_identifier: free.online_identifier } }])
  await page.locator('[data-odoofin="overlay"]').waitFor({ state: 'detached' })
  t.pass('the overlay closed after connect_existing_account')
  t.same(consoleErrors.filter(e => !/favicon/.test(e)), [], 'no console errors (CSP included)')
})
