/**
 * The sandbox banks every provider sandbox serves: one per behaviour the Odoo documentation
 * describes. Names and BICs are shared across providers in one country, so the broker's search
 * shows each bank once even when several aggregators offer it.
 */

export type SandboxBehaviour = 'ordinary' | 'mfa' | 'manual' | 'daily' | 'shallow' | 'beta' | 'flaky'

export interface SandboxBank {
  behaviour: SandboxBehaviour
  name: string
  /** Days of history the bank gives. */
  historyDays: number
  beta: boolean
  /** Consent asks for an extra one-time code (always `SANDBOX_MFA_CODE`). */
  mfa: boolean
  /** Refuses calls made without the user present. */
  manualOnly: boolean
  /** Allows one provider refresh per 24 h. */
  oncePerDay: boolean
  /** Intermittent 5xx, 429 with Retry-After, and slow answers. */
  flaky: boolean
}

/** The one-time code the MFA bank's consent page accepts. */
export const SANDBOX_MFA_CODE = '123456'

export const SANDBOX_BANKS: readonly SandboxBank[] = [
  { behaviour: 'ordinary', name: 'Sandbox Ordinary Bank', historyDays: 730, beta: false, mfa: false, manualOnly: false, oncePerDay: false, flaky: false },
  { behaviour: 'mfa', name: 'Sandbox MFA Bank', historyDays: 365, beta: false, mfa: true, manualOnly: false, oncePerDay: false, flaky: false },
  { behaviour: 'manual', name: 'Sandbox Manual Sync Bank', historyDays: 365, beta: false, mfa: false, manualOnly: true, oncePerDay: false, flaky: false },
  { behaviour: 'daily', name: 'Sandbox Daily Refresh Bank', historyDays: 365, beta: false, mfa: false, manualOnly: false, oncePerDay: true, flaky: false },
  { behaviour: 'shallow', name: 'Sandbox Three Months Bank', historyDays: 90, beta: false, mfa: false, manualOnly: false, oncePerDay: false, flaky: false },
  { behaviour: 'beta', name: 'Sandbox Beta Bank', historyDays: 365, beta: true, mfa: false, manualOnly: false, oncePerDay: false, flaky: false },
  { behaviour: 'flaky', name: 'Sandbox Flaky Bank', historyDays: 365, beta: false, mfa: false, manualOnly: false, oncePerDay: false, flaky: true }
]

/** BIC of a sandbox bank in a country, identical across providers (8 characters, valid shape). */
export function sandboxBic (behaviour: SandboxBehaviour, country: string): string {
  const code: Record<SandboxBehaviour, string> = { ordinary: 'ORDI', mfa: 'MFAB', manual: 'MANU', daily: 'DAYL', shallow: 'SHAL', beta: 'BETA', flaky: 'FLAK' }
  return `${code[behaviour]}${country.toUpperCase()}SB`
}

export function bankByBehaviour (behaviour: string): SandboxBank | undefined {
  return SANDBOX_BANKS.find(b => b.behaviour === behaviour)
}

/**
 * Flaky bank schedule: call number n (1-based, counted per sandbox and account) fails in a
 * fixed pattern so tests are repeatable: every 3rd call 503, every 5th 429 with Retry-After 1,
 * every 7th answers slowly.
 */
export function flakyOutcome (callNumber: number): 'ok' | 'unavailable' | 'rate_limited' | 'slow' {
  if (callNumber % 7 === 0) return 'slow'
  if (callNumber % 5 === 0) return 'rate_limited'
  if (callNumber % 3 === 0) return 'unavailable'
  return 'ok'
}
