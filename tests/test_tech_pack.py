"""The curated tech supplement pack: import on top of an ESCO subset (SQLite and PostgreSQL),
idempotent re-import, updates that touch only its rows (and say what they take of O*NET's), its labels
in the dictionary matcher (and the context its ordinary-word names need, so ordinary JDs get no tech
skills), and the reference JD through the generated client."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import grpc
import pytest
from sqlalchemy import ColumnElement, func, inspect, select
from sqlalchemy.orm import Session

from jdlens.v1 import pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server.app import Runtime, build_runtime, embedded_server
from jdlens_server.errors import FailedPrecondition
from jdlens_server.library.aliases import CANONICAL, CONTEXT_REQUIRED
from jdlens_server.library.importer import import_pack
from jdlens_server.library.onet_import import onet_subset
from jdlens_server.library.packs.esco import EscoPack, esco_subset
from jdlens_server.library.packs.onet import OnetPack
from jdlens_server.library.packs.tech import TechPack, read_tech
from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.library.tech_import import TECH_URI, TITLE_SOURCE
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import (
    Base,
    ChangeLogRow,
    DimensionRow,
    PackImportRow,
    RoleAliasRow,
    RoleRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)
from pipeline_runtime import REFERENCE_JD

OCCUPATION = "http://data.europa.eu/esco/occupation/"
# Data scientist and software developer (as the other pipeline tests), plus computer vision engineer
# (brings ESCO's "machine learning") and big data archive librarian (brings its ETL tools skill).
OCCUPATIONS = [
    OCCUPATION + "258e46f9-0075-4a2e-adae-1ff0477e0f30",
    OCCUPATION + "f2b15a0e-e65a-438a-affb-29b9d50b77d1",
    OCCUPATION + "1c5a45b9-440e-4726-b565-16a952abd341",
    OCCUPATION + "4e4a1aa1-ca53-406e-9ca6-889d4621a0ed",
]
ML_URI = "http://data.europa.eu/esco/skill/3a2d5b45-56e4-4f5a-a55a-4a4a65afdc43"
ETL_URI = "http://data.europa.eu/esco/skill/9d0d89be-bffa-4393-b6f6-8d05bea49051"


@pytest.fixture(scope="module")
def esco_part(esco: EscoPack) -> EscoPack:
    return esco_subset(esco, occupation_uris=OCCUPATIONS)


@pytest.fixture(scope="session")
def tech() -> TechPack:
    return read_tech()


@contextmanager
def _session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _count(db_url: str, model: type, *where: object) -> int:
    with _session(db_url) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _tech_ids(db_url: str) -> dict[str, int]:
    """Source URI -> id of the tech skills."""
    with _session(db_url) as session:
        query = select(SkillRow.source_uri, SkillRow.id).where(SkillRow.pack == "tech")
        return {str(u): int(i) for u, i in session.execute(query)}


def _tech_strategies(db_url: str) -> dict[str, str]:
    """Text -> match strategy of the tech pack's aliases."""
    with _session(db_url) as session:
        aliases = session.scalars(select(SkillAliasRow).where(SkillAliasRow.source == "tech"))
        return {a.text: a.match_strategy for a in aliases}


def _change_log(db_url: str, version: int) -> list[tuple[str, str]]:
    """(resource, detail) of the change-log entries of library ``version``."""
    with _session(db_url) as session:
        query = select(ChangeLogRow.resource, ChangeLogRow.detail).where(
            ChangeLogRow.library_version == version
        )
        return [(str(r), str(d)) for r, d in session.execute(query)]


def _rows(session: Session, model: type[Base], *where: ColumnElement[bool]) -> list[tuple[object, ...]]:
    """Every column (ids, embeddings, timestamps) of the matching rows, in primary-key order."""
    mapper = inspect(model)
    query = select(*mapper.columns).where(*where).order_by(*mapper.primary_key)
    return [tuple(r) for r in session.execute(query)]


