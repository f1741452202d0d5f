"""Plain-text conversion, sentence splitting, headings, section kinds and boilerplate."""

from __future__ import annotations

import pytest

from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.sections import (
    BoilerplateKind,
    SectionKind,
    boilerplate_spans,
    count_bullets,
    sentence_cues,
    split_sections,
)
from jdlens_server.nlp.text import PlainText, edge_words, has_word, sentence_spans, to_plain, word_count

K = SectionKind


def _origins_match(src: str, plain: PlainText) -> None:
    """Every plain character is either the original character it maps to (modulo quote/space
    folding) or one the cleaner inserted at a markup position."""
    for i, ch in enumerate(plain.text):
        o = plain.origin(i)
        assert 0 <= o < len(src)
        if src[o] != ch:
            assert ch in "\n\u2022 '\"&" or src[o] in "<&", (i, ch, src[o])


def _sections(text: str) -> list[tuple[SectionKind, str | None]]:
    plain = to_plain(text)
    return [(s.kind, s.heading.text if s.heading else None) for s in split_sections(plain)]


# ---------------------------------------------------------------- plain text


def test_html_is_stripped_with_an_offset_map() -> None:
    html = (
        "<h2>About us</h2><p>R&amp;D &#38; QA&nbsp;team</p><ul><li>Build <b>APIs</b></li><li>Ship</li></ul>"
    )
    plain = to_plain(html)
    assert "<" not in plain.text
    assert "R&D & QA team" in plain.text
    assert plain.text.count("\u2022") == 2
    _origins_match(html, plain)
    start = plain.text.index("APIs")
    a, z = plain.to_original(start, start + 4)
    assert html[a:z] == "APIs"
    assert plain.bold_ranges and plain.text[slice(*plain.bold_ranges[0])] == "APIs"
    assert plain.text.index("About us") in plain.heading_marks


def test_markdown_is_stripped_with_an_offset_map() -> None:
    md = "# Senior Dev\n\n**Requirements**\n- 5+ years of *Python*\n- [Docs](https://x.io) and `code`\n---\n"
    plain = to_plain(md)
    for marker in ("#", "**", "`", "](", "---"):
        assert marker not in plain.text
    assert "- 5+ years of Python" in plain.text
    assert "Docs and code" in plain.text
    _origins_match(md, plain)
    assert 0 in plain.heading_marks
    (b0, b1), *_ = plain.bold_ranges
    assert plain.text[b0:b1] == "Requirements"


def test_plain_text_without_markup_is_unchanged_and_maps_identically() -> None:
    text = "Line one.\nLine two, 5 * 3 = 15 and a_b stays; x < y."
    plain = to_plain(text)
    assert plain.text == text
    assert all(plain.origin(i) == i for i in range(len(text)))
    assert plain.to_original(5, 8) == (5, 8)
    assert plain.origin(len(text)) == len(text)


def test_curly_quotes_and_odd_spaces_fold_without_moving_offsets() -> None:
    text = "We\u2019re \u201chiring\u201d\u00a0now\r\nok"
    plain = to_plain(text)
    assert plain.text == 'We\'re "hiring" now\nok'
    assert plain.to_original(0, 5) == (0, 5)


def test_word_count_and_edge_words() -> None:
    assert word_count("\u2022 Build APIs, ship it \u2013 fast.") == 5
    first, last = edge_words("\u2022 One two three four five six seven")
    assert first == "One two three four five"
    assert last == "three four five six seven"


# ---------------------------------------------------------------- sentences


def test_sentences_split_on_punctuation_but_not_abbreviations() -> None:
    text = "Use tools, e.g. Python and SQL. Mr. Smith leads. Build 2.5 models! Report weekly"
    sents = [text[a:z] for a, z in sentence_spans(text)]
    assert sents == [
        "Use tools, e.g. Python and SQL.",
        "Mr. Smith leads.",
        "Build 2.5 models!",
        "Report weekly",
    ]


