"""Authentication (``Authorization: Bearer <key>``) and the per-endpoint permission check."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.roles import Permission, Role, allowed
from app.auth.service import Principal, authenticate, key_needs_touch, touch_key
from app.core.dependencies import get_database
from app.core.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API key issued by `kredo user add`.")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("Send your API key as `Authorization: Bearer <key>`.")
    # Its own short transaction, apart from the request's: the key's last-used time is kept
    # even when the request itself is rejected and writes nothing.
    with get_database(request).transaction() as session:
        found = authenticate(session, credentials.credentials)
        if found is None:
            raise Unauthorized("The API key is unknown or revoked.")
        principal, api_key = found
        if key_needs_touch(api_key):
            touch_key(session, api_key.id)
    request.state.user = principal.username
    return principal


def require(permission: Permission) -> Callable[..., Principal]:
    """A dependency that admits only the roles the permission table lists."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not allowed(principal.role, permission):
            raise Forbidden(f"Role {principal.role} may not {permission.value}.")
        return principal

    return check


def require_role(roles: frozenset[Role], what: str) -> Callable[..., Principal]:
    """A dependency for endpoints whose roles come from another table (the state machine)."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"Role {principal.role} may not {what}.")
        return principal

    return check
