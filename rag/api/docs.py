"""The API reference page at /docs, built in the browser from /openapi.json with nothing from another host.

FastAPI's own page loads Swagger UI from a CDN, which an offline machine cannot reach and an exposed one should
not trust; this page is one file, and its Content-Security-Policy forbids every request but to its own server.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
       "img-src 'self'; base-uri 'none'; form-action 'none'")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rag API</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.op{border:1px solid #ddd;border-radius:6px;margin:.7em 0;padding:.2em .9em}
.m{display:inline-block;min-width:4.5em;font-weight:600;text-transform:uppercase}
code,pre{font:13px ui-monospace,monospace;background:#f6f6f6}
pre{padding:.6em;overflow:auto;max-height:24em}
</style></head><body>
<h1>rag API</h1>
<p>Machine-readable: <a href="openapi.json">openapi.json</a>. Beyond loopback every call needs
<code>Authorization: Bearer $RAG_API_KEY</code>. The MCP server (streamable HTTP) is at <code>/mcp</code>.</p>
<div id="ops">Loading openapi.json…</div>
<script>
const el = (tag, text) => { const e = document.createElement(tag); if (text) e.textContent = text; return e; };
fetch("openapi.json").then(r => r.json()).then(spec => {
  const root = document.getElementById("ops"); root.textContent = "";
  const tags = {};
  for (const [path, item] of Object.entries(spec.paths))
    for (const [method, op] of Object.entries(item))
      (tags[(op.tags || ["other"])[0]] ||= []).push([method, path, op]);
  for (const [tag, ops] of Object.entries(tags)) {
    root.append(el("h2", tag));
    for (const [method, path, op] of ops) {
      const box = el("div"); box.className = "op";
      const head = el("p"); const m = el("span", method); m.className = "m";
      head.append(m, el("code", path), document.createTextNode(" " + (op.summary || "")));
      box.append(head);
      if (op.description) box.append(el("p", op.description));
      const body = op.requestBody && Object.values(op.requestBody.content)[0];
      if (body) { box.append(el("p", "Request body:")); box.append(el("pre", JSON.stringify(body.schema, null, 1))); }
      const ok = op.responses && (op.responses["200"] || {}).content;
      if (ok) { box.append(el("p", "Response:")); box.append(el("pre", JSON.stringify(Object.values(ok)[0].schema, null, 1))); }
      root.append(box);
    }
  }
  root.append(el("h2", "Schemas"));
  root.append(el("pre", JSON.stringify((spec.components || {}).schemas || {}, null, 1)));
});
</script></body></html>
"""


def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": CSP})
