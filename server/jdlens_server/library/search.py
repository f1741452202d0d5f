"""Search the library's skills and roles by text: alias hits first, then embedding neighbours.

Each result says how it matched:
- ``alias``: the folded query equals a folded alias (score 1.0);
- ``normalized_alias``: equal after normalisation - singular word forms for skills; job-title
  normalisation (seniority, gender, location noise stripped) and singular forms for roles (score
  1.0, ranked after exact hits);
- ``embedding``: nearest neighbours by cosine over the stored embeddings (skill label embeddings;
  role alias embeddings, best alias per role) at or above a floor, so a query the library does not
  know ("kafka" against ESCO) returns nothing rather than the least bad skill.
An alias several skills or roles share (ESCO has many) lists them all, nearest to the query first
(cosine to the skill's embedding or the role's profile embedding).

Floors, measured with all-MiniLM-L6-v2 on ESCO v1.1.1 and the dev sets in ../shared/eval-dev:
- skills 0.55: on the 503 SkillSpan spans linked to ESCO (Decorte et al.), neighbours in
  [0.50, 0.55) were right 1 time in 18; the floor keeps 92% of the linkable spans answered while
  the spans ESCO has no skill for get an answer 56% of the time (68% at 0.50, 43% at 0.60, which
  also loses 4 points of top-1 accuracy);
- roles 0.60: on 1,000 dev vacancy titles, a top neighbour below 0.60 was the gold occupation 4
  times in 89.

The in-memory index (alias maps, embedding matrices) is built once per database and library version
and shared by all callers; a new library version builds a new one.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from jdlens_server.library.versions import current_version
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.normalize import fold, inflection_key, singular_words
from jdlens_server.nlp.title import normalize_title
from jdlens_server.store.models import RoleAliasRow, RoleRow, SkillAliasRow, SkillRow

__all__ = [
    "ROLE_MIN_SIMILARITY",
    "SKILL_MIN_SIMILARITY",
    "Match",
    "RoleHit",
    "SkillHit",
    "clear_cache",
    "search_roles",
    "search_skills",
]

Match = Literal["alias", "normalized_alias", "embedding"]

SKILL_MIN_SIMILARITY = 0.55
ROLE_MIN_SIMILARITY = 0.60

Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class SkillHit:
    skill_id: int
    match: Match
    score: float
    matched_alias: str


@dataclass(frozen=True, slots=True)
class RoleHit:
    role_id: int
    match: Match
    score: float
    matched_alias: str


Entry = tuple[int, str]  # (skill or role id, alias text as written)


@dataclass
class _Index:
    exact: dict[str, list[Entry]]
    loose: dict[str, list[Entry]]
    # Neighbour search: row i of ``matrix`` belongs to ``owners[i]`` and embeds ``labels[i]``.
    owners: npt.NDArray[np.int64]
    labels: list[str]
    matrix: Matrix
    # One profile vector per skill/role, to order the owners of a shared alias.
    profile_row: dict[int, int]
    profiles: Matrix


def _matrix(blobs: list[bytes], dim: int) -> Matrix:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    flat = np.frombuffer(b"".join(blobs), dtype=np.float32)
    if flat.size != len(blobs) * dim:
        raise ValueError(f"stored embeddings do not have {dim} dimensions; re-import with this embedder")
    return flat.reshape(len(blobs), dim)


def _dedupe(entries: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    """One entry per owner under each key (the first alias text seen)."""
    out: dict[str, list[Entry]] = {}
    for key, items in entries.items():
        seen: dict[int, str] = {}
        for owner, text in items:
            seen.setdefault(owner, text)
        out[key] = list(seen.items())
    return out


def _build_skills(session: Session, dim: int) -> _Index:
    exact: dict[str, list[Entry]] = defaultdict(list)
    loose: dict[str, list[Entry]] = defaultdict(list)
    rows = session.execute(
        select(SkillAliasRow.skill_id, SkillAliasRow.text, SkillAliasRow.normalized).order_by(
            SkillAliasRow.is_primary.desc(), SkillAliasRow.id
        )
    )
    for skill_id, text, normalized in rows:
        entry = (int(skill_id), str(text))
        exact[normalized].append(entry)
        loose[singular_words(normalized)].append(entry)
    skills = session.execute(
        select(SkillRow.id, SkillRow.display_name, SkillRow.embedding).where(SkillRow.embedding.is_not(None))
    ).all()
    owners = np.array([int(r[0]) for r in skills], dtype=np.int64)
    matrix = _matrix([bytes(r[2]) for r in skills], dim)
    return _Index(
        exact=_dedupe(exact),
        loose=_dedupe(loose),
        owners=owners,
        labels=[str(r[1]) for r in skills],
        matrix=matrix,
        profile_row={int(o): i for i, o in enumerate(owners)},
        profiles=matrix,
    )


def _build_roles(session: Session, dim: int) -> _Index:
    exact: dict[str, list[Entry]] = defaultdict(list)
    loose: dict[str, list[Entry]] = defaultdict(list)
    owners: list[int] = []
    labels: list[str] = []
    blobs: list[bytes] = []
    rows = session.execute(
        select(
            RoleAliasRow.role_id, RoleAliasRow.text, RoleAliasRow.normalized, RoleAliasRow.embedding
        ).order_by(RoleAliasRow.is_primary.desc(), RoleAliasRow.id)
    )
    for role_id, text, normalized, blob in rows:
        entry = (int(role_id), str(text))
        exact[fold(text)].append(entry)
        loose[normalized].append(entry)
        singular = singular_words(normalized)
        if singular != normalized:
            loose[singular].append(entry)
        if blob is not None:
            owners.append(int(role_id))
            labels.append(str(text))
            blobs.append(bytes(blob))
    roles = session.execute(select(RoleRow.id, RoleRow.embedding).where(RoleRow.embedding.is_not(None))).all()
    return _Index(
        exact=_dedupe(exact),
        loose=_dedupe(loose),
        owners=np.array(owners, dtype=np.int64),
        labels=labels,
        matrix=_matrix(blobs, dim),
        profile_row={int(r[0]): i for i, r in enumerate(roles)},
        profiles=_matrix([bytes(r[1]) for r in roles], dim),
    )


_cache: dict[tuple[str, str], tuple[int, _Index]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _index(session: Session, kind: str, dim: int) -> _Index:
    """The index of ``kind`` for the session's database at its current library version."""
    version = current_version(session)
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), kind)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        # Built under the lock: concurrent first searches wait for one build instead of racing.
        index = _build_skills(session, dim) if kind == "skills" else _build_roles(session, dim)
        _cache[key] = (version, index)
        return index


