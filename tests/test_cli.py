"""The operator's console, run as a real process against the test database."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.collection.models import CloseOfBusiness
from app.core.clock import today_jakarta
from app.core.i18n import use_language
from app.core.settings import Settings
from app.demo import USERS
from app.main import ProductionWithDemoUsers, create_app
from tests.conftest import ADMIN, ANALYST, force_state, submit
from tests.test_collection import active_contract


def kredo(
    database_url: str, *args: str, lang: str = "en_US.UTF-8"
) -> subprocess.CompletedProcess[str]:
    """``kredo`` in a process of its own, in an English locale unless told otherwise."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")},
        "KREDO_DATABASE_URL": database_url,
        "LANG": lang,
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True
    )


def test_user_add_prints_only_the_key_and_the_key_works(client: TestClient, database_url):
    result = kredo(
        database_url,
        "user",
        "add",
        "approver.bdg",
        "--role",
        "approver",
        "--branch",
        "BDG01",
        "--limit",
        "250000000",
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert result.stdout == key + "\n"
    assert key.startswith("kredo_")
    assert len(key) > 40
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert (me["role"], me["branch_code"], me["approval_limit"]) == (
        "approver",
        "BDG01",
        250_000_000,
    )

    revoked = kredo(database_url, "user", "revoke", "approver.bdg")
    assert revoked.returncode == 0
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_user_add_refuses_bad_input_with_a_message(client: TestClient, database_url):
    result = kredo(database_url, "user", "add", "x.dealer", "--role", "dealer", "--branch", "JKT01")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "needs a dealer" in result.stderr


def test_user_revoke_keeps_the_last_admin_key(client: TestClient, database_url):
    result = kredo(database_url, "user", "revoke", "admin.sari")
    assert result.returncode == 1
    assert "last working key of an admin" in result.stderr
    admin = {"Authorization": "Bearer kredo_demo_admin.sari"}
    assert client.get("/v1/me", headers=admin).status_code == 200


def test_seed_demo_twice_creates_nothing_twice(client: TestClient, database_url):
    first = kredo(database_url, "seed-demo")
    second = kredo(database_url, "seed-demo")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert len(first.stdout.splitlines()) == 11
    users = client.get("/v1/users", headers={"Authorization": "Bearer kredo_demo_admin.sari"})
    assert len(users.json()["items"]) == len(USERS)
    assert "surveyor.gilang" in first.stderr


SECRET = "production-session-secret-of-32-chars"


def test_production_refuses_to_start_while_demo_users_exist(client: TestClient, database_url):
    app = create_app(
        Settings(
            database_url=database_url, env="production", log_level="WARNING", session_secret=SECRET
        )
    )
    with pytest.raises(ProductionWithDemoUsers), TestClient(app):
        pass


def test_production_starts_once_demo_users_are_deactivated(client: TestClient, database):
    from sqlalchemy import update

    from app.auth.models import User

    with database.transaction() as session:
        session.execute(update(User).where(User.is_demo).values(active=False))
    app = create_app(
        Settings(
            database_url=database.url, env="production", log_level="WARNING", session_secret=SECRET
        )
    )
    with TestClient(app) as production:
        assert production.get("/healthz").status_code == 200


def test_customers_import_keeps_good_rows_and_lists_bad_ones(
    client: TestClient, database_url, tmp_path
):
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(
        "full_name,nik,birth_date,birth_place,mother_maiden_name\n"
        "Siti Rahmawati,3171015708900001,1990-08-17,Jakarta,Aminah\n"
        "Joko Susilo,3171011708,1980-01-01,Solo,Sri\n"
        ",3171011708800002,1980-08-17,Solo,Sri\n"
        "Budi Santoso,3171011708800002,1980-08-17,Surakarta,Wati\n"
        "Tanpa Tanggal,,17-08-1980,,\n"
    )
    result = kredo(database_url, "customers", "import", str(legacy))
    assert result.returncode == 2
    assert "5 / 5 rows (100%)" in result.stderr
    assert "5 rows: 2 created, 0 updated, 0 unchanged, 3 refused" in result.stderr
    assert result.stdout.splitlines() == [
        "row,outcome,field,rule,value,message",
        "2,created,,,,",
        "3,refused,nik,nik_length,3171011708,A NIK has 16 digits.",
        "4,refused,full_name,required,,A name is required.",
        "5,created,,,,",
        "6,refused,birth_date,date,17-08-1980,Use YYYY-MM-DD.",
    ]
    # The imported customer is found by the next pre-screening's blocking keys.
    from app.core.database import Database
    from app.prescreening.matching import Identity
    from app.prescreening.service import match_customers

    db = Database(database_url)
    with db.sessions() as session:
        found = match_customers(
            session, Identity("Siti Rahmawaty", None, "Jakarta", "Aminah", "3171015708900001")
        )
        assert found[0][1].same_person
    db.dispose()


def test_cob_closes_day_by_day_and_resumes(client: TestClient, database, database_url):
    """`kredo cob [DATE]` exists (it was dispatched but never registered), refuses a mistyped
    date with the rule, and closes the missing days one transaction each."""
    first = today_jakarta() - timedelta(days=5)
    active_contract(client, database, first)
    typo = kredo(database_url, "cob", "0001-01-01")
    assert typo.returncode == 1
    assert "first close of business" in typo.stderr
    assert kredo(database_url, "cob", first.isoformat()).returncode == 0
    done = kredo(database_url, "cob")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 5
    with database.sessions() as session:
        closed = session.scalars(select(CloseOfBusiness.business_date)).all()
    assert sorted(closed) == [first + timedelta(days=n) for n in range(6)]


def _customers(database) -> list[tuple[str | None, str, str | None, str]]:
    from app.prescreening.models import Customer

    with database.sessions() as session:
        rows = session.execute(
            select(Customer.nik, Customer.full_name, Customer.birth_place, Customer.source)
        ).all()
    return sorted((tuple(r) for r in rows), key=str)


LEGACY = (
    "full_name,nik,birth_date,birth_place,mother_maiden_name\n"
    "Siti Rahmawati,3171015708900001,1990-08-17,Jakarta,Aminah\n"
    "Budi Santoso,3171011708800002,1980-08-17,Surakarta,Wati\n"
    "Tanpa NIK,,1975-01-02,Bogor,Sri\n"
)


def test_importing_a_file_again_updates_or_leaves_each_row_never_duplicates(
    client: TestClient, database, database_url, tmp_path
):
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(LEGACY)
    first = kredo(database_url, "customers", "import", str(legacy))
    assert first.returncode == 0, first.stderr
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 refused" in first.stderr
    before = _customers(database)
    assert len(before) == 3

    again = kredo(database_url, "customers", "import", str(legacy))
    assert again.returncode == 0, again.stderr
    assert "3 rows: 0 created, 0 updated, 3 unchanged, 0 refused" in again.stderr
    assert again.stdout.splitlines()[1:] == [f"{n},unchanged,,,," for n in (2, 3, 4)]
    assert _customers(database) == before

    # A corrected file: Budi's birthplace is fixed (same NIK: updated, found by it afterwards).
    legacy.write_text(LEGACY.replace("Surakarta", "Solo"))
    corrected = kredo(database_url, "customers", "import", str(legacy))
    assert "3 rows: 0 created, 1 updated, 2 unchanged, 0 refused" in corrected.stderr
    assert "3,updated,,,,Changed: birth_place." in corrected.stdout.splitlines()
    after = _customers(database)
    assert len(after) == 3
    assert ("3171011708800002", "Budi Santoso", "Solo", "import") in after
    from app.prescreening.matching import Identity
    from app.prescreening.service import match_customers

    with database.sessions() as session:
        born = date(1980, 8, 17)
        found = match_customers(session, Identity("Budi Santoso", born, "Solo", "Wati", None))
        assert [(c.birth_place, m.same_person) for c, m in found] == [("Solo", True)]


def test_an_import_never_overwrites_a_customer_known_from_an_application(
    client: TestClient, database, database_url, tmp_path
):
    number = submit(client, applicant={"marital_status": "single", "spouse": None})
    force_state(database, number, "SURVEYED")
    assert client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST).status_code == 200
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(
        "full_name,nik,birth_date,birth_place,mother_maiden_name\n"
        "Siti Rahmawati,3171015708900001,1990-08-17,Jakarta,Aminah\n"
        "Siti Rahmawati,3171015708900001,1990-08-17,Bandung,Aminah\n"
    )
    result = kredo(database_url, "customers", "import", str(legacy))
    assert result.returncode == 2
    assert result.stdout.splitlines()[1:] == [
        "2,unchanged,,,,",
        "3,refused,row,known_elsewhere,,3171015708900001 is already known from an application "
        "with other details; that record is kept.",
    ]
    assert _customers(database) == [
        ("3171015708900001", "Siti Rahmawati", "Jakarta", "application")
    ]


