"""Reading and writing data files as streams of records: jsonl, json, csv, tsv, parquet and txt.

Reading (``iter_records`` / ``iter_records_from``) never holds a whole file in memory: lines are
read one at a time, JSON arrays are parsed incrementally with ``ijson``, Parquet is read batch by
batch, and compressed files are decompressed as they are read.

Formats, chosen by extension (``detect_format``), then by sniffing the first bytes (JSON, JSON lines,
Parquet and the compressions; csv, tsv and txt are only known by their extension):

* ``jsonl`` (``.jsonl``, ``.ndjson``): one JSON object per line; blank lines are skipped. A
  ``.json`` file whose first line is a complete object followed by more lines is read as jsonl.
* ``json`` (``.json``): an array of objects, or an object with one list of objects such as
  ``{"version": 2, "data": [...]}`` (other keys are ignored).
* ``csv`` / ``tsv`` (``.csv``; ``.tsv``, ``.tab``): the first row names the columns (names are
  stripped of surrounding spaces); every value is read as a string. Quoting follows RFC 4180 in
  both (the convention of Excel and pandas), so a TSV field starting with ``"`` is a quoted field.
* ``parquet`` (``.parquet``, ``.pq``): rows as dictionaries, nested columns as lists/dicts.
* ``txt`` (``.txt``, ``.text``): one record per non-empty line, read as ``{"text": line}``.

Compression: ``.gz`` (any format; also recognised by its magic bytes) and ``.zip``: an archive of
one or more data files of one format. Directories, ``__MACOSX/`` and dot files in an archive are
ignored, and so are members whose extension is not a data format (``README.md``, ``LICENSE``).

Text encodings, detected from the first 64 KiB: UTF-8 (with or without BOM), UTF-16 and UTF-32
with a BOM, and the legacy Chinese encodings GB18030 (which includes GBK and GB2312) and Big5,
recognised with ``charset-normalizer``. Anything else (Latin-1, UTF-16 without BOM, binary data)
is refused with the line of the first byte that does not decode.

Limits (``DataFileError`` names the file and line when one is passed):

* ``MAX_RECORD_CHARS`` (8 Mi characters): the longest line, CSV field, or total text of one
  JSON/Parquet record. Longer records become error records; the rest of the file is still read.
* ``MAX_JSON_DEPTH`` (64): the deepest nesting of objects and arrays in one record.
* ``max_uncompressed_bytes`` (default ``MAX_UNCOMPRESSED_BYTES``, 2 GiB): the most a ``.gz`` or
  ``.zip`` may expand to; and a stream that expands more than ``MAX_COMPRESSION_RATIO`` (100:1)
  once past ``RATIO_CHECK_FLOOR`` (16 MiB) is refused as a likely zip bomb. Both are measured on
  the bytes actually decompressed, so a lying archive header cannot hide a bomb.

Per-record problems (a line that is not JSON, a ragged CSV row, a duplicate key, a record over a
limit) are yielded as ``SourceRecord`` items with ``error`` set, so the caller decides whether to
drop the row or stop. Whole-file problems (empty file, undecodable text, unknown format, zip bomb,
path traversal, a JSON document that is cut short or is not a list of records) raise
``DataFileError``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, TextIO

import charset_normalizer
import ijson

from llmore.errors import AppError

MAX_RECORD_CHARS = 8 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FLOOR = 16 * 1024**2
HEAD_BYTES = 64 * 1024
_PARQUET_BATCH_ROWS = 1024
_WRITE_BATCH_ROWS = 1000


class FileFormat(StrEnum):
    """The data file formats LLMore reads; ``json``, ``jsonl``, ``csv`` and ``parquet`` are also written."""

    JSONL = "jsonl"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    TXT = "txt"


WRITABLE_FORMATS = (FileFormat.JSONL, FileFormat.JSON, FileFormat.CSV, FileFormat.PARQUET)

_EXTENSIONS = {
    ".jsonl": FileFormat.JSONL, ".ndjson": FileFormat.JSONL, ".jsonlines": FileFormat.JSONL,
    ".json": FileFormat.JSON, ".csv": FileFormat.CSV, ".tsv": FileFormat.TSV, ".tab": FileFormat.TSV,
    ".parquet": FileFormat.PARQUET, ".pq": FileFormat.PARQUET, ".txt": FileFormat.TXT, ".text": FileFormat.TXT,
}
_COMPRESSIONS = {".gz": "gzip", ".gzip": "gzip", ".zip": "zip"}
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_PARQUET_MAGIC = b"PAR1"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer often ranks a Korean or Japanese code page first for short GBK samples;
# GB18030 among the candidates of a CJK guess is the reading a Chinese platform should take.
_CJK_GUESSES = frozenset({"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp949", "euc_kr", "johab",
                          "cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004",
                          "euc_jisx0213"})
# guesses worth showing to a user; charset-normalizer also names rare code pages for plain Latin-1
_NAMED_GUESSES = frozenset({"cp1250", "cp1251", "cp1252", "latin_1", "iso8859_15", "utf_16", "utf_16_le", "utf_16_be",
                            "shift_jis", "cp932", "euc_jp", "cp949", "euc_kr", "koi8_r", "mac_roman"})
_BIG5 = frozenset({"big5", "big5hkscs", "cp950"})
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that did not decode, kept by "surrogateescape"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMATS_HINT = "use one of .jsonl, .json, .csv, .tsv, .parquet, .txt (optionally .gz or .zip), or choose the format"


class DataFileError(AppError):
    """A data file that cannot be read, with the file, line and field it concerns in ``details``."""

    status_code = 422
    code = "invalid_data_file"

    def __init__(self, problem: str, *, file: str, line: int | None = None, field: str | None = None,
                 unit: str = "line"):
        place = file if line is None else f"{file} {unit} {line}"
        if field:
            place += f", field '{field}'"
        super().__init__(f"{place}: {problem}",
                         details=[{"file": file, "line": line, "field": field, "message": problem}])
        self.problem = problem


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record read from a data file (``data``), or why it could not be read (``error``), and where.

    ``line`` is the 1-based line (jsonl, txt, csv/tsv: the record's first line), item (JSON array)
    or row (Parquet), as ``unit`` says; ``member`` names the archive member it came from.
    """

    line: int
    data: dict[str, Any] | None = None
    error: str | None = None
    member: str | None = None
    unit: str = "line"

    def error_for(self, file: str, *, problem: str | None = None, field: str | None = None) -> DataFileError:
        """This record's problem, or ``problem`` found later (a schema error), as an error naming its place."""
        where = f"{file}/{self.member}" if self.member else file
        return DataFileError(problem or self.error or "invalid record", file=where, line=self.line, field=field,
                             unit=self.unit)


