"""A corpus of malformed data files, built into a folder, each with the error it must produce.

``build_corpus(folder)`` writes every file and returns the cases. Each case's ``expect`` holds
fragments that one reported problem must contain: the place (file name, line, item or field) and
the gist of what is wrong. Large files (the zip bomb, the 10 MB field) are generated here rather
than kept in the repository. The HTTP tests push the same corpus through the import API.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MalformedCase:
    """One malformed file: its name, what is wrong with it, and fragments its error message must contain."""

    name: str
    problem: str
    expect: tuple[str, ...]


def _jsonl(*rows: object) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def _alpaca(i: int) -> dict[str, str]:
    return {"instruction": f"第 {i} 个问题", "input": "", "output": f"第 {i} 个回答"}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """64 MiB of zeros in one member: a ratio of about 1000:1 (a real bomb nests this, which changes nothing)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("data.jsonl", "w") as member:
        for _ in range(64):
            member.write(b"\0" * (1 << 20))
    return buffer.getvalue()


def _lying_zip() -> bytes:
    """A zip whose headers claim its 1 MiB member holds 100 bytes, so only a CRC check can notice."""
    data = bytearray(_zip({"data.jsonl": _jsonl(*(_alpaca(i) for i in range(20_000)))[: 1 << 20]}))
    real = len(_jsonl(*(_alpaca(i) for i in range(20_000)))[: 1 << 20])
    for header, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(header)
        assert struct.unpack_from("<I", data, at + size_offset)[0] == real
        struct.pack_into("<I", data, at + size_offset, 100)
    return bytes(data)


def _gzip_bomb() -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
        for _ in range(64):
            compressed.write(b" " * (1 << 20))
    return buffer.getvalue()


