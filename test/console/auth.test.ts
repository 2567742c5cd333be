/**
 * Console sessions: sign-in with an admin token verified like the admin API, the session cookie's
 * attributes, re-verification on every request, CSRF on every form, and the headers every answer
 * carries. Through app.inject against the real app and Redis.
 */
import t from 'tap'
import { SignJWT } from 'jose'
import { buildTestApp, ADMIN_SECRET } from '../helpers/app.js'
import { newLink } from '../locks/helpers.js'
import { consoleAgent, cookieValue, csrfIn, FORM, setCookie, submitSignIn, textOf } from './helpers.js'

const secret = Buffer.from(ADMIN_SECRET)
const now = (): number => Math.floor(Date.now() / 1000)
// One app for the file (its build dominates the runtime); each test uses its own database and clients.
const h = await buildTestApp(t)
const jwt = (role: string) => new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setIssuer('banksync-broker').setAudience('banksync-admin').setSubject('mallory').setIssuedAt()

t.test('without a valid session every page goes to sign-in and every form is refused', async t => {
  const link = await newLink(h.app, 'db-console-auth-0001')
  const expired = await jwt('ops').setIssuedAt(now() - 7200).setExpirationTime(now() - 3600).sign(secret)
  const forged = await jwt('ops').setExpirationTime('1h').sign(Buffer.from('another-secret-that-is-long-enough-xxxxxxxx'))
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const algNone = `${enc({ alg: 'none' })}.${enc({ role: 'ops', iss: 'banksync-broker', aud: 'banksync-admin', sub: 'x', iat: now(), exp: now() + 60 })}.`
  for (const [name, cookie] of [['no cookie', undefined], ['expired token', `bsb_console=${expired}`], ['foreign key', `bsb_console=${forged}`], ['alg none', `bsb_console=${algNone}`], ['garbage', 'bsb_console=a.b.c']] as const) {
    for (const url of ['/console', '/console/locks', `/console/clients/${link.clientId}`, '/console/errors?reference=ref_00000000000000000000']) {
      const res = await h.app.inject({ url, headers: cookie === undefined ? {} : { cookie } })
      t.equal(res.statusCode, 303, `${name}: GET ${url}`)
      t.equal(res.headers.location, '/console/sign-in')
    }
    if (cookie !== undefined) t.match(setCookie(await h.app.inject({ url: '/console', headers: { cookie } }), 'bsb_console'), /^bsb_console=; .*Max-Age=0/, `${name}: the refused cookie is cleared`)
    const post = await h.app.inject({ method: 'POST', url: `/console/clients/${link.clientId}/lock`, headers: { ...FORM, ...(cookie === undefined ? {} : { cookie }) }, payload: 'csrf=x&reason=forged' })
    t.equal(post.statusCode, 401, `${name}: POST refused`)
    t.match(post.headers['content-type'], /^text\/html/)
    t.match(post.headers['x-error-reference'], /^ref_/)
    t.match(textOf(post.body), /Unauthorized You are not signed in, or your session has expired\. .* Reference: ref_\w+ .* Sign in/)
  }
  t.equal((await h.app.services.audit.forClient(link.clientId, 20)).filter(e => e.type === 'lock_set').length, 0, 'nothing was locked')
})

t.test('sign-in: the token is verified like the admin API and becomes an HttpOnly, Strict, /console cookie expiring with it', async t => {
  for (const [name, token] of [['expired', await jwt('ops').setIssuedAt(now() - 7200).setExpirationTime(now() - 3600).sign(secret)], ['bad role', await jwt('root').setExpirationTime('1h').sign(secret)], ['not a JWT', 'hunter2']] as const) {
    const { res } = await submitSignIn(h.app, token)
    t.equal(res.statusCode, 401, name)
    t.equal(setCookie(res, 'bsb_console'), null, `${name}: no session`)
    t.match(textOf(res.body), /Unauthorized This token was refused\. Paste a current token/, name)
    t.notMatch(res.body, /ERR_JWT|role claim/, `${name}: the page does not say why`)
  }

  const token = await jwt('support').setExpirationTime('20m').sign(secret)
  const { page, res } = await submitSignIn(h.app, token)
  t.match(setCookie(page, 'bsb_console_pre'), /; Path=\/console; .*HttpOnly; SameSite=Strict$/, 'the sign-in form is bound to a pre-session cookie')
  t.match(page.body, /<label for="token">Admin token<\/label>/)
  t.match(page.body, />Sign in<\/button>/)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/console')
  const session = setCookie(res, 'bsb_console') as string
  t.match(session, /^bsb_console=[\w-]+\.[\w-]+\.[\w-]+; Path=\/console; Max-Age=(\d+); Expires=[^;]+; HttpOnly; SameSite=Strict$/, 'no Secure on an http PUBLIC_URL')
  const maxAge = Number(/Max-Age=(\d+)/.exec(session)?.[1])
  t.ok(maxAge > 1190 && maxAge <= 1200, `expires with the token (Max-Age ${maxAge})`)
  const home = await h.app.inject({ url: '/console', headers: { cookie: `bsb_console=${cookieValue(res, 'bsb_console') as string}` } })
  t.equal(home.statusCode, 200)
  t.match(textOf(home.body), /Signed in as mallory \(support\)/)
  t.notMatch(home.body, token, 'the token is never written into a page')
  t.match((await h.app.services.audit.recent(20)).find(e => e.type === 'console_sign_in'), { actor: 'admin:mallory', detail: /role=support/ }, 'sign-in audited')

  const https = await buildTestApp(t, { PUBLIC_URL: 'https://console.example.test' })
  t.match(setCookie((await submitSignIn(https.app, token)).res, 'bsb_console'), /; Secure$/, 'Secure when PUBLIC_URL is https')
})