def _esco_state(db_url: str) -> dict[str, list[tuple[object, ...]]]:
    """The rows ESCO owns, whole: a tech import must leave them exactly as they are."""
    with _session(db_url) as session:
        return {
            "skills": _rows(session, SkillRow, SkillRow.pack == "esco"),
            "skill_aliases": _rows(session, SkillAliasRow, SkillAliasRow.source == "esco"),
            "skill_dimensions": _rows(session, SkillDimensionRow, SkillDimensionRow.source == "esco"),
            "dimensions": _rows(session, DimensionRow, DimensionRow.pack == "esco"),
        }


def _library(db_url: str, esco_part: EscoPack, embedder: Embedder) -> None:
    import_pack(db_url, "esco", contents=esco_part, embedder=embedder, progress=False)
    import_pack(db_url, "tech", embedder=embedder, progress=False)


# ---- import ----------------------------------------------------------------------------------------


def test_tech_imports_on_esco_and_a_reimport_changes_nothing(
    db_url: str, esco_part: EscoPack, tech: TechPack, embedder: Embedder
) -> None:
    assert tech.problems == [] and len(tech.skills) >= 100
    esco_report = import_pack(db_url, "esco", contents=esco_part, embedder=embedder, progress=False)
    before = _esco_state(db_url)
    assert all(before.values())

    report = import_pack(db_url, "tech", embedder=embedder, progress=False)
    assert report.changed and report.library_version == esco_report.library_version + 1
    assert report.counts["skills"] == len(tech.skills)
    assert report.embedded_texts >= len(tech.skills)  # every new label embedded once
    assert _esco_state(db_url) == before
    # The subset lacks some ESCO skills the pack aliases: skipped and said, not an error.
    assert any("not in the library" in note for note in report.notes)

    with _session(db_url) as session:
        skills = session.scalars(select(SkillRow).where(SkillRow.pack == "tech")).all()
        assert {s.source_uri for s in skills} == {TECH_URI + s.key for s in tech.skills}
        assert all(s.embedding is not None for s in skills)
        spark = next(s for s in skills if s.display_name == "Apache Spark")
        assert (spark.nature, spark.version_strategy) == ("PLATFORM", "MAJOR_VERSIONS")
        assert spark.category == "information and communication technologies (icts)"
        pipelines = next(s for s in skills if s.display_name == "data pipelines")
        assert pipelines.nature == "CONCEPT" and pipelines.sub_category == (
            "database and network design and administration"
        )
        # Every tech skill hangs under an ESCO skill group (its dimensions).
        linked = set(
            session.scalars(select(SkillDimensionRow.skill_id).where(SkillDimensionRow.source == "tech"))
        )
        assert linked == {s.id for s in skills}
        # Labels of ESCO skills are the pack's rows, on the ESCO skill.
        ml = session.scalar(select(SkillRow).where(SkillRow.source_uri == ML_URI))
        assert ml is not None and ml.pack == "esco"
        ml_aliases = {
            a.text: a.source
            for a in session.scalars(select(SkillAliasRow).where(SkillAliasRow.skill_id == ml.id))
        }
        assert ml_aliases["model training"] == "tech" and ml_aliases["machine learning"] == "esco"
        recorded = session.get(PackImportRow, "tech")
        assert recorded is not None and recorded.library_version == report.library_version
        # Current titles of ESCO occupations: role aliases of the pack's own source on the ESCO role.
        titles = {
            a.text: (a.source, a.normalized)
            for a in session.scalars(select(RoleAliasRow).where(RoleAliasRow.source == TITLE_SOURCE))
        }
        assert titles["backend developer"] == (TITLE_SOURCE, "backend developer")
        owners = set(
            session.scalars(
                select(RoleRow.display_name)
                .join(RoleAliasRow, RoleAliasRow.role_id == RoleRow.id)
                .where(RoleAliasRow.source == TITLE_SOURCE)
            )
        )
        assert owners == {"software developer"}  # the other titled occupations are not in the subset
    entries = _change_log(db_url, report.library_version)
    assert {r for r, _ in entries} == {"skills", "skill_aliases", "skill_dimensions", "role_aliases"}
    assert all(d.startswith(f"tech {tech.info.version}") for _, d in entries)

    again = import_pack(db_url, "tech", embedder=embedder, progress=False)
    assert not again.changed and again.library_version == report.library_version
    assert "nothing changed" in again.message and again.embedded_texts == 0