def test_flattened_duty_list_splits_before_capitalised_verbs() -> None:
    text = (
        "Manage executive calendars and travel arrangements Prepare and edit correspondence "
        "Conduct research for projects Handle ad-hoc tasks as assigned"
    )
    sents = [text[a:z] for a, z in sentence_spans(text)]
    assert sents == [
        "Manage executive calendars and travel arrangements",
        "Prepare and edit correspondence",
        "Conduct research for projects",
        "Handle ad-hoc tasks as assigned",
    ]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "Build relationships with clients Knowledge of the local market Ability to work "
            "independently Proven track record in sales Must have a valid licence",
            [
                "Build relationships with clients",
                "Knowledge of the local market",
                "Ability to work independently",
                "Proven track record in sales",
                "Must have a valid licence",
            ],
        ),
        # "Experience" opens an item only before its object, and not as the noun of the clause before.
        (
            "Minimum 2 years working Experience, preferably in retail Experience with CRM software",
            ["Minimum 2 years working Experience, preferably in retail", "Experience with CRM software"],
        ),
        # After an acronym too, and before the verbs of banking and stores duties.
        (
            "Collect data using ODK Excellent report writing skills Report discrepancies Notify the store unit",
            [
                "Collect data using ODK",
                "Excellent report writing skills",
                "Report discrepancies",
                "Notify the store unit",
            ],
        ),
        # Inside a capitalised run, after "is" or after a clause's glue word the opener is in the clause.
        ("Good Knowledge of Microsoft Excel", ["Good Knowledge of Microsoft Excel"]),
        ("Must Be Able To Work shifts", ["Must Be Able To Work shifts"]),
        ("someone who is Proficient in Excel", ["someone who is Proficient in Excel"]),
        (
            "Candidates with Excellent references and with Strong results apply",
            ["Candidates with Excellent references and with Strong results apply"],
        ),
    ],
)
def test_flattened_requirements_split_before_their_openers(text: str, items: list[str]) -> None:
    assert [text[a:z] for a, z in sentence_spans(text)] == items


def test_bullets_and_inline_numbers_are_items() -> None:
    text = "Duties: 1. Identify prospective customers 2. Manage sales \u2022 Keep records \u2022 Report"
    sents = [text[a:z] for a, z in sentence_spans(text)]
    assert "Identify prospective customers" in sents
    assert "Manage sales" in sents
    assert "Keep records" in sents
    lines = "\u2022 First item\n- Second item\n3) Third item"
    assert [lines[a:z] for a, z in sentence_spans(lines)] == ["First item", "Second item", "Third item"]
    # Arrows as bullets, on any line.
    arrows = "Duties\n-> Prepare mise en place\n=> Rotate stock\n--> Clean the station"
    assert [arrows[a:z] for a, z in sentence_spans(arrows)] == [
        "Duties",
        "Prepare mise en place",
        "Rotate stock",
        "Clean the station",
    ]


def test_count_bullets() -> None:
    assert count_bullets("\u2022 a\n\u2022 b\n\u2022 c") == 3
    assert count_bullets("- a\n- b\n* c") == 3
    assert count_bullets("1. a\n2. b") == 2
    assert count_bullets("duties 1. Identify x 2. Manage y 3. Keep z") == 3
    assert count_bullets("plain prose with 5. numbers") == 0


# ---------------------------------------------------------------- headings and kinds


def test_line_headings_in_a_multiline_ad() -> None:
    text = (
        "About Us\nWe are a leading logistics company founded to move goods across the region.\n\n"
        "What You'll Do\n\u2022 Plan delivery routes\n\u2022 Manage drivers\n\n"
        "Requirements:\n\u2022 3+ years of experience in logistics\n\u2022 A driving licence\n\n"
        "Nice to have\n\u2022 Experience with SAP\n\n"
        "Benefits\n\u2022 Health insurance\n\u2022 Paid time off\n"
    )
    assert _sections(text) == [
        (K.ABOUT_COMPANY, "About Us"),
        (K.RESPONSIBILITIES, "What You'll Do"),
        (K.REQUIREMENTS, "Requirements"),
        (K.NICE_TO_HAVE, "Nice to have"),
        (K.BENEFITS, "Benefits"),
    ]


