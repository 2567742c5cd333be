/** Headless Debian Chromium for the browser tests: one page whose console errors are collected. */
import { existsSync } from 'node:fs'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
export const chromiumMissing = (): string | false => existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium): browser test skipped`

export interface BrowserPage { page: Page, context: BrowserContext, consoleErrors: string[] }

/** A fresh browser (closed by the test's teardown), a context and a page recording console errors. */
export async function browserPage (t: { teardown: (fn: () => unknown) => void }): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  const context = await browser.newContext()
  const page = await context.newPage()
  const consoleErrors: string[] = []
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()) })
  return { page, context, consoleErrors }
}
