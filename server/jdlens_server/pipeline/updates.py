"""Stage 1's library updates (reference: stage5_updates), applied inside the run's transaction.

The plan is computed without touching the store; ``apply_updates`` writes it: the chosen role's
centroid (running mean, row-locked on PostgreSQL), new skills and KRAs and roles queued for review
(de-duplicated by the queue), and the alias-collision log entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from jdlens.v1 import library_pb2, run_pb2
from jdlens_server.library import review_queue
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.pipeline.refs import role_ref
from jdlens_server.resource_names import review_item_name
from jdlens_server.store.db import dialect_name
from jdlens_server.store.models import RoleRow

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class NewSkillPlan:
    name: str
    is_primary: bool
    evidence: tuple[run_pb2.Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class KraPlan:
    sentence: str
    best_similarity: float


@dataclass
class UpdatePlan:
    role_id: int | None
    jd_vector: FloatArray | None
    new_skills: list[NewSkillPlan] = field(default_factory=list)
    collision_alias: str = ""
    collision_role_ids: list[int] = field(default_factory=list)
    uncovered_sentences: list[KraPlan] = field(default_factory=list)
    new_role: run_pb2.NewRoleProposal | None = None


@dataclass
class AppliedUpdates:
    proto: run_pb2.LibraryUpdates
    centroid: FloatArray | None = None
    centroid_n: int = 0


# Built once on the Core table with bound parameters (no RoleRow object is in the session): a run
# neither rebuilds them nor goes through the ORM's execution path.
_ROLES = cast(Table, RoleRow.__table__)
# Whether the role has a profile, not the profile itself: its vector is read for the first JD only
# (later ones fold into the stored centroid, which holds it already).
_CENTROID = select(
    _ROLES.c.centroid, _ROLES.c.centroid_n, _ROLES.c.embedding.is_not(None).label("profiled")
).where(_ROLES.c.id == bindparam("b_id"))
_CENTROID_LOCKED = _CENTROID.with_for_update(key_share=True)
_PROFILE = select(_ROLES.c.embedding).where(_ROLES.c.id == bindparam("b_id"))
_SET_CENTROID = update(_ROLES).where(_ROLES.c.id == bindparam("b_id"))


# A role's own profile (its title and description, embedded at import) counts as this many JDs in
# its centroid: the first JD filed under a role, perhaps by a close call, moves the centroid a
# sixth of the way instead of replacing what the library says the role is.
PROFILE_PRIOR_JDS = 5


def fold_into_centroid(session: Session, role_id: int, vector: FloatArray) -> tuple[FloatArray, int]:
    """The role's centroid with one more JD: the running mean of its profile (weighted as
    PROFILE_PRIOR_JDS JDs; a role without one has no prior) and its JD embeddings. Returns the
    centroid and the number of JDs in it. Locks the role row (PostgreSQL) so two runs never read the
    same n and lose an update; on SQLite the caller serialises writers.

    The lock is FOR NO KEY UPDATE, not FOR UPDATE: the run row inserted earlier in the same
    transaction references the role, which takes a KEY SHARE lock on it, and FOR UPDATE conflicts
    with other runs' KEY SHARE locks -- two concurrent runs of one role deadlocked. NO KEY UPDATE
    still serialises centroid writers (it conflicts with itself) and leaves foreign keys alone."""
    locked = dialect_name(session) == "postgresql"
    row = session.execute(_CENTROID_LOCKED if locked else _CENTROID, {"b_id": role_id}).one()
    n = int(row.centroid_n)
    prior = PROFILE_PRIOR_JDS if row.profiled else 0
    if row.centroid is not None and n > 0:
        old: bytes | None = row.centroid
    else:
        old = session.scalar(_PROFILE, {"b_id": role_id}) if prior else None
    weight = n + prior
    mean: FloatArray = (
        vector.astype(np.float32)
        if old is None
        else ((np.frombuffer(old, dtype=np.float32) * weight + vector) / (weight + 1)).astype(np.float32)
    )
    session.execute(_SET_CENTROID, {"b_id": role_id, "centroid": mean.tobytes(), "centroid_n": n + 1})
    return mean, n + 1


def apply_updates(
    session: Session, snapshot: LibrarySnapshot, plan: UpdatePlan, run_id: str
) -> AppliedUpdates:
    out = run_pb2.LibraryUpdates()
    applied = AppliedUpdates(out)
    role = role_ref(snapshot, plan.role_id) if plan.role_id is not None else None

    if plan.role_id is not None and plan.jd_vector is not None:
        applied.centroid, applied.centroid_n = fold_into_centroid(session, plan.role_id, plan.jd_vector)
        out.centroid_updated = True
        out.centroid_n_after = applied.centroid_n

    # Every proposal of the run goes to the queue in one call (propose_many writes the rows in the
    # queue's global lock order itself); the results come back in the order proposed. Skills and
    # KRAs are proposed sorted by dedupe key because the run reports them in that order.
    new_skills = sorted(plan.new_skills, key=lambda s: review_queue.dedupe_key("new_skill", None, s.name))
    proposals = []
    for skill in new_skills:
        payload = library_pb2.NewSkillProposal(skill_name=skill.name, is_primary=skill.is_primary)
        payload.evidence.extend(skill.evidence)
        proposals.append(review_queue.Proposal("new_skill", skill.name, plan.role_id, payload))
    collision: library_pb2.AliasCollision | None = None
    if plan.collision_alias and len(plan.collision_role_ids) > 1:
        collision = library_pb2.AliasCollision(alias=plan.collision_alias)
        collision.roles.extend(role_ref(snapshot, r) for r in plan.collision_role_ids)
        if role is not None:
            collision.chosen_role.CopyFrom(role)
        proposals.append(review_queue.Proposal("alias_collision", plan.collision_alias, None, collision))
    kras = (
        sorted(plan.uncovered_sentences, key=lambda k: review_queue.dedupe_key("new_kra", None, k.sentence))
        if plan.role_id is not None
        else []
    )
    for kra in kras:
        payload_kra = library_pb2.NewKraProposal(text=kra.sentence, best_similarity=kra.best_similarity)
        proposals.append(review_queue.Proposal("new_kra", kra.sentence, plan.role_id, payload_kra))
    if plan.new_role is not None:
        proposals.append(review_queue.Proposal("new_role", plan.new_role.display_name, None, plan.new_role))
    queued = iter(review_queue.propose_many(session, proposals, run_id))

    for skill in new_skills:
        item = next(queued)
        attached = out.new_skills_attached.add(
            review_item=review_item_name(item.item_id),
            skill_name=skill.name,
            is_primary=skill.is_primary,
            status=_status(item.status),
            occurrence_count=item.occurrence_count,
        )
        if role is not None:
            attached.role.CopyFrom(role)
    if collision is not None:
        out.collision_review_item = review_item_name(next(queued).item_id)
    for kra in kras:
        proposed = out.proposed_kras.add(
            review_item=review_item_name(next(queued).item_id),
            sentence=kra.sentence,
            best_similarity=round(kra.best_similarity, 4),
        )
        if role is not None:
            proposed.role.CopyFrom(role)
    if plan.new_role is not None:
        out.new_role_review_item = review_item_name(next(queued).item_id)
    return applied


def _status(status: str) -> run_pb2.ReviewStatus.ValueType:
    return {
        "pending": run_pb2.REVIEW_STATUS_PENDING,
        "approved": run_pb2.REVIEW_STATUS_APPROVED,
        "rejected": run_pb2.REVIEW_STATUS_REJECTED,
        "merged": run_pb2.REVIEW_STATUS_MERGED,
    }.get(status, run_pb2.REVIEW_STATUS_UNSPECIFIED)
