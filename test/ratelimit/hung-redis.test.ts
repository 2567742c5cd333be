import t from 'tap'
import { spawn } from 'node:child_process'
import { buildTestApp } from '../helpers/app.js'
import { freePort } from '../helpers/net.js'
import { redisAnswers } from '../../src/dev/local-redis.js'
import { call, newLink } from '../locks/helpers.js'

t.test('a hung Redis (SIGSTOP): the limiters and the gate still answer within a second', async t => {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGCONT'); child.kill('SIGKILL') })
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 100 && !(await redisAnswers(url, 200)); i++) await new Promise(resolve => setTimeout(resolve, 50))
  const h = await buildTestApp(t, { REDIS_URL: url })
  const db = 'db-rl-hung-000001'
  const link = await newLink(h.app, db)
  t.ok((await call(h.app, '/proxy/v1/get_access_token', link, { db })).result)

  child.kill('SIGSTOP')
  for (let i = 0; i < 3; i++) {
    const started = Date.now()
    const r = await call(h.app, '/proxy/v1/get_access_token', link, { db })
    const ms = Date.now() - started
    t.equal(r.error?.data?.exception_type, 'BSB_SERVICE_UNAVAILABLE', 'refused')
    t.ok(ms < 1000, `answered in ${ms} ms`)
  }
  child.kill('SIGCONT')
  let back = false
  for (let i = 0; i < 50 && !back; i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    back = (await call(h.app, '/proxy/v1/get_access_token', link, { db })).result !== undefined
  }
  t.ok(back, 'recovers when Redis resumes')
})
