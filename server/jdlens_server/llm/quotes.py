"""Finding a model's quotes in the JD, so evidence is an offset into the text, never a claim.

Models copy text imperfectly: they change case, collapse line breaks, drop bullet glyphs and turn
curly quotes straight. Both sides are folded the same way (lower case, one space for any run of
whitespace or bullets, ASCII quotes and dashes) with a map back to the original offsets, so a quote
is found when it is the JD's text up to those differences, and ``jd[start:end]`` is what the JD says.
A quote must start and end on word boundaries ("Go" is not found inside "Google").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from jdlens_server.llm.backend import Located

__all__ = ["QuoteIndex", "locate_quotes"]

_FOLD = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u2033"), '"'),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-"),
    # List markers a model leaves out when it quotes a bullet: folded like whitespace.
    **dict.fromkeys(map(ord, "\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u25a0\u25a1\u27a2\u2219"), " "),
}
_TABLE = str.maketrans(_FOLD)
_SPACES = re.compile(r"\s+")
_TRIM = " \t\r\n\"'.,;:!?()[]"


def _fold(text: str) -> tuple[str, list[int], list[int]]:
    """The folded text, and segment starts (folded, original) to map folded offsets back.

    Runs of non-space characters map one to one; each collapsed whitespace run is one folded space
    mapping to the run's first character. Leading and trailing whitespace is dropped.
    """
    mapped = text.translate(_TABLE)
    low = mapped.lower()
    if len(low) != len(mapped):  # a character whose lower case is longer (rare): map char by char
        return _fold_by_char(mapped)
    parts: list[str] = []
    folded_at: list[int] = []
    orig_at: list[int] = []
    size = pos = 0
    for match in _SPACES.finditer(low):
        start, end = match.span()
        if start > pos:
            parts.append(low[pos:start])
            folded_at.append(size)
            orig_at.append(pos)
            size += start - pos
        if start > 0 and end < len(low):
            parts.append(" ")
            folded_at.append(size)
            orig_at.append(start)
            size += 1
        pos = end
    if pos < len(low):
        parts.append(low[pos:])
        folded_at.append(size)
        orig_at.append(pos)
    return "".join(parts), folded_at, orig_at


def _fold_by_char(mapped: str) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    where: list[int] = []
    space = True
    for i, ch in enumerate(mapped):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
                space = True
            continue
        for folded in ch.lower():
            out.append(folded)
            where.append(i)
        space = False
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    # One segment per folded character: exact, if slower.
    return "".join(out), list(range(len(out))), where


def _pattern(needle: str) -> str:
    left = r"(?<!\w)" if needle[0].isalnum() else ""
    right = r"(?!\w)" if needle[-1].isalnum() else ""
    return left + re.escape(needle) + right


class QuoteIndex:
    """One JD folded once; ``find`` locates any number of quotes in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded, self._folded_at, self._orig_at = _fold(text)

    def _original(self, folded: int) -> int:
        k = bisect.bisect_right(self._folded_at, folded) - 1
        return self._orig_at[k] + (folded - self._folded_at[k])

    def find(self, quote: str) -> Located | None:
        """The first place the JD says ``quote`` on word boundaries: verbatim if it can (so "Go"
        finds "Go", not "on the go"), else folded. None when the JD does not say it."""
        exact = quote.strip(_TRIM)
        if not exact:
            return None
        match = re.search(_pattern(exact), self.text)
        if match is not None:
            return Located(quote, match.start(), match.end())
        needle = _fold(exact)[0]
        match = re.search(_pattern(needle), self._folded) if needle else None
        if match is None:
            return None
        return Located(quote, self._original(match.start()), self._original(match.end() - 1) + 1)


def locate_quotes(text: str, quotes: Iterable[str]) -> tuple[list[Located], int]:
    """The quotes found in ``text`` (first occurrence each) and how many were not found."""
    index = QuoteIndex(text)
    found: list[Located] = []
    dropped = 0
    for quote in quotes:
        hit = index.find(quote)
        if hit is None:
            dropped += 1
        else:
            found.append(hit)
    return found, dropped
