"""Result formats and the result of one query (DESIGN §6).

    name = format_for(info, "rdf+xml")        # canonical format name for the query form
    body, media_type = result.serialize(name)  # bytes within cfg.sparql_max_result_bytes

The engine hands back TSV (SELECT), N-Triples (CONSTRUCT/DESCRIBE) or b"true"/b"false" (ASK)
cut at the row and byte caps; serialize() converts and, when the converted body would pass the
byte cap, drops rows until it fits. A capped result says so in `notice` (the HTTP side puts it
in a header) and in the body: a "notice" member in SPARQL JSON, a leading comment in XML,
Turtle, N-Triples, N3, TriG and RDF/XML (CSV, TSV and JSON-LD have no place for it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

import pyoxigraph as ox

from core.errors import QueryError
from kg.rdf import PREFIXES
from kg.sparql.guard import QueryInfo, zh

__all__ = ["SparqlResult", "format_for", "content_type", "RESULT_FORMATS", "GRAPH_FORMATS"]

_QR, _RF = ox.QueryResultsFormat, ox.RdfFormat
RESULT_FORMATS = {"json": _QR.JSON, "xml": _QR.XML, "csv": _QR.CSV, "tsv": _QR.TSV}
GRAPH_FORMATS = {"turtle": _RF.TURTLE, "n-triples": _RF.N_TRIPLES, "json-ld": _RF.JSON_LD,
                 "rdf-xml": _RF.RDF_XML, "n3": _RF.N3, "trig": _RF.TRIG,
                 "n-quads": _RF.N_QUADS}
# names clients send (SPARQLWrapper's RDFXML/N3/JSONLD, media-type-like names, extensions)
FORMAT_ALIASES = {"ttl": "turtle", "nt": "n-triples", "ntriples": "n-triples",
                  "jsonld": "json-ld", "rdf": "rdf-xml", "rdfxml": "rdf-xml",
                  "rdf+xml": "rdf-xml", "rdf xml": "rdf-xml", "xml-rdf": "rdf-xml", "application/rdf+xml": "rdf-xml",
                  "notation3": "n3", "text/n3": "n3", "nq": "n-quads", "nquads": "n-quads",
                  "sparql-results+json": "json", "sparql-results+xml": "xml",
                  "json+ld": "json-ld", "ld+json": "json-ld", "text/turtle": "turtle"}


def content_type(fmt: str) -> str:
    mt = (RESULT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt]).media_type.split(";")[0]
    return mt + "; charset=utf-8" if mt.startswith("text/") else mt


def format_for(info: QueryInfo, fmt: Optional[str]) -> str:
    """The canonical format name for a query form; default tsv (results) / turtle (graphs).
    For CONSTRUCT/DESCRIBE, json means JSON-LD and xml RDF/XML."""
    if fmt is None or fmt == "":
        return "turtle" if info.is_graph else "tsv"
    name = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if info.is_graph:                   # what clients mean by json/xml for an RDF graph
        name = {"json": "json-ld", "xml": "rdf-xml"}.get(name, name)
    table = GRAPH_FORMATS if info.is_graph else RESULT_FORMATS
    if name not in table:
        raise QueryError(zh("不支持的结果格式", f"format {fmt!r} does not apply to {info.form} "
                            f"results; use {', '.join(table)}"), 400)
    return name


def _unconvertible(e: Exception, native: str) -> QueryError:
    """422: a result the engine wrote but the converter refuses (e.g. 300 nested triple
    terms); the engine's own format still carries it."""
    detail = " ".join(str(e).split())
    detail = detail if len(detail) <= 200 else detail[:200] + "…"
    return QueryError(zh("结果无法转换为所请求的格式", f"the results cannot be converted ({detail}); "
                         f"ask for {native}"), 422)


def _comment(fmt: str, notice: str) -> bytes:
    """The notice as a leading comment, in formats that have comments."""
    notice = "结果已截断 — " + notice.replace("--", "- -")
    if fmt in ("turtle", "n-triples", "n3", "trig", "n-quads"):
        return f"# {notice}\n".encode()
    if fmt in ("xml", "rdf-xml"):
        return f"<!-- {notice} -->\n".encode()
    return b""


