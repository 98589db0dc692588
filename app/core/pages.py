"""HTML pages for browsers: one Jinja environment whose templates are marked for translation
(``{{ _("...") }}``, translated with the catalogs of ``app.core.i18n``), the pages' strict
Content-Security-Policy, and errors as a page rather than problem+json for a browser.

A page loads nothing, not even from this server, and runs no script: its style is inline and
its forms post to this server alone.
"""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from app.core.errors import ProblemError, Unauthorized, field_errors, invalid
from app.core.i18n import (
    format_compact_rupiah,
    format_month,
    format_number,
    format_percent,
    format_rupiah,
    format_short_month,
    gettext,
    language,
    ngettext,
)

POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
LOGIN = "/login"
# Where a browser lands after logging in when no page sent it to the login form.
HOME = "/reports/portfolio"

# Each keeps its pages' templates; they share the layout of app/core/templates.
PACKAGES_WITH_PAGES = ("app.core", "app.auth", "app.collection")
TEMPLATES = Environment(
    loader=ChoiceLoader([PackageLoader(package, "templates") for package in PACKAGES_WITH_PAGES]),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# Old-style gettext: ``_()`` returns the translation itself, and placeholders are filled with
# ``.format()`` as everywhere else in the code (new-style would %-format every message).
TEMPLATES.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
TEMPLATES.globals.update(
    format_number=format_number,
    format_rupiah=format_rupiah,
    format_compact_rupiah=format_compact_rupiah,
    format_percent=format_percent,
    format_month=format_month,
    format_short_month=format_short_month,
)


def accepts_html(request: Request) -> bool:
    """Whether the client asked for HTML (a browser's ``Accept`` names ``text/html``)."""
    for item in request.headers.get("accept", "").split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        if kind.lower() != "text/html":
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the pages' policy."""
    page = TEMPLATES.get_template(template).render(
        lang=language(), viewer=getattr(request.state, "viewer", None), **context
    )
    return HTMLResponse(page, status_code, headers={"Content-Security-Policy": POLICY})


def local(target: str | None) -> str:
    """``target`` if it is a path on this server (not ``//elsewhere`` or ``https://...``),
    else the home page: where a login may send a browser on."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else HOME


def to_login(request: Request) -> RedirectResponse:
    """303 to the login form, which sends the browser back here after logging in."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN}?next={quote(back, safe='/')}", status_code=303)


def error_page(request: Request, error: ProblemError) -> HTMLResponse:
    page = render(
        request,
        "error.html",
        error.status,
        status=error.status,
        title=gettext(error.title),
        detail=error.detail,
        errors=error.errors or [],
        home=HOME,
    )
    for name, value in (error.headers or {}).items():
        if name.lower() != "www-authenticate":
            page.headers[name] = value
    return page


class HtmlRoute(APIRoute):
    """A route answering a browser's errors with a page: 401 sends it to the login form;
    403, 409, 422 and the others are an error page in its language. Clients that do not ask
    for HTML get problem+json, as from the API."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_for_browsers(request: Request) -> Response:
            try:
                return await handle(request)
            except (ProblemError, RequestValidationError) as raised:
                if not accepts_html(request):
                    raise
                if isinstance(raised, RequestValidationError):
                    return error_page(request, invalid(field_errors(list(raised.errors()))))
                if isinstance(raised, Unauthorized):
                    return to_login(request)
                return error_page(request, raised)

        return handle_for_browsers
