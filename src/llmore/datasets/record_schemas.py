"""Record schemas of source files: detect which one a file uses, validate rows, convert to and from canonical rows.

Accepted fields per source schema (``field?`` is optional; ``a | b`` are aliases, the first one
present is used). Fields outside the schema are dropped on import.

=======================  ===================================================================================
``alpaca``               ``instruction``, ``input?``, ``output``, ``system?``, ``history?`` (``[[query, answer],
                         ...]``). The user turn is ``instruction`` and ``input`` joined by a newline (as
                         LLaMA-Factory does).
``sharegpt``             ``conversations``: ``[{"from": human|gpt|system|function_call|observation,
                         "value": str}]`` (``role``/``content`` keys and ``user``/``assistant``/``tool`` roles are
                         also read), ``system?``, ``tools?`` (a JSON string or a list). ``function_call`` holds
                         ``{"name", "arguments"}`` as JSON (or a list of them) and becomes an assistant turn
                         with ``tool_calls``; ``observation`` becomes a ``tool`` turn.
``openai``               ``messages``: ``[{"role": system|developer|user|assistant|tool, "content": str | text
                         parts | null, "tool_calls"?, "name"?, "tool_call_id"?}]``, ``tools?``.
``preference``           prompt ``prompt | question | instruction`` (+ ``input?``, ``system?``) and an answer
                         pair (below). Each of prompt, chosen and rejected is a string or a list of messages;
                         chosen/rejected lists that repeat the prompt turns (as in UltraFeedback) are trimmed.
``sharegpt_preference``  ``conversations | messages`` (the prompt turns, sharegpt or OpenAI tags), ``system?``,
                         ``tools?`` and an answer pair, each answer one message ``{"from": "gpt", "value"}``,
                         a string, or a list of messages (LLaMA-Factory's ranking format).
``prompt_answer``        prompt ``prompt | question | query`` and answer ``answer | response | completion``.
``text``                 ``text | content``.
``classification``       text ``text | sentence | content`` and label ``label | intent`` (a string or an integer).
=======================  ===================================================================================

Answer pairs (chosen / rejected) are read from ``chosen``/``rejected``, ``gold``/``bad``,
``good``/``bad`` or ``gold_answer``/``bad_answer``.

Values that are lists or objects may also arrive as JSON text (a CSV cell, LLaMA-Factory's
``tools`` string); they are decoded. Optional fields that are null or empty count as absent,
because Parquet and CSV have no other way to say so; for the same reason null-valued keys of
messages and tools are dropped. Text is never trimmed or normalised: Chinese and every other
script pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from llmore.datasets.canonical import DataSchema, Row
from llmore.errors import AppError


class SourceSchema(StrEnum):
    """The record schemas a data file may use."""

    ALPACA = "alpaca"
    SHAREGPT = "sharegpt"
    OPENAI = "openai"
    PREFERENCE = "preference"
    SHAREGPT_PREFERENCE = "sharegpt_preference"
    PROMPT_ANSWER = "prompt_answer"
    TEXT = "text"
    CLASSIFICATION = "classification"


CANONICAL_OF: dict[SourceSchema, DataSchema] = {
    SourceSchema.ALPACA: DataSchema.CHAT,
    SourceSchema.SHAREGPT: DataSchema.CHAT,
    SourceSchema.OPENAI: DataSchema.CHAT,
    SourceSchema.PREFERENCE: DataSchema.PREFERENCE,
    SourceSchema.SHAREGPT_PREFERENCE: DataSchema.PREFERENCE,
    SourceSchema.PROMPT_ANSWER: DataSchema.PROMPT_ANSWER,
    SourceSchema.TEXT: DataSchema.TEXT,
    SourceSchema.CLASSIFICATION: DataSchema.CLASSIFICATION,
}
EXPORT_TARGETS: dict[DataSchema, tuple[SourceSchema, ...]] = {
    schema: tuple(source for source, canonical in CANONICAL_OF.items() if canonical is schema) for schema in DataSchema
}



def canonical_schema(schema: SourceSchema | str) -> DataSchema:
    """The canonical row shape a source schema converts to."""
    return CANONICAL_OF[SourceSchema(schema)]


PROMPT_FIELDS = ("prompt", "question", "instruction")
QA_PROMPT_FIELDS = ("prompt", "question", "query")
ANSWER_FIELDS = ("answer", "response", "completion")
TEXT_FIELDS = ("text", "content")
CLASS_TEXT_FIELDS = ("text", "sentence", "content")
LABEL_FIELDS = ("label", "intent")
ANSWER_PAIRS = (("chosen", "rejected"), ("gold", "bad"), ("good", "bad"), ("gold_answer", "bad_answer"))

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "system": "system", "function_call": "assistant", "observation": "tool", "tool": "tool"}
_OPENAI_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool"}
_SHAREGPT_ONLY_ROLES = frozenset(set(_SHAREGPT_ROLES) - set(_OPENAI_ROLES))
_MESSAGE_EXTRAS = ("name", "tool_call_id")


class RowError(ValueError):
    """A row that does not fit its schema: which field, and what is wrong with it."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class SchemaDetectionError(AppError):
    """A sample of rows whose schema cannot be told: no known schema, one row fitting two, or mixed schemas."""

    status_code = 422
    code = "unknown_schema"


