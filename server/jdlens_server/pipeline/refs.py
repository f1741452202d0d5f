"""Short proto references (RoleRef, SkillRef, DimensionRef) built from the library snapshot."""

from __future__ import annotations

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


_NATURE = {name: value for name, value in common_pb2.SkillNature.items()}
_VOLATILITY = {name: value for name, value in common_pb2.Volatility.items()}
_LIFESPAN = {name: value for name, value in common_pb2.TypicalLifespan.items()}
_VERSION = {name: value for name, value in common_pb2.VersionStrategy.items()}


def skill_metadata(skill: SkillInfo) -> common_pb2.SkillMetadata:
    return common_pb2.SkillMetadata(
        category=skill.category,
        sub_category=skill.sub_category,
        nature=_NATURE.get(f"SKILL_NATURE_{skill.nature.upper()}", 0),
        volatility=_VOLATILITY.get(f"VOLATILITY_{skill.volatility.upper()}", 0),
        typical_lifespan=_LIFESPAN.get(f"TYPICAL_LIFESPAN_{skill.typical_lifespan.upper()}", 0),
        version_strategy=_VERSION.get(f"VERSION_STRATEGY_{skill.version_strategy.upper()}", 0),
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
