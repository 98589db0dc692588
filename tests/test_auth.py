"""API keys, /v1/me, and the role → permission table."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.models import ApiKey, User
from app.auth.roles import PERMISSIONS, Permission, Role
from app.auth.service import hash_key
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
