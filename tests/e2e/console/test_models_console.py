"""The Models (registry) module in a real browser: import, list, lineage, lifecycle, refusals, aliases.

One story on the tiny Llama: a model is created and its first version imported from a folder
under the server's models folder (always an allowed import root); a LoRA adapter over it is
registered as a second model, so the lineage graph has an edge both ways. The base version is
moved through its lifecycle with the page offering only legal moves; a move the rules forbid
answers 409 through the API, and when another user changes the state behind the page, the
page's now-illegal move shows the server's reason. Finally an alias is set. A second test exports
a version, downloads the archive once the job is done, edits the model and deletes it.
"""

from __future__ import annotations

import io
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in
from tests.models.test_registry_api import build_lora_adapter

pytestmark = pytest.mark.e2e

MODEL = "e2e-tiny-chat"
ADAPTER_MODEL = "e2e-tiny-lora"


def test_import_lineage_lifecycle_and_alias(page: Page, live_server: LiveServer, tiny_causal_lm: Path) -> None:
    # The server may import from its own models folder without any LLMORE_IMPORT_ROOTS.
    base_folder = live_server.home / "models" / "e2e-tiny"
    shutil.copytree(tiny_causal_lm, base_folder, dirs_exist_ok=True)
    adapter_folder = build_lora_adapter(base_folder, live_server.home / "models" / "e2e-tiny-lora")
    api = live_server.login()

    sign_in(page, live_server, path="/models")
    expect(page.get_by_role("heading", name="Models")).to_be_visible()

    # Create the model; a name with ':' is refused in the browser, with the reason.
    page.get_by_role("button", name="New model").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("tiny:chat")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_contain_text("Use no ':' or '@'")
    dialog.get_by_label("Name").fill(MODEL)
    dialog.get_by_role("button", name="Create").click()

    # The import dialog opens on the new model's page; a folder outside the allowed ones is refused.
    page.wait_for_url(re.compile(r"/models/\d+\?import=1$"))
    model_id = int(re.search(r"/models/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Import a version of {MODEL}")
    dialog.get_by_label("Folder on the server").fill(str(tiny_causal_lm))
    dialog.get_by_role("button", name="Import").click()
    expect(dialog.get_by_test_id("form-error")).to_contain_text("is not allowed")
    expect(dialog).to_contain_text("outside the import roots")  # next to the field
    dialog.get_by_label("Folder on the server").fill(str(base_folder))
    screenshot(page, "models-import")
    dialog.get_by_role("button", name="Import").click()

    # Registered in place at once: the version page opens with the detected metadata.
    page.wait_for_url(re.compile(rf"/models/{model_id}/versions/1$"))
    expect(page.get_by_role("heading", name=f"{MODEL}:1")).to_be_visible()
    metadata = page.get_by_test_id("version-metadata")
    expect(metadata).to_contain_text("safetensors")
    expect(metadata).to_contain_text("LlamaForCausalLM")
    expect(metadata).to_contain_text("512")  # context length
    expect(metadata).to_contain_text(str(base_folder))
    expect(page.get_by_test_id("lineage")).to_contain_text("Imported on its own")

    # An adapter over it (registered through the API like any client would) links both ways.
    adapter_model = api.post("/api/models", json={"name": ADAPTER_MODEL}).json()
    imported = api.post(f"/api/models/{adapter_model['id']}/imports",
                        json={"source": "path", "location": str(adapter_folder)})
    assert imported.status_code == 201, imported.text
    page.reload()
    child = page.get_by_test_id("lineage-links").get_by_role("link", name=f"{ADAPTER_MODEL}:1")
    expect(child).to_be_visible()
    child.click()
    page.wait_for_url(re.compile(rf"/models/{adapter_model['id']}/versions/1$"))
    expect(page.get_by_test_id("version-metadata")).to_contain_text("Adapter")
    expect(page.get_by_test_id("operations")).to_contain_text("Merge into base")
    base_link = page.get_by_test_id("lineage-links").get_by_role("link", name=f"{MODEL}:1")
    expect(base_link).to_be_visible()
    expect(page.get_by_test_id("lineage-graph").locator("canvas")).to_be_visible()
    screenshot(page, "models-adapter-lineage")
    base_link.click()
    page.wait_for_url(re.compile(rf"/models/{model_id}/versions/1$"))

    # Both models are in the list; search and the state filter narrow it.
    page.goto(f"{live_server.url}/models")
    table = page.get_by_test_id("models-table")
    expect(table).to_contain_text(MODEL)
    expect(table).to_contain_text(ADAPTER_MODEL)
    page.get_by_test_id("model-search").locator("input").fill("lora")
    page.get_by_test_id("model-search").locator("input").press("Enter")
    expect(table.get_by_role("link", name=MODEL, exact=True)).to_have_count(0)
    expect(table).to_contain_text(ADAPTER_MODEL)
    screenshot(page, "models-list")
    page.goto(f"{live_server.url}/models/{model_id}")
    expect(page.get_by_test_id("model-versions")).to_contain_text("Registered")

    # Lifecycle: only legal moves are offered; deploying needs approval first.
    page.goto(f"{live_server.url}/models/{model_id}/versions/1")
    actions = page.get_by_test_id("transition-actions")
    expect(actions.get_by_role("button", name="Approve")).to_be_visible()
    expect(actions.get_by_role("button", name="Mark deployed")).to_have_count(0)
    page.get_by_test_id("transition-reason").fill("smoke evaluation on the tiny model")
    actions.get_by_role("button", name="Start evaluation").click()
    lifecycle = page.get_by_test_id("lifecycle")
    expect(lifecycle.get_by_test_id("model-state").first).to_have_text("Evaluating")
    # An abandoned evaluation returns only to where it started (registered), never to "trained".
    expect(actions.get_by_role("button", name="Back to registered")).to_be_visible()
    expect(actions.get_by_role("button", name="Mark trained")).to_have_count(0)
    actions.get_by_role("button", name="Mark evaluated").click()
    expect(lifecycle.get_by_test_id("model-state").first).to_have_text("Evaluated")
    actions.get_by_role("button", name="Approve").click()
    expect(lifecycle.get_by_test_id("model-state").first).to_have_text("Approved")
    expect(actions.get_by_role("button", name="Mark deployed")).to_be_visible()
    history = page.get_by_test_id("transition-history")
    expect(history).to_contain_text("smoke evaluation on the tiny model")
    expect(history.locator(".ant-timeline-item")).to_have_count(4)  # registered, evaluating, evaluated, approved

    # Alias: prod → v1, shown on the page and resolvable by everyone.
    aliases = page.get_by_test_id("aliases")
    aliases.get_by_label("Alias", exact=True).fill("prod")
    aliases.get_by_role("button", name="Set alias").click()
    expect(page.get_by_test_id("alias-list")).to_contain_text("@prod → v1")
    assert api.get("/api/models/resolve", params={"ref": f"{MODEL}@prod"}).json()["number"] == 1
    screenshot(page, "models-version")

    # A move the rules forbid is refused by the API with the reason (approved → training).
    forced = api.post(f"/api/models/{model_id}/versions/1/transition", json={"to": "training"})
    assert forced.status_code == 409, forced.text
    assert forced.json()["error"]["code"] == "illegal_transition"
    assert "cannot become training" in forced.json()["error"]["message"]

    # Someone rejects the version behind the page: its "Mark deployed" is now illegal, and the
    # page shows the server's reason and reloads the real state.
    assert api.post(f"/api/models/{model_id}/versions/1/transition", json={"to": "rejected"}).status_code == 200
    actions.get_by_role("button", name="Mark deployed").click()
    refused = page.get_by_test_id("transition-refused")
    expect(refused).to_contain_text("is rejected; only approved versions can be deployed")
    expect(lifecycle.get_by_test_id("model-state").first).to_have_text("Rejected")
    expect(actions.get_by_role("button", name="Mark deployed")).to_have_count(0)
    screenshot(page, "models-refused")

    choose_language(page, "简体中文")
    expect(page.get_by_test_id("lifecycle")).to_contain_text("生命周期")
    expect(lifecycle.get_by_test_id("model-state").first).to_have_text("已拒绝")
    screenshot(page, "models-version-zh")


def test_export_download_edit_and_delete(page: Page, live_server: LiveServer, tiny_causal_lm: Path) -> None:
    folder = live_server.home / "models" / "e2e-export"
    shutil.copytree(tiny_causal_lm, folder, dirs_exist_ok=True)
    api = live_server.login()
    model = api.post("/api/models", json={"name": "e2e-export"}).json()
    assert api.post(f"/api/models/{model['id']}/imports",
                    json={"source": "path", "location": str(folder)}).status_code == 201

    sign_in(page, live_server, path=f"/models/{model['id']}/versions/1")
    page.get_by_test_id("export-start").click()
    operations = page.get_by_test_id("operations")
    expect(operations.get_by_test_id("data-job")).to_contain_text("Export")  # followed on the page
    download = operations.get_by_test_id("export-download")
    expect(download).to_be_visible(timeout=90_000)  # the export is a job in a child process
    screenshot(page, "models-export")
    archive = page.request.get(live_server.url + download.get_attribute("href"))  # type: ignore[operator]
    assert archive.ok, archive.text()
    with tarfile.open(fileobj=io.BytesIO(archive.body())) as tar:
        names = [Path(name).name for name in tar.getnames()]
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(names)

    # Edit the model, then delete it (soft): it leaves the list.
    page.goto(f"{live_server.url}/models/{model['id']}")
    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Description").fill("exported once")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("exported once")
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    page.wait_for_url(re.compile(r"/models$"))
    expect(page.get_by_test_id("models-table").get_by_role("link", name="e2e-export", exact=True)).to_have_count(0)
