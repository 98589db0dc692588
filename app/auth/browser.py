"""Logging in from a browser, so that the HTML pages open from a link.

A person logs in with his API key on a server-rendered form; the answer is a session cookie
signed with ``KREDO_SESSION_SECRET`` (itsdangerous) that names the key and when the session
ends (``KREDO_SESSION_MINUTES``). It is HttpOnly, SameSite=Strict, and Secure over HTTPS (and
always in production). The cookie authenticates the HTML pages only: the JSON API stays
Bearer-only, so no form on another site can act on it. Each request reads the key again, so
revoking a user's keys ends his sessions at once; logging out deletes the cookie.

The login and logout forms carry a CSRF token, an HMAC of a nonce under the same secret (no
script involved): the login form's nonce rides in a signed cookie of its own (a signed double
submit), the logout form's is the session's.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from babel.dates import format_timedelta
from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials
from itsdangerous import BadSignature, URLSafeSerializer

from app.auth.dependencies import admitted, bearer, permitted, principal_from_key
from app.auth.roles import Permission
from app.auth.service import Principal, authenticate_key_id
from app.core.dependencies import get_database
from app.core.errors import Forbidden, TooManyFailedAuthentications, Unauthorized
from app.core.i18n import _, language
from app.core.pages import HtmlRoute, error_page, local, render
from app.core.settings import Settings

SESSION_COOKIE = "kredo_session"
CSRF_COOKIE = "kredo_csrf"


class MissingSessionSecret(RuntimeError):
    pass


@dataclass(frozen=True)
class BrowserSession:
    key_id: int
    nonce: str
    ends: int  # Unix time


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, as its header shows him; the logout form's token when he
    came with a session cookie."""

    username: str
    full_name: str
    logout_token: str | None


class BrowserSessions:
    """Signs and reads the session and CSRF cookies of one app."""

    def __init__(
        self,
        secret: str,
        lifetime: timedelta,
        *,
        always_secure: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret.encode()
        self._sessions = URLSafeSerializer(secret, salt="kredo.session")
        self._nonces = URLSafeSerializer(secret, salt="kredo.csrf")
        self.lifetime = lifetime
        self.always_secure = always_secure
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> "BrowserSessions":
        if settings.session_secret is not None:
            secret = settings.session_secret.get_secret_value()
        elif settings.env == "production":
            raise MissingSessionSecret(
                "Set KREDO_SESSION_SECRET (32 characters or more, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`): "
                "it signs the browsers' session cookies."
            )
        else:
            # Sessions then end with the process: enough for development and tests.
            secret = secrets.token_urlsafe(32)
        return cls(
            secret,
            timedelta(minutes=settings.session_minutes),
            always_secure=settings.env == "production",
        )

    def issue(self, key_id: int) -> str:
        ends = int(self._clock() + self.lifetime.total_seconds())
        return self._sessions.dumps({"k": key_id, "n": secrets.token_urlsafe(16), "e": ends})

    def read(self, cookie: str | None) -> BrowserSession | None:
        """The session a cookie holds, if this app signed it and it has not ended."""
        if not cookie:
            return None
        try:
            claims = self._sessions.loads(cookie)
        except BadSignature:
            return None
        session = BrowserSession(key_id=claims["k"], nonce=claims["n"], ends=claims["e"])
        return session if session.ends > self._clock() else None

    def new_nonce(self) -> tuple[str, str]:
        """A nonce for a login form, and the signed cookie that carries it."""
        nonce = secrets.token_urlsafe(16)
        return nonce, self._nonces.dumps(nonce)

    def nonce_of(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            nonce = self._nonces.loads(cookie)
        except BadSignature:
            return None
        return nonce if isinstance(nonce, str) else None

    def csrf_token(self, purpose: str, nonce: str) -> str:
        message = f"{purpose}:{nonce}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def csrf_valid(self, purpose: str, nonce: str | None, token: str) -> bool:
        return nonce is not None and hmac.compare_digest(self.csrf_token(purpose, nonce), token)

    def secure(self, request: Request) -> bool:
        return self.always_secure or request.url.scheme == "https"


def sessions_of(request: Request) -> BrowserSessions:
    sessions: BrowserSessions = request.app.state.browser_sessions
    return sessions


_session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The session of a browser logged in at `/login` (HTML pages only).",
)


def page_reader(permission: Permission) -> Callable[..., Principal]:
    """A page's dependency: the caller from his API key (``Authorization``) or from his
    browser's session cookie, admitted only in the roles the permission table lists."""

    def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        cookie: Annotated[str | None, Depends(_session_cookie)],
    ) -> Principal:
        if credentials is not None:
            principal = principal_from_key(request, credentials.credentials)
            request.state.viewer = Viewer(principal.username, principal.full_name, None)
        else:
            principal = _from_session(request, cookie)
        return permitted(principal, permission)

    return check