def test_the_negative_list_file_again_creates_nothing_twice(
    client: TestClient, database_url, tmp_path
):
    listed = tmp_path / "blacklist.csv"
    listed.write_text(
        "subject,category,full_name,nik,birth_date,chassis_number,reason\n"
        "person,fraud,Bambang Hermawan,3171011708750003,1975-08-17,,KTP palsu\n"
        "vehicle,repossessed,,,,MH1JM8117PK999999,Ditarik\n"
        "person,overdue_60,Bambang Hermawan,3171011708750003,1975-08-17,,Macet\n"
    )
    assert kredo(database_url, "negative-list", "import", str(listed)).returncode == 0
    again = kredo(database_url, "negative-list", "import", str(listed))
    assert "3 rows: 0 created, 0 updated, 3 unchanged, 0 refused" in again.stderr
    listed.write_text(listed.read_text().replace("Ditarik", "Ditarik paksa"))
    fixed = kredo(database_url, "negative-list", "import", str(listed))
    assert "3,updated,,,,Changed: reason." in fixed.stdout.splitlines()
    items = client.get("/v1/negative-list", headers=ADMIN).json()["items"]
    assert sorted((i["category"], i["reason"]) for i in items) == [
        ("fraud", "KTP palsu"), ("overdue_60", "Macet"), ("repossessed", "Ditarik paksa"),
    ]  # fmt: skip


