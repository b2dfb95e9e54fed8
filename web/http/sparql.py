"""The SPARQL 1.1 Protocol endpoint (read-only) at /sparql, as a FastAPI router.

Query by GET ?query=, POST application/x-www-form-urlencoded (query=…) or POST
application/sparql-query (the query as the body, UTF-8). Results by Accept or a `format`
parameter: application/sparql-results+json (default), …+xml, text/csv, text/tab-separated-values;
CONSTRUCT/DESCRIBE as text/turtle (default), application/ld+json, application/n-triples,
application/rdf+xml, text/n3, application/trig (format names as clients send them: rdf+xml,
n3, json-ld, ...). default-graph-uri / named-graph-uri name graphs of the store (never
fetched). Every answer carries CORS headers; OPTIONS answers the preflight.

Refused: updates (POST application/sparql-update, `update=`) 403; SERVICE 403; a malformed
query 400 with Oxigraph's message; other methods 405; other media types or charsets 415;
oversized requests 413; unacceptable Accept 406; a result the asked format cannot carry 422;
time or memory limit, full lane, or no network barrier 503. Errors are text/plain (one line:
Chinese first, then the detail).
When results were cut (cfg.sparql_max_rows, cfg.sparql_max_result_bytes) the answer says so
in X-PlanGraph-Notice and, where the format allows, in the body. A full queue answers 503 at
once with Retry-After. GET /sparql from a browser (Accept text/html, no query) shows the query
page (web.http.page).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response

from core.errors import QueryError
from kg import sparql
from kg.sparql.guard import zh
from web.http.limits import read_body
from web.http.page import ASSET_PATH, asset_response, page_response, wants_page

log = logging.getLogger(__name__)

PATHS = ("/sparql", "/sparql/")
READ_ONLY = zh("本端点只读,不接受 SPARQL 更新", "SPARQL Update is not accepted: this endpoint is "
               "read-only")
METHODS = ["GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE", "PATCH"]
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "X-PlanGraph-Notice, X-PlanGraph-Rows, Server-Timing, "
                                         "Retry-After"}
PREFLIGHT = {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
             "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
             "Access-Control-Max-Age": "86400"}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
# media type -> format name, for each kind of result; the first entry is the default
RESULT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "application/sparql-results+xml": "xml", "text/csv": "csv",
                "text/tab-separated-values": "tsv", "application/xml": "xml", "text/xml": "xml"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/turtle": "turtle",
               "application/x-turtle": "turtle", "application/ld+json": "json-ld",
               "application/json": "json-ld", "application/n-triples": "n-triples",
               "text/plain": "n-triples", "application/rdf+xml": "rdf-xml",
               "application/xml": "rdf-xml", "text/xml": "rdf-xml", "text/n3": "n3",
               "application/n3": "n3", "text/rdf+n3": "n3", "application/x-json+ld": "json-ld",
               "application/trig": "trig", "application/n-quads": "n-quads"}


def _error(e: QueryError) -> Response:
    headers = dict(CORS)
    if getattr(e, "retry_after", None):
        headers["Retry-After"] = str(e.retry_after)
    return PlainTextResponse(str(e) + "\n", status_code=e.status, headers=headers)


def _media(header: Optional[str]) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    main, *params = header.split(";")
    opts = {}
    for p in params:
        k, _, v = p.partition("=")
        opts[k.strip().lower()] = v.strip().strip('"').lower()
    return main.strip().lower(), opts


def negotiate(info: sparql.QueryInfo, fmt: Optional[str], accept: Optional[str]) -> str:
    """Format name for this query: `format` parameter (name or media type), else Accept."""
    types = GRAPH_TYPES if info.is_graph else RESULT_TYPES
    if fmt:
        return sparql.format_for(info, types.get(_media(fmt)[0], fmt))
    if not accept or not accept.strip():
        return sparql.format_for(info, None if info.is_graph else "json")
    ranked = []
    for i, part in enumerate(accept.split(",")):
        mt, opts = _media(part)
        try:
            q = float(opts.get("q", "1"))
        except ValueError:
            q = 0.0
        if mt and q > 0:
            ranked.append((-q, i, mt))
    for _, _, mt in sorted(ranked):
        if mt in types:
            return types[mt]
        if mt in ("*/*", "*"):
            return sparql.format_for(info, None if info.is_graph else "json")
        major = mt.split("/")[0] + "/"
        if mt.endswith("/*") and any(t.startswith(major) for t in types):
            return next(v for t, v in types.items() if t.startswith(major))
    raise QueryError(zh("无法提供所请求的结果格式", f"none of the accepted media types ({accept}) can "
                        f"carry {info.form} results; accepted are: "
                        f"{', '.join(sorted(set(types)))}"), 406)


def _one_query(params: dict[str, list[str]]) -> str:
    if params.get("update"):
        raise QueryError(READ_ONLY, 403)
    queries = params.get("query", [])
    if len(queries) != 1:
        raise QueryError(zh("请给出一个查询", "give exactly one `query` parameter" if queries else
                            "missing `query` parameter (GET ?query=… or POST)"), 400)
    return queries[0]


async def read_request(request: Request, cfg: Any) -> tuple[str, dict[str, list[str]]]:
    """(query, parameters) of a protocol request; QueryError for anything refused."""
    params: dict[str, list[str]] = {}
    for k, v in request.query_params.multi_items():
        params.setdefault(k, []).append(v)
    if request.method == "GET":
        return _one_query(params), params
    ctype, opts = _media(request.headers.get("content-type"))
    if ctype == UPDATE or (ctype == FORM and "update" in params):
        raise QueryError(READ_ONLY, 403)
    if ctype not in (FORM, DIRECT):
        raise QueryError(zh("不支持的请求类型", f"POST needs Content-Type {DIRECT} or {FORM}"
                            + (f", not {ctype}" if ctype else "")), 415)
    if opts.get("charset", "utf-8") not in ("utf-8", "utf8"):
        raise QueryError(zh("请使用 UTF-8 编码", f"charset={opts['charset']} is not supported: "
                            "send UTF-8"), 415)
    limit = cfg.sparql_max_query_bytes * (3 if ctype == FORM else 1) + 4096
    raw = await read_body(request, limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise QueryError(zh("请求体不是有效的 UTF-8", f"the request body is not valid UTF-8 "
                            f"({e.reason} at byte {e.start})"), 400) from None
    if ctype == DIRECT:
        if "query" in params or "update" in params:
            raise QueryError(zh("查询应放在请求体中", "a direct POST carries the query in the body, "
                                "not in the URL"), 400)
        return text, params
    for k, vs in parse_qs(text, keep_blank_values=True).items():
        params.setdefault(k, []).extend(vs)
    return _one_query(params), params


def make_router(engine: Callable[[], Any], cfg: Any) -> APIRouter:
    """Router with /sparql. `engine()` returns the kg.sparql.SparqlEngine to use (called per
    request, so the graph may load lazily)."""
    router = APIRouter()

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={**CORS, **PREFLIGHT})
        if request.method not in ("GET", "POST"):
            return PlainTextResponse(zh("不支持的请求方法", f"method {request.method} not allowed: "
                                        "use GET or POST") + "\n",
                                     status_code=405, headers={**CORS, "Allow": "GET, POST, OPTIONS"})
        if wants_page(request):
            return page_response(request)
        try:
            query, params = await read_request(request, cfg)
            info = sparql.guard(query, cfg)
            fmts = params.get("format") or params.get("output") or [None]
            fmt = negotiate(info, fmts[0], request.headers.get("accept"))
            base = str(request.url.replace(query="", fragment=""))
            engine().admit(info, cfg, params.get("default-graph-uri"),
                           params.get("named-graph-uri"))
            res = await run_in_threadpool(
                lambda: engine().run(query, cfg, info, params.get("default-graph-uri"),
                                     params.get("named-graph-uri"), base))
            body, ctype = await run_in_threadpool(res.serialize, fmt)
        except QueryError as e:
            log.info("sparql: refused (%s: %s)", e.status, str(e)[:160])
            return _error(e)
        headers = {**CORS, "Vary": "Accept", "X-PlanGraph-Rows": str(res.count),
                   "Server-Timing": f"engine;dur={res.elapsed_ms:.1f}"}
        if res.truncated:
            headers["X-PlanGraph-Notice"] = res.notice
        log.info("sparql: %s, %d %s in %.1f ms", res.form, res.count,
                 "triples" if info.is_graph else "rows", res.elapsed_ms)
        return Response(body, media_type=ctype, headers=headers)

    async def asset(name: str) -> Response:
        return asset_response(name)

    for path in PATHS:
        router.add_api_route(path, endpoint, methods=METHODS, include_in_schema=False)
    router.add_api_route(ASSET_PATH, asset, methods=["GET", "HEAD"], include_in_schema=False)
    return router
