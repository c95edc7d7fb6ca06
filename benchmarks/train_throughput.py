"""Training throughput: an LLMore LoRA SFT job against a plain TRL ``SFTTrainer`` script, side by side.

Both sides fine-tune the bundled SmolLM2-135M-Instruct (prepared by ``llmore.models.bundled``) on the
same synthetic chat rows, each in its own process, and are measured the same way: real (non-padding)
tokens trained on, as TRL counts them (``num_tokens``), over the seconds of the training loop
(``train_runtime``), and the process's peak RSS. The LLMore side is a real ``training.sft`` job run by
``llmore.jobs.runner``; its numbers come from the job's metric series. The TRL side stops once it has
trained on as many tokens as the LLMore side did.

Two comparisons:

* ``identical``: TRL gets exactly the LLMore job's hyper-parameters (target ratio >= 1.0);
* ``defaults``: LLMore's advice (bf16, no gradient checkpointing, packing) against TRL's own
  defaults (gradient checkpointing, no packing) with the same batch, length, rate and LoRA (target >= 1.3).

Run: ``.venv/bin/python benchmarks/train_throughput.py [--steps 20] [--home DIR]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

BATCH, ROWS, SEED = 8, 600, 7
VOCABULARY = ("the model learns short answers about cities rivers numbers colours animals weather food music "
              "history science travel books games sport health space time money work school")


def synthetic_rows(count: int) -> list[dict[str, Any]]:
    """Chat rows of varied length (a few to ~60 words per answer), the same for every run."""
    rng = random.Random(SEED)
    words = VOCABULARY.split()

    def text(low: int, high: int) -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))

    return [{"messages": [{"role": "user", "content": text(3, 15) + "?"},
                          {"role": "assistant", "content": text(4, 60) + "."}]} for _ in range(count)]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# ---------------------------------------------------------------- the LLMore side (a real job)


def _prepare_home(home: Path, rows_file: Path, model: Path | None) -> tuple[Any, int, Path]:
    """Settings, the imported dataset's id and the model folder (SmolLM2 prepared in ``home`` unless given)."""
    from sqlalchemy.orm import Session

    from llmore.auth.models import User
    from llmore.auth.service import ensure_admin
    from llmore.datasets.models import Dataset
    from llmore.db.engine import make_engine, make_session_factory
    from llmore.db.migrate import upgrade
    from llmore.jobs import service as jobs_service
    from llmore.models.bundled import prepare_smollm2
    from llmore.settings import Settings

    settings = Settings(home=home)
    model = model or prepare_smollm2(settings, log=lambda line: print(line, file=sys.stderr)).prepared_path
    assert model is not None
    upgrade(settings.effective_database_url)
    sessions = make_session_factory(make_engine(settings.effective_database_url))
    with sessions.begin() as session:
        assert isinstance(session, Session)
        ensure_admin(session, password="benchmark-only-password")
        owner = session.query(User).first()
        assert owner is not None
        dataset = Dataset(name=f"bench-{os.getpid()}", owner_id=owner.id)
        session.add(dataset)
        session.flush()
        upload = settings.uploads_dir / str(dataset.id) / rows_file.name
        upload.parent.mkdir(parents=True, exist_ok=True)
        upload.write_bytes(rows_file.read_bytes())
        job = jobs_service.submit_job(session, kind="datasets.import", params={
            "dataset_id": dataset.id, "source": "upload", "location": str(upload), "filename": rows_file.name})
        dataset_id, import_id = dataset.id, job.id
    _run_job(settings, import_id)
    return settings, dataset_id, model