def test_inline_headings_in_a_flattened_ad() -> None:
    text = (
        "RESPONSIBILITIES Manage executive calendars Prepare and edit correspondence "
        "Job Requirement BA Degree in Business Administration, Three years of experience as an assistant "
        "How to Apply Submit your application via email to the office"
    )
    assert _sections(text) == [
        (K.RESPONSIBILITIES, "RESPONSIBILITIES"),
        (K.REQUIREMENTS, "Job Requirement"),
        (K.BOILERPLATE, "How to Apply"),
    ]


def test_heading_words_inside_a_sentence_are_not_headings() -> None:
    text = (
        "The assistant will take on other duties as assigned and the responsibilities of the office. "
        "Requirements are listed by the manager in the weekly plan and the role reports to the director."
    )
    heads = [h for _k, h in _sections(text)]
    assert heads == [None]


def test_adjacent_headings_fuse_and_the_one_nearest_the_body_names_the_section() -> None:
    text = (
        "Job Requirements Key Responsibilities Prepare monthly reports Reconcile bank accounts "
        "Job Requirement Qualification: BA degree in Accounting with two years of experience"
    )
    assert _sections(text) == [
        (K.RESPONSIBILITIES, "Job Requirements Key Responsibilities"),
        (K.REQUIREMENTS, "Job Requirement Qualification"),
    ]


def test_sub_headings_fold_into_their_section_and_keep_their_words() -> None:
    text = (
        "Job Requirements Education: BSc in Nursing Experience: 2 years and above How to Apply Send your CV"
    )
    plain = to_plain(text)
    secs = split_sections(plain)
    assert [s.kind for s in secs] == [K.REQUIREMENTS, K.BOILERPLATE]
    req = secs[0]
    assert "Experience: 2 years and above" in plain.text[req.start : req.end]


def test_untitled_sections_are_classified_by_content() -> None:
    duties = "Prepare the payroll every month. Reconcile accounts weekly. Maintain ledgers and records."
    company = (
        "Founded in 1998, Acme is a leading manufacturer with offices in five countries. "
        "Our company values integrity and our customers rely on our products."
    )
    assert _sections(duties)[0][0] is K.RESPONSIBILITIES
    assert _sections(company)[0][0] is K.ABOUT_COMPANY


# ---------------------------------------------------------------- boilerplate


def test_boilerplate_sections_and_sentences_are_recognised() -> None:
    text = (
        "Responsibilities\n\u2022 Build data pipelines\n\u2022 Maintain dashboards\n\n"
        "Requirements\n\u2022 3 years of SQL\n\u2022 We are an equal opportunity employer and consider all "
        "applicants without regard to race or gender.\n\n"
        "Notice\nBeware: scammers pose as our recruiters. We never ask for money during hiring.\n\n"
        "Accessibility\nIf you require an accommodation during the process, tell the recruiter.\n"
    )
    plain = to_plain(text)
    secs = split_sections(plain)
    spans = boilerplate_spans(plain.text, secs)
    kinds = [b.kind for b in spans]
    assert BoilerplateKind.EQUAL_OPPORTUNITY in kinds
    assert BoilerplateKind.SCAM_WARNING in kinds
    assert BoilerplateKind.ACCESSIBILITY in kinds
    eeo = next(b for b in spans if b.kind is BoilerplateKind.EQUAL_OPPORTUNITY)
    assert plain.text[eeo.start : eeo.end].startswith("We are an equal opportunity employer")
    # the EEO sentence is carved out of the requirements section, which stays REQUIREMENTS
    assert [s.kind for s in secs][:2] == [K.RESPONSIBILITIES, K.REQUIREMENTS]


