"""Short proto references (RoleRef, SkillRef, DimensionRef) built from the library snapshot."""

from __future__ import annotations

from typing import Any

from jdlens.v1 import common_pb2
from jdlens_server.library.snapshot import LibrarySnapshot, SkillInfo


def role_ref(snapshot: LibrarySnapshot, role_id: int) -> common_pb2.RoleRef:
    role = snapshot.roles.get(role_id)
    if role is None:
        return common_pb2.RoleRef(name=f"roles/{role_id}", source="db")
    return common_pb2.RoleRef(
        name=f"roles/{role.id}",
        slug=role.slug,
        display_name=role.display_name,
        archetype=role.archetype,
        source="db",
        code=role.code,
    )


def _enum(wrapper: Any, name: str) -> Any:
    """The value named ``name`` of a proto enum, or 0 (unspecified) for an unknown or empty name."""
    try:
        return wrapper.Value(name)
    except ValueError:
        return 0


def skill_metadata(skill: SkillInfo) -> common_pb2.SkillMetadata:
    return common_pb2.SkillMetadata(
        category=skill.category,
        sub_category=skill.sub_category,
        nature=_enum(common_pb2.SkillNature, f"SKILL_NATURE_{skill.nature.upper()}"),
        volatility=_enum(common_pb2.Volatility, f"VOLATILITY_{skill.volatility.upper()}"),
        typical_lifespan=_enum(
            common_pb2.TypicalLifespan, f"TYPICAL_LIFESPAN_{skill.typical_lifespan.upper()}"
        ),
        version_strategy=_enum(
            common_pb2.VersionStrategy, f"VERSION_STRATEGY_{skill.version_strategy.upper()}"
        ),
        skill_type=skill.skill_type,
        reuse_level=skill.reuse_level,
    )


def skill_ref(snapshot: LibrarySnapshot, skill_id: int) -> common_pb2.SkillRef:
    skill = snapshot.skills.get(skill_id)
    if skill is None:
        return common_pb2.SkillRef(name=f"skills/{skill_id}")
    return common_pb2.SkillRef(
        name=f"skills/{skill.id}",
        display_name=skill.display_name,
        slug=skill.slug,
        metadata=skill_metadata(skill),
    )


def dimension_ref(snapshot: LibrarySnapshot, dimension_id: int) -> common_pb2.DimensionRef:
    dim = snapshot.dimensions.get(dimension_id)
    if dim is None:
        return common_pb2.DimensionRef(name=f"dimensions/{dimension_id}", source="db")
    return common_pb2.DimensionRef(
        name=f"dimensions/{dim.id}",
        slug=dim.slug,
        display_name=dim.display_name,
        rationale=dim.rationale,
        difficulty_hint=dim.difficulty_hint,
        source="db",
    )
