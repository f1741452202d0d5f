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
Read the job description (JD) in <jd> and answer in the given JSON schema. State only what the JD \
says; unknown: "" for text, null for other values, [] for lists.
- jd_type "reject" only for text that is not a job ad, not English, or too short to judge; give \
reject_reason.
- role_title as written; role_aliases: up to 3 common variants without seniority; role_archetype: \
one job-family word (Data, Engineering, Design, Product, Sales, Marketing, Operations, Finance, HR, \
Legal, Healthcare, Education, Support, ...); seniority from the title.
- primary_domain, secondary_domain: the employer's business domain, e.g. "Ad Tech", "Banking".
- work_mode (remote, hybrid, onsite) and employment_type of the job as a whole.
Skills. <hits> lists numbered dictionary matches found in the JD. Put each hit the JD really asks \
for in primary_hints (core to the role: title, duties, must-haves) or secondary_hints (nice to \
have, or named in passing); leave out false hits (the word in another sense, the employer's \
products, benefits). new_primary, new_secondary: skills, tools, technologies and methods the JD \
asks for that no hit covers, each written exactly as the JD writes it (it is checked against the \
text). No personality traits.
"""

FACTS_INSTRUCTIONS = """\
Facts. Each "quote" is the JD's exact words (at most 12 words), never paraphrased.
- experience: the years asked for. education, certifications: requirement "required" or \
"preferred" (nice to have).
- compensation only for stated pay, with the period of the amounts and an ISO 4217 currency.
- locations: the places this job is done, each with its work_mode.
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
