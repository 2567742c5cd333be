/**
 * The accounts of the database's existing links that Odoo does not use yet: one button per
 * account (named after it, with the end of its number and its currency), grouped by bank, and
 * "Add a new bank" to search instead.
 */
import { html, page, raw, type Raw } from '../html.js'
import { t, type Lang } from '../i18n.js'
import { sessionPath, type LinkSession } from '../session.js'
import type { ExistingAccount } from '../existing-accounts.js'

function accountButton (lang: Lang, account: ExistingAccount, index: number): Raw {
  const number = account.numberEnd === null ? raw('') : html`<span class="detail">${t(lang, 'endingIn', { digits: account.numberEnd })}</span> `
  return html`<li><button type="submit" name="account" value="${String(index)}">${account.name} ${number}<span class="detail">${account.currency}</span></button></li>`
}

export function existingPage (session: LinkSession, lang: Lang): string {
  const accounts = session.existing ?? []
  const banks = [...new Set(accounts.map(a => a.bank))]
  const groups = banks.map(bank => html`<h2>${bank}</h2>
<ul class="results">${accounts.flatMap((a, i) => a.bank === bank ? [accountButton(lang, a, i)] : [])}</ul>`)
  const body = html`<h1 tabindex="-1" data-autofocus>${t(lang, 'existingTitle')}</h1>
<p>${t(lang, 'existingIntro')}</p>
<form method="post" action="${sessionPath(session, 'existing')}" class="step">
  <input type="hidden" name="csrf" value="${session.csrf}">
  ${groups}
  <p><button type="submit" name="new" value="yes" class="secondary">${t(lang, 'addNewBank')}</button></p>
</form>
<p><button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${t(lang, 'existingTitle')} – ${t(lang, 'title')}`, body, data: { hostOrigin: session.hostOrigin } })
}
