"""The training job: advice, data, TRL's SFTTrainer with LoRA or full weights, checkpoints, the saved result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmore.datasets import versions
from llmore.datasets.canonical import DataSchema
from llmore.datasets.service import artifact_store
from llmore.errors import AppError
from llmore.jobs.context import JobContext
from llmore.training.advisor import Method, Proposal, Recipe, propose, with_overrides
from llmore.training.facts import DataFacts, hardware_facts, model_facts
from llmore.training.job_kinds import SftParams
from llmore.training.sft_data import examples

CHECKPOINT_EVERY = 50


def _percentile(ordered: list[int], share: float) -> int:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0


def _data_facts(items: list[dict[str, Any]], tokenizer: Any, schema: DataSchema) -> DataFacts:
    """Token lengths of whole examples (prompt and completion with the chat template)."""
    lengths = sorted(
        len(
            tokenizer.apply_chat_template(item["prompt"] + item["completion"], tokenize=True, return_dict=True)[
                "input_ids"
            ]
        )
        for item in items
    )
    if not lengths:
        raise AppError(
            "The dataset version has no rows with an assistant answer to train on.",
            details=[{"field": "dataset", "message": "no training examples"}],
        )
    return DataFacts(
        rows=len(lengths),
        tokens_p50=_percentile(lengths, 0.5),
        tokens_p99=_percentile(lengths, 0.99),
        tokens_max=lengths[-1],
        tokens_mean=sum(lengths) / len(lengths),
        data_schema=schema.value,
    )


def _advise(
    ctx: JobContext, params: SftParams, items: list[dict[str, Any]], tokenizer: Any, schema: DataSchema
) -> Proposal:
    model, data, hardware = (
        model_facts(Path(params.base_model)),
        _data_facts(items, tokenizer, schema),
        hardware_facts(),
    )
    proposal = with_overrides(
        propose(model, data, hardware, recipe=Recipe.SFT, method=params.method), params.overrides, model, data, hardware
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


def _config(proposal: Proposal, params: SftParams, output: Path, device: str) -> Any:
    from trl import SFTConfig

    values = proposal.values
    return SFTConfig(
        output_dir=str(output),
        learning_rate=values["learning_rate"],
        num_train_epochs=values["epochs"],
        per_device_train_batch_size=values["per_device_batch_size"],
        gradient_accumulation_steps=values["gradient_accumulation_steps"],
        max_length=values["max_length"],
        lr_scheduler_type=values["lr_scheduler"],
        warmup_steps=values["warmup_ratio"],
        weight_decay=values["weight_decay"],
        bf16=values["precision"] == "bf16",
        fp16=values["precision"] == "fp16",
        gradient_checkpointing=values["gradient_checkpointing"],
        packing=values["packing"],
        use_cpu=device == "cpu",
        max_steps=params.max_steps or -1,
        logging_steps=1,
        save_steps=CHECKPOINT_EVERY,
        save_total_limit=2,
        report_to=[],
        seed=params.seed,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )


def sft_job(ctx: JobContext, params: SftParams) -> dict[str, Any]:
    """Fine-tune ``base_model`` on the dataset version and save the adapter (or full weights) with its tokenizer."""
    from peft import LoraConfig
    from transformers import AutoTokenizer
    from transformers.trainer_utils import get_last_checkpoint
    from trl import SFTTrainer

    from datasets import Dataset
    from llmore.datasets.models import DatasetVersion
    from llmore.training.callbacks import JobReporter

    with ctx.sessions() as session:
        from sqlalchemy import select

        version = session.scalar(
            select(DatasetVersion).where(
                DatasetVersion.dataset_id == params.dataset_id, DatasetVersion.number == params.number
            )
        )
        if version is None:
            raise AppError(f"Dataset {params.dataset_id} has no version {params.number}.")
    schema = DataSchema(version.data_schema)
    split = params.split or ("train" if version.splits else None)
    rows = versions.iter_rows(artifact_store(ctx.settings), version.sha256)
    items = list(examples(rows, schema, split))
    tokenizer = AutoTokenizer.from_pretrained(params.base_model)
    proposal = _advise(ctx, params, items, tokenizer, schema)
    device = hardware_facts().device
    checkpoints = ctx.workdir / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    peft_config = None
    if params.method is not Method.FULL:
        values = proposal.values
        peft_config = LoraConfig(
            r=values["lora_r"],
            lora_alpha=values["lora_alpha"],
            lora_dropout=values["lora_dropout"],
            target_modules=values["lora_target_modules"],
            task_type="CAUSAL_LM",
        )
    trainer = SFTTrainer(
        model=params.base_model,
        args=_config(proposal, params, checkpoints, device),
        train_dataset=Dataset.from_list(items),
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[JobReporter(ctx, auto_stop=params.auto_stop)],
    )
    resume = get_last_checkpoint(str(checkpoints))
    if resume:
        ctx.log(f"resuming from {resume}")
    result = trainer.train(resume_from_checkpoint=resume)
    output = ctx.settings.models_dir / "trained" / f"job-{ctx.job_id}"
    trainer.save_model(str(output))
    tokenizer.save_pretrained(str(output))
    ctx.log(f"saved {'adapter' if peft_config else 'model'} to {output}")
    from llmore.models.service import reference
    from llmore.training.registration import register_output

    with ctx.sessions.begin() as session:
        registered = register_output(
            session,
            output=output,
            model_name=params.output_model or f"{Path(params.base_model).name}-sft",
            base_model=params.base_model,
            job_id=ctx.job_id,
            lineage={
                "dataset_id": params.dataset_id,
                "dataset_version": params.number,
                "split": split,
                "recipe": "sft",
                "method": params.method.value,
                "hyperparameters": proposal.values,
            },
        )
        model_ref = reference(registered)
    ctx.log(f"registered as {model_ref} (state trained)")
    return {
        "output_path": str(output),
        "model": model_ref,
        "kind": "adapter" if peft_config else "full",
        "steps": result.global_step,
        "train_loss": result.training_loss,
        "split": split if split else None,
        "hyperparameters": proposal.values,
        "base_model": params.base_model,
    }
