"""Tool calls read from model text, and the response_format checks."""

from __future__ import annotations

import json

from llmore.serving import protocol as p
from llmore.serving import tools
from llmore.serving.engines.grammar import tool_call_schema

NAMES = {"get_weather", "search"}


def test_hermes_blocks_become_tool_calls_and_the_rest_stays_content() -> None:
    text = 'Let me look.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    content, calls = tools.parse_tool_calls(text, NAMES)
    assert content == "Let me look."
    assert [c.function.name for c in calls] == ["get_weather"]
    assert json.loads(calls[0].function.arguments) == {"city": "Paris"}
    assert calls[0].id.startswith("call_")


def test_bare_and_fenced_json_calls_are_recognised_but_unknown_tools_are_not() -> None:
    _, calls = tools.parse_tool_calls('[{"name": "search", "parameters": {"q": "x"}}, {"name": "rm", "arguments": {}}]',
                                      NAMES)
    assert [c.function.name for c in calls] == ["search"]
    _, fenced = tools.parse_tool_calls('```json\n{"name": "search", "arguments": {"q": "y"}}\n```', NAMES)
    assert len(fenced) == 1
    content, none = tools.parse_tool_calls('{"answer": 42}', NAMES)
    assert none == []
    assert content == '{"answer": 42}'


def test_streamed_text_is_held_only_while_it_may_be_a_call() -> None:
    assert tools.could_be_tool_call("<tool")
    assert tools.could_be_tool_call('  {"na')
    assert not tools.could_be_tool_call("Hello")


def test_plain_templates_get_tool_turns_as_text() -> None:
    messages = [
        p.ChatMessage(role="user", content="Weather?"),
        p.ChatMessage(role="assistant", tool_calls=[p.ToolCall(id="c1", function=p.FunctionCall(
            name="get_weather", arguments='{"city": "Paris"}'))]),
        p.ChatMessage(role="tool", tool_call_id="c1", content="sunny"),
    ]
    rendered = tools.message_dicts(messages, native_tools=False)
    assert "<tool_call>" in rendered[1]["content"]
    assert rendered[2] == {"role": "user", "content": "<tool_response>\nsunny\n</tool_response>"}
    native = tools.message_dicts(messages, native_tools=True)
    assert native[1]["tool_calls"][0]["function"]["arguments"] == {"city": "Paris"}
    assert native[2]["tool_call_id"] == "c1"


def test_response_formats_and_forced_tools_become_json_schemas() -> None:
    assert tools.format_schema(p.ResponseFormat(type="json_object")) == {"type": "object"}
    assert tools.format_schema(p.ResponseFormat(type="text")) is None
    person = {"type": "object", "properties": {"name": {"type": "string"}}}
    as_schema = p.ResponseFormat.model_validate({"type": "json_schema", "json_schema": {"name": "p", "schema": person}})
    assert tools.format_schema(as_schema) == person
    one = tool_call_schema([{"name": "get_weather", "parameters": person}])
    assert one["properties"] == {"name": {"const": "get_weather"}, "arguments": person}
    either = tool_call_schema([{"name": "a"}, {"name": "b"}])
    assert [v["properties"]["name"]["const"] for v in either["anyOf"]] == ["a", "b"]
    assert either["anyOf"][0]["properties"]["arguments"] == {"type": "object"}
