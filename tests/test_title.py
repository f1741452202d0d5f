"""Job-title normalisation for alias lookup (jdlens_server.nlp.title)."""

from __future__ import annotations

import pytest

from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.title import (
    Seniority,
    fallback_keys,
    is_role_head,
    normalize_title,
    qualified_keys,
    split_title,
    title_for_embedding,
    title_is_english,
    title_variants,
    without_noise,
)
from jdlens_server.pipeline.extract import stage1_embedding_texts

TABLE = [
    # raw title, normalised lookup key, seniority
    ("Senior Data Engineer (m/f/d) - Berlin, Full-time", "data engineer", Seniority.SENIOR),
    ("Senior Data Engineer", "data engineer", Seniority.SENIOR),
    ("Sr. Product Manager - NYC", "product manager", Seniority.SENIOR),
    ("Junior Sales Engineer (Four)", "sales engineer", Seniority.JUNIOR),
    ("Lead Teacher", "teacher", Seniority.LEAD),
    ("Principal Software Engineer | Remote", "software engineer", Seniority.PRINCIPAL),
    ("Staff Software Engineer, Remote (US)", "software engineer", Seniority.PRINCIPAL),
    ("Softwareentwickler (m/w/d)", "softwareentwickler", Seniority.UNSPECIFIED),
    ("Data Scientist - Hybrid - London/Berlin", "data scientist", Seniority.UNSPECIFIED),
    ("Commis II", "commis", Seniority.UNSPECIFIED),
    ("Accountant I", "accountant", Seniority.UNSPECIFIED),
    ("Senior Customer Service Officer-II", "customer service officer", Seniority.SENIOR),
    ("Branch Manager \u2013 Grade C", "branch manager", Seniority.MANAGER),
    ("Front Desk Assistant ( Re-Advert)", "front desk assistant", Seniority.UNSPECIFIED),
    ("Key Account Executive ( Re- advertised)", "key account executive", Seniority.UNSPECIFIED),
    ("Sales & Marketing Manager", "sales and marketing manager", Seniority.MANAGER),
    ("Communications Lead Africa", "communications lead", Seniority.UNSPECIFIED),
    # who leads a shift or a team without managing the function
    ("Warehouse Supervisor", "warehouse supervisor", Seniority.LEAD),
    ("Site Foreman", "site foreman", Seniority.LEAD),
    ("Midwife", "midwife", Seniority.UNSPECIFIED),  # "mid" is a seniority word, not a prefix of this one
    ("Head of Engineering", "head of engineering", Seniority.DIRECTOR),
    ("Chief Financial Officer", "chief financial officer", Seniority.EXECUTIVE),
    ("Marketing Intern - Summer 2025, Part-time", "marketing intern", Seniority.INTERN),
    ("Job Title: Registered Nurse (f/m/x) \u2013 Toronto, ON", "registered nurse", Seniority.UNSPECIFIED),
    ("Housekeeping Attendant Snr", "housekeeping attendant", Seniority.SENIOR),
    ("Hair Director_Korean Speaker", "hair director", Seniority.DIRECTOR),
    # A bare head takes its bracketed field; a site, a gender or a level in brackets is no field.
    ("Operator (Molding)", "molding operator", Seniority.UNSPECIFIED),
    ("SENIOR TECHNICIAN (HVAC)", "hvac technician", Seniority.SENIOR),
    ("CLERK (WAREHOUSE)", "warehouse clerk", Seniority.UNSPECIFIED),
    ("Storekeeper (Johor)", "storekeeper", Seniority.UNSPECIFIED),
    ("Operator (Male)", "operator", Seniority.UNSPECIFIED),
    ("Salesman (Junior)", "salesman", Seniority.JUNIOR),  # the level is its seniority
    ("Harvester (Based in Oil Palm Estate)", "harvester", Seniority.UNSPECIFIED),
    ("Data Engineer (Azure)", "data engineer", Seniority.UNSPECIFIED),
]


@pytest.mark.parametrize(("raw", "key", "seniority"), TABLE)
def test_normalisation_table(raw: str, key: str, seniority: Seniority) -> None:
    parts = split_title(raw)
    assert parts.normalized == key
    assert normalize_title(raw) == key
    assert parts.seniority is seniority


@pytest.mark.parametrize(("raw", "key", "_s"), TABLE)
def test_normalisation_is_idempotent(raw: str, key: str, _s: Seniority) -> None:
    assert normalize_title(key) == key


def test_variants_keep_written_form_stripped_form_and_key() -> None:
    variants = title_variants("Senior Data Engineer (m/f/d) - Berlin")
    assert variants[:3] == ("Senior Data Engineer", "Data Engineer", "data engineer")
    assert len(variants) == len(set(variants))


def test_parenthesised_role_becomes_an_alternative() -> None:
    parts = split_title("Physical Rehabilitation Officer (Physiotherapist)")
    assert parts.normalized == "physical rehabilitation officer"
    assert parts.alternatives == ("Physiotherapist",)
    assert "physiotherapist" in title_variants("Physical Rehabilitation Officer (Physiotherapist)")


