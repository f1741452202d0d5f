"""Library versions and the change log: every change to the library makes a new version and says what
changed, so a run can record the library it was judged against and a reader can see why it moved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from jdlens_server.store.models import ChangeLogRow, LibraryVersionRow

__all__ = ["Change", "create_version", "current_version"]


@dataclass(frozen=True, slots=True)
class Change:
    """One change-log entry: ``action`` ("import", "approve", ...) on ``resource`` (a table or a name)."""

    action: str
    resource: str
    detail: str


def current_version(session: Session) -> int:
    """The newest library version, 0 for a library that was never written."""
    return int(session.scalar(select(func.coalesce(func.max(LibraryVersionRow.version), 0))) or 0)


def create_version(session: Session, description: str, changes: Iterable[Change] = ()) -> int:
    """Record a new library version with its change-log entries (in the caller's transaction)."""
    row = LibraryVersionRow(description=description)
    session.add(row)
    session.flush()
    version = int(row.version)
    entries = [
        {"library_version": version, "action": c.action, "resource": c.resource, "detail": c.detail}
        for c in changes
    ]
    if entries:
        session.execute(insert(ChangeLogRow), entries)
    return version
