/**
 * Calls that arrive in the same turn of the event loop, answered by one call of `many`: N concurrent
 * requests cost one Redis command, one socket write and one read instead of N of each. On a small
 * machine those per-command costs are a large share of a gate request's CPU, in the broker and in
 * Redis (bench/gate, profiled).
 *
 * A batch goes out at the end of the turn, or as soon as it holds `maxBatch` calls. The cap is what
 * lets Redis work in parallel with the broker: under load a turn reads dozens of requests, and a
 * batch sent only after the last of them would leave the broker idle while Redis runs it, then
 * Redis idle while the broker answers (measured at 50 connections: the broker's core 20 % idle; with
 * a cap of 16, +15–20 % requests per second).
 * `many` answers in order, one answer per call; if it fails, every call of the batch fails with it.
 */
export interface BatchOptions {
  maxBatch: number
}

export function batched<A, R> (many: (calls: A[]) => Promise<R[]>, options: BatchOptions = { maxBatch: Infinity }): (call: A) => Promise<R> {
  let pending: Array<{ call: A, resolve: (value: R) => void, reject: (err: Error) => void }> = []
  let scheduled = false
  const flush = (): void => {
    const batch = pending
    pending = []
    many(batch.map(p => p.call)).then(answers => {
      batch.forEach((p, i) => {
        if (i < answers.length) p.resolve(answers[i] as R)
        else p.reject(new Error(`batched call answered ${answers.length} of ${batch.length}`))
      })
    }, (err: Error) => { for (const p of batch) p.reject(err) })
  }
  const endOfTurn = (): void => {
    scheduled = false
    if (pending.length > 0) flush()
  }
  return call => new Promise<R>((resolve, reject) => {
    pending.push({ call, resolve, reject })
    if (pending.length >= options.maxBatch) {
      flush()
    } else if (!scheduled) {
      scheduled = true
      setImmediate(endOfTurn)
    }
  })
}
