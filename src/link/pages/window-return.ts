/**
 * Our callback page inside the separate consent window: with JavaScript it tells the iframe that
 * opened it (same origin only) that the bank answered, and closes; without, it says so and the
 * user goes back to the iframe's "I have finished at my bank" link.
 */
import { html, page } from '../html.js'
import { t, type Lang } from '../i18n.js'

export function windowReturnPage (lang: Lang): string {
  const body = html`<h1 tabindex="-1" data-autofocus>${t(lang, 'bankAnswered')}</h1>`
  return page({ lang, title: `${t(lang, 'bankAnswered')} – ${t(lang, 'title')}`, body, data: { hostOrigin: null, relay: 'close' } })
}
