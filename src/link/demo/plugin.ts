/**
 * `/demo` (sandbox mode only): a stand-in for an Odoo database. The page keeps a database uuid in
 * localStorage, loads /proxy/v1/odoofin_link like Odoo and opens the pop-up; its small API
 * trades the exchange token and makes signed calls server side, as Odoo's server does.
 */
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../services.js'
import { createDemoOdoo } from './odoo-side.js'
import { DEMO_CSS, DEMO_JS, demoPage } from './page.js'

const DB_UUID = /^[A-Za-z0-9-]{8,64}$/
const DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'"

type Body = { dbUuid?: unknown, exchangeToken?: unknown }

/** Odoo leaves an account "waiting" while the bank still sends data (425) and its cron comes back; the demo just waits a little. */
async function untilReady<T extends { error?: { code: number } }> (call: () => Promise<T>, tries = 15): Promise<T> {
  let res = await call()
  for (let i = 1; i < tries && res.error?.code === 425; i++) {
    await new Promise(resolve => setTimeout(resolve, 1_000))
    res = await call()
  }
  return res
}

function dbOf (body: unknown): string | null {
  const db = (body as Body | null)?.dbUuid
  return typeof db === 'string' && DB_UUID.test(db) ? db : null
}

export async function demoPlugin (app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services
  const odoo = createDemoOdoo(app, s)
  app.addHook('onRoute', (route) => { route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema })
  app.addHook('onSend', async (_req, reply) => { reply.header('cache-control', 'no-store') })

  app.get('/', async (_req, reply) => reply.header('content-security-policy', DEMO_CSP).type('text/html; charset=utf-8').send(demoPage()))
  app.get('/assets/demo.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(DEMO_JS))
  app.get('/assets/demo.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(DEMO_CSS))

  app.post('/api/provision', async (req, reply) => {
    const db = dbOf(req.body)
    if (db === null) return await reply.code(400).send({ error: 'dbUuid required' })
    const expires = new Date(s.now() + 366 * 86_400_000).toISOString().slice(0, 10)
    const sub = await s.subscriptions.set(db, 'enterprise', expires, 'demo')
    const links = (await odoo.clients(db)).map(c => c.clientId)
    return { subscription: { edition: sub.edition, expiresOn: sub.expiresOn }, clients: links }
  })

  app.post('/api/exchange', async (req, reply) => {
    const db = dbOf(req.body)
    const token = (req.body as Body | null)?.exchangeToken
    if (db === null || typeof token !== 'string') return await reply.code(400).send({ error: 'dbUuid and exchangeToken required' })
    return await odoo.exchange(db, token)
  })

  app.post('/api/accounts', async (req, reply) => {
    const db = dbOf(req.body)
    if (db === null) return await reply.code(400).send({ error: 'dbUuid required' })
    const out = []
    for (const creds of await odoo.clients(db)) out.push({ client_id: creds.clientId, response: await odoo.signed('/proxy/v1/accounts', {}, db, creds) })
    return { links: out }
  })

  app.post('/api/transactions', async (req, reply) => {
    const db = dbOf(req.body)
    if (db === null) return await reply.code(400).send({ error: 'dbUuid required' })
    const out = []
    for (const creds of await odoo.clients(db)) {
      const accounts = await odoo.signed('/proxy/v1/accounts', {}, db, creds)
      const list = Array.isArray(accounts.result?.accounts) ? accounts.result.accounts as Array<{ online_identifier: string, name?: string }> : []
      const per = []
      for (const account of list) {
        const refresh = await odoo.signed('/proxy/v1/refresh', { account_id: account.online_identifier, fetching_status: null }, db, creds)
        const transactions = await untilReady(async () => await odoo.signed('/proxy/v1/transactions', { account_id: account.online_identifier, start_date: false, last_transaction_identifier: null, currency_code: 'EUR', include_pendings: false }, db, creds))
        per.push({ account: account.online_identifier, name: account.name ?? '', refresh, transactions })
      }
      out.push({ client_id: creds.clientId, accounts, per_account: per })
    }
    return { links: out }
  })
}
