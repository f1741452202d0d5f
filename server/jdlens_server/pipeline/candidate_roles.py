"""Stage 2's candidate roles: roles linked to the dimensions of the JD's library skills, ranked by
how many of those skills the library lists for them (essential 1, optional 0.5), each weighted by
how specific the skill is (log(1 + roles / roles listing it): "customer service" is listed for
hundreds of roles and says little, "operate forklift" for a few and says much), then by the share
of their dimension weight that falls in the JD's dimensions (ESCO's groups are broad: many roles
share them), then by id. The roles stage 1 ranked for the whole JD (title, duties, skills) come
first, in stage 1's order: a skill list alone reaches roles the JD is plainly not about ("first aid"
for a security officer reaches first aid instructors).

ESCO's broad groups link thousands of roles to a JD's dimensions, so the per-role sums are numpy
over arrays built once per library snapshot (``CandidateRoleTable``) instead of dictionary walks on
every request. The sums add the same float64 terms in the same order as a loop over the JD's
dimensions would (``np.bincount`` accumulates in input order), so the ranking is the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jdlens.v1 import common_pb2
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.pipeline.refs import role_ref
from jdlens_server.pipeline.skill_resolution import per_snapshot

__all__ = ["MAX_CANDIDATE_ROLES", "CandidateRoleTable", "candidate_roles", "candidate_table"]

MAX_CANDIDATE_ROLES = 10
# How much a library skill of the JD counts for a role that lists it.
_ESSENTIAL, _OPTIONAL = 1.0, 0.5

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CandidateRoleTable:
    """Per snapshot: every linked role by dense row, and per dimension / per skill the rows it
    reaches with what each adds (dimension: the role's weight there over its total weight)."""

    role_ids: IntArray
    by_dimension: dict[int, tuple[IntArray, FloatArray]]
    by_skill: dict[int, tuple[IntArray, FloatArray]]

    @classmethod
    def build(cls, snapshot: LibrarySnapshot) -> CandidateRoleTable:
        role_ids = sorted(set(snapshot.role_dimensions) | set(snapshot.role_skills))
        row = {r: i for i, r in enumerate(role_ids)}
        totals = {r: sum(dims.values()) for r, dims in snapshot.role_dimensions.items()}
        by_dimension = {}
        for d, roles in snapshot.dimension_roles.items():
            shares = [snapshot.role_dimensions.get(r, {}).get(d, 0) / max(1, totals.get(r, 0)) for r in roles]
            by_dimension[d] = (_ints(row[r] for r in roles), np.asarray(shares, dtype=np.float64))
        by_skill = {}
        n_roles = max(1, len(snapshot.role_skills))
        for s, roles in snapshot.skill_roles.items():
            specific = skill_specificity(n_roles, len(roles))
            counts = [
                (_ESSENTIAL if snapshot.role_skills[r].get(s) == "essential" else _OPTIONAL) * specific
                for r in roles
            ]
            by_skill[s] = (_ints(row[r] for r in roles), np.asarray(counts, dtype=np.float64))
        return cls(np.asarray(role_ids, dtype=np.int64), by_dimension, by_skill)

    def ranked(
        self,
        skill_ids: Iterable[int],
        dimension_ids: Iterable[int],
        limit: int,
        first: Sequence[int] = (),
    ) -> list[int]:
        """Role ids reached through ``dimension_ids``, best first (see the module docstring); the
        ones in ``first`` (stage 1's role ranking) lead, in its order."""
        n = len(self.role_ids)
        reached = [self.by_dimension[d] for d in dimension_ids if d in self.by_dimension]
        if not reached:
            return []
        rows = np.concatenate([r for r, _ in reached])
        share = np.bincount(rows, weights=np.concatenate([w for _, w in reached]), minlength=n)
        linked = [self.by_skill[s] for s in skill_ids if s in self.by_skill]
        listed = (
            np.bincount(
                np.concatenate([r for r, _ in linked]),
                weights=np.concatenate([w for _, w in linked]),
                minlength=n,
            )
            if linked
            else np.zeros(n)
        )
        candidates = np.unique(rows)  # sorted rows = ascending role id
        # Stage 1's place of each candidate (len(first) for none): the roles the whole JD points at
        # come before those its skills alone reach.
        place = {role: i for i, role in enumerate(first)}
        stage1 = np.fromiter(
            (place.get(int(r), len(place)) for r in self.role_ids[candidates]),
            dtype=np.int64,
            count=len(candidates),
        )
        # lexsort: the last key is the primary one; ties fall through to the row (the id).
        order = np.lexsort((candidates, -share[candidates], -listed[candidates], stage1))
        return [int(r) for r in self.role_ids[candidates[order[:limit]]]]


def skill_specificity(n_roles: int, n_listing: int) -> float:
    """How much a skill listed for ``n_listing`` of ``n_roles`` roles says about a role."""
    return math.log(1.0 + n_roles / max(1, n_listing))


def _ints(values: Iterable[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64)


def candidate_table(snapshot: LibrarySnapshot) -> CandidateRoleTable:
    return per_snapshot(snapshot, "candidate_roles", CandidateRoleTable.build)


def candidate_roles(
    snapshot: LibrarySnapshot, skill_ids: set[int], stage1_roles: Sequence[int] = ()
) -> list[common_pb2.RoleRef]:
    """The JD's candidate roles (at most MAX_CANDIDATE_ROLES) for its library skills; those stage 1
    ranked (``stage1_roles``, best first) lead."""
    dims = {d for s in skill_ids for d in snapshot.skill_dimensions.get(s, ())}
    ranked = candidate_table(snapshot).ranked(skill_ids, dims, MAX_CANDIDATE_ROLES, stage1_roles)
    return [role_ref(snapshot, r) for r in ranked]
