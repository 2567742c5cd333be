/**
 * Pop-up window fallback in headless Chromium: Ponto's sandbox refuses framing
 * (LINK_WINDOW_PROVIDERS=ponto), so "Continue in a new window" opens the bank in a real pop-up;
 * after Approve our callback there reports to the iframe and closes, and the host receives
 * `exchange_token` then `success` exactly as in the framed flow. A report forged by the host
 * page (another origin) is ignored.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { browserPage } from '../helpers/browser.js'
import { unsignedCall } from '../helpers/odoo-client.js'
import { provision, start, startLinkApp, verifyPhone } from '../link/helpers.js'
import { chromiumMissing, hostPage, serveHost } from './host.js'

t.test('a bank page that refuses framing opens in a pop-up window', { skip: chromiumMissing(), timeout: 90_000 }, async t => {
  const la = await startLinkApp(t, { LINK_WINDOW_PROVIDERS: 'ponto' })
  const db = randomUUID()
  await provision(la, db)
  await verifyPhone(la, await start(la, { db }), '+32470123999')
  const host = await serveHost(t, () => hostPage(la.base, { lang: 'en_US', countryCode: 'BE', serverVersion: '17.0', dbUuid: db, userEmail: 'owner@example.com' }))
  const { page, context, consoleErrors } = await browserPage(t)
  await page.goto(host)
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  const frame = page.frameLocator('iframe[title="Connect your bank"]')
  await frame.getByLabel('Search for your bank').fill('Ordinary')
  await frame.getByRole('button', { name: 'Search', exact: true }).click()
  await frame.getByRole('button', { name: 'Sandbox Ordinary Bank' }).click()
  await frame.getByText('does not allow its page to be shown here').waitFor()

  // The host page (another origin) forges the window's report: the iframe must not move on.
  const frameUrl = async (): Promise<string> => await frame.locator('body').evaluate(() => (globalThis as any).location.href)
  const consentUrl = await frameUrl()
  await page.evaluate(() => {
    const g = globalThis as any
    g.document.querySelector('iframe[title="Connect your bank"]').contentWindow.postMessage({ source: 'odoofin', type: 'consent_finished' }, '*')
  })

  await frame.getByLabel('I agree').check()
  const popupOpened = context.waitForEvent('page')
  await frame.getByRole('button', { name: 'Continue in a new window' }).click()
  const popup = await popupOpened
  t.equal(await frameUrl(), consentUrl, 'the forged report from the host origin was ignored')
  t.ok(await frame.getByText('Continue at your bank in the new window').isVisible(), 'the iframe says where to continue')
  const closed = popup.waitForEvent('close', { timeout: 20_000 })
  await popup.getByRole('button', { name: 'Approve' }).click()
  await closed
  t.pass('our callback page reported back and closed the window')

  await page.waitForFunction(() => (globalThis as any).events.some((e: any) => e.event === 'success'), null, { timeout: 20_000 })
  const events = await page.evaluate(() => (globalThis as any).events) as Array<{ event: string, data: any }>
  t.same(events.map(e => e.event), ['exchange_token', 'exchange_token_handled', 'success'], 'ends exactly as in the iframe')
  t.equal(events[2]?.data.provider_type, 'ponto')
  t.equal(await page.locator('[data-odoofin="overlay"]').count(), 0, 'the overlay closed after success')
  const exchanged = await unsignedCall(la.app, '/proxy/v1/exchange_token', { exchange_token: events[0]?.data, company_id: 1, user_id: 2 }, { dbUuid: db })
  t.match(exchanged.result?.client_id, /^cl_/, 'Odoo trades the token')
  t.same(consoleErrors.filter(e => !/favicon/.test(e)), [], 'no console errors (CSP included)')
})
