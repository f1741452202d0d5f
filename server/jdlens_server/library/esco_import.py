"""ESCO pack -> library rows.

- skill groups -> dimensions (parent from the hierarchy); skills -> skills with metadata from
  skill_meta's rules; their preferred/alternative/hidden labels -> aliases; each skill -> its nearest
  group(s) (through broader skills where a skill hangs under another skill);
- occupations -> roles (archetype: the ISCO-08 major group), their labels -> role aliases (keyed by
  title normalisation, so "senior X" folds into "X"), occupation->skill relations -> role skills,
  and role -> dimension links weighted by how many of the role's essential skills are in the group;
- KRAs from two sources, stored apart (see kra_sources).
Embeddings: skill label, role label + first description sentence, dimension label, each role alias
(normalised) and KRA text; the same text is embedded once per import.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from typing import TypeVar

from sqlalchemy.orm import Session

from jdlens_server.library import tables
from jdlens_server.library.aliases import alias_type, match_strategy
from jdlens_server.library.kra_sources import (
    ESCO_DESCRIPTION,
    ESCO_ESSENTIAL_SKILL,
    description_kras,
    phrase_kras,
)
from jdlens_server.library.packs.esco import EscoPack
from jdlens_server.library.packs.records import ConceptType, RelationType
from jdlens_server.library.skill_meta import GroupPlace, esco_skill_meta
from jdlens_server.library.sync import RowData, Syncer, TableChange, assign_slugs
from jdlens_server.nlp.normalize import fold
from jdlens_server.nlp.title import normalize_title
from jdlens_server.store.models import DimensionRow, RoleRow, SkillRow

__all__ = ["PACK", "category_of", "write_esco"]

PACK = "esco"
_ICT_TOP_URI = "http://data.europa.eu/esco/isced-f/06"
_ICT_TOP_CODE = "S5"
K = TypeVar("K", bound=Hashable)


def _chain(node: K, parent: Mapping[K, K]) -> list[K]:
    """``node`` and its ancestors up to its root (a cycle in the data ends the chain)."""
    chain = [node]
    while chain[-1] in parent and parent[chain[-1]] not in chain:
        chain.append(parent[chain[-1]])
    return chain


def _top(chain: list[K]) -> K:
    return chain[-2] if len(chain) >= 2 else chain[0]


def category_of(node: K, parent: Mapping[K, K]) -> K:
    """The skill group that gives ``node`` its category: its ancestor just below the pillar root
    (itself when it is a root or just below one). Shared with the tech import, which derives it
    from the stored dimension tree (``parent`` by dimension id) instead of the pack."""
    return _top(_chain(node, parent))


def _group_places(pack: EscoPack) -> dict[str, GroupPlace]:
    """Label, level-1 ancestor, pillar and ICT flag of every skill group."""
    parent: dict[str, str] = {}
    for rel in pack.skill_broader:
        if rel.concept_type is ConceptType.SKILL_GROUP:
            parent.setdefault(rel.uri, rel.broader_uri)
    groups = {g.uri: g for g in pack.skill_groups}
    places: dict[str, GroupPlace] = {}
    for uri, group in groups.items():
        chain = _chain(uri, parent)
        root = groups[chain[-1]]
        top = groups[_top(chain)]
        places[uri] = GroupPlace(
            label=group.preferred_label,
            top_label=top.preferred_label,
            pillar=(root.code or "?")[0],
            ict=top.uri == _ICT_TOP_URI or top.code == _ICT_TOP_CODE,
        )
    return places


def _skill_alias_rows(
    skill_id: int, preferred: str, alts: tuple[str, ...], hidden: tuple[str, ...]
) -> list[RowData]:
    rows: list[RowData] = []
    seen: set[str] = set()
    labelled = (
        [(preferred, True, False)] + [(a, False, False) for a in alts] + [(h, False, True) for h in hidden]
    )
    for text, is_preferred, is_hidden in labelled:
        key = fold(text)
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "skill_id": skill_id,
                "normalized": key,
                "text": text,
                "alias_type": alias_type(text, preferred=is_preferred, hidden=is_hidden),
                "match_strategy": match_strategy(text),
                "is_primary": is_preferred,
                "source": PACK,
            }
        )
    return rows


def _role_alias_rows(
    role_id: int, preferred: str, alts: tuple[str, ...], hidden: tuple[str, ...]
) -> list[RowData]:
    rows: list[RowData] = []
    seen: set[str] = set()
    labelled = (
        [(preferred, "preferred")] + [(a, "alternative") for a in alts] + [(h, "hidden") for h in hidden]
    )
    for text, source in labelled:
        key = normalize_title(text)
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "role_id": role_id,
                "normalized": key,
                "text": text,
                "is_primary": source == "preferred",
                "source": source,
            }
        )
    return rows


def write_esco(session: Session, syncer: Syncer, pack: EscoPack) -> dict[str, TableChange]:
    """Synchronise the library's ESCO scope with ``pack`` (inside the caller's transaction)."""
    changes: dict[str, TableChange] = {}

    def record(name: str, change: TableChange) -> None:
        if name in changes:
            changes[name].merge(change)
        else:
            changes[name] = change

    syncer.baseline(tables.specs(PACK, owns_links_of_other_packs=False))

    # ---- dimensions -----------------------------------------------------------------------------
    places = _group_places(pack)
    group_slugs = assign_slugs(
        session,
        DimensionRow,
        DimensionRow.pack == PACK,
        {g.uri: g.preferred_label for g in pack.skill_groups},
    )
    dim_rows = [
        {
            "source_uri": g.uri,
            "slug": group_slugs[g.uri],
            "display_name": g.preferred_label,
            "rationale": g.description or (f"ESCO skill group {g.code}" if g.code else "ESCO skill group"),
            "difficulty_hint": "",
            "pack": PACK,
        }
        for g in pack.skill_groups
    ]
    dims = syncer.sync(tables.dimensions(PACK), dim_rows)
    record("dimensions", dims.change)
    dim_id = {uri: dims.ids[(uri,)] for uri in (g.uri for g in pack.skill_groups)}
    parents: dict[str, int | None] = {g.uri: None for g in pack.skill_groups}
    for rel in pack.skill_broader:
        if rel.concept_type is ConceptType.SKILL_GROUP and parents.get(rel.uri) is None:
            parents[rel.uri] = dim_id.get(rel.broader_uri)
    parent_rows = [{"source_uri": uri, "parent_id": pid} for uri, pid in parents.items()]
    parented = syncer.sync(tables.dimension_parents(PACK), parent_rows)
    # A new dimension's parent is part of its addition, not a separate update.
    parented.change.updated = len(parented.updated_keys - dims.added_keys - dims.updated_keys)
    record("dimensions", parented.change)

    # ---- skills -----------------------------------------------------------------------------------
    skill_groups = pack.skill_group_uris()
    skill_slugs = assign_slugs(
        session, SkillRow, SkillRow.pack == PACK, {s.uri: s.preferred_label for s in pack.skills}
    )
    skill_rows: list[RowData] = []
    for s in pack.skills:
        meta = esco_skill_meta(s, [places[u] for u in skill_groups.get(s.uri, ()) if u in places])
        skill_rows.append(
            tables.skill_row(
                source_uri=s.uri,
                slug=skill_slugs[s.uri],
                display_name=s.preferred_label,
                description=s.description or "",
                pack=PACK,
                meta=meta,
                skill_type=s.skill_type.value if s.skill_type else "",
                reuse_level=s.reuse_level.value if s.reuse_level else "",
            )
        )
    skills = syncer.sync(tables.skills(PACK), skill_rows)
    record("skills", skills.change)
    skill_id = {s.uri: skills.ids[(s.uri,)] for s in pack.skills}

    alias_rows: list[RowData] = []
    for s in pack.skills:
        alias_rows += _skill_alias_rows(skill_id[s.uri], s.preferred_label, s.alt_labels, s.hidden_labels)
    record("skill_aliases", syncer.sync(tables.skill_aliases(PACK), alias_rows).change)

    link_rows = [
        {"skill_id": skill_id[s.uri], "dimension_id": dim_id[g], "source": PACK}
        for s in pack.skills
        for g in skill_groups.get(s.uri, ())
        if g in dim_id
    ]
    record("skill_dimensions", syncer.sync(tables.skill_dimensions(PACK), link_rows).change)

    # ---- roles ------------------------------------------------------------------------------------
    major = {g.code: g.preferred_label for g in pack.isco_groups if len(g.code) == 1}
    role_slugs = assign_slugs(
        session, RoleRow, RoleRow.pack == PACK, {o.uri: o.preferred_label for o in pack.occupations}
    )
    role_rows = [
        {
            "source_uri": o.uri,
            "slug": role_slugs[o.uri],
            "display_name": o.preferred_label,
            "description": o.description or o.definition or "",
            "archetype": major.get(o.isco_group[:1], ""),
            "pack": PACK,
            "code": o.code,
            "isco_group": o.isco_group,
        }
        for o in pack.occupations
    ]
    roles = syncer.sync(tables.roles(PACK), role_rows)
    record("roles", roles.change)
    role_id = {o.uri: roles.ids[(o.uri,)] for o in pack.occupations}

    role_alias_rows: list[RowData] = []
    for o in pack.occupations:
        role_alias_rows += _role_alias_rows(role_id[o.uri], o.preferred_label, o.alt_labels, o.hidden_labels)
    record("role_aliases", syncer.sync(tables.role_aliases(PACK), role_alias_rows).change)

    role_skill_rows = [
        {
            "role_id": role_id[r.occupation_uri],
            "skill_id": skill_id[r.skill_uri],
            "relation": r.relation_type.value,
        }
        for r in pack.occupation_skills
    ]
    record(
        "role_skills",
        syncer.sync(tables.role_skills(PACK, owns_links_of_other_packs=False), role_skill_rows).change,
    )

    essential: dict[str, list[str]] = defaultdict(list)
    for r in pack.occupation_skills:
        if r.relation_type is RelationType.ESSENTIAL:
            essential[r.occupation_uri].append(r.skill_uri)
    weights: Counter[tuple[int, int]] = Counter()
    for occ_uri, skill_uris in essential.items():
        for s_uri in skill_uris:
            for g in skill_groups.get(s_uri, ()):
                if g in dim_id:
                    weights[(role_id[occ_uri], dim_id[g])] += 1
    role_dim_rows = [
        {"role_id": r, "dimension_id": d, "weight": w, "source": PACK}
        for (r, d), w in weights.items()
        if w >= 1
    ]
    record("role_dimensions", syncer.sync(tables.role_dimensions(PACK), role_dim_rows).change)

    # ---- KRAs -------------------------------------------------------------------------------------
    label = {s.uri: s.preferred_label for s in pack.skills}
    kra_rows: list[RowData] = []
    for o in pack.occupations:
        rid = role_id[o.uri]
        for text in description_kras(o.description):
            kra_rows.append({"role_id": rid, "source": ESCO_DESCRIPTION, "text": text})
        for text in phrase_kras(label[u] for u in essential.get(o.uri, ())):
            kra_rows.append({"role_id": rid, "source": ESCO_ESSENTIAL_SKILL, "text": text})
    record("kras", syncer.sync(tables.kras(PACK), kra_rows).change)
    return changes
