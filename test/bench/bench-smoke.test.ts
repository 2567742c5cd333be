/**
 * `npm run bench -- --quick gate signature` runs to the end and prints a ratio line for each: the
 * benchmarks still build their scenario (linked clients, signed requests, the Python child) and
 * measure both sides. No timing is asserted: figures on a loaded CI machine mean nothing.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const RUN = fileURLToPath(new URL('../../bench/run.js', import.meta.url))
const LIMIT_MS = 240_000

t.setTimeout(LIMIT_MS + 30_000)

function runQuick (names: string[]): Promise<{ code: number | null, out: string, err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, '--quick', ...names], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    child.stderr.on('data', (b: Buffer) => { err += b.toString() })
    const killer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS)
    child.once('error', reject)
    child.once('close', code => { clearTimeout(killer); resolve({ code, out, err }) })
  })
}

t.test('quick gate and signature benchmarks each print a measured ratio', async t => {
  const { code, out, err } = await runQuick(['gate', 'signature'])
  t.not(code, 2, `no usage error: ${err}`)
  for (const name of ['gate', 'signature']) {
    t.match(out, new RegExp(`^ratio ${name} \\d+\\.\\d\\d target .+ (PASS|FAIL)$`, 'm'), `${name} prints its ratio line\n${out.slice(-3000)}`)
  }
  t.match(out, /^gate +broker [\d,]+ req\/s/m, 'the summary table has the gate row with the broker figures')
  t.notMatch(out, /did not run/, 'no benchmark failed to run')
  // the load generator sends the prebuilt signed requests and checks every answer against the expected body
  t.notMatch(out, /answers were not the expected/, 'every answer under load was the one measured (signed requests intact, no error envelope)')
})

t.test('an unknown benchmark name is a usage error', async t => {
  const { code, err } = await runQuick(['nosuchbench'])
  t.equal(code, 2)
  t.match(err, /unknown argument "nosuchbench"/)
})
