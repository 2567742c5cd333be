/** Plaid's real error bodies for the sandbox (texts from plaid.com/docs/errors). */
import { randomBytes } from 'node:crypto'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Plaid-style request id: 15 case-sensitive alphanumerics. */
export function requestId (): string {
  return [...randomBytes(15)].map(b => ALPHABET[b % ALPHABET.length]).join('')
}

export interface PlaidErrorSpec { status: number, type: string, message: string, display?: string | null }

export const PLAID_ERRORS = {
  INVALID_API_KEYS: { status: 400, type: 'INVALID_INPUT', message: 'invalid client_id or secret provided' },
  INVALID_ACCESS_TOKEN: { status: 400, type: 'INVALID_INPUT', message: 'could not find matching access token' },
  INVALID_PUBLIC_TOKEN: { status: 400, type: 'INVALID_INPUT', message: 'could not find matching public token' },
  INVALID_LINK_TOKEN: { status: 400, type: 'INVALID_INPUT', message: 'invalid link_token provided' },
  INVALID_INSTITUTION: { status: 400, type: 'INVALID_INPUT', message: 'invalid institution_id provided' },
  INVALID_ACCOUNT_ID: { status: 400, type: 'INVALID_INPUT', message: 'one or more of the account IDs is invalid' },
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: { status: 400, type: 'INVALID_INPUT', message: 'invalid key_id provided' },
  INVALID_BODY: { status: 400, type: 'INVALID_REQUEST', message: 'body could not be parsed as JSON' },
  NOT_FOUND: { status: 404, type: 'INVALID_REQUEST', message: 'not found' },
  ITEM_NOT_FOUND: { status: 400, type: 'ITEM_ERROR', message: 'The Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.' },
  ITEM_LOGIN_REQUIRED: { status: 400, type: 'ITEM_ERROR', message: 'the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link\'s update mode to restore the item to a good state' },
  INVALID_MFA: { status: 400, type: 'ITEM_ERROR', message: 'the provided MFA response(s) were not correct', display: 'The provided MFA responses were not correct. Please try again.' },
  PRODUCT_NOT_READY: { status: 400, type: 'ITEM_ERROR', message: 'the requested product is not yet ready. please provide a webhook or try the request again later' },
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: { status: 400, type: 'TRANSACTIONS_ERROR', message: 'Underlying transaction data changed since last page was fetched. Please restart pagination from last update.' },
  INTERNAL_SERVER_ERROR: { status: 500, type: 'API_ERROR', message: 'an unexpected error occurred' },
  SANDBOX_WEBHOOK_INVALID: { status: 400, type: 'SANDBOX_ERROR', message: 'Webhook for this item is either not set up, or invalid. Please update the item\'s webhook and try again.' },
  RATE_LIMIT: { status: 429, type: 'RATE_LIMIT_EXCEEDED', message: 'rate limit exceeded for attempts to access this item. please try again later' }
} satisfies Record<string, PlaidErrorSpec>

export type PlaidErrorName = keyof typeof PLAID_ERRORS

/** Thrown inside sandbox handlers; the plugin's error handler renders it as Plaid's body. */
export interface SandboxPlaidError extends Error {
  plaid: { status: number, body: Record<string, unknown>, headers: Record<string, string> }
}

export function plaidFail (name: PlaidErrorName, opts: { code?: string, message?: string, reason?: string | null, headers?: Record<string, string> } = {}): SandboxPlaidError {
  const spec: PlaidErrorSpec = PLAID_ERRORS[name]
  const code = opts.code ?? name
  const body = {
    display_message: spec.display ?? null,
    documentation_url: `https://plaid.com/docs/?ref=error#${spec.type.toLowerCase().replace(/_/g, '-')}-errors`,
    error_code: code,
    error_code_reason: opts.reason ?? null,
    error_message: opts.message ?? spec.message,
    error_type: spec.type,
    request_id: requestId(),
    suggested_action: null
  }
  return Object.assign(new Error(`${code}: ${body.error_message}`), { plaid: { status: spec.status, body, headers: opts.headers ?? {} } })
}

/** MISSING_FIELDS / INVALID_FIELD use Plaid's INVALID_REQUEST type with a field-specific message. */
export function invalidRequest (code: 'MISSING_FIELDS' | 'INVALID_FIELD', message: string): SandboxPlaidError {
  const err = plaidFail('INVALID_BODY', { code, message })
  err.plaid.body.documentation_url = 'https://plaid.com/docs/?ref=error#invalid-request-errors'
  return err
}

export function isSandboxPlaidError (err: unknown): err is SandboxPlaidError {
  return err instanceof Error && typeof (err as Partial<SandboxPlaidError>).plaid === 'object'
}
