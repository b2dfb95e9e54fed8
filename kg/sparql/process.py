"""A SPARQL worker process seen from the engine: start it, send a request, read the reply
frame by frame (a reply not complete by the deadline stays buffered, so the caller may keep
waiting for it), and read a death as what the query did (see kg/sparql/worker.py).

    w = WorkerProcess("dir", store_path, {"netns": True, "seccomp": True, "memory_mb": 1024})
    head, body = w.call(request, timeout_s)   # _Late (still running) or _Died(QueryError)
"""
from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from core.errors import QueryError
from kg.sparql.guard import zh

__all__ = ["WorkerProcess", "BARRIERS", "memory_error", "unisolated"]

START_TIMEOUT_S = 120.0             # opening the store (or loading a dump) in a new worker
BARRIERS = ("netns", "seccomp")     # network barriers a worker sets up (tests may drop some)
WORKER = Path(__file__).resolve().with_name("worker.py")
# The worker's memory barrier is an address-space limit (RLIMIT_AS). glibc reserves 64 MB of
# address space per malloc arena and makes an arena per thread that allocates, so the store's
# background threads alone reserved ~260 MB the worker never touched; near the limit a new
# thread then failed to start (EAGAIN) before any query ran. Two arenas keep reservations
# close to what is really used, so the limit measures memory, not thread count.
WORKER_ENV = {"MALLOC_ARENA_MAX": "2"}


class _Late(Exception):
    pass


class _Died(Exception):
    def __init__(self, error: QueryError):
        super().__init__(str(error))
        self.error = error


def _death(rc: Optional[int], stderr: str, memory_mb: int) -> QueryError:
    """What a worker's death says about the query it was running."""
    if rc == -signal.SIGSYS:
        return QueryError(zh("不允许联邦查询 (SERVICE)", "SERVICE (federated query) is not allowed on "
                             "this endpoint: the query tried to open a network connection; "
                             "nothing was sent"), 403)
    if "overflowed its stack" in stderr or rc == -signal.SIGSEGV:
        return QueryError(zh("查询嵌套过深,引擎无法处理", "malformed query: nested too deeply for the "
                             "engine (stack overflow)"), 400)
    if "memory allocation" in stderr or "MemoryError" in stderr or (
            rc == -signal.SIGABRT and memory_mb):
        return memory_error(memory_mb)
    return QueryError(zh("SPARQL 引擎在执行查询时停止", "the SPARQL engine stopped while running "
                         f"the query (exit {rc})"), 500)


def memory_error(memory_mb: int) -> QueryError:
    return QueryError(zh("查询所需内存超过上限", f"query stopped: it needed more than {memory_mb} MB "
                         "of memory (sparql_max_memory_mb)"), 503)


class WorkerProcess:
    def __init__(self, mode: str, src: str, opts: dict, lane: str = "fast"):
        self.memory_mb, self.lane = int(opts.get("memory_mb") or 0), lane
        self._buf = bytearray()              # reply bytes read but not yet returned
        self.stderr_tail = ""                # the end of stderr, once the process died
        self.proc = subprocess.Popen([sys.executable, str(WORKER), mode, src, json.dumps(opts)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True,
                                     env={**os.environ, **WORKER_ENV})
        self._poll = select.poll()           # POSIX; select.select fails on fds >= 1024
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN)
        try:
            head, _ = self.read(time.monotonic() + START_TIMEOUT_S)
        except _Late:
            self.kill()
            raise QueryError("the SPARQL engine did not start", 500) from None
        except _Died as d:
            self.kill()
            raise QueryError(f"the SPARQL engine did not start ({d.error}; "
                             f"{self.stderr_tail})", 500) from None
        if not head.get("ok"):
            self.kill()
            raise QueryError(f"the SPARQL engine did not start: {head.get('error')}", 500)
        self.barriers = {b: bool(head.get(b)) for b in BARRIERS}
        self.quads = int(head["quads"])

    def _fill(self, n: int, deadline: float) -> None:
        """Until the buffer holds n bytes; what arrived stays buffered when _Late is raised."""
        fd = self.proc.stdout.fileno()
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(left * 1000):
                raise _Late()
            chunk = os.read(fd, min(n - len(self._buf), 1 << 20))
            if not chunk:
                raise _Died(self._died())
            self._buf += chunk

    def _died(self) -> QueryError:
        try:
            rc = self.proc.wait(timeout=5)
            err = self.proc.stderr.read(1 << 16).decode("utf-8", "replace")
        except (subprocess.TimeoutExpired, OSError, ValueError):
            rc, err = None, ""
        self.stderr_tail = " ".join(err.split())[-300:]
        return _death(rc, err, self.memory_mb)

    def read(self, deadline: float) -> tuple[dict, bytes]:
        """The next reply frame; _Late leaves a partial frame buffered for the next call."""
        self._fill(8, deadline)
        hl, bl = struct.unpack(">II", self._buf[:8])
        self._fill(8 + hl + bl, deadline)
        frame, self._buf = bytes(self._buf[:8 + hl + bl]), self._buf[8 + hl + bl:]
        return json.loads(frame[8:8 + hl]), frame[8 + hl:]

    def call(self, req: dict, timeout_s: float) -> tuple[dict, bytes]:
        data = json.dumps(req).encode("utf-8", "surrogatepass")
        try:
            self.proc.stdin.write(struct.pack(">I", len(data)) + data)
            self.proc.stdin.flush()
        except OSError:
            raise _Died(self._died()) from None
        return self.read(time.monotonic() + timeout_s)

    def renice(self, lane: str, nice: int) -> None:
        """Hand a running worker to another lane (raising its nice value is always allowed)."""
        self.lane = lane
        try:
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, nice)
        except OSError:
            pass

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


def unisolated() -> QueryError:
    return QueryError(zh("SPARQL 查询已停用:无法隔离查询进程的网络", "SPARQL is disabled: the "
                         "worker processes cannot be cut off from the network (no network "
                         "namespace and no seccomp filter on this system)"), 503)
