"""Speed of the evaluation metrics on 10,000 English and 10,000 Chinese pairs; prints JSON.

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

    .venv/bin/python benchmarks/eval_metrics.py [--pairs 10000] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import time
from importlib import resources

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--skip-baseline", action="store_true", help="skip the single-worker run")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    parallel = run_metrics(args.pairs, workers=cores)
    report: dict[str, object] = {
        "benchmark": "eval_metrics",
        "metrics": list(TEXT_METRICS),
        "parallel": parallel,
        "target_seconds": TARGET_SECONDS,
        "meets_target": parallel["total_seconds"] < TARGET_SECONDS,
    }
    if not args.skip_baseline:
        single = run_metrics(args.pairs, workers=1)
        report["single_worker"] = single
        report["speedup_vs_single_worker"] = round(single["total_seconds"] / parallel["total_seconds"], 2)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
