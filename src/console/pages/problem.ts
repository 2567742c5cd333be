/** The console's error page: the problem the error path recorded, with its reference and a way back. */
import { html } from '../../link/html.js'
import type { Problem } from '../../protocol/problem.js'
import { consolePage, type Viewer } from '../layout.js'

export function problemPage (p: Problem, back: { href: string, label: string }, viewer: Viewer | null): string {
  const body = html`<h1>${p.title}</h1>
<p class="alert" role="alert">${p.detail}</p>
<p>Reference: <code>${p.reference}</code> (code <code>${p.code}</code>)</p>
<p><a href="${back.href}">${back.label}</a></p>`
  return consolePage({ title: p.title, viewer, body })
}

export function notFoundPage (viewer: Viewer | null): string {
  const body = html`<h1>No such page</h1><p>This console page does not exist.</p><p><a href="/console">Console home</a></p>`
  return consolePage({ title: 'Not found', viewer, body })
}
