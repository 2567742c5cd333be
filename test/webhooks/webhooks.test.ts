import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { callbackBody, signCallback } from '../../providers/saltedge/sandbox/callbacks.js'

t.test('signed provider callbacks: verified, de-duplicated, forged ones refused', async t => {
  const h = await buildTestApp(t)
  const url = `${h.config.publicUrl}/webhooks/saltedge`
  const body = callbackBody({ connection_id: '111', customer_id: '222', custom_fields: {}, stage: 'finish' }, Date.now())
  const post = async (payload: string, signature: string, provider = 'saltedge') => await h.app.inject({ method: 'POST', url: `/webhooks/${provider}`, headers: { 'content-type': 'application/json', signature }, payload })

  const ok = await post(body, signCallback(url, body))
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { received: true, duplicate: false })
  const again = await post(body, signCallback(url, body))
  t.same(again.json(), { received: true, duplicate: true }, 'a redelivery is acknowledged once more but processed once')

  const tamperedBody = await post(body.replace('111', '999'), signCallback(url, body))
  t.equal(tamperedBody.statusCode, 401, 'body changed after signing')
  t.match(tamperedBody.json(), { reference: /^ref_/ })
  const tamperedUrl = await post(body, signCallback('https://evil.example/webhooks/saltedge', body))
  t.equal(tamperedUrl.statusCode, 401, 'signed for another URL')
  t.equal((await post(body, 'garbage')).statusCode, 401)
  t.equal((await post(body, signCallback(url, body), 'yodlee')).statusCode, 404, 'Yodlee does not sign webhooks: no route')

  const events = await h.app.services.audit.recent(20)
  t.equal(events.filter(e => e.type === 'webhook_received').length, 1)
  t.ok(events.some(e => e.type === 'webhook_rejected'))
})
