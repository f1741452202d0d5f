#!/usr/bin/env python3
"""Build the taxonomy packs shipped in server/jdlens_server/library/packs/data from ../shared/data.

Each table becomes one gzip'd JSON-lines file holding only the columns jdlens uses, rows sorted
and gzip mtime fixed, so a rebuild from the same sources gives identical bytes. A manifest records
source versions, source and pack checksums and row counts.

Normalisation (stated in NOTICE): multi-line label cells become lists, labels have runs of
whitespace (including no-break spaces) collapsed and are de-duplicated in order, empty and "n/a"
cells become null; descriptions are kept verbatim. Seven ESCO skill groups that the skill hierarchy
uses but skillGroups_en.csv lacks are taken from skillsHierarchy_en.csv.

The tech supplement is jdlens's own curated data (tools/tech_pack.toml, Apache-2.0): it is checked
against the ESCO pack in --out (URIs exist, preferred labels match, no new label repeats an ESCO label
or another tech label; role titles name ESCO occupations and repeat none of their labels) and written
as three tables; see jdlens_server.library.packs.tech.

    python tools/build_packs.py [--source ../shared/data] [--out DIR] [--only esco|onet|tech]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.esco import EscoPack, read_esco
from jdlens_server.library.packs.onet import read_onet
from jdlens_server.library.packs.tech import NATURES, read_tech
from jdlens_server.library.sync import slugify
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.skill_matcher import label_key
from jdlens_server.nlp.title import normalize_title

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data"
TECH_SOURCE = REPO_ROOT / "tools" / "tech_pack.toml"

Record = dict[str, object]

# Attribution wording from ../shared/data/*/SOURCES.md, marked as modified (details in NOTICE).
ESCO_ATTRIBUTION = (
    "ESCO classification v{version}, (c) European Union, https://esco.ec.europa.eu/ - modified "
    "(selected tables and columns, labels whitespace-normalised; see NOTICE)"
)
ONET_ATTRIBUTION = (
    "This product includes information from the O*NET {version} Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. "
    "O*NET(R) is a trademark of USDOL/ETA. jdlens has modified all or some of this information. "
    "USDOL/ETA has not approved, endorsed, or tested these modifications."
)
TECH_ATTRIBUTION = (
    "jdlens tech supplement v{version}: skills, aliases and role titles curated by the jdlens authors, "
    "Apache-2.0; dimensions, aliased skills and titled occupations are ESCO concepts referenced by URI"
)


class SourceError(RuntimeError):
    pass


@dataclass
class Table:
    name: str
    rows: list[Record] = field(default_factory=list)
    key: tuple[str, ...] = ()


@dataclass
class SourceFile:
    name: str
    sha256: str
    rows: int


# ---- reading sources --------------------------------------------------------------------------


def read_source(
    path: Path, required: Sequence[str], *, tsv: bool = False, pad_short: bool = False
) -> Iterator[dict[str, str]]:
    """Rows as dicts; a row with the wrong number of cells or a missing column stops the build.

    `pad_short` accepts rows whose trailing empty cells are left out (skillsHierarchy_en.csv).
    """
    with path.open(newline="", encoding="utf-8") as fh:
        reader = (
            csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(fh, strict=True)
        )
        header = next(reader)
        missing = [c for c in required if c not in header]
        if missing:
            raise SourceError(f"{path.name}: missing columns {missing}")
        for row in reader:
            if pad_short and len(row) < len(header):
                row += [""] * (len(header) - len(row))
            if len(row) != len(header):
                raise SourceError(
                    f"{path.name}:{reader.line_num}: {len(row)} cells, header has {len(header)}"
                )
            yield dict(zip(header, row, strict=True))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text(cell: str) -> str | None:
    """Verbatim text, or None for an empty / "n/a" cell."""
    return None if cell.strip() in ("", "n/a") else cell


def label(cell: str) -> str | None:
    collapsed = " ".join(cell.split())
    return collapsed or None


def label_list(cell: str) -> list[str]:
    out = (label(part) for part in cell.split("\n"))
    return list(dict.fromkeys(x for x in out if x))


# ---- ESCO -------------------------------------------------------------------------------------

_LABELS = ("conceptUri", "preferredLabel", "altLabels", "hiddenLabels")
SKILL_COLUMNS = (*_LABELS, "skillType", "reuseLevel", "description")
GROUP_COLUMNS = (*_LABELS, "code", "description")
OCCUPATION_COLUMNS = (*_LABELS, "code", "iscoGroup", "description", "definition")
HIERARCHY_COLUMNS = (
    *(f"Level {n} {part}" for n in range(4) for part in ("URI", "preferred term", "code")),
    "Description",
)
BROADER_COLUMNS = ("conceptType", "conceptUri", "broaderType", "broaderUri")


def esco_version(source: Path) -> str:
    m = re.search(r"ESCO v(\d+\.\d+\.\d+)", (source / "SOURCES.md").read_text(encoding="utf-8"))
    if not m:
        raise SourceError("cannot find the ESCO version in SOURCES.md")
    return m.group(1)


def build_esco(source: Path) -> tuple[list[Table], list[SourceFile]]:
    sources: list[SourceFile] = []

    def rows(rel: str, required: Sequence[str], pad_short: bool = False) -> list[dict[str, str]]:
        path = source / rel
        out = list(read_source(path, required, pad_short=pad_short))
        sources.append(SourceFile(rel, file_sha256(path), len(out)))
        return out

    skills = Table(mf.ESCO_SKILLS, key=("uri",))
    for r in rows("skills_en.csv", SKILL_COLUMNS):
        skills.rows.append(
            {
                "uri": r["conceptUri"].strip(),
                "preferred_label": label(r["preferredLabel"]),
                "alt_labels": label_list(r["altLabels"]),
                "hidden_labels": label_list(r["hiddenLabels"]),
                "skill_type": text(r["skillType"]),
                "reuse_level": text(r["reuseLevel"]),
                "description": text(r["description"]),
            }
        )

    groups = Table(mf.ESCO_SKILL_GROUPS, key=("uri",))
    for r in rows("skillGroups_en.csv", GROUP_COLUMNS):
        groups.rows.append(
            {
                "uri": r["conceptUri"].strip(),
                "code": text(r["code"].strip()),
                "preferred_label": label(r["preferredLabel"]),
                "alt_labels": label_list(r["altLabels"]),
                "hidden_labels": label_list(r["hiddenLabels"]),
                "description": text(r["description"]),
            }
        )

    skill_broader = Table(mf.ESCO_SKILL_BROADER, key=("uri", "broader_uri"))
    skill_broader.rows = broader_rows(rows("relations/broaderRelationsSkillPillar.csv", BROADER_COLUMNS))

    # The hierarchy file describes each node on the row where it is the deepest level; groups the
    # broader relations use but skillGroups_en.csv lacks are recovered from there.
    known_groups = {g["uri"] for g in groups.rows}
    wanted = {str(b["broader_uri"]) for b in skill_broader.rows if b["broader_type"] == "SkillGroup"}
    wanted |= {str(b["uri"]) for b in skill_broader.rows if b["concept_type"] == "SkillGroup"}
    for r in rows("skillsHierarchy_en.csv", HIERARCHY_COLUMNS, pad_short=True):
        depth = max(level for level in range(4) if r[f"Level {level} URI"])
        uri = r[f"Level {depth} URI"].strip()
        if uri in wanted and uri not in known_groups:
            known_groups.add(uri)
            groups.rows.append(
                {
                    "uri": uri,
                    "code": text(r[f"Level {depth} code"].strip()),
                    "preferred_label": label(r[f"Level {depth} preferred term"]),
                    "alt_labels": [],
                    "hidden_labels": [],
                    "description": text(r["Description"]),
                }
            )

    occupations = Table(mf.ESCO_OCCUPATIONS, key=("uri",))
    for r in rows("occupations_en.csv", OCCUPATION_COLUMNS):
        occupations.rows.append(
            {
                "uri": r["conceptUri"].strip(),
                "code": r["code"].strip(),
                "isco_group": r["iscoGroup"].strip(),
                "preferred_label": label(r["preferredLabel"]),
                "alt_labels": label_list(r["altLabels"]),
                "hidden_labels": label_list(r["hiddenLabels"]),
                "description": text(r["description"]),
                "definition": text(r["definition"]),
            }
        )

    isco = Table(mf.ESCO_ISCO_GROUPS, key=("uri",))
    for r in rows("ISCOGroups_en.csv", ("conceptUri", "code", "preferredLabel")):
        isco.rows.append(
            {
                "uri": r["conceptUri"].strip(),
                "code": r["code"].strip(),
                "preferred_label": label(r["preferredLabel"]),
            }
        )

    occ_skills = Table(mf.ESCO_OCCUPATION_SKILLS, key=("occupation_uri", "skill_uri"))
    for r in rows("relations/occupationSkillRelations.csv", ("occupationUri", "relationType", "skillUri")):
        occ_skills.rows.append(
            {
                "occupation_uri": r["occupationUri"].strip(),
                "relation_type": r["relationType"].strip(),
                "skill_uri": r["skillUri"].strip(),
            }
        )

    occ_broader = Table(mf.ESCO_OCCUPATION_BROADER, key=("uri", "broader_uri"))
    occ_broader.rows = broader_rows(rows("relations/broaderRelationsOccPillar.csv", BROADER_COLUMNS))

    return [skills, groups, skill_broader, occupations, isco, occ_skills, occ_broader], sources


def broader_rows(source_rows: list[dict[str, str]]) -> list[Record]:
    return [
        {
            "concept_type": r["conceptType"].strip(),
            "uri": r["conceptUri"].strip(),
            "broader_type": r["broaderType"].strip(),
            "broader_uri": r["broaderUri"].strip(),
        }
        for r in source_rows
    ]


# ---- O*NET ------------------------------------------------------------------------------------


def onet_version(source: Path) -> str:
    m = re.search(r"O\*NET (\d+\.\d+) Database", (source / "Read Me.txt").read_text(encoding="utf-8"))
    if not m:
        raise SourceError("cannot find the O*NET version in Read Me.txt")
    return m.group(1)


def build_onet(source: Path) -> tuple[list[Table], list[SourceFile]]:
    sources: list[SourceFile] = []
    code = "O*NET-SOC Code"

    def rows(name: str, required: Sequence[str]) -> list[dict[str, str]]:
        path = source / name
        out = list(read_source(path, required, tsv=True))
        sources.append(SourceFile(name, file_sha256(path), len(out)))
        return out

    occupations = Table(mf.ONET_OCCUPATIONS, key=("code",))
    for r in rows("Occupation Data.txt", (code, "Title", "Description")):
        occupations.rows.append(
            {"code": r[code].strip(), "title": label(r["Title"]), "description": text(r["Description"])}
        )

    titles = Table(mf.ONET_ALTERNATE_TITLES, key=("code", "title", "short_title"))
    for r in rows("Alternate Titles.txt", (code, "Alternate Title", "Short Title")):
        titles.rows.append(
            {
                "code": r[code].strip(),
                "title": label(r["Alternate Title"]),
                "short_title": label(text(r["Short Title"]) or ""),
            }
        )

    tasks = Table(mf.ONET_TASKS, key=("code", "task_id"))
    for r in rows("Task Statements.txt", (code, "Task ID", "Task", "Task Type")):
        tasks.rows.append(
            {
                "code": r[code].strip(),
                "task_id": r["Task ID"].strip(),
                "task": text(r["Task"]),
                "task_type": text(r["Task Type"].strip()),
            }
        )

    tech = Table(mf.ONET_TECHNOLOGY_SKILLS, key=("code", "commodity_code", "example"))
    for r in rows(
        "Technology Skills.txt",
        (code, "Example", "Commodity Code", "Commodity Title", "Hot Technology", "In Demand"),
    ):
        tech.rows.append(
            {
                "code": r[code].strip(),
                "example": label(r["Example"]),
                "commodity_code": r["Commodity Code"].strip(),
                "commodity_title": label(r["Commodity Title"]),
                "hot_technology": r["Hot Technology"].strip(),
                "in_demand": r["In Demand"].strip(),
            }
        )

    used = {str(t["commodity_code"]) for t in tech.rows}
    commodities = Table(mf.ONET_COMMODITIES, key=("commodity_code",))
    levels = ("Commodity", "Class", "Family", "Segment")
    for r in rows("UNSPSC Reference.txt", [f"{lv} {part}" for lv in levels for part in ("Code", "Title")]):
        if r["Commodity Code"].strip() in used:
            commodities.rows.append(
                {
                    f"{lv.lower()}_{part}": (
                        r[f"{lv} Code"].strip() if part == "code" else label(r[f"{lv} Title"])
                    )
                    for lv in levels
                    for part in ("code", "title")
                }
            )

    return [occupations, titles, tasks, tech, commodities], sources


# ---- tech supplement ----------------------------------------------------------------------------


def _label_keys(text_: str) -> set[str]:
    """The keys under which the library would find a label: the alias index's and the matcher's."""
    return {k for k in (fold(text_), label_key(text_)) if k}


def build_tech(source: Path, esco_dir: Path) -> tuple[list[Table], list[SourceFile], str]:
    """The tech tables from the curated TOML, checked against the ESCO pack in ``esco_dir``."""
    raw = source.read_bytes()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{source.name}: {exc}") from exc
    esco = read_esco(esco_dir)
    skills_by_uri = {sk.uri: sk for sk in esco.skills}
    group_uris = {g.uri for g in esco.skill_groups}
    esco_keys: dict[str, set[str]] = {}
    acronyms: set[str] = set()  # keys of all-capitals ESCO labels: "SPARK" is no "Spark" to the matcher
    for sk in esco.skills:
        for lab in (sk.preferred_label, *sk.alt_labels, *sk.hidden_labels):
            for key in _label_keys(lab):
                esco_keys.setdefault(key, set()).add(sk.uri)
                if lab.isupper():
                    acronyms.add(key)
    dims = doc.get("dimensions", {})
    errors: list[str] = []
    for name_, uri in dims.items():
        if uri not in group_uris:
            errors.append(f"dimension {name_!r}: {uri} is not an ESCO skill group")

    owner: dict[str, str] = {}  # label key -> what in the tech pack uses it

    def claim(label_: str, who: str) -> None:
        for key in _label_keys(label_):
            if key in owner and owner[key] != who:
                errors.append(f"{who}: label {label_!r} is also a label of {owner[key]}")
            owner[key] = who

    def contextual(entry: dict[str, object], labels_: list[str], who: str) -> list[str]:
        # A context label the entry does not have would be silently ignored by the import.
        context = entry.get("context", [])
        if not isinstance(context, list):
            errors.append(f"{who}: context must be a list of labels")
            return []
        unknown = [c for c in context if c not in labels_]
        if unknown:
            errors.append(f"{who}: context labels {unknown} are not labels of the entry")
        return [str(c) for c in context]

    def distinct(labels_: list[str], who: str) -> None:
        # The store keys a skill's aliases by fold(): two labels of one skill with one fold key
        # ("CI/CD", "CI / CD"; "X, Y and Z", "X, Y, and Z") would silently keep only the first.
        seen: dict[str, str] = {}
        for lab in labels_:
            key = fold(lab)
            if key in seen:
                errors.append(f"{who}: {lab!r} and {seen[key]!r} are one alias to the library ({key!r})")
            seen.setdefault(key, lab)

    aliases_table = Table(mf.TECH_ESCO_ALIASES, key=("esco_uri",))
    for entry in doc.get("alias", []):
        skill = _referenced(entry, skills_by_uri, "alias", "skill", errors)
        if skill is None:
            continue
        uri, expected = skill.uri, entry.get("label", "")
        own = {
            k
            for lab in (skill.preferred_label, *skill.alt_labels, *skill.hidden_labels)
            for k in _label_keys(lab)
        }
        kept: list[str] = []
        who, entry_aliases = f"ESCO skill {expected!r}", list(entry.get("aliases", []))
        distinct(entry_aliases, who)
        context = contextual(entry, entry_aliases, who)
        for alias in entry_aliases:
            keys = _label_keys(alias)
            if keys <= own:
                errors.append(f"alias {alias!r}: ESCO already gives it to {expected!r}")
                continue
            others = {u for k in keys for u in esco_keys.get(k, ()) if u != uri}
            if others:
                names = sorted(skills_by_uri[u].preferred_label for u in others)
                errors.append(f"alias {alias!r} for {expected!r}: already an ESCO label of {names}")
                continue
            claim(alias, who)
            kept.append(alias)
        aliases_table.rows.append(
            {"esco_uri": uri, "esco_label": skill.preferred_label, "aliases": kept, "context": context}
        )

    skills_table = Table(mf.TECH_SKILLS, key=("key",))
    for entry in doc.get("skill", []):
        name_ = entry.get("name", "")
        if entry.get("nature") not in NATURES:
            errors.append(f"skill {name_!r}: nature {entry.get('nature')!r} is not one of {sorted(NATURES)}")
        unknown_dims = [d for d in entry.get("dimensions", []) if d not in dims]
        if unknown_dims or not entry.get("dimensions"):
            errors.append(
                f"skill {name_!r}: dimensions {entry.get('dimensions')} are not all in [dimensions]"
            )
        who, labels_ = f"tech skill {name_!r}", [name_, *entry.get("aliases", [])]
        distinct(labels_, who)
        context = contextual(entry, labels_, who)
        for lab in labels_:
            keys = _label_keys(lab)
            homonym = not lab.isupper() and keys <= acronyms
            clash = set() if homonym else {u for k in keys for u in esco_keys.get(k, ())}
            if clash:
                names = sorted(skills_by_uri[u].preferred_label for u in clash)
                errors.append(f"skill {name_!r}: label {lab!r} is already an ESCO label of {names}")
            claim(lab, who)
        skills_table.rows.append(
            {
                "key": entry.get("key") or slugify(name_),
                "name": name_,
                "description": entry.get("description", ""),
                "nature": entry.get("nature", ""),
                "dimensions": [dims[d] for d in entry.get("dimensions", []) if d in dims],
                "aliases": labels_[1:],
                "context": context,
            }
        )
    roles_table = _role_titles(doc, esco, errors)
    if errors:
        raise SourceError(f"{source.name}: {len(errors)} problems:\n  " + "\n  ".join(errors))
    version = str(doc.get("version", ""))
    if not version:
        raise SourceError(f"{source.name}: no version")
    rel = source.name
    sources = [
        SourceFile(
            rel,
            hashlib.sha256(raw).hexdigest(),
            len(skills_table.rows) + len(aliases_table.rows) + len(roles_table.rows),
        )
    ]
    return [skills_table, aliases_table, roles_table], sources, version


class _Concept(Protocol):
    uri: str
    preferred_label: str


_C = TypeVar("_C", bound=_Concept)


def _referenced(
    entry: dict[str, Any], by_uri: Mapping[str, _C], what: str, kind: str, errors: list[str]
) -> _C | None:
    """The ESCO concept an entry names by URI, its ``label`` checked against ESCO's preferred one
    (so a wrong URI cannot slip through); None, with the error said, when the URI is not ESCO's."""
    uri, expected = entry.get("esco", ""), entry.get("label", "")
    concept = by_uri.get(uri)
    if concept is None:
        errors.append(f"{what} entry {expected!r}: {uri} is not an ESCO {kind}")
        return None
    if concept.preferred_label != expected:
        errors.append(f"{what} entry {uri}: ESCO calls it {concept.preferred_label!r}, not {expected!r}")
    return concept


