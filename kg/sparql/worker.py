"""A SPARQL worker process (run as a script by kg.sparql.engine; imports nothing of PlanGraph).

    python kg/sparql/worker.py MODE SOURCE OPTIONS_JSON

MODE "dir" opens the on-disk store SOURCE read-only, "dump" loads the N-Quads file SOURCE into
memory. OPTIONS: {"netns": bool, "seccomp": bool, "memory_mb": int, "nice": int}.

Barriers, set up before pyoxigraph is imported:
- netns: a new user + network namespace (no interface is up: connections fail).
- seccomp: a filter that kills the process on socket() (and io_uring_setup, foreign-ABI
  calls). Nothing here needs a socket; Oxigraph opens one only to run SERVICE, so the engine
  reads a death by SIGSYS as "this query tried to reach the network" (answered 403).
- memory: RLIMIT_AS at memory_mb; an allocation past it aborts the worker (answered 503).
The start-up frame reports which barriers hold; the engine refuses to run queries when
none does (fail closed).

Frames: requests on stdin (4-byte length + JSON); replies on stdout (8-byte header with two
big-endian lengths, JSON head, binary body). Results are TSV (SELECT) or N-Triples (graphs),
cut at `max` rows and `max_bytes` bytes.
"""
import ctypes
import json
import os
import platform
import resource
import signal
import struct
import sys

try:                        # run as a script (kg.sparql.engine): this folder is first on sys.path
    from cap import Cap
except ImportError:          # imported as kg.sparql.worker
    from kg.sparql.cap import Cap

signal.signal(signal.SIGINT, signal.SIG_IGN)

# audit arch, socket, io_uring_setup, and whether nr >= 0x40000000 is the x32 ABI
_ARCH = {"x86_64": (0xC000003E, 41, 425, True), "aarch64": (0xC00000B7, 198, 425, False)}
_LD, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06           # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
_KILL, _ALLOW = 0x80000000, 0x7FFF0000                   # SECCOMP_RET_KILL_PROCESS, _ALLOW


def unshare_network() -> bool:
    try:
        return sys.platform.startswith("linux") and ctypes.CDLL(None, use_errno=True).unshare(
            0x10000000 | 0x40000000) == 0                  # CLONE_NEWUSER | CLONE_NEWNET
    except Exception:
        return False


def forbid_sockets() -> bool:
    """Install the seccomp filter; True when the kernel reports it in force."""
    arch = _ARCH.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    audit, nr_socket, nr_uring, x32 = arch

    def ins(code, jt, jf, k):
        return struct.pack("HBBI", code, jt, jf, k)
    prog = [ins(_LD, 0, 0, 4), ins(_JEQ, 1, 0, audit), ins(_RET, 0, 0, _KILL),
            ins(_LD, 0, 0, 0), ins(_JGE, 3, 0, 0x40000000 if x32 else 0xFFFFFFFF),
            ins(_JEQ, 2, 0, nr_socket), ins(_JEQ, 1, 0, nr_uring),
            ins(_RET, 0, 0, _ALLOW), ins(_RET, 0, 0, _KILL)]
    buf = ctypes.create_string_buffer(b"".join(prog))

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    fprog = Prog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:                # PR_SET_NO_NEW_PRIVS
            return False
        if libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:   # PR_SET_SECCOMP, FILTER
            return False
        with open("/proc/self/status") as f:
            return any(line.split() == ["Seccomp:", "2"] for line in f)
    except Exception:
        return False


def limit_memory(mb: int) -> bool:
    if mb <= 0:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
        return True
    except (ValueError, OSError):
        return False


def main():
    mode, src, opts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    netns = bool(opts.get("netns")) and unshare_network()
    seccomp = bool(opts.get("seccomp")) and forbid_sockets()
    memory = limit_memory(int(opts.get("memory_mb") or 0))
    if opts.get("nice"):
        os.nice(int(opts["nice"]))
    import pyoxigraph as ox
    inp, out = sys.stdin.buffer, sys.stdout.buffer

    def send(head, body=b""):
        h = json.dumps(head).encode()
        out.write(struct.pack(">II", len(h), len(body)) + h + body)
        out.flush()
    try:
        if mode == "dir":
            store = ox.Store.read_only(src)
        else:
            store = ox.Store()
            store.bulk_load(path=src, format=ox.RdfFormat.N_QUADS)
    except Exception as e:
        send({"ok": False, "error": "cannot open the graph store: %s" % e})
        sys.exit(1)
    send({"ok": True, "netns": netns, "seccomp": seccomp, "memory": memory,
          "quads": len(store)})
    while True:
        hdr = inp.read(4)
        if len(hdr) < 4:
            sys.exit(0)
        req = json.loads(inp.read(struct.unpack(">I", hdr)[0]))
        kw = {"base_iri": req.get("base")} if req.get("base") else {}
        if req.get("dg") is not None or req.get("ng") is not None:
            kw["default_graph"] = [ox.NamedNode(g) for g in req.get("dg") or []]
            kw["named_graphs"] = [ox.NamedNode(g) for g in req.get("ng") or []]
        elif req.get("union"):
            kw["use_default_graph_as_union"] = True
        try:
            res = store.query(req["q"], **kw)
            if isinstance(res, ox.QueryBoolean):
                send({"ok": True, "kind": "boolean", "count": 1, "truncated": ""},
                     b"true" if bool(res) else b"false")
                continue
            table = isinstance(res, ox.QuerySolutions)
            cap = Cap(req["max"] + (1 if table else 0), req["max_bytes"])  # TSV has a header
            try:
                res.serialize(cap, ox.QueryResultsFormat.TSV if table else ox.RdfFormat.N_TRIPLES)
            except Exception:
                if not cap.full:
                    raise
            data = cap.result()
            send({"ok": True, "kind": "solutions" if table else "graph", "truncated": cap.full,
                  "count": max(0, data.count(b"\n") - (1 if table else 0))}, data)
        except MemoryError:
            send({"ok": False, "status": 503, "error": "memory"})
        except (SyntaxError, ValueError) as e:
            send({"ok": False, "status": 400, "error": str(e)})
        except Exception as e:
            send({"ok": False, "status": 500, "error": "%s: %s" % (type(e).__name__, e)})


if __name__ == "__main__":
    main()
