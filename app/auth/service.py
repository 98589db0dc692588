"""Users, API keys and authentication."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from app.auth.models import ApiKey, User, UserArea
from app.auth.roles import Role
from app.core.clock import utcnow
from app.core.errors import Conflict, FieldError, NotFound, Unprocessable
from app.core.i18n import _
from app.reference.models import HEAD_OFFICE, Area, Branch, Dealer

KEY_PREFIX = "kredo_"
# How many first characters of a key are kept in the clear to tell keys apart (the key's
# ``prefix``), and count failed guesses by.
KEY_PREFIX_LENGTH = 12
# last_used_at is written at most this often per key, so reads do not all become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as every service sees him."""

    user_id: int
    username: str
    full_name: str
    role: Role
    branch_id: int
    branch_code: str
    dealer_id: int | None
    approval_limit: int | None
    # The key the request came with (None for work not started by a request).
    api_key_id: int | None = None

    @property
    def is_head_office(self) -> bool:
        return self.branch_code == HEAD_OFFICE


def hash_key(key: str) -> str:
    # Keys carry 256 random bits, so a plain SHA-256 digest is as strong as a slow hash here.
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(session: Session, user: User) -> str:
    """A new random key for ``user``: returned once, stored only as its digest."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(user_id=user.id, prefix=key[:KEY_PREFIX_LENGTH], key_hash=hash_key(key)))
    session.flush()
    return key


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    branch_code: str,
    dealer_code: str | None = None,
    approval_limit: int | None = None,
    authority_level: int | None = None,
    area_codes: Sequence[str] = (),
    is_demo: bool = False,
) -> tuple[User, str]:
    """Create a user and his first API key."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(_("User {username!r} already exists.").format(username=username))
    branch = session.scalar(select(Branch).where(Branch.code == branch_code))
    if branch is None:
        raise Unprocessable.field(
            "branch_code", _("Unknown branch {code!r}.").format(code=branch_code), "unknown_branch"
        )
    dealer_id = None
    if role is Role.DEALER:
        if dealer_code is None:
            raise Unprocessable.field("dealer_code", _("A dealer user needs a dealer."), "required")
        dealer = session.scalar(select(Dealer).where(Dealer.code == dealer_code))
        if dealer is None:
            raise Unprocessable.field(
                "dealer", _("Unknown dealer {code!r}.").format(code=dealer_code), "unknown_dealer"
            )
        if dealer.branch_id != branch.id:
            raise Unprocessable.field(
                "dealer",
                _("Dealer {dealer} is not in branch {branch}.").format(
                    dealer=dealer_code, branch=branch_code
                ),
                "branch_mismatch",
            )
        dealer_id = dealer.id
    elif dealer_code is not None:
        raise Unprocessable.field(
            "dealer_code", _("Only dealer users belong to a dealer."), "not_allowed"
        )
    if authority_level is not None and role is not Role.APPROVER:
        raise Unprocessable.field(
            "authority_level", _("Only approvers have an authority level."), "not_allowed"
        )
    if approval_limit is not None and approval_limit < 0:
        raise Unprocessable.field(
            "approval_limit", _("The limit is a positive amount."), "positive"
        )
    user = User(
        username=username,
        full_name=full_name,
        role=role.value,
        branch_id=branch.id,
        dealer_id=dealer_id,
        approval_limit=approval_limit,
        authority_level=authority_level,
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    set_areas(session, user, area_codes)
    return user, issue_key(session, user)


AREA_ROLES = (Role.SURVEYOR, Role.SALESMAN)


def set_areas(session: Session, user: User, area_codes: Sequence[str]) -> None:
    """Replace the areas ``user`` covers (surveyors and salesmen only)."""
    if area_codes and Role(user.role) not in AREA_ROLES:
        raise Unprocessable.field(
            "area_codes", _("Only surveyors and salesmen cover areas."), "not_allowed"
        )
    areas = list(session.scalars(select(Area).where(Area.code.in_(set(area_codes)))))
    unknown = sorted(set(area_codes) - {a.code for a in areas})
    if unknown:
        message = _("Unknown area(s) {codes}.").format(codes=", ".join(unknown))
        raise Unprocessable.field("area_codes", message, "unknown_area")
    session.execute(delete(UserArea).where(UserArea.user_id == user.id))
    session.add_all(UserArea(user_id=user.id, area_id=a.id) for a in areas)
    session.flush()


def revoke_keys(session: Session, username: str) -> int:
    """Revoke every live key of ``username``; returns how many were revoked.

    Refused when they are the last live keys of any admin: nobody could then manage users
    or keys again.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("No user {username!r}.").format(username=username))
    if user.role == Role.ADMIN.value:
        _keep_an_admin(session, user)
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0))


def _keep_an_admin(session: Session, admin: User) -> None:
    # The live admin keys are locked (PostgreSQL; SQLite has one writer anyway), so two
    # admins revoking each other at the same moment cannot both pass this check.
    holders = set(
        session.scalars(
            select(ApiKey.user_id)
            .join(User, User.id == ApiKey.user_id)
            .where(User.role == Role.ADMIN.value, User.active, ApiKey.revoked_at.is_(None))
            .with_for_update(of=ApiKey)
        )
    )
    if holders == {admin.id}:
        message = _(
            "{username} holds the last working key of an admin; issue a key to another admin first."
        ).format(username=admin.username)
        raise Conflict(
            message, errors=[FieldError(field="username", message=message, rule="last_admin_key")]
        )


def live_keys(session: Session, user_id: int) -> list[ApiKey]:
    """A user's keys that still work, oldest first."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.created_at, ApiKey.id)
        )
    )