def detect_format(name: str, head: bytes) -> str:
    """The format of a file from its name, else its first bytes: ``jsonl``, ``jsonl+gzip``, ``csv+zip``, ``zip``.

    A format with ``+gzip`` or ``+zip`` is compressed; a bare ``zip`` leaves the format to the
    archive's members. Every value is accepted back as ``fmt`` by ``iter_records``.
    """
    fmt, compression = _detect(name, head)
    return "+".join(part for part in (fmt, compression) if part)


def _detect(name: str, head: bytes) -> tuple[FileFormat | None, str | None]:
    """(format, compression) of a file; the format is None only for a zip whose members decide it."""
    suffixes = [s.lower() for s in PurePosixPath(name).suffixes]
    named = _COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if named:
        suffixes.pop()
    compression = _compression(head) if head else named  # no bytes to look at: trust the name
    if named and compression != named:
        raise DataFileError(f"the name says {named} but the content is not {named}-compressed; "
                            "rename the file or compress it properly", file=name)
    fmt = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if compression == "zip":
        return fmt, compression
    if compression == "gzip":
        head = _gunzip_head(head)
    if fmt is None or fmt is FileFormat.JSON:
        fmt = _sniff(head) or fmt
    if fmt is None:
        raise DataFileError(f"cannot tell the format of this file; {_FORMATS_HINT}", file=name)
    return fmt, compression


def _compression(head: bytes) -> str | None:
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    return "zip" if head.startswith(_ZIP_MAGICS) else None


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
    except zlib.error:
        return b""  # reading the stream will report the damage with its place


def _sniff(head: bytes) -> FileFormat | None:
    """JSON, JSON lines or Parquet from the first bytes; None when the content does not say."""
    if head.startswith(_PARQUET_MAGIC):
        return FileFormat.PARQUET
    text = _decode_leniently(head).lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return FileFormat.JSON
    if text.startswith("{"):
        first, _, rest = text.partition("\n")
        try:
            is_object = isinstance(json.loads(first), dict)
        except ValueError:
            return FileFormat.JSON
        return FileFormat.JSONL if is_object and rest.strip() else FileFormat.JSON
    return None


def _decode_leniently(head: bytes) -> str:
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8")
    return head.decode(encoding, errors="replace")


