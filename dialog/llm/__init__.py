"""Optional LLM backend: an OpenAI-compatible chat-completions client, the LLM command
generator (`commands`: the LLM understands each turn, checked, with the rules as fallback)
and the engine wrapper that lets an LLM help understanding and phrasing inside the brain's
guardrails (`engine`); `compose.with_llm` puts them together from config.

Nothing here is imported unless `[dialog.llm].base_url` is set.
"""

from dialog.llm.client import ChatClient, Completion, StreamEvent, ToolCall
from dialog.llm.commands import LLMCommandGenerator, Outcome
from dialog.llm.compose import with_llm
from dialog.llm.engine import LLMAssistedEngine
from dialog.llm.errors import (
    LLMConfigError,
    LLMConnectionError,
    LLMError,
    LLMResponseError,
    LLMStatusError,
    LLMTimeoutError,
)

__all__ = [
    "ChatClient",
    "Completion",
    "LLMAssistedEngine",
    "LLMCommandGenerator",
    "LLMConfigError",
    "LLMConnectionError",
    "LLMError",
    "LLMResponseError",
    "LLMStatusError",
    "LLMTimeoutError",
    "Outcome",
    "StreamEvent",
    "ToolCall",
    "with_llm",
]
