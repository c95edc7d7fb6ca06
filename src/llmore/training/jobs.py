"""The training jobs: the steps every recipe shares around its TRL trainer (``recipes.py``).

Data (the dataset version's split as the recipe's examples), advice (measured token lengths,
the user's overrides, refusal of impossible runs), LoRA config, checkpoints and resume, metrics
and diagnosis through ``JobReporter``, the saved adapter or weights with the tokenizer, and the
registry version with lineage (base, job, dataset version, recipe, method, hyper-parameters).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

from llmore.datasets import versions
from llmore.datasets.canonical import DataSchema
from llmore.datasets.service import artifact_store
from llmore.errors import AppError
from llmore.jobs.context import JobContext
from llmore.training.advisor import Method, Proposal, Recipe, propose, with_overrides
from llmore.training.base_models import refuse_merge, resolve_base_model
from llmore.training.evaluation import EVAL_ROWS_MAX, eval_arguments, eval_split
from llmore.training.examples import Example, data_facts, examples
from llmore.training.facts import hardware_facts, model_facts
from llmore.training.job_kinds import GrpoParams, TrainParams, edits
from llmore.training.launch import is_main_worker, is_worker, launch
from llmore.training.launch_plan import LaunchPlan, Strategy
from llmore.training.registration import REWARD_MODEL_TASK


def _advise(
    ctx: JobContext,
    params: TrainParams,
    recipe: Recipe,
    items: list[Example],
    tokenizer: Any,
    schema: DataSchema,
    eval_rows: int,
) -> tuple[Proposal, LaunchPlan]:
    """The advice for this run, logged choice by choice; refuses an impossible run before the model loads."""
    if not items:
        raise AppError(
            f"The dataset version has no rows a {recipe.value} run can learn from.",
            details=[{"field": "dataset", "message": "no training examples"}],
        )

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    model, data, hardware = (
        model_facts(Path(params.base_model)),
        replace(data_facts(items, recipe, schema, count, rows=len(items)), eval_rows=eval_rows),
        hardware_facts(),
    )
    proposal = with_overrides(
        propose(model, data, hardware, recipe=recipe, method=params.method, max_steps=params.max_steps),
        edits(params.overrides, params.eval_every),
        model,
        data,
        hardware,
    )
    for name, choice in proposal.choices.items():
        ctx.log(f"{name} = {choice.value}  ({choice.reason})")
    ctx.log(
        f"estimate: {proposal.estimate.steps} steps, ~{proposal.estimate.seconds:.0f} s, "
        f"peak ~{proposal.estimate.peak_memory_gb:.2f} GB of {proposal.estimate.available_memory_gb:.0f} GB"
    )
    if proposal.launch:
        ctx.log(f"launch: {proposal.launch.summary}")
    if proposal.problems:
        raise AppError(
            "The run cannot start: " + "; ".join(f"{p['field']}: {p['message']}" for p in proposal.problems),
            code="impossible_run",
            details=proposal.problems,
        )
    assert proposal.launch is not None  # every settled proposal carries its plan
    return proposal, proposal.launch


# QLoRA (Dettmers et al.): the frozen base in 4-bit NF4 with double quantisation, LoRA computed in bf16.
# A plain dict because TRL passes model_init_kwargs to from_pretrained, which builds the bitsandbytes config from it,
# and a dict keeps the training arguments JSON-serialisable for checkpoints.
QLORA_QUANTIZATION = {
    "quant_method": "bitsandbytes",
    "load_in_4bit": True,
    "bnb_4bit_quant_type": "nf4",
    "bnb_4bit_use_double_quant": True,
    "bnb_4bit_compute_dtype": "bfloat16",
}


def _arguments(
    proposal: Proposal, params: TrainParams, output: Path, plan: LaunchPlan, report_to: list[str], evaluating: bool
) -> dict[str, Any]:
    """The TrainingArguments fields every recipe sets the same way."""
    values = proposal.values
    qlora = params.method is Method.QLORA
    quantized = {"model_init_kwargs": {"quantization_config": _quantization(plan)}} if qlora else {}
    evaluation = (
        eval_arguments(values["eval_every"], values["per_device_batch_size"], params.early_stopping_patience)
        if evaluating
        else {}
    )
    return {
        "output_dir": str(output),
        "learning_rate": values["learning_rate"],
        "num_train_epochs": values["epochs"],
        "per_device_train_batch_size": values["per_device_batch_size"],
        "gradient_accumulation_steps": values["gradient_accumulation_steps"],
        "lr_scheduler_type": values["lr_scheduler"],
        "warmup_steps": values["warmup_ratio"],
        "weight_decay": values["weight_decay"],
        "bf16": values["precision"] == "bf16",
        "fp16": values["precision"] == "fp16",
        "gradient_checkpointing": values["gradient_checkpointing"],
        "use_cpu": hardware_facts().device == "cpu",
        "max_steps": params.max_steps or -1,
        "logging_steps": 1,
        "save_steps": params.checkpoint_every,
        "save_total_limit": 2,
        "report_to": report_to,
        "seed": params.seed,
        "dataloader_num_workers": 0,
        "disable_tqdm": True,
        **quantized,
        **evaluation,
    }


def _quantization(plan: LaunchPlan) -> dict[str, Any]:
    """QLoRA's 4-bit config; under ZeRO-3 the 4-bit weights are stored as bf16 so DeepSpeed can shard them."""
    if plan.strategy is Strategy.ZERO3:
        return {**QLORA_QUANTIZATION, "bnb_4bit_quant_storage": "bfloat16"}
    return QLORA_QUANTIZATION


