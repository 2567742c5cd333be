/** `/proxy/v1/accounts` filters by online_identifier; a value Odoo never sends is refused with a reference, never a 500. */
import t from 'tap'
import { linkedOdooClient } from '../helpers/linked-client.js'

t.test('online_identifier: a string filters, false lists all, an object is an invalid request', async t => {
  const { odoo } = await linkedOdooClient(t, 'plaid', 'US', 'Sandbox Ordinary Bank', 'db-accounts-filter-0001')

  const all = (await odoo.call('/proxy/v1/accounts', { online_identifier: false })).result.accounts
  t.ok(all.length > 1, `the bank has several accounts (${all.length as number})`)
  const one = (await odoo.call('/proxy/v1/accounts', { online_identifier: all[1].online_identifier })).result.accounts
  t.same(one.map((a: { online_identifier: string }) => a.online_identifier), [all[1].online_identifier], 'one account by its identifier')

  // found by fuzzing (FUZZ_SEED=627647055): String() of an object whose toString is null threw
  for (const odd of [{ toString: null }, { a: 1 }, ['x'], true]) {
    const r = await odoo.call('/proxy/v1/accounts', { online_identifier: odd })
    t.equal(r.error?.data?.exception_type, 'BSB_INVALID_REQUEST', `${JSON.stringify(odd)}: invalid request`)
    t.match(r.error?.data?.error_reference, /^ref_/, 'with a reference')
  }
})