def test_a_semicolon_file_as_excel_writes_it_in_an_indonesian_locale(
    client: TestClient, database, database_url, tmp_path
):
    legacy = tmp_path / "excel.csv"
    legacy.write_bytes(
        "\ufefffull_name;nik;birth_date;birth_place;mother_maiden_name\r\n"
        "Siti Rahmawati;3171015708900001;1990-08-17;Jakarta;Aminah\r\n"
        '"Hendra; S.E.";3171011708800002;1980-08-17;Surakarta;Wati\r\n'.encode()
    )
    result = kredo(database_url, "customers", "import", str(legacy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 rows: 2 created" in result.stderr
    assert [name for _, name, _, _ in _customers(database)] == ["Hendra; S.E.", "Siti Rahmawati"]


def test_an_unknown_column_is_shown_with_its_name(client: TestClient, database_url, tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("full_name;nama_ibu\nSiti;Aminah\n")
    result = kredo(database_url, "customers", "import", str(legacy))
    assert result.returncode == 2
    assert result.stdout.splitlines()[1] == (
        "1,refused,nama_ibu,unknown_column,nama_ibu,"
        "Expected columns: full_name;nik;birth_date;birth_place;mother_maiden_name."
    )


def test_progress_is_plain_lines_when_no_terminal_is_attached(
    client: TestClient, database_url, tmp_path, monkeypatch
):
    """Piped (cron, a log file): no carriage returns nor bar, a line every few seconds and a
    last one with the rate. On a terminal tqdm draws the bar (not run here: no terminal)."""
    import io

    from app import cli

    legacy = tmp_path / "legacy.csv"
    legacy.write_text(LEGACY)
    result = kredo(database_url, "customers", "import", str(legacy))
    assert "\r" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("3 / 3 rows (100%), ")
    assert result.stderr.splitlines()[0].endswith(" rows/s")
    # Periodic lines: one each PLAIN_PROGRESS_SECONDS (a clock moved one second a row).
    clock = [0.0]
    monkeypatch.setattr("app.cli.time.monotonic", lambda: clock[0])
    out = io.StringIO()
    with use_language("en"):
        plain = cli.PlainProgress(12, out)
        for done in range(1, 13):
            clock[0] += 1
            plain.advance(done)
        plain.line()
    assert out.getvalue().splitlines() == [
        "5 / 12 rows (41%), 1 rows/s, about 7 s left",
        "10 / 12 rows (83%), 1 rows/s, about 2 s left",
        "12 / 12 rows (100%), 1 rows/s",
    ]


def test_an_unreachable_database_is_one_line(tmp_path):
    result = kredo("postgresql+psycopg://nobody:secret@127.0.0.1:1/x", "migrate")
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        "kredo: cannot reach the database postgresql+psycopg://nobody:***@127.0.0.1:1/x: "
    )
    assert "secret" not in result.stderr
    missing = kredo(f"sqlite:///{tmp_path}/nowhere/x.db", "seed-demo")
    assert missing.returncode == 1
    assert len(missing.stderr.splitlines()) == 1


def test_the_console_speaks_the_language_of_the_locale(client: TestClient, database_url, tmp_path):
    from app.cli import locale_language

    assert locale_language({"LANG": "id_ID.UTF-8"}, "en") == "id"
    assert locale_language({"LANG": "en_GB.UTF-8"}, "id") == "en"
    assert locale_language({"LC_ALL": "en_US.UTF-8", "LANG": "id_ID.UTF-8"}, "id") == "en"
    assert locale_language({"LANG": "C.UTF-8"}, "en") == "en"
    assert locale_language({}, "id") == "id"
    legacy = tmp_path / "legacy.csv"
    legacy.write_text(LEGACY + "Tanpa Tanggal,,17-08-1980,,\n")
    indonesian = kredo(database_url, "customers", "import", str(legacy), lang="id_ID.UTF-8")
    assert "4 baris: 3 dibuat, 0 diperbarui, 0 tidak berubah, 1 ditolak" in indonesian.stderr
    assert "5,refused,birth_date,date,17-08-1980,Gunakan format YYYY-MM-DD." in indonesian.stdout
    unreachable = kredo("postgresql+psycopg://nobody@127.0.0.1:1/x", "migrate", lang="id_ID.UTF-8")
    assert unreachable.stderr.startswith(
        "kredo: basis data postgresql+psycopg://nobody@127.0.0.1:1/x tidak dapat dihubungi: "
    )


def test_prescreening_fit_stores_the_next_version_of_the_weights(
    client: TestClient, database, database_url
):
    from app.prescreening.matching import Identity
    from app.prescreening.models import MatchModel
    from app.prescreening.service import Party, add_customer

    given = ["Siti", "Agus", "Rina", "Budi", "Dewi", "Joko"]
    family = ["Rahmawati", "Siregar", "Santoso", "Lubis", "Hidayat"]
    with database.transaction() as session:
        for i in range(300):
            person = Identity(
                f"{given[i % 6]} {family[i % 5]}",
                date(1970, 1, 1) + timedelta(days=37 * i),
                ["Jakarta", "Bandung", "Medan"][i % 3],
                ["Aminah", "Euis", "Rosma"][i % 3],
                f"3171{i % 30 + 1:02d}0101{70 + i % 30:02d}{i + 1:04d}",
            )
            add_customer(session, Party("applicant", person), "import")
    fitted = kredo(database_url, "prescreening", "fit", "--upper", "24", "--lower", "13",
                   "--by", "ops.rudi")  # fmt: skip
    assert fitted.returncode == 0, fitted.stderr
    assert fitted.stdout.startswith("weights version 1: 300 customers, ")
    assert "Repeat Order from 24.0 bits, review from 13.0" in fitted.stdout
    with database.sessions() as session:
        row = session.scalar(select(MatchModel))
        assert (row.version, row.customers, row.fitted_by) == (1, 300, "ops.rudi")
        # Six given names over 300 customers: each carried by a sixth of them.
        assert row.definition["name_words"]["siti"] == pytest.approx(50 / 300)
        assert (row.definition["upper"], row.definition["lower"]) == (24.0, 13.0)
    body = {"full_name": "Siti Rahmawati", "birth_date": "1970-01-01"}
    found = client.post("/v1/customers/matches", json=body, headers=ANALYST).json()
    assert found["model_version"] == 1
    refused = kredo(database_url, "prescreening", "fit", "--upper", "10", "--lower", "20")
    assert refused.returncode == 1
    assert "lower threshold" in refused.stderr


def test_prescreening_rekey_writes_every_known_persons_keys_again(
    client: TestClient, database, database_url
):
    from sqlalchemy import delete as sql_delete

    from app.prescreening.matching import Identity, blocking_keys
    from app.prescreening.models import IdentityKey
    from app.prescreening.service import Party, add_customer

    rina = Identity("Rina Marlina", date(1992, 3, 5), "Bandung", "Euis", "3273014503920002")
    with database.transaction() as session:
        customer = add_customer(session, Party("applicant", rina), "import").id
        session.execute(sql_delete(IdentityKey))  # as if known before the keys existed
    body = {"full_name": "Rina Marlina", "birth_place": "Bandung"}
    assert client.post("/v1/customers/matches", json=body, headers=ANALYST).json()[
        "candidates"] == []  # fmt: skip
    done = kredo(database_url, "prescreening", "rekey")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "keyed 1 known people\n"
    with database.sessions() as session:
        keys = set(session.scalars(select(IdentityKey.key).where(IdentityKey.owner_id == customer)))
    assert keys == blocking_keys(rina)
    found = client.post("/v1/customers/matches", json=body, headers=ANALYST).json()
    assert [c["customer_id"] for c in found["candidates"]] == [customer]
