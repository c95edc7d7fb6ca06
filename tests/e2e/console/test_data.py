"""The data module in a real browser: create a dataset, import a messy file, report, clean, split, export.

One story, in order, because each step works on the version the previous one made: an alpaca
JSONL with Chinese text, one broken JSON line, HTML in a field and a duplicate row is previewed
(detected format and schema, the broken line named), uploaded with invalid rows dropped, given a
quality report, cleaned with ``strip_html`` + ``dedup_exact`` into version 2 (its diff shown),
split into version 3, and exported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in

pytestmark = pytest.mark.e2e

JOB_TIMEOUT_MS = 90_000  # a data job is a child process; a loaded CI machine takes a while

ROWS = [
    {"instruction": "把这句话翻译成英文", "input": "今天天气很好。", "output": "The weather is nice today."},
    {"instruction": "写一首关于春天的短诗", "input": "", "output": "春风拂面，<b>桃花</b>盛开。"},
    None,  # line 3: broken JSON
    {"instruction": "解释什么是机器学习", "input": "", "output": "<p>机器学习是让计算机从数据中学习规律的方法。</p>"},
    {"instruction": "把这句话翻译成英文", "input": "今天天气很好。", "output": "The weather is nice today."},
    {"instruction": "列出三种水果", "input": "", "output": "苹果、香蕉、橙子"},
    {
        "instruction": "Summarize the text",
        "input": "LLMore is a self-hosted LLM platform.",
        "output": "A self-hosted LLM platform.",
    },
    {"instruction": "计算 12 乘以 8", "input": "", "output": "96"},
]
BROKEN_LINE = 3
VALID_ROWS = sum(row is not None for row in ROWS)  # 7, the duplicate included


def messy_jsonl(folder: Path) -> Path:
    lines = [json.dumps(row, ensure_ascii=False) if row else '{"instruction": "坏行", "input": "oops"' for row in ROWS]
    path = folder / "messy-alpaca.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def choose(page: Page, test_id: str, option: str) -> None:
    """Pick an option of an antd Select."""
    page.get_by_test_id(test_id).click()
    page.locator(".ant-select-dropdown:visible").get_by_title(option, exact=True).click()


def add_rule(page: Page, name: str) -> None:
    choose(page, "rule-builder-choose", name)
    page.get_by_test_id("rule-builder-add").click()


def test_import_report_clean_split_export(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    sign_in(page, live_server, path="/data")
    expect(page.get_by_role("heading", name="Datasets")).to_be_visible()

    # Create the dataset; the name is checked in the browser first.
    page.get_by_role("button", name="New dataset").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_contain_text("Name the dataset.")
    dialog.get_by_label("Name").fill("console e2e alpaca")
    dialog.get_by_label("Description").fill("Messy alpaca rows for the console test")
    screenshot(page, "data-create")
    dialog.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/data/\d+$"))
    dataset_url = page.url
    expect(page.get_by_test_id("no-versions")).to_be_visible()

    # A second dataset with the same name is refused by the server, next to the field.
    page.goto(live_server.url + "/data")
    page.get_by_role("button", name="New dataset").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("console e2e alpaca")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog.locator(".ant-form-item-explain-error, [data-testid=form-error]").first).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("row", name=re.compile("console e2e alpaca"))).to_contain_text("empty")
    screenshot(page, "data-list")

    # Import wizard: choose the file, preview it.
    page.goto(dataset_url)
    page.get_by_role("button", name="Import data").first.click()
    page.wait_for_url(re.compile(r"/data/\d+/import$"))
    page.locator("input[type=file]").set_input_files(str(messy_jsonl(tmp_path)))
    expect(page.get_by_test_id("chosen-file")).to_contain_text("messy-alpaca.jsonl")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("import-preview")
    expect(preview.get_by_test_id("detected-format")).to_have_text("jsonl")
    expect(preview.get_by_test_id("detected-source-schema")).to_have_text("alpaca")
    expect(preview.get_by_test_id("schema-tag")).to_have_text("Chat")
    problems = page.get_by_test_id("import-problems")
    expect(problems.get_by_role("row").nth(1)).to_contain_text(str(BROKEN_LINE))
    expect(preview).to_contain_text("今天天气很好。")
    screenshot(page, "data-import-preview")

    # Drop invalid rows (the default), upload, follow the job, land on version 1.
    expect(page.get_by_test_id("on-invalid").get_by_label(re.compile("Drop them"))).to_be_checked()
    page.get_by_test_id("start-upload").click()
    expect(page.get_by_test_id("upload-progress")).to_be_visible()
    page.wait_for_url(re.compile(r"/data/\d+\?version=1$"), timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("version-row-count")).to_have_text(str(VALID_ROWS))
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("1 invalid rows were dropped")
    errors.locator("summary").click()
    expect(errors).to_contain_text(f"line {BROKEN_LINE}")
    rows = page.get_by_test_id("dataset-row")
    expect(rows).to_have_count(VALID_ROWS)
    expect(rows.first).to_contain_text("把这句话翻译成英文")
    expect(page.get_by_test_id("rows-total")).to_have_text(f"{VALID_ROWS} rows")
    screenshot(page, "data-rows")

    # Search the rows.
    page.get_by_test_id("rows-search").locator("input").fill("机器学习")
    page.get_by_test_id("rows-search").locator("input").press("Enter")
    expect(rows).to_have_count(1)

    # Quality report.
    page.get_by_role("tab", name="Quality").click()
    page.get_by_test_id("run-report").click()
    expect(page.get_by_test_id("quality-score")).to_contain_text("/ 100", timeout=JOB_TIMEOUT_MS)
    problems_card = page.get_by_test_id("quality-problems")
    expect(problems_card.locator(".ant-list-item").first).to_be_visible()
    expect(problems_card).to_contain_text(re.compile("duplicate|HTML", re.IGNORECASE))
    screenshot(page, "data-quality")

    # Cleaning: strip_html + dedup_exact; preview, then run into version 2.
    page.get_by_role("tab", name="Clean").click()
    add_rule(page, "strip_html")
    add_rule(page, "dedup_exact")
    items = page.get_by_test_id("rule-builder-item")
    expect(items).to_have_count(2)
    expect(items.nth(1).locator(".ant-select-content, .ant-select-selection-item").first).to_have_text(
        "any"
    )  # the default
    page.get_by_test_id("clean-preview").click()
    result = page.get_by_test_id("clean-preview-result")
    expect(result).to_contain_text("strip_html")
    expect(result).to_contain_text("dedup_exact")
    expect(result.get_by_test_id("clean-example").first).to_be_visible()
    screenshot(page, "data-clean-preview")
    page.get_by_test_id("clean-run").click()
    page.wait_for_url(re.compile(r"version=2"), timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("version-row-count")).to_have_text(str(VALID_ROWS - 1))
    v2 = page.get_by_test_id("versions-table").get_by_role("row", name=re.compile(r"^v2"))
    expect(v2.get_by_test_id("version-diff")).to_have_text(re.compile(r"−1"))
    expect(v2.get_by_test_id("version-diff")).to_have_text(re.compile(r"~2"))
    expect(page.get_by_test_id("lineage")).to_contain_text("from v1")
    screenshot(page, "data-versions")

    # Split version 2 into version 3.
    page.get_by_role("tab", name="Split").click()
    page.get_by_test_id("split-run").click()
    page.wait_for_url(re.compile(r"version=3"), timeout=JOB_TIMEOUT_MS)
    page.get_by_role("tab", name="Rows").click()
    expect(page.get_by_test_id("rows-split")).to_contain_text("Train")
    screenshot(page, "data-split")

    # Export version 3 as JSONL in the alpaca schema (a plain link; the cookie authenticates).
    page.get_by_role("tab", name="Export").click()
    choose(page, "export-schema", "alpaca")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    download = download_info.value
    assert download.suggested_filename == "console e2e alpaca-v3.jsonl"
    exported = [json.loads(line) for line in Path(download.path()).read_text(encoding="utf-8").splitlines() if line]
    assert len(exported) == VALID_ROWS - 1
    assert {"instruction", "output"} <= set(exported[0])
    assert not any("<b>" in row["output"] or "<p>" in row["output"] for row in exported)
    screenshot(page, "data-export")


def test_data_pages_in_chinese(page: Page, live_server: LiveServer) -> None:
    with live_server.login() as client:
        client.post("/api/datasets", json={"name": "中文数据集", "description": "界面语言测试"}).raise_for_status()
    sign_in(page, live_server, path="/data")
    choose_language(page, "简体中文")
    expect(page.get_by_role("heading", name="数据集")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("中文数据集"))).to_contain_text("空")
    screenshot(page, "data-list-zh")