t.test('every request re-verifies the session: it ends when the token expires; sign out clears it', async t => {
  const ops = await consoleAgent(h)
  t.equal((await ops.get('/console')).statusCode, 200)
  h.clock.offset += 3600_000 + 31_000
  const late = await ops.get('/console')
  t.equal(late.statusCode, 303, 'an expired token no longer opens pages')
  t.equal(late.headers.location, '/console/sign-in')
  h.clock.offset = 0

  const other = await consoleAgent(h, 'ops', 'bob')
  const out = await other.post('/console/sign-out')
  t.equal(out.statusCode, 303)
  t.equal(out.headers.location, '/console/sign-in')
  t.match(setCookie(out, 'bsb_console'), /^bsb_console=; Path=\/console; Max-Age=0/)
  t.match((await h.app.services.audit.recent(20)).find(e => e.type === 'console_sign_out'), { actor: 'admin:bob' })
})

t.test('CSRF: a form without the page\'s token, with another session\'s, or sent cross-site is refused (403)', async t => {
  const link = await newLink(h.app, 'db-console-csrf-0001')
  const ops = await consoleAgent(h)
  const other = await consoleAgent(h, 'ops', 'bob')
  const url = `/console/clients/${link.clientId}/lock`
  const inject = async (payload: string, extra: Record<string, string> = {}) => await h.app.inject({ method: 'POST', url, headers: { ...FORM, cookie: ops.cookie, ...extra }, payload })
  const cases: Array<[string, Promise<{ statusCode: number, body: string }>]> = [
    ['no token', inject('reason=forged+lock')],
    ['empty token', inject('csrf=&reason=forged+lock')],
    ['another session\'s token', inject(`csrf=${other.csrf}&reason=forged+lock`)],
    ['cross-site', ops.post(url, { reason: 'forged lock' }, { 'sec-fetch-site': 'cross-site' })]
  ]
  for (const [name, pending] of cases) {
    const res = await pending
    t.equal(res.statusCode, 403, name)
    t.match(textOf(res.body), /This form has expired or was not sent from a console page/, name)
  }
  t.notOk((await h.app.services.clients.get('db-console-csrf-0001', link.clientId))?.locked, 'not locked')

  const page = await h.app.inject({ url: '/console/sign-in' })
  const signIn = async (cookie: string, csrf: string) => await h.app.inject({ method: 'POST', url: '/console/sign-in', headers: { ...FORM, cookie }, payload: `csrf=${csrf}&token=${ops.token}` })
  t.equal((await signIn('', csrfIn(page.body))).statusCode, 403, 'sign-in without its pre-session cookie')
  t.equal((await signIn('bsb_console_pre=someone-elses-nonce', csrfIn(page.body))).statusCode, 403, 'sign-in with another browser\'s form')
  t.equal((await ops.post(url, { reason: 'real lock' })).statusCode, 303, 'the page\'s own token passes')
})

t.test('every answer: strict CSP without script, DENY framing, no-store; output escaped', async t => {
  const ops = await consoleAgent(h)
  for (const res of [await ops.get('/console'), await ops.get('/console/locks'), await h.app.inject({ url: '/console' }), await ops.post('/console/clients/cl_nope/unlock', { code: '1' }), await ops.get('/console/nope')]) {
    t.equal(res.headers['content-security-policy'], "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    t.equal(res.headers['x-frame-options'], 'DENY')
    t.equal(res.headers['cache-control'], 'no-store')
    t.notMatch(res.body, /<script/i, 'no script at all')
  }
  const css = await h.app.inject({ url: '/console/assets/console.css' })
  t.equal(css.statusCode, 200)
  t.match(css.headers['content-type'], /^text\/css/)
  const evil = await ops.get('/console/errors?reference=%22%3E%3Cimg%20src%3Dx%3E')
  t.equal(evil.statusCode, 404)
  t.notMatch(evil.body, /<img src=x>/)
  t.match(evil.body, /&quot;&gt;&lt;img src=x&gt;/)
  const badId = await ops.get('/console/clients?client_id=%3Cb%3Ex')
  t.equal(badId.statusCode, 400)
  t.match(badId.body, /value="&lt;b&gt;x"/)
})
