"""The query page: GET /sparql from a browser (Accept text/html, no `query`) shows an editor
instead of a 400.

With YASGUI installed into web/static/yasgui/ (`make yasgui`: `npm pack` of @zazuko/yasgui
from the npm registry at set-up time; nothing is fetched from a CDN at run time) the page is
YASGUI (SPARQL highlighting, prefix and keyword completion, result tables) pointed at this
endpoint. Without it, a plain form with the example prefixes posts the query to /sparql.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

__all__ = ["wants_page", "page_response", "asset_response", "ASSETS", "ASSET_PATH"]

ASSETS = Path(__file__).resolve().parent.parent / "static" / "yasgui"
ASSET_PATH = "/sparql-assets/{name}"
_FILES = {"yasgui.min.js": "text/javascript", "yasgui.min.css": "text/css"}
DEFAULT_QUERY = """PREFIX pg: <https://w3id.org/plangraph/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?plan ?label WHERE {
  ?plan a pg:Plan ; rdfs:label ?label .
} LIMIT 20
"""


def wants_page(request: Request) -> bool:
    """A browser's plain GET: no query parameter and text/html accepted explicitly."""
    if request.method != "GET" or "query" in request.query_params:
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


def _js(value: str) -> str:
    return json.dumps(value).replace("</", "<\\/")


def _yasgui(root: str, endpoint: str) -> str:
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>PlanGraph SPARQL 查询</title>
<link rel="stylesheet" href="{root}/sparql-assets/yasgui.min.css">
<style>body{{margin:0;font-family:sans-serif}} header{{padding:8px 16px;background:#f4f6f8}}</style>
</head><body>
<header>PlanGraph 规划图谱 · SPARQL 1.1 只读端点 <code>{html.escape(endpoint)}</code></header>
<div id="yasgui"></div>
<script src="{root}/sparql-assets/yasgui.min.js"></script>
<script>
const endpoint = new URL({_js(endpoint)}, location.href).href;
const yasgui = new Yasgui(document.getElementById("yasgui"), {{
  requestConfig: {{ endpoint: endpoint, method: "POST" }},
  copyEndpointOnNewTab: true, persistenceId: null, endpointCatalogueOptions: {{ getData: () => [] }},
  yasqe: {{ value: {_js(DEFAULT_QUERY)} }}
}});
</script></body></html>"""


def _plain(endpoint: str) -> str:
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>PlanGraph SPARQL 查询</title>
<style>body{{font-family:sans-serif;margin:16px}} textarea{{width:100%;font-family:monospace}}</style>
</head><body>
<h1>PlanGraph 规划图谱 · SPARQL 查询</h1>
<p>只读 SPARQL 1.1 端点。结果格式:</p>
<form method="post" action="{html.escape(endpoint)}">
<textarea name="query" rows="16" spellcheck="false">{html.escape(DEFAULT_QUERY)}</textarea>
<p><select name="format"><option value="json">JSON</option><option value="csv">CSV</option>
<option value="tsv">TSV</option><option value="xml">XML</option>
<option value="turtle">Turtle (CONSTRUCT/DESCRIBE)</option></select>
<button type="submit">运行查询</button></p>
</form></body></html>"""


def page_response(request: Request) -> Response:
    root = request.scope.get("root_path", "")
    endpoint = root + request.url.path
    if all((ASSETS / f).is_file() for f in _FILES):
        return HTMLResponse(_yasgui(root, endpoint))
    return HTMLResponse(_plain(endpoint))


def asset_response(name: str) -> Response:
    if name not in _FILES or not (ASSETS / name).is_file():
        return PlainTextResponse("not found\n", status_code=404)
    return FileResponse(ASSETS / name, media_type=_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})
