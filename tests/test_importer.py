"""Pack import into the library: counts against the pack, idempotency, rollback, problems, updates,
O*NET alone and on top of ESCO, on SQLite and PostgreSQL (``db_url`` runs each test on both)."""

from __future__ import annotations

import dataclasses
import gzip
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jdlens_server.library import tables
from jdlens_server.library.aliases import (
    ABBREVIATION,
    ALTERNATIVE,
    CANONICAL,
    CASE_INSENSITIVE,
    CONTEXT_REQUIRED,
    HIDDEN,
    alias_type,
    match_strategy,
)
from jdlens_server.library.importer import import_pack
from jdlens_server.library.kra_sources import ESCO_DESCRIPTION, ESCO_ESSENTIAL_SKILL, ONET_TASK
from jdlens_server.library.onet_import import ONET_URL, onet_subset, singular_title
from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.esco import EscoPack, esco_subset
from jdlens_server.library.packs.onet import OnetPack
from jdlens_server.library.packs.records import EscoSkill, ReuseLevel, SkillType
from jdlens_server.library.skill_meta import esco_skill_meta
from jdlens_server.library.sync import TableChange, slugify
from jdlens_server.nlp.embedder import Embedder
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.title import normalize_title
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import (
    ChangeLogRow,
    DimensionRow,
    KraRow,
    LibraryVersionRow,
    PackImportRow,
    RoleAliasRow,
    RoleDimensionRow,
    RoleRow,
    RoleSkillRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)

DATA_SCIENTIST = "http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30"
PHYSIOTHERAPIST = "http://data.europa.eu/esco/occupation/006cc1f9-2841-41c3-991a-dc3f2f3bd533"
DATABASE_ADMIN = "http://data.europa.eu/esco/occupation/8c57af09-719c-42b3-be40-6ed4946236cc"
ONET_DATA_SCIENTISTS = "15-2051.00"
ONET_CODES = [ONET_DATA_SCIENTISTS, "29-1123.00", "43-6014.00"]

MODELS = {
    "skills": SkillRow,
    "skill_aliases": SkillAliasRow,
    "skill_dimensions": SkillDimensionRow,
    "dimensions": DimensionRow,
    "roles": RoleRow,
    "role_aliases": RoleAliasRow,
    "role_skills": RoleSkillRow,
    "role_dimensions": RoleDimensionRow,
    "kras": KraRow,
    "library_versions": LibraryVersionRow,
    "change_log": ChangeLogRow,
}


@pytest.fixture
def small(esco: EscoPack) -> EscoPack:
    return esco_subset(esco, occupation_uris=[DATA_SCIENTIST, PHYSIOTHERAPIST])


@pytest.fixture
def session_of(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


def counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in MODELS.items()
    }


