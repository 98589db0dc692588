"""``kredo``: the operator's console (migrate, seed demo data, users and keys, OpenAPI)."""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from app.auth.roles import Role
from app.auth.service import create_user, revoke_keys
from app.core.database import Database
from app.core.errors import ProblemError
from app.core.migrations import migrate
from app.core.settings import PROJECT_ROOT, get_settings


def export_openapi(path: Path) -> None:
    from app.main import create_app

    document = create_app().openapi()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kredo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations (KREDO_DATABASE_URL)")
    commands.add_parser("seed-demo", help="load the demo data and print one key per role")
    cob = commands.add_parser(
        "cob",
        help="close every business day not yet closed, up to DATE (default: today, Jakarta); "
        "each day commits on its own, so an interrupted catch-up resumes",
    )
    cob.add_argument("date", nargs="?", type=date.fromisoformat, help="YYYY-MM-DD")
    commands.add_parser(
        "expire-purchase-orders",
        help="move approved contracts whose Purchase Order lapsed to EXPIRED",
    )
    user = commands.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="create a user; prints his API key and nothing else")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--branch", required=True)
    add.add_argument("--dealer")
    add.add_argument("--level", type=int, help="authority level in the branch's matrix (approvers)")
    add.add_argument("--limit", type=int, help="personal approval cap in rupiah (approvers)")
    add.add_argument("--full-name")
    add.add_argument("--area", action="append", default=[], help="area code covered (repeat)")
    revoke = user.add_parser("revoke", help="revoke every key of a user")
    revoke.add_argument("name")
    for name, what in (("customers", "legacy customers"), ("negative-list", "negative list")):
        group = commands.add_parser(name, help=f"{what}").add_subparsers(
            dest="import_command", required=True
        )
        importer = group.add_parser("import", help=f"import {what} from CSV (progress on "
                                    "stderr, rejected rows as CSV on stdout)")  # fmt: skip
        importer.add_argument("file", type=Path)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, default=PROJECT_ROOT / "openapi" / "openapi.json")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    if args.command == "migrate":
        migrate(settings.database_url)
        return 0
    if args.command == "openapi":
        export_openapi(args.output)
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    database = Database(settings.database_url)
    if args.command in ("customers", "negative-list"):
        try:
            return _import(database, args.command, args.file)
        finally:
            database.dispose()
    try:
        if args.command == "cob":
            return _close_of_business(database, args.date)
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
                print(f"more demo users (key: kredo_demo_<username>): {', '.join(others)}",
                      file=sys.stderr)  # fmt: skip
            elif args.command == "expire-purchase-orders":
                from app.approval.service import expire_purchase_orders
                from app.core.clock import today_jakarta

                expired = expire_purchase_orders(session, today_jakarta())
                print(f"expired {len(expired)} contract(s): {', '.join(expired) or '-'}")
            elif args.user_command == "add":
                _, key = create_user(
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
                print(f"revoked {count} key(s) of {args.name}", file=sys.stderr)
    except ProblemError as exc:
        print(f"kredo: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


def _close_of_business(database: Database, until: date | None) -> int:
    from app.collection.cob import close_through
    from app.core.clock import today_jakarta

    with database.sessions() as session:
        for day in close_through(session, until or today_jakarta(), commit_each_day=True):
            print(
                f"{day.business_date}: {day.contracts:,} contracts, {day.written_off} written "
                f"off, {day.listed_overdue_60} listed past 60 days"
            )
    return 0


def _import(database: Database, command: str, path: Path) -> int:
    """Import a CSV file in batches, with a progress line and a per-row error report."""
    from app.prescreening.imports import import_csv

    if not path.is_file():
        print(f"kredo: no file {path}", file=sys.stderr)
        return 1
    with path.open(encoding="utf-8-sig") as counting:
        total = max(sum(1 for _ in counting) - 1, 0)

    def progress(done: int) -> None:
        if done % 1000 == 0 or done == total:
            share = done * 100 // total if total else 100
            print(f"\r{done:>10,} / {total:,} rows ({share}%)", end="", file=sys.stderr)

    kind = "customers" if command == "customers" else "negative"
    with database.sessions() as session, path.open(encoding="utf-8-sig", newline="") as lines:
        report = import_csv(session, lines, kind, commit_every=1000, commit=session.commit,
                            progress=progress)  # fmt: skip
        session.commit()
    print(file=sys.stderr)
    if report.errors:
        print("row,field,rule,message")
        for error in report.errors:
            message = error.message.replace('"', "'")
            print(f'{error.row},{error.field},{error.rule},"{message}"')
    print(f"imported {report.imported:,} of {report.rows:,} rows; {report.rejected:,} rejected",
          file=sys.stderr)  # fmt: skip
    return 0 if not report.errors else 2


if __name__ == "__main__":
    sys.exit(main())
