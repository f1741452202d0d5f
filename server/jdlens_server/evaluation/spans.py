"""SkillSpan evaluation: predicted token spans against the gold skill and knowledge spans.

Format (eval-dev README): CoNLL, one token per line as ``token<TAB>skill-BIO<TAB>knowledge-BIO``,
a blank line between sentences. The gold spans of a sentence are the union of its skill and
knowledge spans (a span in both counts once). Strict P/R/F1 count exact token-span matches,
micro-averaged; loose F1 counts a prediction as correct when it overlaps a gold span by a token,
and a gold span as found when some prediction overlaps it. A sentence whose extractor fails gets
no predictions (its gold spans count as missed), never skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jdlens_server.evaluation.common import f1, progress, ratio
from jdlens_server.nlp.skill_matcher import SkillMatcher
from jdlens_server.nlp.skill_phrases import PhraseProposer
from jdlens_server.pipeline.skills import skill_spans

__all__ = [
    "ConllSentence",
    "SpanExtractor",
    "TokenSpan",
    "bio_spans",
    "char_to_token_spans",
    "evaluate_spans",
    "read_conll",
    "score_spans",
    "span_extractor",
]

TokenSpan = tuple[int, int]  # [start, end) token indices
SpanExtractor = Callable[[list[str]], list[TokenSpan]]


@dataclass(frozen=True, slots=True)
class ConllSentence:
    tokens: list[str]
    gold: frozenset[TokenSpan]


def bio_spans(tags: Sequence[str]) -> list[TokenSpan]:
    """[start, end) spans of a BIO column; an I- without a B- opens a span (lenient, as conlleval)."""
    spans: list[TokenSpan] = []
    start: int | None = None
    for i, tag in enumerate(tags):
        if tag.startswith("B"):
            if start is not None:
                spans.append((start, i))
            start = i
        elif tag.startswith("I"):
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(tags)))
    return spans


def read_conll(path: Path) -> list[ConllSentence]:
    sentences: list[ConllSentence] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            tokens = [r[0] for r in rows]
            skill = bio_spans([r[1] if len(r) > 1 else "O" for r in rows])
            knowledge = bio_spans([r[2] if len(r) > 2 else "O" for r in rows])
            sentences.append(ConllSentence(tokens, frozenset(skill) | frozenset(knowledge)))
            rows.clear()

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                continue
            rows.append(line.split("\t"))
    flush()
    return sentences


def char_to_token_spans(tokens: Sequence[str], char_spans: Sequence[tuple[int, int]]) -> list[TokenSpan]:
    """Map character spans over ``" ".join(tokens)`` to the token spans they touch."""
    starts: list[int] = []
    pos = 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    out: set[TokenSpan] = set()
    for a, b in char_spans:
        first = last = None
        for i, s in enumerate(starts):
            e = s + len(tokens[i])
            if e > a and s < b:
                if first is None:
                    first = i
                last = i
        if first is not None and last is not None:
            out.add((first, last + 1))
    return sorted(out)


def score_spans(gold: Sequence[frozenset[TokenSpan]], pred: Sequence[set[TokenSpan]]) -> dict[str, float]:
    """Strict micro P/R/F1 and loose F1 over parallel per-sentence gold and predicted span sets."""
    n_gold = n_pred = tp = 0
    loose_pred_ok = loose_gold_found = 0
    for g, p in zip(gold, pred, strict=True):
        n_gold += len(g)
        n_pred += len(p)
        tp += len(g & p)
        loose_pred_ok += sum(1 for a, b in p if any(a < gb and ga < b for ga, gb in g))
        loose_gold_found += sum(1 for ga, gb in g if any(a < gb and ga < b for a, b in p))
    strict_p = ratio(tp, n_pred)
    strict_r = ratio(tp, n_gold)
    return {
        "strict_p": strict_p,
        "strict_r": strict_r,
        "strict_f1": f1(strict_p, strict_r),
        "loose_p": ratio(loose_pred_ok, n_pred),
        "loose_r": ratio(loose_gold_found, n_gold),
        "loose_f1": f1(ratio(loose_pred_ok, n_pred), ratio(loose_gold_found, n_gold)),
    }


def evaluate_spans(path: Path, extractor: SpanExtractor, *, show_progress: bool = True) -> dict[str, float]:
    """Keys: n_sentences, strict_p, strict_r, strict_f1, loose_f1."""
    sentences = read_conll(path)
    preds: list[set[TokenSpan]] = []
    for sent in progress(sentences, "spans", enabled=show_progress):
        try:
            spans = {(a, b) for a, b in extractor(list(sent.tokens)) if 0 <= a < b <= len(sent.tokens)}
        except Exception:
            spans = set()
        preds.append(spans)
    scores = score_spans([s.gold for s in sentences], preds)
    return {
        "n_sentences": len(sentences),
        "strict_p": scores["strict_p"],
        "strict_r": scores["strict_r"],
        "strict_f1": scores["strict_f1"],
        "loose_f1": scores["loose_f1"],
    }


def span_extractor(matcher: SkillMatcher, proposer: PhraseProposer | None = None) -> SpanExtractor:
    """The product's span reading (dictionary mentions + phrase proposals) as a token-span extractor.

    The tokens are joined with single spaces, read as text, and the character spans mapped back to
    the tokens they touch.
    """
    reader = proposer or PhraseProposer(matcher.lead_verbs)

    def extract(tokens: list[str]) -> list[TokenSpan]:
        text = " ".join(tokens)
        found = skill_spans(text, matcher, reader)
        return char_to_token_spans(tokens, [(c.start, c.end) for c in found])

    return extract
