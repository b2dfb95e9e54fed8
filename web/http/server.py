"""One HTTP server (DESIGN §4): the Gradio UI at /, the SPARQL 1.1 Protocol endpoint at
/sparql, the JSON API /api/ask, /healthz and the whole graph at /data/plangraph.trig (.ttl).

    serve(cfg)               # builds artifacts if stale, then serves on cfg.host:cfg.port
    app = create_app(ws, cfg)  # the ASGI app, for tests and other servers

Binds cfg.host (127.0.0.1 by default). Any other address needs cfg.auth (user:password, env
PLANGRAPH_AUTH); with auth set, HTTP Basic authentication guards every route. Access logs
drop query strings (they carry questions and queries); nothing logs credentials.
"""
from __future__ import annotations

import contextlib
import errno
import json
import logging
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

import anyio.to_thread
import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, JSONResponse

import pipeline
import qa
from core.config import Config
from core.errors import ConfigError, PlanGraphError, QueryError, QuestionError
from core.protocols import Workspace
from core.types import Answer
from kg import sparql
from web.http.auth import BasicAuthMiddleware, check_access
from web.http.limits import RefuseUploads, read_body
from web.http.sparql import make_router
from web.ui import build_ui

log = logging.getLogger(__name__)

QA_CONCURRENCY = 2
THREADS = 40                 # worker threads besides those waiting for a SPARQL lane
# /data/plangraph.<ext> -> (file in data/kg/, media type)
DOWNLOADS = {"trig": ("graph.trig", "application/trig"), "ttl": ("graph.ttl", "text/turtle")}


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _engine_of(ws: Workspace, cfg: Config) -> Callable[[], Any]:
    def engine() -> Any:
        return sparql.engine_for(ws.graph, cfg)
    return engine


def _valid_text(value: Any) -> bool:
    """A str that can be written as UTF-8 (no lone surrogates such as "\\ud800")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def create_app(ws: Workspace, cfg: Config, blocks: Optional[gr.Blocks] = None,
               answer: Callable[..., Answer] = qa.answer) -> FastAPI:
    """The whole app for a loaded Workspace: `blocks` (default web.ui.build_ui(ws)) at /,
    `answer` (default qa.answer) behind /api/ask."""
    check_access(cfg)
    engine = _engine_of(ws, cfg)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        # requests waiting for a SPARQL lane or a QA slot each hold a worker thread: room for
        # every lane's queue plus the questions, so waiting SPARQL never starves /api/ask
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, THREADS + cfg.sparql_queue)
        try:
            await run_in_threadpool(lambda: engine().warm())
        except PlanGraphError as e:   # /sparql will report it per request; say it loudly now
            log.error("SPARQL engine unavailable: %s", e)
            _stderr(f"WARNING: SPARQL is unavailable: {e}")
        yield
        with contextlib.suppress(Exception):
            engine().close()

    app = FastAPI(title="PlanGraph 规划图谱", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.include_router(make_router(engine, cfg))
    qa_slots = threading.BoundedSemaphore(QA_CONCURRENCY)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        eng = sparql.running_engine(ws.loaded("graph"))
        state = eng.status() if eng is not None else {"network_isolated": None}
        return JSONResponse({"status": "ok", "documents": len(ws.corpus.documents),
                             "qa": {"loaded": "qa" in ws.derived},
                             "sparql": {"loaded": eng is not None, **state}})

    def _answer(question: Any, qid: Any) -> JSONResponse:
        if not isinstance(question, str) or not question.strip():
            return JSONResponse({"error": "问题为空 (empty question: give ?q=… or "
                                          "{\"question\": …})"}, 400)
        if not _valid_text(question):
            return JSONResponse({"error": "问题含有无效字符 (the question is not valid Unicode: "
                                          "lone surrogate)"}, 400)
        if qid is not None and not (isinstance(qid, (str, int)) and _valid_text(str(qid))):
            return JSONResponse({"error": "id 必须是字符串或整数 (id must be a string or an "
                                          "integer)"}, 400)
        if len(question) > cfg.max_question_chars:
            return JSONResponse({"error": f"问题过长 (question too long: {len(question)} characters, "
                                          f"limit max_question_chars={cfg.max_question_chars})"}, 400)
        t0 = time.perf_counter()
        try:
            with qa_slots:
                ans = answer(ws, question, qid=qid)
        except QuestionError as e:
            return JSONResponse({"error": str(e)}, 400)
        except PlanGraphError as e:
            log.error("ask failed: %s", e)
            return JSONResponse({"error": str(e)}, 500)
        except Exception:
            log.exception("ask failed (question of %d characters)", len(question))
            return JSONResponse({"error": "internal error; see the server log"}, 500)
        log.info("ask: %d characters, found=%s, %.0f ms", len(question),
                 getattr(ans, "found", None), (time.perf_counter() - t0) * 1000)
        return JSONResponse(ans.to_dict())

    @app.get("/data/plangraph.{ext}", include_in_schema=False)
    async def download(ext: str) -> Any:
        """The whole graph as built (no row cap): TriG with every plan's graph, or Turtle."""
        name = DOWNLOADS.get(ext)
        path = Path(cfg.data_dir) / "kg" / name[0] if name else None
        if path is None or not path.is_file():
            return JSONResponse({"error": "没有该文件 (available: /data/plangraph.trig, "
                                          "/data/plangraph.ttl)"}, 404)
        return FileResponse(path, media_type=name[1], filename=f"plangraph.{ext}")

    @app.get("/api/ask", include_in_schema=False)
    async def ask_get(q: str = "", id: Optional[str] = None) -> JSONResponse:
        return await run_in_threadpool(_answer, q, id)

    @app.post("/api/ask", include_in_schema=False)
    async def ask_post(request: Request) -> JSONResponse:
        try:
            raw = await read_body(request, cfg.max_request_bytes)
        except QueryError as e:
            return JSONResponse({"error": str(e)}, e.status)
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):   # RecursionError: e.g. "[" x 100 000
            data = None
        if not isinstance(data, dict):
            return JSONResponse({"error": "请求体应为 JSON 对象 (the body must be a JSON object "
                                          "{\"question\": …})"}, 400)
        return await run_in_threadpool(_answer, data.get("question"), data.get("id"))

    gr.mount_gradio_app(app, blocks if blocks is not None else build_ui(ws), path="/",
                        show_error=False)
    app.add_middleware(RefuseUploads)
    if cfg.auth:
        app.add_middleware(BasicAuthMiddleware, credentials=cfg.auth)
    return app


