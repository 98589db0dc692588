"""The message catalogs: extract every marked message from ``app/`` and bring the catalogs
up to date, keeping the translations made (``python -m tools.messages``).

New messages arrive untranslated; removed ones are dropped. ``--check`` changes nothing and
exits 1 when a catalog is not up to date or a message lacks its translation (what the test
suite checks too).
"""

import argparse
import io
import sys
from collections.abc import Iterable
from pathlib import Path
from string import Formatter

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.core.i18n import LANGUAGES, SOURCE_LANGUAGE, Language, catalog_path

APP = Path(__file__).resolve().parents[1] / "app"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {**DEFAULT_KEYWORDS}


def extracted() -> Catalog:
    """Every marked message in the code and the templates."""
    template = Catalog(project="Kredo", domain="messages")
    for filename, lineno, message, comments, context in extract_from_dir(
        APP, METHODS, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(
            message,
            locations=[(f"app/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def updated(language: Language, template: Catalog) -> Catalog:
    path = catalog_path(language)
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
    else:
        catalog = Catalog(locale=language, project="Kredo", domain="messages")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False  # the header: translated by the team, not guessed
    return catalog


def problems(language: Language, catalog: Catalog) -> Iterable[str]:
    """Messages without a translation, or whose translation lost or invented a placeholder."""
    for message in catalog:
        if not message.id:
            continue
        ids = [str(i) for i in (message.id if isinstance(message.id, tuple) else (message.id,))]
        raw = message.string if isinstance(message.string, tuple) else (message.string,)
        strings = [str(s or "") for s in raw]
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:1])
        if message.fuzzy or not all(strings):
            yield f"{language}: no translation for {ids[0]!r} ({where})"
        elif _fields(ids[0]) != set().union(*(_fields(s) for s in strings)):
            yield f"{language}: placeholders differ in {ids[0]!r} ({where})"


def _fields(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in Formatter().parse(text) if name}
    except ValueError:
        return set()


def _as_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False, ignore_obsolete=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    template = extracted()
    failed = False
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        catalog = updated(language, template)
        path = catalog_path(language)
        text = _as_text(catalog)
        current = path.read_bytes() if path.exists() else b""
        if args.check:
            if _body(text) != _body(current):
                print(f"{path}: not up to date; run python -m tools.messages", file=sys.stderr)
                failed = True
        elif text != current:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
            print(f"{path}: updated")
        for problem in problems(language, catalog):
            print(problem, file=sys.stderr)
            failed = True
    return 1 if failed else 0


def _body(text: bytes) -> bytes:
    """The catalog without its header dates, which change on every write."""
    return b"\n".join(
        line for line in text.splitlines() if not line.startswith((b'"POT-', b'"PO-Rev'))
    )


if __name__ == "__main__":
    raise SystemExit(main())
