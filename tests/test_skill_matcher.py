"""The dictionary skill matcher: tokens, inflection folding, offsets, longest match, context rules."""

from __future__ import annotations

import pytest

from jdlens_server.library.snapshot import SkillInfo
from jdlens_server.library.state import _matcher_nature
from jdlens_server.nlp.skill_matcher import AliasEntry, SkillMatcher, is_tool_like, label_key, tokenize
from jdlens_server.nlp.stemming import fold_token, fold_tokens


def entry(
    skill_id: int,
    text: str,
    alias_type: str = "canonical",
    strategy: str = "case_insensitive",
    nature: str = "",
) -> AliasEntry:
    return AliasEntry(skill_id, text, alias_type, strategy, nature)


# ---- stemming -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("managing", "manage"),
        ("managed", "manages"),
        ("pipelines", "pipeline"),
        ("technologies", "technology"),
        ("planning", "plan"),
        ("modelling", "modeling"),
        ("optimise", "optimizing"),
        ("analyse", "analyze"),
        ("classes", "class"),
        ("applying", "apply"),
    ],
)
def test_inflections_fold_together(a: str, b: str) -> None:
    assert fold_token(a) == fold_token(b)


@pytest.mark.parametrize(("a", "b"), [("engineering", "engineer"), ("news", "new"), ("analysis", "analys")])
def test_different_words_stay_apart(a: str, b: str) -> None:
    assert fold_token(a) != fold_token(b)


def test_symbols_and_short_words_are_kept() -> None:
    assert fold_token("C++") == "c++"
    assert fold_token("C#") == "c#"
    assert fold_token("Node.js") == "node.js"
    assert fold_token("using") == "using"
    assert fold_tokens(["Data", "Pipelines"]) == fold_tokens(["data", "pipeline"])


# ---- tokens ---------------------------------------------------------------------------------


def test_tokenize_keeps_tech_names_and_offsets() -> None:
    text = "Use .NET, ASP.NET and Node.js; full-stack C++/C# (e.g. R&D) experience.Requirements"
    toks = tokenize(text)
    words = [t.text for t in toks]
    assert words[:9] == ["Use", ".NET", ",", "ASP.NET", "and", "Node.js", ";", "full", "stack"]
    assert "C++" in words and "C#" in words and "R&D" in words
    # A sentence end that lost its space comes apart; a dot inside a name does not.
    assert words[-3:] == ["experience", ".", "Requirements"]
    for t in toks:
        assert text[t.start : t.end] == t.text


def test_label_keys_meet_across_forms() -> None:
    assert label_key("Managing Data-Pipelines") == label_key("manage data pipeline")
    assert label_key("C++ / C#") == "c++ / c#"
    assert label_key("Python (computer programming)").startswith("python (")


def test_tool_shapes() -> None:
    for name in (
        "JavaScript",
        "AWS",
        "Node.js",
        "C++",
        "C#",
        "S3",
        ".NET",
        "iOS",
        "PostgreSQL",
        "3D",
        "5G",
        "H2O",
    ):
        assert is_tool_like(name), name
    for word in ("Python", "design", "Requirements", "13th", "20yrs", "andInnovation", "41,013"):
        assert not is_tool_like(word), word
    # Times, counts and decades: "7p-7a" shifts, "2+ years", "I-9s", "the 1990s".
    for word in ("7p", "7a", "2+", "10+", "9s", "1990s"):
        assert not is_tool_like(word), word
    for abbreviation in ("e.g", "E.g.", "i.e.", "Ph.D", "M.Sc.", "etc."):
        assert not is_tool_like(abbreviation), abbreviation


