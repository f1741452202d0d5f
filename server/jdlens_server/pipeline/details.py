"""Stage 2, ExtractDetails (reference: extract-details): every skill of a stage-1 run resolved to a
canonical library skill, with how it matched; a placement for every skill the library lacks; each
skill's dimensions with the roles linked to them; candidate roles.

``compute_details`` reads only the library snapshot and the run (one embedding call for the terms
that do not resolve by name); ``apply_details`` writes what the plan says, in the caller's
transaction: learned aliases (rule in ``skill_placement.alias_verdict``; each learned alias bumps
the library version with a change-log entry) and the new-skill proposals, which are the SAME review
items stage 1 queued for the same role and name (the queue de-duplicates by kind + role + folded
name; this stage adds its placement and metadata to the item's payload and counts the run once).

Resolution of one skill, in order:
1. stage 1's dictionary match, if any (its context rules already accepted the mention); the
   surface form in the JD is compared with the alias it matched to say how (EXACT ... INFLECTION);
2. the name through the alias index (``skill_resolution``);
3. a compound ("Hadoop/Ceph") is split and each part goes through 2, 4 and 5 on its own;
4. an upper-case abbreviation the JD defines ("machine learning (ML)") resolves through its long form;
5. the nearest library skill by embedding: MERGE at >= MERGE_SIM, else KEEP_NEW.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from jdlens.v1 import library_pb2, run_pb2
from jdlens_server.library import review_queue
from jdlens_server.library.aliases import COMMON_WORDS, match_strategy
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.library.state import LoadedLibrary
from jdlens_server.library.sync import slugify
from jdlens_server.library.versions import Change, create_version
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.normalize import fold
from jdlens_server.pipeline import skill_placement as place
from jdlens_server.pipeline.candidate_roles import candidate_roles
from jdlens_server.pipeline.refs import dimension_ref, shared_role_ref, shared_skill_ref
from jdlens_server.pipeline.skill_resolution import (
    AliasIndex,
    Resolution,
    alias_index,
    compare_forms,
    per_snapshot,
    skill_vector,
)
from jdlens_server.proto_enums import enum_from_key
from jdlens_server.resource_names import ROLES, SKILLS, parse_id_name, review_item_name, skill_name
from jdlens_server.store.db import dialect_name, frozen_insert_ignore, lock_alias_text
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow, SkillAliasRow

__all__ = [
    "AliasToLearn",
    "DetailsPlan",
    "SkillProposal",
    "apply_details",
    "compute_details",
]

# Roles listed under one dimension (the rest are reachable through ListRoles by dimension).
MAX_ROLES_PER_DIMENSION = 10
MAX_ALIASES_SHOWN = 20
LEARNED_SOURCE = "learned"
# How far from a mention a library skill still counts as listed next to it.
CONTEXT_CHARS = 80
# Sentence and list-line boundaries ("." only before a space: "Node.js" is one name).
_BOUNDARY = re.compile(r"[;:\n\u2022]|\.(?=\s)")


@dataclass(frozen=True, slots=True)
class AliasToLearn:
    """An alias the rule allows: written by ``apply_details`` unless the store disagrees."""

    skill_id: int
    text: str
    alias_type: str
    reason: str
    detail: int  # index in DetailsResult.skills_detail
    match: int  # index in DetailsResult.alias_matches


@dataclass(frozen=True, slots=True)
class SkillProposal:
    """A new-skill review item this stage creates or enriches."""

    name: str
    is_primary: bool
    evidence: tuple[run_pb2.Evidence, ...]
    detail: int
    # False: only enrich an item stage 1 already queued (a skill this stage resolved or split).
    create: bool
    # Index in ``aliases`` when the item is needed only if that alias is not learned.
    unless_alias: int | None = None


@dataclass
class DetailsPlan:
    result: run_pb2.DetailsResult
    role_id: int | None
    aliases: list[AliasToLearn] = field(default_factory=list)
    proposals: list[SkillProposal] = field(default_factory=list)


@dataclass
class _Term:
    """One skill under resolution: an input skill or a part of a split compound."""

    name: str
    surface: str
    source: run_pb2.SkillSource.ValueType
    is_primary: bool
    evidence: tuple[run_pb2.Evidence, ...]
    stage1_new: bool
    parent: int | None = None
    stage1_confidence: float = 0.0
    resolution: Resolution | None = None
    via_long_form: str = ""
    split: place.CompoundSplit | None = None
    parts: list[int] = field(default_factory=list)
    neighbours: list[place.Neighbour] = field(default_factory=list)
    homonyms: set[int] = field(default_factory=set)
    vector: npt.NDArray[np.float32] | None = None
    # The evidence spans as (start, end): read once, not per comparison (proto field reads are slow).
    spans: list[tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        self.spans = [(ev.span.start, ev.span.end) for ev in self.evidence]


def _role_id(decision: run_pb2.RoleDecision) -> int | None:
    return parse_id_name(decision.chosen_role.name, ROLES) if decision.chosen_role.name else None


def _stage1_resolution(
    snapshot: LibrarySnapshot, skill: run_pb2.ExtractedSkill, surface: str
) -> Resolution | None:
    skill_id = parse_id_name(skill.library_skill.name, SKILLS) if skill.library_skill.name else None
    if skill_id is None or skill_id not in snapshot.skills:
        return None
    if skill.source == run_pb2.SKILL_SOURCE_EMBEDDING:
        # A duty phrase that restates the skill (pipeline/duty_skills): linked by its embedding.
        return Resolution(skill_id, run_pb2.MATCH_VIA_EMBEDDING, snapshot.skills[skill_id].display_name)
    alias = skill.matched_alias or snapshot.skills[skill_id].display_name
    return Resolution(skill_id, compare_forms(surface, alias), alias)


def _terms(loaded: LoadedLibrary, run: run_pb2.Run, index: AliasIndex, prefer: list[int]) -> list[_Term]:
    snapshot = loaded.snapshot
    terms: list[_Term] = []
    for skill in run.extraction.skills:
        surface = skill.evidence[0].text.strip() if skill.evidence else skill.skill_name
        term = _Term(
            skill.skill_name,
            surface or skill.skill_name,
            skill.source,
            skill.is_primary,
            tuple(skill.evidence),
            skill.is_new,
            stage1_confidence=skill.confidence,
        )
        term.resolution = _stage1_resolution(snapshot, skill, term.surface) or _lexical(
            index, [term.surface, term.name], prefer
        )
        terms.append(term)
        if term.resolution is not None:
            continue
        term.split = place.split_compound(term.name, lambda p: index.resolve(p, prefer) is not None)
        if term.split is None:
            continue
        for part in term.split.parts:
            child = _Term(
                part, part, skill.source, skill.is_primary, term.evidence, False, parent=len(terms) - 1
            )
            child.resolution = index.resolve(part, prefer)
            term.parts.append(len(terms))
            terms.append(child)
    return terms


def _lexical(index: AliasIndex, names: Sequence[str], prefer: list[int]) -> Resolution | None:
    for name in dict.fromkeys(n for n in names if n.strip()):
        hit = index.resolve(name, prefer)
        if hit is not None:
            return hit
    return None


def _within(spans: list[tuple[int, int]], windows: list[tuple[int, int]]) -> bool:
    """Does one of the spans lie inside one of the windows?"""
    for start, end in spans:
        for a, b in windows:
            if a <= start and end <= b:
                return True
    return False


def _context_voters(terms: list[_Term], i: int, jd_text: str) -> list[place.Neighbour]:
    """Library skills named near term ``i`` in the JD: within CONTEXT_CHARS of one of its mentions
    and in the same sentence or list line (the "Hadoop/Ceph, Spark/Flink, Hive" of a tools list)."""
    term = terms[i]
    windows: list[tuple[int, int]] = []
    for start, end in term.spans:
        lo = max(start - CONTEXT_CHARS, 0)
        hi = min(end + CONTEXT_CHARS, len(jd_text))
        before = [m.end() for m in _BOUNDARY.finditer(jd_text, lo, start)]
        after = _BOUNDARY.search(jd_text, end, hi)
        windows.append((before[-1] if before else lo, after.start() if after else hi))
    seen: set[int] = set()
    out: list[place.Neighbour] = []
    for other in terms:
        res = other.resolution
        if other is term or res is None or res.skill_id in seen:
            continue
        if _within(other.spans, windows):
            seen.add(res.skill_id)
            out.append(place.Neighbour(res.skill_id, place.CONTEXT_WEIGHT, context=True))
    return out


def _roles_by_weight(snapshot: LibrarySnapshot) -> dict[int, list[int]]:
    """Per dimension, its first roles by link weight (the most strongly linked first)."""
    out: dict[int, list[int]] = {}
    for dimension_id, roles in snapshot.dimension_roles.items():
        out[dimension_id] = heapq.nsmallest(
            MAX_ROLES_PER_DIMENSION + 1,
            roles,
            key=lambda r: (-snapshot.role_dimensions.get(r, {}).get(dimension_id, 0), r),
        )
    return out


class _Shown:
    """What this stage shows of the library's skills and dimensions, built once per snapshot as
    needed (the same skills come back run after run) and dropped with it. Callers copy the messages
    into their result and never change them. It holds no reference to its snapshot, which would
    keep every replaced library alive."""

    def __init__(self, snapshot: LibrarySnapshot) -> None:
        self.roles_by_weight = _roles_by_weight(snapshot)
        self._dimensions: dict[tuple[int, int | None], run_pb2.SkillDimensions] = {}
        self._dimension_ids: dict[int, list[int]] = {}
        self._aliases: dict[int, list[run_pb2.SkillAlias]] = {}

    def dimension(
        self, snapshot: LibrarySnapshot, dimension_id: int, chosen: int | None
    ) -> run_pb2.SkillDimensions:
        """A dimension with its roles (the chosen role first, then the most strongly linked),
        without input_skill."""
        top = self.roles_by_weight.get(dimension_id, [])
        linked = chosen is not None and dimension_id in snapshot.role_dimensions.get(chosen, {})
        # The chosen role changes the list only when it is linked or among the top roles.
        key = (dimension_id, chosen if linked or chosen in top else None)
        hit = self._dimensions.get(key)
        if hit is None:
            ranked = ([chosen] if linked and chosen is not None else []) + [r for r in top if r != chosen]
            hit = self._dimensions[key] = run_pb2.SkillDimensions(
                dimension=dimension_ref(snapshot, dimension_id),
                roles=[shared_role_ref(snapshot, r) for r in ranked[:MAX_ROLES_PER_DIMENSION]],
            )
        return hit

    def dimension_ids(self, snapshot: LibrarySnapshot, skill_id: int) -> list[int]:
        """The skill's library dimensions; for a skill without any, the one its nearest skills
        share (a proposal stage 3 checks against the dimension's skills before linking)."""
        dims = self._dimension_ids.get(skill_id)
        if dims is not None:
            return dims
        dims = list(snapshot.skill_dimensions.get(skill_id, ()))
        if not dims:
            vector = skill_vector(snapshot, skill_id)
            if vector is not None:
                voters = [
                    n
                    for n in place.nearest_skills(snapshot, vector, exclude=[skill_id])
                    if n.similarity >= place.NEIGHBOUR_FLOOR
                ]
                proposal = place.propose_dimension(voters, snapshot, vector)
                if proposal.dimension_id is not None:
                    dims = [proposal.dimension_id]
        self._dimension_ids[skill_id] = dims
        return dims

    def aliases(self, index: AliasIndex, skill_id: int) -> list[run_pb2.SkillAlias]:
        """A skill's aliases as shown."""
        hit = self._aliases.get(skill_id)
        if hit is None:
            hit = self._aliases[skill_id] = [
                run_pb2.SkillAlias(
                    text=a.text,
                    alias_type=enum_from_key(run_pb2.AliasType, a.alias_type),
                    match_strategy=enum_from_key(run_pb2.MatchStrategy, a.match_strategy),
                    is_primary=a.alias_type.upper() == "CANONICAL",
                )
                for a in index.aliases_of(skill_id)[:MAX_ALIASES_SHOWN]
            ]
        return hit

    def add_dimension(
        self,
        snapshot: LibrarySnapshot,
        input_skill: str,
        dimension_id: int,
        chosen: int | None,
        detail: run_pb2.SkillDetail,
        result: run_pb2.DetailsResult,
    ) -> None:
        """Append the skill's SkillDimensions to its detail and to the result's list."""
        template = self.dimension(snapshot, dimension_id, chosen)
        for out in (detail.dimensions.add(), result.dimensions.add()):
            out.CopyFrom(template)
            out.input_skill = input_skill


_LEXICAL_REASON = {
    # pipeline/duty_skills: the evidence is a whole duty sentence, which names more than the skill.
    run_pb2.MATCH_VIA_EMBEDDING: "linked in stage 1 from a duty sentence by embedding: a sentence is no alias",
    run_pb2.MATCH_VIA_EXACT: "alias already exists for this canonical skill",
    run_pb2.MATCH_VIA_CASE_INSENSITIVE: "alias already exists for this canonical skill (lookups ignore case)",
    run_pb2.MATCH_VIA_NORMALIZED: (
        "alias already exists for this canonical skill (lookups fold punctuation, spaces and accents)"
    ),
    run_pb2.MATCH_VIA_INFLECTION: "an inflected form of an existing alias (matching folds inflections)",
}


def compute_details(loaded: LoadedLibrary, embedder: Embedder, run: run_pb2.Run) -> DetailsPlan:
    """Stage 2 without touching the store (see the module docstring)."""
    snapshot = loaded.snapshot
    index = alias_index(snapshot)
    decision = run.extraction.decision
    role_id = _role_id(decision)
    prefer = list(snapshot.role_skills.get(role_id, {})) if role_id is not None else []
    result = run_pb2.DetailsResult(input_skills=[s.skill_name for s in run.extraction.skills])
    if decision.chosen_role.display_name or decision.chosen_role.name:
        result.chosen_role.CopyFrom(decision.chosen_role)
    plan = DetailsPlan(result, role_id)

    terms = _terms(loaded, run, index, prefer)
    # Abbreviations the JD defines resolve through their long form.
    for term in terms:
        if term.resolution is None and term.split is None:
            long_form = place.defined_abbreviation(term.name, run.jd_text)
            hit = index.resolve(long_form, prefer) if long_form else None
            if hit is not None and long_form:
                term.resolution, term.via_long_form = hit, long_form
    # One embedding call for everything still unplaced.
    pending = [i for i, t in enumerate(terms) if t.resolution is None and t.split is None]
    if pending:
        vectors = embedder.embed([terms[i].name for i in pending])
        homonyms = [index.skills_with_folded(terms[i].name) for i in pending]
        neighbours = place.nearest_skills_many(snapshot, vectors, exclude=homonyms)
        for n, i in enumerate(pending):
            terms[i].vector, terms[i].homonyms, terms[i].neighbours = vectors[n], homonyms[n], neighbours[n]

    shown = per_snapshot(snapshot, "details_shown", _Shown)
    jd_skills: set[int] = set()
    for i in range(len(terms)):
        _emit(plan, loaded, index, shown, terms, i, run.jd_text, jd_skills)
    stage1 = [
        role_id
        for r in run.extraction.signals.combined_roles
        if (role_id := parse_id_name(r.role.name, ROLES)) is not None
    ]
    result.candidate_roles.extend(candidate_roles(snapshot, jd_skills, stage1))
    return plan


def _emit(
    plan: DetailsPlan,
    loaded: LoadedLibrary,
    index: AliasIndex,
    shown: _Shown,
    terms: list[_Term],
    i: int,
    jd_text: str,
    jd_skills: set[int],
) -> None:
    """Append term ``i``'s SkillDetail (and AliasMatch, alias to learn, proposal) to the plan."""
    snapshot = loaded.snapshot
    result = plan.result
    term = terms[i]
    detail = result.skills_detail.add(input_skill=term.name, source=term.source)
    d_index = len(result.skills_detail) - 1

    if term.split is not None:
        meta = _new_meta(term.name, run_pb2.PLACEMENT_SPLIT)
        meta.split_log.extend(term.split.log)
        meta.split_parts.extend(term.split.parts)
        for p in term.parts:
            part = terms[p]
            res = part.resolution
            line = (
                f"{part.name!r} -> library skill {snapshot.skills[res.skill_id].display_name!r}"
                if res is not None
                else f"{part.name!r} -> placed on its own below"
            )
            meta.split_log.append(line)
        detail.matched_via = run_pb2.MATCH_VIA_NONE
        detail.new_skill_meta.CopyFrom(meta)
        plan.proposals.append(SkillProposal(term.name, term.is_primary, term.evidence, d_index, create=False))
        return

    merged = _embedding_merge(term)
    if term.resolution is None and merged is None:
        _emit_new(plan, loaded, shown, terms, i, detail, d_index, jd_text)
        return

    res = term.resolution
    # A duty sentence linked in stage 1 (pipeline/duty_skills) keeps its cosine.
    similarity = term.stage1_confidence if res is not None and res.via == run_pb2.MATCH_VIA_EMBEDDING else 1.0
    if res is None and merged is not None:
        res, similarity = merged
    assert res is not None
    canonical = shared_skill_ref(snapshot, res.skill_id)
    detail.canonical.CopyFrom(canonical)
    detail.matched_via = res.via
    detail.aliases_in_db.extend(shown.aliases(index, res.skill_id))
    for d in shown.dimension_ids(snapshot, res.skill_id):
        shown.add_dimension(snapshot, term.name, d, plan.role_id, detail, result)
    jd_skills.add(res.skill_id)

    match = result.alias_matches.add(
        input_term=term.surface if term.parent is None else term.name,
        matched_canonical=canonical,
        matched_via=res.via,
        existing_alias_text=res.alias_text if res.via != run_pb2.MATCH_VIA_EMBEDDING else "",
        similarity=round(similarity, 4),
    )
    m_index = len(result.alias_matches) - 1
    lexical = merged is None and not term.via_long_form
    if lexical:
        match.alias_persist_skipped_reason = _LEXICAL_REASON.get(res.via, "alias already exists")
        if term.stage1_new:
            # Stage 1 queued it as new; the reviewer should see that it is a library skill.
            meta = _merge_meta(term, res, snapshot, similarity)
            detail.new_skill_meta.CopyFrom(meta)
            plan.proposals.append(
                SkillProposal(term.name, term.is_primary, term.evidence, d_index, create=False)
            )
        return

    verdict = place.alias_verdict(
        term.name, res.skill_id, similarity, index, snapshot, long_form=term.via_long_form
    )
    meta = _merge_meta(term, res, snapshot, similarity)
    meta.merge_log.append(f"alias: {verdict.reason}")
    detail.new_skill_meta.CopyFrom(meta)
    detail.new_alias_text = term.name
    unless: int | None = None
    if verdict.learn:
        plan.aliases.append(
            AliasToLearn(res.skill_id, term.name, verdict.alias_type, verdict.reason, d_index, m_index)
        )
        unless = len(plan.aliases) - 1
        match.alias_persist_skipped_reason = ""
    else:
        match.alias_persist_skipped_reason = verdict.reason
    plan.proposals.append(
        SkillProposal(term.name, term.is_primary, term.evidence, d_index, create=True, unless_alias=unless)
    )


def _embedding_merge(term: _Term) -> tuple[Resolution, float] | None:
    if term.resolution is not None or not term.neighbours:
        return None
    top = term.neighbours[0]
    if top.similarity < place.MERGE_SIM:
        return None
    return Resolution(top.skill_id, run_pb2.MATCH_VIA_EMBEDDING, ""), top.similarity


# The same new skills come back run after run; slugify normalises unicode character by character.
_slug = functools.lru_cache(maxsize=4096)(slugify)


def _new_meta(name: str, placement: run_pb2.Placement.ValueType) -> run_pb2.NewSkillMeta:
    return run_pb2.NewSkillMeta(skill_id=_slug(name), placement=placement)


def _merge_meta(
    term: _Term, res: Resolution, snapshot: LibrarySnapshot, similarity: float
) -> run_pb2.NewSkillMeta:
    target = snapshot.skills[res.skill_id]
    meta = _new_meta(term.name, run_pb2.PLACEMENT_MERGE)
    meta.derived.CopyFrom(shared_skill_ref(snapshot, res.skill_id).metadata)
    meta.derived.confidence = round(similarity, 2)
    meta.derived.reasoning = f"metadata of {target.display_name!r}, which it merges into"
    meta.merge_into.CopyFrom(shared_skill_ref(snapshot, res.skill_id))
    if term.via_long_form:
        meta.merge_log.append(
            f"the JD defines {term.name!r} as {term.via_long_form!r}, which names {target.display_name!r} "
            f"({run_pb2.MatchVia.Name(res.via)} alias {res.alias_text!r})"
        )
    elif res.via == run_pb2.MATCH_VIA_EMBEDDING:
        meta.merge_log.append(
            f"nearest library skill {target.display_name!r} at {similarity:.2f} >= {place.MERGE_SIM} "
            "(at this similarity the nearest skill is the right one for ~96% of ESCO's own alternative labels)"
        )
    else:
        meta.merge_log.append(
            f"stage 1 read it as new, but it names {target.display_name!r} "
            f"({run_pb2.MatchVia.Name(res.via)} alias {res.alias_text!r})"
        )
    return meta


def _emit_new(
    plan: DetailsPlan,
    loaded: LoadedLibrary,
    shown: _Shown,
    terms: list[_Term],
    i: int,
    detail: run_pb2.SkillDetail,
    d_index: int,
    jd_text: str,
) -> None:
    """KEEP_NEW: a new canonical skill with derived metadata, a dimension and relationships."""
    snapshot = loaded.snapshot
    term = terms[i]
    detail.matched_via = run_pb2.MATCH_VIA_NONE
    plan.result.unmatched_skills.append(term.name)
    meta = _new_meta(term.name, run_pb2.PLACEMENT_KEEP_NEW)
    best = term.neighbours[0] if term.neighbours else None
    best_sim = best.similarity if best else 0.0
    lead_verbs = loaded.matcher.lead_verbs
    if best is not None:
        best_name = snapshot.skills[best.skill_id].display_name
        meta.keep_log.append(
            f"nearest library skill {best_name!r} at {best_sim:.2f} < {place.MERGE_SIM}: not the same skill"
        )
        if best_sim >= place.NEAR_DUPLICATE_SIM:
            meta.warnings.append(
                f"close to {best_name!r} ({best_sim:.2f}): check for a duplicate before approving"
            )
    else:
        meta.keep_log.append("the library has no skill embeddings to compare with")
    for h in sorted(term.homonyms):
        name = snapshot.skills[h].display_name if h in snapshot.skills else str(h)
        meta.warnings.append(
            f"spelled like library skill {name!r}, whose alias counts only in context: "
            "taken for a different thing, not merged"
        )
    if fold(term.name) in COMMON_WORDS:
        meta.warnings.append(f"{term.name!r} is also an everyday word")

    context = _context_voters(terms, i, jd_text)
    voters = place.select_voters(term.name, term.neighbours, context, snapshot)
    if context:
        names = [snapshot.skills[c.skill_id].display_name for c in context[:5]]
        meta.keep_log.append(f"listed in the JD next to library skills {', '.join(names)}")
    product = place.product_name(term.name, best_sim)
    if product:
        meta.keep_log.append(f"{product}: only products among its neighbours and the JD's list vote")
    if not voters:
        meta.warnings.append("no library skill votes on its metadata: low confidence, left to the reviewer")
    meta.derived.CopyFrom(
        place.derive_metadata(term.name, voters, snapshot, best_sim=best_sim, lead_verbs=lead_verbs)
    )
    dim = place.propose_dimension(voters, snapshot, term.vector)
    meta.keep_log.append(f"dimension: {dim.reason}")
    if dim.dimension_id is not None:
        meta.proposed_dimension.CopyFrom(dimension_ref(snapshot, dim.dimension_id))
        shown.add_dimension(snapshot, term.name, dim.dimension_id, plan.role_id, detail, plan.result)
    meta.relationships.extend(place.relationships(term.name, term.neighbours, snapshot, lead_verbs))
    detail.new_skill_meta.CopyFrom(meta)
    plan.proposals.append(SkillProposal(term.name, term.is_primary, term.evidence, d_index, create=True))


# ---- writes ------------------------------------------------------------------------------------


def _learn(session: Session, alias: AliasToLearn) -> str:
    """Write one alias; returns "" when written, else why not (the store is the final judge)."""
    folded = fold(alias.text)
    lock_alias_text(session, folded)  # the check below and the insert, as one step
    other = session.scalar(
        select(SkillAliasRow.skill_id)
        .where(SkillAliasRow.normalized == folded, SkillAliasRow.skill_id != alias.skill_id)
        .limit(1)
    )
    if other is not None:
        return f"{alias.text!r} is already an alias of another skill ({skill_name(other)})"
    values: dict[str, object] = {
        "skill_id": alias.skill_id,
        "text": alias.text,
        "normalized": folded,
        "alias_type": alias.alias_type,
        "match_strategy": match_strategy(alias.text),
        "is_primary": False,
        "source": LEARNED_SOURCE,
    }
    stmt = frozen_insert_ignore(
        cast(Table, SkillAliasRow.__table__),
        dialect_name(session),
        tuple(values),
        keys=("skill_id", "normalized"),
        returning=("id",),
    )
    if session.execute(stmt, values).scalar_one_or_none() is None:
        return "alias already exists for this canonical skill"
    return ""


# The review-queue statements of every run, built once: on the Core tables (no ORM object of them
# is in the session, so the ORM's execution path is only overhead) and with bound parameters, so
# a run neither rebuilds them nor recomputes their cache keys (~0.1-0.3 ms a statement).
_ITEMS = cast(Table, ReviewItemRow.__table__)
_ITEM_RUNS = cast(Table, ReviewItemRunRow.__table__)
_ITEMS_BY_KEY = select(_ITEMS.c.dedupe_key, _ITEMS.c.id, _ITEMS.c.status, _ITEMS.c.payload).where(
    _ITEMS.c.dedupe_key.in_(bindparam("keys", expanding=True))
)
_COUNTED_ITEMS = select(_ITEM_RUNS.c.review_item_id).where(
    _ITEM_RUNS.c.run_id == bindparam("run_id"),
    _ITEM_RUNS.c.review_item_id.in_(bindparam("ids", expanding=True)),
)
_ITEM_PAYLOAD = select(_ITEMS.c.payload).where(_ITEMS.c.id == bindparam("item_id"))
_SET_ITEM_PAYLOAD = (
    update(_ITEMS).where(_ITEMS.c.id == bindparam("item_id")).values(payload=bindparam("blob"))
)


@dataclass
class _QueueState:
    """The review items this run's proposals touch, read in two queries for the whole run (not two
    per proposal) and kept current as the proposals write them: two proposals of one plan can share
    an item (a compound's part named on its own too)."""

    items: dict[str, tuple[int, str, bytes]]  # dedupe key -> (id, status, payload)
    counted: set[int]  # items already linked to the run
    # Payload updates not yet sent: written together (one executemany), before the next upsert so
    # that rows are still written in dedupe-key order (the queue's global lock order).
    unsent: list[dict[str, object]] = field(default_factory=list)

    def send_updates(self, session: Session) -> None:
        if self.unsent:
            session.execute(_SET_ITEM_PAYLOAD, self.unsent)
            self.unsent = []

    @classmethod
    def read(cls, session: Session, keys: Collection[str], run_id: str) -> _QueueState:
        rows = session.execute(_ITEMS_BY_KEY, {"keys": sorted(keys)}).all() if keys else []
        items = {str(r.dedupe_key): (int(r.id), str(r.status), bytes(r.payload)) for r in rows}
        counted: set[int] = set()
        if items:
            ids = sorted(i for i, _, _ in items.values())
            counted.update(session.scalars(_COUNTED_ITEMS, {"run_id": run_id, "ids": ids}))
        return cls(items, counted)


def _stored_payload(session: Session, item_id: int) -> bytes:
    return bytes(session.scalar(_ITEM_PAYLOAD, {"item_id": item_id}) or b"")


def _queue(
    session: Session,
    state: _QueueState,
    proposal: SkillProposal,
    create: bool,
    meta: run_pb2.NewSkillMeta,
    role_id: int | None,
    run_id: str,
) -> int | None:
    """Create or enrich the new-skill review item for (role, name); returns its id, or None when
    there is nothing to enrich. A run is counted once however many stages propose the skill."""
    key = review_queue.dedupe_key("new_skill", role_id, proposal.name)
    row = state.items.get(key)
    if row is None and not create:
        return None
    payload = library_pb2.NewSkillProposal(skill_name=proposal.name, is_primary=proposal.is_primary)
    payload.evidence.extend(proposal.evidence)
    counted = row is not None and row[0] in state.counted
    if row is None or (create and not counted):
        state.send_updates(session)
        item_id, _, status = review_queue.propose(
            session, kind="new_skill", subject=proposal.name, role_id=role_id, payload=payload, run_id=run_id
        )
        state.counted.add(item_id)
    else:
        item_id, status = row[0], row[1]
    if row is not None:
        stored = library_pb2.NewSkillProposal.FromString(row[2])
        stored.is_primary = stored.is_primary or proposal.is_primary
        if not stored.evidence:
            stored.evidence.extend(proposal.evidence)
        payload = stored
    if status != "pending":
        if row is None:  # a twin's item, resolved meanwhile (a new one is pending): take it as stored
            state.items[key] = (item_id, status, _stored_payload(session, item_id))
        return item_id
    payload.meta.CopyFrom(meta)
    payload.meta.review_item = review_item_name(item_id)
    blob = payload.SerializeToString()
    state.unsent.append({"item_id": item_id, "blob": blob})
    state.items[key] = (item_id, status, blob)
    return item_id


def apply_details(
    session: Session, loaded: LoadedLibrary, plan: DetailsPlan, run_id: str, *, dry_run: bool
) -> run_pb2.DetailsResult:
    """Write the plan (learned aliases, review items) in the caller's transaction and return the
    final result. With ``dry_run`` nothing is written and review_item stays empty."""
    out = run_pb2.DetailsResult()
    out.CopyFrom(plan.result)
    learned: list[AliasToLearn] = []
    learned_at: set[int] = set()
    # Rows and alias-text locks are taken in one global order (aliases by text and skill, review
    # items by dedupe key), so concurrent runs never wait on each other crosswise (deadlock).
    alias_order = sorted(
        range(len(plan.aliases)), key=lambda i: (fold(plan.aliases[i].text), plan.aliases[i].skill_id)
    )
    for n in alias_order:
        alias = plan.aliases[n]
        match = out.alias_matches[alias.match]
        if dry_run:
            match.alias_persist_skipped_reason = f"dry run: would be learned ({alias.reason})"
            continue
        why_not = _learn(session, alias)
        if why_not:
            match.alias_persist_skipped_reason = why_not
            continue
        match.alias_persisted = True
        out.skills_detail[alias.detail].new_alias_persisted = True
        out.skills_detail[alias.detail].new_skill_meta.merge_log.append(
            "alias learned: the library now has it"
        )
        learned.append(alias)
        learned_at.add(n)
    out.new_aliases_persisted = len(learned)
    if learned:
        create_version(
            session,
            f"run {run_id}: learned {len(learned)} skill alias{'es' if len(learned) > 1 else ''}",
            [
                Change(
                    "alias_learned",
                    skill_name(a.skill_id),
                    f"{a.text!r} ({a.alias_type}): {a.reason}; run {run_id}",
                )
                for a in learned
            ],
        )
    if dry_run:
        return out
    keys = {review_queue.dedupe_key("new_skill", plan.role_id, p.name) for p in plan.proposals}
    state = _QueueState.read(session, keys, run_id)
    for proposal in sorted(plan.proposals, key=lambda p: review_queue.dedupe_key("new_skill", None, p.name)):
        # An alias learned without review leaves nothing to review unless stage 1 queued the skill.
        create = proposal.create and proposal.unless_alias not in learned_at
        detail = out.skills_detail[proposal.detail]
        item_id = _queue(session, state, proposal, create, detail.new_skill_meta, plan.role_id, run_id)
        if item_id is not None:
            detail.new_skill_meta.review_item = review_item_name(item_id)
    state.send_updates(session)
    return out