def _role_titles(doc: dict[str, Any], esco: EscoPack, errors: list[str]) -> Table:
    """The [[role]] entries: current titles for ESCO occupations. A title whose lookup key is
    already an ESCO occupation label (of this occupation or another) is refused: ESCO keeps what it
    has, and a second occupation under one key would make every such title a collision."""
    occupations = {o.uri: o for o in esco.occupations}
    taken: dict[str, str] = {}
    for o in esco.occupations:
        for lab in (o.preferred_label, *o.alt_labels, *o.hidden_labels):
            taken.setdefault(normalize_title(lab), o.preferred_label)
    table = Table(mf.TECH_ROLE_TITLES, key=("esco_uri",))
    claimed: dict[str, str] = {}
    for entry in doc.get("role", []):
        occupation = _referenced(entry, occupations, "role", "occupation", errors)
        if occupation is None:
            continue
        uri, expected = occupation.uri, entry.get("label", "")
        titles = [str(t) for t in entry.get("titles", [])]
        own: set[str] = set()
        for title in titles:
            key = normalize_title(title)
            if key in own:
                errors.append(
                    f"role {expected!r}: title {title!r} repeats another of its titles' key {key!r}"
                )
            own.add(key)
            if not key:
                errors.append(f"role {expected!r}: title {title!r} normalises to nothing")
            elif key in taken:
                errors.append(
                    f"role {expected!r}: title {title!r} is already an ESCO label of {taken[key]!r}"
                )
            elif claimed.setdefault(key, expected) != expected:
                errors.append(f"role {expected!r}: title {title!r} is also given to {claimed[key]!r}")
        table.rows.append({"esco_uri": uri, "esco_label": occupation.preferred_label, "titles": titles})
    return table


