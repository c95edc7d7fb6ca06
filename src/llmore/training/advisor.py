"""The defaults advisor: every hyper-parameter proposed from model, data and hardware, each with its reason.

It follows the field's common practice and says so in one line per choice (shown in the console):

* learning rate by method and model size (LoRA ~2e-4 on small models, lower as models grow; full
  fine-tuning an order of magnitude lower; continued pre-training half, preference and RL recipes
  lower still);
* recipe settings: DPO's beta, GRPO's group size, completion length and KL weight;
* epochs by data size (small sets need more passes, large ones one);
* max length from the data's token lengths (p99, rounded up to a multiple of 64, capped by the
  model's context), never below the median;
* LoRA r by data size with alpha = 2r on all linear layers;
* batch size and gradient accumulation to reach a sensible effective batch within memory;
* precision by hardware (bf16 where supported, fp16 on older GPUs), gradient checkpointing only
  when the run would not fit without it, packing when padding would waste most of each batch.

Memory follows the usual accounting: weights, trainable parameters with gradients and AdamW
states, and activations (≈ 34·s·b·h bytes per layer plus 5·a·s²·b for attention scores, Korthikanti
et al. 2022), with checkpointing keeping one layer's worth. Time is 6·N·tokens (full) or 4·N·tokens
(LoRA: no weight gradients) FLOPs over a throughput calibrated on this project's reference runs.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from llmore.training.facts import DataFacts, HardwareFacts, ModelFacts
from llmore.training.launch_plan import LaunchPlan

GIB = 2**30
LENGTH_STEP = 64
# Effective FLOP/s: CPU measured on the 2-core reference machine (LoRA SFT of SmolLM2-135M, batch
# 8 × 128 tokens in ~2.1 s: 4 × 135e6 × 1024 / 2.1); GPU assumes 40 % of an A100-class bf16 peak.
CPU_FLOPS = 2.6e11
GPU_FLOPS = 1.2e14
EVALUATIONS = 10  # eval points per run
MEMORY_HEADROOM = 0.85  # leave room for the allocator, CUDA context and the data loader


class Recipe(StrEnum):
    SFT = "sft"
    PRETRAIN = "pretrain"
    DPO = "dpo"
    GRPO = "grpo"
    REWARD = "reward"  # a reward model: the base with a one-score head, trained to rank chosen above rejected


class Method(StrEnum):
    FULL = "full"
    LORA = "lora"
    QLORA = "qlora"


RECIPE_SCHEMAS = {
    Recipe.SFT: ("chat", "prompt_answer"),
    Recipe.PRETRAIN: ("text",),
    Recipe.DPO: ("preference",),
    Recipe.GRPO: ("prompt_answer", "chat"),
    Recipe.REWARD: ("preference",),
}
GRPO_LENGTH_STEP = 32
GRPO_MAX_COMPLETION = 512


def schema_problem(recipe: Recipe, schema: str) -> str | None:
    """Why ``recipe`` cannot use rows of ``schema`` (naming the schemas that fit), or None when it can."""
    fitting = RECIPE_SCHEMAS[recipe]
    if schema in fitting:
        return None
    return f"{recipe.value} needs {' or '.join(fitting)} rows; this dataset version holds {schema} rows."


class Choice(BaseModel):
    """One proposed value and the one-line reason for it."""

    value: Any
    reason: str


class Estimate(BaseModel):
    peak_memory_gb: float
    available_memory_gb: float
    steps: int
    seconds: float
    trainable_parameters: int


class Proposal(BaseModel):
    """Every hyper-parameter with its reason, the resource estimate, and anything that makes the run impossible."""

    recipe: Recipe
    method: Method
    choices: dict[str, Choice]
    estimate: Estimate
    launch: LaunchPlan | None = None  # planned once the choices are settled (None only while building)
    problems: list[dict[str, str]] = Field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        return {name: choice.value for name, choice in self.choices.items()}


def _learning_rate(recipe: Recipe, method: Method, parameters: int) -> Choice:
    billions = parameters / 1e9
    if method is Method.FULL:
        rate = 5e-5 if billions < 1 else 2e-5 if billions < 8 else 1e-5
        why = "full fine-tuning moves every weight, so it needs a small step"
    else:
        rate = 2e-4 if billions < 1 else 1e-4 if billions < 14 else 5e-5
        why = "LoRA trains small adapters that tolerate larger steps"
    scale = {Recipe.PRETRAIN: 0.5, Recipe.DPO: 0.1, Recipe.GRPO: 0.05}.get(recipe, 1.0)
    if recipe is Recipe.PRETRAIN:
        why += "; continued pre-training shifts the whole distribution, so ×0.5 to limit forgetting"
    elif scale != 1.0:
        why += f"; {recipe.value.upper()} starts from a tuned policy and diverges easily, so ×{scale}"
    return Choice(value=float(f"{rate * scale:.2g}"), reason=f"{why} ({billions:.2g}B parameters)")


def _epochs(recipe: Recipe, rows: int) -> Choice:
    if recipe is Recipe.PRETRAIN:
        return Choice(value=1, reason="continued pre-training sees each document once to avoid memorising it")
    if recipe is Recipe.REWARD:
        return Choice(value=1, reason="reward models overfit the pairs after one pass (InstructGPT trains one epoch)")
    epochs = 5 if rows < 1_000 else 3 if rows < 10_000 else 2 if rows < 100_000 else 1
    return Choice(value=epochs, reason=f"{rows:,} rows: fewer rows need more passes, many rows one")


def _max_length(data: DataFacts, model: ModelFacts) -> Choice:
    wanted = max(LENGTH_STEP, math.ceil(data.tokens_p99 / LENGTH_STEP) * LENGTH_STEP)
    value = min(wanted, model.context_length)
    reason = f"covers 99 % of rows whole (p99 = {data.tokens_p99} tokens), rounded up to a multiple of 64"
    if value < wanted:
        reason = f"the model's context is {model.context_length} tokens (data p99 = {data.tokens_p99})"
    return Choice(value=value, reason=reason)


def _recipe_choices(recipe: Recipe, data: DataFacts, hardware: HardwareFacts) -> dict[str, Choice]:
    """The settings only one recipe has: DPO's beta; GRPO's group size, completion length and KL weight."""
    if recipe is Recipe.DPO:
        return {"beta": Choice(value=0.1, reason="the usual DPO strength: how far the policy may leave the reference")}
    if recipe is not Recipe.GRPO:
        return {}
    generations = 8 if hardware.device == "cuda" else 4
    wanted = max(GRPO_LENGTH_STEP, math.ceil(2 * data.answer_tokens_p99 / GRPO_LENGTH_STEP) * GRPO_LENGTH_STEP)
    return {
        "num_generations": Choice(
            value=generations,
            reason=f"{generations} answers per prompt give a usable group baseline"
            + ("" if hardware.device == "cuda" else "; fewer on CPU, where generation dominates the time"),
        ),
        "max_completion_length": Choice(
            value=min(wanted, GRPO_MAX_COMPLETION),
            reason=f"twice the reference answers' p99 ({data.answer_tokens_p99} tokens), rounded up to a multiple "
            f"of {GRPO_LENGTH_STEP}, at most {GRPO_MAX_COMPLETION}",
        ),
        "beta": Choice(
            value=0.0,
            reason="no KL penalty (TRL's default): no reference model to run; the low "
            "learning rate keeps the policy near the base",
        ),
    }


def _sequence_length(choices: dict[str, Choice], data: DataFacts) -> int:
    """Tokens per training sequence: max_length, or for GRPO the prompt (p99) plus the completion budget."""
    if "max_length" in choices:
        return int(choices["max_length"].value)
    return data.tokens_p99 + int(choices["max_completion_length"].value)


def _weight_decay(method: Method) -> Choice:
    if method is Method.FULL:
        return Choice(value=0.01, reason="mild decay keeps full fine-tuning close to the base model")
    return Choice(value=0.0, reason="adapters start at zero; decay would only pull them back")


def _lora_rank(rows: int) -> int:
    return 8 if rows < 1_000 else 16 if rows < 10_000 else 32 if rows < 100_000 else 64


def _trainable(model: ModelFacts, method: Method, rank: int) -> int:
    if method is Method.FULL:
        return model.parameters
    # all linear layers of a decoder block: q, k, v, o (h×h) and gate, up, down (h×~2.7h)
    per_layer = 4 * 2 * rank * model.hidden_size + 3 * rank * (model.hidden_size + int(2.7 * model.hidden_size))
    return per_layer * model.layers


class MemoryParts(BaseModel):
    """Peak training memory in bytes by what holds it: weights, trainable state (optimizer), activations."""

    weights: float
    optimizer: float  # fp32 master weight, gradient and two AdamW moments per trainable parameter
    activations: float

    @property
    def total(self) -> float:
        return self.weights + self.optimizer + self.activations


def _memory_parts(
    model: ModelFacts, method: Method, trainable: int, precision: str, batch: int, length: int, checkpointing: bool
) -> MemoryParts:
    weight_bytes = {Method.QLORA: 0.55, Method.LORA: 2 if precision != "fp32" else 4, Method.FULL: 4}[method]
    activation_layers = 1 if checkpointing else model.layers
    per_layer = 34 * length * batch * model.hidden_size + 5 * model.attention_heads * length * length * batch
    logits = batch * length * model.vocab_size * 4
    return MemoryParts(
        weights=model.parameters * weight_bytes,
        optimizer=trainable * 16,
        activations=per_layer * activation_layers * (2 if precision == "fp32" else 1) + logits,
    )


def _memory_bytes(
    model: ModelFacts, method: Method, trainable: int, precision: str, batch: int, length: int, checkpointing: bool
) -> float:
    return _memory_parts(model, method, trainable, precision, batch, length, checkpointing).total


def memory_parts(proposal: Proposal, model: ModelFacts, data: DataFacts) -> MemoryParts:
    """Where the (possibly edited) run's memory goes on one device: what ZeRO can shard or offload."""
    values = proposal.values
    return _memory_parts(
        model,
        proposal.method,
        _trainable(model, proposal.method, values.get("lora_r", 0)),
        values["precision"],
        values["per_device_batch_size"],
        _sequence_length(proposal.choices, data),
        values["gradient_checkpointing"],
    )


