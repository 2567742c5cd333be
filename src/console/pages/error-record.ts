/** Support's view of one error reference: everything GET /admin/errors/{reference} answers, laid out. */
import { html, raw } from '../../link/html.js'
import type { ErrorRecord } from '../../support/references.js'
import { consolePage, facts, type Viewer } from '../layout.js'
import { referenceForm } from './home.js'

const clientLink = (id: string | null) => id === null ? null : html`<a href="/console/clients/${encodeURIComponent(id)}">${id}</a>`

export function errorRecordPage (viewer: Viewer, r: ErrorRecord): string {
  const body = html`<h1>Error reference <code>${r.reference}</code></h1>
${referenceForm(r.reference)}
<h2>What the user was told</h2>
<p class="alert">${r.user_message}</p>
<h2>What to do next</h2>
<p class="notice">${r.next_step}</p>
<h2>Details</h2>
${facts([
  ['When', r.time],
  ['Error code', html`<code>${r.code}</code> (Odoo error code ${r.odoo_code})`],
  ['Client', clientLink(r.client_id)],
  ['Database', r.db_uuid],
  ['Endpoint', html`<code>${r.endpoint}</code> (${r.surface})`],
  ['Provider', r.provider],
  ['Provider code', r.provider_code],
  ['Provider request id', r.provider_request_id],
  ['Internal detail', r.detail],
  ['Request id', r.request_id]
])}`
  return consolePage({ title: `Reference ${r.reference}`, viewer, body })
}

export function unknownReferencePage (viewer: Viewer, reference: string): string {
  const body = html`<h1>Reference not found</h1>
<p class="alert" role="alert">No error record for <code>${reference}</code>. A reference looks like <code>ref_</code> followed by 20 letters and digits; records are kept 90 days (rate-limit refusals 1 day). Check that it was copied whole.</p>
${referenceForm(reference)}
${raw('<p><a href="/console">Console home</a></p>')}`
  return consolePage({ title: 'Reference not found', viewer, body })
}
