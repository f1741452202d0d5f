"""Stage 1's token budget and cost per JD on the anthropic backend, from the request it really builds.

    python -m jdlens_server.pipeline.llm_budget --db URL [--write-inputs FILE]   # hints from a library
    python -m jdlens_server.pipeline.llm_budget --inputs FILE                    # hints recorded earlier
    ... [--facts] [--model M] [--count-with-api] [--json]

JDs: the 40 shipped bench JDs (``bench_data``), each cut and hinted exactly as a run would
(``model_input``: the plain text without boilerplate, the dictionary hits of the library as hints),
then built into the request the backend sends (``extraction_request``).

Method. No Claude tokenizer runs offline, so tokens are estimated from characters, on the
conservative side: ``PROSE_CHARS_PER_TOKEN`` for the instructions and the JD text,
``JSON_CHARS_PER_TOKEN`` for the schema (compact JSON), the numbered hints with the tags around
them, and the answer (JSON, names and numbers tokenize worse than prose); plus
``REQUEST_OVERHEAD_TOKENS`` for message framing. The schema is counted as input although the API
may compile it instead. The answer is a typical one for the JD (``typical_answer``): its title, two
aliases, a family, the company, one domain, three in four hits
confirmed, and as added skills the new-skill phrases the offline matcher proposes for the JD (a
proxy for what the model adds), in JSON with spaces. Where a key exists, ``--count-with-api`` also
asks the API's count_tokens endpoint for each request's real input tokens (the key only from
ANTHROPIC_API_KEY).

``tests/data/stage1_budget_inputs.json`` holds the hints and proposals of the bench JDs under the
full ESCO library (``--write-inputs``), so ``tests/test_llm_anthropic.py`` checks the budget
against the cost targets without a library import.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from jdlens_server.bench import shipped_jds
from jdlens_server.llm.config import AnthropicConfig, StageModels
from jdlens_server.llm.prices import PriceTable, load_prices
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.title import split_title
from jdlens_server.pipeline.llm_stage import model_input

if TYPE_CHECKING:
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

__all__ = [
    "JSON_CHARS_PER_TOKEN",
    "PROSE_CHARS_PER_TOKEN",
    "REQUEST_OVERHEAD_TOKENS",
    "Budget",
    "JdBudget",
    "Stage1Input",
    "estimate",
    "main",
    "recorded_inputs",
    "typical_answer",
]

# Anthropic's rule of thumb is ~3.5 characters per token of English; JSON and lists run ~2.5.
PROSE_CHARS_PER_TOKEN = 3.5
JSON_CHARS_PER_TOKEN = 2.5
REQUEST_OVERHEAD_TOKENS = 10
CONFIRMED_SHARE = 0.75  # of the hits, in the typical answer
# Stand-ins for values the answer has but the JD alone does not give (their typical lengths).
TYPICAL_FAMILY = "Engineering"
TYPICAL_DOMAIN = "Retail Analytics"
TYPICAL_COMPANY = "Northwind Analytics"


@dataclass(frozen=True, slots=True)
class Stage1Input:
    """One JD as stage 1 would send it: the JD text, its dictionary hits, and the offline
    matcher's new-skill proposals for it (the typical answer's added skills)."""

    id: str
    title: str
    text: str
    hints: tuple[str, ...]
    proposed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class JdBudget:
    id: str
    instructions: int
    schema: int
    jd_text: int
    hints: int
    overhead: int
    output: int
    measured_input: int | None = None  # count_tokens, when asked

    @property
    def input(self) -> int:
        return self.instructions + self.schema + self.jd_text + self.hints + self.overhead

    def cost(self, prices: PriceTable, model: str, *, batch: bool = False) -> float:
        return prices.cost(model, input_tokens=self.input, output_tokens=self.output, batch=batch)


@dataclass(frozen=True, slots=True)
class Budget:
    model: str
    per_jd: tuple[JdBudget, ...]
    prices: PriceTable

    def median(self, part: str) -> float:
        return float(statistics.median(float(getattr(b, part)) for b in self.per_jd))

    def costs(self, *, batch: bool = False) -> list[float]:
        return sorted(b.cost(self.prices, self.model, batch=batch) for b in self.per_jd)

    def cost_at(self, quantile: float, *, batch: bool = False) -> float:
        costs = self.costs(batch=batch)
        return costs[min(len(costs) - 1, math.ceil(quantile * len(costs)) - 1)]

    def summary(self) -> dict[str, object]:
        parts = ("instructions", "schema", "jd_text", "hints", "overhead", "input", "output")
        out: dict[str, object] = {
            "model": self.model,
            "jds": len(self.per_jd),
            "prices_as_of": self.prices.as_of.isoformat(),
            "method": f"prose {PROSE_CHARS_PER_TOKEN} chars/token, JSON {JSON_CHARS_PER_TOKEN} "
            f"chars/token, +{REQUEST_OVERHEAD_TOKENS} framing",
            "median_tokens": {p: self.median(p) for p in parts},
        }
        for batch in (False, True):
            key = "batch" if batch else "standard"
            out[f"cost_usd_{key}"] = {
                "median": statistics.median(self.costs(batch=batch)),
                "p90": self.cost_at(0.9, batch=batch),
                "max": max(self.costs(batch=batch)),
            }
        measured = [b.measured_input for b in self.per_jd if b.measured_input is not None]
        if measured:
            out["measured_input_median"] = statistics.median(measured)
        return out


def _tokens(chars: int, per_token: float) -> int:
    return math.ceil(chars / per_token)


def typical_answer(item: Stage1Input, *, facts: bool = False) -> dict[str, object]:
    """A plausible stage-1 answer for ``item`` (see the module docstring), in the schema's keys."""
    title = item.title or "Data Engineer"
    plain_title = split_title(title).without_seniority or title
    confirmed = math.ceil(CONFIRMED_SHARE * len(item.hints))
    split = math.ceil(len(item.proposed) * 2 / 3)  # added skills: two in three core
    answer: dict[str, object] = {
        "reject": "",
        "titles": [title, plain_title, f"{plain_title} Specialist"],
        "family": TYPICAL_FAMILY,
        "company": TYPICAL_COMPANY,
        "domains": [TYPICAL_DOMAIN],
    }
    if facts:
        quote = "5+ years of experience in a similar role"
        answer |= {
            "mode": "hybrid",
            "emp": "full_time",
            "exp": {"min": 5, "max": None, "q": quote},
            "edu": [{"level": "Bachelor's", "field": "Computer Science", "req": "required", "q": quote}],
            "certs": [],
            "pay": {
                "min": 65000,
                "max": 80000,
                "cur": "EUR",
                "per": "year",
                "q": "€65,000 to €80,000 a year",
            },
            "places": [{"city": "Lisbon", "state": "", "country": "Portugal", "mode": "hybrid"}],
        }
    n_core = math.ceil(confirmed * 2 / 3)
    answer |= {
        "core": list(range(n_core)),
        "extra": list(range(n_core, confirmed)),
        "new_core": list(item.proposed[:split]),
        "new_extra": list(item.proposed[split:]),
    }
    return answer


