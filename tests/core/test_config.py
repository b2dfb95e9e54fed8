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