def _parquet_of(rows: list[dict[str, object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)
    return buffer.getvalue()


_GOOD_LINES = _jsonl(*(_alpaca(i) for i in range(1, 5000)))

CASES: list[tuple[MalformedCase, Callable[[], bytes]]] = [
    (MalformedCase("broken_line.jsonl", "line 3 is cut in the middle of a string",
                   ("broken_line.jsonl line 3", "invalid JSON")),
     lambda: _jsonl(_alpaca(1), _alpaca(2)) + b'{"instruction": "x", "output": "unterminated\n' + _jsonl(_alpaca(4))),
    (MalformedCase("missing_comma.jsonl", "a comma is missing between two fields",
                   ("missing_comma.jsonl line 1", "Expecting ',' delimiter at column")),
     lambda: b'{"instruction": "a" "output": "b"}\n'),
    (MalformedCase("truncated_array.json", "a JSON array cut off after two items",
                   ("truncated_array.json item 3", "ends early after 2 complete items")),
     lambda: json.dumps([_alpaca(1), _alpaca(2), _alpaca(3)], ensure_ascii=False).encode()[:-40]),
    (MalformedCase("trailing_garbage.json", "text after the JSON array",
                   ("trailing_garbage.json", "trailing garbage")),
     lambda: json.dumps([_alpaca(1)], ensure_ascii=False).encode() + b"\n[oops]"),
    (MalformedCase("latin1.jsonl", "Latin-1 text, declared nowhere",
                   ("latin1.jsonl line 2", "byte 0xE9", "not UTF-8")),
     lambda: _jsonl({"text": "plain"}) + '{"text": "café crème brûlée à la carte"}\n'.encode("latin-1")),
    (MalformedCase("invalid_utf8_middle.jsonl", "one invalid byte far past the part used to detect the encoding",
                   ("invalid_utf8_middle.jsonl line 5000", "byte 0xFF", "does not decode")),
     lambda: _GOOD_LINES + b'{"instruction": "bad \xff byte", "output": "x"}\n'),
    (MalformedCase("utf16_no_bom.jsonl", "UTF-16 without a byte-order mark",
                   ("utf16_no_bom.jsonl line 1", "NUL bytes", "byte-order mark")),
     lambda: '{"text": "你好"}\n'.encode("utf-16-le")),
    (MalformedCase("binary_garbage.jsonl", "random bytes",
                   ("binary_garbage.jsonl line", "binary")),
     lambda: random.Random(7).randbytes(4096) + b"\0"),
    (MalformedCase("mixed_schemas.jsonl", "three alpaca rows, then a sharegpt row",
                   ("rows 1-3 look like alpaca but row 4 has 'conversations' (sharegpt)", "one schema")),
     lambda: _jsonl(_alpaca(1), _alpaca(2), _alpaca(3),
                    {"conversations": [{"from": "human", "value": "你好"}, {"from": "gpt", "value": "你好！"}]})),
    (MalformedCase("ambiguous_row.jsonl", "a row with the fields of two schemas",
                   ("row 1 is ambiguous", "'conversations' (sharegpt)", "'instruction', 'output' (alpaca)")),
     lambda: _jsonl({**_alpaca(1), "conversations": []})),
    (MalformedCase("no_schema.jsonl", "objects with fields of no known schema",
                   ("no row fits a known schema", "'foo'", "'bar'")),
     lambda: _jsonl({"foo": 1, "bar": 2}, {"foo": 3})),
    (MalformedCase("empty.jsonl", "0 bytes", ("empty.jsonl", "empty (0 bytes)")), lambda: b""),
    (MalformedCase("whitespace.jsonl", "only blank lines and spaces",
                   ("whitespace.jsonl", "only whitespace")), lambda: b"\n   \n\t\n\r\n"),
    (MalformedCase("whitespace.csv", "a CSV with only blank lines",
                   ("whitespace.csv", "only whitespace")), lambda: b"\r\n\r\n  \r\n"),
    (MalformedCase("zip_bomb.zip", "64 MiB of zeros squeezed into about 64 KiB",
                   ("zip_bomb.zip", "compression ratio", "zip bomb")), _zip_bomb),
    (MalformedCase("gzip_bomb.jsonl.gz", "64 MiB of spaces squeezed into about 64 KiB",
                   ("gzip_bomb.jsonl.gz", "compression ratio", "zip bomb")), _gzip_bomb),
    (MalformedCase("lying_header.zip", "a zip whose headers understate the member's size",
                   ("lying_header.zip", "truncated or damaged")), _lying_zip),
    (MalformedCase("traversal.zip", "a member named ../../etc/passwd",
                   ("traversal.zip", "zip member '../../etc/passwd' escapes the archive")),
     lambda: _zip({"../../etc/passwd": _jsonl(_alpaca(1))})),
    (MalformedCase("absolute.zip", "a member with an absolute path",
                   ("absolute.zip", "zip member '/etc/cron.d/data.jsonl' escapes the archive")),
     lambda: _zip({"/etc/cron.d/data.jsonl": _jsonl(_alpaca(1))})),
    (MalformedCase("no_data.zip", "a zip of a README and a picture",
                   ("no_data.zip", "holds no data files", "README.md")),
     lambda: _zip({"README.md": b"# hello", "logo.png": b"\x89PNG"})),
    (MalformedCase("empty.zip", "a zip with no members", ("empty.zip", "holds no data files")),
     lambda: _zip({})),
    (MalformedCase("mixed_formats.zip", "a zip holding a jsonl and a csv file",
                   ("mixed_formats.zip", "mixes formats", "a.jsonl (jsonl)", "b.csv (csv)")),
     lambda: _zip({"a.jsonl": _jsonl(_alpaca(1)), "b.csv": b"instruction,output\nq,a\n"})),
    (MalformedCase("nested_archive.zip", "a zip holding a gzip file",
                   ("nested_archive.zip", "'inner.jsonl.gz' is itself compressed")),
     lambda: _zip({"inner.jsonl.gz": gzip.compress(_jsonl(_alpaca(1)))})),
    (MalformedCase("member_error.zip", "a broken line inside an archive member",
                   ("member_error.zip/part/b.jsonl line 2", "invalid JSON")),
     lambda: _zip({"part/a.jsonl": _jsonl(_alpaca(1)), "part/b.jsonl": _jsonl(_alpaca(2)) + b"{nope}\n"})),
    (MalformedCase("ragged.csv", "a row with one value too many",
                   ("ragged.csv line 3", "4 values but the header has 3 columns")),
     lambda: "instruction,input,output\n问题,,回答\n问题,多,一个,值\n".encode()),
    (MalformedCase("no_header.csv", "a CSV whose first row is data",
                   ("no row fits a known schema", "'今天天气很好'", "first row must name the columns")),
     lambda: "今天天气很好,正面\n这部电影太无聊了,负面\n".encode()),
    (MalformedCase("duplicate_header.csv", "a header naming one column twice",
                   ("duplicate_header.csv line 1", "names column 'text' twice")),
     lambda: b"text,text\na,b\n"),
    (MalformedCase("header_only.csv", "a header and no rows", ("header_only.csv", "a header but no rows")),
     lambda: b"text,label\n"),
    (MalformedCase("quotes.tsv", "a TSV field with a stray quote after a quoted part",
                   ("quotes.tsv line 3", "malformed TSV row")),
     lambda: 'text\tlabel\n好\t正面\n"引号"之后\t负面\n'.encode()),
    (MalformedCase("text.parquet", "a text file named .parquet",
                   ("text.parquet", "not a readable Parquet file")), lambda: _jsonl(_alpaca(1))),
    (MalformedCase("truncated.jsonl.gz", "a gzip file cut in half",
                   ("truncated.jsonl.gz", "truncated or damaged")),
     lambda: gzip.compress(_GOOD_LINES, mtime=0)[:10_000]),
    (MalformedCase("not_gzip.jsonl.gz", "a plain file named .gz",
                   ("not_gzip.jsonl.gz", "not gzip-compressed")), lambda: _jsonl(_alpaca(1))),
    (MalformedCase("number.json", "a JSON document that is a number",
                   ("number.json", "a single number, not a list of records")), lambda: b"42\n"),
    (MalformedCase("object_without_list.json", "a JSON object without a list of records",
                   ("object_without_list.json", "holds no list of records")),
     lambda: json.dumps({"instruction": "a", "output": "b", "tags": ["x"]}).encode()),
    (MalformedCase("two_lists.json", "a JSON object with two lists of records",
                   ("two_lists.json", "more than one list of records ('train' and 'test')")),
     lambda: json.dumps({"train": [_alpaca(1)], "test": [_alpaca(2)]}, ensure_ascii=False).encode()),
    (MalformedCase("array_of_strings.json", "an array of strings instead of objects",
                   ("array_of_strings.json item 1", "expected a JSON object", "found a string")),
     lambda: b'["a", "b"]'),
    (MalformedCase("null_fields.jsonl", "an alpaca row whose output is null",
                   ("null_fields.jsonl line 2, field 'output'", "null")),
     lambda: _jsonl(_alpaca(1), {"instruction": "问题", "input": None, "output": None})),
    (MalformedCase("wrong_type.jsonl", "an alpaca output that is a list",
                   ("wrong_type.jsonl line 1, field 'output'", "must be a string, found a list")),
     lambda: _jsonl({"instruction": "问题", "output": ["a", "b"]})),
    (MalformedCase("empty_content.jsonl", "an OpenAI assistant turn with blank content",
                   ("empty_content.jsonl line 1, field 'messages.1'", "the assistant turn is empty")),
     lambda: _jsonl({"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "  "}]})),
    (MalformedCase("huge_field.jsonl", "a row with a 10 MB field (over the 8 Mi-character limit)",
                   ("huge_field.jsonl line 2", "longer than 8 Mi characters")),
     lambda: _jsonl(_alpaca(1)) + b'{"instruction": "x", "output": "' + b"a" * 10_000_000 + b'"}\n'
     + _jsonl(_alpaca(3))),
    (MalformedCase("huge_item.json", "a JSON array item with a 10 MB field",
                   ("huge_item.json item 1", "more than 8 Mi characters")),
     lambda: b'[{"instruction": "x", "output": "' + b"a" * 10_000_000 + b'"}]'),
    (MalformedCase("bom_middle.jsonl", "two files joined: a byte-order mark starts line 3",
                   ("bom_middle.jsonl line 3", "byte-order mark")),
     lambda: codecs.BOM_UTF8 + _jsonl(_alpaca(1), _alpaca(2)) + codecs.BOM_UTF8 + _jsonl(_alpaca(3))),
    (MalformedCase("deep_nesting.json", "an item nested 100,000 levels deep (a recursion bomb)",
                   ("deep_nesting.json item 2", "nested deeper than 64 levels")),
     lambda: b'[{"text": "ok"}, {"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"),
    (MalformedCase("deep_nesting.jsonl", "a line nested 100,000 levels deep",
                   ("deep_nesting.jsonl line 1", "nested deeper than 64 levels")),
     lambda: b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n" + _jsonl({"text": "ok"})),
    (MalformedCase("nan.jsonl", "NaN, which JSON does not have",
                   ("nan.jsonl line 2", "NaN is not valid JSON")),
     lambda: _jsonl({"text": "a", "label": "b"}) + b'{"text": "b", "label": "c", "score": NaN}\n'),
    (MalformedCase("nan.json", "NaN inside a JSON array", ("nan.json item 1", "invalid JSON")),
     lambda: b'[{"text": "a", "score": NaN}]'),
    (MalformedCase("duplicate_keys.jsonl", "an object with the key 'output' twice",
                   ("duplicate_keys.jsonl line 1", "the key 'output' appears twice")),
     lambda: b'{"instruction": "a", "output": "b", "output": "c"}\n'),
    (MalformedCase("duplicate_keys.json", "an array item with a key twice",
                   ("duplicate_keys.json item 1", "the key 'text' appears twice")),
     lambda: b'[{"text": "a", "text": "b"}]'),
    (MalformedCase("lone_surrogate.jsonl", "a broken \\ud800 escape",
                   ("lone_surrogate.jsonl line 1", "lone UTF-16 surrogate")),
     lambda: b'{"text": "broken \\ud800 emoji"}\n'),
    (MalformedCase("two_user_turns.jsonl", "a sharegpt conversation with two human turns in a row",
                   ("two_user_turns.jsonl line 1, field 'conversations.1.from'", "two user turns in a row")),
     lambda: _jsonl({"conversations": [{"from": "human", "value": "a"}, {"from": "human", "value": "b"},
                                       {"from": "gpt", "value": "c"}]})),
    (MalformedCase("assistant_first.json", "an OpenAI conversation that starts with the assistant",
                   ("assistant_first.json item 1, field 'messages.0.role'", "starts with an assistant turn")),
     lambda: json.dumps([{"messages": [{"role": "assistant", "content": "a"},
                                       {"role": "user", "content": "b"}]}]).encode()),
    (MalformedCase("unknown_role.jsonl", "a sharegpt turn from 'robot'",
                   ("unknown_role.jsonl line 1, field 'conversations.1.from'", "unknown role 'robot'")),
     lambda: _jsonl({"conversations": [{"from": "human", "value": "a"}, {"from": "robot", "value": "b"}]})),
    (MalformedCase("missing_label.csv", "a classification row with an empty label",
                   ("missing_label.csv line 3, field 'label'", "is empty")),
     lambda: "text,label\n很好,正面\n很差,\n".encode()),
    (MalformedCase("missing_output.jsonl", "an alpaca row without output among good ones",
                   ("missing_output.jsonl line 2, field 'output'", "is missing")),
     lambda: _jsonl(_alpaca(1), {"instruction": "问题", "input": ""}, _alpaca(3))),
    (MalformedCase("unknown_format.bin", "plain prose with an unknown extension",
                   ("unknown_format.bin", "cannot tell the format")), lambda: "只是一些文字\n".encode()),
    (MalformedCase("parquet_float_label.parquet", "a Parquet file whose label is not a number or string",
                   ("parquet_float_label.parquet row 2, field 'label'", "must be a string or an integer")),
     lambda: _parquet_of([{"text": "好", "label": 1.0}, {"text": "差", "label": 0.5}])),
]


def build_corpus(folder: Path) -> list[MalformedCase]:
    """Write every malformed file into ``folder`` and return the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    for case, make in CASES:
        (folder / case.name).write_bytes(make())
    return [case for case, _ in CASES]
