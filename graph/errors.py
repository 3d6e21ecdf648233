"""One exception hierarchy for the domain, rooted in :class:`PathwaysError`.

Stores translate their driver's errors into these at their boundary, so the web
layer and the CLI map each class to one HTTP status or exit message and never
see a driver exception.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where it is, which field, and what.

    >>> str(Problem("node 'ons'", "kind", "must be one of: agency, department"))
    "node 'ons': kind: must be one of: agency, department"
    """

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.message}" if self.field else f"{self.record}: {self.message}"

    def as_dict(self) -> dict:
        return {"record": self.record, "field": self.field, "message": self.message}


class PathwaysError(Exception):
    """Root of every error the domain raises on purpose."""

    code = "error"


class InvalidRecord(PathwaysError):
    """One or more records break the model's rules; nothing was written."""

    code = "invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid record"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class NodeNotFound(PathwaysError):
    code = "not_found"

    def __init__(self, node_id: str):
        self.node_id = node_id
        super().__init__(f"no record with id '{node_id}'")


class EdgeNotFound(PathwaysError):
    code = "not_found"

    def __init__(self, type_: str, src: str, dst: str):
        self.triple = (type_, src, dst)
        super().__init__(f"no {type_} relationship from '{src}' to '{dst}'")


class DuplicateNode(PathwaysError):
    code = "duplicate"

    def __init__(self, node_id: str):
        self.node_id = node_id
        super().__init__(f"a record with id '{node_id}' already exists")


class VersionConflict(PathwaysError):
    """The record changed since the caller read it (optimistic locking)."""

    code = "conflict"

    def __init__(self, node_id: str, expected: int, actual: int | None):
        self.node_id, self.expected, self.actual = node_id, expected, actual
        now = "it has been deleted" if actual is None else f"it is now at version {actual}"
        super().__init__(
            f"record '{node_id}' changed since you read it (you had version {expected}; {now})"
        )


class StoreUnavailable(PathwaysError):
    """The database cannot be reached or failed mid-operation.

    The message is for the log and the command line (it may name the server). ``outcome`` says
    what became of a write: ``NOT_SAVED`` (known not committed), ``UNKNOWN`` (the commit was sent
    but its answer was lost and could not be read back), or None (no write was under way).
    ``change_id`` is the id of the change concerned (:attr:`graph.stores.Change.id`).
    """

    code = "store_unavailable"
    NOT_SAVED = "not saved"
    UNKNOWN = "unknown"

    def __init__(self, message: str = "", outcome: str | None = None, change_id: str | None = None):
        super().__init__(message)
        self.outcome, self.change_id = outcome, change_id


class AuthError(PathwaysError):
    code = "unauthorised"
