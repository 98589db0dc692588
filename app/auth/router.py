"""`/v1/me` and user administration (`/v1/users`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.auth import service
from app.auth.dependencies import require
from app.auth.models import User, UserArea
from app.auth.roles import PERMISSIONS, Permission, Role
from app.auth.schemas import (
    ApiKeyOut,
    AreasIn,
    KeyOut,
    MeOut,
    RevocationOut,
    UserIn,
    UserList,
    UserOut,
)
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import _
from app.reference.models import Area, Branch, Dealer

router = APIRouter(prefix="/v1", tags=["users"])
Admin = Annotated[service.Principal, Depends(require(Permission.USER_MANAGE))]


def _users(session: Session, username: str | None = None) -> list[UserOut]:
    dealer = aliased(Dealer)
    query = (
        select(User, Branch.code, dealer.code)
        .join(Branch, Branch.id == User.branch_id)
        .outerjoin(dealer, dealer.id == User.dealer_id)
        .order_by(User.username)
    )
    if username is not None:
        query = query.where(User.username == username)
    rows = session.execute(query).all()
    areas: dict[int, list[str]] = {}
    for user_id, code in session.execute(
        select(UserArea.user_id, Area.code)
        .join(Area, Area.id == UserArea.area_id)
        .order_by(Area.code)
    ):
        areas.setdefault(user_id, []).append(code)
    return [
        UserOut(
            username=u.username,
            full_name=u.full_name,
            role=Role(u.role),
            branch_code=branch_code,
            dealer_code=dealer_code,
            approval_limit=u.approval_limit,
            authority_level=u.authority_level,
            area_codes=areas.get(u.id, []),
            active=u.active,
            created_at=u.created_at,
        )
        for u, branch_code, dealer_code in rows
    ]


@router.get("/me", summary="Who am I, and what may I do", responses=problem_responses())
def me(
    session: DbSession,
    principal: Annotated[service.Principal, Depends(require(Permission.ME_READ))],
) -> MeOut:
    (user,) = _users(session, principal.username)
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        branch_code=user.branch_code,
        dealer_code=user.dealer_code,
        approval_limit=user.approval_limit,
        permissions=sorted(p for p, roles in PERMISSIONS.items() if principal.role in roles),
        api_keys=[
            ApiKeyOut(
                prefix=key.prefix,
                created_at=key.created_at,
                last_used_at=key.last_used_at,
                current=key.id == principal.api_key_id,
            )
            for key in service.live_keys(session, principal.user_id)
        ],
    )


@router.get("/users", summary="List users", responses=problem_responses(403))
def list_users(session: DbSession, _: Admin) -> UserList:
    return UserList(items=_users(session))


@router.post(
    "/users",
    summary="Create a user and his first API key",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def create_user(data: UserIn, session: DbSession, _: Admin) -> KeyOut:
    user, key = service.create_user(
        session,
        username=data.username,
        full_name=data.full_name,
        role=data.role,
        branch_code=data.branch_code,
        dealer_code=data.dealer_code,
        approval_limit=data.approval_limit,
        authority_level=data.authority_level,
        area_codes=data.area_codes,
    )
    return KeyOut(username=user.username, api_key=key)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("No user {username!r}.").format(username=username))
    return user


@router.post(
    "/users/{username}/keys",
    summary="Issue another API key to a user",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404),
)
def issue_key(username: str, session: DbSession, _: Admin) -> KeyOut:
    return KeyOut(username=username, api_key=service.issue_key(session, _user(session, username)))


@router.delete(
    "/users/{username}/keys",
    summary="Revoke every API key of a user (not the last keys held by an admin)",
    responses=problem_responses(403, 404, 409),
)
def revoke_keys(username: str, session: DbSession, _: Admin) -> RevocationOut:
    return RevocationOut(username=username, revoked_keys=service.revoke_keys(session, username))


@router.put(
    "/users/{username}/areas",
    summary="Set the areas a surveyor or salesman covers",
    responses=problem_responses(403, 404),
)
def set_user_areas(username: str, data: AreasIn, session: DbSession, _: Admin) -> UserOut:
    service.set_areas(session, _user(session, username), data.area_codes)
    (user,) = _users(session, username)
    return user
