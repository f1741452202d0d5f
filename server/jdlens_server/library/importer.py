"""Import a taxonomy pack (ESCO, O*NET or the curated tech supplement) into the library.

``import_pack`` reads the shipped pack, then, in ONE transaction, brings the rows the pack owns
(see tables.py) to the pack's content, records a new library version with one change-log entry
per table, and remembers the pack's checksum and embedder in ``pack_imports``:
- an interrupted import (error, Ctrl-C, a failing ``after_table`` hook) rolls back and leaves the
  previous library whole;
- importing the same pack content with the same embedder again returns at once with
  ``changed=False`` ("already imported at version N, nothing changed");
- a changed pack updates only what changed: ids of unchanged skills and roles stay put;
- rows the pack could not read are reported (file:line) in ``problems``, never silently dropped.

Combined library (ESCO + O*NET): ESCO defines role identity. See onet_import for how O*NET is merged
into ESCO roles, or stands alone when ESCO is absent. The tech pack (tech_import) supplements ESCO
with skills and labels for data and software work; it needs ESCO in place.

What an import depends on besides its own content is part of its checksum, so "nothing changed" is
only said when that is true: O*NET depends on the ESCO import (and on the tech import, whose labels
its technology examples merge into), tech on the ESCO import.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from jdlens_server.errors import FailedPrecondition, PreconditionViolation
from jdlens_server.library import esco_import, onet_import, tables, tech_import
from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.esco import EscoPack, esco_subset, read_esco
from jdlens_server.library.packs.onet import OnetPack, read_onet
from jdlens_server.library.packs.records import PackProblem
from jdlens_server.library.packs.tech import TechPack, read_tech
from jdlens_server.library.sync import Syncer, TableChange
from jdlens_server.library.vectors import TextVectors
from jdlens_server.library.versions import Change, create_version, current_version
from jdlens_server.nlp.embedder import Embedder, load_embedder
from jdlens_server.store.db import make_engine, session_factory, transaction
from jdlens_server.store.models import PackImportRow, RoleRow, utcnow

__all__ = ["PACKS", "ImportReport", "PackName", "StalePack", "Subset", "import_pack", "stale_packs"]

PackName = Literal["esco", "onet", "tech"]
PACKS: tuple[PackName, ...] = ("esco", "onet", "tech")
Contents = EscoPack | OnetPack | TechPack
# First N occupations, or the occupations with these ESCO URIs / O*NET-SOC codes.
Subset = int | Sequence[str] | None
_SHOWN_PROBLEMS = 10


@dataclass
class ImportReport:
    pack: str
    source_version: str
    # None for the full pack, else what part of it was imported.
    subset: str | None
    library_version: int
    changed: bool
    message: str
    seconds: float
    embedder: str
    # Distinct texts the import sent to the embedder.
    embedded_texts: int = 0
    changes: dict[str, TableChange] = field(default_factory=dict)
    problems: list[PackProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Table -> rows of another pack that went with rows this import removed (ON DELETE CASCADE):
    # O*NET's rows on removed tech skills. Not part of ``changes`` (they are not this pack's rows).
    cascaded: dict[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Rows the pack holds in each table after the import."""
        return {name: change.total for name, change in self.changes.items()}

    def summary(self) -> str:
        lines = [self.message]
        for name in tables.TABLE_ORDER:
            if name in self.changes:
                lines.append(f"  {name:17} {self.changes[name].summary()}")
        lines += [f"  note: {n}" for n in self.notes]
        if self.problems:
            lines.append(f"  {len(self.problems)} pack rows could not be used:")
            lines += [f"    {p}" for p in self.problems[:_SHOWN_PROBLEMS]]
            if len(self.problems) > _SHOWN_PROBLEMS:
                lines.append(f"    ... and {len(self.problems) - _SHOWN_PROBLEMS} more")
        lines.append(f"  {self.seconds:.1f} s, {self.embedded_texts} texts embedded with {self.embedder}")
        return "\n".join(lines)


def _read(pack: PackName, subset: Subset, data_dir: Path | None) -> Contents:
    if pack == "esco":
        full = read_esco(data_dir)
        if subset is None:
            return full
        if isinstance(subset, int):
            return esco_subset(full, occupations=subset)
        return esco_subset(full, occupation_uris=subset)
    if pack == "onet":
        onet = read_onet(data_dir)
        return onet if subset is None else onet_import.onet_subset(onet, subset)
    if pack == "tech":
        if subset is not None:
            raise ValueError("the tech pack has no subsets (it is small)")
        return read_tech(data_dir)
    raise ValueError(f"unknown pack {pack!r} (expected one of {', '.join(PACKS)})")


