"""Human evaluation in a real browser: a task over a small run, two evaluators scoring blind with the keyboard,
a reviewer sending one item back, and the results with agreement merged into the run.

The run (two models answering two questions) is stored as rows in the server's own database, as the
evaluation job would leave it; everything after that goes through the console and the API.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from llmore.db.engine import make_engine
from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in
from tests.evaluation.human_eval_runs import LABELS, make_run

pytestmark = pytest.mark.e2e

PASSWORD = "human-eval-password-1"
RUN_NAME = "e2e human run"
# Each evaluator's keys for their four items (helpfulness, correctness, fluency), then Enter.
KEYS = {"eve-e2e": ["4", "4", "5"], "sam-e2e": ["3", "4", "5"]}


def _choose(page: Page, test_id: str, *options: str) -> None:
    """Pick options of an antd Select inside the dialog, then close its dropdown by clicking the dialog's title."""
    page.get_by_test_id(test_id).click()
    for option in options:
        page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter(has_text=option).first.click()
    page.get_by_role("dialog").locator(".ant-modal-title").click()


def _score_all(page: Page, live_server: LiveServer, username: str, task_id: int) -> None:
    """Sign in as ``username`` and score every item of the queue with the keyboard alone."""
    sign_in(page, live_server, username, PASSWORD, path="/evaluation/human")
    page.get_by_role("row", name=re.compile(RUN_NAME)).get_by_role("button", name="Score").click()
    page.wait_for_url(re.compile(rf"/evaluation/human/{task_id}/score$"))
    counter = page.get_by_test_id("queue-counter")
    for done in range(4):
        expect(counter).to_have_text(f"{done} of 4 done, {4 - done} to go")
        expect(page.get_by_test_id("criterion-helpfulness")).to_have_attribute("data-focused", "true")
        for key in KEYS[username]:
            page.keyboard.press(key)
        expect(page.get_by_test_id("criterion-fluency")).to_have_attribute("data-focused", "true")
        if done == 0:
            for label in LABELS:  # the page never says which model wrote the answer
                expect(page.get_by_text(label)).to_have_count(0)
            screenshot(page, f"human-eval-scoring-{username}")
        page.keyboard.press("Enter")
    expect(page.get_by_text("Nothing left to score in this task")).to_be_visible()


def test_two_evaluators_score_a_reviewer_sends_one_back_and_results_merge(
    new_page: Callable[..., Page], live_server: LiveServer
) -> None:
    api = live_server.login()
    for username, role in (("eve-e2e", "annotator"), ("sam-e2e", "annotator"), ("rex-e2e", "reviewer")):
        created = api.post("/api/users", json={"username": username, "password": PASSWORD, "roles": [role]})
        assert created.status_code == 201, created.text
    engine = make_engine(f"sqlite:///{live_server.home / 'llmore.db'}")
    try:
        run_id = make_run(sessionmaker(engine), inputs=2, name=RUN_NAME)
    finally:
        engine.dispose()

    # The admin creates the task from the run (a run page links with ?run=, which the form starts from);
    # asking for more evaluators per item than chosen is refused on the field.
    admin = new_page()
    sign_in(admin, live_server, path=f"/evaluation/human?run={run_id}")
    admin.get_by_role("button", name="New task").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_test_id("human-run")).to_contain_text(RUN_NAME)
    dialog.get_by_label("Inputs to sample").fill("2")
    _choose(admin, "human-evaluators", "eve-e2e", "sam-e2e")
    dialog.get_by_label("Evaluators per item").fill("3")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_contain_text("overlap 3 needs at least 3 evaluators; 2 chosen")
    dialog.get_by_label("Evaluators per item").fill("2")
    screenshot(admin, "human-eval-new-task")
    dialog.get_by_role("button", name="Create").click()
    admin.wait_for_url(re.compile(r"/evaluation/human/\d+$"))
    task_id = int(admin.url.rsplit("/", 1)[1])
    expect(admin.get_by_test_id("human-progress")).to_contain_text("eve-e2e")

    # Each evaluator scores their four answers (2 inputs x 2 models, each given to both) blind.
    for username in KEYS:
        _score_all(new_page(), live_server, username, task_id)

    # The reviewer sends one of Eve's items back, then accepts everything else that is scored.
    reviewer = new_page()
    sign_in(reviewer, live_server, "rex-e2e", PASSWORD, path=f"/evaluation/human/{task_id}/review")
    eve_row = reviewer.get_by_role("row").filter(has_text="eve-e2e").first
    eve_row.get_by_role("button", name="Send back").click()
    back = reviewer.get_by_role("dialog")
    back.get_by_role("textbox").fill("Correctness 4 is too generous: the sum is wrong.")
    screenshot(reviewer, "human-eval-review")
    back.get_by_role("button", name="Send back").click()
    expect(back).to_be_hidden()
    reviewer.get_by_role("button", name="Accept all scored").click()
    expect(reviewer.get_by_text("7 accepted.")).to_be_visible()

    # Eve sees the reviewer's comment on the item that came back and scores it again.
    eve = new_page()
    sign_in(eve, live_server, "eve-e2e", PASSWORD, path=f"/evaluation/human/{task_id}/score")
    expect(eve.get_by_test_id("review-comment")).to_contain_text("the sum is wrong")
    for key in ("4", "2", "5", "Enter"):
        eve.keyboard.press(key)
    expect(eve.get_by_text("Nothing left to score in this task")).to_be_visible()

    # The reviewer accepts the re-scored item, which completes the task and merges it into the run.
    reviewer.reload()  # the list shows scored items: only the one Eve re-scored
    reviewer.get_by_role("row").filter(has_text="eve-e2e").get_by_role("button", name="Accept").click()
    expect(reviewer.get_by_role("row").filter(has_text="eve-e2e")).to_have_count(0)

    admin.reload()
    expect(admin.get_by_test_id("merge-state")).to_contain_text("Merged into the run")
    models = admin.get_by_test_id("human-model-results")
    for label in LABELS:
        expect(models).to_contain_text(label)
    agreement = admin.get_by_test_id("human-agreement")
    expect(agreement).to_contain_text("eve-e2e · sam-e2e (4)")
    # Eve always gave helpfulness 4 where Sam gave 3: a systematic disagreement, alpha below zero
    helpfulness = agreement.get_by_role("row").filter(has_text="helpfulness")
    expect(helpfulness).to_contain_text("-0.750")
    expect(helpfulness).to_contain_text("poor")
    # both gave fluency 5 every time: nothing varies, so agreement is undefined rather than perfect
    expect(agreement.get_by_role("row").filter(has_text="fluency")).to_contain_text("n/a")
    screenshot(admin, "human-eval-results")
    choose_language(admin, "简体中文")
    expect(admin.get_by_text("评测员之间的一致性")).to_be_visible()
    screenshot(admin, "human-eval-results-zh")

    run = api.get(f"/api/evaluation/runs/{run_id}").json()
    for label in LABELS:
        assert 0 <= run["summary"][label]["human_overall"] <= 1
