"""HTTP access to the SPARQL 1.1 server that holds the graph when cfg.graph_store is a URL
(DESIGN §9): the Oxigraph server, Virtuoso, Fuseki ...

    client = StoreClient.from_config(cfg)
    rows = client.select(query, graphs)         # [{variable: pyoxigraph term or None}]
    up = client.open(query, accept, graphs)     # Upstream: a streamed answer, cancellable
    client.put_graph(iri, data)                 # Graph Store Protocol PUT: the graph replaced whole
    client.delete_graph(iri)

Queries go by the SPARQL 1.1 Protocol (POST, form-encoded) to cfg.graph_store; `graphs` (the
build's plan graphs + shared) are sent as default-graph-uri and named-graph-uri, so the default
graph is their union and GRAPH ?g ranges over them, whatever the server's own default (Virtuoso's
includes its system graphs; the build marker graph is left out). Answers are parsed by
pyoxigraph's result parsers (measured against rdflib's SPARQLStore: see kg/remote.py).

Queries use the standard library's http.client over a socket of our own, so another thread can
cut a running request at once (Upstream.cancel shuts the socket down: the time limit is ours).
Graph Store Protocol writes use httpx, which answers a Basic or a Digest challenge
(Virtuoso's /sparql-graph-crud-auth asks for Digest) with cfg.graph_store_auth. One httpx
client and one auth per StoreClient (close() it, or use it in a `with`): the challenge is
answered once and reused, so each later PUT sends its body once instead of twice (401, retry).
Errors are GraphStoreError with one line naming the URL, never the credentials.
"""
from __future__ import annotations

import base64
import http.client
import re
import socket
import threading
from typing import Any, Iterator, Optional, Sequence
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from core.errors import GraphStoreError

__all__ = ["StoreClient", "Upstream", "unreachable", "canonical"]

JSON_RESULTS = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}


def canonical(term: Any) -> Any:
    """A term as the embedded store writes it: Virtuoso answers xsd:boolean as "1"/"0" (valid
    lexical forms of true/false); everything else is passed through unchanged."""
    if isinstance(term, ox.Literal) and term.value in _BOOLEANS and \
            term.datatype.value == XSD_BOOLEAN:
        return ox.Literal(_BOOLEANS[term.value], datatype=term.datatype)
    return term


def unreachable(url: str, e: BaseException) -> GraphStoreError:
    reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return GraphStoreError(f"图存储无法连接。graph store {url} cannot be reached ({reason})")


_ECHOED = {b"x-sparql-default-graph", b"x-sparql-named-graph"}


class _EchoFilter:
    """The answer's byte stream without the dataset Virtuoso echoes back, one header line per
    default-graph-uri / named-graph-uri (X-SPARQL-default-graph: …): with 50 plans these pass
    http.client's limit of 100 header lines. Everything after the headers passes unchanged."""

    def __init__(self, fp: Any):
        self._fp, self._headers = fp, True

    def readline(self, limit: int = -1) -> bytes:
        while True:
            line = self._fp.readline(limit)
            if self._headers:
                if line in (b"\r\n", b"\n", b""):
                    self._headers = False
                elif line.split(b":", 1)[0].strip().lower() in _ECHOED:
                    continue
            return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


class _Response(http.client.HTTPResponse):
    def __init__(self, sock: Any, *args: Any, **kwargs: Any):
        super().__init__(sock, *args, **kwargs)
        self.fp = _EchoFilter(self.fp)


class Upstream:
    """One query request to the store: open() has sent it; status/headers once answered;
    read() streams the body; cancel() (from any thread) stops it at once."""

    def __init__(self, url: str, body: bytes, headers: dict[str, str], timeout_s: float):
        self.url = url
        parts = urlsplit(url)
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else \
            http.client.HTTPConnection
        self._conn = conn_cls(parts.hostname, parts.port, timeout=timeout_s)
        self._conn.response_class = _Response
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._body, self._headers = body, headers
        self.cancelled = False
        self.response: Optional[http.client.HTTPResponse] = None

    def send(self) -> "Upstream":
        """Connect, send, wait for the status line and headers."""
        try:
            if self.cancelled:
                raise ConnectionAbortedError("cancelled")
            self._conn.connect()            # not under a lock: cancel() must never wait
            if self.cancelled:              # cut while connecting
                raise ConnectionAbortedError("cancelled")
            self._conn.request("POST", self._path, body=self._body, headers=self._headers)
            self.response = self._conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            if self.cancelled:
                raise ConnectionAbortedError("cancelled") from None
            raise unreachable(self.url, e) from None
        return self

    @property
    def status(self) -> int:
        return self.response.status if self.response is not None else 0

    @property
    def cut_by_store(self) -> bool:
        """The store says it cut the answer at its own row limit (Virtuoso: X-SPARQL-MaxRows)."""
        return bool(self.response is not None and self.response.getheader("X-SPARQL-MaxRows"))

    @property
    def content_type(self) -> str:
        ctype = self.response.getheader("Content-Type", "") if self.response else ""
        return ctype.split(";")[0].strip().lower()

    def read(self, n: int = -1) -> bytes:
        if self.response is None:
            return b""
        try:
            return self.response.read(n) if n >= 0 else self.response.read()
        except (OSError, http.client.HTTPException, ValueError) as e:
            if self.cancelled:
                raise ConnectionAbortedError("cancelled") from None
            raise unreachable(self.url, e) from None

    def cancel(self) -> None:
        """Cut the request (any thread): the socket is shut down, blocked reads return."""
        self.cancelled = True
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        try:
            self._conn.close()
        except OSError:
            pass


