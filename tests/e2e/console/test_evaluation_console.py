"""The Evaluation module in a real browser, on the tiny random-weight Llama and a LoRA adapter over it.

One story, as a developer would live it: a base model and an adapter fine-tuned from it are
registered, and a small labelled dataset is uploaded. The developer opens the new-evaluation form,
picks both versions with the base as baseline, the dataset, a prompt template that names a field
the rows lack (the server's refusal shows under the template), fixes it, adds the five-dimension
suite, and starts the run. The run page follows the job to the end, shows every model's scores
with the baseline's deltas and the radar chart of both models, and the per-example browser
filters by model and text and exports what it shows. A second run, started through the API, is
compared with the first, and the pages are read in Chinese too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in
from tests.models.test_registry_api import build_lora_adapter

# Each evaluation run is a job process that loads torch and the models: about a minute on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DEVELOPER = "evaluator"
DEVELOPER_PASSWORD = "evaluator-password-1"
BASE = "e2e-eval-tiny"
ADAPTER = "e2e-eval-tiny-lora"
BASE_LABEL = f"{BASE}:1"
ADAPTER_LABEL = f"{ADAPTER}:1"
DATASET = "e2e eval intents"
ROWS = [
    {"text": "Where is my parcel with the zebra sticker?", "label": "track"},
    {"text": "I want my money back", "label": "refund"},
    {"text": "Cancel the order please", "label": "cancel"},
    {"text": "Has the courier left yet?", "label": "track"},
]
RUN_TIMEOUT_MS = 240_000  # two tiny models answering a few prompts, on a loaded CI machine


def _wait_job(client: httpx.Client, job_id: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            assert job["state"] == "succeeded", job["error"]
            return
        time.sleep(1)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s")


def _register(client: httpx.Client, name: str, folder: Path) -> None:
    model = client.post("/api/models", json={"name": name, "task": "chat"})
    assert model.status_code == 201, model.text
    imported = client.post(f"/api/models/{model.json()['id']}/imports",
                           json={"source": "path", "location": str(folder)})
    assert imported.status_code == 201, imported.text


def register_tiny_pair(live_server: LiveServer, tiny_causal_lm: Path, username: str, password: str, base: str,
                       adapter: str) -> httpx.Client:
    """A new developer's client, who registered the tiny model as ``base`` and a LoRA adapter over it as ``adapter``."""
    base_folder = live_server.home / "models" / base
    shutil.copytree(tiny_causal_lm, base_folder, dirs_exist_ok=True)
    adapter_folder = build_lora_adapter(base_folder, live_server.home / "models" / adapter)
    with live_server.login() as admin:
        created = admin.post("/api/users", json={"username": username, "password": password, "roles": ["developer"]})
    assert created.status_code == 201, created.text
    developer = live_server.login(username, password)
    _register(developer, base, base_folder)
    _register(developer, adapter, adapter_folder)
    return developer


def _upload_dataset(client: httpx.Client) -> None:
    dataset = client.post("/api/datasets", json={"name": DATASET})
    assert dataset.status_code == 201, dataset.text
    body = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    upload = client.put(f"/api/datasets/{dataset.json()['id']}/upload", params={"filename": "intents.jsonl"},
                        content=body)
    assert upload.status_code == 201, upload.text
    _wait_job(client, upload.json()["id"])


