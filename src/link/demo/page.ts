/** The demo host page and its script: an Odoo look-alike that opens the pop-up and shows what Odoo would import. */

export function demoPage (): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>banksync-broker demo (an Odoo stand-in)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo/assets/demo.css">
<script src="/demo/assets/demo.js" defer></script>
</head><body>
<header><h1>Bank synchronization demo</h1>
<p>This page plays the part of an Odoo database: it loads <code>/proxy/v1/odoofin_link</code>, opens the pop-up, and makes Odoo's signed calls from the server.</p></header>
<main>
<section aria-labelledby="db-h"><h2 id="db-h">Database</h2>
<p>Database uuid: <code id="db">…</code> <span id="sub"></span></p>
<p><label for="country">Country</label> <select id="country"><option>BE</option><option>FR</option><option>NL</option><option>DE</option><option>FI</option><option>GB</option><option>US</option></select>
<label for="lang">Language</label> <select id="lang"><option value="en_US">English</option><option value="fr_BE">Français</option><option value="nl_BE">Nederlands</option></select></p>
<p><button type="button" id="add">Add a bank account</button> <button type="button" id="accounts">List accounts</button> <button type="button" id="sync">Sync now</button> <button type="button" id="reset" class="secondary">New database</button></p>
</section>
<section aria-labelledby="ev-h"><h2 id="ev-h">Pop-up events</h2><ol id="events" aria-live="polite"></ol></section>
<section aria-labelledby="out-h"><h2 id="out-h">Accounts and imported lines</h2><div id="out" aria-live="polite"></div></section>
</main>
</body></html>`
}

export const DEMO_CSS = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.4}
button{font-size:1rem;padding:.45rem 1rem;margin:.2rem 0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #ccc;padding:.25rem .4rem;text-align:left}
td.amount{text-align:right;font-variant-numeric:tabular-nums}.error{color:#b00020}pre{white-space:pre-wrap;font-size:.85rem}`

export const DEMO_JS = `(function () {
  'use strict'
  var KEY = 'banksync-demo-db'
  var db = localStorage.getItem(KEY)
  if (!db) { db = crypto.randomUUID(); localStorage.setItem(KEY, db) }
  var $ = function (id) { return document.getElementById(id) }
  $('db').textContent = db
  function api (name, body) {
    return fetch('/demo/api/' + name, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.assign({ dbUuid: db }, body || {})) })
      .then(function (r) { return r.json() })
  }
  function log (text) {
    var li = document.createElement('li')
    li.textContent = text
    $('events').appendChild(li)
  }
  function cell (row, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; row.appendChild(td) }
  function errorOf (env) { return env && env.error ? 'Error ' + env.error.code + ': ' + ((env.error.data && env.error.data.message) || env.error.message) + (env.error.data && env.error.data.error_reference ? ' (' + env.error.data.error_reference + ')' : '') : null }
  function show (title, rows, head) {
    var h = document.createElement('h3'); h.textContent = title; $('out').appendChild(h)
    var table = document.createElement('table'); var tr = document.createElement('tr')
    head.forEach(function (c) { var th = document.createElement('th'); th.textContent = c; tr.appendChild(th) })
    table.appendChild(tr)
    rows.forEach(function (r) { var row = document.createElement('tr'); r.forEach(function (c, i) { cell(row, String(c), i === r.length - 1 && typeof c === 'number' ? 'amount' : '') }); table.appendChild(row) })
    $('out').appendChild(table)
  }
  function problem (text) { var p = document.createElement('p'); p.className = 'error'; p.textContent = text; $('out').appendChild(p) }
  api('provision').then(function (r) { $('sub').textContent = r.subscription ? '(' + r.subscription.edition + ' until ' + r.subscription.expiresOn + ', ' + r.clients.length + ' link(s))' : '' })
  function loadScript () {
    return new Promise(function (resolve, reject) {
      if (window.OdooFin) return resolve()
      var s = document.createElement('script'); s.src = '/proxy/v1/odoofin_link'; s.onload = resolve; s.onerror = reject
      document.head.appendChild(s)
    })
  }
  $('add').addEventListener('click', function () {
    loadScript().then(function () {
      var country = $('country').value
      window.OdooFin.create({
        proxyMode: 'sandbox',
        data: { proxyMode: 'sandbox', clientId: false, accessToken: false, mode: 'link', includeParam: { lang: $('lang').value, countryCode: country, countryName: country, serverVersion: '17.0', dbUuid: db, userEmail: 'demo@example.com', mfa_type: null } },
        onEvent: function (event, data) {
          log(event + (event === 'exchange_token' ? ' (token received)' : data ? ' ' + JSON.stringify(data) : ''))
          if (event === 'exchange_token') return api('exchange', { exchangeToken: data }).then(function (r) { log(r.result ? 'exchange_token → client ' + r.result.client_id : 'exchange_token failed: ' + errorOf(r)) })
        },
        onAddBank: function () { log('onAddBank: the user did not find the bank (Odoo would create a manual journal)') }
      })
      window.OdooFin.open()
    })
  })
  $('accounts').addEventListener('click', function () {
    $('out').textContent = ''
    api('accounts').then(function (r) {
      if (!r.links.length) return problem('No link yet: add a bank account first.')
      r.links.forEach(function (l) {
        var err = errorOf(l.response)
        if (err) return problem(l.client_id + ': ' + err)
        show('Accounts of ' + l.client_id, (l.response.result.accounts || []).map(function (a) { return [a.name, a.account_number, a.currency_code, a.balance] }), ['Name', 'Number', 'Currency', 'Balance'])
      })
    })
  })
  $('sync').addEventListener('click', function () {
    $('out').textContent = ''
    api('transactions').then(function (r) {
      if (!r.links.length) return problem('No link yet: add a bank account first.')
      r.links.forEach(function (l) {
        var err = errorOf(l.accounts)
        if (err) return problem(l.client_id + ': ' + err)
        l.per_account.forEach(function (a) {
          var e = errorOf(a.transactions)
          if (e) return problem(a.name + ': ' + e)
          show('Imported lines of ' + a.name, (a.transactions.result.transactions || []).map(function (t) { return [t.date, t.payment_ref || '', t.partner_name || '', t.amount] }), ['Date', 'Label', 'Partner', 'Amount'])
        })
      })
    })
  })
  $('reset').addEventListener('click', function () { localStorage.removeItem(KEY); location.reload() })
})()
`
