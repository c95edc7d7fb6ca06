"""The OpenAI SDK against a real worker serving SmolLM2-135M-Instruct, where what the model says matters (slow)."""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.serving.live_worker import LiveWorker, start_worker, stop_worker

pytestmark = pytest.mark.slow

QUESTIONS = ["What is the capital of France?", "Name a primary colour.", "What is 2 + 2?", "Say hello in Spanish."]


@pytest.fixture(scope="module")
def smollm2_worker(smollm2_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWorker]:
    worker = start_worker("--model", str(smollm2_dir), "--served-name", "smollm2",
                          home=tmp_path_factory.mktemp("worker-home"))
    yield worker
    stop_worker(worker)


@pytest.fixture(scope="module")
def client(smollm2_worker: LiveWorker) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{smollm2_worker.url}/v1", api_key=smollm2_worker.api_key, max_retries=0)


def _ask(client: openai.OpenAI, question: str, **kwargs: object) -> openai.types.chat.ChatCompletion:
    return client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": question}],
                                          **{"max_tokens": 24, "temperature": 0, **kwargs})  # type: ignore[call-overload]


def test_smollm2_answers_and_streams(client: openai.OpenAI) -> None:
    answer = _ask(client, QUESTIONS[0])
    assert "Paris" in (answer.choices[0].message.content or "")
    assert answer.usage is not None
    assert answer.usage.prompt_tokens > 10
    chunks = list(_ask(client, QUESTIONS[0], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == answer.choices[0].message.content


def test_concurrent_greedy_answers_equal_plain_generate(client: openai.OpenAI, smollm2_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(smollm2_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir).eval()
    expected = []
    for question in QUESTIONS:
        text = tokenizer.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True,
                                             tokenize=False)
        ids = torch.tensor([tokenizer.encode(text, add_special_tokens=False)])
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=24, do_sample=False)
        expected.append(tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True))
    with concurrent.futures.ThreadPoolExecutor(len(QUESTIONS)) as pool:
        answers = list(pool.map(lambda q: _ask(client, q).choices[0].message.content, QUESTIONS))
    assert answers == expected


def test_smollm2_sampling_parameters_shape_the_text(client: openai.OpenAI) -> None:
    plain = _ask(client, "Write one sentence about the sea.", max_tokens=40).choices[0].message.content or ""
    no_sea = _ask(client, "Write one sentence about the sea.", max_tokens=40,
                  extra_body={"bad_words": ["sea", "Sea", "ocean"]}).choices[0].message.content or ""
    assert "sea" in plain.lower()
    assert "sea" not in no_sea.lower().replace("season", "")
    short = _ask(client, QUESTIONS[0], stop=["Paris"])
    assert "Paris" not in (short.choices[0].message.content or "")
    assert short.choices[0].finish_reason == "stop"


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}},
                   "required": ["city"], "additionalProperties": False}}}


def test_smollm2_tool_round_trip_and_json_output(client: openai.OpenAI) -> None:
    """SmolLM2 calls get_weather for Paris, gets the tool's answer, and reports it; JSON output follows its schema."""
    messages: list[dict[str, object]] = [{"role": "user", "content": "What is the weather like in Paris today?"}]
    first = client.chat.completions.create(model="smollm2", messages=messages, tools=[WEATHER], tool_choice="required",
                                           temperature=0, max_tokens=40)  # type: ignore[arg-type]
    assert first.choices[0].finish_reason == "tool_calls"
    call = (first.choices[0].message.tool_calls or [])[0]
    assert call.function.name == "get_weather"
    assert "paris" in json.loads(call.function.arguments)["city"].lower()
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": '{"temperature_celsius": 31, "sky": "sunny"}'}]
    final = client.chat.completions.create(model="smollm2", messages=messages, tools=[WEATHER], tool_choice="none",
                                           temperature=0, max_tokens=40)  # type: ignore[arg-type]
    text = final.choices[0].message.content or ""
    assert "31" in text or "sunny" in text.lower(), text

    person = {"type": "object", "additionalProperties": False, "required": ["name", "age"],
              "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer", "minimum": 0}}}
    answer = _ask(client, "Invent a person and give their name and age.", max_tokens=40,
                  response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": person}})
    assert answer.choices[0].finish_reason == "stop"
    value = json.loads(answer.choices[0].message.content or "")
    assert set(value) == {"name", "age"}
    assert isinstance(value["age"], int)
    assert value["name"].strip()
    obj = _ask(client, 'Give the capital of France as a JSON object with the keys "city" and "country".',
               max_tokens=80, response_format={"type": "json_object"})
    assert obj.choices[0].finish_reason == "stop", obj.choices[0].message.content
    assert "Paris" in json.loads(obj.choices[0].message.content or "").values()