# ---- writing ----------------------------------------------------------------------------------


def encode_table(table: Table) -> bytes:
    """Deterministic gzip'd JSON lines: rows sorted by key then full content, mtime 0, no file name."""
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in table.rows]
    keyed = sorted(
        zip(lines, table.rows, strict=True),
        key=lambda lr: (tuple(str(lr[1].get(k) or "") for k in table.key), lr[0]),
    )
    payload = "".join(line + "\n" for line, _ in keyed).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return buf.getvalue()


def write_pack(
    out: Path,
    name: str,
    source: str,
    version: str,
    attribution: str,
    tables: list[Table],
    sources: list[SourceFile],
) -> dict[str, object]:
    files: dict[str, object] = {}
    for table in tables:
        blob = encode_table(table)
        (out / table.name).write_bytes(blob)
        files[table.name] = {
            "rows": len(table.rows),
            "bytes": len(blob),
            "sha256": hashlib.sha256(blob).hexdigest(),
        }
    digest = mf.files_digest((n, str(e["sha256"])) for n, e in files.items() if isinstance(e, dict))
    return {
        "source": source,
        "version": version,
        "attribution": attribution.format(version=version),
        "digest": digest,
        "files": files,
        "sources": {s.name: {"rows": s.rows, "sha256": s.sha256} for s in sources},
    }