def _peft_config(proposal: Proposal, method: Method) -> Any:
    """LoRA on the advised layers, or None for full fine-tuning.

    A reward model's adapter is a sequence-classification one: peft then also trains and saves the
    new score head (it starts random, so it must learn whole).
    """
    if method is Method.FULL:
        return None
    from peft import LoraConfig

    values = proposal.values
    return LoraConfig(
        r=values["lora_r"],
        lora_alpha=values["lora_alpha"],
        lora_dropout=values["lora_dropout"],
        target_modules=values["lora_target_modules"],
        task_type="SEQ_CLS" if proposal.recipe is Recipe.REWARD else "CAUSAL_LM",
    )


def run_recipe(ctx: JobContext, params: TrainParams, recipe: Recipe) -> dict[str, Any]:
    """Train ``base_model`` with ``recipe`` on the dataset version; save, register and describe the result."""
    from sqlalchemy import select
    from transformers import AutoTokenizer, EarlyStoppingCallback, PrinterCallback
    from transformers.trainer_utils import get_last_checkpoint

    from datasets import Dataset
    from llmore.datasets.models import DatasetVersion
    from llmore.models.service import reference
    from llmore.training.callbacks import JobReporter, trackers
    from llmore.training.recipes import TRAINERS, TrainerParts
    from llmore.training.registration import merge_output, register_output

    with ctx.sessions() as session:
        version = session.scalar(
            select(DatasetVersion).where(
                DatasetVersion.dataset_id == params.dataset_id, DatasetVersion.number == params.number
            )
        )
        if version is None:
            raise AppError(f"Dataset {params.dataset_id} has no version {params.number}.")
        base = resolve_base_model(ctx.settings, session, params.base_model, log=ctx.log)
    refuse_merge(base, params.method, params.merge, recipe=recipe)
    requested_base, params = params.base_model, params.model_copy(update={"base_model": str(base.folder)})
    schema = DataSchema(version.data_schema)
    split = params.split or ("train" if version.splits else None)
    held_out = eval_split(
        requested=params.eval_split,
        splits=version.splits,
        train_split=split,
        recipe=recipe,
        early_stopping_patience=params.early_stopping_patience,
    )
    store = artifact_store(ctx.settings)
    items = list(examples(versions.iter_rows(store, version.sha256), schema, split, recipe))
    held_out_rows = examples(versions.iter_rows(store, version.sha256), schema, held_out, recipe) if held_out else []
    eval_items = list(itertools.islice(held_out_rows, EVAL_ROWS_MAX))
    tokenizer = AutoTokenizer.from_pretrained(params.base_model)
    proposal, plan = _advise(ctx, params, recipe, items, tokenizer, schema, len(eval_items))
    if plan.processes > 1 and not is_worker():
        return launch(ctx, plan, proposal.values["precision"])
    if held_out:
        every = proposal.values["eval_every"]
        ctx.log(f"evaluating on {len(eval_items)} rows of split {held_out!r} every {every} steps")
        if params.early_stopping_patience is not None:
            ctx.log(f"early stopping after {params.early_stopping_patience} evaluations without a better eval loss; "
                    f"a checkpoint at every evaluation (not every {params.checkpoint_every} steps) keeps the best")
    callbacks: list[Any] = [JobReporter(ctx, auto_stop=params.auto_stop)]
    if params.early_stopping_patience is not None:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=params.early_stopping_patience))
    checkpoints = ctx.workdir / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    peft_config = _peft_config(proposal, params.method)
    trainer = TRAINERS[recipe](
        TrainerParts(
            model=params.base_model,
            values=proposal.values,
            arguments=_arguments(
                proposal, params, checkpoints, plan, trackers(ctx), evaluating=bool(eval_items)
            ),
            tokenizer=tokenizer,
            dataset=Dataset.from_list(items),
            eval_dataset=Dataset.from_list(eval_items) if eval_items else None,
            peft_config=peft_config,
            callbacks=callbacks,
            params=params,
            settings=ctx.settings,
        )
    )
    # With tqdm off, transformers prints every log dict; the JobReporter already writes each step's line.
    trainer.remove_callback(PrinterCallback)
    resume = get_last_checkpoint(str(checkpoints))
    if resume:
        ctx.log(f"resuming from {resume}")
    result = trainer.train(resume_from_checkpoint=resume)
    output = ctx.settings.models_dir / "trained" / f"job-{ctx.job_id}"
    trainer.save_model(str(output))  # every process takes part: ZeRO-3 gathers the shards
    if not is_main_worker():
        return {}  # rank 0 of a launched run saves the tokenizer, registers and reports
    tokenizer.save_pretrained(str(output))
    ctx.log(f"saved {'adapter' if peft_config else 'model'} to {output}")

    with ctx.sessions.begin() as session:
        registered = register_output(
            session,
            output=output,
            model_name=params.output_model or f"{base.name}-{recipe.value}",
            base_model=params.base_model,
            base_version_id=base.version_id,
            job_id=ctx.job_id,
            tags=["fine-tuned", REWARD_MODEL_TASK] if recipe is Recipe.REWARD else ["fine-tuned"],
            lineage={
                "dataset_id": params.dataset_id,
                "dataset_version": params.number,
                "split": split,
                "eval_split": held_out,
                "recipe": recipe.value,
                **({"task": REWARD_MODEL_TASK} if recipe is Recipe.REWARD else {}),
                "method": params.method.value,
                "hyperparameters": proposal.values,
                **({"rewards": [r.model_dump() for r in params.rewards]} if isinstance(params, GrpoParams) else {}),
            },
        )
        model_ref, registered_id = reference(registered), registered.id
    ctx.log(f"registered as {model_ref} (state trained)")
    return {
        "output_path": str(output),
        "model": model_ref,
        "recipe": recipe.value,
        "kind": "adapter" if peft_config else "full",
        "steps": result.global_step,
        "train_loss": result.training_loss,
        "split": split if split else None,
        **_evaluation_result(trainer.state, held_out, result.global_step, params),
        "hyperparameters": proposal.values,
        "base_model": requested_base,
        **(merge_output(ctx, registered_id) if params.merge else {}),
    }


