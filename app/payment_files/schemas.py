"""What the settlement-file endpoints take and give."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import RequestModel


class TallyOut(BaseModel):
    lines: int
    amount: int = Field(description="Rupiah")


SUSPENSE_EXAMPLE: dict[str, Any] = {
    "id": 31,
    "file_id": 7,
    "channel": "bank_va",
    "line": 4,
    "reference": "BCA2611230003",
    "virtual_account": "8808009999999991",
    "amount": 300_000,
    "paid_on": "2026-11-23",
    "status": "suspense",
    "reason": "unknown_va",
    "message": "No contract has the virtual account 8808009999999991.",
    "contract_number": None,
}


class SuspenseLineOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SUSPENSE_EXAMPLE]})

    id: int
    file_id: int
    channel: str
    line: int = Field(description="Line of the file (the header is line 1)")
    reference: str = Field(description="The bank's or store's reference")
    virtual_account: str = Field(description="As the file wrote it")
    amount: int
    paid_on: date
    status: str = Field(description="suspense, or matched once finance matched it")
    reason: str | None = Field(description="The rule that sent it to suspense")
    message: str
    contract_number: str | None = Field(description="The contract it names or was matched to")


class PaymentFileOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "channel": "bank_va",
                    "filename": "va-20261123.csv",
                    "sha256": "9f2c...",
                    "uploaded_by": "finance.tono",
                    "uploaded_at": "2026-11-23T09:00:00Z",
                    "lines": {"lines": 5, "amount": 3_300_000},
                    "posted": {"lines": 3, "amount": 2_475_000},
                    "recoveries": {"lines": 1, "amount": 825_000},
                    "suspense": {"lines": 1, "amount": 400_000},
                    "matched": {"lines": 0, "amount": 0},
                    "duplicates": {"lines": 1, "amount": 425_000},
                    "reconciled": True,
                    "suspense_lines": [SUSPENSE_EXAMPLE],
                }
            ]
        }
    )

    id: int
    channel: str
    filename: str | None
    sha256: str = Field(description="Of the file as received")
    uploaded_by: str
    uploaded_at: datetime
    lines: TallyOut = Field(description="Every line of the file")
    posted: TallyOut = Field(description="Posted to their contracts when the file came")
    recoveries: TallyOut = Field(
        description="Of the posted and matched lines, those on written-off contracts"
    )
    suspense: TallyOut = Field(description="Waiting for finance (GET /v1/suspense)")
    matched: TallyOut = Field(description="Taken out of suspense by finance, and posted")
    duplicates: TallyOut = Field(
        description="A bank reference already taken (in this file or an earlier one): "
        "never posted twice"
    )
    reconciled: bool = Field(
        description="lines = posted + suspense + matched + duplicates, in lines and in rupiah"
    )
    suspense_lines: list[SuspenseLineOut] = Field(
        description="The file's lines still in suspense (the first 100)"
    )


class SuspensePage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [SUSPENSE_EXAMPLE], "next_cursor": None}]}
    )

    items: list[SuspenseLineOut]
    next_cursor: str | None


class MatchIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"contract_number": "JKT01-2026-MC-000042"}]}
    )

    contract_number: str = Field(min_length=1, max_length=40)


class LayoutOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "bank_va",
                    "title": "Bank virtual-account report",
                    "payment_method": "virtual_account",
                    "delimiter": ";",
                    "columns": {"paid_on": "TANGGAL", "virtual_account": "NO VA",
                                "amount": "NOMINAL", "reference": "NO REFERENSI"},
                    "date_format": "%d/%m/%Y",
                    "indonesian_amounts": True,
                }
            ]
        }
    )  # fmt: skip

    channel: str
    title: str
    payment_method: str
    delimiter: str
    columns: dict[str, str] = Field(description="Our field -> the file's column header")
    date_format: str
    indonesian_amounts: bool