def authenticate(session: Session, key: str) -> tuple[Principal, ApiKey] | None:
    return _holder(session, ApiKey.key_hash == hash_key(key))


def authenticate_key_id(session: Session, key_id: int) -> tuple[Principal, ApiKey] | None:
    """The holder of the key a browser logged in with, while it works and he is active."""
    return _holder(session, ApiKey.id == key_id)


def _holder(session: Session, which: ColumnElement[bool]) -> tuple[Principal, ApiKey] | None:
    row = session.execute(
        select(User, ApiKey, Branch.code)
        .join(ApiKey, ApiKey.user_id == User.id)
        .join(Branch, Branch.id == User.branch_id)
        .where(which, ApiKey.revoked_at.is_(None), User.active)
    ).first()
    if row is None:
        return None
    user, api_key, branch_code = row
    principal = Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        branch_id=user.branch_id,
        branch_code=branch_code,
        dealer_id=user.dealer_id,
        approval_limit=user.approval_limit,
        api_key_id=api_key.id,
    )
    return principal, api_key


def principal_of(session: Session, username: str) -> Principal | None:
    """An active user as a principal, for work an operator starts from the console."""
    row = session.execute(
        select(User, Branch.code)
        .join(Branch, Branch.id == User.branch_id)
        .where(User.username == username, User.active)
    ).first()
    if row is None:
        return None
    user, branch_code = row
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        branch_id=user.branch_id,
        branch_code=branch_code,
        dealer_id=user.dealer_id,
        approval_limit=user.approval_limit,
    )


def touch_key(session: Session, key_id: int) -> None:
    """Record that a key was used, at most once per ``LAST_USED_RESOLUTION``."""
    now = utcnow()
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
    )


def key_needs_touch(api_key: ApiKey) -> bool:
    last = api_key.last_used_at
    return last is None or last < utcnow() - LAST_USED_RESOLUTION


def demo_users_exist(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.is_demo, User.active).limit(1)) is not None


def username_of(session: Session, user_id: int | None) -> str | None:
    """Who did something, by name, for the answers that say so."""
    return session.scalar(select(User.username).where(User.id == user_id)) if user_id else None
