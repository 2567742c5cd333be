/**
 * Static files of the link pages. The page script only talks to the Odoo page that opened the
 * pop-up (`hostOrigin`, never `*`), posts the events the server put in the page, and reveals the
 * buttons that need a script (Close, "My bank is not listed"). For a consent in a separate window
 * it opens that window and listens for our own origin's report from it.
 */
import type { FastifyInstance } from 'fastify'

export const LINK_JS = `(function () {
  'use strict'
  var node = document.getElementById('bsb-data')
  var data = {}
  try { data = JSON.parse(node ? node.textContent : '{}') || {} } catch (e) { data = {} }
  var origin = typeof data.hostOrigin === 'string' ? data.hostOrigin : null
  var framed = window.parent && window.parent !== window && origin !== null
  function post (message) {
    if (!framed) return
    message.source = 'odoofin'
    window.parent.postMessage(message, origin)
  }
  function reveal (selector, message) {
    var buttons = document.querySelectorAll(selector)
    for (var i = 0; i < buttons.length; i++) {
      if (!framed) continue
      buttons[i].hidden = false
      buttons[i].addEventListener('click', function () { post(message()) })
    }
  }
  reveal('[data-bsb-close]', function () { return { type: 'close' } })
  reveal('[data-bsb-add-bank]', function () { return { type: 'add_bank', data: {} } })
  var events = Array.isArray(data.events) ? data.events : []
  for (var i = 0; i < events.length; i++) post({ type: 'event', event: events[i].event, data: events[i].data })
  if (framed) document.addEventListener('keydown', function (e) { if (e.key === 'Escape') post({ type: 'close' }) })
  // Consent in a separate window (the provider refuses framing): open it as a pop-up on the
  // user's click (the form posts into it by name), then wait for our own page there to report.
  var windowForm = document.querySelector('form[data-bsb-window]')
  var consentWindow = null
  if (windowForm) {
    windowForm.addEventListener('submit', function () {
      consentWindow = window.open('', windowForm.target, 'popup=yes,width=600,height=760')
      var waiting = document.querySelector('[data-bsb-window-waiting]')
      if (waiting) waiting.hidden = false
    })
  }
  if (typeof data.resume === 'string') {
    window.addEventListener('message', function (e) {
      if (e.origin !== window.location.origin) return
      if (consentWindow !== null && e.source !== consentWindow) return
      var m = e.data
      if (!m || typeof m !== 'object' || m.source !== 'odoofin' || m.type !== 'consent_finished') return
      window.location.assign(data.resume)
    })
  }
  if ((data.relay === 'close' || data.relay === 'stay') && window.opener && window.opener !== window) {
    try {
      window.opener.postMessage({ source: 'odoofin', type: 'consent_finished' }, window.location.origin)
      if (data.relay === 'close') window.close()
    } catch (e) {}
  }
  var focus = document.querySelector('[data-autofocus]')
  if (focus && document.activeElement !== focus) focus.focus()
})()
`

export const LINK_CSS = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45}
body{margin:0;padding:1.5rem;max-width:40rem;margin-inline:auto}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.8rem 0 .3rem}
.check label{display:inline;margin-left:.4rem}
input[type=tel],input[type=search],input[inputmode=numeric],select{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #8a8a8a;border-radius:4px}
button{font-size:1rem;padding:.55rem 1.2rem;margin-top:.8rem;border-radius:4px;border:1px solid #2b5fb4;background:#2b5fb4;color:#fff;cursor:pointer}
button.secondary,button.link{background:transparent;color:inherit;border-color:#8a8a8a}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.help{font-size:.9rem;margin:.3rem 0;opacity:.85}
.alert{border-left:4px solid #c0392b;padding:.4rem .7rem;background:rgba(192,57,43,.08)}
.notice{border-left:4px solid #f2a900;padding:.4rem .7rem}
.badge{display:inline-block;font-size:.75rem;font-weight:700;padding:.05rem .45rem;border-radius:1rem;background:#f2a900;color:#000;margin-left:.4rem;vertical-align:middle}
.results{list-style:none;padding:0}
.results li{margin:.4rem 0}
.results button{width:100%;text-align:left;background:transparent;color:inherit;border-color:#8a8a8a;margin:0}
details{margin:.2rem 0 .6rem 1rem;font-size:.9rem}
.step{margin:1rem 0 1.5rem}
h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
.detail{font-size:.9rem;opacity:.8;margin-left:.3rem}
`

export const BANK_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Bank"><rect width="64" height="64" rx="12" fill="#e8eef8"/><path d="M32 12 10 24v4h44v-4L32 12zm-16 20v16h6V32h-6zm13 0v16h6V32h-6zm13 0v16h6V32h-6zM10 52h44v-4H10v4z" fill="#2b5fb4"/></svg>`

export async function assetRoutes (app: FastifyInstance): Promise<void> {
  const cache = 'public, max-age=3600'
  app.get('/assets/link.js', async (_req, reply) => reply.header('cache-control', cache).type('text/javascript; charset=utf-8').send(LINK_JS))
  app.get('/assets/link.css', async (_req, reply) => reply.header('cache-control', cache).type('text/css; charset=utf-8').send(LINK_CSS))
  app.get('/assets/bank.svg', async (_req, reply) => reply.header('cache-control', cache).header('cross-origin-resource-policy', 'cross-origin').type('image/svg+xml').send(BANK_SVG))
}
