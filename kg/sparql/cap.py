"""The result sink of SPARQL serialisation, shared by the sandboxed worker (kg/sparql/worker.py,
which imports it as a sibling module and nothing else of PlanGraph) and the proxy to a graph
store (kg/sparql/remote.py). Standard library only, no side effect at import."""
import io


class Cap(io.RawIOBase):
    """A sink that stops the serializer after `rows` lines or `limit` bytes."""

    def __init__(self, rows, limit):
        self.buf, self.rows, self.limit, self.lines, self.full = bytearray(), rows, limit, 0, ""

    def writable(self):
        return True

    def write(self, b):
        b = bytes(b)
        self.buf += b
        self.lines += b.count(b"\n")
        if self.lines > self.rows:
            self.full = "rows"
        elif len(self.buf) > self.limit:
            self.full = "bytes"
        if self.full:
            raise BrokenPipeError("result limit reached")
        return len(b)

    def result(self):
        """Whole lines only: at most `rows` lines and `limit` bytes."""
        data = bytes(self.buf)
        if not self.full:
            return data
        data = data[:self.limit + 1] if self.full == "bytes" else data
        cut, seen = -1, 0
        while seen < self.rows:
            nxt = data.find(b"\n", cut + 1)
            if nxt < 0 or nxt + 1 > self.limit:
                break
            cut, seen = nxt, seen + 1
        return data[:cut + 1]
