"""One-word role labels that name no field are left out of the title lookup."""

from __future__ import annotations

import pytest

from jdlens_server.library.generic_role_aliases import GENERIC_HEAD_ROLES, generic_role_aliases


def _library(operator_roles: int) -> dict[int, str]:
    names = {1: "shotfirer", 2: "geologist", 3: "cashier", 4: "cook", 5: "petroleum geologist"}
    names.update({100 + i: f"machine {i} operators" for i in range(operator_roles)})
    return names


def _aliases() -> list[tuple[int, str, str]]:
    return [
        (1, "Operator", "operator"),  # a label of the shotfirer: every "... operator" role's head
        (5, "geologist", "geologist"),  # a specific word, heading one other name
        (3, "cashier", "cashier"),  # the role's own name
        (4, "apprentice", "apprentice"),  # a grade, not an occupation
        (4, "chef de partie", "chef de partie"),  # several words: never a bare head
        (100, "operator", "operator"),  # "machine 0 operators": its head, but not its own name
    ]


def test_a_word_heading_many_role_names_or_a_grade_is_left_out() -> None:
    left_out = generic_role_aliases(_library(GENERIC_HEAD_ROLES), _aliases())
    assert left_out == {(1, "Operator"), (4, "apprentice"), (100, "operator")}


def test_a_group_of_workers_and_an_occupation_word_name_no_field() -> None:
    names = {
        1: "zoo section leader",
        2: "grill cook",
        3: "refinery shift manager",
        4: "quick service team leader",
    }
    aliases = [
        (1, "team leader", "team leader"),  # every field has team leaders
        (1, "section leader", "section leader"),
        (3, "shift manager", "shift manager"),
        (2, "line cook", "line cook"),  # a kitchen's line: a field of its own
        (4, "fast food team leader", "fast food team leader"),  # the field named
    ]
    assert generic_role_aliases(names, aliases) == {
        (1, "team leader"),
        (1, "section leader"),
        (3, "shift manager"),
    }


def test_a_head_of_fewer_names_stays() -> None:
    left_out = generic_role_aliases(_library(GENERIC_HEAD_ROLES - 1), _aliases())
    assert left_out == {(4, "apprentice")}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # A qualifier narrows the label: it is looked up written out.
        ("production operator (plastic moulding)", "production operator plastic moulding"),
        ("product designer, furniture", "product designer furniture"),
        # A level or a gender mark narrows nothing.
        ("senior physiotherapist", "physiotherapist"),
        ("junior accountant", "accountant"),
        ("nurse responsible for general care", "nurse responsible for general care"),
    ],
)
def test_a_qualified_label_is_keyed_by_its_full_text(text: str, key: str) -> None:
    from jdlens_server.library.snapshot import alias_lookup_key
    from jdlens_server.nlp.title import normalize_title

    assert alias_lookup_key(text, normalize_title(text)) == key


def test_a_kind_that_several_role_names_end_in_is_no_one_roles_alias() -> None:
    names = {
        1: "university teaching assistant",
        2: "primary school teaching assistant",
        3: "secondary school teaching assistant",
        4: "sales account manager",
        5: "teaching assistant",
        6: "mobile application developer",
        7: "ict application developer",
    }
    aliases = [
        (1, "teaching assistant", "teaching assistant"),  # ends three names: the kind, not this role
        (4, "school teaching assistant", "school teaching assistant"),  # ends two names
        (5, "teaching assistant", "teaching assistant"),  # the role's own name stays
        (6, "application developer", "application developer"),  # ends two names
        (2, "primary teaching assistant", "primary teaching assistant"),  # ends no name: specific
        (7, "ict developer", "ict developer"),  # ends no name
    ]
    assert generic_role_aliases(names, aliases) == {
        (1, "teaching assistant"),
        (4, "school teaching assistant"),
        (6, "application developer"),
    }
