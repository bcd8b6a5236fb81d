"""Optional LLM backend: an OpenAI-compatible chat-completions client and the engine
wrapper that lets an LLM help understanding and phrasing inside the brain's guardrails.

Nothing here is imported unless `[dialog.llm].base_url` is set.
"""

from dialog.llm.client import ChatClient, Completion, StreamEvent, ToolCall
from dialog.llm.engine import LLMAssistedEngine, with_llm
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
    "LLMConfigError",
    "LLMConnectionError",
    "LLMError",
    "LLMResponseError",
    "LLMStatusError",
    "LLMTimeoutError",
    "StreamEvent",
    "ToolCall",
    "with_llm",
]
