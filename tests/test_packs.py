"""The shipped taxonomy packs: counts against the sources, problem reporting, subsets, reproducible builds."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from jdlens_server.library.packs import (
    DATA_DIR,
    ESCO,
    ONET,
    PACK_FILES,
    ConceptType,
    EscoPack,
    OnetPack,
    PackProblem,
    RelationType,
    esco_subset,
    read_esco,
    read_manifest,
    read_onet,
    verify_pack,
)
from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.manifest import files_digest
from jdlens_server.library.packs.tech import read_tech

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
# ESCO v1.1.1 defines no occupation with this URI, yet 67 occupation-skill rows and one hierarchy row
# name it: the only real referential faults of the source.
ESCO_DANGLING_OCCUPATION = "http://data.europa.eu/esco/occupation/a9e54177-a185-404d-b6e6-15663d31137e"


def _build_packs_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_packs", REPO / "tools" / "build_packs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


# ---- shipped packs ----------------------------------------------------------------------------


def test_manifest_pins_the_shipped_files() -> None:
    manifest = read_manifest()
    assert set(manifest.packs) == {ESCO, ONET, mf.TECH}
    assert manifest.packs[ESCO].version == "1.1.1"
    assert manifest.packs[ONET].version == "29.2"
    assert manifest.packs[mf.TECH].version  # the curated pack's own version, bumped on each change
    for name, info in manifest.packs.items():
        assert {f.name for f in info.files} == set(PACK_FILES[name])
        assert verify_pack(info) == []
        assert info.digest == files_digest((f.name, f.sha256) for f in info.files)
        assert "ESCO" in info.attribution or "O*NET" in info.attribution
    total = sum(f.bytes for info in manifest.packs.values() for f in info.files)
    assert total < 15_000_000


def test_esco_counts_match_the_source(esco: EscoPack) -> None:
    info = esco.info
    assert len(esco.skills) == info.file(mf.ESCO_SKILLS).rows == 13_896
    # 640 groups from skillGroups_en.csv, 7 more that only skillsHierarchy_en.csv describes.
    raw = json.loads((DATA_DIR / mf.MANIFEST_NAME).read_text())["packs"][ESCO]["sources"]
    assert raw["skillGroups_en.csv"]["rows"] == 640
    assert len(esco.skill_groups) == 647
    assert len(esco.occupations) == 3_007
    assert len(esco.isco_groups) == 619
    alt_labels = sum(len(s.alt_labels) for s in esco.skills)
    # 97,483 in the CSV; 65 differ from another label of the same skill only by whitespace.
    assert 97_000 <= alt_labels <= 97_483
    assert info.file(mf.ESCO_OCCUPATION_SKILLS).rows == 123_855
    assert len(esco.occupation_skills) == 123_855 - 67
    assert len(esco.skill_broader) == 20_656
    assert len(esco.occupation_broader) == 3_617 - 1
    kinds = {r.relation_type for r in esco.occupation_skills}
    assert kinds == {RelationType.ESSENTIAL, RelationType.OPTIONAL}


def test_esco_problems_are_the_sources_dangling_occupation(esco: EscoPack) -> None:
    assert len(esco.problems) == 68
    assert {p.file for p in esco.problems} == {mf.ESCO_OCCUPATION_SKILLS, mf.ESCO_OCCUPATION_BROADER}
    assert all(ESCO_DANGLING_OCCUPATION in p.message and p.line > 0 for p in esco.problems)


def test_every_esco_skill_reaches_a_group(esco: EscoPack) -> None:
    groups_of = esco.skill_group_uris()
    group_uris = {g.uri for g in esco.skill_groups}
    assert set(groups_of) == {s.uri for s in esco.skills}
    assert all(groups and set(groups) <= group_uris for groups in groups_of.values())


def test_esco_occupation_text_is_kept(esco: EscoPack) -> None:
    by_label = {o.preferred_label: o for o in esco.occupations}
    director = by_label["technical director"]
    assert director.isco_group == "2654" and director.code.startswith("2654.")
    assert director.description is not None
    assert director.description.startswith("Technical directors realise the artistic visions")
    assert "technical manager" in director.alt_labels
    # Labels are whitespace-normalised: no stray or no-break spaces survive.
    labels = [lab for s in esco.skills for lab in (s.preferred_label, *s.alt_labels)]
    assert all(lab == " ".join(lab.split()) for lab in labels)


def test_onet_counts_match_the_source(onet: OnetPack) -> None:
    assert onet.problems == []
    assert len(onet.occupations) == 1_016
    assert len(onet.alternate_titles) == 56_560
    assert len(onet.tasks) == 18_796
    assert len(onet.technology_skills) == 32_627
    commodity_codes = {c.commodity_code for c in onet.commodities}
    assert {t.commodity_code for t in onet.technology_skills} == commodity_codes
    assert sum(t.hot_technology for t in onet.technology_skills) == 11_621
    assert {t.task_type for t in onet.tasks} == {"Core", "Supplemental", None}


# ---- problems in a damaged copy ---------------------------------------------------------------


def _rewrite(path: Path, edit: dict[int, str]) -> None:
    """Replace whole lines (1-based) of a gzip'd pack file."""
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")
    for line_no, text in edit.items():
        lines[line_no - 1] = text
    path.write_bytes(gzip.compress("\n".join(lines).encode(), compresslevel=1))


