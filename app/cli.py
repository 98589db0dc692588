"""``kredo``: the operator's console (migrate, seed demo data, users and keys, OpenAPI).

It speaks the language of the operator's locale (``LC_ALL``, ``LC_MESSAGES`` or ``LANG``:
``id_ID.UTF-8`` Indonesian, ``en_*`` English, anything else ``KREDO_DEFAULT_LANGUAGE``).
"""

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from app.auth.roles import Role
from app.auth.service import create_user, revoke_keys
from app.core.database import Database
from app.core.errors import ProblemError
from app.core.i18n import Language, _, format_date, format_number, use_language
from app.core.migrations import migrate
from app.core.settings import PROJECT_ROOT, get_settings


def locale_language(environ: Mapping[str, str], default: Language) -> Language:
    """The language of the operator's locale: the first of ``LC_ALL``, ``LC_MESSAGES`` and
    ``LANG`` that is set decides, as POSIX has it (``id_ID.UTF-8`` → id, ``en_GB`` → en); a
    locale of neither language, ``C`` or none gives ``default``."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            spoken = value.split(".")[0].split("@")[0].split("_")[0].lower()
            if spoken in ("id", "in"):  # "in": the withdrawn code, still found in old locales
                return "id"
            return "en" if spoken == "en" else default
    return default


def export_openapi(path: Path) -> None:
    from app.main import create_app

    document = create_app().openapi()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kredo",
        description=_("The operator's console: migrate, seed demo data, users and keys, "
                      "imports, close of business, OpenAPI."),
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help=_("apply the database migrations (KREDO_DATABASE_URL)"))
    demo = commands.add_parser("seed-demo", help=_("load the demo data and print one key per role"))
    demo.add_argument(
        "--with-history",
        action="store_true",
        help=_("also a year of applications in every stage and their collection, every "
               "business day closed (run again: only the days since the last run)"),
    )  # fmt: skip
    cob = commands.add_parser(
        "cob",
        help=_("close every business day not yet closed, up to DATE (default: today, Jakarta); "
               "each day commits on its own, so an interrupted catch-up resumes"),
    )  # fmt: skip
    cob.add_argument("date", nargs="?", type=date.fromisoformat, help="YYYY-MM-DD")
    commands.add_parser(
        "expire-purchase-orders",
        help=_("move approved contracts whose Purchase Order lapsed to EXPIRED"),
    )
    user = commands.add_parser("user", help=_("manage users")).add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help=_("create a user; prints his API key and nothing else"))
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--branch", required=True)
    add.add_argument("--dealer")
    add.add_argument("--level", type=int,
                     help=_("authority level in the branch's matrix (approvers)"))  # fmt: skip
    add.add_argument("--limit", type=int, help=_("personal approval cap in rupiah (approvers)"))
    add.add_argument("--full-name")
    add.add_argument("--area", action="append", default=[],
                     help=_("area code covered (repeat)"))  # fmt: skip
    revoke = user.add_parser("revoke", help=_("revoke every key of a user"))
    revoke.add_argument("name")
    for name, what in (("customers", _("legacy customers")), ("negative-list", _("negative list"))):
        group = commands.add_parser(name, help=what).add_subparsers(
            dest="import_command", required=True
        )
        importer = group.add_parser(
            "import",
            help=_("import {what} from CSV, comma or semicolon (progress on stderr, each row's "
                   "outcome as CSV on stdout); a second run updates, never duplicates")
            .format(what=what),
        )  # fmt: skip
        importer.add_argument("file", type=Path)
    slik = commands.add_parser(
        "slik-report",
        help=_("write the month's SLIK debtor report, a file per segment (a correction when "
               "the month was reported before); what blocks it is listed and nothing is written"),
    )  # fmt: skip
    slik.add_argument("--month", required=True, type=_month, help="YYYY-MM")
    slik.add_argument("--output", type=Path, default=Path("slik"), help=_("folder of the files"))
    prescreening = commands.add_parser(
        "prescreening", help=_("the duplicate check's weights")
    ).add_subparsers(dest="prescreening_command", required=True)
    fit = prescreening.add_parser(
        "fit",
        help=_("fit the weights on the customers (u, term frequencies) and the analysts' "
               "reviews (m, by EM) and store them as the next version (progress on stderr)"),
    )  # fmt: skip
    fit.add_argument(
        "--upper", type=float, help=_("Repeat Order at or above this many bits (default: as now)")
    )
    fit.add_argument(
        "--lower",
        type=float,
        help=_("Possible Repeat Order at or above this many bits (default: as now)"),
    )
    fit.add_argument(
        "--policy",
        choices=["weights", "three_of_five"],
        help=_("decide by the weights, or keep the seed's three-of-five rule"),
    )
    fit.add_argument("--by", default=None, help=_("who fits (default: the operator's login)"))
    prescreening.add_parser(
        "rekey",
        help=_("write again the blocking keys of every known person, batch by batch (after an "
               "upgrade that adds a kind of key; progress on stderr)"),
    )  # fmt: skip
    payments = commands.add_parser("payments", help=_("money in")).add_subparsers(
        dest="payments_command", required=True
    )
    settlement = payments.add_parser(
        "import",
        help=_("post a bank's or payment point's settlement file, as POST /v1/payment-files "
               "does (each bank reference once; the rest to suspense)"),
    )  # fmt: skip
    settlement.add_argument("file", type=Path)
    settlement.add_argument("--channel", required=True,
                            help=_("the file's layout: bank_va, convenience_store"))  # fmt: skip
    settlement.add_argument("--user", required=True,
                            help=_("the finance user the payments are received by"))  # fmt: skip
    commands.add_parser(
        "worker",
        help=_("send what the outboxes hold (the day's reminders, webhook deliveries) until "
               "SIGTERM; several on PostgreSQL, one at a time on SQLite"),
    )  # fmt: skip
    openapi = commands.add_parser("openapi", help=_("write the OpenAPI document"))
    openapi.add_argument("--output", type=Path, default=PROJECT_ROOT / "openapi" / "openapi.json")
    return parser


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    with use_language(locale_language(os.environ, settings.default_language)):
        args = _parser().parse_args(argv)
        try:
            return _run(args, settings.database_url)
        except (DBAPIError, ArgumentError, NoSuchModuleError) as exc:
            print(_database_problem(exc, settings.database_url), file=sys.stderr)
            return 1


def _database_problem(exc: Exception, url: str) -> str:
    """One line for an operator: which database, and what its driver said first."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = url.split("://")[0]
    said = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip()
    reason = said.splitlines()[0] if said else type(exc).__name__
    if isinstance(exc, DBAPIError) and exc.statement is None:  # failed before any statement
        return _("kredo: cannot reach the database {url}: {reason}").format(
            url=shown, reason=reason
        )
    return _("kredo: database {url}: {reason}").format(url=shown, reason=reason)


