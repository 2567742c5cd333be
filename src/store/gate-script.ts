/**
 * The gate's one Redis round trip: a single script reads the client, the database's subscription
 * and lock, and — only for a caller that presented the client's current access token — counts the
 * request (per-client rate window, the client's normal rate, distinct end-user IPs). Counting only
 * on a matching access token means nobody can exhaust or trip another client's budget by sending
 * its id. It also returns the client's sealed link data, which every data endpoint needs next, or
 * only that it is unchanged when the broker already holds it opened (LINK_TAIL_CHARS).
 * Every key sits under the database's hash tag, so the script also runs on Redis Cluster.
 */
import type { RedisClient } from './redis.js'
import { GATE_KEY_PARTS, type Keys } from './keys.js'
import { batched } from './batch.js'
import { ReplyError } from 'ioredis'

/**
 * Arguments shared by every request of a call: ARGV[1..6] are now (ms), the rate window (ms), this
 * minute, the baseline's weight, the baseline's TTL (s) and the end-user IP window (ms);
 * ARGV[7..12] the key parts of GATE_KEY_PARTS (subscription, database lock, rate window, rate
 * baseline, end-user IPs, link). Then each request has its part: one declared key, KEYS[i], its
 * client record; and ARGV[a+1..a+5] its database's key base, its client id, the SHA-256 of the
 * presented access token, the end-user IP ('' if none) and the end of the link envelope the broker
 * already holds opened ('' if none: see LINK_TAIL_CHARS).
 *
 * The six other keys are built here from the base and the parts rather than sent: with 16 requests a
 * call, sending seven ~75-byte key names each was the largest part of the broker's cost of the read
 * (building and encoding the command). They share the client record's hash tag, so they sit in the
 * declared key's slot: on a cluster the call goes to the node that holds them all, and Redis accepts
 * keys a script did not declare when they hash to the slot of those it did.
 */
const KEYS_FN = `
local function keys_of(i, a)
  local base, cid = ARGV[a + 1], ARGV[a + 2]
  return {KEYS[i], base .. ARGV[7], base .. ARGV[8], base .. ARGV[9] .. cid, base .. ARGV[10] .. cid, base .. ARGV[11] .. cid, base .. ARGV[12] .. cid}
end
`
const SHARED_ARGS = 12
const OWN_ARGS = 5

const COUNT_FN = KEYS_FN + `
local function count(K, a)
  local n = redis.call('INCR', K[4])
  local ttl = -1
  if n == 1 then
    redis.call('PEXPIRE', K[4], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  local h = redis.call('HMGET', K[5], 'm', 'n', 'avg')
  local m = tonumber(h[2]) or 0
  local avg = tonumber(h[3]) or -1
  if h[1] == ARGV[3] then
    m = redis.call('HINCRBY', K[5], 'n', 1)
  else
    if h[1] then
      if avg < 0 then avg = m else avg = avg + tonumber(ARGV[4]) * (m - avg) end
    end
    m = 1
    redis.call('HSET', K[5], 'm', ARGV[3], 'n', '1', 'avg', tostring(avg))
    redis.call('EXPIRE', K[5], ARGV[5])
  end
  local ips = 0
  if ARGV[a + 4] ~= '' then
    local added = redis.call('SADD', K[6], ARGV[a + 4])
    ips = redis.call('SCARD', K[6])
    if added == 1 and ips == 1 then redis.call('PEXPIRE', K[6], ARGV[6]) end
  end
  return {n, ttl, m, tostring(avg), ips}
end
`

/**
 * Reads for any number of requests (one key and five arguments each, in order, after the shared
 * arguments; one answer each): the requests that arrive together are sent as one call (see batched
 * below). The answers come back as one JSON text: one native JSON.parse costs the broker less than
 * decoding some 30 RESP values per request. A Redis error in one request's part (a damaged key, a
 * write refused for lack of memory) fails that request only.
 */
