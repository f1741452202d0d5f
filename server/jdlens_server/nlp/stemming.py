"""Light, deterministic inflection folding shared by the skill matcher and the skill resolver.

The point is not linguistic stems but a *key*: two surface forms that a reader takes for the same
skill ("manage budgets" / "managing budget", "data pipelines" / "data pipeline", "optimise" /
"optimizing", "modelling" / "modeling") fold to the same key, while words that only look alike
keep apart. Folding is applied identically to library labels and to text, so the keys never have
to be real words; what matters is that the rules are few, guarded and stable.

Rules (on the lower-cased token, in order):
- tokens with digits or symbols (``c++``, ``node.js``, ``python3``) and tokens of three letters
  or fewer are left alone;
- a possessive ``'s`` is dropped;
- British ``-ise/-isation/-yse`` spellings become ``-ize/-ization/-yze``;
- plural / third-person ``-ies``/``-ied``/``-ying`` -> ``y``; ``-sses``/``-xes``/``-ches``/``-shes``/
  ``-zes`` lose ``es``; a final ``s`` goes unless the word ends in ``ss``/``us``/``is``/``os``;
- ``-ing``/``-ed`` go when a stem of at least three letters with a vowel is left (``using`` and
  ``need`` stay), except for a short list of ``-ing`` nouns naming a field (``engineering`` is not
  ``engineer``);
- a doubled final consonant left by that is undoubled (``planning`` -> ``plan``), and a final
  ``e`` or ``ll`` is reduced everywhere (``manage`` and ``managing`` both give ``manag``).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["fold_token", "fold_tokens"]

# -ing nouns that name a discipline or a thing, not the act: folding them would merge a field
# with the person or object ("engineering" -> "engineer", "marketing" -> "market").
_ING_NOUNS = frozenset(
    {
        "engineering",
        "marketing",
        "accounting",
        "banking",
        "nursing",
        "advertising",
        "clothing",
        "housing",
        "catering",
        "lighting",
        "plumbing",
        "wording",
        "building",
        "ceiling",
        "funding",
        "pricing",
        "hearing",
        "meeting",
        "offering",
        "setting",
        "heading",
        "spring",
        "string",
        "thing",
        "nothing",
        "something",
        "anything",
        "everything",
        "morning",
        "evening",
        "during",
        "bring",
        "sing",
        "king",
        "ring",
        "wing",
        "swing",
        "sting",
        "sibling",
        "darling",
        "earring",
        "ping",
        "booking",
        "wedding",
        "pudding",
        "stuffing",
        "icing",
        "roofing",
        "flooring",
        "painting",
        "drawing",
        "landscaping",
        "mining",
        "shipping",
        "trading",
        "consulting",
        "computing",
        "networking",
        "scaffolding",
        "tooling",
        "logging",
        "clustering",
    }
)
# -ed / -s words whose folded form would collide with another word or lose their meaning.
_KEEP = frozenset(
    {
        "news",
        "series",
        "species",
        "lens",
        "bias",
        "gas",
        "gps",
        "aws",
        "ios",
        "sas",
        "sales",
        "means",
        "physics",
        "mathematics",
        "statistics",
        "economics",
        "ethics",
        "logistics",
        "analytics",
        "graphics",
        "electronics",
        "robotics",
        "genomics",
        "linguistics",
        "kubernetes",
        "jenkins",
        "windows",
        "mass",
        "embed",
        "hundred",
        "sacred",
        "naked",
        "wicked",
        "rugged",
    }
)
_VOWEL = re.compile(r"[aeiouy]")
_PLAIN_WORD = re.compile(r"[^\W\d_]+")
# Undoubling after a removed -ing/-ed: keep l (handled below), s and z doubles.
_DOUBLE = re.compile(r"([bcdfgkmnprt])\1$")


def _british(word: str) -> str:
    if len(word) < 6:
        return word
    word = re.sub(r"isation(s?)$", r"ization\1", word)
    word = re.sub(r"is(e|es|ed|ing|er|ers)$", r"iz\1", word)
    return re.sub(r"ys(e|es|ed|ing|er|ers)$", r"yz\1", word)


def _strip_inflection(word: str) -> str:
    n = len(word)
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and n > 4:
        return word[:-3] + "y"
    if word.endswith("ying") and n > 5:
        return word[:-3]
    if word.endswith(("sses", "xes", "ches", "shes", "zes")) and n > 4:
        return word[:-2]
    if word.endswith("ing") and word not in _ING_NOUNS:
        stem = word[:-3]
        if len(stem) >= 3 and _VOWEL.search(stem):
            return _DOUBLE.sub(r"\1", stem)
        return word
    if word.endswith("ed") and not word.endswith("eed"):
        stem = word[:-2]
        if len(stem) >= 3 and _VOWEL.search(stem):
            return _DOUBLE.sub(r"\1", stem)
        return word
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")) and n > 3:
        return word[:-1]
    return word


# An acronym's plural as written in JDs: "APIs", "KPIs", "SDKs" (the capitals say it is no word
# such as "analysis", whose "is" ending the word rules keep).
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]*[A-Z]s")  # not "K8s", "S3s": a digit before the s


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """The matching key of one token (see the module docstring)."""
    if _ACRONYM_PLURAL.fullmatch(token):
        return token[:-1].casefold()
    word = token.casefold()
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    if len(word) <= 3 or _PLAIN_WORD.fullmatch(word) is None or word in _KEEP or word in _ING_NOUNS:
        return word
    word = _strip_inflection(_british(word))
    reducible = (word.endswith("e") and not word.endswith("ee")) or word.endswith("ll")
    if len(word) > 3 and word not in _KEEP and reducible:
        word = word[:-1]
    return word


def fold_tokens(tokens: list[str]) -> str:
    """Fold each token and join with single spaces: the key of a phrase."""
    return " ".join(fold_token(t) for t in tokens)
