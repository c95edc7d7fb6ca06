"""Jobs in a real browser: submit a demo job, watch its live log and progress, cancel one."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e

DEMO_KIND = "demo.gradient_descent"


def choose(page: Page, test_id: str, option: str) -> None:
    """Pick an option of an antd Select."""
    page.get_by_test_id(test_id).click()
    page.locator(".ant-select-dropdown:visible").get_by_title(option, exact=True).click()


def test_submit_a_job_and_watch_it_live(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, path="/jobs")
    page.get_by_role("button", name="New job").click()
    page.wait_for_url(live_server.url + "/jobs/new")
    choose(page, "job-kind", DEMO_KIND)
    params = page.get_by_test_id("job-params")
    expect(params).to_have_value(re.compile(r'"steps": 20'))  # the kind's defaults

    # Typos are caught in the browser before sending.
    params.fill('{"steps": 0, "stepz": 1}')
    page.get_by_role("button", name="Submit job").click()
    expect(page.get_by_text("steps must be ≥ 1.")).to_be_visible()
    expect(page.get_by_text("stepz: this kind has no such parameter.")).to_be_visible()
    params.fill('{"steps": 6,\n "step_seconds": }')
    page.get_by_role("button", name="Submit job").click()
    expect(page.get_by_text(re.compile(r"Invalid JSON at line 2"))).to_be_visible()
    screenshot(page, "job-new-invalid")

    params.fill(json.dumps({"steps": 6, "step_seconds": 0.4, "learning_rate": 0.2}))
    page.get_by_label("Name").fill("console e2e descent")
    page.get_by_role("button", name="Submit job").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))

    log = page.get_by_test_id("job-log")
    expect(log).to_contain_text("step 2/6", timeout=30_000)  # lines arrive while the job runs
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("Running|Succeeded"))
    screenshot(page, "job-running")
    expect(page.get_by_test_id("job-state")).to_have_text("Succeeded", timeout=30_000)
    expect(log).to_contain_text("step 6/6")
    expect(log).to_contain_text("job succeeded")
    expect(page.get_by_test_id("job-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("log-status")).to_contain_text("Ended")
    expect(page.get_by_test_id("job-result")).to_contain_text('"loss"')
    metrics = page.get_by_test_id("job-metrics")
    expect(metrics.get_by_role("img", name="loss")).to_be_visible()
    screenshot(page, "job-succeeded")

    page.get_by_role("button", name="Back").click()
    page.wait_for_url(live_server.url + "/jobs")
    expect(page.get_by_role("row", name=re.compile("console e2e descent"))).to_contain_text("Succeeded")
    screenshot(page, "jobs")


def test_cancel_a_running_job(page: Page, live_server: LiveServer) -> None:
    with live_server.login() as client:
        job = client.post(
            "/api/jobs",
            json={"kind": DEMO_KIND, "name": "to be cancelled", "params": {"steps": 600, "step_seconds": 0.2}},
        ).json()
    sign_in(page, live_server, path=f"/jobs/{job['id']}")
    expect(page.get_by_test_id("job-state")).to_have_text("Running", timeout=30_000)
    expect(page.get_by_test_id("job-eta")).to_contain_text("left")
    page.get_by_role("button", name="Cancel job").click()
    confirm = page.locator(".ant-modal-confirm")
    expect(confirm).to_contain_text(f"Cancel job #{job['id']}?")
    confirm.get_by_role("button", name="Cancel job").click()
    expect(page.get_by_test_id("job-state")).to_have_text("Cancelled", timeout=30_000)
    expect(page.get_by_test_id("job-log")).to_contain_text("job cancelled")
    screenshot(page, "job-cancelled")

    # Retry, also behind a confirmation, queues it again.
    page.get_by_role("button", name="Retry").click()
    page.locator(".ant-modal-confirm").get_by_role("button", name="Retry").click()
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("Queued|Running"))
    page.get_by_role("button", name="Cancel job").click()
    page.locator(".ant-modal-confirm").get_by_role("button", name="Cancel job").click()
    expect(page.get_by_test_id("job-state")).to_have_text("Cancelled", timeout=30_000)


def test_job_list_filters_by_state(page: Page, live_server: LiveServer) -> None:
    with live_server.login() as client:
        job = client.post(
            "/api/jobs", json={"kind": DEMO_KIND, "name": "filter me", "params": {"steps": 1, "step_seconds": 0}}
        ).json()
        client.post(f"/api/jobs/{job['id']}/cancel")
    sign_in(page, live_server, path="/jobs?state=cancelled")
    expect(page.get_by_role("row", name=re.compile("filter me"))).to_be_visible()
    choose(page, "filter-state", "Succeeded")
    page.wait_for_url(re.compile(r"state=succeeded"))
    expect(page.get_by_role("row", name=re.compile("filter me"))).to_have_count(0)
