"""Cleaning rules on real text: HTML pages, mojibake, PII, duplicates, user rules, previews."""

from __future__ import annotations

import re
import time

import pytest
from pydantic import ValidationError

from llmore.datasets.canonical import DataSchema
from llmore.datasets.cleaning import (
    RULE_CATALOG,
    PythonRule,
    RuleError,
    clean,
    html_to_text,
    parse_rules,
    preview,
    quality_score,
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><title>Returns | Example Shop</title>
  <meta charset="utf-8"><style>body { font-family: sans-serif }</style>
  <script>window.dataLayer = [{"page": "<p>returns</p>"}];</script></head>
<body>
  <h1>Return   policy</h1>
  <p>You can return items within <b>30&nbsp;days</b> of delivery &amp; get a
     full refund.<br>Questions? Write to <a href="mailto:help@example.com">our team</a>.</p>
  <ul><li>Unused items</li><li>In the original packaging</li></ul>
  <pre>def refund(order):
    return order.total</pre>
  <!-- tracking pixel --><img src="pixel.gif" alt="">
</body></html>"""


def _run(rows: list[dict], schema: DataSchema, rules: list[dict]) -> tuple[list[dict], list]:
    result = clean(rows, schema, parse_rules(rules))
    return list(result.rows), result.stats


def test_strip_html_turns_a_page_into_readable_text() -> None:
    assert html_to_text(PAGE) == (
        "Return policy\n"
        "You can return items within 30 days of delivery & get a full refund.\n"
        "Questions? Write to our team.\n"
        "- Unused items\n"
        "- In the original packaging\n"
        "def refund(order):\n"
        "    return order.total"
    )


def test_strip_html_rule_changes_html_and_leaves_plain_text_alone() -> None:
    rows = [
        {"_id": "page", "prompt": "Summarise this page:\n" + PAGE, "answer": "Returns within 30 days."},
        {"_id": "code", "prompt": "Is a < b and c > d for List<String>?", "answer": "Yes"},
        {"_id": "entity", "prompt": "Fish &amp; chips", "answer": "Tasty\n\nvery"},
    ]
    out, stats = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "strip_html"}])
    assert "<" not in out[0]["prompt"]
    assert "dataLayer" not in out[0]["prompt"]
    assert out[0]["prompt"].startswith("Summarise this page:")
    assert "\nReturn policy\nYou can return items within 30 days" in out[0]["prompt"]
    assert out[1] == rows[1]
    assert out[2] == {**rows[2], "prompt": "Fish & chips"}
    assert stats[0].changed == 2
    assert stats[0].dropped == 0
    assert stats[0].examples[0].before.startswith("Summarise this page:\n<!DOCTYPE html>")


def test_strip_html_can_keep_the_source_line_breaks() -> None:
    text = ("# Title\n\nSome <b>bold</b> text.\nNext line<br>after break\n\n"
            "Use the `<div>` tag:\n```html\n<div>  x</div>\n```")
    out, _ = _run([{"_id": "md", "text": text}], DataSchema.TEXT, [{"rule": "strip_html", "keep_newlines": True}])
    assert out[0]["text"] == (
        "# Title\n\nSome bold text.\nNext line\nafter break\n\nUse the `<div>` tag:\n```html\n<div>  x</div>\n```")


def test_normalize_unicode_repairs_mojibake_and_keeps_chinese_punctuation() -> None:
    broken = "CafÃ© crÃ¨me costs â‚¬3 â€” æˆ‘ä»¬å–œæ¬¢å’–å•¡"
    rows = [{"_id": "1", "text": broken}, {"_id": "2", "text": "你好，世界！ＡＢＣ　１２３ ﬁne"}]
    out, stats = _run(rows, DataSchema.TEXT, [{"rule": "normalize_unicode"}])
    assert out[0]["text"] == "Café crème costs €3 — 我们喜欢咖啡"
    assert out[1]["text"] == "你好，世界！ＡＢＣ　１２３ fine"
    assert stats[0].changed == 2
    out, _ = _run(rows[1:], DataSchema.TEXT, [{"rule": "normalize_unicode", "full_width_to_half_width": True}])
    assert out[0]["text"] == "你好,世界!ABC 123 fine"


def test_normalize_whitespace_keeps_indentation() -> None:
    rows = [{"_id": "1", "prompt": "  Fix   this\u00a0code:\r\n\r\n\r\n\r\ndef f():\n    return  1   \u200b",
             "answer": "ok"}]
    out, _ = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "normalize_whitespace"}])
    assert out[0]["prompt"] == "Fix this code:\n\ndef f():\n    return 1"


def test_drop_regex_drops_matching_rows_on_the_chosen_side() -> None:
    rows = [
        {"_id": "refusal", "prompt": "Tell me a joke", "answer": "As an AI language model, I cannot."},
        {"_id": "fine", "prompt": "Are you an AI language model?", "answer": "Yes, I am."},
    ]
    rules = [{"rule": "drop_regex", "pattern": r"^as an ai\b", "ignore_case": True, "side": "answer"}]
    out, stats = _run(rows, DataSchema.PROMPT_ANSWER, rules)
    assert [row["_id"] for row in out] == ["fine"]
    assert stats[0].dropped == 1
    assert stats[0].examples[0].row_id == "refusal"
    out, _ = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "drop_regex", "pattern": r"\p{Han}"}])
    assert len(out) == 2


def test_an_invalid_regex_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_rules([{"rule": "strip_html"}, {"rule": "drop_regex", "pattern": "(unclosed"}])
    error = caught.value.errors()[0]
    assert error["loc"] == (1, "drop_regex", "pattern")
    assert "invalid regular expression" in error["msg"]


def test_a_catastrophic_regex_fails_fast_with_advice() -> None:
    rows = [{"_id": "evil", "text": "a" * 40 + "!"}]
    started = time.monotonic()
    with pytest.raises(RuleError, match="backtracks") as caught:
        _run(rows, DataSchema.TEXT, [{"rule": "drop_regex", "pattern": r"(a|aa)+$"}])
    assert time.monotonic() - started < 5
    assert caught.value.row_id == "evil"


def test_mask_pii_masks_every_text_field_and_only_the_kinds_asked() -> None:
    rows = [{"_id": "1", "messages": [
        {"role": "user", "content": "My email is li.lei@example.com and my phone is 13812345678."},
        {"role": "assistant", "content": "I will mail li.lei@example.com today."},
    ]}]
    out, stats = _run(rows, DataSchema.CHAT, [{"rule": "mask_pii"}])
    assert out[0]["messages"][0]["content"] == "My email is [EMAIL] and my phone is [PHONE]."
    assert out[0]["messages"][1]["content"] == "I will mail [EMAIL] today."
    assert stats[0].examples[0].field == "messages.0.content"
    out, _ = _run(rows, DataSchema.CHAT, [{"rule": "mask_pii", "kinds": ["phone"]}])
    assert out[0]["messages"][0]["content"] == "My email is li.lei@example.com and my phone is [PHONE]."
    with pytest.raises(ValidationError):
        parse_rules([{"rule": "mask_pii", "kinds": ["passport"]}])


def test_length_filters_by_side() -> None:
    rows = [{"_id": "short", "prompt": "A long enough question here?", "answer": "No"},
            {"_id": "long", "prompt": "Hi", "answer": "A reasonably long answer."}]
    out, _ = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "length", "min_chars": 5, "side": "answer"}])
    assert [row["_id"] for row in out] == ["long"]
    out, _ = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "length", "max_chars": 10, "side": "prompt"}])
    assert [row["_id"] for row in out] == ["long"]
    with pytest.raises(ValidationError, match="smaller than min_chars"):
        parse_rules([{"rule": "length", "min_chars": 10, "max_chars": 5}])


def test_language_keeps_only_the_languages_asked() -> None:
    rows = [{"_id": "zh", "text": "今天天气很好，我们去公园散步吧。"},
            {"_id": "en", "text": "The weather is lovely today, so we are going for a walk."},
            {"_id": "fr", "text": "Il fait très beau aujourd'hui, nous allons nous promener dans le parc."},
            {"_id": "und", "text": "12345 67890"}]
    out, stats = _run(rows, DataSchema.TEXT, [{"rule": "language", "languages": ["zh", "en"]}])
    assert [row["_id"] for row in out] == ["zh", "en", "und"]
    assert stats[0].examples[0].note == "language fr"
    out, _ = _run(rows, DataSchema.TEXT, [{"rule": "language", "languages": ["zh"], "keep_undetermined": False}])
    assert [row["_id"] for row in out] == ["zh"]


def test_dedup_exact_and_near_keep_the_first_of_each_group() -> None:
    base = "The quick brown fox jumps over the lazy dog near the quiet river bank at dawn."
    rows = [{"_id": "a", "text": base}, {"_id": "b", "text": base.upper()},
            {"_id": "c", "text": base.replace("quiet", "calm")},
            {"_id": "d", "text": "Databases keep their indexes in B-trees so that lookups stay logarithmic."}]
    out, stats = _run(rows, DataSchema.TEXT, [{"rule": "dedup_exact"}])
    assert [row["_id"] for row in out] == ["a", "c", "d"]
    assert stats[0].examples[0].note == "duplicate of a"
    out, stats = _run(rows, DataSchema.TEXT, [{"rule": "dedup_exact"}, {"rule": "dedup_near", "threshold": 0.7}])
    assert [row["_id"] for row in out] == ["a", "d"]
    assert (stats[1].seen, stats[1].dropped) == (3, 1)


def test_dedup_on_the_prompt_side_drops_repeated_questions() -> None:
    rows = [{"_id": "1", "prompt": "What is LoRA?", "answer": "A low-rank adapter."},
            {"_id": "2", "prompt": "What is LoRA?", "answer": "Low-rank adaptation of weights."}]
    out, _ = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "dedup_exact", "side": "prompt"}])
    assert [row["_id"] for row in out] == ["1"]
    out, _ = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "dedup_exact"}])
    assert len(out) == 2


def test_min_quality_scores_and_drops_junk() -> None:
    good = {"_id": "good", "prompt": "How do I reset my password?",
            "answer": "Open Settings, choose Security and press Reset password."}
    repeated = {"_id": "rep", "prompt": "ha ha ha ha ha ha ha ha", "answer": "ha ha ha ha ha ha ha ha"}
    symbols = {"_id": "sym", "prompt": "!!!! ???? ★★★★ ---- ####", "answer": "@@@@ %%%% ~~~~"}
    no_answer = {"_id": "empty", "prompt": "Where is my order?", "answer": "  "}
    schema = DataSchema.PROMPT_ANSWER
    assert quality_score(good, schema) == 1.0
    assert quality_score(repeated, schema) < 0.5
    assert quality_score(symbols, schema) < 0.5
    assert quality_score(no_answer, schema) == 0.0
    out, stats = _run([good, repeated, symbols, no_answer], schema, [{"rule": "min_quality", "threshold": 0.5}])
    assert [row["_id"] for row in out] == ["good"]
    assert stats[0].dropped == 3


def test_rows_left_without_text_are_dropped_and_counted() -> None:
    rows = [{"_id": "1", "text": "<p> </p><br>"}, {"_id": "2", "text": "<p>kept</p>"}]
    out, stats = _run(rows, DataSchema.TEXT, [{"rule": "strip_html"}, {"rule": "normalize_whitespace"}])
    assert out == [{"_id": "2", "text": "kept"}]
    assert (stats[0].dropped, stats[0].emptied, stats[0].examples[0].note) == (1, 1, "no text left")


def test_labels_and_ids_are_never_changed() -> None:
    rows = [{"_id": "x1", "text": "<b>Great</b> product", "label": "<b>positive</b>", "_split": "train"}]
    out, _ = _run(rows, DataSchema.CLASSIFICATION, [{"rule": "strip_html"}, {"rule": "mask_pii"}])
    assert out == [{"_id": "x1", "text": "Great product", "label": "<b>positive</b>", "_split": "train"}]


# --------------------------------------------------------------------------- user rules


def test_a_python_rule_changes_and_drops_rows() -> None:
    code = (
        "BANNED = {'spam', 'scam'}\n"
        "def rule(row):\n"
        "    if any(word in row['prompt'].lower() for word in BANNED):\n"
        "        return None\n"
        "    row['answer'] = re.sub(r'\\s+', ' ', row['answer']).strip()\n"
        "    row['_id'] = 'hijacked'\n"
        "    return row\n"
    )
    rows = [{"_id": "1", "prompt": "Buy SPAM now", "answer": "no"},
            {"_id": "2", "prompt": "Hello", "answer": "  Hi   there  "}]
    out, stats = _run(rows, DataSchema.PROMPT_ANSWER, [{"rule": "python", "code": code}])
    assert out == [{"_id": "2", "prompt": "Hello", "answer": "Hi there"}]
    assert (stats[0].dropped, stats[0].changed) == (1, 1)
    assert rows[1]["answer"] == "  Hi   there  "  # the rule worked on a copy


def test_a_python_rule_with_a_syntax_error_reports_its_line() -> None:
    code = "def rule(row):\n    text = row['text']\n    if text.startswith('x')\n        return None\n    return row\n"
    with pytest.raises(ValidationError) as caught:
        parse_rules([{"rule": "python", "code": code}])
    error = caught.value.errors()[0]
    assert error["loc"] == (0, "python", "code")
    assert "line 3: syntax error" in error["msg"]


@pytest.mark.parametrize(("code", "message"), [
    ("import os\ndef rule(row):\n    return row\n", "line 1: imports are not allowed"),
    ("def rule(row):\n    from subprocess import run\n    return row\n", "line 2: imports are not allowed"),
    ("def rule(row):\n    return open('/etc/passwd').read()\n", "line 2: 'open' is not allowed"),
    ("def rule(row):\n    return eval(row['text'])\n", "line 2: 'eval' is not allowed"),
    ("def rule(row):\n    b = __builtins__\n    return row\n", "line 2: '__builtins__' is not allowed"),
    ("def rule(row):\n\n    return row.__class__.__mro__\n", "line 3: attribute '__mro__' is not allowed"),
    ("def rule(row):\n    return getattr(row, 'x')\n", "line 2: 'getattr' is not allowed"),
    ("def transform(row):\n    return row\n", "define a function: def rule(row)"),
    ("def rule(row, extra):\n    return row\n", "line 1: rule() takes exactly one argument"),
])
def test_forbidden_code_is_refused_with_its_line(code: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        PythonRule(code=code)


def test_a_python_rule_that_fails_on_the_sample_stops_before_the_run() -> None:
    code = "def rule(row):\n    size = len(row['text'])\n    return row if 100 / size > 1 else None\n"
    rows = [{"_id": str(i), "text": "" if i == 3 else "word"} for i in range(100)]
    with pytest.raises(RuleError) as caught:
        clean(rows, DataSchema.TEXT, parse_rules([{"rule": "python", "code": code}]))
    assert caught.value.line == 3
    assert caught.value.row_id == "3"
    assert "line 3: ZeroDivisionError" in str(caught.value)


def test_on_error_drop_counts_the_errors_and_goes_on() -> None:
    code = "def rule(row):\n    row['text'] = row['text'] + str(1 / len(row['text'].strip()))\n    return row\n"
    rows = [{"_id": "ok", "text": "abc"}, {"_id": "bad", "text": "   "}]
    out, stats = _run(rows, DataSchema.TEXT, [{"rule": "python", "code": code, "on_error": "drop"}])
    assert [row["_id"] for row in out] == ["ok"]
    assert (stats[0].errors, stats[0].dropped) == (1, 1)
    assert stats[0].examples[-1].note == "line 2: ZeroDivisionError: division by zero"


def test_an_endless_user_loop_is_stopped() -> None:
    code = "def rule(row):\n    n = 0\n    while True:\n        n += 1\n"
    started = time.monotonic()
    with pytest.raises(RuleError, match=r"ran longer than 0\.2 s"):
        clean([{"_id": "1", "text": "x"}], DataSchema.TEXT,
              parse_rules([{"rule": "python", "code": code, "timeout_seconds": 0.2, "on_error": "keep"}]))
    assert time.monotonic() - started < 3


def test_a_user_rule_must_return_a_row_of_the_schema() -> None:
    code = "def rule(row):\n    return {'question': row['prompt']}\n"
    with pytest.raises(RuleError, match="not a prompt_answer row"):
        clean([{"_id": "1", "prompt": "p", "answer": "a"}], DataSchema.PROMPT_ANSWER,
              parse_rules([{"rule": "python", "code": code}]))


# --------------------------------------------------------------------------- preview, stats, catalog


def _mixed_rows(count: int) -> list[dict]:
    rows = []
    for i in range(count):
        kind = i % 5
        prompt = {0: f"<p>Question {i}: how do refunds work?</p>", 1: "Duplicate question about refunds?",
                  2: f"Call me on 1381234{i:04d}", 3: "x", 4: f"Plain question number {i} about shipping?"}[kind]
        rows.append({"_id": f"r{i}", "prompt": prompt, "answer": f"Answer {i} explains the policy."})
    return rows


RULES = [{"rule": "strip_html"}, {"rule": "mask_pii"}, {"rule": "length", "min_chars": 3, "side": "prompt"},
         {"rule": "dedup_exact", "side": "prompt"}, {"rule": "normalize_whitespace"}]


def test_preview_numbers_equal_a_real_run_on_the_same_rows() -> None:
    rows = _mixed_rows(300)
    shown = preview(iter(rows), DataSchema.PROMPT_ANSWER, parse_rules(RULES), limit=200)
    result = clean(rows[:200], DataSchema.PROMPT_ANSWER, parse_rules(RULES))
    kept = list(result.rows)
    summary = result.summary()
    assert (shown.input_rows, shown.output_rows, shown.dropped) == (200, len(kept), summary.dropped)
    for previewed, real in zip(shown.rules, summary.rules, strict=True):
        assert (previewed.rule, previewed.seen, previewed.kept, previewed.dropped, previewed.changed) == (
            real.rule, real.seen, real.kept, real.dropped, real.changed)
    by_rule = {stats.rule: stats for stats in shown.rules}
    assert by_rule["strip_html"].changed == 40
    assert by_rule["mask_pii"].changed == 40
    assert by_rule["length"].dropped == 40
    assert by_rule["dedup_exact"].dropped == 39 + 39  # the repeated question, and the phones once masked
    example = by_rule["mask_pii"].examples[0]
    assert example.before == "Call me on 13812340002"
    assert example.after == "Call me on [PHONE]"


def test_clean_streams_and_reports_progress() -> None:
    seen: list[int] = []
    produced: list[str] = []

    def rows():
        for i in range(2500):
            produced.append(str(i))
            yield {"_id": str(i), "text": f"row {i}"}

    result = clean(rows(), DataSchema.TEXT, parse_rules([{"rule": "normalize_whitespace"}]), progress=seen.append)
    first = next(iter(result))
    assert first["_id"] == "0"
    assert len(produced) == 1
    assert sum(1 for _ in result) == 2499
    assert seen == [1000, 2000, 2500]
    assert result.summary().output_rows == 2500


def test_the_catalog_describes_every_rule() -> None:
    names = [entry["name"] for entry in RULE_CATALOG]
    assert names == ["strip_html", "normalize_unicode", "normalize_whitespace", "dedup_exact", "dedup_near",
                     "length", "language", "drop_regex", "mask_pii", "min_quality", "python"]
    for entry in RULE_CATALOG:
        assert entry["description"]
        assert not entry["description"].endswith(":")
        assert entry["params_schema"]["additionalProperties"] is False
    python = next(entry for entry in RULE_CATALOG if entry["name"] == "python")
    assert "code" in python["params_schema"]["required"]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_rules([{"rule": "length", "min_char": 3}])
