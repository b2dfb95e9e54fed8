"""All PlanGraph exceptions. Only app.py turns them into exit codes or UI messages."""


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


class QueryError(PlanGraphError):
    """A SPARQL query is malformed, too large, forbidden (update/SERVICE) or timed out."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class QuestionError(PlanGraphError):
    """A question cannot be processed (e.g. empty)."""
