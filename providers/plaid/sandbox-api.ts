/** Item, account, transaction, institution and webhook-key endpoints of the Plaid sandbox. */
import type { FastifyInstance } from 'fastify'
import { invalidRequest, plaidFail } from './sandbox-errors.js'
import { institutionById, institutionJson, SANDBOX_INSTITUTIONS } from './sandbox-data.js'
import { bodyOf, flaky, itemError, requireItem, requireString, type Body } from './sandbox-guards.js'
import { SANDBOX_WEBHOOK_KEYS, publicKeyResponse } from './sandbox-keys.js'
import { accountJson } from './sandbox-ledger.js'
import { DAY_MS, type SandboxItem, type SandboxState } from './sandbox-state.js'
import { transactionsSync } from './sandbox-sync.js'
import { deliverWebhook, sandboxWebhookPayload, webhookTarget } from './sandbox-webhooks.js'

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function itemJson (state: SandboxState, item: SandboxItem): Record<string, unknown> {
  return {
    available_products: ['balance', 'identity'],
    billed_products: ['transactions'],
    products: ['transactions'],
    consented_products: ['transactions'],
    consent_expiration_time: item.consentExpiresAt === null ? null : iso(item.consentExpiresAt),
    created_at: iso(item.createdAt),
    error: itemError(state, item),
    institution_id: item.institution.id,
    institution_name: item.institution.bank.name,
    item_id: item.itemId,
    update_type: item.institution.bank.manualOnly ? 'user_present_required' : 'background',
    webhook: item.webhook ?? '',
    auth_method: null
  }
}

function countryCodes (body: Body): string[] {
  const codes = body.country_codes
  if (!Array.isArray(codes) || codes.length === 0) throw invalidRequest('MISSING_FIELDS', 'the following required fields are missing: country_codes')
  return codes.map(String)
}

export function registerApi (app: FastifyInstance, state: SandboxState): void {
  app.post('/accounts/get', async req => {
    const body = bodyOf(req)
    const item = requireItem(state, body, { data: true })
    await flaky(state, item, '/accounts/get')
    const ids = ((body.options ?? {}) as Body).account_ids
    const accounts = item.accounts.filter(a => !Array.isArray(ids) || ids.includes(a.accountId))
    if (Array.isArray(ids) && accounts.length !== ids.length) throw plaidFail('INVALID_ACCOUNT_ID')
    return { accounts: accounts.map(a => accountJson(state, item, a)), item: itemJson(state, item) }
  })

  app.post('/item/get', async req => {
    const item = requireItem(state, bodyOf(req), { data: false })
    await flaky(state, item, '/item/get')
    const last = iso(state.dataTime(item))
    return { item: itemJson(state, item), status: { transactions: { last_successful_update: last, last_failed_update: null }, last_webhook: null } }
  })

  app.post('/item/remove', async req => {
    const item = requireItem(state, bodyOf(req), { data: false })
    item.removed = true
    return {}
  })

  app.post('/transactions/sync', async req => {
    const body = bodyOf(req)
    const item = requireItem(state, body, { data: true })
    await flaky(state, item, '/transactions/sync')
    return transactionsSync(state, item, body)
  })

  app.post('/transactions/refresh', async (req, reply) => {
    const item = requireItem(state, bodyOf(req), { data: true })
    await flaky(state, item, '/transactions/refresh')
    const now = state.now()
    if (item.institution.bank.oncePerDay && item.lastRefreshAt !== null && now - item.lastRefreshAt < DAY_MS) {
      const waitSeconds = Math.ceil((item.lastRefreshAt + DAY_MS - now) / 1000)
      throw plaidFail('RATE_LIMIT', { code: 'TRANSACTIONS_REFRESH_LIMIT', headers: { 'retry-after': String(waitSeconds) } })
    }
    item.lastRefreshAt = now
    // A user_present_required Item cannot be refreshed in the background: accepted, nothing changes.
    const target = webhookTarget(state, item)
    if (item.dataAsOf === null && item.syncCalled && target !== null) {
      void deliverWebhook(state, target, sandboxWebhookPayload(item, 'SYNC_UPDATES_AVAILABLE', now) as Record<string, unknown>)
    }
    return reply.send({})
  })

  app.post('/institutions/get', async req => {
    const body = bodyOf(req)
    const codes = countryCodes(body)
    const count = body.count
    const offset = body.offset
    if (count === undefined || offset === undefined) throw invalidRequest('MISSING_FIELDS', `the following required fields are missing: ${[count === undefined ? 'count' : null, offset === undefined ? 'offset' : null].filter(Boolean).join(', ')}`)
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 500) throw invalidRequest('INVALID_FIELD', 'count must be an integer between 1 and 500')
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw invalidRequest('INVALID_FIELD', 'offset must be a non-negative integer')
    const options = (body.options ?? {}) as Body
    const all = SANDBOX_INSTITUTIONS.filter(i => codes.includes(i.country))
    return { institutions: all.slice(offset, offset + count).map(i => institutionJson(i, { metadata: options.include_optional_metadata === true })), total: all.length }
  })

  app.post('/institutions/search', async req => {
    const body = bodyOf(req)
    const query = requireString(body, 'query').toLowerCase()
    const codes = countryCodes(body)
    const options = (body.options ?? {}) as Body
    const hits = SANDBOX_INSTITUTIONS.filter(i => codes.includes(i.country) && i.bank.name.toLowerCase().includes(query)).slice(0, 10)
    return { institutions: hits.map(i => institutionJson(i, { metadata: options.include_optional_metadata === true })) }
  })

  app.post('/institutions/get_by_id', async req => {
    const body = bodyOf(req)
    const inst = institutionById(requireString(body, 'institution_id'))
    if (inst === undefined || !countryCodes(body).includes(inst.country)) throw plaidFail('INVALID_INSTITUTION')
    const options = (body.options ?? {}) as Body
    return { institution: institutionJson(inst, { metadata: options.include_optional_metadata === true, status: options.include_status === true }) }
  })

  app.post('/webhook_verification_key/get', async req => {
    const kid = requireString(bodyOf(req), 'key_id')
    const key = SANDBOX_WEBHOOK_KEYS.find(k => k.kid === kid)
    if (key === undefined) throw plaidFail('INVALID_WEBHOOK_VERIFICATION_KEY_ID')
    return { key: publicKeyResponse(key) }
  })

  app.post('/sandbox/item/reset_login', async req => {
    const item = requireItem(state, bodyOf(req), { data: false })
    item.loginRequired = true
    return { reset_login: true }
  })

  app.post('/sandbox/item/fire_webhook', async req => {
    const body = bodyOf(req)
    const item = requireItem(state, body, { data: false })
    const code = requireString(body, 'webhook_code')
    const payload = sandboxWebhookPayload(item, code, state.now())
    if (payload === null || (typeof body.webhook_type === 'string' && body.webhook_type !== payload.webhook_type)) {
      throw invalidRequest('INVALID_FIELD', 'webhook_code must be one of SYNC_UPDATES_AVAILABLE, DEFAULT_UPDATE, LOGIN_REPAIRED, PENDING_DISCONNECT, USER_PERMISSION_REVOKED, ERROR')
    }
    const target = webhookTarget(state, item)
    if (target === null) throw plaidFail('SANDBOX_WEBHOOK_INVALID')
    void deliverWebhook(state, target, payload)
    return { webhook_fired: true }
  })
}
