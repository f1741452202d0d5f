"""Proto enum values <-> the short keys the store keeps in string columns.

A store key is the enum value name without its type prefix, lowercased: RUN_STATUS_COMPLETED is
"completed", SKILL_NATURE_SOFT_SKILL is "soft_skill"; the UNSPECIFIED value is "". Keys fit the
20-character columns, read well in SQL, and survive renumbering. Reading is lenient (any case, "-"
or " " for "_", with or without the prefix) so rows written by other tools still map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

V = TypeVar("V", bound=int)


def _zero_name(enum_type: _EnumTypeWrapper[V]) -> str:
    return enum_type.DESCRIPTOR.values_by_number[0].name


def _prefix(enum_type: _EnumTypeWrapper[V]) -> str:
    # AIP-126: the zero value is {PREFIX}_UNSPECIFIED, and every value shares that prefix.
    return _zero_name(enum_type).removesuffix("UNSPECIFIED")


def enum_key(enum_type: _EnumTypeWrapper[V], value: int) -> str:
    """The store key of ``value``; "" for UNSPECIFIED and for numbers the enum does not define."""
    described = enum_type.DESCRIPTOR.values_by_number.get(value)
    if described is None or value == 0:
        return ""
    return described.name.removeprefix(_prefix(enum_type)).lower()


def enum_from_key(enum_type: _EnumTypeWrapper[V], key: str) -> V:
    """The enum value a store key names; UNSPECIFIED (0) for "" and for keys it does not know."""
    folded = key.strip().upper().replace("-", "_").replace(" ", "_")
    prefix = _prefix(enum_type)
    name = folded if folded.startswith(prefix) else prefix + folded
    known = bool(folded) and name in enum_type.DESCRIPTOR.values_by_name
    return enum_type.Value(name if known else _zero_name(enum_type))


def is_defined(enum_type: _EnumTypeWrapper[V], value: int) -> bool:
    """Proto3 enums are open: a client may send a number the enum does not define."""
    return value in enum_type.DESCRIPTOR.values_by_number
