/**
 * Link-flow test harness: the real app listening on a free loopback port (the provider and Twilio
 * sandboxes are called over HTTP), and a tiny form-following "browser" over undici.
 */
import { freePort } from '../helpers/net.js'
import { request } from 'undici'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { signedCall } from '../helpers/odoo-client.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export { freePort }

export interface LinkApp extends TestApp { base: string }

export async function startLinkApp (t: Teardown, env: Record<string, string> = {}): Promise<LinkApp> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const ta = await buildTestApp(t, { PUBLIC_URL: base, PORT: String(port), ...env })
  await ta.app.listen({ port, host: '127.0.0.1' })
  return { ...ta, base }
}

export async function provision (ta: TestApp, db: string, edition: 'enterprise' | 'community' = 'enterprise', expires = '2099-12-31'): Promise<void> {
  await ta.app.services.subscriptions.set(db, edition, expires, 'test')
}

const decode = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

export interface Page {
  status: number
  location: string | null
  html: string
  headers: Record<string, string | string[] | undefined>
  url: string
}

export async function get (url: string): Promise<Page> {
  const res = await request(url)
  return { status: res.statusCode, location: typeof res.headers.location === 'string' ? new URL(res.headers.location, url).toString() : null, html: await res.body.text(), headers: res.headers, url }
}

export async function post (url: string, fields: Record<string, string>): Promise<Page> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })
  return { status: res.statusCode, location: typeof res.headers.location === 'string' ? new URL(res.headers.location, url).toString() : null, html: await res.body.text(), headers: res.headers, url }
}

/** Follows redirects (GET) up to 10 times. */
export async function follow (page: Page): Promise<Page> {
  let current = page
  for (let i = 0; i < 10 && current.location !== null; i++) current = await get(current.location)
  return current
}

