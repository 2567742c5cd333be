/**
 * Admin JWT attacks with the shared HS256 secret (reliability.md S1, J1–J16): every forged,
 * confused, stale or malformed token is refused with the same 401 problem body (only reference
 * and instance differ, no reason given), no handler runs (a forged lock leaves the client
 * unlocked), no URL from a token header is fetched, a token in the query string is refused and
 * never logged, and the positive controls pass.
 */
import t from 'tap'
import { createHmac } from 'node:crypto'
import { request } from 'undici'
import type { InjectOptions } from 'fastify'
import { SignJWT, generateKeyPair, exportJWK, type JWTPayload, type JWTHeaderParameters } from 'jose'
import { buildAttackApp } from './support/app.js'
import { loopbackServer } from './support/loopback-server.js'
import { ADMIN_SECRET } from '../helpers/app.js'
import { newLink } from '../locks/helpers.js'

const secret = Buffer.from(ADMIN_SECRET)
type SigningKey = Parameters<SignJWT['sign']>[0]
const enc = (o: unknown): string => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url')

/** HS256 by hand, for headers jose refuses to produce (an unknown `crit` extension). */
function rawHs256 (header: object, payload: object, key: Buffer): string {
  const input = `${enc(header)}.${enc(payload)}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

t.test('forged, confused, stale and malformed admin tokens are all refused alike', async t => {
  const h = await buildAttackApp(t, {}, { logLevel: 'debug', listen: true })
  const attacker = await loopbackServer(t)
  const target = await newLink(h.app, 'db-jwt-target-0001')
  const now = Math.floor(h.clock.now() / 1000)
  // The app's clock stands still at `now` for every verification, so the ±30 s tolerance edges are exact.
  const inject = async (o: InjectOptions) => {
    h.clock.offset = now * 1000 - Date.now()
    return await h.app.inject(o)
  }
  const claims: JWTPayload = { role: 'ops', iss: 'banksync-broker', aud: 'banksync-admin', sub: 'mallory', iat: now, exp: now + 600 }
  const sign = async (header: JWTHeaderParameters, payload: JWTPayload = claims, key: SigningKey = secret): Promise<string> =>
    await new SignJWT(payload).setProtectedHeader(header).sign(key)
  const without = (...names: string[]): JWTPayload => Object.fromEntries(Object.entries(claims).filter(([k]) => !names.includes(k)))
  const rsa = await generateKeyPair('RS256', { extractable: true })
  const ec = await generateKeyPair('ES256', { extractable: true })
  const validSignature = (await sign({ alg: 'HS256' })).split('.')[2] as string

  const attacks: Record<string, string> = {
    'J1 alg none, empty signature': `${enc({ alg: 'none' })}.${enc(claims)}.`,
    'J1 alg None': `${enc({ alg: 'None', typ: 'JWT' })}.${enc(claims)}.`,
    'J1 alg NONE with a signature': `${enc({ alg: 'NONE' })}.${enc(claims)}.${validSignature}`,
    'J1 alg nOnE': `${enc({ alg: 'nOnE' })}.${enc(claims)}.`,
    'J2 HS512 with our secret (algorithm pinned)': await sign({ alg: 'HS512' }),
    'J2 HS384 with our secret': await sign({ alg: 'HS384' }),
    'J2 RS256 by an attacker key': await sign({ alg: 'RS256' }, claims, rsa.privateKey),
    'J2 ES256 by an attacker key': await sign({ alg: 'ES256' }, claims, ec.privateKey),
    'J3 wrong aud': await sign({ alg: 'HS256' }, { ...claims, aud: 'banksync-client' }),
    'J3 missing aud': await sign({ alg: 'HS256' }, without('aud')),
    'J4 wrong iss': await sign({ alg: 'HS256' }, { ...claims, iss: 'evil' }),
    'J4 missing iss': await sign({ alg: 'HS256' }, without('iss')),
    'J5 exp = now - 31 s (tolerance 30 s)': await sign({ alg: 'HS256' }, { ...claims, iat: now - 600, exp: now - 31 }),
    'J6 nbf = now + 31 s': await sign({ alg: 'HS256' }, { ...claims, nbf: now + 31 }),
    'J7 no exp': await sign({ alg: 'HS256' }, without('exp')),
    'J7 no iat': await sign({ alg: 'HS256' }, without('iat')),
    'J7 no sub': await sign({ alg: 'HS256' }, without('sub')),
    'J8 iat older than the 24 h max age': await sign({ alg: 'HS256' }, { ...claims, iat: now - 86_400 - 31 }),
    'J8 iat in the future': await sign({ alg: 'HS256' }, { ...claims, iat: now + 3600, exp: now + 7200 }),
    'foreign secret': await sign({ alg: 'HS256' }, claims, Buffer.from('another-secret-that-is-long-enough-xxxxxxxx')),
    'role claim missing': await sign({ alg: 'HS256' }, without('role')),
    'role claim root': await sign({ alg: 'HS256' }, { ...claims, role: 'root' }),
    'role claim as a list': await sign({ alg: 'HS256' }, { ...claims, role: ['ops'] }),
    'J11 kid path traversal, attacker key': await sign({ alg: 'HS256', kid: '../../../dev/null' }, claims, Buffer.from('x'.repeat(32))),
    'J11 kid SQL, attacker key': await sign({ alg: 'HS256', kid: "' OR '1'='1" }, claims, Buffer.from('x'.repeat(32))),
    'J11 kid 10 KB with NUL, attacker key': await sign({ alg: 'HS256', kid: `a\u0000${'k'.repeat(10_240)}` }, claims, Buffer.from('x'.repeat(32))),
    'J12 embedded jwk (attacker RSA key)': await sign({ alg: 'RS256', jwk: await exportJWK(rsa.publicKey) }, claims, rsa.privateKey),
    'J12 jku to an attacker host': await sign({ alg: 'RS256', jku: `${attacker.url}/jwks.json`, kid: 'a' }, claims, rsa.privateKey),
    'J12 x5u to an attacker host': await sign({ alg: 'RS256', x5u: `${attacker.url}/cert.pem` }, claims, rsa.privateKey),
    'J12 jku with our algorithm, attacker secret': await sign({ alg: 'HS256', jku: `${attacker.url}/jwks.json` }, claims, Buffer.from('y'.repeat(32))),
    'unknown crit extension, our secret': rawHs256({ alg: 'HS256', crit: ['x-bank'], 'x-bank': 1 }, claims, secret),
    'J14 one segment': enc({ alg: 'HS256' }),
    'J14 two segments': `${enc({ alg: 'HS256' })}.${enc(claims)}`,
    'J14 four segments': `${await sign({ alg: 'HS256' })}.${validSignature}`,
    'J14 bad base64': `${enc({ alg: 'HS256' })}.!!!.${validSignature}`,
    'J14 header not JSON': `${enc('not json')}.${enc(claims)}.${validSignature}`,
    'J14 payload is a JSON list': `${enc({ alg: 'HS256' })}.${enc([claims])}.${validSignature}`,
    'J14 64 KB header': await sign({ alg: 'HS256', kid: 'p'.repeat(65_536) }, claims, Buffer.from('z'.repeat(32))),
    'J14 64 KB payload, attacker secret': await sign({ alg: 'HS256' }, { ...claims, pad: 'p'.repeat(65_536) }, Buffer.from('z'.repeat(32)))
  }

  const shapes = new Map<string, string>()
  for (const [name, token] of Object.entries(attacks)) {
    const res = await inject({ method: 'POST', url: `/admin/clients/${target.clientId}/lock`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'forged token' }) })
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`)
    const body = res.json()
    t.equal(res.headers['x-error-reference'], body.reference, `${name}: reference in the header`)
    shapes.set(JSON.stringify({ ...body, reference: 'ref' }), name)
  }
  t.equal(shapes.size, 1, `J16: one refusal body for all ${Object.keys(attacks).length} attacks (reference aside): ${[...shapes.keys()][0] ?? ''}`)
  const refusal = JSON.parse([...shapes.keys()][0] as string)
  t.match(refusal, { code: 'BSB_ADMIN_UNAUTHORIZED', status: 401, title: 'Unauthorized', detail: 'A valid admin bearer token is required.' }, 'J16: the refusal does not say why')

  const noToken = await inject({ method: 'POST', url: `/admin/clients/${target.clientId}/lock`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'no token' }) })
  t.same({ ...noToken.json(), reference: 'ref' }, refusal, 'no token at all: the same refusal')

  const state = await inject({ method: 'GET', url: `/admin/clients/${target.clientId}`, headers: { authorization: `Bearer ${await h.adminToken('support')}` } })
  t.equal(state.json().locked, false, 'J1: no forged token reached the handler (the client is not locked)')
  t.equal((await h.app.services.audit.forClient(target.clientId, 50)).filter(e => /lock/.test(e.type)).length, 0, 'and nothing was audited as locked')
  t.equal(attacker.hits.length, 0, 'J12: no jku/x5u/jwk URL was fetched (0 outbound calls)')

  const valid = await h.adminToken('ops')
  for (const param of ['access_token', 'token', 'jwt', 'authorization']) {
    const res = await inject({ method: 'GET', url: `/admin/locks?${param}=${valid}` })
    t.equal(res.statusCode, 401, `J13: token in ?${param}= refused`)
  }
  t.equal((await inject({ method: 'GET', url: '/admin/locks', headers: { 'x-access-token': valid, cookie: `token=${valid}` } })).statusCode, 401, 'J13: token in another header or a cookie refused')
  const leaked = h.logs.filter(line => line.includes(valid) || line.includes(validSignature))
  t.same(leaked, [], `J13: the token is in 0 of ${h.logs.length} log lines (debug level)`)

  const huge = await request(`${h.base}/admin/locks`, { headers: { authorization: `Bearer ${attacks['J14 64 KB header'] as string}` } })
  await huge.body.dump()
  t.equal(huge.statusCode, 431, 'J14: a 64 KB header over a real socket is refused before any parsing (431)')

  const ok = async (name: string, token: string): Promise<void> => {
    const res = await inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${token}` } })
    t.equal(res.statusCode, 200, name)
  }
  await ok('J15: a valid token passes', valid)
  await ok('J5: exp = now - 29 s passes (inside the 30 s tolerance)', await sign({ alg: 'HS256' }, { ...claims, iat: now - 600, exp: now - 29 }))
  await ok('J6: nbf = now + 29 s passes (inside the tolerance)', await sign({ alg: 'HS256' }, { ...claims, nbf: now + 29 }))
})