# ---- matching -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher.build(
        [
            entry(1, "machine learning", nature="KNOWLEDGE"),
            entry(2, "learning", alias_type="hidden"),
            entry(3, "manage budgets"),
            entry(4, "Python (computer programming)", nature="LANGUAGE"),
            entry(5, "Go", alias_type="alternative", nature="LANGUAGE"),
            entry(6, "Java (computer programming)", nature="LANGUAGE"),
            entry(6, "Java", alias_type="alternative", nature="LANGUAGE"),
            entry(7, "R", nature="LANGUAGE"),
            entry(8, "Apache Spark", nature="TOOL"),
            entry(8, "Spark", alias_type="alternative", nature="TOOL"),
            entry(9, "LESS", nature="TOOL"),
            entry(10, "design", nature="PRACTICE"),
            entry(
                11, "Excel", alias_type="alternative", strategy="CONTEXT_REQUIRED", nature="SKILL_NATURE_TOOL"
            ),
            entry(12, "PowerPoint", nature="TOOL"),
            entry(13, "SQL", nature="TOOL"),
            entry(14, "IT", alias_type="abbreviation", strategy="exact"),
            entry(15, "data pipelines"),
            entry(16, "full-stack development"),
            # Two skills qualified by the same head: the bare head is ambiguous, so no implicit alias.
            entry(17, "Unity (digital game creation systems)", nature="TOOL"),
            entry(18, "Unity (teamwork)", nature="PRACTICE"),
            *[entry(100 + i, f"design {w}") for i, w in enumerate("abcdefghijklmnopqrstuvwxyz" * 3)],
        ]
    )


def found(matcher: SkillMatcher, text: str) -> list[tuple[str, int]]:
    return [(text[m.start : m.end], m.skill_id) for m in matcher.find(text)]


def test_offsets_index_the_original_text(matcher: SkillMatcher) -> None:
    text = "We need   Managing Budgets and Data-Pipelines skills."
    hits = matcher.find(text)
    assert [(text[m.start : m.end], m.skill_id) for m in hits] == [
        ("Managing Budgets", 3),
        ("Data-Pipelines", 15),
    ]
    assert all(m.confidence > 0 for m in hits)


def test_longest_match_wins(matcher: SkillMatcher) -> None:
    assert found(matcher, "Strong machine learning background") == [("machine learning", 1)]


def test_word_boundaries(matcher: SkillMatcher) -> None:
    assert found(matcher, "MySQL and NoSQL stores") == []
    assert found(matcher, "SQL, and more SQL.") == [("SQL", 13), ("SQL", 13)]


def test_hyphen_and_space_forms_meet(matcher: SkillMatcher) -> None:
    assert found(matcher, "full stack developments") == [("full stack developments", 16)]


@pytest.mark.parametrize(
    ("label", "text", "span"),
    [
        (
            "extraction, transformation and loading",
            "Pipelines for extraction, transformation, and loading of data.",
            "extraction, transformation, and loading",
        ),
        (
            "extraction, transformation, and loading",
            "Pipelines for extraction, transformation and loading of data.",
            "extraction, transformation and loading",
        ),
        (
            "reading, writing or speaking",
            "Fluent in reading, writing, or speaking.",
            "reading, writing, or speaking",
        ),
    ],
)
def test_both_comma_styles_of_a_list_label_meet(label: str, text: str, span: str) -> None:
    matcher = SkillMatcher.build([entry(1, label)])
    assert found(matcher, text) == [(span, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "We handle sales, and marketing is run by head office.",
        "Market research, and development of new lines.",
    ],
)
def test_a_clause_comma_still_ends_a_label(text: str) -> None:
    # Only list labels get the other comma style; "A and B" is no list.
    matcher = SkillMatcher.build([entry(1, "sales and marketing"), entry(2, "research and development")])
    assert found(matcher, text) == []


def test_parenthetical_label_head_is_an_implicit_alias(matcher: SkillMatcher) -> None:
    hits = matcher.find("Python developer")
    assert [(m.skill_id, m.alias_type) for m in hits] == [(4, "implicit")]
    assert found(matcher, "Unity is key") == []


def test_language_homonyms_need_a_language_cue(matcher: SkillMatcher) -> None:
    assert found(matcher, "We use Go, Python and Java daily.") == [("Go", 5), ("Python", 4), ("Java", 6)]
    assert found(matcher, "Go to market with us.") == []
    assert found(matcher, "We go to market with Python.") == [("Python", 4)]
    assert found(matcher, "Programming in Go is a plus.") == [("Go", 5)]
    assert found(matcher, "Knowledge of R or Python") == [("R", 7), ("Python", 4)]
    assert found(matcher, "Section R of the contract") == []