/** Action and hidden fields of the form whose action contains `actionPart` (or the first form). */
export function formOf (page: Page, actionPart = ''): { action: string, hidden: Record<string, string> } {
  for (const m of page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const action = decode(m[1] as string)
    if (!action.includes(actionPart)) continue
    const hidden: Record<string, string> = {}
    for (const h of (m[2] as string).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[decode(h[1] as string)] = decode(h[2] as string)
    return { action: new URL(action, page.url).toString(), hidden }
  }
  throw new Error(`no form with action containing ${actionPart} in ${page.url}:\n${page.html.slice(0, 500)}`)
}

export async function submit (page: Page, actionPart: string, fields: Record<string, string>): Promise<Page> {
  const f = formOf(page, actionPart)
  return await post(f.action, { ...f.hidden, ...fields })
}

export function startParams (o: { db?: string, mode?: string, clientId?: string, accessToken?: string, lang?: string, country?: string, phone?: string, clicked?: string, hostOrigin?: string, serverVersion?: string, include?: Record<string, unknown> }): Record<string, string> {
  return {
    params: JSON.stringify({
      proxyMode: 'sandbox',
      mode: o.mode ?? 'link',
      clientId: o.clientId ?? null,
      accessToken: o.accessToken ?? null,
      hostOrigin: o.hostOrigin ?? 'https://odoo.example.com',
      includeParam: { dbUuid: o.db, lang: o.lang ?? 'en_US', countryCode: o.country ?? 'BE', serverVersion: o.serverVersion ?? '17.0', phoneNumber: o.phone, userEmail: 'owner@example.com', clickedInstitution: o.clicked, ...o.include }
    })
  }
}

export async function start (la: LinkApp, o: Parameters<typeof startParams>[0]): Promise<Page> {
  return await follow(await post(`${la.base}/link/start`, startParams(o)))
}

export async function lastCode (la: LinkApp, phone: string): Promise<string> {
  const res = await request(`${la.base}/sandbox/twilio/outbox?to=${encodeURIComponent(phone)}`)
  const list = await res.body.json() as Array<{ code: string }>
  const last = list[list.length - 1]
  if (last === undefined) throw new Error('no code in the outbox')
  return last.code
}

/** Phone page → Send code → Verify with the outbox code; returns the page after verification. */
export async function verifyPhone (la: LinkApp, phonePage: Page, phone: string): Promise<Page> {
  const sent = await follow(await submit(phonePage, 'phone/send', { phone }))
  return await follow(await submit(sent, 'phone/verify', { code: await lastCode(la, phone.replace(/[\s()/.-]/g, '')) }))
}

/** On a sandbox consent page: Approve or Deny; returns the broker page the provider sends back to. */
export async function decide (consentPage: Page, decision: 'approve' | 'deny', otp?: string): Promise<Page> {
  const f = formOf(consentPage)
  const res = await post(f.action, { ...f.hidden, decision, ...(otp !== undefined ? { otp } : {}) })
  return await follow(res)
}

export function dataBlock (page: Page): { hostOrigin: string | null, events?: Array<{ event: string, data: any }>, resume?: string, relay?: string } {
  const m = /<script type="application\/json" id="bsb-data">([\s\S]*?)<\/script>/.exec(page.html)
  if (m === null) throw new Error('no data block')
  return JSON.parse(m[1] as string)
}

/** Runs a whole link-mode flow over HTTP (phone if needed, search, consent, Approve); returns the result page. */
export async function linkBank (la: LinkApp, db: string, o: { query?: string, country?: string, phone?: string, viaProvider?: string } = {}): Promise<Page> {
  let page = await start(la, { db, country: o.country ?? 'BE' })
  if (page.url.endsWith('/phone')) page = await verifyPhone(la, page, o.phone ?? '+32470000001')
  const found = await get(`${page.url.replace(/\?.*$/, '')}?q=${encodeURIComponent(o.query ?? 'Ordinary')}&country=${o.country ?? 'BE'}`)
  const refs = [...found.html.matchAll(/(?:name="i" value|consent\?i)=?"?([^"&>]+)/g)].map(m => decode(decodeURIComponent(m[1] as string)))
  const ref = o.viaProvider === undefined ? refs[0] : refs.find(r => r.startsWith(`${o.viaProvider as string}:`))
  if (ref === undefined) throw new Error(`no result for ${o.query ?? 'Ordinary'}`)
  const consent = await get(`${formOf(found, '/consent').action}?i=${encodeURIComponent(ref)}`)
  const toBank = await submit(consent, '/consent', { agree: 'yes' })
  if (toBank.location === null) throw new Error(`consent did not redirect: ${toBank.status}`)
  return await decide(await get(toBank.location), 'approve')
}

/** Odoo's exchange of the result page's token: the new client's credentials. */
export async function exchange (la: LinkApp, db: string, done: Page): Promise<{ clientId: string, refreshToken: string, accessToken: string }> {
  const token = dataBlock(done).events?.find(e => e.event === 'exchange_token')?.data
  const res = await la.app.inject({ method: 'POST', url: '/proxy/v1/exchange_token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ exchange_token: token, company_id: 1, user_id: 2, utils: { db_uuid: db, server_version: '17.0' } }) })
  const r = res.json().result
  if (r === undefined) throw new Error(`exchange failed: ${res.body}`)
  return { clientId: r.client_id, refreshToken: r.refresh_token, accessToken: r.access_token }
}

/**
 * A database with one link as Odoo leaves it after `success`: linked over HTTP (phone included),
 * token exchanged, accounts fetched (so the broker stores them).
 */
export async function linkedDatabase (la: LinkApp, db: string, o: { phone?: string } = {}): Promise<{ link: { clientId: string, refreshToken: string, accessToken: string }, accounts: Array<Record<string, any>> }> {
  const link = await exchange(la, db, await linkBank(la, db, { phone: o.phone }))
  const res = await signedCall(la.app, '/proxy/v1/accounts', link, {}, { dbUuid: db })
  const accounts = res.body.result?.accounts
  if (!Array.isArray(accounts) || accounts.length < 2) throw new Error(`expected the sandbox's two accounts: ${JSON.stringify(res.body)}`)
  return { link, accounts }
}
