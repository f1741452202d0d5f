"""Dictionary skill matching: every library label and alias in one Aho-Corasick automaton.

Text and labels are tokenised the same way (words with their inner dots/apostrophes and ``+``/``#``
suffixes, each other symbol a token of its own, hyphens between words dropped), each word folded
with :mod:`jdlens_server.nlp.stemming`, and the keys joined by single spaces. The automaton runs
over that folded string padded with spaces, so a hit always starts and ends on token boundaries,
and a token -> character map turns it back into offsets of the *original* text. A list label
("extraction, transformation and loading") is also keyed in the other comma style ("...,
transformation, and loading"), as texts write both.

Overlapping hits are resolved longest first. Names that are also ordinary words (Go, R, C, Swift,
Spark, React, Excel, "design", "data", hidden one-word labels, anything the library marks
``context_required``) count only with supporting context; see :class:`SkillMatcher`.
"""

from __future__ import annotations

import functools
import gc
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import chain
from typing import NamedTuple

import ahocorasick

from jdlens_server.nlp.stemming import fold_token
from jdlens_server.nlp.text import DUTY_VERBS, clause_starts

__all__ = [
    "NATURAL_LANGUAGE",
    "AliasEntry",
    "SkillMatcher",
    "SkillMention",
    "Token",
    "is_tool_like",
    "label_key",
    "sentence_ids",
    "tokenize",
]


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One label of one library skill, as the matcher needs it (built from plain records)."""

    skill_id: int
    text: str
    alias_type: str  # "canonical" | "alternative" | "abbreviation" | "hidden" | "misspelling" | ...
    match_strategy: str  # "case_insensitive" | "exact" | "context_required"
    nature: str = ""  # SkillNature name without prefix ("TOOL", "LANGUAGE", ...) when known


@dataclass(frozen=True, slots=True)
class SkillMention:
    """One dictionary hit; ``start``/``end`` index the original text."""

    skill_id: int
    alias_text: str
    start: int
    end: int
    region_kind: str
    alias_type: str
    confidence: float


# ---------------------------------------------------------------------------------- tokens


class Token(NamedTuple):
    text: str
    start: int
    end: int
    key: str  # folded form; symbols keep themselves
    is_word: bool


# One regex does all tokenising (it runs in C; the Python loop only folds):
# - a word keeps inner dots, apostrophes and ampersands (node.js, ASP.NET, R&D, master's) and
#   trailing + / # (C++, C#), and a dot that opens it when nothing word-like precedes (.NET);
# - a dot before a capitalised word does not join: it is a sentence end that lost its space
#   ("experience.Requirements");
# - a hyphen between two word characters is no token ("full-stack" matches "full stack");
# - every other non-space character is a token of its own.
_TOKEN = re.compile(
    r"(?:(?<![\w.])\.(?=\w))?\w+(?:(?:\.(?![A-Z][a-z]{2})|['\u2019&])\w+)*[+#]*"
    r"|(?!(?<=\w)[-\u2010\u2011](?=\w))[^\w\s]"
)


def _spans(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


def _is_word(surface: str) -> bool:
    return len(surface) > 1 or surface.isalnum() or surface == "_"


# Token's own __new__ is a Python function; making the tuple directly saves a call per token.
_new_token = functools.partial(tuple.__new__, Token)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text`` (see ``_TOKEN`` for the rules)."""
    stop = len(text) if end is None else end
    return [_new_token((w, a, b, fold_token(w), _is_word(w))) for a, b, w in _spans(text, start, stop)]


def label_key(text: str) -> str:
    """The matching key of a label or phrase: its folded tokens joined by single spaces."""
    return _label(text).key


# Sentence ends and list bullets (including the cp1252 bullet \x95 that mis-decoded text keeps).
_SENTENCE_END = frozenset(".!?;*\u2022\u25cf\u25aa\u2023\u2043\u27a2\u2794\u2192\u00b7\x95\u25e6\u2219")


def sentence_ids(text: str, tokens: Sequence[Token]) -> list[int]:
    """A sentence number per token: a new sentence after . ! ? ; bullets and line breaks, and
    where a run-on line starts its next item (``clause_starts``: ads flattened to one line)."""
    ids: list[int] = []
    current = 0
    starts = clause_starts(text, tokens[0].start, tokens[-1].end) if tokens else set()
    for i, tok in enumerate(tokens):
        if i and (
            tokens[i - 1].text in _SENTENCE_END
            or "\n" in text[tokens[i - 1].end : tok.start]
            or tok.start in starts
        ):
            current += 1
        ids.append(current)
    return ids


_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2,}[a-z]")
# Two words that lost the space between them ("andInnovation", "atDanish"), not a product name.
_GLUED_WORDS = re.compile(r"[a-z]{2,}[A-Z][a-z]{2,}")
# Numbers with units, ordinals, money, times, counts: "13th", "20yrs", "60B", "8.30am", "7p" (of
# "7p-7a"), "41,013", "2+" (years), "500K+", "1990s", "9s" (of "I-9s").
_NUMBERISH = re.compile(
    r"\d[\d.,:]*(?:st|nd|rd|th|[kmb]|bn|yrs?|years?|h|hrs?|am|pm|a|p|s|x|%)?\+?(?:x\d+|[-/]\d[\d.,:]*\w*)?",
    re.IGNORECASE,
)


# Dotted abbreviations of ordinary writing and of degrees, in any case.
_DOTTED_ABBREVIATION = re.compile(
    r"(?i)(?:e\.g|i\.e|etc|vs|cf|approx|incl|resp|a\.m|p\.m|ph\.d|m\.sc|b\.sc|m\.a|b\.a|m\.d|"
    r"u\.s|u\.k|e\.u)\.?"
)


def is_numberish(word: str) -> bool:
    """A number with a unit, an ordinal, a time or a count ("13th", "7p", "2+", "1990s")."""
    return _NUMBERISH.fullmatch(word.strip()) is not None


@functools.lru_cache(maxsize=1 << 16)  # asked of every token of every JD; words repeat
def is_tool_like(surface: str) -> bool:
    """Surface shape of a product/tool name: CamelCase, ALLCAPS, digits, dots, + or #."""
    s = surface.strip()
    if s.isalpha() and (s.islower() or s[1:].islower()):
        return False  # the common case: "word", "Word"
    if not s or not any(c.isalpha() for c in s):
        return False
    if is_numberish(s) or _GLUED_WORDS.fullmatch(s):
        return False
    if _DOTTED_ABBREVIATION.fullmatch(s):
        return False  # "e.g", "i.e.", "Ph.D", "M.Sc.": dotted, but no product names
    if any(c in s for c in "+#") or (s.startswith(".") and len(s) > 2):
        return True
    if "." in s.strip(".") and re.search(r"[A-Za-z]\.[A-Za-z]", s):
        return True
    if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
        return True
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True
    return _CAMEL.search(s) is not None