def test_tool_homonyms_need_casing_and_a_tech_cue(matcher: SkillMatcher) -> None:
    assert found(matcher, "Experience with Spark and SQL") == [("Spark", 8), ("SQL", 13)]
    assert found(matcher, "Ideas that spark joy") == []
    assert found(matcher, "Proficient in Excel and PowerPoint") == [("Excel", 11), ("PowerPoint", 12)]
    assert found(matcher, "You excel at communication") == []
    # Opening a sentence says nothing of casing; listed beside another tool it is still a name.
    assert found(matcher, "Spark, SQL or similar.") == [("Spark", 8), ("SQL", 13)]
    assert found(matcher, "Excel and PowerPoint daily.") == [("Excel", 11), ("PowerPoint", 12)]
    assert found(matcher, "Spark joy in every customer.") == []
    assert found(matcher, "Excel at communication.") == []


def test_a_capitals_word_is_tech_context_only_when_listed_with_the_name() -> None:
    matcher = SkillMatcher.build([entry(1, "GCP", strategy="context_required", nature="PLATFORM")])
    # Acronyms fill every field's writing: "ICH" beside "GCP" (Good Clinical Practice) is no stack.
    assert found(matcher, "Trials run to ICH GCP guidelines.") == []
    assert found(matcher, "Deploy to AWS, GCP or a private cloud.") == [("GCP", 1)]
    # A tool of another shape is evidence anywhere in the sentence.
    assert found(matcher, "Services on GCP written in Node.js.") == [("GCP", 1)]


def test_generic_words_need_a_skill_cue(matcher: SkillMatcher) -> None:
    assert found(matcher, "strong design skills") == [("design", 10)]
    assert found(matcher, "The design of our office is open") == []
    # A duty line's capitalised verb is no product name, with or without its bullet, even in a
    # sentence full of tools.
    for line in (
        "- Design retrieval pipelines with Python and SQL",
        "Design retrieval pipelines with Python",
    ):
        assert ("Design", 10) not in found(matcher, "Requirements\n" + line)


def test_all_caps_aliases_match_capitals_only(matcher: SkillMatcher) -> None:
    assert found(matcher, "Styles in LESS and SQL") == [("LESS", 9), ("SQL", 13)]
    assert found(matcher, "less is more") == []
    # A text in lower case throughout (tags, chat) gives no casing evidence, except that a
    # function word stays a function word.
    assert found(matcher, "python sql less") == [("python", 4), ("sql", 13)]


def test_exact_strategy_needs_the_exact_surface(matcher: SkillMatcher) -> None:
    assert found(matcher, "Our IT team") == [("IT", 14)]
    assert found(matcher, "do it now") == []


def test_regions_limit_matching_and_carry_their_kind(matcher: SkillMatcher) -> None:
    text = "About us: machine learning startup. Requirements: manage budgets."
    cut = text.index("Requirements")
    hits = matcher.find(text, [(cut, len(text), "REQUIREMENTS")])
    assert [(text[m.start : m.end], m.region_kind) for m in hits] == [("manage budgets", "REQUIREMENTS")]


def test_hidden_single_words_need_a_cue(matcher: SkillMatcher) -> None:
    assert found(matcher, "learning is fun") == []


def test_empty_library_and_text() -> None:
    empty = SkillMatcher.build([])
    assert empty.find("anything") == []
    assert SkillMatcher.build([entry(1, "SQL")]).find("") == []


