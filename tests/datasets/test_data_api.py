"""The data module through the HTTP API with real jobs: import, preview, clean, split, report, export."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher

MESSY_ALPACA = "\n".join([
    json.dumps({"instruction": "把这句话翻译成英文", "input": "今天天气很好", "output": "The weather is nice today."},
               ensure_ascii=False),
    json.dumps({"instruction": "Summarise", "input": "<p>LLMore <b>cleans</b> data &amp; more</p>",
                "output": "It cleans data."}),
    '{"instruction": "broken line", "output": ',
    json.dumps({"instruction": "What is 2+2?", "input": "", "output": "4"}),
    json.dumps({"instruction": "What is 2+2?", "input": "", "output": "4"}, separators=(",", ":")),
    json.dumps({"instruction": "Name a colour", "input": "", "output": "Blue"}),
]) + "\n"


def _dataset(client: TestClient, account: Account, name: str = "faq", **fields: Any) -> dict[str, Any]:
    response = client.post("/api/datasets", json={"name": name, **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _finish(client: TestClient, account: Account, dispatcher: RunningDispatcher, response: Any,
            state: str = "succeeded") -> dict[str, Any]:
    assert response.status_code == 201, response.text
    job = dispatcher.wait_state(response.json()["id"], "succeeded", "failed", "cancelled")
    assert job.state == state, f"job ended {job.state}: {job.error}"
    return client.get(f"/api/jobs/{job.id}", headers=account.headers).json()


def _upload(client: TestClient, account: Account, dataset_id: int, body: bytes | str, filename: str,
            **query: str) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return client.put(f"/api/datasets/{dataset_id}/upload", params={"filename": filename, **query}, content=data,
                      headers=account.headers)


def _rows(client: TestClient, account: Account, dataset_id: int, number: int, **query: Any) -> dict[str, Any]:
    return client.get(f"/api/datasets/{dataset_id}/versions/{number}/rows", params=query,
                      headers=account.headers).json()


def test_messy_file_is_imported_cleaned_split_reported_and_exported(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher
) -> None:
    dev = make_account("developer")
    dataset = _dataset(client, dev)
    preview = client.post("/api/datasets/preview", params={"filename": "messy.jsonl"},
                          content=MESSY_ALPACA.encode(), headers=dev.headers).json()
    assert (preview["file_format"], preview["source_schema"], preview["data_schema"]) == ("jsonl", "alpaca", "chat")
    assert [e["line"] for e in preview["errors"]] == [3]

    job = _finish(client, dev, running_dispatcher, _upload(client, dev, dataset["id"], MESSY_ALPACA, "messy.jsonl"))
    assert job["result"]["version"] == 1
    first = client.get(f"/api/datasets/{dataset['id']}/versions/1", headers=dev.headers).json()
    assert first["row_count"] == 5
    assert first["stats"]["invalid_rows"] == 1
    assert first["stats"]["errors"][0]["line"] == 3
    rows = _rows(client, dev, dataset["id"], 1)
    assert rows["items"][0]["messages"][0]["content"].startswith("把这句话翻译成英文")
    assert rows["items"][0]["messages"][-1] == {"role": "assistant", "content": "The weather is nice today."}
    assert _rows(client, dev, dataset["id"], 1, q="天气")["total"] == 1

    rules = {"rules": [{"rule": "strip_html"}, {"rule": "dedup_exact"}]}
    preview_clean = client.post(f"/api/datasets/{dataset['id']}/versions/1/clean/preview", json=rules,
                                headers=dev.headers)
    assert preview_clean.status_code == 200, preview_clean.text
    _finish(client, dev, running_dispatcher,
            client.post(f"/api/datasets/{dataset['id']}/versions/1/clean", json=rules, headers=dev.headers))
    second = client.get(f"/api/datasets/{dataset['id']}/versions/2", headers=dev.headers).json()
    assert (second["row_count"], second["diff"]) == (4, {"added": 0, "removed": 1, "changed": 1})
    assert second["parent_id"] == first["id"]
    cleaned = json.dumps(_rows(client, dev, dataset["id"], 2)["items"], ensure_ascii=False)
    assert "<b>" not in cleaned
    assert "LLMore cleans data & more" in cleaned
    # the first version is untouched
    again = client.get(f"/api/datasets/{dataset['id']}/versions/1", headers=dev.headers).json()
    assert (again["sha256"], again["row_count"]) == (first["sha256"], 5)

    _finish(client, dev, running_dispatcher, client.post(
        f"/api/datasets/{dataset['id']}/versions/2/split", json={"train": 0.5, "dev": 0.25, "test": 0.25, "seed": 7},
        headers=dev.headers))
    third = client.get(f"/api/datasets/{dataset['id']}/versions/3", headers=dev.headers).json()
    assert sum(third["splits"].values()) == 4
    assert _rows(client, dev, dataset["id"], 3, split="train")["total"] == third["splits"]["train"]

    _finish(client, dev, running_dispatcher,
            client.post(f"/api/datasets/{dataset['id']}/versions/3/report", headers=dev.headers))
    report = client.get(f"/api/datasets/{dataset['id']}/versions/3/report", headers=dev.headers).json()
    assert 0 <= report["score"] <= 100

    exported = client.get(f"/api/datasets/{dataset['id']}/versions/3/export",
                          params={"file_format": "csv", "target_schema": "alpaca", "split": "train"},
                          headers=dev.headers)
    assert exported.status_code == 200
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(table) == third["splits"]["train"]
    assert {"instruction", "output"} <= set(table[0])

    listed = client.get("/api/datasets", headers=dev.headers).json()["items"][0]
    assert (listed["latest_version"], listed["latest"]["operation"]) == (3, "split")


def test_stop_on_invalid_fails_naming_the_line_and_keeps_earlier_versions(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher
) -> None:
    dev = make_account("developer")
    dataset = _dataset(client, dev)
    good = '{"text": "hello", "label": "greeting"}\n{"text": "bye", "label": "farewell"}\n'
    _finish(client, dev, running_dispatcher, _upload(client, dev, dataset["id"], good, "intents.jsonl"))
    bad = good + '{"text": "no label here", "label": ""}\n'
    job = _finish(client, dev, running_dispatcher,
                  _upload(client, dev, dataset["id"], bad, "intents.jsonl", on_invalid="stop"), state="failed")
    assert "intents.jsonl line 3, field 'label'" in job["error"]
    assert "label" in job["error"]
    versions = client.get(f"/api/datasets/{dataset['id']}/versions", headers=dev.headers).json()
    assert [v["number"] for v in versions] == [1]
    assert _rows(client, dev, dataset["id"], 1)["total"] == 2


def test_empty_upload_and_disallowed_path_are_refused(client: TestClient, make_account: Callable[..., Account]
                                                      ) -> None:
    dev = make_account("developer")
    dataset = _dataset(client, dev)
    empty = _upload(client, dev, dataset["id"], b"", "empty.jsonl")
    assert empty.status_code == 400
    assert empty.json()["error"]["code"] == "empty_upload"
    outside = client.post(f"/api/datasets/{dataset['id']}/imports",
                          json={"source": "path", "location": "/etc/passwd"}, headers=dev.headers)
    assert outside.status_code == 400
    assert outside.json()["error"]["details"][0]["field"] == "body.location"
    assert "LLMORE_IMPORT_ROOTS" in outside.json()["error"]["message"]


def test_private_datasets_are_invisible_to_others(client: TestClient, make_account: Callable[..., Account]) -> None:
    owner, other = make_account("developer"), make_account("developer")
    secret = _dataset(client, owner, name="secret", visibility="private")
    shared = _dataset(client, owner, name="shared", visibility="public")
    assert client.get(f"/api/datasets/{secret['id']}", headers=other.headers).status_code == 404
    names = [d["name"] for d in client.get("/api/datasets", headers=other.headers).json()["items"]]
    assert names == ["shared"]
    rename = client.patch(f"/api/datasets/{shared['id']}", json={"version": shared["version"], "name": "mine"},
                          headers=other.headers)
    assert rename.status_code == 403


def test_deleted_dataset_keeps_its_name_reserved(client: TestClient, make_account: Callable[..., Account]) -> None:
    dev = make_account("developer")
    dataset = _dataset(client, dev)
    assert client.delete(f"/api/datasets/{dataset['id']}", headers=dev.headers).status_code == 200
    assert client.get(f"/api/datasets/{dataset['id']}", headers=dev.headers).status_code == 404
    again = client.post("/api/datasets", json={"name": "faq"}, headers=dev.headers)
    assert again.status_code == 409


def test_fsspec_imports_cannot_read_the_servers_disk(client: TestClient, make_account: Callable[..., Account]
                                                     ) -> None:
    dev = make_account("developer")
    dataset = _dataset(client, dev)
    for location in ("file:///etc/passwd", "/etc/passwd", "simplecache::file:///etc/passwd", "memory://x"):
        refused = client.post(f"/api/datasets/{dataset['id']}/imports", json={"source": "fsspec", "location": location},
                              headers=dev.headers)
        assert refused.status_code == 400, location
        assert refused.json()["error"]["code"] == "location_not_allowed"


def test_url_import_downloads_and_imports(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    tmp_path: Path,
) -> None:
    (tmp_path / "intents.csv").write_text("text,label\n你好,greeting\nbye,farewell\n", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dev = make_account("developer")
        dataset = _dataset(client, dev)
        url = f"http://127.0.0.1:{server.server_address[1]}/intents.csv"
        job = _finish(client, dev, running_dispatcher, client.post(
            f"/api/datasets/{dataset['id']}/imports", json={"source": "url", "location": url}, headers=dev.headers))
    finally:
        server.shutdown()
    assert job["result"]["rows"] == 2
    version = client.get(f"/api/datasets/{dataset['id']}/versions/1", headers=dev.headers).json()
    assert (version["data_schema"], version["source"]["filename"]) == ("classification", "intents.csv")
    assert _rows(client, dev, dataset["id"], 1)["items"][0] == {"_id": "2", "text": "你好", "label": "greeting"}