def test_tech_needs_esco_first(sqlite_url: str, embedder: Embedder) -> None:
    with pytest.raises(FailedPrecondition, match="import esco"):
        import_pack(sqlite_url, "tech", embedder=embedder, progress=False)
    assert _count(sqlite_url, SkillRow) == 0 and _count(sqlite_url, PackImportRow) == 0


def test_a_changed_pack_updates_only_its_rows(
    db_url: str, esco_part: EscoPack, tech: TechPack, embedder: Embedder
) -> None:
    _library(db_url, esco_part, embedder)
    before = _esco_state(db_url)
    ids = _tech_ids(db_url)
    dropped, renamed, extended = tech.skills[0], tech.skills[1], tech.skills[2]
    new_name = renamed.name + " (renamed)"
    changed = dataclasses.replace(
        tech,
        info=tech.info.subset_info(["test-change"], "test change"),
        skills=[
            # Same key, new name: the skill keeps its identity; its canonical label is replaced.
            dataclasses.replace(renamed, name=new_name),
            dataclasses.replace(extended, aliases=(*extended.aliases, "a test alias")),
            *tech.skills[3:],
        ],
    )
    report = import_pack(db_url, "tech", contents=changed, embedder=embedder, progress=False)
    assert report.changed and not report.cascaded
    skills = report.changes["skills"]
    assert (skills.removed, skills.added, skills.updated) == (1, 0, 1)
    aliases = report.changes["skill_aliases"]
    # The new canonical label and the test alias in; the old canonical label and the dropped skill's
    # labels (gone with it) out.
    assert aliases.added == 2
    assert aliases.removed == 1 + 1 + len(dropped.aliases)
    assert _esco_state(db_url) == before
    now = _tech_ids(db_url)
    with _session(db_url) as session:
        row = session.get(SkillRow, ids[TECH_URI + renamed.key])
        assert row is not None and row.display_name == new_name
        primary = session.scalars(
            select(SkillAliasRow.text).where(SkillAliasRow.skill_id == row.id, SkillAliasRow.is_primary)
        ).all()
        assert primary == [new_name]
    assert TECH_URI + dropped.key not in now
    assert all(now[u] == ids[u] for u in now)  # kept skills keep their ids, the renamed one too


def _onet_links(db_url: str, skill_ids: list[int]) -> int:
    return _count(
        db_url,
        SkillDimensionRow,
        SkillDimensionRow.source == "onet",
        SkillDimensionRow.skill_id.in_(skill_ids),
    )


