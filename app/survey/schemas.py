"""Survey orders and survey results on the wire."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from app.core.i18n import N_
from app.core.inputs import BusinessDate, FreeText, RequestModel


class SurveyOrderIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{}, {"surveyor": "surveyor.agus", "note": "Urgent"}]},
    )

    surveyor: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="Username; leave out to pick by area and workload",
    )
    note: FreeText | None = Field(default=None, max_length=500)


class DocumentCheck(RequestModel):
    collected: StrictBool
    remark: FreeText | None = Field(default=None, max_length=500)
    document_id: StrictInt | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="The collected document's file, handed in at /v1/contracts/{number}/documents",
    )

    @model_validator(mode="after")
    def _why_not(self) -> "DocumentCheck":
        if not self.collected and not (self.remark and self.remark.strip()):
            raise ValueError(N_("say why the document was not collected"))
        if not self.collected and self.document_id is not None:
            raise ValueError(N_("a document not collected has no file"))
        return self


class SurveyDocuments(RequestModel):
    """The checklist the surveyor brings back besides the application form."""

    contract: DocumentCheck = Field(description="Kontrak")
    guarantee_statement: DocumentCheck = Field(description="Surat pernyataan penjaminan")
    receipt: DocumentCheck = Field(description="Kuitansi")
    different_signature_statement: DocumentCheck = Field(
        description="Pernyataan beda tanda tangan di KTP"
    )
    vehicle_checklist: DocumentCheck = Field(description="Check list kendaraan")


class SurveyResultIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "visit_date": "2026-11-23",
                    "residence_verified": True,
                    "income_verified": True,
                    "remarks": "Rumah milik sendiri, usaha warung di depan rumah.",
                    "documents": {
                        "contract": {"collected": True},
                        "guarantee_statement": {"collected": True},
                        "receipt": {"collected": True},
                        "different_signature_statement": {
                            "collected": False,
                            "remark": "Tanda tangan sama dengan KTP",
                        },
                        "vehicle_checklist": {"collected": True},
                    },
                }
            ]
        },
    )

    visit_date: BusinessDate
    residence_verified: StrictBool
    income_verified: StrictBool
    remarks: FreeText | None = Field(default=None, max_length=2000)
    documents: SurveyDocuments


class SurveyOrderOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "contract_number": "JKT01-2026-MC-000042",
                    "contract_state": "SURVEY_ASSIGNED",
                    "applicant_name": "Siti Rahmawati",
                    "address": {"street": "Jl. Kramat Raya No. 12", "kelurahan": "Kenari",
                                "kecamatan": "Senen", "city": "Jakarta Pusat",
                                "province": "31", "postal_code": "10430"},
                    "phones": [{"kind": "mobile", "number": "+6281234567890"}],
                    "area_code": "JKT-PST",
                    "area_name": "Jakarta Pusat",
                    "surveyor": "surveyor.agus",
                    "assigned_by": "ca.rina",
                    "automatic": True,
                    "note": None,
                    "status": "open",
                    "assigned_at": "2026-11-22T09:00:00Z",
                    "result": None,
                }
            ]
        }
    )  # fmt: skip

    id: int
    contract_number: str
    contract_state: str
    applicant_name: str
    address: dict[str, Any]
    phones: list[dict[str, Any]]
    area_code: str
    area_name: str
    surveyor: str
    assigned_by: str
    automatic: bool
    note: str | None
    status: str = Field(description="open, done, or reassigned (replaced by a newer order)")
    assigned_at: datetime
    result: SurveyResultIn | None


class SurveyOrderPage(BaseModel):
    items: list[SurveyOrderOut]
    next_cursor: str | None
