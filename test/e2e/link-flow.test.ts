/**
 * End to end in headless Chromium: a host page on another origin loads the OdooFin script like
 * Odoo, the user verifies a phone, searches "Ordinary", consents, approves at the sandbox bank;
 * the host receives `exchange_token` then `success`, and an Odoo-signing client trades the token.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { browserPage } from '../helpers/browser.js'
import { signedCall, unsignedCall } from '../helpers/odoo-client.js'
import { lastCode, provision, startLinkApp } from '../link/helpers.js'
import { chromiumMissing, hostPage, serveHost } from './host.js'

t.test('the whole link flow in Chromium, from a host page like Odoo', { skip: chromiumMissing(), timeout: 90_000 }, async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const host = await serveHost(t, () => hostPage(la.base, { lang: 'en_US', countryCode: 'BE', countryName: 'Belgium', serverVersion: '17.0', dbUuid: db, userEmail: 'owner@example.com', mfa_type: null }))
  const { page, consoleErrors } = await browserPage(t)
  await page.goto(host)
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  const dialog = page.getByRole('dialog', { name: 'Bank connection' })
  await dialog.waitFor()
  t.ok(await dialog.getByRole('button', { name: 'Close' }).isVisible(), 'overlay has a close button')
  const frame = page.frameLocator('iframe[title="Connect your bank"]')

  await frame.getByLabel('Phone number').fill('+32470123456')
  // A message from anything but our iframe is ignored (here: the host window itself).
  await page.evaluate(() => { (globalThis as any).postMessage({ source: 'odoofin', type: 'event', event: 'exchange_token', data: 'forged' }, '*') })
  await frame.getByRole('button', { name: 'Send code' }).click()
  await frame.getByLabel('Verification code').waitFor()
  await frame.getByLabel('Verification code').fill(await lastCode(la, '+32470123456'))
  await frame.getByRole('button', { name: 'Verify' }).click()

  await frame.getByLabel('Search for your bank').fill('Ordinary')
  t.equal(await frame.getByLabel('Country').inputValue(), 'BE', 'country defaults to the database country')
  await frame.getByRole('button', { name: 'Search', exact: true }).click()
  await frame.getByRole('button', { name: 'Sandbox Ordinary Bank' }).click()
  await frame.getByLabel('I agree').check()
  await frame.getByRole('button', { name: 'Continue' }).click()
  await frame.getByRole('button', { name: 'Approve' }).click()

  await page.waitForFunction(() => (globalThis as any).events.some((e: any) => e.event === 'success'), null, { timeout: 20_000 })
  const events = await page.evaluate(() => (globalThis as any).events) as Array<{ event: string, data: any, at: number }>
  t.same(events.map(e => e.event), ['exchange_token', 'exchange_token_handled', 'success'], 'success only after Odoo handled exchange_token; the forged message was ignored')
  t.equal(events[2]?.data.name, 'Sandbox Ordinary Bank')
  t.equal(events[2]?.data.provider_type, 'ponto')
  t.notOk('mode' in events[2]?.data)
  t.equal(await page.locator('[data-odoofin="overlay"]').count(), 0, 'the overlay closed after success')

  const exchanged = await unsignedCall(la.app, '/proxy/v1/exchange_token', { exchange_token: events[0]?.data, company_id: 1, user_id: 2 }, { dbUuid: db })
  t.match(exchanged.result?.client_id, /^cl_/)
  const link = { clientId: exchanged.result.client_id, refreshToken: exchanged.result.refresh_token, accessToken: exchanged.result.access_token }
  const renewed = await signedCall(la.app, '/proxy/v1/get_access_token', link, {}, { dbUuid: db })
  t.ok(renewed.body.result?.access_token, 'Odoo signs with the new client')
  t.same(consoleErrors.filter(e => !/favicon/.test(e)), [], 'no console errors (CSP included)')
})

t.test('closing the overlay sends close; Escape closes too', { skip: chromiumMissing(), timeout: 60_000 }, async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const host = await serveHost(t, () => hostPage(la.base, { lang: 'fr_BE', countryCode: 'BE', serverVersion: '17.0', dbUuid: db }))
  const { page } = await browserPage(t)
  await page.goto(host)
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  const frame = page.frameLocator('iframe[title="Connect your bank"]')
  await frame.getByLabel('Numéro de téléphone').waitFor()
  t.ok(await frame.getByRole('button', { name: 'Envoyer le code' }).isVisible(), 'French from lang fr_BE')
  await frame.getByRole('button', { name: 'Fermer' }).click()
  await page.waitForFunction(() => (globalThis as any).events.length > 0)
  t.same((await page.evaluate(() => (globalThis as any).events)).map((e: any) => e.event), ['close'], 'the in-page Close posts close')
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  await frame.getByLabel('Numéro de téléphone').waitFor()
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => (globalThis as any).events.length > 1)
  t.equal(await page.locator('[data-odoofin="overlay"]').count(), 0)
})