def test_subset_import_matches_the_pack(
    db_url: str, small: EscoPack, embedder: Embedder, session_of: Session
) -> None:
    report = import_pack(db_url, "esco", contents=small, embedder=embedder, progress=False)
    assert report.changed and report.library_version == 1
    assert report.subset is not None and "2 seed occupations" in report.subset

    got = counts(session_of)
    assert got["skills"] == len(small.skills) == report.counts["skills"]
    assert got["roles"] == len(small.occupations) == report.counts["roles"]
    assert got["dimensions"] == len(small.skill_groups)
    assert got["role_skills"] == len(small.occupation_skills)
    # One alias per distinct folded label of each skill; one role alias per distinct normalised title.
    assert got["skill_aliases"] == sum(
        len({fold(x) for x in (s.preferred_label, *s.alt_labels, *s.hidden_labels)}) for s in small.skills
    )
    assert got["role_aliases"] == sum(
        len({normalize_title(x) for x in (o.preferred_label, *o.alt_labels, *o.hidden_labels)})
        for o in small.occupations
    )
    groups = small.skill_group_uris()
    assert got["skill_dimensions"] == sum(len(groups[s.uri]) for s in small.skills)
    for name, change in report.changes.items():
        assert change.added == got[name] and change.updated == change.removed == 0, name

    # One library version, one change-log entry per table written, the pack remembered.
    assert got["library_versions"] == 1
    logged = {r.resource for r in session_of.scalars(select(ChangeLogRow))}
    assert logged == set(report.changes)
    imported = session_of.get(PackImportRow, "esco")
    assert imported is not None and imported.embedder == embedder.name and imported.library_version == 1

    # Every library text has a unit-length embedding from the embedder.
    for model in (SkillRow, RoleRow, DimensionRow, KraRow, RoleAliasRow):
        blobs = session_of.scalars(select(model.embedding)).all()
        assert blobs and all(b is not None and len(b) == embedder.dim * 4 for b in blobs)
        matrix = np.frombuffer(b"".join(b for b in blobs if b), np.float32).reshape(len(blobs), -1)
        norms = np.linalg.norm(matrix, axis=1)
        assert np.allclose(norms, 1.0, atol=1e-3)

    # The data scientist role: its links, KRAs from both sources, and dimension weights.
    role = session_of.scalars(select(RoleRow).where(RoleRow.source_uri == DATA_SCIENTIST)).one()
    occ = next(o for o in small.occupations if o.uri == DATA_SCIENTIST)
    assert (role.display_name, role.code, role.isco_group) == (occ.preferred_label, occ.code, occ.isco_group)
    assert role.archetype == "Professionals"
    assert {a.normalized for a in role.aliases} >= {"data scientist", "data engineer"}
    essential = [
        r.skill_uri
        for r in small.occupation_skills
        if r.occupation_uri == DATA_SCIENTIST and r.relation_type.value == "essential"
    ]
    kras = session_of.execute(select(KraRow.source, KraRow.text).where(KraRow.role_id == role.id)).all()
    by_source = {src: {t for s, t in kras if s == src} for src in (ESCO_DESCRIPTION, ESCO_ESSENTIAL_SKILL)}
    labels = {s.uri: s.preferred_label for s in small.skills}
    assert by_source[ESCO_ESSENTIAL_SKILL] == {labels[u] for u in essential}
    assert by_source[ESCO_DESCRIPTION] and all(
        t in (occ.description or "") for t in by_source[ESCO_DESCRIPTION]
    )
    weights = {
        int(d): int(w)
        for d, w in session_of.execute(
            select(RoleDimensionRow.dimension_id, RoleDimensionRow.weight).where(
                RoleDimensionRow.role_id == role.id
            )
        )
    }
    assert sum(weights.values()) == sum(len(groups[u]) for u in essential)


def test_reimport_changes_nothing(
    db_url: str, small: EscoPack, embedder: Embedder, session_of: Session
) -> None:
    import_pack(db_url, "esco", contents=small, embedder=embedder, progress=False)
    before = counts(session_of)
    again = import_pack(db_url, "esco", contents=small, embedder=embedder, progress=False)
    assert not again.changed
    assert again.library_version == 1
    assert "already imported at version 1, nothing changed" in again.message
    assert counts(session_of) == before


def test_interrupted_import_leaves_the_previous_library_whole(
    db_url: str, esco: EscoPack, small: EscoPack, embedder: Embedder, session_of: Session
) -> None:
    import_pack(db_url, "esco", contents=small, embedder=embedder, progress=False)
    before = counts(session_of)
    bigger = esco_subset(esco, occupation_uris=[DATA_SCIENTIST, PHYSIOTHERAPIST, DATABASE_ADMIN])
    written: list[str] = []

    def fail_midway(table: str, change: TableChange) -> None:
        written.append(table)
        if table == "role_aliases":
            raise KeyboardInterrupt  # what Ctrl-C would raise mid-import

    with pytest.raises(KeyboardInterrupt):
        import_pack(
            db_url, "esco", contents=bigger, embedder=embedder, progress=False, after_table=fail_midway
        )
    assert "skills" in written and "roles" in written  # rows were written before the failure
    assert counts(session_of) == before
    imported = session_of.get(PackImportRow, "esco")
    assert imported is not None and imported.checksum == small.info.digest

    # The same import, uninterrupted, then goes through.
    done = import_pack(db_url, "esco", contents=bigger, embedder=embedder, progress=False)
    assert done.changed and done.library_version == 2


