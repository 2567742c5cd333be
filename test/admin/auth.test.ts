import t from 'tap'
import { SignJWT, generateKeyPair, exportJWK } from 'jose'
import { buildTestApp, ADMIN_SECRET } from '../helpers/app.js'

const secret = Buffer.from(ADMIN_SECRET)
const base = () => new SignJWT({ role: 'ops' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('banksync-broker').setAudience('banksync-admin').setSubject('alice').setIssuedAt()

t.test('admin JWT attacks are refused with 401 problem+json', async t => {
  const { app, adminToken } = await buildTestApp(t)
  const call = async (token: string) => await app.inject({ method: 'GET', url: '/admin/subscriptions/db-xyz-00000000', headers: { authorization: `Bearer ${token}` } })
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const attacks: Record<string, string> = {
    'alg none': `${enc({ alg: 'none' })}.${enc({ role: 'ops', iss: 'banksync-broker', aud: 'banksync-admin', sub: 'x', iat: now, exp: now + 60 })}.`,
    'wrong audience': await base().setAudience('other').setExpirationTime('1h').sign(secret),
    'wrong issuer': await base().setIssuer('evil').setExpirationTime('1h').sign(secret),
    expired: await base().setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(secret),
    'no exp': await base().sign(secret),
    'foreign key': await base().setExpirationTime('1h').sign(Buffer.from('another-secret-that-is-long-enough-xxxxxxxx')),
    'RS256 with embedded jwk': await new SignJWT({ role: 'ops' }).setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(publicKey) }).setIssuer('banksync-broker').setAudience('banksync-admin').setSubject('x').setIssuedAt().setExpirationTime('1h').sign(privateKey),
    'kid injection': await new SignJWT({ role: 'ops' }).setProtectedHeader({ alg: 'HS256', kid: "../../../dev/null' OR '1'='1" }).setIssuer('banksync-broker').setAudience('banksync-admin').setSubject('x').setIssuedAt().setExpirationTime('1h').sign(Buffer.from('x'.repeat(32))),
    'bad role': await new SignJWT({ role: 'root' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('banksync-broker').setAudience('banksync-admin').setSubject('x').setIssuedAt().setExpirationTime('1h').sign(secret),
    garbage: 'a.b.c'
  }
  for (const [name, token] of Object.entries(attacks)) {
    const res = await call(token)
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, name)
    t.match(res.json(), { code: 'BSB_ADMIN_UNAUTHORIZED', reference: /^ref_/ }, name)
  }
  t.equal((await app.inject({ method: 'GET', url: '/admin/subscriptions/db-xyz-00000000' })).statusCode, 401, 'no token')
  t.equal((await call(await adminToken('support'))).statusCode, 404, 'a valid token passes (unknown subscription)')
})

t.test('support reads, ops writes', async t => {
  const { app, adminToken } = await buildTestApp(t)
  const put = async (role: 'ops' | 'support') => await app.inject({ method: 'PUT', url: '/admin/subscriptions/db-abc-12345678', headers: { authorization: `Bearer ${await adminToken(role)}` }, payload: { edition: 'enterprise', expires_on: '2030-01-31' } })
  t.equal((await put('support')).statusCode, 403)
  const ok = await put('ops')
  t.equal(ok.statusCode, 200)
  t.match(ok.json(), { db_uuid: 'db-abc-12345678', edition: 'enterprise', expires_on: '2030-01-31', updated_by: 'tester' })
  const read = await app.inject({ method: 'GET', url: '/admin/subscriptions/db-abc-12345678', headers: { authorization: `Bearer ${await adminToken('support')}` } })
  t.equal(read.json().edition, 'enterprise')
  const bad = await app.inject({ method: 'PUT', url: '/admin/subscriptions/db-abc-12345678', headers: { authorization: `Bearer ${await adminToken('ops')}` }, payload: { edition: 'gold', expires_on: '2030-01-31', password: 'hunter2' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'BSB_ADMIN_INVALID', reference: /^ref_/ })
})