def _jd_budget(item: Stage1Input, params: MessageCreateParamsNonStreaming, facts: bool) -> JdBudget:
    system = params["system"]
    assert not isinstance(system, str)
    instructions = "".join(block["text"] for block in system)
    output_format = params["output_config"].get("format")
    assert output_format is not None
    schema = output_format["schema"]
    (message,) = params["messages"]
    content = message["content"]
    assert isinstance(content, str)
    answer = json.dumps(typical_answer(item, facts=facts), ensure_ascii=False)
    return JdBudget(
        id=item.id,
        instructions=_tokens(len(instructions), PROSE_CHARS_PER_TOKEN),
        schema=_tokens(len(json.dumps(schema, separators=(",", ":"))), JSON_CHARS_PER_TOKEN),
        jd_text=_tokens(len(item.text), PROSE_CHARS_PER_TOKEN),
        hints=_tokens(len(content) - len(item.text), JSON_CHARS_PER_TOKEN),
        overhead=REQUEST_OVERHEAD_TOKENS,
        output=_tokens(len(answer), JSON_CHARS_PER_TOKEN),
    )


def estimate(
    items: Sequence[Stage1Input],
    *,
    config: AnthropicConfig | None = None,
    prices: PriceTable | None = None,
    measured: Mapping[str, int] | None = None,
) -> Budget:
    """The budget of each item's request as ``extraction_request`` builds it under ``config``."""
    from jdlens_server.llm.anthropic_backend import extraction_request  # imports the SDK

    config = config or AnthropicConfig()
    per_jd = []
    for item in items:
        params = extraction_request(config, item.text, item.hints)
        budget = _jd_budget(item, params, config.extract_facts)
        if measured is not None and item.id in measured:
            budget = replace(budget, measured_input=measured[item.id])
        per_jd.append(budget)
    return Budget(config.models.extract, tuple(per_jd), prices or load_prices())


