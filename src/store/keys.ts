/**
 * The one module that knows the Redis key layout. Everything a request's gate needs lives under
 * the database's hash tag `{d:<db_uuid>}`, so one Lua script reads it in one round trip, also on
 * Redis Cluster. Every key has a TTL except where noted.
 */

/**
 * The per-database keys the gate reads besides the client record, as `dbBase + part`, followed by the
 * client id where the part ends in ':'. Its script builds them from these parts (src/store/gate-script.ts).
 */
export const GATE_KEY_PARTS = { subscription: ':sub', dbLock: ':lock', clientRate: ':rate:', clientBaseline: ':base:', psuIps: ':ips:', link: ':link:' } as const

export function createKeys (prefix: string) {
  const db = (dbUuid: string): string => `${prefix}{d:${dbUuid}}`
  const client = (clientId: string): string => `${prefix}{c:${clientId}}`
  const P = GATE_KEY_PARTS
  return {
    /** The start of every key of a database (its hash tag included). */
    dbBase: db,
    /** HASH subscription of a database. TTL: until a year past its expiry (re-set by ops). */
    subscription: (dbUuid: string) => db(dbUuid) + P.subscription,
    /** HASH client record (tokens, lock). TTL: refresh-token expiry + 30 days, renewed on rotation. */
    client: (dbUuid: string, clientId: string) => `${db(dbUuid)}:cl:${clientId}`,
    /** STRING db_uuid owning a client id. Same TTL as the client record. */
    clientDb: (clientId: string) => `${client(clientId)}:db`,
    /** SET of a database's client ids. No TTL: removed when the database's last client goes; members expire with their records and are pruned on read. */
    dbClients: (dbUuid: string) => `${db(dbUuid)}:clients`,
    /** HASH database-wide lock (locks every client of the database). No TTL: locks last until unlocked. */
    dbLock: (dbUuid: string) => db(dbUuid) + P.dbLock,
    /** STRING per-client request counter of the current rate-limit window (RATE_LIMIT_PROXY_CLIENT). TTL = the window. */
    clientRate: (dbUuid: string, clientId: string) => db(dbUuid) + P.clientRate + clientId,
    /** HASH link state of a client (provider, institution, encrypted connection). TTL as the client record. */
    link: (dbUuid: string, clientId: string) => db(dbUuid) + P.link + clientId,
    /** HASH accounts of a link. TTL as the client record. */
    accounts: (dbUuid: string, clientId: string) => `${db(dbUuid)}:acc:${clientId}`,
    /** ZSET ledger of an account's booked transactions (score = booking day number). TTL as the client record. */
    ledger: (dbUuid: string, clientId: string, accountId: string) => `${db(dbUuid)}:ledger:${clientId}:${accountId}`,
    /** ZSET an account's pending transactions (score = day number). TTL as the client record. */
    pendingLedger: (dbUuid: string, clientId: string, accountId: string) => `${db(dbUuid)}:pending:${clientId}:${accountId}`,
    /** HASH ledger entries by transaction id (encrypted JSON). TTL as the client record. */
    ledgerItems: (dbUuid: string, clientId: string, accountId: string) => `${db(dbUuid)}:ledgeritems:${clientId}:${accountId}`,
    /** HASH sync metadata of an account (cursor, last sync). TTL as the client record. */
    syncState: (dbUuid: string, clientId: string, accountId: string) => `${db(dbUuid)}:sync:${clientId}:${accountId}`,
    /** STRING single-use exchange token (JSON). TTL: EXCHANGE_TOKEN_TTL. */
    exchangeToken: (tokenHash: string) => `${prefix}xt:${tokenHash}`,
    /** STRING link-flow session (sealed JSON, browser state). TTL 1 hour, kept on updates (SET XX KEEPTTL). */
    linkSession: (sessionId: string) => `${prefix}ls:${sessionId}`,
    /** STRING pointer from a provider's OAuth `state` to a link session. TTL 1 hour; GETDEL makes it single use. */
    consentState: (state: string) => `${prefix}cs:${state}`,
    /** HASH error record behind a reference. TTL 90 days. */
    error: (reference: string) => `${prefix}err:${reference}`,
    /** ZSET a client's recent error references (score = ms). TTL 90 days, trimmed to 500. */
    clientErrors: (clientId: string) => `${client(clientId)}:errors`,
    /** STREAM security/audit events. No TTL: trimmed to ~100,000 entries and 180 days (MINID). */
    audit: () => `${prefix}audit`,
    /** STREAM a client's security events. Trimmed to ~1,000 entries. TTL 180 days. */
    clientAudit: (clientId: string) => `${client(clientId)}:audit`,
    /** SET client ids currently locked (ops listing). No TTL: members removed on unlock. */
    lockedClients: () => `${prefix}locked`,
    /** SET db_uuids under a database-wide lock (ops listing). No TTL: members removed on unlock. */
    lockedDbs: () => `${prefix}lockeddbs`,
    /** HASH the pending ops unlock code of a client (HMAC of the phone, lock id, expiry, tries; Twilio holds the code). TTL 600 s. */
    unlockCode: (dbUuid: string, clientId: string) => `${db(dbUuid)}:unlock:${clientId}`,
    /** HASH a client's request-rate baseline (current minute, its count, average of active minutes). TTL 30 days, renewed on use. */
    clientBaseline: (dbUuid: string, clientId: string) => db(dbUuid) + P.clientBaseline + clientId,
    /** SET distinct end-user (PSU) IPs seen for a client in the current window. TTL = DETECT_PSU_IPS_WINDOW. */
    psuIps: (dbUuid: string, clientId: string) => db(dbUuid) + P.psuIps + clientId,
    /** HASH phone verification of a database (encrypted phone, verified flag). No TTL: the registered phone is the account's recovery factor. */
    phone: (dbUuid: string) => `${db(dbUuid)}:phone`,
    /** HASH a pending SMS code of a database (HMAC of the phone, expiry, wrong tries; Twilio holds the code). TTL 600 s. */
    smsCode: (scope: string) => `${prefix}sms:${scope}`,
    /**
     * ZSET times (ms) codes were sent, per phone HMAC (`p:…`, 10 min window) or per database (`d:…`, 24 h window). TTL = the window.
     * All under one hash tag `{sms}`: the link flow checks a phone's and a database's window in one MULTI (one slot on a
     * cluster); sends are few (rate-limited to a handful per database a day), so the shared slot stays small.
     */
    smsSends: (scope: string) => `${prefix}{sms}:smss:${scope}`,
    /** STRING counters for detection rules and SMS sends. TTL = the rule's window. */
    counter: (name: string) => `${prefix}cnt:${name}`,
    /** STRING provider quota counters shared by instances. TTL = the quota window. */
    quota: (name: string) => `${prefix}quota:${name}`,
    /** STRING provider cool-down after a 429 (value = ISO time allowed again). TTL = Retry-After. */
    cooldown: (scope: string) => `${prefix}cool:${scope}`,
    /** STRING an account's provider refresh in progress (owner token): parallel "Sync now" clicks ask the provider once. TTL 60 s. */
    refreshGuard: (dbUuid: string, clientId: string, accountId: string) => `${db(dbUuid)}:refreshing:${clientId}:${accountId}`,
    /** STRING per-account sync mutex (owner token). TTL 60 s. */
    syncLock: (dbUuid: string, clientId: string, accountId: string) => `${db(dbUuid)}:synclock:${clientId}:${accountId}`,
    /**
     * Institution catalogue: `version` STRING, `data:<version>` HASH provider → JSON listing, `lock` STRING (refresh lock, TTL 5 min).
     * TTL 2 days (refreshed daily); a replaced version lives 1 more hour. One hash tag `{cat}`: a refresh writes the data and
     * moves the version pointer in one MULTI, also on a cluster.
     */
    catalogue: (part: string) => `${prefix}{cat}:${part}`,
    /** HASH the demo host's Odoo-side credentials by client id (sealed), sandbox mode only. TTL 7 days. */
    demoClients: (dbUuid: string) => `${prefix}demo:${dbUuid}`,
    /** Rate-limit counters of @fastify/rate-limit. TTL = the window. */
    rateLimit: () => `${prefix}rl:`
  }
}

export type Keys = ReturnType<typeof createKeys>
