/**
 * Reactivation in headless Chromium: a host page like Odoo opens the pop-up in `reconnect` mode
 * for a locked client; the user reads why, sends a code, mistypes it, then types the right one;
 * the host receives `success` (Odoo then marks the link connected and fetches) and the proxy
 * serves the client again.
 */
import t from 'tap'
import { browserPage } from '../helpers/browser.js'
import { call, isLockedEnvelope, wrongCode } from '../locks/helpers.js'
import { lastCode, startLinkApp } from '../link/helpers.js'
import { lockedClient } from '../link/reactivate-helpers.js'
import { chromiumMissing, hostPage, serveHost } from './host.js'

t.test('a locked client reactivates in the reconnect pop-up', { skip: chromiumMissing(), timeout: 90_000 }, async t => {
  const la = await startLinkApp(t)
  const c = await lockedClient(la, '+32470000756', { bank: true })
  t.ok(isLockedEnvelope(await call(la.app, '/proxy/v1/accounts', c.link, { db: c.db })), 'the proxy refuses the locked client')
  const host = await serveHost(t, () => hostPage(la.base, { lang: 'en_US', countryCode: 'BE', serverVersion: '17.0', dbUuid: c.db, redirect_reconnection: false },
    { mode: 'reconnect', clientId: c.link.clientId, accessToken: c.link.accessToken }))
  const { page, consoleErrors } = await browserPage(t)
  await page.goto(host)
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  const frame = page.frameLocator('iframe[title="Connect your bank"]')

  await frame.getByRole('heading', { name: 'Reactivate your bank synchronization' }).waitFor()
  t.ok(await frame.getByText('locked your bank synchronization for your safety').isVisible(), 'says why')
  t.ok(await frame.getByText('registered for this database: ***56.').isVisible(), 'the masked phone')
  const send = frame.getByRole('button', { name: 'Send code', exact: true })
  t.ok(await send.evaluate((el: any) => el === el.ownerDocument.activeElement), 'focus on Send code')
  await send.click()

  const code = frame.getByLabel('Verification code')
  await code.waitFor()
  t.ok(await code.evaluate((el: any) => el === el.ownerDocument.activeElement), 'focus moves to the code field')
  const sent = await lastCode(la, c.phone)
  await code.fill(wrongCode(sent))
  await frame.getByRole('button', { name: 'Verify', exact: true }).click()
  await frame.getByRole('alert').filter({ hasText: 'This code is not correct. 4 tries left.' }).waitFor()
  t.equal(await frame.getByLabel('Verification code').getAttribute('aria-invalid'), 'true')
  await frame.getByLabel('Verification code').fill(sent)
  await frame.getByRole('button', { name: 'Verify', exact: true }).click()

  await page.waitForFunction(() => (globalThis as any).events.some((e: any) => e.event === 'success'), null, { timeout: 20_000 })
  const events = await page.evaluate(() => (globalThis as any).events) as Array<{ event: string, data: any }>
  t.same(events.map(e => e.event), ['success'], 'only success: no exchange token for a reconnect')
  t.match(events[0]?.data, { name: 'Sandbox Ordinary Bank', provider_type: 'ponto' })
  t.notOk('mode' in events[0]?.data)
  t.equal(await page.locator('[data-odoofin="overlay"]').count(), 0, 'the overlay closed after success')
  t.ok((await call(la.app, '/proxy/v1/accounts', c.link, { db: c.db })).result?.accounts?.length > 0, 'the proxy serves again')
  const cleared = (await la.app.services.audit.forClient(c.link.clientId, 20)).find(e => e.type === 'lock_cleared')
  t.match(cleared, { actor: 'user:link-session', userAgent: /HeadlessChrome|Chrome/ }, 'audited with the browser as the actor\'s agent')
  // The wrong-code page answers 422 on purpose; Chromium reports any 4xx document as a console error.
  t.same(consoleErrors.filter(e => !/favicon|status of 422/.test(e)), [], 'no other console errors (CSP included)')
})
