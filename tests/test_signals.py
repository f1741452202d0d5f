"""Role signals: the KRA signal's grouping of index hits against the per-hit rule written as a plain
loop; the skill signal's ranking; the title similarity, read from int8 and settled to float32."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from jdlens_server.library.snapshot import KraInfo, LibrarySnapshot
from jdlens_server.nlp.kra_index import KraIndex
from jdlens_server.pipeline.signals import (
    KRA_NEIGHBOURS,
    KRA_TOP_SENTENCES,
    FusionWeights,
    SentenceInput,
    fuse,
    kra_signal,
    settle_title,
    skill_signal,
    title_similarity,
)

DIM = 16


def _reference(
    index: KraIndex, vectors: np.ndarray, top_k: int
) -> tuple[
    list[tuple[int, float, list[tuple[int, int, float]]]],
    dict[int, float],
    dict[int, dict[int, tuple[float, int]]],
]:
    """Per role and sentence the first best hit; a role scores the mean of its best sentences."""
    best: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    for s_idx, hits in enumerate(index.search(vectors, min(KRA_NEIGHBOURS, len(index)))):
        for hit in hits:
            current = best[hit.role_id].get(s_idx)
            if current is None or hit.similarity > current[0]:
                best[hit.role_id][s_idx] = (hit.similarity, hit.kra_id)
    scores: dict[int, float] = {}
    tops = {}
    for role_id, per_sentence in best.items():
        top = sorted(per_sentence.items(), key=lambda kv: kv[1][0], reverse=True)[:KRA_TOP_SENTENCES]
        tops[role_id] = top
        scores[role_id] = sum(sim for _, (sim, _) in top) / len(top)
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:top_k]
    entries = [
        (role_id, round(scores[role_id], 4), [(s, kra, round(sim, 4)) for s, (sim, kra) in tops[role_id]])
        for role_id in ranked
    ]
    return entries, scores, dict(best)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_kra_signal_groups_hits_as_the_per_hit_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct directions and many duplicates: equal similarities across KRAs and sentences,
    # so every tie rule (first hit per sentence, earlier sentence per role, role order) is exercised.
    base = rng.standard_normal((6, DIM)).astype(np.float32)
    kras = base[rng.integers(0, len(base), 150)] + 0.05 * rng.standard_normal((150, DIM)).astype(np.float32)
    kras[::3] = base[rng.integers(0, len(base), 50)]
    kra_ids = list(range(1000, 1150))
    role_ids = [int(r) for r in rng.integers(0, 12, 150)]
    index = KraIndex.build(DIM, kra_ids, role_ids, kras)
    index.remove(kra_ids[5:15])  # deleted KRAs are never hit
    queries = np.concatenate([base[rng.integers(0, len(base), 7)], kras[rng.integers(0, 150, 5)]])
    sentences = [SentenceInput(f"sentence {i}", 10 * i, 10 * i + 9) for i in range(len(queries))]
    snapshot = SimpleNamespace(
        kras={k: KraInfo(k, r, f"kra {k}", "test") for k, r in zip(kra_ids, role_ids, strict=True)}
    )

    entries, scores, best = kra_signal(cast(LibrarySnapshot, snapshot), index, sentences, queries, top_k=5)

    want_entries, want_scores, want_best = _reference(index, queries, top_k=5)
    assert list(scores.items()) == list(want_scores.items())  # same roles, order and exact floats
    assert [(r, list(per.items())) for r, per in best.items()] == [
        (r, list(per.items())) for r, per in want_best.items()
    ]
    got = [
        (e.role_id, e.score, [(int(m.sentence.split()[1]), m.kra_id, m.similarity) for m in e.kra_matches])
        for e in entries
    ]
    assert got == want_entries
    assert all(m.kra_text == f"kra {m.kra_id}" for e in entries for m in e.kra_matches)
    assert all(m.sentence_start == 10 * int(m.sentence.split()[1]) for e in entries for m in e.kra_matches)


def test_kra_signal_without_sentences_or_kras() -> None:
    snapshot = cast(LibrarySnapshot, SimpleNamespace(kras={}))
    empty = KraIndex(DIM)
    query = np.ones((1, DIM), dtype=np.float32)
    assert kra_signal(snapshot, empty, [SentenceInput("x", 0, 1)], query, 5) == ([], {}, {})
    index = KraIndex.build(DIM, [1], [7], query)
    assert kra_signal(snapshot, index, [], query[:0], 5) == ([], {}, {})
    index.remove([1])
    assert kra_signal(snapshot, index, [SentenceInput("x", 0, 1)], query, 5) == ([], {}, {})


class _SkillLibrary:
    """The fields skill_signal reads: skills, which roles list each skill, each role's skill count."""

    def __init__(self, role_skills: dict[int, list[int]]) -> None:
        self.role_skills = role_skills
        self.skill_roles: dict[int, list[int]] = defaultdict(list)
        for role_id, skill_ids in role_skills.items():
            for skill_id in skill_ids:
                self.skill_roles[skill_id].append(role_id)
        self.skills = {s: SimpleNamespace(display_name=f"skill {s}") for s in self.skill_roles if s != 99}

    def role_skill_count(self, role_id: int) -> int:
        return len(self.role_skills.get(role_id, []))


