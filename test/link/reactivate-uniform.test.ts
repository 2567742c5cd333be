/**
 * Nobody but the holder of a client's current access token reaches its reactivation: unknown ids,
 * another database's client, a wrong or expired token all get the same answer and no SMS; a
 * session without a locked client cannot send a code; forms need the session's CSRF token.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { follow, post, start, startLinkApp, startParams, submit } from './helpers.js'
import { newLink } from '../locks/helpers.js'
import { lockedClient, openPopup, sentCount, withoutReference } from './reactivate-helpers.js'

t.test('unknown and foreign client ids: one answer, no SMS, nothing learnt', async t => {
  const la = await startLinkApp(t)
  const victim = await lockedClient(la, '+32470000601')
  const attacker = await lockedClient(la, '+32470000602')
  const attempts: Array<[string, Parameters<typeof startParams>[0]]> = [
    ['unknown client id', { mode: 'reconnect', db: attacker.db, clientId: `cl_${randomBytes(12).toString('hex')}`, accessToken: attacker.link.accessToken }],
    ['victim id, attacker token', { mode: 'reconnect', db: attacker.db, clientId: victim.link.clientId, accessToken: attacker.link.accessToken }],
    ['victim id, victim db, guessed token', { mode: 'reconnect', db: victim.db, clientId: victim.link.clientId, accessToken: randomBytes(32).toString('base64url') }],
    ['victim id and token, claimed from the attacker db', { mode: 'reconnect', db: attacker.db, clientId: victim.link.clientId, accessToken: victim.link.accessToken }],
    ['attacker id, victim db', { mode: 'reconnect', db: victim.db, clientId: attacker.link.clientId, accessToken: attacker.link.accessToken }]
  ]
  const smsBefore = await sentCount(la, victim.phone)
  const answers: string[] = []
  for (const [name, params] of attempts) {
    const res = await post(`${la.base}/link/start`, startParams(params))
    t.equal(res.status, 403, name)
    t.equal(res.location, null, `${name}: no session`)
    answers.push(withoutReference(res.html))
  }
  t.ok(answers.every(a => a === answers[0]), 'byte-identical pages but for the reference')
  t.match(answers[0], /This bank connection could not be verified/)
  t.notMatch(answers.join(''), /\*\*\*01|Reactivate/, 'neither the phone nor the lock shows')
  t.equal(await sentCount(la, victim.phone), smsBefore, 'no SMS to the victim')

  la.clock.offset += 3_601_000
  const expired = await post(`${la.base}/link/start`, startParams({ mode: 'reconnect', db: victim.db, clientId: victim.link.clientId, accessToken: victim.link.accessToken }))
  t.equal(withoutReference(expired.html), answers[0], 'an expired access token gets the same answer')
})

t.test('a session without a locked client cannot send a code', async t => {
  const la = await startLinkApp(t)
  const victim = await lockedClient(la, '+32470000603')
  const unlocked = await newLink(la.app, victim.db)
  const locked = await openPopup(la, victim)
  const smsBefore = await sentCount(la, victim.phone)

  const own = await openPopup(la, { db: victim.db, link: unlocked })
  t.match(own.url, /\/search$/, 'an unlocked client skips reactivation')
  const sid = /\/link\/s\/([A-Za-z0-9_-]{32})\//.exec(own.url)?.[1] as string
  const csrf = /name="csrf" value="([^"]+)"/.exec(own.html)?.[1] as string
  const forced = await post(`${la.base}/link/s/${sid}/reactivate/send`, { csrf })
  t.equal(forced.status, 303, 'redirected to its own step')
  t.notMatch(forced.location, /reactivate/)
  t.equal((await post(`${la.base}/link/s/${sid}/reactivate/verify`, { csrf, code: '123456' })).status, 303)

  const newLinkSession = await start(la, { db: victim.db })
  const linkSid = /\/link\/s\/([A-Za-z0-9_-]{32})\//.exec(newLinkSession.url)?.[1] as string
  const linkCsrf = /name="csrf" value="([^"]+)"/.exec(newLinkSession.html)?.[1] as string
  t.equal((await post(`${la.base}/link/s/${linkSid}/reactivate/send`, { csrf: linkCsrf })).status, 303, 'a link-mode session has no client to reactivate')

  const noCsrf = await post(locked.url.replace(/reactivate$/, 'reactivate/send'), {})
  t.equal(noCsrf.status, 403, 'no CSRF token: refused')
  t.match(noCsrf.html, /This form has expired/)
  const wrongCsrf = await post(locked.url.replace(/reactivate$/, 'reactivate/send'), { csrf: csrf })
  t.equal(wrongCsrf.status, 403, 'another session\'s CSRF token: refused')
  t.equal(await sentCount(la, victim.phone), smsBefore, 'none of these sent an SMS')
  const audit = await la.app.services.audit.forClient(victim.link.clientId, 20)
  t.notOk(audit.some(e => e.type.startsWith('unlock_')), 'and nothing was attempted on the victim\'s lock')
  t.match((await follow(await submit(locked, 'reactivate/send', {}))).html, /We sent a code to \*\*\*03/, 'while the locked client\'s own session works')
})
