/**
 * A minimal Odoo stand-in for the browser tests, served from its own origin (another port): it
 * loads /proxy/v1/odoofin_link with a script tag, as Odoo's `loadJS` does, and records the
 * events it is given. Its `exchange_token` handler is slow on purpose: `success` must wait for it.
 */
import { createServer, type Server } from 'node:http'
import { freePort } from '../link/helpers.js'

export { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../helpers/browser.js'

export function hostPage (broker: string, includeParam: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const data = JSON.stringify({ proxyMode: 'sandbox', clientId: false, accessToken: false, mode: 'link', includeParam, ...extra })
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test Odoo</title><link rel="icon" href="data:,"></head><body>
<h1>Test Odoo</h1><button type="button" id="add">Add a bank account</button>
<script>
window.events = []
function loadJS (url) { return new Promise(function (resolve, reject) { var s = document.createElement('script'); s.src = url; s.onload = resolve; s.onerror = reject; document.head.appendChild(s) }) }
document.getElementById('add').addEventListener('click', function () {
  loadJS(${JSON.stringify(broker)} + '/proxy/v1/odoofin_link').then(function () {
    OdooFin.create({
      proxyMode: 'sandbox',
      data: ${data},
      onEvent: function (event, data) {
        window.events.push({ event: event, data: data, at: Date.now() })
        if (event === 'exchange_token') return new Promise(function (resolve) { setTimeout(function () { window.events.push({ event: 'exchange_token_handled', at: Date.now() }); resolve() }, 300) })
      },
      onAddBank: function (data) { window.events.push({ event: 'add_bank', data: data, at: Date.now() }) }
    })
    OdooFin.open()
  })
})
</script></body></html>`
}

export async function serveHost (t: { teardown: (fn: () => unknown) => void }, html: () => string): Promise<string> {
  const port = await freePort()
  const server: Server = createServer((req, res) => {
    if (req.url !== '/') { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html())
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  return `http://127.0.0.1:${port}`
}