def propose(
    model: ModelFacts,
    data: DataFacts,
    hardware: HardwareFacts,
    *,
    recipe: Recipe = Recipe.SFT,
    method: Method = Method.LORA,
    max_steps: int | None = None,
) -> Proposal:
    """Propose every hyper-parameter for ``recipe`` × ``method`` and estimate memory and time.

    ``max_steps`` (a trial run's cap) bounds the steps the evaluation interval is spread over.
    """
    choices: dict[str, Choice] = {
        "learning_rate": _learning_rate(recipe, method, model.parameters),
        "epochs": _epochs(recipe, data.rows),
        "lr_scheduler": Choice(value="cosine", reason="decays smoothly to zero; the common default for fine-tuning"),
        "warmup_ratio": Choice(value=0.03, reason="a short warm-up keeps the first updates from overshooting"),
        "weight_decay": _weight_decay(method),
    }
    if recipe is not Recipe.GRPO:  # GRPO bounds the generated completion instead (max_completion_length)
        choices["max_length"] = _max_length(data, model)
    choices.update(_recipe_choices(recipe, data, hardware))
    rank = _lora_rank(data.rows)
    if method is not Method.FULL:
        choices["lora_r"] = Choice(value=rank, reason=f"{data.rows:,} rows: more data supports a larger adapter")
        choices["lora_alpha"] = Choice(value=2 * rank, reason="alpha = 2r keeps the update scale stable across ranks")
        choices["lora_target_modules"] = Choice(
            value="all-linear", reason="adapting every linear layer matches full fine-tuning best"
        )
        choices["lora_dropout"] = Choice(value=0.05, reason="light regularisation for the adapter")
    precision = (
        ("bf16" if hardware.bf16 else "fp16") if hardware.device == "cuda" else ("bf16" if hardware.bf16 else "fp32")
    )
    choices["precision"] = Choice(
        value=precision,
        reason={
            "bf16": "bf16 halves memory and is fast here without fp16's overflow risk",
            "fp16": "this GPU has no bf16; fp16 with loss scaling",
            "fp32": "no reduced precision available on this device",
        }[precision],
    )
    _fit_batch(choices, model, data, hardware, method, recipe, precision, rank)
    trainable = _trainable(model, method, rank)
    estimate = _estimate(choices, model, data, hardware, method, trainable, precision)
    if data.eval_rows:
        choices["eval_every"] = _eval_every(min(estimate.steps, max_steps or estimate.steps), data.eval_rows)
    return _planned(Proposal(recipe=recipe, method=method, choices=choices, estimate=estimate), model, data, hardware)


