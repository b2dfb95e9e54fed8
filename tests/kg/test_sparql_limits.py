"""Limits of the SPARQL engine below the HTTP layer (issue 13 §4, §5, §8): lanes and queues,
the slow-query memory, worker deaths read as what the query did, the byte cap."""
from __future__ import annotations

import threading
import time

import pytest

from core.errors import QueryError
from kg import sparql
from kg.sparql.guard import QueryInfo
from kg.sparql.lanes import BusyError, Lane, SlowQueries, fingerprint
from kg.sparql.result import SparqlResult
from tests.web.sparql_fixtures import plan_quads, write_store

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("limits") / "store"
    write_store(path, plan_quads())
    with sparql.SparqlEngine("dir", path, memory_mb=600) as eng:
        yield eng


def test_a_full_lane_refuses_at_once_with_retry_after():
    lane = Lane("slow", slots=1, queue=1)
    lane.acquire(1.0, 10)
    waiter = threading.Thread(target=lambda: (lane.acquire(5.0, 10), lane.release()))
    waiter.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    with pytest.raises(BusyError) as e:
        lane.acquire(5.0, 10)            # one running, one waiting: no wait at all
    assert time.monotonic() - t0 < 1.0 and e.value.status == 503 and e.value.retry_after == 10
    lane.release()
    waiter.join()
    assert lane.state() == {"slots": 1, "running": 0, "waiting": 0, "queue": 1}


def test_query_shape_ignores_comments_variable_names_and_literals(cfg):
    a = sparql.guard("SELECT ?x WHERE { ?x <http://p> 'a' } # one", cfg).shape
    b = sparql.guard("select ?y where {\n ?y <http://p> 42 }", cfg).shape
    c = sparql.guard("SELECT ?x WHERE { ?x <http://q> 'a' }", cfg).shape
    assert a == b != c


def test_slow_queries_are_remembered_by_text_whitespace_folded():
    memory = SlowQueries(size=2)
    key = fingerprint("SELECT  *\n{ ?s ?p ?o }", None, None)
    memory.mark(key)
    assert fingerprint("SELECT * { ?s ?p ?o }", None, None) in memory
    assert fingerprint("SELECT * { ?s ?p ?o }", ["http://g/"], None) not in memory
    memory.mark("b"), memory.mark("c")
    assert key not in memory                                  # bounded


def test_a_slow_query_leaves_the_fast_lane_and_is_remembered(engine, cfg):
    c = cfg.replace(sparql_fast_lane_s=0.3, sparql_timeout_s=1.5)
    with sparql.SparqlEngine(engine.mode, engine.source) as uncapped:   # no memory cap here
        with pytest.raises(QueryError) as e:
            uncapped.run(SLOW, c)
        assert e.value.status == 503 and getattr(e.value, "retry_after", 0) >= 1, str(e.value)
        assert "sparql_timeout_s" in str(e.value)
        assert fingerprint(sparql.guard(SLOW, c).shape, None, None) in uncapped.slow_queries
        varied = SLOW.replace("?a", "?first") + ' # another spelling, "same" shape'
        assert fingerprint(sparql.guard(varied, c).shape, None, None) in uncapped.slow_queries
        assert uncapped.status()["lanes"]["slow"]["running"] == 0
        assert uncapped.run("ASK { ?s ?p ?o }", c).boolean is True


def test_worker_stack_overflow_is_a_400_even_past_the_guard(engine, cfg):
    q = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    with pytest.raises(QueryError) as e:
        sparql.guard(q, cfg)
    assert e.value.status == 400 and "nested" in str(e.value)
    with pytest.raises(QueryError) as e:
        engine.run(q, cfg, QueryInfo("SELECT", False, len(q)))
    assert e.value.status == 400 and "stack overflow" in str(e.value)
    assert engine.run("ASK {}", cfg).boolean is True