@dataclass(frozen=True)
class DetectedSchema:
    """The schema a sample of rows uses, how sure the guess is (the share of rows that fit), and why."""

    schema: SourceSchema
    confidence: float
    fields: tuple[str, ...]
    reason: str

    @property
    def canonical(self) -> DataSchema:
        """The canonical row shape this schema converts to."""
        return CANONICAL_OF[self.schema]


# --------------------------------------------------------------------------------------------- detection


def _first(row: Row, names: Sequence[str]) -> str | None:
    return next((name for name in names if row.get(name) is not None), None)


def _answer_pair(row: Row) -> tuple[str, str] | None:
    """The first (chosen, rejected) field names the row has, even when null (validation reports those)."""
    return next(((c, r) for c, r in ANSWER_PAIRS if c in row and r in row), None)


def _present(row: Row, names: Sequence[str]) -> str | None:
    return next((name for name in names if name in row), None)


def _matches(row: Row) -> dict[SourceSchema, tuple[str, ...]]:
    """Every schema whose deciding fields the row has (even when null: validation reports those), with the fields."""
    found: dict[SourceSchema, tuple[str, ...]] = {}
    pair = _answer_pair(row)
    prompt = _present(row, PROMPT_FIELDS)
    conversation = _present(row, ("conversations", "messages"))
    if pair and prompt:
        found[SourceSchema.PREFERENCE] = (prompt, *pair)
    if pair and conversation:
        found[SourceSchema.SHAREGPT_PREFERENCE] = (conversation, *pair)
    if "conversations" in row:
        found[SourceSchema.SHAREGPT] = ("conversations",)
    if "messages" in row:
        found[SourceSchema.OPENAI] = ("messages",)
    if "instruction" in row and "output" in row:
        found[SourceSchema.ALPACA] = ("instruction", "output")
    question, answer = _present(row, QA_PROMPT_FIELDS), _present(row, ANSWER_FIELDS)
    if question and answer:
        found[SourceSchema.PROMPT_ANSWER] = (question, answer)
    text, label = _present(row, CLASS_TEXT_FIELDS), _present(row, LABEL_FIELDS)
    if text and label:
        found[SourceSchema.CLASSIFICATION] = (text, label)
    text = _present(row, TEXT_FIELDS)
    if text:
        found[SourceSchema.TEXT] = (text,)
    return found


# A schema that matches hides those it contains: a preference row with ``messages`` is not also an
# OpenAI chat row, and any structured row may carry a rendered ``text`` column.
_HIDES = {
    SourceSchema.PREFERENCE: {SourceSchema.SHAREGPT_PREFERENCE, SourceSchema.OPENAI, SourceSchema.SHAREGPT},
    SourceSchema.SHAREGPT_PREFERENCE: {SourceSchema.SHAREGPT, SourceSchema.OPENAI},
}


