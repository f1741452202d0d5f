"""The live library of a server process: snapshot, KRA index and skill matcher at one version.

Loaded once at start (seconds: the index is reloaded from disk when its version matches) and
swapped atomically when the library version moves (an approval, an import by another process).
Readers take ``current()`` and keep that object for the whole request, so a swap never changes a
request's view half-way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jdlens_server.library.snapshot import LibrarySnapshot, SkillInfo, is_human_language, load_snapshot
from jdlens_server.library.versions import current_version
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.kra_index import KraIndex, load_or_build
from jdlens_server.nlp.skill_matcher import NATURAL_LANGUAGE, AliasEntry, SkillMatcher
from jdlens_server.store.models import KraRow

log = logging.getLogger(__name__)

# KRA sources the KRA signal searches. Measured on the dev job ads with cached signals: ESCO's
# description sentences beat its essential-skill phrases at every fusion weight tried (the short
# skill phrases match generic sentences for hundreds of roles), and a 7k-KRA index loads faster
# than a 72k one. The essential-skill KRAs stay in the store for review and role profiles.
DEFAULT_KRA_SOURCES: tuple[str, ...] = ("esco_description", "onet_task", "review")


@dataclass(frozen=True)
class LoadedLibrary:
    snapshot: LibrarySnapshot
    kra_index: KraIndex
    matcher: SkillMatcher
    load_seconds: float


def index_path_for(db_url: str, cache_dir: Path | None = None) -> Path:
    """The KRA index lives beside a SQLite file, else in the user cache keyed by the database URL."""
    if db_url.startswith("sqlite:///") and ":memory:" not in db_url:
        return Path(db_url.removeprefix("sqlite:///") + ".kra.hnsw")
    base = cache_dir or Path(platformdirs.user_cache_dir("jdlens", appauthor=False))
    digest = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    return base / f"kra-{digest}.hnsw"


def _matcher_nature(skill: SkillInfo) -> str:
    """The skill's nature, with ESCO's human languages told apart from programming languages (both
    LANGUAGE): a language name is also an adjective, which the matcher reads by context."""
    if is_human_language(skill):
        return NATURAL_LANGUAGE
    return skill.nature


def build_matcher(snapshot: LibrarySnapshot) -> SkillMatcher:
    return SkillMatcher.build(
        AliasEntry(
            skill_id=a.skill_id,
            text=a.text,
            alias_type=a.alias_type,
            match_strategy=a.match_strategy,
            nature=_matcher_nature(snapshot.skills[a.skill_id]) if a.skill_id in snapshot.skills else "",
        )
        for a in snapshot.skill_aliases
        if a.skill_id in snapshot.skills and snapshot.skills[a.skill_id].is_extractable
    )


class LibraryState:
    def __init__(
        self,
        factory: sessionmaker[Session],
        embedder: Embedder,
        db_url: str,
        *,
        kra_sources: tuple[str, ...] = DEFAULT_KRA_SOURCES,
        index_path: Path | None = None,
    ) -> None:
        self._factory = factory
        self._embedder = embedder
        self._kra_sources = kra_sources
        self._index_path = index_path or index_path_for(db_url)
        self._lock = threading.Lock()
        self._loaded: LoadedLibrary | None = None

    def current(self) -> LoadedLibrary:
        loaded = self._loaded
        if loaded is None:
            return self.reload()
        return loaded

    def refresh_if_stale(self) -> LoadedLibrary:
        """Reload when the store's library version moved past the loaded one."""
        loaded = self.current()
        with self._factory() as session:
            version = current_version(session)
        if version != loaded.snapshot.version:
            return self.reload()
        return loaded

    def reload(self) -> LoadedLibrary:
        with self._lock:
            started = time.perf_counter()
            with self._factory() as session:
                snapshot = load_snapshot(session, self._embedder.dim, self._kra_sources)
                index = self._load_index(session, snapshot)
            matcher = build_matcher(snapshot)
            loaded = LoadedLibrary(snapshot, index, matcher, time.perf_counter() - started)
            self._loaded = loaded
            log.info(
                "library v%d loaded: %d roles, %d skills, %d KRAs indexed in %.1fs",
                snapshot.version,
                len(snapshot.roles),
                len(snapshot.skills),
                len(index),
                loaded.load_seconds,
            )
            return loaded

    def _index_key(self) -> str:
        # The embedder and the KRA sources both change what the index holds.
        return f"{self._embedder.name}|{','.join(sorted(self._kra_sources))}"

    def _load_index(self, session: Session, snapshot: LibrarySnapshot) -> KraIndex:
        def fetch() -> tuple[list[int], list[int], np.ndarray]:
            rows = session.execute(
                select(KraRow.id, KraRow.role_id, KraRow.embedding)
                .where(KraRow.source.in_(self._kra_sources), KraRow.embedding.is_not(None))
                .order_by(KraRow.id)
            ).all()
            ids = [r.id for r in rows]
            roles = [r.role_id for r in rows]
            vectors = np.frombuffer(b"".join(r.embedding for r in rows), dtype=np.float32)
            return ids, roles, vectors.reshape(len(rows), snapshot.dim)

        has_kras = session.scalar(select(KraRow.id).where(KraRow.source.in_(self._kra_sources)).limit(1))
        if has_kras is None:
            return KraIndex(snapshot.dim)
        self._index_path.parent.mkdir(parents=True, exist_ok=True)
        return load_or_build(self._index_path, snapshot.version, self._index_key(), fetch)
