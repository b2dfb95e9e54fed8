"""kg/queries/*.rq: every analyst query is documented, runs over the union graph, returns rows."""
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

QUERIES = sorted((Path(__file__).resolve().parents[2] / "kg" / "queries").glob("*.rq"))


def test_queries_at_least_twelve():
    assert len(QUERIES) >= 12


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_queries_header_comments(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# title: ") and len(lines[0]) > len("# title: ") + 1
    assert lines[1].startswith("# description: ")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_queries_return_well_formed_rows(path, real_graph):
    res = real_graph.store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    rows = list(res)
    assert rows, f"{path.name} returned no rows"
    for row in rows:
        values = [row[n] for n in names]
        assert any(v is not None for v in values)
        assert all(v is None or isinstance(v, (Literal, NamedNode)) for v in values)
