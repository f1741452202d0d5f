"""Resource names (AIP-122): how every jdlens resource is named on the wire, in one place.

- runs/{run_id}                                  run_id is a lowercase canonical UUID
- skills/{id}, roles/{id}, dimensions/{id}       the library row's id
- roles/{role_id}/kras/{kra_id}                  the KRA row id under its role's
- reviewItems/{id}                               the review item row id

Library resources are named by row id, as the pipeline names them in run output (a client passes
a run's chosen_role.name straight to GetRole); the readable slug is a field of each resource.
"""

from __future__ import annotations

import re

RUNS = "runs"
SKILLS = "skills"
ROLES = "roles"
DIMENSIONS = "dimensions"
REVIEW_ITEMS = "reviewItems"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A positive row id that fits a BIGINT.
_ROW_ID = re.compile(r"[1-9][0-9]{0,17}")


def run_name(run_id: str) -> str:
    return f"{RUNS}/{run_id}"


def skill_name(skill_id: int) -> str:
    return f"{SKILLS}/{skill_id}"


def role_name(role_id: int) -> str:
    return f"{ROLES}/{role_id}"


def dimension_name(dimension_id: int) -> str:
    return f"{DIMENSIONS}/{dimension_id}"


def kra_name(role_id: int, kra_id: int) -> str:
    return f"{ROLES}/{role_id}/kras/{kra_id}"


def review_item_name(review_item_id: int) -> str:
    return f"{REVIEW_ITEMS}/{review_item_id}"


def _segment(name: str, collection: str) -> str | None:
    prefix = collection + "/"
    return name[len(prefix) :] if name.startswith(prefix) else None


def parse_run_name(name: str) -> str | None:
    """The run id of ``runs/{uuid}``, or None when the name is not a run name."""
    rest = _segment(name, RUNS)
    return rest if rest is not None and _UUID.fullmatch(rest) else None


def parse_id_name(name: str, collection: str) -> int | None:
    """The row id of ``{collection}/{id}`` (skills, roles, dimensions, reviewItems), or None."""
    rest = _segment(name, collection)
    return int(rest) if rest is not None and _ROW_ID.fullmatch(rest) else None
