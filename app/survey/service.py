"""Survey orders: assignment by area and workload, the surveyor's work list, his result."""

from sqlalchemy import ColumnElement, Select, func, select, true, update
from sqlalchemy.orm import Session, aliased

from app.auth.models import User, UserArea
from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.service import ensure_allowed, transition
from app.contracts.states import Action
from app.core.clock import JAKARTA, now_jakarta, today_jakarta, utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.i18n import _, format_date
from app.core.inputs import STORED
from app.core.pagination import encode_cursor
from app.reference.models import Area
from app.reference.service import area_for_postal_code
from app.survey.models import SurveyOrder
from app.survey.schemas import SurveyOrderOut, SurveyOrderPage, SurveyResultIn

OPEN = "open"


def pick_surveyor(session: Session, area: Area) -> User | None:
    """The active surveyor covering ``area`` with the fewest open orders (then the longest
    registered, so that ties go the same way every time)."""
    workload = (
        select(func.count(SurveyOrder.id))
        .where(SurveyOrder.surveyor_id == User.id, SurveyOrder.status == OPEN)
        .scalar_subquery()
    )
    return session.scalar(
        select(User)
        .join(UserArea, UserArea.user_id == User.id)
        .where(UserArea.area_id == area.id, User.role == Role.SURVEYOR.value, User.active)
        .order_by(workload, User.id)
        .limit(1)
    )


def _named_surveyor(session: Session, username: str, contract: Contract) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.role != Role.SURVEYOR.value or not user.active:
        message = _("{username!r} is not an active surveyor.").format(username=username)
        raise Unprocessable.field("surveyor", message, "not_a_surveyor")
    if user.branch_id != contract.branch_id:
        message = _("{username} works for another branch.").format(username=username)
        raise Unprocessable.field("surveyor", message, "other_branch")
    return user


def assign(
    session: Session,
    principal: Principal,
    contract: Contract,
    surveyor_name: str | None,
    note: str | None,
) -> SurveyOrder:
    """Send a surveyor to the applicant's address; a new order replaces an open one."""
    ensure_allowed(contract, Action.ASSIGN_SURVEY, principal)
    postal_code = contract.application["applicant"]["address"]["postal_code"]
    area = area_for_postal_code(session, postal_code)
    if area is None:
        raise Conflict(
            _("No survey area serves postal code {code} any more.").format(code=postal_code)
        )
    if surveyor_name is not None:
        surveyor = _named_surveyor(session, surveyor_name, contract)
    else:
        found = pick_surveyor(session, area)
        if found is None:
            raise Conflict(
                _("No active surveyor covers {area}; name one with `surveyor`.").format(
                    area=area.name
                )
            )
        surveyor = found
    session.execute(
        update(SurveyOrder)
        .where(SurveyOrder.contract_id == contract.id, SurveyOrder.status == OPEN)
        .values(status="reassigned")
    )
    order = SurveyOrder(
        contract_id=contract.id,
        area_id=area.id,
        surveyor_id=surveyor.id,
        assigned_by_id=principal.user_id,
        automatic=surveyor_name is None,
        note=note,
        status=OPEN,
        assigned_at=utcnow(),
    )
    session.add(order)
    session.flush()
    transition(
        session,
        contract,
        Action.ASSIGN_SURVEY,
        principal,
        reason=note,
        payload={
            "survey_order": order.id,
            "area": area.code,
            "surveyor": surveyor.username,
            "automatic": order.automatic,
        },
    )
    return order


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.SURVEYOR:
        return SurveyOrder.surveyor_id == principal.user_id
    if principal.is_head_office:
        return true()
    return Contract.branch_id == principal.branch_id


def _orders() -> Select[SurveyOrder, Contract, Area, str, str]:
    surveyor, assigner = aliased(User), aliased(User)
    return (
        select(SurveyOrder, Contract, Area, surveyor.username, assigner.username)
        .join(Contract, Contract.id == SurveyOrder.contract_id)
        .join(Area, Area.id == SurveyOrder.area_id)
        .join(surveyor, surveyor.id == SurveyOrder.surveyor_id)
        .join(assigner, assigner.id == SurveyOrder.assigned_by_id)
    )


