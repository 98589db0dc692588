"""API keys, /v1/me, and the role → permission table."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.auth.models import ApiKey, User
from app.auth.roles import PERMISSIONS, Permission, Role
from app.auth.service import hash_key
from app.core.clock import utcnow
from app.demo import USERS, demo_key
from tests.conftest import ADMIN, CS, DEALER, auth


def test_every_permission_has_roles_and_admin_manages_users():
    assert set(PERMISSIONS) == set(Permission)
    assert PERMISSIONS[Permission.USER_MANAGE] == {Role.ADMIN}
    assert Role.DEALER not in PERMISSIONS[Permission.REFERENCE_READ]


def test_me_tells_each_demo_user_who_he_is(client: TestClient):
    for demo in USERS:
        me = client.get("/v1/me", headers=auth(demo.username)).json()
        assert me["username"] == demo.username
        assert me["role"] == demo.role.value
        assert me["branch_code"] == demo.branch
        assert me["dealer_code"] == demo.dealer
        expected = sorted(p.value for p, roles in PERMISSIONS.items() if demo.role in roles)
        assert me["permissions"] == expected


def test_keys_are_stored_only_as_digests_and_record_last_use(client: TestClient, database):
    created = client.post(
        "/v1/users",
        json={
            "username": "ca.jkt01.rudi",
            "full_name": "Rudi Hartono",
            "role": "credit_analyst",
            "branch_code": "JKT01",
        },
        headers=ADMIN,
    )
    assert created.status_code == 201
    key = created.json()["api_key"]
    with database.sessions() as session:
        stored = session.scalar(select(ApiKey).join(User).where(User.username == "ca.jkt01.rudi"))
        assert stored is not None
        assert stored.key_hash == hash_key(key)
        assert key not in (stored.key_hash, stored.prefix)
        assert stored.last_used_at is None
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    with database.sessions() as session:
        used = session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == stored.id))
    assert used is not None


def test_revoked_keys_stop_working_and_a_new_key_does(client: TestClient):
    revoked = client.delete("/v1/users/cs.dewi/keys", headers=ADMIN)
    assert revoked.json() == {"username": "cs.dewi", "revoked_keys": 1}
    assert client.get("/v1/me", headers=CS).status_code == 401
    new_key = client.post("/v1/users/cs.dewi/keys", headers=ADMIN).json()["api_key"]
    assert new_key != demo_key("cs.dewi")
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {new_key}"}).status_code == 200


def test_user_creation_is_validated(client: TestClient, database):
    def create(**fields):
        body = {
            "username": "new.user",
            "full_name": "New User",
            "role": "dealer",
            "branch_code": "JKT01",
        } | fields
        return client.post("/v1/users", json=body, headers=ADMIN)

    assert create().json()["errors"][0]["rule"] == "required"
    assert create(dealer_code="D-BDG-001").json()["errors"][0]["rule"] == "branch_mismatch"
    assert create(dealer_code="NOPE").json()["errors"][0]["rule"] == "unknown_dealer"
    assert create(role="approver", dealer_code="D-JKT-001").status_code == 422
    assert create(role="king").status_code == 422
    assert create(username="X").status_code == 422
    assert create(username="cs.dewi", role="salesman").status_code == 409
    assert create(dealer_code="D-JKT-001").status_code == 201


def test_user_administration_is_admin_only(client: TestClient):
    for headers in (CS, DEALER, auth("approver.hendra")):
        assert client.get("/v1/users", headers=headers).status_code == 403
        assert client.delete("/v1/users/cs.dewi/keys", headers=headers).status_code == 403
    assert client.get("/v1/me", headers=CS).status_code == 200


def test_me_shows_my_live_keys_and_when_each_was_last_used(client: TestClient, database):
    second = client.post("/v1/users/cs.dewi/keys", headers=ADMIN).json()["api_key"]
    keys = client.get("/v1/me", headers=CS).json()["api_keys"]
    assert [(k["prefix"], k["current"]) for k in keys] == [
        (demo_key("cs.dewi")[:12], True),
        (second[:12], False),
    ]
    assert keys[0]["last_used_at"] is not None
    assert keys[1]["last_used_at"] is None
    assert all(k["created_at"] for k in keys)
    assert second not in str(keys)
    # Used again within the minute: not written again (a read stays a read).
    again = client.get("/v1/me", headers=CS).json()["api_keys"]
    assert again[0]["last_used_at"] == keys[0]["last_used_at"]
    # Once the recorded use is older than a minute, the next use moves it.
    with database.transaction() as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == demo_key("cs.dewi")[:12])
            .values(last_used_at=utcnow() - timedelta(minutes=5))
        )
    later = client.get("/v1/me", headers=CS).json()["api_keys"]
    moved = datetime.fromisoformat(later[0]["last_used_at"])
    assert moved > datetime.fromisoformat(keys[0]["last_used_at"])
    # The other key's owner sees it used, and revoked keys are not listed.
    mine = client.get("/v1/me", headers={"Authorization": f"Bearer {second}"}).json()
    assert [k["current"] for k in mine["api_keys"]] == [False, True]
    client.delete("/v1/users/cs.dewi/keys", headers=ADMIN)
    fresh = client.post("/v1/users/cs.dewi/keys", headers=ADMIN).json()["api_key"]
    listed = client.get("/v1/me", headers={"Authorization": f"Bearer {fresh}"}).json()
    assert [k["prefix"] for k in listed["api_keys"]] == [fresh[:12]]


def test_the_last_admin_key_cannot_be_revoked(client: TestClient):
    refused = client.delete("/v1/users/admin.sari/keys", headers=ADMIN)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["errors"][0]["field"] == "username"
    assert problem["errors"][0]["rule"] == "last_admin_key"
    assert client.get("/v1/me", headers=ADMIN).status_code == 200
    # With a second admin holding a key, the first may give his up ...
    created = client.post(
        "/v1/users",
        json={"username": "admin.budi", "full_name": "Budi", "role": "admin", "branch_code": "HO"},
        headers=ADMIN,
    )
    other = {"Authorization": f"Bearer {created.json()['api_key']}"}
    assert client.delete("/v1/users/admin.sari/keys", headers=ADMIN).json()["revoked_keys"] == 1
    assert client.get("/v1/me", headers=ADMIN).status_code == 401
    # ... and then the second is the last, even revoking his own.
    assert client.delete("/v1/users/admin.budi/keys", headers=other).status_code == 409
    assert client.get("/v1/me", headers=other).status_code == 200
    # Other users' keys are revoked as before.
    assert client.delete("/v1/users/cs.dewi/keys", headers=other).status_code == 200


def test_two_admins_revoking_each_other_at_once_leave_one(client: TestClient, live_server: str):
    created = client.post(
        "/v1/users",
        json={"username": "admin.budi", "full_name": "Budi", "role": "admin", "branch_code": "HO"},
        headers=ADMIN,
    )
    budi = {"Authorization": f"Bearer {created.json()['api_key']}"}
    barrier = Barrier(2)

    def revoke(who: dict[str, str], whom: str) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            return http.delete(f"/v1/users/{whom}/keys", headers=who).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(revoke, (ADMIN, budi), ("admin.budi", "admin.sari")))
    # One wins; the other is refused, or finds his own key already gone.
    assert sorted(statuses)[0] == 200
    assert sorted(statuses)[1] in (401, 409)
    working = sorted(client.get("/v1/me", headers=h).status_code for h in (ADMIN, budi))
    assert working == [200, 401]
