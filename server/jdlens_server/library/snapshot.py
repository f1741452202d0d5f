"""An in-memory, read-only view of the library at one version: what every pipeline stage reads.

Loading it once per library version keeps the hot path free of database reads: alias lookups,
role↔skill overlap and embedding searches are dictionary and matrix operations. Centroids are the
one part that changes between versions (every decided JD moves one); they live in
``CentroidTable``, updated in place after each committed run.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from jdlens_server.library.acronym_conflicts import ACRONYM, CURATED_SOURCE, conflicting_role_aliases
from jdlens_server.library.generic_role_aliases import generic_role_aliases
from jdlens_server.library.versions import current_version
from jdlens_server.nlp.title import normalize_key
from jdlens_server.store.models import (
    DimensionRow,
    KraRow,
    RoleAliasRow,
    RoleDimensionRow,
    RoleRow,
    RoleSkillRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)

# Skill natures that name technology a team works with (see LibrarySnapshot.stack_skill_ids).
STACK_NATURES = frozenset({"TOOL", "PLATFORM", "LANGUAGE"})
# ESCO files human languages (nature LANGUAGE, like programming languages) under these
# sub-categories: the modern ones under "languages", the classical ones (Latin, Sanskrit, Ancient
# Greek) under "mastering languages" of the core skills.
_HUMAN_LANGUAGE_GROUPS = frozenset({"languages", "mastering languages", "language acquisition"})


@dataclass(frozen=True, slots=True)
class RoleInfo:
    id: int
    slug: str
    display_name: str
    code: str
    isco_group: str
    archetype: str
    pack: str
    description: str


@dataclass(frozen=True, slots=True)
class SkillInfo:
    id: int
    slug: str
    display_name: str
    category: str
    sub_category: str
    nature: str
    volatility: str
    typical_lifespan: str
    version_strategy: str
    skill_type: str
    reuse_level: str
    is_extractable: bool
    pack: str


def is_human_language(skill: SkillInfo) -> bool:
    """A spoken language (English, Latin), as opposed to a programming language: both LANGUAGE."""
    return skill.nature == "LANGUAGE" and skill.sub_category in _HUMAN_LANGUAGE_GROUPS


@dataclass(frozen=True, slots=True)
class DimensionInfo:
    id: int
    slug: str
    display_name: str
    rationale: str
    difficulty_hint: str
    pack: str


@dataclass(frozen=True, slots=True)
class SkillAliasInfo:
    skill_id: int
    text: str
    alias_type: str
    match_strategy: str
    # fold(text), as every writer stores it: read, not recomputed for ~100k aliases per load.
    normalized: str = ""


@dataclass(frozen=True, slots=True)
class KraInfo:
    id: int
    role_id: int
    text: str
    source: str


def vectors_from_blobs(blobs: list[bytes | None], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack float32 blobs into a matrix; returns (matrix, mask of rows that had a vector)."""
    mask = np.array([b is not None and len(b) == dim * 4 for b in blobs], dtype=bool)
    matrix = np.zeros((len(blobs), dim), dtype=np.float32)
    for i, blob in enumerate(blobs):
        if mask[i] and blob is not None:
            matrix[i] = np.frombuffer(blob, dtype=np.float32)
    return matrix, mask


class CentroidTable:
    """Each role's running-mean JD embedding and its count, shared by every request of a version.

    Rows start at the role's profile embedding with n = 0 (a prior, not an observation) and move
    as runs commit; the store holds the authoritative values, this copy serves the signal.
    """

    def __init__(self, role_ids: np.ndarray, centroids: np.ndarray, counts: np.ndarray) -> None:
        self._lock = threading.Lock()
        self.role_ids = role_ids
        self._row_of = {int(r): i for i, r in enumerate(role_ids)}
        self.matrix = centroids
        self.counts = counts

    def update(self, role_id: int, centroid: np.ndarray, n: int) -> None:
        row = self._row_of.get(role_id)
        if row is None:
            return
        with self._lock:
            self.matrix[row] = centroid
            self.counts[row] = n

    def get(self, role_id: int) -> tuple[np.ndarray, int] | None:
        row = self._row_of.get(role_id)
        if row is None:
            return None
        return self.matrix[row], int(self.counts[row])


