"""The one adapter from plain chat messages to LangChain's message objects.

Prompts (``coach.models.prompts``) produce ``{"role": ..., "content": ...}`` dicts; the chat
models take LangChain messages. LangChain is imported on first use, so modules that only
build prompts stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage


def to_langchain(messages: list[dict[str, str]]) -> list[BaseMessage]:
    """``system``/``user``/``assistant`` dicts as System/Human/AI messages, in order."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m["role"]](content=m["content"]) for m in messages]
