"""The interactive docs with no internet: Swagger UI (``/docs``) and ReDoc (``/redoc``) come
from files installed with the package, so headless Chromium, with every request that would
leave this machine refused, still lists every operation; and the pages' policy lets nothing
else in or out."""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Request, Route, sync_playwright

from tests.conftest import CHROMIUM_FLAGS

# Any request not bypassed goes to a port where nothing listens.
OFFLINE_FLAGS = [*CHROMIUM_FLAGS, "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]
# Collected in the page from the first script on, before the UI's own code runs.
WATCH_POLICY = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.violations.push([event.effectiveDirective, event.blockedURI]);
});
"""
# ReDoc's sidebar shows Redocly's logo from their CDN; the policy refuses it before it is
# sent (Playwright sees it fail as 'csp'; it never reaches the network).
REDOCLY_LOGO = ["img-src", "https://cdn.redoc.ly/redoc/logo-mini.svg"]


def operations(app: FastAPI) -> list[dict[str, Any]]:
    return [op for path in app.openapi()["paths"].values() for op in path.values()]


def summary(app: FastAPI, operation_id: str) -> str:
    found: str = next(op["summary"] for op in operations(app) if op["operationId"] == operation_id)
    return found


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_pages_load_only_this_servers_files(client: TestClient, page: str):
    html = client.get(page)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    policy = html.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    assert script_src.group(1).split()[0] == "'self'"
    assert "unsafe" not in script_src.group(1)
    assert "https:" not in policy
    assert "fonts.googleapis.com" not in html.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert len(assets) >= 2  # the bundle and the favicon, and Swagger UI's stylesheet
    for url in assets:
        assert url.startswith("/docs/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(asset.content) > 1000
        again = client.get(url, headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "operation", "submit", "violations"),
    [
        ("/docs", ".opblock", ".opblock[id$='-submit_application'] .opblock-summary", []),
        (
            "/redoc",
            "[data-section-id^='operation/']",
            "[data-section-id='operation/submit_application'] h2",
            [REDOCLY_LOGO],
        ),
    ],
)
def test_the_docs_list_the_operations_offline(
    app: FastAPI,
    live_server: str,
    chromium: str,
    path: str,
    operation: str,
    submit: str,
    violations: list,
):
    requested: list[str] = []
    refused: list[str] = []
    blocked: list[str] = []
    problems: list[str] = []

    def offline(route: Route) -> None:
        if route.request.url.startswith(f"{live_server}/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    def failed(request: Request) -> None:
        if request.failure == "csp":
            blocked.append(request.url)

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=OFFLINE_FLAGS)
        try:
            context = browser.new_context()
            context.route("**/*", offline)
            context.on("request", lambda request: requested.append(request.url))
            context.on("requestfailed", failed)
            context.add_init_script(WATCH_POLICY)
            page = context.new_page()
            page.on("console", console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            response = page.goto(f"{live_server}{path}")
            assert response is not None
            assert response.status == 200
            page.wait_for_selector(operation)
            page.wait_for_load_state("networkidle")
            assert page.locator(operation).count() == len(operations(app))
            shown = page.locator(submit)
            assert summary(app, "submit_application") in shown.inner_text()
            assert shown.is_visible()
            if path == "/docs":
                shown.click()  # the form opens: its selects and buttons draw data: icons
                page.wait_for_selector(".opblock.is-open .opblock-body")
            found = page.evaluate("window.violations")
        finally:
            browser.close()
    assert found == violations
    # Chromium reports each refusal on the console too; nothing else may be there.
    assert [p for p in problems if "cdn.redoc.ly" not in p] == []
    assert refused == []
    assert blocked == [url for _, url in violations]
    sent = [url for url in requested if url not in blocked]
    assert f"{live_server}/openapi.json" in sent
    assert all(url.startswith(f"{live_server}/") for url in sent), sent
