/** Locked clients and database-wide locks (what GET /admin/locks answers), each client a link. */
import { html, type Raw } from '../../link/html.js'
import type { LockListing } from '../../locks/store.js'
import { consolePage, type Viewer } from '../layout.js'

const clientLink = (id: string): Raw => html`<a href="/console/clients/${encodeURIComponent(id)}">${id}</a>`

export function locksPage (viewer: Viewer, list: LockListing, dbClients: Map<string, string[]>): string {
  const clients = list.clients.length === 0
    ? html`<p class="none">No locked client.</p>`
    : html`<table><thead><tr><th>Client</th><th>Database</th><th>Reason</th><th>Locked at</th><th>Frozen</th><th>Wrong codes</th></tr></thead><tbody>${list.clients.map(c =>
      html`<tr><td>${clientLink(c.client_id)}</td><td>${c.db_uuid}</td><td>${c.reason}</td><td>${c.locked_at}</td><td>${c.frozen ? 'Yes' : 'No'}</td><td>${c.unlock_failures}</td></tr>`)}</tbody></table>`
  const databases = list.databases.length === 0
    ? html`<p class="none">No database-wide lock.</p>`
    : html`<table><thead><tr><th>Database</th><th>Reason</th><th>Locked at</th><th>By</th><th>Its clients</th></tr></thead><tbody>${list.databases.map(d =>
      html`<tr><td>${d.db_uuid}</td><td>${d.reason}</td><td>${d.locked_at}</td><td>${d.locked_by}</td><td>${(dbClients.get(d.db_uuid) ?? []).map(id => html`${clientLink(id)} `)}</td></tr>`)}</tbody></table>`
  const body = html`<h1>Locked clients</h1>
${clients}
<h2>Database-wide locks</h2>
${databases}`
  return consolePage({ title: 'Locked clients', viewer, body })
}
