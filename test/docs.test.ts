import t from 'tap'
import { readFileSync } from 'node:fs'
import { ERROR_CATALOGUE, ERROR_CODES } from '../src/errors.js'
import { SETTINGS } from '../src/config.js'

const readme = readFileSync('README.md', 'utf8')

t.test('README starts with the two newcomer commands', async t => {
  const first = readme.indexOf('npm ci && npm start')
  const second = readme.indexOf('npm ci && npm test')
  t.ok(first > 0 && second > first, 'npm ci && npm start, then npm ci && npm test')
})

t.test('every error code has a README row with its Odoo code and HTTP status, and no row is stale', async t => {
  for (const code of ERROR_CODES) {
    const spec = ERROR_CATALOGUE[code]
    t.match(readme, new RegExp(`\\| \`${code}\` \\| ${spec.odooCode} \\| ${spec.http} \\|`), code)
  }
  const listed = [...readme.matchAll(/^\| `(BSB_[A-Z_]+)` \|/gm)].map(m => m[1])
  for (const code of listed) t.ok((ERROR_CODES as string[]).includes(code as string), `${code as string} exists`)
})

t.test('every setting is in the README configuration table', async t => {
  for (const s of SETTINGS) t.match(readme, new RegExp(`\\| \`${s.name}\` \\|`), s.name)
})

t.test('every provider setting is in the README', async t => {
  const { PROVIDER_MODULES } = await import('../providers/index.js')
  for (const [id, mod] of Object.entries(PROVIDER_MODULES)) {
    t.match(readme, new RegExp(`\\| \`${id.toUpperCase()}_BASE_URL\` \\|`), `${id} base URL`)
    for (const s of mod.settings) t.match(readme, new RegExp(`\\| \`${s.name}\` \\|`), s.name)
  }
})
