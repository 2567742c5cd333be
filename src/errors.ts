/**
 * The error catalogue. Every error the broker returns has a stable `BSB_*` code, the Odoo error
 * code the client reacts to (odoo-protocol.md §6), the HTTP status used on the admin surface,
 * the user-facing text, and what support should do. The README table is tested against it.
 */

export type OdooState = 'connected' | 'error' | 'disconnected'
export type RedirectMode = 'link' | 'reconnect' | 'updateCredentials'

export interface ErrorSpec {
  /** `error.code` on the Odoo envelope. */
  odooCode: number
  /** HTTP status on the admin/support surfaces (problem+json). */
  http: number
  /** `error.message`: the chatter subject. */
  subject: string
  /** `error.data.message`: what the user reads. */
  message: string
  /** Column "What support should do" of the README table. */
  action: string
  odoofinState?: OdooState
  mode?: RedirectMode
  /** `redirect_warning_url`: `odoo_support` shows "Report issue"; other values "Check the documentation". */
  redirect?: 'odoo_support' | 'documentation'
}

const SUPPORT = 'odoo_support' as const

export const ERROR_CATALOGUE = {
  // Odoo protocol: tokens and signatures
  BSB_INVALID_SIGNATURE: { odooCode: 100, http: 401, subject: 'Invalid signature', message: 'The request could not be authenticated. Check that the server clock is correct; if the problem persists, reconnect the bank account.', action: 'Check the customer server clock (window ±300 s); repeated failures may lock the client.' },
  BSB_ACCESS_TOKEN_EXPIRED: { odooCode: 101, http: 401, subject: 'Access token expired', message: 'The access token expired.', action: 'None: the Odoo client renews it by itself.' },
  BSB_REFRESH_TOKEN_EXPIRED: { odooCode: 102, http: 401, subject: 'Refresh token expired', message: 'The refresh token expired.', action: 'None: the Odoo client renews it by itself.' },
  BSB_CLIENT_DELETED: { odooCode: 104, http: 410, subject: 'Connection deleted', message: 'This bank connection no longer exists. Delete it and connect your bank again.', action: 'The link was deleted or revoked; the customer creates a new one.', odoofinState: 'disconnected' },
  BSB_LEGACY_LINK: { odooCode: 104, http: 410, subject: 'Outdated connection', message: 'This connection comes from a previous version of the bank synchronization and cannot work anymore. Delete it and create a new link.', action: 'Tell the customer to delete the "To delete" link and create a new one.', odoofinState: 'disconnected' },
  BSB_DUPLICATED_DATABASE: { odooCode: 104, http: 410, subject: 'Duplicated database', message: 'This database is a copy (neutralized or duplicated) of another database, so its bank connections are disabled. Connect the bank again from this database if it is meant to synchronize.', action: 'The database was duplicated; only the original keeps its links. A copy must link anew.', odoofinState: 'disconnected' },
  BSB_LINK_REQUIRED: { odooCode: 300, http: 409, subject: 'Redirect', message: 'This bank connection belongs to another database. Please connect your bank again.', action: 'A client was used from another db_uuid (security event recorded); the customer links again.', mode: 'link' },
  BSB_REAUTH_REQUIRED: { odooCode: 300, http: 409, subject: 'Redirect', message: 'Your bank needs you to log in again to keep synchronizing.', action: 'The provider needs the user again (consent expired, credentials changed).', mode: 'updateCredentials' },
  BSB_EXCHANGE_TOKEN_INVALID: { odooCode: 400, http: 400, subject: 'Invalid exchange token', message: 'This connection attempt expired or was already used. Please start the bank connection again.', action: 'Exchange tokens are single use and expire after 10 minutes.', odoofinState: 'disconnected' },

  // Subscription and locks
  BSB_SUBSCRIPTION_MISSING: { odooCode: 402, http: 402, subject: 'Subscription required', message: 'Bank synchronization needs a valid Odoo Enterprise subscription registered for this database. Register the database with your subscription, then try again.', action: 'Check the contract; provision with `banksync subscriptions set`.', redirect: 'documentation', odoofinState: 'error' },
  BSB_SUBSCRIPTION_COMMUNITY: { odooCode: 402, http: 402, subject: 'Subscription required', message: 'Bank synchronization is not available on Odoo Community. Upgrade to Odoo Enterprise to synchronize your bank.', action: 'Community databases are never entitled.', redirect: 'documentation', odoofinState: 'error' },
  BSB_SUBSCRIPTION_EXPIRED: { odooCode: 402, http: 402, subject: 'Subscription expired', message: 'The subscription of this database has expired. Renew it, then try again.', action: 'Renew and update the expiry with `banksync subscriptions set`.', redirect: 'documentation', odoofinState: 'error' },
  BSB_ACCOUNT_LOCKED: { odooCode: 403, http: 423, subject: 'Account locked', message: 'We detected suspicious activity and locked your bank synchronization for your safety. Click "Reconnect" and confirm with the code we send to your registered phone number to reactivate it.', action: 'Check the lock reason with `banksync clients show`; unlock by SMS code (runbook).', odoofinState: 'disconnected' },
  BSB_CLIENT_FROZEN: { odooCode: 403, http: 423, subject: 'Account locked', message: 'Too many wrong codes were entered. Your bank synchronization stays locked until our support team reactivates it. Contact support with this reference.', action: 'Verify the customer\'s identity, then `banksync locks reset`.', odoofinState: 'disconnected', redirect: SUPPORT },
  BSB_UNLOCK_CODE_INVALID: { odooCode: 403, http: 422, subject: 'Invalid code', message: 'This code is wrong, expired or already used. Ask for a new code if needed.', action: 'Same answer for every failure (wrong, expired, used, no lock, unknown client); 5 wrong tries end a code, 10 consecutive failures freeze the client.' },
  BSB_SMS_RATE_LIMITED: { odooCode: 429, http: 429, subject: 'Too many codes', message: 'Too many codes were sent to this phone number. Please wait before asking for a new one.', action: 'SMS_SENDS_PER_PHONE per 10 min, SMS_SENDS_PER_DB per day, 30 s between sends; Twilio also refuses a new code while a failed one is alive (10 min).' },
  BSB_RATE_LIMITED: { odooCode: 429, http: 429, subject: 'Too many requests', message: 'Too many requests were sent in a short time. Please wait a minute and try again.', action: 'Usually a misbehaving script; check the client\'s request rate.' },

  // Request problems
  BSB_INVALID_REQUEST: { odooCode: 400, http: 400, subject: 'Invalid request', message: 'The request was not understood by the bank synchronization service.', action: 'The body did not match the endpoint schema; see the internal detail.', redirect: SUPPORT },
  BSB_BODY_TOO_LARGE: { odooCode: 413, http: 413, subject: 'Request too large', message: 'The request sent to the bank synchronization service is too large.', action: 'Bodies are limited by BODY_LIMIT.', redirect: SUPPORT },
  BSB_UNSUPPORTED_MEDIA_TYPE: { odooCode: 415, http: 415, subject: 'Invalid request', message: 'The request sent to the bank synchronization service is not JSON.', action: 'Only application/json bodies are accepted.', redirect: SUPPORT },
  BSB_NOT_FOUND: { odooCode: 404, http: 404, subject: 'Unknown endpoint', message: 'This version of Odoo called an endpoint the bank synchronization service does not know.', action: 'Check the client version and the path.', redirect: SUPPORT },
  BSB_ACCOUNT_NOT_FOUND: { odooCode: 404, http: 404, subject: 'Account not found', message: 'This bank account is not part of the connection anymore. Reconnect the bank to choose your accounts again.', action: 'The account id is not in the client\'s link.', odoofinState: 'error' },
  BSB_DATA_CORRUPTED: { odooCode: 106, http: 422, subject: 'Connection data unreadable', message: 'The stored data of this connection cannot be read. Please reconnect your bank.', action: 'Stored secrets failed to decrypt (key removed?); check ENCRYPTION_KEYS.', odoofinState: 'disconnected' },

  // Providers
  BSB_PROVIDER_RATE_LIMITED: { odooCode: 429, http: 503, subject: 'Bank limit reached', message: 'Your bank limits how often it can be read. The next synchronization will be possible later.', action: 'Provider or PSD2 quota; nothing to do, it clears by itself.' },
  BSB_PROVIDER_DOWN: { odooCode: 503, http: 502, subject: 'Bank unavailable', message: 'Your bank or its connection provider is not reachable at the moment. Please try again later.', action: 'Check the provider\'s status; the provider code and request id are in the record.', redirect: SUPPORT },
  BSB_PROVIDER_NOT_READY: { odooCode: 425, http: 409, subject: 'Not ready', message: 'Your bank is still sending your data. Please try again in a few minutes.', action: 'Initial fetch still running at the provider.' },
  BSB_MANUAL_SYNC_ONLY: { odooCode: 409, http: 409, subject: 'Manual synchronization only', message: 'This bank only allows synchronization when you are present. Please turn off "Automatic synchronization" on this connection and use "Fetch Transactions" instead.', action: 'The institution refuses unattended access; the user must disable auto sync.', redirect: 'documentation' },
  BSB_PROVIDER_REJECTED: { odooCode: 400, http: 502, subject: 'Bank request refused', message: 'Your bank refused the request. Please try again later; if it persists, report the issue with this reference.', action: 'The provider refused our request; see provider code and request id.', redirect: SUPPORT },
  BSB_PROVIDER_MISCONFIGURED: { odooCode: 500, http: 502, subject: 'Service configuration problem', message: 'The bank synchronization service cannot reach your bank because of a configuration problem on our side. We have been notified.', action: 'Our provider credentials were refused: check <PROVIDER>_* settings.', redirect: SUPPORT },

  // Link flow (pop-up pages: shown as an HTML page with the reference)
  BSB_LINK_SESSION_EXPIRED: { odooCode: 400, http: 410, subject: 'Connection attempt expired', message: 'This connection attempt has expired (it lasts one hour). Close this window and start again from Odoo.', action: 'Link sessions last 1 hour and a provider return works once; the user starts again.' },
  BSB_LINK_FORM_EXPIRED: { odooCode: 400, http: 403, subject: 'Form expired', message: 'This form has expired or was not sent from this page. Go back, reload the page and try again.', action: 'CSRF token missing or wrong (an old tab, or a forged form).' },
  BSB_LINK_CLIENT_INVALID: { odooCode: 401, http: 403, subject: 'Connection not verified', message: 'This bank connection could not be verified. Close this window, reload Odoo and try again.', action: 'The clientId/accessToken given to the pop-up do not match a client record (expired token, deleted client, other database).' },
  BSB_LINK_CONSENT_DENIED: { odooCode: 400, http: 403, subject: 'Access not allowed', message: 'You did not allow access to your bank, so no account was connected. Close this window, and start again if you change your mind.', action: 'The user denied or left the provider\'s consent page; nothing to do.' },
  BSB_LINK_INSTITUTION_UNKNOWN: { odooCode: 404, http: 404, subject: 'Bank not available', message: 'This bank is not available anymore. Go back and choose your bank again.', action: 'The institution is not in the catalogue (refreshed since, or its provider disabled).' },
  BSB_SMS_UNAVAILABLE: { odooCode: 503, http: 503, subject: 'SMS unavailable', message: 'We could not send or check the SMS code right now. Please try again in a few minutes.', action: 'Twilio unreachable or refusing our TWILIO_* settings; see the record detail.', redirect: SUPPORT },

  // Everything else
  BSB_SERVICE_UNAVAILABLE: { odooCode: 503, http: 503, subject: 'Service unavailable', message: 'The bank synchronization service is temporarily unavailable. Please try again in a few minutes.', action: 'Redis unreachable (security checks fail closed); check /ready.' },
  BSB_INTERNAL: { odooCode: 500, http: 500, subject: 'Internal error', message: 'An unexpected error occurred in the bank synchronization service. Please report it with this reference.', action: 'A bug: find the reference in the logs.', redirect: SUPPORT },

  // Admin surface
  BSB_ADMIN_UNAUTHORIZED: { odooCode: 401, http: 401, subject: 'Unauthorized', message: 'A valid admin bearer token is required.', action: 'Mint one with `banksync admin-token`.' },
  BSB_ADMIN_FORBIDDEN: { odooCode: 403, http: 403, subject: 'Forbidden', message: 'Your role does not allow this action.', action: 'Support tokens read; ops tokens also write.' },
  BSB_ADMIN_NOT_FOUND: { odooCode: 404, http: 404, subject: 'Not found', message: 'No such resource.', action: 'Check the id or reference.' },
  BSB_ADMIN_INVALID: { odooCode: 400, http: 400, subject: 'Invalid request', message: 'The request is invalid.', action: 'See `detail`.' }
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof ERROR_CATALOGUE
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[]

export interface AppErrorContext {
  /** Internal detail for the error record and logs, never shown to users. */
  detail?: string
  provider?: string | null
  providerCode?: string | null
  providerRequestId?: string | null
  retryAfterSeconds?: number | null
  /** Overrides the user message (e.g. "next refresh allowed at …"). */
  userMessage?: string
  mode?: RedirectMode
  cause?: unknown
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly spec: ErrorSpec
  readonly context: AppErrorContext

  constructor (code: ErrorCode, context: AppErrorContext = {}) {
    super(context.detail ?? ERROR_CATALOGUE[code].subject, context.cause === undefined ? undefined : { cause: context.cause })
    this.name = 'AppError'
    this.code = code
    this.spec = ERROR_CATALOGUE[code]
    this.context = context
  }
}

export function isAppError (err: unknown): err is AppError {
  return err instanceof AppError
}
