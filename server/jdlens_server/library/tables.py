"""What each pack import owns in each library table (its scope) and how rows are keyed and embedded.

Ownership rules, shared by the ESCO and O*NET imports:
- skills, roles, dimensions: the rows whose ``pack`` is the pack's name;
- skill aliases, skill->dimension and role->dimension links: the rows whose ``source`` is the pack's
  name (so O*NET may add to ESCO skills without owning them);
- role aliases: a role's own labels (sources "preferred", "alternative", "hidden") belong to the
  role's pack; aliases a pack adds to another pack's role carry a "<pack>_" source
  ("onet_title", "onet_alternate_title");
- role->skill links (which have no source column): the pack of the role and of the skill, i.e. ESCO
  owns ESCO role -> ESCO skill, O*NET owns every link with an O*NET role or skill;
- KRAs: their ``source`` tag (see kra_sources).
Reviewed additions (source/pack "review") belong to no import and are never touched by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from jdlens_server.library.kra_sources import IMPORT_SOURCES, first_sentence
from jdlens_server.library.skill_meta import SkillMeta
from jdlens_server.library.sync import TableSpec
from jdlens_server.nlp.title import normalize_title
from jdlens_server.store.models import (
    DimensionRow,
    KraRow,
    RoleAliasRow,
    RoleDimensionRow,
    RoleRow,
    RoleSkillRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)

__all__ = [
    "LABEL_SOURCES",
    "TABLE_ORDER",
    "dimension_parents",
    "dimensions",
    "kras",
    "role_aliases",
    "role_dimensions",
    "role_embed_texts",
    "role_skills",
    "roles",
    "skill_aliases",
    "skill_dimensions",
    "skill_row",
    "skills",
    "specs",
]

LABEL_SOURCES = ("preferred", "alternative", "hidden")

# Report order of the tables an import writes.
TABLE_ORDER = (
    "dimensions",
    "skills",
    "skill_aliases",
    "skill_dimensions",
    "roles",
    "role_aliases",
    "role_skills",
    "role_dimensions",
    "kras",
)


def role_embed_texts(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A role's profile: its title (as its aliases are embedded) and its description's first sentence.

    The role embedding is the mean of the two; both texts are embedded anyway (as the primary alias
    and as a description KRA), so the profile costs no model call of its own.
    """
    title = normalize_title(str(row["display_name"])) or str(row["display_name"])
    head = first_sentence(row.get("description"))
    return (title, head) if head else (title,)


def _display_name(row: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(row["display_name"]),)


def _normalized(row: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(row["normalized"]),)


def _text(row: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(row["text"]),)


def _role_ids(pack: str) -> Any:
    return select(RoleRow.id).where(RoleRow.pack == pack).scalar_subquery()


def _skill_ids(pack: str) -> Any:
    return select(SkillRow.id).where(SkillRow.pack == pack).scalar_subquery()


def dimensions(pack: str) -> TableSpec:
    return TableSpec(
        name="dimensions",
        model=DimensionRow,
        key=("source_uri",),
        columns=("slug", "display_name", "rationale", "difficulty_hint", "pack"),
        scope=DimensionRow.pack == pack,
        embed_texts=_display_name,
    )


def dimension_parents(pack: str) -> TableSpec:
    """Second pass over the same rows: parents are ids, known once every dimension exists."""
    return TableSpec(
        name="dimensions",
        model=DimensionRow,
        key=("source_uri",),
        columns=("parent_id",),
        scope=DimensionRow.pack == pack,
    )


def skills(pack: str) -> TableSpec:
    return TableSpec(
        name="skills",
        model=SkillRow,
        key=("source_uri",),
        columns=(
            "slug",
            "display_name",
            "description",
            "pack",
            "skill_type",
            "reuse_level",
            "category",
            "sub_category",
            "nature",
            "volatility",
            "typical_lifespan",
            "version_strategy",
            "meta_confidence",
            "meta_reasoning",
            "is_extractable",
            "context_tags",
        ),
        scope=SkillRow.pack == pack,
        embed_texts=_display_name,
    )


