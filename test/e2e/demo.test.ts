/** The /demo page in Chromium: add a bank like in Odoo, then list the accounts and sync the lines. */
import t from 'tap'
import { browserPage } from '../helpers/browser.js'
import { lastCode, startLinkApp } from '../link/helpers.js'
import { chromiumMissing } from './host.js'

t.test('demo: add a bank account, list accounts, sync now', { skip: chromiumMissing(), timeout: 90_000 }, async t => {
  const la = await startLinkApp(t)
  const { page, consoleErrors: errors } = await browserPage(t)
  await page.goto(`${la.base}/demo`)
  await page.getByText(/enterprise until/).waitFor()
  await page.getByRole('button', { name: 'Add a bank account' }).click()
  const frame = page.frameLocator('iframe[title="Connect your bank"]')
  await frame.getByLabel('Phone number').fill('+32470000601')
  await frame.getByRole('button', { name: 'Send code' }).click()
  await frame.getByLabel('Verification code').waitFor()
  await frame.getByLabel('Verification code').fill(await lastCode(la, '+32470000601'))
  await frame.getByRole('button', { name: 'Verify' }).click()
  await frame.getByLabel('Search for your bank').fill('ordinray')
  await frame.getByRole('button', { name: 'Search', exact: true }).click()
  await frame.getByRole('button', { name: 'Sandbox Ordinary Bank' }).click()
  await frame.getByLabel('I agree').check()
  await frame.getByRole('button', { name: 'Continue' }).click()
  await frame.getByRole('button', { name: 'Approve' }).click()
  await page.getByText(/exchange_token → client cl_/).waitFor({ timeout: 20_000 })
  await page.getByText(/^success /).waitFor()
  await page.getByRole('button', { name: 'List accounts' }).click()
  await page.locator('#out table').first().waitFor()
  t.equal(await page.locator('#out table').first().locator('tr').count(), 3, 'header and two accounts')
  await page.getByRole('button', { name: 'Sync now' }).click()
  await page.getByRole('heading', { name: /Imported lines of/ }).first().waitFor({ timeout: 20_000 })
  t.ok(await page.locator('#out table tr').count() > 2, 'imported lines shown')
  t.same(errors, [], 'no console errors')
})
