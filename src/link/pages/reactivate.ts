/**
 * Reactivation of a locked client in the pop-up: why it is locked, the registered phone masked to
 * its last 2 digits, Send code; once a code is live for the lock, Verification code and Verify.
 * Plain forms (CSRF token in each): the page works without a script.
 */
import { html, page, raw, type Raw } from '../html.js'
import { t, type Lang } from '../i18n.js'
import { tr } from '../reactivate-i18n.js'
import { sessionPath, type LinkSession } from '../session.js'

export interface ReactivatePageInput {
  session: LinkSession
  lang: Lang
  /** `***56` */
  maskedPhone: string
  codeLive: boolean
  error?: { field: 'send' | 'code', text: string }
}

function alert (id: string, text: string | undefined): Raw {
  return text === undefined ? raw('') : html`<p class="alert" role="alert" id="${id}">${text}</p>`
}

export function reactivatePage (o: ReactivatePageInput): string {
  const { session, lang } = o
  const sendError = o.error?.field === 'send' ? o.error.text : undefined
  const codeError = o.error?.field === 'code' ? o.error.text : undefined
  const codeForm = !o.codeLive
    ? raw('')
    : html`<form method="post" action="${sessionPath(session, 'reactivate/verify')}" class="step">
  <input type="hidden" name="csrf" value="${session.csrf}">
  <p role="status">${t(lang, 'codeSent', { phone: o.maskedPhone })}</p>
  <label for="code">${t(lang, 'codeLabel')}</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{4,10}" maxlength="10" required data-autofocus${raw(codeError !== undefined ? ' aria-invalid="true" aria-describedby="code-error"' : '')}>
  ${alert('code-error', codeError)}
  <button type="submit">${t(lang, 'verify')}</button>
</form>`
  const body = html`<h1>${tr(lang, 'reactivateTitle')}</h1>
<p class="notice">${tr(lang, 'lockedNotice')}</p>
<p id="reactivate-how">${tr(lang, 'reactivateHow', { phone: o.maskedPhone })}</p>
<form method="post" action="${sessionPath(session, 'reactivate/send')}" class="step">
  <input type="hidden" name="csrf" value="${session.csrf}">
  ${alert('send-error', sendError)}
  <button type="submit" aria-describedby="reactivate-how${raw(sendError !== undefined ? ' send-error' : '')}"${raw(o.codeLive ? ' class="secondary"' : ' data-autofocus')}>${t(lang, 'sendCode')}</button>
</form>
${codeForm}
<p><button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${tr(lang, 'reactivateTitle')} – ${t(lang, 'title')}`, body, data: { hostOrigin: session.hostOrigin } })
}