def _line(path: Path, line_no: int) -> dict[str, object]:
    obj = json.loads(gzip.decompress(path.read_bytes()).decode().split("\n")[line_no - 1])
    assert isinstance(obj, dict)
    return obj


def test_malformed_rows_are_reported_with_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "packs"
    shutil.copytree(DATA_DIR, data)
    skills = data / mf.ESCO_SKILLS
    victim = _line(skills, 7)
    no_label = {**_line(skills, 11), "preferred_label": ""}
    renamed = _line(skills, 12)
    bad_uri = {**renamed, "uri": "http://example.org/skill/12"}
    _rewrite(
        skills,
        {
            7: "{not json",
            11: json.dumps(no_label),
            12: json.dumps(bad_uri),
        },
    )
    occupations = data / mf.ESCO_OCCUPATIONS
    bad_code = {**_line(occupations, 3), "code": "12.x"}
    _rewrite(occupations, {3: json.dumps(bad_code)})

    pack = read_esco(data)
    found = {(p.file, p.line): p.message for p in pack.problems}
    assert "not valid JSON" in found[(mf.ESCO_SKILLS, 7)]
    assert "'preferred_label' is empty" in found[(mf.ESCO_SKILLS, 11)]
    assert "not a valid ESCO skill URI" in found[(mf.ESCO_SKILLS, 12)]
    assert "not a valid ESCO occupation code" in found[(mf.ESCO_OCCUPATIONS, 3)]
    # The edited files no longer match the manifest.
    assert {(mf.ESCO_SKILLS, 0), (mf.ESCO_OCCUPATIONS, 0)} <= set(found)

    # Bad rows are left out, the rest is read, and rows that point at them are reported too.
    assert len(pack.skills) == 13_896 - 3
    assert len(pack.occupations) == 3_007 - 1
    lost = {victim["uri"], no_label["uri"], renamed["uri"], bad_code["uri"]}
    dangling = [
        p
        for p in pack.problems
        if p.file in (mf.ESCO_OCCUPATION_SKILLS, mf.ESCO_SKILL_BROADER, mf.ESCO_OCCUPATION_BROADER)
        and any(str(uri) in p.message for uri in lost)
    ]
    assert dangling
    kept = {s.uri for s in pack.skills}
    assert all(r.skill_uri in kept for r in pack.occupation_skills)


def test_missing_and_corrupt_files_are_problems_not_crashes(tmp_path: Path) -> None:
    data = tmp_path / "packs"
    shutil.copytree(DATA_DIR, data)
    (data / mf.ONET_TASKS).unlink()
    (data / mf.ONET_ALTERNATE_TITLES).write_bytes(b"not gzip at all")
    tech = data / mf.ONET_TECHNOLOGY_SKILLS
    _rewrite(tech, {2: json.dumps({**_line(tech, 2), "hot_technology": "maybe"})})

    pack = read_onet(data)
    problems = {(p.file, p.line) for p in pack.problems}
    assert (mf.ONET_TASKS, 0) in problems
    assert (mf.ONET_ALTERNATE_TITLES, 0) in problems
    assert (mf.ONET_TECHNOLOGY_SKILLS, 2) in problems
    assert pack.tasks == [] and pack.alternate_titles == []
    assert len(pack.technology_skills) == 32_627 - 1
    assert len(pack.occupations) == 1_016
    assert str(PackProblem("f", 3, "m")) == "f:3: m"


# ---- subsets ----------------------------------------------------------------------------------


