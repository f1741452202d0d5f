"""The fixed instructions of each model stage, and the per-call user messages.

The instructions never vary between calls, so they (with the answer schema, which the API puts
in the same cached prefix) sit in one system block marked for prompt caching; everything that
varies — the JD, the hints, the candidates — comes after, in the user message. Instructions are
kept short: on claude-haiku-4-5 a prefix under 4,096 tokens is not cached at all, so every
instruction token is paid in full on each call.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from jdlens_server.llm.backend import TieBreakCandidate
from jdlens_server.llm.schema import TIE_BREAK_NONE

if TYPE_CHECKING:
    from anthropic.types import TextBlockParam

__all__ = [
    "EXTRACT_INSTRUCTIONS",
    "FACTS_INSTRUCTIONS",
    "SKILL_META_INSTRUCTIONS",
    "TIE_BREAK_INSTRUCTIONS",
    "extract_message",
    "repair_message",
    "skill_meta_message",
    "system_blocks",
    "tie_break_message",
]

EXTRACT_INSTRUCTIONS = """\
Answer in the JSON schema from the job ad in <jd>, only what it says ("", [] if not stated).
reject: "" unless it is not a job ad.
titles: the title as written, then up to 3 other names of the job, no seniority. family: one \
job-family word (Engineering, Sales, Healthcare, ...). domains: the employer's business, main \
first, at most 2.
<hits>: numbered dictionary matches. core: numbers of those the ad asks for as core (title, duties, \
must-haves); extra: nice-to-have or in passing. Omit false matches (another sense, the employer's \
products, benefits).
new_core, new_extra: likewise for skills, tools and methods no hit covers, in the ad's own words, \
shortest form. No personality traits.
"""

FACTS_INSTRUCTIONS = """\
Facts; q: the ad's exact words, at most 8. mode, emp: of the job as a whole. exp: years asked \
for. edu, certs: req required or preferred. pay: stated pay only, per: period of the amounts, \
cur: ISO 4217. places: where the job is done.
"""

TIE_BREAK_INSTRUCTIONS = f"""\
You settle a close call: which library role does a job description (JD) describe? The user \
message gives a summary of the JD and the candidate roles with their aliases and the JD sentences \
that best matched each role's key responsibility areas (KRAs), with similarity scores.

Answer with the id of the candidate whose responsibilities and skills fit the JD best, or \
"{TIE_BREAK_NONE}" when none of them is the job the JD describes (a new role will be proposed). \
Judge by what the person will do, not by shared words. reasoning: one or two sentences naming \
the deciding evidence. confidence: 0 to 1.
"""

SKILL_META_INSTRUCTIONS = """\
You classify skills that a skills library does not have yet. For each name in the user message \
return one entry with that exact name:
- category: a short family, e.g. "Data Engineering Tools", "Programming Languages", \
"Cloud Platforms", "Project Management"; sub_category: narrower, or "general".
- nature: concept (an idea or field), practice (a way of working or a discipline), tool \
(software you operate), language (programming, query or spoken), platform (a product or service \
you build on), methodology (a named method such as Scrum), soft_skill, knowledge (a body of facts \
or regulations), certification.
- volatility: how fast its content changes: stable, low, medium, high.
- typical_lifespan: how long it stays relevant: ephemeral (under 2 years), multi_year, decade, \
evergreen.
- version_strategy: not_applicable (no versions), unversioned (versions exist but rarely matter), \
major_versions (Python 2 vs 3), rolling (continuously updated services).
- confidence 0 to 1; reasoning: one short sentence.
"""


def system_blocks(instructions: str) -> list[TextBlockParam]:
    """The fixed instructions as one system block with a cache breakpoint after it."""
    return [{"type": "text", "text": instructions, "cache_control": {"type": "ephemeral"}}]


def extract_message(text: str, hints: Sequence[str]) -> str:
    listed = "\n".join(f"{i} {hint}" for i, hint in enumerate(hints)) or "(none)"
    return f"<hits>\n{listed}\n</hits>\n<jd>\n{text}\n</jd>"


def tie_break_message(jd_summary: str, candidates: Sequence[TieBreakCandidate]) -> str:
    lines: list[str] = []
    for c in candidates:
        aliases = ", ".join(c.aliases) if c.aliases else "-"
        lines.append(f"[{c.id}] {c.display_name} (score {c.score:.2f}; aliases: {aliases})")
        lines.extend(f'  KRA "{k.kra_text}" ~ JD "{k.sentence}" ({k.similarity:.2f})' for k in c.kra_matches)
    return f"<jd>\n{jd_summary}\n</jd>\n<candidates>\n" + "\n".join(lines) + "\n</candidates>"


def skill_meta_message(names: Sequence[str]) -> str:
    return "<skills>\n" + "\n".join(json.dumps(n, ensure_ascii=False) for n in names) + "\n</skills>"


def repair_message(errors: Sequence[str]) -> str:
    listed = "\n".join(f"- {e}" for e in errors)
    return (
        "Your answer was rejected:\n"
        f"{listed}\n"
        "Answer again with the whole corrected JSON. Copy quotes from the JD character for character."
    )
