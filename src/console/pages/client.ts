/**
 * Ops' view of one client: subscription, masked phone, link, lock state, recent security events and
 * errors; for role ops, the actions the lock state allows (support sees no buttons at all).
 */
import { html, raw, type Raw } from '../../link/html.js'
import { consolePage, csrfField, facts, type Viewer } from '../layout.js'
import type { ClientView } from '../client-view.js'
import { clientForm } from './home.js'

const clientHref = (id: string): string => `/console/clients/${encodeURIComponent(id)}`

function linkFacts (v: ClientView): Raw {
  const l = v.link
  if (l === null) return html`<p class="none">No bank link stored for this client.</p>`
  if (l.unreadable) return html`<p class="alert">The link data cannot be decrypted (was an encryption key removed?). Accounts stored: ${l.accounts}.</p>`
  return facts([['Provider', l.provider], ['Institution', l.institution], ['Country', l.country], ['Consent until', l.consentExpiresAt], ['Accounts stored', l.accounts]])
}

function lockFacts (v: ClientView): Raw {
  const s = v.state
  const locked = !s.locked ? 'No' : s.database_locked ? 'Yes (every client of its database)' : 'Yes'
  return facts([
    ['Locked', html`<strong>${locked}</strong>`],
    ['Reason', s.lock_reason],
    ['Locked at', v.overview.locked_at],
    ['Frozen', s.frozen ? html`<strong>Yes</strong>: too many wrong codes; ops must reset it after checking the customer's identity` : 'No']
  ])
}

function opsActions (v: ClientView, viewer: Viewer): Raw {
  if (viewer.role !== 'ops') return html`<p class="notice">Read only: your role is ${viewer.role}. Ops lock, send unlock codes and unlock.</p>`
  const id = v.state.client_id
  const post = (action: string, inner: Raw, label: string, cls = ''): Raw =>
    html`<form method="post" action="${clientHref(id)}/${action}">${csrfField(viewer)}${inner}<button type="submit"${raw(cls === '' ? '' : ` class="${cls}"`)}>${label}</button></form>`
  const forms: Raw[] = []
  if (v.state.frozen) {
    forms.push(post('reset', html`<p class="help">Check the customer's identity first. The lock stays until they read out a new code.</p>`, 'Reset'))
  }
  if (!v.state.locked) {
    forms.push(post('lock', html`<label for="reason">Reason</label><input type="text" id="reason" name="reason" required minlength="3" maxlength="200">
<label for="scope">Scope</label><select id="scope" name="scope"><option value="client">This client</option><option value="database">Every client of its database</option></select>`, 'Lock', 'danger'))
  } else if (!v.state.frozen) {
    forms.push(post('unlock-code', html`<p class="help">Sends a 6-digit code to ${v.state.phone ?? 'the registered phone (none registered)'}; valid 10 minutes.</p>`, 'Send unlock code'))
    forms.push(post('unlock', html`<label for="code">Unlock code</label><input type="text" id="code" name="code" required maxlength="16" inputmode="numeric" autocomplete="one-time-code">`, 'Unlock'))
  }
  return html`<div class="actions">${forms}</div>`
}

function eventsTable (v: ClientView): Raw {
  if (v.overview.recent_events.length === 0) return html`<p class="none">No security events.</p>`
  const rows = v.overview.recent_events.map(e => html`<tr><td>${e.time}</td><td>${e.type}</td><td>${e.actor}</td><td>${e.detail}</td><td>${e.ip}</td></tr>`)
  return html`<table><thead><tr><th>Time</th><th>Event</th><th>By</th><th>Detail</th><th>IP</th></tr></thead><tbody>${rows}</tbody></table>`
}

function errorsTable (v: ClientView): Raw {
  if (v.overview.recent_errors.length === 0) return html`<p class="none">No recent errors.</p>`
  const rows = v.overview.recent_errors.map(e => html`<tr><td>${e.time}</td><td><a href="/console/errors?reference=${encodeURIComponent(e.reference)}">${e.reference}</a></td><td><code>${e.code}</code></td><td><code>${e.endpoint}</code></td><td>${e.user_message}</td></tr>`)
  return html`<table><thead><tr><th>Time</th><th>Reference</th><th>Code</th><th>Endpoint</th><th>User was told</th></tr></thead><tbody>${rows}</tbody></table>`
}

export function clientPage (viewer: Viewer, v: ClientView, notice: string | null): string {
  const o = v.overview
  const sub = o.subscription === null ? null : `${o.subscription.edition}, until ${o.subscription.expires_on}`
  const body = html`<h1>Client <code>${o.client_id}</code></h1>
${notice !== null ? html`<p class="notice" role="status">${notice}</p>` : null}
${facts([['Database', o.db_uuid], ['Created', o.created_at], ['Subscription', sub], ['Registered phone', v.state.phone]])}
<h2>Lock</h2>
${lockFacts(v)}
${opsActions(v, viewer)}
<h2>Bank link</h2>
${linkFacts(v)}
${v.siblings.length > 0 ? html`<p>Other links of this database: ${v.siblings.map(id => html`<a href="${clientHref(id)}">${id}</a> `)}</p>` : null}
<h2>Recent security events</h2>
${eventsTable(v)}
<h2>Recent errors</h2>
${errorsTable(v)}`
  return consolePage({ title: `Client ${o.client_id}`, viewer, body })
}

export function unknownClientPage (viewer: Viewer, clientId: string, message: string): string {
  const body = html`<h1>Client not found</h1>
<p class="alert" role="alert">${message}</p>
${clientForm(clientId)}
<p><a href="/console">Console home</a></p>`
  return consolePage({ title: 'Client not found', viewer, body })
}
