/**
 * Transactions added at run time through a sandbox's control route (like Plaid's
 * `/sandbox/transactions/create`), so tests and demos can make "new" activity appear.
 */
import { stableId } from './prng.js'
import type { SandboxTransaction } from './history.js'

export interface ExtraTransactionInput {
  date: string
  amountMinor: number
  description: string
  counterpartyName?: string
  pending?: boolean
}

export function createExtraTransactions () {
  const byAccount = new Map<string, SandboxTransaction[]>()
  return {
    add (accountSeed: string, currency: string, input: ExtraTransactionInput): SandboxTransaction {
      const list = byAccount.get(accountSeed) ?? []
      const tx: SandboxTransaction = {
        key: stableId(accountSeed, 'extra', list.length, input.date, input.amountMinor),
        transactionDate: input.date,
        bookingDate: input.date,
        valueDate: input.date,
        amountMinor: input.amountMinor,
        currency,
        original: null,
        counterpartyName: input.counterpartyName ?? input.description,
        counterpartyIban: null,
        remittance: input.description,
        structuredReference: null,
        endToEndId: null,
        kind: input.amountMinor >= 0 ? 'transfer_in' : 'transfer_out',
        pending: input.pending === true
      }
      list.push(tx)
      byAccount.set(accountSeed, list)
      return tx
    },
    /** Marks a pending extra transaction as posted (it keeps its key). */
    post (accountSeed: string, key: string): boolean {
      const tx = byAccount.get(accountSeed)?.find(t => t.key === key)
      if (tx === undefined) return false
      tx.pending = false
      return true
    },
    list (accountSeed: string): SandboxTransaction[] {
      return byAccount.get(accountSeed) ?? []
    }
  }
}

export type ExtraTransactions = ReturnType<typeof createExtraTransactions>
