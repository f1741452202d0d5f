"""The dated model price table (``data/prices.toml``): loaded, validated, and used to cost calls.

Costs are computed here from token counts, never taken from the API (it returns none), so every
run's ``cost_usd`` says which table priced it (``PriceTable.as_of``).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["ModelPrice", "PriceError", "PriceTable", "load_prices"]

_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
_SNAPSHOT = re.compile(r"-\d{8}$")  # "claude-haiku-4-5-20251001" -> "claude-haiku-4-5"
PER_TOKEN = 1e-6  # prices are per million tokens


class PriceError(ValueError):
    """The price table is missing, malformed, or has no entry for a model asked about."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float


@dataclass(frozen=True, slots=True)
class PriceTable:
    as_of: dt.date
    source: str
    batch_discount: float
    models: Mapping[str, ModelPrice]
    aliases: Mapping[str, str]

    def price(self, model: str) -> ModelPrice:
        """The price of ``model``: by name, alias, or a dated snapshot of a listed model."""
        for name in (model, _SNAPSHOT.sub("", model)):
            canonical = name if name in self.models else self.aliases.get(name)
            if canonical is not None:
                return self.models[canonical]
        raise PriceError(f"no price for model {model!r} in the table of {self.as_of} ({self.source})")

    def has(self, model: str) -> bool:
        try:
            self.price(model)
        except PriceError:
            return False
        return True

    def cost(
        self,
        model: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_write_5m_tokens: int = 0,
        cache_write_1h_tokens: int = 0,
        cache_read_tokens: int = 0,
        batch: bool = False,
    ) -> float:
        """USD for one call's tokens (``input_tokens`` excludes the cached ones, as the API counts)."""
        p = self.price(model)
        usd = PER_TOKEN * (
            input_tokens * p.input
            + output_tokens * p.output
            + cache_write_5m_tokens * p.cache_write_5m
            + cache_write_1h_tokens * p.cache_write_1h
            + cache_read_tokens * p.cache_read
        )
        return usd * self.batch_discount if batch else usd


def _number(where: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise PriceError(f"{where}: expected a number, got {raw!r}")
    if raw < 0:
        raise PriceError(f"{where}: negative price {raw}")
    return float(raw)


def _model_price(name: str, raw: object) -> tuple[ModelPrice, list[str]]:
    if not isinstance(raw, dict):
        raise PriceError(f"models.{name}: expected a table")
    unknown = set(raw) - {*_FIELDS, "aliases"}
    if unknown:
        raise PriceError(f"models.{name}: unknown keys {sorted(unknown)}")
    missing = [f for f in _FIELDS if f not in raw]
    if missing:
        raise PriceError(f"models.{name}: missing {missing}")
    price = ModelPrice(**{f: _number(f"models.{name}.{f}", raw[f]) for f in _FIELDS})
    # Anthropic's cache multipliers are fixed ratios of the input price; a figure out of order is a typo.
    if not price.cache_read <= price.input <= price.cache_write_5m <= price.cache_write_1h:
        raise PriceError(f"models.{name}: expected cache_read <= input <= cache_write_5m <= cache_write_1h")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise PriceError(f"models.{name}.aliases: expected a list of names")
    return price, aliases


def parse_prices(doc: Mapping[str, object]) -> PriceTable:
    meta = doc.get("meta")
    if not isinstance(meta, dict):
        raise PriceError("missing [meta] table")
    as_of = meta.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise PriceError(f"meta.as_of: {exc}") from exc
    if not isinstance(as_of, dt.date):
        raise PriceError("meta.as_of: expected a date (YYYY-MM-DD)")
    source = meta.get("source")
    if not isinstance(source, str) or not source:
        raise PriceError("meta.source: say where the figures came from")
    if meta.get("currency", "USD") != "USD":
        raise PriceError("meta.currency: only USD is supported")
    discount = _number("meta.batch_discount", meta.get("batch_discount"))
    if not 0 < discount <= 1:
        raise PriceError("meta.batch_discount: expected a factor in (0, 1]")
    raw_models = doc.get("models")
    if not isinstance(raw_models, dict) or not raw_models:
        raise PriceError("missing [models.<name>] tables")
    models: dict[str, ModelPrice] = {}
    aliases: dict[str, str] = {}
    for name, raw in raw_models.items():
        models[name], names = _model_price(name, raw)
        for alias in names:
            if alias in aliases or alias in raw_models:
                raise PriceError(f"models.{name}.aliases: {alias!r} names two models")
            aliases[alias] = name
    return PriceTable(as_of, source, discount, models, aliases)


def load_prices(path: str | Path | None = None) -> PriceTable:
    """The table at ``path``, or the one shipped in this package."""
    try:
        if path is None:
            text = resources.files("jdlens_server.llm").joinpath("data/prices.toml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        doc = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PriceError(f"cannot read price table {path or 'data/prices.toml'}: {exc}") from exc
    return parse_prices(doc)
