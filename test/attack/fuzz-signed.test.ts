/**
 * Property-based fuzzing behind the gate: every signed `/proxy/*` operation of openapi.yaml called
 * with a correct signature by a client linked to a sandbox bank, with schema-guided and mutated
 * bodies (real account ids mixed in so the handlers' own parsing is reached) and random query
 * strings. The answers must stay well-formed envelopes with references, never an internal error.
 */
import t from 'tap'
import fc from 'fast-check'
import { buildAttackApp, UNLIMITED } from './support/app.js'
import { loadOperations, type Operation } from './support/openapi.js'
import { mutatedOf, queryString, renderJson } from './support/arbitraries.js'
import type { FuzzRequest } from './support/requests.js'
import { fuzz, FUZZ_SEED, runs } from './support/fuzz.js'
import { watchProcess } from './support/answers.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { signedCall, type OdooLink } from '../helpers/odoo-client.js'
import { canonicalizePythonJson } from '../../src/protocol/canonical-json.js'
import { canonicalQueryJson, computeSignature, signatureMessage } from '../../src/protocol/signature.js'

const MINUTE_EVERY = 200

/** Values Odoo really sends for the fields the schemas leave open, so the handlers' own checks are reached. */
function plausibleFields (db: string, accountIds: string[], txIds: string[]): Record<string, fc.Arbitrary<unknown>> {
  const day = fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 10))
  return {
    account_id: fc.constantFrom(...accountIds),
    online_identifier: fc.oneof(fc.constantFrom(...accountIds), fc.constant(false)),
    start_date: fc.oneof(day, fc.constant(false), fc.constantFrom('2024-02-30', '0000-00-00', '9999-99-99')),
    last_transaction_identifier: fc.oneof(fc.constantFrom(...txIds), fc.constant(false), fc.constant('')),
    next_data: fc.oneof(fc.constant(null), fc.record({ offset: fc.oneof(fc.nat(5_000), fc.constantFrom(-1, 1.5, 1e300, '10')) })),
    include_pendings: fc.boolean(),
    include_foreign_currency: fc.boolean(),
    linked_accounts: fc.array(fc.constantFrom(...accountIds)),
    record_access_token: fc.string({ minLength: 16, maxLength: 64 }),
    utils: fc.record({ db_uuid: fc.constant(db), server_version: fc.constantFrom('14.0', '15.0', '16.0', '17.0', '18.0', '19.0', 'saas~17.4', ''), cron: fc.boolean(), psu_info: fc.constantFrom(null, { ip: '203.0.113.7', user_agent: 'x' }) })
  }
}

function signedBodies (op: Operation, plausible: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<FuzzRequest> {
  const fields = Object.keys((op.body?.properties ?? {}) as Record<string, unknown>).filter(k => k in plausible)
  const overrides = fc.record(Object.fromEntries(fields.map(k => [k, fc.option(plausible[k] as fc.Arbitrary<unknown>, { nil: undefined, freq: 3 })])))
  return fc.record({
    value: mutatedOf(op.body ?? { type: 'object' }),
    overrides,
    query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString })
  }).map(r => {
    const body = r.value as Record<string, unknown>
    for (const [k, v] of Object.entries(r.overrides)) if (v !== undefined) body[k] = v
    return { method: 'POST', url: op.path + r.query, headers: { 'content-type': 'application/json' }, payload: renderJson(body) }
  })
}

t.test('fuzzing signed /proxy calls of a linked client', async t => {
  t.comment(`FUZZ_SEED=${FUZZ_SEED} (set FUZZ_SEED to replay)`)
  const crashes = watchProcess(t)
  const h = await buildAttackApp(t, { ...UNLIMITED, DETECT_FOREIGN_DB: '1000000' }, { listen: true })
  const db = 'db-fuzz-signed-0001'
  await h.app.services.subscriptions.set(db, 'enterprise', '2099-12-31', 'test')
  const link: OdooLink = await linkSandboxBank(h, 'ponto', 'BE', 'Sandbox Ordinary Bank', db)
  const accounts = await signedCall(h.app, '/proxy/v1/accounts', link, {}, { dbUuid: db })
  const accountIds = (accounts.body.result?.accounts ?? []).map((a: { online_identifier: string }) => a.online_identifier)
  t.equal(accountIds.length, 2, 'the linked client sees its two sandbox accounts')
  const history = await signedCall(h.app, '/proxy/v1/transactions', link, { account_id: accountIds[0], start_date: false }, { dbUuid: db })
  const txIds = (history.body.result?.transactions ?? []).slice(0, 50).map((tx: { online_transaction_identifier: string }) => tx.online_transaction_identifier)
  t.ok(txIds.length > 0, 'and their transactions')
  const plausible = plausibleFields(db, accountIds, txIds)

  let sent = 0
  const send = async (req: FuzzRequest) => {
    if (++sent % MINUTE_EVERY === 0) h.clock.offset += 61_000
    const ts = String(Math.floor(h.clock.now() / 1000))
    const path = req.url.split('?')[0] as string
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '')
    let signature = 'A'.repeat(43) + '='
    try {
      signature = computeSignature(link.refreshToken, signatureMessage({ timestamp: ts, path, clientId: link.clientId, accessToken: link.accessToken, queryJson: canonicalQueryJson(query), bodyJson: canonicalizePythonJson(req.payload ?? '') }))
    } catch {
      // a body Python would refuse cannot be signed like Odoo does: sent with a wrong signature
    }
    const res = await h.app.inject({ method: 'POST', url: req.url, headers: { ...req.headers, 'odoofin-client-id': link.clientId, 'odoofin-access-token': link.accessToken, 'odoofin-timestamp': ts, 'odoofin-signature': signature }, payload: req.payload })
    const result = (res.json() as { result?: { access_token?: string, refresh_token?: string } }).result
    if (typeof result?.access_token === 'string' && path === '/proxy/v1/get_access_token') link.accessToken = result.access_token
    if (typeof result?.refresh_token === 'string' && path === '/proxy/v1/renew_token') link.refreshToken = result.refresh_token
    return res
  }

  const ops = loadOperations().filter(op => op.signed).sort((a, b) => Number(a.id === 'deleteUser') - Number(b.id === 'deleteUser'))
  t.ok(ops.length >= 11, `${ops.length} signed operations in openapi.yaml`)
  let total = 0
  let answered = 0
  for (const op of ops) {
    const stats = await fuzz(t, h.app, `signed ${op.path}`, signedBodies(op, plausible), runs(op.id === 'deleteUser' ? 20 : op.id === 'refresh' ? 30 : 60), { send })
    total += stats.cases
    for (const [outcome, n] of stats.outcomes) if (outcome.endsWith(' result')) answered += n
  }
  t.comment(`${total} signed cases, ${answered} answered with a result`)
  t.ok(answered > total / 10, 'a good share of the fuzzed calls got past the gate into the handlers')
  t.same(crashes, [], 'no uncaught exception or unhandled rejection')
})
