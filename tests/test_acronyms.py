"""Acronyms a JD spells out itself, read into its title (jdlens_server.nlp.acronyms)."""

from __future__ import annotations

import pytest

from jdlens_server.nlp.acronyms import expand_sector_acronyms, expand_title, spelled_out
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.pipeline.extract import embedding_head


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # The expansion before the acronym in brackets; a word may give more than its initial.
        (
            "WASH Officer",
            "Our programmes cover water, sanitation and hygiene (WASH).",
            "water sanitation and hygiene Officer",
        ),
        ("HR Manager", "You will lead the Human Resources (HR) team.", "Human Resources Manager"),
        # The expansion in brackets after the acronym or its title, in the title itself.
        (
            "MEAL Officer (Monitoring, Evaluation, Accountability and Learning)",
            "",
            "Monitoring Evaluation Accountability and Learning Officer",
        ),
        (
            "MEAL Officer",
            "The MEAL Officer (Monitoring, Evaluation, Accountability and Learning) will ...",
            "Monitoring Evaluation Accountability and Learning Officer",
        ),
        # Nothing spelled out, or a bracket that spells nothing: the title as written.
        ("IT Support Analyst", "Support our offices in Leeds.", "IT Support Analyst"),
        ("OPERATOR JAHITAN (TAILOR)", "", "OPERATOR JAHITAN (TAILOR)"),
        ("QA Engineer", "Quality and testing (QA) of releases.", "QA Engineer"),  # "and" gives no letter
        ("Senior Data Engineer (Python)", "", "Senior Data Engineer (Python)"),
        # A sector acronym the JD does not spell out is known; not in a title written in capitals.
        ("WASH Coordinator", "Coordinate our projects.", "Water Sanitation and Hygiene Coordinator"),
        ("CAR WASH ATTENDANT", "", "CAR WASH ATTENDANT"),
        ("M&E Project Engineer", "", "M&E Project Engineer"),  # mechanical and electrical, or monitoring
    ],
)
def test_an_acronym_the_jd_spells_out_is_read_as_its_expansion(title: str, text: str, expected: str) -> None:
    assert expand_title(title, text) == expected


def test_an_expansion_must_spell_the_whole_acronym_in_order() -> None:
    assert spelled_out("Risk Communication and Community Engagement (RCCE)", "RCCE") == (
        "Risk Communication and Community Engagement"
    )
    assert spelled_out("Community Engagement and Risk Communication (RCCE)", "RCCE") is None
    assert spelled_out("no brackets at all about RCCE", "RCCE") is None


def test_the_title_is_embedded_as_the_jd_spells_it() -> None:
    text = (
        "WASH Officer\n\nAbout the programme\nOur water, sanitation and hygiene (WASH) work reaches 40,000 "
        "people in Turkana.\n\nResponsibilities\n- Supervise borehole rehabilitation and latrine construction\n"
        "- Train community hygiene promoters\n\nRequirements\n- Degree in civil or water engineering\n"
    )
    jd = parse_jd(text)
    assert jd.role_title == "WASH Officer"
    assert embedding_head(jd, "", text)[0].startswith("water sanitation and hygiene")


def test_sector_acronyms_in_duties_are_embedded_spelled_out() -> None:
    assert expand_sector_acronyms("Manage the WASH projects and the F&B budget") == (
        "Manage the Water Sanitation and Hygiene projects and the Food and Beverage budget"
    )
    assert expand_sector_acronyms("Wash the dishes; MEALS ON WHEELS") == "Wash the dishes; MEALS ON WHEELS"
