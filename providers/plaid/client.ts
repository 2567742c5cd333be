/** The Plaid HTTP client: every endpoint is a JSON POST with the client keys in headers. */
import { callProvider, expectJson } from '../http.js'
import type { ProviderDeps } from '../types.js'
import type { PlaidCredentials } from './credentials.js'
import { mapPlaidError } from './errors.js'

export const PLAID_API_VERSION = '2020-09-14'

export interface PlaidClient {
  /** `idempotent` only for calls Plaid documents as reads (they are safe to repeat). */
  post: <T = Record<string, unknown>>(path: string, body: Record<string, unknown>, opts: { idempotent: boolean }) => Promise<T>
}

export function createPlaidClient (deps: ProviderDeps, creds: PlaidCredentials): PlaidClient {
  const base = deps.baseUrl.replace(/\/+$/, '')
  return {
    async post<T> (path: string, body: Record<string, unknown>, opts: { idempotent: boolean }): Promise<T> {
      const res = await callProvider({
        provider: 'plaid',
        method: 'POST',
        url: base + path,
        headers: { 'PLAID-CLIENT-ID': creds.clientId, 'PLAID-SECRET': creds.secret, 'Plaid-Version': PLAID_API_VERSION },
        body,
        idempotent: opts.idempotent,
        dispatcher: deps.dispatcher,
        deadlineMs: deps.timeoutMs,
        mapError: mapPlaidError
      })
      return expectJson<T>('plaid', res)
    }
  }
}
