/**
 * The Salt Edge module surface: settings, credential parsing with clear errors, and sandbox
 * credentials that the parser accepts.
 */
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { saltedgeModule } from '../../../providers/saltedge/index.js'

const sandbox = saltedgeModule.sandbox.credentials('http://127.0.0.1:3000/sandbox/saltedge')
const settings = {
  SALTEDGE_APP_ID: sandbox.appId,
  SALTEDGE_SECRET: sandbox.secret,
  SALTEDGE_PRIVATE_KEY: sandbox.privateKeyPem.replace(/\n/g, '\\n'),
  SALTEDGE_CALLBACK_PUBLIC_KEY: sandbox.callbackPublicKeyPem
}

t.test('settings are the SALTEDGE_* variables, secrets flagged', async t => {
  t.same(saltedgeModule.settings.map(s => s.name), ['SALTEDGE_APP_ID', 'SALTEDGE_SECRET', 'SALTEDGE_PRIVATE_KEY', 'SALTEDGE_CALLBACK_PUBLIC_KEY'])
  t.same(saltedgeModule.settings.filter(s => s.secret).map(s => s.name), ['SALTEDGE_SECRET', 'SALTEDGE_PRIVATE_KEY'])
  t.ok(saltedgeModule.countries.includes('BE') && saltedgeModule.countries.includes('XF'))
  t.equal(saltedgeModule.id, 'saltedge')
})

t.test('credentialsFromSettings parses PEMs (also with \\n escapes)', async t => {
  const c = saltedgeModule.credentialsFromSettings(settings)
  t.equal(c.privateKeyPem, sandbox.privateKeyPem)
  t.equal(c.appId, sandbox.appId)
})

t.test('bad values name the variable', async t => {
  t.throws(() => saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_APP_ID: ' ' }), /^SALTEDGE_APP_ID: /)
  t.throws(() => saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_SECRET: undefined }), /SALTEDGE_SECRET: /)
  t.throws(() => saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_PRIVATE_KEY: 'nope' }), /SALTEDGE_PRIVATE_KEY: not a readable PEM/)
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  t.throws(() => saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_PRIVATE_KEY: ec }), /SALTEDGE_PRIVATE_KEY: an RSA key/)
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  t.throws(() => saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_PRIVATE_KEY: small }), /at least 2048/)
  t.throws(() => saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_CALLBACK_PUBLIC_KEY: 'x' }), /SALTEDGE_CALLBACK_PUBLIC_KEY: /)
  try {
    saltedgeModule.credentialsFromSettings({ ...settings, SALTEDGE_PRIVATE_KEY: 'nope' })
  } catch (err) {
    t.notMatch(String(err), /sandbox-secret|BEGIN/, 'no secret echoed in the error')
  }
})