def test_changed_pack_updates_in_place(
    sqlite_url: str, esco: EscoPack, small: EscoPack, embedder: Embedder
) -> None:
    first = import_pack(sqlite_url, "esco", contents=small, embedder=embedder, progress=False)
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        ids = {str(u): int(i) for u, i in session.execute(select(RoleRow.source_uri, RoleRow.id))}
        skill_ids = {str(u): int(i) for u, i in session.execute(select(SkillRow.source_uri, SkillRow.id))}

    # A new pack version: one skill relabelled, the physiotherapist gone, a new occupation.
    bigger = esco_subset(esco, occupation_uris=[DATA_SCIENTIST, DATABASE_ADMIN])
    target = bigger.skills[0]
    renamed = dataclasses.replace(target, preferred_label=target.preferred_label + " (revised)")
    changed = dataclasses.replace(
        bigger,
        info=dataclasses.replace(bigger.info, digest="0" * 64),
        skills=[renamed if s is target else s for s in bigger.skills],
    )
    second = import_pack(sqlite_url, "esco", contents=changed, embedder=embedder, progress=False)
    assert second.changed and second.library_version == first.library_version + 1
    assert second.changes["roles"].added == 1 and second.changes["roles"].removed >= 1
    assert second.changes["skills"].updated >= 1
    with session_factory(engine)() as session:
        now = {str(u): int(i) for u, i in session.execute(select(RoleRow.source_uri, RoleRow.id))}
        assert now[DATA_SCIENTIST] == ids[DATA_SCIENTIST]  # unchanged role kept its id
        assert PHYSIOTHERAPIST not in now
        row = session.scalars(select(SkillRow).where(SkillRow.source_uri == target.uri)).one()
        assert row.id == skill_ids[target.uri] and row.display_name.endswith("(revised)")
        assert fold(renamed.preferred_label) in {a.normalized for a in row.aliases}
        # Its embedding follows its new label.
        assert row.embedding == embedder.embed([renamed.preferred_label])[0].tobytes()
        # The removed role's aliases went with it and are counted as removed.
        assert second.changes["role_aliases"].removed >= 1
        log = session.scalars(select(ChangeLogRow).where(ChangeLogRow.library_version == 2)).all()
        assert {e.resource for e in log} == {n for n, c in second.changes.items() if c.changed}
    engine.dispose()


def test_problems_are_reported_with_file_and_line(
    tmp_path: Path, sqlite_url: str, embedder: Embedder
) -> None:
    data = tmp_path / "packs"
    shutil.copytree(mf.DATA_DIR, data)
    skills_file = data / mf.ESCO_SKILLS
    lines = gzip.decompress(skills_file.read_bytes()).decode().splitlines(keepends=True)
    lines[2] = '{"uri": "http://example.org/not-esco", "preferred_label": "x"}\n'
    lines[4] = "{not json\n"
    skills_file.write_bytes(gzip.compress("".join(lines).encode()))

    report = import_pack(
        sqlite_url, "esco", data_dir=data, subset=[DATA_SCIENTIST], embedder=embedder, progress=False
    )
    where = {(p.file, p.line) for p in report.problems}
    assert (mf.ESCO_SKILLS, 3) in where and (mf.ESCO_SKILLS, 5) in where
    assert (mf.ESCO_SKILLS, 0) in where  # the checksum no longer matches the manifest
    assert any(str(p).startswith(f"{mf.ESCO_SKILLS}:3: ") for p in report.problems)
    assert f"{mf.ESCO_SKILLS}:3:" in report.summary()


