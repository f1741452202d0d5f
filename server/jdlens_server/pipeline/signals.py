"""Role signals: four independent views of which library role a JD is, each a ranked list.

- alias: the JD's normalised title equals a role alias (more than one role = a collision);
- kra: responsibility sentences against every role's KRAs through the HNSW index; per role each
  sentence keeps its best KRA and the role scores the mean of its top three sentences;
- skill: the JD's library skills that the role lists, over all the JD's library skills;
- centroid: the whole JD's embedding against each role's running centroid.

A fifth, title similarity (the title's embedding against every role alias), is what lets a title
that is not literally an alias still find its role; ``combine`` fuses them into one ranking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.nlp.int8_scan import Int8Scan, may_reach_top
from jdlens_server.nlp.kra_index import KraIndex
from jdlens_server.pipeline.skill_resolution import per_snapshot

FloatArray = npt.NDArray[np.float32]

# How many KRAs each sentence pulls from the index before grouping by role.
KRA_NEIGHBOURS = 64
# Per role, the score is the mean of its best sentence similarities, at most this many.
KRA_TOP_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class KraEvidence:
    kra_id: int
    kra_text: str
    sentence: str
    sentence_start: int
    sentence_end: int
    similarity: float


@dataclass(frozen=True, slots=True)
class RoleScoreEntry:
    role_id: int
    score: float
    kra_matches: tuple[KraEvidence, ...] = ()
    matched_skills: tuple[str, ...] = ()
    matched_count: int = 0
    total_count: int = 0
    matched_alias: str = ""


@dataclass(frozen=True, slots=True)
class SentenceInput:
    text: str
    start: int
    end: int


@dataclass
class Signals:
    normalized_title: str
    alias: list[RoleScoreEntry] = field(default_factory=list)
    title: list[RoleScoreEntry] = field(default_factory=list)
    kra: list[RoleScoreEntry] = field(default_factory=list)
    skill: list[RoleScoreEntry] = field(default_factory=list)
    centroid: list[RoleScoreEntry] = field(default_factory=list)
    profile: list[RoleScoreEntry] = field(default_factory=list)
    combined: list[RoleScoreEntry] = field(default_factory=list)
    # Full per-role vectors (aligned with snapshot.role_ids) for the decision's margins.
    combined_all: FloatArray | None = None


def alias_signal(snapshot: LibrarySnapshot, normalized_title: str) -> list[RoleScoreEntry]:
    if not normalized_title:
        return []
    hits = snapshot.role_alias_map.get(normalized_title, [])
    seen: dict[int, str] = {}
    for role_id, alias_text in hits:
        seen.setdefault(role_id, alias_text)
    return [RoleScoreEntry(role_id, 1.0, matched_alias=alias) for role_id, alias in seen.items()]


@dataclass(slots=True)
class TitleScores:
    """Per role (aligned with snapshot.role_ids) the best similarity of the title to any of its
    aliases, read from the int8 copy of the alias matrix: each value is within ``bound`` of the
    float32 one, and exact where ``bound`` is 0 (``settle_title`` makes it so wherever a decision
    reads it)."""

    values: FloatArray
    bound: FloatArray
    vector: FloatArray | None = None

    def make_exact(self, snapshot: LibrarySnapshot, roles: npt.NDArray[np.bool_]) -> None:
        """The float32 value for every role in ``roles`` (a mask over role rows) not exact yet."""
        if self.vector is None:
            return
        layout = per_snapshot(snapshot, "alias_layout", _AliasLayout)
        runs = layout.run_of_role[roles & (self.bound > 0)]
        runs = runs[runs >= 0]
        if not len(runs):
            return
        starts, ends = layout.starts[runs], layout.ends[runs]
        lengths = ends - starts
        local_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        rows = np.repeat(starts - local_starts, lengths) + np.arange(int(lengths.sum()))
        sims = (snapshot.alias_matrix[rows] @ self.vector).astype(np.float32)
        role_rows = layout.role_of_run[runs]
        self.values[role_rows] = np.maximum.reduceat(sims, local_starts)
        self.bound[role_rows] = 0.0


class _AliasLayout:
    """Where each role's aliases sit in the snapshot's alias matrix (one run of rows per role)."""

    def __init__(self, snapshot: LibrarySnapshot) -> None:
        self.starts = snapshot.alias_run_starts
        self.ends = np.append(self.starts[1:], len(snapshot.alias_role_ids)).astype(np.int64)
        self.role_of_run = snapshot.alias_rows[self.starts]
        self.run_of_role = np.full(len(snapshot.role_ids), -1, dtype=np.int64)
        self.run_of_role[self.role_of_run] = np.arange(len(self.starts))


def alias_scan(snapshot: LibrarySnapshot) -> Int8Scan:
    """The int8 copy of the snapshot's alias matrix, built once per snapshot (core warms it)."""
    return per_snapshot(snapshot, "alias_scan", _build_alias_scan)


