/** Institution search: a search box, a country selector and one button per bank (Beta badge, other providers). */
import { html, page, raw, type Raw } from '../html.js'
import { t, type Lang } from '../i18n.js'
import { sessionPath, type LinkSession } from '../session.js'
import { refOf, type CatalogueEntry } from '../../catalogue/dedup.js'

export interface SearchPageInput {
  session: LinkSession
  lang: Lang
  query: string
  country: string
  countries: string[]
  results: CatalogueEntry[]
  providerName: (id: string) => string
}

export function countryName (lang: Lang, code: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code
  } catch {
    return code
  }
}

function result (o: SearchPageInput, e: CatalogueEntry): Raw {
  const consent = (ref: string): string => `${sessionPath(o.session, 'consent')}?i=${encodeURIComponent(ref)}`
  const others = e.alternatives.length === 0
    ? raw('')
    : html`<details><summary>${t(o.lang, 'otherProviders')}</summary><ul>${e.alternatives.map(a =>
      html`<li><a href="${consent(refOf(a))}">${o.providerName(a.provider)}</a></li>`)}</ul></details>`
  const badge = e.beta ? html` <span class="badge">${t(o.lang, 'beta')}</span>` : raw('')
  return html`<li><button type="submit" name="i" value="${e.ref}">${e.name}${badge}</button>${others}</li>`
}

export function searchPage (o: SearchPageInput): string {
  const { session, lang } = o
  const options = o.countries.map(c => ({ c, name: countryName(lang, c) })).sort((a, b) => a.name.localeCompare(b.name, lang))
    .map(({ c, name }) => html`<option value="${c}"${raw(c === o.country ? ' selected' : '')}>${name}</option>`)
  const list = o.results.length === 0
    ? html`<p role="status">${t(lang, 'noneFound')}</p>`
    : html`<p role="status" class="count">${t(lang, 'found', { count: o.results.length })}</p>
<form method="get" action="${sessionPath(session, 'consent')}"><ul class="results">${o.results.map(e => result(o, e))}</ul></form>`
  const body = html`<h1>${t(lang, 'searchTitle')}</h1>
<form method="get" action="${sessionPath(session, 'search')}" role="search" class="search">
  <label for="q">${t(lang, 'searchLabel')}</label>
  <input id="q" name="q" type="search" maxlength="100" value="${o.query}" data-autofocus autocomplete="off">
  <label for="country">${t(lang, 'countryLabel')}</label>
  <select id="country" name="country">${options}</select>
  <button type="submit">${t(lang, 'search')}</button>
</form>
${list}
<p><button type="button" class="link" data-bsb-add-bank hidden>${t(lang, 'notListed')}</button>
<button type="button" class="link" data-bsb-close hidden>${t(lang, 'close')}</button></p>`
  return page({ lang, title: `${t(lang, 'searchTitle')} – ${t(lang, 'title')}`, body, data: { hostOrigin: session.hostOrigin } })
}
