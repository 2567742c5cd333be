/** One entry per bank across providers, connected through the country's preferred provider. */
import t from 'tap'
import { dedupe } from '../../src/catalogue/dedup.js'
import { providerRank } from '../../src/catalogue/preference.js'
import { dedupName } from '../../src/catalogue/normalize.js'
import type { ProviderId } from '../../providers/types.js'
import { inst } from './helpers.js'

t.test('same country and BIC, or same normalised name: one entry, best provider first', async t => {
  const entries = dedupe([
    inst('saltedge', 'kbc_be', 'KBC Bank', 'BE', 'KREDBEBBXXX'),
    inst('ponto', 'p-1', 'KBC', 'BE', 'KREDBEBB'),
    inst('enablebanking', 'KBC|BE', 'K.B.C. Bank NV', 'BE', null),
    inst('enablebanking', 'Nordea|FI', 'Nordea', 'FI', 'NDEAFIHH'),
    inst('saltedge', 'nordea_fi', 'Nordea', 'FI', null),
    inst('saltedge', 'kbc_fi', 'KBC Bank', 'FI', 'KREDBEBB')
  ])
  t.equal(entries.length, 3, 'KBC BE, Nordea FI, and the FI listing of KBC stays apart (other country)')
  const kbc = entries.find(e => e.country === 'BE')
  t.equal(kbc?.primary.provider, 'ponto', 'BE prefers Ponto')
  t.same(kbc?.alternatives.map(a => a.provider), ['enablebanking', 'saltedge'], 'then Enable Banking, then Salt Edge')
  t.equal(kbc?.ref, 'ponto:p-1')
  t.equal(entries.find(e => e.name === 'Nordea')?.primary.provider, 'enablebanking', 'Nordics prefer Enable Banking')
})

t.test('the preference order per country', async t => {
  const order = (country: string, providers: ProviderId[]): ProviderId[] => providers.slice().sort((a, b) => providerRank(country, a) - providerRank(country, b))
  const all: ProviderId[] = ['plaid', 'yodlee', 'saltedge', 'ponto', 'enablebanking']
  t.same(order('BE', all), ['ponto', 'enablebanking', 'saltedge', 'yodlee', 'plaid'])
  t.same(order('US', all).slice(0, 3), ['plaid', 'yodlee', 'saltedge'])
  t.same(order('GB', all).slice(0, 2), ['yodlee', 'saltedge'])
  t.same(order('SE', all).slice(0, 2), ['enablebanking', 'saltedge'])
  t.same(order('PT', all), ['enablebanking', 'saltedge', 'ponto', 'yodlee', 'plaid'], 'default order elsewhere')
})

t.test('normalised names ignore case, accents, punctuation and legal forms', async t => {
  t.equal(dedupName('Banque Fédérale S.A.'), 'banque federale')
  t.equal(dedupName('The Royal Bank PLC'), 'royal bank')
  t.equal(dedupName('K.B.C. Bank NV'), 'kbc bank', 'initials joined')
  t.equal(dedupName('BNP Paribas Fortis'), dedupName('bnp  paribas-fortis'))
})
