"""Enrichment (offline rules): verbatim nature-of-work quotes, an AI index whose components add up,
vocabulary and stack terms found on whole words outside boilerplate, role-scoped skill clusters."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from jdlens.v1 import parsed_jd_pb2, run_pb2
from jdlens_server.app import Runtime
from jdlens_server.pipeline.enrichment import (
    COMPONENT_WEIGHTS,
    GENERATED_BY,
    UNALIGNED_LABEL,
    compute_enrichment,
)
from jdlens_server.pipeline.enrichment_terms import (
    AI_BUILDS_PRODUCTS,
    AI_VOCABULARY,
    MATURITY,
    WORK_FAMILIES,
    Vocabulary,
)
from pipeline_runtime import REFERENCE_JD, library_runtime, stage1, stage2, stage3

AI_JD = """Senior Machine Learning Engineer

About the role
You will join our Applied AI team and build LLM-powered features used by millions of people every day.

What you'll do
• Train and deploy machine learning models with PyTorch
• Build retrieval-augmented generation (RAG) pipelines with LangChain and a vector database
• Use GitHub Copilot and ChatGPT to speed up everyday engineering work
• Mentor other engineers on the team

What we're looking for
• 5+ years of experience with Python and SQL
• Experience with Kubernetes, Docker and Kafka

Nice to have
• Experience with TensorFlow or JAX

Benefits
• A Midjourney subscription for every employee
• Health insurance and a generous pension plan

Equal opportunity
We are an equal opportunity employer and value diversity. We do not discriminate on the basis of race, religion,
color, national origin, gender, sexual orientation, age, marital status, or disability status.
"""

LEGACY_JD = """Mainframe Developer

What you will do
• Maintain COBOL batch programs and JCL job streams on z/OS
• Support CICS transactions and DB2 databases for our core banking platform
• Write SQL reports for the operations team

