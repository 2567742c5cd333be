/** Dashboard institutions: the v1 envelope with a list, the v2 bare list, and ids accepted back as clickedInstitution. */
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { follow, post, provision, startLinkApp, startParams, verifyPhone } from './helpers.js'

t.test('v1 (Odoo 18): envelope whose result is a list of {id, name, picture}', async t => {
  const la = await startLinkApp(t)
  const res = await la.app.inject({ method: 'POST', url: '/proxy/v1/get_dashboard_institutions', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ country: 'BE', limit: 5, utils: { db_uuid: randomUUID(), server_version: '18.0' } }) })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.jsonrpc, '2.0')
  t.ok(Array.isArray(body.result), 'result is a list')
  t.equal(body.result.length, 5, 'limit respected')
  for (const i of body.result) {
    t.same(Object.keys(i).sort(), ['id', 'name', 'picture'])
    t.ok(i.picture.startsWith('/') || i.picture.startsWith('https://'))
  }
  const names = body.result.map((i: { name: string }) => i.name)
  t.equal(new Set(names).size, names.length, 'each bank once')
  t.notOk(names.includes('Sandbox Beta Bank'), 'beta banks come last')
  const picture = await request(`${la.base}${body.result[0].picture as string}`)
  t.equal(picture.statusCode, 200)
  t.match(picture.headers['content-type'], /image\/svg\+xml/)
  await picture.body.dump()
  const none = await la.app.inject({ method: 'POST', url: '/proxy/v1/get_dashboard_institutions', headers: { 'content-type': 'application/json' }, payload: '{"country":"ZZ"}' })
  t.same(none.json().result, [], 'unknown country: empty list')
})

t.test('v2 (Odoo 19): GET answers the bare list', async t => {
  const la = await startLinkApp(t)
  const res = await request(`${la.base}/proxy/v2/get_dashboard_institutions?country=BE&limit=28`)
  t.equal(res.statusCode, 200)
  const list = await res.body.json() as Array<{ id: string, name: string, picture: string }>
  t.ok(Array.isArray(list))
  t.equal(list.length, 7, 'the seven sandbox banks of Belgium, once each')
  t.ok(list.every(i => typeof i.id === 'string' && typeof i.name === 'string' && typeof i.picture === 'string'))
  t.equal(list.find(i => i.name === 'Sandbox Ordinary Bank')?.id.split(':')[0], 'ponto', 'the preferred provider for BE')
})

t.test('a dashboard id preselects the bank as clickedInstitution (Odoo 18+)', async t => {
  const la = await startLinkApp(t)
  const list = await (await request(`${la.base}/proxy/v2/get_dashboard_institutions?country=BE&limit=28`)).body.json() as Array<{ id: string, name: string }>
  const mfa = list.find(i => i.name === 'Sandbox MFA Bank') as { id: string }
  const db = randomUUID()
  await provision(la, db)
  const phone = await follow(await post(`${la.base}/link/start`, startParams({ db, clicked: mfa.id, serverVersion: '18.0' })))
  const after = await verifyPhone(la, phone, '+32470000401')
  t.match(after.url, /\/consent$/, 'straight to consent after the phone')
  t.match(after.html, /Allow access to Sandbox MFA Bank/)
  t.match(after.html, /Choose another bank/)
  const unknown = await follow(await post(`${la.base}/link/start`, startParams({ db, clicked: 'ponto:does-not-exist' })))
  t.match(unknown.url, /\/search$/, 'an unknown id falls back to the search')
})