def write_manifest(path: Path, packs: dict[str, object]) -> None:
    manifest = {"format": mf.MANIFEST_FORMAT, "packs": dict(sorted(packs.items()))}
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder holding esco/ and onet/")
    ap.add_argument("--out", type=Path, default=mf.DATA_DIR, help="pack folder to write")
    ap.add_argument(
        "--only",
        choices=(mf.ESCO, mf.ONET, mf.TECH),
        help="build one pack (others keep their manifest entry)",
    )
    ap.add_argument(
        "--tech-source",
        type=Path,
        default=None,
        help=f"the curated tech pack (default {TECH_SOURCE.relative_to(REPO_ROOT)}); a full build from "
        "another --source (e.g. a test slice of ESCO) leaves tech out unless this is given, because the "
        "pack is curated against the full ESCO it references",
    )
    ap.add_argument("--quiet", action="store_true", help="no summary (no read-back)")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    manifest_path = out / mf.MANIFEST_NAME
    packs: dict[str, object] = {}
    if args.only and manifest_path.is_file():
        packs = dict(json.loads(manifest_path.read_text(encoding="utf-8")).get("packs", {}))

    try:
        if args.only in (None, mf.ESCO):
            src = args.source / "esco"
            tables, sources = build_esco(src)
            packs[mf.ESCO] = write_pack(
                out,
                mf.ESCO,
                "ESCO classification (English)",
                esco_version(src),
                ESCO_ATTRIBUTION,
                tables,
                sources,
            )
        if args.only in (None, mf.ONET):
            src = args.source / "onet"
            tables, sources = build_onet(src)
            packs[mf.ONET] = write_pack(
                out, mf.ONET, "O*NET Database", onet_version(src), ONET_ATTRIBUTION, tables, sources
            )
        default_sources = args.source.resolve() == DEFAULT_SOURCE.resolve()
        if args.only == mf.TECH or (args.only is None and (default_sources or args.tech_source)):
            # Checked against the ESCO pack in --out (just written, so its manifest entry goes first).
            write_manifest(manifest_path, packs)
            tables, sources, version = build_tech(args.tech_source or TECH_SOURCE, out)
            packs[mf.TECH] = write_pack(
                out, mf.TECH, "jdlens tech supplement (curated)", version, TECH_ATTRIBUTION, tables, sources
            )
    except SourceError as exc:
        print(f"build_packs: {exc}", file=sys.stderr)
        return 1

    write_manifest(manifest_path, packs)

    if not args.quiet:
        summarize(out, packs)
    return 0