def detect_encoding(head: bytes, *, file: str = "the file") -> str:
    """The text encoding of a file from its first bytes (a codec name), or a ``DataFileError`` saying why not."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    nul = head.find(b"\x00")
    if nul >= 0:
        raise DataFileError("the file holds NUL bytes: it is binary, not text (a UTF-16 file needs a byte-order "
                            "mark); save it as UTF-8 text", file=file, line=head.count(b"\n", 0, nul) + 1)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc
    sample = head[: head.rfind(b"\n") + 1] or head  # whole lines, so no character is cut in two
    guesses = [match.encoding for match in charset_normalizer.from_bytes(sample)]
    if guesses and guesses[0] in _CJK_GUESSES:
        if any(g in ("gb18030", "gbk", "gb2312") for g in guesses):
            return "gb18030"
        if guesses[0] in _BIG5:
            return guesses[0]
    guess = f" (it looks like {guesses[0]})" if guesses and guesses[0] in _NAMED_GUESSES else ""
    line = head.count(b"\n", 0, bad.start) + 1
    column = bad.start - (head.rfind(b"\n", 0, bad.start) + 1) + 1
    raise DataFileError(f"byte 0x{head[bad.start]:02X} at column {column} is not UTF-8{guess}; save the file as "
                        "UTF-8 (UTF-16 with a byte-order mark and GB18030/GBK/Big5 are also read)",
                        file=file, line=line)


def iter_records(path: str | Path, *, fmt: str | None = None,
                 max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES) -> Iterator[SourceRecord]:
    """The records of a local data file, streamed; see the module docstring for formats and limits."""
    path = Path(path)
    try:
        fileobj = path.open("rb")
    except OSError as exc:
        raise DataFileError(f"cannot open the file ({exc.strerror})", file=path.name) from exc
    with fileobj:
        yield from iter_records_from(fileobj, name=path.name, fmt=fmt, max_uncompressed_bytes=max_uncompressed_bytes)


def iter_records_from(fileobj: IO[bytes], *, name: str, fmt: str | None = None,
                      max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES) -> Iterator[SourceRecord]:
    """The records of an open binary file (a local file or one opened through fsspec), streamed.

    ``name`` is the file's name as the user knows it: it decides the format and names the file in
    errors. ``fmt`` (a ``detect_format`` value, or a bare format such as ``csv``) overrides the
    format the name and content suggest; compression always comes from the content. The file
    object is read from its current position and is not closed.
    """
    seekable = getattr(fileobj, "seekable", None)  # wrappers (progress counters) may not have it
    start = fileobj.tell() if seekable is not None and seekable() else None
    head, stream = _peek(fileobj)
    if not head:
        raise DataFileError("the file is empty (0 bytes)", file=name)
    data_format, compression = _detect(name, head) if fmt is None else _chosen(fmt, name, head)
    budget = _Budget(name, max_uncompressed_bytes)
    original = fileobj if start == 0 else None  # zip and Parquet read it directly when they can seek back
    if compression == "zip":
        records = _zip_records(stream, original, name, budget)
    else:
        assert data_format is not None, "only a zip archive leaves the format to its members"
        records = (_gzip_records(stream, name, data_format, budget) if compression == "gzip"
                   else _plain_records(stream, name, data_format, original))
    yield from _translated(records, name)


def _chosen(fmt: str, name: str, head: bytes) -> tuple[FileFormat | None, str | None]:
    """(format, compression) from a chosen ``fmt`` such as ``csv`` or ``jsonl+gzip``.

    The content decides the compression; a bare ``zip`` or ``gzip`` leaves the format to detection.
    """
    base = fmt.lower().split("+", 1)[0]
    if base in _COMPRESSIONS.values():
        return _detect(name, head)
    try:
        return FileFormat(base), _compression(head)
    except ValueError:
        choices = ", ".join(FileFormat)
        raise DataFileError(f"unknown format '{fmt}'; choose one of {choices} (optionally +gzip or +zip)",
                            file=name) from None


def _translated(records: Iterator[SourceRecord], name: str) -> Iterator[SourceRecord]:
    """The records, with damaged compressed data turned into a ``DataFileError`` naming the last good place."""
    last: SourceRecord | None = None
    try:
        for last in records:
            yield last
    except (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile) as exc:
        where = f" after {last.unit} {last.line}" if last else ""
        file = f"{name}/{last.member}" if last and last.member else name
        raise DataFileError(f"the compressed data is truncated or damaged{where} ({exc}); upload the file again",
                            file=file) from exc
    if last is None:
        raise DataFileError("the file holds no records: it is blank or holds only whitespace", file=name)


def _peek(fileobj: IO[bytes]) -> tuple[bytes, BinaryIO]:
    """The first bytes of a stream and a stream that still yields them (works on unseekable streams)."""
    head = fileobj.read(HEAD_BYTES)
    return head, io.BufferedReader(_Replay(head, fileobj), HEAD_BYTES)


class _Replay(io.RawIOBase):
    """A raw stream that yields ``head`` and then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def _random_access(stream: BinaryIO, original: IO[bytes] | None) -> Iterator[IO[bytes]]:
    """A seekable file with the stream's content (zip and Parquet need one): the original, or a temporary copy."""
    if original is not None:
        original.seek(0)
        yield original
        return
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.seek(0)
        yield copy


