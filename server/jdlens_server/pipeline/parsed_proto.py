"""ParsedJd (the parser's dataclasses) to jdlens.v1.ParsedJd. Enum members share their names with
the proto values after the prefix, so the mapping is by name and cannot drift silently."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from jdlens.v1 import common_pb2, parsed_jd_pb2
from jdlens_server.nlp import parsed


def enum_value(wrapper: Any, prefix: str, member: StrEnum | None) -> Any:
    """The proto enum value named PREFIX_MEMBER (mypy-protobuf types each enum apart; Any bridges them)."""
    if member is None:
        return 0
    try:
        return int(wrapper.Value(f"{prefix}_{member.value}"))
    except ValueError:  # a parser value the contract does not name: leave it unspecified
        return 0


def span(start: int, end: int) -> common_pb2.TextSpan:
    return common_pb2.TextSpan(start=start, end=end)


def marker(first: str, last: str) -> common_pb2.SourceMarker:
    return common_pb2.SourceMarker(first_five_words=first, last_five_words=last)


def parsed_to_proto(p: parsed.ParsedJd) -> parsed_jd_pb2.ParsedJd:
    out = parsed_jd_pb2.ParsedJd(
        jd_type=enum_value(parsed_jd_pb2.JdType, "JD_TYPE", p.jd_type),
        reject_reason=enum_value(parsed_jd_pb2.RejectReason, "REJECT_REASON", p.reject_reason),
        reject_detail=p.reject_detail,
        role_title=p.role_title or "",
        role_aliases=list(p.role_aliases),
        role_archetype=p.role_archetype or "",
        normalized_title=p.normalized_title,
        seniority=enum_value(parsed_jd_pb2.Seniority, "SENIORITY", p.seniority),
        company_name=p.company_name or "",
        urls=list(p.urls),
        work_mode=enum_value(parsed_jd_pb2.WorkMode, "WORK_MODE", p.work_mode),
        employment_type=enum_value(parsed_jd_pb2.EmploymentType, "EMPLOYMENT_TYPE", p.employment_type),
        word_count=p.word_count,
    )
    if p.about_company is not None:
        a = p.about_company
        out.about_company.CopyFrom(
            parsed_jd_pb2.TextBlock(
                text=a.plain,
                word_count=a.word_count,
                source_marker=marker(a.first_five_words, a.last_five_words),
                span=span(a.start, a.end),
            )
        )
    for slot, domain in (("primary", p.domain.primary), ("secondary", p.domain.secondary)):
        if domain is not None:
            getattr(out.domain, slot).CopyFrom(
                parsed_jd_pb2.Domain(name=domain.name, aliases=list(domain.aliases))
            )
    if p.experience is not None:
        e = p.experience
        exp = out.experience
        if e.min_months is not None and e.min_years is not None:
            exp.min_months, exp.min_years = e.min_months, e.min_years
        if e.max_months is not None and e.max_years is not None:
            exp.max_months, exp.max_years = e.max_months, e.max_years
        exp.raw = e.raw
        exp.span.CopyFrom(span(e.start, e.end))
        if e.requirement is not None:
            exp.requirement = enum_value(parsed_jd_pb2.Requirement, "REQUIREMENT", e.requirement)
    for ed in p.education:
        out.education.add(
            level=ed.level,
            qualification=ed.qualification,
            raw=ed.raw,
            requirement=enum_value(parsed_jd_pb2.Requirement, "REQUIREMENT", ed.requirement),
            span=span(ed.start, ed.end),
        )
    for c in p.certifications:
        out.certifications.add(
            name=c.name,
            raw=c.raw,
            requirement=enum_value(parsed_jd_pb2.Requirement, "REQUIREMENT", c.requirement),
            span=span(c.start, c.end),
        )
    if p.compensation is not None:
        c2 = p.compensation
        comp = out.compensation
        if c2.min_amount is not None:
            comp.min_amount = c2.min_amount
        if c2.max_amount is not None:
            comp.max_amount = c2.max_amount
        comp.currency = c2.currency
        comp.period = enum_value(parsed_jd_pb2.PayPeriod, "PAY_PERIOD", c2.period)
        comp.raw = c2.raw
        comp.span.CopyFrom(span(c2.start, c2.end))
    for loc in p.locations:
        out.job_locations.add(
            city=loc.city or "",
            state=loc.state or "",
            country=loc.country,
            aliases=list(loc.aliases),
            work_mode=enum_value(parsed_jd_pb2.WorkMode, "WORK_MODE", loc.work_mode),
            span=span(loc.start, loc.end),
        )
    for s in p.sections:
        out.sections.add(
            kind=enum_value(parsed_jd_pb2.SectionKind, "SECTION_KIND", s.kind),
            heading=s.heading or "",
            heading_was_present=s.heading_was_present,
            bullet_count=s.bullet_count,
            text=s.text,
            word_count=s.word_count,
            source_marker=marker(s.first_five_words, s.last_five_words),
            span=span(s.start, s.end),
        )
    for b in p.boilerplate:
        out.boilerplate.add(
            kind=enum_value(parsed_jd_pb2.BoilerplateKind, "BOILERPLATE_KIND", b.kind),
            span=span(b.start, b.end),
            source_marker=marker(b.first_five_words, b.last_five_words),
        )
    for sent in p.responsibility_sentences:
        out.responsibility_sentences.add(
            text=sent.plain,
            span=span(sent.start, sent.end),
            section_kind=enum_value(parsed_jd_pb2.SectionKind, "SECTION_KIND", sent.section_kind),
        )
    return out