class _Query:
    """The query text and, computed at most once and only when needed, its embedding."""

    def __init__(self, text: str, embedder: Embedder) -> None:
        self.text = text
        self._embedder = embedder
        self._vector: Vector | None = None

    @property
    def vector(self) -> Vector:
        if self._vector is None:
            self._vector = self._embedder.embed([self.text])[0]
        return self._vector


def _lexical(
    index: _Index, query: _Query, exact_keys: list[str], loose_keys: list[str], limit: int
) -> list[tuple[int, Match, str]]:
    hits: list[tuple[int, Match, str]] = []
    seen: set[int] = set()
    stages: tuple[tuple[Match, dict[str, list[Entry]], list[str]], ...] = (
        ("alias", index.exact, exact_keys),
        ("normalized_alias", index.loose, loose_keys),
    )
    for match, table, keys in stages:
        for key in keys:
            entries = [e for e in table.get(key, []) if e[0] not in seen]
            if len(entries) > 1:
                entries.sort(key=_closeness(index, query), reverse=True)
            for owner, text in entries:
                if len(hits) < limit:
                    seen.add(owner)
                    hits.append((owner, match, text))
    return hits


def _closeness(index: _Index, query: _Query) -> Callable[[Entry], float]:
    def score(entry: Entry) -> float:
        row = index.profile_row.get(entry[0])
        return -2.0 if row is None else float(index.profiles[row] @ query.vector)

    return score


def _neighbours(
    index: _Index, query: _Query, exclude: set[int], limit: int, floor: float
) -> list[tuple[int, float, str]]:
    if limit <= 0 or index.matrix.shape[0] == 0:
        return []
    sims = index.matrix @ query.vector
    candidates = np.flatnonzero(sims >= floor)
    order = candidates[np.argsort(-sims[candidates], kind="stable")]
    out: list[tuple[int, float, str]] = []
    seen = set(exclude)
    for i in order:
        owner = int(index.owners[i])
        if owner in seen:
            continue
        seen.add(owner)
        out.append((owner, float(sims[i]), index.labels[i]))
        if len(out) >= limit:
            break
    return out


def search_skills(
    session: Session,
    embedder: Embedder,
    query: str,
    limit: int = 10,
    min_similarity: float = SKILL_MIN_SIMILARITY,
) -> list[SkillHit]:
    """Skills for ``query``: exact alias hits, then singular/plural-folded ones, then neighbours."""
    text = query.strip()
    if not text or limit <= 0:
        return []
    index = _index(session, "skills", embedder.dim)
    q = _Query(text, embedder)
    lexical = _lexical(index, q, [fold(text)], [inflection_key(text)], limit)
    hits = [SkillHit(owner, match, 1.0, alias) for owner, match, alias in lexical]
    for owner, score, label in _neighbours(
        index, q, {h.skill_id for h in hits}, limit - len(hits), min_similarity
    ):
        hits.append(SkillHit(owner, "embedding", score, label))
    return hits


def search_roles(
    session: Session,
    embedder: Embedder,
    query: str,
    limit: int = 10,
    min_similarity: float = ROLE_MIN_SIMILARITY,
) -> list[RoleHit]:
    """Roles for ``query`` (a job title): exact alias hits, then title-normalised ones, then the
    roles whose alias embeddings are nearest the normalised title."""
    text = query.strip()
    if not text or limit <= 0:
        return []
    index = _index(session, "roles", embedder.dim)
    normalized = normalize_title(text)
    q = _Query(normalized or text, embedder)
    loose = list(dict.fromkeys(k for k in (normalized, singular_words(normalized)) if k))
    lexical = _lexical(index, q, [fold(text)], loose, limit)
    hits = [RoleHit(owner, match, 1.0, alias) for owner, match, alias in lexical]
    for owner, score, label in _neighbours(
        index, q, {h.role_id for h in hits}, limit - len(hits), min_similarity
    ):
        hits.append(RoleHit(owner, "embedding", score, label))
    return hits
