"""The SLIK debtor report and its code lists."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import func, select

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.core.dependencies import DbSession
from app.core.errors import Unprocessable, problem_responses
from app.core.i18n import gettext
from app.slik import service
from app.slik.models import SlikCode
from app.slik.schemas import CodeList, SlikCodeIn, SlikCodeList, SlikCodeOut, SlikReportOut

router = APIRouter(prefix="/v1")
Reporter = Annotated[Principal, Depends(require(Permission.SLIK_REPORT))]
CodeReader = Annotated[Principal, Depends(require(Permission.REFERENCE_READ))]
CodeWriter = Annotated[Principal, Depends(require(Permission.REFERENCE_WRITE))]
Code = Annotated[str, Path(pattern=r"^[0-9A-Z]{1,10}$", examples=["0391"])]


@router.get(
    "/reports/slik/{month}",
    tags=["collection"],
    summary="The month's SLIK debtor report (a correction when it was reported before)",
    description="For a closed month-end: a file per segment (header, D01, D02, F01, A01, P01, "
    "M01), every row validated first — any problem answers 422 with the list and nothing is "
    "kept. What the answer reports is kept as the month's reported rows, so asking again gives "
    "the correction: only the rows changed since (U), new (C) or gone (D); none, a header each.",
    response_model=SlikReportOut,
    responses=problem_responses(403, 409, 422),
)
def slik_report(
    session: DbSession,
    _: Reporter,
    month: Annotated[str, Path(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", examples=["2026-10"])],
) -> SlikReportOut:
    report = service.produce(session, *service.month_of(month))
    return SlikReportOut.model_validate(asdict(report))


@router.get(
    "/slik/codes",
    tags=["reference data"],
    summary="The SLIK report's code lists (regions, sectors, debtor, facility, collateral kinds)",
    response_model=SlikCodeList,
    responses=problem_responses(403),
)
def list_codes(
    session: DbSession, _: CodeReader, list: Annotated[CodeList | None, Query()] = None
) -> SlikCodeList:
    query = select(SlikCode).order_by(SlikCode.list, SlikCode.code)
    if list is not None:
        query = query.where(SlikCode.list == list)
    return SlikCodeList(items=[SlikCodeOut.model_validate(row) for row in session.scalars(query)])


@router.put(
    "/slik/codes/{list}/{code}",
    tags=["reference data"],
    summary="Add a code to a list, or change its label, what it stands for, or retire it",
    response_model=SlikCodeOut,
    responses=problem_responses(403, 422),
)
def put_code(
    session: DbSession, _: CodeWriter, list: CodeList, code: Code, data: SlikCodeIn
) -> SlikCodeOut:
    if data.active and data.maps is not None:
        taken = session.scalar(
            select(SlikCode.code).where(
                SlikCode.list == list,
                SlikCode.code != code,
                SlikCode.active,
                func.lower(SlikCode.maps) == data.maps.strip().lower(),
            )
        )
        if taken is not None:
            raise Unprocessable.field(
                "body.maps",
                gettext("{maps} already stands for code {code} of this list.").format(
                    maps=data.maps, code=taken
                ),
                "maps_taken",
            )
    row = session.get(SlikCode, (list, code))
    if row is None:
        row = SlikCode(list=list, code=code)
        session.add(row)
    row.label, row.maps, row.active = data.label, data.maps, data.active
    session.flush()
    return SlikCodeOut.model_validate(row)
