/**
 * Consent in a separate window: with LINK_WINDOW_PROVIDERS=ponto, Ponto's sandbox pages refuse
 * framing, our consent page opens them in a named window ("Continue in a new window"), our
 * callback in that window reports back instead of showing the result, and the iframe's session
 * then ends exactly as in the framed case (exchange_token, then success).
 */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { dataBlock, decide, follow, get, provision, start, startLinkApp, submit, verifyPhone, type LinkApp, type Page } from './helpers.js'

/** Phone (first time), search "Ordinary" in BE, then the consent page of that bank through `provider`. */
async function consentFor (la: LinkApp, db: string, provider: string): Promise<Page> {
  let page = await start(la, { db })
  if (page.url.endsWith('/phone')) page = await verifyPhone(la, page, '+32470111222')
  const found = await get(`${page.url}?q=Ordinary&country=BE`)
  const refs = [...found.html.matchAll(/(?:name="i" value="|consent\?i=)([^"&]+)/g)].map(m => decodeURIComponent(m[1] as string))
  const ref = refs.find(r => r.startsWith(`${provider}:`))
  if (ref === undefined) throw new Error(`no ${provider} listing of the Ordinary bank`)
  return await follow(await get(`${page.url.replace(/\/search$/, '/consent')}?i=${encodeURIComponent(ref)}`))
}

t.test('a provider that refuses framing: consent in a new window, reported back to the iframe', async t => {
  const la = await startLinkApp(t, { LINK_WINDOW_PROVIDERS: 'ponto' })
  const db = randomUUID()
  await provision(la, db)
  const consent = await consentFor(la, db, 'ponto')
  const sid = /\/link\/s\/([A-Za-z0-9_-]{32})\//.exec(consent.url)?.[1] as string
  t.match(consent.html, /<form method="post" action="\/link\/s\/[^"]+\/consent" class="step" target="bsb-consent-window" data-bsb-window>/, 'the form posts into a named window (a plain new window without a script)')
  t.match(consent.html, /<button type="submit" aria-describedby="window-notice">Continue in a new window<\/button>/)
  t.match(consent.html, /id="window-notice">Sandbox Ordinary Bank does not allow its page to be shown here/)
  t.match(consent.html, new RegExp(`<a href="/link/s/${sid}">I have finished at my bank</a>`), 'a plain link back into the flow')
  t.equal(dataBlock(consent).resume, `/link/s/${sid}`, 'where the iframe goes when the window reports back')

  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  t.equal(toBank.status, 303)
  const bank = await get(toBank.location as string)
  t.equal(bank.headers['x-frame-options'], 'DENY', 'the sandbox bank page refuses framing')
  t.match(bank.headers['content-security-policy'], /frame-ancestors 'none'/)

  const answered = await decide(bank, 'approve')
  t.equal(answered.status, 200)
  t.match(answered.url, /\/link\/callback\/ponto\?/, 'the window stays on our callback page')
  t.match(answered.html, /Your bank has answered/)
  const relay = dataBlock(answered)
  t.same(relay, { hostOrigin: null, relay: 'close' }, 'it only reports to its opener: no events, no host, no exchange token in this window')

  const waiting = await follow(await get(`${la.base}/link/s/${sid}`))
  t.match(waiting.url, /\/done$/, 'the iframe\'s session is done')
  t.same(dataBlock(waiting).events?.map(e => e.event), ['exchange_token', 'success'], 'and ends exactly as in the iframe case')
})

t.test('a denial in the window shows the error there and sends the iframe back to consent', async t => {
  const la = await startLinkApp(t, { LINK_WINDOW_PROVIDERS: 'ponto' })
  const db = randomUUID()
  await provision(la, db)
  const consent = await consentFor(la, db, 'ponto')
  const sid = /\/link\/s\/([A-Za-z0-9_-]{32})\//.exec(consent.url)?.[1] as string
  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  const denied = await decide(await get(toBank.location as string), 'deny')
  t.equal(denied.status, 403)
  t.match(denied.html, /Access not allowed/)
  t.match(denied.html, /Reference: ref_/)
  t.same(dataBlock(denied), { hostOrigin: null, relay: 'stay' }, 'reports to the iframe but stays open to be read')
  const back = await follow(await get(`${la.base}/link/s/${sid}`))
  t.match(back.url, /\/consent$/, 'the iframe can try again')
  t.match(back.html, /Continue in a new window/)
})

t.test('providers not listed keep the framed consent', async t => {
  const la = await startLinkApp(t, { LINK_WINDOW_PROVIDERS: 'ponto' })
  const db = randomUUID()
  await provision(la, db)
  const consent = await consentFor(la, db, 'enablebanking')
  t.match(consent.url, /\/consent\?i=enablebanking/)
  t.notMatch(consent.html, /data-bsb-window|target=/)
  t.match(consent.html, />Continue<\/button>/)
  t.notOk('resume' in dataBlock(consent))
  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  const bank = await get(toBank.location as string)
  t.equal(bank.headers['x-frame-options'], undefined, 'Enable Banking\'s sandbox may be framed')
  const done = await decide(bank, 'approve')
  t.match(done.url, /\/done$/, 'the framed flow redirects to the result as before')
})

t.test('the page script checks origins both ways', async t => {
  const la = await startLinkApp(t)
  const js = (await get(`${la.base}/link/assets/link.js`)).html
  t.match(js, /if \(e\.origin !== window\.location\.origin\) return/, 'the iframe accepts the report only from our own origin')
  t.match(js, /e\.source !== consentWindow/, '…and only from the window it opened')
  t.match(js, /window\.opener\.postMessage\(\{ source: 'odoofin', type: 'consent_finished' \}, window\.location\.origin\)/, 'the window reports only to our own origin')
  t.notMatch(js, /postMessage\([^)]*'\*'\)/, 'never to any origin')
})
