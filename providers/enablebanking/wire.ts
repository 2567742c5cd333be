/**
 * Enable Banking wire shapes (OpenAPI "API reference" 1.0.0, providers.md §5): only the fields
 * this adapter and its sandbox read or write. Every field the API marks optional is optional here.
 */

export interface EbAmount { currency: string, amount: string }

export interface EbGenericIdentification { identification: string, scheme_name: string, issuer?: string | null }

export interface EbAccountIdentification { iban?: string | null, other?: EbGenericIdentification | null }

export interface EbPostalAddress { address_line?: string[] | null, country?: string | null, town_name?: string | null }

export interface EbParty {
  name?: string | null
  postal_address?: EbPostalAddress | null
  organisation_id?: EbGenericIdentification | null
  private_id?: EbGenericIdentification | null
}

export interface EbAgent { bic_fi?: string | null, name?: string | null }

export type EbTransactionStatus = 'BOOK' | 'CNCL' | 'HOLD' | 'OTHR' | 'PDNG' | 'RJCT' | 'SCHD'

export interface EbTransaction {
  entry_reference?: string | null
  merchant_category_code?: string | null
  transaction_amount: EbAmount
  creditor?: EbParty | null
  creditor_account?: EbAccountIdentification | null
  creditor_agent?: EbAgent | null
  debtor?: EbParty | null
  debtor_account?: EbAccountIdentification | null
  debtor_agent?: EbAgent | null
  bank_transaction_code?: { description?: string | null, code?: string | null, sub_code?: string | null } | null
  credit_debit_indicator: 'CRDT' | 'DBIT'
  status: EbTransactionStatus
  booking_date?: string | null
  value_date?: string | null
  transaction_date?: string | null
  balance_after_transaction?: EbAmount | null
  reference_number?: string | null
  reference_number_schema?: string | null
  remittance_information?: string[] | null
  exchange_rate?: {
    unit_currency?: string | null
    exchange_rate?: string | null
    rate_type?: string | null
    contract_identification?: string | null
    instructed_amount?: EbAmount | null
  } | null
  note?: string | null
  transaction_id?: string | null
}

export interface EbTransactionsPage { transactions: EbTransaction[], continuation_key?: string | null }

export interface EbAccountResource {
  account_id?: EbAccountIdentification | null
  all_account_ids?: EbGenericIdentification[] | null
  account_servicer?: EbAgent | null
  name?: string | null
  details?: string | null
  usage?: string | null
  cash_account_type: string
  product?: string | null
  currency: string
  psu_status?: string | null
  credit_limit?: EbAmount | null
  uid?: string | null
  identification_hash: string
  identification_hashes: string[]
}

export interface EbBalance {
  name: string
  balance_amount: EbAmount
  balance_type: string
  last_change_date_time?: string | null
  reference_date?: string | null
  last_committed_transaction?: string | null
}

export interface EbAuthMethod {
  name?: string
  title?: string
  psu_type: 'business' | 'personal'
  credentials?: Array<{ name: string, title: string, required: boolean, description?: string, template?: string }>
  approach: 'REDIRECT' | 'DECOUPLED' | 'EMBEDDED'
  hidden_method: boolean
}

export interface EbAspsp {
  name: string
  country: string
  logo: string
  psu_types: Array<'business' | 'personal'>
  auth_methods: EbAuthMethod[]
  maximum_consent_validity: number
  beta: boolean
  bic?: string | null
  required_psu_headers?: string[] | null
  sandbox?: { users?: Array<{ username?: string, password?: string, otp?: string }> } | null
}

export interface EbAccess { valid_until: string, accounts?: EbAccountIdentification[] | null, balances?: boolean, transactions?: boolean }

export interface EbStartAuthorizationRequest {
  access: EbAccess
  aspsp: { name: string, country: string }
  state: string
  redirect_url: string
  psu_type?: 'business' | 'personal'
  auth_method?: string
  language?: string
  psu_id?: string
}

export interface EbStartAuthorizationResponse { url: string, authorization_id: string, psu_id_hash: string }

export interface EbAuthorizeSessionResponse {
  session_id: string
  accounts: EbAccountResource[]
  aspsp: { name: string, country: string }
  psu_type: 'business' | 'personal'
  access: EbAccess
}

export type EbSessionStatus = 'INVALID' | 'PENDING_AUTHORIZATION' | 'RETURNED_FROM_BANK' | 'AUTHORIZED' | 'EXPIRED' | 'CLOSED' | 'REVOKED' | 'CANCELLED'

export interface EbGetSessionResponse {
  status: EbSessionStatus
  accounts: string[]
  accounts_data: Array<{ uid: string, identification_hash: string, identification_hashes?: string[] }>
  aspsp: { name: string, country: string }
  psu_type: 'business' | 'personal'
  psu_id_hash: string
  access: EbAccess
  created: string
  authorized?: string | null
  closed?: string | null
}

export interface EbErrorResponse { message: string, code?: number, error?: string, detail?: unknown }