@dataclass
class LibrarySnapshot:
    version: int
    dim: int
    roles: dict[int, RoleInfo]
    skills: dict[int, SkillInfo]
    dimensions: dict[int, DimensionInfo]
    skill_aliases: list[SkillAliasInfo]
    # Normalised role alias -> [(role_id, alias as written)].
    role_alias_map: dict[str, list[tuple[int, str]]]
    role_skills: dict[int, dict[int, str]]
    skill_roles: dict[int, list[int]]
    skill_dimensions: dict[int, list[int]]
    dimension_roles: dict[int, list[int]]
    role_dimensions: dict[int, dict[int, int]]
    kras: dict[int, KraInfo]
    # Embedding matrices, rows aligned with the id arrays.
    skill_ids: np.ndarray
    skill_matrix: np.ndarray
    role_ids: np.ndarray
    role_matrix: np.ndarray
    alias_role_ids: np.ndarray
    alias_texts: list[str]
    alias_matrix: np.ndarray
    centroids: CentroidTable
    skill_by_slug: dict[str, int] = field(default_factory=dict)
    role_by_slug: dict[str, int] = field(default_factory=dict)
    skill_names: dict[int, str] = field(default_factory=dict)
    # Skills that name technology (tools, platforms, languages): an employer's description of
    # itself names its stack, which says something of the role; its other topics do not.
    stack_skill_ids: frozenset[int] = frozenset()
    # role_id -> its row in role_ids and every per-role matrix.
    role_row: dict[int, int] = field(default_factory=dict)
    # Row (in role_ids) of each alias, and where each role's run of aliases starts: aliases are
    # stored sorted by role so "best alias per role" is one np.maximum.reduceat.
    alias_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alias_run_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def is_empty(self) -> bool:
        return not self.roles

    def role_skill_count(self, role_id: int) -> int:
        return len(self.role_skills.get(role_id, {}))


