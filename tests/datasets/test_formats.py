"""Reading and writing data files: formats, compression, encodings, limits, streaming memory."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import fsspec
import pytest

from llmore.datasets import formats
from llmore.datasets.formats import (
    DataFileError,
    SourceRecord,
    detect_encoding,
    detect_format,
    iter_records,
    iter_records_from,
    write_records,
)

GOLDEN = Path(__file__).parent / "golden"
ROWS = [
    {"text": "你好，世界", "label": "问候", "meta": {"tags": ["a", "中"], "score": 1.5}},
    {"text": "multi\nline, with \"quotes\"\tand tabs", "label": "1", "meta": None},
    {"text": "emoji 🧱 and ℃", "label": "x", "extra": [1, 2]},
]


def read(data: bytes, name: str, **kwargs: Any) -> list[SourceRecord]:
    return list(iter_records_from(io.BytesIO(data), name=name, **kwargs))


def datas(records: list[SourceRecord]) -> list[dict[str, Any] | None]:
    return [record.data for record in records]


class _Unseekable(io.RawIOBase):
    """A stream that cannot seek, like an HTTP response body."""

    def __init__(self, data: bytes):
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(min(len(buffer), 1000))
        buffer[: len(data)] = data
        return len(data)


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("train.jsonl", b'{"a": 1}\n', "jsonl"),
    ("train.NDJSON", b'{"a": 1}\n', "jsonl"),
    ("train.json", b'[{"a": 1}]', "json"),
    ("train.json", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
    ("train.json", b'{\n  "data": [{"a": 1}]\n}', "json"),
    ("train.csv", b"a,b\n1,2\n", "csv"),
    ("train.tsv", b"a\tb\n", "tsv"),
    ("train.txt", "一行\n".encode(), "txt"),
    ("train.parquet", b"PAR1....", "parquet"),
    ("train.jsonl.gz", gzip.compress(b'{"a": 1}\n'), "jsonl+gzip"),
    ("download", gzip.compress(b'[{"a": 1}]'), "json+gzip"),
    ("download", b'\xef\xbb\xbf  {"a": 1}\n{"a": 2}\n', "jsonl"),
    ("download", b"PAR1xxxx", "parquet"),
    ("train.zip", b"PK\x03\x04rest", "zip"),
    ("train.csv.zip", b"PK\x03\x04rest", "csv+zip"),
])
def test_detect_format(name: str, head: bytes, expected: str) -> None:
    assert detect_format(name, head) == expected


def test_detect_format_refuses_what_it_cannot_tell() -> None:
    with pytest.raises(DataFileError, match="cannot tell the format"):
        detect_format("notes", b"plain words")
    with pytest.raises(DataFileError, match="not gzip-compressed"):
        detect_format("a.jsonl.gz", b'{"a": 1}')


@pytest.mark.parametrize(("encoded", "encoding"), [
    ("文本".encode(), "utf-8"),
    (codecs.BOM_UTF8 + "文本".encode(), "utf-8-sig"),
    ("文本".encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + "文本".encode("utf-16-be"), "utf-16"),
    ("今天天气很好，我们去公园散步吧。\n这部电影太无聊了。\n".encode("gbk"), "gb18030"),
    ("你好\n".encode("gb18030"), "gb18030"),
    ("今天天氣很好，我們去公園散步吧。\n".encode("big5"), "big5"),
])
def test_detect_encoding(encoded: bytes, encoding: str) -> None:
    assert detect_encoding(encoded) == encoding


def test_chinese_encodings_are_read_back_exactly() -> None:
    text = "text,label\n今天天气很好，我们去公园散步吧。,正面\n"
    for codec in ("utf-8-sig", "utf-16", "gb18030"):
        expected = [{"text": "今天天气很好，我们去公园散步吧。", "label": "正面"}]
        assert datas(read(text.encode(codec), "a.csv")) == expected


def test_an_encoding_problem_names_line_and_byte() -> None:
    with pytest.raises(DataFileError) as raised:
        read(b'{"a": "ok"}\n{"a": "caf\xe9 cr\xe8me"}\n', "x.jsonl")
    assert raised.value.details[0]["line"] == 2
    assert "byte 0xE9 at column 11 is not UTF-8" in raised.value.message


def test_jsonl_reports_bad_lines_and_keeps_the_rest() -> None:
    data = b'{"a": 1}\n\n{"a": 2,}\n[1]\n{"a": 3}\n'
    records = read(data, "x.jsonl")
    assert [(r.line, r.data, r.error is None) for r in records] == [
        (1, {"a": 1}, True), (3, None, False), (4, None, False), (5, {"a": 3}, True)]
    assert records[1].error is not None
    assert "line" not in records[1].error
    assert records[2].error == "expected a JSON object {...}, found an array"
    assert records[1].error_for("x.jsonl").message.startswith("x.jsonl line 3: invalid JSON")


def test_json_array_and_wrapped_list_are_streamed_items() -> None:
    assert datas(read(json.dumps([{"a": "中"}, {"b": [1, 2.5, None, True]}]).encode(), "x.json")) == [
        {"a": "中"}, {"b": [1, 2.5, None, True]}]
    wrapped = {"version": 2, "labels": ["a", "b"], "info": {"x": [1]}, "data": [{"a": 1}, {"a": 2}], "empty": []}
    records = read(json.dumps(wrapped).encode(), "x.json")
    assert datas(records) == [{"a": 1}, {"a": 2}]
    assert [(r.line, r.unit) for r in records] == [(1, "item"), (2, "item")]


def test_json_lines_in_a_dot_json_file_are_read_as_lines() -> None:
    assert datas(read(b'{"a": 1}\n{"a": 2}\n', "x.json")) == [{"a": 1}, {"a": 2}]


def test_csv_and_tsv_rows_are_strings_with_their_first_line() -> None:
    records = read(b'a,b\n1,"two\nlines"\n\n3,"say ""hi"""\n', "x.csv")
    assert [(r.line, r.data) for r in records] == [(2, {"a": "1", "b": "two\nlines"}), (5, {"a": "3", "b": 'say "hi"'})]
    records = read(b' a \t b\nx\t"q\ty"\n', "x.tsv")
    assert datas(records) == [{"a": "x", "b": "q\ty"}]


