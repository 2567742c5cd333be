/**
 * Enable Banking application JWT and settings: the token's header and claims, caching, and the
 * sandbox refusing what Enable Banking refuses (wrong alg, unknown kid, bad iss/aud, TTL > 1 day,
 * expired, no header) with its real 401 body, mapped to `misconfigured`.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose'
import t from 'tap'
import { request } from 'undici'
import { createJwtSigner } from '../../../providers/enablebanking/auth.js'
import { enablebankingModule } from '../../../providers/enablebanking/index.js'
import { SANDBOX_APPLICATION_ID, SANDBOX_PRIVATE_KEY_PEM } from '../../../providers/enablebanking/sandbox-keys.js'
import { catchError, startHarness } from './helpers.js'

/** One RSA key Enable Banking does not know (generated once: RSA generation is slow). */
const OTHER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey

t.test('the JWT: RS256, kid = application id, iss/aud, one hour, cached until close to expiry', async t => {
  let now = Date.parse('2025-06-16T10:00:00Z')
  const signer = createJwtSigner(enablebankingModule.sandbox.credentials(''), () => now)
  const jwt = await signer.token()
  t.same(decodeProtectedHeader(jwt), { typ: 'JWT', alg: 'RS256', kid: SANDBOX_APPLICATION_ID })
  const claims = decodeJwt(jwt)
  t.same(claims, { iss: 'enablebanking.com', aud: 'api.enablebanking.com', iat: now / 1000, exp: now / 1000 + 3600 })
  now += 50 * 60_000
  t.equal(await signer.token(), jwt, 'reused while more than 5 minutes are left')
  now += 6 * 60_000
  const renewed = await signer.token()
  t.not(renewed, jwt)
  t.equal(decodeJwt(renewed).iat, now / 1000)
})

t.test('the sandbox verifies the JWT exactly and answers Enable Banking\'s 401 body', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const nowS = Math.floor(h.clock.now() / 1000)
  const sandboxKey = createPrivateKey(SANDBOX_PRIVATE_KEY_PEM)
  const other = OTHER_KEY
  const sign = async (o: { alg?: string, kid?: string, iss?: string, aud?: string, iat?: number, exp?: number, key?: any }) =>
    await new SignJWT({})
      .setProtectedHeader({ typ: 'JWT', alg: o.alg ?? 'RS256', kid: o.kid ?? SANDBOX_APPLICATION_ID })
      .setIssuer(o.iss ?? 'enablebanking.com')
      .setAudience(o.aud ?? 'api.enablebanking.com')
      .setIssuedAt(o.iat ?? nowS)
      .setExpirationTime(o.exp ?? nowS + 3600)
      .sign(o.key ?? sandboxKey)
  const call = async (authorization?: string) => {
    const res = await request(`${h.baseUrl}/aspsps?country=FI`, { headers: authorization === undefined ? {} : { authorization } })
    return { status: res.statusCode, body: await res.body.json() as any }
  }
  t.equal((await call(`Bearer ${await sign({})}`)).status, 200)
  const cases: Array<[string, string | undefined, string]> = [
    ['no header', undefined, 'AUTHORIZATION_NOT_PROVIDED'],
    ['not a JWT', 'Bearer nope', 'UNAUTHORIZED_ACCESS'],
    ['PS256', `Bearer ${await sign({ alg: 'PS256' })}`, 'UNAUTHORIZED_ACCESS'],
    ['unknown kid', `Bearer ${await sign({ kid: '00000000-0000-4000-8000-000000000000' })}`, 'UNAUTHORIZED_ACCESS'],
    ['other key', `Bearer ${await sign({ key: other })}`, 'UNAUTHORIZED_ACCESS'],
    ['wrong iss', `Bearer ${await sign({ iss: 'example.com' })}`, 'UNAUTHORIZED_ACCESS'],
    ['old aud', `Bearer ${await sign({ aud: 'api.tilisy.com' })}`, 'UNAUTHORIZED_ACCESS'],
    ['TTL over a day', `Bearer ${await sign({ exp: nowS + 86_401 })}`, 'UNAUTHORIZED_ACCESS'],
    ['expired', `Bearer ${await sign({ iat: nowS - 7200, exp: nowS - 3600 })}`, 'UNAUTHORIZED_ACCESS']
  ]
  for (const [name, header, code] of cases) {
    const res = await call(header)
    t.equal(res.status, 401, name)
    t.equal(res.body.error, code, name)
    t.equal(res.body.code, 401, name)
    t.type(res.body.message, 'string', name)
  }
  t.equal((await call(`Bearer ${await sign({ exp: nowS + 86_400 })}`)).status, 200, 'exactly one day is allowed')
})

