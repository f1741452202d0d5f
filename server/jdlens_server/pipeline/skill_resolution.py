"""Lexical resolution of a skill name to a canonical library skill, saying how it matched.

A name resolves at the first level that finds an alias of a library skill:

1. EXACT: the alias as written;
2. CASE_INSENSITIVE: equal after case folding;
3. NORMALIZED: equal after ``fold`` (punctuation, whitespace and accents too: "Node.js" / "node js");
4. INFLECTION: equal after folding each word's inflection as the skill matcher does ("data
   pipelines" / "data pipeline").

Aliases the library marks CONTEXT_REQUIRED or EXACT (homonyms such as ESCO's "SPARK", a programming
language, next to Apache Spark) count only at level 1: their case is what tells them apart. When
several skills share the key, the caller's preferred skills win (stage 1's match, the chosen role's
skills), then the stronger alias type (canonical before alternative before hidden), then the lower id.

The index is built once per library snapshot (a few dictionaries over the alias list) and cached
while the snapshot lives.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from jdlens.v1 import run_pb2
from jdlens_server.library.aliases import CONTEXT_REQUIRED
from jdlens_server.library.snapshot import LibrarySnapshot, SkillAliasInfo
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.stemming import fold_tokens

__all__ = [
    "AliasIndex",
    "Resolution",
    "alias_index",
    "compare_forms",
    "per_snapshot",
    "skill_rows",
    "skill_vector",
]

T = TypeVar("T")
FloatArray = npt.NDArray[np.float32]

_LOCK = threading.Lock()
_CACHE: dict[tuple[int, str], tuple[weakref.ref[LibrarySnapshot], object]] = {}


def per_snapshot(snapshot: LibrarySnapshot, key: str, build: Callable[[LibrarySnapshot], T]) -> T:
    """``build(snapshot)`` computed once per snapshot object and dropped with it."""
    slot = (id(snapshot), key)
    with _LOCK:
        hit = _CACHE.get(slot)
        if hit is not None and hit[0]() is snapshot:
            return hit[1]  # type: ignore[return-value]
    value = build(snapshot)

    def forget(_ref: weakref.ref[LibrarySnapshot]) -> None:
        _CACHE.pop(slot, None)

    with _LOCK:
        _CACHE[slot] = (weakref.ref(snapshot, forget), value)
    return value


def per_snapshot_item(
    snapshot: LibrarySnapshot, key: str, build: Callable[[LibrarySnapshot, int], T], item_id: int
) -> T:
    """``build(snapshot, item_id)`` computed once per snapshot object and id, dropped with the
    snapshot (two threads may both build a missing item: the values are equal)."""
    built: dict[int, T] = per_snapshot(snapshot, key, lambda _: {})
    value = built.get(item_id)
    if value is None:
        value = built[item_id] = build(snapshot, item_id)
    return value


# Stronger alias types win a tie between skills sharing a key.
_TYPE_RANK = {"CANONICAL": 0, "ALTERNATIVE": 1, "ABBREVIATION": 2, "MISSPELLING": 3, "HIDDEN": 4}
_STRICT = frozenset({CONTEXT_REQUIRED, "EXACT"})
# Inflection keys shorter than this are too easy to collide ("it", "go").
_MIN_INFLECTION_CHARS = 4


@dataclass(frozen=True, slots=True)
class Resolution:
    skill_id: int
    via: run_pb2.MatchVia.ValueType
    # The library alias that matched, as written in the library.
    alias_text: str


class AliasIndex:
    """Every alias of one snapshot under its four lookup keys."""

    def __init__(self, snapshot: LibrarySnapshot) -> None:
        self.aliases: list[SkillAliasInfo] = [
            a for a in snapshot.skill_aliases if a.skill_id in snapshot.skills
        ]
        exact: dict[str, list[int]] = defaultdict(list)
        lower: dict[str, list[int]] = defaultdict(list)
        folded_keys: dict[str, list[int]] = defaultdict(list)
        inflected_keys: dict[str, list[int]] = defaultdict(list)
        self._by_skill: dict[int, list[int]] = defaultdict(list)
        self._folded_any: dict[str, set[int]] = defaultdict(set)
        for i, alias in enumerate(self.aliases):
            self._by_skill[alias.skill_id].append(i)
            folded = alias.normalized or fold(alias.text)
            self._folded_any[folded].add(alias.skill_id)
            exact[alias.text].append(i)
            if alias.match_strategy.upper() in _STRICT:
                continue
            lower[alias.text.casefold()].append(i)
            if folded:
                folded_keys[folded].append(i)
            inflected = _inflected(folded)
            if len(inflected) >= _MIN_INFLECTION_CHARS:
                inflected_keys[inflected].append(i)
        self._levels: tuple[
            tuple[run_pb2.MatchVia.ValueType, Callable[[str], str], dict[str, list[int]]], ...
        ] = (
            (run_pb2.MATCH_VIA_EXACT, _same, exact),
            (run_pb2.MATCH_VIA_CASE_INSENSITIVE, str.casefold, lower),
            (run_pb2.MATCH_VIA_NORMALIZED, fold, folded_keys),
            (run_pb2.MATCH_VIA_INFLECTION, _inflected_text, inflected_keys),
        )

    def resolve(self, term: str, prefer: Iterable[int] = ()) -> Resolution | None:
        """The canonical skill ``term`` names, at the first level that finds one; None when none does."""
        preferred = list(prefer)
        for via, key_of, table in self._levels:
            key = key_of(term.strip())
            hits = table.get(key) if key else None
            if hits:
                return self._pick(hits, via, preferred)
        return None

    def _pick(self, hits: list[int], via: run_pb2.MatchVia.ValueType, preferred: list[int]) -> Resolution:
        def rank(i: int) -> tuple[int, int, int]:
            a = self.aliases[i]
            pref = preferred.index(a.skill_id) if a.skill_id in preferred else len(preferred)
            return pref, _TYPE_RANK.get(a.alias_type.upper(), 5), a.skill_id

        best = self.aliases[min(hits, key=rank)]
        return Resolution(best.skill_id, via, best.text)

    def aliases_of(self, skill_id: int) -> list[SkillAliasInfo]:
        return [self.aliases[i] for i in self._by_skill.get(skill_id, [])]

    def skills_with_folded(self, text: str) -> set[int]:
        """Skills having an alias equal to ``text`` after folding, whatever its match strategy."""
        return set(self._folded_any.get(fold(text), ()))


def _same(text: str) -> str:
    return text


def _inflected(folded: str) -> str:
    """The inflection key of folded text: each word through the matcher's inflection folding."""
    return fold_tokens(folded.split())


