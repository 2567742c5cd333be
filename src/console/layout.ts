/**
 * The console's page frame and headers: no script at all (the console works as plain forms), never
 * framed, never cached, no referrer (URLs carry client ids and error references).
 */
import type { FastifyReply } from 'fastify'
import { escapeHtml, html, raw, type Raw } from '../link/html.js'
import type { AdminRole } from '../admin/auth.js'

export const CONSOLE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/** Who is looking, and the CSRF token their forms carry. */
export interface Viewer { subject: string, role: AdminRole, csrf: string }

export function consoleHeaders (reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cross-origin-opener-policy', 'same-origin')
}

export const csrfField = (v: Viewer | { csrf: string }): Raw => html`<input type="hidden" name="csrf" value="${v.csrf}">`

function nav (v: Viewer): Raw {
  return html`<header><nav aria-label="Console">
<a href="/console">Home</a> <a href="/console/locks">Locked clients</a>
<span class="who">Signed in as <strong>${v.subject}</strong> (${v.role})</span>
<form method="post" action="/console/sign-out" class="inline">${csrfField(v)}<button type="submit" class="secondary">Sign out</button></form>
</nav></header>`
}

export function consolePage (o: { title: string, viewer: Viewer | null, body: Raw }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(o.title)} – banksync console</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head><body>
${o.viewer !== null ? nav(o.viewer).html : ''}
<main id="main">
${o.body.html}
</main>
</body></html>`
}

/** A `<dl>` of label/value rows; null values read "none". */
export function facts (rows: Array<[string, string | number | Raw | null | undefined]>): Raw {
  return raw(`<dl class="facts">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value ?? raw('<span class="none">none</span>')}</dd>`.html).join('')}</dl>`)
}