def schema_of(row: Row) -> tuple[SourceSchema, tuple[str, ...]] | None:
    """The schema one row fits with its deciding fields, None when it fits none; raises when it fits two."""
    found = _matches(row)
    hidden = {h for schema in found for h in _HIDES.get(schema, ())}
    if len(found) > 1:
        hidden.add(SourceSchema.TEXT)
    candidates = {schema: fields for schema, fields in found.items() if schema not in hidden}
    if len(candidates) > 1:
        listing = " and ".join(f"{_quoted(fields)} ({schema})" for schema, fields in candidates.items())
        raise RowError(", ".join(f for fields in candidates.values() for f in fields),
                       f"the row has {listing}; keep the fields of one schema")
    return next(iter(candidates.items()), None)


def _quoted(fields: Sequence[str]) -> str:
    return ", ".join(f"'{f}'" for f in fields)


def detect_schema(sample: Sequence[Row]) -> DetectedSchema:
    """The one schema of a sample of rows (the first rows of a file); ``SchemaDetectionError`` says why not.

    Rows that fit no schema are tolerated (they fail validation later with their line) and lower
    the confidence; rows that fit a different schema, or two schemas at once, are refused.
    """
    if not sample:
        raise SchemaDetectionError("no rows to detect a schema from; the file holds no valid records")
    detected: tuple[SourceSchema, tuple[str, ...]] | None = None
    first_row = 0
    fitting = 0
    for number, row in enumerate(sample, start=1):
        try:
            match = schema_of(row)
        except RowError as exc:
            raise SchemaDetectionError(f"row {number} is ambiguous: {exc.reason}",
                                       details=[{"field": exc.field, "line": number, "message": exc.reason}]) from exc
        if match is None:
            continue
        if detected is None:
            detected, first_row = match, number
        elif match[0] is not detected[0]:
            rows = f"row {first_row}" if number - 1 == first_row else f"rows {first_row}-{number - 1}"
            verb = "looks" if rows.startswith("row ") else "look"
            message = (f"{rows} {verb} like {detected[0]} but row {number} has {_quoted(match[1])} ({match[0]}); "
                       "a file must hold one schema — split it into one file per schema")
            raise SchemaDetectionError(message, details=[{"field": ", ".join(match[1]), "line": number,
                                                          "message": message}])
        fitting += 1
    if detected is None:
        seen = sorted({key for row in sample for key in row})
        raise SchemaDetectionError(
            f"no row fits a known schema; the fields seen are {_quoted(seen[:20])}. Expected e.g. instruction/output "
            "(alpaca), conversations (sharegpt), messages (openai), prompt/chosen/rejected (preference), "
            "prompt/answer, text, or text/label (classification); a CSV file's first row must name the columns",
            details=[{"field": None, "line": None, "message": f"fields seen: {', '.join(seen[:20])}"}])
    schema, fields = detected
    reason = f"{fitting} of {len(sample)} rows have {_quoted(fields)} ({schema})"
    return DetectedSchema(schema, fitting / len(sample), fields, reason)


# --------------------------------------------------------------------------------------------- field access


def _text(row: Row, names: Sequence[str]) -> str:
    """A required, non-blank string from the first of ``names`` present."""
    name = _first(row, names)
    if name is None:
        also = f" (also accepted: {', '.join(names[1:])})" if len(names) > 1 else ""
        raise RowError(names[0], f"is {'null' if names[0] in row else 'missing'}{also}")
    return _nonblank(row[name], name)


