/**
 * mTLS: with PONTO_TLS_* set, the adapter presents the client certificate (an https server that
 * requires one answers); without it the same server refuses the connection.
 */
import { createServer } from 'node:https'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { isProviderError } from '../../../providers/errors.js'
import { createPontoAdapter } from '../../../providers/ponto/adapter.js'
import { pontoCredentialsFromSettings } from '../../../providers/ponto/credentials.js'

const dir = new URL('../../../../test/providers/ponto/fixtures/mtls/', import.meta.url)
const file = (name: string): string => new URL(name, dir).pathname

t.test('the client certificate is presented when configured', async t => {
  const seen: string[] = []
  const server = createServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ca: readFileSync(file('ca.pem')), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate()
    seen.push(String(peer.subject?.CN))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ data: [{ type: 'financialInstitution', id: 'fi-1', attributes: { name: 'Bank', country: 'BE', bic: 'GEBABEBB', status: 'stable' } }], links: {}, meta: {} }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const baseUrl = `https://127.0.0.1:${(server.address() as { port: number }).port}`
  const creds = pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'cid', PONTO_CLIENT_SECRET: 's', PONTO_TLS_CERT_PATH: file('client.pem'), PONTO_TLS_KEY_PATH: file('client.key'), PONTO_TLS_CA_PATH: file('ca.pem') })
  const list = await createPontoAdapter({ baseUrl, timeoutMs: 5_000 }, creds).listInstitutions('BE')
  t.equal(list[0]?.bic, 'GEBABEBB')
  t.same(seen, ['banksync-test-client'], 'the server saw our client certificate')
  const withoutCert = pontoCredentialsFromSettings({ PONTO_CLIENT_ID: 'cid', PONTO_CLIENT_SECRET: 's' })
  const { Agent } = await import('undici')
  const trustOnly = new Agent({ connect: { ca: readFileSync(file('ca.pem')) } })
  t.teardown(() => trustOnly.close())
  const err = await createPontoAdapter({ baseUrl, timeoutMs: 2_000, dispatcher: trustOnly }, withoutCert, { sleep: async () => {} }).listInstitutions('BE').catch(e => e)
  t.ok(isProviderError(err) && err.kind === 'provider_down', 'refused without a client certificate')
  t.equal(seen.length, 1)
})