def _assert_whole(pack: EscoPack) -> None:
    skills = {s.uri for s in pack.skills}
    groups = {g.uri for g in pack.skill_groups}
    occupations = {o.uri for o in pack.occupations}
    isco = {g.uri for g in pack.isco_groups}
    isco_codes = {g.code for g in pack.isco_groups}
    known = {
        ConceptType.SKILL: skills,
        ConceptType.SKILL_GROUP: groups,
        ConceptType.OCCUPATION: occupations,
        ConceptType.ISCO_GROUP: isco,
    }
    for rel in pack.occupation_skills:
        assert rel.occupation_uri in occupations and rel.skill_uri in skills
    for b in [*pack.skill_broader, *pack.occupation_broader]:
        assert b.uri in known[b.concept_type] and b.broader_uri in known[b.broader_type]
    assert all(o.isco_group in isco_codes for o in pack.occupations)
    groups_of = pack.skill_group_uris()
    assert all(groups_of[s.uri] and set(groups_of[s.uri]) <= groups for s in pack.skills)


def test_subset_is_small_and_referentially_whole(esco: EscoPack) -> None:
    wanted = next(o for o in esco.occupations if o.preferred_label == "data scientist")
    small = read_esco(occupations_limit=10, occupation_uris=[wanted.uri], verify=False)
    assert small == esco_subset(esco, occupations=10, occupation_uris=[wanted.uri])
    seeds = {o.uri for o in esco.occupations[:10]} | {wanted.uri}
    assert seeds <= {o.uri for o in small.occupations}
    assert len(small.occupations) < 40 and len(small.skills) < 2_000
    _assert_whole(small)
    # Every relation of a kept occupation is kept, so roles arrive with all their skills.
    full_links = sum(1 for r in esco.occupation_skills if r.occupation_uri == wanted.uri)
    assert sum(1 for r in small.occupation_skills if r.occupation_uri == wanted.uri) == full_links
    assert small.info.subset is not None and small.info.digest != esco.info.digest
    assert small.info.version == esco.info.version
    with pytest.raises(ValueError, match="unknown occupation"):
        esco_subset(esco, occupation_uris=["http://data.europa.eu/esco/occupation/nope"])


# ---- building ---------------------------------------------------------------------------------


def _slice_sources(dst: Path, rows: int, *, reverse: bool) -> None:
    """The first `rows` records of every source table, optionally in reverse order."""
    for pack_dir in ("esco", "onet"):
        src = SHARED_DATA / pack_dir
        (dst / pack_dir / "relations").mkdir(parents=True, exist_ok=True)
        for path in sorted(src.rglob("*")):
            if not path.is_file():
                continue
            out = dst / pack_dir / path.relative_to(src)
            if path.suffix not in (".csv", ".txt") or path.name == "Read Me.txt":
                shutil.copyfile(path, out)
                continue
            tsv = path.suffix == ".txt"
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(fh)
                header = next(reader)
                body = [row for _, row in zip(range(rows), reader, strict=False)]
            if reverse:
                body.reverse()
            with out.open("w", newline="", encoding="utf-8") as fh:
                if tsv:  # O*NET files: plain tab-separated, CRLF, no quoting
                    fh.writelines("\t".join(row) + "\r\n" for row in [header, *body])
                else:
                    csv.writer(fh).writerows([header, *body])


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="needs ../shared/data")
def test_build_is_deterministic_and_order_independent(tmp_path: Path) -> None:
    build = _build_packs_module()
    outputs = []
    for i, reverse in enumerate((False, False, True)):
        src = tmp_path / f"src{i}"
        _slice_sources(src, 400, reverse=reverse)
        out = tmp_path / f"out{i}"
        assert build.main(["--source", str(src), "--out", str(out), "--quiet"]) == 0
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert set(outputs[0]) == {mf.MANIFEST_NAME, *PACK_FILES[ESCO], *PACK_FILES[ONET]}
    first, again, reversed_ = outputs
    packs = {k: v for k, v in first.items() if k != mf.MANIFEST_NAME}
    assert again == first
    # Source checksums in the manifest differ (the rows were reordered); the packs do not.
    assert {k: v for k, v in reversed_.items() if k != mf.MANIFEST_NAME} == packs
    manifest = read_manifest(tmp_path / "out0")
    assert manifest.packs[ONET].file(mf.ONET_OCCUPATIONS).rows == 400


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="needs ../shared/data")
def test_shipped_packs_are_what_the_sources_build(tmp_path: Path) -> None:
    build = _build_packs_module()
    assert build.main(["--out", str(tmp_path), "--quiet"]) == 0
    assert read_manifest(tmp_path) == read_manifest(DATA_DIR)
    for name in (n for files in PACK_FILES.values() for n in files):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


