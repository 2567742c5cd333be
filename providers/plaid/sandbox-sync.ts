/**
 * `/transactions/sync` for the sandbox. Each loop diffs a stored snapshot (the cursor's) against
 * the Item's current data; intermediate cursors pin the target snapshot, and when the data moves
 * between pages the next page fails with TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, as Plaid's does.
 */
import { createHash } from 'node:crypto'
import { invalidRequest, plaidFail } from './sandbox-errors.js'
import { accountJson, accountTransactions } from './sandbox-ledger.js'
import { SANDBOX_LIMITS, type SandboxItem, type SandboxState, type Snapshot, type SyncStream } from './sandbox-state.js'

type Tx = Record<string, unknown>
interface CursorData { i: string, a: string, s?: number, f?: number, t?: number, o?: number }

const EMPTY: Snapshot = { digest: 'empty', entries: new Map() }
const contentHash = new WeakMap<Tx, string>()

function encodeCursor (c: CursorData): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}

function decodeCursor (text: string): CursorData | null {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as CursorData
    return typeof c.i === 'string' && typeof c.a === 'string' ? c : null
  } catch {
    return null
  }
}

interface Current { txs: Map<string, Tx>, snapshot: Snapshot }
// Pages 2..n of a loop ask for the same state again; reuse it while nothing has changed.
const currentCache = new WeakMap<SandboxItem, { key: string, value: Current }>()

function current (state: SandboxState, item: SandboxItem, accountId: string | null): Current {
  const key = `${accountId ?? '*'}|${state.dataTime(item)}|${state.version()}`
  const hit = currentCache.get(item)
  if (hit !== undefined && hit.key === key) return hit.value
  const value = computeCurrent(state, item, accountId)
  currentCache.set(item, { key, value })
  return value
}

function computeCurrent (state: SandboxState, item: SandboxItem, accountId: string | null): Current {
  const txs = new Map<string, Tx>()
  for (const account of item.accounts) {
    if (accountId !== null && account.accountId !== accountId) continue
    for (const tx of accountTransactions(state, item, account)) txs.set(tx.transaction_id as string, tx)
  }
  const entries = new Map<string, string>()
  const all = createHash('sha256')
  for (const id of [...txs.keys()].sort()) {
    const tx = txs.get(id) as Tx
    let h = contentHash.get(tx)
    if (h === undefined) {
      // Entry = content hash + owning account, so a removal can still name its account.
      h = `${createHash('sha256').update(JSON.stringify(tx)).digest('hex').slice(0, 16)}|${String(tx.account_id)}`
      contentHash.set(tx, h)
    }
    entries.set(id, h)
    all.update(`${id}:${h}\n`)
  }
  return { txs, snapshot: { digest: all.digest('hex'), entries } }
}

function stream (item: SandboxItem, key: string): SyncStream {
  let s = item.streams.get(key)
  if (s === undefined) {
    s = { nextSeq: 1, snapshots: new Map() }
    item.streams.set(key, s)
  }
  return s
}

function store (s: SyncStream, snap: Snapshot): number {
  const last = [...s.snapshots.entries()].at(-1)
  if (last !== undefined && last[1].digest === snap.digest) return last[0]
  const seq = s.nextSeq++
  s.snapshots.set(seq, snap)
  while (s.snapshots.size > SANDBOX_LIMITS.snapshotsPerStream) s.snapshots.delete(s.snapshots.keys().next().value as number)
  return seq
}

interface Update { kind: 'added' | 'modified' | 'removed', id: string }

