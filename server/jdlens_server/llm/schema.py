"""JSON schemas of the model stages' answers, derived from the contracts (jdlens.v1 protos).

Enum-valued fields take the proto enum's store keys (``SENIORITY_SENIOR`` -> ``"senior"``, see
proto_enums), so a value added to a proto enum reaches the schema, the validator and the readers
without an edit here. The schemas keep to what structured outputs accept (every object closed
with ``additionalProperties: false`` and every property required, nullable fields as ``anyOf``
with null — except strings, where "" means "not stated", which is shorter — and no numeric or
length bounds); bounds the format cannot say are checked by the readers.

Stage 1 asks the model for judgement, not structure: whether the text is a JD, the role's title,
aliases, family and seniority, the employer and its domain, and the skills — as indices into the
dictionary hits it was given plus the skills it adds, written in the JD's own words so that the
name itself is the evidence quote. Sections, sentences and rule-friendly facts (years of experience, degrees,
certifications, pay, places) stay with the offline parser, which reads them with exact offsets;
``EXTRACTION_SCHEMA_WITH_FACTS`` asks the model for those too, at about twice the cost. The default
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

_JUDGEMENT: dict[str, Schema] = {
    "jd_type": _enum(parsed_jd_pb2.JdType),
    "reject_reason": _nullable(_enum(parsed_jd_pb2.RejectReason)),
    "role_title": _str(),
    "role_aliases": _array(_str()),
    "role_archetype": _str(),
    "seniority": _nullable(_enum(parsed_jd_pb2.Seniority)),
    "company_name": _str(),
    "primary_domain": _str(),
    "secondary_domain": _str(),
    "work_mode": _nullable(_enum(parsed_jd_pb2.WorkMode)),
    "employment_type": _nullable(_enum(parsed_jd_pb2.EmploymentType)),
}
_SKILLS: dict[str, Schema] = {
    "primary_hints": _array(_INT),
    "secondary_hints": _array(_INT),
    # Skills no hit covers, in the JD's own words (the words are the evidence; no separate quote).
    "new_primary": _array(_str()),
    "new_secondary": _array(_str()),
}
# Rule-friendly facts the offline parser also reads (with exact offsets); asked only on request.
_FACTS: dict[str, Schema] = {
    "experience": _nullable(
        _object({"min_years": _nullable(_INT), "max_years": _nullable(_INT), "quote": _str()})
    ),
    "education": _array(
        _object(
            {
                "level": _str(),
                "field": _str(),
                "requirement": _enum(parsed_jd_pb2.Requirement),
                "quote": _str(),
            }
        )
    ),
    "certifications": _array(
        _object({"name": _str(), "requirement": _enum(parsed_jd_pb2.Requirement), "quote": _str()})
    ),
    "compensation": _nullable(
        _object(
            {
                "min_amount": _nullable(_NUMBER),
                "max_amount": _nullable(_NUMBER),
                "currency": _str(),
                "period": _nullable(_enum(parsed_jd_pb2.PayPeriod)),
                "quote": _str(),
            }
        )
    ),
    "locations": _array(
        _object(
            {
                "city": _str(),
                "state": _str(),
                "country": _str(),
                "work_mode": _nullable(_enum(parsed_jd_pb2.WorkMode)),
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