# ---- the tech supplement ------------------------------------------------------------------------

OOP_URI = "http://data.europa.eu/esco/skill/5b9cde20-f1b9-4adc-bfb3-dbf70b14138d"
_TECH_HEAD = f"""
version = "0.0.1"
[dimensions]
software = "http://data.europa.eu/esco/isced-f/0613"

[[alias]]
esco = "{OOP_URI}"
label = "use object-oriented programming"
aliases = ["OOP", "OOP principles"]
"""
_TECH_SKILL = """
[[skill]]
name = "Amazon Redshift"
nature = "PLATFORM"
dimensions = ["software"]
description = "A data warehouse."
aliases = ["Redshift"]
"""


def _build_tech(build: ModuleType, tmp_path: Path, text: str) -> list[dict[str, object]]:
    source = tmp_path / "tech_pack.toml"
    source.write_text(text, encoding="utf-8")
    tables, _, _ = build.build_tech(source, DATA_DIR)
    return [row for table in tables for row in table.rows]


def test_tech_context_labels_are_built_for_skills_and_esco_aliases(tmp_path: Path) -> None:
    rows = _build_tech(
        _build_packs_module(),
        tmp_path,
        _TECH_HEAD + 'context = ["OOP"]\n' + _TECH_SKILL + 'context = ["Redshift"]\n',
    )
    by_name = {str(r.get("name") or r.get("esco_label")): r for r in rows}
    assert by_name["use object-oriented programming"]["context"] == ["OOP"]
    assert by_name["Amazon Redshift"]["context"] == ["Redshift"]


def test_tech_context_must_name_the_entrys_own_labels(tmp_path: Path) -> None:
    build = _build_packs_module()
    # "OOP costs" is no label of the ESCO skill's entry; "redshift" differs from "Redshift" in case,
    # so the import would never mark it (context labels are matched as written).
    text = _TECH_HEAD + 'context = ["OOP costs"]\n' + _TECH_SKILL + 'context = ["redshift"]\n'
    with pytest.raises(build.SourceError) as err:
        _build_tech(build, tmp_path, text)
    message = str(err.value)
    assert "2 problems" in message
    assert "ESCO skill 'use object-oriented programming': context labels ['OOP costs']" in message
    assert "tech skill 'Amazon Redshift': context labels ['redshift']" in message


def test_tech_reader_rejects_context_labels_an_esco_alias_row_lacks(tmp_path: Path) -> None:
    data = tmp_path / "packs"
    shutil.copytree(DATA_DIR, data)
    aliases = data / mf.TECH_ESCO_ALIASES
    row = _line(aliases, 1)
    _rewrite(aliases, {1: json.dumps({**row, "context": ["not a label"]})})
    pack = read_tech(data)
    found = {(p.file, p.line): p.message for p in pack.problems}
    assert "'context' names labels the entry does not have" in found[(mf.TECH_ESCO_ALIASES, 1)]
    assert all(a.esco_uri != row["esco_uri"] for a in pack.esco_aliases)
    # The shipped pack marks "OOP" on ESCO's object-oriented programming skill.
    shipped = {a.esco_uri: a for a in read_tech().esco_aliases}
    assert shipped[OOP_URI].context_labels == ("OOP",)


_SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


def test_tech_role_titles_are_built_and_none_repeats_an_esco_label(tmp_path: Path) -> None:
    build = _build_packs_module()
    role = f'version = "t"\n[[role]]\nesco = "{_SOFTWARE_DEVELOPER}"\nlabel = "software developer"\ntitles = [{{}}]\n'
    rows = _build_tech(build, tmp_path, role.format('"backend developer", "Senior Java Developer"'))
    assert rows == [
        {
            "esco_uri": _SOFTWARE_DEVELOPER,
            "esco_label": "software developer",
            "titles": ["backend developer", "Senior Java Developer"],
        }
    ]
    # "Senior Programmer" is ESCO's "programmer" (an alternative label of the software developer)
    # once the lookup drops the seniority; a wrong preferred label is caught too.
    second = role.replace('version = "t"\n', "").replace("software developer", "software engineer")
    bad = role.format('"Senior Programmer"') + second.format('"golang developer"')
    with pytest.raises(build.SourceError) as err:
        _build_tech(build, tmp_path, bad)
    message = str(err.value)
    assert "title 'Senior Programmer' is already an ESCO label of" in message
    assert "ESCO calls it 'software developer', not 'software engineer'" in message