def _context(session: Session, pack: str) -> str:
    """What the import of ``pack`` depends on besides its own content (see the module docstring)."""
    if pack == "onet":
        base = onet_import.context(session)
        tech = session.get(PackImportRow, tech_import.PACK)
        # Appended only when tech is in, so libraries without it keep their recorded checksum.
        return f"{base}; with tech {tech.checksum}" if tech is not None else base
    if pack == "tech":
        return tech_import.context(session)
    return ""


def _checksum(digest: str, context: str) -> str:
    """The pack's content digest, plus what else the import depends on (O*NET: the ESCO in place)."""
    if not context:
        return digest
    return hashlib.sha256(f"{digest}\n{context}".encode()).hexdigest()


def _shipped_digest(pack: str, subset: Subset, data_dir: Path | None) -> str | None:
    """The manifest digest of a full pack whose files are intact, else None (the pack must be read)."""
    if subset is not None:
        return None
    try:
        info = mf.pack_info(pack, data_dir)
    except mf.ManifestError:
        return None
    return None if mf.verify_pack(info, data_dir) else info.digest


@dataclass(frozen=True, slots=True)
class StalePack:
    """A pack in the library at another version than the one this jdlens ships."""

    pack: str
    imported: str
    shipped: str

    def hint(self) -> str:
        return (
            f"the library's {self.pack} pack is {self.imported}; this jdlens ships {self.shipped}: "
            f"`jdlens library import {self.pack}` brings it in (the pack owns only its own rows)"
        )


def stale_packs(session: Session, data_dir: Path | None = None) -> list[StalePack]:
    """The imported packs whose version differs from the shipped one (a library imported by an
    older jdlens: its own tech pack gains titles and labels between versions)."""
    try:
        shipped = mf.read_manifest(data_dir).packs
    except mf.ManifestError:
        return []
    return [
        StalePack(row.pack, row.source_version, shipped[row.pack].version)
        for row in session.scalars(select(PackImportRow).order_by(PackImportRow.pack))
        if row.pack in shipped and shipped[row.pack].version != row.source_version
    ]


def _already_imported(session: Session, pack: str, digest: str, embedder: Embedder) -> ImportReport | None:
    """The "nothing changed" report when this content, in this context, with this embedder is in."""
    previous = session.get(PackImportRow, pack)
    if previous is None or previous.embedder != embedder.name:
        return None
    if previous.checksum != _checksum(digest, _context(session, pack)):
        return None
    return ImportReport(
        pack=pack,
        source_version=previous.source_version,
        subset=None,
        library_version=previous.library_version,
        changed=False,
        message=(
            f"{pack} {previous.source_version} already imported at version {previous.library_version}, "
            "nothing changed"
        ),
        seconds=0.0,
        embedder=embedder.name,
    )


