"""Collection — positions, the close of business, the portfolio report, collection actions
and consents, the work list, collector assignment, and the national holidays."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.collection import calendar, cob, report, work
from app.collection.models import CollectorAssignment
from app.collection.positions import history_of, policy
from app.collection.schemas import (
    Account,
    AccountList,
    ActionIn,
    ActionList,
    ActionOut,
    AssignmentIn,
    AssignmentOut,
    ClosedDay,
    CloseIn,
    CloseOut,
    ConsentIn,
    HolidayIn,
    HolidayList,
    HolidayOut,
    PortfolioOut,
    PositionOut,
    PositionsOut,
)
from app.contracts.service import get_visible
from app.core.clock import today_jakarta
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import format_date, gettext
from app.core.idempotency import Idempotent
from app.core.inputs import BusinessDate
from app.core.privacy import SEES_PERSONAL_DATA
from app.reminders import service as reminders
from app.reminders.schemas import ReminderConsent, ReminderList

router = APIRouter(prefix="/v1", tags=["collection"])
ScheduleReader = Annotated[Principal, Depends(require(Permission.SCHEDULE_READ))]
Closer = Annotated[Principal, Depends(require(Permission.CLOSE_OF_BUSINESS))]
Reporter = Annotated[Principal, Depends(require(Permission.REPORT_READ))]
Collector = Annotated[Principal, Depends(require(Permission.COLLECTION_WORK))]
HolidayReader = Annotated[Principal, Depends(require(Permission.REFERENCE_READ))]
Assigner = Annotated[Principal, Depends(require(Permission.COLLECTION_ASSIGN))]
ActionReader = Annotated[Principal, Depends(require(Permission.SCHEDULE_READ))]
ConsentTaker = Annotated[Principal, Depends(require(Permission.REMINDER_CONSENT))]


@router.get(
    "/contracts/{number}/positions",
    summary="Days past due, bucket and Kol at each close of business",
    responses=problem_responses(403, 404),
)
def list_positions(number: str, session: DbSession, principal: ScheduleReader) -> PositionsOut:
    contract = get_visible(session, principal, number)
    rows = session.execute(history_of(session, contract, policy()))
    return PositionsOut(contract_number=number, items=[PositionOut.model_validate(r) for r in rows])


@router.post(
    "/collection/close-of-business",
    summary="Close every business day not yet closed, up to the date given",
    responses=problem_responses(403),
)
def close_of_business(data: CloseIn, session: DbSession, _: Closer) -> CloseOut:
    closed = cob.close_through(session, data.business_date, commit_each_day=True)
    return CloseOut(days=[ClosedDay.model_validate(c) for c in closed])


@router.get(
    "/reports/portfolio",
    summary="Buckets, ENR, write-off, recovery, delinquency, flow rates, Kol, roll rates",
    response_model=PortfolioOut,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(403, 409)},
)
def portfolio_report(
    session: DbSession,
    _: Reporter,
    month: Annotated[str, Query(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", examples=["2026-10"])],
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    branch: Annotated[
        str | None, Query(max_length=10, description="One branch's contracts", examples=["JKT01"])
    ] = None,
) -> Any:
    year, number = (int(part) for part in month.split("-"))
    chosen = report.branch_id(session, branch) if branch is not None else None
    data = report.portfolio(session, year, number, chosen)
    if format == "csv":
        return Response(report.as_csv(data), media_type="text/csv")
    return data


@router.post(
    "/contracts/{number}/collection-actions",
    summary="Record a collection action and its result, within the OJK conduct rules",
    status_code=status.HTTP_201_CREATED,
    response_model=ActionOut,
    responses=problem_responses(403, 404, 409),
)
def record_action(
    number: str, data: ActionIn, once: Idempotent, session: DbSession, principal: Collector
) -> JSONResponse:
    def work_() -> tuple[ActionOut, dict[str, str]]:
        contract = get_visible(session, principal, number)
        action = work.record(session, principal, contract, data.model_dump())
        return ActionOut.model_validate(action), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work_)


@router.post(
    "/contracts/{number}/collection-consent",
    summary="Record the debtor's prior consent to be met at another place",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404),
)
def record_consent(
    number: str, data: ConsentIn, session: DbSession, principal: Collector
) -> ConsentIn:
    contract = get_visible(session, principal, number)
    consent = work.record_consent(session, principal, contract, data.place)
    return ConsentIn(place=consent.place)


@router.get(
    "/collection/accounts",
    summary="Accounts in arrears, riskiest first, with the strategy for their bucket",
    responses=problem_responses(403),
)
def collection_accounts(
    session: DbSession,
    principal: Collector,
    bucket: Annotated[
        Literal["1-29", "30-59", "60-89", "90-119", "120-149", "150-179", "180+"] | None, Query()
    ] = None,
    branch: Annotated[str | None, Query(max_length=10, examples=["JKT01"])] = None,
    collector: Annotated[
        str | None, Query(max_length=60, description="Assigned collector's username")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccountList:
    rows = work.work_list(session, principal, limit, bucket, branch, collector)
    return AccountList(items=[Account.model_validate(a) for a in rows])


@router.get(
    "/holidays",
    summary="The year's holidays (no collection contact): national, as head office adjusted them",
    responses=problem_responses(403),
)
def list_holidays(
    session: DbSession,
    _: HolidayReader,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Default: this year (Jakarta)")
    ] = None,
) -> HolidayList:
    days = calendar.calendar(session, [year or today_jakarta().year])
    return HolidayList(
        items=[HolidayOut(day=d, name=name, source=source) for d, (name, source) in days.items()]
    )


@router.put(
    "/holidays",
    summary="Add a holiday (cuti bersama), rename one, or put a national one back",
    responses=problem_responses(403),
)
def set_holiday(data: HolidayIn, session: DbSession, _: Closer) -> HolidayIn:
    calendar.add(session, data.day, data.name)
    return data


@router.delete(
    "/holidays/{day}",
    summary="Take a day off the holiday calendar (a national holiday moved by decree)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
def remove_holiday(day: BusinessDate, session: DbSession, _: Closer) -> Response:
    if not calendar.take_off(session, day):
        raise NotFound(gettext("{day} is not a holiday.").format(day=format_date(day)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/contracts/{number}/collection-actions",
    summary="The contract's collection actions and letters, oldest first",
    responses=problem_responses(403, 404),
)
def list_actions(number: str, session: DbSession, principal: ActionReader) -> ActionList:
    contract = get_visible(session, principal, number)
    return ActionList(
        items=[ActionOut.model_validate(a) for a in work.actions_of(session, contract)],
        reminders=reminders.of_contract(
            session, contract, principal.role in SEES_PERSONAL_DATA, ["sent"]
        ),
    )


@router.put(
    "/contracts/{number}/reminder-consent",
    summary="The debtor gives or withdraws his consent to reminders, per channel",
    responses=problem_responses(403, 404),
)
def set_reminder_consent(
    number: str, data: ReminderConsent, session: DbSession, principal: ConsentTaker
) -> ReminderConsent:
    contract = get_visible(session, principal, number)
    reminders.set_consent(session, principal, contract, data.model_dump())
    return data


@router.get(
    "/contracts/{number}/reminders",
    summary="The contract's reminders of its plan, by day, each with its status",
    responses=problem_responses(403, 404),
)
def list_reminders(number: str, session: DbSession, principal: ActionReader) -> ReminderList:
    contract = get_visible(session, principal, number)
    return ReminderList(
        items=reminders.of_contract(session, contract, principal.role in SEES_PERSONAL_DATA)
    )


@router.put(
    "/contracts/{number}/collector",
    summary="Assign the contract to a collector of its branch (the work list's filter)",
    responses=problem_responses(403, 404),
)
def assign_collector(
    number: str, data: AssignmentIn, session: DbSession, principal: Assigner
) -> AssignmentOut:
    contract = get_visible(session, principal, number)
    assignment: CollectorAssignment = work.assign_collector(
        session, principal, contract, data.collector
    )
    return AssignmentOut(
        contract_number=number, collector=data.collector, assigned_on=assignment.assigned_on
    )