def summarize(out: Path, packs: dict[str, object]) -> None:
    total = 0
    for name, pack in packs.items():
        assert isinstance(pack, dict)
        print(f"{name} {pack['version']}  digest {str(pack['digest'])[:16]}")
        for fname, entry in pack["files"].items():
            total += entry["bytes"]
            print(f"  {fname:36} {entry['rows']:>8} rows {entry['bytes'] / 1e6:8.2f} MB")
    print(f"total {total / 1e6:.2f} MB compressed")

    t0 = time.perf_counter()
    esco = read_esco(out)
    t1 = time.perf_counter()
    onet = read_onet(out)
    t2 = time.perf_counter()
    read_back = [
        ("ESCO", esco.counts(), t1 - t0, esco.problems),
        ("O*NET", onet.counts(), t2 - t1, onet.problems),
    ]
    if mf.TECH in packs:
        tech = read_tech(out)
        read_back.append(("tech", tech.counts(), time.perf_counter() - t2, tech.problems))
    for label_, counts, secs, problems in read_back:
        print(f"{label_} read back in {secs:.2f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        for p in problems[:5]:
            print(f"  problem {p}")
        if len(problems) > 5:
            print(f"  ... {len(problems) - 5} more problems")


if __name__ == "__main__":
    sys.exit(main())
