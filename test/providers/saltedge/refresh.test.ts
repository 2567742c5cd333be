/**
 * Salt Edge refresh rules through the sandbox: `next_refresh_possible_at` (hourly and daily
 * providers), `ConnectionAlreadyProcessing`, the manual-only provider, the PSD2 limit of four
 * unattended fetches a day, consent expiry and revocation (idempotent removal).
 */
import t from 'tap'
import { DAY, adapterFor, connect, iso, rejection, startReceiver, startSandbox, syncAll } from './helpers.js'

const unattended = { userPresent: false, psu: null, account: null }
const present = { userPresent: true, psu: { ip: '192.0.2.1', userAgent: 'test' }, account: null }

t.test('hourly provider: refused until next_refresh_possible_at, then started, then processing', async t => {
  const hook = await startReceiver()
  const sb = await startSandbox({ webhookUrl: hook.url })
  t.teardown(async () => { await sb.close(); await hook.close() })
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_be')
  const err = await rejection(adapter.refresh(conn, unattended))
  t.match(err, { kind: 'rate_limited', providerCode: 'ConnectionCannotBeRefreshed', httpStatus: 406 })
  t.equal(err.nextAllowedAt, new Date(sb.clock.now() + 60 * 60_000).toISOString().replace('.000Z', 'Z'), 'next allowed = last fetch + refresh_timeout (60 min)')
  t.equal(err.retryAfterSeconds, 3600)
  sb.clock.advance(61 * 60_000)
  t.same(await adapter.refresh(conn, unattended), { status: 'started' })
  t.ok(sb.hits.includes(`POST /sandbox/saltedge/connections/${conn.secrets.connection_id as string}/refresh`))
  t.equal(hook.received.length, 2, 'a success callback after connect and after the refresh')
  t.match(await rejection(adapter.refresh(conn, unattended)), { kind: 'not_ready', providerCode: 'ConnectionAlreadyProcessing', httpStatus: 409 })
})

t.test('once-a-day provider: next refresh only after 24 hours', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_daily_bank_fr')
  sb.clock.advance(2 * 60 * 60_000)
  const err = await rejection(adapter.refresh(conn, present))
  t.match(err, { kind: 'rate_limited', providerCode: 'ConnectionCannotBeRefreshed' })
  t.equal(Date.parse(err.nextAllowedAt) - sb.clock.now(), 22 * 60 * 60_000, '24 h after the last fetch')
  sb.clock.advance(22 * 60 * 60_000)
  t.same(await adapter.refresh(conn, present), { status: 'started' })
})

t.test('manual-only provider: unattended refresh needs the user; data waits for a fetch', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_manual_bank_de')
  t.equal(conn.secrets.automatic_fetch, false, 'automatic_fetch: false recorded at consent')
  t.match(await rejection(adapter.refresh(conn, unattended)), { kind: 'user_action_required', providerCode: 'automatic_fetch_disabled' })
  // Even with stale secrets, Salt Edge's own refusal maps the same way.
  const stale = { ...conn, secrets: { ...conn.secrets, automatic_fetch: true } }
  t.match(await rejection(adapter.refresh(stale, unattended)), { kind: 'user_action_required', providerCode: 'ConnectionCannotBeRefreshed' })

  const account = (await adapter.listAccounts(conn, null)).accounts[0]
  if (account === undefined) throw new Error('no account')
  const first = (await syncAll(adapter, conn, account, iso(sb.clock.now() - 10 * DAY), iso(sb.clock.now() + 5 * DAY))).txs
  sb.clock.advance(4 * DAY)
  const frozen = (await syncAll(adapter, conn, account, iso(sb.clock.now() - 14 * DAY), iso(sb.clock.now()))).txs
  t.same(frozen.map(x => x.id).sort(), first.map(x => x.id).sort(), 'no new data without a fetch')
  t.same(await adapter.refresh(conn, present), { status: 'started' })
  const fresh = (await syncAll(adapter, conn, account, iso(sb.clock.now() - 14 * DAY), iso(sb.clock.now()))).txs
  t.ok(fresh.filter(x => x.status === 'booked').length > first.filter(x => x.status === 'booked').length, 'the user-present fetch brought new transactions')
})

t.test('PSD2: the fifth unattended fetch in 24 h is refused', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_ordinary_bank_gb')
  for (let i = 0; i < 4; i++) {
    sb.clock.advance(61 * 60_000)
    t.same(await adapter.refresh(conn, unattended), { status: 'started' }, `unattended fetch ${i + 1}`)
  }
  sb.clock.advance(61 * 60_000)
  t.match(await rejection(adapter.refresh(conn, unattended)), { kind: 'rate_limited', providerCode: 'BackgroundFetchLimitExceeded' })
  t.same(await adapter.refresh(conn, present), { status: 'started' }, 'a user-present fetch is not counted')
  const xf = await connect(adapter, 'sandbox_ordinary_bank_xf')
  for (let i = 0; i < 5; i++) {
    sb.clock.advance(61 * 60_000)
    await adapter.refresh(xf, unattended)
  }
  t.pass('fake (non-PSD2) providers have no such limit')
})

t.test('consent expiry from the consent object; expired consent needs re-authorisation', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const be = await connect(adapter, 'sandbox_ordinary_bank_be')
  t.equal(await adapter.consentExpiry(be), iso(sb.clock.now() + 180 * DAY), 'EU: 180 days (max_consent_days)')
  const gb = await connect(adapter, 'sandbox_ordinary_bank_gb')
  t.equal(await adapter.consentExpiry(gb), iso(sb.clock.now() + 90 * DAY), 'UK: 90 days')
  const xf = await connect(adapter, 'sandbox_ordinary_bank_xf')
  t.equal(await adapter.consentExpiry(xf), null, 'no max_consent_days: no expiry')
  sb.clock.advance(181 * DAY)
  t.match(await rejection(adapter.refresh(be, present)), { kind: 'reauth_required', providerCode: 'AispConsentExpired' })
  t.equal((await adapter.listAccounts(be, null)).accounts.length, 2, 'data already fetched stays readable')
})

t.test('revoke removes the connection, twice is fine, afterwards re-authorisation', async t => {
  const sb = await startSandbox()
  t.teardown(sb.close)
  const adapter = adapterFor(sb)
  const conn = await connect(adapter, 'sandbox_beta_bank_be')
  await adapter.revoke(conn)
  t.ok(sb.hits.includes(`DELETE /sandbox/saltedge/connections/${conn.secrets.connection_id as string}`))
  await adapter.revoke(conn)
  t.pass('second revoke succeeds (ConnectionNotFound)')
  t.match(await rejection(adapter.listAccounts(conn, null)), { kind: 'reauth_required', providerCode: 'ConnectionNotFound', httpStatus: 404 })
  t.match(await rejection(adapter.refresh(conn, present)), { kind: 'reauth_required', providerCode: 'ConnectionNotFound' })
})
