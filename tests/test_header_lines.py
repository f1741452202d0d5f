"""The job board's header line ("Acme · Boston, MA (Hybrid) · Full-time"): facts, no duties, no skills."""

from __future__ import annotations

import pytest

from jdlens_server.nlp.header_lines import header_lines
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.parsed import EmploymentType, WorkMode


@pytest.mark.parametrize(
    "line",
    [
        "Northwind Health Analytics · Boston, MA (Hybrid, 3 days in office) · Full-time",
        "Lumen Learning Labs | Remote (US or Canada) | Full-time",
        "St. Brendan Regional Medical Center • Columbus, OH • Full-time, 36 hours/week",
        "Keystone Freight Lines · Harrisburg, PA terminal",
    ],
)
def test_a_line_of_short_segments_with_a_fact_is_a_header(line: str) -> None:
    text = f"Data Engineer\n\n  {line}  \n\nAbout us\nWe build things."
    assert [text[a:z] for a, z in header_lines(text)] == [line]


@pytest.mark.parametrize(
    "line",
    [
        # A list of tools, one of which is also a town's name: no fact of the job.
        "Python · Spring · Kafka",
        # Prose with a separator.
        "We are a team of forty people across three offices in Europe and Asia · join us today",
        "Remote work is welcome",  # no separator
    ],
)
def test_other_lines_are_not_headers(line: str) -> None:
    assert header_lines(f"Title\n{line}\n") == []


def test_a_header_line_far_down_the_text_is_not_read_as_one() -> None:
    filler = "We value people who ask good questions and share what they learn.\n" * 40
    assert header_lines(filler + "Acme · Boston, MA · Full-time\n") == []


_AD = """Prompt Engineer

Lumen Learning Labs · Remote (US or Canada) · Full-time

About the role
We are looking for a Prompt Engineer to shape how our tutoring assistants think, talk and behave.

What you will do
- Write, test and iterate on prompts and multi-step prompt chains for tutoring features
- Build and maintain evaluation sets with teachers and learning scientists
- Run A/B tests and offline evaluations to compare prompts and models

What we look for
- 2+ years of experience in writing, content design or software
- Experience with Python and large language models
"""


def test_the_parser_reads_facts_from_the_header_but_no_duties() -> None:
    jd = parse_jd(_AD)
    assert jd.work_mode is WorkMode.REMOTE
    assert jd.employment_type is EmploymentType.FULL_TIME
    duties = [s.text for s in jd.responsibility_sentences]
    assert duties and not any("Remote" in d or "Lumen" in d for d in duties)
    # Nor is any of it text to read skills in.
    start = _AD.index("Lumen")
    end = _AD.index("Full-time") + len("Full-time")
    assert all(r.end <= start or r.start >= end for r in jd.skill_text_spans)


def test_the_title_line_is_no_duty() -> None:
    title = "ICU Registered Nurse (RN) - Medical/Surgical ICU, Nights"
    ad = (
        f"{title}\n\nSt. Brendan Medical Center · Columbus, OH · Full-time\n\n"
        "Responsibilities\n- Perform continuous assessment of critically ill adults\n"
        "- Titrate vasoactive drips under protocol\n- Educate patients and families\n\n"
        "Requirements\n- Active RN license and BLS certification\n- Two years of acute care experience\n"
    )
    jd = parse_jd(ad)
    assert jd.role_title == title
    duties = [s.text for s in jd.responsibility_sentences]
    assert duties and all("ICU" not in d and "Columbus" not in d for d in duties)
