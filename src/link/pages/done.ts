/**
 * The last page. With JavaScript it posts `exchange_token` (link mode) and then `success` to the
 * Odoo page, or only `connect_existing_account` when the user chose an account of an existing
 * link; without it the flow is still complete server-side and the page says the window can be
 * closed (README "Link flow": a link-mode token then expires unused, a reconnect is done).
 */
import { html, page } from '../html.js'
import { t, type Lang } from '../i18n.js'
import { tr } from '../reactivate-i18n.js'
import type { LinkSession } from '../session.js'

export function donePage (session: LinkSession, lang: Lang): string {
  const result = session.result as NonNullable<LinkSession['result']>
  const events: Array<{ event: string, data: unknown }> = []
  if (result.connectExisting !== undefined) {
    events.push({ event: 'connect_existing_account', data: result.connectExisting })
  } else {
    if (result.exchangeToken !== null) events.push({ event: 'exchange_token', data: result.exchangeToken })
    events.push({ event: 'success', data: result.success })
  }
  const title = result.connectExisting !== undefined ? t(lang, 'existingDoneTitle') : session.reactivated === true ? tr(lang, 'reactivatedTitle') : session.mode === 'link' ? t(lang, 'doneTitle') : t(lang, 'updatedTitle')
  const body = html`<h1 tabindex="-1" data-autofocus>${title}</h1>
<p role="status">${t(lang, 'closeWindow')}</p>
<p><button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title, body, data: { hostOrigin: session.hostOrigin, events } })
}
