"""Reading what a model folder or GGUF file is, without loading its weights; copying and downloading it.

:func:`inspect_artifact` looks at small files only: ``config.json`` (architecture, context length,
dtype), the safetensors headers (parameter count), ``tokenizer_config.json`` /
``chat_template.jinja`` (chat template), a README's front matter (license), and for PEFT
adapters ``adapter_config.json`` (base model, rank, target modules). A GGUF file is read through
the ``gguf`` package's memory-mapped reader, which touches its header and tensor table only.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmore.errors import AppError
from llmore.models.bundled import safetensors_parameter_count
from llmore.models.lifecycle import Kind

ADAPTER_CONFIG = "adapter_config.json"
_FRONT_MATTER_LICENSE = re.compile(r"^license:\s*[\"']?([^\"'\n]+?)[\"']?\s*$", re.MULTILINE)
# Keys transformers configs use for the context window, most specific first.
_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


@dataclass
class Inspection:
    """What a folder or file holds, in the registry's terms (fields of ``ModelVersion``)."""

    kind: Kind
    format: str
    inference_framework: str
    train_framework: str | None
    size_bytes: int
    parameter_count: int | None = None
    context_length: int | None = None
    has_chat_template: bool = False
    license: str = ""
    architecture: str | None = None
    dtype: str | None = None
    base_model: str | None = None
    """An adapter's ``base_model_name_or_path`` (a folder or a hub id), for linking it to its base."""
    details: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        """The columns of ``ModelVersion`` this inspection fills."""
        return {
            "kind": self.kind.value, "format": self.format, "inference_framework": self.inference_framework,
            "train_framework": self.train_framework, "size_bytes": self.size_bytes,
            "parameter_count": self.parameter_count, "context_length": self.context_length,
            "has_chat_template": self.has_chat_template, "license": self.license,
            "architecture": self.architecture, "dtype": self.dtype, "details": self.details,
        }


def inspect_artifact(path: Path) -> Inspection:
    """Describe the model folder (transformers, sentence-transformers, PEFT adapter) or GGUF file at ``path``."""
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise AppError(f"{path} is a file but not a .gguf model; point at a model folder or a .gguf file.",
                           code="not_a_model", details=[{"field": "body.location", "message": "unsupported file"}])
        return inspect_gguf(path)
    if not path.is_dir():
        raise AppError(f"Nothing at {path}; check the path on the server.", code="not_a_model",
                       details=[{"field": "body.location", "message": "does not exist"}])
    if (path / ADAPTER_CONFIG).is_file():
        return _inspect_adapter(path)
    if not (path / "config.json").is_file():
        raise AppError(f"{path} holds neither config.json (a transformers model) nor {ADAPTER_CONFIG} (a PEFT "
                       "adapter); point at the folder that contains them.", code="not_a_model",
                       details=[{"field": "body.location", "message": "no config.json"}])
    return _inspect_checkpoint(path)


def _inspect_checkpoint(folder: Path) -> Inspection:
    config = _read_json(folder / "config.json") or {}
    weights = sorted(folder.glob("*.safetensors"))
    counts = [safetensors_parameter_count(w) for w in weights]
    sentence_transformers = (folder / "modules.json").is_file()
    context = next((config[key] for key in _CONTEXT_KEYS if isinstance(config.get(key), int)), None)
    st_config = _read_json(folder / "sentence_bert_config.json") or {}
    details: dict[str, Any] = {"model_type": config.get("model_type")}
    if sentence_transformers:
        details["max_seq_length"] = st_config.get("max_seq_length")
        details["embedding_dim"] = config.get("hidden_size")
    return Inspection(
        kind=Kind.BASE,
        format="safetensors" if weights else ("pytorch" if any(folder.glob("*.bin")) else "unknown"),
        inference_framework="sentence-transformers" if sentence_transformers else "transformers",
        train_framework="transformers",
        size_bytes=folder_size(folder),
        # Without safetensors headers, counting would mean loading the weights: left unknown.
        parameter_count=sum(c for c in counts if c) if weights and all(c is not None for c in counts) else None,
        context_length=context,
        has_chat_template=_has_chat_template(folder),
        license=_license(folder),
        architecture=(config.get("architectures") or [config.get("model_type")])[0],
        dtype=config.get("dtype") or config.get("torch_dtype"),
        details=details,
    )


def _inspect_adapter(folder: Path) -> Inspection:
    config = _read_json(folder / ADAPTER_CONFIG) or {}
    weights = folder / "adapter_model.safetensors"
    targets = config.get("target_modules")
    return Inspection(
        kind=Kind.ADAPTER,
        format="peft",
        inference_framework="transformers",
        train_framework="peft",
        size_bytes=folder_size(folder),
        parameter_count=safetensors_parameter_count(weights) if weights.is_file() else None,
        has_chat_template=_has_chat_template(folder),
        license=_license(folder),
        base_model=config.get("base_model_name_or_path") or None,
        details={"peft_type": config.get("peft_type"), "task_type": config.get("task_type"), "r": config.get("r"),
                 "lora_alpha": config.get("lora_alpha"),
                 "target_modules": sorted(targets) if isinstance(targets, list) else targets},
    )


