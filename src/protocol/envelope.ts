/**
 * The Odoo envelope (odoo-protocol.md §3): HTTP 200 and `{"jsonrpc":"2.0","id":null,"result"|"error"}`.
 * The client ignores the HTTP status and reads only `result` / `error`.
 */
import type { AppError } from '../errors.js'

export interface OdooErrorBody {
  jsonrpc: '2.0'
  id: null
  error: {
    code: number
    message: string
    data: {
      message: string
      error_reference: string
      exception_type: string
      provider_type?: string
      redirect_warning_url?: string
      odoofin_state?: string
      mode?: string
    }
  }
}

export function resultEnvelope<T extends object> (result: T): { jsonrpc: '2.0', id: null, result: T } {
  return { jsonrpc: '2.0', id: null, result }
}

export function errorEnvelope (err: AppError, reference: string): OdooErrorBody {
  const data: OdooErrorBody['error']['data'] = {
    message: err.context.userMessage ?? err.spec.message,
    error_reference: reference,
    exception_type: err.code
  }
  if (err.context.provider) data.provider_type = err.context.provider
  if (err.spec.redirect !== undefined) data.redirect_warning_url = err.spec.redirect
  if (err.spec.odoofinState !== undefined) data.odoofin_state = err.spec.odoofinState
  const mode = err.context.mode ?? err.spec.mode
  if (err.spec.odooCode === 300 && mode !== undefined) data.mode = mode
  return { jsonrpc: '2.0', id: null, error: { code: err.spec.odooCode, message: err.spec.subject, data } }
}
