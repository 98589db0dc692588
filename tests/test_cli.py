"""The operator's console, run as a real process against the test database."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.collection.models import CloseOfBusiness
from app.core.clock import today_jakarta
from app.core.settings import Settings
from app.demo import USERS
from app.main import ProductionWithDemoUsers, create_app
from tests.test_collection import active_contract


def kredo(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KREDO_DATABASE_URL": database_url}
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


def test_production_refuses_to_start_while_demo_users_exist(client: TestClient, database_url):
    app = create_app(Settings(database_url=database_url, env="production", log_level="WARNING"))
    with pytest.raises(ProductionWithDemoUsers), TestClient(app):
        pass


def test_production_starts_once_demo_users_are_deactivated(client: TestClient, database):
    from sqlalchemy import update

    from app.auth.models import User

    with database.transaction() as session:
        session.execute(update(User).where(User.is_demo).values(active=False))
    app = create_app(Settings(database_url=database.url, env="production", log_level="WARNING"))
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
    assert "imported 2 of 5 rows; 3 rejected" in result.stderr
    assert result.stdout.splitlines() == [
        "row,field,rule,message",
        '3,nik,nik_length,"A NIK has 16 digits."',
        '4,full_name,required,"A name is required."',
        '6,birth_date,date,"Use YYYY-MM-DD."',
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
