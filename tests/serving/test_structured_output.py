"""Structured output and function calling on a real worker: even the tiny random model writes valid JSON.

The tiny model's weights are random, so anything it writes that parses and fits the schema is the
constrained decoder's doing.
"""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from tests.serving.conftest import TINY
from tests.serving.live_worker import LiveWorker

HELLO = [{"role": "user", "content": "Plan a trip."}]
TRIP = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "enum": ["Paris", "Rome", "Oslo"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 9},
        "sunny": {"type": "boolean"},
    },
    "required": ["city", "days", "sunny"],
    "additionalProperties": False,
}
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "maxLength": 12},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city", "unit"], "additionalProperties": False}}}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {
    "type": "object", "properties": {"zone": {"type": "string", "enum": ["UTC", "CET"]}},
    "required": ["zone"], "additionalProperties": False}}}
DATE = {"type": "function", "function": {"name": "get_date", "parameters": {
    "type": "object", "properties": {}, "additionalProperties": False}}}


@pytest.fixture(scope="module")
def client(tiny_worker: LiveWorker) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{tiny_worker.url}/v1", api_key=tiny_worker.api_key, max_retries=0)


def assert_trip(text: str | None) -> None:
    trip = json.loads(text or "")
    assert set(trip) == {"city", "days", "sunny"}
    assert trip["city"] in ("Paris", "Rome", "Oslo")
    assert isinstance(trip["days"], int)
    assert 1 <= trip["days"] <= 9
    assert isinstance(trip["sunny"], bool)


def test_json_schema_output_always_parses_and_matches(client: openai.OpenAI) -> None:
    trip_format = {"type": "json_schema", "json_schema": {"name": "trip", "schema": TRIP, "strict": True}}
    response = client.chat.completions.create(model=TINY, messages=HELLO, response_format=trip_format, n=2, seed=3,
                                              max_tokens=40)  # type: ignore[call-overload]
    for choice in response.choices:
        assert choice.finish_reason == "stop"
        assert_trip(choice.message.content)
    chunks = list(client.chat.completions.create(model=TINY, messages=HELLO, response_format=trip_format, seed=3,
                                                 max_tokens=40, stream=True))  # type: ignore[call-overload]
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1, "JSON should stream in pieces"
    assert_trip(streamed)


def test_json_object_is_an_object(client: openai.OpenAI) -> None:
    # Random weights write random keys; a choice either closes its object or runs out of tokens inside it.
    response = client.chat.completions.create(model=TINY, messages=HELLO, response_format={"type": "json_object"},
                                              n=3, seed=1, max_tokens=60)  # type: ignore[call-overload]
    assert all((c.message.content or "").startswith("{") for c in response.choices)
    finished = [c.message.content for c in response.choices if c.finish_reason == "stop"]
    assert finished, "no choice closed its JSON object within 60 tokens"
    for text in finished:
        assert isinstance(json.loads(text or ""), dict)


@pytest.mark.parametrize(("schema", "says"), [
    ({"type": "array", "uniqueItems": True}, "uniqueItems"),
    ({"not": {"type": "string"}}, "not"),
    ({"type": "objekt"}, "objekt"),
])
def test_schemas_that_cannot_be_enforced_are_a_clear_400(tiny_worker: LiveWorker, schema: dict[str, object],
                                                         says: str) -> None:
    body = {"model": TINY, "messages": HELLO,
            "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}}
    response = httpx.post(f"{tiny_worker.url}/v1/chat/completions", json=body, headers=tiny_worker.headers,
                          timeout=60)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == "response_format"
    assert says in error["message"]


def _weather_args(call: object) -> dict[str, str]:
    assert call.type == "function"  # type: ignore[attr-defined]
    assert call.function.name == "get_weather"  # type: ignore[attr-defined]
    arguments = json.loads(call.function.arguments)  # type: ignore[attr-defined]
    assert set(arguments) == {"city", "unit"}
    assert isinstance(arguments["city"], str)
    assert len(arguments["city"]) <= 12
    assert arguments["unit"] in ("celsius", "fahrenheit")
    return arguments


def test_forced_tool_call_round_trip(client: openai.OpenAI) -> None:
    """The model calls get_weather, the client runs it and sends the result, the model answers."""
    messages: list[dict[str, object]] = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.chat.completions.create(
        model=TINY, messages=messages, tools=[WEATHER, TIME], max_tokens=80, temperature=0,
        tool_choice={"type": "function", "function": {"name": "get_weather"}})  # type: ignore[arg-type]
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    assert len(choice.message.tool_calls) == 1
    call = choice.message.tool_calls[0]
    arguments = _weather_args(call)
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id,
                     "content": json.dumps({"city": arguments["city"], "temperature": 18})})
    answer = client.chat.completions.create(model=TINY, messages=messages, tools=[WEATHER, TIME], max_tokens=4,
                                            temperature=0, tool_choice="none")  # type: ignore[arg-type]
    assert answer.choices[0].message.tool_calls is None
    assert answer.choices[0].message.content
    assert answer.choices[0].finish_reason in ("stop", "length")
    # The call and its result reached the prompt: without them the same request's prompt is shorter.
    alone = client.chat.completions.create(model=TINY, messages=messages[:1], tools=[WEATHER, TIME], max_tokens=1,
                                           tool_choice="none")  # type: ignore[arg-type]
    assert answer.usage is not None
    assert alone.usage is not None
    assert answer.usage.prompt_tokens > alone.usage.prompt_tokens + 10


def test_required_tool_choice_calls_one_of_the_tools_and_streams_tool_call_deltas(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(
        model=TINY, messages=HELLO, tools=[TIME, DATE], tool_choice="required", max_tokens=40, seed=1,
        stream=True))  # type: ignore[call-overload]
    choices = [c.choices[0] for c in chunks if c.choices]
    assert choices[-1].finish_reason == "tool_calls"
    deltas = [d for c in choices for d in (c.delta.tool_calls or [])]
    assert len(deltas) == 1
    assert deltas[0].index == 0
    assert deltas[0].id
    assert deltas[0].function is not None
    assert deltas[0].function.name in ("get_time", "get_date")
    arguments = json.loads(deltas[0].function.arguments or "")
    assert arguments in ({"zone": "UTC"}, {"zone": "CET"}, {})
    assert not "".join(c.delta.content or "" for c in choices)


def test_tool_messages_need_an_id_and_forced_tools_must_exist(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=TINY, tools=[WEATHER], messages=[
            *HELLO, {"role": "tool", "content": "no id"}])  # type: ignore[arg-type,list-item,typeddict-item]
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=TINY, tools=[WEATHER], messages=HELLO,  # type: ignore[arg-type]
                                       tool_choice={"type": "function", "function": {"name": "get_time"}})
    assert "get_time" in caught.value.message
