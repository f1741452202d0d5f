"""JSON schemas of the model stages' answers, derived from the contracts (jdlens.v1 protos).

Enum-valued fields take the proto enum's store keys (``SENIORITY_SENIOR`` -> ``"senior"``, see
proto_enums), so a value added to a proto enum reaches the schema, the validator and the readers
without an edit here. The schemas keep to what structured outputs accept (every object closed
with ``additionalProperties: false`` and every property required, nullable numbers and objects as
``anyOf`` with null — strings and enums take "" for "not stated", which is shorter — and no
numeric or length bounds); bounds the format cannot say are checked by the readers.

Stage 1 asks the model for judgement, not structure: whether the text is a job ad, the role's
title, aliases and family, the employer and its domains, and the skills — as indices into the
dictionary hits it was given plus the skills it adds, written in the JD's own words so that the
name itself is the evidence quote. Sections, sentences, seniority (a rule over the title) and
rule-friendly facts (work mode, employment type, years of experience, degrees, certifications,
pay, places) stay with the offline parser, which reads them with exact offsets;
``EXTRACTION_SCHEMA_WITH_FACTS`` asks the model for the facts too, at a higher cost. The default
keeps the answer short because output tokens cost five times input tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from jdlens.v1 import common_pb2, parsed_jd_pb2
from jdlens_server.proto_enums import enum_key

if TYPE_CHECKING:
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

__all__ = [
    "EXTRACTION_SCHEMA",
    "EXTRACTION_SCHEMA_WITH_FACTS",
    "FACT_FIELDS",
    "SKILL_META_SCHEMA",
    "TIE_BREAK_NONE",
    "TIE_BREAK_SCHEMA",
    "enum_keys",
]

V = TypeVar("V", bound=int)
Schema = dict[str, object]

TIE_BREAK_NONE = "none"


def enum_keys(enum_type: _EnumTypeWrapper[V]) -> list[str]:
    """The store keys of every defined value except UNSPECIFIED, in declaration order."""
    return [enum_key(enum_type, v.number) for v in enum_type.DESCRIPTOR.values if v.number != 0]


def _str() -> Schema:
    return {"type": "string"}


def _enum(enum_type: _EnumTypeWrapper[V]) -> Schema:
    # No "type" beside "enum": the form the SDK's own schema transform produces.
    return {"enum": enum_keys(enum_type)}


def _enum_or_blank(enum_type: _EnumTypeWrapper[V]) -> Schema:
    # "" for "not stated", as for strings: shorter than anyOf with null in the schema and the answer.
    return {"enum": ["", *enum_keys(enum_type)]}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _object(properties: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_INT: Schema = {"type": "integer"}
_NUMBER: Schema = {"type": "number"}

# Property names are short because the model writes each of them in every answer (output tokens
# cost five times input ones) and the schema, sent with every call, lists each twice; the readers
# map them back to the contracts' fields. Seniority is not asked for: it is read from the model's
# title by the same rule as offline (nlp.title).
_JUDGEMENT: dict[str, Schema] = {
    # "": a job ad. Not English and too little text are the offline parser's rules (a JD it rejects
    # is never sent), so only "not a job ad" is asked.
    "reject": {"enum": ["", enum_key(parsed_jd_pb2.RejectReason, parsed_jd_pb2.REJECT_REASON_NOT_A_JD)]},
    "titles": _array(_str()),  # role_title, then role_aliases
    "family": _str(),  # role_archetype
    "company": _str(),
    "domains": _array(_str()),  # primary, then secondary
}
_SKILLS: dict[str, Schema] = {
    # Hit numbers confirmed as primary ("core") or secondary ("extra").
    "core": _array(_INT),
    "extra": _array(_INT),
    # Skills no hit covers, in the JD's own words (the words are the evidence; no separate quote).
    "new_core": _array(_str()),
    "new_extra": _array(_str()),
}
_QUOTE = "q"  # each fact's evidence: the JD's words, located by the server
# Rule-friendly facts the offline parser also reads (with exact offsets); asked only on request.
_FACTS: dict[str, Schema] = {
    "mode": _enum_or_blank(parsed_jd_pb2.WorkMode),
    "emp": _enum_or_blank(parsed_jd_pb2.EmploymentType),
    "exp": _nullable(_object({"min": _nullable(_INT), "max": _nullable(_INT), _QUOTE: _str()})),
    "edu": _array(
        _object({"level": _str(), "field": _str(), "req": _enum(parsed_jd_pb2.Requirement), _QUOTE: _str()})
    ),
    "certs": _array(_object({"name": _str(), "req": _enum(parsed_jd_pb2.Requirement), _QUOTE: _str()})),
    "pay": _nullable(
        _object(
            {
                "min": _nullable(_NUMBER),
                "max": _nullable(_NUMBER),
                "cur": _str(),  # ISO 4217
                "per": _enum_or_blank(parsed_jd_pb2.PayPeriod),
                _QUOTE: _str(),
            }
        )
    ),
    "places": _array(
        _object(
            {
                "city": _str(),
                "state": _str(),
                "country": _str(),
                "mode": _enum_or_blank(parsed_jd_pb2.WorkMode),
            }
        )
    ),
}
FACT_FIELDS = frozenset(_FACTS)

# The default stage-1 answer: judgement and skills (see the module docstring on cost).
EXTRACTION_SCHEMA: Schema = _object({**_JUDGEMENT, **_SKILLS})
# The same plus the facts, for AnthropicConfig.extract_facts.
EXTRACTION_SCHEMA_WITH_FACTS: Schema = _object({**_JUDGEMENT, **_FACTS, **_SKILLS})

# The choice is a free string checked against the candidates by the reader: an enum of this call's
# ids would make every schema different, and a changed schema misses the prompt cache.
TIE_BREAK_SCHEMA: Schema = _object({"choice": _str(), "reasoning": _str(), "confidence": _NUMBER})

SKILL_META_SCHEMA: Schema = _object(
    {
        "skills": _array(
            _object(
                {
                    "name": _str(),
                    "category": _str(),
                    "sub_category": _str(),
                    "nature": _enum(common_pb2.SkillNature),
                    "volatility": _enum(common_pb2.Volatility),
                    "typical_lifespan": _enum(common_pb2.TypicalLifespan),
                    "version_strategy": _enum(common_pb2.VersionStrategy),
                    "confidence": _NUMBER,
                    "reasoning": _str(),
                }
            )
        )
    }
)
