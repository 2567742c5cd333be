/**
 * Calls that arrive in the same turn of the event loop, answered by one call of `many` (made once the
 * loop has read every request that was waiting): N concurrent requests cost one Redis command, one
 * socket write and one read instead of N of each. On a small machine those per-command costs are a
 * large share of a gate request's CPU, in the broker and in Redis (bench/gate, profiled).
 * `many` answers in order, one answer per call; if it fails, every call of the batch fails with it.
 */
export function batched<A, R> (many: (calls: A[]) => Promise<R[]>): (call: A) => Promise<R> {
  let pending: Array<{ call: A, resolve: (value: R) => void, reject: (err: Error) => void }> = []
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
  return call => new Promise<R>((resolve, reject) => {
    if (pending.length === 0) setImmediate(flush)
    pending.push({ call, resolve, reject })
  })
}
