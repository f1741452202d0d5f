"""Stage 2's candidate roles: roles linked to the dimensions of the JD's library skills, ranked by
how many of those skills the library lists for them (essential 1, optional 0.5), then by the share
of their dimension weight that falls in the JD's dimensions (ESCO's groups are broad: many roles
share them), then by id.

ESCO's broad groups link thousands of roles to a JD's dimensions, so the per-role sums are numpy
over arrays built once per library snapshot (``CandidateRoleTable``) instead of dictionary walks on
every request. The sums add the same float64 terms in the same order as a loop over the JD's
dimensions would (``np.bincount`` accumulates in input order), so the ranking is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        for s, roles in snapshot.skill_roles.items():
            counts = [
                _ESSENTIAL if snapshot.role_skills[r].get(s) == "essential" else _OPTIONAL for r in roles
            ]
            by_skill[s] = (_ints(row[r] for r in roles), np.asarray(counts, dtype=np.float64))
        return cls(np.asarray(role_ids, dtype=np.int64), by_dimension, by_skill)

    def ranked(self, skill_ids: Iterable[int], dimension_ids: Iterable[int], limit: int) -> list[int]:
        """Role ids reached through ``dimension_ids``, best first (see the module docstring)."""
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
        # lexsort: the last key is the primary one; ties fall through to the row (the id).
        order = np.lexsort((candidates, -share[candidates], -listed[candidates]))
        return [int(r) for r in self.role_ids[candidates[order[:limit]]]]


def _ints(values: Iterable[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64)


def candidate_table(snapshot: LibrarySnapshot) -> CandidateRoleTable:
    return per_snapshot(snapshot, "candidate_roles", CandidateRoleTable.build)


def candidate_roles(snapshot: LibrarySnapshot, skill_ids: set[int]) -> list[common_pb2.RoleRef]:
    """The JD's candidate roles (at most MAX_CANDIDATE_ROLES) for its library skills."""
    dims = {d for s in skill_ids for d in snapshot.skill_dimensions.get(s, ())}
    ranked = candidate_table(snapshot).ranked(skill_ids, dims, MAX_CANDIDATE_ROLES)
    return [role_ref(snapshot, r) for r in ranked]