def test_onet_alone_then_merged_into_esco(
    db_url: str, small: EscoPack, onet: OnetPack, embedder: Embedder, session_of: Session
) -> None:
    part = onet_subset(onet, ONET_CODES)
    alone = import_pack(db_url, "onet", contents=part, embedder=embedder, progress=False)
    assert alone.changes["roles"].added == len(ONET_CODES)
    assert alone.changes["kras"].total == len({(t.code, t.task) for t in part.tasks})
    examples = {fold(t.example) for t in part.technology_skills}
    assert alone.changes["skills"].total == len(examples)
    assert alone.changes["dimensions"].total == len(part.commodities)
    role = session_of.scalars(
        select(RoleRow).where(RoleRow.source_uri == ONET_URL + ONET_DATA_SCIENTISTS)
    ).one()
    assert role.pack == "onet" and role.archetype == "Computer and Mathematical"
    primary = [a for a in role.aliases if a.is_primary]
    assert [a.text for a in primary] == ["Data Scientists"]
    assert not import_pack(db_url, "onet", contents=part, embedder=embedder, progress=False).changed

    esco_report = import_pack(db_url, "esco", contents=small, embedder=embedder, progress=False)
    assert any("import onet again" in n for n in esco_report.notes)

    # On top of ESCO the O*NET occupations are no longer roles; data scientists map to ESCO's.
    merged = import_pack(db_url, "onet", contents=part, embedder=embedder, progress=False)
    assert merged.changed
    assert merged.changes["roles"].total == 0 and merged.changes["roles"].removed == len(ONET_CODES)
    # Data Scientists and Physical Therapists have ESCO titles ("physical therapist" is a physiotherapist
    # label); no ESCO role of the subset is a secretary.
    assert any("2 of 3 occupations mapped to 2 ESCO roles (2 by title" in n for n in merged.notes)
    session_of.expire_all()
    ds = session_of.scalars(select(RoleRow).where(RoleRow.source_uri == DATA_SCIENTIST)).one()
    sources = {a.source for a in ds.aliases}
    assert "onet_title" in sources and "onet_alternate_title" in sources
    tasks = session_of.scalars(
        select(KraRow.text).where(KraRow.role_id == ds.id, KraRow.source == ONET_TASK)
    ).all()
    assert set(tasks) == {t.task for t in part.tasks if t.code == ONET_DATA_SCIENTISTS}
    assert not session_of.scalars(select(RoleRow).where(RoleRow.pack == "onet")).all()
    # ESCO's own rows are untouched by the O*NET import.
    assert counts(session_of)["roles"] == len(small.occupations)
    assert not import_pack(db_url, "onet", contents=part, embedder=embedder, progress=False).changed


def test_onet_technology_skill_merges_into_an_esco_alias(
    sqlite_url: str, esco: EscoPack, onet: OnetPack, embedder: Embedder
) -> None:
    dba = esco_subset(esco, occupation_uris=[DATABASE_ADMIN])
    import_pack(sqlite_url, "esco", contents=dba, embedder=embedder, progress=False)
    part = onet_subset(onet, ["15-1242.00"])  # Database Administrators
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        esco_aliases = set(session.scalars(select(SkillAliasRow.normalized)))
    shared = {fold(t.example) for t in part.technology_skills} & esco_aliases
    assert shared, "O*NET DBAs use databases ESCO names (MySQL, PostgreSQL)"
    import_pack(sqlite_url, "onet", contents=part, embedder=embedder, progress=False)
    with session_factory(engine)() as session:
        onet_names = {
            fold(n) for n in session.scalars(select(SkillRow.display_name).where(SkillRow.pack == "onet"))
        }
        assert not shared & onet_names  # merged, not duplicated
        links = session.execute(
            select(SkillRow.pack, DimensionRow.pack)
            .join(SkillDimensionRow, SkillDimensionRow.skill_id == SkillRow.id)
            .join(DimensionRow, DimensionRow.id == SkillDimensionRow.dimension_id)
            .where(SkillDimensionRow.source == "onet")
        ).all()
        assert ("esco", "onet") in links  # an ESCO skill filed under an O*NET commodity
    engine.dispose()


def test_embedder_mismatch_is_refused(
    sqlite_url: str, small: EscoPack, onet: OnetPack, embedder: Embedder
) -> None:
    from jdlens_server.errors import FailedPrecondition

    import_pack(sqlite_url, "esco", contents=small, embedder=embedder, progress=False)

    class Other:
        name = "some-other-model"
        dim = embedder.dim

        def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
            return embedder.embed(texts)

        def clear_cache(self) -> None:
            embedder.clear_cache()

    with pytest.raises(FailedPrecondition, match="another model"):
        import_pack(sqlite_url, "onet", contents=onet_subset(onet, 1), embedder=Other(), progress=False)


# ---- rules ---------------------------------------------------------------------------------------


def _skill(label: str, kind: SkillType | None, reuse: ReuseLevel | None, description: str = "") -> EscoSkill:
    return EscoSkill("u", label, (), (), kind, reuse, description)