def _run(args: argparse.Namespace, url: str) -> int:
    if args.command == "migrate":
        migrate(url)
        return 0
    if args.command == "openapi":
        export_openapi(args.output)
        print(_("wrote {path}").format(path=args.output), file=sys.stderr)
        return 0
    if args.command == "worker":
        return _worker(url)
    database = Database(url)
    if args.command in ("customers", "negative-list"):
        try:
            return _import(database, args.command, args.file)
        finally:
            database.dispose()
    try:
        if args.command == "cob":
            return _close_of_business(database, args.date)
        if args.command == "slik-report":
            return _slik_report(database, args.month, args.output)
        if args.command == "prescreening" and args.prescreening_command == "rekey":
            return _rekey(database)
        if args.command == "prescreening":
            return _fit_weights(database, args)
        if args.command == "payments":
            return _payment_file(database, args.file, args.channel, args.user)
        with database.transaction() as session:
            if args.command == "seed-demo":
                from app.demo import seed_demo

                shown: set[Role] = set()
                others = []
                for demo, key in seed_demo(session):
                    if demo.role in shown:
                        others.append(demo.username)
                        continue
                    shown.add(demo.role)
                    print(f"{demo.role.value:<17} {demo.username:<20} {key}")
                print(_("more demo users (key: kredo_demo_<username>): {names}")
                      .format(names=", ".join(others)), file=sys.stderr)  # fmt: skip
            elif args.command == "expire-purchase-orders":
                from app.approval.service import expire_purchase_orders
                from app.core.clock import today_jakarta

                expired = expire_purchase_orders(session, today_jakarta())
                print(_("expired {count} contract(s): {numbers}")
                      .format(count=len(expired), numbers=", ".join(expired) or "-"))  # fmt: skip
            elif args.user_command == "add":
                _user, key = create_user(
                    session,
                    username=args.name,
                    full_name=args.full_name or args.name,
                    role=Role(args.role),
                    branch_code=args.branch,
                    dealer_code=args.dealer,
                    approval_limit=args.limit,
                    authority_level=args.level,
                    area_codes=args.area,
                )
                print(key)
            else:
                count = revoke_keys(session, args.name)
                print(_("revoked {count} key(s) of {name}").format(count=count, name=args.name),
                      file=sys.stderr)  # fmt: skip
        if args.command == "seed-demo" and args.with_history:
            return _history(database)
    except ProblemError as exc:
        print(f"kredo: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("{text} is not a month (YYYY-MM)").format(text=text)
        ) from exc
    return year, month


