"""Tech supplement pack -> library rows, on top of ESCO.

The pack is jdlens's own curated data (tools/tech_pack.toml): skills for data and software work that
ESCO v1.1.1 lacks, and labels recruiters write for skills ESCO has. It needs ESCO in the library (its
skills join ESCO skill groups as dimensions; its extra labels attach to ESCO skills by URI), and
owns, like every pack, only its own rows, so a re-import touches nothing else:
- skills with ``pack == "tech"`` (source URI ``jdlens:tech:<key>``), metadata from the curated
  nature and the primary ESCO group (skill_meta.curated_meta), embedded by display name;
- skill aliases with ``source == "tech"``: each tech skill's name (canonical) and aliases, and the
  extra labels of ESCO skills. A label the curator marks as an ordinary word or another field's
  acronym ("Spark", "Hive", "OOP") is CONTEXT_REQUIRED, so the matcher counts it only near tech
  context; others follow aliases.py;
- skill -> dimension links with ``source == "tech"``;
- role aliases with ``source == "tech_title"``: current job titles of ESCO occupations ("backend
  developer" for the software developer), normalised and embedded like ESCO's own labels, so the
  title lookup finds them by alias and by similarity.
What the pack names but the library lacks (an ESCO skill or group left out of an ESCO subset) is
skipped and counted in the report's notes. O*NET technology examples that equal a tech label merge
into the tech skill when O*NET is imported after tech (its import then depends on this one); the O*NET
rows on a tech skill this import removes go with it (ON DELETE CASCADE): they are counted in
``TechImport.cascaded`` and the report says to import O*NET again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jdlens_server.errors import FailedPrecondition, PreconditionViolation
from jdlens_server.library import esco_import, onet_import, tables
from jdlens_server.library.aliases import CONTEXT_REQUIRED, alias_type, match_strategy
from jdlens_server.library.packs.tech import TechPack
from jdlens_server.library.skill_meta import PRACTICE, curated_meta
from jdlens_server.library.sync import RowData, Syncer, TableChange, assign_slugs
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.title import normalize_title
from jdlens_server.store.models import (
    DimensionRow,
    PackImportRow,
    RoleRow,
    RoleSkillRow,
    SkillAliasRow,
    SkillDimensionRow,
    SkillRow,
)

__all__ = ["PACK", "TECH_URI", "TechImport", "context", "write_tech"]

PACK = "tech"
ESCO = esco_import.PACK
ONET = onet_import.PACK
TECH_URI = "jdlens:tech:"
# The role-alias source of the pack's titles: a pack owns the role aliases whose source starts with
# its name and "_" (tables.role_aliases), so ESCO's re-import never touches them.
TITLE_SOURCE = PACK + "_title"


@dataclass
class TechImport:
    changes: dict[str, TableChange] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Table -> rows another pack (O*NET) had on the tech skills this import removed; they went with
    # the skills (ON DELETE CASCADE), outside every table change above.
    cascaded: dict[str, int] = field(default_factory=dict)


def context(session: Session) -> str:
    """What a tech import depends on besides its own content: the ESCO import it sits on."""
    esco = session.get(PackImportRow, ESCO)
    return f"on esco {esco.checksum if esco else 'unrecorded'}"


def _require_esco(session: Session) -> None:
    if session.scalar(select(SkillRow.id).where(SkillRow.pack == ESCO).limit(1)) is None:
        raise FailedPrecondition(
            "the tech pack supplements ESCO: run `jdlens library import esco` first",
            [PreconditionViolation("LIBRARY", PACK, "import the esco pack first")],
        )


def _group_places(session: Session) -> dict[str, tuple[int, str, str]]:
    """ESCO group URI -> (dimension id, category, sub-category), as the ESCO import derives them."""
    rows = session.execute(
        select(
            DimensionRow.id, DimensionRow.source_uri, DimensionRow.display_name, DimensionRow.parent_id
        ).where(DimensionRow.pack == ESCO)
    ).all()
    label = {int(i): str(name) for i, _, name, _ in rows}
    parent = {int(i): int(p) for i, _, _, p in rows if p is not None}
    return {
        str(uri): (int(dim_id), label.get(esco_import.category_of(int(dim_id), parent), ""), str(name))
        for dim_id, uri, name, _ in rows
    }


def _alias_row(skill_id: int, text: str, *, canonical: bool, context_required: bool) -> RowData:
    return {
        "skill_id": skill_id,
        "normalized": fold(text),
        "text": text,
        "alias_type": alias_type(text, preferred=canonical),
        "match_strategy": CONTEXT_REQUIRED if context_required else match_strategy(text),
        "is_primary": canonical,
        "source": PACK,
    }


def _onet_overlap(session: Session, keys: set[str]) -> int:
    """O*NET skills that one of the tech labels names (they merge when O*NET is imported again)."""
    rows = session.execute(
        select(SkillAliasRow.skill_id, SkillAliasRow.normalized)
        .join(SkillRow, SkillRow.id == SkillAliasRow.skill_id)
        .where(SkillRow.pack == ONET)
    )
    return len({int(sid) for sid, key in rows if key in keys})


def _onet_rows_on(session: Session, skill_ids: list[int]) -> dict[str, int]:
    """Table -> rows O*NET owns (see tables.py) that hang on these skills."""
    if not skill_ids:
        return {}
    counts = {
        "skill_aliases": session.scalar(
            select(func.count())
            .select_from(SkillAliasRow)
            .where(SkillAliasRow.source == ONET, SkillAliasRow.skill_id.in_(skill_ids))
        ),
        "skill_dimensions": session.scalar(
            select(func.count())
            .select_from(SkillDimensionRow)
            .where(SkillDimensionRow.source == ONET, SkillDimensionRow.skill_id.in_(skill_ids))
        ),
        # A role link is O*NET's when its role is (tables.py); on ESCO, O*NET links no ESCO role to
        # a skill it merged into, so only O*NET roles left from an import without ESCO count here.
        "role_skills": session.scalar(
            select(func.count())
            .select_from(RoleSkillRow)
            .join(RoleRow, RoleRow.id == RoleSkillRow.role_id)
            .where(RoleRow.pack == ONET, RoleSkillRow.skill_id.in_(skill_ids))
        ),
    }
    return {table: int(n) for table, n in counts.items() if n}


def write_tech(session: Session, syncer: Syncer, pack: TechPack) -> TechImport:
    """Synchronise the library's tech scope with ``pack``; returns the changes and report notes."""
    _require_esco(session)
    out = TechImport()
    changes, notes = out.changes, out.notes
    syncer.baseline(
        [
            tables.skills(PACK),
            tables.skill_aliases(PACK),
            tables.skill_dimensions(PACK),
            tables.role_aliases(PACK),
        ]
    )
    places = _group_places(session)

    # ---- skills ---------------------------------------------------------------------------------
    uri = {s.key: TECH_URI + s.key for s in pack.skills}
    # A removed tech skill takes the O*NET rows merged into it along (ON DELETE CASCADE): count them
    # while they are there, so the report can say so.
    if session.get(PackImportRow, ONET) is not None:
        kept = set(uri.values())
        leaving = [
            int(i)
            for i, u in session.execute(select(SkillRow.id, SkillRow.source_uri).where(SkillRow.pack == PACK))
            if u not in kept
        ]
        out.cascaded = _onet_rows_on(session, leaving)
    slugs = assign_slugs(session, SkillRow, SkillRow.pack == PACK, {uri[s.key]: s.name for s in pack.skills})
    missing_groups: set[str] = set()
    dimension_ids: dict[str, list[int]] = {}  # skill key -> dimensions in the library, primary first
    skill_rows: list[RowData] = []
    for s in pack.skills:
        present = [places[u] for u in s.dimension_uris if u in places]
        missing_groups |= {u for u in s.dimension_uris if u not in places}
        dimension_ids[s.key] = [dim_id for dim_id, _, _ in present]
        _, category, sub_category = present[0] if present else (0, "", "")
        skill_rows.append(
            tables.skill_row(
                source_uri=uri[s.key],
                slug=slugs[uri[s.key]],
                display_name=s.name,
                description=s.description,
                pack=PACK,
                meta=curated_meta(s.nature, category, sub_category),
                # ESCO's own typing of ICT content: practices are skills, the rest knowledge.
                skill_type="skill/competence" if s.nature == PRACTICE else "knowledge",
                reuse_level="sector-specific",
            )
        )
    skills = syncer.sync(tables.skills(PACK), skill_rows)
    changes["skills"] = skills.change
    skill_id = {s.key: skills.ids[(uri[s.key],)] for s in pack.skills}

    # ---- aliases: the tech skills' labels, and extra labels of ESCO skills -------------------------
    alias_rows: list[RowData] = []
    for s in pack.skills:
        context_labels = set(s.context_labels)
        for n, text in enumerate((s.name, *s.aliases)):
            alias_rows.append(
                _alias_row(skill_id[s.key], text, canonical=n == 0, context_required=text in context_labels)
            )
    esco_ids = {
        str(u): int(i)
        for u, i in session.execute(
            select(SkillRow.source_uri, SkillRow.id).where(
                SkillRow.pack == ESCO, SkillRow.source_uri.in_([a.esco_uri for a in pack.esco_aliases])
            )
        )
    }
    absent = []
    for a in pack.esco_aliases:
        if a.esco_uri not in esco_ids:
            absent.append(a)
            continue
        alias_rows += [
            _alias_row(esco_ids[a.esco_uri], t, canonical=False, context_required=t in a.context_labels)
            for t in a.aliases
        ]
    alias_rows = [r for r in alias_rows if r["normalized"]]
    changes["skill_aliases"] = syncer.sync(tables.skill_aliases(PACK), alias_rows).change

    # ---- skill -> dimension links ----------------------------------------------------------------
    link_rows = [
        {"skill_id": skill_id[key], "dimension_id": dim_id, "source": PACK}
        for key, dim_ids in dimension_ids.items()
        for dim_id in dim_ids
    ]
    changes["skill_dimensions"] = syncer.sync(tables.skill_dimensions(PACK), link_rows).change

    # ---- current titles of ESCO occupations -----------------------------------------------------
    role_ids = {
        str(u): int(i)
        for u, i in session.execute(
            select(RoleRow.source_uri, RoleRow.id).where(
                RoleRow.pack == ESCO, RoleRow.source_uri.in_([r.esco_uri for r in pack.role_titles])
            )
        )
    }
    title_rows = [
        {
            "role_id": role_ids[r.esco_uri],
            "normalized": key,
            "text": t,
            "is_primary": False,
            "source": TITLE_SOURCE,
        }
        for r in pack.role_titles
        if r.esco_uri in role_ids
        for t in r.titles
        if (key := normalize_title(t))
    ]
    changes["role_aliases"] = syncer.sync(tables.role_aliases(PACK), title_rows).change
    untitled = [r.esco_label for r in pack.role_titles if r.esco_uri not in role_ids]

    undimensioned = sum(1 for dim_ids in dimension_ids.values() if not dim_ids)
    notes.append(
        f"tech on ESCO: {len(pack.skills)} skills ({undimensioned} without a dimension), "
        f"extra labels for {len(pack.esco_aliases) - len(absent)} ESCO skills, "
        f"{len(title_rows)} current titles for {len(pack.role_titles) - len(untitled)} ESCO occupations"
    )
    if absent:
        notes.append(
            f"{len(absent)} ESCO skills the pack names are not in the library (an ESCO subset?): "
            + ", ".join(sorted(a.esco_label for a in absent)[:5])
            + (" ..." if len(absent) > 5 else "")
        )
    if untitled:
        notes.append(
            f"{len(untitled)} ESCO occupations the pack gives titles to are not in the library: "
            + ", ".join(sorted(untitled)[:5])
        )
    if missing_groups:
        notes.append(f"{len(missing_groups)} ESCO skill groups the pack names are not in the library")
    if out.cascaded:
        rows = ", ".join(f"{n} {table}" for table, n in out.cascaded.items())
        notes.append(
            f"{sum(out.cascaded.values())} O*NET rows ({rows}) hung on tech skills this import "
            "removed and were removed with them: import onet again"
        )
    overlap = _onet_overlap(session, {str(r["normalized"]) for r in alias_rows})
    if overlap:
        notes.append(
            f"{overlap} O*NET skills share a label with the tech pack: import onet again to merge them"
        )
    return out
