/**
 * A console user over app.inject, as a browser would be: signs in through the sign-in form with an
 * admin token, keeps the session cookie, and posts forms with the CSRF token the pages carry.
 */
import type { FastifyInstance } from 'fastify'
import type { Response } from 'light-my-request'
import type { TestApp } from '../helpers/app.js'
import { mintAdminToken, type AdminRole } from '../../src/admin/auth.js'

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** The value a Set-Cookie header of the response gives `name`, or null. */
export function setCookie (res: Response, name: string): string | null {
  const raw = res.headers['set-cookie']
  const all = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  return all.find(c => c.startsWith(`${name}=`)) ?? null
}

export const cookieValue = (res: Response, name: string): string | null => setCookie(res, name)?.split(';')[0]?.slice(name.length + 1) ?? null

export function csrfIn (html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html)
  if (m === null) throw new Error('no CSRF field in the page')
  return m[1] as string
}

/** Opens the sign-in page and posts the token; returns both answers. */
export async function submitSignIn (app: FastifyInstance, token: string): Promise<{ page: Response, res: Response }> {
  const page = await app.inject({ url: '/console/sign-in' })
  const pre = cookieValue(page, 'bsb_console_pre')
  const res = await app.inject({ method: 'POST', url: '/console/sign-in', headers: { ...FORM, cookie: `bsb_console_pre=${pre ?? ''}` }, payload: new URLSearchParams({ csrf: csrfIn(page.body), token }).toString() })
  return { page, res }
}

export interface ConsoleAgent {
  token: string
  cookie: string
  csrf: string
  get: (url: string) => Promise<Response>
  post: (url: string, fields?: Record<string, string>, headers?: Record<string, string>) => Promise<Response>
}

export async function consoleAgent (h: TestApp, role: AdminRole = 'ops', subject = 'tester'): Promise<ConsoleAgent> {
  const token = await mintAdminToken(h.config.admin, role, subject)
  const { res } = await submitSignIn(h.app, token)
  const session = cookieValue(res, 'bsb_console')
  if (res.statusCode !== 303 || session === null) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`)
  const cookie = `bsb_console=${session}`
  const get = async (url: string) => await h.app.inject({ url, headers: { cookie } })
  const csrf = csrfIn((await get('/console')).body)
  const post = async (url: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    await h.app.inject({ method: 'POST', url, headers: { ...FORM, cookie, ...headers }, payload: new URLSearchParams({ csrf, ...fields }).toString() })
  return { token, cookie, csrf, get, post }
}

/** The text of a page without tags, whitespace collapsed (what a reader sees). */
export const textOf = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