# ---------------------------------------------------------------------------------- context rules


class _Need(IntEnum):
    NONE = 0
    SKILL_CUE = 1  # a generic word ("design"): needs a skill cue ("design skills", "experience in design")
    TECH = 2  # a product name that is also a word (Spark, React, Excel): casing + a tech cue
    LANGUAGE = 3  # a programming language that is also a word / letter (Go, R, C, Swift): a language cue
    WORD = 4  # a word the library marks ambiguous: as a name (capitalised mid-sentence) TECH, else SKILL_CUE
    # A human language's name, which is also its people's adjective ("Danish universities"): counts
    # with a language cue ("fluent Danish", "Danish speaking") or listed with another language.
    SPOKEN = 5


# Programming languages whose names are ordinary words or single letters.
_LANGUAGE_HOMONYMS = frozenset(
    {
        "go",
        "r",
        "c",
        "d",
        "f",
        "j",
        "k",
        "q",
        "s",
        "v",
        "swift",
        "rust",
        "dart",
        "julia",
        "ruby",
        "elm",
        "crystal",
        "scratch",
        "assembly",
        "basic",
        "logo",
        "pascal",
        "ada",
        "io",
        "ml",
        "lisp",
        "forth",
        "processing",
        "hack",
        "pure",
        "red",
        "ring",
        "factor",
        "joy",
        "self",
        "icon",
        "clean",
        "chapel",
        "nim",
        "pony",
        "oz",
        "alice",
        "boo",
        "cool",
        "e",
        "x10",
        "apex",
    }
)
# Products and tools whose names are ordinary words.
_TOOL_HOMONYMS = frozenset(
    {
        "spark",
        "react",
        "excel",
        "word",
        "access",
        "teams",
        "office",
        "outlook",
        "project",
        "express",
        "shell",
        "flash",
        "chef",
        "puppet",
        "salt",
        "source",
        "unity",
        "canvas",
        "absorb",
        "rage",
        "eclipse",
        "bamboo",
        "confluence",
        "ember",
        "meteor",
        "backbone",
        "flask",
        "rails",
        "spring",
        "struts",
        "hive",
        "pig",
        "storm",
        "ant",
        "sketch",
        "premiere",
        "slack",
        "zoom",
        "dynamics",
        "mode",
        "snowflake",
        "elastic",
        "vault",
        "consul",
        "nomad",
        "packer",
        "helm",
        "envoy",
        "celery",
        "node",
        "next",
        "jest",
        "mocha",
        "jasmine",
        "karma",
        "cypress",
        "blender",
        "maya",
        "nuke",
        "paint",
        "publisher",
        "pages",
        "numbers",
        "box",
        "drive",
        "notion",
        "sage",
        "visual",
        "studio",
        "code",
        "atom",
        "sublime",
        "beam",
        "arrow",
        "delta",
        "drill",
        "glue",
        "athena",
        "lambda",
        "compose",
        "swarm",
        "foundry",
        "realm",
        "titan",
        "composer",
        "ads",
        "analytics",
        "console",
        "sheets",
        "docs",
        "slides",
        "sites",
        "keep",
        "meet",
        "classroom",
        "buffer",
        "loom",
        "moodle",
        "blackboard",
        "schoology",
        "edmodo",
        "frontier",
        "torque",
        "cocos",
        "phaser",
        "stencyl",
        "construct",
        "fusion",
    }
)
# Function words and the like: never a skill on their own.
_STOP = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "as",
        "is",
        "are",
        "be",
        "it",
        "its",
        "we",
        "you",
        "our",
        "your",
        "us",
        "do",
        "does",
        "can",
        "will",
        "may",
        "more",
        "less",
        "most",
        "least",
        "all",
        "any",
        "some",
        "no",
        "not",
        "new",
        "good",
        "well",
        "very",
        "up",
        "out",
        "off",
        "over",
        "one",
        "two",
        "first",
        "last",
        "next",
        "other",
        "same",
        "such",
        "own",
        "per",
        "via",
        "etc",
        "e.g",
        "i.e",
        "like",
        "also",
        "so",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "when",
        "where",
        "who",
        "how",
        "what",
        "which",
        "why",
        "if",
        "but",
        "about",
        "into",
        "from",
        "have",
        "has",
        "had",
        "get",
        "got",
        "make",
        "made",
        "use",
        "used",
        "work",
        "working",
        "team",
        "job",
        "role",
        "time",
        "year",
        "years",
        "day",
        "way",
        "part",
        "plus",
        "nice",
        "great",
        "high",
        "low",
    }
)


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold_token(w) for w in words.split())


# Words around a generic-word skill that say it is meant as a skill.
_SKILL_CUES = _folded(
    """
    skill skills experience experienced expertise expert knowledge knowledgeable background
    proficiency proficient competence competent competency familiarity familiar understanding
    qualification qualifications degree ability abilities capability strong solid excellent advanced
    deep practical hands-on certified certification training trained specialist specialised
    specialized"""
)
# Words that make a product/tool reading likely.
_TECH_CUES = _folded(
    """
    programming language languages framework frameworks library libraries developer developers
    development develop code coding coder stack proficiency proficient software tool tools toolkit
    platform platforms api apis sdk sdks scripting script scripts frontend front-end backend
    back-end engineer engineers engineering technology technologies tech microsoft ms apache google
    amazon aws azure gcp cloud database databases spreadsheet spreadsheets application applications
    app apps web mobile ide editor experience knowledge using version versions devops data analytics
    skill skills"""
)
_LANGUAGE_CUES = _folded(
    """
    programming language languages lang coding code coder programmer programmers developer
    developers scripting compiler compilers runtime golang skill skills"""
)
_SPOKEN_CUES = _folded(
    """
    fluent fluency fluently speak speaks speaking spoken speaker speakers written write writing
    read reading language languages native mother tongue proficient proficiency bilingual
    multilingual command oral verbal conversational translate translation translator interpreter
    excellent good strong basic"""
)
# The nature the matcher gives a skill of ESCO's language pillar (see state.build_matcher).
NATURAL_LANGUAGE = "NATURAL_LANGUAGE"
_LIST_SEPARATORS = frozenset({",", "/", "&", "|", "(", ")", "and", "or", "+"})
_TOOLISH_NATURES = frozenset({"TOOL", "LANGUAGE", "PLATFORM"})


