"""Stage 2's candidate-role ranking over per-snapshot arrays ranks exactly as the per-request
dictionary walk it replaced, on random libraries with ties, shared dimensions and unlinked skills;
a specific skill outweighs a generic one."""

from __future__ import annotations

import random
from collections import defaultdict
from types import SimpleNamespace
from typing import cast

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.pipeline.candidate_roles import CandidateRoleTable, skill_specificity


def _random_library(rng: random.Random) -> SimpleNamespace:
    roles = rng.sample(range(1, 400), 60)
    dimensions = list(range(1000, 1012))
    skills = list(range(5000, 5080))
    role_dimensions: dict[int, dict[int, int]] = defaultdict(dict)
    dimension_roles: dict[int, list[int]] = defaultdict(list)
    for r in roles:
        for d in rng.sample(dimensions, rng.randint(0, 5)):
            role_dimensions[r][d] = rng.choice([0, 1, 1, 2, 3, 7])
            dimension_roles[d].append(r)
    role_skills: dict[int, dict[int, str]] = defaultdict(dict)
    skill_roles: dict[int, list[int]] = defaultdict(list)
    for r in roles:
        for s in rng.sample(skills, rng.randint(0, 12)):
            role_skills[r][s] = rng.choice(["essential", "optional"])
            skill_roles[s].append(r)
    skill_dimensions = {s: rng.sample(dimensions, rng.randint(0, 2)) for s in skills}
    return SimpleNamespace(
        role_dimensions=dict(role_dimensions),
        dimension_roles=dict(dimension_roles),
        role_skills=dict(role_skills),
        skill_roles=dict(skill_roles),
        skill_dimensions=skill_dimensions,
    )


def _reference(lib: SimpleNamespace, skill_ids: set[int], limit: int) -> list[int]:
    """The dictionary walk stage 2 used before the arrays."""
    dims = {d for s in skill_ids for d in lib.skill_dimensions.get(s, ())}
    totals = {r: sum(ds.values()) for r, ds in lib.role_dimensions.items()}
    share: dict[int, float] = defaultdict(float)
    for d in dims:
        for r in lib.dimension_roles.get(d, ()):
            share[r] += lib.role_dimensions.get(r, {}).get(d, 0) / max(1, totals.get(r, 0))
    listed: dict[int, float] = defaultdict(float)
    n_roles = max(1, len(lib.role_skills))
    for s in skill_ids:
        roles = lib.skill_roles.get(s, ())
        for r in roles:
            if r in share:
                weight = 1.0 if lib.role_skills[r].get(s) == "essential" else 0.5
                listed[r] += weight * skill_specificity(n_roles, len(roles))
    return sorted(share, key=lambda r: (-listed[r], -share[r], r))[:limit]


def test_ranking_matches_the_dictionary_walk() -> None:
    rng = random.Random(7)
    for _ in range(30):
        lib = _random_library(rng)
        table = CandidateRoleTable.build(cast(LibrarySnapshot, lib))
        for _ in range(20):
            jd_skills = set(rng.sample(sorted(lib.skill_dimensions), rng.randint(0, 15)))
            dims = {d for s in jd_skills for d in lib.skill_dimensions.get(s, ())}
            for limit in (3, 10, 1000):
                assert table.ranked(jd_skills, dims, limit) == _reference(lib, jd_skills, limit)


def test_no_dimension_no_candidates() -> None:
    lib = _random_library(random.Random(1))
    table = CandidateRoleTable.build(cast(LibrarySnapshot, lib))
    assert table.ranked({5000, 5001}, set(), 10) == []


def test_a_skill_few_roles_list_outweighs_one_many_list() -> None:
    # Role 1 lists the generic skill (listed for all ten roles), role 2 the specific one (listed for
    # role 2 alone); both in the JD's one dimension with the same share.
    roles = list(range(1, 11))
    lib = SimpleNamespace(
        role_dimensions={r: {100: 1} for r in roles},
        dimension_roles={100: roles},
        role_skills={**{r: {7: "essential"} for r in roles}, 2: {7: "optional", 8: "essential"}},
        skill_roles={7: roles, 8: [2]},
        skill_dimensions={7: [100], 8: [100]},
    )
    table = CandidateRoleTable.build(cast(LibrarySnapshot, lib))
    assert table.ranked({7, 8}, {100}, 3)[0] == 2
    assert skill_specificity(10, 1) > skill_specificity(10, 10)


def test_roles_stage_one_ranked_lead_in_its_order() -> None:
    lib = _random_library(random.Random(3))
    table = CandidateRoleTable.build(cast(LibrarySnapshot, lib))
    jd_skills = set(sorted(lib.skill_dimensions)[:15])
    dims = {d for s in jd_skills for d in lib.skill_dimensions.get(s, ())}
    plain = table.ranked(jd_skills, dims, 1000)
    assert len(plain) > 5
    stage1 = [plain[-1], 999_999, plain[-3]]  # a role no dimension reaches is no candidate
    led = table.ranked(jd_skills, dims, 1000, stage1)
    assert led[:2] == [plain[-1], plain[-3]] and sorted(led) == sorted(plain)
    assert led[2:] == [r for r in plain if r not in stage1]
