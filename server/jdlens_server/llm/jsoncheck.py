"""A JSON-schema validator for the subset our model schemas use (no third-party dependency).

Supported: ``type`` (one name or a list), ``enum``, ``const``, ``anyOf``, ``properties``,
``required``, ``additionalProperties: false``, ``items``. That is the subset structured outputs
accept; any other keyword in a schema is a programming error and raises at check time. Errors read
like ``$.education[2].quote: expected string, got null`` so they can go back to the model as-is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

__all__ = ["SUPPORTED_KEYWORDS", "validate"]

SUPPORTED_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "anyOf",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "description",
    }
)
MAX_ERRORS = 10  # enough to repair from; a wholly wrong answer would otherwise list every field


def _type_ok(value: object, name: str) -> bool:
    match name:
        case "object":
            return isinstance(value, dict)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "boolean":
            return isinstance(value, bool)
        case "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "null":
            return value is None
    raise ValueError(f"unsupported JSON type {name!r}")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_names(types: object) -> list[str]:
    return [types] if isinstance(types, str) else [str(t) for t in types] if isinstance(types, list) else []


def _kinds_of(branch: Mapping[str, object]) -> list[str]:
    """The JSON types a branch admits: its ``type``, or the kinds of its ``enum`` values."""
    if "type" in branch:
        return _type_names(branch["type"])
    enum = branch.get("enum")
    return list(dict.fromkeys(_kind(v) for v in enum)) if isinstance(enum, list) else []


def _same_kind(value: object, branch: Mapping[str, object]) -> bool:
    kinds = _kinds_of(branch)
    return not kinds or any(k == _kind(value) or _type_ok(value, k) for k in kinds)


def _any_of(value: object, branches: list[Mapping[str, object]], path: str, errors: list[str]) -> bool:
    """True when one branch accepts ``value``; else records the errors of the branch of its type."""
    tried: list[tuple[Mapping[str, object], list[str]]] = []
    for branch in branches:
        found: list[str] = []
        _check(value, branch, path, found)
        if not found:
            return True
        tried.append((branch, found))
    for branch, found in tried:
        if _same_kind(value, branch):
            errors.extend(found)
            return False
    names = [n for branch in branches for n in _kinds_of(branch)]
    errors.append(f"{path}: expected {' or '.join(names)}, got {_kind(value)}")
    return False


def _check(value: object, schema: Mapping[str, object], path: str, errors: list[str]) -> None:
    unknown = set(schema) - SUPPORTED_KEYWORDS
    if unknown:
        raise ValueError(f"schema at {path} uses unsupported keywords {sorted(unknown)}")
    any_of = schema.get("anyOf")
    if isinstance(any_of, list) and not _any_of(value, any_of, path, errors):
        return
    types = schema.get("type")
    if types is not None:
        names = _type_names(types)
        if not any(_type_ok(value, n) for n in names):
            errors.append(f"{path}: expected {' or '.join(names)}, got {_kind(value)}")
            return
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        errors.append(f"{path}: {json.dumps(value)} is not one of {json.dumps(enum)}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {json.dumps(schema['const'])}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        assert isinstance(props, dict)
        required = schema.get("required", [])
        assert isinstance(required, list)
        for key in required:
            if key not in value:
                errors.append(f"{path}: missing required property {key!r}")
        if schema.get("additionalProperties") is False:
            for key in value:
                if key not in props:
                    errors.append(f"{path}: unexpected property {key!r}")
        for key, sub in props.items():
            if key in value:
                _check(value[key], sub, f"{path}.{key}", errors)
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                _check(item, items, f"{path}[{i}]", errors)


def validate(value: object, schema: Mapping[str, object]) -> list[str]:
    """The ways ``value`` breaks ``schema`` (at most ``MAX_ERRORS``); empty when it conforms."""
    errors: list[str] = []
    _check(value, schema, "$", errors)
    return errors[:MAX_ERRORS]
