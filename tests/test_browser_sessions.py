"""Logging in from a browser: the form and its CSRF token, the session cookie's attributes
and lifetime, logging out, and the cookie opening the HTML pages but never the JSON API."""

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from app.auth.browser import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    BrowserSessions,
    MissingSessionSecret,
)
from app.core.settings import Settings
from app.demo import demo_key
from app.main import create_app
from tests.conftest import ADMIN

HTML = {"Accept": "text/html"}
PAGE = "/reports/portfolio"


def _set_cookies(response: Response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def _token(form: str) -> str:
    marker = 'name="csrf_token" value="'
    start = form.index(marker) + len(marker)
    return form[start : form.index('"', start)]


def _log_in(client: TestClient, key: str, next_page: str = "") -> Response:
    form = client.get(f"/login?next={next_page}", headers=HTML)
    assert form.status_code == 200, form.text
    return client.post(
        "/login",
        data={"api_key": key, "csrf_token": _token(form.text), "next": next_page},
        headers=HTML,
        follow_redirects=False,
    )


def test_logging_in_sets_a_strict_http_only_session_cookie(client: TestClient):
    form = client.get("/login?next=/reports/portfolio/2025-10", headers=HTML)
    assert form.status_code == 200
    assert "default-src 'none'" in form.headers["content-security-policy"]
    assert '<input type="hidden" name="next" value="/reports/portfolio/2025-10">' in form.text
    csrf = _set_cookies(form)[CSRF_COOKIE][CSRF_COOKIE]
    assert csrf["httponly"]
    assert csrf["samesite"] == "strict"
    assert not csrf["secure"]  # plain HTTP here
    answer = client.post(
        "/login",
        data={
            "api_key": demo_key("collector.joko"),
            "csrf_token": _token(form.text),
            "next": "/reports/portfolio/2025-10",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/reports/portfolio/2025-10"
    session = _set_cookies(answer)[SESSION_COOKIE][SESSION_COOKIE]
    assert session["httponly"]
    assert session["samesite"] == "strict"
    assert session["path"] == "/"
    assert session["max-age"] == str(480 * 60)
    assert not session["secure"]


def test_over_https_the_cookies_are_secure(app: FastAPI):
    with TestClient(app, base_url="https://testserver") as browser:
        form = browser.get("/login", headers=HTML)
        assert _set_cookies(form)[CSRF_COOKIE][CSRF_COOKIE]["secure"]
        answer = _log_in(browser, demo_key("collector.joko"))
        assert _set_cookies(answer)[SESSION_COOKIE][SESSION_COOKIE]["secure"]


def test_the_session_opens_pages_but_not_the_api(client: TestClient):
    assert _log_in(client, demo_key("admin.sari")).status_code == 303
    assert client.get(PAGE, headers=HTML, follow_redirects=False).status_code == 409  # no close
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/reports/portfolio?month=2025-10").status_code == 401
    assert client.get("/v1/me", headers=ADMIN).status_code == 200


def test_a_login_without_its_token_or_with_a_wrong_key_opens_nothing(client: TestClient):
    form = client.get("/login", headers=HTML)
    forged = client.post(
        "/login",
        data={"api_key": demo_key("admin.sari"), "csrf_token": "0" * 64},
        headers=HTML,
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in _set_cookies(forged)
    assert "The form had expired; log in again." in forged.text
    # The token of another browser's form (its cookie not sent) is refused too.
    client.cookies.clear()
    stolen = client.post(
        "/login",
        data={"api_key": demo_key("admin.sari"), "csrf_token": _token(form.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert stolen.status_code == 403
    wrong = _log_in(client, "kredo_not_a_key")
    assert wrong.status_code == 401
    assert "The API key is unknown or revoked." in wrong.text
    assert SESSION_COOKIE not in _set_cookies(wrong)
    assert client.get(PAGE, headers=HTML, follow_redirects=False).status_code == 303


def test_failed_logins_are_throttled_like_failed_keys(client: TestClient):
    for _ in range(10):
        assert _log_in(client, "kredo_guess").status_code == 401
    held = _log_in(client, demo_key("admin.sari"))
    assert held.status_code == 429
    assert int(held.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in _set_cookies(held)


def test_a_login_sends_the_browser_only_to_this_server(client: TestClient):
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = _log_in(client, demo_key("collector.joko"), elsewhere)
        assert answer.headers["location"] == PAGE, elsewhere
        client.cookies.clear()


def test_logging_out_needs_the_pages_token(client: TestClient, database):
    from tests.test_portfolio_page import _portfolio

    _portfolio(client, database)
    _log_in(client, demo_key("collector.joko"))
    page = client.get("/reports/portfolio/2025-10", headers=HTML)
    assert page.status_code == 200
    assert 'action="/logout"' in page.text
    forged = client.post("/logout", data={"csrf_token": "0" * 64}, headers=HTML)
    assert forged.status_code == 403
    assert client.get("/reports/portfolio/2025-10", headers=HTML).status_code == 200
    left = client.post(
        "/logout", data={"csrf_token": _token(page.text)}, headers=HTML, follow_redirects=False
    )
    assert left.status_code == 303
    assert left.headers["location"] == "/login?logged_out=true"
    gone = _set_cookies(left)[SESSION_COOKIE][SESSION_COOKIE]
    assert gone["max-age"] == "0"
    again = client.get("/reports/portfolio/2025-10", headers=HTML, follow_redirects=False)
    assert again.status_code == 303
    farewell = client.get("/login?logged_out=true", headers={**HTML, "Accept-Language": "id"})
    assert "Anda sudah keluar." in farewell.text


def test_revoking_the_key_ends_the_session(client: TestClient):
    _log_in(client, demo_key("collector.joko"))
    assert client.get(PAGE, headers=HTML, follow_redirects=False).status_code == 409
    revoked = client.delete("/v1/users/collector.joko/keys", headers=ADMIN)
    assert revoked.status_code == 200
    assert client.get(PAGE, headers=HTML, follow_redirects=False).status_code == 303


def test_a_role_without_the_page_is_refused_after_logging_in(client: TestClient):
    _log_in(client, demo_key("cs.dewi"))
    refused = client.get("/reports/portfolio/2025-10", headers=HTML)
    assert refused.status_code == 403
    assert 'action="/logout"' in refused.text  # to log in as someone else


def test_a_session_ends_after_its_lifetime_and_only_this_secret_signs_one():
    now = [1_000_000.0]
    sessions = BrowserSessions("s" * 32, timedelta(minutes=30), clock=lambda: now[0])
    cookie = sessions.issue(key_id=7)
    read = sessions.read(cookie)
    assert read is not None
    assert read.key_id == 7
    now[0] += 30 * 60 - 1
    assert sessions.read(cookie) is not None
    now[0] += 1
    assert sessions.read(cookie) is None
    other = BrowserSessions("t" * 32, timedelta(minutes=30), clock=lambda: now[0])
    assert other.read(other.issue(key_id=7)) is not None
    assert sessions.read(other.issue(key_id=7)) is None
    assert sessions.read(cookie[:-2] + "xx") is None
    _nonce, signed = sessions.new_nonce()
    assert sessions.read(signed) is None  # a CSRF cookie is not a session


def test_production_needs_the_secret(database_url: str):
    with pytest.raises(MissingSessionSecret):
        create_app(Settings(database_url=database_url, env="production", log_level="WARNING"))
    app = create_app(
        Settings(
            database_url=database_url,
            env="production",
            log_level="WARNING",
            session_secret="p" * 32,
        )
    )
    assert app.state.browser_sessions.always_secure
