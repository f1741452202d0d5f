"""Folding of labels and text for alias lookup: one function, so the importer, the skill matcher and
the search resolve the same strings to the same keys.

``fold`` lower-cases (Unicode case folding after NFKC), removes diacritics, turns punctuation into
spaces and collapses whitespace. Three characters survive because technology names depend on them:
``+`` and ``#`` (C, C++ and C# are different skills) and a ``.`` that opens a word (".NET").
Apostrophes are dropped rather than spaced ("writer's" -> "writers"), so possessives stay one word.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["fold", "inflection_key", "singular", "singular_words"]

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
# Anything that is not a letter, digit, '+', '#', or a word-opening '.' becomes a space.
_SEPARATORS = re.compile(r"(?:(?<=[^\s(/])\.|\.(?![^\W_])|[^\w\s+#.]|_)+")


# A run folds the same skill names, subjects and aliases many times over (matching, the review
# queue's keys, resolution); a bounded cache answers the repeats without the regex passes.
@functools.lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """The comparison key of a label: ``fold("Node.js / C++") == "node js c++"``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.split())


# Plural endings that are not plurals ("analysis", "business", "status", "physics").
_NOT_PLURAL = ("ss", "us", "is", "ics", "ous", "sis", "news", "series", "species")
_ES_PLURAL = ("sses", "shes", "ches", "xes", "zes")


def singular(word: str) -> str:
    """English plural -> singular for the regular patterns: "secretaries" -> "secretary",
    "nurses" -> "nurse", "boxes" -> "box", "analysts" -> "analyst"; other words unchanged."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_NOT_PLURAL):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_PLURAL):
        return word[:-2]
    return word[:-1]


def singular_words(folded: str) -> str:
    """Every word of an already folded text made singular."""
    return " ".join(singular(w) for w in folded.split())


def inflection_key(text: str) -> str:
    """``fold`` with every word made singular: "Managing budgets" and "managing budget" meet."""
    return singular_words(fold(text))