def _run_job(settings: Any, job_id: int) -> dict[str, Any]:
    """Run a queued job in its own process as the local executor does; its peak RSS and final row."""
    from llmore.db.engine import make_engine, make_session_factory
    from llmore.jobs.models import Job
    from llmore.jobs.runner import runner_env
    from llmore.jobs.states import JobState

    sessions = make_session_factory(make_engine(settings.effective_database_url))
    with sessions.begin() as session:  # claimed, as the dispatcher does before it starts the process
        job = session.get(Job, job_id)
        assert job is not None
        job.state, job.attempts = JobState.RUNNING.value, 1
    report = Path(tempfile.mkstemp(suffix=".json")[1])
    code = (f"import json, resource, sys; from llmore.jobs.runner import run; code = run({job_id}); "
            f"open({str(report)!r}, 'w').write(json.dumps({{'code': code, 'peak_rss_mb': "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **runner_env(settings)}, check=True,
                   stdout=sys.stderr)
    outcome = json.loads(report.read_text())
    report.unlink()
    with sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        if job.state != "succeeded":
            raise SystemExit(f"job {job_id} {job.state}: {job.error}")
        return {**outcome, "result": job.result}


def llmore_run(settings: Any, dataset_id: int, model: Path, steps: int, length: int,
               overrides: dict[str, Any]) -> dict[str, Any]:
    """A ``training.sft`` job on SmolLM2; tokens, loop seconds and peak RSS from its metrics."""
    from sqlalchemy import select

    from llmore.db.engine import make_engine, make_session_factory
    from llmore.jobs import service as jobs_service
    from llmore.jobs.models import JobMetric

    sessions = make_session_factory(make_engine(settings.effective_database_url))
    with sessions.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": str(model), "dataset_id": dataset_id, "number": 1, "max_steps": steps,
            "overrides": {"per_device_batch_size": BATCH, "gradient_accumulation_steps": 1, "max_length": length,
                          **overrides}}).id
    outcome = _run_job(settings, job_id)
    with sessions() as session:
        def last(name: str) -> float:
            return float(session.scalars(select(JobMetric.value).where(
                JobMetric.job_id == job_id, JobMetric.name == name).order_by(JobMetric.id.desc()).limit(1)).one())

        tokens, seconds = last("num_tokens"), last("train_runtime")
    return {"tokens": int(tokens), "seconds": round(seconds, 2), "tokens_per_second": round(tokens / seconds, 1),
            "peak_rss_mb": round(outcome["peak_rss_mb"]), "steps": outcome["result"]["steps"],
            "hyperparameters": outcome["result"]["hyperparameters"]}


# ---------------------------------------------------------------- the plain TRL side


def trl_worker(config_file: Path) -> None:
    """A plain TRL script: SFTTrainer with LoRA on the same rows, stopped at the token budget; prints JSON."""
    import torch
    from peft import LoraConfig
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from datasets import Dataset

    config = json.loads(config_file.read_text())
    rows = [json.loads(line) for line in Path(config["rows"]).read_text().splitlines()]
    examples = [{"prompt": row["messages"][:-1], "completion": row["messages"][-1:]} for row in rows]

    class StopAtTokens(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **_: Any) -> None:
            if (logs or {}).get("num_tokens", 0) >= config["token_budget"]:
                control.should_training_stop = True

    hp = config["hyperparameters"]
    trainer = SFTTrainer(
        model=config["model"],
        train_dataset=Dataset.from_list(examples),
        args=SFTConfig(output_dir=config["output"], max_steps=config["max_steps"], learning_rate=hp["learning_rate"],
                       per_device_train_batch_size=BATCH, gradient_accumulation_steps=1, max_length=config["length"],
                       logging_steps=1, save_strategy="no", report_to=[], disable_tqdm=True, seed=42,
                       dataloader_num_workers=0, use_cpu=not torch.cuda.is_available(), **config["settings"]),
        peft_config=LoraConfig(r=hp["lora_r"], lora_alpha=hp["lora_alpha"], lora_dropout=hp["lora_dropout"],
                               target_modules=hp["lora_target_modules"], task_type="CAUSAL_LM"),
        callbacks=[StopAtTokens()],
    )
    metrics = trainer.train().metrics
    tokens = max(entry.get("num_tokens", 0) for entry in trainer.state.log_history)
    print(json.dumps({"tokens": int(tokens), "seconds": round(metrics["train_runtime"], 2),
                      "tokens_per_second": round(tokens / metrics["train_runtime"], 1),
                      "peak_rss_mb": round(_peak_rss_mb()), "steps": trainer.state.global_step}))


