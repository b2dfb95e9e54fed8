"""The README and the CLI must agree (sqlite-utils' test_docs habit)."""
import re
import subprocess
import sys
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_every_cli_command_is_documented():
    sub = next(a for a in app.parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"python app.py {name}" in README, f"README does not document `{name}`"


def test_docs_every_cli_option_is_documented():
    sub = next(a for a in app.parser()._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for action in p._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"README does not mention {name} {opt}"


def test_docs_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README


def test_docs_env_variables_exist_in_config():
    from core.config import _ENV_ALIASES, Config
    fields = set(Config.__dataclass_fields__)
    for var in set(re.findall(r"PLANGRAPH_[A-Z_]+", README)) - {"PLANGRAPH_CONFIG"}:
        name = _ENV_ALIASES.get(var, var[len("PLANGRAPH_"):].lower())
        assert name in fields, f"README names {var} but Config has no {name}"


def test_docs_cli_user_error_is_one_line_without_traceback(tmp_path):
    r = subprocess.run([sys.executable, "app.py", "--corpora", str(tmp_path), "add",
                        str(tmp_path / "missing.txt"), "--city", "宁波", "--title", "t"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
