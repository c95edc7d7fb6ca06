"""Speed of the evaluation metrics on 10,000 English and 10,000 Chinese pairs, and of a task eval's inference; JSON.

Synthetic but realistic pairs: references of 12-30 words (English from a fixed vocabulary, Chinese
from the 3,000 most frequent words of jieba's dictionary), predictions made from them by dropping,
replacing and inserting words, every fifth example with a second reference made the same way. Every text metric
(:data:`llmore.evaluation.metrics.TEXT_METRICS`: exact match, accuracy, P/R/F1, BLEU-1..4, ROUGE-1/2/L,
METEOR, TER, chrF) runs through :func:`llmore.evaluation.metrics.compute` with one worker per core,
timed from a cold start of the libraries (jieba's dictionary and WordNet loads are included), in
wall-clock seconds and in CPU seconds (this process and its workers), which stay meaningful when
other work shares the machine.
Baseline in the same run: the same metrics with one worker, so the gain of the parallel run shows.

Target: under 30 s for all 20,000 pairs on the 2-core reference machine.

Batch inference (``--part batch``): the prompts of a task evaluation (64 short classification and
question prompts) answered greedily by SmolLM2-135M-Instruct (``--tiny``: the tests' tiny random
model) through the same transformers engine twice: all submitted at once, as an evaluation run does
(:func:`llmore.evaluation.runs.generation.answer_all`, the batching loop decodes up to 32 rows per
forward pass), and one request at a time. Both exclude loading; the ratio is the speed-up.

    .venv/bin/python benchmarks/eval_metrics.py [--part metrics|batch|both] [--pairs 10000] [--skip-baseline]
        [--prompts 64] [--max-new-tokens 32] [--tiny]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

from llmore.evaluation.metrics import TEXT_METRICS, compute

TARGET_SECONDS = 30.0
SEED = 20251121
_ENGLISH_TEXT = (
    "the a an and of to in on for with at by from about into over after before under between through during "
    "model data answer question people time year day way man woman child world life hand part place case week "
    "company system program number group problem fact water room mother area money story night point home "
    "say get make go know take see come think look want give use find tell ask work seem feel try leave call "
    "good new first last long great little own other old right big high different small large next early young "
    "important few public bad same able quickly really very often still always never also just well even back"
)
ENGLISH_WORDS = _ENGLISH_TEXT.split()


def _chinese_words(count: int = 3000) -> list[str]:
    """The most frequent multi-character words of jieba's bundled dictionary."""
    lines = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8").splitlines()
    entries = sorted((line.split() for line in lines if line), key=lambda e: -int(e[1]))
    return [word for word, *_ in entries if len(word) >= 1][:count]


def _perturb(rng: random.Random, vocabulary: list[str], words: list[str]) -> list[str]:
    """A system-like variant: about 10 % of words dropped, 10 % replaced, 5 % inserted."""
    changed = []
    for word in words:
        roll = rng.random()
        if roll < 0.1:
            continue
        changed.append(rng.choice(vocabulary) if roll < 0.2 else word)
        if rng.random() < 0.05:
            changed.append(rng.choice(vocabulary))
    return changed


def _pairs(rng: random.Random, vocabulary: list[str], count: int, joiner: str, end: str
           ) -> tuple[list[str], list[list[str]]]:
    predictions, references = [], []
    for index in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(12, 30))]
        refs = [joiner.join(words) + end]
        if index % 5 == 0:  # a second reference: another wording of the same content
            refs.append(joiner.join(_perturb(rng, vocabulary, words)) + end)
        predictions.append(joiner.join(_perturb(rng, vocabulary, words)) + end)
        references.append(refs)
    return predictions, references


def run_metrics(pairs: int, workers: int) -> dict[str, object]:
    """Time every text metric over the English and the Chinese pairs."""
    rng = random.Random(SEED)
    english = _pairs(rng, list(ENGLISH_WORDS), pairs, " ", ".")
    chinese = _pairs(rng, _chinese_words(), pairs, "", "。")
    timings: dict[str, float] = {}
    scores: dict[str, dict[str, float]] = {}
    cpu: dict[str, float] = {}
    for language, (predictions, references) in (("english", english), ("chinese", chinese)):
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        results = compute(TEXT_METRICS, predictions, references, workers=workers)
        timings[language] = round(time.perf_counter() - started, 2)
        cpu[language] = round(_cpu_seconds() - cpu_started, 2)
        scores[language] = {name: round(result.score, 4) for name, result in results.items()}
    return {"pairs_per_language": pairs, "workers": workers, "seconds": timings,
            "total_seconds": round(sum(timings.values()), 2), "cpu_seconds": cpu,
            "total_cpu_seconds": round(sum(cpu.values()), 2), "corpus_scores": scores}


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers: the honest measure on a machine others share."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _eval_prompts(count: int) -> list[list[dict[str, str]]]:
    """Task-evaluation prompts: sentiment labels and short questions, as a prompt template would build them."""
    rng = random.Random(SEED)
    subjects = ("the battery", "the delivery", "the screen", "the staff", "the price", "the food", "the room")
    verdicts = ("was excellent", "broke after a week", "was fine", "made me angry", "exceeded my hopes")
    prompts = []
    for index in range(count):
        if index % 2:
            text = (f"Classify the sentiment of this review as positive, negative or neutral. Review: "
                    f"{rng.choice(subjects).capitalize()} {rng.choice(verdicts)}.")
        else:
            text = f"Answer in one sentence: what is {rng.randint(2, 99)} plus {rng.randint(2, 99)}?"
        prompts.append([{"role": "user", "content": text}])
    return prompts


