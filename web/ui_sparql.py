"""The SPARQL tab's logic: the example queries shipped in kg/queries/*.rq, and running a query
through kg.sparql (guard + execute; never raw store access), turned into a table."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import QueryError
from kg import sparql

QUERIES_DIR = Path(__file__).resolve().parent.parent / "kg" / "queries"

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


def run(graph: Any, query: str, cfg: Any) -> QueryResult:
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
