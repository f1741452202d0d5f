"""O*NET pack -> library rows, alone or on top of ESCO.

Role identity in a combined library: ESCO defines the roles (the evaluation labels are ESCO
occupations, and one concept must not appear as two competing roles). So when the library holds ESCO
roles, O*NET occupations do NOT become roles; each is mapped to one ESCO role when the mapping is
confident, and then adds to that role its task statements (KRAs, source "onet_task"), its title and
alternate titles (role aliases, sources "onet_title" / "onet_alternate_title"), its technology skills
and their commodity dimensions. An occupation without a confident mapping adds nothing (counted in the
report). The mapping, first that applies:
1. title: the O*NET title, title-normalised (and with its head nouns made singular: O*NET titles are
   plural), equals a label of ESCO roles; several roles -> the one whose profile embedding is
   nearest the O*NET occupation's (title + first description sentence);
2. embedding: the normalised singular title's embedding has cosine >= ``TITLE_SIMILARITY_MIN``
   (0.85) with an ESCO role label's embedding (the nearest one wins). Measured on the full packs:
   title equality maps 320 of the 1,016 occupations; of the rest, hand-checked pairs at cosine
   >= 0.90 were right about 95% of the time, in [0.85, 0.90) about 88% once O*NET's residual
   ", All Other" categories are left out (they are catch-alls, never mapped by embedding), in
   [0.80, 0.85) only about half.
Without ESCO, O*NET occupations become roles (pack "onet") with the same aliases, KRAs and links.

Technology skills: one skill per distinct example (folded), nature TOOL, pack "onet" - unless the
folded example equals an alias of an existing non-O*NET skill, which then takes the links instead
(merged). UNSPSC commodities become dimensions (pack "onet"), linked to the skills (merged or not)
and, weighted by how many of a role's technology skills they hold, to the roles. Role->skill links
from O*NET are kept only where the role or the skill is O*NET's own (ESCO's links are ESCO's).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from jdlens_server.library import tables
from jdlens_server.library.aliases import CANONICAL, match_strategy
from jdlens_server.library.kra_sources import ONET_TASK, first_sentence, phrase_kras
from jdlens_server.library.packs.onet import OnetPack
from jdlens_server.library.packs.records import OnetOccupation, OnetTechnologySkill
from jdlens_server.library.skill_meta import tool_meta
from jdlens_server.library.sync import RowData, Syncer, TableChange, assign_slugs
from jdlens_server.library.vectors import TextVectors, from_bytes
from jdlens_server.nlp.normalize import fold, singular
from jdlens_server.nlp.title import normalize_title
from jdlens_server.store.models import (
    DimensionRow,
    PackImportRow,
    RoleAliasRow,
    RoleRow,
    SkillAliasRow,
    SkillRow,
)

__all__ = ["PACK", "TITLE_SIMILARITY_MIN", "RoleMatch", "context", "onet_subset", "write_onet"]

PACK = "onet"
ESCO = "esco"
# Cosine floor for mapping an O*NET title to an ESCO role label by embedding (measured: see README).
TITLE_SIMILARITY_MIN = 0.85
RESIDUAL_SUFFIX = ", All Other"
ONET_URL = "https://www.onetonline.org/link/summary/"
TECH_URI = "onet:technology:"
UNSPSC_URI = "unspsc:"

# 2018 SOC major groups: the first two digits of an O*NET-SOC code.
SOC_MAJOR_GROUPS = {
    "11": "Management",
    "13": "Business and Financial Operations",
    "15": "Computer and Mathematical",
    "17": "Architecture and Engineering",
    "19": "Life, Physical, and Social Science",
    "21": "Community and Social Service",
    "23": "Legal",
    "25": "Educational Instruction and Library",
    "27": "Arts, Design, Entertainment, Sports, and Media",
    "29": "Healthcare Practitioners and Technical",
    "31": "Healthcare Support",
    "33": "Protective Service",
    "35": "Food Preparation and Serving Related",
    "37": "Building and Grounds Cleaning and Maintenance",
    "39": "Personal Care and Service",
    "41": "Sales and Related",
    "43": "Office and Administrative Support",
    "45": "Farming, Fishing, and Forestry",
    "47": "Construction and Extraction",
    "49": "Installation, Maintenance, and Repair",
    "51": "Production",
    "53": "Transportation and Material Moving",
    "55": "Military Specific",
}


@dataclass(frozen=True, slots=True)
class RoleMatch:
    role_id: int
    method: str  # "title" or "embedding"
    score: float


def context(session: Session) -> str:
    """What an O*NET import depends on besides its own content: the ESCO import in place, if any."""
    esco = session.get(PackImportRow, ESCO)
    has_esco_roles = session.scalar(select(RoleRow.id).where(RoleRow.pack == ESCO).limit(1)) is not None
    return f"on esco {esco.checksum if esco else 'unrecorded'}" if has_esco_roles else "alone"


def onet_subset(pack: OnetPack, subset: int | Sequence[str]) -> OnetPack:
    """The first N occupations (or those with the given O*NET-SOC codes) with everything they use."""
    if isinstance(subset, int):
        codes = [o.code for o in pack.occupations[: max(subset, 0)]]
    else:
        known = {o.code for o in pack.occupations}
        unknown = [c for c in subset if c not in known]
        if unknown:
            raise ValueError(f"unknown O*NET-SOC codes: {', '.join(unknown)}")
        codes = list(dict.fromkeys(subset))
    keep = set(codes)
    tech = [t for t in pack.technology_skills if t.code in keep]
    used = {t.commodity_code for t in tech}
    digest = hashlib.sha256("\n".join([pack.info.digest, *sorted(codes)]).encode()).hexdigest()
    info = dataclasses.replace(pack.info, digest=digest, subset=f"{len(codes)} occupations")
    return OnetPack(
        info=info,
        occupations=[o for o in pack.occupations if o.code in keep],
        alternate_titles=[t for t in pack.alternate_titles if t.code in keep],
        tasks=[t for t in pack.tasks if t.code in keep],
        technology_skills=tech,
        commodities=[c for c in pack.commodities if c.commodity_code in used],
        problems=list(pack.problems),
    )


def singular_title(title: str) -> str:
    """Title-normalised with the last word of each "and"-joined part singular: "chief executive"."""
    parts = normalize_title(title).split(" and ")
    out = []
    for part in parts:
        words = part.split()
        if words:
            words[-1] = singular(words[-1])
        out.append(" ".join(words))
    return " and ".join(out)


def _profile(occ: OnetOccupation) -> tuple[str, ...]:
    """Same shape as an ESCO role's profile (tables.role_embed_texts): title and first sentence."""
    head = first_sentence(occ.description)
    title = singular_title(occ.title) or occ.title
    return (title, head) if head else (title,)