Requirements
• 5+ years of COBOL and JCL experience on IBM mainframe systems
"""


@pytest.fixture
def rt(sqlite_url: str) -> Iterator[Runtime]:
    runtime = library_runtime(sqlite_url)
    yield runtime
    runtime.close()


def _check_components_add_up(index: run_pb2.AiIndex) -> None:
    flags = {name: getattr(index.components, name) for name in COMPONENT_WEIGHTS}
    assert index.score == pytest.approx(sum(w for name, w in COMPONENT_WEIGHTS.items() if flags[name]))
    assert 0 <= index.score <= 5
    assert index.explanation.startswith(f"{index.score:g} / 5 = ")
    terms = index.explanation.split(" = ", 1)[1].split(" + ")
    assert len(terms) == len(COMPONENT_WEIGHTS)
    for term, (name, weight) in zip(terms, COMPONENT_WEIGHTS.items(), strict=True):
        shown = float(term.split(" (")[0].rsplit(" ", 1)[1])
        assert shown == (weight if flags[name] else 0), term


def _check_quote(run: run_pb2.Run, enrichment: run_pb2.Enrichment) -> None:
    nature = enrichment.nature_of_work
    span = nature.evidence_span
    assert nature.evidence_quote
    assert run.jd_text[span.start : span.end] == nature.evidence_quote
    sentences = {(s.span.start, s.span.end) for s in run.extraction.parsed.responsibility_sentences}
    assert (span.start, span.end) in sentences


def test_reference_jd(rt: Runtime) -> None:
    run = stage1(rt, REFERENCE_JD)
    stage2(rt, run)
    stage3(rt, run)
    enrichment = compute_enrichment(rt.library.current(), run)
    assert enrichment.generated_by == GENERATED_BY
    assert set(enrichment.sources) >= {"ai_index", "tech_stack_maturity", "nature_of_work", "skill_clusters"}

    _check_quote(run, enrichment)
    nature = enrichment.nature_of_work
    assert nature.label and nature.summary.endswith(".") and nature.summary[0].isupper()
    responsibilities = [
        s
        for s in run.extraction.parsed.responsibility_sentences
        if s.section_kind == parsed_jd_pb2.SECTION_KIND_RESPONSIBILITIES
    ]
    assert any(s.span.start == nature.evidence_span.start for s in responsibilities)

    _check_components_add_up(enrichment.ai_index)
    # A data engineering JD that never asks for AI work is not an AI job.
    assert enrichment.ai_index.score < 2
    assert not enrichment.ai_index.components.title_match

    maturity = enrichment.tech_stack_maturity
    assert set(maturity.levels) == {run_pb2.TECH_MATURITY_MAINSTREAM, run_pb2.TECH_MATURITY_MODERN}
    assert "Kafka (modern)" in maturity.evidence and "Java (mainstream)" in maturity.evidence
    # Each level's count is the names it lists, or the names and how many more.
    for level, count, listed in re.findall(r"(\w[\w-]*) \((\d+): ([^)]*)\)", maturity.reasoning):
        shown = listed.split(" and ")[0].split(", ")
        more = int(listed.rsplit(" and ", 1)[1].split()[0]) if listed.endswith(" more") else 0
        assert len(shown) + more == int(count), (level, maturity.reasoning)

    assert enrichment.kra_description.startswith("Evaluate new technologies")
    assert "Equal" not in enrichment.kra_description

    # Clusters: the chosen role's dimensions, then everything else as cross-cutting.
    snapshot = rt.library.current().snapshot
    role_id = int(run.extraction.decision.chosen_role.name.split("/")[1])
    role_dims = set(snapshot.role_dimensions[role_id]) | {
        int(i.dimension.name.split("/")[1])
        for i in run.final_role.persistence.items
        if i.role_dimension in (run_pb2.LINK_OUTCOME_SAVED, run_pb2.LINK_OUTCOME_ALREADY_LINKED)
    }
    clusters = list(enrichment.skill_clusters)
    assert (
        clusters[-1].unaligned and clusters[-1].label == UNALIGNED_LABEL and not clusters[-1].dimension.name
    )
    for cluster in clusters[:-1]:
        assert not cluster.unaligned and int(cluster.dimension.name.split("/")[1]) in role_dims
        assert cluster.label == cluster.dimension.display_name
    placed = [s for c in clusters for s in c.skills]
    assert len(placed) == len(set(placed)), "each skill sits in one cluster"
    new = {
        d.input_skill
        for d in run.details.skills_detail
        if not d.canonical.name and d.new_skill_meta.placement != run_pb2.PLACEMENT_SPLIT
    }
    assert new <= set(clusters[-1].skills)


def test_an_ai_jd(rt: Runtime) -> None:
    run = stage1(rt, AI_JD)
    enrichment = compute_enrichment(rt.library.current(), run)
    index = enrichment.ai_index
    _check_components_add_up(index)
    components = index.components
    assert components.title_match and components.has_ai_skill and components.ai_skill_primary
    assert components.on_ai_team and components.builds_ai_products
    assert "'Applied AI team'" in index.explanation
    vocabulary = index.vocabulary
    assert {"GitHub Copilot", "ChatGPT"} <= set(vocabulary.assistants)
    assert {"PyTorch", "LangChain", "TensorFlow"} <= set(vocabulary.frameworks)
    assert {"machine learning", "retrieval-augmented generation"} <= set(vocabulary.models_concepts)
    # Benefits and equal-opportunity text never count.
    assert "Midjourney" not in vocabulary.assistants

    assert run_pb2.TECH_MATURITY_AI_NATIVE in enrichment.tech_stack_maturity.levels
    assert run_pb2.TECH_MATURITY_LEGACY not in enrichment.tech_stack_maturity.levels
    _check_quote(run, enrichment)
    assert enrichment.nature_of_work.label == "Machine learning and AI"


def test_a_legacy_stack(rt: Runtime) -> None:
    run = stage1(rt, LEGACY_JD)
    enrichment = compute_enrichment(rt.library.current(), run)
    maturity = enrichment.tech_stack_maturity
    assert maturity.levels[0] == run_pb2.TECH_MATURITY_LEGACY
    assert {"COBOL (legacy)", "JCL (legacy)", "mainframe (legacy)"} <= set(maturity.evidence)
    assert run_pb2.TECH_MATURITY_AI_NATIVE not in maturity.levels
    _check_components_add_up(enrichment.ai_index)
    assert enrichment.ai_index.score == 0
    _check_quote(run, enrichment)


def test_a_sales_stack_of_business_tools_is_assessed(rt: Runtime) -> None:
    run = stage1(
        rt,
        _DUTIES_JD.format(
            title="Account Executive",
            duties="- Manage your pipeline in Salesforce and HubSpot.\n- Report forecasts in Looker.",
        ),
    )
    maturity = compute_enrichment(rt.library.current(), run).tech_stack_maturity
    assert list(maturity.levels) == [run_pb2.TECH_MATURITY_MODERN]  # one mainstream term makes no level
    assert {"Salesforce (mainstream)", "HubSpot (modern)", "Looker (modern)"} <= set(maturity.evidence)


def test_a_title_only_run(rt: Runtime) -> None:
    run = stage1(rt, "", title="Machine Learning Engineer")
    enrichment = compute_enrichment(rt.library.current(), run)
    assert enrichment.ai_index.components.title_match
    _check_components_add_up(enrichment.ai_index)
    assert not enrichment.nature_of_work.evidence_quote
    assert enrichment.sources["ai_index"] == "title"


def test_business_tools_that_are_also_words_match_only_as_names() -> None:
    found = MATURITY.search(
        "Nurses work a 12-hour workday; we measure signal amplitude. We use Workday, Confluence and Amplitude."
    )
    assert found == ["Workday", "Confluence", "Amplitude"]


def test_vocabulary_matches_whole_tokens() -> None:
    found = AI_VOCABULARY.search("JavaScript and LLMs; real time ML with scikit learn, not html")
    assert found == ["large language model", "ML", "scikit-learn"]
    assert MATURITY.search("JavaScript only") == ["JavaScript"]
    # Names that are words count only as written.
    assert MATURITY.search("a spark of genius") == []
    assert MATURITY.search("Spark and rest") == ["Spark"]
    assert Vocabulary(x="CASE:Go | Golang").search("go to Go or golang") == ["Go"]
    # A name matched as cased takes no plural ("Ridgefield Springs" is a town); an acronym does.
    assert MATURITY.search("our plant in Ridgefield Springs, Colorado") == []
    assert Vocabulary(x="CASE:API").search("Build REST APIs") == ["API"]


def test_a_served_run_clusters_with_the_links_stage_3_saved(rt: Runtime) -> None:
    """AnalyzeJd stores the enrichment of the finished run: the same clusters as enrichment
    computed after stage 3, whose saved links (here a role↔dimension link) it reads."""
    from jdlens.v1 import pipeline_service_pb2

    run, _ = rt.core.analyze_jd(
        pipeline_service_pb2.AnalyzeJdRequest(jd=pipeline_service_pb2.JdInput(text=REFERENCE_JD))
    )
    saved = [i for i in run.final_role.persistence.items if i.role_dimension == run_pb2.LINK_OUTCOME_SAVED]
    assert saved, "the reference JD saves a role↔dimension link on this library"
    after = compute_enrichment(rt.library.current(), run)
    assert list(run.enrichment.skill_clusters) == list(after.skill_clusters)


@pytest.mark.parametrize(
    ("sentence", "builds"),
    [
        ("Our team builds the services behind an LLM-powered clinical documentation product.", True),
        ("You will build AI-powered features for the mobile app.", True),
        ("Design machine learning models for fraud detection.", True),
        ("We build accounting software and use AI tools internally.", False),
        ("You will design workflows using AI tools and existing systems.", False),
        ("Deliver training on AI for support services.", False),
        ("Develop dashboards; our AI team next door ships its own products.", False),
    ],
)
def test_building_ai_products_allows_words_that_qualify_the_product(sentence: str, builds: bool) -> None:
    assert bool(AI_BUILDS_PRODUCTS.search(sentence)) is builds


_DUTIES_JD = (
    "{title}\n\nAbout us\nNorthline is a growing company based in Leeds.\n\n"
    "Responsibilities\n{duties}\n\n"
    "Requirements\n- At least two years of experience in a similar role.\n- Good communication skills.\n"
)


@pytest.mark.parametrize(
    ("title", "duties", "label"),
    [
        (
            "Warehouse Operative",
            "- Pick and pack customer orders accurately using handheld scanners.\n"
            "- Load and unload delivery vehicles and check goods against delivery notes.\n"
            "- Keep the loading bay tidy and report damaged stock.",
            "Warehouse and logistics",
        ),
        (
            "Marketing Manager",
            "- Plan and run integrated campaigns across email, paid search and social media.\n"
            "- Manage the marketing automation platform and keep lead scoring up to date.\n"
            "- Report on pipeline contribution to the leadership team every month.",
            "Marketing and communications",
        ),
        (
            "Customer Service Advisor",
            "- Respond to customer queries by phone, chat and email.\n"
            "- Resolve complaints and log every ticket in the CRM.\n"
            "- Support the team with weekly figures.",
            "Customer support and service",
        ),
        (
            "Accounts Executive",
            "- Prepare the monthly payroll and statutory submissions.\n"
            "- Reconcile bank statements and post journal entries to the ledger.\n"
            "- Support the month end close and the annual audit.",
            "Finance and accounting",
        ),
        (
            "Civil Engineer",
            "- Prepare grading, drainage and utility plans for residential developments.\n"
            "- Prepare permit applications and coordinate reviews with the county.\n"
            "- Visit construction sites and answer contractor questions on the drawings.",
            "Engineering design and construction",
        ),
        (
            "Barista",
            "- Prepare espresso drinks and brewed coffee to our recipes.\n"
            "- Keep the bar and the dining area clean and stocked.\n"
            "- Follow food safety standards at every shift.",
            "Food and drink service",
        ),
        (
            "Truck Driver",
            "- Drive a tractor-trailer on regional routes and deliver freight on schedule.\n"
            "- Complete pre-trip vehicle inspections and keep your logbook current.\n"
            "- Follow DOT regulations on hours of service.",
            "Driving and transport",
        ),
        (
            "HR Generalist",
            "- Run recruiting and onboarding for new hires.\n"
            "- Advise managers on employee relations and leave requests.\n"
            "- Keep personnel files and the HRIS complete.",
            "Human resources",
        ),
        (
            "Corporate Counsel",
            "- Draft and negotiate commercial contracts and data processing agreements.\n"
            "- Advise on intellectual property and litigation risk.\n"
            "- Keep the legal team's templates current.",
            "Legal work",
        ),
        (
            "Programme Coordinator",
            "- Coordinate the nutrition programme across four districts.\n"
            "- Write donor proposals and quarterly reports against the logframe indicators.\n"
            "- Train community health volunteers to reach 3,000 households.",
            "Programmes, policy and community work",
        ),
        (
            "Pharmacist",
            "- Dispense prescription medicines and counsel patients on their use.\n"
            "- Check every prescription for interactions.\n"
            "- Keep the controlled drugs register.",
            "Care and treatment",
        ),
        (
            "Product Designer",
            "- Run user research and usability tests with clinicians.\n"
            "- Turn findings into wireframes and prototypes in Figma.\n"
            "- Maintain our design system.",
            "Design and creative work",
        ),
        (
            "Chef de Partie",
            "- Run the pasta section during service.\n"
            "- Prepare the mise en place and follow our recipes.\n"
            "- Train the commis on plating.",
            "Food and drink service",
        ),
        (
            "Child Protection Worker",
            "- Respond to referrals and complete safety assessments.\n"
            "- Conduct home visits and manage a caseload of families.\n"
            "- Work with schools on safeguarding.",
            "Care and treatment",
        ),
    ],
)
def test_the_nature_of_work_is_what_the_duties_are_about(
    rt: Runtime, title: str, duties: str, label: str
) -> None:
    run = stage1(rt, _DUTIES_JD.format(title=title, duties=duties))
    enrichment = compute_enrichment(rt.library.current(), run)
    assert enrichment.nature_of_work.label == label
    _check_quote(run, enrichment)


@pytest.mark.parametrize(
    ("sentence", "not_family"),
    [
        ("Own continuous delivery for our Kubernetes clusters.", "Warehouse and logistics"),
        ("Configure load balancers and run load testing.", "Warehouse and logistics"),
        ("Run vulnerability scanners against every release.", "Warehouse and logistics"),
        ("Manage monthly reports for the finance team.", "People leadership and management"),
        ("Manage the marketing automation platform.", "People leadership and management"),
        ("Process customer orders in the ERP.", "Customer support and service"),
        ("Prepare permit applications for the county.", "Software development"),
        ("Help customers set up mobile banking and web payments.", "Software development"),
        ("Reconcile the accounts payable ledger.", "Sales and business development"),
        ("Deliver the new feature through continuous delivery.", "Driving and transport"),
        ("Provide HIV counselling and testing to clients.", "Legal work"),
        ("Follow company policies and regulations at all times.", "Programmes, policy and community work"),
        ("Set up monitoring and alerting for our services.", "Programmes, policy and community work"),
        ("Run contextual inquiry sessions with users.", "Customer support and service"),
        ("Dispatch police and fire units to 911 calls.", "Warehouse and logistics"),
        (
            "Grant users access to the reporting tools and track KPI indicators.",
            "Programmes, policy and community work",
        ),
        ("Book the tennis courts for the staff tournament.", "Legal work"),
        ("Dispense drinks at the pool bar.", "Care and treatment"),
        ("Run variant calling pipelines on sequencing data.", "Finance and accounting"),
        ("Coordinate the BIM models and Revit models of each package.", "Machine learning and AI"),
        ("Deliver training to new care staff.", "Machine learning and AI"),
        ("Build the business model and the financial models for the board.", "Machine learning and AI"),
        ("Maintain the financial forecasting models.", "Machine learning and AI"),
        # Every role writes reports and watches performance: neither is data or systems work.
        ("Prepare the monthly stock report for the clinic manager.", "Data analysis and reporting"),
        ("Monitor the performance of the call centre agents.", "Infrastructure and operations"),
        ("Monitor customer service performance against SLAs.", "Infrastructure and operations"),
    ],
)
def test_software_and_office_duties_do_not_vote_for_families_they_only_share_a_word_with(
    sentence: str, not_family: str
) -> None:
    voted = [label for label, pattern in WORK_FAMILIES if pattern.search(sentence)]
    assert not_family not in voted


@pytest.mark.parametrize(
    "sentence",
    [
        "Set up monitoring and alerting for our services.",
        "Monitor production systems and respond to alerts.",
        "Join the on-call rota for the payments platform.",
    ],
)
def test_systems_monitoring_is_infrastructure_work(sentence: str) -> None:
    assert "Infrastructure and operations" in [label for label, p in WORK_FAMILIES if p.search(sentence)]
