"""The library's vectors and the process's embedder must come from the same model.

Every pack import records the model that embedded its rows. Vectors of two models live in
different spaces, so a server started with another model (``JDLENS_EMBEDDER`` changed, or a
library imported by an older release) would rank roles and skills by meaningless similarities
without a single error. It refuses to start instead, and says both ways out.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jdlens_server.errors import SetupError
from jdlens_server.store.models import PackImportRow

__all__ = ["EmbedderMismatch", "check_library_embedder"]


class EmbedderMismatch(SetupError, RuntimeError):
    """The library was embedded with another model than the one this process loads."""


def check_library_embedder(session: Session, embedder_name: str) -> None:
    """Raise EmbedderMismatch naming the packs and models when any pack's vectors are not
    ``embedder_name``'s (an empty library, or packs recorded without a model, pass)."""
    rows = session.execute(select(PackImportRow.pack, PackImportRow.embedder)).all()
    others = sorted((pack, model) for pack, model in rows if model and model != embedder_name)
    if not others:
        return
    models = sorted({model for _, model in others})
    listed = ", ".join(f"{pack} ({model})" for pack, model in others)
    raise EmbedderMismatch(
        f"the library's vectors come from another model than {embedder_name}: {listed}. Either run "
        f"with that model (JDLENS_EMBEDDER={models[0]}) or build the library with {embedder_name} in "
        "an empty database: `jdlens library import esco --db NEW_URL`, then `... import tech --db "
        "NEW_URL` (minutes)."
    )