def inspect_gguf(path: Path) -> Inspection:
    """Describe a GGUF file from its metadata and tensor table (the tensor data is not read)."""
    from gguf import GGUFReader

    try:
        reader = GGUFReader(path)
    except (ValueError, OSError) as exc:
        raise AppError(f"{path} is not a readable GGUF file ({exc}).", code="not_a_model",
                       details=[{"field": "body.location", "message": "invalid GGUF"}]) from exc

    def value(key: str) -> Any:
        found = reader.get_field(key)
        return found.contents() if found is not None else None

    architecture = value("general.architecture")
    return Inspection(
        kind=Kind.BASE,
        format="gguf",
        inference_framework="llama.cpp",
        train_framework=None,
        size_bytes=path.stat().st_size,
        parameter_count=sum(int(tensor.n_elements) for tensor in reader.tensors),
        context_length=value(f"{architecture}.context_length") if architecture else None,
        has_chat_template=bool(value("tokenizer.chat_template")),
        license=str(value("general.license") or ""),
        architecture=architecture,
        details={"gguf_name": value("general.name"), "gguf_file_type": value("general.file_type"),
                 "quantization": _gguf_quantization(path)},
    )


def _gguf_quantization(path: Path) -> str | None:
    match = re.search(r"(?i)[.-](q\d[_a-z0-9]*|f16|f32|bf16)$", path.stem)
    return match.group(1).upper() if match else None


def _has_chat_template(folder: Path) -> bool:
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return True
    return bool((_read_json(folder / "tokenizer_config.json") or {}).get("chat_template"))


def _license(folder: Path) -> str:
    """The ``license:`` of a model card's YAML front matter (how hub models declare it), else ''."""
    try:
        text = (folder / "README.md").read_text(encoding="utf-8", errors="replace")[:8192]
    except OSError:
        return ""
    if not text.startswith("---"):
        return ""
    front = text[3:].split("\n---", 1)[0]
    match = _FRONT_MATTER_LICENSE.search(front)
    return match.group(1).strip()[:100] if match else ""


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path`` (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# ---------------------------------------------------------------- files LLMore owns


def export_target(home: Path, reference: str, export_format: str) -> Path:
    """Where an export of ``reference`` (``name:N``) is written: ``$LLMORE_HOME/exports/<name>-vN[.tar]``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", reference.replace(":", "-v"))
    return home / "exports" / (f"{safe}.tar" if export_format == "tar" else safe)


def registry_dir(models_dir: Path, model_id: int) -> Path:
    """Where the copied versions of a model live: ``$LLMORE_HOME/models/registry/<model id>/v<number>``."""
    return models_dir / "registry" / str(model_id)


def staging_dir(models_dir: Path, model_id: int) -> Path:
    """A fresh, hidden folder to write a version into before it has a number."""
    folder = registry_dir(models_dir, model_id) / f".staging-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    return folder


def copy_artifact(source: Path, staging: Path, progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy a model folder's contents (or one file) into ``staging``; returns the path to register.

    ``progress(done_bytes, total_bytes)`` is called after each file.
    """
    if source.is_file():
        files = [(source, staging / source.name)]
    else:
        files = [(path, staging / path.relative_to(source)) for path in sorted(source.rglob("*"))
                 if path.is_file() and not _skipped(path.relative_to(source))]
    total = sum(path.stat().st_size for path, _ in files)
    done = 0
    for path, target in files:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        done += path.stat().st_size
        if progress is not None:
            progress(done, total)
    return files[0][1] if source.is_file() else staging


def _skipped(relative: Path) -> bool:
    # Version-control and hub cache folders are not part of the model.
    return any(part in (".git", ".cache") for part in relative.parts)


def download(source: str, repo_id: str, revision: str | None, target: Path) -> None:
    """Download a Hugging Face or ModelScope repository into ``target`` (needs network access)."""
    if source == "huggingface":
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

        try:
            snapshot_download(repo_id=repo_id, revision=revision, local_dir=target)
        except LocalEntryNotFoundError as exc:
            raise AppError(f"Cannot download {repo_id} from Hugging Face: this machine is offline "
                           "(or HF_HUB_OFFLINE=1). Download it elsewhere and import the folder by path.",
                           code="download_failed") from exc
        except HfHubHTTPError as exc:
            raise AppError(f"Hugging Face refused {repo_id}: {exc}. Check the id, the revision and, for gated "
                           "models, HF_TOKEN.", code="download_failed") from exc
        return
    try:
        from modelscope import snapshot_download as modelscope_download
    except ImportError as exc:
        raise AppError("Importing from ModelScope needs the modelscope package: pip install modelscope.",
                       code="missing_package") from exc
    modelscope_download(repo_id, revision=revision, local_dir=str(target))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
