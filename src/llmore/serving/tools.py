"""Function calling and structured output around a plain text generator (no torch).

Tool calls are read from the model's text in the two shapes open models are trained to write:
Hermes/Qwen ``<tool_call>{"name": …, "arguments": {…}}</tool_call>`` blocks, or a bare JSON
object (or list of objects) with ``name`` and ``arguments``/``parameters``, optionally inside a
Markdown code fence. Only names of the offered tools count.

For chat templates that know nothing about tools, :func:`tools_system_prompt` describes the
tools in the Hermes format and :func:`render_for_plain_template` turns assistant tool calls and
tool results into text, so every chat model can take part in a tool round trip.

``response_format`` is described to the model (:func:`format_instruction`) and enforced by
constrained decoding over its JSON Schema (:func:`format_schema`,
:mod:`llmore.serving.engines.grammar`), as are forced tool calls.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from llmore.serving import protocol as p

_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
TOOL_PREFIXES = ("<tool_call>", "{", "[", "```")


def tools_system_prompt(tools: list[p.ToolDefinition]) -> str:
    """A Hermes-style system instruction listing ``tools`` and how to call them."""
    signatures = "\n".join(json.dumps(tool.model_dump(exclude_none=True), ensure_ascii=False) for tool in tools)
    return (
        "You may call functions to answer. Available functions:\n<tools>\n" + signatures + "\n</tools>\n"
        "To call a function, reply only with\n<tool_call>\n"
        '{"name": "<function name>", "arguments": {<arguments as JSON>}}\n</tool_call>'
    )


def template_supports_tools(chat_template: str | None) -> bool:
    """Whether a chat template renders a ``tools`` list itself."""
    return bool(chat_template) and "tools" in str(chat_template)


def message_dicts(messages: list[p.ChatMessage], *, native_tools: bool) -> list[dict[str, Any]]:
    """Messages as chat-template input: ``developer`` becomes ``system``; tool turns as the template needs."""
    rendered: list[dict[str, Any]] = []
    for message in messages:
        role = "system" if message.role == "developer" else message.role
        item: dict[str, Any] = {"role": role, "content": message.text()}
        if message.tool_calls:
            calls = [{"type": "function", "id": call.id,
                      "function": {"name": call.function.name, "arguments": _arguments(call.function.arguments)}}
                     for call in message.tool_calls]
            if native_tools:
                item["tool_calls"] = calls
            else:
                blocks = "\n".join(
                    "<tool_call>\n" + _call_json(c["function"]) + "\n</tool_call>" for c in calls)
                item["content"] = (item["content"] + "\n" + blocks).strip()
        if role == "tool":
            if native_tools:
                item["tool_call_id"] = message.tool_call_id
            else:
                item = {"role": "user", "content": f"<tool_response>\n{item['content']}\n</tool_response>"}
        rendered.append(item)
    return rendered


def _call_json(function: dict[str, Any]) -> str:
    return json.dumps({"name": function["name"], "arguments": function["arguments"]}, ensure_ascii=False)


def _arguments(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_tool_calls(text: str, tool_names: set[str]) -> tuple[str | None, list[p.ToolCall]]:
    """Split ``text`` into leftover content and the calls of known tools it contains."""
    calls: list[p.ToolCall] = []
    blocks = _BLOCK.findall(text)
    if blocks:
        for block in blocks:
            calls.extend(_calls_from(block, tool_names))
        content = _BLOCK.sub("", text).strip()
        return (content or None), calls
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    candidate = fenced.group(1) if fenced else stripped
    if candidate.startswith(("{", "[")):
        calls = _calls_from(candidate, tool_names)
        if calls:
            return None, calls
    return text, []


def _calls_from(raw: str, tool_names: set[str]) -> list[p.ToolCall]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return []
    items = value if isinstance(value, list) else [value]
    calls = []
    for item in items:
        if not isinstance(item, dict) or item.get("name") not in tool_names:
            continue
        arguments = item.get("arguments", item.get("parameters", {}))
        calls.append(p.ToolCall(
            id=f"call_{uuid.uuid4().hex[:24]}",
            function=p.FunctionCall(name=item["name"], arguments=json.dumps(arguments, ensure_ascii=False)),
        ))
    return calls


def could_be_tool_call(text: str) -> bool:
    """Whether streamed text so far may still turn out to be a tool call (so it must be held back)."""
    stripped = text.lstrip()
    return not stripped or any(stripped.startswith(x) or x.startswith(stripped) for x in TOOL_PREFIXES)


def format_instruction(response_format: p.ResponseFormat) -> str | None:
    """The system instruction asking for ``response_format`` (``None`` for plain text)."""
    if response_format.type == "json_object":
        return "Reply with one JSON object only, no other text."
    if response_format.type == "json_schema" and response_format.json_schema is not None:
        schema = json.dumps(response_format.json_schema.schema_, ensure_ascii=False)
        return f"Reply with one JSON value only, no other text, matching this JSON Schema:\n{schema}"
    return None


def format_schema(response_format: p.ResponseFormat) -> dict[str, Any] | None:
    """The JSON Schema that decoding must follow for ``response_format`` (``None`` for plain text)."""
    if response_format.type == "json_object":
        return {"type": "object"}
    if response_format.type == "json_schema" and response_format.json_schema is not None:
        return response_format.json_schema.schema_
    return None