class _Evidence(NamedTuple):
    """Tokens [start, end) of one sentence that show a tech context; ``strong`` unless a plain
    capitals word."""

    start: int
    end: int
    strong: bool


class _Target(NamedTuple):  # a tuple: 10^5 of them are made per build
    skill_id: int
    alias_text: str
    alias_type: str
    exact: bool  # match_strategy "exact": the surface must equal the alias
    need: _Need
    toolish: bool  # a tool/language/platform: evidence of a tech context for its neighbours
    surface: tuple[str, ...]  # the alias' own token texts (for exact and case checks)
    base_confidence: float


class _Pattern(NamedTuple):
    n_tokens: int
    key_len: int  # characters of the key without its padding spaces
    targets: tuple[_Target, ...]


_TYPE_CONFIDENCE = {
    "canonical": 0.95,
    "alternative": 0.85,
    "abbreviation": 0.85,
    "implicit": 0.85,
    "misspelling": 0.6,
    "hidden": 0.6,
}
_PAREN_LABEL = re.compile(r"^(?P<head>[^()]+?)\s*\((?P<qualifier>[^()]+)\)\s*$")
# Single-token labels that occur as a word in at least this many other labels are generic words.
_GENERIC_MIN_LABELS = 60


class _Label(NamedTuple):
    surfaces: tuple[str, ...]
    key: str


def _label(text: str) -> _Label:
    return _keyed(tuple(_TOKEN.findall(text)))


def _keyed(surfaces: tuple[str, ...]) -> _Label:
    return _Label(surfaces, " ".join([fold_token(w) for w in surfaces]))


_CONJUNCTIONS = frozenset({"and", "or"})


def _comma_variant(lab: _Label) -> _Label | None:
    """The same list label in the other comma style: "extraction, transformation and loading" <->
    "extraction, transformation, and loading" (texts write both). Only labels that are lists
    (a comma before the last item) get one, so a clause comma in the text still ends a label."""
    s = lab.surfaces
    last = max((i for i, w in enumerate(s) if w.casefold() in _CONJUNCTIONS), default=-1)
    if last < 2 or "," not in s[:last]:
        return None
    serial = s[last - 1] == ","
    return _keyed(s[: last - 1] + s[last:] if serial else (*s[:last], ",", *s[last:]))


class _Region:
    """Token arrays of one region, with the sentence numbers computed only when a rule needs them."""

    __slots__ = ("_sentences", "ends", "keys", "lower", "starts", "surfaces", "text")
    surfaces: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    keys: tuple[str, ...]

    def __init__(self, text: str, tokens: Sequence[Token], start: int, end: int) -> None:
        self.text = text
        # The columns of the (non-empty) token tuples.
        self.surfaces, self.starts, self.ends, self.keys, _ = zip(*tokens, strict=True)
        self.lower = not any(c.isupper() for c in text[start:end])
        self._sentences: list[int] | None = None

    def __len__(self) -> int:
        return len(self.surfaces)

    @property
    def sentences(self) -> list[int]:
        if self._sentences is None:
            ids: list[int] = []
            current = 0
            for i in range(len(self.surfaces)):
                if i and (
                    self.surfaces[i - 1] in _SENTENCE_END
                    or "\n" in self.text[self.ends[i - 1] : self.starts[i]]
                ):
                    current += 1
                ids.append(current)
            self._sentences = ids
        return self._sentences


