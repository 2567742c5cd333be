/** Shared by the reactivation tests: a locked client with a registered phone, its reconnect pop-up, and form posts with a browser's user agent. */
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import type { OdooLink } from '../helpers/odoo-client.js'
import { linkSandboxBank } from '../helpers/linked-client.js'
import { newLink, registerPhone } from '../locks/helpers.js'
import { lockClient } from '../../src/locks/store.js'
import { formOf, provision, start, type LinkApp, type Page } from './helpers.js'

export const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) reactivation-test'

export interface LockedClient { db: string, link: OdooLink, phone: string }

/**
 * A client locked by a rule, whose database registered `phone` at its first link. `bank`: linked
 * through the Ponto sandbox (the link then has an institution); otherwise a bare client.
 */
export async function lockedClient (la: LinkApp, phone: string, o: { bank?: boolean, db?: string } = {}): Promise<LockedClient> {
  const db = o.db ?? randomUUID()
  await provision(la, db)
  const link = o.bank === true ? await linkSandboxBank(la, 'ponto', 'BE', 'Sandbox Ordinary Bank', db) : await newLink(la.app, db)
  await registerPhone(la, db, phone)
  await lockClient(la.app.services, db, link.clientId, 'test: suspicious activity', { actor: 'rule:test' })
  return { db, link, phone }
}

/** Odoo opening the pop-up on a link (default mode `reconnect`), following redirects to the first page. */
export async function openPopup (la: LinkApp, c: { db: string, link: OdooLink }, o: { mode?: string, lang?: string } = {}): Promise<Page> {
  return await start(la, { db: c.db, mode: o.mode ?? 'reconnect', clientId: c.link.clientId, accessToken: c.link.accessToken, lang: o.lang })
}

/** Submits a page's form like a browser (its user agent set), without following the redirect. */
export async function submitAs (page: Page, actionPart: string, fields: Record<string, string>, userAgent = BROWSER_UA): Promise<Page> {
  const f = formOf(page, actionPart)
  const res = await request(f.action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent }, body: new URLSearchParams({ ...f.hidden, ...fields }).toString() })
  return { status: res.statusCode, location: typeof res.headers.location === 'string' ? new URL(res.headers.location, f.action).toString() : null, html: await res.body.text(), headers: res.headers, url: f.action }
}

/** How many codes the Twilio sandbox sent to a phone. */
export async function sentCount (la: LinkApp, phone: string): Promise<number> {
  const res = await request(`${la.base}/sandbox/twilio/outbox?to=${encodeURIComponent(phone)}`)
  return (await res.body.json() as unknown[]).length
}

/** A page with its error reference blanked, to compare two answers. */
export const withoutReference = (html: string): string => html.replace(/ref_[A-Za-z0-9_-]+/g, 'ref_X')

export const referenceOf = (html: string): string | null => /ref_[A-Za-z0-9_-]+/.exec(html)?.[0] ?? null

/**
 * Holds the app clock at `at` (ms since epoch), so a loaded machine's pauses cannot carry a test
 * across a boundary it is checking; `clock.offset += ms` still moves the held time.
 */
export function holdClock (clock: { offset: number }, at: number): void {
  let held = at
  Object.defineProperty(clock, 'offset', { configurable: true, enumerable: true, get: () => held - Date.now(), set: (v: number) => { held = Date.now() + v } })
}