def test_removing_tech_skills_says_what_it_takes_of_onet(
    sqlite_url: str, esco_part: EscoPack, tech: TechPack, onet: OnetPack, embedder: Embedder
) -> None:
    # esco -> tech -> onet: O*NET's "Amazon Redshift" and "Tableau" (Data Scientists) merge into the
    # tech skills and link them to UNSPSC commodities (rows O*NET owns).
    _library(sqlite_url, esco_part, embedder)
    import_pack(
        sqlite_url, "onet", contents=onet_subset(onet, ["15-2051.00"]), embedder=embedder, progress=False
    )
    tech_ids = _tech_ids(sqlite_url)
    leaving = [tech_ids[TECH_URI + "amazon-redshift"], tech_ids[TECH_URI + "tableau"]]
    onet_rows = _onet_links(sqlite_url, leaving)
    assert onet_rows >= 2
    onet_aliases = _count(sqlite_url, SkillAliasRow, SkillAliasRow.source == "onet")
    esco_before = _esco_state(sqlite_url)

    # A change that removes no skill takes nothing of O*NET's and says nothing about it.
    first = tech.skills[0]
    extended = dataclasses.replace(
        tech,
        info=tech.info.subset_info(["test-alias"], "test alias"),
        skills=[dataclasses.replace(first, aliases=(*first.aliases, "a test alias")), *tech.skills[1:]],
    )
    report = import_pack(sqlite_url, "tech", contents=extended, embedder=embedder, progress=False)
    assert report.changed and report.cascaded == {}
    assert not any("O*NET rows" in n for n in report.notes)
    assert _onet_links(sqlite_url, leaving) == onet_rows

    # A changed tech pack drops Redshift and renames Tableau to a new key: both skills go.
    tableau = next(s for s in tech.skills if s.key == "tableau")
    changed = dataclasses.replace(
        tech,
        info=tech.info.subset_info(["test-change"], "test change"),
        skills=[
            *(s for s in tech.skills if s.key not in ("amazon-redshift", "tableau")),
            dataclasses.replace(tableau, key="tableau-desktop", name="Tableau Desktop"),
        ],
    )
    report = import_pack(sqlite_url, "tech", contents=changed, embedder=embedder, progress=False)
    assert report.changes["skills"].removed == 2 and report.changes["skills"].added == 1
    assert report.cascaded == {"skill_dimensions": onet_rows}
    note = next(n for n in report.notes if "O*NET rows" in n)
    assert f"{onet_rows} O*NET rows ({onet_rows} skill_dimensions)" in note and "import onet again" in note
    assert _onet_links(sqlite_url, leaving) == 0  # gone with the skills
    # Only O*NET's rows on the removed skills went: its other rows and ESCO's stay.
    assert _count(sqlite_url, SkillAliasRow, SkillAliasRow.source == "onet") == onet_aliases
    assert _esco_state(sqlite_url) == esco_before
    cascade = [
        d
        for r, d in _change_log(sqlite_url, report.library_version)
        if r == "skill_dimensions" and "onet rows" in d
    ]
    assert len(cascade) == 1 and f"-{onet_rows} onet rows" in cascade[0] and "import onet again" in cascade[0]

    # Importing O*NET again restores its view: the examples are O*NET's own skills now.
    again = import_pack(
        sqlite_url, "onet", contents=onet_subset(onet, ["15-2051.00"]), embedder=embedder, progress=False
    )
    assert again.changed
    with _session(sqlite_url) as session:
        names = set(session.scalars(select(SkillRow.display_name).where(SkillRow.pack == "onet")))
    assert {"Amazon Redshift", "Tableau"} <= names


# ---- matching --------------------------------------------------------------------------------------


@pytest.fixture
def runtime(sqlite_url: str, esco_part: EscoPack, embedder: Embedder) -> Iterator[Runtime]:
    _library(sqlite_url, esco_part, embedder)
    rt = build_runtime(sqlite_url)
    try:
        yield rt
    finally:
        rt.close()


def _found(rt: Runtime, text: str) -> dict[str, str]:
    """Skill name -> the text it was found in."""
    loaded = rt.library.current()
    names = loaded.snapshot.skill_names
    return {names[m.skill_id]: text[m.start : m.end] for m in loaded.matcher.find(text)}


def test_a_current_title_finds_its_esco_occupation_by_alias(runtime: Runtime) -> None:
    snapshot = runtime.library.current().snapshot
    assert [snapshot.roles[r].display_name for r, _ in snapshot.role_alias_map["backend developer"]] == [
        "software developer"
    ]


def test_an_esco_reimport_keeps_the_packs_titles(db_url: str, esco: EscoPack, embedder: Embedder) -> None:
    _library(db_url, esco_subset(esco, occupation_uris=OCCUPATIONS), embedder)
    # ESCO again, with one occupation fewer: its sync of role aliases runs, and leaves the titles.
    smaller = esco_subset(esco, occupation_uris=OCCUPATIONS[:3])
    assert import_pack(db_url, "esco", contents=smaller, embedder=embedder, progress=False).changed
    with _session(db_url) as session:
        kept = set(session.scalars(select(RoleAliasRow.text).where(RoleAliasRow.source == TITLE_SOURCE)))
    assert "backend developer" in kept