def _evaluation_result(state: Any, held_out: str | None, steps: int, params: TrainParams) -> dict[str, Any]:
    """What the held-out evaluation found: the best eval loss and its step, and whether training stopped early."""
    if not held_out:
        return {}
    evals = [(log["step"], log["eval_loss"]) for log in state.log_history if "eval_loss" in log]
    best_step, best_loss = min(evals, key=lambda point: point[1]) if evals else (None, None)
    planned = state.max_steps
    return {
        "eval_split": held_out,
        "best_eval_loss": best_loss,
        "best_step": best_step,
        "stopped_early": params.early_stopping_patience is not None and steps < planned,
    }


def sft_job(ctx: JobContext, params: TrainParams) -> dict[str, Any]:
    """Supervised fine-tuning on chat or prompt/answer rows (completion-only loss)."""
    return run_recipe(ctx, params, Recipe.SFT)


def pretrain_job(ctx: JobContext, params: TrainParams) -> dict[str, Any]:
    """Continued pre-training on plain-text documents, packed."""
    return run_recipe(ctx, params, Recipe.PRETRAIN)


def dpo_job(ctx: JobContext, params: TrainParams) -> dict[str, Any]:
    """Direct preference optimisation on chosen/rejected pairs."""
    return run_recipe(ctx, params, Recipe.DPO)


def grpo_job(ctx: JobContext, params: GrpoParams) -> dict[str, Any]:
    """GRPO on prompts with reference answers, scored by the run's reward functions."""
    return run_recipe(ctx, params, Recipe.GRPO)


def reward_job(ctx: JobContext, params: TrainParams) -> dict[str, Any]:
    """A reward model on chosen/rejected pairs: one score per answer, chosen above rejected."""
    return run_recipe(ctx, params, Recipe.REWARD)
