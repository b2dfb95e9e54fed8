"""The QA state of a workspace lives in the workspace's declared `derived` slot: made once,
shared by every question, separate per workspace, and nothing else is written onto it."""
from __future__ import annotations

from qa.router import QAState, state_for
from tests.qa.conftest import mini_workspace


def test_state_is_made_once_per_workspace_and_kept_in_its_derived_slot(tmp_path, mini_ws):
    attrs = set(vars(mini_ws))
    st = state_for(mini_ws)
    assert isinstance(st, QAState) and state_for(mini_ws) is st
    assert mini_ws.derived["qa"] is st and set(vars(mini_ws)) == attrs
    other = mini_workspace(tmp_path)
    assert state_for(other) is not st and state_for(other).ws is other
