"""Where the database is: ``--db``, else ``$JDLENS_DB``, else a SQLite file in the user's data
directory. Apart from store.db so that commands resolve it without importing SQLAlchemy (every
command's ``--help`` builds on this)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DB_ENV_VAR = "JDLENS_DB"


def default_db_url() -> str:
    """``$JDLENS_DB``, else a SQLite file in the user's data directory (created on first use)."""
    from_env = os.environ.get(DB_ENV_VAR)
    if from_env:
        return from_env
    data_dir = Path(platformdirs.user_data_dir("jdlens", appauthor=False))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'jdlens.sqlite'}"


def resolve_db_url(url: str | None) -> str:
    """``--db`` wins, then default_db_url."""
    return url or default_db_url()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")
