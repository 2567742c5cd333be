/**
 * The console in headless Chromium, as ops use it: sign in with an ops token, look up the
 * reference of a real failing proxy call, find the locked client in the list, send the unlock
 * code, type the code the customer reads out (from the Twilio sandbox outbox) and unlock; the
 * client's proxy calls then work again.
 */
import t from 'tap'
import { browserPage } from '../helpers/browser.js'
import { mintAdminToken } from '../../src/admin/auth.js'
import { adminCall, call, isLockedEnvelope, lastCode, listeningApp, newLink, registerPhone } from '../locks/helpers.js'
import { chromiumMissing } from '../e2e/host.js'

t.test('ops unlock a client from the console in Chromium', { skip: chromiumMissing(), timeout: 90_000 }, async t => {
  const h = await listeningApp(t)
  const db = 'db-console-browser-01'
  const phone = '+32470000055'
  const link = await newLink(h.app, db)
  await registerPhone(h, db, phone)
  t.equal((await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'customer reported a stolen laptop' })).statusCode, 200)
  const refused = await call(h.app, '/proxy/v1/accounts', link, { db })
  t.ok(isLockedEnvelope(refused), 'the proxy call fails')
  const reference = refused.error.data.error_reference as string

  const { page, context, consoleErrors } = await browserPage(t)

  await page.goto(`${h.base}/console`)
  t.equal(new URL(page.url()).pathname, '/console/sign-in', 'not signed in: the sign-in page')
  await page.getByLabel('Admin token').fill(await mintAdminToken(h.config.admin, 'ops', 'olivia'))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Ops and support console' }).waitFor()
  const [session] = (await context.cookies()).filter(c => c.name === 'bsb_console')
  t.match(session, { httpOnly: true, sameSite: 'Strict', path: '/console' }, 'the session cookie')

  await page.getByLabel('Error reference').fill(reference)
  await page.getByRole('button', { name: 'Look up' }).click()
  await page.getByRole('heading', { name: `Error reference ${reference}` }).waitFor()
  const record = await page.locator('main').innerText()
  t.match(record, /BSB_ACCOUNT_LOCKED/)
  t.match(record, /We detected suspicious activity and locked your bank synchronization/)
  t.match(record, 'POST /proxy/v1/accounts')

  await page.getByRole('link', { name: 'Locked clients', exact: true }).click()
  await page.getByRole('link', { name: link.clientId }).click()
  await page.getByRole('heading', { name: `Client ${link.clientId}` }).waitFor()
  t.match(await page.locator('main').innerText(), /Reason\s+by ops: customer reported a stolen laptop/)

  await page.getByRole('button', { name: 'Send unlock code' }).click()
  await page.getByRole('status').filter({ hasText: 'a code was sent to that phone' }).waitFor()
  await page.getByLabel('Unlock code').fill(await lastCode(h.base, phone))
  await page.getByRole('button', { name: 'Unlock', exact: true }).click()
  await page.getByRole('status').filter({ hasText: 'Unlocked.' }).waitFor()
  t.match(await page.locator('main').innerText(), /Locked\s+No/)
  t.ok((await call(h.app, '/proxy/v1/get_access_token', link, { db })).result?.access_token, 'the client\'s proxy calls work again')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('button', { name: 'Sign in' }).waitFor()
  t.equal((await context.cookies()).filter(c => c.name === 'bsb_console').length, 0, 'signed out: no session cookie')
  t.same(consoleErrors, [], 'no console errors (the CSP blocks nothing the pages need)')
  const audit = (await h.app.services.audit.forClient(link.clientId, 20)).map(e => `${e.type} ${e.actor}`)
  t.ok(audit.includes('unlock_code_sent admin:olivia') && audit.includes('lock_cleared admin:olivia'), 'audited with the console user\'s identity')
})