@dataclass
class SparqlResult:
    """One query's answer as the engine wrote it: TSV (SELECT), N-Triples (CONSTRUCT,
    DESCRIBE) or b"true"/b"false" (ASK); at most max_rows rows and max_bytes bytes.
    `truncated`: "" (complete), "rows" or "bytes" (which cap cut it), "store" (the graph
    store's own limit, kg.sparql.remote)."""
    form: str
    payload: bytes
    count: int
    truncated: str
    max_rows: int
    elapsed_ms: float
    max_bytes: int = 0

    @classmethod
    def from_head(cls, head: dict, payload: bytes, info: QueryInfo, cfg: Any,
                  elapsed_ms: float) -> "SparqlResult":
        """The result of a successful run as an engine reports it: `head` says its kind
        (boolean / solutions / graph), row count and truncation (kg.sparql.worker's header)."""
        form = {"boolean": "ASK", "solutions": "SELECT"}.get(head["kind"], info.form)
        return cls(form, payload, head["count"], head["truncated"] or "", cfg.sparql_max_rows,
                   elapsed_ms, cfg.sparql_max_result_bytes)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def notice(self) -> str:
        unit = "triples" if self.is_graph else "rows"
        if self.truncated == "bytes":
            return (f"results truncated to the first {self.count} {unit}: the answer is limited "
                    f"to {self.max_bytes} bytes (sparql_max_result_bytes)")
        if self.truncated == "store":
            return (f"results truncated to the first {self.count} {unit} by the graph store's "
                    "own row limit (e.g. Virtuoso's ResultSetMaxRows)")
        if self.truncated:
            return f"results truncated to the first {self.max_rows} {unit} (sparql_max_rows)"
        return ""

    @property
    def boolean(self) -> Optional[bool]:
        return self.payload == b"true" if self.form == "ASK" else None

    def _solutions(self, payload: Optional[bytes] = None):
        if self.form == "ASK":
            return ox.parse_query_results(json.dumps({"head": {}, "boolean": self.boolean}),
                                          _QR.JSON)
        try:
            return ox.parse_query_results(self.payload if payload is None else payload, _QR.TSV)
        except (SyntaxError, ValueError) as e:
            raise _unconvertible(e, "TSV") from None

    def variables(self) -> list[str]:
        return [] if self.form != "SELECT" else [v.value for v in self._solutions().variables]

    def rows(self) -> list[dict[str, Any]]:
        """SELECT rows as {variable: pyoxigraph term or None}."""
        if self.form != "SELECT":
            return []
        sols = self._solutions()
        names = [v.value for v in sols.variables]
        return [{n: s[n] for n in names} for s in sols]

    def triples(self, payload: Optional[bytes] = None) -> list[ox.Quad]:
        if not self.is_graph:
            return []
        try:
            return list(ox.parse(self.payload if payload is None else payload, _RF.N_TRIPLES))
        except (SyntaxError, ValueError) as e:
            raise _unconvertible(e, "N-Triples") from None

    def _convert(self, fmt: str, payload: bytes) -> bytes:
        if self.is_graph:
            if fmt == "n-triples":
                return payload
            text = payload.decode("utf-8", "replace")
            used = {k: v for k, v in PREFIXES.items() if k != "id" and v in text}
            return ox.serialize(self.triples(payload), format=GRAPH_FORMATS[fmt], prefixes=used)
        if fmt == "tsv" and self.form == "SELECT":
            return payload
        return self._solutions(payload).serialize(format=RESULT_FORMATS[fmt])

    def serialize(self, fmt: str) -> tuple[bytes, str]:
        """Bytes in the named format and its media type; within max_bytes (rows dropped from
        the end when a conversion grows past it; `notice` then says so)."""
        payload, body = self.payload, b""
        for _ in range(8):
            try:
                body = self._convert(fmt, payload)
            except (SyntaxError, ValueError) as e:       # raised lazily while iterating
                raise _unconvertible(e, "N-Triples" if self.is_graph else "TSV") from None
            if not self.max_bytes or len(body) <= self.max_bytes or self.form == "ASK":
                break
            lines = payload.split(b"\n")
            header = lines[:1] if self.form == "SELECT" else []
            rows = lines[len(header):-1]
            keep = int(len(rows) * self.max_bytes / len(body) * 0.9)
            payload = b"\n".join(header + rows[:keep]) + b"\n"
            self.truncated, self.count = "bytes", keep
        if self.truncated and fmt == "json" and body.startswith(b"{"):
            note = json.dumps("结果已截断 — " + self.notice, ensure_ascii=False)
            body = b'{"notice":' + note.encode() + b"," + body[1:]
        elif self.truncated:
            body = _comment(fmt, self.notice) + body
        return body, content_type(fmt)
