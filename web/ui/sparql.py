"""The SPARQL tab: the example queries shipped in kg/queries/*.rq, an editor, and running a query
through kg.sparql (guard + execute; never raw store access), shown as a table or Turtle with
CSV/JSON downloads."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from core.errors import QueryError
from kg import sparql
from web.ui.data import UIData, to_csv
from web.ui.errors import report_error
from web.ui.render import esc, message

QUERIES_DIR = Path(__file__).resolve().parents[2] / "kg" / "queries"

PREFIXES = {"https://w3id.org/plangraph/ns#": "pg:",
            "https://w3id.org/plangraph/": "pgr:",
            "http://www.w3.org/2004/02/skos/core#": "skos:",
            "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
            "http://www.w3.org/ns/prov#": "prov:",
            "http://purl.org/dc/terms/": "dcterms:",
            "http://www.w3.org/2001/XMLSchema#": "xsd:"}


@dataclass
class Example:
    name: str            # file stem
    title: str
    description: str
    query: str


@dataclass
class QueryResult:
    form: str                                 # select | ask | graph
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)       # full values (CSV)
    display: list[list[str]] = field(default_factory=list)    # compacted IRIs (table)
    body: str = ""                            # SPARQL JSON results, or Turtle for graphs
    content_type: str = ""
    boolean: bool | None = None
    notice: str = ""                          # e.g. "results truncated to the first N rows"
    elapsed_ms: float = 0.0
    count: int = 0                            # triples of a graph result


def load_examples(folder: Path = QUERIES_DIR) -> list[Example]:
    """Every *.rq in the folder, titled by its `# title:` line (file name if none)."""
    out = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        title = re.search(r"^\s*#\s*title\s*:\s*(.+)$", text, re.M | re.I)
        desc = re.search(r"^\s*#\s*description\s*:\s*(.+)$", text, re.M | re.I)
        out.append(Example(path.stem, title.group(1).strip() if title else path.stem,
                           desc.group(1).strip() if desc else "", text))
    return out


def compact(value: str) -> str:
    for ns, prefix in PREFIXES.items():
        if value.startswith(ns) and len(value) > len(ns):
            return prefix + value[len(ns):]
    return value


def _cell(b: dict[str, Any] | None) -> tuple[str, str]:
    if not b:
        return "", ""
    v = str(b.get("value", ""))
    if b.get("type") == "uri":
        return v, compact(v)
    if b.get("type") == "bnode":
        return "_:" + v, "_:" + v
    return v, v


def parse_json_results(body: str) -> QueryResult:
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        raise QueryError(f"SPARQL 结果不是有效的 JSON: {e}") from None
    if "boolean" in data:
        return QueryResult("ask", ["结果"], [[str(data["boolean"]).lower()]],
                           [["是" if data["boolean"] else "否"]], body, boolean=bool(data["boolean"]))
    headers = list(data.get("head", {}).get("vars", []))
    res = QueryResult("select", headers, body=body)
    for b in data.get("results", {}).get("bindings", []):
        cells = [_cell(b.get(h)) for h in headers]
        res.rows.append([c[0] for c in cells])
        res.display.append([c[1] for c in cells])
    return res


def run_query(graph: Any, query: str, cfg: Any) -> QueryResult:
    """Run a query through kg.sparql.execute (guard, then the engine with its time and row
    limits). Raises QueryError with a one-line message."""
    if not query or not query.strip():
        raise QueryError("查询为空:请输入 SPARQL 查询或选择一个示例。")
    res = sparql.execute(graph, query, cfg)
    if res.form in ("CONSTRUCT", "DESCRIBE"):
        body, ctype = res.serialize("turtle")
        out = QueryResult("graph", body=body.decode("utf-8"), content_type=ctype)
        out.count = res.count
    else:
        body, ctype = res.serialize("json")
        out = parse_json_results(body.decode("utf-8"))
        out.content_type = ctype
    out.notice = res.notice
    out.elapsed_ms = float(getattr(res, "elapsed_ms", 0.0) or 0.0)
    return out


def sparql_tab(data: UIData, files: Any) -> None:
    ws = data.ws
    examples = load_examples()
    first = examples[0] if examples else None
    pick = gr.Dropdown(choices=[(e.title, e.name) for e in examples],
                       value=first.name if first else None, label="示例查询",
                       elem_id="pg-sparql-examples")
    desc = gr.HTML(_desc(first.description if first else "没有找到示例查询 (kg/queries/*.rq)。"),
                   js_on_load=None)
    editor = gr.Code(value=first.query if first else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                     language="sql-mySQL", lines=12, max_lines=30, label="SPARQL(只读查询)",
                     elem_id="pg-sparql-editor", interactive=True)
    with gr.Row(equal_height=True):
        run_btn = gr.Button("运行查询", variant="primary", scale=0, min_width=160,
                            elem_id="pg-sparql-run")
        status = gr.HTML(js_on_load=None, elem_id="pg-sparql-status")
        dl_csv = gr.DownloadButton("下载 CSV", size="sm", visible=False, scale=0, min_width=120,
                                   elem_id="pg-sparql-csv")
        dl_json = gr.DownloadButton("下载 JSON", size="sm", visible=False, scale=0,
                                    min_width=120, elem_id="pg-sparql-json")
    table = gr.Dataframe(interactive=False, wrap=True, max_height=600, elem_id="pg-sparql-table",
                         visible=False)
    turtle = gr.Code(label="结果(Turtle)", language=None, visible=False, interactive=False)

    def load_example(name: str) -> tuple[str, str]:
        ex = next((e for e in examples if e.name == name), None)
        return (ex.query, _desc(ex.description)) if ex else (gr.update(), "")

    def run(query: str, progress: gr.Progress = gr.Progress()) -> tuple:
        hidden = gr.DownloadButton(visible=False)
        try:
            progress(0.1, desc="执行查询…")
            t0 = time.perf_counter()
            res = run_query(ws.graph, query, ws.cfg)
            ms = (time.perf_counter() - t0) * 1000
        except Exception as e:   # noqa: BLE001 - QueryError and friends become a message
            return (report_error(e, "执行查询"), gr.Dataframe(visible=False),
                    gr.Code(visible=False), hidden, hidden)
        notice = f" · 结果已截断({res.notice})" if res.notice else ""
        if res.form == "graph":
            path = files.write("sparql", "ttl", res.body)
            return (message(f"返回 {res.count} 条三元组 · {ms:.0f} ms{notice}"),
                    gr.Dataframe(visible=False), gr.Code(value=res.body, visible=True),
                    gr.DownloadButton(visible=False),
                    gr.DownloadButton("下载 Turtle", value=path, visible=True))
        frame = pd.DataFrame(res.display, columns=res.headers) if res.headers else pd.DataFrame()
        csv_path = files.write("sparql", "csv", to_csv(res.headers, res.rows), bom=True)
        json_path = files.write("sparql", "json", _pretty(res.body))
        summary = (f"ASK 结果:{'是' if res.boolean else '否'}" if res.form == "ask"
                   else f"{len(res.rows)} 行 · {len(res.headers)} 列")
        return (message(f"{summary} · {ms:.0f} ms{notice}", "warn" if notice else "info"),
                gr.Dataframe(value=frame, visible=True), gr.Code(visible=False),
                gr.DownloadButton("下载 CSV", value=csv_path, visible=True),
                gr.DownloadButton("下载 JSON", value=json_path, visible=True))

    pick.input(load_example, inputs=[pick], outputs=[editor, desc], api_visibility="undocumented")
    run_btn.click(run, inputs=[editor], outputs=[status, table, turtle, dl_csv, dl_json],
                  api_visibility="undocumented")


def _desc(text: str) -> str:
    return f'<div class="pg-note">{esc(text)}</div>' if text else ""


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), ensure_ascii=False, indent=1)
    except (ValueError, TypeError):
        return body
