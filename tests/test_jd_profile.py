"""The JD's side of the profile signal: its title and lead duties, built from vectors stage 1
embeds anyway, with a passage of opening text only for a JD that has no title or no duty."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest

from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.pipeline.extract import (
    PASSAGE_CHARS,
    PROFILE_SENTENCES,
    embedding_head,
    profile_vector,
    profiled_by_duties,
    stage1_embedding_texts,
)
from pipeline_runtime import REFERENCE_JD


def unit_rows(n: int, seed: int) -> npt.NDArray[np.float32]:
    rows = np.random.default_rng(seed).normal(size=(n, 16)).astype(np.float32)
    unit: npt.NDArray[np.float32] = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


def test_a_jd_with_a_title_and_duties_embeds_no_passage() -> None:
    jd = parse_jd(REFERENCE_JD)
    assert jd.role_title and len(jd.responsibility_sentences) > PROFILE_SENTENCES
    assert profiled_by_duties(jd, "") and embedding_head(jd, "", REFERENCE_JD) == [jd.role_title]
    texts, sentences_at, names_at = stage1_embedding_texts(jd, "", REFERENCE_JD, [])
    assert sentences_at == 1 and texts[1:names_at] == [s.plain for s in jd.responsibility_sentences]
    # Nothing longer than the longest duty is embedded: the opening text is not.
    assert max(len(t) for t in texts) == max(len(s.plain) for s in jd.responsibility_sentences)


def test_a_jd_without_duties_keeps_the_passage_of_title_and_opening_text() -> None:
    jd = replace(parse_jd(REFERENCE_JD), responsibility_sentences=())
    assert jd.role_title and not profiled_by_duties(jd, "")
    head = embedding_head(jd, "", REFERENCE_JD)
    assert head[0] == jd.role_title and len(head) == 2
    assert head[1] == f"{jd.role_title}. {jd.plain_text}"[:PASSAGE_CHARS] and len(head[1]) == PASSAGE_CHARS


def test_the_profile_is_the_title_plus_the_lead_duties_and_nothing_else() -> None:
    title, duties = unit_rows(1, 1), unit_rows(8, 2)
    profile = profile_vector(title, duties, by_duties=True)
    assert np.linalg.norm(profile) == pytest.approx(1.0, abs=1e-6)
    # Closer to the title and to each lead duty than to a later duty.
    assert float(profile @ title[0]) > 0.5
    later = duties[PROFILE_SENTENCES:]
    assert min(float(profile @ d) for d in duties[:PROFILE_SENTENCES]) > max(
        float(profile @ d) for d in later
    )
    # A later duty does not move it; a lead duty or the title does.
    changed_later = duties.copy()
    changed_later[PROFILE_SENTENCES:] = unit_rows(len(later), 3)
    assert np.array_equal(profile_vector(title, changed_later, by_duties=True), profile)
    changed_lead = duties.copy()
    changed_lead[0] = unit_rows(1, 4)[0]
    assert not np.allclose(profile_vector(title, changed_lead, by_duties=True), profile)
    assert not np.allclose(profile_vector(unit_rows(1, 5), duties, by_duties=True), profile)


def test_a_jd_with_duties_but_no_title_is_profiled_by_its_passage() -> None:
    jd = replace(parse_jd(REFERENCE_JD), role_title=None)
    assert jd.responsibility_sentences and not profiled_by_duties(jd, "")
    assert embedding_head(jd, "", REFERENCE_JD) == [f". {jd.plain_text}"[:PASSAGE_CHARS]]
    # A title given with the request is enough.
    assert profiled_by_duties(jd, "Data Engineer") and embedding_head(jd, "Data Engineer", REFERENCE_JD) == [
        "Data Engineer"
    ]
    passage, duties = unit_rows(1, 6), unit_rows(4, 7)
    assert np.array_equal(profile_vector(passage, duties, by_duties=False), passage[0])


def test_with_a_passage_in_the_head_the_profile_is_the_passage() -> None:
    head, duties = unit_rows(2, 6), unit_rows(4, 7)
    assert np.array_equal(profile_vector(head, duties, by_duties=False), head[1])
    assert np.array_equal(profile_vector(head, duties[:0], by_duties=False), head[1])
