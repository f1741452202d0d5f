"""Model backends: the interface (backend.py) and the Anthropic implementation.

``AnthropicBackend`` is built only when configured (it needs ``ANTHROPIC_API_KEY``); the offline
backend is the default and lives with the pipeline's rules. It is imported lazily: importing the
``anthropic`` SDK takes seconds (its typed models), which an offline server should not pay.
"""

from typing import TYPE_CHECKING

from jdlens_server.llm.backend import (
    BatchLlmBackend,
    LlmBackend,
    LlmExtraction,
    LlmFallback,
    LlmSkill,
    Located,
    SkillMetaResult,
    SkillMetaSuggestion,
    StageUsage,
    TieBreakCandidate,
    TieBreakKra,
    TieBreakResult,
)
from jdlens_server.llm.config import AnthropicConfig, LlmConfigError, StageModels
from jdlens_server.llm.prices import PriceTable, load_prices
from jdlens_server.llm.quotes import locate_quotes

if TYPE_CHECKING:
    from jdlens_server.llm.anthropic_backend import AnthropicBackend

__all__ = [
    "AnthropicBackend",
    "AnthropicConfig",
    "BatchLlmBackend",
    "LlmBackend",
    "LlmConfigError",
    "LlmExtraction",
    "LlmFallback",
    "LlmSkill",
    "Located",
    "PriceTable",
    "SkillMetaResult",
    "SkillMetaSuggestion",
    "StageModels",
    "StageUsage",
    "TieBreakCandidate",
    "TieBreakKra",
    "TieBreakResult",
    "load_prices",
    "locate_quotes",
]


def __getattr__(name: str) -> object:
    if name == "AnthropicBackend":
        from jdlens_server.llm.anthropic_backend import AnthropicBackend

        return AnthropicBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
