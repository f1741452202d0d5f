"""The job board's header line ("Acme · Boston, MA (Hybrid) · Full-time"): facts, no duties, no skills."""

from __future__ import annotations

import pytest

from jdlens_server.nlp.header_lines import header_company, header_lines
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


@pytest.mark.parametrize(
    "line",
    [
        # Tools with one work-mode word among them: still a list of tools.
        "Tech stack: Python | Spark | Airflow | AWS | Remote-first",
        # Duties in a row.
        "What you'll do • Pick and pack customer orders • Load and unload trucks • Work day shifts",
    ],
)
def test_a_row_of_tools_or_duties_is_no_header(line: str) -> None:
    assert header_lines(f"Warehouse Associate\n{line}\n") == []


def test_a_header_line_further_down_than_the_top_lines_is_not_read_as_one() -> None:
    text = "Title\nAbout us\nWe build things.\nWe ship them.\nAcme · Boston, MA · Full-time\n"
    assert header_lines(text) == []


@pytest.mark.parametrize(
    ("line", "employer"),
    [
        ("Brightline Health Partners · Minneapolis, MN · Full-time", "Brightline Health Partners"),
        # The title first: the employer is the next name, and a title alone names none.
        ("Registered Nurse | Mercy Hospital | Full-time", "Mercy Hospital"),
        ("Senior Software Engineer · Remote · Full-time", None),
        # A place that ends with its country, and a joining date, are no employer.
        (
            "Calamba, Laguna, Philippines | SunPeak Electronics Philippines, Inc. | Full-time",
            "SunPeak Electronics Philippines, Inc.",
        ),
        ("Full Time | Immediate Joiner Preferred", None),
        # A name before its city; words that only begin like a fact.
        ("St Vincent's Hospital, Melbourne | Full-time", "St Vincent's Hospital"),
        ("Immediate Care Center \u00b7 Tulsa, OK \u00b7 Full-time", "Immediate Care Center"),
    ],
)
def test_the_employer_is_the_header_lines_first_name_that_is_no_title(
    line: str, employer: str | None
) -> None:
    text = line + "\n"
    assert header_company(text, header_lines(text)) == employer


def test_facts_in_the_header_line_are_still_read() -> None:
    ad = (
        "Warehouse Associate\nAcme Logistics · Dallas, TX · Full-time · 1+ year experience · High school diploma\n\n"
        "Responsibilities\n- Pick and pack customer orders accurately every shift\n"
        "- Load and unload trucks and keep the dock clean\n\n"
        "Requirements\n- Able to lift 50 lbs and stand for long periods\n"
    )
    jd = parse_jd(ad)
    assert jd.experience is not None and jd.experience.min_years == 1
    assert [e.level for e in jd.education] == ["High school"]
    assert jd.company_name == "Acme Logistics"


def test_a_title_with_its_team_is_no_employer() -> None:
    text = "Business Analyst \u2013 Payments Transformation | 12-month contract | Hybrid\n"
    assert header_company(text, header_lines(text)) is None


def test_a_town_in_the_employers_name_is_no_location() -> None:
    ad = (
        "Tax Manager\nHarlow Building Supplies · Leeds, UK · Full-time\n\n"
        "Responsibilities\n- Own the group's direct and indirect tax compliance\n"
        "- Work with our external advisers on VAT and corporation tax\n\n"
        "Requirements\n- ACA or CTA qualified with 3 years of experience in tax\n"
    )
    jd = parse_jd(ad)
    assert jd.company_name == "Harlow Building Supplies"
    assert [loc.city for loc in jd.locations] == ["Leeds"]


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        # Name, place and pay under the title, one per line: a board's header.
        (
            "Comfort Air Heating & Cooling\nColumbus, OH 43228\n$28 - $40 an hour - Full-time",
            ["Comfort Air Heating & Cooling", "Columbus, OH 43228", "$28 - $40 an hour - Full-time"],
        ),
        # Labelled facts; a labelled place.
        (
            "Location: Leeds, West Yorkshire\nJob type: Permanent",
            ["Location: Leeds, West Yorkshire", "Job type: Permanent"],
        ),
        # Names only: the employer and its division.
        (
            "Department of Veterans Affairs\nVeterans Health Administration",
            ["Department of Veterans Affairs", "Veterans Health Administration"],
        ),
        # What the posting asks for is content, never header, and the opening block ends there.
        ("Key Skills: Java, Spring Boot, AWS\nLocation: Pune", []),
        # A short line that is no name, place or fact: nothing.
        ("Join a friendly team\nGreat benefits", []),
    ],
)
def test_the_short_lines_under_the_title_are_header(opening: str, expected: list[str]) -> None:
    text = f"HVAC Service Technician\n{opening}\n\nAbout the role\nYou will service heating systems.\n"
    assert [text[a:z] for a, z in header_lines(text)] == expected