def test_skill_signal_ranks_by_share_then_coverage_and_scores_every_role() -> None:
    library = _SkillLibrary(
        {
            1: [10, 11, 13, 14, 15, 16],  # 2 of the JD's 4 skills, of 6: covered less than role 2
            2: [10, 11],  # 2 of 4, of 2
            3: [10, 11, 12],  # 3 of 4
            4: [99],  # a skill the snapshot has no name for still counts
            5: [50],  # none of the JD's
        }
    )
    entries, scores = skill_signal(cast(LibrarySnapshot, library), [10, 11, 12, 10, 99], top_k=2)
    assert [(e.role_id, e.score, e.matched_count, e.total_count) for e in entries] == [
        (3, 0.75, 3, 4),
        (2, 0.5, 2, 4),
    ]
    assert entries[0].matched_skills == ("skill 10", "skill 11", "skill 12")
    assert scores == {3: 0.75, 2: 0.5, 1: 0.5, 4: 0.25}
    assert list(scores) == [3, 2, 1, 4]  # in ranking order
    assert skill_signal(cast(LibrarySnapshot, library), [], top_k=2) == ([], {})


class _AliasLibrary:
    """The fields title_similarity reads: roles, and their aliases' vectors in one run per role."""

    def __init__(self, rng: np.random.Generator, n_roles: int, dim: int) -> None:
        self.role_ids = np.arange(100, 100 + n_roles)
        self.role_row = {int(r): i for i, r in enumerate(self.role_ids)}
        centres = rng.standard_normal((12, dim))
        counts = rng.integers(0, 9, n_roles)  # some roles have no alias at all
        rows = np.repeat(np.arange(n_roles), counts)
        vectors = centres[rng.integers(0, 12, len(rows))] + 0.35 * rng.standard_normal((len(rows), dim))
        self.alias_matrix = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        self.alias_rows = rows
        self.alias_role_ids = self.role_ids[rows]
        self.alias_run_starts = np.concatenate(([0], np.flatnonzero(np.diff(rows)) + 1)).astype(np.int64)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_settled_title_gives_every_ranking_the_float32_result(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dim = 384
    library = _AliasLibrary(rng, 600, dim)
    snapshot = cast(LibrarySnapshot, library)
    title = library.alias_matrix[rng.integers(0, len(library.alias_matrix))] + 0.2 * rng.standard_normal(dim)
    title = (title / np.linalg.norm(title)).astype(np.float32)
    exact = np.zeros(len(library.role_ids), dtype=np.float32)
    starts = library.alias_run_starts
    exact[library.alias_rows[starts]] = np.maximum.reduceat(library.alias_matrix @ title, starts)
    # Other signals of the same size as the title's, so its last digits decide close places.
    profile = rng.uniform(0.2, 0.6, len(exact)).astype(np.float32)
    extra = (rng.uniform(0, 0.05, len(exact)) * (rng.random(len(exact)) < 0.2)).astype(np.float32)
    alias_rows = [int(rng.integers(0, len(exact)))]

    def ranking(with_extra: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        return lambda t: fuse(
            title_scores=t,
            profile_scores=profile,
            centroid=profile,
            extra=with_extra,
            weights=FusionWeights(),
        )

    fused, plain = ranking(extra), ranking(np.zeros_like(extra))
    scores = title_similarity(snapshot, title)
    assert np.all(np.abs(scores.values - exact) <= scores.bound)
    with_aliases = np.count_nonzero(scores.bound)
    settle_title(snapshot, scores, (fused, plain), FusionWeights().title, 6)
    # Only the roles that can reach the top places were recomputed: most bounds still stand.
    assert np.count_nonzero(scores.bound) > with_aliases // 2
    # An alias hit's rank among the other signals reads every role that may outrank it.
    settle_title(snapshot, scores, (fused, plain), FusionWeights().title, 6, alias_rows)
    for values, reference in ((scores.values, exact), (fused(scores.values), fused(exact))):
        top = np.argsort(-values, kind="stable")[:6]
        assert top.tolist() == np.argsort(-reference, kind="stable")[:6].tolist()
        assert np.allclose(values[top], reference[top], atol=1e-6)
    settled, reference = plain(scores.values), plain(exact)
    row = alias_rows[0]
    assert abs(settled[row] - reference[row]) <= 1e-6
    assert np.count_nonzero(settled > settled[row]) == np.count_nonzero(reference > reference[row])


def test_title_similarity_without_a_title_or_aliases_is_exactly_zero() -> None:
    library = _AliasLibrary(np.random.default_rng(0), 20, 8)
    scores = title_similarity(cast(LibrarySnapshot, library), None)
    assert not scores.values.any() and not scores.bound.any()