const GATE = COUNT_FN + `
local function field(flat, name)
  for i = 1, #flat, 2 do
    if flat[i] == name then return flat[i + 1] end
  end
  return nil
end
local function gate(i, a)
  local K = keys_of(i, a)
  local c = redis.call('HGETALL', K[1])
  if #c == 0 then return {0} end
  local s = redis.call('HGETALL', K[2])
  local l = redis.call('HGETALL', K[3])
  local seen = {}
  if field(c, 'at') == ARGV[a + 3] and (tonumber(field(c, 'at_exp')) or 0) > tonumber(ARGV[1]) and field(c, 'locked') ~= '1' and field(c, 'frozen') ~= '1' and field(l, 'locked') ~= '1' then
    seen = count(K, a)
  end
  local link = redis.call('HGET', K[7], 'data') or ''
  if ARGV[a + 5] ~= '' and string.sub(link, -#ARGV[a + 5]) == ARGV[a + 5] then link = true end
  return {1, c, s, l, seen, link}
end
local out = {}
for i = 1, #KEYS do
  local ok, answer = pcall(gate, i, ${SHARED_ARGS} + (i - 1) * ${OWN_ARGS})
  if ok then
    out[i] = answer
  else
    out[i] = {-1, type(answer) == 'table' and (answer.err or 'ERR script') or tostring(answer)}
  end
end
return cjson.encode(out)
`

/** Counting alone, after the signature verified, for token upkeep calls that carry a stale access token. */
const COUNT_ONLY = COUNT_FN + `return count(keys_of(1, ${SHARED_ARGS}), ${SHARED_ARGS})`

/**
 * The rate window's remaining time, asked only when a request is refused (for Retry-After). A window
 * found without expiry (never made by the scripts above, which set it with the first count) gets one.
 */
