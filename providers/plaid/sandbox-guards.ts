/** Checks every sandbox API call goes through, in Plaid's order: client keys, access token, Item health, flaky bank. */
import type { FastifyRequest } from 'fastify'
import { flakyOutcome } from '../sandbox-kit/banks.js'
import { PLAID_SANDBOX_CLIENT_ID, PLAID_SANDBOX_SECRET } from './credentials.js'
import { invalidRequest, plaidFail } from './sandbox-errors.js'
import type { SandboxItem, SandboxState } from './sandbox-state.js'

export type Body = Record<string, unknown>

export function bodyOf (req: FastifyRequest): Body {
  const b = req.body
  return b !== null && typeof b === 'object' && !Array.isArray(b) ? b as Body : {}
}

function headerText (req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Client keys in `PLAID-CLIENT-ID`/`PLAID-SECRET` headers, or `client_id`/`secret` in the body. */
export function checkClientKeys (req: FastifyRequest): void {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json' || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw plaidFail('INVALID_BODY')
  const body = bodyOf(req)
  const headerId = headerText(req, 'plaid-client-id')
  const clientId = headerId ?? (typeof body.client_id === 'string' && body.client_id !== '' ? body.client_id : undefined)
  const secret = headerId !== undefined ? headerText(req, 'plaid-secret') : (typeof body.secret === 'string' && body.secret !== '' ? body.secret : undefined)
  const missing = [clientId === undefined ? 'client_id' : null, secret === undefined ? 'secret' : null].filter(Boolean)
  if (missing.length > 0) throw invalidRequest('MISSING_FIELDS', `the following required fields are missing: ${missing.join(', ')}`)
  if (clientId !== PLAID_SANDBOX_CLIENT_ID || secret !== PLAID_SANDBOX_SECRET) throw plaidFail('INVALID_API_KEYS')
}

export function requireString (body: Body, field: string): string {
  const v = body[field]
  if (v === undefined || v === null || v === '') throw invalidRequest('MISSING_FIELDS', `the following required fields are missing: ${field}`)
  if (typeof v !== 'string') throw invalidRequest('INVALID_FIELD', `${field} must be a properly formatted, non-empty string`)
  return v
}

/** The Item behind `access_token`; `data` calls also need it healthy (no login required, consent valid). */
export function requireItem (state: SandboxState, body: Body, opts: { data: boolean }): SandboxItem {
  const token = requireString(body, 'access_token')
  const item = state.itemByAccessToken(token)
  if (item === undefined) throw plaidFail('INVALID_ACCESS_TOKEN')
  if (item.removed) throw plaidFail('ITEM_NOT_FOUND')
  if (opts.data) {
    if (item.consentExpiresAt !== null && state.now() >= item.consentExpiresAt) throw plaidFail('ITEM_LOGIN_REQUIRED', { reason: 'OAUTH_CONSENT_EXPIRED' })
    if (item.loginRequired) throw plaidFail('ITEM_LOGIN_REQUIRED')
  }
  return item
}

export function itemError (state: SandboxState, item: SandboxItem): Record<string, unknown> | null {
  const expired = item.consentExpiresAt !== null && state.now() >= item.consentExpiresAt
  if (!expired && !item.loginRequired) return null
  const err = plaidFail('ITEM_LOGIN_REQUIRED', { reason: expired ? 'OAUTH_CONSENT_EXPIRED' : null }).plaid.body
  return { ...err, status: 400 }
}

const RATE_CODES: Record<string, string> = {
  '/accounts/get': 'ACCOUNTS_LIMIT',
  '/item/get': 'ITEM_GET_LIMIT',
  '/transactions/sync': 'TRANSACTIONS_SYNC_LIMIT',
  '/transactions/refresh': 'TRANSACTIONS_REFRESH_LIMIT'
}

/** The flaky bank's fixed schedule (kit `flakyOutcome`), counted per Item over its data calls. */
export async function flaky (state: SandboxState, item: SandboxItem, path: string): Promise<void> {
  if (!item.institution.bank.flaky) return
  item.calls += 1
  const outcome = flakyOutcome(item.calls)
  if (outcome === 'unavailable') throw plaidFail('INTERNAL_SERVER_ERROR')
  if (outcome === 'rate_limited') throw plaidFail('RATE_LIMIT', { code: RATE_CODES[path] ?? 'RATE_LIMIT', headers: { 'retry-after': '1' } })
  if (outcome === 'slow') await new Promise(resolve => setTimeout(resolve, state.opts.slowMs ?? 2_000))
}
