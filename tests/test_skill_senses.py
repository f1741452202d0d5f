"""One-word ESCO synonyms kept only where the JD supports their field (pipeline/skill_senses)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from jdlens_server.library.snapshot import LibrarySnapshot, SkillAliasInfo
from jdlens_server.nlp.normalize import fold
from jdlens_server.pipeline.skill_senses import without_unsupported_senses
from jdlens_server.pipeline.skills import ExtractedSkillCandidate

# id: (name, category, reuse level, pack, dimensions)
SKILLS = {
    1: (
        "blockchain consensus mechanisms",
        "information and communication technologies (icts)",
        "sector-specific",
        "esco",
        [100],
    ),
    2: ("customer service", "services", "cross-sector", "esco", [200]),
    3: (
        "smart contract",
        "information and communication technologies (icts)",
        "sector-specific",
        "esco",
        [100],
    ),
    4: (
        "geographic information systems",
        "information and communication technologies (icts)",
        "sector-specific",
        "esco",
        [101],
    ),
    5: ("lead others", "management skills", "transversal", "esco", [300]),
    6: (
        "computer programming",
        "information and communication technologies (icts)",
        "cross-sector",
        "esco",
        [102],
    ),
    7: (
        "machine learning",
        "information and communication technologies (icts)",
        "sector-specific",
        "esco",
        [103],
    ),
    8: ("Kubernetes", "information and communication technologies (icts)", "sector-specific", "tech", [103]),
    9: ("securities", "business, administration and law", "cross-sector", "esco", [900]),
    10: ("Square POS app", "services", "sector-specific", "tech", [901]),  # a tool of another field
    11: ("apply HACCP", "manufacturing and processing", "sector-specific", "esco", [902]),
    12: ("create AutoCAD drawings", "architecture and construction", "sector-specific", "esco", [903]),
    13: ("Chef (tools for software configuration management)", "icts", "sector-specific", "esco", [904]),
}
# (skill id, label, type)
ALIASES = [
    (1, "POS", "ABBREVIATION"),
    (4, "GIS", "ABBREVIATION"),
    (5, "leadership", "ALTERNATIVE"),
    (6, "Ada", "ALTERNATIVE"),
    (8, "K8s", "ALTERNATIVE"),
    (11, "HACCP", "ALTERNATIVE"),
    (12, "AutoCAD", "ALTERNATIVE"),
    (13, "Chef", "ALTERNATIVE"),
    *[(i, name, "CANONICAL") for i, (name, *_rest) in SKILLS.items()],
]


class _Snapshot(SimpleNamespace):
    """A stand-in the per-snapshot cache can hold a weak reference to."""

    __slots__ = ("__weakref__",)


def _snapshot() -> LibrarySnapshot:
    return cast(
        LibrarySnapshot,
        _Snapshot(
            skills={
                i: SimpleNamespace(
                    category=c, reuse_level=r, pack=p, nature="TOOL" if p == "tech" else "PRACTICE"
                )
                for i, (_n, c, r, p, _d) in SKILLS.items()
            },
            skill_names={i: s[0] for i, s in SKILLS.items()},
            skill_dimensions={i: s[4] for i, s in SKILLS.items()},
            skill_aliases=[SkillAliasInfo(i, t, kind, "CASE_INSENSITIVE", fold(t)) for i, t, kind in ALIASES],
        ),
    )


def _hit(skill_id: int, alias: str) -> ExtractedSkillCandidate:
    return ExtractedSkillCandidate(
        SKILLS[skill_id][0],
        skill_id,
        True,
        0.85,
        ((0, len(alias), "requirements"),),
        "dictionary",
        alias,
        False,
    )


def _names(candidates: list[ExtractedSkillCandidate]) -> set[str]:
    return {c.name for c in candidates}


def test_a_one_word_synonym_from_another_field_is_dropped() -> None:
    # A café's "Square POS": nothing else in the JD is about blockchains.
    kept = without_unsupported_senses([_hit(1, "POS"), _hit(2, "customer service")], _snapshot())
    assert _names(kept) == {"customer service"}


def test_a_skill_of_the_same_field_vouches_for_it() -> None:
    hits = [_hit(1, "POS"), _hit(3, "smart contract")]  # same dimension
    assert _names(without_unsupported_senses(hits, _snapshot())) == {SKILLS[1][0], SKILLS[3][0]}
    hits = [_hit(6, "Ada"), _hit(7, "machine learning")]  # same category, another group
    assert _names(without_unsupported_senses(hits, _snapshot())) == {SKILLS[6][0], SKILLS[7][0]}


def test_a_plain_word_of_a_name_is_still_checked() -> None:
    # A kitchen's "Chef" is no configuration-management tool.
    assert without_unsupported_senses([_hit(13, "Chef"), _hit(2, "customer service")], _snapshot()) == [
        _hit(2, "customer service")
    ]


def test_two_stray_senses_do_not_vouch_for_each_other() -> None:
    assert without_unsupported_senses([_hit(1, "POS"), _hit(6, "Ada")], _snapshot()) == []


def test_names_spelled_acronyms_transversal_skills_and_other_packs_are_not_checked() -> None:
    hits = [
        _hit(2, "customer service"),
        _hit(4, "GIS"),  # the skill's name spells it out
        _hit(5, "leadership"),  # transversal
        _hit(8, "K8s"),  # the curated tech pack's skill
        _hit(7, "machine learning"),  # the skill's own name
        _hit(11, "HACCP"),  # a word of it: a chef's only food-safety skill needs no other
        _hit(12, "AutoCAD"),  # a product it names
    ]
    assert without_unsupported_senses(hits, _snapshot()) == hits


def test_a_one_word_name_matched_only_through_its_inflection_needs_support_too() -> None:
    # "Subject to a background/security investigation": "security" folds like "securities".
    text = "Subject to a background/security investigation. Strong customer service skills."
    at = text.index("security")
    security = ExtractedSkillCandidate(
        "securities",
        9,
        True,
        0.8,
        ((at, at + len("security"), "requirements"),),
        "dictionary",
        "securities",
        False,
    )
    service = _hit(2, "customer service")
    assert _names(without_unsupported_senses([security, service], _snapshot(), text)) == {"customer service"}
    # Written as the name, it is the name.
    text = "Trade securities and bonds."
    named = ExtractedSkillCandidate(
        "securities", 9, True, 0.8, ((6, 16, "requirements"),), "dictionary", "securities", False
    )
    assert _names(without_unsupported_senses([named], _snapshot(), text)) == {"securities"}


def _at(skill_id: int, alias: str, text: str) -> ExtractedSkillCandidate:
    a = text.index(alias)
    return ExtractedSkillCandidate(
        SKILLS[skill_id][0],
        skill_id,
        True,
        0.85,
        ((a, a + len(alias), "requirements"),),
        "dictionary",
        alias,
        False,
    )


def test_a_synonym_listed_beside_a_tool_is_read_as_one() -> None:
    # The tool shares neither group nor category with blockchains; listed beside it, POS reads as a tool.
    text = "Requirements: POS and Square."
    hits = [_at(1, "POS", text), _at(10, "Square", text)]
    assert _names(without_unsupported_senses(hits, _snapshot(), text)) == {SKILLS[1][0], SKILLS[10][0]}
    # Apart from it, or listed beside a practice (the cafe's till and its service), it needs its field.
    for text, other, label in [
        ("Requirements: a POS. Also Square.", 10, "Square"),
        ("Requirements: POS and customer service.", 2, "customer service"),
    ]:
        hits = [_at(1, "POS", text), _at(other, label, text)]
        assert _names(without_unsupported_senses(hits, _snapshot(), text)) == {SKILLS[other][0]}
