"""Request and response bodies of the model registry API."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from llmore.jobs.schemas import JobOut
from llmore.models.lifecycle import Kind, State
from llmore.schemas import RecordOut, VersionedUpdate

# ':' and '@' separate a model name from a version number or alias in references (name:3, name@prod).
MODEL_NAME_PATTERN = r"^[^\s:@](?:[^:@]*[^\s:@])?$"
ALIAS_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
TAG_MAX = 64


class Task(StrEnum):
    CHAT = "chat"
    COMPLETION = "completion"
    EMBEDDING = "embedding"
    CLASSIFICATION = "classification"
    OTHER = "other"


class ModelImportSource(StrEnum):
    """Where a version's files come from: a server folder, a GGUF file, or a model hub id."""

    PATH = "path"
    GGUF = "gguf"
    HUGGINGFACE = "huggingface"
    MODELSCOPE = "modelscope"


class ExportFormat(StrEnum):
    TAR = "tar"
    FOLDER = "folder"


def _clean_tags(tags: list[str] | None) -> list[str] | None:
    if tags is None:
        return None
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if not tag or len(tag) > TAG_MAX:
            raise ValueError(f"tags must be 1 to {TAG_MAX} characters, got {tag!r}")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


class ModelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=MODEL_NAME_PATTERN,
                      description="Unique; may not contain ':' or '@' (they address versions and aliases).")
    description: str = Field(default="", max_length=5000)
    task: Task = Task.CHAT
    tags: list[str] = Field(default_factory=list, max_length=50)

    _tags = field_validator("tags")(_clean_tags)


class ModelUpdate(VersionedUpdate):
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=MODEL_NAME_PATTERN)
    description: str | None = Field(default=None, max_length=5000)
    task: Task | None = None
    tags: list[str] | None = Field(default=None, max_length=50)

    _tags = field_validator("tags")(_clean_tags)


class VersionUpdate(VersionedUpdate):
    """Editable metadata of a version (its files and lineage never change)."""

    description: str | None = Field(default=None, max_length=5000)
    license: str | None = Field(default=None, max_length=100)
    tags: list[str] | None = Field(default=None, max_length=50)

    _tags = field_validator("tags")(_clean_tags)


class ModelVersionOut(RecordOut):
    model_id: int
    number: int
    reference: str = Field(description="How to address this version: model-name:number.")
    kind: Kind
    state: State
    base_version_id: int | None
    parent_id: int | None
    path: str = Field(description="Local folder (or the file, for GGUF) the engines load.")
    uri: str | None = Field(description="Hub id or original location, when it came from one.")
    storage: str = Field(description="copy: LLMore owns the files; reference: it points at them.")
    format: str
    train_framework: str | None
    inference_framework: str
    size_bytes: int
    parameter_count: int | None
    context_length: int | None
    has_chat_template: bool
    license: str
    architecture: str | None
    dtype: str | None
    description: str
    tags: list[str]
    details: dict[str, Any]
    source: dict[str, Any]
    job_id: int | None
    aliases: list[str] = Field(default_factory=list)


class ModelOut(RecordOut):
    name: str
    description: str
    task: Task
    tags: list[str]
    owner_id: int | None
    latest_version: int = Field(description="Number of the newest version; 0 while the model has none.")
    aliases: dict[str, int] = Field(default_factory=dict, description="Alias → version number.")
    latest: ModelVersionOut | None = None


class ModelImportRequest(BaseModel):
    """Register a version from a server folder or GGUF file (referenced or copied) or a hub id (downloaded).

    A path reference is registered at once; copies and downloads run as a job.
    """

    model_config = ConfigDict(extra="forbid")

    source: ModelImportSource
    location: str = Field(min_length=1, max_length=2000,
                          description="Server folder, .gguf file, Hugging Face id or ModelScope id.")
    revision: str | None = Field(default=None, max_length=200, description="Hub branch, tag or commit.")
    copy_files: bool = Field(default=False, alias="copy",
                             description="Copy a server folder or file into LLMore's store instead of pointing at it.")
    base: str | None = Field(default=None, max_length=300,
                             description="For an adapter: its base as name, name:N or name@alias; detected "
                             "from adapter_config.json when omitted.")
    description: str = Field(default="", max_length=5000)
    license: str | None = Field(default=None, max_length=100, description="Overrides the detected license.")
    tags: list[str] = Field(default_factory=list, max_length=50)

    _tags = field_validator("tags")(_clean_tags)


class ImportOut(BaseModel):
    """Either the registered version (path reference) or the job that will register it."""

    version: ModelVersionOut | None = None
    job: JobOut | None = None


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: State
    reason: str = Field(default="", max_length=2000)
    force: bool = Field(default=False, description="Admins only: override the lifecycle rules (logged).")
    version: int | None = Field(default=None, description="The version row's `version` you saw (optimistic lock).")


class TransitionOut(RecordOut):
    version_id: int
    from_state: State | None
    to_state: State
    reason: str
    forced: bool


class AliasRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, description="The version the alias points at.")


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_model: str | None = Field(default=None, max_length=200, pattern=MODEL_NAME_PATTERN,
                                     description="Model that receives the merged version (created if missing); "
                                     "default: the adapter's model.")
    description: str = Field(default="", max_length=5000)


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: ExportFormat = ExportFormat.TAR


class VersionLink(BaseModel):
    """Another version in a lineage, with what a page needs to name and link it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    model_id: int
    number: int
    reference: str
    kind: Kind
    state: State


class JobLink(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    state: str


class DatasetLink(BaseModel):
    dataset_id: int
    number: int = Field(description="The dataset version a training run used.")


class LineageOut(BaseModel):
    """Where a version came from (base, parent, producing job, training data) and what was made from it."""

    base: VersionLink | None = Field(description="The base an adapter applies to, or a merge was merged into.")
    parent: VersionLink | None = Field(description="The version this one was derived from (merge, conversion).")
    children: list[VersionLink] = Field(description="Versions whose base or parent is this one, oldest first.")
    job: JobLink | None = Field(description="The job that produced this version (import, training, merge…).")
    dataset: DatasetLink | None


class LifecycleOut(BaseModel):
    """The lifecycle rules, so clients offer only the moves the server would accept."""

    states: list[State] = Field(description="Every state, in lifecycle order.")
    allowed: dict[State, list[State]] = Field(description="State → the states it may move to without force.")
    require_approval_to_deploy: bool = Field(description="Only approved versions may become deployed.")
