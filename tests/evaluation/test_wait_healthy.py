"""wait_healthy (bench and the replica tests wait for a server with it): ready, exited, late."""
from __future__ import annotations

import subprocess
import sys

from evaluation.load import wait_healthy
from tests.web.sparql_fixtures import free_port

SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def test_a_server_answering_healthz_is_ready():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    try:
        assert wait_healthy(f"http://127.0.0.1:{port}", proc, 30) is None
    finally:
        proc.kill()
        proc.wait()


def test_a_server_that_exits_or_never_answers_is_reported():
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert "exited with 3" in wait_healthy(f"http://127.0.0.1:{free_port()}", proc, 30)
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert "not ready after 0.5 s" in wait_healthy(f"http://127.0.0.1:{free_port()}", idle, 0.5)
    finally:
        idle.kill()
        idle.wait()
