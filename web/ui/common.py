"""What the tabs share: the download folder (Files) and `safely` for build-time parts."""
from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)


class Files:
    """Per-UI folder (under the system temp dir, which gradio may serve) for CSV/JSON downloads.
    File names are content hashes, so repeated downloads of the same table reuse one file.
    Only the newest `keep` files of each kind (stem + suffix) stay; the folder is removed
    when the UI goes away or the process exits. Gradio's own copies are dropped by the
    Blocks' delete_cache."""

    def __init__(self, keep: int = 4) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="plangraph-ui-"))
        self.keep = keep
        self._final = weakref.finalize(self, shutil.rmtree, str(self.dir), True)

    def _prune(self, stem: str, suffix: str) -> None:
        files = sorted(self.dir.glob(f"{stem}-*.{suffix}"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-self.keep]:
            old.unlink(missing_ok=True)

    def write(self, stem: str, suffix: str, text: str, bom: bool = False) -> str:
        h = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        path = self.dir / f"{stem}-{h}.{suffix}"
        if not path.exists():
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
            tmp.replace(path)
        else:
            path.touch()
        self._prune(stem, suffix)
        return str(path)


def safely(what: str, fallback: Any = None) -> Callable:
    """Decorator for build-time computations: log and return fallback instead of raising."""
    def deco(fn: Callable) -> Callable:
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except Exception:   # a broken part must not take the whole page down
                log.exception("UI: %s unavailable", what)
                return fallback
        return wrapper
    return deco