def test_company_history_is_a_span_inside_about_company() -> None:
    text = (
        "About Us\nAcme Bank was established in 1909 and has been operating ever since. "
        "We provide credit to small businesses across the region.\n\n"
        "Duties\n\u2022 Appraise loan applications\n"
    )
    plain = to_plain(text)
    secs = split_sections(plain)
    assert secs[0].kind is K.ABOUT_COMPANY
    spans = boilerplate_spans(plain.text, secs)
    assert [b.kind for b in spans] == [BoilerplateKind.COMPANY_HISTORY]
    assert plain.text[spans[0].start : spans[0].end].startswith("Acme Bank was established in 1909")


def test_span_ending_in_an_entity_covers_the_whole_entity() -> None:
    html = "<p>3 years&#39; experience &lt;supervisory&gt;</p>"
    plain = to_plain(html)
    start = plain.text.index("3 years")
    end = plain.text.index(">") + 1
    a, z = plain.to_original(start, end)
    assert html[a:z] == "3 years&#39; experience &lt;supervisory&gt;"


def test_line_right_under_a_heading_is_content_not_a_heading() -> None:
    text = "Requirements\nDiploma in Logistics\nAt least 3 years of experience as a supervisor.\n"
    assert _sections(text) == [(K.REQUIREMENTS, "Requirements")]


def test_has_word_is_a_nonzero_word_count_of_the_slice() -> None:
    text = "  -- \u2022 ...\n_ __ Lead the team: 3+ years.\n\t*  \n"
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert has_word(text, start, end) == (word_count(text[start:end]) > 0), (start, end)
    assert has_word(text) and not has_word("  _ -- \u2022 ")


def test_a_capitalised_name_in_a_sentence_is_not_cut_before_a_duty_verb() -> None:
    # "Marketing" is a duty verb's -ing form, but here it sits inside a title.
    text = "We are hiring a Growth Marketing Manager to own customer acquisition."
    assert [text[a:z] for a, z in sentence_spans(text)] == [text]
    # A flattened list still splits after a capitalised word when the verb opens a clause.
    flat = "Maintain records in Microsoft Office Prepare reports for the board"
    assert [flat[a:z] for a, z in sentence_spans(flat)] == [
        "Maintain records in Microsoft Office",
        "Prepare reports for the board",
    ]


def test_a_duty_that_names_an_organization_does_not_make_the_section_company_text() -> None:
    text = (
        "Head of Market Research\n\n"
        "The head of market research is responsible for the research department. "
        "Directs and oversees an organization's marketing policies and initiatives. "
        "The head reviews changes to the marketplace and the industry."
    )
    assert _sections(text)[0][0] is not K.ABOUT_COMPANY
    # Company prose still reads as company prose.
    about = (
        "Acme Logistics\n\nAcme is a leading logistics company founded in 1990. "
        "Our organization has 3,000 employees in the industry."
    )
    assert _sections(about)[0][0] is K.ABOUT_COMPANY


def test_a_title_case_noun_after_a_capitalised_word_is_not_a_new_duty() -> None:
    text = "Carry out Road Safety Audit responses and design checks"
    assert [text[a:z] for a, z in sentence_spans(text)] == [text]


def test_main_duties_of_the_job_is_a_responsibilities_heading() -> None:
    text = "Main duties of the job\n- Assess patients\n- Deliver treatments\n\nPerson specification\n- HCPC"
    assert _sections(text)[0] == (K.RESPONSIBILITIES, "Main duties of the job")


def test_a_flattened_duty_after_one_capitalised_noun_still_splits() -> None:
    text = "Review invoices from Vendors Schedule deliveries daily"
    assert [text[a:z] for a, z in sentence_spans(text)] == [
        "Review invoices from Vendors",
        "Schedule deliveries daily",
    ]


@pytest.mark.parametrize(
    ("sentence", "warning"),
    [
        ("Lead incident response for malware, phishing and account-compromise cases.", False),
        ("Investigate fraudulent transactions and scams reported by customers.", False),
        ("Beware of recruitment scams: we will never ask candidates for money.", True),
        ("We have been made aware of fraudulent job offers sent by email.", True),
    ],
)
def test_fraud_words_warn_only_about_hiring(sentence: str, warning: bool) -> None:
    assert (BoilerplateKind.SCAM_WARNING.value in sentence_cues(sentence)) is warning


