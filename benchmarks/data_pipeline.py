"""Throughput and memory of the data pipeline on a million synthetic rows; prints JSON.

Writes ``--rows`` synthetic prompt/answer rows of about 200 characters (half English, half
Chinese, with planted exact duplicates, near duplicates, personal data and empty answers) and
``--test-rows`` test rows (some copying training prompts) as canonical JSON lines, then measures,
each in a fresh process so peak memory is its own (the total resident memory of the process and
its worker processes, sampled every 50 ms with psutil):

1. **quality report** — :func:`llmore.datasets.quality.quality_report` streaming over the file,
   with leakage against the test rows. Baseline in the same run: a plain single pass that reads
   the same file, parses every line and sums the text lengths (the least any report must do).
2. **near duplicates** — :func:`llmore.datasets.dedup.near_duplicate_groups` over (id, prompt +
   answer). Baseline in the same run: datasketch's ``MinHash`` with its per-row ``update`` loop
   (5-character shingles) and ``MinHashLSH.insert``, timed on ``--baseline-rows`` rows and
   extrapolated linearly (running it on a million rows would take about half an hour).
3. **streaming import** of a ``--import-gb`` (default 2) GB alpaca JSONL file: the importer's own
   path (file reader → schema detection and conversion → canonical version blob in the artifact
   store, with the row index and diff bookkeeping). Baseline in the same run: a plain loop that
   reads the same file and ``json.loads`` every line.

Targets: 1 and 2 under 120 s each with peak memory under 4 GB; 3 with peak memory under 500 MB,
on the 2-core reference machine.

    .venv/bin/python benchmarks/data_pipeline.py [--rows 1000000] [--test-rows 10000] [--baseline-rows 20000]
        [--import-gb 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil

TARGET_SECONDS = 120.0
TARGET_RSS_MB = 4096.0
SEED = 20240601

# Vocabulary for the synthetic text: English function words (so language detection sees
# English) mixed with made-up content words, and common Chinese characters.
ENGLISH_FUNCTION = ("the", "and", "of", "to", "that", "with", "for", "you", "are", "this", "have", "not", "what",
                    "how", "can", "from", "your", "they", "which", "would", "should", "has", "been", "their", "about")
CHINESE_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也"
                 "能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实"
                 "加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与"
                 "关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最"
                 "立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特")


def _content_words(rng: random.Random, count: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(count)]


class SyntheticRows:
    """Deterministic prompt/answer rows with planted problems (duplicates, near duplicates, PII, empties)."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.words = _content_words(self.rng, 5000)
        self.recent: list[tuple[str, str]] = []

    def english(self, length: int) -> str:
        parts: list[str] = []
        size = 0
        while size < length:
            word = self.rng.choice(ENGLISH_FUNCTION) if self.rng.random() < 0.5 else self.rng.choice(self.words)
            parts.append(word)
            size += len(word) + 1
        return " ".join(parts).capitalize()[:length] + "."

    def chinese(self, length: int) -> str:
        text = "".join(self.rng.choice(CHINESE_CHARS) for _ in range(length))
        return "，".join(text[i:i + 12] for i in range(0, len(text), 12)) + "。"

    def fresh(self) -> tuple[str, str]:
        if self.rng.random() < 0.5:
            return self.english(60), self.english(140)
        return self.chinese(40), self.chinese(100)

    def near_copy(self, prompt: str, answer: str) -> tuple[str, str]:
        """A small edit: a few characters changed in the answer and the punctuation of the prompt."""
        chars = list(answer)
        for _ in range(2):
            index = self.rng.randrange(len(chars))
            chars[index] = self.rng.choice(CHINESE_CHARS if ord(chars[index]) > 0x2E80 else "abcdefghij")
        return prompt.rstrip("。.") + "!", "".join(chars)

    def pii(self) -> str:
        return self.rng.choice([
            f" Call me at 13{self.rng.randint(800000000, 999999999)}.",
            f" 邮箱 user{self.rng.randint(1, 99999)}@example.com。",
            " 身份证号 11010519491231002X。",
            " Card 4111 1111 1111 1111.",
        ])

    def row(self, index: int) -> dict[str, str]:
        roll = self.rng.random()
        if roll < 0.03 and self.recent:
            prompt, answer = self.rng.choice(self.recent)
            prompt, answer = prompt.upper() if prompt.isascii() else prompt, "  " + answer  # same once normalised
        elif roll < 0.06 and self.recent:
            prompt, answer = self.near_copy(*self.rng.choice(self.recent))
        else:
            prompt, answer = self.fresh()
            if roll > 0.99:
                answer += self.pii()
            elif roll > 0.985:
                answer = " "
        if len(self.recent) < 10_000:
            self.recent.append((prompt, answer))
        else:
            self.recent[self.rng.randrange(10_000)] = (prompt, answer)
        return {"_id": f"r{index}", "prompt": prompt, "answer": answer}

    def test_row(self, index: int) -> dict[str, str]:
        roll = self.rng.random()
        if roll < 0.05:
            prompt, answer = self.rng.choice(self.recent)
        elif roll < 0.10:
            prompt, answer = self.near_copy(*self.rng.choice(self.recent))
        else:
            prompt, answer = self.fresh()
        return {"_id": f"t{index}", "prompt": prompt, "answer": answer}


