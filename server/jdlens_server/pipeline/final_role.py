"""Stage 3, FinalizeRole (reference: final-role-output): the chosen role and whether the library has
it, each skill tagged in_db / new, and one persistence item per (skill, dimension) pair saying what
happened to the skill↔dimension and role↔dimension links, with counters computed from the items.

Rules, per item:
- skill↔dimension: ALREADY_LINKED when the library has the link; otherwise the link is checked
  against the library's structure (``skill_placement.DimensionGeometry.coherence``: the skill's
  embedding must be close enough to the centroid of the dimension's skills) and SAVED when it fits,
  FLAGGED (not saved) when it does not — what keeps "Machine Learning" out of "React Frontend
  Development". A new skill's links wait for its review item (SKIPPED).
- role↔dimension (library roles only): ALREADY_LINKED when the role has the dimension; SAVED when
  the library lists the skill for the role (essential or optional: the role uses it, so its
  cluster belongs under the role), or when at least MIN_PRIMARY_BACKERS of the JD's primary library
  skills fall in the dimension (two independent mentions of the same cluster as core work);
  otherwise SKIPPED ("dimension not under chosen role") with the reason. Never through a flagged
  skill↔dimension link.
Links are written with INSERT ... ON CONFLICT DO NOTHING: a link another run wrote first is
reported ALREADY_LINKED, so the counters always describe what this run did. Saving links makes a
new library version with one change-log entry per link. A dry run reports DRY_RUN and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, TextClause
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.library.state import LoadedLibrary
from jdlens_server.library.versions import Change, create_version
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.pipeline.skill_placement import dimension_geometry
from jdlens_server.pipeline.skill_resolution import skill_vector
from jdlens_server.resource_names import (
    DIMENSIONS,
    ROLES,
    SKILLS,
    dimension_name,
    parse_id_name,
    role_name,
    skill_name,
)
from jdlens_server.store.db import dialect_name, frozen_insert_ignore
from jdlens_server.store.models import RoleDimensionRow, SkillDimensionRow

__all__ = ["MIN_PRIMARY_BACKERS", "FinalPlan", "apply_final_role", "compute_final_role", "count_items"]

MIN_PRIMARY_BACKERS = 2
RUN_LINK_SOURCE = "run"

_SAVED = run_pb2.LINK_OUTCOME_SAVED
_ALREADY = run_pb2.LINK_OUTCOME_ALREADY_LINKED
_SKIPPED = run_pb2.LINK_OUTCOME_SKIPPED
_FLAGGED = run_pb2.LINK_OUTCOME_FLAGGED
_DRY_RUN = run_pb2.LINK_OUTCOME_DRY_RUN


@dataclass(frozen=True, slots=True)
class _Link:
    """A link the plan saves: (skill or role, dimension), for item ``item``."""

    item: int
    kind: str  # "skill" | "role"
    owner_id: int
    dimension_id: int


@dataclass
class _Notes:
    """Why each side of an item came out as it did (for the outcome line)."""

    skill: str = ""
    role: str = ""


@dataclass
class FinalPlan:
    result: run_pb2.FinalRoleResult
    run_id: str
    links: list[_Link] = field(default_factory=list)
    notes: list[_Notes] = field(default_factory=list)


def count_items(persistence: run_pb2.Persistence) -> None:
    """Set the counters from the items, so they cannot disagree: skipped / flagged count the items
    with either side skipped / flagged; new skills are created only when their review item is
    approved, never here."""
    items = persistence.items
    persistence.new_skills_created = 0
    persistence.skill_dimension_saved = sum(i.skill_dimension == _SAVED for i in items)
    persistence.skill_dimension_already_linked = sum(i.skill_dimension == _ALREADY for i in items)
    persistence.role_dimension_saved = sum(i.role_dimension == _SAVED for i in items)
    persistence.role_dimension_already_linked = sum(i.role_dimension == _ALREADY for i in items)
    persistence.skipped = sum(_SKIPPED in (i.skill_dimension, i.role_dimension) for i in items)
    persistence.flagged = sum(_FLAGGED in (i.skill_dimension, i.role_dimension) for i in items)


_SKILL_WORDS = {
    _SAVED: "Skill↔dimension saved",
    _ALREADY: "Existing skill↔dimension link (library)",
    _SKIPPED: "Skill↔dimension skipped",
    _FLAGGED: "Skill↔dimension flagged, not saved",
    _DRY_RUN: "Skill↔dimension would be saved (dry run)",
}
_ROLE_WORDS = {
    _SAVED: "Role↔dimension saved",
    _ALREADY: "Role↔dimension already linked",
    _SKIPPED: "Role↔dimension skipped",
    _FLAGGED: "Role↔dimension flagged, not saved",
    _DRY_RUN: "Role↔dimension would be saved (dry run)",
}


def _outcome_line(item: run_pb2.PersistenceItem, notes: _Notes) -> str:
    skill = _SKILL_WORDS.get(item.skill_dimension, "Skill↔dimension: nothing to do")
    role = _ROLE_WORDS.get(item.role_dimension, "Role↔dimension: nothing to do")
    if notes.skill:
        skill += f" ({notes.skill})"
    if notes.role:
        role += f" ({notes.role})"
    return f"{skill} · {role}"


def _resolution(
    snapshot: LibrarySnapshot, run: run_pb2.Run, role_id: int | None
) -> tuple[run_pb2.RoleResolution.ValueType, str]:
    decision = run.extraction.decision
    if role_id is not None and role_id in snapshot.roles:
        return (
            run_pb2.ROLE_RESOLUTION_IN_DB,
            "in_db — role exists in library; skill↔dim and role↔dim links saved when applicable.",
        )
    if decision.is_new_role:
        item = run.extraction.updates.new_role_review_item
        where = f"queued for review as {item}" if item else "not queued (dry run)"
        return (
            run_pb2.ROLE_RESOLUTION_NEW,
            f"new — role proposed, {where}; role↔dim links wait for its approval, "
            "skill↔dim links saved when applicable.",
        )
    if run.extraction.rejected:
        return run_pb2.ROLE_RESOLUTION_UNSPECIFIED, "none — the JD was rejected; nothing is linked."
    return (
        run_pb2.ROLE_RESOLUTION_UNSPECIFIED,
        "none — no role was chosen; only skill↔dim links are considered.",
    )


def _primary_flags(run: run_pb2.Run) -> dict[str, bool]:
    """is_primary of every input skill and of every part of a split compound, by name."""
    primary = {s.skill_name: s.is_primary for s in run.extraction.skills}
    for detail in run.details.skills_detail:
        if detail.new_skill_meta.placement == run_pb2.PLACEMENT_SPLIT:
            for part in detail.new_skill_meta.split_parts:
                primary.setdefault(part, primary.get(detail.input_skill, False))
    return primary


def compute_final_role(loaded: LoadedLibrary, embedder: Embedder, run: run_pb2.Run) -> FinalPlan:
    """Stage 3 without touching the store: tags, items and the links to save (module docstring)."""
    snapshot = loaded.snapshot
    geometry = dimension_geometry(snapshot)
    decision = run.extraction.decision
    role_id = parse_id_name(decision.chosen_role.name, ROLES) if decision.chosen_role.name else None
    if role_id is not None and role_id not in snapshot.roles:
        role_id = None
    resolution, note = _resolution(snapshot, run, role_id)
    result = run_pb2.FinalRoleResult(resolution=resolution, resolution_note=note)
    if decision.chosen_role.name or decision.chosen_role.display_name:
        result.chosen_role.CopyFrom(decision.chosen_role)
    plan = FinalPlan(result, run.run_id)

    primary = _primary_flags(run)
    details = [d for d in run.details.skills_detail if d.new_skill_meta.placement != run_pb2.PLACEMENT_SPLIT]
    backers: dict[int, list[str]] = defaultdict(list)
    for d in details:
        skill_id = _skill_id(snapshot, d)
        if skill_id is not None and primary.get(d.input_skill, False):
            for sd in d.dimensions:
                dim_id = parse_id_name(sd.dimension.name, DIMENSIONS)
                if dim_id is not None and d.canonical.display_name not in backers[dim_id]:
                    backers[dim_id].append(d.canonical.display_name)

    role_dims = set(snapshot.role_dimensions.get(role_id, {})) if role_id is not None else set()
    role_skills = snapshot.role_skills.get(role_id, {}) if role_id is not None else {}
    role_label = snapshot.roles[role_id].display_name if role_id is not None else ""
    planned_skill: dict[tuple[int, int], str] = {}
    planned_role: dict[int, str] = {}
    persistence = result.persistence

    for d in details:
        skill_id = _skill_id(snapshot, d)
        tag = run_pb2.SKILL_TAG_IN_DB if skill_id is not None else run_pb2.SKILL_TAG_NEW
        result.final_input_skills.add(skill=d.input_skill, tag=tag)
        for sd in d.dimensions:
            dim_id = parse_id_name(sd.dimension.name, DIMENSIONS)
            if dim_id is None:
                continue
            item = persistence.items.add(
                input_skill=d.input_skill,
                skill_tag=tag,
                dimension=sd.dimension,
                roles_from_db=sd.roles,
                matched_chosen_role=dim_id in role_dims,
            )
            if skill_id is not None:
                item.skill.CopyFrom(d.canonical)
            else:
                item.skill.CopyFrom(common_pb2.SkillRef(display_name=d.input_skill))
            notes = _Notes()
            plan.notes.append(notes)
            index = len(persistence.items) - 1
            if skill_id is None:
                review = d.new_skill_meta.review_item or "its review item"
                item.skill_dimension = item.role_dimension = _SKIPPED
                item.skipped_reason = f"new skill: links are made when {review} is approved"
                notes.skill = notes.role = "new skill, awaiting review"
                item.outcome_line = _outcome_line(item, notes)
                continue

            # skill↔dimension
            if dim_id in snapshot.skill_dimensions.get(skill_id, ()):
                item.skill_dimension = _ALREADY
            elif (skill_id, dim_id) in planned_skill:
                item.skill_dimension = _ALREADY
                notes.skill = f"same link as the row for {planned_skill[(skill_id, dim_id)]}"
            elif dim_id not in snapshot.dimensions:
                item.skill_dimension = _FLAGGED
                item.flag_reason = f"{dimension_name(dim_id)} is not a dimension of the library"
                notes.skill = "unknown dimension"
            else:
                vector = skill_vector(snapshot, skill_id)
                if vector is None:
                    vector = embedder.embed([d.canonical.display_name])[0]
                fit = geometry.coherence(vector, dim_id)
                if fit.ok:
                    item.skill_dimension = _SAVED
                    notes.skill = fit.reason
                    planned_skill[(skill_id, dim_id)] = d.input_skill
                    plan.links.append(_Link(index, "skill", skill_id, dim_id))
                else:
                    item.skill_dimension = _FLAGGED
                    item.flag_reason = f"the link contradicts the library's structure: {fit.reason}"
                    notes.skill = fit.reason

            # role↔dimension
            if role_id is None:
                item.role_dimension = _SKIPPED
                item.skipped_reason = (
                    "the chosen role is new: its links wait for its approval"
                    if decision.is_new_role
                    else "no library role was chosen"
                )
                notes.role = item.skipped_reason
            elif item.skill_dimension == _FLAGGED:
                item.role_dimension = _SKIPPED
                item.skipped_reason = "the skill↔dimension link was flagged"
                notes.role = item.skipped_reason
            elif dim_id in role_dims:
                item.role_dimension = _ALREADY
            elif dim_id in planned_role:
                item.role_dimension = _ALREADY
                notes.role = f"same link as the row for {planned_role[dim_id]}"
            else:
                save, why = _role_link_reason(
                    d.canonical.display_name,
                    role_skills.get(skill_id, ""),
                    role_label,
                    primary.get(d.input_skill, False),
                    backers.get(dim_id, []),
                )
                if save:
                    item.role_dimension = _SAVED
                    planned_role[dim_id] = d.input_skill
                    plan.links.append(_Link(index, "role", role_id, dim_id))
                else:
                    item.role_dimension = _SKIPPED
                    item.skipped_reason = why
                notes.role = why
            item.outcome_line = _outcome_line(item, notes)
    count_items(persistence)
    return plan


def _skill_id(snapshot: LibrarySnapshot, detail: run_pb2.SkillDetail) -> int | None:
    """The library skill a detail resolved to; None for a new skill (or one the library lost)."""
    skill_id = parse_id_name(detail.canonical.name, SKILLS) if detail.canonical.name else None
    return skill_id if skill_id is not None and skill_id in snapshot.skills else None


def _role_link_reason(
    skill: str, relation: str, role: str, is_primary: bool, backers: list[str]
) -> tuple[bool, str]:
    """(save?, why) for a role↔dimension link the library lacks."""
    if relation:
        return True, f"{role} lists {skill} as {relation.lower()} in the library"
    if len(backers) >= MIN_PRIMARY_BACKERS:
        return True, f"{len(backers)} primary JD skills fall in this dimension ({', '.join(backers[:4])})"
    if not is_primary:
        return False, (
            f"dimension not under chosen role: {skill} is not a {role} skill in the library "
            "and the JD names it as secondary"
        )
    return False, (
        f"dimension not under chosen role: {skill} is not a {role} skill in the library and is the only "
        f"primary JD skill in this dimension (needs {MIN_PRIMARY_BACKERS})"
    )


def apply_final_role(
    session: Session, loaded: LoadedLibrary, plan: FinalPlan, *, dry_run: bool
) -> run_pb2.FinalRoleResult:
    """Write the planned links (one transaction: the caller's) and return the final result; with
    ``dry_run`` nothing is written and every planned link says DRY_RUN."""
    out = run_pb2.FinalRoleResult()
    out.CopyFrom(plan.result)
    items = out.persistence.items
    saved: list[_Link] = []
    # Links are written in one global order so concurrent runs never deadlock on them.
    for link in sorted(plan.links, key=lambda k: (k.kind, k.owner_id, k.dimension_id)):
        item = items[link.item]
        if dry_run:
            outcome = _DRY_RUN
        elif _write(session, link):
            outcome = _SAVED
            saved.append(link)
        else:
            outcome = _ALREADY
            note = "another run linked it first"
            if link.kind == "skill":
                plan.notes[link.item].skill = note
            else:
                plan.notes[link.item].role = note
        if link.kind == "skill":
            item.skill_dimension = outcome
        else:
            item.role_dimension = outcome
        item.outcome_line = _outcome_line(item, plan.notes[link.item])
    count_items(out.persistence)
    if saved:
        changes = [
            Change(
                "skill_dimension_linked" if link.kind == "skill" else "role_dimension_linked",
                skill_name(link.owner_id) if link.kind == "skill" else role_name(link.owner_id),
                f"{dimension_name(link.dimension_id)} ({items[link.item].input_skill}); run {plan.run_id}",
            )
            for link in saved
        ]
        create_version(session, f"run {plan.run_id}: {len(saved)} dimension link(s) saved", changes)
    return out


def _write(session: Session, link: _Link) -> bool:
    """Insert one link; False when it already existed."""
    if link.kind == "skill":
        values: dict[str, object] = {
            "skill_id": link.owner_id,
            "dimension_id": link.dimension_id,
            "source": RUN_LINK_SOURCE,
        }
    else:
        values = {
            "role_id": link.owner_id,
            "dimension_id": link.dimension_id,
            "weight": 1,
            "source": RUN_LINK_SOURCE,
        }
    statement = _link_statement(link.kind, dialect_name(session))
    return session.execute(statement, values).scalar_one_or_none() is not None


def _link_statement(kind: str, dialect: str) -> TextClause | TextualSelect:
    """INSERT ... ON CONFLICT (owner, dimension) DO NOTHING RETURNING the owner, for skill or role
    links, built once (store.db.frozen_insert_ignore)."""
    model: type[SkillDimensionRow | RoleDimensionRow] = (
        SkillDimensionRow if kind == "skill" else RoleDimensionRow
    )
    owner = "skill_id" if kind == "skill" else "role_id"
    columns = (
        (owner, "dimension_id", "source") if kind == "skill" else (owner, "dimension_id", "weight", "source")
    )
    return frozen_insert_ignore(
        cast(Table, model.__table__), dialect, columns, keys=(owner, "dimension_id"), returning=(owner,)
    )
