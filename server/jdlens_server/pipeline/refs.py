"""Short proto references (RoleRef, SkillRef, DimensionRef) built from the library snapshot.

The ``shared_*`` functions return one message per snapshot and id, built on first use: the same
roles and skills come back in every run (a run lists ~130 role refs). Callers copy them into their
result (``CopyFrom``, ``extend``, a constructor argument) and never change them; the plain
functions return a fresh copy the caller may change."""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf.message import Message

from jdlens.v1 import common_pb2
from jdlens_server.library.snapshot import LibrarySnapshot, SkillInfo
from jdlens_server.pipeline.skill_resolution import per_snapshot_item

P = TypeVar("P", bound=Message)


def _build_role_ref(snapshot: LibrarySnapshot, role_id: int) -> common_pb2.RoleRef:
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


def _copy(message: P) -> P:
    out = type(message)()
    out.CopyFrom(message)
    return out


def shared_role_ref(snapshot: LibrarySnapshot, role_id: int) -> common_pb2.RoleRef:
    """``role_ref`` shared per snapshot: copy it, never change it."""
    return per_snapshot_item(snapshot, "role_refs", _build_role_ref, role_id)


def role_ref(snapshot: LibrarySnapshot, role_id: int) -> common_pb2.RoleRef:
    return _copy(shared_role_ref(snapshot, role_id))


# Enum values by name, per enum type (``Value`` raises for an unknown name, which is slow).
_ENUM_VALUES: dict[int, dict[str, int]] = {}


def _enum(wrapper: Any, name: str) -> Any:
    """The value named ``name`` of a proto enum, or 0 (unspecified) for an unknown or empty name."""
    values = _ENUM_VALUES.get(id(wrapper))
    if values is None:
        values = _ENUM_VALUES[id(wrapper)] = {v.name: v.number for v in wrapper.DESCRIPTOR.values}
    return values.get(name, 0)


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


def _build_skill_ref(snapshot: LibrarySnapshot, skill_id: int) -> common_pb2.SkillRef:
    skill = snapshot.skills.get(skill_id)
    if skill is None:
        return common_pb2.SkillRef(name=f"skills/{skill_id}")
    return common_pb2.SkillRef(
        name=f"skills/{skill.id}",
        display_name=skill.display_name,
        slug=skill.slug,
        metadata=skill_metadata(skill),
    )


def shared_skill_ref(snapshot: LibrarySnapshot, skill_id: int) -> common_pb2.SkillRef:
    """``skill_ref`` shared per snapshot: copy it, never change it."""
    return per_snapshot_item(snapshot, "skill_refs", _build_skill_ref, skill_id)


def skill_ref(snapshot: LibrarySnapshot, skill_id: int) -> common_pb2.SkillRef:
    return _copy(shared_skill_ref(snapshot, skill_id))


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