const WINDOW_TTL = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return ttl
`

/** Requests per gate call at most (see batched: a full batch goes out at once, so Redis runs it while the broker reads on). */
const GATE_BATCH = 16

/** Weight of a newly closed active minute in the client's normal rate (an average over ~5 active minutes). */
const RATE_ALPHA = 0.2
const BASELINE_TTL_SECONDS = 30 * 86_400

/**
 * The link data is the largest part of the answer (about 1 KB sealed). The broker keeps what it
 * opened lately (SecretBox.openJsonKept) and sends the end of that envelope; when the stored envelope
 * ends the same, the script answers `true` instead of the envelope. Every sealing draws a fresh IV,
 * so a rewritten link never ends in the same 40 base64url characters (240 bits of ciphertext).
 */
export const LINK_TAIL_CHARS = 40

export interface RequestCount {
  /** Requests of this client in the current rate-limit window, this one included. */
  inWindow: number
  /** Time left in the window; -1 when not read (asked only for a refusal: windowTtl). */
  windowTtlMs: number
  /** Requests in the current minute, and the client's normal per active minute (-1: no history yet). */
  thisMinute: number
  normalPerMinute: number
  distinctPsuIps: number
}

export interface GateRead {
  client: Record<string, string> | null
  subscription: Record<string, string>
  dbLock: Record<string, string>
  /** Null when the request was not counted (no current access token, or locked). */
  counted: RequestCount | null
  /** The client's link data, still sealed (opened only after the signature verified), or null. */
  linkSealed: string | null
  /** True when the stored link envelope is the one whose tail the request sent (knownLinkTail): linkSealed is then null. */
  linkUnchanged: boolean
}

export interface GateArgs {
  dbUuid: string
  clientId: string
  accessTokenHash: string
  psuIp: string | null
  /** The last LINK_TAIL_CHARS characters of the link envelope the broker holds opened for this client, or ''. */
  knownLinkTail: string
  now: number
  rateWindowMs: number
  psuWindowMs: number
}

function pairs (flat: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!Array.isArray(flat)) return out
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string
  return out
}

function parseCount (raw: unknown): RequestCount | null {
  // Lua's cjson writes an empty table as {}
  if (!Array.isArray(raw) || raw.length < 5) return null
  return { inWindow: Number(raw[0]), windowTtlMs: Number(raw[1]), thisMinute: Number(raw[2]), normalPerMinute: Number(raw[3]), distinctPsuIps: Number(raw[4]) }
}

type Script = (...args: string[]) => Promise<unknown[]>

export function createGateScript (redis: RedisClient, keys: Keys) {
  // numberOfKeys left out: the first argument gives it (one key per request)
  redis.defineCommand('bsbGate', { lua: GATE })
  redis.defineCommand('bsbGateCount', { numberOfKeys: 1, lua: COUNT_ONLY })
  redis.defineCommand('bsbGateWindowTtl', { numberOfKeys: 1, lua: WINDOW_TTL })
  const scripts = redis as unknown as { bsbGate: Script, bsbGateCount: Script, bsbGateWindowTtl: (...args: string[]) => Promise<number> }
  const parts = [GATE_KEY_PARTS.subscription, GATE_KEY_PARTS.dbLock, GATE_KEY_PARTS.clientRate, GATE_KEY_PARTS.clientBaseline, GATE_KEY_PARTS.psuIps, GATE_KEY_PARTS.link]
  const sharedArgs = (a: GateArgs): string[] => [
    String(a.now), String(a.rateWindowMs), String(Math.floor(a.now / 60_000)), String(RATE_ALPHA), String(BASELINE_TTL_SECONDS), String(a.psuWindowMs), ...parts
  ]
  const ownArgs = (a: GateArgs): string[] => [keys.dbBase(a.dbUuid), a.clientId, a.accessTokenHash, a.psuIp ?? '', a.knownLinkTail]
  // The shared arguments are the last request's: its clock is the latest, and every request of a call
  // arrived in the same turn of the event loop (milliseconds apart), under the same configuration.
  const readMany = async (requests: GateArgs[]): Promise<unknown[][]> => {
    const args: string[] = [String(requests.length)]
    for (const a of requests) args.push(keys.client(a.dbUuid, a.clientId))
    args.push(...sharedArgs(requests[requests.length - 1] as GateArgs))
    for (const a of requests) args.push(...ownArgs(a))
    return JSON.parse(await scripts.bsbGate(...args) as unknown as string) as unknown[][]
  }
  // On a cluster the keys of different databases live on different nodes: one call per request there.
  const read = redis.isCluster ? async (a: GateArgs) => (await readMany([a]))[0] as unknown[] : batched(readMany, { maxBatch: GATE_BATCH })

  return {
    /** One round trip: everything the gate needs, counted when the caller holds the current access token. */
    async read (a: GateArgs): Promise<GateRead> {
      const raw = await read(a)
      // this request's own part failed (e.g. WRONGTYPE on a damaged key); the others of its call were answered
      if (raw[0] === -1) throw new ReplyError(String(raw[1]))
      if (raw[0] === 0) return { client: null, subscription: {}, dbLock: {}, counted: null, linkSealed: null, linkUnchanged: false }
      return {
        client: pairs(raw[1]),
        subscription: pairs(raw[2]),
        dbLock: pairs(raw[3]),
        counted: parseCount(raw[4]),
        linkSealed: raw[5] === '' || raw[5] === true ? null : raw[5] as string,
        linkUnchanged: raw[5] === true
      }
    },

    /** Counts a request whose signature verified but which carried no current access token. */
    async count (a: GateArgs): Promise<RequestCount> {
      return parseCount(await scripts.bsbGateCount(keys.client(a.dbUuid, a.clientId), ...sharedArgs(a), ...ownArgs(a))) as RequestCount
    },

    /** Milliseconds left in the client's rate window (for Retry-After on a refusal). */
    async windowTtl (a: GateArgs): Promise<number> {
      return Number(await scripts.bsbGateWindowTtl(keys.clientRate(a.dbUuid, a.clientId), String(a.rateWindowMs)))
    }
  }
}

export type GateScript = ReturnType<typeof createGateScript>