@dataclass
class _Budget:
    """Bytes decompressed so far from one file; refuses a zip bomb as soon as it shows."""

    file: str
    limit: int
    total: int = 0

    def spend(self, n: int, produced: int, compressed: int) -> None:
        """Count ``n`` more decompressed bytes (``produced`` by a stream read from ``compressed`` bytes)."""
        self.total += n
        self.check(self.total, produced, compressed)

    def check(self, total: int, produced: int, compressed: int) -> None:
        """Refuse when ``total`` bytes overall, or ``produced`` from ``compressed`` bytes, look like a bomb."""
        ratio = produced / max(compressed, 1)
        if total > self.limit or (produced > RATIO_CHECK_FLOOR and ratio > MAX_COMPRESSION_RATIO):
            raise DataFileError(
                f"the archive expands beyond {_size(min(total, self.limit))} (compression ratio {ratio:.0f}:1); "
                "refusing a possible zip bomb. If the data is genuine, split it into files that expand to less "
                f"than {_size(self.limit)} each", file=self.file)


def _size(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} bytes"
    for unit in ("KiB", "MiB"):
        n /= 1024
        if n < 1024:
            return f"{n:.3g} {unit}"
    return f"{n / 1024:.3g} GiB"


class _Metered(io.RawIOBase):
    """A raw stream that counts the bytes read through it, calling ``on_read(n, count)`` after every read."""

    def __init__(self, inner: IO[bytes], on_read: Callable[[int, int], None] | None = None):
        self._inner = inner
        self._on_read = on_read
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        if self._on_read:
            self._on_read(len(data), self.count)
        return len(data)


def _decompressed(inner: IO[bytes], budget: _Budget, compressed: Callable[[], int]) -> BinaryIO:
    """``inner`` (a decompressing stream) read through a counter that charges ``budget``."""
    metered = _Metered(inner, lambda n, produced: budget.spend(n, produced, compressed()))
    return io.BufferedReader(metered, HEAD_BYTES)


def _gzip_records(stream: BinaryIO, name: str, fmt: FileFormat, budget: _Budget) -> Iterator[SourceRecord]:
    raw = _Metered(stream)
    plain = _decompressed(gzip.GzipFile(fileobj=raw, mode="rb"), budget, lambda: raw.count)
    yield from _plain_records(plain, name, fmt, None)


def _zip_records(stream: BinaryIO, original: IO[bytes] | None, name: str, budget: _Budget) -> Iterator[SourceRecord]:
    """The records of every data file in a zip archive, after checking names and declared sizes.

    Each member's extension decides whether it is data and its format (a format chosen for the
    archive cannot tell a data file from a README).
    """
    with _random_access(stream, original) as archive:
        try:
            zf = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataFileError(f"not a readable zip archive ({exc})", file=name) from exc
        with zf:
            members = _data_members(zf, name)
            # the headers may lie, so this only refuses early what reading would refuse anyway
            declared = sum(member.file_size for member, _ in members)
            for member, _ in members:
                budget.check(declared, member.file_size, member.compress_size)
            for member, member_fmt in members:
                yield from _member_records(zf, member, member_fmt, name, budget)


def _member_records(zf: zipfile.ZipFile, member: zipfile.ZipInfo, fmt: FileFormat, name: str,
                    budget: _Budget) -> Iterator[SourceRecord]:
    try:
        opened = zf.open(member)
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, or a compression method zipfile lacks
        raise DataFileError(f"cannot read member '{member.filename}' ({exc})", file=name) from exc
    with opened:
        stream = _decompressed(opened, budget, lambda: member.compress_size)
        for record in _plain_records(stream, f"{name}/{member.filename}", fmt, None):
            yield SourceRecord(record.line, record.data, record.error, member.filename, record.unit)