def test_pack_labels_resolve_in_the_matcher(runtime: Runtime) -> None:
    found = _found(
        runtime,
        "You will build batch jobs and real-time streaming pipelines, design ETL/ELT processes and "
        "train ML models. Experience with Apache Kafka, Kubernetes, CI/CD and big data platforms.",
    )
    assert found["batch processing"] == "batch jobs"
    assert found["stream processing"] == "real-time streaming"
    assert found["machine learning"] == "ML models"
    assert found["data extraction, transformation and loading tools"] == "ETL/ELT"
    assert found["Apache Kafka"] == "Apache Kafka"
    assert found["CI/CD"] == "CI/CD"
    assert found["big data"] == "big data platforms"


def test_an_ordinary_word_name_needs_tech_context(runtime: Runtime, sqlite_url: str) -> None:
    strategy = _tech_strategies(sqlite_url)
    assert strategy["Spark"] == strategy["Airflow"] == strategy["Hive"] == CONTEXT_REQUIRED
    assert strategy["Kubernetes"] != CONTEXT_REQUIRED
    assert "Apache Spark" in _found(runtime, "Pipelines in Spark, Flink and Kafka.")
    assert "Apache Airflow" in _found(runtime, "Schedule the jobs in Airflow on the cloud platform.")
    # The same words as plain English are no skills.
    assert "Apache Spark" not in _found(runtime, "Bring a Spark of joy to every customer you meet.")
    assert "Apache Airflow" not in _found(runtime, "Check the Airflow of the clean room every morning.")
    assert "Apache Hive" not in _found(runtime, "The office is a Hive of activity all day.")
    # A lower-case ordinary word counts only with a skill cue beside it.
    assert "batch processing" in _found(runtime, "Streaming and batch capabilities are required.")
    assert "batch processing" not in _found(runtime, "Mix each batch of dough by hand.")


def _tech_hits(rt: Runtime, tech: TechPack, text: str) -> dict[str, str]:
    """The pack's labels that fire in ``text``: its skills, or the labels it gave ESCO skills."""
    loaded = rt.library.current()
    names = loaded.snapshot.skill_names
    tech_names = {s.name for s in tech.skills}
    esco_labels = {t for a in tech.esco_aliases for t in a.aliases}
    return {
        text[m.start : m.end]: names[m.skill_id]
        for m in loaded.matcher.find(text)
        if names[m.skill_id] in tech_names or m.alias_text in esco_labels
    }


# Sentences of ordinary JDs in other fields whose words are also tech labels (or were, before the
# pack dropped them): dialectical behaviour therapy, English language teaching, active pharmaceutical
# ingredients, flooring, aeroelastic flutter, astronomy, out-of-pocket costs, a given name, dental
# cephalometric X-rays, a device for the deaf, colours and rest.
ORDINARY = [
    "Clinicians with training in DBT and CBT.",
    "Knowledge of DBT and trauma-informed care.",
    "Teach ELT classes to adult learners.",
    "Two years of ELT experience and a CELTA.",
    "Oversee the manufacturing of APIs under GMP.",
    "Install parquet flooring in new homes.",
    "Perform flutter analysis of the wing.",
    "Estimate the redshift of distant galaxies.",
    "OOP costs are reimbursed within 30 days.",
    "Please contact Cassandra about the rota.",
    "Take panoramic and ceph X-rays.",
    "TDD users may call 711.",
    "Our rooms overlook the azure sea.",
    "Enjoy a restful break in our staff lounge.",
]


def test_ordinary_jds_get_no_tech_skills(runtime: Runtime, tech: TechPack, sqlite_url: str) -> None:
    for text in ORDINARY:
        assert _tech_hits(runtime, tech, text) == {}, text
    # The context labels are there, context-required, also on ESCO skills ("OOP"); the labels too
    # ambiguous for context are gone.
    strategy = _tech_strategies(sqlite_url)
    for label in ("OOP", "Redshift", "Parquet", "Flutter", "AWS", "GCP", "Azure", "TDD", "Cassandra"):
        assert strategy[label] == CONTEXT_REQUIRED, label
    assert not {"dbt", "ELT", "APIs"} & set(strategy)


