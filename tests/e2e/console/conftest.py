"""Browser fixtures for the console's end-to-end tests: Debian's Chromium driven by Playwright.

Playwright cannot download its own browsers here, so the tests launch ``/usr/bin/chromium``
(``apt-get install chromium``; override with ``LLMORE_TEST_CHROMIUM``). The console must be
built first (``cd web && npm ci && npm run build``). Outside CI a missing browser or build skips
the tests with the reason; under ``CI=true`` it fails them, so CI cannot pass by testing nothing.

Each test gets a fresh browser context (no cookies, no localStorage, English locale) and saves
screenshots under ``test-output/screenshots/`` at the repository root for a human to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import LiveServer, start_server, stop_server

REPO_ROOT = Path(__file__).resolve().parents[3]
CONSOLE_INDEX = REPO_ROOT / "src" / "llmore" / "static" / "console" / "index.html"
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
CHROMIUM = Path(os.environ.get("LLMORE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
# Generous for a loaded CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)  # assertions have their own 5 s default, too short under load


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The console tests' own ``llmore up``.

    Overrides the shared one: these tests create users, jobs and keys, which the other e2e
    tests (that count users, for one) must not see.
    """
    if not CONSOLE_INDEX.is_file():
        _unavailable(f"the console is not built ({CONSOLE_INDEX} missing): run `cd web && npm ci && npm run build`")
    server = start_server(tmp_path_factory.mktemp("console-home"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A factory of pages, each in its own context (a separate signed-in user per context)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(locale: str = "en-US") -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    # An uncaught exception in the page is a bug even when the screen looked right.
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def screenshot(page: Page, name: str) -> None:
    """Save the page for a human to look at, once loading overlays and animations have settled."""
    page.locator(".ant-spin-blur, .ant-modal-wrap.ant-zoom-leave, .ant-modal-wrap.ant-zoom-enter").first.wait_for(
        state="detached"
    )
    page.wait_for_timeout(300)  # antd's transitions take 0.2-0.3 s
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(
    page: Page, server: LiveServer, username: str = "admin", password: str | None = None, path: str = "/"
) -> None:
    """Open ``path``, get sent to the login page, sign in, and land back on ``path``."""
    page.goto(server.url + path)
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(server.url + path) + r"$"))


def choose_language(page: Page, name: str) -> None:
    """Pick a language in the header's dropdown.

    On a loaded machine the dropdown's opening animation can outlast a re-render of the header
    (live queries refresh it), which detaches the menu item mid-click; open it again then.
    """
    for _ in range(3):
        page.get_by_test_id("language-switch").click()
        try:
            page.get_by_role("menuitem", name=name).click(timeout=5_000)
            return
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose the language {name!r} in three tries")
