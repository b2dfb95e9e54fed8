"""One build at a time per data folder.

The lock is an advisory flock on `<data>.lock` beside the data folder (not inside it: the
folder itself is replaced by each build). The kernel drops it when its holder exits, killed
or not, so there are no stale locks to clean. The holder writes its pid and start time into
the file for the message a second build prints.

Policy (README "Concurrent builds"): an explicit `build` refuses at once while another build
of the same folder runs; loading with build_if_needed (serve, ask, sparql, eval) waits for it
and then uses what it built.
"""
from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from core.errors import ArtifactError, describe_os_error


class BuildLocked(ArtifactError):
    """Another build of the same data folder is running."""


def lock_path(data_dir: Path) -> Path:
    data_dir = Path(data_dir)
    return data_dir.with_name(data_dir.name + ".lock")


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise ArtifactError(f"无法创建构建锁 {path}：{describe_os_error(e)} (cannot create the "
                            "build lock; is the folder writable?)") from None


@contextmanager
def build_lock(data_dir: Path, wait: bool = False,
               progress: Optional[Callable[[str], None]] = None) -> Iterator[None]:
    """Hold the data folder's build lock. wait=False: raise BuildLocked at once when another
    process holds it; wait=True: block until it is released (saying so once)."""
    path = lock_path(data_dir)
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            who = _holder(fd)
            if not wait:
                raise BuildLocked(f"另一个构建正在写入 {data_dir}{who}，请等它结束后再试 "
                                  f"(another build of {data_dir} is running{who}; wait for it "
                                  "to finish, or stop it, then run build again)") from None
            if progress is not None:
                progress(f"waiting for the build running on {data_dir}{who} to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}".encode())
        yield
    finally:
        os.close(fd)         # closing the descriptor releases the flock


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on an existing folder itself (no lock file is created,
    so it works on a read-only folder too), waiting for it."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def is_locked(data_dir: Path) -> bool:
    """True while some process holds the build lock (a build is running)."""
    path = lock_path(data_dir)
    if not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
