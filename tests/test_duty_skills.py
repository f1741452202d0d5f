"""Library skills a JD states in its duties' own words are linked from the duty sentences' vectors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jdlens.v1 import parsed_jd_pb2, run_pb2
from jdlens_server.app import Runtime
from jdlens_server.nlp.stemming import fold_token
from jdlens_server.pipeline.duty_skills import SENTENCE_SIM, _has_verb, content_words, restates
from pipeline_runtime import library_runtime, stage1, stage2

# ESCO's data scientist skills include "migrate existing data" and "collect customer feedback on
# applications"; the duties below say both their own way, so the dictionary finds neither.
JD = """Data Scientist

About the role
You will join our analytics team in Leeds.

Responsibilities
- Cleanse, de-duplicate and validate raw customer data before modelling
- Migrate our existing data from legacy databases to the new warehouse
- Design recommender systems that suggest products to shoppers
- Present the findings to senior stakeholders in clear reports
- Collect customer feedback on our mobile applications

Requirements
- 3+ years of experience with Python and SQL
- Degree in Statistics, Mathematics or Computer Science
"""


@pytest.fixture
def sqlite_rt(sqlite_url: str) -> Iterator[Runtime]:
    runtime = library_runtime(sqlite_url)
    yield runtime
    runtime.close()


def _linked(run: run_pb2.Run) -> dict[str, run_pb2.ExtractedSkill]:
    return {s.skill_name: s for s in run.extraction.skills if s.source == run_pb2.SKILL_SOURCE_EMBEDDING}


def test_duties_in_their_own_words_link_the_skills_they_restate(sqlite_rt: Runtime) -> None:
    run = stage1(sqlite_rt, JD)
    linked = _linked(run)
    expected = {
        "migrate existing data": "Migrate our existing data from legacy databases to the new warehouse",
        "collect customer feedback on applications": "Collect customer feedback on our mobile applications",
    }
    for name, sentence in expected.items():
        skill = linked[name]
        assert skill.library_skill.name, "a link is a library skill"
        assert not skill.is_primary and not skill.is_new
        assert SENTENCE_SIM <= skill.confidence <= 1.0
        assert [e.text for e in skill.evidence] == [sentence]
        assert skill.evidence[0].section_kind == parsed_jd_pb2.SECTION_KIND_RESPONSIBILITIES
    # Requirements are not duties, and a skill the dictionary found is not linked again.
    named = {
        s.library_skill.name for s in run.extraction.skills if s.source == run_pb2.SKILL_SOURCE_DICTIONARY
    }
    assert named and not named & {s.library_skill.name for s in linked.values()}
    assert all("Python" not in e.text for s in linked.values() for e in s.evidence)


def test_stage_2_reports_a_link_as_an_embedding_match_and_learns_no_alias(sqlite_rt: Runtime) -> None:
    run = stage1(sqlite_rt, JD)
    linked = _linked(run)
    assert linked
    result = stage2(sqlite_rt, run, dry_run=True)
    for name, skill in linked.items():
        detail = next(d for d in result.skills_detail if d.input_skill == name)
        assert detail.matched_via == run_pb2.MATCH_VIA_EMBEDDING
        assert detail.canonical.name == skill.library_skill.name
        assert name not in result.unmatched_skills
    # A duty sentence is no alias of the skill it restates: the match says so, with its cosine.
    for skill in linked.values():
        match = next(m for m in result.alias_matches if m.matched_canonical.name == skill.library_skill.name)
        assert match.matched_via == run_pb2.MATCH_VIA_EMBEDDING
        assert match.input_term == skill.evidence[0].text
        assert not match.alias_persisted and not match.existing_alias_text
        assert "duty sentence" in match.alias_persist_skipped_reason
        assert match.similarity == pytest.approx(skill.confidence, abs=1e-4)


def test_a_title_only_request_links_nothing(sqlite_rt: Runtime) -> None:
    """No duties, no links: and nothing fails for want of them."""
    run = stage1(sqlite_rt, "", title="Data Scientist")
    assert not _linked(run)


@pytest.mark.parametrize(
    ("name", "sentence", "elsewhere", "restated"),
    [
        # Two content words shared, the opening verb may differ.
        (
            "prepare dental instruments for sterilization",
            "Sterilisation of instruments",
            "dental nurse",
            True,
        ),
        ("pass dental instruments", "Mixing dental materials and passing instruments", "", True),
        # A word the sentence lacks must be the name's opening verb or be in the JD.
        ("make set construction drawings", "Produce construction drawings and details", "", False),
        ("maintain the veterinary reception area", "Keep the reception area tidy", "clinic", False),
        # One shared word of two is not enough.
        ("maintain laboratory equipment", "Calibrate laboratory instruments", "", False),
    ],
)
def test_a_link_restates_its_sentence(name: str, sentence: str, elsewhere: str, restated: bool) -> None:
    verbs = frozenset({"prepar", "pass", "make", "maintain", "set"})
    first = name.split()[0]
    words = frozenset(content_words(name))
    jd = content_words(f"{sentence} {elsewhere}")
    assert restates((fold_token(first), words), content_words(sentence), lambda: jd, verbs) is restated


@pytest.mark.parametrize(
    ("verb", "sentence", "has"),
    [
        ("assist", "Chairside assistance to dentists", True),
        ("analyse", "Lead analysis of client data", True),
        ("maintain", "Planned maintenance of the fleet", True),
        ("supervise", "Supervision of two technicians", True),
        ("manage", "Management of the weekly rota", True),
        # Words that only start alike are no form of the verb.
        ("use", "Report firearms found by site users", False),
        ("read", "Ready to start in March", False),
        ("install", "One instance per customer", False),
    ],
)
def test_a_duty_has_a_verb_or_its_noun(verb: str, sentence: str, has: bool) -> None:
    words = {fold_token(w) for w in sentence.split()}
    assert _has_verb(fold_token(verb), words) is has