def test_worker_memory_cap_is_a_503(engine, cfg):
    q = ('SELECT (STRLEN(?v26) AS ?n) WHERE { BIND("0123456789abcdef" AS ?v0) '
         + " ".join(f"BIND(CONCAT(?v{i},?v{i}) AS ?v{i + 1})" for i in range(26)) + " }")
    with pytest.raises(QueryError) as e:
        engine.run(q, cfg.replace(sparql_max_memory_mb=600, sparql_timeout_s=30.0))
    assert e.value.status == 503 and "600 MB" in str(e.value)


def test_a_sort_over_a_cross_product_hits_the_memory_cap_not_the_clock(engine, cfg):
    q = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
    with pytest.raises(QueryError) as e:
        engine.run(q, cfg.replace(sparql_max_memory_mb=600, sparql_timeout_s=60.0,
                                  sparql_fast_lane_s=60.0))
    assert e.value.status == 503 and "sparql_max_memory_mb" in str(e.value)


def test_a_worker_starts_and_answers_well_inside_its_memory_limit(engine):
    """The limit is on address space: thread arenas reserved by glibc must not eat it (the
    store's threads once reserved ~260 MB untouched, and a worker under 600 MB sometimes could
    not start). 320 MB is far above what a worker on this store really uses."""
    from kg.sparql.process import WorkerProcess
    for _ in range(3):
        w = WorkerProcess(engine.mode, engine.source,
                          {"netns": True, "seccomp": True, "memory_mb": 320})
        try:
            head, body = w.call({"q": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                 "max": 10, "max_bytes": 10_000}, 30)
            assert head["ok"] and int(body.split()[1]) > 0
        finally:
            w.kill()


def test_byte_cap_cuts_whole_rows_in_the_worker(engine, cfg):
    res = engine.run("SELECT * WHERE { ?s ?p ?o }", cfg.replace(sparql_max_result_bytes=5000))
    assert res.truncated == "bytes" and len(res.payload) <= 5000
    assert res.payload.endswith(b"\n") and res.count == len(res.rows())
    assert "sparql_max_result_bytes" in res.notice


def test_conversion_that_grows_past_the_cap_drops_rows_and_says_so():
    header, row = b"?s\n", b'"' + b"x" * 50 + b'"\n'
    res = SparqlResult("SELECT", header + row * 100, 100, "", 1000, 1.0, 3000)
    body, _ = res.serialize("xml")
    assert len(body) <= 3000 + 200 and res.truncated == "bytes" and 0 < res.count < 100
    assert body.startswith("<!-- 结果已截断".encode())


def test_a_query_past_the_fast_lane_moves_on_with_its_work_kept(engine, cfg, monkeypatch):
    """Past sparql_fast_lane_s the running worker changes lanes instead of being killed and
    the query started again: the answer comes from the worker that began it (it finishes,
    now a slow-lane worker, and is handed back; whether the slow pool keeps it depends on
    what else is idle there)."""
    q = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
         "FILTER(STR(?c) < STR(?f)) }")                         # ~1-2 s here
    c = cfg.replace(sparql_fast_lane_s=0.2, sparql_timeout_s=60.0)
    engine.warm("fast")
    fast_before = {w.proc.pid for w in engine._idle["fast"]}
    finished, lost = [], []
    give_back, discard_lost = engine._give_back, engine._lost
    monkeypatch.setattr(engine, "_give_back",
                        lambda w: (finished.append((w.proc.pid, w.lane)), give_back(w)))
    monkeypatch.setattr(engine, "_lost", lambda w: (lost.append(w.proc.pid), discard_lost(w)))
    res = engine.run(q, c)
    assert int(res.rows()[0]["n"].value) > 0
    moved = [pid for pid, lane in finished if lane == "slow" and pid in fast_before]
    assert moved and not set(lost) & fast_before, (fast_before, finished, lost)
    assert fingerprint(sparql.guard(q, c).shape, None, None) in engine.slow_queries
