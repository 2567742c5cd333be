/**
 * The real link pop-up driven over HTTP across instances, as a non-sticky load balancer would
 * spread it: the session starts on one broker (phone check, search) and continues on another
 * (consent, the bank's Approve, the callback, the result page); Odoo then exchanges the token on
 * whichever broker it reaches. Session, consent state and exchange token live only in Redis.
 */
import type { OdooLink } from '../helpers/odoo-client.js'
import { unsignedHttpCall } from '../helpers/odoo-http.js'
import type { BrokerProcess } from '../helpers/broker-process.js'
import { dataBlock, decide, follow, formOf, get, post, startParams, submit, type Page } from '../link/helpers.js'
import { lastSmsCode } from './deployment.js'

export interface LinkRoute { start: BrokerProcess, finish: BrokerProcess, exchange: BrokerProcess }

const onBroker = (url: string, broker: BrokerProcess): string => { const u = new URL(url); return `${broker.base}${u.pathname}${u.search}` }

async function verifyPhone (broker: BrokerProcess, phonePage: Page, phone: string): Promise<Page> {
  const sent = await follow(await submit(phonePage, 'phone/send', { phone }))
  return await follow(await submit(sent, 'phone/verify', { code: await lastSmsCode(broker, phone) }))
}

/** Links the Sandbox Ordinary Bank (BE, Ponto) for `db`; returns Odoo's new credentials and the result page. */
export async function linkAcross (route: LinkRoute, db: string, phone: string): Promise<OdooLink & { done: Page }> {
  let page = await follow(await post(`${route.start.base}/link/start`, startParams({ db, country: 'BE', phone })))
  if (page.url.endsWith('/phone')) page = await verifyPhone(route.start, page, phone)
  if (!page.url.endsWith('/search')) throw new Error(`expected the search page, got ${page.status} ${page.url}: ${page.html.slice(0, 300)}`)
  const found = await get(`${page.url}?q=Ordinary&country=BE`)
  const ref = /<button type="submit" name="i" value="([^"]+)">Sandbox Ordinary Bank</.exec(found.html)?.[1]
  if (ref === undefined) throw new Error(`Sandbox Ordinary Bank not found: ${found.html.slice(0, 300)}`)
  const consent = await get(onBroker(`${formOf(found, '/consent').action}?i=${encodeURIComponent(ref)}`, route.finish))
  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  if (toBank.location === null) throw new Error(`consent did not redirect to the bank: ${toBank.status} ${toBank.html.slice(0, 300)}`)
  const done = await decide(await get(toBank.location), 'approve')
  if (!done.url.startsWith(route.finish.base) || !done.url.endsWith('/done')) throw new Error(`expected ${route.finish.base}…/done, got ${done.status} ${done.url}: ${done.html.slice(0, 300)}`)
  const token = dataBlock(done).events?.find(e => e.event === 'exchange_token')?.data
  const r = await unsignedHttpCall(route.exchange.base, '/proxy/v1/exchange_token', { exchange_token: token, company_id: 1, user_id: 2 }, { dbUuid: db })
  if (r.result === undefined) throw new Error(`exchange failed: ${JSON.stringify(r.error)}`)
  return { clientId: r.result.client_id, refreshToken: r.result.refresh_token, accessToken: r.result.access_token, done }
}
