"""Tool calls read from model text, and the response_format checks."""

from __future__ import annotations

import json

from llmore.serving import protocol as p
from llmore.serving import tools

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


def test_response_format_checks() -> None:
    as_object = p.ResponseFormat(type="json_object")
    assert tools.check_format('{"a": 1}', as_object) is None
    assert "not JSON" in (tools.check_format("hello", as_object) or "")
    schema = p.ResponseFormat.model_validate({"type": "json_schema", "json_schema": {"name": "person", "schema": {
        "type": "object", "required": ["name", "age"],
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}})
    assert tools.check_format('{"name": "Ada", "age": 36}', schema) is None
    assert tools.check_format('{"name": "Ada"}', schema) == "$ lacks the required property 'age'"
    assert tools.check_format('{"name": "Ada", "age": "old"}', schema) == "$.age should be of type integer"
