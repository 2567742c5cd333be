/**
 * The link pages one by one: subscription refusal, translations, CSRF, expiry, unknown pages,
 * the no-script entry, and the error page's reference.
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { follow, formOf, get, post, provision, start, startLinkApp, submit, verifyPhone } from './helpers.js'

t.test('an unentitled database gets a clear page with the catalogue message and a reference', async t => {
  const la = await startLinkApp(t)
  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    ['missing', async () => {}, /needs a valid Odoo Enterprise subscription/],
    ['community', async () => { await provision(la, db, 'community') }, /not available on Odoo Community/],
    ['expired', async () => { await provision(la, db, 'enterprise', '2020-01-01') }, /has expired/]
  ]
  let db = ''
  for (const [name, setup, message] of cases) {
    db = randomUUID()
    await setup()
    const page = await start(la, { db })
    t.equal(page.status, 402, name)
    t.match(page.headers['content-type'], /text\/html/)
    t.match(page.html, message, name)
    const ref = /Reference: (ref_[A-Za-z0-9_-]+)/.exec(page.html)?.[1]
    t.ok(ref, `${name}: the page quotes the reference`)
    t.equal(page.headers['x-error-reference'], ref)
    t.match(page.headers['content-security-policy'], /frame-ancestors \*/, 'error pages can be framed too')
    t.ok(await la.redis.exists(la.app.services.keys.error(ref as string)), 'the reference has a record')
  }
})

t.test('pages speak French and Dutch from lang, English otherwise', async t => {
  const la = await startLinkApp(t)
  const labels: Array<[string, RegExp[]]> = [
    ['fr_BE', [/Numéro de téléphone/, /Envoyer le code/, /<html lang="fr">/]],
    ['fr_FR', [/Numéro de téléphone/]],
    ['nl_BE', [/Telefoonnummer/, /Code versturen/, /<html lang="nl">/]],
    ['nl_NL', [/Telefoonnummer/]],
    ['de_DE', [/Phone number/, /Send code/, /<html lang="en">/]]
  ]
  for (const [lang, expected] of labels) {
    const db = randomUUID()
    await provision(la, db)
    const page = await start(la, { db, lang })
    for (const re of expected) t.match(page.html, re, `${lang}: ${re.source}`)
  }
  const db = randomUUID()
  await provision(la, db)
  const search = await verifyPhone(la, await start(la, { db, lang: 'nl_BE' }), '+32470000010')
  t.match(search.html, /<label for="q">Zoek uw bank<\/label>/)
  t.match(search.html, /<label for="country">Land<\/label>/)
})

t.test('every form needs the session CSRF token', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const page = await start(la, { db })
  const f = formOf(page, 'phone/send')
  for (const csrf of [undefined, 'x'.repeat(32), '']) {
    const res = await post(f.action, { ...(csrf === undefined ? {} : { csrf }), phone: '+32470000020' })
    t.equal(res.status, 403)
    t.match(res.html, /This form has expired or was not sent from this page/)
    t.match(res.html, /Reference: ref_/)
  }
  const ok = await submit(page, 'phone/send', { phone: '+32470000020' })
  t.equal(ok.status, 303, 'with the token the form works')
})

t.test('a session expires after an hour (app clock) and says so', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const page = await start(la, { db })
  la.clock.offset += 61 * 60_000
  const later = await get(page.url)
  t.equal(later.status, 410)
  t.match(later.html, /This connection attempt has expired/)
  t.match(later.html, /Reference: ref_/)
  const bogus = await get(`${la.base}/link/s/${'A'.repeat(32)}/search`)
  t.equal(bogus.status, 410, 'an unknown session id is an expired one')
})

t.test('unknown link pages, missing dbUuid and a bad callback render HTML pages', async t => {
  const la = await startLinkApp(t)
  const missing = await get(`${la.base}/link/nothing-here`)
  t.equal(missing.status, 404)
  t.match(missing.headers['content-type'], /text\/html/)
  t.match(missing.html, /This page does not exist/)
  const noDb = await follow(await post(`${la.base}/link/start`, { params: JSON.stringify({ mode: 'link', includeParam: {} }) }))
  t.equal(noDb.status, 400)
  t.match(noDb.html, /Reference: ref_/)
  const cb = await get(`${la.base}/link/callback/ponto?state=nope&code=x`)
  t.equal(cb.status, 410)
  t.match(cb.html, /This connection attempt has expired/)
})

t.test('without a script: GET /link/start opens a link-mode flow, pages are plain forms', async t => {
  const la = await startLinkApp(t)
  const db = randomUUID()
  await provision(la, db)
  const page = await follow(await get(`${la.base}/link/start?db_uuid=${db}&lang=en_US&country=FR`))
  t.equal(page.status, 200)
  t.match(page.html, /<form method="post" action="\/link\/s\/[^"]+\/phone\/send"/)
  t.match(page.html, /data-bsb-close hidden/, 'script-only buttons are hidden without a script')
  t.notMatch(page.html, /<script>/, 'no inline script (strict CSP)')
  const search = await verifyPhone(la, page, '+33612345678')
  t.match(search.html, /<option value="FR" selected>/)
  t.match(search.html, /<form method="get"/)
})
