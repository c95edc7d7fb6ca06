"""Throughput and latency of the transformers engine's dynamic batching on SmolLM2-135M; prints JSON.

In one run, on the same 8 chat prompts with the same ``max_tokens`` and greedy decoding:

* **baseline**: plain ``model.generate`` on each prompt in turn (what serving one request at a
  time behind a lock achieves);
* **batched**: the engine (:class:`~llmore.serving.engines.transformers_engine.TransformersEngine`)
  with all 8 prompts streamed concurrently, measuring time to first token and inter-token
  latency of every stream.

Aggregate tokens/s is the generated tokens of all prompts over the wall time. Target: batched
≥ 3× baseline. SmolLM2 is converted from its PyPI package on first use (about 25 s).

Part (b), when the vllm engine is installed (``llmore engines install vllm``), else skipped with the
reason under ``"vllm"``: one ``llmore worker --engine vllm`` on SmolLM2, loaded with
``--vllm-streams`` concurrent chat streams of exactly ``--max-tokens`` tokens each (greedy,
``min_tokens`` = ``max_tokens``), in rounds that alternate between the vLLM server the worker started
(raw vLLM, called directly at its own port) and the LLMore worker in front of it — the same server
and flags, so the difference is the worker's proxying. Reported for both: aggregate tokens/s (median
of the rounds), time to first token and inter-token latency p50/p99. Target: worker ≥ 0.95 × raw.

    .venv/bin/python benchmarks/serving.py [--part a|b|both] [--streams 8] [--vllm-streams 16]
        [--max-tokens 64] [--rounds 3] [--vllm-arg=--enforce-eager] [--home DIR] [--engines-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

TARGET_SPEEDUP = 3.0
TARGET_VLLM_RATIO = 0.95
VLLM_STARTUP_S = 600
TOPICS = ["the ocean", "a mountain village", "machine learning", "coffee", "the moon landing", "chess",
          "a rainy day in Paris", "honey bees", "volcanoes", "the printing press", "jazz", "bicycles"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_percentile(values, 50) * 1000, 2), "p99_ms": round(_percentile(values, 99) * 1000, 2)}

Stream = tuple[float, list[float], int]
"""One stream's time to first token, gaps between its tokens, and tokens generated."""


def _latencies(results: list[Stream]) -> dict[str, Any]:
    gaps = [gap for _, stream_gaps, _ in results for gap in stream_gaps]
    return {"time_to_first_token": _ms([ttft for ttft, _, _ in results]), "inter_token_latency": _ms(gaps),
            "mean_inter_token_ms": round(statistics.mean(gaps) * 1000, 2)}


def _prompts(count: int) -> list[list[dict[str, str]]]:
    return [[{"role": "user", "content": f"Write a short paragraph about {TOPICS[i % len(TOPICS)]}."}]
            for i in range(count)]


