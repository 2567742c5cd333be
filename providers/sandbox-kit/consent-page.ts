/**
 * The consent page every sandbox hosts: the user's "bank login" with Approve and Deny buttons
 * (and a one-time code field for the MFA bank). It posts back to the sandbox, which redirects to
 * the broker's callback exactly as the real provider would.
 */

export interface ConsentPageInput {
  providerName: string
  bankName: string
  /** Form action (absolute or sandbox-relative path) receiving `decision`, `otp` and `hidden`. */
  action: string
  /** Hidden fields carried through the form (state, request id, …). */
  hidden: Record<string, string>
  mfa: boolean
  error?: string
}

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string))
}

export function renderConsentPage (input: ConsentPageInput): string {
  const hidden = Object.entries(input.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n      ')
  const otp = input.mfa
    ? `<p><label for="otp">One-time code</label> <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" aria-describedby="otp-help">
      <span id="otp-help">Your bank sent you a one-time code (sandbox: 123456).</span></p>`
    : ''
  const error = input.error !== undefined ? `<p role="alert">${escapeHtml(input.error)}</p>` : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.providerName)} sandbox: ${escapeHtml(input.bankName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}</style>
</head><body>
  <main>
    <h1>${escapeHtml(input.bankName)}</h1>
    <p>${escapeHtml(input.providerName)} sandbox. Allow the bank-sync broker to read your accounts, balances and transactions?</p>
    ${error}
    <form method="post" action="${escapeHtml(input.action)}">
      ${hidden}
      ${otp}
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
  </main>
</body></html>`
}