def _build_alias_scan(snapshot: LibrarySnapshot) -> Int8Scan:
    return Int8Scan(snapshot.alias_matrix)


def title_similarity(snapshot: LibrarySnapshot, title_vector: FloatArray | None) -> TitleScores:
    """Per role (aligned with snapshot.role_ids): the best cosine of the title to any of its aliases,
    within a bound (see TitleScores)."""
    scores = np.zeros(len(snapshot.role_ids), dtype=np.float32)
    bound = np.zeros(len(snapshot.role_ids), dtype=np.float32)
    if title_vector is None or len(snapshot.alias_role_ids) == 0:
        return TitleScores(scores, bound)
    approx, errors = alias_scan(snapshot).approximate(title_vector)
    starts = snapshot.alias_run_starts
    # The best of approximations is within the largest of their bounds of the best exact value.
    scores[snapshot.alias_rows[starts]] = np.maximum.reduceat(approx[0], starts)
    bound[snapshot.alias_rows[starts]] = np.maximum.reduceat(errors[0], starts)
    return TitleScores(scores, bound, title_vector)


def settle_title(
    snapshot: LibrarySnapshot,
    title: TitleScores,
    rankings: Sequence[Callable[[FloatArray], FloatArray]],
    weight: float,
    top: int,
    ranked_rows: Sequence[int] = (),
) -> None:
    """Make ``title`` exact wherever a decision reads it, so every result is the float32 one: its
    own ``top`` roles; for each ranking (a fusion of the title with other signals, linear in the
    title with ``weight``) its ``top`` roles, and every role that can rank above a row in
    ``ranked_rows`` (alias hits, whose rank among the other signals is reported). Any other role
    provably stays out of those places whatever its exact value."""
    if not title.bound.any():
        return
    need = may_reach_top(title.values, title.bound, top)
    # fused = weight * title + the rest, in float32: a few ulps of slack on top of the title's own.
    radius = weight * title.bound + np.float32(1e-6)
    for ranking in rankings:
        scores = ranking(title.values)
        need |= may_reach_top(scores, radius, top)
        for row in ranked_rows:
            need |= scores + radius >= scores[row] - radius[row]
    title.make_exact(snapshot, need)