def transformers_part(args: argparse.Namespace, model_dir: Path) -> dict[str, Any]:
    """Part (a): sequential ``model.generate`` against the transformers engine's concurrent streams."""
    import torch

    from llmore.serving import protocol as p
    from llmore.serving.engines.transformers_engine import TransformersEngine

    engine = TransformersEngine(model_dir, served_name="smollm2", max_batch_size=args.streams)
    messages = _prompts(args.streams)

    # Baseline: plain generate, one prompt after another.
    tokenizer, model = engine.tokenizer, engine.model
    prompts = [torch.tensor([tokenizer.encode(tokenizer.apply_chat_template(m, add_generation_prompt=True,
                                                                            tokenize=False),
                                              add_special_tokens=False)]) for m in messages]
    with torch.no_grad():
        model.generate(prompts[0], attention_mask=torch.ones_like(prompts[0]), max_new_tokens=4, do_sample=False)
        start = time.perf_counter()
        baseline_tokens = 0
        for ids in prompts:
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=args.max_tokens,
                                 do_sample=False)
            baseline_tokens += out.shape[1] - ids.shape[1]
        baseline_s = time.perf_counter() - start

    async def stream(m: list[dict[str, str]]) -> Stream:
        request = p.ChatCompletionRequest(model="smollm2", messages=m, max_tokens=args.max_tokens, temperature=0,
                                          stream=True)
        sent = time.perf_counter()
        arrivals: list[float] = []
        tokens = 0
        async for chunk in engine.chat_stream(request):
            if chunk.usage is not None:
                tokens = chunk.usage.completion_tokens
            elif chunk.choices and chunk.choices[0].delta.content:
                arrivals.append(time.perf_counter())
        gaps = [b - a for a, b in itertools.pairwise(arrivals)]
        return arrivals[0] - sent, gaps, tokens

    async def batched() -> tuple[float, list[Stream]]:
        await stream(messages[0][:1])  # warm-up
        started = time.perf_counter()
        results = await asyncio.gather(*(stream(m) for m in messages))
        return time.perf_counter() - started, results

    batched_s, results = asyncio.run(batched())
    engine.close()
    batched_tokens = sum(tokens for _, _, tokens in results)
    baseline_tps = baseline_tokens / baseline_s
    batched_tps = batched_tokens / batched_s
    return {
        "device": "cpu" if not torch.cuda.is_available() else torch.cuda.get_device_name(),
        "torch_threads": torch.get_num_threads(),
        "streams": args.streams,
        "max_tokens": args.max_tokens,
        "baseline_sequential_generate": {"tokens": baseline_tokens, "seconds": round(baseline_s, 3),
                                         "tokens_per_s": round(baseline_tps, 1)},
        "transformers_engine_concurrent": {"tokens": batched_tokens, "seconds": round(batched_s, 3),
                                           "tokens_per_s": round(batched_tps, 1), **_latencies(results)},
        "speedup": round(batched_tps / baseline_tps, 2),
        "target_speedup": TARGET_SPEEDUP,
        "meets_target": batched_tps / baseline_tps >= TARGET_SPEEDUP,
    }


async def _http_stream(client: httpx.AsyncClient, url: str, messages: list[dict[str, str]], max_tokens: int) -> Stream:
    """One greedy chat stream of exactly ``max_tokens`` tokens over HTTP (vLLM streams a token per chunk)."""
    body = {"model": "smollm2", "messages": messages, "max_tokens": max_tokens, "min_tokens": max_tokens,
            "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    sent = time.perf_counter()
    arrivals: list[float] = []
    tokens = 0
    async with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {(await response.aread())[:500]!r}")
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
            if chunk.get("choices") and chunk["choices"][0].get("delta", {}).get("content"):
                arrivals.append(time.perf_counter())
    return arrivals[0] - sent, [b - a for a, b in itertools.pairwise(arrivals)], tokens


async def _load_round(url: str, key: str, streams: int, max_tokens: int) -> tuple[float, list[Stream]]:
    """``streams`` concurrent streams against ``url``: tokens/s over the wall time, and each stream's timings."""
    limits = httpx.Limits(max_connections=streams + 1)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=600), limits=limits, headers=headers) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(_http_stream(client, url, m, max_tokens) for m in _prompts(streams)))
        seconds = time.perf_counter() - started
    return sum(tokens for _, _, tokens in results) / seconds, list(results)


def _start_vllm_worker(model_dir: Path, home: Path, engines_dir: Path, key: str,
                       vllm_args: list[str]) -> tuple[subprocess.Popen[str], str]:
    """``llmore worker --engine vllm`` on a free port, once healthy; its output goes to ``home``/worker.log."""
    from llmore.serving.engines.vllm_engine import free_port, log_tail

    port = free_port()
    log = home / "vllm-worker.log"
    environment = {**os.environ, "LLMORE_HOME": str(home), "LLMORE_ENGINES_DIR": str(engines_dir),
                   "LLMORE_WORKER_KEY": key, "HF_HUB_OFFLINE": "1"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "llmore.cli.main", "worker", "--model", str(model_dir),
                                    "--engine", "vllm", "--served-name", "smollm2", "--port", str(port),
                                    *(f"--engine-arg={arg}" for arg in vllm_args)],
                                   stdout=out, stderr=subprocess.STDOUT, env=environment, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + VLLM_STARTUP_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    process.terminate()
    raise RuntimeError(f"llmore worker --engine vllm did not start:\n{log_tail(log)}")