def test_lead_verbs_come_from_the_library() -> None:
    labels = [entry(i, f"manage {w}") for i, w in enumerate(["budgets", "teams", "risks", "stock"])]
    labels += [entry(10 + i, f"{w} management") for i, w in enumerate(["risk", "stock"])]
    m = SkillMatcher.build(labels)
    assert fold_token("managing") in m.lead_verbs
    assert fold_token("risk") not in m.lead_verbs


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Fluent Danish and good written English are required.", {"Danish", "English"}),
        ("You speak Danish with customers every day.", {"Danish"}),
        ("Languages: English, Danish or German.", {"English", "Danish", "German"}),
        ("Excellent English and Danish.", {"English", "Danish"}),
        ("You will work with Danish universities and the Danish health technology industry.", set()),
        ("The appointment follows the Memorandum on Academic Staff at Danish Universities.", set()),
    ],
)
def test_a_language_name_counts_as_a_skill_only_as_a_language(text: str, found: set[str]) -> None:
    m = SkillMatcher.build(
        [
            entry(1, "Danish", nature="NATURAL_LANGUAGE"),
            entry(2, "English", nature="NATURAL_LANGUAGE"),
            entry(3, "German", nature="NATURAL_LANGUAGE"),
            entry(4, "Python", nature="LANGUAGE"),
        ]
    )
    assert {text[h.start : h.end] for h in m.find(text)} == found


def test_programming_languages_keep_their_own_rules() -> None:
    m = SkillMatcher.build(
        [entry(1, "Danish", nature="NATURAL_LANGUAGE"), entry(4, "Python", nature="LANGUAGE")]
    )
    text = "Our Danish team builds services in Python."
    assert [text[h.start : h.end] for h in m.find(text)] == ["Python"]


@pytest.mark.parametrize(
    ("name", "category", "sub_category", "expected"),
    [
        # ESCO's categories for these skills, as the importer stores them.
        ("Danish", "languages", "languages", "NATURAL_LANGUAGE"),
        ("Latin", "core skills and competences", "mastering languages", "NATURAL_LANGUAGE"),
        ("aviation English", "arts and humanities", "language acquisition", "NATURAL_LANGUAGE"),
        (
            "Python (computer programming)",
            "information and communication technologies (icts)",
            "software and applications development and analysis",
            "LANGUAGE",
        ),
    ],
)
def test_the_library_tells_human_languages_from_programming_languages(
    name: str, category: str, sub_category: str, expected: str
) -> None:
    skill = SkillInfo(
        id=1,
        slug=name.lower(),
        display_name=name,
        category=category,
        sub_category=sub_category,
        nature="LANGUAGE",
        volatility="STABLE",
        typical_lifespan="DECADES",
        version_strategy="NONE",
        skill_type="knowledge",
        reuse_level="cross-sector",
        is_extractable=True,
        pack="esco",
    )
    assert _matcher_nature(skill) == expected


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("APIs", "api"),
        ("KPIs", "kpi"),
        ("SDKs", "sdk"),
        ("analysis", "analysis"),
        ("AWS", "aws"),
        ("Apis", "apis"),
        ("K8s", "k8s"),  # Kubernetes, not a plural
    ],
)
def test_an_acronym_plural_folds_to_its_acronym(written: str, key: str) -> None:
    assert fold_token(written) == key


# ---- a verb shared by a list of objects ------------------------------------------------------


def _verb_library() -> SkillMatcher:
    # Enough "drive ..." and "manage ..." labels for both words to be the library's lead verbs ("drive",
    # not a light verb like "operate", whose object alone is an alias of its own).
    entries = [entry(1, "drive forklift"), entry(2, "manage vendors"), entry(3, "design software")]
    entries += [entry(10 + i, f"drive machine {i}") for i in range(6)]
    entries += [entry(20 + i, f"manage thing {i}") for i in range(6)]
    entries += [entry(30 + i, f"design object {i}") for i in range(6)]
    entries += [entry(40 + i, f"build structure {i}") for i in range(6)]
    matcher = SkillMatcher.build(entries)
    assert {fold_token(v) for v in ("drive", "manage", "design", "build")} <= matcher.lead_verbs
    return matcher


@pytest.mark.parametrize(
    ("text", "found", "mention"),
    [
        ("- Drive pallet jacks and, after certification, forklifts and order pickers", 1, "forklifts"),
        ("You will manage budgets, schedules and vendors.", 2, "vendors"),
        ("Manage budgets, schedules, and our vendors", 2, "vendors"),
    ],
)
def test_a_verb_reaches_the_later_objects_of_its_list(text: str, found: int, mention: str) -> None:
    hits = [(m.skill_id, text[m.start : m.end]) for m in _verb_library().find(text)]
    assert (found, mention) in hits


