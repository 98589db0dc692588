"""Bahasa Indonesia and English for every word a person reads.

Messages are written in English in the code, marked with ``_()`` (translated now, in the
language of the request or command) or ``N_()`` (only marked, translated later where it is
shown), and translated from gettext catalogs: ``app/locale/<lang>/LC_MESSAGES/messages.po``,
read with Babel. English needs no catalog: its messages are the code's own. Placeholders are
``str.format`` names (``_("Contract {number} is {state}.").format(number=..., state=...)``),
so a translation may put them in its own order.

The language is chosen per request from ``Accept-Language`` (``LanguageMiddleware``), else
the setting ``KREDO_DEFAULT_LANGUAGE`` (``id`` out of the box); the CLI and background work
pick theirs with ``use_language``. Numbers, money and dates come formatted from Babel's
locale data: ``Rp 1.234.567`` and ``23 November 2026`` in Indonesian.

``tools/messages.py`` extracts the marked messages into the catalogs; a test fails when one
lacks its translation.
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import Final, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal
from babel.numbers import format_percent as babel_format_percent
from babel.support import Translations
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Language = Literal["id", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("id", "en")
SOURCE_LANGUAGE: Final[Language] = "en"
LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
DOMAIN: Final = "messages"

_default: Language = "id"
_current: ContextVar[Language | None] = ContextVar("kredo_language", default=None)


def catalog_path(language: Language) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: Language) -> NullTranslations:
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def set_default_language(language: Language) -> None:
    global _default
    _default = language


def language() -> Language:
    """The language of the request or command under way."""
    return _current.get() or _default


@contextmanager
def use_language(chosen: Language) -> Iterator[None]:
    token = _current.set(chosen)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(language()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for the catalogs without translating it (it is translated where shown,
    with ``gettext``)."""
    return message


def negotiate(accept_language: str | None) -> Language | None:
    """The best of our languages for an ``Accept-Language`` header (RFC 9110 quality values),
    or None when it names none of them."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    for _q, _p, tag in sorted(ranked):
        if tag == "*":
            return _default
        try:
            spoken = Locale.parse(tag, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if spoken == "in":  # the withdrawn ISO 639 code for Indonesian, still sent by some
            spoken = "id"
        for ours in LANGUAGES:
            if spoken == ours:
                return ours
    return None


# --- Formatting from Babel's locale data -----------------------------------------------------


def format_number(value: int) -> str:
    """``1.234.567`` in Indonesian, ``1,234,567`` in English."""
    return format_decimal(value, locale=language())


def format_signed(value: float) -> str:
    """A weight of evidence in bits, signed, to the tenth: ``+4,1`` in Indonesian."""
    return format_decimal(round(value, 1), format="+#,##0.0;-#,##0.0", locale=language())


def format_tenths(value: float) -> str:
    """A count that may hold a half, to the tenth only where it has one: ``5``, ``3,5``."""
    return format_decimal(round(value, 1), format="#,##0.#", locale=language())


def format_rupiah(amount: int) -> str:
    """``Rp 1.234.567``: whole rupiah, as Indonesians write an amount (no cents)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_number(abs(amount))}"


def format_compact_rupiah(amount: int) -> str:
    """``Rp 1,2 M`` (miliar), ``Rp 12,5 jt`` (juta): an amount on a chart's axis, as Babel's
    locale data abbreviates it (``Rp 1.2B`` in English)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_compact_decimal(abs(amount), locale=language(), fraction_digits=1)}"


def format_percent(value: Decimal) -> str:
    """A rate already in percent, to the hundredth at most: ``12,5%`` in Indonesian."""
    return babel_format_percent(value / 100, format="#,##0.##%", locale=language())


def format_date(day: date, form: Literal["long", "medium", "short"] = "long") -> str:
    """``23 November 2026`` in Indonesian, ``November 23, 2026`` in English."""
    return babel_format_date(day, format=form, locale=language())


def format_month(day: date) -> str:
    """``November 2026``: a month, as report headings name it."""
    return babel_format_date(day, format="LLLL yyyy", locale=language())


def format_short_month(day: date) -> str:
    """``Nov 26``: a month on a chart's axis."""
    return babel_format_date(day, format="LLL yy", locale=language())


class LanguageMiddleware:
    """Sets the request's language from ``Accept-Language`` and says which one answered
    (``Content-Language``, ``Vary: Accept-Language``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = negotiate(Headers(scope=scope).get("accept-language")) or _default

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Language"] = chosen
                headers.add_vary_header("Accept-Language")
            await send(message)

        with use_language(chosen):
            await self.app(scope, receive, send_with_language)