class SkillMatcher:
    """Aho-Corasick matcher over all alias keys of a library. Build once, share between threads.

    Context rules, for an alias of one word that is also an ordinary word:
    - a programming language homonym (Go, R, C, Swift, a one-letter name, ...) needs proper-noun
      casing (unless the whole region is lower case) and a language cue in its sentence: the
      words programming/language/coding/developer/..., or another language or tool in the same
      list ("Go, Python and Java");
    - a product homonym (Spark, React, Excel, an ESCO "Name (kind of tool)" head that is a word
      elsewhere in the library, ...) needs the same casing and a tech cue: tech words
      (framework, library, software, developer, cloud, ...) or another tool-like mention in the
      same sentence;
    - a generic word (a one-word label used in many other labels, "design", "data"; a lower-case
      one-word alternative or hidden label, "experiment" for "think creatively"; a lower-case
      ``context_required`` alias) needs a skill cue next to it ("design skills", "experience in
      design"), unless the text writes it as a name mid-sentence ("Bash"), which is then read
      as a product homonym;
    - product and language homonyms are never inflected ("sources" is no "Source");
    - ALLCAPS aliases must match in capitals unless the whole region is lower case ("LESS" the
      stylesheet language is not "less", "LED" is not "led"), and never as a function word;
    - ``exact`` aliases must match the surface exactly; other ``context_required`` aliases are
      product homonyms (languages when their nature is LANGUAGE).

    Confidence: by alias type (canonical 0.95, alternative/abbreviation/implicit 0.85, hidden
    0.6), +0.03 for the exact surface, -0.08 when only inflection folding made the match, x0.8
    or x0.85 when context had to be found, divided when one alias names several skills.
    """

    def __init__(
        self,
        automaton: ahocorasick.Automaton,
        patterns: list[_Pattern],
        n_aliases: int,
        lead_verbs: frozenset[str] = frozenset(),
    ) -> None:
        self._automaton = automaton
        self._patterns = patterns
        self.n_aliases = n_aliases
        # Folded words that open the library's skill labels far more often than they occur inside
        # them ("manage budgets", "work in teams"): the library's own verb lexicon, used by phrase
        # proposals to find verb phrases without a POS tagger.
        self.lead_verbs = lead_verbs

    @property
    def n_keys(self) -> int:
        return len(self._patterns)

    def is_label(self, text: str) -> bool:
        """Whether ``text`` is, once folded, one of the library's skill labels."""
        key = label_key(text)
        return bool(key) and bool(self._patterns) and self._automaton.get(f" {key} ", None) is not None

    # ---- build ----------------------------------------------------------------------------

    @classmethod
    def build(cls, entries: Iterable[AliasEntry]) -> SkillMatcher:
        # A library build allocates ~10^6 small objects that all survive: the cyclic collector
        # would rescan them over and over (a third of the time) and find nothing to free.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return cls._build([_normalised(e) for e in entries])
        finally:
            if was_enabled:
                gc.enable()

    @classmethod
    def _build(cls, items: list[AliasEntry]) -> SkillMatcher:
        labels = [_label(e.text) for e in items]

        key_skills: dict[str, set[int]] = {}
        for e, lab in zip(items, labels, strict=True):
            if lab.key:
                key_skills.setdefault(lab.key, set()).add(e.skill_id)

        # "Python (computer programming)": the head is an implicit alias when no other skill uses it.
        heads: dict[str, list[tuple[AliasEntry, str]]] = {}
        paren_heads: set[tuple[int, str]] = set()
        paren_labels: set[int] = set()
        for n, e in enumerate(items):
            if e.alias_type != "canonical" or not e.text.endswith(")"):
                continue
            m = _PAREN_LABEL.match(e.text)
            if m is None:
                continue
            head = m.group("head")
            head_key = _label(head).key
            if head_key:
                heads.setdefault(head_key, []).append((e, head))
                paren_heads.add((e.skill_id, head_key))
                paren_labels.add(n)

        # How many labels use each (folded) word: a one-word label found in many others is a
        # generic word. Qualified labels ("Python (computer programming)") do not count as uses.
        word_use: Counter[str] = Counter(
            chain.from_iterable(
                set(lab.key.split(" "))
                for n, lab in enumerate(labels)
                if " " in lab.key and n not in paren_labels
            )
        )
        extra: list[tuple[AliasEntry, _Label]] = []
        for e, lab in zip(items, labels, strict=True):
            variant = _comma_variant(lab)
            if variant is not None:
                extra.append((e, variant))
        for head_key, owners in heads.items():
            skills = {e.skill_id for e, _ in owners} | key_skills.get(head_key, set())
            if len(skills) != 1 or head_key in key_skills:
                continue  # shared with another skill, or already an alias of this one
            e, head = owners[0]
            extra.append((AliasEntry(e.skill_id, head, "implicit", e.match_strategy, e.nature), _label(head)))

        extra.extend(_derived_aliases(items, labels, key_skills))

        grouped: dict[str, list[_Target]] = {}
        n_tokens: dict[str, int] = {}
        for e, lab in [*zip(items, labels, strict=True), *extra]:
            words = [w for w in lab.surfaces if _is_word(w)]
            if not words:
                continue
            need = cls._need(e, lab, words, word_use, (e.skill_id, lab.key) in paren_heads)
            if need is None:
                continue
            # Only short labels can be product names; they are the tech evidence for neighbours.
            toolish = len(words) <= 3 and (
                e.nature in _TOOLISH_NATURES or any(is_tool_like(w) for w in words)
            )
            target = _Target(
                skill_id=e.skill_id,
                alias_text=e.text,
                alias_type=e.alias_type,
                exact=e.match_strategy == "exact",
                need=need,
                toolish=toolish,
                surface=lab.surfaces,
                base_confidence=_TYPE_CONFIDENCE.get(e.alias_type, 0.75),
            )
            bucket = grouped.setdefault(lab.key, [])
            # One target per (skill, key): keep the most trusted alias type.
            for i, old in enumerate(bucket):
                if old.skill_id == e.skill_id:
                    if (target.base_confidence, -target.need) > (old.base_confidence, -old.need):
                        bucket[i] = target
                    break
            else:
                bucket.append(target)
            n_tokens[lab.key] = len(lab.surfaces)

        names = {e.skill_id: e.text for e in items if e.alias_type == "canonical"}
        automaton = ahocorasick.Automaton()
        patterns: list[_Pattern] = []
        for key, targets in grouped.items():
            automaton.add_word(f" {key} ", len(patterns))
            kept = _owners(key, targets, names) if len(targets) > 1 else targets
            patterns.append(_Pattern(n_tokens[key], len(key), tuple(kept)))
        if patterns:
            automaton.make_automaton()
        return cls(automaton, patterns, len(items) + len(extra), _lead_verbs(items, labels))

    @staticmethod
    def _need(
        e: AliasEntry, lab: _Label, words: list[str], word_use: Counter[str], paren_head: bool
    ) -> _Need | None:
        """The context an alias needs, or None when it must never match on its own."""
        strategy = e.match_strategy
        language = e.nature == "LANGUAGE"
        if words[0].casefold() in _CONJUNCTIONS or words[-1].casefold() in _CONJUNCTIONS:
            return None  # a label cut from a list ("and procedures"): no term of its own
        if e.nature == NATURAL_LANGUAGE and len(lab.surfaces) == 1:
            return _Need.SPOKEN
        if len(lab.surfaces) != 1:
            if strategy == "context_required":
                return _Need.LANGUAGE if language else _Need.TECH
            return _Need.NONE
        surface = words[0]
        folded = surface.casefold()
        if folded in _STOP and not (surface.isupper() and len(surface) > 1):
            return None  # "less", "it", "go to": only their capitalised acronyms may be names
        if folded in _LANGUAGE_HOMONYMS or (len(folded) <= 2 and language):
            return _Need.LANGUAGE
        if strategy == "context_required":
            if language:
                return _Need.LANGUAGE
            # A product name ("Spark", a TOOL) needs a tech context; a lower-case word ("design",
            # "bash") is read by how the text writes it.
            toolish = e.nature in _TOOLISH_NATURES or not surface.islower()
            return _Need.TECH if toolish else _Need.WORD
        if len(folded) == 1:
            return None  # a lone letter that is not a known language name
        if folded in _TOOL_HOMONYMS:
            return _Need.TECH
        if len(folded) <= 3 and (e.alias_type in ("hidden", "misspelling") or surface.islower()):
            return _Need.TECH
        if len(folded) == 2 and not surface.isupper():
            return _Need.TECH
        uses = word_use.get(lab.key, 0)
        if paren_head and uses > 0:
            return _Need.TECH  # the taxonomy itself had to qualify this name
        if uses >= _GENERIC_MIN_LABELS and not is_tool_like(surface):
            return _Need.WORD
        if e.alias_type in ("hidden", "misspelling") and not is_tool_like(surface):
            return _Need.SKILL_CUE  # one-word hidden labels are loose synonyms ("standing", "integrity")
        if e.alias_type == "alternative" and surface.islower():
            return _Need.WORD  # one lower-case word as a synonym ("experiment" for "think creatively")
        return _Need.NONE

    # ---- find -----------------------------------------------------------------------------

    def find(
        self,
        text: str,
        regions: Sequence[tuple[int, int, str]] | None = None,
        *,
        tokens: Sequence[Sequence[Token]] | None = None,
    ) -> list[SkillMention]:
        """Mentions in ``text`` (only inside ``regions`` when given), ordered by start.

        ``tokens``: each region's ``tokenize(text, start, end)``, when the caller has them already."""
        spans = [(0, len(text), "")] if regions is None else regions
        out: list[SkillMention] = []
        for n, (start, end, kind) in enumerate(spans):
            start, end = max(0, start), min(len(text), end)
            if not self._patterns or end <= start:
                continue
            region_tokens = tokenize(text, start, end) if tokens is None else tokens[n]
            out.extend(self._find_region(text, region_tokens, start, end, kind))
        out.sort(key=lambda m: (m.start, -m.end, -m.confidence, m.skill_id))
        return out

    def _find_region(
        self, text: str, tokens: Sequence[Token], start: int, end: int, kind: str
    ) -> list[SkillMention]:
        if not tokens:
            return []
        reg = _Region(text, tokens, start, end)
        haystack = " " + " ".join(reg.keys) + " "
        tok_at_char: dict[int, int] = {}
        pos = 1
        for i, key in enumerate(reg.keys):
            tok_at_char[pos] = i
            pos += len(key) + 1

        # (first token, last token exclusive, pattern) of every raw hit.
        hits: list[tuple[int, int, _Pattern]] = []
        for end_idx, pid in self._automaton.iter(haystack):
            pattern = self._patterns[pid]
            # The hit " k " ends on its trailing space; its first token starts key_len before that.
            first = tok_at_char.get(end_idx - pattern.key_len)
            if first is not None:
                hits.append((first, first + pattern.n_tokens, pattern))
        hits.extend(self._shared_verb_hits(reg))
        hits.extend(self._coordinated_hits(reg))
        if not hits:
            return []

        toolish: dict[int, list[_Evidence]] | None = None
        accepted: list[tuple[int, int, _Target, float]] = []
        for first, last, pattern in hits:
            n_skills = len(pattern.targets)
            for target in pattern.targets:
                if target.need in (_Need.TECH, _Need.LANGUAGE, _Need.WORD) and toolish is None:
                    toolish = self._toolish_spans(reg, hits)
                if target.need is _Need.SPOKEN:
                    conf = self._accept_spoken(target, reg, first, last, hits)
                    if conf is not None:
                        accepted.append((first, last, target, conf / (1.0 + 0.5 * (n_skills - 1))))
                    continue
                conf = self._accept(target, reg, first, last, toolish or {})
                if conf is not None:
                    accepted.append((first, last, target, conf / (1.0 + 0.5 * (n_skills - 1))))

        # Longest first; between overlapping hits of one length the surer one ("machine learning"
        # written as labelled over "building machine" read through inflection); equal spans keep
        # all their skills.
        accepted.sort(key=lambda a: (-(a[1] - a[0]), -a[3], a[0]))
        taken = [False] * len(reg)
        chosen_spans: set[tuple[int, int]] = set()
        out: list[SkillMention] = []
        for first, last, target, conf in accepted:
            if (first, last) not in chosen_spans:
                if any(taken[first:last]):
                    continue
                taken[first:last] = [True] * (last - first)
                chosen_spans.add((first, last))
            out.append(
                SkillMention(
                    skill_id=target.skill_id,
                    alias_text=target.alias_text,
                    start=reg.starts[first],
                    end=reg.ends[last - 1],
                    region_kind=kind,
                    alias_type=target.alias_type,
                    confidence=round(conf, 4),
                )
            )
        return out

    def _shared_verb_hits(self, reg: _Region) -> list[tuple[int, int, _Pattern]]:
        """Labels a verb shares with the later objects of its list: "Operate pallet jacks and
        forklifts" holds "operate forklift". The hit spans the object alone (so its surface never
        equals the label's and it scores as an inflected match, a little below one written whole);
        the first object sits next to its verb and is found as written."""
        keys = reg.keys
        verbs = self.lead_verbs
        out: list[tuple[int, int, _Pattern]] = []
        n = len(keys)
        sentences: list[int] | None = None  # computed for the first verb only: most regions have none
        for i in range(n - 2):
            if keys[i] not in verbs:
                continue
            if sentences is None:
                sentences = reg.sentences
            if not _opens_clause(reg, i, sentences):
                continue
            items = _list_objects(reg, i + 1, min(n, i + 1 + _SHARED_VERB_REACH), sentences, verbs)
            for a, b in items[1:]:
                pid = self._automaton.get(f" {keys[i]} {' '.join(keys[a:b])} ", None)
                if pid is not None:
                    out.append((a, b, self._patterns[pid]))
        return out

    def _coordinated_hits(self, reg: _Region) -> list[tuple[int, int, _Pattern]]:
        """Labels a coordination shares out. A head noun after a list of modifiers: "negotiation,
        presentation and analytical skills" holds "negotiation skills". An object after two
        verbs: "Answer and direct incoming calls" holds "answer incoming calls". The hit spans the
        list's own word (the modifier, the first verb), scored as an inflected match."""
        keys = reg.keys
        n = len(keys)
        out: list[tuple[int, int, _Pattern]] = []
        for h in range(2, n):
            if keys[h] not in _SHARED_HEADS:
                continue
            # Walk back over "X, Y and" before the head's own modifier (keys[h - 1]).
            j = h - 2
            while j >= 1 and keys[j] in _LIST_JOINERS and _is_word(reg.surfaces[j - 1]):
                item = j - 1
                if keys[item] in _STOP:
                    break
                pid = self._automaton.get(f" {keys[item]} {keys[h]} ", None)
                if pid is not None:
                    out.append((item, item + 1, self._patterns[pid]))
                j = item - 1
        verbs = self.lead_verbs
        for i in range(n - 3):
            second = keys[i + 2] in verbs or reg.surfaces[i + 2].lower() in DUTY_VERBS
            if keys[i] not in verbs or keys[i + 1] not in _CONJUNCTIONS or not second:
                continue
            for length in range(1, _MAX_OBJECT_WORDS + 1):
                if i + 3 + length > n:
                    break
                pid = self._automaton.get(f" {keys[i]} {' '.join(keys[i + 3 : i + 3 + length])} ", None)
                if pid is not None:
                    out.append((i, i + 1, self._patterns[pid]))
                    break
        return out

    @staticmethod
    def _accept_spoken(
        target: _Target, reg: _Region, first: int, last: int, hits: list[tuple[int, int, _Pattern]]
    ) -> float | None:
        """A language name as a skill: proper-noun casing (unless the text is all lower case) and a
        language cue nearby, or another language name listed beside it ("English and Danish")."""
        surface = tuple(reg.surfaces[first:last])
        if not _same_words(surface, target.surface):
            return None
        if not reg.lower and not surface[0][:1].isupper():
            return None
        if _cue_near(reg, first, last, _SPOKEN_CUES, 4):
            return target.base_confidence
        if _asked_for_after(reg, last):
            return target.base_confidence * 0.9  # "German is a plus", "Arabic is an advantage"
        sentence = reg.sentences[first]
        others = [
            (a, b)
            for a, b, pattern in hits
            if (a, b) != (first, last)
            and reg.sentences[a] == sentence
            and any(t.need is _Need.SPOKEN for t in pattern.targets)
        ]
        return target.base_confidence * 0.9 if _in_list_with(reg, first, last, others) else None

    @staticmethod
    def _toolish_spans(reg: _Region, hits: list[tuple[int, int, _Pattern]]) -> dict[int, list[_Evidence]]:
        """Per sentence, the spans that show a tech context: context-free tool hits and tool-shaped
        words. A plain capitals word ("ICH", "GMP", "HR") is weak evidence: acronyms fill every
        field's writing, so it counts only listed with the name ("TDD and BDD")."""
        sentences = reg.sentences
        out: dict[int, list[_Evidence]] = {}
        for first, last, pattern in hits:
            if any(t.toolish and t.need is _Need.NONE for t in pattern.targets):
                out.setdefault(sentences[first], []).append(_Evidence(first, last, True))
            elif reg.surfaces[first][:1].isupper() and any(
                t.toolish and t.need in (_Need.TECH, _Need.LANGUAGE) for t in pattern.targets
            ):
                # A capitalised homonym ("Go", "Python", "Spark") is weak evidence for its list
                # neighbours: "Go and Python services" reads as two languages together.
                out.setdefault(sentences[first], []).append(_Evidence(first, last, False))
        for i, surface in enumerate(reg.surfaces):
            if is_tool_like(surface):
                strong = not (surface.isalpha() and surface.isupper())
                out.setdefault(sentences[i], []).append(_Evidence(i, i + 1, strong))
        return out

    @staticmethod
    def _accept(
        target: _Target, reg: _Region, first: int, last: int, toolish: dict[int, list[_Evidence]]
    ) -> float | None:
        surface = tuple(reg.surfaces[first:last])
        conf = target.base_confidence
        if target.exact:
            if surface != target.surface:
                return None
        elif surface == target.surface:
            conf = min(1.0, conf + 0.03)
        elif tuple(s.casefold() for s in surface) != tuple(s.casefold() for s in target.surface):
            if any(
                w.isupper() and len(w) > 1 and w.casefold() != t.casefold()
                for w, t in zip(surface, target.surface, strict=False)
            ):
                return None  # an acronym is no plural: "CSRS" is not "CSR"
            conf -= 0.08  # matched through inflection folding only
        if len(target.surface) == 1:
            alias_word = target.surface[0]
            # Lower case says nothing in a text written all in lower case, unless the word is a
            # function word ("less", "it").
            written = surface[0].removesuffix("s") if surface[0] != alias_word else surface[0]  # "LLMs"
            if (
                len(alias_word) > 1
                and alias_word.isupper()
                and not written.isupper()
                and (not reg.lower or alias_word.casefold() in _STOP)
            ):
                return None
        if _is_duty_frame(target, reg, last) or _heads_a_compound(target, reg, first):
            return None
        if target.need is _Need.NONE:
            return conf
        sentences = reg.sentences
        need = target.need
        if need is _Need.WORD:
            # "Bash" mid-sentence is a name; "data" or the "Data" of "Senior Data Engineer" is a word.
            as_name = not reg.lower and _proper_noun(reg, first) and not _in_title_case_run(reg, first, last)
            need = _Need.TECH if as_name else _Need.SKILL_CUE
        if (
            need is _Need.SKILL_CUE
            and last - first == 1
            and reg.surfaces[first].casefold() in DUTY_VERBS
            and _opens_clause(reg, first, sentences)
        ):
            return None  # "You will design, train and ship models": the verb, not the skill "design"
        if need is _Need.SKILL_CUE:
            # "mechanical design": the head of another's compound, not the skill a synonym names
            # ("design" is ESCO's "think creatively", "networking" its "build networks"); a skill's
            # own name stays itself ("written communication", "relational databases").
            if last - first == 1 and target.alias_type != "canonical" and _after_a_modifier(reg, first):
                return None
            return conf * 0.85 if _cue_near(reg, first, last, _SKILL_CUES, 3) else None
        # Product / language homonyms: never inflected ("sources" is no "Source"), and written as
        # proper nouns (unless the whole text is lower case).
        if not _same_words(surface, target.surface):
            return None
        others = [e for e in toolish.get(sentences[first], []) if not (e.start >= first and e.end <= last)]
        strong = [(e.start, e.end) for e in others if e.strong]
        weak = [(e.start, e.end) for e in others if not e.strong]
        listed = _in_list_with(reg, first, last, strong) or _in_list_with(
            reg, first, last, weak, separated=True
        )
        # A name that opens a sentence is capitalised anyway; listed beside another tool it is
        # still read as one ("Azure, AWS or GCP" as a bullet, "Spark and Kafka pipelines").
        if not reg.lower and not _proper_noun(reg, first) and not listed:
            return None
        if need is _Need.LANGUAGE:
            ok = listed or _cue_near(reg, first, last, _LANGUAGE_CUES, 6)
        else:
            ok = bool(strong) or listed or _cue_near(reg, first, last, _TECH_CUES, 8)
        return conf * 0.8 if ok else None