def _data_members(zf: zipfile.ZipFile, name: str) -> list[tuple[zipfile.ZipInfo, FileFormat]]:
    """The archive's data files with their format; refuses unsafe names, nested archives and mixed formats."""
    members: list[tuple[zipfile.ZipInfo, FileFormat]] = []
    ignored: list[str] = []
    for info in zf.infolist():
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or re.match(r"^[A-Za-z]:", info.filename) or ".." in path.parts:
            raise DataFileError(f"zip member '{info.filename}' escapes the archive (an absolute path or '..'); "
                                "refusing the archive", file=name)
        if info.is_dir() or not path.parts or path.parts[0] == "__MACOSX" or path.name.startswith("."):
            continue
        suffixes = [s.lower() for s in path.suffixes]
        if suffixes and suffixes[-1] in _COMPRESSIONS:
            raise DataFileError(f"zip member '{info.filename}' is itself compressed; nested archives are not "
                                "supported — put the plain data files in the zip", file=name)
        member_fmt = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
        if member_fmt is None:
            ignored.append(info.filename)
        else:
            members.append((info, member_fmt))
    if not members:
        seen = f" (it holds: {', '.join(ignored[:10])})" if ignored else " (it is empty)"
        raise DataFileError(f"the archive holds no data files{seen}; {_FORMATS_HINT}", file=name)
    if len({member_fmt for _, member_fmt in members}) > 1:
        listing = ", ".join(f"{m.filename} ({f})" for m, f in members[:10])
        raise DataFileError(f"the archive mixes formats: {listing}; an archive must hold files of one format",
                            file=name)
    return members


def _plain_records(stream: BinaryIO, name: str, fmt: FileFormat,
                   original: IO[bytes] | None) -> Iterator[SourceRecord]:
    """The records of an uncompressed stream in one format."""
    if fmt is FileFormat.PARQUET:
        with _random_access(stream, original) as source:
            yield from _parquet_records(source, name)
        return
    head, stream = _peek(stream)
    encoding = detect_encoding(head, file=name)
    if fmt is FileFormat.JSON:
        yield from _json_records(_Utf8Reader(_text(stream, encoding, newline=None), name), name)
    elif fmt in (FileFormat.CSV, FileFormat.TSV):
        yield from _csv_records(_text(stream, encoding, newline=""), name, fmt)
    elif fmt is FileFormat.TXT:
        yield from _line_records(_text(stream, encoding, newline=None), name, _text_record)
    else:
        yield from _line_records(_text(stream, encoding, newline=None), name, _json_record)


def _text(stream: BinaryIO, encoding: str, *, newline: str | None) -> TextIO:
    # "surrogateescape" keeps undecodable bytes as U+DC80..U+DCFF, so the line holding one can be named
    return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline=newline)


def _undecodable(text: str, name: str, line: int) -> None:
    """Raise when ``text`` (line ``line``) holds bytes that did not decode."""
    found = _UNDECODABLE.search(text)
    if found:
        byte = ord(found.group()) - 0xDC00
        raise DataFileError(f"byte 0x{byte:02X} at column {found.start() + 1} does not decode in the file's "
                            "encoding; save the whole file as UTF-8", file=name, line=line)


def _numbered_lines(text: TextIO, name: str) -> Iterator[tuple[int, str | None]]:
    """(line number, line with its line break) pairs; None stands for a line over ``MAX_RECORD_CHARS``."""
    for number in itertools.count(1):
        line = text.readline(MAX_RECORD_CHARS + 2)
        if not line:
            return
        if len(line.rstrip("\r\n")) > MAX_RECORD_CHARS:
            while line and not line.endswith(("\n", "\r")):  # skip the rest without holding it
                line = text.readline(1 << 20)
            yield number, None
            continue
        _undecodable(line, name, number)
        yield number, line


_TOO_LONG = f"the line is longer than {MAX_RECORD_CHARS // 1024**2} Mi characters (the per-record limit)"


def _line_records(text: TextIO, name: str,
                  parse: Callable[[str], tuple[dict[str, Any] | None, str | None]]) -> Iterator[SourceRecord]:
    """One record per non-blank line, parsed by ``parse`` into (data, None) or (None, problem)."""
    for number, line in _numbered_lines(text, name):
        if line is None:
            yield SourceRecord(number, error=_TOO_LONG)
            continue
        content = line.rstrip("\n")
        if not content.strip():
            continue
        if number > 1 and content.startswith("\ufeff"):
            yield SourceRecord(number, error="a byte-order mark (U+FEFF) starts this line: files were probably "
                                             "joined together; remove it")
            continue
        data, problem = parse(content)
        yield SourceRecord(number, data=data, error=problem)


