"""The transition table itself: the diagram of DESIGN §2, checked as data."""

from app.auth.roles import Role
from app.contracts.states import (
    BEFORE_DISBURSEMENT,
    TERMINAL,
    TRANSITIONS,
    Action,
    ContractState,
    find_edge,
    roles_for,
    sources_for,
)

S = ContractState


def reachable_from(start: ContractState) -> set[ContractState]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for edge in TRANSITIONS:
            if edge.source == state and edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return seen


def test_every_state_is_reachable_from_submitted():
    assert reachable_from(S.SUBMITTED) == set(ContractState)


def test_terminal_states_have_no_way_out():
    assert {edge.source for edge in TRANSITIONS} & TERMINAL == set()


def test_the_happy_path_follows_the_seven_stages():
    path = [
        (Action.ASSIGN_SURVEY, Role.CREDIT_ANALYST),
        (Action.RECORD_SURVEY, Role.SURVEYOR),
        (Action.PRESCREEN, Role.CREDIT_ANALYST),
        (Action.SCORE, Role.CREDIT_ANALYST),
        (Action.SIMULATE, Role.CREDIT_ANALYST),
        (Action.REQUEST_APPROVAL, Role.CREDIT_ANALYST),
        (Action.APPROVE, Role.APPROVER),
        (Action.DELIVER, Role.DEALER),
        (Action.DISBURSE, Role.FINANCE),
    ]
    state = S.SUBMITTED
    for action, role in path:
        edge = find_edge(action, state, role)
        assert edge is not None, (action, state)
        state = edge.target
    assert state is S.ACTIVE


def test_cancel_is_possible_exactly_before_disbursement():
    assert set(sources_for(Action.CANCEL)) == set(BEFORE_DISBURSEMENT)
    assert S.ACTIVE not in sources_for(Action.CANCEL)
    assert roles_for(Action.CANCEL) == {Role.CUSTOMER_SERVICE, Role.DEALER}


def test_analyst_rejects_before_approval_and_approver_only_while_pending():
    assert S.PENDING_APPROVAL not in sources_for(Action.REJECT, Role.CREDIT_ANALYST)
    assert S.APPROVED not in sources_for(Action.REJECT)
    assert sources_for(Action.REJECT, Role.APPROVER) == [S.PENDING_APPROVAL]


def test_returned_contract_is_corrected_then_resubmitted():
    assert find_edge(Action.RETURN, S.PENDING_APPROVAL, Role.APPROVER) is not None
    for action in (Action.SCORE, Action.SIMULATE, Action.REQUEST_APPROVAL):
        edge = find_edge(action, S.RETURNED, Role.CREDIT_ANALYST)
        assert edge is not None, action


def test_system_only_transitions_have_no_roles():
    for action in (Action.EXPIRE, Action.PAY_OFF, Action.WRITE_OFF):
        assert roles_for(action) == frozenset()
        assert find_edge(action, sources_for(action)[0], None) is not None


def test_no_duplicate_edges():
    keys = [(e.action, e.source, e.roles) for e in TRANSITIONS]
    assert len(keys) == len(set(keys))