def _planned(proposal: Proposal, model: ModelFacts, data: DataFacts, hardware: HardwareFacts) -> Proposal:
    """The proposal with its launch plan on this hardware and everything that makes it impossible."""
    from llmore.training.distributed import plan_launch  # it builds on this module's memory accounting

    proposal.launch = plan_launch(memory_parts(proposal, model, data), hardware, proposal.method)
    proposal.problems = check(proposal, model, data, hardware)
    return proposal


def _eval_every(steps: int, eval_rows: int) -> Choice:
    every = max(1, math.ceil(steps / EVALUATIONS))
    return Choice(
        value=every,
        reason=f"about {EVALUATIONS} evaluations of the {eval_rows:,} held-out rows over {steps:,} steps: enough "
        "points for the eval curve, the overfitting alert and early stopping, at little cost",
    )


def _available_gb(hardware: HardwareFacts) -> float:
    return (hardware.gpu_memory_gb if hardware.device == "cuda" else hardware.ram_gb) * MEMORY_HEADROOM


def _fit_batch(
    choices: dict[str, Choice],
    model: ModelFacts,
    data: DataFacts,
    hardware: HardwareFacts,
    method: Method,
    recipe: Recipe,
    precision: str,
    rank: int,
) -> None:
    """The largest per-device batch (≤ 16) that fits; checkpointing only if batch 1 does not fit without it."""
    length = _sequence_length(choices, data)
    trainable = _trainable(model, method, rank)
    available = _available_gb(hardware) * GIB
    target = 16 if data.rows < 10_000 else 32 if data.rows < 100_000 else 64
    for checkpointing in (False, True):
        for batch in _batch_sizes(choices):
            if _memory_bytes(model, method, trainable, precision, batch, length, checkpointing) <= available:
                devices = max(1, hardware.gpus)
                accumulation = max(1, target // (batch * devices))
                choices["per_device_batch_size"] = Choice(
                    value=batch,
                    reason=f"the largest of {'/'.join(map(str, _batch_sizes(choices)))} that fits "
                    f"{available / GIB:.0f} GB",
                )
                choices["gradient_accumulation_steps"] = Choice(
                    value=accumulation, reason=f"reaches an effective batch of {batch * accumulation * devices}"
                )
                choices["gradient_checkpointing"] = Choice(
                    value=checkpointing,
                    reason="needed to fit in memory"
                    if checkpointing
                    else "not needed: it would cost ~25 % speed for memory this run does not lack",
                )
                choices["packing"] = _packing(data, length, recipe)
                return
    choices["per_device_batch_size"] = Choice(value=_batch_sizes(choices)[-1], reason="nothing fits; see the problems")
    choices["gradient_accumulation_steps"] = Choice(value=target, reason="effective batch from accumulation alone")
    choices["gradient_checkpointing"] = Choice(value=True, reason="the run does not fit even with it")
    choices["packing"] = _packing(data, length, recipe)


def _batch_sizes(choices: dict[str, Choice]) -> tuple[int, ...]:
    """Batch sizes to try, largest first; GRPO's batch holds whole groups of num_generations answers."""
    group = int(choices["num_generations"].value) if "num_generations" in choices else 1
    return tuple(batch for batch in (16, 8, 4, 2, 1) if batch % group == 0 and batch >= group) or (group,)


def _packing(data: DataFacts, length: int, recipe: Recipe) -> Choice:
    useful = data.tokens_mean / max(length, 1)
    if recipe is Recipe.PRETRAIN:
        return Choice(value=True, reason="documents are concatenated into full max_length blocks: no padding")
    if recipe in (Recipe.SFT, Recipe.PRETRAIN) and useful < 0.5:
        return Choice(
            value=True, reason=f"rows fill {useful:.0%} of max_length on average; packing removes the padding"
        )
    return Choice(
        value=False,
        reason="rows already fill most of max_length"
        if recipe in (Recipe.SFT, Recipe.PRETRAIN)
        else f"{recipe.value.upper()} compares whole sequences; packing does not apply",
    )


def _estimate(
    choices: dict[str, Choice],
    model: ModelFacts,
    data: DataFacts,
    hardware: HardwareFacts,
    method: Method,
    trainable: int,
    precision: str,
) -> Estimate:
    batch = choices["per_device_batch_size"].value
    length = _sequence_length(choices, data)
    peak = _memory_bytes(model, method, trainable, precision, batch, length, choices["gradient_checkpointing"].value)
    effective = batch * choices["gradient_accumulation_steps"].value * max(1, hardware.gpus)
    steps = max(1, math.ceil(data.rows / effective)) * choices["epochs"].value
    tokens_per_step = effective * (min(data.tokens_mean, length) if not choices["packing"].value else length)
    flops_per_token = (6 if method is Method.FULL else 4) * model.parameters
    throughput = GPU_FLOPS * max(1, hardware.gpus) if hardware.device == "cuda" else CPU_FLOPS * hardware.cpus / 2
    return Estimate(
        peak_memory_gb=round(peak / GIB, 2),
        available_memory_gb=round(_available_gb(hardware), 1),
        steps=steps,
        seconds=round(steps * tokens_per_step * flops_per_token / throughput, 1),
        trainable_parameters=trainable,
    )


def check(proposal: Proposal, model: ModelFacts, data: DataFacts, hardware: HardwareFacts) -> list[dict[str, str]]:
    """Everything that makes the (possibly user-edited) run impossible, each with the field and what to do."""
    values = proposal.values
    problems: list[dict[str, str]] = []

    def refuse(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    if proposal.method is Method.QLORA and hardware.device != "cuda":
        refuse("method", "QLoRA needs a CUDA GPU (bitsandbytes 4-bit kernels); use LoRA on this machine.")
    elif proposal.method is Method.QLORA and importlib.util.find_spec("bitsandbytes") is None:
        refuse("method", "QLoRA needs the bitsandbytes package: pip install 'llmore[gpu]' on this server, or use LoRA.")
    schema = schema_problem(proposal.recipe, data.data_schema)
    if schema:
        refuse("dataset", schema)
    if values["learning_rate"] <= 0:
        refuse("learning_rate", "the learning rate must be positive (try the proposed value).")
    if values["epochs"] <= 0:
        refuse("epochs", "train for at least one epoch.")
    if "eval_every" in values and values["eval_every"] < 1:
        refuse("eval_every", "evaluate at least every step: eval_every must be 1 or more.")
    if "max_length" in values:
        _check_max_length(values["max_length"], model, data, refuse)
    _check_recipe_values(values, refuse)
    if proposal.launch and proposal.launch.processes > 1:
        if not proposal.launch.fits:
            refuse("per_device_batch_size", proposal.launch.reason)
    elif proposal.estimate.peak_memory_gb > proposal.estimate.available_memory_gb:
        refuse(
            "per_device_batch_size",
            f"needs ~{proposal.estimate.peak_memory_gb:.1f} GB but "
            f"{proposal.estimate.available_memory_gb:.1f} GB are usable: lower the batch "
            "or max_length, use LoRA/QLoRA, or a larger machine.",
        )
    return problems


def _check_max_length(length: int, model: ModelFacts, data: DataFacts, refuse: Callable[[str, str], None]) -> None:
    if length <= 0:
        refuse("max_length", "max_length must be positive.")
    elif length < data.tokens_p50:
        refuse(
            "max_length",
            f"max_length {length} cuts more than half the rows (median "
            f"{data.tokens_p50} tokens); raise it to at least {data.tokens_p50}.",
        )
    elif length > model.context_length:
        refuse("max_length", f"the model's context is {model.context_length} tokens.")


def _check_recipe_values(values: dict[str, Any], refuse: Callable[[str, str], None]) -> None:
    """DPO's and GRPO's own settings: a non-negative beta, groups of at least two that fill whole batches."""
    if "beta" in values and values["beta"] < 0:
        refuse("beta", "beta must be zero or positive (0.1 is the usual DPO value).")
    if "max_completion_length" in values and values["max_completion_length"] <= 0:
        refuse("max_completion_length", "max_completion_length must be positive.")
    if "num_generations" not in values:
        return
    group = values["num_generations"]
    batch = values["per_device_batch_size"] * values["gradient_accumulation_steps"]
    if group < 2:
        refuse("num_generations", "GRPO compares answers within a group: generate at least 2 per prompt.")
    elif batch % group:
        refuse(
            "num_generations",
            f"per_device_batch_size × gradient_accumulation_steps ({batch}) must be a multiple of "
            f"num_generations ({group}): each batch holds whole groups.",
        )


def with_overrides(
    proposal: Proposal, overrides: dict[str, Any], model: ModelFacts, data: DataFacts, hardware: HardwareFacts
) -> Proposal:
    """The proposal with the user's edits applied, re-estimated and re-checked."""
    unknown = set(overrides) - set(proposal.choices)
    if unknown:
        known = ", ".join(sorted(proposal.choices))
        problems = [
            {"field": name, "message": f"not a hyper-parameter of this run; known: {known}"} for name in sorted(unknown)
        ]
        return proposal.model_copy(update={"problems": problems})
    edits = {name: Choice(value=value, reason="set by you") for name, value in overrides.items()}
    choices = {**proposal.choices, **edits}
    rank = choices["lora_r"].value if "lora_r" in choices else 0
    trainable = _trainable(model, proposal.method, rank)
    edited = Proposal(
        recipe=proposal.recipe,
        method=proposal.method,
        choices=choices,
        estimate=_estimate(choices, model, data, hardware, proposal.method, trainable, choices["precision"].value),
    )
    return _planned(edited, model, data, hardware)
