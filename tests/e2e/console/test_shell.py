"""The console's shell in a real browser: sign-in, language, theme, honest placeholders, expiry."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.console.conftest import choose_language, screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_sign_in_with_the_one_time_password_shows_the_dashboard(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    screenshot(page, "login")

    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("Wrong username or password")

    page.get_by_label("Password").fill(live_server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    # Real counts: the admin exists; modules that are not installed say so instead of "0".
    expect(page.get_by_test_id("count-users")).to_contain_text(re.compile(r"\d"))
    expect(page.get_by_test_id("count-datasets")).to_contain_text(re.compile(r"\d"))
    expect(page.get_by_test_id("count-models")).to_contain_text(re.compile(r"\d"))
    screenshot(page, "dashboard")


def test_language_switch_shows_chinese_and_is_remembered(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    choose_language(page, "简体中文")
    expect(page.get_by_role("heading", name="概览")).to_be_visible()
    menu = page.get_by_role("menu").first
    for label in ("数据", "标注", "微调训练", "模型", "评估", "部署", "任务", "系统管理"):
        expect(menu).to_contain_text(label)
    screenshot(page, "dashboard-zh")

    page.reload()
    expect(page.get_by_role("heading", name="概览")).to_be_visible()
    page.goto(live_server.url + "/jobs")
    expect(page.get_by_role("heading", name="任务")).to_be_visible()
    screenshot(page, "jobs-zh")


def test_browser_language_picks_chinese_by_default(new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(locale="zh-CN")
    page.goto(live_server.url + "/login")
    expect(page.get_by_role("button", name="登 录")).to_be_visible()


def test_dark_theme_is_remembered(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    background = page.locator(".ant-layout").first
    light = background.evaluate("element => getComputedStyle(element).backgroundColor")
    page.get_by_test_id("theme-toggle").click()
    expect(background).not_to_have_css("background-color", light)
    page.reload()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(background).not_to_have_css("background-color", light)
    screenshot(page, "dashboard-dark")


def test_modules_without_pages_say_they_are_not_available(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    page.get_by_role("menuitem", name="Deployments").click()
    page.wait_for_url(live_server.url + "/deployments")
    expect(page.get_by_text("Deployments is not available yet")).to_be_visible()
    screenshot(page, "module-unavailable")
    page.goto(live_server.url + "/no/such/page")
    expect(page.get_by_text("Page not found")).to_be_visible()


def test_expired_session_returns_to_the_page_after_sign_in(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, path="/jobs?state=failed")
    page.context.clear_cookies()  # the session ends (expiry, sign-out elsewhere)
    page.get_by_role("menuitem", name="Users").click()
    page.wait_for_url(re.compile(r"/login\?next=%2Fadmin%2Fusers"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(live_server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()


def test_sign_out(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(live_server.url + "/jobs")
    page.wait_for_url(re.compile(r"/login\?next=%2Fjobs$"))
