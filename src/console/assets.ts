/** The console's one static file: its stylesheet (the console has no script). */
import type { FastifyInstance } from 'fastify'

export const CONSOLE_CSS = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45}
body{margin:0;padding:0 1.5rem 2rem;max-width:64rem;margin-inline:auto}
header nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.8rem 0;border-bottom:1px solid #8a8a8a;margin-bottom:1rem}
.who{margin-left:auto}
h1{font-size:1.4rem;margin:1rem 0}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
label{display:block;font-weight:600;margin:.8rem 0 .3rem}
input[type=text],input[type=password],select{font-size:1rem;padding:.45rem;width:100%;max-width:32rem;box-sizing:border-box;border:1px solid #8a8a8a;border-radius:4px}
button{font-size:1rem;padding:.45rem 1.1rem;margin-top:.6rem;border-radius:4px;border:1px solid #2b5fb4;background:#2b5fb4;color:#fff;cursor:pointer}
button.secondary{background:transparent;color:inherit;border-color:#8a8a8a;margin:0}
button.danger{background:#b03a2e;border-color:#b03a2e}
form.inline{display:inline}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.alert{border-left:4px solid #c0392b;padding:.4rem .7rem;background:rgba(192,57,43,.08)}
.notice{border-left:4px solid #2e8b57;padding:.4rem .7rem;background:rgba(46,139,87,.08)}
.help{font-size:.9rem;opacity:.85}
.none{opacity:.6;font-style:italic}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.2rem}
.facts dt{font-weight:600}
.facts dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid rgba(128,128,128,.4);padding:.3rem .4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
.actions{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}
.actions form{border:1px solid rgba(128,128,128,.5);border-radius:6px;padding:.6rem .9rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace}
`

export async function assetRoutes (app: FastifyInstance): Promise<void> {
  app.get('/assets/console.css', { config: { consolePublic: true } }, async (_req, reply) =>
    await reply.header('cache-control', 'private, max-age=3600').type('text/css; charset=utf-8').send(CONSOLE_CSS))
}
