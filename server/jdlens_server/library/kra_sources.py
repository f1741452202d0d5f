"""Key responsibility statements (KRAs) of a role, from what its pack says the occupation does.

Each source is stored under its own ``source`` tag so the classifier's evaluation can compare them:
- ``esco_description``: the sentences of the ESCO occupation description ("Data scientists find
  and interpret rich data sources, ..."), split with the JD sentence splitter;
- ``esco_essential_skill``: the labels of the occupation's essential skills, which ESCO words as
  duties ("manage budgets", "perform data cleansing");
- ``onet_task``: O*NET task statements.
"""

from __future__ import annotations

from collections.abc import Iterable

from jdlens_server.nlp.text import sentence_spans, squash

__all__ = [
    "ESCO_DESCRIPTION",
    "ESCO_ESSENTIAL_SKILL",
    "IMPORT_SOURCES",
    "ONET_TASK",
    "description_kras",
    "first_sentence",
    "phrase_kras",
]

ESCO_DESCRIPTION = "esco_description"
ESCO_ESSENTIAL_SKILL = "esco_essential_skill"
ONET_TASK = "onet_task"
IMPORT_SOURCES = {"esco": (ESCO_DESCRIPTION, ESCO_ESSENTIAL_SKILL), "onet": (ONET_TASK,)}

# Fragments shorter than this many words ("Includes:", a stray list head) carry no duty.
MIN_WORDS = 3


def _sentences(text: str) -> list[str]:
    return [squash(text[a:z]) for a, z in sentence_spans(text)]


def first_sentence(text: str | None) -> str:
    sentences = _sentences(text or "")
    return sentences[0] if sentences else ""


def description_kras(description: str | None) -> list[str]:
    """The description's sentences, in order, without duplicates or fragments."""
    out = [s for s in _sentences(description or "") if len(s.split()) >= MIN_WORDS]
    return list(dict.fromkeys(out))


def phrase_kras(phrases: Iterable[str]) -> list[str]:
    """Short duty phrases (skill labels, task statements) as KRAs, whitespace-tidied and de-duplicated."""
    return list(dict.fromkeys(p for p in (squash(x) for x in phrases) if p))
