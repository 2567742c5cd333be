/**
 * Admin JWT attacks with key-based tokens (ADMIN_JWKS_URL, RS256): HS256 signed with our public
 * key (algorithm confusion), a foreign key under our kid, random unknown kids (the JWKS is not
 * fetched again for each: ≤ 1 fetch per 30 s cool-down), injected kids (never in a URL or a Redis
 * command), and jku/x5u/jwk headers that are never followed. The real key passes.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { SignJWT, generateKeyPair, exportJWK, exportSPKI, type JWTPayload, type JWTHeaderParameters } from 'jose'
import { buildAttackApp } from './support/app.js'
import { loopbackServer } from './support/loopback-server.js'
import { REDIS_URL } from '../helpers/app.js'

const COOL_DOWN_MS = 30_000
type SigningKey = Parameters<SignJWT['sign']>[0]

t.test('key-based admin tokens resist confusion, foreign keys and kid games', async t => {
  const ours = await generateKeyPair('RS256', { extractable: true })
  const theirs = await generateKeyPair('RS256', { extractable: true })
  const publicJwk = { ...await exportJWK(ours.publicKey), kid: 'k1', alg: 'RS256', use: 'sig' }
  const jwks = await loopbackServer(t, { '/jwks.json': { keys: [publicJwk] } })
  const attacker = await loopbackServer(t)
  const h = await buildAttackApp(t, { ADMIN_JWT_SECRET: '', ADMIN_JWKS_URL: `${jwks.url}/jwks.json`, ADMIN_JWT_ALG: 'RS256' })
  const now = Math.floor(h.clock.now() / 1000)
  const claims: JWTPayload = { role: 'ops', iss: 'banksync-broker', aud: 'banksync-admin', sub: 'mallory', iat: now, exp: now + 600 }
  const sign = async (header: JWTHeaderParameters, key: SigningKey): Promise<string> => await new SignJWT(claims).setProtectedHeader(header).sign(key)
  const status = async (token: string): Promise<number> => (await h.app.inject({ method: 'GET', url: '/admin/locks', headers: { authorization: `Bearer ${token}` } })).statusCode
  const started = Date.now()

  t.equal(await status(await sign({ alg: 'RS256', kid: 'k1' }, ours.privateKey)), 200, 'J15: our key under our kid passes')
  const pem = await exportSPKI(ours.publicKey)
  const confusion: Record<string, string> = {
    'J2 HS256 keyed with our public key PEM': await sign({ alg: 'HS256', kid: 'k1' }, Buffer.from(pem)),
    'J2 HS256 keyed with our public JWK JSON': await sign({ alg: 'HS256', kid: 'k1' }, Buffer.from(JSON.stringify(publicJwk))),
    'J2 HS256 keyed with our modulus': await sign({ alg: 'HS256', kid: 'k1' }, Buffer.from(publicJwk.n as string, 'base64url')),
    'J1 alg none under our kid': `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
    'foreign key under our kid': await sign({ alg: 'RS256', kid: 'k1' }, theirs.privateKey),
    'PS256 by a foreign key (algorithm pinned)': await sign({ alg: 'PS256', kid: 'k1' }, (await generateKeyPair('PS256')).privateKey),
    'J12 embedded jwk of a foreign key': await sign({ alg: 'RS256', jwk: await exportJWK(theirs.publicKey) }, theirs.privateKey),
    'J12 jku to an attacker JWKS': await sign({ alg: 'RS256', kid: 'evil', jku: `${attacker.url}/jwks.json` }, theirs.privateKey),
    'J12 x5u to an attacker certificate': await sign({ alg: 'RS256', kid: 'evil', x5u: `${attacker.url}/cert.pem` }, theirs.privateKey)
  }
  for (const [name, token] of Object.entries(confusion)) t.equal(await status(token), 401, name)

  const marker = `kidprobe${randomUUID().replace(/-/g, '')}`
  const monitorConnection = new Redis(REDIS_URL)
  const monitor = await monitorConnection.monitor()
  const commandsWithKid: string[] = []
  monitor.on('monitor', (_time: string, args: string[]) => { if (args.some(a => a.includes(marker))) commandsWithKid.push(args.join(' ').slice(0, 200)) })
  t.teardown(async () => { monitor.disconnect(); monitorConnection.disconnect() })
  const injected = [`../../../dev/null${marker}`, `' OR '1'='1 ${marker}`, `${marker}\u0000${'k'.repeat(10_240)}`, `${marker}/../../jwks.json`, `https://127.0.0.1/${marker}`]
  for (const kid of injected) t.equal(await status(await sign({ alg: 'RS256', kid }, theirs.privateKey)), 401, `J11 kid ${JSON.stringify(kid.slice(0, 40))}`)

  const UNKNOWN_KIDS = 200
  let refused = 0
  for (let i = 0; i < UNKNOWN_KIDS; i++) if (await status(await sign({ alg: 'RS256', kid: `${marker}-${randomUUID()}` }, theirs.privateKey)) === 401) refused++
  t.equal(refused, UNKNOWN_KIDS, `J10: ${UNKNOWN_KIDS} tokens with random unknown kids all refused`)
  await new Promise(resolve => setTimeout(resolve, 200))
  monitor.disconnect()

  const fetches = jwks.hits.length
  const allowed = 1 + Math.ceil((Date.now() - started) / COOL_DOWN_MS)
  t.ok(fetches <= allowed, `J10: the JWKS was fetched ${fetches} times for ${UNKNOWN_KIDS + injected.length} unknown kids (at most ${allowed}: one per cool-down)`)
  t.ok(jwks.hits.every(hit => hit.url === '/jwks.json'), 'J11: only the configured JWKS URL was fetched (no kid in any URL)')
  t.same(commandsWithKid, [], 'J11: no Redis command carried a kid')
  t.equal(attacker.hits.length, 0, 'J12: no jku/x5u was fetched')
})
