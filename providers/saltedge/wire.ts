/**
 * Salt Edge API v6 wire shapes (providers.md §3): only the fields the adapter reads or the sandbox
 * serves. Ids are strings; amounts and balances are JSON numbers (signed, − = money out).
 */

export interface SeMeta {
  next_id: string | null
  next_page: string | null
}

export interface SeList<T> {
  data: T[]
  meta?: Partial<SeMeta>
}

export interface SeErrorBody {
  error: { class: string, message: string, documentation_url?: string }
  request?: Record<string, unknown>
}

export interface SeProvider {
  id: string
  code: string
  name: string
  mode: 'oauth' | 'web' | 'api' | 'file'
  status: 'active' | 'inactive' | 'disabled'
  automatic_fetch: boolean
  interactive: boolean
  regulated: boolean
  country_code: string
  logo_url: string | null
  refresh_timeout: number
  max_consent_days: number | null
  max_fetch_interval: number
  supported_fetch_scopes: string[]
  supported_account_natures: string[]
  bic_codes: string[]
  timezone: string
  created_at: string
  updated_at: string
}

export interface SeCustomer {
  customer_id: string
  identifier: string
  blocked_at: string | null
  created_at: string
  updated_at: string
}

export interface SeConnectSession {
  connect_url: string
  expires_at: string
  customer_id: string
}

export interface SeAttempt {
  id: string
  automatic_fetch: boolean
  user_present: boolean
  fetch_scopes: string[]
  from_date: string | null
  success_at: string | null
  fail_at: string | null
  fail_error_class: string | null
  fail_message: string | null
  created_at: string
  updated_at: string
}

export interface SeConnection {
  id: string
  customer_id: string
  provider_code: string
  provider_name: string
  country_code: string
  status: 'active' | 'inactive' | 'disabled'
  automatic_refresh: boolean
  last_consent_id: string | null
  last_success_at: string | null
  next_refresh_possible_at: string | null
  last_attempt: SeAttempt | null
  created_at: string
  updated_at: string
}

export interface SeConsent {
  id: string
  connection_id: string
  customer_id: string
  status: 'active' | 'expired' | 'revoked'
  scopes: string[]
  period_days: number | null
  expires_at: string | null
  from_date: string | null
  to_date: string | null
  collected_by: string
  revoked_at: string | null
  created_at: string
  updated_at: string
}

export interface SeAccountExtra {
  iban?: string | null
  swift?: string | null
  account_number?: string | null
  account_name?: string | null
  holder_name?: string | null
  status?: string | null
  available_amount?: number | null
  cards?: string[]
  card_type?: string | null
  sort_code?: string | null
  current_date?: string | null
  current_time?: string | null
  transactions_count?: { posted: number, pending: number }
  [key: string]: unknown
}

export interface SeAccount {
  id: string
  connection_id: string
  name: string
  nature: string
  balance: number
  currency_code: string
  extra: SeAccountExtra
  created_at: string
  updated_at: string
}

export interface SeTransactionExtra {
  posting_date?: string | null
  posting_time?: string | null
  time?: string | null
  payee?: string | null
  payer?: string | null
  payee_information?: string | null
  payer_information?: string | null
  account_number?: string | null
  information?: string | null
  additional?: string | null
  end_to_end_id?: string | null
  original_amount?: number | null
  original_currency_code?: string | null
  mcc?: string | null
  type?: string | null
  merchant_name?: string | null
  record_number?: string | null
  account_balance_snapshot?: number | null
  [key: string]: unknown
}

export interface SeTransaction {
  id: string
  account_id: string
  duplicated: boolean
  mode: string
  status: string
  made_on: string
  amount: number
  currency_code: string
  description: string
  category: string
  extra: SeTransactionExtra
  created_at: string
  updated_at: string
}

export interface SeCallbackBody {
  data: {
    connection_id?: string
    customer_id: string
    custom_fields: Record<string, unknown>
    stage: string
    error_class?: string
    error_message?: string
  }
  meta: { version: string, time: string }
}