def _from_session(request: Request, cookie: str | None) -> Principal:
    sessions = sessions_of(request)
    session = sessions.read(cookie)
    found = None
    if session is not None:
        with get_database(request).readers() as db:
            found = authenticate_key_id(db, session.key_id)
    if session is None or found is None:
        raise Unauthorized(_("Log in first: your session has ended or was never opened."))
    principal = admitted(request, *found)
    request.state.viewer = Viewer(
        principal.username, principal.full_name, sessions.csrf_token("logout", session.nonce)
    )
    return principal


router = APIRouter(route_class=HtmlRoute, include_in_schema=False)


def _login_form(
    request: Request,
    next_page: str,
    status: int = 200,
    *,
    problem: str | None = None,
    notice: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form, with a fresh nonce in its token and cookie."""
    sessions = sessions_of(request)
    nonce, cookie = sessions.new_nonce()
    page = render(
        request,
        "login.html",
        status,
        csrf_token=sessions.csrf_token("login", nonce),
        next=local(next_page),
        problem=problem,
        notice=notice,
        lifetime=format_timedelta(sessions.lifetime, locale=language()),
    )
    for name, value in (headers or {}).items():
        page.headers[name] = value
    _set_cookie(page, request, CSRF_COOKIE, cookie, max_age=None)
    return page


def _set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=sessions_of(request).secure(request),
        httponly=True,
        samesite="strict",
    )


def _forget(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name, path="/", secure=sessions_of(request).secure(request), httponly=True,
        samesite="strict",
    )  # fmt: skip


@router.get("/login")
def login_form(
    request: Request,
    next: Annotated[str, Query(max_length=500)] = "",
    logged_out: Annotated[bool, Query()] = False,
) -> Response:
    if sessions_of(request).read(request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(local(next), status_code=303)
    return _login_form(request, next, notice=_("You have logged out.") if logged_out else None)


@router.post("/login")
def login(
    request: Request,
    api_key: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    sessions = sessions_of(request)
    nonce = sessions.nonce_of(request.cookies.get(CSRF_COOKIE))
    if not sessions.csrf_valid("login", nonce, csrf_token):
        return _login_form(request, next, 403, problem=_("The form had expired; log in again."))
    try:
        principal = principal_from_key(request, api_key.strip())
    except TooManyFailedAuthentications as refused:
        return _login_form(request, next, 429, problem=refused.detail, headers=refused.headers)
    except Unauthorized as refused:
        unknown = _("The API key is unknown or revoked.")
        return _login_form(request, next, 401, problem=unknown, headers=refused.headers)
    assert principal.api_key_id is not None
    answer = RedirectResponse(local(next), status_code=303)
    lifetime = int(sessions.lifetime.total_seconds())
    _set_cookie(answer, request, SESSION_COOKIE, sessions.issue(principal.api_key_id), lifetime)
    _forget(answer, request, CSRF_COOKIE)
    return answer


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)]) -> Response:
    sessions = sessions_of(request)
    session = sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is not None and not sessions.csrf_valid("logout", session.nonce, csrf_token):
        expired = _("The form had expired; reload the page and log out again.")
        return error_page(request, Forbidden(expired))
    answer = RedirectResponse("/login?logged_out=true", status_code=303)
    _forget(answer, request, SESSION_COOKIE)
    return answer
