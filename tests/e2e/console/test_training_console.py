"""The Training module in a real browser, on the bundled SmolLM2-135M-Instruct.

One story, as a developer would live it: the bundled model is registered (the job ``llmore up
--demo`` queues), a new developer has a small chat dataset, opens the fine-tune wizard, picks the
model and the data, tries GRPO first (the server refuses a Python reward with a syntax error, on
the code field, with its line), accepts the advisor's SFT proposal with a 12-step limit set in the
editable table and a checkpoint every 6 steps set in the Advanced part, launches, watches the
run's progress move live while the loss falls, and finds the two checkpoints. A second run with
learning rate 1e-1 (the table refuses nothing: the value is legal, only unwise) gets a diagnosis
alert on its page. Both runs are compared, and the first run's page opens the registered model
version it produced.
"""

from __future__ import annotations

import json
import re
import statistics
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in

# SmolLM2's de-quantization and two CPU training runs: ~3 minutes on idle cores, far more on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1200)]

DEVELOPER = "trainer"
DEVELOPER_PASSWORD = "trainer-password-1"
BASE_MODEL = "SmolLM2-135M-Instruct"
COLOURS = ["red", "blue", "green", "amber", "violet", "silver", "golden", "black"]
RUN_TIMEOUT_MS = 480_000  # a CPU training run on a loaded CI machine
FIRST_RUN_STEPS = 12
CHECKPOINT_EVERY = 6
SECOND_RUN_STEPS = 16  # the diagnosis rules judge windows of points (the rising-loss rule needs 8), never one step


def _wait_job(client: httpx.Client, job_id: int, timeout: float = 300) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            assert job["state"] == "succeeded", job["error"]
            return job
        time.sleep(1)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s")


def _register_bundled_model(admin: httpx.Client) -> None:
    """What `llmore up --demo` does: prepare the bundled SmolLM2 and register it (once per server)."""
    job = admin.post("/api/jobs", json={"kind": "models.prepare_bundled", "params": {"models": [BASE_MODEL]}})
    assert job.status_code == 201, job.text
    _wait_job(admin, job.json()["id"])


def _chat_dataset(developer: httpx.Client) -> str:
    """A small, very regular chat dataset (the loss must visibly fall within a few steps)."""
    name = "crates chat"
    dataset = developer.post("/api/datasets", json={"name": name, "description": "Which colour is each crate"})
    assert dataset.status_code == 201, dataset.text
    rows = [
        {"messages": [{"role": "user", "content": f"What colour is crate number {i}?"},
                      {"role": "assistant", "content": f"Crate {i} is {COLOURS[i % len(COLOURS)]}."}]}
        for i in range(48)
    ]
    body = "\n".join(json.dumps(row) for row in rows).encode()
    upload = developer.put(f"/api/datasets/{dataset.json()['id']}/upload", params={"filename": "crates.jsonl"},
                           content=body)
    assert upload.status_code == 201, upload.text
    _wait_job(developer, upload.json()["id"])
    return name


def _choose(page: Page, test_id: str, option: str | re.Pattern[str]) -> None:
    """Pick an option of an antd Select."""
    page.get_by_test_id(test_id).click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(has_text=option).first.click()


def _edit(page: Page, name: str, value: str) -> None:
    """Type a value into the proposal table; Enter asks the advisor again, which marks the row as edited."""
    cell = page.get_by_test_id(f"param-{name}")
    cell.fill(value)
    cell.press("Enter")
    row = page.get_by_test_id("proposal-table").locator("tr", has=page.get_by_test_id(f"param-{name}"))
    expect(row).to_contain_text("set by you")


def _open_wizard_at_proposal(page: Page, server: LiveServer, dataset: str) -> None:
    page.goto(server.url + "/training")
    page.get_by_role("link", name="New fine-tune").click()
    expect(page.get_by_role("heading", name="New fine-tune")).to_be_visible()
    # Not the "-sft" model the first run registers: its name starts with the base's.
    _choose(page, "base-model", re.compile(rf"^{re.escape(BASE_MODEL)}(?!-)"))
    _choose(page, "base-version", re.compile(r"^v1 "))
    page.get_by_test_id("wizard-next").click()
    _choose(page, "dataset", dataset)
    _choose(page, "dataset-version", re.compile(r"^v1 "))
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_label("SFT (supervised fine-tuning)")).to_be_checked()
    expect(page.get_by_label("LoRA", exact=True)).to_be_checked()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("proposal-table")).to_contain_text("learning_rate")


