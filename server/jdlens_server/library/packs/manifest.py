"""Where the shipped packs live, what files make up each pack, and the manifest that pins them.

The manifest (data/manifest.json, written by tools/build_packs.py) records per pack the source
name and version, a sha256 and row count per file and a digest over the files. The importer records
the digest with the library version it creates, so a re-import of the same pack can be detected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from jdlens_server.library.packs.records import PackProblem

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1

ESCO = "esco"
ONET = "onet"
TECH = "tech"

ESCO_SKILLS = "esco_skills.jsonl.gz"
ESCO_SKILL_GROUPS = "esco_skill_groups.jsonl.gz"
ESCO_SKILL_BROADER = "esco_skill_broader.jsonl.gz"
ESCO_OCCUPATIONS = "esco_occupations.jsonl.gz"
ESCO_ISCO_GROUPS = "esco_isco_groups.jsonl.gz"
ESCO_OCCUPATION_SKILLS = "esco_occupation_skills.jsonl.gz"
ESCO_OCCUPATION_BROADER = "esco_occupation_broader.jsonl.gz"

ONET_OCCUPATIONS = "onet_occupations.jsonl.gz"
ONET_ALTERNATE_TITLES = "onet_alternate_titles.jsonl.gz"
ONET_TASKS = "onet_tasks.jsonl.gz"
ONET_TECHNOLOGY_SKILLS = "onet_technology_skills.jsonl.gz"
ONET_COMMODITIES = "onet_unspsc_commodities.jsonl.gz"

TECH_SKILLS = "tech_skills.jsonl.gz"
TECH_ESCO_ALIASES = "tech_esco_aliases.jsonl.gz"
TECH_ROLE_TITLES = "tech_role_titles.jsonl.gz"

PACK_FILES: Mapping[str, tuple[str, ...]] = {
    ESCO: (
        ESCO_SKILLS,
        ESCO_SKILL_GROUPS,
        ESCO_SKILL_BROADER,
        ESCO_OCCUPATIONS,
        ESCO_ISCO_GROUPS,
        ESCO_OCCUPATION_SKILLS,
        ESCO_OCCUPATION_BROADER,
    ),
    ONET: (
        ONET_OCCUPATIONS,
        ONET_ALTERNATE_TITLES,
        ONET_TASKS,
        ONET_TECHNOLOGY_SKILLS,
        ONET_COMMODITIES,
    ),
    TECH: (TECH_SKILLS, TECH_ESCO_ALIASES, TECH_ROLE_TITLES),
}


class ManifestError(RuntimeError):
    """The manifest is missing or unreadable: nothing can be said about the packs."""


@dataclass(frozen=True, slots=True)
class PackFile:
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class PackInfo:
    """Identity of one pack as shipped (or of a subset of it, see `subset`)."""

    name: str
    source: str
    version: str
    # sha256 over the files' checksums: changes whenever any shipped byte changes.
    digest: str
    files: tuple[PackFile, ...]
    attribution: str
    # None for the full pack; a description such as "20 seed occupations" for test subsets.
    subset: str | None = None

    def subset_info(self, keys: Iterable[str], description: str) -> PackInfo:
        """Identity of a subset chosen by `keys` (seed URIs, codes): same source, its own digest."""
        digest = hashlib.sha256("\n".join([self.digest, *sorted(keys)]).encode()).hexdigest()
        return replace(self, digest=digest, subset=description)

    def file(self, name: str) -> PackFile:
        for entry in self.files:
            if entry.name == name:
                return entry
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class PackManifest:
    format: int
    packs: Mapping[str, PackInfo]


def pack_path(name: str, data_dir: Path | None = None) -> Path:
    """Path of a shipped pack file (or of the manifest) by file name."""
    known = {MANIFEST_NAME, *(f for files in PACK_FILES.values() for f in files)}
    if name not in known:
        raise KeyError(f"unknown pack file {name!r}")
    return (data_dir or DATA_DIR) / name


def files_digest(checksums: Iterable[tuple[str, str]]) -> str:
    """Digest of a pack from (file name, sha256) pairs; order-independent."""
    h = hashlib.sha256()
    for name, sha in sorted(checksums):
        h.update(f"{name} {sha}\n".encode())
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _str(obj: Mapping[str, object], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ManifestError(f"manifest: {key!r} must be a string")
    return value


def _int(obj: Mapping[str, object], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ManifestError(f"manifest: {key!r} must be an integer")
    return value


def _mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ManifestError(f"manifest: {what} must be an object")
    return value


def read_manifest(data_dir: Path | None = None) -> PackManifest:
    path = pack_path(MANIFEST_NAME, data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from exc
    top = _mapping(raw, "top level")
    fmt = _int(top, "format")
    if fmt != MANIFEST_FORMAT:
        raise ManifestError(f"manifest format {fmt} is not supported (expected {MANIFEST_FORMAT})")
    packs: dict[str, PackInfo] = {}
    for name, value in _mapping(top.get("packs"), "packs").items():
        pack = _mapping(value, f"pack {name}")
        files = tuple(
            PackFile(
                name=fname,
                rows=_int(entry, "rows"),
                bytes=_int(entry, "bytes"),
                sha256=_str(entry, "sha256"),
            )
            for fname, fvalue in sorted(_mapping(pack.get("files"), f"{name}.files").items())
            for entry in (_mapping(fvalue, f"{name}.files.{fname}"),)
        )
        packs[name] = PackInfo(
            name=name,
            source=_str(pack, "source"),
            version=_str(pack, "version"),
            digest=_str(pack, "digest"),
            files=files,
            attribution=_str(pack, "attribution"),
        )
    return PackManifest(format=fmt, packs=packs)


def pack_info(name: str, data_dir: Path | None = None) -> PackInfo:
    manifest = read_manifest(data_dir)
    try:
        return manifest.packs[name]
    except KeyError:
        raise ManifestError(f"pack {name!r} is not in the manifest") from None


def verify_pack(info: PackInfo, data_dir: Path | None = None) -> list[PackProblem]:
    """Compare the pack files on disk with the manifest; one problem per missing or changed file."""
    problems: list[PackProblem] = []
    expected = {f.name for f in info.files}
    for fname in PACK_FILES.get(info.name, ()):
        if fname not in expected:
            problems.append(PackProblem(fname, 0, "file is not listed in the manifest"))
    for entry in info.files:
        path = (data_dir or DATA_DIR) / entry.name
        if not path.is_file():
            problems.append(PackProblem(entry.name, 0, "file is missing"))
            continue
        actual = sha256_file(path)
        if actual != entry.sha256:
            problems.append(
                PackProblem(
                    entry.name, 0, f"sha256 {actual[:12]}… differs from manifest {entry.sha256[:12]}…"
                )
            )
    return problems
