/**
 * `GET /proxy/v1/odoofin_link`: the script Odoo loads with `loadJS` before calling
 * `OdooFin.create(params)` and `OdooFin.open()` (odoo-protocol.md §9). It opens our link pages
 * in a full-screen iframe overlay, hands them Odoo's params by a form POST (never in a URL, no
 * Referer), and relays to `onEvent`/`onAddBank` only the messages that come from that iframe
 * (`event.source`) and from our origin (`event.origin`). Events are delivered one after the
 * other: `success` waits until Odoo finished handling `exchange_token`. The overlay closes after
 * `success` or `connect_existing_account`, the two events that end a flow.
 */
import type { FastifyInstance } from 'fastify'

const SCRIPT = `(function () {
  'use strict'
  var ORIGIN = __ORIGIN__
  var EVENTS = ['close', 'reload', 'notification', 'exchange_token', 'success', 'connect_existing_account']
  var current = null

  function deliver (state, fn) {
    state.queue = state.queue.then(function () { return fn() }).then(null, function (err) {
      setTimeout(function () { throw err })
    })
  }
  function emit (state, event, data) {
    deliver(state, function () {
      if (typeof state.params.onEvent === 'function') return state.params.onEvent(event, data)
    })
  }
  function teardown (state) {
    if (state.overlay === null) return
    window.removeEventListener('message', state.onMessage)
    document.removeEventListener('keydown', state.onKey, true)
    if (state.overlay.parentNode) state.overlay.parentNode.removeChild(state.overlay)
    state.overlay = null
    state.iframe = null
    if (state.focus && typeof state.focus.focus === 'function') state.focus.focus()
  }
  function close (state, silent) {
    if (state.overlay === null) return
    teardown(state)
    if (!silent) emit(state, 'close')
  }
  function payload (params) {
    var data = (params && params.data) || {}
    return JSON.stringify({
      proxyMode: params.proxyMode || data.proxyMode || null,
      mode: data.mode || 'link',
      clientId: data.clientId || null,
      accessToken: data.accessToken || null,
      colorScheme: data.colorScheme || null,
      debug: !!data.debug,
      includeParam: data.includeParam || {},
      hostOrigin: window.location.origin
    })
  }
  function onMessage (state, event) {
    if (state.iframe === null || event.origin !== ORIGIN || event.source !== state.iframe.contentWindow) return
    var message = event.data
    if (!message || typeof message !== 'object' || message.source !== 'odoofin') return
    if (message.type === 'close') return close(state, false)
    if (message.type === 'add_bank') {
      close(state, true)
      deliver(state, function () {
        if (typeof state.params.onAddBank === 'function') return state.params.onAddBank(message.data || {})
      })
      return
    }
    if (message.type !== 'event' || EVENTS.indexOf(message.event) < 0) return
    if (message.event === 'close') return close(state, false)
    emit(state, message.event, message.data)
    // Both end the flow; Odoo then shows its own next screen.
    if (message.event === 'success' || message.event === 'connect_existing_account') close(state, true)
  }
  function style (node, css) {
    for (var k in css) node.style[k] = css[k]
  }
  function open () {
    var state = current
    if (state === null) throw new Error('OdooFin.create(params) must be called before OdooFin.open()')
    if (state.overlay !== null) return
    var name = 'odoofin-' + Math.random().toString(36).slice(2)
    var overlay = document.createElement('div')
    overlay.setAttribute('role', 'dialog')
    overlay.setAttribute('aria-modal', 'true')
    overlay.setAttribute('aria-label', 'Bank connection')
    overlay.setAttribute('data-odoofin', 'overlay')
    style(overlay, { position: 'fixed', top: '0', left: '0', right: '0', bottom: '0', zIndex: '2147483000', background: 'rgba(0,0,0,0.5)', display: 'flex', flexDirection: 'column' })
    var bar = document.createElement('div')
    style(bar, { display: 'flex', justifyContent: 'flex-end', padding: '4px' })
    var button = document.createElement('button')
    button.type = 'button'
    button.setAttribute('aria-label', 'Close')
    button.textContent = '\\u00d7'
    style(button, { fontSize: '24px', lineHeight: '1', padding: '4px 12px', cursor: 'pointer', background: '#fff', border: '0', borderRadius: '4px' })
    button.addEventListener('click', function () { close(state, false) })
    bar.appendChild(button)
    var iframe = document.createElement('iframe')
    iframe.name = name
    iframe.title = 'Connect your bank'
    iframe.setAttribute('referrerpolicy', 'no-referrer')
    iframe.referrerPolicy = 'no-referrer'
    style(iframe, { flex: '1', width: '100%', border: '0', background: '#fff' })
    overlay.appendChild(bar)
    overlay.appendChild(iframe)
    state.focus = document.activeElement
    state.overlay = overlay
    state.iframe = iframe
    state.onMessage = function (event) { onMessage(state, event) }
    state.onKey = function (event) { if (event.key === 'Escape') close(state, false) }
    window.addEventListener('message', state.onMessage)
    document.addEventListener('keydown', state.onKey, true)
    document.body.appendChild(overlay)
    var form = document.createElement('form')
    form.method = 'post'
    form.action = ORIGIN + '/link/start'
    form.target = name
    form.style.display = 'none'
    var input = document.createElement('input')
    input.type = 'hidden'
    input.name = 'params'
    input.value = payload(state.params)
    form.appendChild(input)
    document.body.appendChild(form)
    form.submit()
    form.parentNode.removeChild(form)
    iframe.focus()
  }
  window.OdooFin = {
    create: function (params) {
      if (current !== null) teardown(current)
      current = { params: params || {}, overlay: null, iframe: null, queue: Promise.resolve(), focus: null, onMessage: null, onKey: null }
      return window.OdooFin
    },
    open: open,
    close: function () { if (current !== null) close(current, false) }
  }
})()
`

export function odoofinScript (publicUrl: string): string {
  return SCRIPT.replace('__ORIGIN__', JSON.stringify(new URL(publicUrl).origin))
}

export async function odoofinScriptRoute (app: FastifyInstance, opts: { publicUrl: string }): Promise<void> {
  const body = odoofinScript(opts.publicUrl)
  app.get('/proxy/v1/odoofin_link', {
    schema: { summary: 'The pop-up script Odoo loads: defines the global OdooFin with create(params) and open().', tags: ['odoo'], operationId: 'odoofinLink' }
  }, async (_req, reply) => reply
    .header('cache-control', 'public, max-age=300')
    .header('cross-origin-resource-policy', 'cross-origin')
    .type('text/javascript; charset=utf-8')
    .send(body))
}
