"""``llmore eval metrics`` on a pair and on a JSONL file, and its answers to bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app

runner = CliRunner()


def test_scores_one_pair() -> None:
    result = runner.invoke(app, ["eval", "metrics", "-p", "hahaha I love this cat.", "-r", "I love this cat.",
                                 "-r", "I really love this cat.", "-m", "bleu_1", "-m", "rouge_1"])
    assert result.exit_code == 0, result.output
    assert "0.8333" in result.output
    assert "0.9091" in result.output


def test_scores_a_file_with_per_example_json(tmp_path: Path) -> None:
    rows = [{"prediction": "我喜欢猫", "references": ["我喜欢猫"]}, {"prediction": "今天下雨", "reference": "明天晴天"}]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "metrics", "-f", str(path), "-m", "exact_match", "-m", "chrf",
                                 "--chinese", "char", "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["exact_match"] == {"score": 0.5, "per_example": [1.0, 0.0]}
    assert scores["chrf"]["per_example"][0] == pytest.approx(1.0)


@pytest.mark.parametrize(("content", "message"), [
    ('{"prediction": "a", "references": ["a"]}\n{"prediction": "b"\n', "pairs.jsonl:2: not JSON"),
    ('{"prediction": "a", "references": [1]}\n', "pairs.jsonl:1: expected"),
    ('{"prediction": "a", "references": [""]}\n', "example 0 has none"),
    ("\n", "holds no examples"),
])
def test_bad_files_say_what_and_where(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["eval", "metrics", "-f", str(path), "-m", "bleu_4"])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_unknown_metric_lists_the_known_ones() -> None:
    result = runner.invoke(app, ["eval", "metrics", "-p", "a", "-r", "a", "-m", "bleurt"])
    assert result.exit_code == 1
    assert "Unknown metrics: bleurt" in result.output
    assert "rouge_l" in result.output
