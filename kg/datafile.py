"""Reading the graph stage's data files (kg/data/*.toml): one parsed TOML table, or one clear
error that names the file."""
from __future__ import annotations

import tomllib
from pathlib import Path

from core.errors import PlanGraphError


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise PlanGraphError(f"kg data file {path}: {e}") from None
