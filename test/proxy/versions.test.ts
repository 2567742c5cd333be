import t from 'tap'
import { linkedOdooClient } from '../helpers/linked-client.js'

const ALLOWED: Record<string, string[]> = {
  '16.0': ['online_transaction_identifier', 'date', 'amount', 'payment_ref', 'partner_name', 'account_number', 'transaction_details', 'online_partner_information'],
  '17.0': ['online_transaction_identifier', 'date', 'amount', 'payment_ref', 'partner_name', 'account_number', 'transaction_details', 'online_partner_information'],
  '18.0': ['online_transaction_identifier', 'date', 'amount', 'payment_ref', 'partner_name', 'account_number', 'transaction_details', 'online_partner_information', 'foreign_currency_code', 'amount_currency'],
  '19.0': ['online_transaction_identifier', 'date', 'amount', 'payment_ref', 'partner_name', 'account_number', 'transaction_details', 'online_partner_information', 'foreign_currency_code', 'amount_currency', 'end_to_end_uuid']
}

t.test('each Odoo version gets only the fields its models accept', async t => {
  const { odoo } = await linkedOdooClient(t, 'ponto', 'BE', 'Sandbox Ordinary Bank', 'db-versions-00000001')
  const accountId = (await odoo.call('/proxy/v1/accounts', {})).result.accounts[0].online_identifier

  for (const version of ['16.0', '17.0', '18.0']) {
    const r = await odoo.call('/proxy/v1/transactions', { account_id: accountId, start_date: false, include_foreign_currency: version === '18.0' }, version)
    const keys = new Set(r.result.transactions.flatMap((x: any) => Object.keys(x)))
    t.ok([...keys].every(k => ALLOWED[version]!.includes(k as string)), `${version}: ${[...keys].join(',')}`)
    t.notOk(keys.has('end_to_end_uuid'), `${version}: no end_to_end_uuid`)
  }
  const no18 = await odoo.call('/proxy/v1/transactions', { account_id: accountId, start_date: false }, '18.0')
  t.notOk(no18.result.transactions.some((x: any) => 'foreign_currency_code' in x), '18.0 without include_foreign_currency: no foreign fields')

  const posted = await odoo.call('/proxy/v2/transactions/posted', { account_id: accountId, start_date: false, last_transaction_identifier: null }, '19.0')
  t.type(posted.result.available_balance, 'number', '19.0 posted endpoint has available_balance')
  const keys19 = new Set(posted.result.transactions.flatMap((x: any) => Object.keys(x)))
  t.ok([...keys19].every(k => ALLOWED['19.0']!.includes(k as string)))
  t.ok(keys19.has('end_to_end_uuid'), '19.0 gets end_to_end_uuid where the bank gives one')
  t.notOk('pendings' in posted.result, 'v2 endpoints have no pendings key')
  const pending = await odoo.call('/proxy/v2/transactions/pending', { account_id: accountId, start_date: false, last_transaction_identifier: null }, '19.0')
  const pendingKeys = new Set(pending.result.transactions.flatMap((x: any) => Object.keys(x)))
  t.notOk(pendingKeys.has('online_partner_information') || pendingKeys.has('end_to_end_uuid'), 'pending rows fit the transient model')
  const postedIds = new Set(posted.result.transactions.map((x: any) => x.online_transaction_identifier))
  t.notOk(pending.result.transactions.some((x: any) => postedIds.has(x.online_transaction_identifier)), 'pending and posted are disjoint')
})