def _out(
    order: SurveyOrder, contract: Contract, area: Area, surveyor: str, assigner: str
) -> SurveyOrderOut:
    applicant = contract.application["applicant"]
    result = None
    if order.status == "done" and order.visit_date is not None:
        result = SurveyResultIn.model_validate(
            {
                "visit_date": order.visit_date,
                "residence_verified": bool(order.residence_verified),
                "income_verified": bool(order.income_verified),
                "remarks": order.remarks,
                "documents": order.documents,
            },
            context=STORED,
        )
    return SurveyOrderOut(
        id=order.id,
        contract_number=contract.number,
        contract_state=contract.state,
        applicant_name=contract.applicant_name,
        address=applicant["address"],
        phones=applicant["phones"],
        area_code=area.code,
        area_name=area.name,
        surveyor=surveyor,
        assigned_by=assigner,
        automatic=order.automatic,
        note=order.note,
        status=order.status,
        assigned_at=order.assigned_at,
        result=result,
    )


def order_view(session: Session, order_id: int) -> SurveyOrderOut:
    order, contract, area, surveyor, assigner = session.execute(
        _orders().where(SurveyOrder.id == order_id)
    ).one()
    return _out(order, contract, area, surveyor, assigner)


def work_list(
    session: Session, principal: Principal, status: str | None, after: int | None, limit: int
) -> SurveyOrderPage:
    query = _orders().where(_visible(principal))
    if status is not None:
        query = query.where(SurveyOrder.status == status)
    if after is not None:
        query = query.where(SurveyOrder.id > after)
    rows = session.execute(query.order_by(SurveyOrder.id).limit(limit + 1)).all()
    items = [_out(o, c, a, s, by) for o, c, a, s, by in rows[:limit]]
    more = len(rows) > limit
    return SurveyOrderPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


def get_order(session: Session, principal: Principal, order_id: int) -> SurveyOrder:
    order = session.scalar(
        select(SurveyOrder)
        .join(Contract, Contract.id == SurveyOrder.contract_id)
        .where(SurveyOrder.id == order_id, _visible(principal))
    )
    if order is None:
        raise NotFound(_("No survey order {id} of yours.").format(id=order_id))
    return order


def record_result(
    session: Session, principal: Principal, order: SurveyOrder, data: SurveyResultIn
) -> None:
    """The surveyor is back: the visit, what he verified and the documents he collected."""
    contract = session.get_one(Contract, order.contract_id)
    ensure_allowed(contract, Action.RECORD_SURVEY, principal)
    if order.status != OPEN:
        raise Conflict(
            _("Survey order {id} is {status}; only an open order takes a result.").format(
                id=order.id, status=order.status
            )
        )
    assigned_on = order.assigned_at.astimezone(JAKARTA).date()
    if not assigned_on <= data.visit_date <= today_jakarta():
        raise Unprocessable.field(
            "visit_date",
            _("The visit falls between the assignment ({day}) and today.").format(
                day=format_date(assigned_on)
            ),
            "visit_date_range",
        )
    order.visit_date = data.visit_date
    order.residence_verified = data.residence_verified
    order.income_verified = data.income_verified
    order.remarks = data.remarks
    order.documents = data.documents.model_dump(mode="json")
    order.status = "done"
    order.completed_at = now_jakarta()
    session.flush()
    documents = data.documents.model_dump()
    transition(
        session,
        contract,
        Action.RECORD_SURVEY,
        principal,
        payload={
            "survey_order": order.id,
            "residence_verified": data.residence_verified,
            "income_verified": data.income_verified,
            "documents_collected": sorted(k for k, v in documents.items() if v["collected"]),
            "documents_missing": sorted(k for k, v in documents.items() if not v["collected"]),
        },
    )