# Labels that are the frame of a duty when "for" / "of" follows: "You will be responsible for
# payroll" states a duty (payroll), not the skill "assume responsibility".
_DUTY_FRAME_ENDS = _folded("responsible accountable charge")
_DUTY_FRAME_NEXT = _folded("for of")


def _is_duty_frame(target: _Target, reg: _Region, last: int) -> bool:
    return reg.keys[last - 1] in _DUTY_FRAME_ENDS and last < len(reg) and reg.keys[last] in _DUTY_FRAME_NEXT


# One-word labels that, as the head of a compound, belong to the modifier's name: "English
# language", "programming languages" (not the skill "terminology").
_COMPOUND_HEADS = _folded("language languages")


def _heads_a_compound(target: _Target, reg: _Region, first: int) -> bool:
    if len(target.surface) != 1 or reg.keys[first] not in _COMPOUND_HEADS or first == 0:
        return False
    return _after_a_modifier(reg, first)


def _after_a_modifier(reg: _Region, first: int) -> bool:
    """Whether the word at ``first`` follows a word that makes it the head of a compound: a word,
    not a function word, a skill cue ("strong design skills") or a verb ("will design")."""
    if first == 0 or not reg.surfaces[first - 1].isalpha():
        return False
    before = reg.keys[first - 1]
    return (
        before not in _STOP
        and before not in _SKILL_CUES
        and reg.surfaces[first - 1].casefold() not in DUTY_VERBS
    )


