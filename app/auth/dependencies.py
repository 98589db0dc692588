"""Authentication (``Authorization: Bearer <key>``) and the per-endpoint permission check."""

from collections.abc import Callable
from contextlib import suppress
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError

from app.auth.models import ApiKey
from app.auth.roles import Permission, Role, allowed
from app.auth.service import (
    KEY_PREFIX_LENGTH,
    Principal,
    authenticate,
    key_needs_touch,
    touch_key,
)
from app.auth.throttle import FailedAuthThrottle
from app.core.dependencies import get_database
from app.core.errors import FieldError, Forbidden, TooManyFailedAuthentications, Unauthorized
from app.core.i18n import _

bearer = HTTPBearer(auto_error=False, description="An API key issued by `kredo user add`.")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized(_("Send your API key as `Authorization: Bearer <key>`."))
    return principal_from_key(request, credentials.credentials)


def principal_from_key(request: Request, key: str) -> Principal:
    """The user holding ``key`` (a header's or the login form's), or 401; 429 while his
    address or the key's first characters have failed too often."""
    throttle: FailedAuthThrottle = request.app.state.auth_throttle
    # A guesser is held back by his address and, spread over many addresses, by the first
    # characters of the key he aims at (the part a key list shows).
    address = request.client.host if request.client else "unknown"
    counted = (f"address:{address}", f"prefix:{key[:KEY_PREFIX_LENGTH]}")
    wait = throttle.retry_after(counted)
    if wait:
        raise _throttled(wait)
    # Read apart from the request's transaction, as a reader: checking a key never waits for
    # a writer (the close of business included).
    database = get_database(request)
    with database.readers() as session:
        found = authenticate(session, key)
    if found is None:
        throttle.failed(counted)
        raise Unauthorized(_("The API key is unknown or revoked."))
    return admitted(request, *found)


def admitted(request: Request, principal: Principal, api_key: ApiKey) -> Principal:
    """``principal``, authenticated with ``api_key``, noted as the request's user."""
    if key_needs_touch(api_key):
        # Its own brief write, so the key's last use is kept even when the request is then
        # refused; skipped, not waited for, while another writer holds the database.
        database = get_database(request)
        with suppress(OperationalError), database.brief_transaction() as session:
            touch_key(session, api_key.id)
    request.state.user = principal.username
    return principal


def _throttled(wait: int) -> TooManyFailedAuthentications:
    message = _("Too many failed authentications; try again in {seconds} s.").format(seconds=wait)
    error = FieldError(
        field="header.authorization", message=message, rule="failed_authentication_limit"
    )
    return TooManyFailedAuthentications(message, errors=[error], headers={"Retry-After": str(wait)})


def require(permission: Permission) -> Callable[..., Principal]:
    """A dependency that admits only the roles the permission table lists."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        return permitted(principal, permission)

    return check


def permitted(principal: Principal, permission: Permission) -> Principal:
    """``principal`` when the permission table lets his role do ``permission``; else 403."""
    if not allowed(principal.role, permission):
        raise Forbidden(
            _("Role {role} may not {action}.").format(role=principal.role, action=permission.value)
        )
    return principal


def require_role(roles: frozenset[Role], what: str) -> Callable[..., Principal]:
    """A dependency for endpoints whose roles come from another table (the state machine)."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                _("Role {role} may not {action}.").format(role=principal.role, action=what)
            )
        return principal

    return check
