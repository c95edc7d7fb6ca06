"""The training jobs: the steps every recipe shares around its TRL trainer (``recipes.py``).

Data (the dataset version's split as the recipe's examples), advice (measured token lengths,
the user's overrides, refusal of impossible runs), LoRA config, checkpoints and resume, metrics
and diagnosis through ``JobReporter``, the saved adapter or weights with the tokenizer, and the
registry version with lineage (base, job, dataset version, recipe, method, hyper-parameters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmore.datasets import versions
from llmore.datasets.canonical import DataSchema
from llmore.datasets.service import artifact_store
from llmore.errors import AppError
from llmore.jobs.context import JobContext
from llmore.training.advisor import Method, Proposal, Recipe, propose, with_overrides
from llmore.training.base_models import refuse_merge, resolve_base_model
from llmore.training.examples import Example, data_facts, examples
from llmore.training.facts import hardware_facts, model_facts
from llmore.training.job_kinds import GrpoParams, TrainParams


def _advise(
    ctx: JobContext, params: TrainParams, recipe: Recipe, items: list[Example], tokenizer: Any, schema: DataSchema
) -> Proposal:
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
        data_facts(items, recipe, schema, count, rows=len(items)),
        hardware_facts(),
    )
    proposal = with_overrides(
        propose(model, data, hardware, recipe=recipe, method=params.method), params.overrides, model, data, hardware
    )
    for name, choice in proposal.choices.items():
        ctx.log(f"{name} = {choice.value}  ({choice.reason})")
    ctx.log(
        f"estimate: {proposal.estimate.steps} steps, ~{proposal.estimate.seconds:.0f} s, "
        f"peak ~{proposal.estimate.peak_memory_gb:.2f} GB of {proposal.estimate.available_memory_gb:.0f} GB"
    )
    if proposal.problems:
        raise AppError(
            "The run cannot start: " + "; ".join(f"{p['field']}: {p['message']}" for p in proposal.problems),
            code="impossible_run",
            details=proposal.problems,
        )
    return proposal


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
    proposal: Proposal, params: TrainParams, output: Path, device: str, report_to: list[str]
) -> dict[str, Any]:
    """The TrainingArguments fields every recipe sets the same way."""
    values = proposal.values
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
        "use_cpu": device == "cpu",
        "max_steps": params.max_steps or -1,
        "logging_steps": 1,
        "save_steps": params.checkpoint_every,
        "save_total_limit": 2,
        "report_to": report_to,
        "seed": params.seed,
        "dataloader_num_workers": 0,
        "disable_tqdm": True,
        **({"model_init_kwargs": {"quantization_config": QLORA_QUANTIZATION}} if params.method is Method.QLORA else {}),
    }


def _peft_config(proposal: Proposal, method: Method) -> Any:
    """LoRA on the advised layers, or None for full fine-tuning."""
    if method is Method.FULL:
        return None
    from peft import LoraConfig

    values = proposal.values
    return LoraConfig(
        r=values["lora_r"],
        lora_alpha=values["lora_alpha"],
        lora_dropout=values["lora_dropout"],
        target_modules=values["lora_target_modules"],
        task_type="CAUSAL_LM",
    )


def run_recipe(ctx: JobContext, params: TrainParams, recipe: Recipe) -> dict[str, Any]:
    """Train ``base_model`` with ``recipe`` on the dataset version; save, register and describe the result."""
    from sqlalchemy import select
    from transformers import AutoTokenizer, PrinterCallback
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
    refuse_merge(base, params.method, params.merge)
    requested_base, params = params.base_model, params.model_copy(update={"base_model": str(base.folder)})
    schema = DataSchema(version.data_schema)
    split = params.split or ("train" if version.splits else None)
    rows = versions.iter_rows(artifact_store(ctx.settings), version.sha256)
    items = list(examples(rows, schema, split, recipe))
    tokenizer = AutoTokenizer.from_pretrained(params.base_model)
    proposal = _advise(ctx, params, recipe, items, tokenizer, schema)
    checkpoints = ctx.workdir / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    peft_config = _peft_config(proposal, params.method)
    trainer = TRAINERS[recipe](
        TrainerParts(
            model=params.base_model,
            values=proposal.values,
            arguments=_arguments(proposal, params, checkpoints, hardware_facts().device, trackers(ctx)),
            tokenizer=tokenizer,
            dataset=Dataset.from_list(items),
            peft_config=peft_config,
            callbacks=[JobReporter(ctx, auto_stop=params.auto_stop)],
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
    trainer.save_model(str(output))
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
            lineage={
                "dataset_id": params.dataset_id,
                "dataset_version": params.number,
                "split": split,
                "recipe": recipe.value,
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
        "hyperparameters": proposal.values,
        "base_model": requested_base,
        **(merge_output(ctx, registered_id) if params.merge else {}),
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