class StoreClient:
    """The store's query URL (read-only use), its Graph Store Protocol URL (build) and
    credentials (sent only to these URLs)."""

    def __init__(self, query_url: str, update_url: str = "", auth: str = "",
                 timeout_s: float = 60.0):
        self.query_url, self.update_url, self.timeout_s = query_url, update_url, timeout_s
        self._auth = auth
        self._http: Any = None              # the httpx.Client of the writes, made on first use
        self._http_lock = threading.Lock()

    @classmethod
    def from_config(cls, cfg: Any) -> "StoreClient":
        return cls(cfg.graph_store, cfg.graph_store_update, cfg.graph_store_auth,
                   cfg.graph_store_timeout_s)

    def __repr__(self) -> str:
        return f"StoreClient({self.query_url!r}, {self.update_url!r})"

    def close(self) -> None:
        """Close the connection of the writes (the client stays usable: a later write opens
        a new one)."""
        with self._http_lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()

    def __enter__(self) -> "StoreClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- queries ---------------------------------------------------------------------
    def open(self, query: str, accept: str, graphs: Optional[Sequence[str]] = None,
             named: Optional[Sequence[str]] = None, timeout_s: Optional[float] = None,
             send: bool = True) -> Upstream:
        """A query request (sent unless send=False: then call .send(), e.g. in a thread).
        `graphs`: default-graph-uri values; `named`: named-graph-uri values (None: graphs)."""
        fields: list[tuple[str, str]] = [("query", query)]
        fields += [("default-graph-uri", g) for g in graphs or ()]
        fields += [("named-graph-uri", g) for g in (graphs if named is None else named) or ()]
        headers = {"Content-Type": FORM, "Accept": accept, "Accept-Encoding": "identity"}
        if self._auth:
            token = base64.b64encode(self._auth.encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        up = Upstream(self.query_url, urlencode(fields).encode("utf-8"), headers,
                      self.timeout_s if timeout_s is None else timeout_s)
        return up.send() if send else up

    def select(self, query: str, graphs: Optional[Sequence[str]] = None) -> list[dict]:
        """Rows of a SELECT as {variable: pyoxigraph term or None}; GraphStoreError when the
        store cannot be reached or refuses the query."""
        up = self.open(query, JSON_RESULTS, graphs)
        try:
            body = up.read()
        finally:
            up.close()
        if up.status != 200:
            raise self._refused(up.status, body, "query")
        if up.cut_by_store:
            raise GraphStoreError(f"图存储截断了结果。graph store {self.query_url} cut an answer at "
                                  f"{up.response.getheader('X-SPARQL-MaxRows')} rows (its own row "
                                  "limit, e.g. Virtuoso's ResultSetMaxRows): raise that limit")
        try:
            sols = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
            names = [v.value for v in sols.variables]
            return [{n: canonical(s[n]) for n in names} for s in sols]
        except (SyntaxError, ValueError) as e:
            raise GraphStoreError(f"图存储返回的结果无法读取。graph store {self.query_url}: "
                                  f"unreadable answer ({e})") from None

    def _refused(self, status: int, body: bytes, what: str) -> GraphStoreError:
        text = re.sub(r"<(script|style|title|head)\b.*?</\1>|<[^>]*>", " ",
                      body[:4000].decode("utf-8", "replace"), flags=re.S | re.I)
        detail = " ".join(text.split())[:300]          # an HTML error page as one line
        url = self.query_url if what == "query" else self.update_url
        return GraphStoreError(f"图存储拒绝了请求。graph store {url} answered {status} to a "
                               f"{what}" + (f": {detail}" if detail else ""))

    # ---- Graph Store Protocol --------------------------------------------------------
    def _gsp(self, method: str, iri: str, data: Optional[bytes] = None) -> int:
        import httpx
        if not self.update_url:
            raise GraphStoreError("没有配置图存储的写入地址。graph_store_update is not set: build "
                                  "needs the URL of the store's Graph Store Protocol endpoint")
        headers = {"Content-Type": "text/turtle; charset=utf-8"} if data is not None else {}
        with self._http_lock:
            if self._http is None:
                self._http = httpx.Client(timeout=self.timeout_s, auth=_challenge_auth(self._auth))
            http = self._http
        try:
            r = http.request(method, self.update_url, params={"graph": iri}, content=data,
                             headers=headers)
        except httpx.HTTPError as e:
            raise unreachable(self.update_url, e.__context__ or e) from None
        if r.status_code >= 300 and not (method == "DELETE" and r.status_code == 404):
            raise self._refused(r.status_code, r.content, f"{method} of graph <{iri}>")
        return r.status_code

    def put_graph(self, iri: str, data: bytes) -> None:
        """Replace the named graph `iri` with `data` (Turtle/N-Triples) in one request."""
        self._gsp("PUT", iri, data)

    def delete_graph(self, iri: str) -> None:
        """Remove a named graph (absent already is fine)."""
        self._gsp("DELETE", iri)


def _challenge_auth(auth: str) -> Any:
    """httpx auth answering the server's challenge: Digest or Basic (None without auth). The
    scheme the first challenge named is kept: later requests carry its Authorization at once
    (Digest with the challenge it was given; a stale nonce is answered again by httpx)."""
    if not auth:
        return None
    import httpx
    user, _, password = auth.partition(":")

    class ChallengeAuth(httpx.Auth):
        requires_request_body = True

        def __init__(self) -> None:
            self.inner: Optional[httpx.Auth] = None

        def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
            if self.inner is not None:
                yield from self.inner.sync_auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
            inner = (httpx.DigestAuth if scheme == "digest" else httpx.BasicAuth)(user, password)
            self.inner = inner
            flow = inner.sync_auth_flow(request)
            retry = next(flow)
            if scheme == "digest":
                retry = flow.send(response)
            yield retry

    return ChallengeAuth()
