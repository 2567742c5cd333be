/**
 * ASPSP facts the Enable Banking API does not expose (it has no field for history depth or for
 * "manual sync only" / "one refresh a day"): a small per-bank table, like Actual Budget's bank
 * registry. It holds the shared sandbox banks; real banks can be added as they are learnt.
 */
import { SANDBOX_BANKS } from '../sandbox-kit/banks.js'
import type { RefreshPolicy } from '../types.js'

export interface AspspQuirks {
  refreshPolicy?: RefreshPolicy
  historyDays?: number
}

const TABLE = new Map<string, AspspQuirks>(SANDBOX_BANKS.map(b => [b.name, {
  refreshPolicy: b.manualOnly ? 'manual_only' : b.oncePerDay ? 'once_per_day' : 'automatic',
  historyDays: b.historyDays
}]))

export function quirksFor (aspspName: string): AspspQuirks {
  return TABLE.get(aspspName) ?? {}
}