function diff (from: Snapshot, to: Snapshot, txs: Map<string, Tx>): Update[] {
  const dateOf = (id: string): string => String(txs.get(id)?.date)
  const byDate = (a: string, b: string): number => { const da = dateOf(a); const db = dateOf(b); return da < db ? -1 : da > db ? 1 : a < b ? -1 : a > b ? 1 : 0 }
  const added = [...to.entries.keys()].filter(id => !from.entries.has(id)).sort(byDate)
  const modified = [...to.entries.keys()].filter(id => from.entries.has(id) && from.entries.get(id) !== to.entries.get(id)).sort(byDate)
  const removed = [...from.entries.keys()].filter(id => !to.entries.has(id)).sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
  return [
    ...added.map(id => ({ kind: 'added' as const, id })),
    ...modified.map(id => ({ kind: 'modified' as const, id })),
    ...removed.map(id => ({ kind: 'removed' as const, id }))
  ]
}

export function transactionsSync (state: SandboxState, item: SandboxItem, body: Record<string, unknown>): Record<string, unknown> {
  const options = (body.options ?? {}) as Record<string, unknown>
  const accountId = typeof options.account_id === 'string' ? options.account_id : null
  if (accountId !== null && !item.accounts.some(a => a.accountId === accountId)) throw plaidFail('INVALID_ACCOUNT_ID')
  const count = body.count ?? 100
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 500) throw invalidRequest('INVALID_FIELD', 'count must be an integer between 1 and 500')
  const accounts = item.accounts.filter(a => accountId === null || a.accountId === accountId).map(a => accountJson(state, item, a))
  if (item.notReady) {
    return { accounts, added: [], modified: [], removed: [], next_cursor: '', has_more: false, transactions_update_status: 'NOT_READY' }
  }
  item.syncCalled = true
  const scope = accountId ?? '*'
  const s = stream(item, scope)
  const now = current(state, item, accountId)
  const raw = body.cursor
  let from: Snapshot
  let fromSeq: number
  let toSeq: number
  let offset = 0
  if (raw === undefined || raw === null || raw === '') {
    from = EMPTY
    fromSeq = 0
    toSeq = store(s, now.snapshot)
  } else {
    const c = typeof raw === 'string' && raw.length <= 256 ? decodeCursor(raw) : null
    if (c === null || c.i !== item.itemId || c.a !== scope) throw invalidRequest('INVALID_FIELD', 'cursor must be a cursor returned by a previous /transactions/sync call for this Item')
    if (typeof c.s === 'number') {
      const snap = s.snapshots.get(c.s)
      if (snap === undefined) throw invalidRequest('INVALID_FIELD', 'cursor is no longer valid; restart without a cursor')
      from = snap
      fromSeq = c.s
      toSeq = store(s, now.snapshot)
    } else {
      const target = s.snapshots.get(c.t ?? -1)
      const origin = c.f === 0 ? EMPTY : s.snapshots.get(c.f ?? -1)
      if (target === undefined || origin === undefined || typeof c.o !== 'number') throw invalidRequest('INVALID_FIELD', 'cursor is no longer valid; restart without a cursor')
      if (target.digest !== now.snapshot.digest) throw plaidFail('TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION')
      from = origin
      fromSeq = c.f as number
      toSeq = c.t as number
      offset = c.o
    }
  }
  const updates = diff(from, now.snapshot, now.txs)
  const page = updates.slice(offset, offset + count)
  const hasMore = offset + count < updates.length
  const includeOriginal = options.include_original_description === true
  const render = (id: string): Tx => {
    const tx = { ...now.txs.get(id) }
    if (!includeOriginal) delete tx.original_description
    return tx
  }
  return {
    accounts,
    added: page.filter(u => u.kind === 'added').map(u => render(u.id)),
    modified: page.filter(u => u.kind === 'modified').map(u => render(u.id)),
    removed: page.filter(u => u.kind === 'removed').map(u => ({ account_id: from.entries.get(u.id)?.split('|')[1] ?? null, transaction_id: u.id })),
    next_cursor: encodeCursor(hasMore ? { i: item.itemId, a: scope, f: fromSeq, t: toSeq, o: offset + count } : { i: item.itemId, a: scope, s: toSeq }),
    has_more: hasMore,
    transactions_update_status: 'HISTORICAL_UPDATE_COMPLETE'
  }
}
