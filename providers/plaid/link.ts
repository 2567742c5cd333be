/** Hosted Link completion: read the Link session from `/link/token/get`, then exchange the public token. */
import { ProviderError } from '../errors.js'
import type { Connection, ConsentCompleteInput } from '../types.js'
import type { PlaidClient } from './client.js'

const LINK_LANGUAGES = new Set(['da', 'nl', 'en', 'et', 'fr', 'de', 'hi', 'it', 'lv', 'lt', 'no', 'pl', 'pt', 'ro', 'es', 'sv', 'vi', 'ja', 'zh'])

/** Odoo sends `fr_BE`, `en_US`, …; Link wants a bare language code. */
export function linkLanguage (lang: string): string {
  const code = lang.toLowerCase().split(/[_-]/)[0] ?? 'en'
  return LINK_LANGUAGES.has(code) ? code : 'en'
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | null => v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : null

interface SessionOutcome { publicToken: string | null, institutionId: string | null, exitCode: string | null }

function outcomeOf (session: Obj): SessionOutcome {
  const results = obj(session.results)
  const firstAdd = Array.isArray(results?.item_add_results) ? obj(results.item_add_results[0]) : null
  const legacy = obj(session.on_success)
  const token = firstAdd?.public_token ?? legacy?.public_token
  const institution = obj(firstAdd?.institution) ?? obj(obj(legacy?.metadata)?.institution)
  const exit = obj(session.exit) ?? obj(session.on_exit)
  const exitError = obj(exit?.error)
  const exitStatus = obj(exit?.metadata)?.status
  return {
    publicToken: typeof token === 'string' && token !== '' ? token : null,
    institutionId: typeof institution?.institution_id === 'string' ? institution.institution_id : null,
    exitCode: typeof exitError?.error_code === 'string' ? exitError.error_code : (exit !== null ? (typeof exitStatus === 'string' ? `exited:${exitStatus}` : 'exited') : null)
  }
}

export async function completeLink (client: PlaidClient, input: ConsentCompleteInput): Promise<Connection> {
  const linkToken = input.pending.link_token
  if (typeof linkToken !== 'string' || linkToken === '') {
    throw new ProviderError({ provider: 'plaid', kind: 'invalid_request', message: 'pending consent has no link_token', providerCode: 'INVALID_LINK_TOKEN' })
  }
  const res = await client.post<{ link_sessions?: unknown, request_id?: unknown }>('/link/token/get', { link_token: linkToken }, { idempotent: true })
  const requestId = typeof res.request_id === 'string' ? res.request_id : null
  const sessions = (Array.isArray(res.link_sessions) ? res.link_sessions : []).map(obj).filter((s): s is Obj => s !== null)
  const finished = sessions.filter(s => typeof s.finished_at === 'string').map(outcomeOf)
  const success = [...finished].reverse().find(o => o.publicToken !== null)
  if (success === undefined) {
    const last = finished.at(-1)
    if (last === undefined) {
      throw new ProviderError({ provider: 'plaid', kind: 'not_ready', message: 'the Link session has not finished yet', providerCode: 'LINK_SESSION_NOT_FINISHED', providerRequestId: requestId })
    }
    throw new ProviderError({ provider: 'plaid', kind: 'reauth_required', message: `the user left Link without connecting (${last.exitCode ?? 'no result'})`, providerCode: last.exitCode ?? 'exited', providerRequestId: requestId })
  }
  if (input.pending.mode === 'update') {
    // Update mode repairs the Item in place; the access_token does not change.
    if (input.existing === null) throw new ProviderError({ provider: 'plaid', kind: 'invalid_request', message: 'update-mode consent without the existing connection', providerCode: null })
    return { provider: 'plaid', institutionId: input.existing.institutionId, secrets: { ...input.existing.secrets } }
  }
  const exchanged = await client.post<{ access_token?: unknown, item_id?: unknown }>('/item/public_token/exchange', { public_token: success.publicToken }, { idempotent: false })
  if (typeof exchanged.access_token !== 'string' || typeof exchanged.item_id !== 'string') {
    throw new ProviderError({ provider: 'plaid', kind: 'provider_down', message: 'public token exchange answered without access_token/item_id', providerCode: 'bad_response' })
  }
  return { provider: 'plaid', institutionId: success.institutionId ?? input.institutionId, secrets: { access_token: exchanged.access_token, item_id: exchanged.item_id } }
}
