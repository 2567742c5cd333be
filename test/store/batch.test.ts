import t from 'tap'
import { batched } from '../../src/store/batch.js'

/** A `many` that records each batch it was given and answers every call with its double. */
function recorder () {
  const batches: number[][] = []
  const many = async (calls: number[]): Promise<number[]> => {
    batches.push(calls)
    return calls.map(c => c * 2)
  }
  return { batches, many }
}

t.test('calls made in one turn of the event loop go out as one batch, answered in order', async t => {
  const { batches, many } = recorder()
  const call = batched(many)
  const answers = await Promise.all([1, 2, 3, 4, 5].map(call))
  t.same(answers, [2, 4, 6, 8, 10])
  t.same(batches, [[1, 2, 3, 4, 5]])
})

t.test('a full batch goes out at once, before the turn ends; the rest of the turn follows', async t => {
  const { batches, many } = recorder()
  const call = batched(many, { maxBatch: 3 })
  const promises = [1, 2, 3].map(call)
  t.same(batches, [[1, 2, 3]], 'sent synchronously by the third call')
  promises.push(...[4, 5, 6, 7].map(call))
  t.same(batches, [[1, 2, 3], [4, 5, 6]])
  t.same(await Promise.all(promises), [2, 4, 6, 8, 10, 12, 14])
  t.same(batches, [[1, 2, 3], [4, 5, 6], [7]], 'the remainder at the end of the turn')
})

t.test('a failed batch fails its own calls only', async t => {
  const call = batched(async (calls: number[]) => {
    if (calls.includes(13)) throw new Error('Redis down')
    return calls
  }, { maxBatch: 2 })
  const results = await Promise.allSettled([1, 13, 3, 4].map(call))
  t.same(results.map(r => r.status), ['rejected', 'rejected', 'fulfilled', 'fulfilled'])
})

t.test('an answer missing from a batch fails that call', async t => {
  const call = batched(async (calls: number[]) => calls.slice(1))
  const results = await Promise.allSettled([1, 2].map(call))
  t.equal(results[0]?.status, 'fulfilled')
  t.match(results[1], { status: 'rejected', reason: { message: /answered 1 of 2/ } })
})
