"""Administration in a real browser: users and roles, what a developer may open, API keys."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e

DEVELOPER = "dev.console"
DEVELOPER_PASSWORD = "developer-password-1"


def test_admin_creates_a_developer_who_cannot_open_admin_pages(
    new_page: Callable[..., Page], live_server: LiveServer
) -> None:
    admin = new_page()
    sign_in(admin, live_server, path="/admin/users")
    admin.get_by_role("button", name="New user").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Username").fill(DEVELOPER)
    dialog.get_by_label("Password").fill("short")
    dialog.get_by_label("Display name").fill("Dev Console")
    dialog.get_by_role("button", name="Create").click()
    # Checked in the browser before anything is sent.
    expect(dialog).to_contain_text("Use at least 10 characters.")
    dialog.get_by_label("Password").fill(DEVELOPER_PASSWORD)
    screenshot(admin, "users-create")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    row = admin.get_by_role("row", name=re.compile(DEVELOPER))
    expect(row).to_contain_text("Developer")
    expect(row).to_contain_text("Active")

    # The server's field error lands next to its field.
    admin.get_by_role("button", name="New user").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Username").fill(DEVELOPER)
    dialog.get_by_label("Password").fill(DEVELOPER_PASSWORD)
    dialog.get_by_role("button", name="Create").click()
    username_item = dialog.locator(".ant-form-item", has=admin.get_by_label("Username"))
    expect(username_item).to_contain_text("already exists")
    dialog.get_by_role("button", name="Cancel").click()

    # Edit the display name (the PATCH carries the version the page loaded).
    row.get_by_role("button", name="Edit").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Display name").fill("Dev of the Console")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(admin.get_by_role("row", name=re.compile(DEVELOPER))).to_contain_text("Dev of the Console")
    admin.get_by_placeholder("Search username or name").fill("console")
    admin.get_by_placeholder("Search username or name").press("Enter")
    expect(admin.locator(".ant-table-tbody tr.ant-table-row")).to_have_count(1)
    screenshot(admin, "users")

    developer = new_page()
    sign_in(developer, live_server, username=DEVELOPER, password=DEVELOPER_PASSWORD)
    menu = developer.get_by_role("menu").first
    expect(menu).to_contain_text("Jobs")
    expect(menu).to_contain_text("API keys")
    expect(menu).not_to_contain_text("Users")
    developer.goto(live_server.url + "/admin/users")
    expect(developer.get_by_text("No access")).to_be_visible()
    expect(developer.get_by_text("users:read")).to_be_visible()
    screenshot(developer, "developer-forbidden")


def test_disable_user_asks_first_and_blocks_sign_in(page: Page, live_server: LiveServer) -> None:
    with live_server.login() as client:
        client.post("/api/users", json={"username": "leaver", "password": "leaver-password-1"}).raise_for_status()
    sign_in(page, live_server, path="/admin/users?q=leaver")
    row = page.get_by_role("row", name=re.compile("leaver"))
    row.get_by_role("button", name="Disable").click()
    page.locator(".ant-modal-confirm").get_by_role("button", name="Disable").click()
    expect(row).to_contain_text("Disabled")
    response = httpx.post(
        f"{live_server.url}/api/auth/login", json={"username": "leaver", "password": "leaver-password-1"}
    )
    assert response.status_code in (401, 403)


def test_api_key_is_shown_once_and_can_be_revoked(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, path="/admin/api-keys")
    page.get_by_role("button", name="New API key").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("e2e notebook")
    dialog.get_by_role("button", name="Create").click()
    key_box = page.get_by_test_id("api-key-value")
    expect(key_box).to_be_visible()
    key = key_box.input_value()
    assert len(key) >= 20
    screenshot(page, "api-key-created")
    page.get_by_test_id("api-key-done").click()

    # The key works as a bearer token for the API.
    assert httpx.get(f"{live_server.url}/api/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200

    row = page.get_by_role("row", name=re.compile("e2e notebook"))
    expect(row.get_by_test_id("api-key-status")).to_have_text("Active")
    row.get_by_role("button", name="Revoke").click()
    confirm = page.locator(".ant-modal-confirm")
    expect(confirm).to_contain_text("e2e notebook")
    confirm.get_by_role("button", name="Revoke").click()
    expect(row.get_by_test_id("api-key-status")).to_have_text("Revoked")
    screenshot(page, "api-keys")
    assert httpx.get(f"{live_server.url}/api/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
