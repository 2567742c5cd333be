/**
 * The gate reads of requests that arrive together go to Redis as one script call
 * (src/store/gate-script.ts). A Redis error in one request's part, here a damaged key of one
 * client, must fail that request only, with a reference, and never the others of its call.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { call, newLink } from '../locks/helpers.js'

const TOKEN = '/proxy/v1/get_access_token'
const CLIENTS = 8

t.test('a damaged key fails its own request only, not the others read in the same call', async t => {
  const h = await buildTestApp(t)
  const s = h.app.services
  const links = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    const db = `db-batch-isolation-${String(i).padStart(3, '0')}`
    return { db, link: await newLink(h.app, db) }
  }))
  const damaged = links[3] as (typeof links)[number]
  // the rate window is a counter; as a hash, the script's INCR on it fails with WRONGTYPE
  await s.redis.hset(s.keys.clientRate(damaged.db, damaged.link.clientId), 'not', 'a counter')

  const evalsBefore = await scriptCalls(s.redis)
  const answers = await Promise.all(links.map(async ({ db, link }) => await call(h.app, TOKEN, link, { db })))
  t.comment(`${CLIENTS} requests, ${await scriptCalls(s.redis) - evalsBefore} script calls`)

  answers.forEach((a, i) => {
    if (links[i] === damaged) {
      t.equal(a.result, undefined, 'the request with the damaged key is refused')
      t.match(a.error?.data?.error_reference, /^ref_/, 'with a reference')
    } else {
      t.type(a.result?.access_token, 'string', `client ${i} is served`)
    }
  })
})

/** Script calls Redis has run so far (every gate read is one, batched or not). */
async function scriptCalls (redis: { info: (section: string) => Promise<string> }): Promise<number> {
  const stats = await redis.info('commandstats')
  return [...stats.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0)
}