def _slik_report(database: Database, month: tuple[int, int], output: Path) -> int:
    from app.slik.service import ReportBlocked, produce

    try:
        with database.transaction() as session:
            report = produce(session, *month)
    except ReportBlocked as exc:
        print(f"kredo: {exc.detail}", file=sys.stderr)
        for problem in exc.extensions["problems"]:
            print("{segment} {line} {key}: {field} ({rule}) {value!r}".format(**problem),
                  file=sys.stderr)  # fmt: skip
        return 1
    output.mkdir(parents=True, exist_ok=True)
    for segment in report.files:
        (output / segment.name).write_text(segment.content, encoding="utf-8")
        print(f"{output / segment.name}\t{segment.rows}")
    said = (
        _("correction for {month}: {rows} rows validated ({guideline})")
        if report.kind == "correction"
        else _("report for {month}: {rows} rows validated ({guideline})")
    )
    print(said.format(month=report.month, rows=report.rows_validated,
                      guideline=report.guideline_version), file=sys.stderr)  # fmt: skip
    return 0


def _history(database: Database) -> int:
    from app.demo_history import ClosedWithoutHistory, seed_history

    bar: dict[str, Callable[..., None]] = {}

    def progress(done: int, total: int) -> None:
        if not bar:
            bar["advance"], bar["finish"] = _progress(total, sys.stderr, _("days"))
        bar["advance"](done)

    try:
        story = seed_history(database, progress)
    except ClosedWithoutHistory as exc:
        print(_("kredo: business days are closed in this database since {day} without the "
                "demo history: play it into a new database").format(day=format_date(
                    exc.first_closed)), file=sys.stderr)  # fmt: skip
        return 1
    if bar:
        bar["finish"]()
    print(_("history: {contracts} applications, {payments} payments, {days} days closed "
            "in {seconds} s").format(contracts=format_number(story.contracts),
                                     payments=format_number(story.payments),
                                     days=format_number(story.days_closed),
                                     seconds=format_number(round(story.seconds))),
          file=sys.stderr)  # fmt: skip
    return 0


def _close_of_business(database: Database, until: date | None) -> int:
    from app.collection.cob import close_through
    from app.core.clock import today_jakarta

    with database.sessions() as session:
        for day in close_through(session, until or today_jakarta(), commit_each_day=True):
            print(
                _("{day}: {contracts} contracts, {written_off} written off, {listed} listed "
                  "past 60 days").format(
                    day=day.business_date,
                    contracts=format_number(day.contracts),
                    written_off=format_number(day.written_off),
                    listed=format_number(day.listed_overdue_60),
                )
            )  # fmt: skip
    return 0


