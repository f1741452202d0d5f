"""SkillSpan and ESCO skill-linking evaluation on small synthetic files in the eval formats."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from jdlens_server.evaluation.linking import evaluate_linking, read_linking, score_ranking
from jdlens_server.evaluation.spans import (
    bio_spans,
    char_to_token_spans,
    evaluate_spans,
    read_conll,
    span_extractor,
)
from jdlens_server.nlp.skill_matcher import AliasEntry, SkillMatcher
from jdlens_server.pipeline.skill_linking import rank_skills

CONLL = """\
Strong\tO\tO
Python\tO\tB-Knowledge
skills\tO\tO
and\tO\tO
work\tB-Skill\tO
independently\tI-Skill\tO
.\tO\tO

Machine\tO\tB-Knowledge
learning\tB-Skill\tI-Knowledge
is\tO\tO
fun\tO\tO

Nothing\tO\tO
here\tO\tO
"""


@pytest.fixture
def conll(tmp_path: Path) -> Path:
    path = tmp_path / "spans.conll"
    path.write_text(CONLL, encoding="utf-8")
    return path


def test_bio_spans_are_lenient() -> None:
    assert bio_spans(["O", "B-S", "I-S", "O", "I-S", "B-S"]) == [(1, 3), (4, 5), (5, 6)]


def test_read_conll_unions_skill_and_knowledge(conll: Path) -> None:
    sents = read_conll(conll)
    assert [len(s.tokens) for s in sents] == [7, 4, 2]
    assert sents[0].gold == {(1, 2), (4, 6)}
    # Nested spans of the two columns both count; a span in both columns counts once.
    assert sents[1].gold == {(0, 2), (1, 2)}
    assert sents[2].gold == frozenset()


def test_strict_and_loose_scores(conll: Path) -> None:
    predictions: dict[str, list[tuple[int, int]]] = {
        "Strong": [(1, 2), (4, 5)],  # one exact, one overlapping
        "Machine": [(0, 2)],  # exact
        "Nothing": [(0, 1)],  # wrong
    }
    result = evaluate_spans(conll, lambda tokens: predictions[tokens[0]], show_progress=False)
    assert set(result) == {"n_sentences", "strict_p", "strict_r", "strict_f1", "loose_f1"}
    assert result["n_sentences"] == 3
    assert result["strict_p"] == pytest.approx(2 / 4)
    assert result["strict_r"] == pytest.approx(2 / 4)
    assert result["strict_f1"] == pytest.approx(0.5)
    # Loose: 3 of 4 predictions overlap gold; 4 of 4 gold spans are touched.
    assert result["loose_f1"] == pytest.approx(2 * 0.75 * 1.0 / 1.75)


def test_a_failing_extractor_scores_as_all_missed(conll: Path) -> None:
    def boom(tokens: list[str]) -> list[tuple[int, int]]:
        if tokens[0] == "Machine":
            raise RuntimeError("boom")
        return [(1, 2)] if tokens[0] == "Strong" else []

    result = evaluate_spans(conll, boom, show_progress=False)
    assert result["n_sentences"] == 3
    assert result["strict_p"] == pytest.approx(1.0)
    assert result["strict_r"] == pytest.approx(1 / 4)


def test_char_spans_map_to_tokens() -> None:
    tokens = ["Use", "Node.js", "and", "C++", "."]
    text = " ".join(tokens)
    assert char_to_token_spans(tokens, [(text.index("Node"), text.index("Node") + 4)]) == [(1, 2)]
    assert char_to_token_spans(tokens, [(text.index("Node"), text.index("C++") + 3)]) == [(1, 4)]


def test_span_extractor_reads_dictionary_and_phrases(conll: Path) -> None:
    matcher = SkillMatcher.build(
        [
            AliasEntry(1, "machine learning", "canonical", "case_insensitive", "KNOWLEDGE"),
            AliasEntry(2, "Python", "canonical", "case_insensitive", "LANGUAGE"),
            AliasEntry(3, "work independently", "canonical", "case_insensitive", "PRACTICE"),
        ]
    )
    extract = span_extractor(matcher)
    assert (0, 2) in extract(["Machine", "learning", "is", "fun"])
    result = evaluate_spans(conll, extract, show_progress=False)
    assert result["strict_r"] >= 0.5


# ---- linking ------------------------------------------------------------------------------------


@pytest.fixture
def linking_csv(tmp_path: Path) -> Path:
    path = tmp_path / "linking.csv"
    rows = [
        ("Strong Python and SQL skills", "Python", "", "Python (computer programming)"),
        ("Strong Python and SQL skills", "SQL", "", "SQL"),
        ("Strong Python and SQL skills", "skills", "", "UNDERSPECIFIED"),
        ("Be smart", "smart", "", "LABEL NOT PRESENT"),
        ("You will cook pasta", "cook pasta", "", "prepare pasta"),
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sentence", "span", "sub_span", "label"])
        writer.writerows(rows)
    return path


def test_read_linking_skips_unlabelled_rows_and_sentences(linking_csv: Path) -> None:
    items = read_linking(linking_csv)
    assert [(i.sentence, set(i.gold)) for i in items] == [
        ("Strong Python and SQL skills", {"Python (computer programming)", "SQL"}),
        ("You will cook pasta", {"prepare pasta"}),
    ]


def test_score_ranking() -> None:
    gold = frozenset({"a", "b"})
    assert score_ranking(["x", "a", "y", "b"], gold) == (1.0, 0.5)
    assert score_ranking(["x", "x", "a"], gold) == (0.5, 0.5)  # duplicates count once
    assert score_ranking([], gold) == (0.0, 0.0)
    assert score_ranking(["A "], frozenset({"a"})) == (1.0, 1.0)


def test_evaluate_linking_failures_score_zero(linking_csv: Path) -> None:
    def ranker(sentence: str) -> list[str]:
        if "pasta" in sentence:
            raise RuntimeError("no")
        return ["SQL", "x", "Python (computer programming)"]

    result = evaluate_linking(linking_csv, ranker, show_progress=False)
    assert result == {"n_sentences": 2, "rp5": pytest.approx(0.5), "mrr": pytest.approx(0.5)}


class HashEmbedder:
    """A deterministic bag-of-words embedder: texts sharing words are close."""

    name = "hash-bow"
    dim = 64

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                h = int(hashlib.md5(word.strip(".,").encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0
        norms: npt.NDArray[np.float32] = np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        result: npt.NDArray[np.float32] = (out / norms).astype(np.float32)
        return result

    def clear_cache(self) -> None:
        """Nothing is cached."""


def test_rank_skills_puts_dictionary_hits_first_then_each_phrase_gets_a_turn() -> None:
    labels = {
        0: ["SQL"],
        1: ["prepare pasta", "cook pasta dishes"],
        2: ["pasta history"],
        3: ["manage a kitchen team"],
        4: ["bake bread"],
    }
    matcher = SkillMatcher.build([AliasEntry(0, "SQL", "canonical", "case_insensitive", "TOOL")])
    rows = [(sid, text) for sid, texts in labels.items() for text in texts]
    skill_ids = np.array([sid for sid, _ in rows], dtype=np.int64)
    embedder = HashEmbedder()
    matrix = embedder.embed([text for _, text in rows])
    ranked = rank_skills(
        "You know SQL, cook pasta and manage a team.", matcher, skill_ids, matrix, embedder, top_k=4
    )
    ids = [sid for sid, _ in ranked]
    assert ids[0] == 0
    assert set(ids[1:4]) >= {1, 3}
    assert len(ids) == len(set(ids)) == 4
    assert rank_skills("   ", matcher, skill_ids, matrix, embedder) == []
