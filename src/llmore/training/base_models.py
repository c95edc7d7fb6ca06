"""Resolving a run's ``base_model`` to a transformers folder: a local folder, a registered version, or a GGUF file.

Accepted forms, tried in this order:

* a server folder with ``config.json`` (used in place);
* a ``.gguf`` file, de-quantized once into ``$LLMORE_HOME/models/converted/<name>-<sha256 prefix>`` by the
  same converter as the bundled SmolLM2 and reused while the file is unchanged;
* a registry reference ``name``, ``name:N`` or ``name@alias`` (a GGUF version is converted as above);
* anything else — a Hugging Face or ModelScope id included — is refused with what to do: hub models are
  imported into the registry first (Models → Import), which downloads them once for every run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from llmore.errors import AppError, NotFound
from llmore.models import service as registry
from llmore.models.lifecycle import Kind
from llmore.models.models import ModelVersion
from llmore.settings import Settings
from llmore.training.advisor import Method, Recipe

# owner/name (Hugging Face, ModelScope), optionally prefixed with the hub's name.
_HUB_ID = re.compile(r"^(?:(?:hf|huggingface|modelscope|ms):)?[\w.-]+/[\w.-]+$")
_PATH_START = ("/", "./", "../", "~")


@dataclass(frozen=True)
class BaseModel:
    """A run's base: the folder transformers loads, a short name for outputs, and the registry version if any."""

    folder: Path
    name: str
    version_id: int | None = None
    reference: str | None = None


def resolve_base_model(
    settings: Settings,
    session: Session,
    base_model: str,
    *,
    field: str = "base_model",
    log: Callable[[str], None] | None = None,
) -> BaseModel:
    """The folder and registry version that ``base_model`` names; refuses unknown names saying what to do."""
    text = base_model.strip()
    path = Path(text).expanduser()
    if path.exists():
        return _local(settings, path, field, log)
    if not text.startswith(_PATH_START):
        try:
            version = registry.resolve_reference(session, text, field=field)
        except NotFound:
            version = None
        if version is not None:
            return _registered(settings, version, field, log)
    if _HUB_ID.match(text) and not text.startswith(_PATH_START):
        raise AppError(
            f"'{text}' looks like a Hugging Face or ModelScope id. Import it into the model registry first "
            "(Models → Import, or POST /api/models/{id}/imports with source huggingface or modelscope), then "
            "give its reference (name:N) as the base model.",
            code="base_model_not_imported",
            details=[{"field": field, "message": "hub ids are imported into the registry first"}],
        )
    raise AppError(
        f"No model folder, .gguf file or registered model is called '{text}'. Give a server folder with "
        "config.json, a .gguf file, or a registry reference (name, name:N or name@alias).",
        code="unknown_base_model",
        details=[{"field": field, "message": "unknown base model"}],
    )


def refuse_merge(
    base: BaseModel, method: Method, merge: bool, *, field: str = "merge", recipe: Recipe | None = None
) -> None:
    """Refuse ``merge`` where it cannot work: a full fine-tune has no adapter, a reward model's head is not in the
    base, and merging needs a registered base."""
    if merge and recipe is Recipe.REWARD:
        raise AppError(
            "merge applies to language-model adapters; a reward model's score head has no place in the base. "
            "Drop merge.",
            details=[{"field": field, "message": "reward models are not merged"}],
        )
    if merge and method is Method.FULL:
        raise AppError(
            "merge applies to LoRA runs; a full fine-tune already saves whole weights. Drop merge.",
            details=[{"field": field, "message": "nothing to merge after a full fine-tune"}],
        )
    if merge and base.version_id is None:
        raise AppError(
            f"merge needs the base registered in the model registry, and {base.folder} is not. Register it "
            "(Models → Import, source path) and give its reference (name:N) as the base model.",
            details=[{"field": field, "message": "the base is not a registered version"}],
        )


def _local(settings: Settings, path: Path, field: str, log: Callable[[str], None] | None) -> BaseModel:
    path = path.resolve()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return BaseModel(folder=converted_gguf(settings, path, log=log), name=path.stem)
    if not (path / "config.json").is_file():
        raise AppError(
            f"{path} is not a transformers model folder (no config.json); point at the folder that holds "
            "config.json and the *.safetensors weights, or at a .gguf file.",
            details=[{"field": field, "message": "not a model folder"}],
        )
    return BaseModel(folder=path, name=path.name)


def _registered(settings: Settings, version: ModelVersion, field: str, log: Callable[[str], None] | None) -> BaseModel:
    reference = registry.reference(version)
    if version.kind == Kind.ADAPTER:
        raise AppError(
            f"{reference} is an adapter, not a base model. Merge it first (models merge) and train on the merged "
            "version, or train on its base.",
            details=[{"field": field, "message": "an adapter cannot be a base model"}],
        )
    path = Path(version.path)
    folder = converted_gguf(settings, path, log=log) if version.format == "gguf" else path
    return BaseModel(folder=folder, name=version.model.name, version_id=version.id, reference=reference)


def converted_gguf(settings: Settings, gguf_file: Path, *, log: Callable[[str], None] | None = None) -> Path:
    """The safetensors copy of ``gguf_file``, converted now unless an unchanged conversion is already cached.

    The cache folder is named after the file's path; its manifest records the file's sha256, so a
    replaced file is converted again. A lock keeps two runs on the same file from converting it twice.
    """
    from filelock import FileLock

    from llmore.models.bundled import check_prepared, convert_gguf_checkpoint

    place = hashlib.sha256(str(gguf_file.resolve()).encode()).hexdigest()[:12]
    target = settings.models_dir / "converted" / f"{gguf_file.stem}-{place}"
    if check_prepared(target, gguf_file) is None:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        reason = check_prepared(target, gguf_file)
        if reason is not None:
            if log:
                log(f"converting {gguf_file.name} to safetensors once ({reason})")
            convert_gguf_checkpoint(gguf_file, target, log=log)
    return target
