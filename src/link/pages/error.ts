/** The link pages' error page: what happened, in the user's words, and the reference to quote. */
import { html, page } from '../html.js'
import { t, type Lang } from '../i18n.js'
import type { AppError } from '../../errors.js'

/** `relay`: shown in the separate consent window, which tells the iframe and stays open so the user can read it. */
export function errorPage (err: AppError, reference: string, lang: Lang, hostOrigin: string | null, relay?: 'stay'): string {
  const message = err.context.userMessage ?? err.spec.message
  const body = html`<h1 tabindex="-1" data-autofocus>${err.spec.subject}</h1>
<p class="alert" role="alert">${message}</p>
<p>${t(lang, 'reference', { reference })}</p>
<p><button type="button" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${err.spec.subject} – ${t(lang, 'title')}`, body, data: { hostOrigin, ...(relay !== undefined ? { relay } : {}) } })
}
