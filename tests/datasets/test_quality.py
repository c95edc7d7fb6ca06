"""The quality report: what it finds on messy data, how it scores, leakage, and the benchmark's JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmore.datasets.canonical import DataSchema
from llmore.datasets.quality import BATCH_ROWS, QualityReport, Severity, quality_report

ROOT = Path(__file__).resolve().parents[2]

CLEAN = [
    ("What is the capital of France?", "The capital of France is Paris, which lies on the river Seine."),
    ("How do plants make their food?", "Plants use sunlight, water and carbon dioxide to make sugar."),
    ("Name three primary colours.", "Red, yellow and blue are the traditional primary colours in painting."),
    ("Why is the sky blue?", "Air scatters blue light from the sun more strongly than red light."),
    ("What does a compiler do?", "A compiler translates source code written by people into machine code."),
    ("如何重置密码？", "打开设置页面，选择账户安全，点击重置密码，然后按照邮件中的链接完成操作。"),
    ("光合作用是什么？", "光合作用是绿色植物利用阳光、水和二氧化碳制造有机物并释放氧气的过程。"),
    ("推荐一本入门的机器学习书。", "可以先读周志华的《机器学习》，它系统地介绍了常见算法和基本概念。"),
    ("How many days are in a leap year?", "A leap year has 366 days; the extra day is the 29th of February."),
    ("What is the boiling point of water?", "At sea level, pure water boils at 100 degrees Celsius or 212 Fahrenheit."),
]


def rows_of(pairs: list[tuple[str, str]], prefix: str = "r") -> list[dict[str, Any]]:
    return [{"_id": f"{prefix}{i}", "prompt": prompt, "answer": answer} for i, (prompt, answer) in enumerate(pairs)]


def messy_rows() -> list[dict[str, Any]]:
    pairs = list(CLEAN)
    paris = "The capital of France is Paris, which lies on the river Seine"
    pairs += [
        ("what is the capital of  FRANCE?", f"{paris}."),  # r10 exact
        ("What is the capital of France?", f"{paris}!"),  # r11 near
        ("Tell me a joke.", "   "),  # r12 empty answer
        ("Summarise this article.", ""),  # r13 empty answer
        ("我的电话是13812345678，请回电。", "好的，我们会尽快拨打13812345678联系您。"),  # r14 phone
        ("Send the invoice to zhang.san@example.com", "Done, the invoice went to zhang.san@example.com."),  # r15 email
        ("如何重置密码？", "打开设置页面，选择账户安全，点击重置密码，然后按照邮件中的链接完成操作。"),  # r16 exact
    ]
    return rows_of(pairs)


def problem(report: QualityReport, code: str) -> Any:
    return next(p for p in report.problems if p.code == code)


def test_a_messy_sample_names_its_problems() -> None:
    report = quality_report(messy_rows(), DataSchema.PROMPT_ANSWER, import_errors=2)
    codes = [p.code for p in report.problems]
    assert set(codes) >= {"exact_duplicates", "near_duplicates", "empty_fields", "pii", "import_errors"}
    assert report.problems == sorted(report.problems, key=lambda p: -p.penalty)  # worst first

    exact = problem(report, "exact_duplicates")
    assert exact.rows == 2
    assert set(exact.examples) == {"r10", "r16"}
    assert {group.row_ids[0] for group in report.exact_duplicates.examples} == {"r0", "r5"}
    near = report.near_duplicates
    assert near.rows == 1
    assert (near.examples[0].keep_id, near.examples[0].duplicate_id) == ("r0", "r11")
    assert near.examples[0].similarity >= 0.8
    empty = problem(report, "empty_fields")
    assert (empty.rows, set(empty.examples)) == (2, {"r12", "r13"})
    assert report.empty.by_field == {"answer": 2}
    assert report.pii.rows == 2
    assert report.pii.rows_by_kind == {"phone": 1, "email": 1}
    assert report.pii.hits == {"phone": 2, "email": 2}
    assert all("13812345678" not in e.snippet and "zhang.san" not in e.snippet for e in report.pii.examples)
    assert any("[PHONE]" in e.snippet for e in report.pii.examples)
    assert problem(report, "import_errors").rows == 2

    for item in report.problems:
        assert item.severity in set(Severity)
        assert item.advice_en
        assert item.advice_zh
        assert item.title_en
        assert item.title_zh
        assert any("\u4e00" <= char <= "\u9fff" for char in item.advice_zh)
    assert problem(report, "pii").severity is Severity.HIGH


def test_a_clean_set_scores_higher_than_a_messy_one() -> None:
    clean = quality_report(rows_of(CLEAN), DataSchema.PROMPT_ANSWER)
    messy = quality_report(messy_rows(), DataSchema.PROMPT_ANSWER)
    assert clean.problems == []
    assert clean.score == 100
    assert messy.score < clean.score
    less_messy = quality_report(messy_rows()[:12], DataSchema.PROMPT_ANSWER)  # only the duplicates
    assert messy.score < less_messy.score < clean.score


def test_leakage_finds_exact_and_near_copies_of_test_prompts() -> None:
    test = rows_of([
        ("What is the capital of France?", "The capital of France is Paris, which lies on the river Seine."),
        ("Why is the sky blue?", "Because of the weather."),
        ("How do plants make their food ?!", "They eat soil."),
        ("什么是光合作用？请简单解释一下。", "绿色植物制造有机物的过程。"),
        ("What is the tallest mountain on Earth?", "Mount Everest, at 8,849 metres above sea level."),
    ], prefix="t")
    test[2]["prompt"] = "how do PLANTS make their food!!"  # punctuation and case: a near copy
    report = quality_report(rows_of(CLEAN), DataSchema.PROMPT_ANSWER, test_rows=test)
    leakage = report.leakage
    assert leakage is not None
    assert (leakage.test_rows, leakage.exact_prompt, leakage.exact_prompt_answer, leakage.near_prompt) == (5, 2, 1, 1)
    assert leakage.leaked_rows == 3
    by_test = {example.test_id: example for example in leakage.examples}
    assert (by_test["t0"].train_id, by_test["t0"].match) == ("r0", "exact_prompt_answer")
    assert (by_test["t1"].train_id, by_test["t1"].match) == ("r3", "exact_prompt")
    assert (by_test["t2"].train_id, by_test["t2"].match) == ("r1", "near_prompt")
    leak = problem(report, "train_test_leakage")
    assert leak.severity is Severity.HIGH
    assert leak.share == pytest.approx(3 / 5)
    assert set(leak.examples) == {"t0", "t1", "t2"}


def test_no_test_rows_means_no_leakage_section() -> None:
    assert quality_report(rows_of(CLEAN), DataSchema.PROMPT_ANSWER).leakage is None


def test_classification_balance_and_conflicting_labels() -> None:
    rows = [{"_id": f"p{i}", "text": f"I love this product, version {i} works great", "label": "positive"}
            for i in range(12)]
    rows += [{"_id": "n0", "text": "Terrible, it broke after one day", "label": "negative"},
             {"_id": "n1", "text": "I love this product, version 3 works great", "label": "negative"}]
    report = quality_report(rows, DataSchema.CLASSIFICATION)
    labels = report.labels
    assert labels is not None
    assert labels.counts == {"positive": 12, "negative": 2}
    assert (labels.majority, labels.minority, labels.imbalance_ratio) == ("positive", "negative", 6.0)
    assert labels.conflicting_rows == 1
    assert problem(report, "label_conflicts").examples == ["n1"]
    assert "positive" in problem(report, "label_imbalance").advice_en


def test_chat_rows_report_empty_fields_by_path_and_lengths_by_side() -> None:
    rows = [
        {"_id": "c0", "messages": [{"role": "system", "content": "You are helpful."},
                                   {"role": "user", "content": "Hi there, how are you today?"},
                                   {"role": "assistant", "content": "I am fine, thank you for asking!"}]},
        {"_id": "c1", "messages": [{"role": "user", "content": "Tell me a story about a dragon."},
                                   {"role": "assistant", "content": " "}]},
    ]
    report = quality_report(rows, DataSchema.CHAT)
    assert report.empty.by_field == {"messages.1.content": 1}
    assert report.empty.examples == ["c1"]
    chars = report.lengths.chars
    assert chars.prompt.max == len("You are helpful.\nHi there, how are you today?")
    assert chars.answer.max == len("I am fine, thank you for asking!")
    assert report.lengths.tokens is None


def test_length_distribution_percentiles_and_buckets() -> None:
    rows = [{"_id": str(i), "text": "x" * length} for i, length in enumerate([5] * 50 + [100] * 40 + [3000] * 10)]
    prompt = quality_report(rows, DataSchema.TEXT).lengths.chars.prompt
    assert (prompt.count, prompt.p50, prompt.p90, prompt.p99, prompt.max) == (100, 5, 100, 3000, 3000)
    assert {(b.low, b.high): b.count for b in prompt.histogram if b.count} == {(1, 16): 50, (64, 128): 40,
                                                                              (2048, 4096): 10}


def test_token_lengths_with_a_local_tokenizer(tiny_causal_lm: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_causal_lm)
    report = quality_report(rows_of(CLEAN), DataSchema.PROMPT_ANSWER, tokenizer_path=str(tiny_causal_lm))
    tokens = report.lengths.tokens
    assert tokens is not None
    assert report.lengths.tokenizer == str(tiny_causal_lm)
    expected = max(len(tokenizer(answer, add_special_tokens=False)["input_ids"]) for _, answer in CLEAN)
    assert tokens.answer.max == expected
    assert tokens.prompt.count == len(CLEAN)


def test_language_mix_and_outliers() -> None:
    rows = rows_of(CLEAN * 3 + [("Wie spät ist es bitte?", "Es ist jetzt genau drei Uhr am Nachmittag.")])
    report = quality_report(rows, DataSchema.PROMPT_ANSWER)
    languages = {share.language: share.rows for share in report.languages}
    assert languages == {"en": 21, "zh": 9, "de": 1}
    outliers = problem(report, "language_outliers")
    assert outliers.examples == ["r30"]
    assert outliers.severity is Severity.LOW


def test_malformed_rows_are_counted_not_fatal() -> None:
    rows = [*rows_of(CLEAN[:3]), {"_id": "bad", "question": "no prompt field"}]
    report = quality_report(rows, DataSchema.PROMPT_ANSWER)
    assert (report.rows, report.malformed_rows) == (3, 1)
    assert problem(report, "import_errors").examples == ["bad"]


def test_report_is_json_serialisable_and_reports_progress() -> None:
    calls: list[tuple[float, float, str]] = []
    report = quality_report(iter(messy_rows()), DataSchema.PROMPT_ANSWER,
                            progress=lambda done, total, message: calls.append((done, total, message)))
    document = json.loads(report.model_dump_json())
    assert document["score"] == report.score
    assert document["data_schema"] == "prompt_answer"
    assert QualityReport.model_validate(document) == report
    assert calls[-1][0] == calls[-1][1]
    assert calls[-1][2] == "report ready"


def test_an_empty_dataset() -> None:
    report = quality_report([], DataSchema.TEXT)
    assert (report.rows, report.score, report.problems) == (0, 100, [])


def test_worker_processes_give_the_same_report() -> None:
    rows = [{"_id": f"r{i}", "text": f"Row number {i} talks about topic {i % 977} in {i % 13} short sentences."}
            for i in range(BATCH_ROWS + 300)]
    rows += [{"_id": "copy", "text": rows[5]["text"]}, {"_id": "pii", "text": "mail me at a.b@example.com"}]
    alone = quality_report(rows, DataSchema.TEXT, workers=0).model_dump(exclude={"elapsed_seconds"})
    pooled = quality_report(iter(rows), DataSchema.TEXT, workers=2).model_dump(exclude={"elapsed_seconds"})
    assert pooled == alone
    assert alone["exact_duplicates"]["rows"] == 1


@pytest.mark.slow
def test_benchmark_prints_its_json() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "data_pipeline.py"), "--rows", "20000", "--test-rows", "500",
               "--baseline-rows", "1000", "--import-gb", "0.02"]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, timeout=240).stdout)
    assert result["rows"] == 20000
    for part in ("quality_report", "near_duplicates"):
        assert result[part]["seconds"] > 0
        assert 0 < result[part]["peak_rss_mb"] < 4096
        assert isinstance(result[part]["meets_target"], bool)
    assert result["quality_report"]["exact_duplicate_rows"] > 0
    assert result["quality_report"]["near_duplicate_rows"] > 0
    assert result["streaming_import"]["rows"] > 0
    assert result["streaming_import"]["schema"] == "alpaca"
    assert result["quality_report"]["leaked_test_rows"] > 0
    assert result["baseline_scan"]["seconds"] > 0
    assert result["quality_report_vs_scan"] > 0
    assert result["baseline_datasketch"]["rows_measured"] == 1000
    assert result["datasketch_vs_near_duplicates"] > 0
    assert "streaming_import" in result
