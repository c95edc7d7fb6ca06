"""The deploy gate in a real browser, on a real evaluation run of the tiny random-weight Llama and a LoRA adapter.

A developer opens the gates page from the run, creates the adapter's gate with a rule naming a
metric the run did not compute (the preview says which scores it has), fixes the rule, previews
the passing report, decides — the version moves to approved — and finds the decision again from
the version's page. The page is read in Chinese too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in
from tests.e2e.console.test_evaluation_console import RUN_TIMEOUT_MS, _choose, _wait_job, register_tiny_pair

pytestmark = pytest.mark.e2e

DEVELOPER = "gatekeeper"
DEVELOPER_PASSWORD = "gatekeeper-password-1"
BASE = "e2e-gate-tiny"
ADAPTER = "e2e-gate-tiny-lora"


def _set_rule(page: Page, index: int, kind: str) -> None:
    _choose(page, f"rule-{index}-kind", kind)


def test_gate_an_adapter_on_its_evaluation(new_page, live_server: LiveServer, tiny_causal_lm: Path) -> None:  # type: ignore[no-untyped-def]
    developer = register_tiny_pair(live_server, tiny_causal_lm, DEVELOPER, DEVELOPER_PASSWORD, BASE, ADAPTER)
    started = developer.post("/api/evaluation/runs", json={
        "name": "gate run", "models": [f"{BASE}:1", f"{ADAPTER}:1"], "generation": {"max_new_tokens": 6},
        "suite": {"dimensions": ["reasoning", "instruction"], "per_dimension": 1}})
    assert started.status_code == 201, started.text
    run = started.json()
    _wait_job(developer, run["job_id"], timeout=RUN_TIMEOUT_MS / 1000)

    page = new_page()
    path = f"/evaluation/gates?run={run['id']}"
    sign_in(page, live_server, username=DEVELOPER, password=DEVELOPER_PASSWORD, path=path)
    expect(page.get_by_role("heading", name="Deploy gates")).to_be_visible()
    expect(page.get_by_test_id("gate-from-run")).to_contain_text(f"run #{run['id']}")

    # A new gate whose first rule names a metric this suite-only run never computed.
    page.get_by_test_id("gate-new").click()
    editor = page.get_by_test_id("gate-editor")
    _choose(page, "gate-model", ADAPTER)
    page.get_by_test_id("rule-0-metric").locator("input").fill("accuracy")
    page.get_by_test_id("rule-0-min").fill("0.5")
    page.get_by_test_id("add-rule").click()
    _set_rule(page, 1, "Drop against the baseline")
    page.get_by_test_id("rule-1-drop").fill("100")
    editor.get_by_role("button", name="Save").click()
    gates = page.get_by_test_id("gates")
    expect(gates.get_by_role("row", name=re.compile(ADAPTER))).to_contain_text("accuracy ≥ 0.5")
    expect(gates).to_contain_text("No dimension more than 100 points below the baseline")

    # The preview refuses and lists the scores the run has.
    page.get_by_test_id("gate-check-open").click()
    check = page.get_by_test_id("gate-check")
    expect(check.get_by_test_id("gate-version")).to_contain_text(f"{ADAPTER}:1")  # the run's only version of it
    check.get_by_test_id("gate-preview").click()
    expect(check.get_by_test_id("form-error")).to_contain_text("has no 'accuracy'")
    expect(check.get_by_test_id("form-error")).to_contain_text("suite_overall")
    screenshot(page, "gate-missing-metric")
    check.get_by_test_id("gate-check-close").click()

    # Fixed: the suite's overall score instead; the preview passes, the decision approves.
    page.get_by_test_id("gate-edit").click()
    page.get_by_test_id("rule-0-metric").locator("input").fill("suite_overall")
    page.get_by_test_id("rule-0-min").fill("0")
    editor.get_by_role("button", name="Save").click()
    expect(gates).to_contain_text("Suite overall ≥ 0")
    page.get_by_test_id("gate-check-open").click()
    check.get_by_test_id("gate-preview").click()
    expect(check.get_by_test_id("gate-verdict")).to_have_text("Passed: 3 of 3 checks")
    expect(check.get_by_test_id("gate-report").locator("tbody tr.ant-table-row")).to_have_count(3)
    check.get_by_test_id("gate-decide").click()
    expect(check.get_by_test_id("gate-moved")).to_contain_text("Evaluated")
    expect(check.get_by_test_id("gate-moved")).to_contain_text("Approved")
    screenshot(page, "gate-decided")
    check.get_by_test_id("gate-check-close").click()
    decisions = page.get_by_test_id("gate-decisions")
    expect(decisions.locator("tbody tr.ant-table-row")).to_have_count(1)
    expect(decisions).to_contain_text(DEVELOPER)
    decision = developer.get("/api/evaluation/gates/decisions").json()["items"][0]
    assert (decision["label"], decision["to_state"], decision["run_id"]) == (f"{ADAPTER}:1", "approved", run["id"])

    # The version page shows the new state and links back to its decisions.
    decisions.get_by_role("link", name=f"{ADAPTER}:1").click()
    expect(page.get_by_test_id("model-state").first).to_have_text("Approved")
    page.get_by_test_id("version-gate-decisions").click()
    expect(page.get_by_text(f"Decisions of {ADAPTER}:1")).to_be_visible()
    expect(page.get_by_test_id("gate-decisions").locator("tbody tr.ant-table-row")).to_have_count(1)

    choose_language(page, "简体中文")
    expect(page.get_by_role("heading", name="上线门禁")).to_be_visible()
    expect(page.get_by_test_id("gates")).to_contain_text("任何维度都不得低于基线 100 分以上")
    screenshot(page, "gates-zh")
    choose_language(page, "English")
