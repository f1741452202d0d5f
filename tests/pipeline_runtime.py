"""A small real library and stage-1 runs for the stage-2, stage-3 and enrichment tests.

The library is ESCO v1.1.1 cut to two occupations (data scientist, software developer): ~230 real
skills with their aliases, groups (dimensions) and role links. The pack is read once per session;
each test imports it into its own fresh database (about a second once the embedder has seen the
labels). Stage 1 runs through the real pipeline core, so runs are stored and their review items real.
"""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import func, select

from jdlens.v1 import pipeline_service_pb2, run_pb2
from jdlens_server.app import Runtime, build_runtime
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import EscoPack, esco_subset, read_esco
from jdlens_server.nlp.embedder import load_embedder
from jdlens_server.pipeline.details import apply_details, compute_details
from jdlens_server.pipeline.final_role import apply_final_role, compute_final_role
from jdlens_server.store.db import transaction
from jdlens_server.store.models import (
    ChangeLogRow,
    LibraryVersionRow,
    ReviewItemRow,
    ReviewItemRunRow,
    RoleDimensionRow,
    SkillAliasRow,
    SkillDimensionRow,
)

DATA_SCIENTIST = "http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
REFERENCE_JD = (Path(__file__).resolve().parents[1] / "examples" / "reference_jd.txt").read_text(
    encoding="utf-8"
)

WRITTEN_TABLES = {
    "review_items": ReviewItemRow,
    "review_item_runs": ReviewItemRunRow,
    "skill_aliases": SkillAliasRow,
    "skill_dimensions": SkillDimensionRow,
    "role_dimensions": RoleDimensionRow,
    "library_versions": LibraryVersionRow,
    "change_log": ChangeLogRow,
}


@functools.cache
def esco_part() -> EscoPack:
    return esco_subset(read_esco(), occupation_uris=[DATA_SCIENTIST, SOFTWARE_DEVELOPER])


def library_runtime(db_url: str) -> Runtime:
    """The runtime of a fresh database holding the ESCO part."""
    import_pack(db_url, "esco", contents=esco_part(), embedder=load_embedder(), progress=False)
    return build_runtime(db_url)


def stage1(runtime: Runtime, text: str, title: str = "") -> run_pb2.Run:
    req = pipeline_service_pb2.ExtractFromJdRequest(jd=pipeline_service_pb2.JdInput(text=text, title=title))
    run, _ = runtime.core.extract_from_jd(req)
    return run


def add_skill(run: run_pb2.Run, name: str, *, primary: bool = True) -> None:
    """A skill as a model backend would name it: no library match, evidence where the JD says it."""
    skill = run.extraction.skills.add(
        skill_name=name, is_primary=primary, source=run_pb2.SKILL_SOURCE_LLM, is_new=True, confidence=0.8
    )
    at = run.jd_text.find(name)
    if at >= 0:
        skill.evidence.add(text=name, span={"start": at, "end": at + len(name)})


def stage2(runtime: Runtime, run: run_pb2.Run, *, dry_run: bool = False) -> run_pb2.DetailsResult:
    loaded = runtime.library.current()
    plan = compute_details(loaded, runtime.embedder, run)
    with transaction(runtime.factory) as session:
        result = apply_details(session, loaded, plan, run.run_id, dry_run=dry_run)
    run.details.CopyFrom(result)
    return result


def stage3(runtime: Runtime, run: run_pb2.Run, *, dry_run: bool = False) -> run_pb2.FinalRoleResult:
    loaded = runtime.library.current()
    plan = compute_final_role(loaded, runtime.embedder, run)
    with transaction(runtime.factory) as session:
        result = apply_final_role(session, loaded, plan, dry_run=dry_run)
    run.final_role.CopyFrom(result)
    return result


def table_counts(runtime: Runtime) -> dict[str, int]:
    with runtime.factory() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in WRITTEN_TABLES.items()
        }