def test_txt_is_one_record_per_non_empty_line() -> None:
    records = read("第一行\r\n\r\n  \n第二行  \n".encode(), "x.txt")
    assert [(r.line, r.data) for r in records] == [(1, {"text": "第一行"}), (4, {"text": "第二行  "})]


def test_parquet_rows_from_local_and_unseekable_sources(tmp_path: Path) -> None:
    out = io.BytesIO()
    write_records(ROWS, out, "parquet")
    path = tmp_path / "x.parquet"
    path.write_bytes(out.getvalue())
    from_path = [r.data for r in iter_records(path)]
    assert from_path[0] == ROWS[0] | {"extra": None}
    unseekable = list(iter_records_from(io.BufferedReader(_Unseekable(out.getvalue())), name="x.parquet"))
    assert [r.data for r in unseekable] == from_path
    assert [(r.line, r.unit) for r in unseekable] == [(1, "row"), (2, "row"), (3, "row")]


def test_gzip_and_zip_are_read_as_they_stream() -> None:
    data = b'{"a": 1}\n{"a": 2}\n'
    assert datas(read(gzip.compress(data), "x.jsonl.gz")) == [{"a": 1}, {"a": 2}]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("d/", b"")
        zf.writestr("d/one.jsonl", data)
        zf.writestr("__MACOSX/d/._one.jsonl", b"\0junk")
        zf.writestr(".DS_Store", b"\0")
        zf.writestr("d/two.jsonl", b'{"a": 3}\n')
        zf.writestr("LICENSE", b"MIT")
    for source in (io.BytesIO(archive.getvalue()), io.BufferedReader(_Unseekable(archive.getvalue()))):
        records = list(iter_records_from(source, name="x.zip"))
        assert [(r.member, r.line, r.data) for r in records] == [
            ("d/one.jsonl", 1, {"a": 1}), ("d/one.jsonl", 2, {"a": 2}), ("d/two.jsonl", 1, {"a": 3})]


def test_a_chosen_format_overrides_the_name() -> None:
    assert datas(read(b"a,b\n1,2\n", "upload.dat", fmt="csv")) == [{"a": "1", "b": "2"}]
    assert datas(read(gzip.compress(b"x\n"), "upload.dat", fmt="txt+gzip")) == [{"text": "x"}]
    with pytest.raises(DataFileError, match="unknown format 'xls'"):
        read(b"a", "x.xls", fmt="xls")


def test_fsspec_file_objects_are_read(tmp_path: Path) -> None:
    fs = fsspec.filesystem("memory")
    with fs.open("/bucket/train.jsonl.gz", "wb") as f:
        f.write(gzip.compress('{"text": "远程文件"}\n'.encode()))
    with fs.open("/bucket/train.jsonl.gz", "rb") as f:
        assert datas(list(iter_records_from(f, name="train.jsonl.gz"))) == [{"text": "远程文件"}]


