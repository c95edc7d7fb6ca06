"""The defaults advisor: sensible proposals with reasons, estimates that scale, refusals that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
import transformers

from llmore.errors import AppError
from llmore.training.advisor import Method, Recipe, propose, with_overrides
from llmore.training.facts import DataFacts, HardwareFacts, ModelFacts, model_facts

SMOLLM2 = ModelFacts(parameters=134_515_008, hidden_size=576, layers=30, attention_heads=9, context_length=8192,
                     vocab_size=49152)
LLAMA_8B = ModelFacts(parameters=8_030_261_248, hidden_size=4096, layers=32, attention_heads=32,
                      context_length=131072, vocab_size=128256)
CPU = HardwareFacts(device="cpu", gpus=0, gpu_memory_gb=0, ram_gb=24, cpus=2, bf16=True)
H100 = HardwareFacts(device="cuda", gpus=1, gpu_memory_gb=80, ram_gb=128, cpus=16, bf16=True)
T4 = HardwareFacts(device="cuda", gpus=1, gpu_memory_gb=16, ram_gb=32, cpus=8, bf16=False)


def data(rows: int = 2_000, p50: int = 90, p99: int = 300, schema: str = "chat") -> DataFacts:
    return DataFacts(rows=rows, tokens_p50=p50, tokens_p99=p99, tokens_max=p99 * 2, tokens_mean=p50 * 1.1,
                     data_schema=schema)


def test_small_model_lora_on_cpu_gets_field_defaults_with_reasons() -> None:
    proposal = propose(SMOLLM2, data(), CPU)
    values = proposal.values
    assert values["learning_rate"] == 2e-4
    assert values["epochs"] == 3
    assert values["max_length"] == 320  # p99 300 rounded up to a multiple of 64
    assert (values["lora_r"], values["lora_alpha"], values["lora_target_modules"]) == (16, 32, "all-linear")
    assert values["precision"] == "bf16"
    assert values["gradient_checkpointing"] is False
    assert values["packing"] is True  # rows fill ~31 % of max_length
    assert all(choice.reason for choice in proposal.choices.values())
    assert proposal.problems == []
    assert 0 < proposal.estimate.peak_memory_gb < proposal.estimate.available_memory_gb


def test_estimate_scales_with_data_and_model() -> None:
    small = propose(SMOLLM2, data(rows=2_000), CPU).estimate
    large = propose(SMOLLM2, data(rows=20_000), CPU).estimate
    assert large.steps > small.steps
    big_model = propose(LLAMA_8B, data(rows=2_000), H100)
    assert big_model.values["learning_rate"] == 1e-4
    assert big_model.estimate.peak_memory_gb > small.peak_memory_gb


def test_full_fine_tuning_of_8b_on_one_t4_is_refused_with_advice() -> None:
    proposal = propose(LLAMA_8B, data(), T4, method=Method.FULL)
    assert proposal.values["precision"] == "fp16"
    assert proposal.values["gradient_checkpointing"] is True
    fields = {problem["field"] for problem in proposal.problems}
    assert "per_device_batch_size" in fields
    assert "use LoRA/QLoRA" in next(p["message"] for p in proposal.problems if p["field"] == "per_device_batch_size")


def test_qlora_on_cpu_and_wrong_schema_are_refused() -> None:
    proposal = propose(SMOLLM2, data(schema="text"), CPU, recipe=Recipe.DPO, method=Method.QLORA)
    messages = {p["field"]: p["message"] for p in proposal.problems}
    assert "CUDA GPU" in messages["method"]
    assert "preference" in messages["dataset"]


def test_qlora_on_a_gpu_loads_the_base_in_4bit_or_says_what_is_missing() -> None:
    from transformers.quantizers.auto import AutoQuantizationConfig

    from llmore.training.jobs import QLORA_QUANTIZATION

    config = AutoQuantizationConfig.from_dict(dict(QLORA_QUANTIZATION))
    assert (config.load_in_4bit, config.bnb_4bit_quant_type, config.bnb_4bit_use_double_quant) == (True, "nf4", True)
    proposal = propose(LLAMA_8B, data(), H100, recipe=Recipe.SFT, method=Method.QLORA)
    messages = {p["field"]: p["message"] for p in proposal.problems}
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        assert "pip install 'llmore[gpu]'" in messages["method"]
    else:
        assert "method" not in messages


def test_user_edits_are_rechecked() -> None:
    base = propose(SMOLLM2, data(p50=200, p99=300), CPU)
    bad = with_overrides(base, {"learning_rate": -1.0, "max_length": 128}, SMOLLM2, data(p50=200, p99=300), CPU)
    messages = {p["field"]: p["message"] for p in bad.problems}
    assert "positive" in messages["learning_rate"]
    assert "at least 200" in messages["max_length"]
    assert bad.choices["max_length"].reason == "set by you"
    unknown = with_overrides(base, {"learning_rat": 1e-4}, SMOLLM2, data(), CPU)
    assert unknown.problems[0]["field"] == "learning_rat"


def test_preference_and_rl_recipes_use_smaller_steps() -> None:
    sft = propose(SMOLLM2, data(schema="preference"), CPU, recipe=Recipe.SFT).values["learning_rate"]
    dpo = propose(SMOLLM2, data(schema="preference"), CPU, recipe=Recipe.DPO).values["learning_rate"]
    grpo = propose(SMOLLM2, data(schema="prompt_answer"), CPU, recipe=Recipe.GRPO).values["learning_rate"]
    assert sft > dpo > grpo


def test_model_facts_are_read_without_loading_weights(tiny_causal_lm: Path) -> None:
    facts = model_facts(tiny_causal_lm)


    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_causal_lm)
    assert facts.parameters == model.num_parameters()
    assert facts.layers == model.config.num_hidden_layers
    with pytest.raises(AppError, match=r"no config\.json"):
        model_facts(tiny_causal_lm.parent)


def test_each_recipe_gets_its_own_defaults_with_reasons() -> None:
    sft = propose(SMOLLM2, data(), CPU).values
    pretrain = propose(SMOLLM2, data(schema="text", p50=300, p99=320), CPU, recipe=Recipe.PRETRAIN)
    assert pretrain.values["learning_rate"] == sft["learning_rate"] / 2
    assert "limit forgetting" in pretrain.choices["learning_rate"].reason
    assert pretrain.values["packing"] is True  # even though rows fill most of max_length
    assert pretrain.values["epochs"] == 1
    dpo = propose(SMOLLM2, data(schema="preference"), CPU, recipe=Recipe.DPO)
    assert dpo.values["beta"] == 0.1
    assert dpo.values["packing"] is False
    grpo_facts = DataFacts(rows=2_000, tokens_p50=40, tokens_p99=90, tokens_max=120, tokens_mean=45,
                           data_schema="prompt_answer", answer_tokens_p99=50)
    grpo = propose(SMOLLM2, grpo_facts, CPU, recipe=Recipe.GRPO)
    assert grpo.values["num_generations"] == 4
    assert grpo.values["max_completion_length"] == 128  # 2 x 50 rounded up to a multiple of 32
    assert "max_length" not in grpo.values
    assert grpo.values["per_device_batch_size"] % 4 == 0
    assert grpo.problems == []
    assert propose(SMOLLM2, grpo_facts, H100, recipe=Recipe.GRPO).values["num_generations"] == 8
    uneven = with_overrides(grpo, {"num_generations": 3}, SMOLLM2, grpo_facts, CPU)
    assert "multiple of num_generations (3)" in {p["field"]: p["message"] for p in uneven.problems}["num_generations"]