def load_snapshot(session: Session, dim: int, kra_sources: Collection[str] | None = None) -> LibrarySnapshot:
    """Read the whole library into memory (a few seconds for full ESCO)."""
    version = current_version(session)

    roles: dict[int, RoleInfo] = {}
    role_ids: list[int] = []
    role_blobs: list[bytes | None] = []
    centroid_blobs: list[bytes | None] = []
    centroid_counts: list[int] = []
    for r in session.execute(
        select(
            RoleRow.id,
            RoleRow.slug,
            RoleRow.display_name,
            RoleRow.code,
            RoleRow.isco_group,
            RoleRow.archetype,
            RoleRow.pack,
            RoleRow.description,
            RoleRow.embedding,
            RoleRow.centroid,
            RoleRow.centroid_n,
        ).order_by(RoleRow.id)
    ):
        roles[r.id] = RoleInfo(
            r.id, r.slug, r.display_name, r.code, r.isco_group, r.archetype, r.pack, r.description
        )
        role_ids.append(r.id)
        role_blobs.append(r.embedding)
        centroid_blobs.append(r.centroid)
        centroid_counts.append(r.centroid_n)
    role_matrix, _ = vectors_from_blobs(role_blobs, dim)
    centroid_matrix, has_centroid = vectors_from_blobs(centroid_blobs, dim)
    # A role with no JD yet is represented by its own profile.
    centroid_matrix[~has_centroid] = role_matrix[~has_centroid]

    skills: dict[int, SkillInfo] = {}
    skill_ids: list[int] = []
    skill_blobs: list[bytes | None] = []
    for s in session.execute(
        select(
            SkillRow.id,
            SkillRow.slug,
            SkillRow.display_name,
            SkillRow.category,
            SkillRow.sub_category,
            SkillRow.nature,
            SkillRow.volatility,
            SkillRow.typical_lifespan,
            SkillRow.version_strategy,
            SkillRow.skill_type,
            SkillRow.reuse_level,
            SkillRow.is_extractable,
            SkillRow.pack,
            SkillRow.embedding,
        ).order_by(SkillRow.id)
    ):
        skills[s.id] = SkillInfo(
            s.id,
            s.slug,
            s.display_name,
            s.category,
            s.sub_category,
            s.nature,
            s.volatility,
            s.typical_lifespan,
            s.version_strategy,
            s.skill_type,
            s.reuse_level,
            s.is_extractable,
            s.pack,
        )
        skill_ids.append(s.id)
        skill_blobs.append(s.embedding)
    skill_matrix, _ = vectors_from_blobs(skill_blobs, dim)

    dimensions = {
        d.id: DimensionInfo(d.id, d.slug, d.display_name, d.rationale, d.difficulty_hint, d.pack)
        for d in session.execute(
            select(
                DimensionRow.id,
                DimensionRow.slug,
                DimensionRow.display_name,
                DimensionRow.rationale,
                DimensionRow.difficulty_hint,
                DimensionRow.pack,
            )
        )
    }

    skill_aliases = [
        SkillAliasInfo(a.skill_id, a.text, a.alias_type, a.match_strategy, a.normalized)
        for a in session.execute(
            select(
                SkillAliasRow.skill_id,
                SkillAliasRow.text,
                SkillAliasRow.alias_type,
                SkillAliasRow.match_strategy,
                SkillAliasRow.normalized,
            )
        )
    ]

    role_alias_rows = session.execute(
        select(RoleAliasRow.role_id, RoleAliasRow.text, RoleAliasRow.normalized, RoleAliasRow.embedding)
    ).all()
    left_out = _conflicting_aliases(session, roles, role_alias_rows) | generic_role_aliases(
        {role_id: role.display_name for role_id, role in roles.items()},
        ((a.role_id, a.text, a.normalized) for a in role_alias_rows),
    )
    role_alias_map: dict[str, list[tuple[int, str]]] = defaultdict(list)
    alias_role_ids: list[int] = []
    alias_texts: list[str] = []
    alias_blobs: list[bytes | None] = []
    for a in role_alias_rows:
        if (a.role_id, a.text) in left_out:
            continue
        key = alias_lookup_key(a.text, a.normalized)
        role_alias_map[key].append((a.role_id, a.text))
        # A qualified label's vector is its normalised key's, which drops the qualifier ("assistant
        # hides" for "assistant hides, skins and leather products distribution manager"): it
        # stands for a broader title than the label names, so the title similarity leaves it out.
        if a.embedding is not None and key == a.normalized:
            alias_role_ids.append(a.role_id)
            alias_texts.append(a.text)
            alias_blobs.append(a.embedding)
    alias_matrix, _ = vectors_from_blobs(alias_blobs, dim)

    role_skills: dict[int, dict[int, str]] = defaultdict(dict)
    skill_roles: dict[int, list[int]] = defaultdict(list)
    for rs in session.execute(select(RoleSkillRow.role_id, RoleSkillRow.skill_id, RoleSkillRow.relation)):
        role_skills[rs.role_id][rs.skill_id] = rs.relation
        skill_roles[rs.skill_id].append(rs.role_id)

    skill_dimensions: dict[int, list[int]] = defaultdict(list)
    for sd in session.execute(select(SkillDimensionRow.skill_id, SkillDimensionRow.dimension_id)):
        skill_dimensions[sd.skill_id].append(sd.dimension_id)

    dimension_roles: dict[int, list[int]] = defaultdict(list)
    role_dimensions: dict[int, dict[int, int]] = defaultdict(dict)
    for rd in session.execute(
        select(RoleDimensionRow.role_id, RoleDimensionRow.dimension_id, RoleDimensionRow.weight)
    ):
        dimension_roles[rd.dimension_id].append(rd.role_id)
        role_dimensions[rd.role_id][rd.dimension_id] = rd.weight

    # Only the KRAs the index searches (``kra_sources``; all when None): ESCO's 65k essential-skill
    # KRAs are stored but not indexed, and nothing else reads them from the snapshot.
    kra_query = select(KraRow.id, KraRow.role_id, KraRow.text, KraRow.source)
    if kra_sources is not None:
        kra_query = kra_query.where(KraRow.source.in_(kra_sources))
    kras = {k.id: KraInfo(k.id, k.role_id, k.text, k.source) for k in session.execute(kra_query)}

    role_id_array = np.array(role_ids, dtype=np.int64)
    snapshot = LibrarySnapshot(
        version=version,
        dim=dim,
        roles=roles,
        skills=skills,
        dimensions=dimensions,
        skill_aliases=skill_aliases,
        role_alias_map=dict(role_alias_map),
        role_skills=dict(role_skills),
        skill_roles=dict(skill_roles),
        skill_dimensions=dict(skill_dimensions),
        dimension_roles=dict(dimension_roles),
        role_dimensions=dict(role_dimensions),
        kras=kras,
        skill_ids=np.array(skill_ids, dtype=np.int64),
        skill_matrix=skill_matrix,
        role_ids=role_id_array,
        role_matrix=role_matrix,
        alias_role_ids=np.array(alias_role_ids, dtype=np.int64),
        alias_texts=alias_texts,
        alias_matrix=alias_matrix,
        centroids=CentroidTable(role_id_array, centroid_matrix, np.array(centroid_counts, dtype=np.int64)),
    )
    snapshot.skill_by_slug = {s.slug: s.id for s in skills.values()}
    snapshot.role_by_slug = {r.slug: r.id for r in roles.values()}
    snapshot.skill_names = {s.id: s.display_name for s in skills.values()}
    snapshot.stack_skill_ids = frozenset(
        s.id for s in skills.values() if s.nature in STACK_NATURES and not is_human_language(s)
    )
    snapshot.role_row = {role_id: row for row, role_id in enumerate(role_ids)}
    _sort_aliases_by_role(snapshot)
    return snapshot


