"""Throughput and latency of the transformers engine's dynamic batching on SmolLM2-135M; prints JSON.

In one run, on the same 8 chat prompts with the same ``max_tokens`` and greedy decoding:

* **baseline**: plain ``model.generate`` on each prompt in turn (what serving one request at a
  time behind a lock achieves);
* **batched**: the engine (:class:`~llmore.serving.engines.transformers_engine.TransformersEngine`)
  with all 8 prompts streamed concurrently, measuring time to first token and inter-token
  latency of every stream.

Aggregate tokens/s is the generated tokens of all prompts over the wall time. Target: batched
≥ 3× baseline. SmolLM2 is converted from its PyPI package on first use (about 25 s).

    .venv/bin/python benchmarks/serving.py [--streams 8] [--max-tokens 64] [--home DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SPEEDUP = 3.0
TOPICS = ["the ocean", "a mountain village", "machine learning", "coffee", "the moon landing", "chess",
          "a rainy day in Paris", "honey bees", "volcanoes", "the printing press", "jazz", "bicycles"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_percentile(values, 50) * 1000, 2), "p99_ms": round(_percentile(values, 99) * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--home", type=Path, default=None, help="LLMORE_HOME holding (or to hold) SmolLM2.")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    from llmore.models.bundled import prepare_smollm2
    from llmore.serving import protocol as p
    from llmore.serving.engines.transformers_engine import TransformersEngine
    from llmore.settings import Settings

    home = args.home or Path(os.environ.get("LLMORE_HOME") or tempfile.mkdtemp(prefix="llmore-bench-"))
    model_dir = prepare_smollm2(Settings(home=home)).prepared_path
    assert model_dir is not None
    engine = TransformersEngine(model_dir, served_name="smollm2", max_batch_size=args.streams)
    messages = [[{"role": "user", "content": f"Write a short paragraph about {TOPICS[i % len(TOPICS)]}."}]
                for i in range(args.streams)]

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

    async def stream(m: list[dict[str, str]]) -> tuple[float, list[float], int]:
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

    async def batched() -> tuple[float, list[tuple[float, list[float], int]]]:
        await stream(messages[0][:1])  # warm-up
        started = time.perf_counter()
        results = await asyncio.gather(*(stream(m) for m in messages))
        return time.perf_counter() - started, results

    batched_s, results = asyncio.run(batched())
    engine.close()
    batched_tokens = sum(tokens for _, _, tokens in results)
    baseline_tps = baseline_tokens / baseline_s
    batched_tps = batched_tokens / batched_s
    report = {
        "benchmark": "serving",
        "model": "SmolLM2-135M-Instruct",
        "device": "cpu" if not torch.cuda.is_available() else torch.cuda.get_device_name(),
        "torch_threads": torch.get_num_threads(),
        "streams": args.streams,
        "max_tokens": args.max_tokens,
        "baseline_sequential_generate": {"tokens": baseline_tokens, "seconds": round(baseline_s, 3),
                                         "tokens_per_s": round(baseline_tps, 1)},
        "transformers_engine_concurrent": {
            "tokens": batched_tokens, "seconds": round(batched_s, 3), "tokens_per_s": round(batched_tps, 1),
            "time_to_first_token": _ms([ttft for ttft, _, _ in results]),
            "inter_token_latency": _ms([gap for _, gaps, _ in results for gap in gaps]),
            "mean_inter_token_ms": round(statistics.mean(g for _, gaps, _ in results for g in gaps) * 1000, 2),
        },
        "speedup": round(batched_tps / baseline_tps, 2),
        "target_speedup": TARGET_SPEEDUP,
        "meets_target": batched_tps / baseline_tps >= TARGET_SPEEDUP,
        "vllm": None,
    }
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