# ---- where the hints come from ----------------------------------------------------------------


def recorded_inputs(path: str | Path) -> list[Stage1Input]:
    """The bench JDs, cut as a run cuts them, with the hints and proposals recorded in ``path``."""
    recorded = {row["id"]: row for row in json.loads(Path(path).read_text("utf-8"))}
    out = []
    for jd in shipped_jds():
        row = recorded[jd.id]
        text = model_input(parse_jd(jd.text), []).text  # the cut does not depend on the hits
        out.append(Stage1Input(jd.id, jd.title, text, tuple(row["hints"]), tuple(row["proposed"])))
    return out


def library_inputs(db_url: str) -> list[Stage1Input]:
    """The bench JDs with the hints and proposals of the library at ``db_url`` (loads it)."""
    from jdlens_server.app import build_runtime
    from jdlens_server.pipeline.extract import offline_skills

    runtime = build_runtime(db_url, environ={})
    try:
        loaded = runtime.library.current()
        out = []
        for jd in shipped_jds():
            parsed_jd = parse_jd(jd.text)
            candidates = offline_skills(loaded, parsed_jd)
            request = model_input(parsed_jd, candidates)
            proposed = dict.fromkeys(c.name for c in candidates if c.source != "dictionary")
            out.append(Stage1Input(jd.id, jd.title, request.text, request.hints, tuple(proposed)))
        return out
    finally:
        runtime.close()


def measure_with_api(items: Sequence[Stage1Input], config: AnthropicConfig) -> dict[str, int]:
    """Each request's input tokens from the API's count_tokens (no model call is made or billed)."""
    import anthropic

    from jdlens_server.llm.anthropic_backend import extraction_request

    client = anthropic.Anthropic(
        max_retries=3
    )  # ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL from the environment
    out: dict[str, int] = {}
    try:
        for item in items:
            p = extraction_request(config, item.text, item.hints)
            counted = client.messages.count_tokens(
                model=p["model"], system=p["system"], messages=p["messages"], output_config=p["output_config"]
            )
            out[item.id] = counted.input_tokens
    finally:
        client.close()
    return out


def _table(budget: Budget) -> str:
    s = budget.summary()
    tokens = s["median_tokens"]
    assert isinstance(tokens, dict)
    lines = [
        f"stage-1 budget over {s['jds']} bench JDs, {budget.model} (prices of {s['prices_as_of']}); {s['method']}"
    ]
    lines += [f"  {part:<13} {value:>7.0f} tokens (median)" for part, value in tokens.items()]
    for key in ("cost_usd_standard", "cost_usd_batch"):
        c = s[key]
        assert isinstance(c, dict)
        lines.append(f"  {key:<18} median ${c['median']:.5f}  p90 ${c['p90']:.5f}  max ${c['max']:.5f}")
    if "measured_input_median" in s:
        lines.append(f"  measured input (count_tokens) median {s['measured_input_median']:.0f} tokens")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jdlens_server.pipeline.llm_budget", description=__doc__.split("\n\n")[0]
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", help="a library database: its dictionary hits are the hints")
    source.add_argument("--inputs", help="hints recorded with --write-inputs")
    parser.add_argument("--write-inputs", help="with --db: record the hints and proposals here")
    parser.add_argument("--facts", action="store_true", help="stage 1 with JDLENS_LLM_EXTRACT_FACTS")
    parser.add_argument("--model", default=None, help="the stage-1 model (default: the configured one)")
    parser.add_argument("--count-with-api", action="store_true", help="also count input tokens with the API")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    items = library_inputs(args.db) if args.db else recorded_inputs(args.inputs)
    if args.write_inputs:
        rows = [{"id": i.id, "hints": list(i.hints), "proposed": list(i.proposed)} for i in items]
        Path(args.write_inputs).write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", "utf-8")
    config = AnthropicConfig(extract_facts=args.facts)
    if args.model:
        config = replace(config, models=StageModels(extract=args.model))
    measured = measure_with_api(items, config) if args.count_with_api else None
    budget = estimate(items, config=config, measured=measured)
    print(json.dumps(budget.summary(), indent=1) if args.json else _table(budget))
    return 0


if __name__ == "__main__":
    sys.exit(main())
