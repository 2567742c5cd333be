/**
 * The Yodlee v1.1 JSON fields this provider reads (swagger `Transaction`, `Account`, `AccountDataset`,
 * `ProviderAccountDetail`, `Providers`, `Consent`). Everything is optional: Yodlee omits absent fields.
 */

export interface YMoney {
  amount?: unknown
  currency?: unknown
}

export interface YDataset {
  name?: string
  additionalStatus?: string
  updateEligibility?: 'ALLOW_UPDATE' | 'ALLOW_UPDATE_WITH_CREDENTIALS' | 'DISALLOW_UPDATE' | string
  lastUpdated?: string
  lastUpdateAttempt?: string
  nextUpdateScheduled?: string
}

export interface YTransaction {
  CONTAINER?: string
  id?: unknown
  accountId?: unknown
  amount?: YMoney
  baseType?: 'CREDIT' | 'DEBIT' | string
  status?: 'POSTED' | 'PENDING' | 'SCHEDULED' | 'FAILED' | 'CLEARED' | string
  date?: string
  transactionDate?: string
  postDate?: string
  description?: { original?: string, simple?: string, consumer?: string }
  merchant?: { id?: string, name?: string, source?: string }
  type?: string
  subType?: string
  category?: string
  categoryId?: unknown
  categoryType?: string
  highLevelCategoryId?: unknown
  checkNumber?: string
  memo?: string
  sourceType?: string
  isManual?: boolean
  runningBalance?: YMoney
}

export interface YAccount {
  CONTAINER?: string
  id?: unknown
  providerAccountId?: unknown
  providerId?: unknown
  providerName?: string
  accountName?: string
  displayedName?: string
  nickname?: string
  accountNumber?: string
  fullAccountNumberList?: { paymentAccountNumber?: string, unmaskedAccountNumber?: string }
  accountType?: string
  accountStatus?: string
  isAsset?: boolean
  balance?: YMoney
  currentBalance?: YMoney
  availableBalance?: YMoney
  dataset?: YDataset[]
}

export interface YProviderAccount {
  id?: unknown
  providerId?: unknown
  status?: 'LOGIN_IN_PROGRESS' | 'USER_INPUT_REQUIRED' | 'IN_PROGRESS' | 'PARTIAL_SUCCESS' | 'SUCCESS' | 'FAILED' | 'MIGRATION_IN_PROGRESS' | 'DATA_RETRIEVAL_FAILED' | string
  requestId?: string
  consentId?: unknown
  dataset?: YDataset[]
}

export interface YProvider {
  id?: unknown
  name?: string
  countryISOCode?: string
  logo?: string
  favicon?: string
  status?: 'Supported' | 'Beta' | 'Unsupported' | string
  authType?: 'OAUTH' | 'CREDENTIALS' | 'MFA_CREDENTIALS' | string
  isAutoRefreshEnabled?: boolean
  isConsentRequired?: boolean
  dataset?: Array<{ name?: string, attribute?: Array<{ name?: string, container?: string[], containerAttributes?: Record<string, { numberOfTransactionDays?: number }> }> }>
}

export interface YConsent {
  consentId?: unknown
  providerAccountId?: unknown
  consentStatus?: string
  startDate?: string
  expirationDate?: string
}