def test_tech_jds_still_get_them(runtime: Runtime, tech: TechPack) -> None:
    expected = {
        "Model the warehouse with dbt Cloud and Snowflake.": {
            "dbt Cloud": "data build tool (dbt)",
            "Snowflake": "Snowflake",
        },
        "Build ELT pipelines into the warehouse with Python.": {"ELT pipelines": "data pipelines"},
        "Design ELT processes for the warehouse.": {
            "ELT processes": "data extraction, transformation and loading tools"
        },
        "Write clean code following OOP principles.": {"OOP principles": "use object-oriented programming"},
        "Experience with OOP and SOLID.": {"OOP": "use object-oriented programming"},
        "Store the data as Parquet files on S3.": {"Parquet": "Apache Parquet"},
        "Build mobile apps in Flutter and Dart.": {"Flutter": "Flutter"},
        "Load data into Redshift every night.": {"Redshift": "Amazon Redshift"},
        "Experience with AWS, Azure or GCP.": {
            "AWS": "Amazon Web Services",
            "Azure": "Microsoft Azure",
            "GCP": "Google Cloud Platform",
        },
        "Apply TDD and BDD practices.": {"TDD": "test-driven development"},
        "Manage IaC with Terraform.": {"IaC": "infrastructure as code", "Terraform": "Terraform"},
        "Deploy Ceph storage on Kubernetes.": {"Ceph": "Ceph", "Kubernetes": "Kubernetes"},
        "Design and build web APIs for our mobile app.": {"web APIs": "API development"},
    }
    for text, hits in expected.items():
        assert _tech_hits(runtime, tech, text) == hits, text


def test_canonical_labels_are_primary(
    sqlite_url: str, esco_part: EscoPack, tech: TechPack, embedder: Embedder
) -> None:
    _library(sqlite_url, esco_part, embedder)
    with _session(sqlite_url) as session:
        canon = session.execute(
            select(SkillRow.display_name, SkillAliasRow.text)
            .join(SkillAliasRow, SkillAliasRow.skill_id == SkillRow.id)
            .where(SkillRow.pack == "tech", SkillAliasRow.alias_type == CANONICAL, SkillAliasRow.is_primary)
        ).all()
    assert {name for name, _ in canon} == {s.name for s in tech.skills}
    assert all(name == text for name, text in canon)


# ---- the reference JD ----------------------------------------------------------------------------


def test_reference_jd_yields_the_data_concepts_with_evidence(runtime: Runtime) -> None:
    with embedded_server(runtime) as target, grpc.insecure_channel(target) as channel:
        stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
        run = stub.ExtractFromJd(
            pipeline_service_pb2.ExtractFromJdRequest(jd=pipeline_service_pb2.JdInput(text=REFERENCE_JD)),
            timeout=120,
        ).run
    skills = {s.skill_name: s for s in run.extraction.skills}
    evidence = {name: {e.text for e in s.evidence} for name, s in skills.items()}
    for name, s in skills.items():
        for ev in s.evidence:
            assert run.jd_text[ev.span.start : ev.span.end] == ev.text, name
    # Library skills now, not new phrases.
    etl = "data extraction, transformation and loading tools"
    concepts = (
        "big data",
        "data pipelines",
        etl,
        "stream processing",
        "batch processing",
        "machine learning",
    )
    for name in concepts:
        assert not skills[name].is_new and skills[name].library_skill.slug, name
    assert {"big data solutions", "Big Data"} <= evidence["big data"]
    assert "data pipelines" in evidence["data pipelines"]
    # Written with a serial comma; the pack's label has none.
    assert evidence[etl] == {"extraction, transformation, and loading"}
    assert {"real-time streaming", "streaming data processing"} <= evidence["stream processing"]
    # "real-time streaming and batch analytical capabilities": "batch" with a skill cue.
    assert evidence["batch processing"] == {"batch"}
    assert evidence["machine learning"] == {"model training"}  # "machine model training needs"
    assert {"Apache Kafka", "Apache Spark", "Apache Airflow", "Docker", "Kubernetes", "CI/CD"} <= set(skills)


