"""Real headless Chromium (Debian's package) driven by Playwright, with axe-core from npm.

Skipped, loudly, when Chromium or the npm assets are missing. Every page a test visits
is checked with axe-core (WCAG 2.2 A/AA rules) and must have zero violations, and any
Content Security Policy violation fails the test.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; the Django test database is
# only touched from the live server thread and from test setup, never concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"SKIPPED browser tests: Chromium not found at {CHROMIUM}")
    if not AXE.exists():
        pytest.skip("SKIPPED browser tests: node_modules/axe-core missing (run npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class CheckedPage:
    """A Playwright page that records CSP violations and console errors."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.problems = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._on_response)

    def _on_response(self, response):
        if response.status >= 400 and "/static/" in response.url:
            self.problems.append(f"{response.status} for {response.url}")

    def _on_console(self, message):
        text = message.text
        if message.type == "error" and (
            "Content Security Policy" in text or "Refused to" in text or "Uncaught" in text
        ):
            self.problems.append(text)

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def screenshot(self, name):
        out = Path(__file__).resolve().parents[2] / "test-artifacts"
        out.mkdir(exist_ok=True)
        self.page.screenshot(path=str(out / f"{name}.png"), full_page=True)

    def axe(self, context=""):
        """Run axe-core on the current page; fail with a readable list of violations."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # evaluate() runs through DevTools, so the page's strict CSP does not block it.
            self.page.evaluate(AXE.read_text() + "\n;0")
        # The one finding GOV.UK keeps on purpose: its script puts aria-expanded on a radio
        # or checkbox that reveals more questions. ARIA does not yet allow it there, but
        # screen readers announce it and GOV.UK's research found it helps
        # (alphagov/govuk-frontend#979, w3c/aria#1404). Taken off for the scan only, so
        # every other rule still runs on the whole page.
        result = self.page.evaluate(
            """async (tags) => {
                const revealing = [...document.querySelectorAll(
                    '.govuk-radios__input[aria-controls][aria-expanded],'
                    + '.govuk-checkboxes__input[aria-controls][aria-expanded]')];
                const values = revealing.map(input => input.getAttribute('aria-expanded'));
                revealing.forEach(input => input.removeAttribute('aria-expanded'));
                try {
                    // Only violations are read: axe skips collating passes (a fifth of its time).
                    return await axe.run(document, {
                        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                    });
                } finally {
                    revealing.forEach((input, i) => input.setAttribute('aria-expanded', values[i]));
                }
            }""",
            AXE_TAGS,
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        assert violations == [], f"axe violations on {self.page.url} {context}:\n" + json.dumps(
            violations, indent=2
        )

    def assert_clean(self):
        assert self.problems == [], "\n".join(self.problems)


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)  # fail fast: a live server page loads in well under 1s
    page = CheckedPage(context.new_page(), live_server.url)
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, checked = _new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield checked
    checked.assert_clean()
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A 360-px-wide phone screen."""
    context, checked = _new_page(
        browser,
        live_server,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    yield checked
    checked.assert_clean()
    context.close()


@pytest.fixture
def no_js_page(browser, live_server):
    context, checked = _new_page(
        browser, live_server, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    yield checked
    context.close()


def sign_in(checked, email, password="correct horse battery staple"):
    checked.goto("/account/login/")
    checked.page.get_by_label("Email").fill(email)
    checked.page.get_by_label("Password").fill(password)
    checked.page.get_by_role("button", name="Sign in").click()
    checked.page.wait_for_load_state()
