"""The O*NET pack: read the shipped O*NET 29.2 tables into typed records, with validation.

Same contract as the ESCO reader: bad rows are left out and reported in `OnetPack.problems` with
file and line, rows that refer to an unknown occupation or commodity included. O*NET has no
crosswalk to ESCO/ISCO here; none is made up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jdlens_server.library.packs import manifest as mf
from jdlens_server.library.packs.records import (
    OnetAlternateTitle,
    OnetOccupation,
    OnetTask,
    OnetTechnologySkill,
    PackProblem,
    TaskType,
    UnspscCommodity,
)
from jdlens_server.library.packs.rows import (
    Row,
    int_code,
    keep_rows,
    matching,
    opt_enum,
    opt_str,
    positive_int,
    read_table,
    records,
    req_str,
    sort_problems,
    unique_rows,
    yes_no,
)

ONET_SOC_CODE = re.compile(r"\d{2}-\d{4}\.\d{2}")


@dataclass(frozen=True, slots=True)
class OnetPack:
    info: mf.PackInfo
    occupations: list[OnetOccupation]
    alternate_titles: list[OnetAlternateTitle]
    tasks: list[OnetTask]
    technology_skills: list[OnetTechnologySkill]
    # Only the UNSPSC commodities that technology skills use.
    commodities: list[UnspscCommodity]
    problems: list[PackProblem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "occupations": len(self.occupations),
            "alternate_titles": len(self.alternate_titles),
            "tasks": len(self.tasks),
            "technology_skills": len(self.technology_skills),
            "commodities": len(self.commodities),
            "problems": len(self.problems),
        }


def _code(row: Row) -> str:
    return matching(row, "code", ONET_SOC_CODE, "O*NET-SOC code")


def _occupation(row: Row) -> OnetOccupation:
    return OnetOccupation(
        code=_code(row), title=req_str(row, "title"), description=req_str(row, "description")
    )


def _alternate_title(row: Row) -> OnetAlternateTitle:
    return OnetAlternateTitle(
        code=_code(row), title=req_str(row, "title"), short_title=opt_str(row, "short_title")
    )


def _task(row: Row) -> OnetTask:
    return OnetTask(
        code=_code(row),
        task_id=positive_int(row, "task_id"),
        task=req_str(row, "task"),
        task_type=opt_enum(row, "task_type", TaskType),
    )


def _technology_skill(row: Row) -> OnetTechnologySkill:
    return OnetTechnologySkill(
        code=_code(row),
        example=req_str(row, "example"),
        commodity_code=int_code(row, "commodity_code", 8),
        commodity_title=req_str(row, "commodity_title"),
        hot_technology=yes_no(row, "hot_technology"),
        in_demand=yes_no(row, "in_demand"),
    )


def _commodity(row: Row) -> UnspscCommodity:
    return UnspscCommodity(
        commodity_code=int_code(row, "commodity_code", 8),
        commodity_title=req_str(row, "commodity_title"),
        class_code=int_code(row, "class_code", 8),
        class_title=req_str(row, "class_title"),
        family_code=int_code(row, "family_code", 8),
        family_title=req_str(row, "family_title"),
        segment_code=int_code(row, "segment_code", 8),
        segment_title=req_str(row, "segment_title"),
    )


def read_onet(data_dir: Path | None = None, *, verify: bool = True) -> OnetPack:
    """Read the O*NET pack from `data_dir` (default: the packs shipped with jdlens)."""
    data_dir = data_dir or mf.DATA_DIR
    info = mf.pack_info(mf.ONET, data_dir)
    problems = mf.verify_pack(info, data_dir) if verify else []

    def path(name: str) -> Path:
        return mf.pack_path(name, data_dir)

    occupations = unique_rows(
        read_table(path(mf.ONET_OCCUPATIONS), _occupation, problems),
        lambda o: o.code,
        mf.ONET_OCCUPATIONS,
        problems,
    )
    commodities = unique_rows(
        read_table(path(mf.ONET_COMMODITIES), _commodity, problems),
        lambda c: c.commodity_code,
        mf.ONET_COMMODITIES,
        problems,
    )
    codes = {o.code for _, o in occupations}
    commodity_codes = {c.commodity_code for _, c in commodities}

    def occupation_check(code: str) -> str | None:
        return None if code in codes else f"unknown O*NET-SOC occupation {code}"

    def technology_check(tech: OnetTechnologySkill) -> str | None:
        if tech.commodity_code not in commodity_codes:
            return f"unknown UNSPSC commodity {tech.commodity_code}"
        return occupation_check(tech.code)

    alternate_titles = keep_rows(
        read_table(path(mf.ONET_ALTERNATE_TITLES), _alternate_title, problems),
        lambda t: occupation_check(t.code),
        mf.ONET_ALTERNATE_TITLES,
        problems,
    )
    tasks = unique_rows(
        keep_rows(
            read_table(path(mf.ONET_TASKS), _task, problems),
            lambda t: occupation_check(t.code),
            mf.ONET_TASKS,
            problems,
        ),
        lambda t: t.task_id,
        mf.ONET_TASKS,
        problems,
    )
    technology_skills = keep_rows(
        read_table(path(mf.ONET_TECHNOLOGY_SKILLS), _technology_skill, problems),
        technology_check,
        mf.ONET_TECHNOLOGY_SKILLS,
        problems,
    )

    sort_problems(problems, mf.PACK_FILES[mf.ONET])
    return OnetPack(
        info=info,
        occupations=records(occupations),
        alternate_titles=records(alternate_titles),
        tasks=records(tasks),
        technology_skills=records(technology_skills),
        commodities=records(commodities),
        problems=problems,
    )