def write_data(folder: Path, rows: int, test_rows: int) -> tuple[Path, Path]:
    """The training and test JSON-lines files."""
    source = SyntheticRows()
    train, test = folder / "train.jsonl", folder / "test.jsonl"
    with train.open("w", encoding="utf-8") as out:
        for index in range(rows):
            out.write(json.dumps(source.row(index), ensure_ascii=False) + "\n")
    with test.open("w", encoding="utf-8") as out:
        for index in range(test_rows):
            out.write(json.dumps(source.test_row(index), ensure_ascii=False) + "\n")
    return train, test


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


# ------------------------------------------------------------------------ measurements (child side)


class PeakMemory:
    """Peak resident memory of this process and its children together, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)

    def _sample(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue  # a worker that just exited
            self.peak = max(self.peak, total)
            self._stop.wait(interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def measure_quality(train: Path, test: Path) -> dict[str, Any]:
    from llmore.datasets.canonical import DataSchema
    from llmore.datasets.quality import quality_report

    with PeakMemory() as memory:
        started = time.perf_counter()
        report = quality_report(read_rows(train), DataSchema.PROMPT_ANSWER, test_rows=list(read_rows(test)))
        seconds = time.perf_counter() - started
    leakage = report.leakage
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(memory.peak / 2**20, 1), "score": report.score,
            "problems": [problem.code for problem in report.problems],
            "exact_duplicate_rows": report.exact_duplicates.rows, "near_duplicate_rows": report.near_duplicates.rows,
            "pii_rows": report.pii.rows, "empty_rows": report.empty.rows,
            "leaked_test_rows": leakage.leaked_rows if leakage else 0,
            "languages": {share.language: share.rows for share in report.languages[:3]}}


def measure_scan(train: Path, _test: Path) -> dict[str, Any]:
    with PeakMemory() as memory:
        started = time.perf_counter()
        characters = sum(len(row["prompt"]) + len(row["answer"]) for row in read_rows(train))
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(memory.peak / 2**20, 1), "characters": characters}


def measure_near(train: Path, _test: Path) -> dict[str, Any]:
    from llmore.datasets.dedup import near_duplicate_groups

    with PeakMemory() as memory:
        started = time.perf_counter()
        items = ((row["_id"], f"{row['prompt']}\n{row['answer']}") for row in read_rows(train))
        groups = near_duplicate_groups(items)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(memory.peak / 2**20, 1), "groups": len(groups),
            "rows_in_groups": sum(len(group) for group in groups)}


def measure_datasketch(train: Path, _test: Path, rows: int) -> dict[str, Any]:
    from itertools import islice

    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    started = time.perf_counter()
    for row in islice(read_rows(train), rows):
        text = f"{row['prompt']}\n{row['answer']}".lower()
        minhash = MinHash(num_perm=128)
        for start in range(max(len(text) - 4, 1)):
            minhash.update(text[start:start + 5].encode("utf-8"))
        lsh.insert(row["_id"], minhash)
    return {"rows_measured": rows, "seconds": round(time.perf_counter() - started, 2)}


IMPORT_TARGET_RSS_MB = 500.0


def write_import_file(folder: Path, gigabytes: float) -> Path:
    """An alpaca JSONL file of about ``gigabytes`` GB, written fast by cycling a block of distinct rows."""
    generator = SyntheticRows()
    block = "".join(json.dumps({"instruction": p, "input": "", "output": a}, ensure_ascii=False) + "\n"
                    for p, a in (generator.fresh() for _ in range(20_000))).encode()
    path = folder / "import.jsonl"
    target = int(gigabytes * 1e9)
    with path.open("wb") as out:
        while out.tell() < target:
            out.write(block)
    return path


def measure_import(source: Path, _test: Path) -> dict[str, Any]:
    """The importer's path from file to stored version, without the database row at the end."""
    from llmore.datasets.formats import iter_records_from
    from llmore.datasets.importing import convert_records
    from llmore.datasets.versions import write_rows
    from llmore.storage.store import ArtifactStore

    with tempfile.TemporaryDirectory(prefix="llmore-import-") as scratch, PeakMemory() as memory:
        started = time.perf_counter()
        store = ArtifactStore(Path(scratch, "store").as_uri())
        with source.open("rb") as handle:
            converted = convert_records(iter_records_from(handle, name=source.name), file_name=source.name,
                                        source_schema=None, stop_on_invalid=False)
            written = write_rows(store, converted.rows, parent=None, scratch=Path(scratch))
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(memory.peak / 2**20, 1), "rows": written.row_count,
            "gigabytes": round(source.stat().st_size / 1e9, 2), "schema": converted.source_schema}


