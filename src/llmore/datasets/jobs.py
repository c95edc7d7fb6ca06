"""Job functions of the data domain; each runs in its own process and ends in a new version or report."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from llmore.datasets import formats, versions
from llmore.datasets.canonical import ROW_ID, SPLIT, DataSchema, Row, label_of
from llmore.datasets.importing import convert_records
from llmore.datasets.job_kinds import AugmentParams, CleanParams, ImportParams, ReportParams, SplitParams
from llmore.datasets.models import Dataset, DatasetVersion, QualityReport
from llmore.datasets.previews import check_methods, check_rules
from llmore.datasets.service import artifact_store, record_version
from llmore.errors import AppError
from llmore.jobs.context import JobContext

DOWNLOAD_CHUNK = 1024 * 1024


class _CountingReader:
    """A binary file wrapper that reports how many bytes were read, for progress on any source."""

    def __init__(self, raw: IO[bytes], total: int | None, ctx: JobContext):
        self.raw, self.total, self.ctx, self.done = raw, total, ctx, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        if self.total:
            self.ctx.progress(min(self.done, self.total - 1), self.total, "reading")
        return data

    def readline(self, size: int = -1) -> bytes:
        line = self.raw.readline(size)
        self.done += len(line)
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _latest(ctx: JobContext, dataset_id: int) -> DatasetVersion | None:
    with ctx.sessions() as session:
        dataset = session.get(Dataset, dataset_id)
        if dataset is None or dataset.is_deleted:
            raise AppError(f"Dataset {dataset_id} does not exist (or was deleted).")
        if not dataset.latest_version:
            return None
        return _version(ctx, dataset_id, dataset.latest_version)


def _version(ctx: JobContext, dataset_id: int, number: int) -> DatasetVersion:
    from sqlalchemy import select

    with ctx.sessions() as session:
        version = session.scalar(select(DatasetVersion).where(DatasetVersion.dataset_id == dataset_id,
                                                              DatasetVersion.number == number))
        if version is None:
            raise AppError(f"Dataset {dataset_id} has no version {number}.")
        return version


def _save_version(ctx: JobContext, *, dataset_id: int, parent: DatasetVersion | None, rows: Iterator[Row],
                  operation: str, params: dict[str, Any], data_schema: str, source: dict[str, Any] | None = None,
                  stats: Callable[[], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Write ``rows`` as the next version; ``stats`` is called after the rows were consumed."""
    store = artifact_store(ctx.settings)
    previous = versions.parent_prints(store, parent.sha256) if parent else None
    written = versions.write_rows(store, rows, parent=previous, scratch=ctx.workdir)
    with ctx.sessions.begin() as session:
        version = record_version(session, dataset_id=dataset_id, parent=parent, operation=operation, params=params,
                                 data_schema=data_schema, written=written, source=source,
                                 stats=stats() if stats else None, job_id=ctx.job_id)
        number = version.number
    ctx.log(f"version {number}: {written.row_count} rows, +{written.diff['added']} "
            f"-{written.diff['removed']} ~{written.diff['changed']}")
    return {"dataset_id": dataset_id, "version": number, "rows": written.row_count, "diff": written.diff}


def _rows(ctx: JobContext, version: DatasetVersion) -> Iterator[Row]:
    """A version's rows with progress reported as they are read."""
    for count, row in enumerate(versions.iter_rows(artifact_store(ctx.settings), version.sha256), start=1):
        if count % 1000 == 0:
            ctx.progress(count, max(version.row_count, 1), f"{count} of {version.row_count} rows")
        yield row


# ---------------------------------------------------------------- import


def _open_source(params: ImportParams, ctx: JobContext, stack: ExitStack) -> tuple[IO[bytes], str, int | None]:
    """A binary stream of the source, its file name and size when known."""
    if params.source in ("upload", "path"):
        path = Path(params.location)
        return stack.enter_context(path.open("rb")), params.filename or path.name, path.stat().st_size
    if params.source == "url":
        return _download(params.location, ctx, stack)
    import fsspec

    opened = stack.enter_context(fsspec.open(params.location, "rb"))
    size = getattr(opened, "size", None)
    return opened, params.filename or params.location.rsplit("/", 1)[-1], size if isinstance(size, int) else None


def _download(url: str, ctx: JobContext, stack: ExitStack) -> tuple[IO[bytes], str, int | None]:
    """Stream a URL to the job folder first: parsing needs a seekable file, memory stays flat."""
    import httpx

    target = ctx.workdir / "download"
    with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
        if response.status_code != 200:
            raise AppError(f"Downloading {url} answered HTTP {response.status_code}.")
        total = int(response.headers.get("content-length", 0)) or None
        done = 0
        with target.open("wb") as out:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if total:
                    ctx.progress(done, total * 2, "downloading")
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "download"
    return stack.enter_context(target.open("rb")), name, target.stat().st_size


def _huggingface_records(params: ImportParams) -> Iterator[formats.SourceRecord]:
    try:
        import datasets as hf_datasets
    except ImportError as exc:
        raise AppError("Hugging Face import needs the `datasets` package; install it with pip install datasets.") \
            from exc
    stream = hf_datasets.load_dataset(params.location, split=params.hf_split, streaming=True)
    for number, item in enumerate(stream, start=1):
        yield formats.SourceRecord(line=number, data=dict(item))


