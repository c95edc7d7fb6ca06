"""Record schemas: detection, validation, conversion to canonical rows and back, on golden files."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from llmore.datasets.canonical import DataSchema, text_fields
from llmore.datasets.formats import iter_records, iter_records_from, write_records
from llmore.datasets.record_schemas import (
    EXPORT_TARGETS,
    RowError,
    SchemaDetectionError,
    SourceSchema,
    canonical_schema,
    detect_schema,
    from_canonical,
    to_canonical,
)
from llmore.errors import AppError

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "cases.json").read_text())


def canonical_rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines()]


def import_rows(records: list[dict[str, Any]]) -> tuple[SourceSchema, list[dict[str, Any]]]:
    detected = detect_schema(records)
    return detected.schema, [to_canonical(record, detected.schema)[1] for record in records]


@pytest.mark.parametrize("case", CASES, ids=[case["input"] for case in CASES])
def test_golden_file_converts_to_the_expected_canonical_rows(case: dict[str, str]) -> None:
    records = list(iter_records(GOLDEN / case["input"]))
    assert [record.error for record in records if record.error] == []
    schema, rows = import_rows([record.data for record in records if record.data is not None])
    assert schema == case["schema"]
    assert rows == canonical_rows(case["expected"])


# (golden canonical file, schema) pairs: every export target must give the same rows back on import.
ROUND_TRIPS = [
    ("alpaca_zh.canonical.jsonl", DataSchema.CHAT),
    ("sharegpt_zh.canonical.jsonl", DataSchema.CHAT),
    ("openai_zh.canonical.jsonl", DataSchema.CHAT),
    ("preference_zh.canonical.jsonl", DataSchema.PREFERENCE),
    ("sharegpt_preference_zh.canonical.jsonl", DataSchema.PREFERENCE),
    ("prompt_answer_zh.canonical.jsonl", DataSchema.PROMPT_ANSWER),
    ("text_zh.canonical.jsonl", DataSchema.TEXT),
    ("classification_zh.canonical.jsonl", DataSchema.CLASSIFICATION),
]


def _expressible(row: dict[str, Any], schema: DataSchema, target: SourceSchema) -> bool:
    """Whether ``target`` can hold the row without losing anything (else its export must refuse or drop ids)."""
    try:
        from_canonical(row, schema, target)
    except RowError:
        return False
    if target is SourceSchema.SHAREGPT:  # sharegpt keeps no tool-call ids or tool_call_id
        return not any("tool_call_id" in m or any("id" in c for c in m.get("tool_calls", []))
                       for m in row["messages"])
    return True


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet"])
@pytest.mark.parametrize(("name", "schema"), ROUND_TRIPS, ids=[name.split(".")[0] for name, _ in ROUND_TRIPS])
def test_canonical_rows_survive_export_and_import(name: str, schema: DataSchema, fmt: str) -> None:
    rows = canonical_rows(name)
    for target in EXPORT_TARGETS[schema]:
        kept = [row for row in rows if _expressible(row, schema, target)]
        if not kept:
            continue
        out = io.BytesIO()
        write_records((from_canonical(row, schema, target) for row in kept), out, fmt)
        records = list(iter_records_from(io.BytesIO(out.getvalue()), name=f"export.{fmt}"))
        detected, back = import_rows([record.data for record in records if record.data is not None])
        assert detected == target, (target, fmt)
        assert back == kept, (target, fmt)


def test_every_golden_canonical_row_round_trips_through_its_richest_target() -> None:
    """openai holds every chat row and preference every preference row: nothing is left out of the round trips."""
    for name, schema in ROUND_TRIPS:
        target = {DataSchema.CHAT: SourceSchema.OPENAI}.get(schema, EXPORT_TARGETS[schema][0])
        assert all(_expressible(row, schema, target) for row in canonical_rows(name)), name


@pytest.mark.parametrize(("row", "schema", "fields"), [
    ({"instruction": "a", "output": "b", "text": "rendered"}, "alpaca", ("instruction", "output")),
    ({"conversations": []}, "sharegpt", ("conversations",)),
    ({"messages": [], "text": "x"}, "openai", ("messages",)),
    ({"prompt": "p", "chosen": "a", "rejected": "b", "messages": []}, "preference", ("prompt", "chosen", "rejected")),
    ({"instruction": "p", "input": "", "chosen": "a", "rejected": "b"}, "preference",
     ("instruction", "chosen", "rejected")),
    ({"question": "q", "gold": "a", "bad": "b"}, "preference", ("question", "gold", "bad")),
    ({"conversations": [], "chosen": {}, "rejected": {}}, "sharegpt_preference",
     ("conversations", "chosen", "rejected")),
    ({"messages": [], "good": "a", "bad": "b"}, "sharegpt_preference", ("messages", "good", "bad")),
    ({"query": "q", "response": "r"}, "prompt_answer", ("query", "response")),
    ({"prompt": "q", "completion": "r"}, "prompt_answer", ("prompt", "completion")),
    ({"sentence": "s", "label": 1}, "classification", ("sentence", "label")),
    ({"text": "s", "intent": "greet"}, "classification", ("text", "intent")),
    ({"text": "s", "label": None}, "classification", ("text", "label")),
    ({"content": "s"}, "text", ("content",)),
])
def test_detect_schema_by_fields(row: dict[str, Any], schema: str, fields: tuple[str, ...]) -> None:
    detected = detect_schema([row])
    assert (detected.schema, detected.fields, detected.confidence) == (schema, fields, 1.0)
    assert detected.canonical is canonical_schema(schema)


def test_detection_tolerates_unfit_rows_and_lowers_confidence() -> None:
    detected = detect_schema([{"text": "a"}, {"oops": 1}, {"text": "b"}, {"text": "c"}])
    assert detected.confidence == 0.75
    assert detected.reason == "3 of 4 rows have 'text' (text)"


def test_mixed_and_ambiguous_samples_are_refused_with_what_was_seen() -> None:
    alpaca = {"instruction": "a", "output": "b"}
    with pytest.raises(SchemaDetectionError) as raised:
        detect_schema([alpaca] * 40 + [{"conversations": []}])
    assert raised.value.message.startswith(
        "rows 1-40 look like alpaca but row 41 has 'conversations' (sharegpt); a file must hold one schema")
    assert raised.value.details[0]["line"] == 41
    with pytest.raises(SchemaDetectionError, match="row 1 looks like text but row 2 has 'messages'"):
        detect_schema([{"text": "a"}, {"messages": []}])
    with pytest.raises(SchemaDetectionError, match="'question', 'answer' \\(prompt_answer\\) and 'text', 'label'"):
        detect_schema([{"question": "q", "answer": "a", "text": "t", "label": "l"}])
    with pytest.raises(SchemaDetectionError, match="no row fits a known schema; the fields seen are 'a', 'b'"):
        detect_schema([{"a": 1}, {"b": 2}])
    with pytest.raises(SchemaDetectionError, match="no rows"):
        detect_schema([])


def _turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"from": tag, "value": value} for tag, value in pairs]


@pytest.mark.parametrize(("row", "schema", "field", "reason"), [
    ({"instruction": "a"}, "alpaca", "output", "is missing"),
    ({"instruction": "a", "output": None}, "alpaca", "output", "is null"),
    ({"instruction": "", "input": "", "output": "b"}, "alpaca", "instruction", "is empty"),
    ({"instruction": "a", "output": 3}, "alpaca", "output", "must be a string, found a number"),
    ({"instruction": "a", "output": "b", "history": [["q"]]}, "alpaca", "history.0", "[query, answer] pair"),
    ({"conversations": []}, "sharegpt", "conversations", "is an empty list"),
    ({"conversations": "hello"}, "sharegpt", "conversations", "must be a list, found a string"),
    ({"conversations": _turns(("human", "a"), ("human", "b"), ("gpt", "c"))}, "sharegpt", "conversations.1.from",
     "two user turns in a row"),
    ({"conversations": _turns(("gpt", "a"))}, "sharegpt", "conversations.0.from", "starts with an assistant turn"),
    ({"conversations": _turns(("human", "a"), ("gpt", "b"), ("human", "c"))}, "sharegpt", "conversations.2.from",
     "ends with a user turn"),
    ({"conversations": _turns(("human", "a"), ("bot", "b"))}, "sharegpt", "conversations.1.from",
     "unknown role 'bot'"),
    ({"conversations": _turns(("human", "a"), ("gpt", " "))}, "sharegpt", "conversations.1", "turn is empty"),
    ({"conversations": _turns(("human", "a"), ("observation", "b"), ("gpt", "c"))}, "sharegpt",
     "conversations.1.from", "must answer an assistant turn that calls tools"),
    ({"conversations": _turns(("human", "a"), ("function_call", "not json"), ("observation", "x"), ("gpt", "c"))},
     "sharegpt", "conversations.1.value", "is not JSON; a tool call is"),
    ({"conversations": _turns(("system", "s"), ("human", "a"), ("gpt", "b")), "system": "t"}, "sharegpt", "system",
     "given twice"),
    ({"conversations": _turns(("human", "a"), ("gpt", "b")), "tools": "[oops"}, "sharegpt", "tools",
     "not valid JSON"),
    ({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                   {"role": "system", "content": "c"}]}, "openai", "messages.2.role", "may only come first"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}, "openai",
     "messages.0.content.0", "holds a image_url part"),
    ({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "", "tool_calls": [{}]}]},
     "openai", "messages.1.tool_calls.0", "a tool call needs"),
    ({"messages": ["hi"]}, "openai", "messages.0", "a message must be an object, found a string"),
    ({"prompt": "p", "chosen": "a", "rejected": "a"}, "preference", "rejected", "is the same as chosen"),
    ({"prompt": "p", "chosen": "a"}, "preference", "chosen", "answer pair is missing"),
    ({"prompt": [{"role": "user", "content": "p"}, {"role": "assistant", "content": "x"}], "chosen": "a",
      "rejected": "b"}, "preference", "prompt.1.role", "the prompt must end with a user turn"),
    ({"prompt": "p", "chosen": [{"role": "user", "content": "q"}], "rejected": "b"}, "preference", "chosen.0.role",
     "two user turns in a row"),
    ({"conversations": _turns(("human", "q")), "chosen": {"from": "human", "value": "a"},
      "rejected": {"from": "gpt", "value": "b"}}, "sharegpt_preference", "chosen.from", "two user turns"),
    ({"question": "q"}, "prompt_answer", "answer", "is missing (also accepted: response, completion)"),
    ({"prompt": ["q"], "answer": "a"}, "prompt_answer", "prompt", "must be a string, found a list"),
    ({"text": ""}, "text", "text", "is empty"),
    ({"text": "t"}, "classification", "label", "is missing"),
    ({"text": "t", "label": True}, "classification", "label", "must be a string or an integer, found a boolean"),
    ({"text": "t", "label": 0.5}, "classification", "label", "found a number"),
    ({"text": "t", "label": " "}, "classification", "label", "is empty"),
])
def test_invalid_rows_name_field_and_reason(row: dict[str, Any], schema: str, field: str, reason: str) -> None:
    with pytest.raises(RowError) as raised:
        to_canonical(row, schema)
    assert raised.value.field == field
    assert reason in raised.value.reason
    assert str(raised.value) == f"{field}: {raised.value.reason}"


def test_rows_from_csv_and_parquet_cells() -> None:
    """JSON text cells are decoded; empty optional cells and null-filled struct fields count as absent."""
    row = {"messages": json.dumps([{"role": "user", "content": "问", "name": None},
                                   {"role": "assistant", "content": "答", "tool_calls": None}], ensure_ascii=False),
           "tools": ""}
    assert to_canonical(row, "openai") == (DataSchema.CHAT, {"messages": [
        {"role": "user", "content": "问"}, {"role": "assistant", "content": "答"}]})
    row = {"instruction": "a", "input": None, "output": "b", "system": "", "history": ""}
    assert to_canonical(row, "alpaca")[1] == {"messages": [{"role": "user", "content": "a"},
                                                           {"role": "assistant", "content": "b"}]}
    row = {"prompt": "[1, 2]", "chosen": "[{\"role\": \"assistant\", \"content\": \"x\"}]", "rejected": "[y]"}
    assert to_canonical(row, "preference")[1] == {"prompt": [{"role": "user", "content": "[1, 2]"}],
                                                  "chosen": [{"role": "assistant", "content": "x"}],
                                                  "rejected": [{"role": "assistant", "content": "[y]"}]}


def test_text_survives_untouched() -> None:
    text = "  全角：ＡＢＣ，半角 abc\u3000e\u0301 NFD, \u200b零宽, emoji 👨‍👩‍👧, 引号“”「」\\n literal  "
    assert unicodedata.normalize("NFC", text) != text  # the sample holds something normalisation would change
    for schema, row in (("text", {"text": text}), ("prompt_answer", {"prompt": text, "answer": text}),
                        ("alpaca", {"instruction": text, "output": text})):
        data_schema, canonical_row = to_canonical(row, schema)
        assert set(text_fields(canonical_row, data_schema).values()) == {text}
    out = io.BytesIO()
    write_records([{"text": text}], out, "jsonl")
    assert next(iter_records_from(io.BytesIO(out.getvalue()), name="t.jsonl")).data == {"text": text}


def test_export_refusals_say_what_to_do() -> None:
    multi = canonical_rows("alpaca_zh.canonical.jsonl")[2]
    with pytest.raises(RowError, match="alpaca holds a single exchange without tools — export it as sharegpt"):
        from_canonical(multi, "chat", "alpaca")
    both = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "let me check",
                                                           "tool_calls": [{"type": "function", "function": {
                                                               "name": "f", "arguments": "{}"}}]},
                         {"role": "tool", "content": "r"}, {"role": "assistant", "content": "b"}]}
    with pytest.raises(RowError, match="both text and tool calls cannot be written in sharegpt"):
        from_canonical(both, "chat", "sharegpt")
    assert from_canonical(both, "chat", "openai")["messages"][1]["content"] == "let me check"
    with pytest.raises(AppError, match="text rows cannot be exported as alpaca; choose one of text"):
        from_canonical({"text": "t"}, "text", "alpaca")
    long_answer = {"prompt": [{"role": "user", "content": "p"}],
                   "chosen": [{"role": "assistant", "content": "", "tool_calls": [
                       {"type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                              {"role": "tool", "content": "r"}, {"role": "assistant", "content": "a"}],
                   "rejected": [{"role": "assistant", "content": "b"}]}
    with pytest.raises(RowError, match="one assistant answer per side"):
        from_canonical(long_answer, "preference", "sharegpt_preference")


def test_export_leaves_bookkeeping_out() -> None:
    row = {"_id": "7", "_split": "train", "text": "t", "label": "l"}
    assert from_canonical(row, "classification", "classification") == {"text": "t", "label": "l"}