def skill_row(
    *,
    source_uri: str,
    slug: str,
    display_name: str,
    description: str,
    pack: str,
    meta: SkillMeta,
    skill_type: str = "",
    reuse_level: str = "",
) -> dict[str, Any]:
    """A skills row as ``skills(pack)`` writes it."""
    return {
        "source_uri": source_uri,
        "slug": slug,
        "display_name": display_name,
        "description": description,
        "pack": pack,
        "skill_type": skill_type,
        "reuse_level": reuse_level,
        "category": meta.category,
        "sub_category": meta.sub_category,
        "nature": meta.nature,
        "volatility": meta.volatility,
        "typical_lifespan": meta.typical_lifespan,
        "version_strategy": meta.version_strategy,
        "meta_confidence": meta.confidence,
        "meta_reasoning": meta.reasoning,
        "is_extractable": True,
        "context_tags": "[]",
    }


def skill_aliases(pack: str) -> TableSpec:
    return TableSpec(
        name="skill_aliases",
        model=SkillAliasRow,
        key=("skill_id", "normalized"),
        columns=("text", "alias_type", "match_strategy", "is_primary", "source"),
        scope=SkillAliasRow.source == pack,
        shared_keys=True,
    )


def skill_dimensions(pack: str) -> TableSpec:
    return TableSpec(
        name="skill_dimensions",
        model=SkillDimensionRow,
        key=("skill_id", "dimension_id"),
        columns=("source",),
        scope=SkillDimensionRow.source == pack,
        has_id=False,
        shared_keys=True,
    )


def roles(pack: str) -> TableSpec:
    # centroid/centroid_n are learned from runs: an import never writes them.
    return TableSpec(
        name="roles",
        model=RoleRow,
        key=("source_uri",),
        columns=("slug", "display_name", "description", "archetype", "pack", "code", "isco_group"),
        scope=RoleRow.pack == pack,
        embed_texts=role_embed_texts,
    )


def role_aliases(pack: str) -> TableSpec:
    own = and_(RoleAliasRow.source.in_(LABEL_SOURCES), RoleAliasRow.role_id.in_(_role_ids(pack)))
    return TableSpec(
        name="role_aliases",
        model=RoleAliasRow,
        key=("role_id", "normalized"),
        columns=("text", "is_primary", "source"),
        scope=or_(own, RoleAliasRow.source.startswith(pack + "_")),
        embed_texts=_normalized,
        shared_keys=True,
    )


def role_skills(pack: str, *, owns_links_of_other_packs: bool) -> TableSpec:
    """ESCO owns ESCO->ESCO links; O*NET (``owns_links_of_other_packs``) any link touching O*NET."""
    in_role = RoleSkillRow.role_id.in_(_role_ids(pack))
    in_skill = RoleSkillRow.skill_id.in_(_skill_ids(pack))
    scope: ColumnElement[bool] = (
        or_(in_role, in_skill) if owns_links_of_other_packs else and_(in_role, in_skill)
    )
    return TableSpec(
        name="role_skills",
        model=RoleSkillRow,
        key=("role_id", "skill_id"),
        columns=("relation",),
        scope=scope,
        has_id=False,
    )


def role_dimensions(pack: str) -> TableSpec:
    return TableSpec(
        name="role_dimensions",
        model=RoleDimensionRow,
        key=("role_id", "dimension_id"),
        columns=("weight", "source"),
        scope=RoleDimensionRow.source == pack,
        has_id=False,
        shared_keys=True,
    )


def kras(pack: str) -> TableSpec:
    return TableSpec(
        name="kras",
        model=KraRow,
        key=("role_id", "source", "text"),
        columns=(),
        scope=KraRow.source.in_(IMPORT_SOURCES[pack]),
        embed_texts=_text,
    )


def specs(pack: str, *, owns_links_of_other_packs: bool) -> list[TableSpec]:
    """Every table scope a pack import owns."""
    return [
        dimensions(pack),
        skills(pack),
        skill_aliases(pack),
        skill_dimensions(pack),
        roles(pack),
        role_aliases(pack),
        role_skills(pack, owns_links_of_other_packs=owns_links_of_other_packs),
        role_dimensions(pack),
        kras(pack),
    ]
