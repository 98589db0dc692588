"""The stored history of positions (spans written only for the contracts whose standing can
change, month-ends whole) against the positions recomputed from the ledger alone, for a
small portfolio closed day by day for a year: generated contracts (those of
``test_ledger_reference``, each ending at its own point of the year or after it), their
payments posted as the days go by, some of them days late (back-dated) and some reversed
later, write-offs at the threshold. On every closed day every contract's days past due,
bucket, Kol and principal outstanding must be the same both ways."""

import random
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.service import Principal, authenticate
from app.collection.cob import close_business_day
from app.collection.models import Position, PositionSpan
from app.collection.positions import is_month_end, policy, positions_on
from app.contracts.models import Contract
from app.core.clock import today_jakarta
from app.core.errors import Conflict, Unprocessable
from app.demo import demo_key
from app.servicing import payments
from app.servicing.models import Payment
from tests.conftest import reset, submit
from tests.history import recomputed
from tests.test_ledger_reference import contracts
from tests.test_positions_reference import _open, _shift

YEAR = 365


def _plan(contract: dict[str, Any], first: date, today: date, rng: random.Random) -> list[Any]:
    """(day posted, what) for each payment: most on their value date, some days later
    (back-dated), a few reversed some days after; anything before the first close is
    posted before it."""
    plan: list[Any] = []
    for event in contract["events"]:
        if event["kind"] != "payment":
            continue
        late = rng.choice([0, 0, 0, 1, 3, 12])
        posted = min(max(event["on"] + timedelta(days=late), first), today)
        plan.append((posted, "pay", event))
        if rng.random() < 0.15:
            plan.append(
                (min(posted + timedelta(days=rng.choice([0, 2, 9])), today), "reverse", event)
            )
    return plan


def _act(
    session: Session, actor: Principal, row: Contract, what: str, event: dict[str, Any]
) -> None:
    reference = f"REF-{row.id}-{event['id']}"
    try:
        with session.begin_nested():
            if what == "pay":
                payments.post_payment(session, actor, row, {
                    "paid_on": event["on"], "amount": event["amount"], "reference": reference,
                })  # fmt: skip
                return
            payment = session.scalars(
                select(Payment).where(
                    Payment.contract_id == row.id,
                    Payment.reference == reference,
                    Payment.reversed_at.is_(None),
                )
            ).first()
            if payment is not None:
                payments.reverse_payment(session, actor, row, payment, "bounced")
    except (Conflict, Unprocessable):
        pass  # paid off or written off by then: the service refuses it, as it should


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.tuples(contracts(), st.integers(0, 200)), min_size=2, max_size=4),
    st.integers(0, 2**16),
)
def test_a_year_of_stored_history_equals_the_history_recomputed_from_the_ledger(
    client: Any, database: Any, portfolio: list[tuple[dict[str, Any], int]], seed: int
) -> None:
    reset(database)
    today = today_jakarta()
    first = today - timedelta(days=YEAR - 1)
    rng = random.Random(seed)
    numbers = [submit(client) for _ in portfolio]
    with database.transaction() as session:
        found = authenticate(session, demo_key("finance.tono"))
        assert found is not None
        actor = found[0]
        plan = []
        for number, (generated, earlier) in zip(numbers, portfolio, strict=True):
            contract = _shift(generated, (today - generated["horizon"]).days - earlier)
            row = _open(session, number, contract, actor)
            plan += [
                (day, what, event, row) for day, what, event in _plan(contract, first, today, rng)
            ]
        day = first
        while day <= today:
            for _, what, event, row in sorted(
                (p for p in plan if p[0] == day), key=lambda p: (p[1] != "pay", p[2]["on"])
            ):
                _act(session, actor, row, what, event)
            close_business_day(session, day)
            session.expire_all()  # the close writes off in bulk: read the contracts again
            day += timedelta(days=1)

        rules = policy()
        kept = session.scalar(select(func.count()).select_from(PositionSpan))
        day = first
        while day <= today:
            stored = sorted(session.execute(positions_on(session, day, rules)).all())
            assert stored == sorted(session.execute(recomputed(session, day)).all()), day
            if is_month_end(day):
                month_end = session.execute(
                    select(
                        Position.contract_id,
                        Position.business_date,
                        Position.days_past_due,
                        Position.bucket,
                        Position.kol,
                        Position.outstanding_principal,
                    ).where(Position.business_date == day)
                ).all()
                assert sorted(month_end) == stored, day
            day += timedelta(days=1)
        # The history is kept in far fewer rows than a row a contract a day.
        assert kept is not None
        assert kept < len(portfolio) * YEAR / 4
