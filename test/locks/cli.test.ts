import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ADMIN_SECRET } from '../helpers/app.js'
import { call, isLockedEnvelope, lastCode, listeningApp, newLink, registerPhone } from './helpers.js'

const run = promisify(execFile)

t.test('ops unlock through the banksync CLI: lock, list, send-code, unlock, reset', async t => {
  const h = await listeningApp(t)
  const env = { ...process.env, BANKSYNC_URL: h.base, ADMIN_JWT_SECRET: ADMIN_SECRET, USER: 'alice' }
  const cli = async (...args: string[]): Promise<{ code: number, out: any }> => {
    const r = await run(process.execPath, ['dist/src/cli/bin.js', ...args], { env }).then(r => ({ ...r, code: 0 }), (err: { stdout: string, code: number }) => ({ stdout: err.stdout, code: err.code }))
    return { code: r.code, out: JSON.parse(r.stdout) }
  }
  const db = 'db-cli-unlock-0001'
  const link = await newLink(h.app, db)
  await registerPhone(h, db, '+32470000077')

  const locked = await cli('clients', 'lock', link.clientId, '--reason', 'customer called: stolen laptop')
  t.match(locked, { code: 0, out: { client_id: link.clientId, locked: true, phone: '***77' } })
  t.ok(isLockedEnvelope(await call(h.app, '/proxy/v1/accounts', link, { db })), 'refused once locked')
  t.match((await cli('locks', 'list')).out.clients, [{ client_id: link.clientId, reason: 'by ops: customer called: stolen laptop' }])

  t.match(await cli('clients', 'send-code', link.clientId), { code: 0, out: { status: 'accepted' } })
  const code = await lastCode(h.base, '+32470000077')
  t.match(await cli('clients', 'unlock', link.clientId, '--code', '000000' === code ? '111111' : '000000'), { code: 1, out: { status: 422, code: 'BSB_UNLOCK_CODE_INVALID', reference: /^ref_/ } })
  t.match(await cli('clients', 'unlock', link.clientId, '--code', code), { code: 0, out: { locked: false } })
  t.ok((await call(h.app, '/proxy/v1/get_access_token', link, { db })).result, 'served after the unlock')
  t.match(await cli('locks', 'reset', link.clientId), { code: 0, out: { frozen: false } })
  t.same((await cli('locks', 'list')).out, { clients: [], databases: [] })

  const audit = await h.app.services.audit.forClient(link.clientId, 50)
  for (const type of ['lock_set', 'unlock_code_sent', 'unlock_code_failed', 'lock_cleared', 'freeze_reset']) {
    t.match(audit.find(e => e.type === type), { actor: 'admin:cli:alice' }, `${type} audited with the CLI user's identity`)
  }
})