def kra_signal(
    snapshot: LibrarySnapshot,
    index: KraIndex,
    sentences: Sequence[SentenceInput],
    vectors: FloatArray,
    top_k: int,
) -> tuple[list[RoleScoreEntry], dict[int, float], dict[int, dict[int, tuple[float, int]]]]:
    """Ranked roles by KRA match, every scored role's score (for fusion), and per role the best
    (similarity, kra_id) of each sentence (for KRA coverage)."""
    if not sentences or len(index) == 0:
        return [], {}, {}
    k = min(KRA_NEIGHBOURS, len(index))
    kra_ids, role_ids, similarities = index.search_arrays(vectors, k)
    # The hits as flat arrays (sentence-major, best first within a sentence), live ones only.
    at = np.flatnonzero(role_ids.ravel() >= 0)
    if not len(at):
        return [], {}, {}
    roles = role_ids.ravel()[at]
    sentence = at // role_ids.shape[1]
    sims = similarities.ravel()[at]
    kras = kra_ids.ravel()[at]
    # Roles numbered in the order they are first hit: the order every result below lists them in.
    role_order, first_hit, role_of_hit = np.unique(roles, return_index=True, return_inverse=True)
    by_first_hit = np.argsort(first_hit)
    role_order = role_order[by_first_hit]
    rank = np.empty(len(role_order), dtype=np.int64)
    rank[by_first_hit] = np.arange(len(role_order))
    role_rank = rank[role_of_hit.ravel()]
    # Per (role, sentence) its best KRA: the highest similarity, the earlier hit on a tie.
    order = np.lexsort((at, -sims, sentence, role_rank))
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (role_rank[order[1:]] != role_rank[order[:-1]]) | (sentence[order[1:]] != sentence[order[:-1]])
    pick = order[keep]  # by role, then sentence
    p_rank, p_sentence, p_sim, p_kra = role_rank[pick], sentence[pick], sims[pick], kras[pick]
    # role -> sentence idx -> best (similarity, kra_id)
    bounds = [0, *(np.flatnonzero(np.diff(p_rank)) + 1).tolist(), len(pick)]
    pairs = list(zip(p_sim.tolist(), p_kra.tolist(), strict=True))
    p_sentences = p_sentence.tolist()
    best = {
        role_id: dict(zip(p_sentences[a:b], pairs[a:b], strict=True))
        for role_id, a, b in zip(role_order.tolist(), bounds[:-1], bounds[1:], strict=True)
    }
    # Per role its best sentences, most similar first (the earlier sentence on a tie), at most
    # KRA_TOP_SENTENCES; the score is their mean, summed in that order.
    top_order = np.lexsort((p_sentence, -p_sim, p_rank))
    t_rank = p_rank[top_order]
    place = np.arange(len(top_order)) - np.searchsorted(t_rank, t_rank)
    kept = place < KRA_TOP_SENTENCES
    top_order, t_rank, place = top_order[kept], t_rank[kept], place[kept]
    counts = np.bincount(t_rank, minlength=len(role_order))
    top_sims = np.zeros((len(role_order), KRA_TOP_SENTENCES), dtype=np.float64)
    top_sims[t_rank, place] = p_sim[top_order]
    total = top_sims[:, 0]
    for column in range(1, KRA_TOP_SENTENCES):
        total = np.where(counts > column, total + top_sims[:, column], total)
    all_scores = dict(zip(role_order.tolist(), (total / counts).tolist(), strict=True))
    # Evidence is built only for the roles that are returned.
    ranked = sorted(all_scores, key=all_scores.__getitem__, reverse=True)[:top_k]
    top_start = np.searchsorted(t_rank, np.arange(len(role_order)))
    rank_of = dict(zip(role_order.tolist(), range(len(role_order)), strict=True))
    scored = []
    for role_id in ranked:
        r = rank_of[role_id]
        chosen = top_order[top_start[r] : top_start[r] + counts[r]]
        scored.append(
            RoleScoreEntry(
                role_id,
                round(all_scores[role_id], 4),
                kra_matches=tuple(
                    KraEvidence(
                        kra_id=kra_id,
                        kra_text=snapshot.kras[kra_id].text if kra_id in snapshot.kras else "",
                        sentence=sentences[s_idx].text,
                        sentence_start=sentences[s_idx].start,
                        sentence_end=sentences[s_idx].end,
                        similarity=round(sim, 4),
                    )
                    for s_idx, sim, kra_id in zip(
                        p_sentence[chosen].tolist(),
                        p_sim[chosen].tolist(),
                        p_kra[chosen].tolist(),
                        strict=True,
                    )
                ),
            )
        )
    return scored, all_scores, best


