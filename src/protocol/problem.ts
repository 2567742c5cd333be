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

export function problemFor (err: AppError, reference: string, instance: string): Problem {
  return {
    type: `https://github.com/banksync-broker/banksync-broker#${err.code.toLowerCase()}`,
    title: err.spec.subject,
    status: err.spec.http,
    detail: err.context.userMessage ?? (err.spec.http < 500 && err.context.detail !== undefined && err.code.startsWith('BSB_ADMIN') ? err.context.detail : err.spec.message),
    instance,
    code: err.code,
    reference
  }
}