def import_job(ctx: JobContext, params: ImportParams) -> dict[str, Any]:
    """Read the source into canonical rows and record them as the dataset's next version."""
    parent = _latest(ctx, params.dataset_id)
    with ExitStack() as stack:
        if params.source == "huggingface":
            records: Iterator[formats.SourceRecord] = _huggingface_records(params)
            name, file_format = params.location, "huggingface"
        else:
            raw, name, size = _open_source(params, ctx, stack)
            reader = _CountingReader(raw, size, ctx)
            # Detection inside the reader looks at 64 KiB, more than a peek here could.
            file_format = params.file_format or "detected"
            records = formats.iter_records_from(reader, name=name, fmt=params.file_format)
        ctx.log(f"reading {name} as {file_format}")
        converted = convert_records(records, file_name=name, source_schema=params.source_schema,
                                    stop_on_invalid=params.on_invalid == "stop")
        ctx.log(f"schema: {converted.source_schema} → {converted.data_schema.value} ({converted.reason})")
        source = {"kind": params.source, "location": params.location if params.source != "upload" else None,
                  "filename": name, "file_format": file_format, "source_schema": converted.source_schema}
        result = _save_version(ctx, dataset_id=params.dataset_id, parent=parent, rows=converted.rows,
                               operation="import", params={"on_invalid": params.on_invalid}, source=source,
                               data_schema=converted.data_schema.value,
                               stats=lambda: {"read": converted.stats.read, "invalid_rows": converted.stats.invalid,
                                              "errors": converted.stats.errors[:100]})
    if params.source == "upload":
        Path(params.location).unlink(missing_ok=True)  # the data now lives in the store
    for problem in converted.stats.errors[:20]:
        ctx.log(f"dropped line {problem.get('line')}: {problem.get('field') or ''} {problem['message']}")
    return {**result, "invalid_rows": converted.stats.invalid}


# ---------------------------------------------------------------- report


def report_job(ctx: JobContext, params: ReportParams) -> dict[str, Any]:
    """Compute the quality report of a version and store it as JSON."""
    from llmore.datasets.quality import quality_report

    version = _version(ctx, params.dataset_id, params.number)
    schema = DataSchema(version.data_schema)
    rows: Iterator[Row] = _rows(ctx, version)
    test_rows = None
    if version.splits and version.splits.get("test"):
        all_rows = list(rows)
        rows = iter([r for r in all_rows if r.get(SPLIT) != "test"])
        test_rows = [r for r in all_rows if r.get(SPLIT) == "test"]
    report = quality_report(rows, schema, test_rows=test_rows, tokenizer_path=params.tokenizer_path,
                            import_errors=int(version.stats.get("invalid_rows", 0)),
                            progress=lambda done, total, message: ctx.progress(done, total, message))
    document = report.model_dump(mode="json")
    blob = artifact_store(ctx.settings).put_bytes(json.dumps(document, ensure_ascii=False).encode())
    with ctx.sessions.begin() as session:
        session.add(QualityReport(version_id=version.id, job_id=ctx.job_id, sha256=blob.sha256,
                                  score=float(document["score"]), summary={"score": document["score"]}))
    ctx.log(f"quality score {document['score']}")
    return {"dataset_id": params.dataset_id, "version": params.number, "score": document["score"]}


# ---------------------------------------------------------------- clean, augment, split


def clean_job(ctx: JobContext, params: CleanParams) -> dict[str, Any]:
    """Apply the rule set and record the result as a new version."""
    from llmore.datasets import cleaning

    version = _version(ctx, params.dataset_id, params.number)
    schema = DataSchema(version.data_schema)
    result = cleaning.clean(_rows(ctx, version), schema, check_rules(params.rules))
    saved = _save_version(ctx, dataset_id=params.dataset_id, parent=version, rows=result.rows, operation="clean",
                          params={"rules": params.rules}, data_schema=schema.value,
                          stats=lambda: result.summary().model_dump(mode="json"))
    for rule in result.stats:
        ctx.log(f"rule {rule.index + 1} {rule.rule}: dropped {rule.dropped}, changed {rule.changed}")
    return saved


def augment_job(ctx: JobContext, params: AugmentParams) -> dict[str, Any]:
    """Add augmented rows and record the result as a new version."""
    from llmore.datasets import augmentation

    version = _version(ctx, params.dataset_id, params.number)
    schema = DataSchema(version.data_schema)
    check_methods(params.methods)
    methods = augmentation.parse_methods(params.methods)
    rows = augmentation.augment(_rows(ctx, version), schema, methods, seed=params.seed)
    return _save_version(ctx, dataset_id=params.dataset_id, parent=version, rows=rows, operation="augment",
                         params={"methods": params.methods, "seed": params.seed}, data_schema=schema.value)


def split_job(ctx: JobContext, params: SplitParams) -> dict[str, Any]:
    """Assign every row to train/dev/test (seeded, stratified) and record the result as a new version."""
    from llmore.datasets.splits import split_rows

    version = _version(ctx, params.dataset_id, params.number)
    schema = DataSchema(version.data_schema)
    keys = [(row[ROW_ID], label_of(row, schema)) for row in _rows(ctx, version)]
    assignment = split_rows(keys, ratios={"train": params.train, "dev": params.dev, "test": params.test},
                            seed=params.seed, stratify=params.stratify, schema=schema)
    rows = ({**row, SPLIT: assignment[row[ROW_ID]]}
            for row in versions.iter_rows(artifact_store(ctx.settings), version.sha256))
    return _save_version(ctx, dataset_id=params.dataset_id, parent=version, rows=rows, operation="split",
                         params=params.model_dump(exclude={"dataset_id", "number"}), data_schema=schema.value)
