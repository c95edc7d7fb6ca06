"""Advice and launch of fine-tuning runs, refusing impossible ones before any job starts."""

from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy.orm import Session

from llmore.auth.service import Principal
from llmore.datasets import service as data_service
from llmore.datasets import versions
from llmore.datasets.canonical import DataSchema
from llmore.errors import AppError
from llmore.jobs import service as jobs_service
from llmore.jobs.models import Job
from llmore.settings import Settings
from llmore.training.advisor import Proposal, Recipe, propose, with_overrides
from llmore.training.facts import DataFacts, hardware_facts, model_facts
from llmore.training.schemas import RunRequest
from llmore.training.sft_data import examples

LENGTH_SAMPLE = 5000
MESSAGE_OVERHEAD_TOKENS = 4  # role markers and separators a chat template adds per turn


def _token_counter(folder: Path):  # type: ignore[no-untyped-def]
    """Count tokens with the model's fast tokenizer (the Rust library alone: no transformers in the API)."""
    from tokenizers import Tokenizer

    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise AppError(
            f"{folder} has no tokenizer.json (a fast tokenizer is needed to measure the data).",
            details=[{"field": "body.base_model", "message": "no tokenizer.json"}],
        )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)


def data_facts(settings: Settings, session: Session, principal: Principal, request: RunRequest) -> DataFacts:
    """Rows and token-length percentiles of the run's examples (lengths from a sample of up to 5000)."""
    dataset = data_service.get_dataset(session, dataset_id=request.dataset_id, principal=principal)
    version = data_service.get_version(session, dataset=dataset, number=request.number)
    schema = DataSchema(version.data_schema)
    if request.recipe is not Recipe.SFT:
        return DataFacts(
            rows=version.row_count, tokens_p50=0, tokens_p99=0, tokens_max=0, tokens_mean=0, data_schema=schema.value
        )
    count = _token_counter(Path(request.base_model))
    split = request.split or ("train" if version.splits else None)
    rows = versions.iter_rows(data_service.artifact_store(settings), version.sha256)
    sample = list(itertools.islice(examples(rows, schema, split), LENGTH_SAMPLE))
    lengths = sorted(
        sum(count(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in e["prompt"] + e["completion"]) for e in sample
    ) or [0]
    rows_in_split = version.splits.get(split, 0) if (version.splits and split) else version.row_count

    def at(share: float) -> int:
        return lengths[min(len(lengths) - 1, int(len(lengths) * share))]

    return DataFacts(
        rows=rows_in_split,
        tokens_p50=at(0.5),
        tokens_p99=at(0.99),
        tokens_max=lengths[-1],
        tokens_mean=sum(lengths) / len(lengths),
        data_schema=schema.value,
    )


def advise(settings: Settings, session: Session, principal: Principal, request: RunRequest) -> Proposal:
    """The advisor's proposal for ``request`` with the user's edits applied and checked."""
    model = model_facts(Path(request.base_model))
    data = data_facts(settings, session, principal, request)
    hardware = hardware_facts()
    proposal = propose(model, data, hardware, recipe=request.recipe, method=request.method)
    return with_overrides(proposal, request.overrides, model, data, hardware) if request.overrides else proposal


def start(settings: Settings, session: Session, principal: Principal, request: RunRequest) -> Job:
    """Queue the run, or refuse it with every problem named by field."""
    if request.recipe is not Recipe.SFT:
        raise AppError(
            f"The {request.recipe.value} recipe is not available yet; SFT is.",
            code="recipe_unavailable",
            details=[{"field": "body.recipe", "message": "only sft so far"}],
        )
    proposal = advise(settings, session, principal, request)
    if proposal.problems:
        raise AppError(
            "This run cannot start; see details.",
            code="impossible_run",
            details=[{**p, "field": f"body.{p['field']}"} for p in proposal.problems],
        )
    params = request.model_dump(mode="json", exclude={"recipe"})
    name = f"SFT {Path(request.base_model).name} on dataset {request.dataset_id} v{request.number}"
    return jobs_service.submit_job(session, kind="training.sft", name=name, params=params)
