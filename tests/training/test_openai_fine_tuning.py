"""The OpenAI-compatible files and fine-tuning API: in-process checks, and the official SDK against `llmore up`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from llmore.settings import Settings
from tests.conftest import Account
from tests.e2e.conftest import LiveServer, start_server, stop_server

ROWS = [{"messages": [{"role": "user", "content": f"ping {i}"}, {"role": "assistant", "content": "pong pong"}]}
        for i in range(16)]
CHAT_JSONL = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
BROKEN_JSONL = CHAT_JSONL.splitlines(keepends=True)[0] + b'{"messages": [\n' + CHAT_JSONL.splitlines(keepends=True)[1]
NOT_CHAT_JSONL = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}\n' \
                 b'{"text": "plain text is not a conversation"}\n'


def _upload(client: TestClient, account: Account, content: bytes, name: str = "chat.jsonl",
            purpose: str = "fine-tune") -> httpx.Response:
    return client.post("/v1/files", files={"file": (name, content, "application/jsonl")}, data={"purpose": purpose},
                       headers=account.headers)


def test_files_are_uploaded_listed_read_and_deleted(client: TestClient,
                                                    make_account: Callable[..., Account]) -> None:
    dev, other = make_account("developer"), make_account("developer")
    first = _upload(client, dev, CHAT_JSONL).json()
    assert (first["object"], first["bytes"], first["filename"], first["purpose"]) == (
        "file", len(CHAT_JSONL), "chat.jsonl", "fine-tune")
    second = _upload(client, dev, b'{"a": 1}\n', name="batch.jsonl", purpose="batch").json()
    listed = client.get("/v1/files", headers=dev.headers).json()
    assert [f["id"] for f in listed["data"]] == [second["id"], first["id"]]
    page = client.get("/v1/files", params={"limit": 1}, headers=dev.headers).json()
    assert ([f["id"] for f in page["data"]], page["has_more"]) == ([second["id"]], True)
    rest = client.get("/v1/files", params={"limit": 1, "after": page["last_id"]}, headers=dev.headers).json()
    assert ([f["id"] for f in rest["data"]], rest["has_more"]) == ([first["id"]], False)
    tuning = client.get("/v1/files", params={"purpose": "fine-tune"}, headers=dev.headers).json()
    assert [f["id"] for f in tuning["data"]] == [first["id"]]
    assert client.get(f"/v1/files/{first['id']}/content", headers=dev.headers).content == CHAT_JSONL
    # Another user neither sees nor reads the file.
    assert client.get("/v1/files", headers=other.headers).json()["data"] == []
    hidden = client.get(f"/v1/files/{first['id']}", headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["param"] == "file_id"
    assert client.delete(f"/v1/files/{first['id']}", headers=dev.headers).json() == {
        "id": first["id"], "object": "file", "deleted": True}
    assert client.get(f"/v1/files/{first['id']}", headers=dev.headers).status_code == 404


def test_uploads_are_refused_with_the_line_and_what_to_do(client: TestClient, make_account: Callable[..., Account],
                                                          settings: Settings) -> None:
    dev = make_account("developer")
    broken = _upload(client, dev, BROKEN_JSONL)
    assert broken.status_code == 400
    error = broken.json()["error"]
    assert error["param"] == "file"
    assert "chat.jsonl line 2" in error["message"]
    assert "JSON object" in error["message"]
    empty = _upload(client, dev, b"")
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "empty_file")
    purpose = _upload(client, dev, CHAT_JSONL, purpose="fun")
    assert (purpose.status_code, purpose.json()["error"]["param"]) == (400, "purpose")
    settings.max_upload_bytes = len(CHAT_JSONL) - 1
    too_large = _upload(client, dev, CHAT_JSONL)
    assert too_large.status_code == 413
    assert "LLMORE_MAX_UPLOAD_BYTES" in too_large.json()["error"]["message"]
    assert client.get("/v1/files", headers=dev.headers).json()["data"] == []


def test_fine_tuning_refusals_name_the_openai_parameter(client: TestClient, make_account: Callable[..., Account],
                                                        tiny_causal_lm: Path) -> None:
    dev = make_account("developer")
    chat = _upload(client, dev, CHAT_JSONL).json()["id"]
    mixed = _upload(client, dev, NOT_CHAT_JSONL, name="mixed.jsonl").json()["id"]
    batch = _upload(client, dev, CHAT_JSONL, purpose="batch").json()["id"]

    def create(**body: object) -> dict[str, object]:
        response = client.post("/v1/fine_tuning/jobs", json=body, headers=dev.headers)
        assert response.status_code in (400, 404), response.text
        return {"status": response.status_code, **response.json()["error"]}

    unknown = create(model="no-such-model", training_file=chat)
    assert (unknown["status"], unknown["param"]) == (404, "model")
    assert "no-such-model" in str(unknown["message"])
    unprepared = create(model="SmolLM2-135M-Instruct", training_file=chat)  # bundled, but this home never prepared it
    assert (unprepared["status"], unprepared["param"], unprepared["code"]) == (400, "model", "model_not_ready")
    assert "llmore up --demo" in str(unprepared["message"])
    missing = create(model="no-such-model", training_file="file-999999")
    assert (missing["status"], missing["param"]) == (404, "training_file")
    wrong_rows = create(model="no-such-model", training_file=mixed)
    assert (wrong_rows["status"], wrong_rows["param"]) == (400, "training_file")
    assert "mixed.jsonl line 2" in str(wrong_rows["message"])
    wrong_purpose = create(model="no-such-model", training_file=batch)
    assert (wrong_purpose["param"], wrong_purpose["code"]) == ("training_file", "invalid_file_purpose")
    reinforcement = create(model="x", training_file=chat, method={"type": "reinforcement"})
    assert reinforcement["param"] == "method.type"
    typo = create(model="x", training_file=chat, hyperparameters={"n_epoch": 2})
    assert typo["param"] == "hyperparameters.n_epoch"
    assert client.get("/v1/fine_tuning/jobs", headers=dev.headers).json()["data"] == []


# ---------------------------------------------------------------- the official SDK against a live server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tiny_causal_lm: Path) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("ft-home")
    # The registry registers server folders only under the import roots.
    (home / "config.yaml").write_text(f"import_roots: [{json.dumps(str(tiny_causal_lm.parent))}]\n")
    live = start_server(home)
    yield live
    stop_server(live)


def _register_tiny(admin: httpx.Client, folder: Path) -> None:
    model = admin.post("/api/models", json={"name": "tiny"})
    model.raise_for_status()
    admin.post(f"/api/models/{model.json()['id']}/imports",
               json={"source": "path", "location": str(folder)}).raise_for_status()


@pytest.mark.slow
@pytest.mark.e2e
def test_the_openai_sdk_fine_tunes_a_registered_model(server: LiveServer, tiny_causal_lm: Path) -> None:
    with server.login() as admin:
        _register_tiny(admin, tiny_causal_lm)
        key = admin.post("/api/api-keys", json={"name": "fine-tuning"}).json()["key"]
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0)

        with pytest.raises(openai.BadRequestError) as broken:
            client.files.create(file=("broken.jsonl", BROKEN_JSONL), purpose="fine-tune")
        assert "broken.jsonl line 2" in broken.value.message
        uploaded = client.files.create(file=("pingpong.jsonl", CHAT_JSONL), purpose="fine-tune")
        with pytest.raises(openai.NotFoundError) as unknown:
            client.fine_tuning.jobs.create(model="no-such-model", training_file=uploaded.id)
        assert unknown.value.body["param"] == "model"  # type: ignore[index]

        created = client.fine_tuning.jobs.create(
            model="tiny", training_file=uploaded.id, suffix="pong", seed=7,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1, "batch_size": 8}}})
        assert created.status in ("queued", "running")
        assert (created.hyperparameters.n_epochs, created.hyperparameters.batch_size, created.seed) == (1, 8, 7)
        deadline = time.monotonic() + 240
        job = created
        while job.status not in ("succeeded", "failed", "cancelled") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = client.fine_tuning.jobs.retrieve(created.id)
        assert job.status == "succeeded", job.error
        assert job.fine_tuned_model == "tiny-pong:1"
        assert job.finished_at is not None
        assert job.finished_at >= job.created_at
        assert [j.id for j in client.fine_tuning.jobs.list()] == [created.id]

        events = list(client.fine_tuning.jobs.list_events(created.id, limit=1000))
        steps = [e for e in events if e.type == "metrics"]
        numbers = [e.data["step"] for e in steps]  # type: ignore[index]
        assert numbers
        assert numbers == sorted(numbers, reverse=True)
        assert all(e.data["train_loss"] > 0 for e in steps)  # type: ignore[index]
        assert any("registered as tiny-pong:1" in e.message for e in events)
        first_page = client.fine_tuning.jobs.list_events(created.id, limit=2)
        assert [e.id for e in first_page.data] == [e.id for e in events[:2]]

        saved = client.fine_tuning.jobs.checkpoints.list(created.id).data
        assert saved, "the Trainer saves the last step"
        assert saved[0].step_number == numbers[0]
        assert saved[0].metrics.train_loss == steps[0].data["train_loss"]  # type: ignore[index]
        assert (Path(saved[0].fine_tuned_model_checkpoint) / "adapter_config.json").is_file()

        version = admin.get("/api/models/resolve", params={"ref": job.fine_tuned_model}).json()
        assert (version["kind"], version["state"]) == ("adapter", "trained")
        assert version["source"]["dataset_version"] == 1
        with pytest.raises(openai.ConflictError):
            client.fine_tuning.jobs.cancel(created.id)


DPO_ROWS = [{"input": {"messages": [{"role": "user", "content": f"ping {i}"}]},
             "preferred_output": [{"role": "assistant", "content": "pong"}],
             "non_preferred_output": [{"role": "assistant", "content": "no"}]} for i in range(8)]


def test_a_dpo_job_reads_openai_preference_rows(client: TestClient, make_account: Callable[..., Account],
                                                settings: Settings, tiny_causal_lm: Path) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the request mapping is the same on every database; it runs once, on SQLite")
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent]
    model = client.post("/api/models", json={"name": "tiny"}, headers=dev.headers).json()
    client.post(f"/api/models/{model['id']}/imports", json={"source": "path", "location": str(tiny_causal_lm)},
                headers=dev.headers).raise_for_status()
    content = "".join(json.dumps(row) + "\n" for row in DPO_ROWS).encode()
    file_id = _upload(client, dev, content, name="prefs.jsonl").json()["id"]
    created = client.post("/v1/fine_tuning/jobs", headers=dev.headers, json={
        "model": "tiny:1", "training_file": file_id,
        "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 1}}}})
    assert created.status_code == 200, created.text
    job = created.json()
    assert (job["status"], job["method"]["type"]) == ("queued", "dpo")
    assert (job["hyperparameters"]["beta"], job["hyperparameters"]["n_epochs"]) == (0.2, 1)
    run = client.get(f"/api/jobs/{job['id'].removeprefix('ftjob-')}", headers=dev.headers).json()
    assert run["kind"] == "training.dpo"
    assert run["params"]["overrides"] == {"beta": 0.2, "epochs": 1}
    version = client.get(f"/api/datasets/{run['params']['dataset_id']}/versions/1", headers=dev.headers).json()
    assert (version["data_schema"], version["row_count"]) == ("preference", len(DPO_ROWS))
    supervised = client.post("/v1/fine_tuning/jobs", headers=dev.headers, json={
        "model": "tiny:1", "training_file": file_id, "hyperparameters": {"beta": 0.2}})
    assert supervised.json()["error"]["param"] == "hyperparameters.beta"
    chat_rows_wanted = client.post("/v1/fine_tuning/jobs", headers=dev.headers,
                                   json={"model": "tiny:1", "training_file": file_id}).json()["error"]
    assert (chat_rows_wanted["param"], chat_rows_wanted["code"]) == ("training_file", "invalid_file")
    assert "prefs.jsonl line 1" in chat_rows_wanted["message"]
