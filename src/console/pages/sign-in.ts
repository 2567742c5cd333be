/** The sign-in page: paste an admin token (`banksync admin-token --role ops|support`). */
import { html } from '../../link/html.js'
import { consolePage, csrfField } from '../layout.js'

export function signInPage (csrf: string): string {
  const body = html`<h1>Sign in to the banksync console</h1>
<form method="post" action="/console/sign-in">
${csrfField({ csrf })}
<label for="token">Admin token</label>
<input type="password" id="token" name="token" required maxlength="4000" autocomplete="off" spellcheck="false" autofocus aria-describedby="token-help">
<p class="help" id="token-help">Paste a token from <code>banksync admin-token --role ops</code> (or <code>--role support</code>). It stays in this browser only until it expires or you sign out.</p>
<button type="submit">Sign in</button>
</form>`
  return consolePage({ title: 'Sign in', viewer: null, body })
}