def test_limits_turn_oversized_lines_into_error_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_RECORD_CHARS", 50)
    monkeypatch.setattr(formats, "_TOO_LONG", "too long")
    data = b'{"a": 1}\n{"a": "' + b"x" * 200 + b'"}\n{"a": 3}\n'
    records = read(data, "x.jsonl")
    assert [(r.line, r.error) for r in records] == [(1, None), (2, "too long"), (3, None)]
    records = read(b'[{"a": "' + b"x" * 60 + b'"}, {"a": 2}]', "x.json")
    assert records[0].error is not None
    assert "more than" in records[0].error
    assert records[1].data == {"a": 2}


def test_bombs_are_refused_by_declared_and_by_decompressed_size() -> None:
    """A zip is refused from its headers; a gzip (which declares nothing) by counting what it expands to."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", b"line\n" * 10_000)
    with pytest.raises(DataFileError, match="expands beyond 1000 bytes"):
        read(archive.getvalue(), "x.zip", max_uncompressed_bytes=1000)
    with pytest.raises(DataFileError, match="zip bomb"):
        read(gzip.compress(b"line\n" * 10_000), "x.txt.gz", max_uncompressed_bytes=1000)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet"])
def test_written_files_read_back(fmt: str) -> None:
    out = io.BytesIO()
    assert write_records(iter(ROWS), out, fmt) == len(ROWS)
    read_back = datas(read(out.getvalue(), f"out.{fmt}"))
    if fmt == "csv":  # every cell is text; nested values are JSON
        expected = [{"text": r["text"], "label": r["label"],
                     "meta": "" if r.get("meta") is None else json.dumps(r["meta"], ensure_ascii=False),
                     "extra": json.dumps(r["extra"]) if "extra" in r else ""} for r in ROWS]
    elif fmt == "parquet":  # absent columns read back as null
        expected = [{"meta": None, "extra": None, **r} for r in ROWS]
    else:
        expected = ROWS
    assert read_back == expected


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_chinese_is_written_as_utf8_not_escaped(fmt: str) -> None:
    out = io.BytesIO()
    write_records([{"text": "中文"}], out, fmt)
    assert "中文".encode() in out.getvalue()
    assert b"\\u" not in out.getvalue()


def test_writing_no_rows_gives_files_that_say_so() -> None:
    out = io.BytesIO()
    write_records([], out, "json")
    assert json.loads(out.getvalue()) == []
    with pytest.raises(DataFileError, match="empty"):
        read(out.getvalue(), "x.json")


def test_golden_inputs_have_the_expected_formats() -> None:
    for case in json.loads((GOLDEN / "cases.json").read_text()):
        path = GOLDEN / case["input"]
        assert detect_format(path.name, path.read_bytes()[: formats.HEAD_BYTES]) == case["format"], path.name


MEMORY_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from llmore.datasets.formats import iter_records

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    results = {}
    for path in sys.argv[1:]:
        before = peak()
        count = sum(1 for record in iter_records(path) if record.error is None)
        results[path] = {"count": count, "growth": peak() - before}
    print(json.dumps(results))
""")


@pytest.mark.slow
def test_reading_large_files_keeps_memory_flat(tmp_path: Path) -> None:
    row = json.dumps({"instruction": "把下面的句子翻译成英文。", "input": "今天天气很好，我们去公园散步吧。" * 4,
                      "output": "The weather is nice today; let's take a walk in the park. " * 4},
                     ensure_ascii=False) + "\n"
    lines = 200_000_000 // len(row.encode())
    jsonl, array = tmp_path / "big.jsonl", tmp_path / "big.json"
    with jsonl.open("w", encoding="utf-8") as f:
        f.writelines(row for _ in range(lines))
    items = lines // 4
    with array.open("w", encoding="utf-8") as f:
        f.write("[" + row)
        f.writelines("," + row for _ in range(items - 1))
        f.write("]")
    assert jsonl.stat().st_size > 190_000_000
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(jsonl), str(array)], capture_output=True,
                          text=True, check=True, timeout=240)
    results = json.loads(done.stdout)
    assert results[str(jsonl)]["count"] == lines
    assert results[str(array)]["count"] == items
    for path, result in results.items():
        assert result["growth"] < 100 * 1024**2, f"{path}: RSS grew by {result['growth'] / 1024**2:.0f} MB"
