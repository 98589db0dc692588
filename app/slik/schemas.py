"""The SLIK report's and its code lists' shapes."""

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.core.inputs import RequestModel
from app.slik.layout import LISTS

CodeList = Literal["debtor_kind", "facility_kind", "collateral_kind", "region", "sector",
                   "occupation", "branch"]  # fmt: skip
assert set(get_args(CodeList)) == set(LISTS)


class SegmentFileOut(BaseModel):
    name: str = Field(examples=["0201.999001.2026.10.F01.0.txt"])
    segment: str = Field(examples=["F01"])
    rows: int = Field(description="Rows after the header line")
    content: str = Field(description="The file: a header line, then one pipe-delimited row each")


class SlikReportOut(BaseModel):
    month: str = Field(examples=["2026-10"])
    kind: Literal["original", "correction"] = Field(
        description="original: the month's first report, every row (operation C); correction: "
        "only the rows changed since it was reported (U changed, C new, D gone)"
    )
    guideline: str
    guideline_version: str
    reporter_type: str = Field(examples=["0201"])
    rows_validated: int = Field(description="Every row of the month, each checked first")
    files: list[SegmentFileOut]


class SlikCodeIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"label": "Kota Jakarta Pusat", "maps": "jakarta pusat", "active": True}]
        },
    )

    label: str = Field(min_length=1, max_length=200)
    maps: str | None = Field(
        default=None,
        max_length=100,
        description="Our value it stands for: a city, a product code, person/company, an "
        "occupation",
    )
    active: StrictBool = True


class SlikCodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    list: CodeList = Field(examples=["region"])
    code: str = Field(examples=["0391"])
    label: str = Field(examples=["Kota Jakarta Pusat"])
    maps: str | None = Field(examples=["jakarta pusat"])
    active: bool


class SlikCodeList(BaseModel):
    items: list[SlikCodeOut]
