"""All PlanGraph exceptions. Only app.py turns them into exit codes or UI messages."""
import errno


class PlanGraphError(Exception):
    """Base class: a user-facing error with a one-line message."""


class ConfigError(PlanGraphError):
    """A configuration value is invalid (the message names the value)."""


class CorpusError(PlanGraphError):
    """A corpus file or the catalog is unusable (empty, binary, duplicate, unreadable...)."""


class ArtifactError(PlanGraphError):
    """Built artifacts are missing, corrupt, or were built with another model/schema."""


class ModelError(PlanGraphError):
    """The embedding model cannot be located or loaded."""


class WorkerError(PlanGraphError):
    """A fanned-out build cannot use its workers: the cluster is unreachable, or a worker
    died or disagrees with the building process."""


class QueryError(PlanGraphError):
    """A SPARQL query is malformed, too large, forbidden (update/SERVICE) or timed out."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class QuestionError(PlanGraphError):
    """A question cannot be processed (e.g. empty)."""


_OS_REASONS = {"ENOSPC": "磁盘已满", "EDQUOT": "超出磁盘配额", "EROFS": "只读文件系统",
               "EACCES": "没有写权限", "EPERM": "没有权限", "EIO": "读写错误"}


def describe_os_error(e: OSError) -> str:
    """'磁盘已满 (No space left on device)': a one-line reason, Chinese first."""
    name = errno.errorcode.get(e.errno or 0, "")
    cn = _OS_REASONS.get(name, "文件系统错误")
    where = f" {e.filename}" if getattr(e, "filename", None) else ""
    return f"{cn}{where} ({e.strerror or e})"


class GraphStoreError(PlanGraphError):
    """The graph store (a SPARQL server configured by URL) cannot be reached or refused a
    request; the message names the store's URL, never its credentials."""