def _rekey(database: Database) -> int:
    from app.prescreening.service import rekey

    bar: list[tuple[Callable[[int], None], Callable[[], None]]] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(_progress(total, sys.stderr))
        bar[0][0](done)

    with database.sessions() as session:
        keyed = rekey(session, progress=progress)
    if bar:
        bar[0][1]()
    print(_("keyed {count} known people").format(count=format_number(keyed)))
    return 0


def _fit_weights(database: Database, args: argparse.Namespace) -> int:
    """Fit and store the next version of the duplicate check's weights."""
    import getpass
    from dataclasses import replace

    from app.prescreening.evidence import Policy
    from app.prescreening.fit import fit, store
    from app.prescreening.service import current_model

    bar: list[tuple[Callable[[int], None], Callable[[], None]]] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(_progress(total, sys.stderr))
        bar[0][0](done)

    with database.transaction() as session:
        current = current_model(session)
        changes: dict[str, object] = {}
        if args.upper is not None:
            changes["upper"] = args.upper
        if args.lower is not None:
            changes["lower"] = args.lower
        if args.policy is not None:
            changes["policy"] = Policy(args.policy)
        current = replace(current, **changes)  # type: ignore[arg-type]
        if current.lower > current.upper:
            print(_("kredo: the lower threshold is above the upper one"), file=sys.stderr)
            return 1
        try:
            fitted = fit(session, current, progress=progress)
        except ValueError:
            print(_("kredo: no customers to fit the weights on"), file=sys.stderr)
            return 1
        if bar:
            bar[0][1]()
        row = store(session, fitted, args.by or getpass.getuser())
    print(
        _("weights version {version}: {customers} customers, {pairs} candidate pairs "
          "({share}% matches by EM), {reviews} reviews; Repeat Order from {upper} bits, "
          "review from {lower}").format(
            version=row.version,
            customers=format_number(fitted.customers),
            pairs=format_number(fitted.pairs),
            share=format_number(round(fitted.match_share * 100)),
            reviews=format_number(fitted.reviews),
            upper=fitted.model.upper,
            lower=fitted.model.lower,
        )
    )  # fmt: skip
    return 0


def _worker(url: str) -> int:
    from app.core.logging import configure_logging
    from app.worker import is_sqlite, run, sqlite_lock

    configure_logging(get_settings().log_level)
    held = sqlite_lock(url) if is_sqlite(url) else None
    if is_sqlite(url) and held is None:
        print(_("kredo: a worker already runs on this SQLite database"), file=sys.stderr)
        return 1
    database = Database(url)
    print(_("worker started; SIGTERM stops it"), file=sys.stderr, flush=True)
    try:
        run(database)
    finally:
        database.dispose()
        if held is not None:
            held.close()
    print(_("worker stopped"), file=sys.stderr)
    return 0


def _payment_file(database: Database, path: Path, channel: str, username: str) -> int:
    from app.auth.roles import Permission, allowed
    from app.auth.service import principal_of
    from app.payment_files.router import file_out
    from app.payment_files.service import import_file

    if not path.is_file():
        print(_("kredo: no file {path}").format(path=path), file=sys.stderr)
        return 1
    with database.transaction() as session:
        principal = principal_of(session, username)
        if principal is None or not allowed(principal.role, Permission.PAYMENT_FILE):
            print(_("kredo: {name} is no active finance user").format(name=username),
                  file=sys.stderr)  # fmt: skip
            return 1
        text = path.read_text(encoding="utf-8-sig")
        started = time.monotonic()
        upload = import_file(session, principal, channel, text, path.name)
        out = file_out(session, upload)
    seconds = time.monotonic() - started
    print(json.dumps(out.model_dump(mode="json"), indent=2, ensure_ascii=False))
    print(
        _("file {id}: {lines} lines, {posted} posted, {suspense} in suspense, {duplicates} "
          "duplicates ({seconds} s)").format(
            id=out.id,
            lines=format_number(out.lines.lines),
            posted=format_number(out.posted.lines),
            suspense=format_number(out.suspense.lines),
            duplicates=format_number(out.duplicates.lines),
            seconds=f"{seconds:.1f}",
        ),
        file=sys.stderr,
    )  # fmt: skip
    return 0


