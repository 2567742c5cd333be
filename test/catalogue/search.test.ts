/** Search behaviour: prefixes, typos (edit distance 1 or 2 by token length), BICs, countries. */
import t from 'tap'
import { dedupe } from '../../src/catalogue/dedup.js'
import { boundedDistance, buildIndex } from '../../src/catalogue/search-index.js'
import { inst } from './helpers.js'

const index = buildIndex(dedupe([
  inst('ponto', 'a', 'Sandbox Ordinary Bank', 'BE', 'ORDIBESB'),
  inst('ponto', 'b', 'Sandbox Beta Bank', 'BE', 'BETABESB', true),
  inst('ponto', 'c', 'Belfius Banque', 'BE', 'GKCCBEBB'),
  inst('saltedge', 'd', 'Crédit Agricole', 'FR', 'AGRIFRPP'),
  inst('saltedge', 'e', 'Sandbox Ordinary Bank', 'FR', 'ORDIFRSB'),
  inst('plaid', 'f', 'Chase', 'US', null),
  inst('enablebanking', 'g', 'Handelsbanken', 'SE', 'HANDSESS')
]))
const names = (q: string, country?: string): string[] => index.search(q, { country }).map(e => `${e.name}/${e.country}`)

t.test('exact, prefix and multi-word queries', async t => {
  t.same(names('ordinary', 'BE'), ['Sandbox Ordinary Bank/BE'])
  t.same(names('ord', 'BE'), ['Sandbox Ordinary Bank/BE'], 'prefix')
  t.same(names('sandbox bank', 'BE').sort(), ['Sandbox Beta Bank/BE', 'Sandbox Ordinary Bank/BE'])
  t.same(names('credit agricole'), ['Crédit Agricole/FR'], 'accents ignored')
  t.same(names('ordinary').sort(), ['Sandbox Ordinary Bank/BE', 'Sandbox Ordinary Bank/FR'], 'no country: all')
})

t.test('typos: one in 4-7 letter words, two in 8+', async t => {
  t.same(names('ordinray', 'BE'), ['Sandbox Ordinary Bank/BE'], 'swap')
  t.same(names('belfuis', 'BE'), ['Belfius Banque/BE'], 'swap in a 7-letter word')
  t.same(names('handlsbankn', 'SE'), ['Handelsbanken/SE'], 'two missing letters in an 11-letter word')
  t.same(names('chasse', 'US'), ['Chase/US'])
  t.same(names('xyzzy', 'BE'), [])
  t.equal(boundedDistance('kitten', 'sitting', 2), 3, 'bounded: more than k reports k+1')
  t.equal(boundedDistance('abcd', 'abdc', 1), 1, 'a transposition is one edit')
})

t.test('BIC search, country filter, empty query', async t => {
  t.same(names('GKCCBEBB'), ['Belfius Banque/BE'])
  t.same(names('gkccbebbxxx'), ['Belfius Banque/BE'], 'BIC11 finds the BIC8')
  t.same(names('ordinary', 'FR'), ['Sandbox Ordinary Bank/FR'])
  t.same(index.search('', { country: 'BE' }).map(e => e.name), ['Belfius Banque', 'Sandbox Ordinary Bank', 'Sandbox Beta Bank'], 'beta last')
  t.ok(index.byRef('ponto:c'))
  t.same(index.countries(), ['BE', 'FR', 'SE', 'US'])
})