def _sort_aliases_by_role(snapshot: LibrarySnapshot) -> None:
    rows = np.searchsorted(snapshot.role_ids, snapshot.alias_role_ids)
    order = np.argsort(rows, kind="stable")
    snapshot.alias_role_ids = snapshot.alias_role_ids[order]
    snapshot.alias_matrix = snapshot.alias_matrix[order]
    snapshot.alias_texts = [snapshot.alias_texts[i] for i in order]
    snapshot.alias_rows = rows[order]
    if len(order):
        change = np.nonzero(np.diff(snapshot.alias_rows))[0] + 1
        snapshot.alias_run_starts = np.concatenate(([0], change)).astype(np.int64)


def alias_lookup_key(text: str, normalized: str) -> str:
    """The key a role alias is looked up by. A label whose title normalisation drops words keeps
    them: "production operator (plastic moulding)" (the compression moulding machine operator) and
    "product designer, furniture" are no exact aliases of every "Production Operator" or "Product
    Designer"; a JD title hits them written out (see pipeline.extract's lookup order). A dropped
    level or gender mark narrows nothing: "senior physiotherapist" stays keyed "physiotherapist"."""
    full = normalize_key(text)
    if full == normalized or not normalized:
        return normalized
    return full if set(full.split()) - set(normalized.split()) - _LEVEL_AND_NOISE_WORDS else normalized


# Words a label's title normalisation may drop and still be keyed by what is left: gender marks,
# and the level, which postings and labels use loosely ("Junior Accountant" postings are the
# accountant's, though ESCO files the label under accounting assistant).
_LEVEL_AND_NOISE_WORDS = frozenset(
    {"m/f", "f/m", "m/w", "w/m", "m/f/d", "m/w/d", "f/m/d", "d", "m", "f", "w", "x"}
    | {"senior", "sr", "snr", "junior", "jr", "jnr", "entry", "level", "entry-level", "graduate", "grad"}
    | {"mid", "mid-level", "intermediate", "principal", "lead", "staff", "experienced", "seasoned"}
)


def _conflicting_aliases(
    session: Session, roles: dict[int, RoleInfo], role_alias_rows: Sequence[Row[Any]]
) -> set[tuple[int, str]]:
    """Role aliases the title lookup leaves out: their acronym reads otherwise in the tech
    supplement (library/acronym_conflicts)."""
    curated: dict[str, list[str]] = defaultdict(list)
    for text, name in session.execute(
        select(SkillAliasRow.text, SkillRow.display_name)
        .join(SkillRow, SkillRow.id == SkillAliasRow.skill_id)
        .where(SkillAliasRow.source == CURATED_SOURCE)
    ):
        if ACRONYM.fullmatch(text.strip()):
            curated[text.strip()].append(name)
    if not curated:
        return set()
    labels: dict[int, list[str]] = defaultdict(list)
    for role_id, role in roles.items():
        labels[role_id].append(role.display_name)
    for a in role_alias_rows:
        labels[a.role_id].append(a.text)
    return conflicting_role_aliases(labels, curated)
