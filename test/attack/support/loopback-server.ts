/**
 * A tiny HTTP server on a free loopback port that answers JSON by path and records every request:
 * the JWKS of key-based admin tokens, or an "attacker" host whose hit count must stay at zero.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { freePort } from '../../helpers/net.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface LoopbackServer { url: string, hits: Array<{ method: string, url: string }> }

export async function loopbackServer (t: Teardown, routes: Record<string, unknown> = {}): Promise<LoopbackServer> {
  const port = await freePort()
  const hits: LoopbackServer['hits'] = []
  const server = createServer((req: IncomingMessage, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '' })
    const body = routes[(req.url ?? '').split('?')[0] as string]
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body ?? { error: 'not found' }))
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  t.teardown(async () => await new Promise<void>(resolve => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${port}`, hits }
}
