"""Acronyms a JD spells out itself: "Water, Sanitation and Hygiene (WASH)", "MEAL (Monitoring,
Evaluation, Accountability and Learning)".

A title written with such an acronym ("WASH Officer", "MEAL Officer") reads as the ordinary word to
the embedding model, which is uncased ("wash", "meal": laundry and food). With the expansion the
JD itself gives, the title is embedded as what it names. Only expansions whose initials spell the
acronym are taken, so nothing is guessed; without one, a short list of sector acronyms is known.
"""

from __future__ import annotations

import re

__all__ = ["SECTOR_ACRONYMS", "expand_sector_acronyms", "expand_title", "spelled_out"]

# An acronym as titles write it: 2-6 capitals, maybe with "&" ("M&E").
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,5}\b")
# Words an expansion may hold that give no letter ("Monitoring and Evaluation", "Head of ...").
_LINKS = frozenset({"and", "of", "for", "the", "in", "on", "&", "to"})
_WORD = re.compile(r"[A-Za-z][\w'-]*|&")
_BEFORE_BRACKET = re.compile(r"\(\s*([A-Z][A-Z&]{1,5})\s*\)")
# "MEAL (Monitoring, ...)", "MEAL Officer (Monitoring, ...)": the bracket after the acronym or its title.
_BRACKET_AFTER = re.compile(r"\b([A-Z][A-Z&]{1,5})(?:\s+[A-Z][\w-]*){0,2}\s*\(([^()\n]{5,90})\)")
# How far before "(WASH)" its expansion may start.
_REACH = 90


def _spells(acronym: str, words: list[str]) -> bool:
    """Whether the content words, in order, each give the acronym a prefix of theirs ("Water,
    Sanitation and Hygiene" gives WA-S-H)."""
    letters = acronym.replace("&", "").lower()
    content = [w.lower() for w in words if w.lower() not in _LINKS]
    # An expansion has two words at least: "(TAILOR)" after "TAILOR" spells nothing out.
    return len(content) >= 2 and words[0].lower() not in _LINKS and _prefixes(letters, content)


def _prefixes(letters: str, words: list[str]) -> bool:
    if not words:
        return not letters
    word = words[0]
    # Each word gives at least its first letter, at most as many as its own prefix matches.
    n = 0
    while n < min(len(word), len(letters)) and word[n] == letters[n]:
        n += 1
        if _prefixes(letters[n:], words[1:]):
            return True
    return False


def _tail_spelling(acronym: str, words: list[str]) -> list[str] | None:
    """The shortest run of ``words``' tail whose initials spell ``acronym``."""
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if _spells(acronym, tail):
            return tail
    return None


def spelled_out(text: str, acronym: str) -> str | None:
    """The expansion ``text`` gives for ``acronym``, written as the text writes it, else None."""
    if acronym not in text:
        return None
    for m in _BEFORE_BRACKET.finditer(text):
        if m.group(1) != acronym:
            continue
        before = text[max(0, m.start() - _REACH) : m.start()]
        words = [w.group() for w in _WORD.finditer(before.split("\n")[-1])]
        found = _tail_spelling(acronym, words)
        if found:
            return " ".join(found)
    for m in _BRACKET_AFTER.finditer(text):
        if m.group(1) != acronym:
            continue
        words = [w.group() for w in _WORD.finditer(m.group(2))]
        if words and _spells(acronym, words):
            return " ".join(words)
    return None


# The sector acronyms titles use without spelling them out, where the uncased model reads another
# word or nothing ("WASH Coordinator" was a laundry manager): the aid sector's programme areas, and
# the safety and hospitality departments. The JD's own spelling wins. Not "M&E": monitoring and
# evaluation in aid, mechanical and electrical on a building site.
SECTOR_ACRONYMS = {
    "WASH": "Water Sanitation and Hygiene",
    "MEAL": "Monitoring Evaluation Accountability and Learning",
    "MEL": "Monitoring Evaluation and Learning",
    "GBV": "Gender-Based Violence",
    "DRR": "Disaster Risk Reduction",
    "FSL": "Food Security and Livelihoods",
    "MHPSS": "Mental Health and Psychosocial Support",
    "SRH": "Sexual and Reproductive Health",
    "IPC": "Infection Prevention and Control",
    "HSE": "Health Safety and Environment",
    "EHS": "Environment Health and Safety",
    "QHSE": "Quality Health Safety and Environment",
    "F&B": "Food and Beverage",
}
_SECTOR_ACRONYM = re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, SECTOR_ACRONYMS)) + r")(?![\w&])")


def expand_sector_acronyms(sentence: str) -> str:
    """``sentence`` with the sector acronyms spelled out ("Manage the WASH projects" -> "Manage the
    Water Sanitation and Hygiene projects"), unless it is written in capitals."""
    if sentence.isupper() or _SECTOR_ACRONYM.search(sentence) is None:
        return sentence
    return _SECTOR_ACRONYM.sub(lambda m: SECTOR_ACRONYMS[m.group()], sentence)


# A bracket anywhere in a title may spell one of its acronyms: "MEAL Officer (Monitoring, ...)".
_TITLE_BRACKET = re.compile(r"\(([^()]{5,90})\)")


def expand_title(title: str, text: str) -> str:
    """``title`` with each acronym the JD spells out replaced by its expansion ("WASH Officer" with
    "Water, Sanitation and Hygiene (WASH)" in the text -> "Water Sanitation and Hygiene Officer")."""
    if not title or _ACRONYM.search(title) is None:
        return title
    out = title
    for acronym in dict.fromkeys(m.group() for m in _ACRONYM.finditer(title)):
        bracket = _title_bracket(out, acronym)
        if bracket is not None:  # the bracket moves into the acronym's place
            expansion = " ".join(w.group() for w in _WORD.finditer(bracket.group(1)))
            out = (out[: bracket.start()] + out[bracket.end() :]).strip()
        else:
            # In a title written in capitals every word looks like an acronym ("CAR WASH").
            known = SECTOR_ACRONYMS.get(acronym, "") if not title.isupper() else ""
            expansion = spelled_out(text, acronym) or known
        if expansion:
            out = re.sub(rf"\b{re.escape(acronym)}\b", expansion, out)
    return out


def _title_bracket(title: str, acronym: str) -> re.Match[str] | None:
    for m in _TITLE_BRACKET.finditer(title):
        words = [w.group() for w in _WORD.finditer(m.group(1))]
        if words and _spells(acronym, words):
            return m
    return None