@pytest.mark.parametrize(
    "sentence",
    [
        "Beware of fraudulent job postings and emails claiming to be from Acme.",
        "Please be aware of scams: Acme never asks for payment.",
    ],
)
def test_scam_warnings_without_hiring_words(sentence: str) -> None:
    assert BoilerplateKind.SCAM_WARNING.value in sentence_cues(sentence)


@pytest.mark.parametrize(
    "heading",
    [
        "It would be great if you also had:",
        "It would be a plus if you have:",
        "Bonus if you know",
        "Even better if you have:",
        "Extra credit:",
        "What would make you stand out:",
    ],
)
def test_wished_for_headings_open_a_nice_to_have_section(heading: str) -> None:
    jd = parse_jd(
        "Product Manager\n\nWhat you will do\n- Own the roadmap for payments\n- Run discovery with customers\n\n"
        f"What you bring\n- 5 years of product management\n\n{heading}\n- Experience with Open Banking APIs\n"
    )
    assert [(s.kind, s.heading) for s in jd.sections][-1] == (K.NICE_TO_HAVE, heading.rstrip(":"))


def test_a_wish_inside_the_requirements_opens_no_section() -> None:
    jd = parse_jd(
        "Cloud Engineer\n\nAbout us\nWe build payment software for 300 banks across Europe and Asia.\n\n"
        "Responsibilities\n- Run our AWS platform\n- Automate deployments\n\nRequirements\nYou have 4 years of "
        "AWS experience. It would be great if you have Kafka experience. You must hold an AWS Certified "
        "Solutions Architect certification.\n"
    )
    assert [s.kind for s in jd.sections][-1] is K.REQUIREMENTS
    assert [c.requirement.value for c in jd.certifications] == ["REQUIRED"]


@pytest.mark.parametrize(
    "heading",
    [
        "Who we are looking for",
        "WHO WE'RE LOOKING FOR",
        "What you'll bring",
        "Essential criteria",
        "Your background",
    ],
)
def test_who_is_wanted_headings_open_the_requirements(heading: str) -> None:
    jd = parse_jd(
        "Sous Chef\n\nAbout us\nWe run three busy restaurants in the city centre and cook everything from "
        "scratch every day.\n\nResponsibilities\n- Run the pass during service\n- Order stock from suppliers\n\n"
        f"{heading}\n- Three years in a busy kitchen as a chef\n- Food hygiene certificate and good knife skills\n"
    )
    assert (K.REQUIREMENTS, heading) in [(s.kind, s.heading) for s in jd.sections]


def test_a_role_heading_over_a_list_of_duties_is_the_duties() -> None:
    jd = parse_jd(
        "Accountant\n\nAbout us\nWe are a leading manufacturer of building materials with 600 staff.\n\n"
        "Job Description\n- Prepare monthly financial reports\n- Reconcile bank statements every week\n"
        "- Follow up on customer payments\n- Maintain the fixed asset register\n\n"
        "Requirements\n- BA Degree in Accounting\n- 3 years of experience\n"
    )
    assert (K.RESPONSIBILITIES, "Job Description") in [(s.kind, s.heading) for s in jd.sections]
    # Prose under it stays about the role.
    jd = parse_jd(
        "Accountant\n\nJob Description\nThe accountant keeps our books for three factories. The role reports "
        "to the finance manager and works with the auditors.\n\nRequirements\n- BA Degree in Accounting\n"
    )
    assert (K.ABOUT_ROLE, "Job Description") in [(s.kind, s.heading) for s in jd.sections]


