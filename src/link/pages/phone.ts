/** Step 1 on a database's first link: phone number, Send code, then verification code and Verify. */
import { html, page, raw, type Raw } from '../html.js'
import { t, type Lang } from '../i18n.js'
import { sessionPath, type LinkSession } from '../session.js'
import { maskPhone } from '../../sms/verify.js'

export interface PhonePageInput {
  session: LinkSession
  lang: Lang
  phoneValue: string
  error?: { field: 'phone' | 'code', text: string }
}

function alert (id: string, text: string | undefined): Raw {
  return text === undefined ? raw('') : html`<p class="alert" role="alert" id="${id}">${text}</p>`
}

export function phonePage (o: PhonePageInput): string {
  const { session, lang } = o
  const phoneError = o.error?.field === 'phone' ? o.error.text : undefined
  const codeError = o.error?.field === 'code' ? o.error.text : undefined
  const sent = session.pendingPhone
  const phoneDescribed = phoneError !== undefined ? 'phone-help phone-error' : 'phone-help'
  const codeForm = sent === null
    ? raw('')
    : html`<form method="post" action="${sessionPath(session, 'phone/verify')}" class="step">
  <input type="hidden" name="csrf" value="${session.csrf}">
  <p role="status">${t(lang, 'codeSent', { phone: maskPhone(sent) })}</p>
  <label for="code">${t(lang, 'codeLabel')}</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{4,10}" maxlength="10" required data-autofocus${raw(codeError !== undefined ? ' aria-invalid="true" aria-describedby="code-error"' : '')}>
  ${alert('code-error', codeError)}
  <button type="submit">${t(lang, 'verify')}</button>
</form>`
  const body = html`<h1>${t(lang, 'phoneTitle')}</h1>
<p>${t(lang, 'phoneIntro')}</p>
<form method="post" action="${sessionPath(session, 'phone/send')}" class="step">
  <input type="hidden" name="csrf" value="${session.csrf}">
  <label for="phone">${t(lang, 'phoneLabel')}</label>
  <input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="32" required value="${o.phoneValue}" aria-describedby="${phoneDescribed}"${raw(phoneError !== undefined ? ' aria-invalid="true"' : '')}${raw(sent === null ? ' data-autofocus' : '')}>
  <p class="help" id="phone-help">${t(lang, 'phoneHelp')}</p>
  ${alert('phone-error', phoneError)}
  <button type="submit"${raw(sent !== null ? ' class="secondary"' : '')}>${t(lang, 'sendCode')}</button>
</form>
${codeForm}
<p><button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${t(lang, 'phoneTitle')} – ${t(lang, 'title')}`, body, data: { hostOrigin: session.hostOrigin } })
}