def map_to_esco(
    session: Session, occupations: list[OnetOccupation], vectors: TextVectors
) -> dict[str, RoleMatch]:
    """O*NET-SOC code -> ESCO role for the occupations with a confident mapping (see module doc)."""
    alias_rows = session.execute(
        select(RoleAliasRow.role_id, RoleAliasRow.normalized, RoleAliasRow.embedding)
        .join(RoleRow, RoleRow.id == RoleAliasRow.role_id)
        .where(RoleRow.pack == ESCO, RoleAliasRow.source.in_(tables.LABEL_SOURCES))
    ).all()
    by_label: dict[str, set[int]] = defaultdict(set)
    for role_id, normalized, _ in alias_rows:
        by_label[normalized].add(int(role_id))
    profiles = {
        int(rid): from_bytes(blob, vectors.embedder.dim)
        for rid, blob in session.execute(select(RoleRow.id, RoleRow.embedding).where(RoleRow.pack == ESCO))
        if blob is not None
    }
    embedded = [(int(r), b) for r, _, b in alias_rows if b is not None]
    alias_roles = np.array([r for r, _ in embedded], dtype=np.int64)
    dim = vectors.embedder.dim
    alias_matrix = (
        np.stack([from_bytes(b, dim) for _, b in embedded]) if embedded else np.zeros((0, dim), np.float32)
    )

    matches: dict[str, RoleMatch] = {}
    pending: list[OnetOccupation] = []
    for occ in occupations:
        candidates: set[int] = set()
        for key in {normalize_title(occ.title), singular_title(occ.title)}:
            candidates |= by_label.get(key, set())
        if len(candidates) == 1:
            matches[occ.code] = RoleMatch(candidates.pop(), "title", 1.0)
        elif candidates:
            q = vectors.mean(_profile(occ))
            best = max(sorted(candidates), key=lambda r: float(profiles[r] @ q) if r in profiles else -1.0)
            matches[occ.code] = RoleMatch(best, "title", 1.0)
        else:
            pending.append(occ)
    # ", All Other" occupations are residual catch-alls: close in wording to many roles, equal to none.
    pending = [o for o in pending if not o.title.endswith(RESIDUAL_SUFFIX)]
    if pending and len(alias_roles):
        queries = vectors.matrix(
            [singular_title(o.title) or o.title for o in pending], desc="embedding titles"
        )
        sims = queries @ alias_matrix.T
        for occ, row in zip(pending, sims, strict=True):
            i = int(np.argmax(row))
            if float(row[i]) >= TITLE_SIMILARITY_MIN:
                matches[occ.code] = RoleMatch(int(alias_roles[i]), "embedding", float(row[i]))
    return matches


