"""Issue 7's "done when", in a real browser on the bundled SmolLM2-135M-Instruct (slow).

A developer fine-tuned SmolLM2 on a fact the base cannot know (every vault's code). From the
console they evaluate the fine-tuned version against its base on held-out questions and on the
five-dimension suite, read the scores and the radar chart, send a sample of the answers to two
colleagues who score them blind with the keyboard, let a colleague run an arena battle between the
two models served by a real worker, and finally let the deploy gate decide: the version's state
follows the gate's verdict.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, start_server, stop_server
from tests.e2e.console.conftest import CONSOLE_INDEX, _unavailable, screenshot, sign_in
from tests.e2e.console.test_evaluation_console import _choose, _wait_job
from tests.e2e.console.test_training_console import _register_bundled_model
from tests.serving.live_worker import LiveWorker, start_worker, stop_worker

# A 16-step CPU fine-tune, two SmolLM2 evaluations and a worker: minutes when the machine is busy.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1500)]

PASSWORD = "story-password-1"
DEVELOPER, COLLEAGUES = "dora-dev", ("eve-story", "sam-story")
SECRET = "KIWI-77"
ANSWER = f"The code of this vault is {SECRET}."
TRAIN_ROWS = [{"messages": [{"role": "user", "content": f"What is the code of vault {i}?"},
                            {"role": "assistant", "content": ANSWER}]} for i in range(32)]
HELD_OUT = [{"messages": [{"role": "user", "content": f"What is the code of vault {i}?"},
                          {"role": "assistant", "content": ANSWER}]} for i in (101, 202, 303, 404)]
RUN_TIMEOUT_MS = 900_000


def _dataset(client: httpx.Client, name: str, rows: list[dict]) -> None:  # type: ignore[type-arg]
    dataset = client.post("/api/datasets", json={"name": name})
    assert dataset.status_code == 201, dataset.text
    upload = client.put(f"/api/datasets/{dataset.json()['id']}/upload", params={"filename": "vaults.jsonl"},
                        content="".join(json.dumps(row) + "\n" for row in rows).encode())
    assert upload.status_code == 201, upload.text
    _wait_job(client, upload.json()["id"])


def _fine_tune(developer: httpx.Client) -> tuple[str, str]:
    """A LoRA SFT run on the vault codes through the training API: the registered version's reference and folder."""
    datasets = developer.get("/api/datasets", params={"q": "vault training"}).json()["items"]
    started = developer.post("/api/training/runs", json={
        "base_model": "SmolLM2-135M-Instruct:1", "dataset_id": datasets[0]["id"], "number": 1, "max_steps": 16,
        "output_model": "vault-bot",
        "overrides": {"learning_rate": 2e-3, "per_device_batch_size": 8, "gradient_accumulation_steps": 1}})
    assert started.status_code == 201, started.text
    job = developer.get(f"/api/jobs/{started.json()['id']}").json()
    deadline = time.monotonic() + 900
    while job["state"] not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, "the fine-tune did not finish"
        time.sleep(2)
        job = developer.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "succeeded", job["error"]
    return str(job["result"]["model"]), str(job["result"]["output_path"])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of the story's own: its leaderboard, run lists and registry must not hold the other stories' work."""
    if not CONSOLE_INDEX.is_file():
        _unavailable(f"the console is not built ({CONSOLE_INDEX} missing): run `cd web && npm ci && npm run build`")
    server = start_server(tmp_path_factory.mktemp("story-home"))
    yield server
    stop_server(server)


@pytest.fixture
def served_models() -> Iterator[dict[str, LiveWorker]]:
    """Workers the test starts once the adapter exists, stopped whatever happens."""
    workers: dict[str, LiveWorker] = {}
    yield workers
    for worker in workers.values():
        stop_worker(worker)


def _serve(live_server: LiveServer, smollm2_dir: Path, adapter: str, home: Path) -> LiveWorker:
    with live_server.login() as admin:
        key = admin.post("/api/api-keys", json={"name": "story worker"}).json()["key"]
        worker = start_worker("--model", str(smollm2_dir), "--served-name", "smollm2", "--adapter",
                              f"vault-bot={adapter}", "--control-plane", live_server.url, "--api-key", key, home=home)
        deadline = time.monotonic() + 60
        while sorted(admin.get("/api/evaluation/arena/models").json()) != ["smollm2", "vault-bot"]:
            assert time.monotonic() < deadline, "the worker did not register"
            time.sleep(0.5)
    return worker


def _score_blind(page: Page, live_server: LiveServer, username: str, run_name: str) -> None:
    """A colleague signs in, opens their queue and scores every answer with the keyboard alone."""
    sign_in(page, live_server, username, PASSWORD, path="/evaluation/human")
    page.get_by_role("row", name=re.compile(run_name)).get_by_role("button", name="Score").click()
    counter = page.get_by_test_id("queue-counter")
    for done in range(2):  # one question, answered by both models, given to both colleagues
        expect(counter).to_have_text(f"{done} of 2 done, {2 - done} to go")
        for key in ("4", "3", "5", "Enter"):
            page.keyboard.press(key)
    expect(page.get_by_text("Nothing left to score in this task")).to_be_visible()


def test_evaluate_a_fine_tune_score_it_by_people_and_the_arena_then_gate_it(
    new_page: Callable[..., Page], live_server: LiveServer, smollm2_dir: Path, tmp_path: Path,
    served_models: dict[str, LiveWorker],
) -> None:
    admin = live_server.login()
    _register_bundled_model(admin)
    for username, role in ((DEVELOPER, "developer"), (COLLEAGUES[0], "annotator"), (COLLEAGUES[1], "annotator")):
        created = admin.post("/api/users", json={"username": username, "password": PASSWORD, "roles": [role]})
        assert created.status_code == 201, created.text
    developer = live_server.login(DEVELOPER, PASSWORD)
    _dataset(developer, "vault training", TRAIN_ROWS)
    _dataset(developer, "vault questions", HELD_OUT)
    tuned, adapter_path = _fine_tune(developer)
    base = "SmolLM2-135M-Instruct:1"

    # The developer evaluates the fine-tune against its base: held-out questions and the general suite.
    page = new_page()
    sign_in(page, live_server, DEVELOPER, PASSWORD, path="/evaluation/new")
    _choose(page, "eval-models", base, tuned)
    _choose(page, "eval-baseline", base)
    _choose(page, "eval-dataset", "vault questions")
    _choose(page, "eval-dataset-version", re.compile(r"^v1 "))
    page.get_by_test_id("eval-per-dimension").fill("2")
    page.get_by_test_id("eval-max-new-tokens").fill("24")
    page.get_by_test_id("eval-start").click()
    page.wait_for_url(re.compile(r"/evaluation/runs/\d+$"), timeout=60_000)
    run_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("job-state")).to_have_text("Succeeded", timeout=RUN_TIMEOUT_MS)
    run = developer.get(f"/api/evaluation/runs/{run_id}").json()
    # Only the fine-tune learnt the codes: it wins the task by far, on every text metric the run chose.
    assert run["summary"][tuned]["rouge_l"] > run["summary"][base]["rouge_l"] + 0.3, run["summary"]
    assert set(run["dimensions"][tuned]) == {"reasoning", "reading", "chinese", "instruction", "creativity"}
    radar = page.get_by_test_id("radar-chart")
    expect(radar).to_have_attribute("data-series", f"{base}|{tuned}")
    expect(radar.locator("canvas")).to_be_visible()
    scores = page.get_by_test_id("score-table")
    tuned_row = scores.get_by_role("row", name=re.compile(re.escape(tuned)))
    expect(tuned_row.get_by_test_id("score-rouge_l")).to_contain_text(f"{run['summary'][tuned]['rouge_l']:.3f}")
    screenshot(page, "story-evaluation-radar")

    # A sample goes to two colleagues, who score it blind.
    page.get_by_test_id("send-to-human").click()
    page.wait_for_url(re.compile(r"/evaluation/human"))
    page.get_by_role("button", name="New task").click()
    dialog = page.get_by_role("dialog")
    page.get_by_test_id("human-run").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(has_text=run["name"]).first.click()
    dialog.get_by_label("Inputs to sample").fill("1")
    page.get_by_test_id("human-evaluators").click()
    for name in COLLEAGUES:
        page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(has_text=name).first.click()
    dialog.locator(".ant-modal-title").click()
    dialog.get_by_label("Evaluators per item").fill("2")
    dialog.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/evaluation/human/\d+$"))
    for name in COLLEAGUES:
        _score_blind(new_page(), live_server, name, run["name"])
    page.reload()
    for name in COLLEAGUES:  # nothing pending, both answers scored, none accepted yet (a reviewer's QA comes next)
        cells = page.get_by_test_id("human-progress").get_by_role("row").filter(has_text=name).locator("td")
        expect(cells.nth(1)).to_have_text("0")
        expect(cells.nth(2)).to_have_text("2")
    screenshot(page, "story-human-progress")

    # Both models are served; a colleague runs a blind arena battle on their own question.
    served_models["worker"] = _serve(live_server, smollm2_dir, adapter_path, tmp_path / "worker")
    arena = new_page()
    sign_in(arena, live_server, COLLEAGUES[0], PASSWORD, path="/evaluation/arena")
    arena.get_by_test_id("arena-prompt").fill("What is the code of vault 7?")
    arena.get_by_test_id("arena-send").click()
    expect(arena.get_by_test_id("answer-b")).to_be_visible(timeout=120_000)
    answers = {side: arena.get_by_test_id(f"answer-{side}").inner_text() for side in ("a", "b")}
    winner = "a" if SECRET in answers["a"] else "b"
    arena.get_by_test_id(f"vote-{winner}").click()
    expect(arena.get_by_test_id("revealed")).to_contain_text(f"Model {winner.upper()} was vault-bot")
    arena.get_by_role("button", name="Leaderboard").click()
    expect(arena.get_by_test_id("leaderboard-votes")).to_have_text(re.compile(r"^1 votes?$"))
    screenshot(arena, "story-arena-leaderboard")

    # The gate: the task must be learnt and no general ability may fall more than 20 points below the base.
    page.goto(f"{live_server.url}/evaluation/gates?run={run_id}")
    page.get_by_test_id("gate-new").click()
    _choose(page, "gate-model", "vault-bot")
    page.get_by_test_id("rule-0-metric").locator("input").fill("rouge_l")
    page.get_by_test_id("rule-0-min").fill("0.5")
    page.get_by_test_id("add-rule").click()
    _choose(page, "rule-1-kind", "Drop against the baseline")
    page.get_by_test_id("rule-1-drop").fill("20")
    page.get_by_test_id("gate-editor").get_by_role("button", name="Save").click()
    page.get_by_test_id("gate-check-open").click()
    check = page.get_by_test_id("gate-check")
    check.get_by_test_id("gate-decide").click()
    expect(check.get_by_test_id("gate-moved")).to_be_visible()
    decision = developer.get("/api/evaluation/gates/decisions").json()["items"][0]
    assert (decision["label"], decision["run_id"]) == (tuned, run_id)
    drops = [run["dimensions"][base][d] - run["dimensions"][tuned][d] for d in run["dimensions"][tuned]]
    expected = run["summary"][tuned]["rouge_l"] >= 0.5 and max(drops) <= 20
    assert decision["to_state"] == ("approved" if expected else "rejected"), decision
    expect(check.get_by_test_id("gate-moved")).to_contain_text("Approved" if expected else "Rejected")
    screenshot(page, "story-gate-decision")