def test_an_ad_flattened_in_capitals_keeps_its_headings() -> None:
    jd = parse_jd(
        "ACCOUNTANT WE ARE LOOKING FOR AN ACCOUNTANT TO JOIN OUR FINANCE TEAM RESPONSIBILITIES PREPARE MONTHLY "
        "FINANCIAL STATEMENTS RECONCILE ACCOUNTS PAYABLES REQUIREMENTS BACHELOR DEGREE IN ACCOUNTING MINIMUM 4 "
        "YEARS EXPERIENCE IN AUDIT FIRMS HOW TO APPLY SEND CV",
        "Accountant",
    )
    # The headings, but not the EXPERIENCE of "4 YEARS EXPERIENCE IN AUDIT FIRMS".
    assert [s.heading for s in jd.sections if s.heading] == [
        "RESPONSIBILITIES",
        "REQUIREMENTS",
        "HOW TO APPLY",
    ]
    assert jd.experience is not None and jd.experience.min_months == 48


def test_the_title_line_over_a_flattened_body_stays_the_title() -> None:
    jd = parse_jd(
        "F&B Supervisor\nJob Description Supervise the restaurant team during service Train new waiters on "
        "service standards Handle guest complaints Job Requirements Diploma in Hotel Management with 3 years "
        "experience Knowledge of Micros POS is an advantage Good communication skills How to Apply Send your CV"
    )
    assert jd.role_title == "F&B Supervisor"
    assert [s.heading for s in jd.sections] == ["Job Description", "Job Requirements", "How to Apply"]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "JOB DESCRIPTION - Prepare monthly reports for the manager - Liaise with suppliers on delivery "
            "* Handle full set of accounts REQUIREMENTS - Degree in Accounting - Minimum 2 years experience",
            [
                "JOB DESCRIPTION",
                "Prepare monthly reports for the manager",
                "Liaise with suppliers on delivery",
                "Handle full set of accounts REQUIREMENTS",
                "Degree in Accounting",
                "Minimum 2 years experience",
            ],
        ),
        # Items that open with a figure, an acronym or "A"; a place after a dash is a title's region.
        (
            "REQUIREMENTS - Degree in Accounting - 3 years experience in audit - SAP and Excel - A valid "
            "licence. The Regional Director - East Africa will lead - Manage the team",
            [
                "REQUIREMENTS",
                "Degree in Accounting",
                "3 years experience in audit",
                "SAP and Excel",
                "A valid licence.",
                "The Regional Director - East Africa will lead",
                "Manage the team",
            ],
        ),
        # One or two dashes are prose; a range of days, sums or times is no list.
        *(
            (prose, [prose])
            for prose in (
                "The Communications Lead - Africa will run the team - Kenya office",
                "Working hours Monday - Friday - Saturday, salary RM 3,500 - RM 4,500 - RM 5,000 a month",
            )
        ),
    ],
)
def test_dashes_between_spaces_are_the_bullets_of_a_flattened_list(text: str, items: list[str]) -> None:
    assert [text[a:z] for a, z in sentence_spans(text)] == items


def test_a_flattened_ad_with_dash_bullets_reads_item_by_item() -> None:
    jd = parse_jd(
        "Purchasing Executive\nJOB RESPONSIBILITIES - Source and evaluate suppliers for raw materials - Prepare "
        "purchase orders and follow up on deliveries - Negotiate prices and payment terms with vendors - "
        "Maintain the vendor database JOB REQUIREMENTS - Diploma/Degree in Supply Chain Management or any "
        "related field - Minimum 2-3 years of purchasing experience in a manufacturing environment - Knowledge "
        "of SAP is an added advantage"
    )
    assert {s.kind for s in jd.sections if s.heading == "JOB RESPONSIBILITIES"} == {K.RESPONSIBILITIES}
    assert "Negotiate prices and payment terms with vendors" in [s.text for s in jd.responsibility_sentences]
    # Each reading keeps to its own item, not the run of items after it.
    assert jd.experience is not None and jd.experience.min_months == 24
    assert jd.experience.raw == "Minimum 2-3 years of purchasing experience in a manufacturing environment"
    assert [e.qualification for e in jd.education] == ["Supply Chain Management or any related field"]
