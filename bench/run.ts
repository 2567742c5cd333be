/** `npm run bench`: every benchmark, each printed as a ratio against its same-run baseline. */
import { runNormalizeBench } from './normalize.js'

const rows = runNormalizeBench()
process.stdout.write('Normalisation (500-transaction pages from the real samples); baseline = JSON.parse of the same page\n')
process.stdout.write('provider       parse tx/s   parse+normalise tx/s   ratio\n')
for (const r of rows) {
  process.stdout.write(`${r.provider.padEnd(14)} ${String(r.parsePerSec).padStart(10)}   ${String(r.normalizePerSec).padStart(20)}   ${r.ratio.toFixed(2)}\n`)
}
