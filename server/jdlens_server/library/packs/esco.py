"""The ESCO pack: read the shipped ESCO v1.1.1 tables into typed records, with validation.

Rows that fail a check (missing or malformed field, bad URI or code, duplicate key, relation to an
unknown concept) are left out of the pack and listed in `EscoPack.problems` with file and line.
Tables are checked in dependency order, so a row that is left out also takes the relations that
point at it (each reported on its own line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.records import (
    BroaderRelation,
    ConceptType,
    EscoOccupation,
    EscoOccupationSkill,
    EscoSkill,
    EscoSkillGroup,
    IscoGroup,
    PackProblem,
    RelationType,
    ReuseLevel,
    SkillType,
)
from jdlens_server.library.packs.rows import (
    Row,
    RowError,
    enum_value,
    keep_rows,
    labels,
    matching,
    opt_enum,
    opt_str,
    read_table,
    records,
    req_str,
    sort_problems,
    unique_rows,
)

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SKILL_URI = re.compile(rf"http://data\.europa\.eu/esco/skill/{_UUID}")
# Knowledge groups come from ISCED-F (fields of education) and keep its numeric codes in the URI.
SKILL_GROUP_URI = re.compile(rf"http://data\.europa\.eu/esco/(?:skill/{_UUID}|isced-f/\d{{2,4}})")
OCCUPATION_URI = re.compile(rf"http://data\.europa\.eu/esco/occupation/{_UUID}")
ISCO_URI = re.compile(r"http://data\.europa\.eu/esco/isco/C(\d{1,4})")
ISCO_CODE = re.compile(r"\d{1,4}")
ISCO_UNIT_CODE = re.compile(r"\d{4}")
# ESCO occupation codes extend their ISCO unit group: "2511.4", "2654.1.7".
OCCUPATION_CODE = re.compile(r"\d{4}(?:\.\d+)+")
SKILL_GROUP_CODE = re.compile(r"[SKTL](?:\d+(?:\.\d+)*)?")

_SKILL_PILLAR = {
    (ConceptType.SKILL, ConceptType.SKILL),
    (ConceptType.SKILL, ConceptType.SKILL_GROUP),
    (ConceptType.SKILL_GROUP, ConceptType.SKILL_GROUP),
}
_OCCUPATION_PILLAR = {
    (ConceptType.OCCUPATION, ConceptType.OCCUPATION),
    (ConceptType.OCCUPATION, ConceptType.ISCO_GROUP),
    (ConceptType.ISCO_GROUP, ConceptType.ISCO_GROUP),
}


@dataclass(frozen=True, slots=True)
class EscoPack:
    info: mf.PackInfo
    skills: list[EscoSkill]
    skill_groups: list[EscoSkillGroup]
    # Skill pillar: skill -> broader skill or group, group -> broader group.
    skill_broader: list[BroaderRelation]
    occupations: list[EscoOccupation]
    isco_groups: list[IscoGroup]
    occupation_skills: list[EscoOccupationSkill]
    # Occupation pillar: occupation -> broader occupation or ISCO group, ISCO group -> broader group.
    occupation_broader: list[BroaderRelation]
    problems: list[PackProblem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "skills": len(self.skills),
            "alt_labels": sum(len(s.alt_labels) for s in self.skills),
            "skill_groups": len(self.skill_groups),
            "skill_broader": len(self.skill_broader),
            "occupations": len(self.occupations),
            "occupation_alt_labels": sum(len(o.alt_labels) for o in self.occupations),
            "isco_groups": len(self.isco_groups),
            "occupation_skills": len(self.occupation_skills),
            "occupation_broader": len(self.occupation_broader),
            "problems": len(self.problems),
        }

    def skill_group_uris(self) -> dict[str, tuple[str, ...]]:
        """Skill groups of every skill: on each upward path through broader skills, the first group met.

        A skill hangs under groups directly or under broader skills (which hang under groups), so
        a skill with only a broader skill still gets that skill's groups.
        """
        parents: dict[str, list[BroaderRelation]] = {}
        for rel in self.skill_broader:
            parents.setdefault(rel.uri, []).append(rel)
        out: dict[str, tuple[str, ...]] = {}
        for skill in self.skills:
            found: dict[str, None] = {}  # ordered set
            seen = {skill.uri}
            frontier = [skill.uri]
            while frontier:
                nxt: list[str] = []
                for uri in frontier:
                    for rel in parents.get(uri, ()):
                        if rel.broader_type is ConceptType.SKILL_GROUP:
                            found[rel.broader_uri] = None
                        elif rel.broader_uri not in seen:
                            seen.add(rel.broader_uri)
                            nxt.append(rel.broader_uri)
                frontier = nxt
            out[skill.uri] = tuple(found)
        return out


# ---- row builders -----------------------------------------------------------------------------


def _skill(row: Row) -> EscoSkill:
    return EscoSkill(
        uri=matching(row, "uri", SKILL_URI, "ESCO skill URI"),
        preferred_label=req_str(row, "preferred_label"),
        alt_labels=labels(row, "alt_labels"),
        hidden_labels=labels(row, "hidden_labels"),
        skill_type=opt_enum(row, "skill_type", SkillType),
        reuse_level=opt_enum(row, "reuse_level", ReuseLevel),
        description=opt_str(row, "description"),
    )


def _skill_group(row: Row) -> EscoSkillGroup:
    code = opt_str(row, "code")
    if code is not None and SKILL_GROUP_CODE.fullmatch(code) is None:
        raise RowError(f"field 'code' is not a valid skill group code: {code!r}")
    return EscoSkillGroup(
        uri=matching(row, "uri", SKILL_GROUP_URI, "ESCO skill group URI"),
        code=code,
        preferred_label=req_str(row, "preferred_label"),
        alt_labels=labels(row, "alt_labels"),
        hidden_labels=labels(row, "hidden_labels"),
        description=opt_str(row, "description"),
    )


def _occupation(row: Row) -> EscoOccupation:
    isco_group = matching(row, "isco_group", ISCO_UNIT_CODE, "ISCO-08 unit group code")
    code = matching(row, "code", OCCUPATION_CODE, "ESCO occupation code")
    if not code.startswith(isco_group + "."):
        raise RowError(f"occupation code {code!r} does not extend its ISCO group {isco_group!r}")
    return EscoOccupation(
        uri=matching(row, "uri", OCCUPATION_URI, "ESCO occupation URI"),
        code=code,
        isco_group=isco_group,
        preferred_label=req_str(row, "preferred_label"),
        alt_labels=labels(row, "alt_labels"),
        hidden_labels=labels(row, "hidden_labels"),
        description=opt_str(row, "description"),
        definition=opt_str(row, "definition"),
    )


def _isco_group(row: Row) -> IscoGroup:
    uri = matching(row, "uri", ISCO_URI, "ISCO group URI")
    code = matching(row, "code", ISCO_CODE, "ISCO-08 code")
    if not uri.endswith("/C" + code):
        raise RowError(f"ISCO code {code!r} does not match its URI {uri!r}")
    return IscoGroup(uri=uri, code=code, preferred_label=req_str(row, "preferred_label"))


def _reference(row: Row, key: str, known: Mapping[str, str], what: str) -> str:
    """A URI that must name a concept already read; returns the canonical (shared) string.

    Membership in `known` also proves the URI well formed, so no pattern check is needed here;
    sharing the string keeps ~250k relation ends from each holding a copy.
    """
    raw = row.get(key)
    if not isinstance(raw, str) or not raw:
        raise RowError(f"missing required field {key!r}")
    uri = known.get(raw)
    if uri is None:
        raise RowError(f"unknown {what} {raw}")
    return uri


def _occupation_skill_builder(
    occupations: Mapping[str, str], skills: Mapping[str, str]
) -> Callable[[Row], EscoOccupationSkill]:
    def build(row: Row) -> EscoOccupationSkill:
        return EscoOccupationSkill(
            occupation_uri=_reference(row, "occupation_uri", occupations, "occupation"),
            relation_type=enum_value(row, "relation_type", RelationType),
            skill_uri=_reference(row, "skill_uri", skills, "skill"),
        )

    return build


def _broader_builder(
    allowed: Collection[tuple[ConceptType, ConceptType]], known: Mapping[ConceptType, Mapping[str, str]]
) -> Callable[[Row], BroaderRelation]:
    def build(row: Row) -> BroaderRelation:
        concept_type = enum_value(row, "concept_type", ConceptType)
        broader_type = enum_value(row, "broader_type", ConceptType)
        if (concept_type, broader_type) not in allowed:
            raise RowError(f"relation {concept_type} -> {broader_type} does not belong to this hierarchy")
        uri = _reference(row, "uri", known[concept_type], concept_type)
        broader_uri = _reference(row, "broader_uri", known[broader_type], f"broader {broader_type}")
        if uri == broader_uri:
            raise RowError(f"{uri} is its own broader concept")
        return BroaderRelation(concept_type, uri, broader_type, broader_uri)

    return build


def read_esco(
    data_dir: Path | None = None,
    *,
    occupations_limit: int | None = None,
    occupation_uris: Iterable[str] = (),
    verify: bool = True,
) -> EscoPack:
    """Read the ESCO pack from `data_dir` (default: the packs shipped with jdlens).

    `occupations_limit` / `occupation_uris` return a consistent subset instead (see `esco_subset`).
    `verify` compares file checksums with the manifest; a mismatch is reported as a problem.
    """
    data_dir = data_dir or mf.DATA_DIR
    info = mf.pack_info(mf.ESCO, data_dir)
    problems = mf.verify_pack(info, data_dir) if verify else []

    def path(name: str) -> Path:
        return mf.pack_path(name, data_dir)

    isco = unique_rows(
        read_table(path(mf.ESCO_ISCO_GROUPS), _isco_group, problems),
        lambda g: g.uri,
        mf.ESCO_ISCO_GROUPS,
        problems,
    )
    isco_codes = {g.code for _, g in isco}

    groups = unique_rows(
        read_table(path(mf.ESCO_SKILL_GROUPS), _skill_group, problems),
        lambda g: g.uri,
        mf.ESCO_SKILL_GROUPS,
        problems,
    )
    group_uris = {g.uri for _, g in groups}

    skills = unique_rows(
        read_table(path(mf.ESCO_SKILLS), _skill, problems), lambda s: s.uri, mf.ESCO_SKILLS, problems
    )
    skills = keep_rows(
        skills,
        lambda s: f"skill URI {s.uri} is also a skill group" if s.uri in group_uris else None,
        mf.ESCO_SKILLS,
        problems,
    )

    occupations = unique_rows(
        read_table(path(mf.ESCO_OCCUPATIONS), _occupation, problems),
        lambda o: o.uri,
        mf.ESCO_OCCUPATIONS,
        problems,
    )
    occupations = keep_rows(
        occupations,
        lambda o: None if o.isco_group in isco_codes else f"unknown ISCO group {o.isco_group!r}",
        mf.ESCO_OCCUPATIONS,
        problems,
    )
    occupation_index = {o.uri: o.uri for _, o in occupations}
    skill_index = {s.uri: s.uri for _, s in skills}
    group_index = {g.uri: g.uri for _, g in groups}
    isco_index = {g.uri: g.uri for _, g in isco}

    occupation_skills = unique_rows(
        read_table(
            path(mf.ESCO_OCCUPATION_SKILLS),
            _occupation_skill_builder(occupation_index, skill_index),
            problems,
        ),
        lambda r: (r.occupation_uri, r.skill_uri),
        mf.ESCO_OCCUPATION_SKILLS,
        problems,
    )
    skill_broader = unique_rows(
        read_table(
            path(mf.ESCO_SKILL_BROADER),
            _broader_builder(
                _SKILL_PILLAR,
                {
                    ConceptType.SKILL: skill_index,
                    ConceptType.SKILL_GROUP: group_index,
                },
            ),
            problems,
        ),
        lambda r: (r.uri, r.broader_uri),
        mf.ESCO_SKILL_BROADER,
        problems,
    )
    occupation_broader = unique_rows(
        read_table(
            path(mf.ESCO_OCCUPATION_BROADER),
            _broader_builder(
                _OCCUPATION_PILLAR,
                {
                    ConceptType.OCCUPATION: occupation_index,
                    ConceptType.ISCO_GROUP: isco_index,
                },
            ),
            problems,
        ),
        lambda r: (r.uri, r.broader_uri),
        mf.ESCO_OCCUPATION_BROADER,
        problems,
    )

    sort_problems(problems, mf.PACK_FILES[mf.ESCO])
    pack = EscoPack(
        info=info,
        skills=records(skills),
        skill_groups=records(groups),
        skill_broader=records(skill_broader),
        occupations=records(occupations),
        isco_groups=records(isco),
        occupation_skills=records(occupation_skills),
        occupation_broader=records(occupation_broader),
        problems=problems,
    )
    if occupations_limit is not None or occupation_uris:
        return esco_subset(pack, occupations=occupations_limit or 0, occupation_uris=occupation_uris)
    return pack


def _upward_closure(start: Iterable[str], parents: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        uri = stack.pop()
        if uri in seen:
            continue
        seen.add(uri)
        stack.extend(parents.get(uri, ()))
    return seen


def esco_subset(pack: EscoPack, *, occupations: int = 0, occupation_uris: Iterable[str] = ()) -> EscoPack:
    """A small, referentially whole part of `pack` for fast tests.

    Seeds are the first `occupations` occupations (in pack order) plus `occupation_uris`. The
    subset holds the seeds and their broader occupations, their ISCO groups with ancestors, every
    skill those occupations link to, and those skills' broader skills and groups up to the roots;
    relations are kept where both ends are in the subset (all of them, by construction).
    Problems of the full pack are carried over.
    """
    seeds = [o.uri for o in pack.occupations[: max(occupations, 0)]]
    known = {o.uri for o in pack.occupations}
    for uri in occupation_uris:
        if uri not in known:
            raise ValueError(f"unknown occupation {uri}")
        if uri not in seeds:
            seeds.append(uri)

    isco_uri = {g.code: g.uri for g in pack.isco_groups}
    occ_parents: dict[str, list[str]] = {}
    for rel in pack.occupation_broader:
        occ_parents.setdefault(rel.uri, []).append(rel.broader_uri)
    for occ in pack.occupations:
        # The ISCO link is also a column of the occupation; follow it even without a broader row.
        occ_parents.setdefault(occ.uri, []).append(isco_uri[occ.isco_group])
    occ_side = _upward_closure(seeds, occ_parents)

    occupations_kept = [o for o in pack.occupations if o.uri in occ_side]
    relations_kept = [r for r in pack.occupation_skills if r.occupation_uri in occ_side]

    skill_parents: dict[str, list[str]] = {}
    for rel in pack.skill_broader:
        skill_parents.setdefault(rel.uri, []).append(rel.broader_uri)
    skill_side = _upward_closure({r.skill_uri for r in relations_kept}, skill_parents)

    info = pack.info.subset_info(
        seeds, f"{len(seeds)} seed occupations, {len(occupations_kept)} with broader ones"
    )
    return EscoPack(
        info=info,
        skills=[s for s in pack.skills if s.uri in skill_side],
        skill_groups=[g for g in pack.skill_groups if g.uri in skill_side],
        skill_broader=[r for r in pack.skill_broader if r.uri in skill_side],
        occupations=occupations_kept,
        isco_groups=[g for g in pack.isco_groups if g.uri in occ_side],
        occupation_skills=relations_kept,
        occupation_broader=[r for r in pack.occupation_broader if r.uri in occ_side],
        problems=list(pack.problems),
    )
