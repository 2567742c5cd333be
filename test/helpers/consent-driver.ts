/**
 * Drives a sandbox consent page over HTTP like a user would (no browser): open the provider URL,
 * fill the one-time code when asked, press Approve (or Deny), follow redirects until the provider
 * sends the user back to our callback, and return that callback's query.
 */
import { request } from 'undici'

function attr (tag: string, name: string): string | null {
  const m = new RegExp(`${name}="([^"]*)"`).exec(tag)
  return m === null ? null : m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
}

export async function driveConsent (startUrl: string, callbackPrefix: string, decision: 'approve' | 'deny' = 'approve', otp = '123456'): Promise<Record<string, string>> {
  let url = startUrl
  let method: 'GET' | 'POST' = 'GET'
  let body: string | undefined
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(callbackPrefix)) return Object.fromEntries(new URL(url).searchParams)
    const res = await request(url, { method, body, headers: body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {} })
    const text = await res.body.text()
    const location = res.headers.location
    if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
      url = new URL(location, url).toString()
      method = 'GET'
      body = undefined
      continue
    }
    if (res.statusCode !== 200) throw new Error(`consent page ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`)
    const form = /<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(text)
    if (form === null) throw new Error(`no consent form at ${url}`)
    const formTag = /<form[^>]*>/i.exec(form[0])![0]
    const fields = new URLSearchParams()
    for (const input of form[1]!.match(/<input[^>]*>/gi) ?? []) {
      const name = attr(input, 'name')
      if (name === null) continue
      if (attr(input, 'type') === 'hidden') fields.set(name, attr(input, 'value') ?? '')
      else if (name === 'otp') fields.set(name, otp)
    }
    fields.set('decision', decision)
    url = new URL(attr(formTag, 'action') ?? url, url).toString()
    method = 'POST'
    body = fields.toString()
  }
  throw new Error('consent did not come back to the callback')
}