# A label that opens or ends with one of these was cut from a list ("and procedures").
_CONJUNCTIONS = frozenset({"and", "or"})


# Verbs that add nothing to the thing a label names: "use Microsoft Office", "operate forklift",
# "apply HACCP" are found in JDs as the thing alone ("Microsoft Office", "sit-down forklifts").
_LIGHT_VERBS = frozenset(
    {"use", "operate", "apply", "perform", "utilise", "utilize", "carry out", "conduct", "undertake"}
)
# Makers whose product names JDs write without them ("Photoshop", "Excel", "AutoCAD").
_MAKERS = frozenset({"adobe", "microsoft", "autodesk"})
# A one-word object or product name in the labels of more skills than this is a common word.
_DERIVED_MAX_USES = 3


def _derived_aliases(
    items: Sequence[AliasEntry], labels: Sequence[_Label], key_skills: dict[str, set[int]]
) -> list[tuple[AliasEntry, _Label]]:
    """Implicit aliases of the thing a label names: its light verb's object ("use Microsoft
    Office" -> "Microsoft Office") and a product less its maker ("Adobe Photoshop" -> "Photoshop").
    Each only when no other label has that text and one skill alone derives it; a one-word one only
    when few labels use the word, and then matched as written (capitalised "Excel", not "excel")."""
    # Which skills' labels use each word ("photoshop": Adobe Photoshop's, in all its versions).
    users: dict[str, set[int]] = {}
    for e, lab in zip(items, labels, strict=True):
        for word in set(lab.key.split(" ")):
            users.setdefault(word, set()).add(e.skill_id)
    found: dict[str, list[tuple[AliasEntry, _Label]]] = {}
    for e, lab in zip(items, labels, strict=True):
        first, _, rest = e.text.strip().partition(" ")
        if first.casefold() == "carry" and rest.casefold().startswith("out "):
            first, rest = f"{first} out", rest[4:]  # "carry out flow cytometry": a two-word light verb
        maker = first.casefold() in _MAKERS
        # A skill's own name only: its synonyms' objects drift ("use PPE" of safety equipment in
        # construction, "use spreadsheets" of mathematical tools); a product's maker goes from any label.
        if not rest or not (
            (maker and e.alias_type in ("canonical", "alternative"))
            or (first.casefold() in _LIGHT_VERBS and e.alias_type == "canonical")
        ):
            continue
        derived = _label(rest)
        if not derived.key or derived.key in key_skills or derived.key == lab.key:
            continue
        if derived.surfaces[0].casefold() in _STOP:
            continue  # "use of lift bags", "operate a follow spot": "use" as a noun, or an article

        strategy = e.match_strategy
        if " " not in derived.key:
            if len(users.get(derived.key, ())) > _DERIVED_MAX_USES:
                continue
            if rest[:1].isupper():
                strategy = "exact"  # "Excel" the product, not "excel" the verb
        found.setdefault(derived.key, []).append(
            (AliasEntry(e.skill_id, rest, "implicit", strategy, e.nature), derived)
        )
    return [owners[0] for owners in found.values() if len({e.skill_id for e, _ in owners}) == 1]