def test_second_role_after_a_dash_is_an_alternative_not_noise() -> None:
    parts = split_title("Senior Project Officer I \u2013 Backend Developer")
    assert parts.normalized == "project officer"
    assert "Backend Developer" in parts.alternatives


def test_location_and_contract_segments_are_dropped_but_other_segments_kept() -> None:
    assert normalize_title("Nurse - Full-time, Permanent") == "nurse"
    assert normalize_title("Cloud Engineer - Remote / Hybrid") == "cloud engineer"
    # a one-word role keeps the unit it names, or nothing specific would be left
    assert normalize_title("Manager \u2013 Loan Recovery Division") == "manager loan recovery division"


def test_punctuation_is_uniform() -> None:
    assert normalize_title("  C++  Developer ") == "c++ developer"
    assert normalize_title("Node.js Engineer") == "node.js engineer"
    assert normalize_title("Writer's Assistant") == "writers assistant"


def test_slash_sides_that_are_titles_become_alternatives() -> None:
    parts = split_title("Receptionist/Customer Service Officer")
    assert parts.normalized == "receptionist/customer service officer"
    assert parts.alternatives == ("Customer Service Officer",)


NOISE_TABLE = [
    # title, the title without what says how, where or for whom the job is held
    ("UX Designer (12-month contract)", "UX Designer"),
    ("Senior Data Engineer (m/f/d) - Berlin, Full-time", "Senior Data Engineer - Berlin"),
    ("Nurse (Maternity Cover)", "Nurse"),
    ("Front Desk Assistant ( Re-Advert)", "Front Desk Assistant"),
    ("Customer Service (6 Months Contract) Based in PJ", "Customer Service Based in PJ"),
    ("Teaching Assistant (SEN) - Full Time, Permanent", "Teaching Assistant (SEN)"),
    ("Data Analyst (Ref: 20240517000123456789012B)", "Data Analyst"),
    # Words that only begin like a term stay: "Restart" is no "re" + "start".
    ("Nurse - Restart", "Nurse - Restart"),
    # A field or another title in brackets, and a specialism after a dash, stay.
    ("Teaching Assistant (SEN)", "Teaching Assistant (SEN)"),
    ("Officer (Physiotherapist)", "Officer (Physiotherapist)"),
    ("SOCIAL WORKER - CHILD PROTECTION", "SOCIAL WORKER - CHILD PROTECTION"),
    # A site often names the trade.
    (
        "General Worker (Based in Oil Palm Estate, Negeri Sembilan )",
        "General Worker (Based in Oil Palm Estate, Negeri Sembilan )",
    ),
    ("GENERAL WORKER (PLANTATION)", "GENERAL WORKER (PLANTATION)"),
]


@pytest.mark.parametrize(("title", "expected"), NOISE_TABLE)
def test_the_title_without_its_noise(title: str, expected: str) -> None:
    assert without_noise(title) == expected


EMBEDDING_TABLE = [
    # title, what is embedded for it
    ("HR Executive", "HR"),
    ("Logistics executive", "Logistics"),
    ("Senior Executive, Taxation", "Senior, Taxation"),
    ("Executive - Engineer", "Engineer"),
    ("Accounts Exec", "Accounts"),
    ("Sales Executive (Malacca)", "Sales (Malacca)"),
    ("Exec. Sales", "Sales"),
    ("IT Executive/Senior IT Executive", "IT/Senior IT"),
    ("Executive cum Driver", "Driver"),
    # The word is part of the role, or nothing else names a field: kept.
    ("Chief Executive Officer", "Chief Executive Officer"),
    ("Chief-Executive", "Chief-Executive"),
    ("Chief  Executive", "Chief  Executive"),
    ("Account Executive", "Account Executive"),  # a sales role, whose "Account" alone names nothing
    ("Executive Protection Agent", "Executive Protection Agent"),
    ("Executive Assistant", "Executive Assistant"),
    ("Executive Director, Operations", "Executive Director, Operations"),
    ("Executive Chef", "Executive Chef"),
    ("Senior Executive", "Senior Executive"),
    ("EXECUTIVE", "EXECUTIVE"),
    ("Data Engineer", "Data Engineer"),
]


@pytest.mark.parametrize(("title", "embedded"), EMBEDDING_TABLE)
def test_a_grade_word_executive_is_not_embedded(title: str, embedded: str) -> None:
    assert title_for_embedding(title) == embedded


def test_stage_one_embeds_the_title_without_its_grade_word() -> None:
    jd = parse_jd("")
    # A title alone is both the title and the passage embedded.
    texts, sentences_at, _ = stage1_embedding_texts(jd, "HR Executive", "", [])
    assert set(texts[:sentences_at]) == {"HR"}
    texts, sentences_at, _ = stage1_embedding_texts(jd, "Executive Assistant", "", [])
    assert set(texts[:sentences_at]) == {"Executive Assistant"}


