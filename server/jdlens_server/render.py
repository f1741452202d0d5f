"""`jdlens analyze` output: call AnalyzeJd through the generated client and print a readable summary
(or proto JSON). It talks gRPC like any other client, so what it shows is what callers get."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

import grpc
from google.protobuf import json_format
from grpc_status import rpc_status

from jdlens.v1 import common_pb2, parsed_jd_pb2, pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server.grpc_api.correlation import no_server_answered
from jdlens_server.proto_enums import enum_key

CASE_NAMES = {
    "A": "unique alias",
    "B": "alias collision",
    "C": "combined signals",
    "D": "tie-break",
    "E": "new role",
}


def _enum_word(enum_type: Any, value: int) -> str:
    """``RUN_STATUS_COMPLETED`` -> ``completed``: an enum value as a word for people (the store
    key, proto_enums.enum_key, with spaces)."""
    return enum_key(enum_type, value).replace("_", " ") or "unspecified"


def _in_months(months: int | None, years: int | None) -> int | None:
    """A figure in months; runs stored before the months fields carry years only."""
    if months is not None:
        return months
    return None if years is None else 12 * years


def experience_phrase(exp: parsed_jd_pb2.Experience) -> str:
    """ "3-5 years", "6 months+", "up to 2 years": in months when a figure is not whole years."""

    def field(name: str) -> int | None:
        return int(getattr(exp, name)) if exp.HasField(name) else None  # type: ignore[arg-type]

    lo = _in_months(field("min_months"), field("min_years"))
    hi = _in_months(field("max_months"), field("max_years"))
    in_months = any(m is not None and m % 12 for m in (lo, hi))
    per, unit = (1, "months") if in_months else (12, "years")
    if lo is None:
        return f"up to {(hi or 0) // per} {unit}"
    return f"{lo // per}-{hi // per} {unit}" if hi is not None else f"{lo // per}+ {unit}"


def summarize(run: run_pb2.Run) -> str:
    ex = run.extraction
    p = ex.parsed
    status = _enum_word(run_pb2.RunStatus, run.status)
    stored = "dry run, not stored" if ex.updates.dry_run else "stored"
    lines = [f"{run.name}  ({status}; {stored})"]
    if ex.rejected:
        lines.append(f"  REJECTED: {p.reject_detail or run_pb2.RunStatus.Name(run.status)}")
        if ex.signals.combined_roles:
            ranked = ", ".join(r.role.display_name for r in ex.signals.combined_roles[:3])
            lines.append(f"  the title alone ranks: {ranked} (nothing learned)")
        return "\n".join(lines)
    d = ex.decision
    role = d.chosen_role
    lines.append(
        f"  role        {role.display_name or '-'} [{role.slug}] {role.code}"
        f"  case {d.case_letter} ({CASE_NAMES.get(d.case_letter, '?')})  confidence {d.confidence:.2f}"
    )
    lines.append(f"  reasoning   {d.reasoning}")
    if d.llm2_fired:
        lines.append(f"  tie-break   {d.llm2_reasoning}")
    lines.append(f"  title       {p.role_title or '-'}  (normalised: {p.normalized_title or '-'})")
    if p.company_name:
        lines.append(f"  company     {p.company_name}")
    if p.HasField("experience"):
        lines.append(f"  experience  {experience_phrase(p.experience)}")
    if p.job_locations:
        places = ", ".join(filter(None, (loc.city or loc.country for loc in p.job_locations)))
        lines.append(f"  locations   {places}")
    skills = sorted(ex.skills, key=lambda s: (not s.is_primary, -s.confidence))
    lines.append(f"  skills      {len(skills)} ({sum(s.is_primary for s in skills)} primary)")
    for s in skills[:25]:
        ev = s.evidence[0] if s.evidence else None
        where = f'"{ev.text}" @{ev.span.start}' if ev else ""
        tag = "new" if s.is_new else "lib"
        kind = "primary" if s.is_primary else "secondary"
        lines.append(f"    - {s.skill_name:<38} {kind:<9} {s.confidence:.2f} {tag}  {where}")
    if len(skills) > 25:
        lines.append(f"    ... {len(skills) - 25} more (use --json)")
    sig = ex.signals
    for label, entries in (
        ("alias", sig.alias_match_roles),
        ("title", sig.title_match_roles),
        ("profile", sig.profile_match_roles),
        ("kra", sig.kra_match_roles),
        ("skill", sig.skill_match_roles),
        ("centroid", sig.centroid_match_roles),
    ):
        top = ", ".join(f"{e.role.slug} {e.score:.2f}" for e in entries[:3]) or "-"
        lines.append(f"  signal {label:<8} {top}")
    up = ex.updates
    if up.dry_run:
        lines.append("  updates     none (dry run)")
    else:
        lines.append(
            f"  updates     centroid n={up.centroid_n_after}, {len(up.new_skills_attached)} new skills queued, "
            f"{len(up.proposed_kras)} KRAs proposed"
            + (", new role queued" if up.new_role_review_item else "")
        )
    lines.extend(_later_stages(run))
    for m in run.stage_metrics:
        lines.append(
            f"  stage       {_enum_word(run_pb2.Stage, m.stage)} {m.duration.ToMilliseconds()} ms"
            f" ({m.model})" + (f" fell back: {m.fallback_reason}" if m.fallback_reason else "")
        )
    u = run.total_usage
    if u.model_calls:
        lines.append(
            f"  model use   {u.model_calls} calls, {u.input_tokens} input + {u.cache_read_input_tokens} cached "
            f"+ {u.output_tokens} output tokens, ${u.cost_usd:.5f}"
        )
    lines.extend(f"  warning     {w}" for w in run.warnings)
    return "\n".join(lines)


def _later_stages(run: run_pb2.Run) -> list[str]:
    """One line or two per stage after the first: the details, the final role, the enrichment."""
    lines: list[str] = []
    if run.HasField("details"):
        skills = run.details.skills_detail
        new = [s for s in skills if s.HasField("new_skill_meta")]
        placed = Counter(_enum_word(run_pb2.Placement, s.new_skill_meta.placement) for s in new)
        learned = sum(m.alias_persisted for m in run.details.alias_matches)
        how = ", ".join(f"{n} {kind}" for kind, n in sorted(placed.items()))
        lines.append(
            f"  details     {len(skills)} skills: {len(skills) - len(new)} in the library, {len(new)} new"
            + (f" ({how})" if how else "")
            + f"; {learned} alias{'es' if learned != 1 else ''} learned"
        )
    if run.HasField("final_role"):
        final = run.final_role
        kept = final.persistence
        resolution = _enum_word(run_pb2.RoleResolution, final.resolution)
        lines.append(f"  final role  {final.chosen_role.display_name or '-'} ({resolution})")
        lines.append(
            f"  links       skill-dimension {kept.skill_dimension_saved} saved, "
            f"{kept.skill_dimension_already_linked} already linked; role-dimension "
            f"{kept.role_dimension_saved} saved, {kept.role_dimension_already_linked} already linked; "
            f"{kept.skipped} skipped, {kept.flagged} flagged"
        )
    if run.HasField("enrichment"):
        en = run.enrichment
        levels = ", ".join(_enum_word(run_pb2.TechMaturity, level) for level in en.tech_stack_maturity.levels)
        lines.append(f"  AI index    {en.ai_index.score:.1f} / 5   tech stack: {levels or '-'}")
        if en.nature_of_work.label:
            lines.append(f"  work        {en.nature_of_work.label}: {en.nature_of_work.summary}")
        groups = [
            c.label or (c.dimension.display_name if c.HasField("dimension") else "")
            for c in en.skill_clusters
        ]
        if groups:
            lines.append(
                f"  clusters    {len(groups)}: {'; '.join(groups[:4])}" + ("; ..." if len(groups) > 4 else "")
            )
    return lines


def analyze_files(
    target: str,
    texts: Sequence[tuple[str, str]],
    *,
    title: str,
    as_json: bool,
    dry_run: bool,
    backend: common_pb2.Backend.ValueType = common_pb2.BACKEND_UNSPECIFIED,
) -> int:
    status = 0
    with grpc.insecure_channel(target) as channel:
        stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
        for label, text in texts:
            req = pipeline_service_pb2.AnalyzeJdRequest(
                jd=pipeline_service_pb2.JdInput(text=text, title=title),
                options=run_pb2.RunOptions(dry_run=dry_run, backend=backend),
            )
            try:
                resp = stub.AnalyzeJd(req, timeout=120)
            except grpc.RpcError as exc:
                status = 1
                print(f"{label}: {describe_error(exc)}", file=sys.stderr)
                if isinstance(exc, grpc.Call) and no_server_answered(exc.code(), exc.trailing_metadata()):
                    print(f"jdlens: {unreachable_hint(target)}", file=sys.stderr)
                    return status  # the other files would meet the same closed door
                continue
            if as_json:
                # Every field, zeros and empties included: a counter of 0 says 0, not nothing.
                print(
                    json_format.MessageToJson(resp.run, indent=2, always_print_fields_with_no_presence=True)
                )
            else:
                print(f"== {label}")
                print(summarize(resp.run))
    return status


def unreachable_hint(target: str) -> str:
    """What to do when nothing answers at ``target`` (a client command's --server)."""
    return (
        f"is a jdlens server running at {target}? Start one with `jdlens serve --address {target}`, "
        "or leave out --server to run one inside this command"
    )


def describe_error(exc: grpc.RpcError) -> str:
    """Status code, message, and the field violations or unmet preconditions, for humans."""
    code = exc.code().name if hasattr(exc, "code") else "UNKNOWN"
    msg = exc.details() if hasattr(exc, "details") else str(exc)
    parts = [f"{code}: {msg}"]
    status = rpc_status.from_call(exc) if isinstance(exc, grpc.Call) else None
    if status is not None:
        from google.rpc import error_details_pb2

        for detail in status.details:
            bad = error_details_pb2.BadRequest()
            precondition = error_details_pb2.PreconditionFailure()
            if detail.Unpack(bad):
                parts.extend(f"  {v.field}: {v.description}" for v in bad.field_violations)
            elif detail.Unpack(precondition):
                # What to do, said by the server (e.g. set a key in *its* environment).
                parts.extend(f"  {v.subject}: {v.description}" for v in precondition.violations)
    return "\n".join(parts)
