"""The contract's state machine (DESIGN §2): every state, every transition, who may make it.

This table is the single source for the endpoints (which check role and state against it),
the OpenAPI document (each transition endpoint carries ``x-transition``) and the tests.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.auth.roles import Role


class ContractState(StrEnum):
    SUBMITTED = "SUBMITTED"
    SURVEY_ASSIGNED = "SURVEY_ASSIGNED"
    SURVEYED = "SURVEYED"
    PRESCREENED = "PRESCREENED"
    SCORED = "SCORED"
    SIMULATED = "SIMULATED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    RETURNED = "RETURNED"
    APPROVED = "APPROVED"
    DELIVERED = "DELIVERED"
    ACTIVE = "ACTIVE"
    PAID_OFF = "PAID_OFF"
    WRITTEN_OFF = "WRITTEN_OFF"
    # The vehicle withdrawn from a defaulting debtor (DESIGN §4): the contract waits for the
    # auction, whose proceeds pay it off or leave a shortfall to keep or write off.
    REPOSSESSED = "REPOSSESSED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class Action(StrEnum):
    SUBMIT = "submit"
    AMEND = "amend"  # application data corrected; the state stays
    RECORD_SLIK = "record_slik"  # the credit bureau's result entered; the state stays
    ASSIGN_SURVEY = "assign_survey"
    RECORD_SURVEY = "record_survey"
    PRESCREEN = "prescreen"
    SCORE = "score"
    SIMULATE = "simulate"
    REQUEST_APPROVAL = "request_approval"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    DELIVER = "deliver"
    DISBURSE = "disburse"
    CANCEL = "cancel"
    EXPIRE = "expire"
    PAY_OFF = "pay_off"
    WRITE_OFF = "write_off"
    RESTRUCTURE = "restructure"  # a new schedule approved; the contract stays active
    REPOSSESS = "repossess"  # the vehicle handed over to the collector
    SELL_COLLATERAL = "sell_collateral"  # the auction's proceeds cover the debt: paid off
    WRITE_OFF_SHORTFALL = "write_off_shortfall"  # an approver writes off what the sale left


S = ContractState
R = Role

# The analyst may reject anywhere before approval (a fictitious address found by the survey).
BEFORE_APPROVAL = (
    S.SUBMITTED, S.SURVEY_ASSIGNED, S.SURVEYED, S.PRESCREENED, S.SCORED, S.SIMULATED, S.RETURNED,
)  # fmt: skip
BEFORE_DISBURSEMENT = (*BEFORE_APPROVAL, S.PENDING_APPROVAL, S.APPROVED, S.DELIVERED)
TERMINAL = frozenset({S.PAID_OFF, S.WRITTEN_OFF, S.REJECTED, S.CANCELLED, S.EXPIRED})


@dataclass(frozen=True)
class Edge:
    """One arrow of the diagram: ``action`` from ``source`` to ``target`` by ``roles``.

    ``roles`` is empty for transitions only the system makes (the close of business).
    """

    action: Action
    source: ContractState
    target: ContractState
    roles: frozenset[Role]


def _edges(
    action: Action, sources: tuple[ContractState, ...], target: ContractState, *roles: Role
) -> list[Edge]:
    return [Edge(action, source, target, frozenset(roles)) for source in sources]


# Application data may be completed until pre-screening, and corrected after a return.
AMENDABLE = (S.SUBMITTED, S.SURVEY_ASSIGNED, S.SURVEYED)

TRANSITIONS: tuple[Edge, ...] = tuple(
    # stage 1 — application
    [Edge(Action.AMEND, s, s, frozenset({R.CUSTOMER_SERVICE, R.CREDIT_ANALYST}))
     for s in AMENDABLE]
    + [Edge(Action.AMEND, S.RETURNED, S.RETURNED, frozenset({R.CREDIT_ANALYST}))]
    # stage 3 — the SLIK result may be entered any time before scoring or after a return
    + [Edge(Action.RECORD_SLIK, s, s, frozenset({R.CREDIT_ANALYST}))
       for s in (*AMENDABLE, S.PRESCREENED, S.RETURNED)]
    + _edges(Action.ASSIGN_SURVEY, (S.SUBMITTED, S.SURVEY_ASSIGNED), S.SURVEY_ASSIGNED,
           R.CREDIT_ANALYST)
    + _edges(Action.RECORD_SURVEY, (S.SURVEY_ASSIGNED,), S.SURVEYED, R.SURVEYOR)
    # stage 2 — pre-screening (a bad-customer hit rejects)
    + _edges(Action.PRESCREEN, (S.SURVEYED,), S.PRESCREENED, R.CREDIT_ANALYST)
    # stage 3 — fatal scores (a knock-out rejects); re-run after a return
    + _edges(Action.SCORE, (S.PRESCREENED, S.RETURNED), S.SCORED, R.CREDIT_ANALYST)
    # stage 4 — simulation; choosing again replaces the terms
    + _edges(Action.SIMULATE, (S.SCORED, S.SIMULATED, S.RETURNED), S.SIMULATED,
             R.CREDIT_ANALYST)
    # stage 6 — approval
    + _edges(Action.REQUEST_APPROVAL, (S.SIMULATED, S.RETURNED), S.PENDING_APPROVAL,
             R.CREDIT_ANALYST)
    + _edges(Action.APPROVE, (S.PENDING_APPROVAL,), S.APPROVED, R.APPROVER)
    + _edges(Action.RETURN, (S.PENDING_APPROVAL,), S.RETURNED, R.APPROVER)
    + _edges(Action.REJECT, BEFORE_APPROVAL, S.REJECTED, R.CREDIT_ANALYST)
    + _edges(Action.REJECT, (S.PENDING_APPROVAL,), S.REJECTED, R.APPROVER)
    # stage 7 — delivery and disbursement
    + _edges(Action.DELIVER, (S.APPROVED,), S.DELIVERED, R.DEALER)
    + _edges(Action.DISBURSE, (S.DELIVERED,), S.ACTIVE, R.FINANCE)
    + _edges(Action.CANCEL, BEFORE_DISBURSEMENT, S.CANCELLED, R.CUSTOMER_SERVICE, R.DEALER)
    + _edges(Action.EXPIRE, (S.APPROVED,), S.EXPIRED)
    # collection
    # paid off by the debtor, also once his vehicle is repossessed (redeemed before the
    # auction, or a shortfall kept as debt paid later)
    + _edges(Action.PAY_OFF, (S.ACTIVE, S.REPOSSESSED), S.PAID_OFF)
    + _edges(Action.WRITE_OFF, (S.ACTIVE,), S.WRITTEN_OFF)
    + _edges(Action.RESTRUCTURE, (S.ACTIVE,), S.ACTIVE, R.APPROVER)
    # repossession to auction: the collector records the hand-over; finance posts the sale
    # (paid off when it covers the debt, else the contract stays REPOSSESSED with the
    # shortfall kept as debt); an approver writes off a shortfall
    + _edges(Action.REPOSSESS, (S.ACTIVE,), S.REPOSSESSED, R.COLLECTOR)
    + _edges(Action.SELL_COLLATERAL, (S.REPOSSESSED,), S.PAID_OFF, R.FINANCE)
    + _edges(Action.WRITE_OFF_SHORTFALL, (S.REPOSSESSED,), S.WRITTEN_OFF, R.APPROVER)
)  # fmt: skip


def edges_for(action: Action) -> tuple[Edge, ...]:
    return tuple(edge for edge in TRANSITIONS if edge.action == action)


def find_edge(action: Action, source: ContractState, role: Role | None) -> Edge | None:
    """The edge ``action`` takes from ``source`` for ``role`` (``None``: the system)."""
    for edge in edges_for(action):
        if edge.source == source and (role is None or role in edge.roles):
            return edge
    return None


def roles_for(action: Action) -> frozenset[Role]:
    return frozenset(role for edge in edges_for(action) for role in edge.roles)


def sources_for(action: Action, role: Role | None = None) -> list[ContractState]:
    """States from which ``role`` (or the system, when ``None``) may take ``action``."""
    return [edge.source for edge in edges_for(action) if role is None or role in edge.roles]