def _text_record(line: str) -> tuple[dict[str, Any] | None, str | None]:
    return {"text": line}, None


class _DuplicateKey(ValueError):
    pass


class _NotJson(ValueError):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _reject_constant(word: str) -> None:
    raise _NotJson(word)


def _json_record(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON-lines line as an object, or what is wrong with it."""
    try:
        value = json.loads(line, object_pairs_hook=_unique_object, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
    except _DuplicateKey as exc:
        return None, f"the key '{exc}' appears twice in one object; keep one"
    except _NotJson as exc:
        return None, f"{exc} is not valid JSON; write null or a number"
    except RecursionError:
        return None, f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels"
    if not isinstance(value, dict):
        return None, f"expected a JSON object {{...}}, found {_json_kind(value)}"
    needs_walk = line.count("{") + line.count("[") > MAX_JSON_DEPTH or _SURROGATE_ESCAPE.search(line)
    problem = _value_problem(value) if needs_walk else None
    return (None, problem) if problem else (value, None)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def _value_problem(value: Any) -> str | None:
    """What makes a decoded record unusable: nesting beyond ``MAX_JSON_DEPTH``, text over the limit, bad Unicode."""
    chars = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"the record is nested deeper than {MAX_JSON_DEPTH} levels"
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                chars += len(key) if isinstance(key, str) else 0
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            chars += len(item)
            if _LONE_SURROGATE.search(item):
                return "a string holds a lone UTF-16 surrogate (a broken \\ud800-\\udfff escape); fix or remove it"
        if chars > MAX_RECORD_CHARS:
            return f"the record holds more than {MAX_RECORD_CHARS // 1024**2} Mi characters (the per-record limit)"
    return None


class _Utf8Reader(io.RawIOBase):
    """Decoded text re-encoded as UTF-8 for ``ijson``, raising at the line of the first undecodable byte."""

    def __init__(self, text: TextIO, name: str):
        self._text = text
        self._name = name
        self._pending = b""
        self._lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(HEAD_BYTES)
            if not chunk:
                return 0
            found = _UNDECODABLE.search(chunk)
            if found:
                line = self._lines + chunk.count("\n", 0, found.start()) + 1
                _undecodable(chunk[chunk.rfind("\n", 0, found.start()) + 1:], self._name, line)
            self._lines += chunk.count("\n")
            self._pending = chunk.encode("utf-8", errors="surrogatepass")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _JsonShapeError(ValueError):
    """A JSON document that is valid but not a list of records."""


_Events = Iterator[tuple[str, Any]]


def _json_records(source: _Utf8Reader, name: str) -> Iterator[SourceRecord]:
    """The objects of a JSON array, or of the one list of objects in a top-level object, parsed incrementally.

    ``ijson.basic_parse`` gives flat events and records are built here, because ``ijson.items``
    keeps a prefix string per nesting level, which lets a deeply nested document exhaust memory.
    A single string value is still held whole by the parser (the file size bounds it).
    """
    events: _Events = ijson.basic_parse(io.BufferedReader(source, HEAD_BYTES), use_float=True)
    count = 0
    try:
        event, _ = next(events, (None, None))
        if event == "start_array":
            first = next(events)
            for count, record in enumerate(_array_items(events, first), start=1):  # noqa: B007
                yield record
            if not count:
                raise _JsonShapeError("the JSON array is empty; there are no records")
        elif event == "start_map":
            for count, record in enumerate(_wrapped_items(events), start=1):  # noqa: B007
                yield record
        elif event is not None:
            raise _JsonShapeError(f"the JSON file holds a single {event.removeprefix('start_')}, not a list of "
                                  "records; write [{...}, ...]")
        for _ in events:  # let the parser see what follows the document (trailing garbage)
            pass
    except ijson.JSONError as exc:
        raise DataFileError(_ijson_problem(exc, count), file=name, line=count + 1, unit="item") from exc
    except _JsonShapeError as exc:
        raise DataFileError(str(exc), file=name) from exc


def _wrapped_items(events: _Events) -> Iterator[SourceRecord]:
    """The records of the one list of objects in an object whose ``start_map`` was just read."""
    list_key = None
    while True:
        event, key = next(events)
        if event == "end_map":
            break
        start = next(events)
        if start[0] != "start_array":
            _skip(events, start[0])
            continue
        first = next(events)
        if first[0] != "start_map":  # an empty list, or a list of something else: not records
            _skip(events, first[0])
            if first[0] != "end_array":
                _skip(events, "start_array")
            continue
        if list_key is not None:
            raise _JsonShapeError(f"the object holds more than one list of records ('{list_key}' and '{key}'); "
                                  "keep one")
        list_key = key
        yield from _array_items(events, first)
    if list_key is None:
        raise _JsonShapeError('the JSON object holds no list of records; write [{...}, ...] or '
                              '{"data": [{...}, ...]}')


def _ijson_problem(exc: Exception, items: int) -> str:
    message, _, context = str(exc).partition("\n")
    if "premature EOF" in message:
        return f"the JSON ends early after {items} complete items; the file is probably truncated"
    near = context.strip().partition("\n")[0][:80]
    problem = message.removeprefix("parse error: ").removeprefix("lexical error: ")
    return f"invalid JSON ({problem}" + (f" near '{near}')" if near else ")")


def _array_items(events: _Events, first: tuple[str, Any]) -> Iterator[SourceRecord]:
    """The items of an array whose first event is ``first``, as records (non-objects are error records)."""
    event, value = first
    for number in itertools.count(1):
        if event == "end_array":
            return
        builder = _Builder()
        item = builder.value(events, event, value, 1)
        if builder.problem:
            yield SourceRecord(number, error=builder.problem, unit="item")
        elif not isinstance(item, dict):
            yield SourceRecord(number, error=f"expected a JSON object {{...}}, found {_json_kind(item)}", unit="item")
        else:
            yield SourceRecord(number, data=item, unit="item")
        event, value = next(events)


def _skip(events: _Events, start: str) -> None:
    """Consume a value whose first event was ``start``, without building it."""
    depth = 1 if start in ("start_map", "start_array") else 0
    while depth:
        event, _ = next(events)
        depth += event in ("start_map", "start_array")
        depth -= event in ("end_map", "end_array")


class _Builder:
    """Builds one record from parser events, noting the first problem (and still consuming the whole value)."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self.chars = 0

    def _note(self, problem: str) -> None:
        self.problem = self.problem or problem

    def value(self, events: _Events, event: str, value: Any, depth: int) -> Any:
        if event in ("start_map", "start_array") and depth > MAX_JSON_DEPTH:
            self._note(f"the record is nested deeper than {MAX_JSON_DEPTH} levels")
            _skip(events, event)
            return None
        if event == "start_map":
            obj: dict[str, Any] = {}
            while (entry := next(events))[0] != "end_map":
                key = entry[1]
                child = self.value(events, *next(events), depth + 1)
                if key in obj:
                    self._note(f"the key '{key}' appears twice in one object; keep one")
                self._count(key)
                obj[key] = child
            return obj
        if event == "start_array":
            items: list[Any] = []
            while True:
                event, value = next(events)
                if event == "end_array":
                    return items
                items.append(self.value(events, event, value, depth + 1))
        if isinstance(value, str):
            self._count(value)
            if _LONE_SURROGATE.search(value):
                self._note("a string holds a lone UTF-16 surrogate (a broken \\ud800-\\udfff escape); fix or remove it")
        return value

    def _count(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > MAX_RECORD_CHARS:
            self._note(f"the record holds more than {MAX_RECORD_CHARS // 1024**2} Mi characters (the per-record limit)")


def _csv_records(text: TextIO, name: str, fmt: FileFormat) -> Iterator[SourceRecord]:
    """Rows as {column: value} dicts; the first row is the header. Ragged rows become error records."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS))
    feed = _LineFeed(_numbered_lines(text, name))
    reader = csv.reader(feed, delimiter="\t" if fmt is FileFormat.TSV else ",", strict=True)
    header: list[str] | None = None
    rows = 0
    while True:
        start = feed.number + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except _LineTooLong as exc:
            yield SourceRecord(exc.number, error=_TOO_LONG)
            continue
        except csv.Error as exc:
            yield SourceRecord(start, error=f"malformed {fmt.upper()} row ({exc}); a field that starts with a "
                                            'quote must end with one, and quotes inside it are written ""')
            continue
        if len(values) <= 1 and not "".join(values).strip():
            continue  # a blank line
        if header is None:
            header = _header(values, name, start)
            continue
        rows += 1
        if len(values) != len(header):
            yield SourceRecord(start, error=f"{len(values)} values but the header has {len(header)} columns")
        else:
            yield SourceRecord(start, data=dict(zip(header, values, strict=True)))
    if header is not None and not rows:
        raise DataFileError("the file has a header but no rows", file=name)


def _header(values: list[str], name: str, line: int) -> list[str]:
    header = [v.strip().lstrip("\ufeff") for v in values]
    for index, column in enumerate(header, start=1):
        if not column:
            raise DataFileError(f"column {index} of the header has no name; the first row must name every column",
                                file=name, line=line)
        if header.index(column) != index - 1:
            raise DataFileError(f"the header names column '{column}' twice; the first row must name each column "
                                "once (does the file lack a header row?)", file=name, line=line)
    return header


class _LineTooLong(Exception):
    def __init__(self, number: int):
        super().__init__(number)
        self.number = number


class _LineFeed:
    """The lines handed to ``csv.reader``, remembering the number of the last one."""

    def __init__(self, lines: Iterator[tuple[int, str | None]]):
        self._lines = lines
        self.number = 0

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        self.number, line = next(self._lines)
        if line is None:
            raise _LineTooLong(self.number)
        return line


def _parquet_records(source: IO[bytes], name: str) -> Iterator[SourceRecord]:
    """Rows of a Parquet file, read batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise DataFileError(f"not a readable Parquet file ({exc})", file=name) from exc
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
            for data in batch.to_pylist():
                row += 1
                problem = _value_problem(data)
                yield SourceRecord(row, data=None if problem else data, error=problem, unit="row")
    except (pa.ArrowException, OSError) as exc:
        raise DataFileError(f"the Parquet data is damaged after row {row} ({exc})", file=name) from exc
    if not row:
        raise DataFileError("the Parquet file has no rows", file=name)


def write_records(rows: Iterable[Mapping[str, Any]], out: IO[bytes], fmt: str) -> int:
    """Write rows to a binary stream as jsonl, json, csv or parquet (UTF-8, text untouched); returns the count.

    jsonl and json are written as the rows come. csv and parquet first spool the rows to a
    temporary file, because their columns (the union of all rows' keys) and Parquet's column
    types must be known before the first row is written. In csv, strings are written as they are,
    null as an empty cell, and anything else (numbers, lists, objects) as JSON.
    """
    if fmt not in WRITABLE_FORMATS:
        raise AppError(f"cannot write {fmt} files; choose one of {', '.join(WRITABLE_FORMATS)}",
                       code="unsupported_format")
    chosen = FileFormat(fmt)
    if chosen is FileFormat.JSONL:
        return _write_jsonl(rows, out)
    if chosen is FileFormat.JSON:
        return _write_json(rows, out)
    if chosen is FileFormat.CSV:
        return _write_csv(rows, out)
    return _write_parquet(rows, out)


def _dumps(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, allow_nan=False)


def _write_jsonl(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is returned
        out.write((_dumps(row) + "\n").encode())
    return count


def _write_json(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    count = 0
    out.write(b"[")
    for count, row in enumerate(rows, start=1):
        out.write((("\n" if count == 1 else ",\n") + _dumps(row)).encode())
    out.write(b"\n]\n" if count else b"]\n")
    return count


@contextmanager
def _spooled(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[IO[bytes], list[str], int]]:
    """Rows written to a temporary JSON-lines file, with the union of their keys in first-seen order and the count."""
    with tempfile.TemporaryFile() as spool:
        keys: dict[str, None] = {}
        count = 0
        for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is returned
            keys.update(dict.fromkeys(row))
            spool.write((_dumps(row) + "\n").encode())
        spool.seek(0)
        yield spool, list(keys), count


def _write_csv(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    with _spooled(rows) as (spool, columns, count):
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        if columns:
            writer.writerow(columns)
        for line in spool:
            row = json.loads(line)
            writer.writerow([_cell(row.get(column)) for column in columns])
        text.detach()  # leave ``out`` open for the caller
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, allow_nan=False)


def _write_parquet(rows: Iterable[Mapping[str, Any]], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _spooled(rows) as (spool, _, count):
        schema = pa.schema([])
        for batch in _batches(spool):
            # ``pa.array`` takes the union of the dicts' keys (``Table.from_pylist`` only the first row's)
            inferred = pa.RecordBatch.from_struct_array(pa.array(batch)).schema
            schema = pa.unify_schemas([schema, inferred], promote_options="permissive")
        spool.seek(0)
        with pq.ParquetWriter(out, schema) as writer:
            for batch in _batches(spool):
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


def _batches(spool: IO[bytes]) -> Iterator[list[dict[str, Any]]]:
    lines = iter(spool)
    while batch := [json.loads(line) for line in itertools.islice(lines, _WRITE_BATCH_ROWS)]:
        yield batch
