import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { buildTestApp, ADMIN_SECRET } from '../helpers/app.js'

const run = promisify(execFile)

t.test('the banksync CLI provisions subscriptions and shows error references', async t => {
  const h = await buildTestApp(t)
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const env = { ...process.env, BANKSYNC_URL: address, ADMIN_JWT_SECRET: ADMIN_SECRET }
  const cli = async (...args: string[]) => await run(process.execPath, ['dist/src/cli/bin.js', ...args], { env }).catch((err: { stdout: string, code: number }) => ({ stdout: err.stdout, stderr: '', code: err.code }))

  const set = await cli('subscriptions', 'set', 'db-cli-00000001', '--edition', 'enterprise', '--expires', '2031-06-30')
  t.match(JSON.parse(set.stdout), { db_uuid: 'db-cli-00000001', edition: 'enterprise', expires_on: '2031-06-30' })
  const show = await cli('subscriptions', 'show', 'db-cli-00000001')
  t.equal(JSON.parse(show.stdout).edition, 'enterprise')

  const failing = await h.app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: '{bad' })
  const ref = failing.json().error.data.error_reference
  const err = await cli('errors', 'show', ref)
  t.match(JSON.parse(err.stdout), { reference: ref, code: 'BSB_INVALID_REQUEST', next_step: String })

  const clientErrors = await h.app.inject({ method: 'POST', url: '/proxy/v1/get_access_token', headers: { 'content-type': 'application/json', 'odoofin-client-id': 'c_cli_listing_0001', 'odoofin-access-token': 'x', 'odoofin-timestamp': String(Math.floor(Date.now() / 1000)), 'odoofin-signature': 'x' }, payload: JSON.stringify({ utils: { db_uuid: 'db-cli-00000001', server_version: '17.0' } }) })
  const listed = await cli('errors', 'list', '--client', 'c_cli_listing_0001', '--limit', '5')
  t.equal((listed as { code?: number }).code ?? 0, 0, 'errors list exits 0')
  t.match(JSON.parse(listed.stdout), { errors: [{ reference: clientErrors.json().error.data.error_reference, client_id: 'c_cli_listing_0001' }] }, 'errors list shows the client\'s error')

  const missing = await cli('errors', 'show', 'ref_00000000000000000000')
  t.equal((missing as { code?: number }).code, 1, 'exit code 1 on an API error')
  t.match(JSON.parse(missing.stdout), { status: 404, reference: /^ref_/ })

  const token = await cli('admin-token', '--role', 'support')
  t.match(token.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/)
  const usage = await cli('nonsense')
  t.equal((usage as { code?: number }).code, 2)
})
