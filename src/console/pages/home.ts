/** The console home: look up an error reference (support) and find a client (ops and support). */
import { html, type Raw } from '../../link/html.js'
import { consolePage, type Viewer } from '../layout.js'

export function referenceForm (value = ''): Raw {
  return html`<form method="get" action="/console/errors" role="search" aria-label="Look up a reference">
<label for="reference">Error reference</label>
<input type="text" id="reference" name="reference" value="${value}" required maxlength="64" placeholder="ref_…" autocomplete="off" spellcheck="false">
<button type="submit">Look up</button>
</form>`
}

export function clientForm (value = ''): Raw {
  return html`<form method="get" action="/console/clients" role="search" aria-label="Find a client">
<label for="client_id">Client id</label>
<input type="text" id="client_id" name="client_id" value="${value}" required maxlength="64" placeholder="cl_…" autocomplete="off" spellcheck="false">
<button type="submit">Find client</button>
</form>`
}

export function homePage (viewer: Viewer, o: { message?: string, reference?: string, clientId?: string } = {}): string {
  const body = html`<h1>Ops and support console</h1>
${o.message !== undefined ? html`<p class="alert" role="alert">${o.message}</p>` : null}
<h2>Support: what happened behind a reference</h2>
${referenceForm(o.reference)}
<h2>Ops: a client, its lock and its unlock code</h2>
${clientForm(o.clientId)}
<p><a href="/console/locks">Locked clients and databases</a></p>`
  return consolePage({ title: 'Console', viewer, body })
}
