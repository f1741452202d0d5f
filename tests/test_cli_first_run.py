"""The first run completes the default library (ESCO + tech) and leaves other libraries alone."""

from __future__ import annotations

from sqlalchemy import select

from jdlens_server.cli import _ensure_library
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs import esco_subset, read_esco
from jdlens_server.library.versions import current_version
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import PackImportRow


def _state(url: str) -> tuple[set[str], int]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return set(session.scalars(select(PackImportRow.pack))), current_version(session)
    finally:
        engine.dispose()


def test_an_esco_library_gets_the_tech_pack_once(sqlite_url: str) -> None:
    # A library from before the tech pack, or a first run interrupted after ESCO.
    import_pack(sqlite_url, "esco", contents=esco_subset(read_esco(), occupations=3), progress=False)
    packs, version = _state(sqlite_url)
    assert packs == {"esco"}

    _ensure_library(sqlite_url)
    packs, completed = _state(sqlite_url)
    assert packs == {"esco", "tech"} and completed == version + 1

    _ensure_library(sqlite_url)  # complete: nothing more is imported
    assert _state(sqlite_url) == (packs, completed)
