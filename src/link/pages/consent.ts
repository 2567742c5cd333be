/** The consent step: what the user allows, a required "I agree" checkbox and Continue. */
import { html, page, raw } from '../html.js'
import { t, type Lang } from '../i18n.js'
import { sessionPath, type LinkSession } from '../session.js'
import type { Institution } from '../../../providers/types.js'

export interface ConsentPageInput {
  session: LinkSession
  lang: Lang
  institution: Institution
  ref: string
  providerName: string
  canChooseAnother: boolean
  error?: string
}

export function consentPage (o: ConsentPageInput): string {
  const { session, lang, institution } = o
  const beta = institution.beta ? html`<p class="notice"><span class="badge">${t(lang, 'beta')}</span> ${t(lang, 'betaNotice')}</p>` : raw('')
  const error = o.error !== undefined ? html`<p class="alert" role="alert" id="agree-error">${o.error}</p>` : raw('')
  const another = o.canChooseAnother ? html`<p><a href="${sessionPath(session, 'search')}">${t(lang, 'otherBank')}</a></p>` : raw('')
  const body = html`<h1>${t(lang, 'consentTitle', { bank: institution.name })}</h1>
<p>${t(lang, 'through', { provider: o.providerName })}</p>
${beta}
<p id="terms">${t(lang, 'terms', { bank: institution.name })}</p>
<form method="post" action="${sessionPath(session, 'consent')}" class="step">
  <input type="hidden" name="csrf" value="${session.csrf}">
  <input type="hidden" name="i" value="${o.ref}">
  <p class="check"><input type="checkbox" id="agree" name="agree" value="yes" required aria-describedby="terms${raw(o.error !== undefined ? ' agree-error' : '')}"${raw(o.error !== undefined ? ' aria-invalid="true"' : '')}>
  <label for="agree">${t(lang, 'agree')}</label></p>
  ${error}
  <button type="submit">${t(lang, 'continue')}</button>
</form>
${another}
<p><button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${t(lang, 'consentTitle', { bank: institution.name })} – ${t(lang, 'title')}`, body, data: { hostOrigin: session.hostOrigin } })
}
