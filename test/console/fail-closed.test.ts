/**
 * Redis down: the console refuses every read and action with a 503 page and a reference (no
 * action is taken without its audit), and works again by itself when Redis returns.
 */
import t from 'tap'
import { privateRedis } from '../helpers/redis-server.js'
import { adminCall, listeningApp, newLink, registerPhone } from '../locks/helpers.js'
import { consoleAgent, textOf } from './helpers.js'

t.test('Redis stopped and started: 503 pages with a reference, then recovery', async t => {
  const redis = await privateRedis(t, ['--appendonly', 'yes', '--appendfsync', 'always'])
  const h = await listeningApp(t, { REDIS_URL: redis.url })
  const db = 'db-console-down-0001'
  const link = await newLink(h.app, db)
  await registerPhone(h, db, '+32470000066')
  t.equal((await adminCall(h, 'POST', `/admin/clients/${link.clientId}/lock`, 'ops', { reason: 'before the outage' })).statusCode, 200)
  const ops = await consoleAgent(h)
  const url = `/console/clients/${link.clientId}`
  await redis.stop()

  const answers = [
    ['client page', await ops.get(url)],
    ['locks', await ops.get('/console/locks')],
    ['reference', await ops.get('/console/errors?reference=ref_0123456789abcdefghjk')],
    ['lock', await ops.post(`${url}/lock`, { reason: 'during the outage' })],
    ['unlock-code', await ops.post(`${url}/unlock-code`)],
    ['unlock', await ops.post(`${url}/unlock`, { code: '123456' })],
    ['reset', await ops.post(`${url}/reset`)]
  ] as const
  for (const [what, res] of answers) {
    t.equal(res.statusCode, 503, `${what}: 503`)
    t.match(res.headers['content-type'], /^text\/html/, what)
    t.match(textOf(res.body), /Service unavailable .* Reference: ref_\w+ \(code BSB_SERVICE_UNAVAILABLE \)/, what)
  }

  await redis.start()
  let page = await ops.get(url)
  for (let i = 0; i < 50 && page.statusCode !== 200; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    page = await ops.get(url)
  }
  t.equal(page.statusCode, 200, 'the console recovers by itself')
  t.match(textOf(page.body), /Locked Yes Reason by ops: before the outage/, 'the lock survived; nothing was done during the outage')
})