def _model_folder(tiny: bool) -> tuple[str, Path]:
    """SmolLM2 converted from its PyPI package (cached under LLMORE_HOME), or the tests' tiny random model."""
    home = Path(os.environ.get("LLMORE_HOME") or tempfile.mkdtemp(prefix="llmore-bench-"))
    if tiny:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.fixtures.tiny_models import build_tiny_causal_lm

        return "tiny random Llama", build_tiny_causal_lm(home / "tiny-causal-lm")
    from llmore.models.bundled import prepare_smollm2
    from llmore.settings import Settings

    folder = prepare_smollm2(Settings(home=home)).prepared_path
    assert folder is not None
    return "SmolLM2-135M-Instruct", folder


def run_batch_inference(prompts: int, max_new_tokens: int, tiny: bool) -> dict[str, Any]:
    """A task eval's prompts answered all at once (as evaluation runs do) and one at a time, by one engine."""
    import asyncio

    from llmore.evaluation.runs.generation import BATCH_SIZE, answer_all
    from llmore.evaluation.runs.schemas import GenerationSpec
    from llmore.serving.engines.transformers_engine import TransformersEngine

    name, folder = _model_folder(tiny)
    engine = TransformersEngine(folder, served_name="model", max_batch_size=BATCH_SIZE)
    generation = GenerationSpec(max_new_tokens=max_new_tokens)
    requests = [("model", messages) for messages in _eval_prompts(prompts)]

    def timed(batches: list[list[tuple[str, list[dict[str, str]]]]]) -> tuple[float, list[str]]:
        async def run() -> list[str]:
            texts = []
            for batch in batches:
                texts += [answer.text for answer in await answer_all(engine, batch, generation, lambda: None)]
            return texts

        started = time.perf_counter()
        texts = asyncio.run(run())
        return time.perf_counter() - started, texts

    try:
        timed([requests[:2]])  # warm-up: first-call allocations and kernel choices
        batched_s, batched = timed([requests])
        steps_before = engine.generator.steps
        single_s, single = timed([[request] for request in requests])
        single_steps = engine.generator.steps - steps_before
    finally:
        engine.close()
    return {"model": name, "prompts": prompts, "max_new_tokens": max_new_tokens, "greedy": True,
            "batch_size": BATCH_SIZE, "batched_seconds": round(batched_s, 2),
            "one_at_a_time_seconds": round(single_s, 2), "one_at_a_time_decoding_steps": single_steps,
            "prompts_per_second_batched": round(prompts / batched_s, 2),
            "prompts_per_second_one_at_a_time": round(prompts / single_s, 2),
            "speedup": round(single_s / batched_s, 2),
            "same_answers": sum(a == b for a, b in zip(batched, single, strict=True))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["metrics", "batch", "both"], default="both")
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--skip-baseline", action="store_true", help="skip the single-worker run")
    parser.add_argument("--prompts", type=int, default=64, help="prompts of the batch-inference part")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--tiny", action="store_true", help="batch inference on the tiny random model (a smoke run)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    report: dict[str, object] = {"benchmark": "eval_metrics"}
    if args.part in ("metrics", "both"):
        cores = os.cpu_count() or 1
        parallel = run_metrics(args.pairs, workers=cores)
        report.update(metrics=list(TEXT_METRICS), parallel=parallel, target_seconds=TARGET_SECONDS,
                      meets_target=parallel["total_seconds"] < TARGET_SECONDS)
        if not args.skip_baseline:
            single = run_metrics(args.pairs, workers=1)
            report["single_worker"] = single
            report["speedup_vs_single_worker"] = round(single["total_seconds"] / parallel["total_seconds"], 2)
    if args.part in ("batch", "both"):
        report["batch_inference"] = run_batch_inference(args.prompts, args.max_new_tokens, args.tiny)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