def _choose(page: Page, test_id: str, *options: str | re.Pattern[str]) -> None:
    """Pick options of an antd Select (several for a multiple one), then close its dropdown."""
    page.get_by_test_id(test_id).click()
    for option in options:
        page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(has_text=option).first.click()
    page.keyboard.press("Escape")
    # Wait until it has closed, so the next Select's options are the only ones on the page.
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def _records_total(client: httpx.Client, run_id: int, **filters: str) -> int:
    response = client.get(f"/api/evaluation/runs/{run_id}/records", params={"limit": 1, **filters})
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def test_evaluate_an_adapter_against_its_base(new_page, live_server: LiveServer, tiny_causal_lm: Path) -> None:  # type: ignore[no-untyped-def]
    developer = register_tiny_pair(live_server, tiny_causal_lm, DEVELOPER, DEVELOPER_PASSWORD, BASE, ADAPTER)
    _upload_dataset(developer)
    # A second run to compare with (the suite alone, on the base), working while the story goes on.
    second = developer.post("/api/evaluation/runs", json={
        "name": "base again", "models": [BASE_LABEL], "suite": {"per_dimension": 1},
        "generation": {"max_new_tokens": 6}})
    assert second.status_code == 201, second.text

    page = new_page()
    sign_in(page, live_server, username=DEVELOPER, password=DEVELOPER_PASSWORD, path="/evaluation")
    expect(page.get_by_role("heading", name="Evaluation runs")).to_be_visible()
    page.get_by_role("link", name="New evaluation").click()
    expect(page.get_by_role("heading", name="New evaluation")).to_be_visible()

    # Nothing chosen yet: the form says what is missing before anything reaches the server.
    page.get_by_test_id("eval-start").click()
    expect(page.get_by_text("Choose at least one model version.")).to_be_visible()

    _choose(page, "eval-models", BASE_LABEL, ADAPTER_LABEL)
    _choose(page, "eval-baseline", BASE_LABEL)
    _choose(page, "eval-dataset", DATASET)
    _choose(page, "eval-dataset-version", re.compile(r"^v1 "))
    page.get_by_test_id("eval-prompt-template").fill("Intent of: {question}")
    page.get_by_test_id("eval-per-dimension").fill("1")
    page.get_by_test_id("eval-max-new-tokens").fill("6")
    screenshot(page, "evaluation-new")

    # The server refuses a template naming a field the rows do not have, next to the template.
    page.get_by_test_id("eval-start").click()
    template_item = page.locator(".ant-form-item", has=page.get_by_test_id("eval-prompt-template"))
    expect(template_item).to_contain_text("unknown field question")
    page.get_by_test_id("eval-prompt-template").fill("Intent of: {text}")
    page.get_by_test_id("eval-start").click()

    # The run page follows the job to the end.
    page.wait_for_url(re.compile(r"/evaluation/runs/\d+$"), timeout=60_000)  # the checks read the dataset
    run_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("job-state")).to_have_text("Succeeded", timeout=RUN_TIMEOUT_MS)
    run = developer.get(f"/api/evaluation/runs/{run_id}").json()
    assert run["baseline"] == BASE_LABEL
    assert set(run["dimensions"]) == {BASE_LABEL, ADAPTER_LABEL}

    # Scores per model: the task's accuracy, the suite's dimensions, the adapter's deltas.
    scores = page.get_by_test_id("score-table")
    expect(scores.get_by_role("row", name=re.compile(re.escape(BASE_LABEL)))).to_contain_text("baseline")
    expect(scores.get_by_role("columnheader", name="accuracy")).to_be_visible()
    expect(scores.get_by_role("columnheader", name="Reasoning")).to_be_visible()
    adapter_accuracy = run["summary"][ADAPTER_LABEL]["accuracy"]
    adapter_row = scores.get_by_role("row", name=re.compile(re.escape(ADAPTER_LABEL)))
    expect(adapter_row.get_by_test_id("score-accuracy")).to_contain_text(f"{adapter_accuracy:.3f}")
    delta = adapter_accuracy - run["summary"][BASE_LABEL]["accuracy"]
    expect(adapter_row.get_by_test_id("score-accuracy")).to_contain_text(
        f"±{abs(delta):.3f}" if round(delta, 3) == 0 else f"{'+' if delta > 0 else '−'}{abs(delta):.3f}")

    # Per-label precision/recall/F1: every model on every gold label.
    labels = sorted({row["label"] for row in ROWS})
    expect(page.get_by_test_id("per-label").locator("tbody tr.ant-table-row")).to_have_count(2 * len(labels))
    for label in labels:
        expect(page.get_by_test_id("per-label")).to_contain_text(label)

    # The radar chart draws both models over the five dimensions.
    radar = page.get_by_test_id("radar-chart")
    expect(radar).to_have_attribute("data-series", f"{BASE_LABEL}|{ADAPTER_LABEL}")
    expect(radar.locator("canvas")).to_be_visible()
    screenshot(page, "evaluation-run")

    # The per-example browser: every model's answers, filtered by model, then by text.
    browser = page.get_by_test_id("record-browser")
    total = _records_total(developer, run_id)
    assert total == 2 * (len(ROWS) + 5)  # each model: the task's rows and one item per dimension
    expect(browser).to_contain_text(f"{total} in total")
    _choose(page, "record-model", ADAPTER_LABEL)
    adapter_total = _records_total(developer, run_id, model=ADAPTER_LABEL)
    assert adapter_total == total // 2
    expect(browser).to_contain_text(f"{adapter_total} in total")
    rows = page.get_by_test_id("record-table").locator("tbody tr.ant-table-row")
    for index in range(rows.count()):
        expect(rows.nth(index).locator("td").nth(1)).to_have_text(ADAPTER_LABEL)
    page.get_by_test_id("record-search").locator("input").fill("zebra")
    page.get_by_test_id("record-search").locator("input").press("Enter")
    expect(browser).to_contain_text("1 in total")
    expect(rows).to_have_count(1)
    rows.first.locator(".ant-table-row-expand-icon").click()
    detail = page.get_by_test_id("record-detail")
    expect(detail).to_contain_text(f"Intent of: {ROWS[0]['text']}")
    expect(detail).to_contain_text("track")
    screenshot(page, "evaluation-records")

    # Export what is shown: the filtered records, as JSON Lines and as CSV.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-jsonl").click()
    exported = [json.loads(line) for line in Path(download_info.value.path()).read_text(encoding="utf-8").splitlines()
                if line]
    assert [(record["model_label"], record["reference"]) for record in exported] == [(ADAPTER_LABEL, "track")]
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    table = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert [row["model_label"] for row in table] == [ADAPTER_LABEL]

    # The next steps link to the human evaluation and the deploy gate with this run.
    expect(page.get_by_test_id("send-to-human")).to_have_attribute("href", f"/evaluation/human?run={run_id}")
    expect(page.get_by_test_id("check-gate")).to_have_attribute("href", f"/evaluation/gates?run={run_id}")

    choose_language(page, "简体中文")
    expect(page.get_by_test_id("run-radar")).to_contain_text("通用能力")
    expect(scores.get_by_role("columnheader", name="推理")).to_be_visible()
    expect(scores).to_contain_text("基线")
    screenshot(page, "evaluation-run-zh")
    choose_language(page, "English")

    # The second run compared with the first: one row per run and model, all on one radar.
    _wait_job(developer, second.json()["job_id"])
    page.goto(f"{live_server.url}/evaluation")
    first_row = page.get_by_role("row", name=re.compile(rf"#{run_id} "))
    expect(first_row).to_contain_text("accuracy")  # the headline scores
    first_row.get_by_role("checkbox").check()
    page.get_by_role("row", name=re.compile(rf"#{second.json()['id']} ")).get_by_role("checkbox").check()
    screenshot(page, "evaluation-runs")
    page.get_by_test_id("compare-eval-runs").click()
    page.wait_for_url(re.compile(r"/evaluation/compare\?runs="))
    compared = developer.get("/api/evaluation/compare", params={"runs": f"{run_id},{second.json()['id']}"}).json()
    assert len(compared["rows"]) == 3
    expect(page.get_by_test_id("compare-radar").get_by_test_id("radar-chart")).to_have_attribute(
        "data-series", "|".join(f"#{row['run_id']} {row['label']}" for row in compared["rows"]))
    expect(page.get_by_test_id("compare-scores").locator("tbody tr.ant-table-row")).to_have_count(3)
    screenshot(page, "evaluation-compare")
