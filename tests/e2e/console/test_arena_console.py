"""The arena in a real browser: blind battles between two models served by a real registered worker, voted with
the keyboard and the mouse by an annotator, then the leaderboard (and its Chinese page)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in
from tests.evaluation.arena_workers import MODELS
from tests.serving.conftest import build_lora_adapter
from tests.serving.live_worker import LiveWorker, start_worker, stop_worker

pytestmark = pytest.mark.e2e

PASSWORD = "arena-password-1"
PROMPTS = ["Hello!", "Name a colour.", "Count to three."]
NAMES = "|".join(re.escape(name) for name in MODELS)


@pytest.fixture
def served_pair(live_server: LiveServer, tiny_causal_lm: Path, tmp_path: Path) -> Iterator[LiveWorker]:
    """A worker serving the tiny model and a LoRA adapter over it, registered with the server like any worker."""
    with live_server.login() as admin:
        key = admin.post("/api/api-keys", json={"name": "arena worker"}).json()["key"]
        adapter = build_lora_adapter(tiny_causal_lm, tmp_path / "lora")
        worker = start_worker("--model", str(tiny_causal_lm), "--served-name", MODELS[0], "--adapter",
                              f"{MODELS[1]}={adapter}", "--control-plane", live_server.url, "--api-key", key,
                              home=tmp_path / "worker")
        try:
            deadline = time.monotonic() + 30
            while admin.get("/api/evaluation/arena/models").json() != list(MODELS):
                assert time.monotonic() < deadline, "the worker did not register"
                time.sleep(0.2)
            yield worker
        finally:
            stop_worker(worker)


def _battle(page: Page, start: Callable[[], None]) -> None:
    """Start a battle and wait for both anonymous answers."""
    start()
    expect(page.get_by_test_id("answer-b")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("name-a")).to_have_count(0)  # nobody knows who is who before voting
    expect(page.get_by_test_id("vote-a")).to_be_enabled()


def _revealed(page: Page) -> None:
    names = re.compile(rf"Model A was ({NAMES}), Model B was ({NAMES})")
    expect(page.get_by_test_id("revealed")).to_contain_text(names)
    expect(page.get_by_test_id("name-a")).to_have_text(re.compile(NAMES))


def test_an_annotator_votes_blind_battles_and_reads_the_leaderboard(
        new_page: Callable[..., Page], live_server: LiveServer, served_pair: LiveWorker) -> None:
    with live_server.login() as admin_api:
        created = admin_api.post("/api/users", json={"username": "ann-arena", "password": PASSWORD,
                                                     "roles": ["annotator"]})
        assert created.status_code == 201, created.text

    # A developer (the admin) stores a prompt set.
    admin = new_page()
    sign_in(admin, live_server, path="/evaluation/arena")
    admin.get_by_role("button", name="New prompt set").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Name").fill("e2e prompts")
    dialog.get_by_label("Prompts, one a line").fill("\n".join(["", *PROMPTS, "  "]))
    dialog.get_by_role("button", name="Create").click()
    expect(admin.get_by_text("Prompt set e2e prompts stored with 3 prompts.")).to_be_visible()

    # An annotator battles through the set with the keyboard: 1 (A), B, then T (tie).
    page = new_page()
    sign_in(page, live_server, "ann-arena", PASSWORD, path="/evaluation/arena")
    expect(page.get_by_role("button", name="New prompt set")).to_have_count(0)  # annotators do not write sets
    # The tiny random model never stops by itself: short answers keep each battle quick on a loaded machine.
    page.get_by_test_id("arena-max-tokens").fill("12")
    page.get_by_test_id("arena-prompt-set").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(has_text="e2e prompts").click()
    _battle(page, lambda: page.get_by_test_id("arena-next-prompt").click())
    for number, key in enumerate(["1", "B", "T"]):
        expect(page.get_by_test_id("battle-prompt")).to_have_text(PROMPTS[number])
        if number == 0:
            screenshot(page, "arena-battle-blind")
        page.keyboard.press(key)
        _revealed(page)
        expect(page.get_by_test_id({"1": "vote-a", "B": "vote-b", "T": "vote-tie"}[key])).to_have_class(
            re.compile("ant-btn-primary"))
        if number == 0:
            screenshot(page, "arena-battle-revealed")
        if number < 2:
            _battle(page, lambda: page.get_by_test_id("arena-next").click())

    # Their own prompt, between the two models they pick; voted with the mouse.
    page.get_by_test_id("arena-models").click()
    for name in MODELS:
        page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(
            has_text=re.compile(rf"^{re.escape(name)}$")).click()
    page.keyboard.press("Escape")
    page.get_by_test_id("arena-prompt").fill("Tell me a joke.")
    _battle(page, lambda: page.get_by_test_id("arena-send").click())
    page.get_by_test_id("vote-both_bad").click()
    _revealed(page)
    page.keyboard.press("1")  # a second vote on the same battle is not possible
    expect(page.get_by_test_id("vote-both_bad")).to_have_class(re.compile("ant-btn-primary"))

    page.get_by_role("button", name="Leaderboard").click()
    page.wait_for_url(re.compile(r"/evaluation/arena/leaderboard$"))
    expect(page.get_by_test_id("leaderboard-votes")).to_have_text("4 votes")
    table = page.get_by_test_id("leaderboard")
    for name in MODELS:
        expect(table.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))).to_have_count(1)
    expect(table.get_by_role("cell", name=re.compile(r"^\d+ \(\d+–\d+\)$"))).to_have_count(4)
    expect(page.get_by_test_id("leaderboard-chart")).to_have_attribute("data-series", re.compile(NAMES))
    screenshot(page, "arena-leaderboard")
    choose_language(page, "简体中文")
    expect(page.get_by_test_id("leaderboard-votes")).to_have_text("共 4 票")
    expect(page.get_by_role("columnheader", name="Bradley–Terry（95% 置信区间）")).to_be_visible()
    screenshot(page, "arena-leaderboard-zh")