_NAME_WORD = re.compile(r"[a-z]+")


def _spells(acronym: str, name: str) -> bool:
    """The name's words' initials are the acronym: its words ("customer relationship management"),
    or the parts of one compound ("pay-per-click"); not a mix ("in-circuit test" is no "ICT")."""
    spaced = name.casefold().split()
    if "".join(w[:1] for w in spaced) == acronym:
        return True
    return len(spaced) == 1 and "".join(p[:1] for p in _NAME_WORD.findall(spaced[0])) == acronym


def _shape(surface: tuple[str, ...]) -> str:
    """How a label is written, case-wise: all capitals, or not."""
    return "caps" if all(w.isupper() for w in surface if w.isalpha()) else "mixed"


def _owners(key: str, targets: list[_Target], names: dict[int, str]) -> list[_Target]:
    """The skills a label shared by several belongs to. ESCO gives one text to several skills
    ("project management" names project management and is a synonym of project commissioning;
    "maths" is a synonym of mathematics and of geometry; "PPC" of pay-per-click and of making
    strategic business decisions). The label goes to the skill it names, else to the skills an
    acronym spells out, else to the skills whose name begins as a one-word label does; with none
    of these, to all of them."""
    own = [t for t in targets if t.alias_type == "canonical"]
    if own:
        # Written another way it is another name: "SPARK" (the Ada subset) is not "Spark".
        shapes = {_shape(t.surface) for t in own}
        return own + [t for t in targets if t.alias_type != "canonical" and _shape(t.surface) not in shapes]
    if " " in key:
        return targets
    words = {t.skill_id: _NAME_WORD.findall(names.get(t.skill_id, "").casefold()) for t in targets}
    spelled = [t for t in targets if len(key) >= 2 and _spells(key, names.get(t.skill_id, ""))]
    if spelled:
        return spelled
    if len(key) >= 4:
        begun = [t for t in targets if words[t.skill_id] and words[t.skill_id][0].startswith(key[:4])]
        if begun:
            return begun
    return targets


def _normalised(e: AliasEntry) -> AliasEntry:
    """Accept the store's spellings too ("CONTEXT_REQUIRED", "CANONICAL", "SKILL_NATURE_TOOL")."""
    alias_type = e.alias_type.lower()
    strategy = e.match_strategy.lower()
    nature = e.nature.upper().removeprefix("SKILL_NATURE_")
    if (alias_type, strategy, nature) == (e.alias_type, e.match_strategy, e.nature):
        return e
    return AliasEntry(e.skill_id, e.text, alias_type, strategy, nature)


