#!/usr/bin/env node
/** Executable entry of the `banksync` CLI. */
import { run } from './main.js'

run(process.argv.slice(2), line => process.stdout.write(line + '\n'))
  .then(code => { process.exitCode = code })
  .catch(err => { process.stderr.write(`banksync: ${(err as Error).message}\n`); process.exitCode = 2 })
