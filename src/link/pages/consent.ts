/** The consent step: what the user allows, a required "I agree" checkbox and Continue (or "Continue in a new window"). */
import { html, page, raw, type Raw } from '../html.js'
import { CONSENT_WINDOW_NAME } from '../consent-window.js'
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
  /** The provider's page refuses framing: the form opens it in a separate window. */
  inWindow: boolean
  error?: string
}

/** The form's target and the notice, waiting status and no-script way back of the separate-window consent. */
function windowParts (o: ConsentPageInput): { target: Raw, notice: Raw, after: Raw } {
  if (!o.inWindow) return { target: raw(''), notice: raw(''), after: raw('') }
  const { session, lang } = o
  return {
    target: html` target="${CONSENT_WINDOW_NAME}" data-bsb-window`,
    notice: html`<p class="notice" id="window-notice">${t(lang, 'windowNotice', { bank: o.institution.name })}</p>`,
    after: html`<p role="status" data-bsb-window-waiting hidden>${t(lang, 'windowWaiting')}</p>
<p><a href="${sessionPath(session)}">${t(lang, 'windowFinished')}</a></p>`
  }
}

export function consentPage (o: ConsentPageInput): string {
  const { session, lang, institution } = o
  const beta = institution.beta ? html`<p class="notice"><span class="badge">${t(lang, 'beta')}</span> ${t(lang, 'betaNotice')}</p>` : raw('')
  const error = o.error !== undefined ? html`<p class="alert" role="alert" id="agree-error">${o.error}</p>` : raw('')
  const w = windowParts(o)
  const another = o.canChooseAnother ? html`<p><a href="${sessionPath(session, 'search')}">${t(lang, 'otherBank')}</a></p>` : raw('')
  const body = html`<h1>${t(lang, 'consentTitle', { bank: institution.name })}</h1>
<p>${t(lang, 'through', { provider: o.providerName })}</p>
${beta}
<p id="terms">${t(lang, 'terms', { bank: institution.name })}</p>
${w.notice}
<form method="post" action="${sessionPath(session, 'consent')}" class="step"${w.target}>
  <input type="hidden" name="csrf" value="${session.csrf}">
  <input type="hidden" name="i" value="${o.ref}">
  <p class="check"><input type="checkbox" id="agree" name="agree" value="yes" required aria-describedby="terms${raw(o.error !== undefined ? ' agree-error' : '')}"${raw(o.error !== undefined ? ' aria-invalid="true"' : '')}>
  <label for="agree">${t(lang, 'agree')}</label></p>
  ${error}
  <button type="submit"${raw(o.inWindow ? ' aria-describedby="window-notice"' : '')}>${t(lang, o.inWindow ? 'continueInWindow' : 'continue')}</button>
</form>
${w.after}
${another}
<p><button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${t(lang, 'consentTitle', { bank: institution.name })} – ${t(lang, 'title')}`, body, data: { hostOrigin: session.hostOrigin, ...(o.inWindow ? { resume: sessionPath(session) } : {}) } })
}