def vllm_part(args: argparse.Namespace, model_dir: Path, home: Path, engines_dir: Path) -> dict[str, Any]:
    """Part (b): the LLMore worker over vLLM against the raw vLLM server behind it, in alternating rounds."""
    from llmore.cli.engines import installed

    record = installed(engines_dir / "vllm")
    if record is None:
        return {"skipped": f"the vllm engine is not installed in {engines_dir}: run `llmore engines install vllm`"}
    key = "wk-bench-" + secrets.token_hex(8)
    process, worker_url = _start_vllm_worker(model_dir, home, engines_dir, key, args.vllm_arg)
    try:
        raw_url = httpx.get(f"{worker_url}/health", timeout=5).json()["engine_url"]
        urls = {"raw_vllm": raw_url, "llmore_worker": worker_url}
        rates: dict[str, list[float]] = {name: [] for name in urls}
        streams: dict[str, list[Stream]] = {name: [] for name in urls}
        for url in urls.values():  # warm-up: compile and cache paths on both
            asyncio.run(_load_round(url, key, 2, 8))
        for _ in range(args.rounds):
            for name, url in urls.items():
                rate, results = asyncio.run(_load_round(url, key, args.vllm_streams, args.max_tokens))
                rates[name].append(rate)
                streams[name].extend(results)
    finally:
        process.terminate()
        process.wait(timeout=60)
    sides = {name: {"tokens_per_s": round(statistics.median(rates[name]), 1),
                    "tokens_per_s_rounds": [round(r, 1) for r in rates[name]], **_latencies(streams[name])}
             for name in urls}
    ratio = statistics.median(rates["llmore_worker"]) / statistics.median(rates["raw_vllm"])
    return {"package": record["package"], "version": record["version"], "vllm_args": args.vllm_arg,
            "streams": args.vllm_streams,
            "max_tokens": args.max_tokens, "rounds": args.rounds, **sides, "ratio": round(ratio, 3),
            "target_ratio": TARGET_VLLM_RATIO, "meets_target": ratio >= TARGET_VLLM_RATIO}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    parser.add_argument("--streams", type=int, default=8, help="Concurrent streams of part (a).")
    parser.add_argument("--vllm-streams", type=int, default=16, help="Concurrent streams of part (b).")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="Rounds per side in part (b).")
    parser.add_argument("--vllm-arg", action="append", default=[],
                        help="Extra vLLM server flag for part (b), e.g. --vllm-arg=--enforce-eager; repeatable.")
    parser.add_argument("--home", type=Path, default=None, help="LLMORE_HOME holding (or to hold) SmolLM2.")
    parser.add_argument("--engines-dir", type=Path, default=None,
                        help="Where `llmore engines install` put vLLM (default: the settings' engines_dir).")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from llmore.models.bundled import prepare_smollm2
    from llmore.settings import Settings

    home = args.home or Path(os.environ.get("LLMORE_HOME") or tempfile.mkdtemp(prefix="llmore-bench-"))
    settings = Settings(home=home)
    model_dir = prepare_smollm2(settings).prepared_path
    assert model_dir is not None
    report: dict[str, Any] = {"benchmark": "serving", "model": "SmolLM2-135M-Instruct"}
    if args.part in ("a", "both"):
        report.update(transformers_part(args, model_dir))
    if args.part in ("b", "both"):
        engines_dir = (args.engines_dir or settings.effective_engines_dir).expanduser().resolve()
        report["vllm"] = vllm_part(args, model_dir, home, engines_dir)
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
