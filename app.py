"""PlanGraph command line (DESIGN §4). Parses arguments and calls the packages; no logic here.

python app.py [--corpora DIR] [--data DIR] COMMAND ...
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import shutil  # noqa: E402

import evaluation  # noqa: E402
import pipeline  # noqa: E402
import qa  # noqa: E402
from core import runtime  # noqa: E402
from core.catalog import Catalog  # noqa: E402
from core.config import load_config  # noqa: E402
from core.errors import PlanGraphError, QueryError, QuestionError, describe_os_error  # noqa: E402
from evaluation import bench  # noqa: E402
from kg import sparql  # noqa: E402
from qa import fit as qfit  # noqa: E402
from qa.router import state_for  # noqa: E402
from qa.scorer import PARAMS  # noqa: E402

COMMANDS = ("serve", "build", "ask", "sparql", "export", "eval", "bench", "add")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python app.py",
                                description="PlanGraph 规划图谱: knowledge graph and cited QA "
                                            "over Chinese planning documents.")
    p.add_argument("--corpora", type=Path, help="corpus folder with catalog.toml (default corpora/)")
    p.add_argument("--data", type=Path, help="artifact folder (default data/ or $PLANGRAPH_DATA)")
    p.add_argument("--model", help="embedding model: m3e-small, a sentence-transformers name, or a path")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("serve", help="start the web app (UI + /sparql); builds first if needed")
    s.add_argument("--host", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default 7860)")
    s.add_argument("--auth", help="user:password, required when --host is not loopback (visible "
                                  "in the process list: prefer the PLANGRAPH_AUTH variable)")

    b = sub.add_parser("build", help="build all artifacts atomically")
    b.add_argument("--force", action="store_true", help="rebuild even if artifacts are current")
    _workers_options(b)

    a = sub.add_parser("ask", help="answer a question with citations")
    a.add_argument("question", nargs="?", help="the question, in Chinese")
    a.add_argument("--json", action="store_true", help="print the answer object as JSON")
    a.add_argument("--batch", type=Path, help="JSONL file of {id, question}")
    a.add_argument("--out", type=Path, help="output JSONL for --batch (default stdout)")

    q = sub.add_parser("sparql", help="run a read-only SPARQL query on the graph")
    q.add_argument("query", nargs="?", help="the query text")
    q.add_argument("--file", type=Path, help="read the query from a .rq file")
    q.add_argument("--format", default=None,
                   help="json, csv, tsv, xml (SELECT/ASK; default tsv); turtle, n-triples, "
                        "json-ld, rdf-xml, n3 (CONSTRUCT/DESCRIBE; default turtle)")

    x = sub.add_parser("export", help="write the whole graph (no row cap)")
    x.add_argument("--format", default="trig", choices=["trig", "turtle"],
                   help="trig: every plan's named graph (default); turtle: their union")
    x.add_argument("--out", type=Path, help="output file (default stdout)")

    e = sub.add_parser("eval", help="evaluate retrieval, answers (and extraction) on a QA file")
    e.add_argument("qa_file", type=Path, nargs="?", help="QA JSONL (DESIGN §7 format)")
    e.add_argument("--kg", type=Path, help="gold entity JSON to score extraction against")
    e.add_argument("--json", action="store_true", help="print one JSON object")

    m = sub.add_parser("bench", help="measure build, ask, SPARQL, serve-ready and memory")
    m.add_argument("--json", action="store_true", help="print one JSON object")
    m.add_argument("--scale", type=int, help="also build a synthetic corpus of N plan copies")
    m.add_argument("--scale-only", action="store_true",
                   help="with --scale: measure only the synthetic corpus")
    m.add_argument("--load", action="store_true", help="also run the HTTP load test")
    m.add_argument("--attack", action="store_true",
                   help="with --load: 10 clients loop a slow SPARQL query meanwhile")
    _workers_options(m)

    f = sub.add_parser("fit", help="fit the reader's parameters on the training questions")
    f.add_argument("--questions", type=Path, default=None,
                   help="folder of question JSONL files (default: evaluation/questions)")
    f.add_argument("--out", type=Path, default=None, help="params file (default: qa/params/reader.json)")

    d = sub.add_parser("add", help="copy a plan into corpora/ and register it in the catalog")
    d.add_argument("file", type=Path)
    d.add_argument("--city", required=True)
    d.add_argument("--title", required=True)
    d.add_argument("--issuer", default="")
    d.add_argument("--issued", default="")
    d.add_argument("--period", default="")
    d.add_argument("--id", dest="doc_id", help="catalog id (default: from the file name)")
    return p


def _workers_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, help="build each plan (ingest, extraction, missing "
                   "embeddings) in N worker processes (default 1: all in this process)")
    p.add_argument("--cluster", help="use the workers of a running Dask scheduler "
                   "(tcp://host:8786) instead of local ones; --workers N waits for N of them")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    cmd = args.command or "serve"
    if getattr(args, "auth", None):
        print("warning: --auth is visible to every user in the process list; set PLANGRAPH_AUTH "
              "instead (警告:命令行中的密码对所有用户可见,请改用环境变量 PLANGRAPH_AUTH)",
              file=sys.stderr)
    try:
        cfg = load_config({"corpora_dir": args.corpora, "data_dir": args.data,
                           "model": args.model,
                           "host": getattr(args, "host", None), "port": getattr(args, "port", None),
                           "auth": getattr(args, "auth", None),
                           "build_workers": getattr(args, "workers", None),
                           "build_cluster": getattr(args, "cluster", None)})
        return globals()[f"cmd_{cmd}"](cfg, args)
    except PlanGraphError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:          # a file system failure not turned into a PlanGraphError
        print(f"error: {describe_os_error(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def cmd_build(cfg, args) -> int:
    pipeline.build(cfg, force=args.force)
    return 0


def _prepare_answering(ws) -> None:
    """Runtime policy of a process that answers many questions: load what they need, then
    settle the heap (core/runtime.py)."""
    qa.prepare(ws)
    runtime.settle_heap()


def _bench_policy(ws) -> None:
    """bench builds first (thread pools untouched), then measures answering under the policy
    `serve` applies: thread limits, then the heap settled after the warm-up question."""
    runtime.for_answering()
    runtime.settle_heap()


def cmd_serve(cfg, args) -> int:
    # imported here: the server brings gradio, fastapi and uvicorn (~3 s CPU on this machine,
    # measured with /usr/bin/time), which no other command needs
    from web.http.server import serve
    runtime.for_answering()
    serve(cfg, on_loaded=_prepare_answering)
    return 0


def cmd_ask(cfg, args) -> int:
    if (args.question is None) == (args.batch is None):
        raise QuestionError("ask: give a question or --batch FILE (one of them)")
    runtime.for_answering()
    ws = pipeline.Workspace.open(cfg, build_if_needed=True, rebuild_damaged=False)
    if args.batch is None:          # one question: the process ends with it, nothing to settle
        ans = qa.answer(ws, args.question)
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=1) if args.json
              else qa.render_text(ans))
        return 0
    rows = qa.read_batch(args.batch)
    _prepare_answering(ws)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for row in rows:
            ans = qa.answer(ws, row["question"], qid=row.get("id"))
            out.write(json.dumps(ans.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


def cmd_sparql(cfg, args) -> int:
    if (args.query is None) == (args.file is None):
        raise QueryError("sparql: give a query or --file Q.rq (one of them)")
    text = args.query
    if args.file is not None:
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"sparql: cannot read {args.file}: {e}") from None
    ws = pipeline.Workspace.open(cfg, build_if_needed=True, rebuild_damaged=False)
    body, _ctype = sparql.run_to_text(ws.graph, text, cfg, fmt=args.format)
    sys.stdout.write(body if body.endswith("\n") else body + "\n")
    return 0


def cmd_export(cfg, args) -> int:

    pipeline.Workspace.open(cfg, build_if_needed=True)
    src = cfg.data_dir / "kg" / ("graph.trig" if args.format == "trig" else "graph.ttl")
    try:
        with open(src, "rb") as f:
            if args.out is None:
                shutil.copyfileobj(f, sys.stdout.buffer)
            else:
                with open(args.out, "wb") as out:
                    shutil.copyfileobj(f, out)
    except OSError as e:
        raise PlanGraphError(f"export: {e.strerror}: {e.filename}") from None
    return 0


def cmd_eval(cfg, args) -> int:
    if args.qa_file is None and args.kg is None:
        raise PlanGraphError("eval: give a QA JSONL file and/or --kg GOLD.json")
    ws = pipeline.Workspace.open(cfg, build_if_needed=True)
    report = evaluation.run(ws, args.qa_file, kg_gold=args.kg)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json
          else evaluation.format_text(report))
    return 0


def cmd_fit(cfg, args) -> int:
    ws = pipeline.Workspace.open(cfg, build_if_needed=True)
    st = state_for(ws, fitting=True)
    params = qfit.fit(st.reader, ws, args.questions or qfit.QUESTIONS,
                      progress=lambda m: print(m, file=sys.stderr))
    out = args.out or PARAMS
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_text(params.to_json() + "\n", encoding="utf-8")
    tmp.replace(out)
    print(f"wrote {out} (version {params.version}, threshold {params.threshold}, "
          f"{params.metrics})")
    return 0


def cmd_bench(cfg, args) -> int:
    report = bench.run(cfg, scale=args.scale, load=args.load, attack=args.attack,
                       scale_only=args.scale_only, after_load=_bench_policy)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json
          else bench.format_text(report))
    return 0


def cmd_add(cfg, args) -> int:
    cat = Catalog.load(cfg.corpora_dir)
    e = cat.add(args.file, city=args.city, title=args.title, issuer=args.issuer,
                issued=args.issued, period=args.period, doc_id=args.doc_id)
    print(f"added {e.id} ({e.city}《{e.title}》) as {cfg.corpora_dir / e.file}; "
          "run `python app.py build` to index it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