def trl_run(model: Path, rows_file: Path, work: Path, llmore: dict[str, Any], settings: dict[str, Any],
            max_steps: int) -> dict[str, Any]:
    """The plain TRL script in its own process, on the LLMore run's rate and LoRA, up to its token count."""
    config = {"model": str(model), "rows": str(rows_file), "output": str(work / "trl"), "max_steps": max_steps,
              "length": llmore["hyperparameters"]["max_length"],
              "token_budget": llmore["tokens"], "hyperparameters": llmore["hyperparameters"], "settings": settings}
    config_file = work / "trl.json"
    config_file.write_text(json.dumps(config))
    done = subprocess.run([sys.executable, __file__, "--trl-worker", str(config_file)], check=True,
                          capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def compare(name: str, target: float, llmore: dict[str, Any], trl: dict[str, Any]) -> dict[str, Any]:
    ratio = llmore["tokens_per_second"] / trl["tokens_per_second"]
    llmore = {key: value for key, value in llmore.items() if key != "hyperparameters"}
    return {"comparison": name, "llmore": llmore, "trl": trl, "ratio": round(ratio, 2), "target": target,
            "meets_target": ratio >= target}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="training steps of the LLMore runs (batch 8 x 128)")
    parser.add_argument("--home", type=Path, help="LLMORE_HOME to use (keeps the SmolLM2 conversion between runs)")
    parser.add_argument("--length", type=int, default=128, help="max length in tokens (the tiny model needs 512)")
    parser.add_argument("--model", type=Path, help="a model folder instead of the bundled SmolLM2 (a quick smoke run)")
    parser.add_argument("--trl-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trl_worker:
        trl_worker(args.trl_worker)
        return
    work = Path(tempfile.mkdtemp(prefix="llmore-train-bench-"))
    rows_file = work / "rows.jsonl"
    rows_file.write_text("".join(json.dumps(row) + "\n" for row in synthetic_rows(ROWS)))
    settings, dataset_id, model = _prepare_home(args.home or work / "home", rows_file, args.model)
    print(f"running {args.steps} LLMore steps per comparison in {work}", file=sys.stderr)

    identical = {"packing": False, "gradient_checkpointing": False, "precision": "bf16"}
    same = llmore_run(settings, dataset_id, model, args.steps, args.length, identical)
    chosen = same["hyperparameters"]
    same_trl = trl_run(model, rows_file, work, same, {
        "packing": False, "gradient_checkpointing": False, "bf16": True, "lr_scheduler_type": chosen["lr_scheduler"],
        "warmup_steps": chosen["warmup_ratio"], "weight_decay": chosen["weight_decay"]}, args.steps)
    advised = llmore_run(settings, dataset_id, model, args.steps, args.length, {})
    # Unpacked batches hold fewer real tokens: TRL runs until it has trained on as many as LLMore did.
    trl_defaults = trl_run(model, rows_file, work, advised, {}, 10 * args.steps)
    print(json.dumps({
        "model": model.name, "method": "lora", "batch": f"{BATCH} x {args.length}", "steps": args.steps,
        "advised": {key: advised["hyperparameters"][key]
                    for key in ("precision", "gradient_checkpointing", "packing", "learning_rate", "lora_r")},
        "results": [compare("identical settings", 1.0, same, same_trl),
                    compare("LLMore defaults vs TRL defaults", 1.3, advised, trl_defaults)],
    }, indent=2))


if __name__ == "__main__":
    main()
