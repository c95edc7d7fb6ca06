"""Advice and launch of fine-tuning runs, refusing impossible ones before any job starts."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
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
from llmore.training.advisor import Proposal, Recipe, propose, schema_problem, with_overrides
from llmore.training.base_models import refuse_merge, resolve_base_model
from llmore.training.evaluation import EVAL_ROWS_MAX, eval_split
from llmore.training.examples import Example, data_facts, examples
from llmore.training.facts import hardware_facts, model_facts
from llmore.training.job_kinds import edits
from llmore.training.rewards import REWARD_KINDS, try_rewards
from llmore.training.schemas import RunRequest

LENGTH_SAMPLE = 5000


def _token_counter(folder: Path) -> Callable[[str], int]:
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


def _sample(
    settings: Settings, session: Session, principal: Principal, request: RunRequest
) -> tuple[DataSchema, list[Example], int, int]:
    """The version's schema, up to 5000 of the run's examples (none when the schema does not fit), its row count
    and the number of held-out rows it will evaluate on (refusing an eval split the version lacks)."""
    dataset = data_service.get_dataset(session, dataset_id=request.dataset_id, principal=principal)
    version = data_service.get_version(session, dataset=dataset, number=request.number)
    schema = DataSchema(version.data_schema)
    split = request.split or ("train" if version.splits else None)
    rows_in_split = version.splits.get(split, 0) if (version.splits and split) else version.row_count
    held_out = eval_split(
        requested=request.eval_split,
        splits=version.splits,
        train_split=split,
        recipe=request.recipe,
        early_stopping_patience=request.early_stopping_patience,
        prefix="body.",
    )
    eval_rows = min(version.splits[held_out], EVAL_ROWS_MAX) if held_out and version.splits else 0
    if schema_problem(request.recipe, schema.value):
        return schema, [], rows_in_split, eval_rows  # the advisor refuses it, naming the schemas that fit
    rows = versions.iter_rows(data_service.artifact_store(settings), version.sha256)
    sample = list(itertools.islice(examples(rows, schema, split, request.recipe), LENGTH_SAMPLE))
    return schema, sample, rows_in_split, eval_rows


def advise(settings: Settings, session: Session, principal: Principal, request: RunRequest) -> Proposal:
    """The advisor's proposal for ``request`` with the user's edits applied and checked."""
    return _advise(settings, session, principal, request)[0]


def _advise(
    settings: Settings, session: Session, principal: Principal, request: RunRequest
) -> tuple[Proposal, list[Example]]:
    base = resolve_base_model(settings, session, request.base_model, field="body.base_model")
    model = model_facts(base.folder)
    schema, sample, rows, eval_rows = _sample(settings, session, principal, request)
    data = replace(data_facts(sample, request.recipe, schema, _token_counter(base.folder), rows), eval_rows=eval_rows)
    hardware = hardware_facts()
    proposal = propose(model, data, hardware, recipe=request.recipe, method=request.method, max_steps=request.max_steps)
    changes = edits(request.overrides, request.eval_every)
    if changes:
        proposal = with_overrides(proposal, changes, model, data, hardware)
    return proposal, sample


def start(settings: Settings, session: Session, principal: Principal, request: RunRequest) -> Job:
    """Queue the run, or refuse it with every problem named by field."""
    _check_rewards(request)
    if request.merge:
        base = resolve_base_model(settings, session, request.base_model, field="body.base_model")
        refuse_merge(base, request.method, request.merge, field="body.merge", recipe=request.recipe)
    proposal, sample = _advise(settings, session, principal, request)
    if proposal.problems:
        raise AppError(
            "This run cannot start; see details.",
            code="impossible_run",
            details=[{**p, "field": f"body.{p['field']}"} for p in proposal.problems],
        )
    if sample and request.rewards:
        try_rewards(request.rewards, sample[0], settings, field="body.rewards")
    grpo = request.recipe is Recipe.GRPO
    params = request.model_dump(mode="json", exclude={"recipe"} if grpo else {"recipe", "rewards"})
    recipe = request.recipe.value
    name = f"{recipe.upper()} {Path(request.base_model).name} on dataset {request.dataset_id} v{request.number}"
    return jobs_service.submit_job(session, kind=f"training.{recipe}", name=name, params=params)


def _check_rewards(request: RunRequest) -> None:
    """GRPO needs reward functions; the other recipes take none."""
    if request.recipe is Recipe.GRPO and not request.rewards:
        raise AppError(
            "GRPO needs at least one reward function to score the answers.",
            details=[{"field": "body.rewards", "message": f"add one or more of: {', '.join(REWARD_KINDS)}"}],
        )
    if request.recipe is not Recipe.GRPO and request.rewards:
        raise AppError(
            f"Reward functions apply to GRPO only, not {request.recipe.value}.",
            details=[{"field": "body.rewards", "message": "GRPO only: remove them or choose the grpo recipe"}],
        )
