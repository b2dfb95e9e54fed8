"""Read-only SPARQL over the graph store (DESIGN §6, §9): a guard, then the Oxigraph engine
(pyoxigraph) in worker processes that are killed when a query runs past its time limit.

    info = guard(query, cfg)                  # QueryInfo, or QueryError(message, status)
    res = execute(graph, query, cfg)          # SparqlResult: payload, count, truncation notice
    body, content_type = run_to_text(graph, query, cfg, fmt)

QueryError statuses: 400 malformed query or bad argument; 403 SPARQL Update or SERVICE (never
run); 413 query over cfg.sparql_max_query_bytes; 503 over cfg.sparql_timeout_s, or engine
busy; 500 engine failure.

Guard. A SPARQL 1.1 tokenizer (strings, long strings, IRIs, comments, variables, prefixed
names, blank nodes, language tags; also once with \\u escapes expanded). Oxigraph's PEG grammar
needs no word boundary after a keyword (measured: `SERVICE:{…}`, `service:{…}`,
`SERVICEex:a{…}`, `trueSERVICE<…>{…}` all make it call the endpoint), so any keyword-like token
(bare word, prefix of a prefixed name, blank-node label, language tag) containing SERVICE is
refused; strings, IRIs, comments, variables and local names, which Oxigraph reads greedily as
one token, may contain it. Syntax is left to Oxigraph (400 with its message). rdflib's parser
is not used on requests: it raised RecursionError on a SELECT of 100 triple patterns and took
9.8 s on a 38 KB FILTER. FROM / FROM NAMED and the protocol's graph IRIs name graphs of the
store; nothing is ever fetched.

Engine. kg.sparql_engine: a pool of `python -c` worker processes per store that open it
read-only without network access and are killed at cfg.sparql_timeout_s. SparqlEngine and
engine_for are re-exported here; import them from kg.sparql.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import pyoxigraph as ox

from core.errors import QueryError
from kg.sparql_engine import SparqlEngine, engine_for

__all__ = ["guard", "tokenize", "format_for", "content_type", "execute", "run_to_text",
           "QueryInfo", "Token", "SparqlResult", "SparqlEngine", "engine_for"]

log = logging.getLogger(__name__)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset("INSERT DELETE LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING".split())

_QR, _RF = ox.QueryResultsFormat, ox.RdfFormat
RESULT_FORMATS = {"json": _QR.JSON, "xml": _QR.XML, "csv": _QR.CSV, "tsv": _QR.TSV}
GRAPH_FORMATS = {"turtle": _RF.TURTLE, "n-triples": _RF.N_TRIPLES, "json-ld": _RF.JSON_LD,
                 "rdf-xml": _RF.RDF_XML}
FORMAT_ALIASES = {"ttl": "turtle", "nt": "n-triples", "ntriples": "n-triples",
                  "jsonld": "json-ld", "rdf": "rdf-xml", "rdfxml": "rdf-xml"}


def content_type(fmt: str) -> str:
    mt = (RESULT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt]).media_type.split(";")[0]
    return mt + "; charset=utf-8" if mt.startswith("text/") else mt


# ---- guard -------------------------------------------------------------------------------
_B = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D"
      "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _B + "_"
_C = _U + "0-9\u00B7\u0300-\u036F\u203F\u2040\\-"            # PN_CHARS
_V = _U + "0-9\u00B7\u0300-\u036F\u203F\u2040"               # VARNAME continuation (no '-')
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LEX = re.compile(rf"""
  (?P<ws>\s+) | (?P<comment>\#[^\r\n]*)
| (?P<lstring>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
| (?P<string>'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
| (?P<open>'''|\"\"\"|'|")
| (?P<iri><[^<>"{{}}|^`\x00-\x20]*>)
| (?P<var>[?$][{_U}0-9][{_V}]*)
| (?P<bnode>_:[{_U}0-9](?:[{_C}.]*[{_C}])?)
| (?P<pname>(?P<prefix>[{_B}](?:[{_C}.]*[{_C}])?)?:
     (?:(?:[{_U}:0-9]|{_PLX})(?:(?:[{_C}.:]|{_PLX})*(?:[{_C}:]|{_PLX}))?)?)
| (?P<word>[{_U}][{_C}]*)
| (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
| (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
| (?P<punct>.)
""", re.X | re.S)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PAIRS = {"(": ")", "{": "}", "[": "]"}
_ANY = re.compile(".", re.S)


@dataclass(frozen=True)
class Token:
    kind: str       # word, pname, var, iri, string, bnode, lang, number, punct
    text: str
    pos: int
    prefix: str = ""  # for pname: the part before the first ':'


@dataclass(frozen=True)
class QueryInfo:
    form: str               # SELECT | ASK | CONSTRUCT | DESCRIBE
    has_dataset: bool       # the query names its dataset (FROM / FROM NAMED)
    size: int               # bytes, UTF-8

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _where(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    return f"line {text.count(chr(10), 0, pos) + 1}, column {pos - line_start + 1}"


def tokenize(text: str) -> list[Token]:
    """SPARQL tokens (comments and whitespace dropped). QueryError(400) on an unclosed string."""
    out: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _LEX.match(text, pos)
        kind = m.lastgroup if m.lastgroup != "prefix" else "pname"
        if kind == "open":
            raise QueryError(f"malformed query: unterminated string at {_where(text, pos)}", 400)
        if kind == "lang" and not (out and out[-1].kind == "string"):
            kind, m = "punct", _ANY.match(text, pos)                 # '@' not after a string
        if kind in ("lstring", "string"):
            kind = "string"
        if kind not in ("ws", "comment"):
            out.append(Token(kind, m.group(), pos, (m.group("prefix") or "") if kind == "pname" else ""))
        pos = m.end()
    return out


def _expand(text: str) -> str:
    def sub(m: re.Match) -> str:
        cp = int(m.group(1) or m.group(2), 16)
        return chr(cp) if cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else "\uFFFD"
    return _ESCAPE.sub(sub, text)


def _keyword_like(tok: Token) -> str:
    if tok.kind in ("word", "lang"):
        return tok.text
    if tok.kind == "pname":
        return tok.prefix
    return tok.text[2:] if tok.kind == "bnode" else ""


def _refuse_service(text: str, tokens: list[Token]) -> None:
    for t in tokens:
        if "SERVICE" in _keyword_like(t).upper():
            hint = "" if t.text.upper() == "SERVICE" else (
                " (Oxigraph may read a name containing SERVICE as the keyword; write the IRI "
                "in full)")
            raise QueryError(f"SERVICE (federated query) is not allowed on this endpoint: "
                             f"{t.text!r} at {_where(text, t.pos)}{hint}", 403)


def guard(query: str, cfg: Any) -> QueryInfo:
    """Classify a query and refuse what must not run. Raises QueryError (see module doc)."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError("empty query: give a SELECT, ASK, CONSTRUCT or DESCRIBE query", 400)
    try:
        size = len(query.encode("utf-8"))
    except UnicodeEncodeError as e:
        raise QueryError(f"the query is not valid Unicode (at character {e.start})", 400) from None
    if size > cfg.sparql_max_query_bytes:
        raise QueryError(f"query too large: {size} bytes (limit sparql_max_query_bytes="
                         f"{cfg.sparql_max_query_bytes})", 413)
    tokens = tokenize(query)
    _refuse_service(query, tokens)
    expanded = _expand(query)
    if expanded != query:        # Oxigraph expands \u escapes only inside strings and IRIs, a
        try:                     # spec-conforming parser everywhere: refuse SERVICE in either
            _refuse_service(expanded, tokenize(expanded))
        except QueryError as e:
            if e.status == 403:
                raise
    words = [t for t in tokens if t.kind == "word"]
    for t in words:
        if t.text.upper() in UPDATE_WORDS:
            raise QueryError(f"SPARQL Update is not allowed: this endpoint is read-only "
                             f"({t.text} at {_where(query, t.pos)})", 403)
    i = 0
    while i < len(tokens) and tokens[i].kind == "word" and tokens[i].text.upper() in (
            "PREFIX", "BASE", "VERSION"):
        i += {"PREFIX": 3, "BASE": 2, "VERSION": 2}[tokens[i].text.upper()]
    first = tokens[i] if i < len(tokens) else None
    if first is None or first.kind != "word" or first.text.upper() not in FORMS:
        found = repr(first.text) if first else "the end of the query"
        where = f"at {_where(query, first.pos)}" if first else ""
        raise QueryError(f"malformed query: expected SELECT, ASK, CONSTRUCT or DESCRIBE, "
                         f"found {found} {where}".rstrip(), 400)
    stack: list[Token] = []
    for t in tokens:
        if t.kind == "punct" and t.text in _PAIRS:
            stack.append(t)
        elif t.kind == "punct" and t.text in _PAIRS.values():
            if not stack or _PAIRS[stack[-1].text] != t.text:
                raise QueryError(f"malformed query: unexpected {t.text!r} at {_where(query, t.pos)}", 400)
            stack.pop()
    if stack:
        raise QueryError(f"malformed query: {stack[-1].text!r} at {_where(query, stack[-1].pos)} "
                         "is never closed", 400)
    return QueryInfo(first.text.upper(), any(t.text.upper() == "FROM" for t in words), size)


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
        raise QueryError(f"format {fmt!r} does not apply to {info.form} results; use "
                         f"{', '.join(table)}", 400)
    return name


# ---- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SparqlResult:
    """One query's answer as the engine wrote it: TSV (SELECT), N-Triples (CONSTRUCT,
    DESCRIBE) or b"true"/b"false" (ASK); at most max_rows rows/triples."""
    form: str
    payload: bytes
    count: int
    truncated: bool
    max_rows: int
    elapsed_ms: float

    @property
    def boolean(self) -> Optional[bool]:
        return self.payload == b"true" if self.form == "ASK" else None

    @property
    def notice(self) -> str:
        return (f"results truncated to the first {self.max_rows} "
                f"{'triples' if self.form in ('CONSTRUCT', 'DESCRIBE') else 'rows'} "
                "(sparql_max_rows)") if self.truncated else ""

    def _solutions(self):
        if self.form == "ASK":
            return ox.parse_query_results(json.dumps({"head": {}, "boolean": self.boolean}),
                                          _QR.JSON)
        return ox.parse_query_results(self.payload, _QR.TSV)

    def variables(self) -> list[str]:
        return [] if self.form != "SELECT" else [v.value for v in self._solutions().variables]

    def rows(self) -> list[dict[str, Any]]:
        """SELECT rows as {variable: pyoxigraph term or None}."""
        if self.form != "SELECT":
            return []
        sols = self._solutions()
        names = [v.value for v in sols.variables]
        return [{n: s[n] for n in names} for s in sols]

    def triples(self) -> list[ox.Quad]:
        return list(ox.parse(self.payload, _RF.N_TRIPLES)) if self.form in ("CONSTRUCT", "DESCRIBE") else []

    def serialize(self, fmt: str) -> tuple[bytes, str]:
        """Bytes in the named format (see RESULT_FORMATS / GRAPH_FORMATS) and its media type."""
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            if fmt == "n-triples":
                return self.payload, content_type(fmt)
            used = {k: v for k, v in _prefixes().items() if v.encode() in self.payload}
            return ox.serialize(self.triples(), format=GRAPH_FORMATS[fmt],
                                prefixes=used), content_type(fmt)
        if fmt == "tsv" and self.form == "SELECT":
            return self.payload, content_type(fmt)
        return self._solutions().serialize(format=RESULT_FORMATS[fmt]), content_type(fmt)


def _prefixes() -> dict[str, str]:
    try:
        from kg.rdf import PREFIXES
        return {k: v for k, v in PREFIXES.items() if k != "id"}
    except ImportError:
        return {}


def execute(graph: Any, query: str, cfg: Any, default_graph_uris: Optional[Sequence[str]] = None,
            named_graph_uris: Optional[Sequence[str]] = None,
            base_iri: Optional[str] = None) -> SparqlResult:
    """Guard, then run. Default graph: the union of all graphs, unless the query (FROM) or
    default_graph_uris / named_graph_uris say otherwise (graphs of the store only)."""
    info = guard(query, cfg)
    return engine_for(graph, cfg).run(query, cfg, info, default_graph_uris, named_graph_uris,
                                      base_iri)


def run_to_text(graph: Any, query: str, cfg: Any, fmt: Optional[str] = None) -> tuple[str, str]:
    """For the CLI and UI: (text, content type). fmt: json|csv|tsv|xml for SELECT/ASK (default
    tsv), turtle|n-triples|json-ld|rdf-xml for CONSTRUCT/DESCRIBE (default turtle)."""
    info = guard(query, cfg)
    name = format_for(info, fmt)
    res = engine_for(graph, cfg).run(query, cfg, info)
    if res.truncated:
        log.warning("%s", res.notice)
    body, ctype = res.serialize(name)
    return body.decode("utf-8"), ctype
