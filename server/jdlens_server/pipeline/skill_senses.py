"""Dictionary hits on a one-word ESCO synonym, kept only where the JD supports the skill's field.

ESCO's alternative labels and abbreviations include one-word synonyms whose everyday sense is
another: "POS" for blockchain consensus mechanisms (proof of stake, where job ads mean point of
sale), "Ada" for computer programming (the Americans with Disabilities Act in HR ads), "PCB" for
printed circuit boards (Malaysia's payroll tax deduction), "retrieval" for repossession. Matched
as written, a barista's "Square POS" becomes a blockchain skill and pulls blockchain roles into
the run.

The rule: such a hit (a one-word alternative, abbreviation or hidden label of an ESCO skill, not
the skill's own name, an acronym that name spells out, "GIS" for geographic information
systems, or a product or acronym it names, "HACCP" of "apply HACCP", "AutoCAD" of "create
AutoCAD drawings"; not a transversal skill) stays only when another library skill found in the
same JD, not itself such a hit, shares one of its dimensions (skill groups) or its category. A
blockchain ad that writes "PoS" next to smart contracts keeps it; a café's till does not. A
skill's own name ("welding", "logging") is not a synonym, so it is not checked.
"""

from __future__ import annotations

import re
from collections import defaultdict

from jdlens_server.library.acronym_conflicts import ACRONYM, acronym_expansions
from jdlens_server.library.aliases import ABBREVIATION, ALTERNATIVE, HIDDEN
from jdlens_server.library.esco_import import PACK as ESCO
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.skill_matcher import is_tool_like
from jdlens_server.pipeline.skill_resolution import per_snapshot
from jdlens_server.pipeline.skills import ExtractedSkillCandidate

__all__ = ["one_word_synonyms", "without_unsupported_senses"]

_SYNONYM_TYPES = frozenset({ALTERNATIVE, ABBREVIATION, HIDDEN})
# ESCO's reuse level of the skills every job shares ("lead others", "cope with stress"): their
# one-word labels ("leadership", "resilience") mean what they say anywhere, and a JD rarely names
# another skill of their group to vouch for them.
TRANSVERSAL = "transversal"


def one_word_synonyms(snapshot: LibrarySnapshot) -> frozenset[tuple[int, str]]:
    """The labels the rule checks, built once per snapshot (~35 ms for the full library)."""
    return per_snapshot(snapshot, "one_word_synonyms", _one_word_synonyms)


def _one_word_synonyms(snapshot: LibrarySnapshot) -> frozenset[tuple[int, str]]:
    """(skill id, folded label) of every one-word ESCO synonym that the module's rule checks."""
    types: dict[tuple[int, str], set[str]] = defaultdict(set)
    spelled: set[tuple[int, str]] = set()  # acronyms their skill's name spells out ("GIS") or names
    for alias in snapshot.skill_aliases:
        key = alias.normalized or fold(alias.text)
        if " " in key:
            continue
        types[(alias.skill_id, key)].add(alias.alias_type.upper())
        text = alias.text.strip()
        name = snapshot.skill_names[alias.skill_id]
        if (ACRONYM.fullmatch(text) and acronym_expansions(text, [name])) or (
            is_tool_like(text) and key in fold(name).split()  # "HACCP" of "apply HACCP", "AutoCAD"
        ):
            spelled.add((alias.skill_id, key))
    return frozenset(
        (skill_id, key)
        for (skill_id, key), kinds in types.items()
        if (skill_id, key) not in spelled
        and kinds <= _SYNONYM_TYPES
        and snapshot.skills[skill_id].pack == ESCO
        and snapshot.skills[skill_id].reuse_level != TRANSVERSAL
        and fold(snapshot.skill_names[skill_id]) != key
    )


def without_unsupported_senses(
    candidates: list[ExtractedSkillCandidate], snapshot: LibrarySnapshot, text: str = ""
) -> list[ExtractedSkillCandidate]:
    """The candidates less the one-word-synonym hits whose field nothing else in the JD supports
    (see the module's rule); new skills and every other hit stay as they are. With the JD's
    ``text`` (the evidence offsets index it), a one-word ESCO name matched only through inflection
    folding counts as a synonym too: "security" is not "securities"."""
    synonyms = one_word_synonyms(snapshot)
    suspect = [
        c
        for c in candidates
        if c.skill_id is not None
        and c.source == "dictionary"
        and ((c.skill_id, fold(c.matched_alias)) in synonyms or _folded_only(c, snapshot, text))
    ]
    if not suspect:
        return candidates
    suspect_ids = {c.skill_id for c in suspect}
    # What the JD's other library skills vouch for: their dimensions and their categories (ESCO's
    # groups are narrow: "natural language processing" and "machine learning" share a category,
    # not a group). Other suspects vouch for nothing, or two stray senses would keep each other.
    fields: set[object] = set()
    for c in candidates:
        if c.skill_id is not None and c.skill_id not in suspect_ids:
            fields.update(_fields(snapshot, c.skill_id))
    # A name listed beside a tool or language of the JD ("HTML and CSS", "HTML, CSS and
    # JavaScript") is read as one too, whatever the two skills' groups; a list with a practice
    # ("POS and customer service") vouches for nothing.
    vouching = [
        ev
        for c in candidates
        if c.skill_id is not None
        and c.skill_id not in suspect_ids
        and snapshot.skills[c.skill_id].nature in _TOOLISH
        for ev in c.evidence
    ]
    dropped = {
        c.skill_id
        for c in suspect
        if c.skill_id is not None
        and not fields & _fields(snapshot, c.skill_id)
        and not (text and _listed_beside(c, vouching, text))
    }
    return [c for c in candidates if c.skill_id not in dropped]


_TOOLISH = frozenset({"TOOL", "LANGUAGE", "PLATFORM"})
_LIST_GAP = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|,\s*and\b|,\s*or\b)\s*")


def _listed_beside(c: ExtractedSkillCandidate, others: list[tuple[int, int, str]], text: str) -> bool:
    """Some evidence of ``c`` sits in a list right next to another skill's evidence."""
    for a, z, _ in c.evidence:
        for b, y, _ in others:
            gap = text[z:b] if z <= b else text[y:a] if y <= a else None
            if gap is not None and len(gap) <= 8 and _LIST_GAP.fullmatch(gap):
                return True
    return False


def _folded_only(c: ExtractedSkillCandidate, snapshot: LibrarySnapshot, text: str) -> bool:
    """A one-word ESCO name (not transversal) that no evidence writes as the name, case aside."""
    assert c.skill_id is not None
    name = c.matched_alias.casefold()
    skill = snapshot.skills[c.skill_id]
    return (
        bool(text)
        and " " not in name
        and skill.pack == ESCO
        and skill.reuse_level != TRANSVERSAL
        and all(text[a:z].casefold() != name for a, z, _kind in c.evidence)
    )


def _fields(snapshot: LibrarySnapshot, skill_id: int) -> set[object]:
    """A skill's dimensions (by id) and its category (by name), as one set to intersect."""
    found: set[object] = set(snapshot.skill_dimensions.get(skill_id, ()))
    category = snapshot.skills[skill_id].category
    if category:
        found.add(category)
    return found