def measure_json_scan(source: Path, _test: Path) -> dict[str, Any]:
    with PeakMemory() as memory:
        started = time.perf_counter()
        with source.open("rb") as handle:
            rows = sum(1 for line in handle if json.loads(line))
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(memory.peak / 2**20, 1), "rows": rows}


MEASUREMENTS: dict[str, Callable[..., dict[str, Any]]] = {
    "quality": measure_quality, "scan": measure_scan, "near": measure_near, "datasketch": measure_datasketch,
    "import": measure_import, "json_scan": measure_json_scan,
}


# --------------------------------------------------------------------------------- driver (parent)


def in_fresh_process(name: str, train: Path, test: Path, *extra: str) -> dict[str, Any]:
    """Run one measurement in a new interpreter, so its peak memory is not the parent's."""
    command = [sys.executable, __file__, "--measure", name, "--train", str(train), "--test", str(test), *extra]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def meets(result: dict[str, Any]) -> bool:
    return result["seconds"] < TARGET_SECONDS and result["peak_rss_mb"] < TARGET_RSS_MB


def run(rows: int, test_rows: int, baseline_rows: int, import_gb: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="llmore-bench-") as folder:
        started = time.perf_counter()
        train, test = write_data(Path(folder), rows, test_rows)
        generated = time.perf_counter() - started
        quality = in_fresh_process("quality", train, test)
        scan = in_fresh_process("scan", train, test)
        near = in_fresh_process("near", train, test)
        sketch = in_fresh_process("datasketch", train, test, "--baseline-rows", str(min(baseline_rows, rows)))
        big = write_import_file(Path(folder), import_gb)
        imported = in_fresh_process("import", big, test)
        json_scan = in_fresh_process("json_scan", big, test)
    sketch["extrapolated_seconds"] = round(sketch["seconds"] * rows / max(sketch["rows_measured"], 1), 1)
    return {
        "benchmark": "data_pipeline",
        "rows": rows,
        "test_rows": test_rows,
        "cpus": os.cpu_count(),
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_RSS_MB},
        "generate_seconds": round(generated, 1),
        "quality_report": {**quality, "meets_target": meets(quality)},
        "baseline_scan": scan,
        "quality_report_vs_scan": round(quality["seconds"] / max(scan["seconds"], 1e-9), 2),
        "near_duplicates": {**near, "meets_target": meets(near)},
        "baseline_datasketch": sketch,
        "datasketch_vs_near_duplicates": round(sketch["extrapolated_seconds"] / max(near["seconds"], 1e-9), 1),
        "streaming_import": {**imported, "target_peak_rss_mb": IMPORT_TARGET_RSS_MB,
                             "meets_target": imported["peak_rss_mb"] < IMPORT_TARGET_RSS_MB},
        "baseline_json_scan": json_scan,
        "import_vs_json_scan": round(imported["seconds"] / max(json_scan["seconds"], 1e-9), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--test-rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000, help="rows the datasketch baseline is timed on")
    parser.add_argument("--import-gb", type=float, default=2.0, help="size of the file the import is timed on")
    parser.add_argument("--measure", choices=sorted(MEASUREMENTS), help=argparse.SUPPRESS)
    parser.add_argument("--train", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--test", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        extra = (args.baseline_rows,) if args.measure == "datasketch" else ()
        print(json.dumps(MEASUREMENTS[args.measure](args.train, args.test, *extra)))
        return
    print(json.dumps(run(args.rows, args.test_rows, args.baseline_rows, args.import_gb), indent=2,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