def _nonblank(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise RowError(field, f"must be a string, found {_kind(value)}")
    if not value.strip():
        raise RowError(field, "is empty")
    return value


def _optional_text(row: Row, name: str) -> str | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RowError(name, f"must be a string, found {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _decoded(value: Any, field: str) -> Any:
    """A list or object that may arrive as JSON text (a CSV cell, a LLaMA-Factory ``tools`` string)."""
    if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise RowError(field, f"holds text that is not valid JSON ({exc})") from exc
    return value


def _list(row: Row, name: str) -> list[Any]:
    value = _decoded(row.get(name), name)
    if value is None:
        raise RowError(name, "is missing" if name not in row else "is null")
    if not isinstance(value, list):
        raise RowError(name, f"must be a list, found {_kind(value)}")
    if not value:
        raise RowError(name, "is an empty list")
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _tools(row: Row) -> list[dict[str, Any]] | None:
    """OpenAI-style tool definitions; LLaMA-Factory's bare function definitions are wrapped."""
    value = _decoded(row.get("tools"), "tools")
    if value is None or value == "" or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise RowError("tools", "must be a list of tool definitions (objects)")
    tools = []
    for index, tool in enumerate(_without_nulls(value)):
        if "function" not in tool:
            tool = {"type": "function", "function": tool}
        if not isinstance(tool["function"], dict) or not isinstance(tool["function"].get("name"), str):
            raise RowError(f"tools.{index}", "a tool needs a function with a name")
        tools.append(tool)
    return tools


# --------------------------------------------------------------------------------------------- messages


def _openai_message(item: Any, path: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RowError(path, f"a message must be an object, found {_kind(item)}")
    role = item.get("role")
    if role not in _OPENAI_ROLES:
        problem = "is missing" if role is None else f"unknown role {role!r}"
        raise RowError(f"{path}.role", f"{problem}; use system, user, assistant or tool")
    message: dict[str, Any] = {"role": _OPENAI_ROLES[role], "content": _content(item.get("content"), f"{path}.content")}
    tool_calls = item.get("tool_calls")
    if tool_calls:
        if message["role"] != "assistant":
            raise RowError(f"{path}.tool_calls", "only assistant turns may call tools")
        message["tool_calls"] = _tool_calls(tool_calls, f"{path}.tool_calls")
    for extra in _MESSAGE_EXTRAS:
        if item.get(extra) is not None:
            message[extra] = item[extra]
    return message


def _content(value: Any, field: str) -> str:
    """Message content as one string; a list of text parts is joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        texts = []
        for index, part in enumerate(value):
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, dict) else _kind(part)
                raise RowError(f"{field}.{index}", f"holds a {kind} part; only text parts are supported")
            texts.append(part["text"])
        return "".join(texts)
    if not isinstance(value, str):
        raise RowError(field, f"must be a string, found {_kind(value)}")
    return value


def _tool_calls(value: Any, field: str) -> list[dict[str, Any]]:
    value = _without_nulls(_decoded(value, field))
    if isinstance(value, str):
        raise RowError(field, 'is not JSON; a tool call is {"name": ..., "arguments": {...}} (or a list of them)')
    if not isinstance(value, list):
        value = [value]
    calls = []
    for index, call in enumerate(value):
        function = call.get("function", call) if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise RowError(f"{field}.{index}", 'a tool call needs {"name": ..., "arguments": ...}')
        arguments = function.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        calls.append({**({"id": call["id"]} if call.get("id") else {}), "type": "function",
                      "function": {"name": function["name"], "arguments": arguments}})
    return calls


def _sharegpt_message(item: Any, path: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RowError(path, f"a turn must be an object, found {_kind(item)}")
    tag, text = ("from", "value") if "from" in item else ("role", "content")
    role = item.get(tag)
    if role not in _SHAREGPT_ROLES:
        problem = "is missing" if role is None else f"unknown role {role!r}"
        raise RowError(f"{path}.{tag}", f"{problem}; use human, gpt, system, function_call or observation")
    value = item.get(text)
    if role == "function_call":
        return {"role": "assistant", "content": "", "tool_calls": _tool_calls(value, f"{path}.{text}")}
    return {"role": _SHAREGPT_ROLES[role], "content": _content(value, f"{path}.{text}")}


def _message(item: Any, path: str) -> tuple[str, dict[str, Any]]:
    """(path of the role field, canonical message) of one turn in sharegpt or OpenAI tags."""
    if isinstance(item, dict) and ("from" in item or item.get("role") in _SHAREGPT_ONLY_ROLES):
        return f"{path}.{'from' if 'from' in item else 'role'}", _sharegpt_message(item, path)
    return f"{path}.role", _openai_message(item, path)


def _messages(items: list[Any], field: str) -> list[tuple[str, dict[str, Any]]]:
    return [_message(item, f"{field}.{index}") for index, item in enumerate(items)]


_Turns = list[tuple[str, dict[str, Any]]]


def _check_turns(turns: _Turns, *, complete: bool) -> None:
    """Refuse conversations out of order; ``complete`` ones must end with an assistant turn.

    System turns come first; then user and assistant alternate, starting with the user; tool
    turns answer an assistant turn that called tools, and are followed by more tool turns or
    the assistant.
    """
    previous: dict[str, Any] | None = None
    for path, message in turns:
        role, before = message["role"], previous["role"] if previous else None
        if role not in _next_roles(previous):
            raise RowError(path, _order_problem(role, before))
        if not message["content"].strip() and not message.get("tool_calls"):
            raise RowError(path.rsplit(".", 1)[0], f"the {role} turn is empty")
        previous = message
    if complete and previous is not None and previous["role"] != "assistant":
        raise RowError(turns[-1][0], f"the conversation ends with {_a(previous['role'])} turn; the last turn must be "
                                     "the assistant's answer")


def _next_roles(previous: dict[str, Any] | None) -> set[str]:
    if previous is None:
        return {"system", "user"}
    if previous["role"] == "assistant":
        return {"tool"} if previous.get("tool_calls") else {"user"}
    return {"system": {"user"}, "user": {"assistant"}, "tool": {"tool", "assistant"}}[previous["role"]]


def _order_problem(role: str, before: str | None) -> str:
    if before in (None, "system") and role != "system":
        return f"the conversation starts with {_a(role)} turn; it must start with a user turn (after any system turn)"
    if role == before:
        return f"two {role} turns in a row; user and assistant turns must alternate"
    if role == "system":
        return "a system turn may only come first"
    if role == "tool":
        return "a tool (observation) turn must answer an assistant turn that calls tools"
    if before == "assistant":
        return f"{_a(role)} turn follows an assistant turn that calls tools; the tool results must come next"
    return f"{_a(role)} turn cannot follow {_a(before or '')} turn"


def _a(role: str) -> str:
    return f"an {role}" if role == "assistant" else f"a {role}"


def _with_system(row: Row, turns: _Turns) -> _Turns:
    """The turns with the row's ``system`` field, if any, as the first turn."""
    system = _optional_text(row, "system")
    if system is None:
        return turns
    if turns and turns[0][1]["role"] == "system":
        raise RowError("system", "the system prompt is given twice: in the system field and as the first turn")
    return [("system", {"role": "system", "content": system}), *turns]


# --------------------------------------------------------------------------------------------- import


def to_canonical(data: Row, schema: SourceSchema | str) -> tuple[DataSchema, Row]:
    """One source row as a canonical row (without ``_id``: the importer adds it); ``RowError`` when invalid."""
    source = SourceSchema(schema)
    return CANONICAL_OF[source], _IMPORTERS[source](data)


def _chat(turns: _Turns, row: Row) -> Row:
    _check_turns(turns, complete=True)
    canonical: Row = {"messages": [message for _, message in turns]}
    tools = _tools(row)
    if tools:
        canonical["tools"] = tools
    return canonical


def _import_alpaca(row: Row) -> Row:
    instruction = row.get("instruction")
    if not isinstance(instruction, str):
        raise RowError("instruction", f"must be a string, found {_kind(instruction)}")
    query = "\n".join(part for part in (instruction, _optional_text(row, "input")) if part)
    if not query.strip():
        raise RowError("instruction", "is empty (and so is input)")
    turns: _Turns = []
    history = _decoded(row.get("history"), "history")
    for index, pair in enumerate(history or []):
        path = f"history.{index}"
        if not isinstance(pair, list) or len(pair) != 2:
            raise RowError(path, "each history entry must be a [query, answer] pair")
        turns += [(f"{path}.0", {"role": "user", "content": _nonblank(pair[0], f"{path}.0")}),
                  (f"{path}.1", {"role": "assistant", "content": _nonblank(pair[1], f"{path}.1")})]
    turns += [("instruction", {"role": "user", "content": query}),
              ("output", {"role": "assistant", "content": _text(row, ("output",))})]
    return _chat(_with_system(row, turns), row)


def _import_sharegpt(row: Row) -> Row:
    return _chat(_with_system(row, _messages(_list(row, "conversations"), "conversations")), row)


def _import_openai(row: Row) -> Row:
    return _chat(_with_system(row, _messages(_list(row, "messages"), "messages")), row)


def _import_preference(row: Row) -> Row:
    field = _first(row, PROMPT_FIELDS) or PROMPT_FIELDS[0]
    prompt = _maybe_messages(row.get(field), field)
    if isinstance(prompt, list):
        if not prompt:
            raise RowError(field, "is an empty list")
        turns = _messages(prompt, field)
    else:
        text = _text(row, (field,))
        if field == "instruction":
            text = "\n".join(part for part in (text, _optional_text(row, "input")) if part)
        turns = [(field, {"role": "user", "content": text})]
    return _preference(row, _with_system(row, turns))


def _import_sharegpt_preference(row: Row) -> Row:
    field = _first(row, ("conversations", "messages")) or "conversations"
    return _preference(row, _with_system(row, _messages(_list(row, field), field)))


def _preference(row: Row, prompt: _Turns) -> Row:
    """A canonical preference row from the prompt turns and the row's answer pair."""
    _check_turns(prompt, complete=False)
    if prompt and prompt[-1][1]["role"] not in ("user", "tool"):
        raise RowError(prompt[-1][0], "the prompt must end with a user turn (the answers follow it)")
    pair = _answer_pair(row)
    if pair is None:
        raise RowError("chosen", "the answer pair is missing; give chosen and rejected (or gold and bad)")
    prompt_messages = [message for _, message in prompt]
    answers = []
    for field in pair:
        turns = _answer_turns(row[field], field, prompt_messages)
        _check_turns(prompt + turns, complete=True)
        answers.append([message for _, message in turns])
    if answers[0] == answers[1]:
        raise RowError(pair[1], f"is the same as {pair[0]}; a preference pair needs two different answers")
    canonical: Row = {"prompt": prompt_messages, "chosen": answers[0], "rejected": answers[1]}
    tools = _tools(row)
    if tools:
        canonical["tools"] = tools
    return canonical


def _maybe_messages(value: Any, field: str) -> Any:
    """A message or list of messages given as JSON text is decoded; any other text is kept as text."""
    if isinstance(value, str) and value.lstrip().startswith(("[{", "{")):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        items = decoded if isinstance(decoded, list) else [decoded]
        if all(isinstance(item, dict) and ("role" in item or "from" in item) for item in items):
            return decoded
    return value


def _answer_turns(value: Any, field: str, prompt: list[dict[str, Any]]) -> _Turns:
    """An answer (text, one message, or messages that may repeat the prompt) as turns."""
    value = _maybe_messages(value, field)
    if isinstance(value, str):
        return [(field, {"role": "assistant", "content": _nonblank(value, field)})]
    if isinstance(value, dict):
        return [_message(value, field)]
    if not isinstance(value, list) or not value:
        raise RowError(field, f"must be a string, a message or a list of messages, found {_kind(value)}")
    turns = _messages(value, field)
    if len(turns) > len(prompt) and [message for _, message in turns[: len(prompt)]] == prompt:
        turns = turns[len(prompt):]
    return turns


def _import_prompt_answer(row: Row) -> Row:
    return {"prompt": _text(row, QA_PROMPT_FIELDS), "answer": _text(row, ANSWER_FIELDS)}


def _import_text(row: Row) -> Row:
    return {"text": _text(row, TEXT_FIELDS)}


def _import_classification(row: Row) -> Row:
    return {"text": _text(row, CLASS_TEXT_FIELDS), "label": _label(row)}


def _label(row: Row) -> str:
    field = _first(row, LABEL_FIELDS)
    if field is None:
        raise RowError("label", "is missing (also accepted: intent)")
    value = row[field]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if not isinstance(value, str):
        raise RowError(field, f"must be a string or an integer, found {_kind(value)}")
    return _nonblank(value, field)


_IMPORTERS: dict[SourceSchema, Callable[[Row], Row]] = {
    SourceSchema.ALPACA: _import_alpaca,
    SourceSchema.SHAREGPT: _import_sharegpt,
    SourceSchema.OPENAI: _import_openai,
    SourceSchema.PREFERENCE: _import_preference,
    SourceSchema.SHAREGPT_PREFERENCE: _import_sharegpt_preference,
    SourceSchema.PROMPT_ANSWER: _import_prompt_answer,
    SourceSchema.TEXT: _import_text,
    SourceSchema.CLASSIFICATION: _import_classification,
}


# --------------------------------------------------------------------------------------------- export


def from_canonical(row: Row, schema: DataSchema | str, target: SourceSchema | str) -> Row:
    """A canonical row in a source schema, for export (bookkeeping keys such as ``_id`` are left out).

    Chat rows export to openai and sharegpt always, and to alpaca only when the conversation is
    one exchange without tools. sharegpt keeps no tool call ids or message names, and writes tool
    arguments as JSON objects. ``RowError`` when a row cannot be written in ``target``.
    """
    canonical, wanted = DataSchema(schema), SourceSchema(target)
    if wanted not in EXPORT_TARGETS[canonical]:
        choices = ", ".join(EXPORT_TARGETS[canonical])
        raise AppError(f"{canonical} rows cannot be exported as {wanted}; choose one of {choices}",
                       code="unsupported_export")
    return _EXPORTERS[wanted](row)


def _with_tools(out: Row, row: Row) -> Row:
    if row.get("tools"):
        out["tools"] = row["tools"]
    return out


def _export_openai(row: Row) -> Row:
    return _with_tools({"messages": [dict(message) for message in row["messages"]]}, row)


def _export_sharegpt(row: Row, field: str = "messages") -> Row:
    system = None
    conversations = []
    for index, message in enumerate(row[field]):
        path = f"{field}.{index}"
        if message["role"] == "system":
            if index:
                raise RowError(path, "a system turn may only come first")
            system = message["content"]
        elif message.get("tool_calls"):
            conversations.append(_function_call(message, path))
        else:
            tag = {"user": "human", "assistant": "gpt", "tool": "observation"}[message["role"]]
            conversations.append({"from": tag, "value": message["content"]})
    out: Row = {"conversations": conversations}
    if system is not None:
        out["system"] = system
    if row.get("tools"):
        out["tools"] = json.dumps([tool.get("function", tool) for tool in row["tools"]], ensure_ascii=False)
    return out


def _function_call(message: dict[str, Any], path: str) -> dict[str, str]:
    if message["content"].strip():
        raise RowError(f"{path}.content", "an assistant turn with both text and tool calls cannot be written in "
                                          "sharegpt; export as openai")
    calls = [{"name": call["function"]["name"], "arguments": _arguments(call["function"]["arguments"])}
             for call in message["tool_calls"]]
    return {"from": "function_call", "value": json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)}


def _arguments(arguments: str) -> Any:
    try:
        return json.loads(arguments)
    except ValueError:
        return arguments


def _export_alpaca(row: Row) -> Row:
    messages = row["messages"]
    system = messages[0]["content"] if messages[0]["role"] == "system" else None
    exchange = messages[1:] if system is not None else messages
    roles = [message["role"] for message in exchange]
    if roles != ["user", "assistant"] or exchange[1].get("tool_calls") or row.get("tools"):
        raise RowError("messages", f"the conversation has {len(exchange)} turns ({', '.join(roles)}); alpaca holds a "
                                   "single exchange without tools — export it as sharegpt or openai")
    out: Row = {"instruction": exchange[0]["content"], "input": "", "output": exchange[1]["content"]}
    if system is not None:
        out["system"] = system
    return out


def _export_preference(row: Row) -> Row:
    out = {part: [dict(message) for message in row[part]] for part in ("prompt", "chosen", "rejected")}
    return _with_tools(out, row)


def _export_sharegpt_preference(row: Row) -> Row:
    out = _export_sharegpt({"prompt": row["prompt"], "tools": row.get("tools")}, "prompt")
    for part in ("chosen", "rejected"):
        answer = row[part]
        if len(answer) != 1 or answer[0]["role"] != "assistant" or answer[0].get("tool_calls"):
            raise RowError(part, "sharegpt_preference holds one assistant answer per side; export as preference")
        out[part] = {"from": "gpt", "value": answer[0]["content"]}
    return out


_EXPORTERS: dict[SourceSchema, Callable[[Row], Row]] = {
    SourceSchema.ALPACA: _export_alpaca,
    SourceSchema.SHAREGPT: _export_sharegpt,
    SourceSchema.OPENAI: _export_openai,
    SourceSchema.PREFERENCE: _export_preference,
    SourceSchema.SHAREGPT_PREFERENCE: _export_sharegpt_preference,
    SourceSchema.PROMPT_ANSWER: lambda row: {"prompt": row["prompt"], "answer": row["answer"]},
    SourceSchema.TEXT: lambda row: {"text": row["text"]},
    SourceSchema.CLASSIFICATION: lambda row: {"text": row["text"], "label": row["label"]},
}
