/** `next_data`: an opaque cursor the client echoes verbatim; we only trust its shape. */
import { AppError } from '../errors.js'

export interface Cursor { offset: number }

export function readCursor (value: unknown): Cursor {
  if (value === undefined || value === null || value === false || value === '') return { offset: 0 }
  const offset = (value as { offset?: unknown }).offset
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > 10_000_000) {
    throw new AppError('BSB_INVALID_REQUEST', { detail: 'next_data is not a cursor this broker issued' })
  }
  return { offset }
}