def _lock(session: Session) -> None:
    """One import at a time per database (SQLite serialises writers by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('jdlens-library-import'))"))


def _check_embedder(session: Session, pack: str, embedder: Embedder) -> None:
    """All stored vectors must come from one model, or similarities across packs mean nothing."""
    others = session.execute(
        select(PackImportRow.pack, PackImportRow.embedder).where(PackImportRow.pack != pack)
    ).all()
    clash = [(p, e) for p, e in others if e and e != embedder.name]
    if clash:
        names = ", ".join(f"{p} ({e})" for p, e in clash)
        raise FailedPrecondition(
            f"the library holds embeddings from another model: {names}; import with that embedder "
            f"or re-import those packs with {embedder.name}",
            [PreconditionViolation("EMBEDDER", pack, f"use the embedder of {names}")],
        )


def import_pack(
    db_url: str,
    pack: PackName,
    *,
    embedder: Embedder | None = None,
    progress: bool = True,
    subset: Subset = None,
    data_dir: Path | None = None,
    contents: Contents | None = None,
    after_table: Callable[[str, TableChange], None] | None = None,
) -> ImportReport:
    """Import ``pack`` into the library at ``db_url`` (migrated to head). See the module docstring.

    ``subset`` imports part of the pack (for tests); ``data_dir`` reads the pack from another folder;
    ``contents`` is the pack already read (then ``subset`` and ``data_dir`` are not used);
    ``after_table`` is called after each table is written (an exception there aborts and rolls back).
    """
    started = time.perf_counter()
    if pack not in PACKS:
        raise ValueError(f"unknown pack {pack!r} (expected one of {', '.join(PACKS)})")
    model = embedder or load_embedder()
    engine = make_engine(db_url)
    try:
        factory = session_factory(engine)
        # A full pack whose files match its manifest is known by the manifest digest: a re-import
        # of it can be recognised without reading the pack.
        digest = _shipped_digest(pack, subset, data_dir) if contents is None else None
        if digest is not None:
            with transaction(factory) as session:
                done = _already_imported(session, pack, digest, model)
            if done is not None:
                done.seconds = time.perf_counter() - started
                return done

        if contents is None:
            contents = _read(pack, subset, data_dir)
        elif contents.info.name != pack:
            raise ValueError(f"contents are the {contents.info.name} pack, not {pack}")
        vectors = TextVectors(model, progress=progress)
        with transaction(factory) as session:
            _lock(session)
            _check_embedder(session, pack, model)
            done = _already_imported(session, pack, contents.info.digest, model)
            if done is not None:
                done.problems = list(contents.problems)
                done.seconds = time.perf_counter() - started
                return done
            checksum = _checksum(contents.info.digest, _context(session, pack))
            previous = session.get(PackImportRow, pack)
            report = ImportReport(
                pack=pack,
                source_version=contents.info.version,
                subset=contents.info.subset,
                library_version=current_version(session),
                changed=False,
                message="",
                seconds=0.0,
                embedder=model.name,
                problems=list(contents.problems),
            )
            syncer = Syncer(
                session,
                vectors,
                reembed=previous is not None and previous.embedder != model.name,
                progress=progress,
                after_table=after_table,
            )
            if isinstance(contents, EscoPack):
                report.changes = esco_import.write_esco(session, syncer, contents)
                onet_roles = session.scalar(
                    select(func.count()).select_from(RoleRow).where(RoleRow.pack == onet_import.PACK)
                )
                if onet_roles:
                    report.notes.append(
                        f"O*NET was imported alone ({onet_roles} roles); import onet again to merge it "
                        "into the ESCO roles"
                    )
                if session.get(PackImportRow, tech_import.PACK) is not None and any(
                    c.changed for c in report.changes.values()
                ):
                    report.notes.append("the tech pack was imported on the previous ESCO: import tech again")
            elif isinstance(contents, TechPack):
                tech = tech_import.write_tech(session, syncer, contents)
                report.changes, report.cascaded = tech.changes, tech.cascaded
                report.notes += tech.notes
            else:
                report.changes, notes = onet_import.write_onet(session, syncer, contents, vectors)
                report.notes += notes
            report.embedded_texts = vectors.embedded

            report.changed = any(c.changed for c in report.changes.values())
            what = f"{pack} {contents.info.version}" + (
                f" ({contents.info.subset})" if contents.info.subset else ""
            )
            if report.changed:
                entries = [
                    Change("import", name, f"{what}: {report.changes[name].summary()}")
                    for name in tables.TABLE_ORDER
                    if name in report.changes and report.changes[name].changed
                ]
                entries += [
                    Change(
                        "import",
                        name,
                        f"{what}: -{report.cascaded[name]} onet rows, removed with the {pack} skills "
                        "they hung on; import onet again",
                    )
                    for name in tables.TABLE_ORDER
                    if report.cascaded.get(name)
                ]
                problems = f", {len(report.problems)} pack rows unusable" if report.problems else ""
                report.library_version = create_version(session, f"import {what}{problems}", entries)
                report.message = f"imported {what} as library version {report.library_version}"
            else:
                report.message = f"{what}: the library already matches it (version {report.library_version})"

            if previous is None:
                previous = PackImportRow(pack=pack)
                session.add(previous)
            previous.source_version = contents.info.version
            previous.checksum = checksum
            previous.embedder = model.name
            previous.library_version = report.library_version
            previous.imported_at = utcnow()
        report.seconds = time.perf_counter() - started
        return report
    finally:
        engine.dispose()
