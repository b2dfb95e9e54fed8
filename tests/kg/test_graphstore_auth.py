"""Graph Store Protocol writes answer a Basic challenge (kg.graphstore._challenge_auth): a
small HTTP server on loopback that asks for Basic credentials and checks them."""
from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.errors import GraphStoreError
from kg.graphstore import StoreClient

USER, PASSWORD = "dba", "s3cret:with-colon"
IRI = "https://w3id.org/plangraph/graph/plan-a"


class _BasicStore(BaseHTTPRequestHandler):
    """PUT/DELETE: 401 with a Basic challenge unless the right Authorization is sent."""
    protocol_version = "HTTP/1.1"
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization")
        self.server.seen.append((self.command, auth, body))
        status = 201 if auth == self.expected else 401
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="graph store"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = _handle

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def basic_store():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BasicStore)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_graphstore_answers_a_basic_challenge_once_and_keeps_it(basic_store):
    server, url = basic_store
    with StoreClient(url + "/query", url + "/store", f"{USER}:{PASSWORD}") as client:
        client.put_graph(IRI, b"<http://a> <http://b> <http://c> .\n")
        client.put_graph(IRI, b"<http://a> <http://b> <http://d> .\n")
        client.delete_graph(IRI)
    auths = [a for _m, a, _b in server.seen]
    assert auths == [None, _BasicStore.expected, _BasicStore.expected, _BasicStore.expected]
    assert [m for m, _a, _b in server.seen] == ["PUT", "PUT", "PUT", "DELETE"]
    assert server.seen[1][2] == b"<http://a> <http://b> <http://c> .\n"


def test_graphstore_wrong_basic_credentials_are_one_line_without_them(basic_store):
    server, url = basic_store
    with StoreClient(url + "/query", url + "/store", f"{USER}:wrong-password") as client:
        with pytest.raises(GraphStoreError) as e:
            client.put_graph(IRI, b"<http://a> <http://b> <http://c> .\n")
    msg = str(e.value)
    assert "401" in msg and url in msg and "\n" not in msg and "wrong-password" not in msg
    assert len(server.seen) == 2                 # asked once, answered once, refused
