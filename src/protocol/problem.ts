/** RFC 9457 problem details for the admin, support and webhook surfaces. */
import type { AppError } from '../errors.js'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
  reference: string
}

/** Admin codes whose internal detail helps the caller; a refused token never says why (RFC 8725, J16). */
function showsDetail (err: AppError): boolean {
  return err.spec.http < 500 && err.context.detail !== undefined && err.code.startsWith('BSB_ADMIN') && err.code !== 'BSB_ADMIN_UNAUTHORIZED'
}

export function problemFor (err: AppError, reference: string, instance: string): Problem {
  return {
    type: `https://github.com/banksync-broker/banksync-broker#${err.code.toLowerCase()}`,
    title: err.spec.subject,
    status: err.spec.http,
    detail: err.context.userMessage ?? (showsDetail(err) ? err.context.detail as string : err.spec.message),
    instance,
    code: err.code,
    reference
  }
}
