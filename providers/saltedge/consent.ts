/**
 * Consent through Salt Edge Connect (v6): a customer, then `POST /connections/connect` (or
 * `/connections/{id}/reconnect`) giving a `connect_url`; Salt Edge sends the user back to
 * `return_to` with `connection_id` (or `error_class` on failure) appended.
 */
import { randomUUID } from 'node:crypto'
import { ProviderError } from '../errors.js'
import type { ConsentCompleteInput, ConsentStart, ConsentStartInput, Connection, JsonObject } from '../types.js'
import type { SaltEdgeClient } from './client.js'
import { kindForClass } from './errors.js'
import type { SeConnection, SeConnectSession, SeCustomer, SeProvider } from './wire.js'

const SCOPES = ['accounts', 'transactions']
/** The broker never asks for more history than this. */
const MAX_HISTORY_DAYS = 730
const DAY_MS = 86_400_000

export interface SaltEdgeSecrets {
  connection_id: string
  customer_id: string
  provider_code: string
  automatic_fetch: boolean
}

function invalid (message: string, code: string): ProviderError {
  return new ProviderError({ provider: 'saltedge', kind: 'invalid_request', message, providerCode: code })
}

export function secretsOf (conn: Connection): SaltEdgeSecrets {
  const s = conn.secrets
  if (typeof s.connection_id !== 'string' || typeof s.customer_id !== 'string' || typeof s.provider_code !== 'string') {
    throw invalid('stored Salt Edge connection secrets are incomplete', 'secrets_invalid')
  }
  return { connection_id: s.connection_id, customer_id: s.customer_id, provider_code: s.provider_code, automatic_fetch: s.automatic_fetch !== false }
}

function returnTo (redirectUri: string, state: string): string {
  const url = new URL(redirectUri)
  url.searchParams.set('state', state)
  return url.toString()
}

function connectUrlOf (session: SeConnectSession): string {
  const url = typeof session?.connect_url === 'string' ? session.connect_url : ''
  if (!/^https?:\/\//.test(url)) {
    throw new ProviderError({ provider: 'saltedge', kind: 'provider_down', message: 'Salt Edge answered without a usable connect_url', providerCode: 'bad_response' })
  }
  return url
}

export function createConsentFlow (client: SaltEdgeClient) {
  function fromDate (provider: SeProvider): string | undefined {
    if (typeof provider.max_fetch_interval !== 'number' || provider.max_fetch_interval <= 0) return undefined
    const days = Math.min(provider.max_fetch_interval, MAX_HISTORY_DAYS)
    return new Date(client.now() - days * DAY_MS).toISOString().slice(0, 10)
  }

  async function start (input: ConsentStartInput): Promise<ConsentStart> {
    const code = encodeURIComponent(input.institutionId)
    const provider = await client.get<SeProvider>(`/providers/${code}`)
    const from = fromDate(provider)
    const consent = { scopes: SCOPES, from_date: from }
    const attempt = { fetch_scopes: SCOPES, fetch_from_date: from, return_to: returnTo(input.redirectUri, input.state), locale: input.lang.slice(0, 2) }
    if (input.existing !== null) {
      const s = secretsOf(input.existing)
      const session = await client.post<SeConnectSession>(`/connections/${encodeURIComponent(s.connection_id)}/reconnect`, {
        data: { consent, attempt, return_connection_id: true, return_error_class: true, automatic_refresh: true }
      })
      return { url: connectUrlOf(session), pending: { customer_id: s.customer_id, provider_code: s.provider_code, connection_id: s.connection_id } }
    }
    // A fresh, meaningless identifier: no user data leaves the broker.
    const customer = await client.post<SeCustomer>('/customers', { data: { identifier: `banksync-${randomUUID()}` } })
    if (typeof customer.customer_id !== 'string' || customer.customer_id === '') {
      throw new ProviderError({ provider: 'saltedge', kind: 'provider_down', message: 'Salt Edge created a customer without customer_id', providerCode: 'bad_response' })
    }
    const session = await client.post<SeConnectSession>('/connections/connect', {
      data: {
        customer_id: customer.customer_id,
        consent,
        attempt,
        provider: { code: provider.code, include_sandboxes: provider.country_code === 'XF' },
        widget: { skip_provider_selection: true },
        return_connection_id: true,
        return_error_class: true,
        automatic_refresh: true
      }
    })
    return { url: connectUrlOf(session), pending: { customer_id: customer.customer_id, provider_code: provider.code } }
  }

  async function complete (input: ConsentCompleteInput): Promise<Connection> {
    const pending = input.pending as { customer_id?: unknown, provider_code?: unknown, connection_id?: unknown }
    if (typeof pending.customer_id !== 'string' || typeof pending.provider_code !== 'string') throw invalid('pending consent data is incomplete', 'pending_invalid')
    const errorClass = input.callback.error_class
    if (typeof errorClass === 'string' && errorClass !== '') {
      const code = errorClass.slice(0, 100)
      throw new ProviderError({ provider: 'saltedge', kind: kindForClass(code, 406), message: `Salt Edge Connect finished with ${code}`, providerCode: code })
    }
    const connectionId = input.callback.connection_id
    if (typeof connectionId !== 'string' || !/^\d{1,30}$/.test(connectionId)) throw invalid('Salt Edge returned without a connection_id', 'connection_id_missing')
    if (typeof pending.connection_id === 'string' && pending.connection_id !== connectionId) throw invalid('reconnect returned another connection', 'connection_mismatch')
    const conn = await client.get<SeConnection>(`/connections/${connectionId}`)
    if (conn.customer_id !== pending.customer_id) throw invalid('the returned connection belongs to another customer', 'connection_mismatch')
    if (conn.provider_code !== pending.provider_code) throw invalid('the returned connection is for another provider', 'connection_mismatch')
    const secrets: JsonObject = {
      connection_id: conn.id,
      customer_id: conn.customer_id,
      provider_code: conn.provider_code,
      automatic_fetch: conn.last_attempt?.automatic_fetch !== false
    }
    return { provider: 'saltedge', institutionId: input.institutionId, secrets }
  }

  return { start, complete }
}