def skill_signal(
    snapshot: LibrarySnapshot, skill_ids: Sequence[int], top_k: int
) -> tuple[list[RoleScoreEntry], dict[int, float]]:
    """Matched JD skills / all JD library skills, per role that lists any of them."""
    unique = list(dict.fromkeys(skill_ids))
    total = len(unique)
    if total == 0:
        return [], {}
    matched: dict[int, list[int]] = defaultdict(list)
    for skill_id in unique:
        for role_id in snapshot.skill_roles.get(skill_id, ()):
            matched[role_id].append(skill_id)
    scored = [(role_id, round(len(ids) / total, 4), ids) for role_id, ids in matched.items()]
    # Ties (common with few skills) go to the role whose own skill list the JD covers best.
    scored.sort(key=lambda e: (e[1], len(e[2]) / max(1, snapshot.role_skill_count(e[0]))), reverse=True)
    # Entries (with the matched names) only for the roles returned: a JD's skills touch hundreds.
    entries = [
        RoleScoreEntry(
            role_id,
            score,
            matched_skills=tuple(snapshot.skills[s].display_name for s in ids if s in snapshot.skills),
            matched_count=len(ids),
            total_count=total,
        )
        for role_id, score, ids in scored[:top_k]
    ]
    return entries, {role_id: score for role_id, score, _ in scored}


def centroid_scores(snapshot: LibrarySnapshot, jd_vector: FloatArray | None) -> FloatArray:
    if jd_vector is None or len(snapshot.role_ids) == 0:
        return np.zeros(len(snapshot.role_ids), dtype=np.float32)
    return (snapshot.centroids.matrix @ jd_vector).astype(np.float32)


def profile_scores(snapshot: LibrarySnapshot, jd_vector: FloatArray | None) -> FloatArray:
    """The JD's profile (its title and lead duties, or a passage: extract.profile_vector) against
    each role's own profile (its title and description's lead)."""
    if jd_vector is None or len(snapshot.role_ids) == 0:
        return np.zeros(len(snapshot.role_ids), dtype=np.float32)
    return (snapshot.role_matrix @ jd_vector).astype(np.float32)


def top_entries(snapshot: LibrarySnapshot, scores: FloatArray, top_k: int) -> list[RoleScoreEntry]:
    if len(scores) == 0:
        return []
    k = min(top_k, len(scores))
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.argsort(-scores[idx])]
    return [RoleScoreEntry(int(snapshot.role_ids[i]), round(float(scores[i]), 4)) for i in idx]


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """Weights of the fused ranking; chosen by measurement on the dev sets (see README)."""

    alias: float = 0.30
    title: float = 0.30
    profile: float = 0.30
    kra: float = 0.10
    skill: float = 0.05
    centroid: float = 0.20


def fusion_extra(
    snapshot: LibrarySnapshot,
    *,
    alias: Sequence[RoleScoreEntry],
    kra_scores: dict[int, float],
    skill_scores: dict[int, float],
    weights: FusionWeights,
) -> FloatArray:
    """The sparse signals' part of the fused score, per role (aligned with snapshot.role_ids)."""
    extra = np.zeros(len(snapshot.role_ids), dtype=np.float32)
    # Roles the snapshot does not know (added by a concurrent approval) are skipped, not crashed on.
    row_of = snapshot.role_row
    for e in alias:
        if e.role_id in row_of:
            extra[row_of[e.role_id]] += weights.alias * e.score
    for role_id, s in kra_scores.items():
        if role_id in row_of:
            extra[row_of[role_id]] += weights.kra * s
    for role_id, s in skill_scores.items():
        if role_id in row_of:
            extra[row_of[role_id]] += weights.skill * s
    return extra


def fuse(
    *,
    title_scores: FloatArray,
    profile_scores: FloatArray,
    centroid: FloatArray,
    extra: FloatArray,
    weights: FusionWeights,
) -> FloatArray:
    """One score per role (aligned with snapshot.role_ids): the dense signals weighted, plus
    ``extra`` (fusion_extra)."""
    fused = weights.title * title_scores + weights.profile * profile_scores + weights.centroid * centroid
    total: FloatArray = (fused + extra).astype(np.float32)
    return total