def _refused_python_reward(page: Page) -> None:
    """Back to the recipe, GRPO, a Python reward with a syntax error: the launch is refused on the code field."""
    page.get_by_test_id("wizard-back").click()
    page.get_by_label("GRPO (reinforcement learning)").check()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("proposal-table")).to_contain_text("learning_rate")
    page.get_by_test_id("advanced").get_by_role("button", name=re.compile("^Advanced")).click()
    expect(page.get_by_test_id("reward-0")).to_contain_text("Exact match")
    _choose(page, "reward-0-kind", "Your Python code")
    page.get_by_test_id("reward-0-code").fill("def reward(completion, reference, prompt):\n    return (len(\n")
    page.get_by_test_id("launch").click()
    expect(page.get_by_test_id("reward-0")).to_contain_text("line 2: syntax error")
    screenshot(page, "training-wizard-reward-refused")
    page.get_by_test_id("wizard-back").click()
    page.get_by_label("SFT (supervised fine-tuning)").check()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("proposal-table")).to_contain_text("learning_rate")


def _loss(developer: httpx.Client, job_id: int) -> list[float]:
    return [point["value"] for point in developer.get(f"/api/jobs/{job_id}/metrics").json()["series"].get("loss", [])]


def test_fine_tune_watch_diagnose_compare_and_open_the_model(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    admin = live_server.login()
    _register_bundled_model(admin)
    created = admin.post("/api/users", json={"username": DEVELOPER, "password": DEVELOPER_PASSWORD,
                                              "roles": ["developer"]})
    assert created.status_code == 201, created.text
    developer = live_server.login(DEVELOPER, DEVELOPER_PASSWORD)
    dataset = _chat_dataset(developer)

    page = new_page()
    sign_in(page, live_server, username=DEVELOPER, password=DEVELOPER_PASSWORD, path="/training")
    expect(page.get_by_role("heading", name="Fine-tuning runs")).to_be_visible()
    expect(page.get_by_text("No fine-tuning runs yet")).to_be_visible()

    # The wizard: each step checks its fields before the next opens.
    page.get_by_role("link", name="New fine-tune").click()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_text("Pick the model to fine-tune.")).to_be_visible()
    _open_wizard_at_proposal(page, live_server, dataset)
    _refused_python_reward(page)

    # The advisor's proposal: every value with its reason and the estimate.
    table = page.get_by_test_id("proposal-table")
    expect(table).to_contain_text("LoRA trains small adapters")
    expect(page.get_by_test_id("estimate")).to_contain_text("GB usable")
    expect(page.get_by_test_id("launch-plan")).to_contain_text("1 training process")
    expect(page.get_by_test_id("launch-plan")).to_contain_text("one device: a single training process")
    # A value the server refuses disables the launch and says why, on the row; undoing it restores it.
    _edit(page, "learning_rate", "-1")
    expect(page.get_by_test_id("problem-learning_rate")).to_contain_text("must be positive")
    expect(page.get_by_test_id("launch")).to_be_disabled()
    screenshot(page, "training-wizard-refused")
    page.get_by_test_id("proposal-table").locator("tr", has=page.get_by_test_id("param-learning_rate")).get_by_role(
        "button", name="Use the proposed value").click()
    expect(page.get_by_test_id("problem-learning_rate")).to_have_count(0)
    # Text where a number belongs is refused at once, before any request.
    page.get_by_test_id("param-epochs").fill("many")
    page.get_by_test_id("param-epochs").press("Enter")
    expect(page.get_by_test_id("problem-epochs")).to_contain_text("Enter a number")
    page.get_by_test_id("param-epochs").fill("5")
    page.get_by_test_id("param-epochs").press("Enter")
    _edit(page, "max_steps", str(FIRST_RUN_STEPS))
    expect(page.get_by_test_id("estimate")).to_contain_text(f"{FIRST_RUN_STEPS} (of")
    screenshot(page, "training-wizard-proposal")
    # The Advanced part: the run's own settings besides the hyper-parameters.
    page.get_by_test_id("advanced").get_by_role("button", name=re.compile("^Advanced")).click()
    for field in ("merge", "auto-stop", "eval-split", "early-stopping-patience"):
        expect(page.get_by_test_id(field)).to_be_visible()
    page.get_by_test_id("checkpoint-every").fill(str(CHECKPOINT_EVERY))
    screenshot(page, "training-wizard-advanced")
    expect(page.get_by_test_id("launch")).to_be_enabled()
    page.get_by_test_id("launch").click()

    # The run page: progress moves live, the loss chart fills and the loss falls.
    page.wait_for_url(re.compile(r"/training/runs/\d+$"))
    first_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("job-progress-message")).to_contain_text(re.compile(r"step [1-9]\d*/"),
                                                                          timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_role("img", name="Loss (train and eval)")).to_be_visible()
    live_points = len(_loss(developer, first_id))
    screenshot(page, "training-run-live")
    expect(page.get_by_test_id("run-summary")).to_contain_text(f"Open {BASE_MODEL}-sft:1", timeout=RUN_TIMEOUT_MS)
    loss = _loss(developer, first_id)
    assert live_points < len(loss) == FIRST_RUN_STEPS, (live_points, loss)
    assert statistics.fmean(loss[-3:]) < statistics.fmean(loss[:3]), loss
    expect(page.get_by_test_id("run-system")).to_be_visible()
    checkpoints = page.get_by_test_id("run-checkpoints")
    for step in range(CHECKPOINT_EVERY, FIRST_RUN_STEPS + 1, CHECKPOINT_EVERY):
        expect(checkpoints.get_by_role("cell", name=str(step), exact=True)).to_be_visible()
    screenshot(page, "training-run-finished")

    # A second run with a learning rate far too high: the diagnosis says so on its page.
    _open_wizard_at_proposal(page, live_server, dataset)
    _edit(page, "learning_rate", "1e-1")
    _edit(page, "per_device_batch_size", "2")
    # Batches of 2 × 1 whatever the advisor proposed (typing the proposed value again is no edit).
    if page.get_by_test_id("param-gradient_accumulation_steps").input_value() != "1":
        _edit(page, "gradient_accumulation_steps", "1")
    _edit(page, "max_steps", str(SECOND_RUN_STEPS))
    expect(page.get_by_test_id("launch")).to_be_enabled()
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r"/training/runs/\d+$"))
    second_id = int(page.url.rsplit("/", 1)[1])
    alert = page.get_by_test_id("run-alerts").locator(".ant-alert").first
    expect(alert).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(alert).to_contain_text(re.compile(r"step \d+"))
    screenshot(page, "training-run-alert")
    choose_language(page, "简体中文")
    expect(page.get_by_test_id("run-alerts")).to_contain_text("第")
    screenshot(page, "training-run-alert-zh")
    choose_language(page, "English")

    # Both runs on one set of axes.
    page.goto(live_server.url + "/training")
    for run_id in (first_id, second_id):
        page.get_by_role("row", name=re.compile(f"#{run_id} ")).get_by_role("checkbox").check()
    page.get_by_test_id("compare-runs").click()
    page.wait_for_url(re.compile(rf"/training/compare\?ids=({first_id},{second_id}|{second_id},{first_id})$"))
    expect(page.get_by_role("img", name="Loss", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Learning rate", exact=True)).to_be_visible()
    screenshot(page, "training-compare")

    # The first run's result is a registered model version; its page opens from the run.
    page.goto(f"{live_server.url}/training/runs/{first_id}")
    page.get_by_test_id("run-model-link").click()
    page.wait_for_url(re.compile(r"/models/\d+/versions/1$"))
    expect(page.get_by_role("heading", name=re.compile(f"{BASE_MODEL}-sft:1"))).to_be_visible()
    screenshot(page, "training-result-model")
