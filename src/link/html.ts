/** HTML building blocks of the link pages: escaping, the page frame, and the headers every link page carries. */
import type { FastifyReply } from 'fastify'
import type { Lang } from './i18n.js'

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string))
}

/** Tagged template: every interpolated value is escaped unless it is `raw(...)` HTML we built. */
export interface Raw { html: string }
export const raw = (html: string): Raw => ({ html })
export function html (strings: TemplateStringsArray, ...values: Array<string | number | Raw | Raw[] | null | undefined>): Raw {
  let out = strings[0] as string
  values.forEach((v, i) => {
    if (Array.isArray(v)) out += v.map(r => r.html).join('')
    else if (v !== null && typeof v === 'object') out += v.html
    else if (v !== null && v !== undefined) out += escapeHtml(String(v))
    out += strings[i + 1] as string
  })
  return { html: out }
}

/** JSON inside `<script type="application/json">`: `<` escaped so no value can close the element. */
export function jsonBlock (id: string, value: unknown): Raw {
  return raw(`<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`)
}

export interface PageData {
  /** Where link.js may post messages (the Odoo page's origin), or null: post nothing. */
  hostOrigin: string | null
  /** Events to post to the host when the page loads, in order. */
  events?: Array<{ event: string, data: unknown }>
  /** Consent in a separate window: where this (iframe) page goes once that window reports back. */
  resume?: string
  /** In that separate window: tell the opener the bank answered, then close (`close`) or stay open to show an error (`stay`). */
  relay?: 'close' | 'stay'
}

export function page (o: { lang: Lang, title: string, body: Raw, data: PageData }): string {
  return `<!doctype html>
<html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(o.title)}</title>
<link rel="stylesheet" href="/link/assets/link.css">
<script src="/link/assets/link.js" defer></script>
</head><body>
<main id="main">
${o.body.html}
</main>
${jsonBlock('bsb-data', o.data).html}
</body></html>`
}

/** Link pages may be framed by any Odoo database; nothing else of ours may run in them. */
export const LINK_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; base-uri 'none'; frame-ancestors *"

export function linkHeaders (reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', LINK_CSP)
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
}

export function sendPage (reply: FastifyReply, body: string, status = 200): FastifyReply {
  return linkHeaders(reply).code(status).type('text/html; charset=utf-8').send(body)
}
