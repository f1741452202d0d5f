"""The tech supplement pack: skills and aliases for data and software work that ESCO v1.1.1 lacks.

Curated by the jdlens authors (Apache-2.0, see NOTICE) in tools/tech_pack.toml; tools/build_packs.py
--only tech checks it against the shipped ESCO pack and writes three gzip'd JSON-lines files:
- tech_skills.jsonl.gz: new canonical skills (name, description, nature, ESCO skill-group URIs as
  dimensions, aliases, the labels that need tech context);
- tech_esco_aliases.jsonl.gz: extra labels for existing ESCO skills, by URI, and those of them that
  need tech context;
- tech_role_titles.jsonl.gz: current job titles for existing ESCO occupations, by URI.
Same reading contract as the other packs: bad rows are left out and reported with file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.records import PackProblem, TechEscoAlias, TechRoleTitles, TechSkill
from jdlens_server.library.packs.rows import (
    Row,
    RowError,
    labels,
    matching,
    read_table,
    records,
    req_str,
    sort_problems,
    unique_rows,
)

__all__ = ["NATURES", "TechPack", "read_tech"]

# SkillNature names (common.proto, without prefix) a curated skill may have.
NATURES = frozenset(
    {"CONCEPT", "PRACTICE", "TOOL", "LANGUAGE", "PLATFORM", "METHODOLOGY", "SOFT_SKILL", "KNOWLEDGE"}
)
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_URI = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class TechPack:
    info: mf.PackInfo
    skills: list[TechSkill]
    esco_aliases: list[TechEscoAlias]
    role_titles: list[TechRoleTitles]
    problems: list[PackProblem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "skills": len(self.skills),
            "skill_aliases": sum(len(s.aliases) for s in self.skills),
            "esco_skills_aliased": len(self.esco_aliases),
            "esco_aliases": sum(len(a.aliases) for a in self.esco_aliases),
            "esco_roles_titled": len(self.role_titles),
            "role_titles": sum(len(r.titles) for r in self.role_titles),
            "problems": len(self.problems),
        }


def _skill(row: Row) -> TechSkill:
    name = req_str(row, "name")
    aliases = labels(row, "aliases")
    context = labels(row, "context")
    nature = req_str(row, "nature")
    if nature not in NATURES:
        raise RowError(f"field 'nature' has unknown value {nature!r} (expected one of {sorted(NATURES)})")
    dims = labels(row, "dimensions")
    if not dims:
        raise RowError("field 'dimensions' must name at least one ESCO skill group")
    bad = [d for d in dims if not _URI.fullmatch(d)]
    if bad:
        raise RowError(f"field 'dimensions' holds non-URIs: {bad}")
    unknown = [c for c in context if c != name and c not in aliases]
    if unknown:
        raise RowError(f"field 'context' names labels the skill does not have: {unknown}")
    return TechSkill(
        key=matching(row, "key", _KEY, "skill key (lower-case words joined by '-')"),
        name=name,
        description=req_str(row, "description"),
        nature=nature,
        dimension_uris=dims,
        aliases=aliases,
        context_labels=context,
    )


def _esco_alias(row: Row) -> TechEscoAlias:
    aliases = labels(row, "aliases")
    if not aliases:
        raise RowError("field 'aliases' is empty")
    context = labels(row, "context")
    unknown = [c for c in context if c not in aliases]
    if unknown:
        raise RowError(f"field 'context' names labels the entry does not have: {unknown}")
    return TechEscoAlias(
        esco_uri=matching(row, "esco_uri", _URI, "URI"),
        esco_label=req_str(row, "esco_label"),
        aliases=aliases,
        context_labels=context,
    )


def _role_titles(row: Row) -> TechRoleTitles:
    titles = labels(row, "titles")
    if not titles:
        raise RowError("field 'titles' is empty")
    return TechRoleTitles(
        esco_uri=matching(row, "esco_uri", _URI, "URI"),
        esco_label=req_str(row, "esco_label"),
        titles=titles,
    )


def read_tech(data_dir: Path | None = None, *, verify: bool = True) -> TechPack:
    """Read the tech pack from `data_dir` (default: the packs shipped with jdlens)."""
    data_dir = data_dir or mf.DATA_DIR
    info = mf.pack_info(mf.TECH, data_dir)
    problems = mf.verify_pack(info, data_dir) if verify else []
    skills = unique_rows(
        read_table(mf.pack_path(mf.TECH_SKILLS, data_dir), _skill, problems),
        lambda s: s.key,
        mf.TECH_SKILLS,
        problems,
    )
    aliases = unique_rows(
        read_table(mf.pack_path(mf.TECH_ESCO_ALIASES, data_dir), _esco_alias, problems),
        lambda a: a.esco_uri,
        mf.TECH_ESCO_ALIASES,
        problems,
    )
    role_titles = unique_rows(
        read_table(mf.pack_path(mf.TECH_ROLE_TITLES, data_dir), _role_titles, problems),
        lambda r: r.esco_uri,
        mf.TECH_ROLE_TITLES,
        problems,
    )
    sort_problems(problems, mf.PACK_FILES[mf.TECH])
    return TechPack(
        info=info,
        skills=records(skills),
        esco_aliases=records(aliases),
        role_titles=records(role_titles),
        problems=problems,
    )
