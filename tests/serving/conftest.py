"""Real worker processes shared by the serving tests: the tiny model with a LoRA adapter, and MiniLM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving.live_worker import LiveWorker, start_worker, stop_worker

TINY = "tiny"
ADAPTER = "tiny-lora"


def build_lora_adapter(base: Path, folder: Path) -> Path:
    """A LoRA adapter with random (non-zero) weights for ``base``, strong enough to change its outputs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base)
    config = LoraConfig(r=4, lora_alpha=64, target_modules=["q_proj", "v_proj", "o_proj"], init_lora_weights=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        peft_model = get_peft_model(model, config)
    peft_model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_adapter(tiny_causal_lm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lora_adapter(tiny_causal_lm, tmp_path_factory.mktemp("tiny-lora"))


@pytest.fixture(scope="session")
def tiny_worker(tiny_causal_lm: Path, tiny_adapter: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWorker]:
    """A worker serving the tiny model as ``tiny`` and its adapter as ``tiny-lora``."""
    worker = start_worker("--model", str(tiny_causal_lm), "--served-name", TINY,
                          "--adapter", f"{ADAPTER}={tiny_adapter}", "--default-max-tokens", "32",
                          home=tmp_path_factory.mktemp("worker-home"))
    yield worker
    stop_worker(worker)


@pytest.fixture(scope="session")
def minilm_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWorker]:
    """A worker serving the bundled all-MiniLM-L6-v2 as ``minilm``."""
    from llmore.models.bundled import MINILM, get_bundled
    from llmore.settings import Settings

    bundled = get_bundled(MINILM, Settings(home=tmp_path_factory.mktemp("minilm-home")))
    if bundled.prepared_path is None:
        pytest.fail(f"MiniLM is not installed: {bundled.problem}")
    worker = start_worker("--model", str(bundled.prepared_path), "--engine", "embeddings", "--served-name", "minilm",
                          home=tmp_path_factory.mktemp("worker-home"))
    yield worker
    stop_worker(worker)
