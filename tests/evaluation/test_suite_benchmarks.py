"""Benchmark files (C-Eval, CMMLU, MMLU CSV layouts) as suite items, and lm-evaluation-harness on a tiny model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from llmore.errors import AppError
from llmore.evaluation.suite import lm_eval_available, load_multiple_choice, run_lm_eval, score_item

CEVAL = ("\ufeffid,question,A,B,C,D,answer,explanation\n"
         '0,"下列量词搭配正确的是（ ）",一匹牛,一头马,一张纸,一本鱼,C,纸用张\n'
         "1,“守株待兔”比喻什么？,勤劳致富,死守经验,善于观察,见义勇为,B,\n")
CMMLU = (",Question,A,B,C,D,Answer\n"
         "0,水的化学式是什么？,CO2,H2O,O2,NaCl,B\n"
         "1,中国的首都是哪座城市？,上海,广州,北京,深圳,C\n"
         "2,一年有几个季节？,两个,三个,四个,五个,c\n")
MMLU = ('"Which planet is known as the red planet, seen from Earth?",Venus,Mars,Jupiter,Saturn,B\n'
        "What is 7 times 8?,54,56,64,48,B\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_three_layouts_load_with_prompts_and_answers(tmp_path: Path) -> None:
    ceval = load_multiple_choice(write(tmp_path, "ceval_val.csv", CEVAL))
    cmmlu = load_multiple_choice(write(tmp_path, "cmmlu_chemistry.csv", CMMLU))
    mmlu = load_multiple_choice(write(tmp_path, "astronomy_test.csv", MMLU))
    assert [item.reference for item in ceval] == ["C", "B"]
    assert [item.reference for item in cmmlu] == ["B", "C", "C"]  # a lower-case answer letter is accepted
    assert [item.reference for item in mmlu] == ["B", "B"]
    assert [item.id for item in cmmlu] == ["cmmlu_chemistry-1", "cmmlu_chemistry-2", "cmmlu_chemistry-3"]
    assert all(item.dimension is None for item in ceval + cmmlu + mmlu)
    first = ceval[0]
    assert "下列量词搭配正确的是（ ）\nA. 一匹牛\nB. 一头马\nC. 一张纸\nD. 一本鱼" in first.prompt
    assert first.prompt.startswith("以下是一道单项选择题")
    assert mmlu[0].prompt.startswith("The following is a multiple-choice question.")
    assert "Which planet is known as the red planet, seen from Earth?\nA. Venus\nB. Mars" in mmlu[0].prompt
    assert score_item(first, "答案：C") == 1.0
    assert score_item(first, "一张纸") == 1.0  # the option's text, without its letter
    assert score_item(mmlu[1], "The answer is A.") == 0.0


@pytest.mark.parametrize(("text", "line", "field", "says"), [
    ("id,question,A,B,C,answer\n1,q,a,b,c,A\n", 1, "header", "lacks the column(s) D"),
    (CMMLU.replace("NaCl,B", "NaCl,E"), 2, "answer", "answer 'E' is not one of A, B, C, D"),
    (MMLU + ",a,b,c,d,A\n", 3, "question", "the question is empty"),
    (MMLU + "What is 1 + 1?,1,2,B\n", 3, "row", "4 columns where 6 are needed"),
    ("\n\n", 1, "path", "the file has no questions"),
    ("id,question,A,B,C,D,answer\n", 1, "path", "a header but no questions"),
])
def test_bad_files_name_the_file_line_and_what_to_do(tmp_path: Path, text: str, line: int, field: str,
                                                     says: str) -> None:
    path = write(tmp_path, "bench.csv", text)
    with pytest.raises(AppError) as caught:
        load_multiple_choice(path)
    detail = caught.value.details[0]
    assert (detail["line"], detail["field"]) == (line, field)
    assert detail["message"].startswith(f"{path}:{line}: ")
    assert says in caught.value.message


def test_every_bad_line_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "bench.csv", "q1,a,b,c,d,X\nq2,a,b,c,d,A\nq3,a,b,c,d,Y\n")
    with pytest.raises(AppError) as caught:
        load_multiple_choice(path)
    assert [d["line"] for d in caught.value.details] == [1, 3]
    assert "(and 1 more problems)" in caught.value.message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AppError, match=r"Cannot read the benchmark file .*missing\.csv"):
        load_multiple_choice(tmp_path / "missing.csv")


# --- lm-evaluation-harness ----------------------------------------------------------------------------------------

QUESTIONS = [
    {"question": "What colour is the sky on a clear day?", "choices": ["blue", "green", "red"], "answer": 0},
    {"question": "How many legs does a spider have?", "choices": ["six", "eight", "ten", "four"], "answer": 1},
    {"question": "Which is a fruit?", "choices": ["carrot", "apple", "potato"], "answer": 1},
    {"question": "What do bees make?", "choices": ["milk", "silk", "honey"], "answer": 2},
    {"question": "Which number is even?", "choices": ["3", "7", "8", "9"], "answer": 2},
    {"question": "Where do fish live?", "choices": ["water", "trees", "sand"], "answer": 0},
]
TASK_YAML = """task: llmore_tiny_quiz
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: "{{{{answer}}}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
"""


def expected_accuracy(model_dir: Path, questions: list[dict]) -> float:
    """Accuracy computed here directly with transformers: the choice whose tokens the model finds most likely."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    right = 0
    for question in questions:
        context = f"Question: {question['question']}\nAnswer:"
        context_ids = tokenizer(context, add_special_tokens=False)["input_ids"]
        scores = []
        for choice in question["choices"]:
            whole = tokenizer(f"{context} {choice}", add_special_tokens=False)["input_ids"]
            with torch.no_grad():
                logits = model(torch.tensor([whole[:-1]])).logits[0].log_softmax(-1)
            scores.append(sum(logits[position - 1, whole[position]].item()
                              for position in range(len(context_ids), len(whole))))
        right += int(max(range(len(scores)), key=scores.__getitem__) == question["answer"])
    return right / len(questions)


def test_lm_eval_runs_a_local_task_on_a_local_model_offline(tiny_causal_lm: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("lm_eval")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # nothing cached beforehand: the data is the local file
    data = tmp_path / "quiz.jsonl"
    data.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "quiz.yaml").write_text(TASK_YAML.format(data=data), encoding="utf-8")
    assert lm_eval_available()
    results = run_lm_eval(tiny_causal_lm, ["llmore_tiny_quiz"], include_path=tasks, limit=5, batch_size=2)
    assert set(results) == {"llmore_tiny_quiz"}
    assert results["llmore_tiny_quiz"]["acc"] == pytest.approx(expected_accuracy(tiny_causal_lm, QUESTIONS[:5]))
    assert "acc_stderr" in results["llmore_tiny_quiz"]

    with pytest.raises(AppError, match="Unknown lm-evaluation-harness task 'hellaswag'") as caught:
        run_lm_eval(tiny_causal_lm, ["llmore_tiny_quiz", "hellaswag"], include_path=tasks)
    assert caught.value.details == [{"field": "tasks[1]", "message": "unknown task hellaswag"}]
    with pytest.raises(AppError, match="is not a model folder"):
        run_lm_eval(tmp_path, ["llmore_tiny_quiz"], include_path=tasks)


def test_without_the_package_a_clear_error_names_it(tiny_causal_lm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lm_eval", None)  # what Python reports for a package that is not installed
    assert not lm_eval_available()
    with pytest.raises(AppError, match=r"install the package `lm_eval`") as caught:
        run_lm_eval(tiny_causal_lm, ["any_task"])
    assert caught.value.code == "lm_eval_missing"
