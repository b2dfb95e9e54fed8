"""Bounded load run (marker `load`): 20 concurrent clients mixing /sparql and /api/ask against
the real server (real build) on loopback; zero errors. The full 20 x 50 run, with latency and
throughput figures, is `python app.py bench --load` (figures are reported, never asserted)."""
import pytest

from evaluation.load import run_load
from tests.fakes import blocks_fake
from tests.web.sparql_fixtures import live_server


@pytest.mark.load
@pytest.mark.slow
def test_load_mixed_sparql_and_ask_has_no_errors(built, built_cfg):
    from web.http.server import create_app
    with live_server(create_app(built, built_cfg, blocks=blocks_fake())) as url:
        res = run_load(url, clients=20, requests_per_client=10, max_seconds=600)
    assert res["requests"] == 200, res
    assert res["errors"] == 0, res


def test_load_refuses_non_loopback_targets():
    with pytest.raises(ValueError, match="loopback"):
        run_load("http://10.0.0.1:7860", clients=1, requests_per_client=1)
