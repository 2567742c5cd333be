/** Institutions, consent expiry, revoke, refresh, and the module's settings. */
import t from 'tap'
import { SANDBOX_BANKS } from '../../../providers/sandbox-kit/banks.js'
import { plaidModule } from '../../../providers/plaid/index.js'
import { quickItem, startSandbox, US } from './helpers.js'

t.test('institutions: the seven kit banks per country, in Plaid\'s shape', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const us = await adapter.listInstitutions('US')
  t.same(us.map(i => i.name), SANDBOX_BANKS.map(b => b.name))
  t.ok(us.every(i => i.provider === 'plaid' && i.country === 'US' && /^ins_\d+$/.test(i.id)))
  const ca = await adapter.listInstitutions('ca')
  t.ok(ca.length === 7 && ca.every(i => i.country === 'CA'))
  t.equal((await adapter.listInstitutions()).length, 14)
  t.same(await adapter.listInstitutions('DE'), [], 'Plaid is wired for US and CA only')

  const search = await h.api('/institutions/search', { query: 'daily', country_codes: ['US'], products: ['transactions'] })
  t.match(search.body.institutions, [{ institution_id: US.daily, name: 'Sandbox Daily Refresh Bank', oauth: false }])
  const status = async (id: string): Promise<any> => (await h.api('/institutions/get_by_id', { institution_id: id, country_codes: ['US'], options: { include_status: true } })).body.institution.status
  t.equal((await status(US.daily)).transactions_updates.breakdown.refresh_interval, 'DELAYED')
  t.equal((await status(US.manual)).transactions_updates.breakdown.refresh_interval, 'STOPPED')
  t.equal((await status(US.flaky)).item_logins.status, 'DEGRADED')
  t.equal((await status(US.ordinary)).transactions_updates.breakdown.refresh_interval, 'NORMAL')
  t.match(await h.api('/institutions/get_by_id', { institution_id: 'ins_1', country_codes: ['US'] }), { status: 400, body: { error_type: 'INVALID_INPUT', error_code: 'INVALID_INSTITUTION', error_message: 'invalid institution_id provided' } })
  t.match(await h.api('/institutions/get', { count: 501, offset: 0, country_codes: ['US'] }), { status: 400, body: { error_code: 'INVALID_FIELD' } })
})

t.test('consent expiry, refresh and revoke', async t => {
  const h = await startSandbox()
  t.teardown(h.close)
  const adapter = h.adapter()
  const ordinary = await quickItem(h, US.ordinary)
  t.equal(await adapter.consentExpiry(ordinary), null)
  t.same(await adapter.refresh(ordinary, { userPresent: false, psu: null, account: null }), { status: 'started' })
  const oauth = await quickItem(h, US.mfa)
  t.equal(await adapter.consentExpiry(oauth), '2026-03-10')
  const item = await h.api('/item/get', { access_token: oauth.secrets.access_token })
  t.match(item.body.item, { consent_expiration_time: '2026-03-10T12:00:00Z', update_type: 'background', institution_id: US.mfa, error: null })

  await adapter.revoke(ordinary)
  await adapter.revoke(ordinary)
  t.pass('revoking twice succeeds')
  await adapter.revoke({ ...ordinary, secrets: {} })
  t.pass('nothing to revoke is success')
  t.match(await h.api('/item/remove', { access_token: ordinary.secrets.access_token }), { status: 400, body: { error_code: 'ITEM_NOT_FOUND' } })
})

t.test('module: settings and credentials', async t => {
  t.equal(plaidModule.id, 'plaid')
  t.same(plaidModule.countries, ['US', 'CA'])
  t.same(plaidModule.settings.map(s => s.name), ['PLAID_CLIENT_ID', 'PLAID_SECRET', 'PLAID_CLIENT_NAME', 'PLAID_WEBHOOK_URL'])
  t.ok(plaidModule.settings.find(s => s.name === 'PLAID_SECRET')?.secret)
  t.same(plaidModule.credentialsFromSettings({ PLAID_CLIENT_ID: '5f0c0a0b0c0d0e0f10111213', PLAID_SECRET: 'abcdef0123456789abcdef01234567' }), { clientId: '5f0c0a0b0c0d0e0f10111213', secret: 'abcdef0123456789abcdef01234567', clientName: 'Bank Sync', webhookUrl: null })
  t.throws(() => plaidModule.credentialsFromSettings({ PLAID_SECRET: 'abcdef0123456789' }), /^PLAID_CLIENT_ID: /)
  t.throws(() => plaidModule.credentialsFromSettings({ PLAID_CLIENT_ID: 'abcdef0123456789', PLAID_SECRET: 'has space in it' }), /^PLAID_SECRET: /)
  t.throws(() => plaidModule.credentialsFromSettings({ PLAID_CLIENT_ID: 'abcdef0123456789', PLAID_SECRET: 'abcdef0123456789', PLAID_WEBHOOK_URL: 'ftp://x' }), /PLAID_WEBHOOK_URL/)
  t.equal(plaidModule.credentialsFromSettings({ PLAID_CLIENT_ID: 'abcdef0123456789', PLAID_SECRET: 'abcdef0123456789', PLAID_WEBHOOK_URL: 'https://bank-sync.example/webhooks/plaid' }).webhookUrl, 'https://bank-sync.example/webhooks/plaid')
})
