"""The SPARQL guard (DESIGN §6, §9): classify a query and refuse what must not run, before
any engine sees it.

    info = guard(query, cfg)        # QueryInfo(form, has_dataset, size, shape), or QueryError

Statuses: 400 malformed (unclosed string or bracket, nesting deeper than MAX_NESTING, no query
form), 403 SPARQL Update or SERVICE, 413 over cfg.sparql_max_query_bytes. Messages start in
Chinese and keep the technical detail (one line).

A SPARQL 1.1 tokenizer (strings, long strings, IRIs, comments, variables, prefixed names,
blank nodes, language tags; also once with \\u escapes expanded). Oxigraph's PEG grammar needs
no word boundary after a keyword (`SERVICE:{…}`, `trueSERVICE<…>{…}` make it call out), so any
keyword-like token containing SERVICE is refused. This is a courtesy (a clear 403 early), not
the barrier: a tokenizer cannot know whether Oxigraph reads `<` as an IRI or as less-than
(`FILTER(1<2)SERVICE#>)` hides SERVICE from it). The barrier is in the worker processes
(kg.sparql.worker): a seccomp filter kills a worker that opens a socket, which only SERVICE
does, and the engine answers 403 - a decision made by the engine's own parser and evaluator.
rdflib's parser is not used: it raised RecursionError on a SELECT of 100 triple patterns and
took 9.8 s on a 38 KB FILTER, and it would be a second, different grammar.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.errors import QueryError

__all__ = ["guard", "tokenize", "shape", "QueryInfo", "Token", "MAX_NESTING", "zh"]

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset("INSERT DELETE LOAD CLEAR DROP CREATE ADD MOVE COPY WITH USING".split())

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
# deeper bracket nesting overflowed the engine's stack (3 000 nested `{` killed a worker);
# real queries nest a dozen levels
MAX_NESTING = 128
_ANY = re.compile(".", re.S)


def zh(chinese: str, detail: str) -> str:
    """One-line message: Chinese first, then the technical detail (e.g. the parser's text)."""
    return f"{chinese}。{detail}"


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
    shape: str = ""         # the query without comments, variable names and literal values

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
            raise QueryError(zh("查询语法错误:字符串没有结束", f"malformed query: unterminated string at {_where(text, pos)}"), 400)
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
            raise QueryError(zh("不允许联邦查询 (SERVICE)", f"SERVICE (federated query) is not allowed on this endpoint: "
                             f"{t.text!r} at {_where(text, t.pos)}{hint}"), 403)


def guard(query: str, cfg: Any) -> QueryInfo:
    """Classify a query and refuse what must not run. Raises QueryError (see module doc)."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError(zh("查询为空", "empty query: give a SELECT, ASK, CONSTRUCT or DESCRIBE query"), 400)
    try:
        size = len(query.encode("utf-8"))
    except UnicodeEncodeError as e:
        raise QueryError(zh("查询含有无效的 Unicode 字符", f"the query is not valid Unicode (at character {e.start})"), 400) from None
    if size > cfg.sparql_max_query_bytes:
        raise QueryError(zh("查询过长", f"query too large: {size} bytes (limit sparql_max_query_bytes="
                         f"{cfg.sparql_max_query_bytes})"), 413)
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
            raise QueryError(zh("本端点只读,不接受 SPARQL 更新", f"SPARQL Update is not allowed: this endpoint is read-only "
                             f"({t.text} at {_where(query, t.pos)})"), 403)
    i = 0
    while i < len(tokens) and tokens[i].kind == "word" and tokens[i].text.upper() in (
            "PREFIX", "BASE", "VERSION"):
        i += {"PREFIX": 3, "BASE": 2, "VERSION": 2}[tokens[i].text.upper()]
    first = tokens[i] if i < len(tokens) else None
    if first is None or first.kind != "word" or first.text.upper() not in FORMS:
        found = repr(first.text) if first else "the end of the query"
        where = f"at {_where(query, first.pos)}" if first else ""
        raise QueryError(zh("查询语法错误:应以 SELECT、ASK、CONSTRUCT 或 DESCRIBE 开始", f"malformed query: expected SELECT, ASK, CONSTRUCT or DESCRIBE, "
                         f"found {found} {where}".rstrip()), 400)
    stack: list[Token] = []
    for t in tokens:
        if t.kind == "punct" and t.text in _PAIRS:
            stack.append(t)
            if len(stack) > MAX_NESTING:
                raise QueryError(zh("查询嵌套过深", f"malformed query: brackets nested deeper than "
                                    f"{MAX_NESTING} at {_where(query, t.pos)}"), 400)
        elif t.kind == "punct" and t.text in _PAIRS.values():
            if not stack or _PAIRS[stack[-1].text] != t.text:
                raise QueryError(zh("查询语法错误:括号不匹配", f"malformed query: unexpected {t.text!r} at {_where(query, t.pos)}"), 400)
            stack.pop()
    if stack:
        raise QueryError(zh("查询语法错误:括号没有闭合", f"malformed query: {stack[-1].text!r} at {_where(query, stack[-1].pos)} "
                         "is never closed"), 400)
    return QueryInfo(first.text.upper(), any(t.text.upper() == "FROM" for t in words), size,
                     shape(tokens))


def shape(tokens: list[Token]) -> str:
    """What makes a query slow, not its spelling: tokens without comments and whitespace,
    variables numbered by first use, literals as one placeholder (so a slow query stays
    known however its comments, variable names or constants are varied)."""
    names: dict[str, str] = {}
    out = []
    for t in tokens:
        if t.kind == "var":
            out.append(names.setdefault(t.text[1:], f"?{len(names)}"))
        elif t.kind in ("string", "number", "lang"):
            out.append("L")
        else:
            out.append(t.text.upper() if t.kind == "word" else t.text)
    return " ".join(out)
