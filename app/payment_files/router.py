"""Settlement files (`/v1/payment-files`) and their suspense (`/v1/suspense`): finance."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.dependencies import require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.core.dependencies import DbSession
from app.core.errors import problem_responses
from app.core.i18n import _
from app.core.pagination import RowId, decode_cursor, encode_cursor
from app.payment_files import layouts, service
from app.payment_files.models import PaymentFile, PaymentFileLine
from app.payment_files.schemas import (
    LayoutOut,
    MatchIn,
    PaymentFileOut,
    SuspenseLineOut,
    SuspensePage,
    TallyOut,
)

router = APIRouter(prefix="/v1", tags=["servicing"])
Finance = Annotated[Principal, Depends(require(Permission.PAYMENT_FILE))]
SHOWN_SUSPENSE = 100


def lines_out(session: Session, lines: list[PaymentFileLine]) -> list[SuspenseLineOut]:
    facts = service.contract_facts(session, {x.contract_id for x in lines if x.contract_id})
    out = []
    for line in lines:
        number, state = facts.get(line.contract_id or 0, (None, None))
        out.append(
            SuspenseLineOut(
                id=line.id,
                file_id=line.file_id,
                channel=line.channel,
                line=line.line,
                reference=line.reference,
                virtual_account=line.virtual_account,
                amount=line.amount,
                paid_on=line.paid_on,
                status=line.status,
                reason=line.reason,
                message=service.suspense_message(line, number, state),
                contract_number=number,
            )
        )
    return out


def file_out(session: Session, upload: PaymentFile) -> PaymentFileOut:
    tally = service.summary(session, upload)
    waiting = list(
        session.scalars(
            select(PaymentFileLine)
            .where(PaymentFileLine.file_id == upload.id, PaymentFileLine.status == "suspense")
            .order_by(PaymentFileLine.line)
            .limit(SHOWN_SUSPENSE)
        )
    )

    def out(t: service.Tally) -> TallyOut:
        return TallyOut(lines=t.lines, amount=t.amount)

    return PaymentFileOut(
        id=upload.id,
        channel=upload.channel,
        filename=upload.filename,
        sha256=upload.sha256,
        uploaded_by=tally.uploaded_by,
        uploaded_at=upload.uploaded_at,
        lines=out(tally.lines),
        posted=out(tally.posted),
        recoveries=out(tally.recoveries),
        suspense=out(tally.suspense),
        matched=out(tally.matched),
        duplicates=out(tally.duplicates),
        reconciled=tally.reconciled,
        suspense_lines=lines_out(session, waiting),
    )


@router.get("/payment-files/layouts", summary="The settlement-file layouts, per channel",
            responses=problem_responses(403))  # fmt: skip
def list_layouts(_principal: Finance) -> list[LayoutOut]:
    return [
        LayoutOut(
            channel=x.channel,
            title=_(x.title),
            payment_method=x.method,
            delimiter=x.delimiter,
            columns=x.headers,
            date_format=x.date_format,
            indonesian_amounts=x.indonesian_amounts,
        )
        for x in layouts.LAYOUTS.values()
    ]


@router.post(
    "/payment-files",
    summary="Post a bank's or payment point's settlement file: each line matched by its "
    "virtual account, posted once per bank reference, the rest to suspense",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403),
)
def upload_payment_file(
    session: DbSession,
    principal: Finance,
    channel: Annotated[str, Query(description="The layout: bank_va, convenience_store",
                                  max_length=30)],
    csv_text: Annotated[
        str,
        Body(
            media_type="text/csv",
            description="The file as the bank or store sent it (GET /v1/payment-files/layouts "
            "gives each channel's columns)",
            json_schema_extra={"format": "binary"},
            examples=["TANGGAL;NO VA;NOMINAL;NO REFERENSI\n"
                      "23/11/2026;8808000000000429;825.000,00;BCA2611230001\n"],
        ),
    ],
    filename: Annotated[str | None, Query(max_length=200)] = None,
) -> PaymentFileOut:  # fmt: skip
    upload = service.import_file(session, principal, channel, csv_text, filename)
    return file_out(session, upload)


@router.get("/payment-files/{file_id}", summary="A settlement file's reconciliation",
            responses=problem_responses(403, 404))  # fmt: skip
def read_payment_file(file_id: RowId, session: DbSession, _principal: Finance) -> PaymentFileOut:
    return file_out(session, service.get_file(session, file_id))


@router.get("/suspense", summary="Lines of settlement files waiting for finance, oldest first",
            responses=problem_responses(403))  # fmt: skip
def list_suspense(
    session: DbSession,
    _principal: Finance,
    file_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    after: Annotated[str | None, Query(description="A cursor from this list")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> SuspensePage:
    last = decode_cursor(after) or 0
    query = (
        select(PaymentFileLine)
        .where(PaymentFileLine.status == "suspense", PaymentFileLine.id > last)
        .order_by(PaymentFileLine.id)
        .limit(limit)
    )
    if file_id is not None:
        query = query.where(PaymentFileLine.file_id == file_id)
    lines = list(session.scalars(query))
    return SuspensePage(
        items=lines_out(session, lines),
        next_cursor=encode_cursor(lines[-1].id) if len(lines) == limit else None,
    )


@router.post(
    "/suspense/{line_id}/match",
    summary="Post a line in suspense to the contract finance names",
    responses=problem_responses(403, 404, 409),
)
def match_suspense(
    line_id: RowId, data: MatchIn, session: DbSession, principal: Finance
) -> SuspenseLineOut:
    line = service.match(session, principal, line_id, data.contract_number)
    return lines_out(session, [line])[0]