@pytest.mark.parametrize(
    ("label", "kind", "reuse", "description", "ict", "nature"),
    [
        (
            "Python (computer programming)",
            SkillType.KNOWLEDGE,
            ReuseLevel.SECTOR_SPECIFIC,
            "",
            True,
            "LANGUAGE",
        ),
        (
            "Haskell",
            SkillType.KNOWLEDGE,
            ReuseLevel.SECTOR_SPECIFIC,
            "The techniques ... of programming paradigms in Haskell.",
            True,
            "LANGUAGE",
        ),
        ("Hadoop", SkillType.KNOWLEDGE, ReuseLevel.SECTOR_SPECIFIC, "", True, "PLATFORM"),
        ("Wireshark", SkillType.KNOWLEDGE, ReuseLevel.SECTOR_SPECIFIC, "", True, "TOOL"),
        ("Agile project management", SkillType.KNOWLEDGE, ReuseLevel.CROSS_SECTOR, "", True, "METHODOLOGY"),
        ("ICT security standards", SkillType.KNOWLEDGE, ReuseLevel.SECTOR_SPECIFIC, "", True, "KNOWLEDGE"),
        ("Christianity", SkillType.KNOWLEDGE, ReuseLevel.SECTOR_SPECIFIC, "", False, "KNOWLEDGE"),
        ("show empathy", SkillType.SKILL_COMPETENCE, ReuseLevel.TRANSVERSAL, "", False, "SOFT_SKILL"),
        ("manage budgets", SkillType.SKILL_COMPETENCE, ReuseLevel.CROSS_SECTOR, "", False, "PRACTICE"),
        ("statistics", SkillType.KNOWLEDGE, ReuseLevel.CROSS_SECTOR, "", False, "KNOWLEDGE"),
    ],
)
def test_nature_rules(
    label: str, kind: SkillType, reuse: ReuseLevel, description: str, ict: bool, nature: str
) -> None:
    from jdlens_server.library.skill_meta import GroupPlace

    place = GroupPlace("some group", "top group", "K" if kind is SkillType.KNOWLEDGE else "S", ict)
    meta = esco_skill_meta(_skill(label, kind, reuse, description), [place])
    assert meta.nature == nature
    assert meta.reasoning.startswith("rule: ")
    assert (meta.version_strategy == "MAJOR_VERSIONS") == (nature in ("TOOL", "PLATFORM", "LANGUAGE"))
    assert (meta.category, meta.sub_category) == ("top group", "some group")


def test_language_pillar_is_a_natural_language() -> None:
    from jdlens_server.library.skill_meta import GroupPlace

    meta = esco_skill_meta(
        _skill("French", SkillType.KNOWLEDGE, ReuseLevel.TRANSVERSAL),
        [GroupPlace("languages", "languages", "L", False)],
    )
    assert (meta.nature, meta.volatility, meta.version_strategy) == ("LANGUAGE", "STABLE", "NOT_APPLICABLE")


def test_alias_rules() -> None:
    assert alias_type("Python", preferred=True) == CANONICAL
    assert alias_type("hidden one", hidden=True) == HIDDEN
    assert alias_type("CRM") == ABBREVIATION and alias_type("R&D") == ABBREVIATION
    assert alias_type("MATLAB") == ALTERNATIVE  # too long to be a short abbreviation
    assert alias_type("Python3") == ALTERNATIVE
    for short_or_common in ("R", "C", "IT", "Go", "Swift", "access", "design"):
        assert match_strategy(short_or_common) == CONTEXT_REQUIRED, short_or_common
    for specific in ("C++", "PostgreSQL", "manage budgets", "Spark Streaming"):
        assert match_strategy(specific) == CASE_INSENSITIVE, specific


def test_slugs_and_titles() -> None:
    assert slugify("Python (computer programming)") == "python-computer-programming"
    assert slugify("C++") == "c-plus-plus" and slugify("C#") == "c-sharp"
    assert singular_title("Chief Executives") == "chief executive"
    assert (
        singular_title("Secretaries and Administrative Assistants")
        == "secretary and administrative assistant"
    )
    assert tables.role_embed_texts(
        {"display_name": "Senior Nurse", "description": "Nurses care. They help."}
    ) == (
        "nurse",
        "Nurses care.",
    )