# ---- role labels the pack's acronyms contradict -----------------------------------------------------

INSEMINATION = OCCUPATION + "15cc27b1-7358-48ed-9fb8-69ffe9f1fc98"  # labels "AI engineer", "AI technician"
MOULDING = OCCUPATION + "ec238461-93b6-4516-a251-52d1153b53ac"  # "production operator (plastic moulding)"


@contextmanager
def _library_with(
    sqlite_url: str, esco: EscoPack, embedder: Embedder, uri: str, name_start: str
) -> Iterator[tuple[Runtime, LibrarySnapshot, int]]:
    """A runtime over the test occupations plus one (``uri``), its snapshot and that role's id."""
    _library(sqlite_url, esco_subset(esco, occupation_uris=[*OCCUPATIONS, uri]), embedder)
    rt = build_runtime(sqlite_url)
    try:
        snapshot = rt.library.current().snapshot
        role = next(r.id for r in snapshot.roles.values() if r.display_name.startswith(name_start))
        yield rt, snapshot, role
    finally:
        rt.close()


def _looked_up(snapshot: LibrarySnapshot, role: int) -> set[str]:
    return {text for hits in snapshot.role_alias_map.values() for role_id, text in hits if role_id == role}


def _embedded(snapshot: LibrarySnapshot, role: int) -> set[str]:
    return {t for t, r in zip(snapshot.alias_texts, snapshot.alias_role_ids, strict=True) if r == role}


def _title_run(rt: Runtime, title: str) -> run_pb2.Run:
    request = pipeline_service_pb2.ExtractFromJdRequest(
        jd=pipeline_service_pb2.JdInput(title=title), options=run_pb2.RunOptions(dry_run=True)
    )
    return rt.core.extract_from_jd(request)[0]


def test_a_role_label_whose_acronym_the_pack_reads_otherwise_is_not_looked_up(
    sqlite_url: str, esco: EscoPack, embedder: Embedder
) -> None:
    with _library_with(sqlite_url, esco, embedder, INSEMINATION, "animal artificial") as (rt, snapshot, role):
        with _session(sqlite_url) as session:
            stored = set(session.scalars(select(RoleAliasRow.text).where(RoleAliasRow.role_id == role)))
        assert {"AI engineer", "AI technician", "artificial insemination specialist"} <= stored
        # The exact lookup and the alias vectors drop the "AI" labels and keep the role's others.
        looked_up = _looked_up(snapshot, role)
        assert "AI engineer" not in looked_up and "AI technician" not in looked_up
        assert "artificial insemination specialist" in looked_up
        assert _embedded(snapshot, role) == looked_up & stored
        # So an "AI Engineer" posting is not sent to the insemination role by its title.
        signals = _title_run(rt, "AI Engineer").extraction.signals
        name = snapshot.roles[role].display_name
        assert all(e.role.display_name != name for e in signals.alias_match_roles)
        assert signals.combined_roles[0].role.display_name != name


def test_a_qualified_role_label_is_looked_up_whole_and_gives_no_title_vector(
    sqlite_url: str, esco: EscoPack, embedder: Embedder
) -> None:
    with _library_with(sqlite_url, esco, embedder, MOULDING, "compression") as (rt, snapshot, role):
        label = "production operator (plastic moulding)"
        # Looked up written out, never as a bare "production operator".
        assert (role, label) in snapshot.role_alias_map["production operator plastic moulding"]
        assert all(role_id != role for role_id, _ in snapshot.role_alias_map.get("production operator", []))
        # Its stored vector is the bare key's, so the title similarity leaves it out; the role's
        # own name stays.
        embedded = _embedded(snapshot, role)
        assert label not in embedded and "compression moulding machine operator" in embedded
        title_roles = _title_run(rt, "Production Operator").extraction.signals.title_match_roles
        assert all(e.score < 0.99 for e in title_roles if e.role.display_name.startswith("compression"))