PLAIN_PROGRESS_SECONDS = 5.0


class PlainProgress:
    """Progress for a log file, a pipe or cron: a line every few seconds, and one at the end."""

    def __init__(self, total: int, out: TextIO, unit: str | None = None) -> None:
        self.total, self.out = total, out
        self.unit = unit or _("rows")
        self.started = self.last = time.monotonic()
        self.done = 0

    def advance(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.last >= PLAIN_PROGRESS_SECONDS and done < self.total:
            self.last = now
            self.line()

    def line(self) -> None:
        done, total = self.done, self.total
        rate = done / max(time.monotonic() - self.started, 1e-9)
        text = _("{done} / {total} {unit} ({share}%), {rate} {unit}/s").format(
            unit=self.unit,
            done=format_number(done),
            total=format_number(total),
            share=done * 100 // total if total else 100,
            rate=format_number(round(rate)),
        )
        if done < total and rate > 0:
            left = round((total - done) / rate)
            text += ", " + _("about {seconds} s left").format(seconds=format_number(left))
        print(text, file=self.out, flush=True)


def _progress(
    total: int, out: TextIO, unit: str | None = None
) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A progress bar with its rate and time left on a terminal (tqdm), plain lines elsewhere:
    (advance to a count of ``unit`` — rows unless named —, finish)."""
    unit = unit or _("rows")
    if not out.isatty():
        plain = PlainProgress(total, out, unit)
        return plain.advance, plain.line
    from tqdm import tqdm

    bar = tqdm(total=total, file=out, unit=" " + unit, mininterval=0.2, dynamic_ncols=True)

    def advance(done: int) -> None:
        bar.update(done - bar.n)

    return advance, bar.close


def _import(database: Database, command: str, path: Path) -> int:
    """Import a CSV file in batches: progress on stderr, each row's outcome on stdout."""
    from app.prescreening.imports import RowResult, import_csv

    if not path.is_file():
        print(_("kredo: no file {path}").format(path=path), file=sys.stderr)
        return 1
    with path.open(encoding="utf-8-sig") as counting:
        total = max(sum(1 for _line in counting) - 1, 0)
    report_csv = csv.writer(sys.stdout, lineterminator="\n")
    report_csv.writerow(["row", "outcome", "field", "rule", "value", "message"])

    def report(result: RowResult) -> None:
        if result.outcome == "updated":
            changed = ", ".join(result.changed)
            message = _("Changed: {fields}.").format(fields=changed)
            report_csv.writerow([result.row, result.outcome, "", "", "", message])
        for error in result.errors:
            report_csv.writerow([error.row, result.outcome, error.field, error.rule,
                                 error.value or "", error.message])  # fmt: skip
        if result.outcome in ("created", "unchanged"):
            report_csv.writerow([result.row, result.outcome, "", "", "", ""])

    advance, finish = _progress(total, sys.stderr)
    kind = "customers" if command == "customers" else "negative"
    with database.sessions() as session, path.open(encoding="utf-8-sig", newline="") as lines:
        summary = import_csv(session, lines, kind, commit_every=1000, commit=session.commit,
                             progress=advance, on_row=report)  # fmt: skip
        session.commit()
    finish()
    if summary.rows == 0 and summary.errors:  # the header itself was refused
        for error in summary.errors:
            report_csv.writerow([error.row, "refused", error.field, error.rule,
                                 error.value or "", error.message])  # fmt: skip
    print(
        _("{rows} rows: {created} created, {updated} updated, {unchanged} unchanged, "
          "{refused} refused").format(
            rows=format_number(summary.rows),
            created=format_number(summary.created),
            updated=format_number(summary.updated),
            unchanged=format_number(summary.unchanged),
            refused=format_number(summary.rejected),
        ),
        file=sys.stderr,
    )  # fmt: skip
    return 0 if not summary.errors else 2


if __name__ == "__main__":
    sys.exit(main())