_LEAD_MIN_COUNT = 3
_LEAD_MIN_SHARE = 0.35


def _lead_verbs(items: Sequence[AliasEntry], labels: Sequence[_Label]) -> frozenset[str]:
    phrases = [
        lab.key.split(" ")
        for e, lab in zip(items, labels, strict=True)
        if " " in lab.key and e.alias_type not in ("hidden", "misspelling")
    ]
    first = Counter(keys[0] for keys in phrases if keys[0].isalpha())
    anywhere = Counter(chain.from_iterable(set(keys) for keys in phrases))
    return frozenset(
        w
        for w, n in first.items()
        if n >= _LEAD_MIN_COUNT and n >= _LEAD_MIN_SHARE * anywhere[w] and w not in _STOP
    )


# How far after its verb a shared object may sit, in tokens, and what may open an object.
_SHARED_VERB_REACH = 16
_LIST_JOINERS = frozenset({",", "/", "&", "and", "or"})
_OBJECT_LEAD = frozenset({"the", "a", "an", "our", "your", "their", "all", "any", "other", "new"})
# Head nouns a list of modifiers shares ("negotiation and communication skills").
_SHARED_HEADS = _folded("skills skill knowledge abilities")
_MAX_OBJECT_WORDS = 4


# Words after which a lead verb opens a clause ("to operate", "you will manage").
_CLAUSE_OPENERS = frozenset(
    {"to", "will", "and", "or", "you", "we", "can", "must", "should", "shall", "would", "also", "help"}
    | {f"{who}{q}ll" for who in ("you", "we") for q in "'\u2019"}
)


def _opens_clause(reg: _Region, i: int, sentences: Sequence[int]) -> bool:
    """The word at ``i`` opens a clause: a duty line's verb, not the noun of "content design"."""
    if i == 0 or sentences[i - 1] != sentences[i]:
        return True
    before = reg.surfaces[i - 1]
    return not _is_word(before) or before.casefold() in _CLAUSE_OPENERS


def _list_objects(
    reg: _Region, start: int, stop: int, sentences: Sequence[int], verbs: frozenset[str]
) -> list[tuple[int, int]]:
    """The objects of a list after a verb, as (first, last exclusive) token runs: split at commas,
    slashes and "and"/"or", ended by clause punctuation, the sentence's end or a new verb."""
    items: list[tuple[int, int]] = []
    a = start
    sentence = sentences[start - 1]
    for j in range(start, stop + 1):
        at_end = j == stop or sentences[j] != sentence
        key = "" if at_end else reg.keys[j].casefold()
        if at_end or key in _LIST_JOINERS or not _is_word(reg.surfaces[j]):
            first = a
            while first < j and reg.keys[first].casefold() in _OBJECT_LEAD:
                first += 1
            if first < j:
                if reg.keys[first] in verbs:
                    break  # "..., and manage vendors": a new clause, not an object
                if j - first <= _MAX_OBJECT_WORDS:
                    items.append((first, j))
            if at_end or key not in _LIST_JOINERS:
                break
            a = j + 1
    return items


def _proper_noun(reg: _Region, i: int) -> bool:
    word = reg.surfaces[i]
    if not word[:1].isupper() and not is_tool_like(word):
        return False
    # Capitalised as the first word of a sentence says nothing unless the shape is tool-like.
    sentences = reg.sentences
    if i == 0 or sentences[i - 1] != sentences[i]:
        return is_tool_like(word) or word.isupper()
    k = i
    while k > 0 and sentences[k - 1] == sentences[i] and not _is_word(reg.surfaces[k - 1]):
        k -= 1
    if k == 0 or sentences[k - 1] != sentences[i]:
        # After a bullet's dash: a duty line's verb ("- Design retrieval pipelines") is no name,
        # a tool that opens the line ("- Spark experience for pipelines") still is.
        return word.lower() not in DUTY_VERBS or is_tool_like(word) or word.isupper()
    return True


def _in_title_case_run(reg: _Region, first: int, last: int) -> bool:
    """A neighbouring word is capitalised too: a title or heading, not a product name."""
    for i in (first - 1, last):
        if 0 <= i < len(reg):
            w = reg.surfaces[i]
            if (
                w[:1].isupper()
                and w[1:].islower()
                and w.isalpha()
                and reg.sentences[i] == reg.sentences[first]
            ):
                return True
    return False


_LINK_AFTER_NAME = _folded("is are would preferred required essential desirable mandatory")
_ASKED_FOR = _folded(
    "plus advantage advantageous asset preferred required essential desirable mandatory must"
)


def _asked_for_after(reg: _Region, last: int) -> bool:
    """The name is the subject of a requirement: "German is a plus", "Arabic is an advantage"."""
    if (
        last >= len(reg)
        or reg.keys[last] not in _LINK_AFTER_NAME
        or reg.sentences[last] != reg.sentences[last - 1]
    ):
        return False
    window = range(last, min(len(reg), last + 5))
    return any(reg.keys[i] in _ASKED_FOR and reg.sentences[i] == reg.sentences[last] for i in window)


def _cue_near(reg: _Region, first: int, last: int, cues: frozenset[str], width: int) -> bool:
    sentences = reg.sentences
    sent = sentences[first]
    lo = max(0, first - width)
    hi = min(len(reg), last + width)
    return any(reg.keys[i] in cues and sentences[i] == sent for i in range(lo, hi) if not first <= i < last)


def _same_words(surface: Sequence[str], label: Sequence[str]) -> bool:
    """The text wrote the label's words exactly, case aside (no inflection folding); an acronym's
    plural with a lower-case "s" is the acronym ("LLMs", "APIs"), a plural word is not ("Sources")."""
    return len(surface) == len(label) and all(
        w.casefold() == t.casefold() or (len(t) > 1 and t.isupper() and w == t + "s")
        for w, t in zip(surface, label, strict=True)
    )


def _in_list_with(
    reg: _Region, first: int, last: int, others: Sequence[tuple[int, int]], *, separated: bool = False
) -> bool:
    """Another tool-like item sits next to this one with only list separators between (at least
    one when ``separated``: "ICH GCP" is one name, not a list)."""
    for a, b in others:
        gap = range(last, a) if a >= last else range(b, first)
        if len(gap) > 3 or (separated and not gap):
            continue
        if all(reg.keys[i] in _LIST_SEPARATORS for i in gap):
            return True
    return False