def _inflected_text(text: str) -> str:
    return _inflected(fold(text))


def alias_index(snapshot: LibrarySnapshot) -> AliasIndex:
    return per_snapshot(snapshot, "alias_index", AliasIndex)


def compare_forms(surface: str, alias: str) -> run_pb2.MatchVia.ValueType:
    """How a surface form found in the text relates to the library alias it was matched to."""
    if surface == alias:
        return run_pb2.MATCH_VIA_EXACT
    if surface.casefold() == alias.casefold():
        return run_pb2.MATCH_VIA_CASE_INSENSITIVE
    if fold(surface) == fold(alias):
        return run_pb2.MATCH_VIA_NORMALIZED
    # The dictionary matcher compares inflection keys, so anything else it matched is an inflection.
    return run_pb2.MATCH_VIA_INFLECTION


def skill_rows(snapshot: LibrarySnapshot) -> dict[int, int]:
    """skill_id -> its row in ``snapshot.skill_matrix`` (build through per_snapshot)."""
    return {int(sid): row for row, sid in enumerate(snapshot.skill_ids)}


def skill_vector(snapshot: LibrarySnapshot, skill_id: int) -> FloatArray | None:
    """The stored label embedding of a library skill; None when it has none."""
    row = per_snapshot(snapshot, "skill_rows", skill_rows).get(skill_id)
    if row is None:
        return None
    vec: FloatArray = snapshot.skill_matrix[row]
    return vec if float(np.abs(vec).sum()) > 0 else None
