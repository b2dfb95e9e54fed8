"""The command line around the web side: `serve --auth` warns that the password shows in the
process list; `export` writes the whole graph, not capped by sparql_max_rows; the UI's
download folder keeps only the newest files and goes away with the UI."""
from __future__ import annotations

import gc

import pyoxigraph as ox
import pytest

import app


def test_serve_auth_option_warns_and_points_to_the_environment(capsys):
    assert app.main(["serve", "--auth", "user:secret", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert "process list" in err and "PLANGRAPH_AUTH" in err and "警告" in err


@pytest.mark.slow
def test_export_writes_every_quad_without_the_row_cap(built, built_cfg, tmp_path):
    out = tmp_path / "all.trig"
    argv = ["--corpora", str(built_cfg.corpora_dir), "--data", str(built_cfg.data_dir)]
    assert app.main(argv + ["export", "--out", str(out)]) == 0
    quads = list(ox.parse(out.read_bytes(), ox.RdfFormat.TRIG))
    assert len(quads) == len(built.graph.store) > built_cfg.sparql_max_rows
    assert {q.graph_name.value for q in quads} >= {
        f"https://w3id.org/plangraph/graph/{d}" for d in built.corpus.documents}


def test_ui_download_folder_keeps_the_newest_files_and_is_removed():
    from web.ui import Files
    files = Files(keep=2)
    paths = [files.write("sparql", "csv", f"row {i}\n") for i in range(5)]
    left = sorted(p.name for p in files.dir.iterdir())
    assert len(left) == 2 and all(p.split("/")[-1] in left for p in paths[-2:])
    folder = files.dir
    del files
    gc.collect()
    assert not folder.exists()