def _existing_skill_aliases(session: Session) -> dict[str, list[tuple[int, bool]]]:
    """Folded alias -> [(skill id, is canonical)] over the skills O*NET does not own."""
    out: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    rows = session.execute(
        select(SkillAliasRow.normalized, SkillAliasRow.skill_id, SkillAliasRow.alias_type)
        .join(SkillRow, SkillRow.id == SkillAliasRow.skill_id)
        .where(SkillRow.pack != PACK)
    )
    for normalized, skill_id, kind in rows:
        out[normalized].append((int(skill_id), kind == CANONICAL))
    return out


def _merge_target(hits: list[tuple[int, bool]]) -> int | None:
    """The one skill an O*NET example names: the unique canonical hit, else the unique hit."""
    canonical = {s for s, c in hits if c}
    if len(canonical) == 1:
        return canonical.pop()
    skills = {s for s, _ in hits}
    return skills.pop() if len(skills) == 1 else None


def write_onet(
    session: Session, syncer: Syncer, pack: OnetPack, vectors: TextVectors
) -> tuple[dict[str, TableChange], list[str]]:
    """Synchronise the library's O*NET scope with ``pack``; returns the changes and report notes."""
    changes: dict[str, TableChange] = {}
    notes: list[str] = []
    combined = context(session) != "alone"
    syncer.baseline(tables.specs(PACK, owns_links_of_other_packs=True))

    # ---- dimensions: UNSPSC commodities ---------------------------------------------------------
    commodity = {c.commodity_code: c for c in pack.commodities}
    dim_labels = {f"{UNSPSC_URI}{c.commodity_code}": c.commodity_title for c in pack.commodities}
    dim_slugs = assign_slugs(session, DimensionRow, DimensionRow.pack == PACK, dim_labels)
    dim_rows = [
        {
            "source_uri": f"{UNSPSC_URI}{c.commodity_code}",
            "slug": dim_slugs[f"{UNSPSC_URI}{c.commodity_code}"],
            "display_name": c.commodity_title,
            "rationale": f"UNSPSC commodity {c.commodity_code} ({c.class_title}; {c.family_title})",
            "difficulty_hint": "",
            "pack": PACK,
        }
        for c in pack.commodities
    ]
    dims = syncer.sync(tables.dimensions(PACK), dim_rows)
    changes["dimensions"] = dims.change
    dim_id = {code: dims.ids[(f"{UNSPSC_URI}{code}",)] for code in commodity}

    # ---- skills: technology examples, merged into existing skills where an alias names them -----
    examples: dict[str, list[OnetTechnologySkill]] = defaultdict(list)
    for t in pack.technology_skills:
        key = fold(t.example)
        if key:
            examples[key].append(t)
    existing = _existing_skill_aliases(session)
    merged: dict[str, int] = {}
    ambiguous = 0
    for key in examples:
        hits = existing.get(key)
        if hits:
            into = _merge_target(hits)
            if into is None:
                ambiguous += 1
            else:
                merged[key] = into
    own = [k for k in examples if k not in merged]
    uri = {k: TECH_URI + k[:180] for k in own}
    skill_slugs = assign_slugs(
        session, SkillRow, SkillRow.pack == PACK, {uri[k]: examples[k][0].example for k in own}
    )
    skill_rows: list[RowData] = []
    for k in own:
        first = examples[k][0]
        com = commodity[first.commodity_code]
        meta = tool_meta(com.class_title, com.commodity_title, any(t.hot_technology for t in examples[k]))
        skill_rows.append(
            tables.skill_row(
                source_uri=uri[k],
                slug=skill_slugs[uri[k]],
                display_name=first.example,
                description=f"{com.commodity_title} (O*NET technology skill example)",
                pack=PACK,
                meta=meta,
            )
        )
    skills = syncer.sync(tables.skills(PACK), skill_rows)
    changes["skills"] = skills.change
    skill_id = {k: skills.ids[(uri[k],)] for k in own} | merged
    own_skill_ids = {skills.ids[(uri[k],)] for k in own}
    notes.append(
        f"technology skills: {len(examples)} distinct examples, {len(merged)} merged into existing "
        f"skills, {len(own)} new" + (f", {ambiguous} naming several skills kept apart" if ambiguous else "")
    )

    alias_rows = [
        {
            "skill_id": skill_id[k],
            "normalized": k,
            "text": examples[k][0].example,
            "alias_type": CANONICAL,
            "match_strategy": match_strategy(examples[k][0].example),
            "is_primary": True,
            "source": PACK,
        }
        for k in own
    ]
    changes["skill_aliases"] = syncer.sync(tables.skill_aliases(PACK), alias_rows).change
    link_rows = [
        {"skill_id": skill_id[k], "dimension_id": dim_id[t.commodity_code], "source": PACK}
        for k, ts in examples.items()
        for t in ts
    ]
    changes["skill_dimensions"] = syncer.sync(tables.skill_dimensions(PACK), link_rows).change

    # ---- roles: O*NET's own, or the ESCO roles the occupations map to --------------------------
    target: dict[str, int] = {}
    if combined:
        matches = map_to_esco(session, pack.occupations, vectors)
        target = {code: m.role_id for code, m in matches.items()}
        by_method = Counter(m.method for m in matches.values())
        notes.append(
            f"O*NET on ESCO: {len(matches)} of {len(pack.occupations)} occupations mapped to "
            f"{len(set(target.values()))} ESCO roles ({by_method['title']} by title, "
            f"{by_method['embedding']} by title embedding >= {TITLE_SIMILARITY_MIN}); "
            f"{len(pack.occupations) - len(matches)} unmapped occupations add nothing"
        )
        changes["roles"] = syncer.sync(tables.roles(PACK), []).change
    else:
        role_slugs = assign_slugs(
            session, RoleRow, RoleRow.pack == PACK, {ONET_URL + o.code: o.title for o in pack.occupations}
        )
        role_rows = [
            {
                "source_uri": ONET_URL + o.code,
                "slug": role_slugs[ONET_URL + o.code],
                "display_name": o.title,
                "description": o.description,
                "archetype": SOC_MAJOR_GROUPS.get(o.code[:2], ""),
                "pack": PACK,
                "code": o.code,
                "isco_group": "",
            }
            for o in pack.occupations
        ]
        roles = syncer.sync(tables.roles(PACK), role_rows)
        changes["roles"] = roles.change
        target = {o.code: roles.ids[(ONET_URL + o.code,)] for o in pack.occupations}

    title_source = "onet_title" if combined else "preferred"
    role_alias_rows: list[RowData] = []
    for o in pack.occupations:
        if o.code in target:
            role_alias_rows.append(_role_alias(target[o.code], o.title, title_source, primary=not combined))
    for alt in pack.alternate_titles:
        if alt.code in target:
            for text in (alt.title, alt.short_title):
                if text:
                    role_alias_rows.append(
                        _role_alias(target[alt.code], text, "onet_alternate_title", primary=False)
                    )
    changes["role_aliases"] = syncer.sync(
        tables.role_aliases(PACK), [r for r in role_alias_rows if r["normalized"]]
    ).change

    relation: dict[tuple[int, int], str] = {}
    per_dimension: dict[tuple[int, int], set[int]] = defaultdict(set)
    for t in pack.technology_skills:
        key = fold(t.example)
        if t.code not in target or key not in skill_id:
            continue
        rid, sid = target[t.code], skill_id[key]
        per_dimension[(rid, dim_id[t.commodity_code])].add(sid)
        if combined and sid not in own_skill_ids:
            continue  # an ESCO role -> ESCO skill link is ESCO's to make
        if t.in_demand or relation.get((rid, sid)) != "essential":
            relation[(rid, sid)] = "essential" if t.in_demand else "optional"
    role_skill_rows = [{"role_id": r, "skill_id": s, "relation": rel} for (r, s), rel in relation.items()]
    changes["role_skills"] = syncer.sync(
        tables.role_skills(PACK, owns_links_of_other_packs=True), role_skill_rows
    ).change
    role_dim_rows = [
        {"role_id": r, "dimension_id": d, "weight": len(s), "source": PACK}
        for (r, d), s in per_dimension.items()
    ]
    changes["role_dimensions"] = syncer.sync(tables.role_dimensions(PACK), role_dim_rows).change

    tasks: dict[int, list[str]] = defaultdict(list)
    for task in pack.tasks:
        if task.code in target:
            tasks[target[task.code]].append(task.task)
    kra_rows = [
        {"role_id": rid, "source": ONET_TASK, "text": text}
        for rid, texts in tasks.items()
        for text in phrase_kras(texts)
    ]
    changes["kras"] = syncer.sync(tables.kras(PACK), kra_rows).change
    return changes, notes


def _role_alias(role_id: int, text: str, source: str, *, primary: bool) -> RowData:
    return {
        "role_id": role_id,
        "normalized": normalize_title(text),
        "text": text,
        "is_primary": primary,
        "source": source,
    }