class _RedactQuery(logging.Filter):
    """uvicorn access lines without query strings (questions and SPARQL queries)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = args[:2] + (args[2].split("?", 1)[0] + "?…",) + args[3:]
        return True


def _check_port(cfg: Config) -> None:
    try:
        infos = socket.getaddrinfo(cfg.host, cfg.port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise ConfigError(f"host {cfg.host!r} cannot be resolved: {e}") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ConfigError(f"port {cfg.port} on {cfg.host} is already in use; "
                                  "choose another with --port") from None
            raise ConfigError(f"cannot listen on {cfg.host}:{cfg.port}: {e.strerror}") from None


def urls(cfg: Config) -> tuple[str, str]:
    host = f"[{cfg.host}]" if ":" in cfg.host else cfg.host
    base = f"http://{host}:{cfg.port}/"
    return base, base + "sparql"


def serve(cfg: Config, progress: Callable[[str], None] = _stderr,
          on_loaded: Optional[Callable[[Any], None]] = None) -> None:
    """Run the app. `on_loaded(ws)`: the entry point's start-up work (app.py: load what
    questions need, then settle the heap), run in a background thread once loaded."""
    check_access(cfg)
    _check_port(cfg)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    ws = pipeline.Workspace.open(cfg, build_if_needed=True, progress=progress)
    app = create_app(ws, cfg)
    if on_loaded is not None:
        threading.Thread(target=on_loaded, args=(ws,), name="plangraph-warm", daemon=True).start()
    config = uvicorn.Config(app, host=cfg.host, port=cfg.port, log_level="info")
    logging.getLogger("uvicorn.access").addFilter(_RedactQuery())
    ui, endpoint = urls(cfg)
    banner = (f"PlanGraph 规划图谱 is ready: {ui}\nSPARQL endpoint: {endpoint}"
              + ("\n(HTTP Basic authentication is on)" if cfg.auth else ""))

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(banner, flush=True)

    Server(config).run()
