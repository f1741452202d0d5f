"""Skill extraction for a JD: phrase proposals, aggregation, primary/secondary, new-skill candidates."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.parsed import ParsedJd
from jdlens_server.nlp.skill_matcher import AliasEntry, SkillMatcher, tokenize
from jdlens_server.nlp.skill_phrases import PhraseKind, PhraseProposer
from jdlens_server.pipeline.extract import degree_fields_secondary, without_parsed_names, without_role_names
from jdlens_server.pipeline.skills import ExtractedSkillCandidate, extract_skills, is_legal_form, skill_spans

NAMES = {
    1: "Python (computer programming)",
    2: "SQL",
    3: "manage budgets",
    4: "Hadoop",
    5: "machine learning",
    6: "work in teams",
    7: "communication",
    8: "develop software",
    9: "analyse data",
}


def _entries() -> list[AliasEntry]:
    out = [AliasEntry(i, name, "canonical", "case_insensitive", "") for i, name in NAMES.items()]
    out += [
        AliasEntry(1, "Python", "alternative", "case_insensitive", "LANGUAGE"),
        AliasEntry(4, "Apache Hadoop", "alternative", "case_insensitive", "TOOL"),
        AliasEntry(2, "structured query language", "alternative", "case_insensitive", "LANGUAGE"),
        # verbs the library opens its skill labels with
        *[
            AliasEntry(100 + i, f"{v} things", "canonical", "case_insensitive", "")
            for i, v in enumerate(
                [
                    "manage",
                    "develop",
                    "lead",
                    "build",
                    "design",
                    "implement",
                    "collaborate",
                    "mentor",
                    "achieve",
                ]
                * 3
            )
        ],
    ]
    return out


def _matcher_of(*entries: tuple[int, str, str, str, str]) -> SkillMatcher:
    """A matcher over a few (skill id, text, alias type, match strategy, nature) aliases."""
    return SkillMatcher.build([AliasEntry(*e) for e in entries])


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher.build(_entries())


@pytest.fixture(scope="module")
def proposer(matcher: SkillMatcher) -> PhraseProposer:
    return PhraseProposer(matcher.lead_verbs)


def phrases(proposer: PhraseProposer, text: str) -> list[tuple[str, PhraseKind]]:
    return [(p.text, p.kind) for p in proposer.propose(text)]


# ---- phrase proposals -------------------------------------------------------------------------


def test_objects_after_knowledge_cues_split_into_list_items(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "Solid experience with physiological measurements and/or neuroscience.")
    assert ("physiological measurements", PhraseKind.OBJECT) in found
    assert ("neuroscience", PhraseKind.OBJECT) in found


def test_counts_and_times_are_no_skills_but_versions_stay(proposer: PhraseProposer) -> None:
    found = dict(
        phrases(
            proposer,
            "5+ years of experience, including 2+ years building NLP systems. Night shift (7p-7a). "
            "Experience with GPT-4, C++ and S3.",
        )
    )
    assert not {"2+", "7p", "7a", "7p-7a"} & set(found)
    assert {"NLP", "GPT-4", "C++", "S3"} <= set(found)


def test_object_cue_followed_by_a_gerund_reads_an_action(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "Experience in developing distributed systems.")
    assert ("developing distributed systems", PhraseKind.ACTION) in found


def test_actions_after_ability_cues_split_at_new_verbs(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "Ability to work in large teams to achieve organizational goals.")
    assert ("work in large teams", PhraseKind.ACTION) in found
    assert ("achieve organizational goals", PhraseKind.ACTION) in found


def test_a_flattened_list_is_read_item_by_item(proposer: PhraseProposer) -> None:
    # Ads flattened to one line: each item's phrase ends where the next item opens.
    found = phrases(
        proposer,
        "Generate leads through networking Build and maintain relationships with clients "
        "Knowledge of the local market Ability to negotiate deals",
    )
    assert ("Build and maintain relationships with clients", PhraseKind.ACTION) in found
    assert not any("Knowledge" in text and "clients" in text for text, _ in found)
    assert ("negotiate deals", PhraseKind.ACTION) in found


def test_duty_lines_open_with_a_verb(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "• Mentor junior developers")
    assert ("Mentor junior developers", PhraseKind.ACTION) in found
    # Application instructions are not skills.
    assert phrases(proposer, "Apply online before 1 March.") == []


def test_skill_nouns_keep_their_modifiers(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "You have excellent project management skills.")
    assert ("project management skills", PhraseKind.SKILL_NOUN) in found


def test_traits_and_tools(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "You are highly motivated and a team player who knows AWS and Node.js 18.")
    assert ("motivated", PhraseKind.TRAIT) in found
    assert ("team player", PhraseKind.TRAIT) in found
    assert ("AWS", PhraseKind.TOOL) in found
    assert ("Node.js 18", PhraseKind.TOOL) in found


def test_phrase_offsets_index_the_text(proposer: PhraseProposer) -> None:
    text = "Our needs:\n- knowledge of   cloud  security"
    for p in proposer.propose(text):
        assert text[p.start : p.end] == p.text


# ---- extraction -------------------------------------------------------------------------------

JD = (
    "About us: we build software for banks.\n"
    "Requirements:\n"
    "- 5+ years of experience with Python and SQL\n"
    "- Experience designing pipelines using Hadoop/Ceph, Spark/Flink, Hive and Kafka\n"
    "- Knowledge of machine learning; Python again\n"
    "Nice to have:\n"
    "- Ability to manage budgets\n"
)


def _regions(text: str) -> list[tuple[int, int, str]]:
    req = text.index("Requirements:")
    nice = text.index("Nice to have:")
    return [(0, req, "ABOUT_COMPANY"), (req, nice, "REQUIREMENTS"), (nice, len(text), "NICE_TO_HAVE")]


def test_extract_aggregates_mentions_with_evidence(matcher: SkillMatcher) -> None:
    skills = extract_skills(JD, _regions(JD), matcher, skill_names=NAMES)
    by_name = {s.name: s for s in skills}
    python = by_name["Python (computer programming)"]
    assert python.skill_id == 1 and not python.is_new and python.source == "dictionary"
    assert len(python.evidence) == 2
    assert all(JD[a:b] == "Python" and kind == "REQUIREMENTS" for a, b, kind in python.evidence)
    assert python.is_primary
    # Asked for only as a nice-to-have: secondary, and less confident than a required skill.
    budgets = by_name["manage budgets"]
    assert not budgets.is_primary
    assert budgets.confidence < python.confidence
    assert by_name["machine learning"].is_primary


def test_new_skills_from_tool_lists_are_split_and_marked_new(matcher: SkillMatcher) -> None:
    skills = extract_skills(JD, _regions(JD), matcher, skill_names=NAMES)
    new = {s.name: s for s in skills if s.is_new}
    assert {"Ceph", "Spark", "Flink", "Hive", "Kafka"} <= set(new)
    assert "Hadoop" not in new  # the library knows it
    for s in new.values():
        assert s.skill_id is None and s.source == "phrase"
        assert all(JD[a:b] == s.name for a, b, _ in s.evidence)
    # Library skills come first.
    assert [s.is_new for s in skills] == sorted(s.is_new for s in skills)


def test_an_ampersand_name_in_a_list_is_one_new_skill(matcher: SkillMatcher) -> None:
    text = "Experience with experiment tracking (Hadoop, Weights & Biases) and with Python & SQL, Kafka."
    skills = extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
    names = {s.name for s in skills}
    assert "Weights & Biases" in names and not {"Weights", "Biases"} & names
    # Library skills joined by "&" stay two skills.
    assert {NAMES[1], NAMES[2]} <= names


def test_regions_keep_boilerplate_out(matcher: SkillMatcher) -> None:
    text = "We offer Python courses and SQL snacks. You will analyse data."
    cut = text.index("You will")
    skills = extract_skills(text, [(cut, len(text), "RESPONSIBILITIES")], matcher, skill_names=NAMES)
    assert [s.name for s in skills] == ["analyse data"]


def test_the_employers_self_description_counts_only_for_its_stack(matcher: SkillMatcher) -> None:
    company = "We run Hadoop at scale, and our communication reaches millions. "
    duties = "You will analyse data."
    text = company + duties
    regions = [(0, len(company), "ABOUT_COMPANY"), (len(company), len(text), "RESPONSIBILITIES")]
    stack = {4}  # Hadoop is a tool; communication is a topic of the employer's, not of the role
    names = [s.name for s in extract_skills(text, regions, matcher, skill_names=NAMES, stack_skill_ids=stack)]
    assert sorted(names) == ["Hadoop", "analyse data"]
    # Without the stack set every mention counts, as before.
    every = {s.name for s in extract_skills(text, regions, matcher, skill_names=NAMES)}
    assert "communication" in every


def test_without_regions_repetition_decides_primary(matcher: SkillMatcher) -> None:
    text = "Python, Python and more Python. Some SQL."
    skills = {s.name: s for s in extract_skills(text, None, matcher, skill_names=NAMES)}
    assert skills["Python (computer programming)"].is_primary
    assert not skills["SQL"].is_primary


def test_strong_object_cues_propose_named_new_skills(matcher: SkillMatcher) -> None:
    text = "Requirements: proficiency in Terraform and experience with Big Data."
    skills = {
        s.name
        for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
        if s.is_new
    }
    assert {"Terraform", "Big Data"} <= skills


def test_skill_spans_keep_both_readings(matcher: SkillMatcher, proposer: PhraseProposer) -> None:
    text = "Ability to develop machine learning models and excellent communication skills."
    spans = [(text[c.start : c.end], c.source) for c in skill_spans(text, matcher, proposer)]
    # An action and the library term inside it are both readings an annotator may draw.
    assert ("develop machine learning models", "phrase") in spans
    assert ("machine learning", "dictionary") in spans
    # "X skills" keeps the modifier, dropping the bare dictionary word inside it.
    assert ("communication skills", "phrase") in spans
    assert ("communication", "dictionary") not in spans


def test_sentences_about_the_employer_ask_nothing_of_the_candidate(
    matcher: SkillMatcher, proposer: PhraseProposer
) -> None:
    assert phrases(proposer, "We offer courses such as cooking and yoga.") == []
    assert phrases(proposer, "We are a passionate and motivated team.") == []
    assert ("Docker", PhraseKind.OBJECT) in phrases(proposer, "You know tools such as Docker and Git.")
    text = "Our engineers love SQL. You know Python."
    spans = [text[c.start : c.end] for c in skill_spans(text, matcher, proposer)]
    assert spans == ["Python"]


def test_passive_duties_and_headings_are_not_actions(proposer: PhraseProposer) -> None:
    assert phrases(proposer, "You will be located in our Berlin office.") == []
    assert phrases(proposer, "Brief Description") == []


def test_places_certifications_and_the_employer_are_not_proposed_as_new_skills() -> None:
    text = (
        "Registered Nurse\n\nSt. Mary's Regional Hospital, Springfield, IL · Full-time\n\n"
        "St. Mary's Regional Hospital is seeking a Registered Nurse for its surgical unit.\n\n"
        "Responsibilities\n- Assess patients and administer medication safely.\n"
        "- Document care in the electronic health record.\n\n"
        "Requirements\n- Active RN license in the State of Illinois.\n"
        "- Current BLS and ACLS certification.\n- Experience with Epic charting.\n"
    )
    jd = parse_jd(text)

    def candidate(name: str, *, new: bool = True) -> ExtractedSkillCandidate:
        return ExtractedSkillCandidate(name, None if new else 7, True, 0.8, (), "phrase", name, new)

    names = [
        "Springfield",
        "IL",
        "Illinois",
        "BLS",
        "ACLS",
        "RN",
        "Mary's Regional Hospital",
        "Epic charting",
    ]
    kept = without_parsed_names([candidate(n) for n in names] + [candidate("Illinois", new=False)], jd)
    # New skills that name the parsed place, certifications or employer go; a library match stays.
    assert [(c.name, c.is_new) for c in kept] == [("Epic charting", True), ("Illinois", False)]


def test_degrees_pay_figures_and_the_title_are_not_proposed_as_new_skills() -> None:
    text = (
        "6G Pipe Welder (TIG/ARC)\n\nSalary: PHP 20,000 - PHP 25,000 per month\n\n"
        "Responsibilities\n- Weld carbon steel pipe spools to the WPS.\n\n"
        "Requirements\n- ITI / Diploma in Mechanical Engineering (DME) or B.E.\n- Knowledge of GTAW and SMAW.\n"
    )
    names = ["6G Pipe Welder", "PHP 20", "DME", "B.E", "GTAW", "WPS"]

    def kept(jd: ParsedJd, name: str, last: bool = False) -> bool:
        plain = jd.plain_text  # evidence indexes the plain text
        at = plain.rindex(name) if last else plain.index(name)
        c = ExtractedSkillCandidate(name, None, True, 0.6, ((at, at + len(name), ""),), "phrase", name, True)
        return bool(without_parsed_names([c], jd))

    jd = parse_jd(text)
    assert jd.education and jd.compensation is not None
    assert [n for n in names if kept(jd, n)] == ["GTAW", "WPS"]
    # The same posting as HTML: the parser's fields index the original, the evidence the plain text.
    html = (
        "<html><body><h1>6G Pipe Welder (TIG/ARC)</h1><p>Salary: PHP 20,000 - PHP 25,000 per month</p>"
        "<h2>Responsibilities</h2><ul><li>Weld carbon steel pipe spools to the WPS.</li></ul>"
        "<h2>Requirements</h2><ul><li>ITI / Diploma in Mechanical Engineering (DME) or B.E.</li>"
        "<li>Knowledge of GTAW and SMAW.</li></ul></body></html>"
    )
    jd = parse_jd(html)
    assert jd.education and jd.compensation is not None
    assert [n for n in names if kept(jd, n)] == ["GTAW", "WPS"]
    # A run of the title asked for again below it is a skill; on the title's line alone it is not.
    jd = parse_jd(
        "SAP FICO Consultant\n\nResponsibilities\n- Configure the finance and controlling modules for our "
        "clients.\n- Run workshops with finance teams and write the functional specifications.\n\n"
        "Requirements\n- 5 years of SAP FICO experience.\n- Knowledge of S/4HANA migrations.\n"
    )
    assert not kept(jd, "SAP FICO") and kept(jd, "SAP FICO", last=True)


def test_id_documents_and_reservation_categories_are_no_new_skills(matcher: SkillMatcher) -> None:
    text = (
        "Requirements:\n- Complete documents: SSS, PhilHealth, Pag-IBIG, NBI Clearance and TIN\n"
        "- Reservation as per norms for SC/ST/OBC/PwD candidates\n- Tools such as Docker, Kubernetes and Helm\n"
        "- Proficiency in MS Office and [REDACTED] Suite\n"
    )
    names = {
        s.name for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
    }
    assert {"Docker", "Kubernetes", "Helm"} <= names
    assert not names & {"SSS", "PhilHealth", "Pag-IBIG", "NBI Clearance", "TIN", "SC/ST", "SC", "OBC", "PwD"}
    assert "REDACTED" not in names  # a placeholder for a name the source removed


def test_qualifiers_are_no_part_of_a_name_and_acronym_plurals_are_one_skill(matcher: SkillMatcher) -> None:
    text = (
        "Requirements:\n"
        "• Strong Python, Terraform, Ansible and Pulumi\n"
        "• Experience building REST services with GitHub Actions, ArgoCD and Jenkins\n"
        "• Design APIs and maintain the API gateway; track KPIs and report each KPI weekly\n"
    )
    skills = extract_skills(text, [(0, len(text), "requirements")], matcher, skill_names=NAMES)
    names = [s.name for s in skills]
    assert "Strong Python" not in names and "Python (computer programming)" in names
    assert not any(n.lower().startswith(("strong ", "with ")) for n in names), names
    # "APIs" and "API", "KPIs" and "KPI": one key each, so never two new skills.
    keys = [" ".join(t.key for t in tokenize(n)) for n in names]
    assert len(keys) == len(set(keys)), names


@pytest.mark.parametrize(
    ("line", "tools"),
    [
        ("Run the marketing automation platform (HubSpot/Marketo) every day.", ["HubSpot", "Marketo"]),
        ("Use Marketo/HubSpot for nurture flows.", ["Marketo", "HubSpot"]),
        ("Ship with GitHub/Gitlab pipelines.", ["GitHub", "Gitlab"]),
        ("Sales/Marketing teams share the GitHub board.", ["GitHub"]),  # no tool in the pair
        ("Use HubSpot / Salesforce daily.", ["HubSpot"]),  # a spaced slash joins no name
    ],
)
def test_a_word_slashed_to_a_tool_is_proposed_with_it(
    proposer: PhraseProposer, line: str, tools: list[str]
) -> None:
    found = [line[p.start : p.end] for p in proposer.propose(line) if p.kind is PhraseKind.TOOL]
    assert found == tools


def test_one_word_of_the_employers_name_may_still_be_a_skill() -> None:
    text = (
        "Salesforce Developer\n\nApex Systems is hiring a Salesforce Developer for a client in Dallas, TX.\n\n"
        "Responsibilities\n- Write Apex triggers and Lightning components.\n"
        "- Maintain integrations with the client's ERP.\n\n"
        "Requirements\n- Three years of Salesforce development.\n"
    )
    jd = parse_jd(text)
    assert jd.company_name == "Apex Systems"

    def candidate(name: str) -> ExtractedSkillCandidate:
        return ExtractedSkillCandidate(name, None, True, 0.8, (), "phrase", name, True)

    kept = without_parsed_names([candidate("Apex"), candidate("Apex Systems"), candidate("Dallas")], jd)
    assert [c.name for c in kept] == ["Apex"]


@pytest.mark.parametrize(
    ("text", "not_proposed", "proposed"),
    [
        # A hedge before a name is no part of it.
        ("Experience with cloud platforms, preferably Pulumi", {"preferably Pulumi"}, {"Pulumi"}),
        # A duty line's capitalised verb opens a list of names, it is none of them.
        ("- Define and track SLIs, SLOs and error budgets", {"Define"}, {"SLIs", "SLOs"}),
        # Work arrangements are no skills.
        ("Tools: Hadoop, Figma, Hybrid, Remote and Slack", {"Hybrid", "Remote"}, {"Figma", "Slack"}),
        # A budget is a count.
        ("Budgets of $500K+, Hadoop, Flink, Hive", {"500K+"}, {"Flink"}),
        # Two letters name too many things; a postcode is a place; a product's generic head goes.
        ("Tools: QA, MM, Figma and Slack", {"QA", "MM"}, {"Figma", "Slack"}),
        ("Experience with Jira and 8D problem solving", set(), {"Jira"}),
        ("Experience with NSW 2150, Figma", {"NSW 2150"}, {"Figma"}),
        ("Experience with J2EE development and Figma", {"J2EE development"}, {"J2EE", "Figma"}),
        # Statutory schemes and heading words are no skills.
        ("Tools: EPF, SOCSO, HRDF, Figma", {"EPF", "SOCSO", "HRDF"}, {"Figma"}),
        # Quantities and reference numbers.
        (
            "Tools: Figma, 12kg, 33kV, R1987654",
            {"12kg", "33kV", "R1987654"},
            {"Figma"},
        ),
        # Regulators and agencies: after "the", or spelled out as one; a modifier or a system stays.
        (
            "Experience with Figma; care registered with the CQC and regulated by the FCA.",
            {"CQC", "FCA"},
            {"Figma"},
        ),
        (
            "Tools: Figma, PAH\nRotations at Princess Alexandra Hospital (PAH)",
            {"PAH"},
            {"Figma"},
        ),
        ("Experience with the AML Compliance team, and Figma", set(), {"AML"}),
        # Networks, a network named in full, a practice after "within the": still skills.
        ("Tools: 5G, 10G, Figma", set(), {"5G", "10G"}),
        ("Tools: Figma, CDN\nSpeed up our Content Delivery Network (CDN).", set(), {"CDN"}),
        ("Tools: Figma, SDLC\nWork within the SDLC.", set(), {"SDLC"}),
    ],
)
def test_what_is_no_new_skill(
    matcher: SkillMatcher, text: str, not_proposed: set[str], proposed: set[str]
) -> None:
    new = {
        s.name
        for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
        if s.is_new
    }
    assert proposed <= new
    assert not (not_proposed & new)


def test_a_new_skill_name_never_runs_over_a_line_break(matcher: SkillMatcher) -> None:
    text = "ICU Registered Nurse (RN) - Medical/Surgical ICU, Nights\n\nSt. Brendan Medical Center"
    new = [s.name for s in extract_skills(text, [(0, len(text), "ABOUT_ROLE")], matcher, skill_names=NAMES)]
    assert new and all("\n" not in name for name in new)


def test_a_library_label_the_matcher_turned_down_is_no_new_skill() -> None:
    # "Go" the language needs a language beside it; listed with tools only, the matcher turns it
    # down, and the list reader must not propose the library's own label as a new skill.
    entries = [*_entries(), AliasEntry(50, "Go", "alternative", "context_required", "LANGUAGE")]
    matcher = SkillMatcher.build(entries)
    text = "Tools: Go, Flink, S3"
    found = {
        s.name: s.is_new
        for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
    }
    assert "Go" not in found and found.get("Flink") is True
    assert matcher.is_label("go") and matcher.is_label("Apache Hadoop") and not matcher.is_label("Flink")


def test_a_currency_code_before_an_amount_is_no_skill() -> None:
    from jdlens_server.pipeline.skills import is_pay_term

    text = "Salary: PHP 22,000 monthly. Experience with PHP 8 and Laravel."
    assert is_pay_term(text, 8, 11)
    assert not is_pay_term(text, text.index("PHP 8"), text.index("PHP 8") + 3)
    assert is_pay_term("PHP 610/day + incentives", 0, 3)  # a daily rate
    pay = "Salary: SGD 4,500 - 5,800 per month + AWS + variable bonus\nDeploy services on AWS."
    assert is_pay_term(pay, pay.index("AWS"), pay.index("AWS") + 3)
    assert not is_pay_term(pay, pay.rindex("AWS"), pay.rindex("AWS") + 3)
    # An item of a list of benefits, with no pay figure on its line.
    perks = "Benefits include AWS, variable bonus and medical. Experience with AWS and Terraform."
    assert is_pay_term(perks, perks.index("AWS"), perks.index("AWS") + 3)
    assert not is_pay_term(perks, perks.rindex("AWS"), perks.rindex("AWS") + 3)


def test_a_sentence_of_the_employer_about_itself_is_found_by_its_name() -> None:
    from jdlens_server.pipeline.skills import in_employer_sentence

    text = (
        "Company: Clearpath\n\nClearpath Analytics helps finance teams close their books with AI-powered "
        "reconciliation. We are hiring.\nYou will use AI tools daily."
    )
    assert in_employer_sentence(text, text.index("AI-"), "Clearpath Analytics")
    assert not in_employer_sentence(text, text.rindex("AI"), "Clearpath Analytics")  # addresses the reader


def test_a_prose_posting_asks_for_skills_in_its_role_text(matcher: SkillMatcher) -> None:
    text = "You will build reporting in SQL for the finance team. Nice if you know Python."
    # No duties or requirements section at all: the role text is where the work is described.
    prose = {
        s.name: s for s in extract_skills(text, [(0, len(text), "ABOUT_ROLE")], matcher, skill_names=NAMES)
    }
    assert prose["SQL"].is_primary
    # Beside a requirements section, the role text alone makes no skill primary.
    regions = [(0, len(text), "ABOUT_ROLE"), (len(text), len(text), "REQUIREMENTS")]
    sectioned = {s.name: s for s in extract_skills(text, regions, matcher, skill_names=NAMES)}
    assert not sectioned["SQL"].is_primary


def test_function_words_make_no_object(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "Experience with one or more cloud platforms.")
    assert found == [("cloud platforms", PhraseKind.OBJECT)]
    found = phrases(proposer, "You have a good sense for tech trends and how to apply them.")
    assert ("tech trends", PhraseKind.OBJECT) in found and all(text != "how" for text, _ in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "We do not discriminate on the basis of race religion color national origin gender sexual orientation.",
        "Applicants are considered without regard to race, colour, sex, age or disability.",
    ],
)
def test_an_equal_opportunity_statement_asks_for_nothing(
    matcher: SkillMatcher, proposer: PhraseProposer, sentence: str
) -> None:
    text = f"{sentence} Knowledge of Python."
    assert [text[c.start : c.end] for c in skill_spans(text, matcher, proposer)] == ["Python"]


def test_a_breakdown_by_age_and_gender_is_no_equal_opportunity_statement(proposer: PhraseProposer) -> None:
    from jdlens_server.nlp.skill_phrases import is_equal_opportunity

    assert not is_equal_opportunity(
        tokenize("Analyse survey data on a monthly basis, by age and gender, in SPSS.")
    )
    assert is_equal_opportunity(tokenize("We do not discriminate on the basis of race or religion."))


def test_an_hr_duty_about_discrimination_is_still_read(proposer: PhraseProposer) -> None:
    found = phrases(proposer, "Manage harassment and discrimination complaints from staff.")
    assert ("Manage harassment and discrimination complaints from staff", PhraseKind.ACTION) in found


def test_a_language_compound_is_its_name_not_a_new_skill() -> None:
    matcher = _matcher_of(
        (1, "English", "canonical", "case_insensitive", "NATURAL_LANGUAGE"),
        (2, "terminology", "canonical", "case_insensitive", ""),
        (2, "language", "alternative", "case_insensitive", ""),
    )
    text = "Requirements: knowledge of English language and programming languages; knowledge of language."
    found = extract_skills(
        text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names={1: "English", 2: "terminology"}
    )
    names = [c.name for c in found]
    # "English language" is English, "programming languages" no terminology; the bare word after
    # a cue still is.
    assert "English" in names and "English language" not in names
    evidence = [(a, b) for c in found if c.name == "terminology" for a, b, *_ in c.evidence]
    assert evidence == [(text.rindex("language"), len(text) - 1)]


def test_responsible_for_frames_a_duty_not_a_skill() -> None:
    matcher = _matcher_of(
        (1, "assume responsibility", "canonical", "case_insensitive", ""),
        (1, "be responsible", "alternative", "case_insensitive", ""),
    )
    assert matcher.find("You will be responsible for payroll and invoicing.") == []
    assert [m.skill_id for m in matcher.find("You must be responsible and reliable.")] == [1]


def test_an_exact_label_beats_an_inflected_one_it_overlaps() -> None:
    matcher = _matcher_of(
        (1, "machine learning", "canonical", "case_insensitive", ""),
        (2, "assemble machines", "canonical", "case_insensitive", ""),
        (2, "building machines", "alternative", "case_insensitive", ""),
    )
    text = "You will be building machine learning systems."
    assert [(m.skill_id, text[m.start : m.end]) for m in matcher.find(text)] == [(1, "machine learning")]
    text = "Experience building machines for the food industry."
    assert [m.skill_id for m in matcher.find(text)] == [2]


def test_an_acronyms_plural_is_the_acronym_but_a_words_is_not() -> None:
    matcher = _matcher_of(
        (1, "large language models", "canonical", "case_insensitive", "CONCEPT"),
        (1, "LLM", "abbreviation", "context_required", "TOOL"),
        (2, "information technology", "canonical", "case_insensitive", ""),
        (2, "IT", "abbreviation", "case_insensitive", ""),
    )
    text = "Practical experience with LLMs in production software."
    assert [text[m.start : m.end] for m in matcher.find(text)] == ["LLMs"]
    assert matcher.find("The company and its subsidiaries sell software.") == []


def test_a_coordination_shares_its_head_and_its_object() -> None:
    matcher = SkillMatcher.build(
        [
            AliasEntry(1, "negotiate compromises", "canonical", "case_insensitive", ""),
            AliasEntry(1, "negotiation skills", "alternative", "case_insensitive", ""),
            AliasEntry(2, "answer incoming calls", "canonical", "case_insensitive", ""),
            # the library opens labels with "answer" often enough to make it a lead verb
            *[
                AliasEntry(10 + i, f"answer {w}", "canonical", "case_insensitive", "")
                for i, w in enumerate("abc")
            ],
        ]
    )
    text = "Excellent negotiation, presentation and analytical skills."
    assert [(m.skill_id, text[m.start : m.end]) for m in matcher.find(text)] == [(1, "negotiation")]
    text = "Answer and direct incoming calls."
    assert [(m.skill_id, text[m.start : m.end]) for m in matcher.find(text)] == [(2, "Answer")]
    # No coordination, no shared label.
    assert matcher.find("Negotiation with suppliers; analytical skills.") == []


def _requirement_names(text: str, matcher: SkillMatcher) -> set[str]:
    return {
        s.name for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
    }


def test_days_language_levels_and_organisations_are_no_new_skills(matcher: SkillMatcher) -> None:
    names = _requirement_names(
        "Requirements:\n- Experience with Kubernetes, Saturdays and Sundays as needed\n"
        "- German at least B2+ and English C1, tools such as Helm\n"
        "- Experience with the Medical Research Council, Zero Trust and Terraform Cloud\n"
        "- Experience with embedded systems and the ERP system\n",
        matcher,
    )
    assert {"Kubernetes", "Helm", "Terraform Cloud", "Zero Trust", "embedded systems", "ERP"} <= names
    assert not names & {"Saturdays", "Sundays", "B2+", "C1", "English C1", "Medical Research Council"}


def test_a_part_of_a_longer_name_is_no_skill_of_its_own(matcher: SkillMatcher) -> None:
    names = _requirement_names(
        "Requirements:\n- Experience with Siemens S7 and Allen-Bradley ControlLogix\n"
        "- Tools such as Primavera P6\n- Experience with QuickBooks accounting software and Jira\n",
        matcher,
    )
    assert {"Siemens S7", "Primavera P6", "Jira"} <= names
    assert not names & {"S7", "P6", "ControlLogix"}
    # Words after a name do not make it a part: QuickBooks stays a skill.
    assert "QuickBooks" in names


def test_new_skills_that_name_a_role_of_the_library_are_dropped() -> None:
    # Only the snapshot's role alias map is read: a stand-in with five roles' aliases.
    snapshot = cast(
        LibrarySnapshot,
        SimpleNamespace(
            role_alias_map={
                "lecturer": [(1, "lecturer")],
                "gp": [(2, "GP")],
                "hr director": [(3, "HR director")],
                "seo": [(4, "SEO")],
                "composer": [(5, "composer")],
            }
        ),
    )

    def candidate(name: str, new: bool = True) -> ExtractedSkillCandidate:
        return ExtractedSkillCandidate(name, None if new else 7, True, 0.8, (), "phrase", name, new)

    names = ["Lecturer", "GPs", "HR Director", "HRIS", "Grant writing", "SEO", "Composer"]
    kept = without_role_names([candidate(n) for n in names] + [candidate("GP", new=False)], snapshot)
    # One word that is also a field or a tool stays: "SEO", the PHP tool Composer.
    assert [(c.name, c.is_new) for c in kept] == [
        ("HRIS", True),
        ("Grant writing", True),
        ("SEO", True),
        ("Composer", True),
        ("GP", False),
    ]


def test_a_hedge_in_a_flattened_list_speaks_of_its_own_item(matcher: SkillMatcher) -> None:
    text = (
        "Job Requirements Experience with Python and SQL Knowledge of Hadoop is an advantage "
        "Ability to work in teams"
    )
    skills = {
        s.name: s for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
    }
    assert skills["Python (computer programming)"].is_primary and skills["SQL"].is_primary
    assert not skills["Hadoop"].is_primary


@pytest.mark.parametrize(
    "hedge", ["is an asset", "is preferable", "strongly desired", "would be an asset", "is optional"]
)
def test_the_hedges_postings_use_make_a_skill_secondary(matcher: SkillMatcher, hedge: str) -> None:
    text = f"Requirements\nExperience with Python and SQL.\nKnowledge of Hadoop {hedge}.\n"
    skills = {
        s.name: s for s in extract_skills(text, [(0, len(text), "REQUIREMENTS")], matcher, skill_names=NAMES)
    }
    assert skills["Python (computer programming)"].is_primary
    assert not skills["Hadoop"].is_primary


@pytest.mark.parametrize(
    "duty",
    [
        "Use Hadoop to deliver the desired results.",
        "Build Hadoop jobs that give the sales team a competitive advantage.",
        "Maintain an asset register in Hadoop.",
    ],
)
def test_words_of_a_duty_are_no_hedge(matcher: SkillMatcher, duty: str) -> None:
    text = f"Responsibilities\n{duty}\n"
    skills = {
        s.name: s
        for s in extract_skills(text, [(0, len(text), "RESPONSIBILITIES")], matcher, skill_names=NAMES)
    }
    assert skills["Hadoop"].is_primary


@pytest.mark.parametrize(
    ("text", "legal_form"),
    [
        ("[REDACTED] Construction PLC is hiring", True),
        ("Employer: Abyssinia Trading PLC", True),
        ("Experience in Siemens PLC programming", False),
        ("Program PLC panels and SCADA screens", False),
    ],
)
def test_plc_after_a_firms_name_is_its_legal_form(text: str, legal_form: bool) -> None:
    at = text.index("PLC")
    assert is_legal_form(text, at, at + 3) is legal_form


def test_organisations_an_ngo_posting_names_are_no_new_skills(matcher: SkillMatcher) -> None:
    names = _requirement_names(
        "Requirements:\n- Experience with NGOs, UNICEF and Kobo Toolbox\n- Experience with USAID and ODK\n",
        matcher,
    )
    assert {"Kobo Toolbox", "ODK"} <= names
    assert not names & {"NGOs", "UNICEF", "USAID"}


def test_a_degrees_field_is_a_secondary_skill() -> None:
    jd = parse_jd(
        "Data Officer\n\nResponsibilities\n- Collect programme data with Python scripts\n\nRequirements\n"
        "- BSc in Statistics, Economics or a related field\n- Knowledge of SQL\n"
    )
    at = jd.plain_text.index

    def skill(name: str, start: int, new: bool = False) -> ExtractedSkillCandidate:
        span = ((start, start + len(name), "REQUIREMENTS"),)
        return ExtractedSkillCandidate(name, None if new else 1, True, 0.9, span, "dictionary", name, new)

    candidates = [
        skill("Statistics", at("Statistics")),
        skill("SQL", at("SQL")),
        skill("Economics", at("Economics"), new=True),
    ]
    primary = {c.name: c.is_primary for c in degree_fields_secondary(candidates, jd)}
    # The field the degree may be in is secondary; a skill asked for itself, and a new one, keep their say.
    assert primary == {"Statistics": False, "SQL": True, "Economics": True}
