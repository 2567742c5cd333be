/**
 * The OdooFin script in a minimal fake DOM: the global it defines, the form POST it builds (no
 * token in any URL, no Referer), and the origin + source checks on every message.
 */
import t from 'tap'
import { runInNewContext } from 'node:vm'
import { odoofinScript } from '../../src/link/odoofin-script.js'
import { buildTestApp } from '../helpers/app.js'

interface FakeNode { tag: string, children: FakeNode[], attrs: Record<string, string>, style: Record<string, string>, parentNode: FakeNode | null, [k: string]: any }

function fakeDom () {
  const listeners: Record<string, Array<(e: any) => void>> = {}
  const submitted: Array<{ action: string, method: string, target: string, fields: Record<string, string> }> = []
  const make = (tag: string): FakeNode => {
    const node: FakeNode = {
      tag, children: [], attrs: {}, style: {}, parentNode: null,
      setAttribute (k: string, v: string) { node.attrs[k] = v },
      appendChild (c: FakeNode) { c.parentNode = node; node.children.push(c); return c },
      removeChild (c: FakeNode) { node.children = node.children.filter(x => x !== c); c.parentNode = null },
      addEventListener () {},
      focus () {},
      submit () { submitted.push({ action: node.action, method: node.method, target: node.target, fields: Object.fromEntries(node.children.map(c => [c.name, c.value])) }) }
    }
    if (tag === 'iframe') node.contentWindow = { id: 'iframe-window' }
    return node
  }
  const body = make('body')
  const document = { body, head: make('head'), activeElement: null, createElement: make, addEventListener () {}, removeEventListener () {} }
  const window: any = {
    location: { origin: 'https://odoo.example.com' },
    addEventListener (type: string, fn: (e: any) => void) { (listeners[type] ??= []).push(fn) },
    removeEventListener (type: string, fn: (e: any) => void) { listeners[type] = (listeners[type] ?? []).filter(f => f !== fn) }
  }
  const dispatch = (e: any): void => { for (const fn of listeners.message ?? []) fn(e) }
  return { window, document, body, submitted, dispatch, listeners }
}

const BROKER = 'https://bank-sync.example.com'

async function openWith (onEvent: (e: string, d: unknown) => unknown, onAddBank?: (d: unknown) => unknown) {
  const dom = fakeDom()
  runInNewContext(odoofinScript(`${BROKER}/`), { window: dom.window, document: dom.document, Promise, setTimeout, JSON, Math })
  const OdooFin = dom.window.OdooFin
  OdooFin.create({ proxyMode: 'production', data: { proxyMode: 'production', clientId: 'cl_x', accessToken: 'secret-access', mode: 'reconnect', includeParam: { dbUuid: 'db-1234567', lang: 'fr_BE' } }, onEvent, onAddBank })
  OdooFin.open()
  const overlay = dom.body.children.find(c => c.tag === 'div') as FakeNode
  const iframe = overlay.children.find(c => c.tag === 'iframe') as FakeNode
  return { dom, iframe, overlay, OdooFin }
}

const tick = async (): Promise<void> => await new Promise(resolve => setTimeout(resolve, 10))

t.test('open(): an overlay with a close button and an iframe fed by a form POST', async t => {
  const { dom, iframe, overlay } = await openWith(() => {})
  t.equal(overlay.attrs.role, 'dialog')
  t.equal(overlay.style.position, 'fixed')
  t.equal(iframe.attrs.referrerpolicy, 'no-referrer')
  t.equal(dom.submitted.length, 1)
  const form = dom.submitted[0] as { action: string, method: string, target: string, fields: Record<string, string> }
  t.equal(form.action, `${BROKER}/link/start`)
  t.equal(form.method, 'post')
  t.equal(form.target, iframe.name)
  const params = JSON.parse(form.fields.params as string)
  t.equal(params.accessToken, 'secret-access', 'the token travels in the POST body')
  t.equal(params.hostOrigin, 'https://odoo.example.com')
  t.equal(params.mode, 'reconnect')
  t.equal(iframe.src, undefined, 'nothing in a URL')
})

t.test('messages: only from our origin AND our iframe are relayed', async t => {
  const seen: Array<[string, unknown]> = []
  const { dom, iframe } = await openWith((e, d) => { seen.push([e, d]) })
  const event = (origin: string, source: unknown, data: unknown) => ({ origin, source, data })
  dom.dispatch(event('https://evil.example', iframe.contentWindow, { source: 'odoofin', type: 'event', event: 'exchange_token', data: 'a' }))
  dom.dispatch(event(BROKER, { other: true }, { source: 'odoofin', type: 'event', event: 'exchange_token', data: 'b' }))
  dom.dispatch(event(BROKER, iframe.contentWindow, { source: 'elsewhere', type: 'event', event: 'exchange_token', data: 'c' }))
  dom.dispatch(event(BROKER, iframe.contentWindow, { source: 'odoofin', type: 'event', event: 'not_an_event', data: 'd' }))
  dom.dispatch(event(BROKER, iframe.contentWindow, { source: 'odoofin', type: 'event', event: 'exchange_token', data: 'good' }))
  dom.dispatch(event(BROKER, iframe.contentWindow, { source: 'odoofin', type: 'event', event: 'notification', data: { message: 'hi' } }))
  await tick()
  t.same(seen, [['exchange_token', 'good'], ['notification', { message: 'hi' }]])
})

t.test('success closes the overlay silently; close and add_bank reach their callbacks', async t => {
  const seen: string[] = []
  const added: unknown[] = []
  const a = await openWith(e => { seen.push(e) })
  a.dom.dispatch({ origin: BROKER, source: a.iframe.contentWindow, data: { source: 'odoofin', type: 'event', event: 'success', data: { name: 'X' } } })
  await tick()
  t.same(seen, ['success'])
  t.equal(a.dom.body.children.filter(c => c.tag === 'div').length, 0, 'overlay removed')
  t.equal((a.dom.listeners.message ?? []).length, 0, 'listener removed')
  const b = await openWith(e => { seen.push(e) }, d => { added.push(d) })
  b.dom.dispatch({ origin: BROKER, source: b.iframe.contentWindow, data: { source: 'odoofin', type: 'add_bank', data: {} } })
  await tick()
  t.same(added, [{}])
  const c = await openWith(e => { seen.push(e) })
  c.dom.dispatch({ origin: BROKER, source: c.iframe.contentWindow, data: { source: 'odoofin', type: 'close' } })
  await tick()
  t.same(seen, ['success', 'close'])
})

t.test('GET /proxy/v1/odoofin_link serves it as JavaScript with our origin', async t => {
  const ta = await buildTestApp(t, { PUBLIC_URL: BROKER })
  const res = await ta.app.inject({ method: 'GET', url: '/proxy/v1/odoofin_link' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/javascript/)
  t.match(res.body, /var ORIGIN = "https:\/\/bank-sync\.example\.com"/)
  t.match(res.body, /window\.OdooFin = \{/)
})