@pytest.mark.parametrize(
    ("word", "is_head"),
    [
        ("Generalist", True),
        ("psychotherapists", True),
        ("electrician", True),
        ("journalist", True),
        ("checklist", False),  # a -list word, not an -alist one
        ("Shortlist", False),
        ("consists", False),  # a verb
        ("Requirements", False),
    ],
)
def test_agent_nouns_the_head_list_does_not_name_are_heads(word: str, is_head: bool) -> None:
    assert is_role_head(word) is is_head


@pytest.mark.parametrize(
    ("title", "english"),
    [
        ("GA/ Medical Radiology Technologist", True),
        ("Senior PHP Developer (Penang)", True),
        ("Pharmacists", True),
        ("Kerani Akaun", False),  # Malay
        ("የሕክምና ራዲዮሎጂ ቴክኖሎጂ ባለሙያ", False),  # Amharic
        ("Comptable", False),
        ("", False),
    ],
)
def test_a_title_reads_as_english_when_it_names_an_english_occupation(title: str, english: bool) -> None:
    assert title_is_english(title) is english


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        # A shift or a contract in brackets is no field of the job.
        ("Technician (Nights)", "technician"),
        ("Administrator (FTC)", "administrator"),
        ("Supervisor (Mon-Fri)", "supervisor"),
        ("Porter (Zero Hours)", "porter"),
        # A pay band or grade is no part of the title, before it or after it.
        ("Band 5 Staff Nurse", "staff nurse"),
        ("Staff Nurse Band 5/6", "staff nurse"),
        ("Grade 7 Staff Officer", "staff officer"),
        ("Level Designer", "level designer"),
    ],
)
def test_shifts_contracts_and_bands_are_no_part_of_the_key(raw: str, key: str) -> None:
    parts = split_title(raw)
    assert parts.normalized == key and not parts.alternatives


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("A-grade Electrician", "electrician"),  # an Australian licence grade, not a band
        ("Band 5 Staff Nurse", "staff nurse"),
        ("Nurse - Band 6", "nurse"),
        ("Officer Grade B2", "officer"),
    ],
)
def test_grades_and_bands_leave_the_title_key(title: str, key: str) -> None:
    assert normalize_title(title) == key


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Electrician - Commercial Fitout", "electrician"),
        ("Paralegal \u2013 Commercial Litigation", "paralegal"),
    ],
)
def test_the_title_before_a_named_field_is_a_fallback_key(title: str, key: str) -> None:
    assert key in fallback_keys(title) and normalize_title(title) != key


@pytest.mark.parametrize(
    ("title", "keys"),
    [
        # The last side's head is every side's, after the sides written with it.
        ("Civil / Structural Engineer", ["structural engineer", "civil engineer"]),
        ("HR/Admin Executive", ["admin executive", "hr executive"]),
        ("Sales/Account Manager", ["account manager", "sales manager"]),
        ("Day / Night Shift Supervisor", ["night shift supervisor", "day shift supervisor"]),
        # Sides that are titles of their own stay as they are.
        ("Child Care Taker/Infant Care Teacher", ["infant care teacher"]),
    ],
)
def test_sides_of_a_slash_share_the_last_sides_head(title: str, keys: list[str]) -> None:
    assert fallback_keys(title) == keys


@pytest.mark.parametrize(
    ("title", "keys"),
    [
        ("Teaching Assistant (SEN)", ["sen teaching assistant"]),
        (
            "Social Worker - Child Protection / Fostering",
            ["child protection social worker", "fostering social worker"],
        ),
        # A site, a contract, a gender or a field the key holds already qualify nothing.
        ("Sales Executive (Based in Penang)", []),
        ("UX Designer (12-month contract)", []),
        ("Data Engineer (m/f/d) - Berlin", []),
        ("Nurse (ICU)", []),
        ("Web Designer (Junior)", []),
        ("Receptionist", []),
        # Levels of one head before the field: the field names the head.
        ("Executive / Senior Executive \u2013 Quality Control", ["quality control executive"]),
    ],
)
def test_a_field_named_apart_is_tried_before_the_head(title: str, keys: list[str]) -> None:
    assert qualified_keys(title) == keys


@pytest.mark.parametrize(
    ("title", "key", "level"),
    [
        ("Graphic Designer (Mid-level)", "graphic designer", Seniority.MID),
        ("Data Engineer (Senior)", "data engineer", Seniority.SENIOR),
        # A bracket with more than the level is an alternative title, not a level.
        ("Nurse (Lead Practitioner)", "nurse", Seniority.UNSPECIFIED),
    ],
)
def test_a_level_in_brackets_is_the_seniority(title: str, key: str, level: Seniority) -> None:
    parts = split_title(title)
    assert (parts.normalized, parts.seniority) == (key, level)