@pytest.mark.parametrize(
    "text",
    [
        # "design" is a noun here: it opens no clause.
        "A background in writing, content design, linguistics or software",
        # The list ended with the sentence.
        "Drive pallet jacks. Forklifts are provided.",
        # A new verb opens a new clause: "build" has the forklifts, not "drive".
        "Drive cranes and build forklifts",
    ],
)
def test_no_shared_verb_where_the_list_is_not_its_objects(text: str) -> None:
    skills = {m.skill_id for m in _verb_library().find(text)}
    assert not skills & {1, 3}


def test_a_tool_opening_a_bullet_is_still_a_name() -> None:
    matcher = SkillMatcher.build([entry(1, "Spark", strategy="context_required", nature="PLATFORM")])
    assert found(matcher, "Requirements\n- Spark experience for big data pipelines in the cloud") == [
        ("Spark", 1)
    ]


def test_a_verb_after_you_will_in_short_reaches_its_later_objects() -> None:
    text = "You'll manage budgets and vendors"
    assert (2, "vendors") in [(m.skill_id, text[m.start : m.end]) for m in _verb_library().find(text)]


def test_an_acronym_is_never_read_as_a_plural() -> None:
    matcher = SkillMatcher.build([entry(1, "CSR", "abbreviation")])
    assert found(matcher, "Scores on the CSRS and the FIM scale.") == []
    assert found(matcher, "Design CSR programmes for the group.") == [("CSR", 1)]


def test_a_label_cut_from_a_list_never_matches() -> None:
    matcher = SkillMatcher.build(
        [entry(1, "compile airport certification manuals"), entry(1, "and procedures", "alternative")]
    )
    assert found(matcher, "following proper entry and procedures for guest rooms") == []


def test_the_object_of_a_light_verb_and_a_product_less_its_maker_are_aliases() -> None:
    matcher = SkillMatcher.build(
        [
            entry(1, "use Microsoft Office"),
            entry(2, "operate forklift"),
            entry(3, "Adobe Photoshop"),
            entry(4, "Microsoft Excel", alias_type="alternative"),
            entry(5, "use of lift bags"),  # "use" as a noun: no alias "of lift bags"
            entry(6, "carry out flow cytometry"),  # light verbs of one word or two
            entry(7, "conduct soil sampling"),
        ]
    )
    text = (
        "Keep trackers in Excel and Microsoft Office, edit in Photoshop and drive sit-down forklifts. "
        "Run multicolour flow cytometry panels and plan soil sampling."
    )
    assert {(s, t) for t, s in found(matcher, text)} >= {
        (1, "Microsoft Office"),
        (2, "forklifts"),
        (3, "Photoshop"),
        (4, "Excel"),
        (6, "flow cytometry"),
        (7, "soil sampling"),
    }
    # A one-word product name is matched as written: "excel" the verb is no spreadsheet.
    assert 4 not in {s for _t, s in found(matcher, "You will excel in a busy team.")}


def test_a_derived_alias_that_another_skill_has_or_derives_too_is_not_made() -> None:
    matcher = SkillMatcher.build(
        [
            entry(1, "use microscope"),
            entry(2, "operate microscope"),
            entry(3, "apply welding"),
            entry(4, "welding"),
        ]
    )
    assert {s for _t, s in found(matcher, "Experience with a microscope and welding.")} == {4}


def test_a_label_shared_by_several_skills_goes_to_the_one_it_names() -> None:
    matcher = SkillMatcher.build(
        [
            entry(1, "project management"),
            entry(2, "project commissioning"),
            entry(2, "project management", alias_type="alternative"),
            entry(3, "pay-per-click"),
            entry(3, "PPC", alias_type="abbreviation"),
            entry(4, "make strategic business decisions"),
            entry(4, "PPC", alias_type="abbreviation"),
            entry(5, "mathematics"),
            entry(5, "maths", alias_type="alternative"),
            entry(6, "geometry"),
            entry(6, "maths", alias_type="alternative"),
        ]
    )
    hits = {s for _t, s in found(matcher, "Project management, PPC campaigns and strong maths skills.")}
    assert hits == {1, 3, 5}