t.test('an adapter with a key Enable Banking does not know gets misconfigured', async t => {
  const h = await startHarness()
  t.teardown(h.close)
  const pem = OTHER_KEY.export({ type: 'pkcs8', format: 'pem' }).toString()
  const adapter = enablebankingModule.createAdapter({ baseUrl: h.baseUrl, now: h.clock.now }, { applicationId: SANDBOX_APPLICATION_ID, privateKeyPem: pem })
  const before = h.hits.length
  const err = await catchError(adapter.listInstitutions('FI'))
  t.equal(err.kind, 'misconfigured')
  t.equal(err.providerCode, 'UNAUTHORIZED_ACCESS')
  t.equal(err.httpStatus, 401)
  t.equal(h.hits.length - before, 1, 'no retry on 401')
})

t.test('settings: PEM inline (with \\n escapes) or a file path; bad values name the variable', async t => {
  const ok = enablebankingModule.credentialsFromSettings({ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID, ENABLEBANKING_PRIVATE_KEY: SANDBOX_PRIVATE_KEY_PEM.replace(/\n/g, '\\n') })
  t.equal(ok.applicationId, SANDBOX_APPLICATION_ID)
  t.match(ok.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
  const dir = mkdtempSync(join(tmpdir(), 'eb-'))
  const file = join(dir, 'key.pem')
  const pkcs1 = OTHER_KEY.export({ type: 'pkcs1', format: 'pem' }).toString()
  writeFileSync(file, pkcs1)
  const fromFile = enablebankingModule.credentialsFromSettings({ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID, ENABLEBANKING_PRIVATE_KEY: file })
  t.match(fromFile.privateKeyPem, /BEGIN RSA PRIVATE KEY/, 'PKCS#1 keys (openssl genrsa) are accepted too')
  const signed = await createJwtSigner(fromFile).token()
  t.equal(decodeProtectedHeader(signed).alg, 'RS256')
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const bad: Array<[Record<string, string | undefined>, RegExp]> = [
    [{ ENABLEBANKING_PRIVATE_KEY: SANDBOX_PRIVATE_KEY_PEM }, /^ENABLEBANKING_APPLICATION_ID: /],
    [{ ENABLEBANKING_APPLICATION_ID: 'my-app', ENABLEBANKING_PRIVATE_KEY: SANDBOX_PRIVATE_KEY_PEM }, /^ENABLEBANKING_APPLICATION_ID: /],
    [{ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID }, /^ENABLEBANKING_PRIVATE_KEY: /],
    [{ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID, ENABLEBANKING_PRIVATE_KEY: 'relative/key.pem' }, /^ENABLEBANKING_PRIVATE_KEY: /],
    [{ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID, ENABLEBANKING_PRIVATE_KEY: join(dir, 'missing.pem') }, /^ENABLEBANKING_PRIVATE_KEY: /],
    [{ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID, ENABLEBANKING_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----' }, /^ENABLEBANKING_PRIVATE_KEY: /],
    [{ ENABLEBANKING_APPLICATION_ID: SANDBOX_APPLICATION_ID, ENABLEBANKING_PRIVATE_KEY: ec }, /RS256/]
  ]
  for (const [values, pattern] of bad) t.throws(() => enablebankingModule.credentialsFromSettings(values), pattern)
  t.same(enablebankingModule.settings.map(s => [s.name, s.secret]), [['ENABLEBANKING_APPLICATION_ID', false], ['ENABLEBANKING_PRIVATE_KEY', true]])
  t.notOk(enablebankingModule.createAdapter({ baseUrl: 'http://127.0.0.1:1' }, ok).verifyWebhook, 'Enable Banking has no AIS webhooks')
})
