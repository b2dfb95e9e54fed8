from pathlib import Path

import pytest

from core.config import Config, load_config
from core.errors import ConfigError


def test_config_defaults_need_no_environment():
    c = load_config(env={})
    assert c.model == "m3e-small" and c.host == "127.0.0.1" and c.port == 7860


def test_config_env_overrides_defaults():
    c = load_config(env={"PLANGRAPH_DATA": "/tmp/x", "PLANGRAPH_PORT": "8000",
                         "PLANGRAPH_MODEL": "BAAI/bge-small-zh-v1.5"})
    assert c.data_dir == Path("/tmp/x") and c.port == 8000 and c.model == "BAAI/bge-small-zh-v1.5"


def test_config_cli_overrides_env():
    c = load_config({"port": 9000}, env={"PLANGRAPH_PORT": "8000"})
    assert c.port == 9000


def test_config_toml_file_is_read_and_env_wins(tmp_path):
    f = tmp_path / "plangraph.toml"
    f.write_text('port = 7000\nsparql_timeout_s = 3.5\n', encoding="utf-8")
    c = load_config(env={"PLANGRAPH_PORT": "7100"}, toml_path=f)
    assert c.port == 7100 and c.sparql_timeout_s == 3.5


def test_config_unknown_toml_key_is_named(tmp_path):
    f = tmp_path / "plangraph.toml"
    f.write_text('prot = 7000\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="prot"):
        load_config(env={}, toml_path=f)


@pytest.mark.parametrize("field,value", [("port", 0), ("top_k", -1), ("auth", "nocolon")])
def test_config_invalid_value_names_field(field, value):
    with pytest.raises(ConfigError, match=field):
        Config(**{field: value})


def test_config_bad_env_value_is_a_clear_error():
    with pytest.raises(ConfigError, match="port"):
        load_config(env={"PLANGRAPH_PORT": "eighty"})


def test_config_graph_store_is_embedded_by_default():
    c = load_config(env={})
    assert c.graph_store == "embedded" and not c.remote_graph and c.graph_store_update == ""


def test_config_graph_store_by_url_from_env():
    c = load_config(env={"PLANGRAPH_GRAPH_STORE": "http://127.0.0.1:7878/query",
                         "PLANGRAPH_GRAPH_STORE_UPDATE": "http://127.0.0.1:7878/store",
                         "PLANGRAPH_GRAPH_STORE_AUTH": "dba:secret-word"})
    assert c.remote_graph and c.graph_store_update.endswith("/store")
    assert "secret-word" not in repr(c)          # credentials never shown


@pytest.mark.parametrize("env,needle", [
    ({"PLANGRAPH_GRAPH_STORE": "oxigraph"}, "graph_store='oxigraph'"),
    ({"PLANGRAPH_GRAPH_STORE": "ftp://127.0.0.1/query"}, "graph_store="),
    ({"PLANGRAPH_GRAPH_STORE": "http://127.0.0.1:99999/query"}, "graph_store="),
    ({"PLANGRAPH_GRAPH_STORE_UPDATE": "http://127.0.0.1:7878/store"}, "graph_store is embedded"),
    ({"PLANGRAPH_GRAPH_STORE": "http://h/query", "PLANGRAPH_GRAPH_STORE_UPDATE": "store"},
     "graph_store_update="),
    ({"PLANGRAPH_GRAPH_STORE": "http://h/query", "PLANGRAPH_GRAPH_STORE_AUTH": "nocolon"},
     "graph_store_auth"),
])
def test_config_graph_store_invalid_values_are_named(env, needle):
    with pytest.raises(ConfigError) as e:
        load_config(env=env)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_config_graph_store_credentials_in_the_url_are_refused_unshown():
    with pytest.raises(ConfigError) as e:
        load_config(env={"PLANGRAPH_GRAPH_STORE": "http://dba:hunter2@127.0.0.1:8890/sparql"})
    assert "graph_store_auth" in str(e.value) and "hunter2" not in str(e.value)