def _language_library() -> SkillMatcher:
    # Programming languages named like words: each needs a language or tech context.
    return SkillMatcher.build(
        [
            entry(1, "Go (programming language)", nature="LANGUAGE"),
            entry(1, "Go", alias_type="alternative", strategy="context_required", nature="LANGUAGE"),
            entry(2, "SPARK", strategy="context_required", nature="TOOL"),
            entry(3, "Apache Spark", nature="PLATFORM"),
            entry(3, "Spark", alias_type="alternative", strategy="context_required", nature="PLATFORM"),
            entry(4, "Swift", strategy="context_required", nature="LANGUAGE"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        # Two homonyms listed together vouch for each other.
        ("- Design, build and operate Go and Swift services", 1),
        ("- Design, build and operate Go and Swift services", 4),
        # A skill word beside a capitalised name is a tech cue.
        ("Requirements: strong Swift skills", 4),
        # An all-capitals name is another name than the capitalised word: "Spark" is Apache Spark.
        ("Experience with Spark pipelines on the data platform", 3),
    ],
)
def test_homonym_names_in_tech_context(text: str, skill: int) -> None:
    assert skill in {s for _t, s in found(_language_library(), text)}


def test_homonyms_without_context_stay_words() -> None:
    assert found(_language_library(), "Let's go and spark joy with a swift reply.") == []


def test_a_one_word_synonym_used_as_the_clauses_verb_is_no_skill() -> None:
    # ESCO files "design" under "think creatively": as the verb of a duty it names no skill.
    matcher = SkillMatcher.build(
        [
            entry(1, "think creatively"),
            entry(1, "design", alias_type="alternative", strategy="context_required"),
        ]
    )
    assert found(matcher, "You will design, train and ship models.") == []
    assert found(matcher, "- Design and analyze A/B tests") == []
    assert found(matcher, "Strong experience in design and branding.") == [("design", 1)]


def test_an_acronym_is_spelled_by_words_or_one_compound_not_a_mix() -> None:
    matcher = SkillMatcher.build(
        [
            entry(1, "computer technology"),
            entry(1, "ICT", alias_type="abbreviation"),
            entry(2, "in-circuit test"),
            entry(2, "ICT", alias_type="abbreviation"),
        ]
    )
    assert {s for _t, s in found(matcher, "Good ICT skills are essential.")} == {1, 2}


def test_light_verb_objects_come_from_a_skills_own_name_only() -> None:
    matcher = SkillMatcher.build(
        [
            entry(1, "use safety equipment"),
            entry(1, "use PPE", alias_type="alternative"),
            entry(2, "operate forklift"),
        ]
    )
    assert {s for _t, s in found(matcher, "Wear PPE and drive forklifts.")} == {2}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("English; Arabic is an advantage.", [("Arabic", 2)]),
        ("Working language is English. German is a plus.", [("German", 2)]),
        ("We work with German manufacturers and Arabic calligraphy artists.", []),
    ],
)
def test_a_language_asked_for_as_a_subject(text: str, expected: list[tuple[str, int]]) -> None:
    matcher = SkillMatcher.build(
        [entry(2, "German", nature="NATURAL_LANGUAGE"), entry(2, "Arabic", nature="NATURAL_LANGUAGE")]
    )
    hits = [(t, s) for t, s in found(matcher, text) if t in ("German", "Arabic")]
    assert hits == expected


def test_a_synonym_heading_another_words_compound_is_not_its_skill() -> None:
    """ "design" is a synonym of ESCO's "think creatively": not in "mechanical design"; a skill's
    own name stays itself in "written communication"."""
    think, comm = 1, 2
    m = SkillMatcher.build(
        [
            AliasEntry(think, "think creatively", "canonical", "context_required"),
            AliasEntry(think, "design", "alternative", "context_required"),
            AliasEntry(comm, "communication", "canonical", "context_required"),
        ]
    )

    def found(text: str) -> set[int]:
        return {x.skill_id for x in m.find(text)}

    assert think not in found("Experience in mechanical design of test rigs.")
    assert think in found("Experience in design is a plus.")
    assert comm in found("Experience in written communication.")
