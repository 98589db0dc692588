"""The one way a contract changes state, and the reads every stage shares.

A transition is a compare-and-set on the contract's version plus an event row, flushed in the
caller's transaction: both commit together or neither does. Of concurrent transitions from the
same version exactly one updates a row; the others get 409.
"""

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.models import Contract, ContractEvent
from app.contracts.scope import visible_to
from app.contracts.states import (
    Action,
    ContractState,
    Edge,
    find_edge,
    roles_for,
    sources_for,
)
from app.core.clock import utcnow
from app.core.database import locks_rows
from app.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, PreconditionFailed
from app.core.etags import etag_matches
from app.core.i18n import _


def etag_of(contract: Contract) -> str:
    return f'W/"{contract.number}-v{contract.version}"'


def check_if_match(contract: Contract, if_match: str | None) -> None:
    """412 when the client's ``If-Match`` names another version than the current one."""
    current = etag_of(contract)
    if if_match is not None and not etag_matches(if_match, current):
        raise PreconditionFailed(
            _("The contract has changed (now {etag}); read it again and retry.").format(
                etag=current
            )
        )


def get_visible(session: Session, principal: Principal, number: str) -> Contract:
    """The contract, if in the caller's scope. A request that writes locks it first (the row on
    PostgreSQL; SQLite has one writer at a time): concurrent writers on one contract queue
    here, before anything is written, and each reads the state its predecessor left — the
    losers of a race are 409 without a row of theirs touching the database."""
    query = select(Contract).where(Contract.number == number, visible_to(principal))
    if locks_rows(session):
        query = query.with_for_update(of=Contract)
    contract = session.scalar(query)
    if contract is None:
        raise NotFound(_("No contract {number} in your scope.").format(number=number))
    return contract


# Events are the feed other systems read in order (GET /v1/events). On PostgreSQL a
# transaction takes this lock before it numbers its event and keeps it until it commits, so
# events are numbered in commit order and a reader never skips one that commits late.
# (SQLite's BEGIN IMMEDIATE already lets one writer at a time.)
EVENT_ORDER_LOCK = 7_402_026


def record_event(
    session: Session,
    contract: Contract,
    *,
    action: Action | str,
    from_state: str | None,
    actor: Principal | None,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> ContractEvent:
    """Append to the contract's log; ``contract.version`` is the position of the entry."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(EVENT_ORDER_LOCK)))
    event = ContractEvent(
        contract_id=contract.id,
        seq=contract.version,
        action=str(action),
        from_state=from_state,
        to_state=contract.state,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role.value if actor else "system",
        reason=reason,
        payload=payload or {},
        occurred_at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def bump_version(session: Session, contract: Contract, *, to_state: str | None = None) -> None:
    """Compare-and-set: move ``contract`` to its next version (and state) or raise 409."""
    values: dict[str, Any] = {"version": contract.version + 1, "updated_at": utcnow()}
    if to_state is not None:
        values["state"] = to_state
    result = session.execute(
        update(Contract)
        .where(Contract.id == contract.id, Contract.version == contract.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        session.rollback()
        current = session.scalar(select(Contract.state).where(Contract.id == contract.id))
        raise Conflict(
            _(
                "Contract {number} was changed by another request (now {state}); read it again "
                "and retry."
            ).format(number=contract.number, state=current),
            current_state=current,
        )
    for key, value in values.items():
        setattr(contract, key, value)


def ensure_allowed(contract: Contract, action: Action, actor: Principal | None) -> Edge:
    """The edge ``action`` takes from the contract's state for ``actor`` (``None``: the
    system), or 403 when his role may never take it, or 409 naming the current state and
    the states it is allowed from."""
    role: Role | None = actor.role if actor else None
    if role is not None and role not in roles_for(action):
        raise Forbidden(_("Role {role} may not {action}.").format(role=role, action=action.value))
    source = ContractState(contract.state)
    edge = find_edge(action, source, role)
    if edge is None:
        allowed = [state.value for state in sources_for(action, role)]
        raise InvalidTransition(
            _("Contract {number} is {state}; {action} is allowed from {allowed}.").format(
                number=contract.number,
                state=source.value,
                action=action.value,
                allowed=", ".join(allowed),
            ),
            current_state=source.value,
            allowed_from=allowed,
        )
    return edge


def transition(
    session: Session,
    contract: Contract,
    action: Action,
    actor: Principal | None,
    *,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> ContractEvent:
    """Take ``action`` on ``contract`` as ``actor``: the state, the version and the log entry
    change together, in the caller's transaction."""
    edge = ensure_allowed(contract, action, actor)
    bump_version(session, contract, to_state=edge.target.value)
    return record_event(
        session,
        contract,
        action=action,
        from_state=edge.source.value,
        actor=actor,
        reason=reason,
        payload=payload,
    )


def log_event(
    session: Session,
    contract: Contract,
    action: str,
    actor: Principal | None,
    *,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> ContractEvent:
    """An event that keeps the state (a payment, a letter, a collateral change...): the
    contract's version moves, so the log stays the whole story in order."""
    state = contract.state
    bump_version(session, contract)
    return record_event(
        session, contract, action=action, from_state=state, actor=actor, reason=reason,
        payload=payload,
    )  # fmt: skip


def latest_of(session: Session, model: type[Any], contract: Contract) -> Any:
    """The newest row of a stage's table (``contract_id`` and ``id`` columns) for a contract:
    the decision that stands."""
    return session.scalar(
        select(model).where(model.contract_id == contract.id).order_by(model.id.desc()).limit(1)
    )


def events_of(session: Session, contract: Contract) -> list[ContractEvent]:
    return list(
        session.scalars(
            select(ContractEvent)
            .where(ContractEvent.contract_id == contract.id)
            .order_by(ContractEvent.seq)
        )
    )
