"""The HTTP edge: headers every response carries, the request size limit, and the throttle on
failed authentication (issue 12, item 9)."""

import asyncio
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from app.auth.throttle import FailedAuthThrottle
from app.core.settings import PROJECT_ROOT, Settings
from app.main import create_app
from tests.conftest import ADMIN, CS, DEALER, application, row_counts

PROBLEM = "application/problem+json"
HEADERS = {
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
MIB = 1024 * 1024


def assert_secure(response: httpx.Response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert "server" not in response.headers


def wrong_key() -> dict[str, str]:
    """A key of the project's shape that no one holds, its prefix new each time."""
    return {"Authorization": f"Bearer kredo_{secrets.token_urlsafe(32)}"}


# --- headers -----------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(client: TestClient):
    for response in (
        client.get("/healthz"),
        client.get("/openapi.json"),
        client.get("/v1/me", headers=CS),
        client.get("/v1/me"),
        client.get("/v1/nothing-here", headers=CS),
        client.post("/v1/contracts", content=b"{not json", headers=DEALER),
    ):
        assert_secure(response)
    api = client.get("/v1/me", headers=CS)
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_interactive_docs_load_their_script_from_this_server_only(client: TestClient):
    # Swagger UI and ReDoc come from installed files: their policy allows this server's
    # scripts (and the one inline starter, by its hash), nothing from a CDN.
    for page in ("/docs", "/redoc"):
        docs = client.get(page)
        assert docs.status_code == 200
        assert_secure(docs)
        policy = docs.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "http" not in policy
        assert "cdn" not in docs.text.lower()


def test_uvicorn_does_not_name_itself(live_server: str):
    response = httpx.get(f"{live_server}/healthz")
    assert response.status_code == 200
    assert_secure(response)


def test_every_way_of_starting_uvicorn_turns_its_server_header_off():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    for text in (makefile, dockerfile):
        starts = [line for line in text.splitlines() if "uvicorn app.main:app" in line]
        assert starts
        assert all("--no-server-header" in line for line in starts), starts


# --- request size ------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_and_writes_nothing(client: TestClient, database):
    before = row_counts(database)
    body = application(padding="x" * MIB)
    response = client.post("/v1/contracts", json=body, headers=DEALER)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM
    assert_secure(response)
    problem = response.json()
    assert problem["status"] == 413
    assert problem["errors"] == [
        {"field": "body", "message": problem["errors"][0]["message"], "rule": "max_size"}
    ]
    assert "1,048,576" in problem["detail"]
    assert row_counts(database) == before


def test_the_limit_is_a_setting(database_url: str):
    app = create_app(
        Settings(database_url=database_url, env="test", log_level="WARNING", max_body_bytes=2048)
    )
    with TestClient(app, raise_server_exceptions=False) as small:
        json = {**CS, "content-type": "application/json"}
        assert small.post("/v1/simulations", content=b"x" * 2049, headers=json).status_code == 413
        # At the limit the body is read and judged on its content.
        assert small.post("/v1/simulations", content=b"x" * 2048, headers=json).status_code == 400


def _call(
    app: FastAPI, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, dict[str, str], int]:
    """POST to the ASGI app directly, the body in ``chunks``; the status, the headers, and
    how many body messages the app asked for."""
    reads = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal reads
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        reads += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/contracts",
        "raw_path": b"/v1/contracts",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    answered = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answered, reads


def test_a_declared_length_over_the_limit_is_refused_before_reading(app: FastAPI, client):
    headers = {**DEALER, "content-type": "application/json", "content-length": str(4 * MIB)}
    status, answered, reads = _call(app, headers, repeat(b"x" * 65_536, 64))
    assert (status, answered["content-type"], reads) == (413, PROBLEM, 0)


def test_a_chunked_body_is_counted_and_cut_off_at_the_limit(app: FastAPI, client):
    headers = {**DEALER, "content-type": "application/json", "transfer-encoding": "chunked"}
    status, answered, reads = _call(app, headers, repeat(b"x" * 65_536, 64))
    assert (status, answered["content-type"]) == (413, PROBLEM)
    assert reads == MIB // 65_536 + 1  # the chunk that crossed the limit, and no further


# --- failed authentication ---------------------------------------------------------------


def test_wrong_keys_from_one_address_are_throttled_without_checking_the_key(
    app: FastAPI, client: TestClient
):
    limit = app.state.settings.auth_failures_allowed
    statuses = [client.get("/v1/me", headers=wrong_key()).status_code for _ in range(limit)]
    assert statuses == [401] * limit
    refused = client.get("/v1/me", headers=wrong_key())
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert_secure(refused)
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= app.state.settings.auth_failure_window_seconds
    problem = refused.json()
    assert problem["errors"][0]["field"] == "header.authorization"
    assert problem["errors"][0]["rule"] == "failed_authentication_limit"
    # From that address even a good key is not looked at until the window passes ...
    assert client.get("/v1/me", headers=CS).status_code == 429
    # ... while another client's good key is never held up.
    other = TestClient(app, client=("10.20.30.40", 50000))
    assert other.get("/v1/me", headers=CS).status_code == 200


def test_wrong_keys_with_one_prefix_are_throttled_from_any_address(app: FastAPI, client):
    limit = app.state.settings.auth_failures_allowed
    prefix = "kredo_" + secrets.token_urlsafe(4)[:6]

    def guess(address: str) -> int:
        key = prefix + secrets.token_urlsafe(32)
        guesser = TestClient(app, client=(address, 50000))
        return guesser.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code

    assert [guess(f"10.0.0.{n}") for n in range(limit)] == [401] * limit
    assert guess("10.0.1.1") == 429
    fresh = TestClient(app, client=("10.0.1.1", 50000))
    assert fresh.get("/v1/me", headers=CS).status_code == 200


@pytest.fixture
def clock(app: FastAPI) -> Iterator[list[float]]:
    """A throttle of three failures a minute on a clock the test moves (``clock[0]``)."""
    now = [1_000.0]
    kept = app.state.auth_throttle
    app.state.auth_throttle = FailedAuthThrottle(allowed=3, window_seconds=60, clock=lambda: now[0])
    try:
        yield now
    finally:
        app.state.auth_throttle = kept


def test_good_keys_never_count_and_the_window_slides(app: FastAPI, client, clock):
    now = clock
    for _ in range(20):
        assert client.get("/v1/me", headers=ADMIN).status_code == 200
    for _ in range(3):
        now[0] += 10
        assert client.get("/v1/me", headers=wrong_key()).status_code == 401
    refused = client.get("/v1/me", headers=wrong_key())
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "40"  # the first failure leaves the window then
    now[0] += 40
    assert client.get("/v1/me", headers=wrong_key()).status_code == 401
    assert client.get("/v1/me", headers=wrong_key()).status_code == 429
    app.state.auth_throttle.reset()
    assert client.get("/v1/me", headers=CS).status_code == 200


def test_the_throttle_is_thread_safe_and_bounded():
    throttle = FailedAuthThrottle(allowed=1_000, window_seconds=60, tracked=100)

    def fail(n: int) -> None:
        throttle.failed(("address:shared", f"prefix:{n}"))

    assert throttle.retry_after(("address:shared",)) == 0
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fail, range(1_000)))
    # Not one of the thousand failures was lost, and old prefixes made room for new ones.
    assert throttle.retry_after(("address:shared",)) > 0
    assert throttle.retry_after(("prefix:999",)) == 0
    assert len(throttle) <= 100


@pytest.mark.parametrize("status", ["413", "429"])
def test_the_new_refusals_are_documented(app: FastAPI, status: str):
    document = app.openapi()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if path in {"/healthz", "/readyz"}:
                continue
            if status == "413" and "requestBody" not in operation:
                continue
            response = operation["responses"][status]
            if "$ref" in response:  # one shared response per status
                response = document["components"]["responses"][response["$ref"].split("/")[-1]]
            content = response["content"]
            assert list(content) == [PROBLEM], (method, path)
