"""A client generated from ``openapi/openapi.json`` by openapi-python-client, with nothing
written by hand, has every operation and drives a whole pipeline against a real server: the
document is complete and exact enough for a real generator. Every answer's headers are checked
against the document too: what it documents is sent, what is sent is documented."""

import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from app.core.clock import today_jakarta
from app.core.database import Database
from app.core.settings import PROJECT_ROOT
from app.demo import demo_key
from tests.conftest import application

DOCUMENT = PROJECT_ROOT / "openapi" / "openapi.json"
CONFIG = PROJECT_ROOT / "openapi" / "openapi-python-client.yaml"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CHECKED_HEADERS = {"location", "etag", "idempotent-replayed", "retry-after", "content-language"}
TODAY = today_jakarta()
DOCUMENTS = (
    "contract",
    "guarantee_statement",
    "receipt",
    "different_signature_statement",
    "vehicle_checklist",
)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package, generated once per run; any warning (an operation or a model the
    generator could not make) fails it."""
    folder = tmp_path_factory.mktemp("generated")
    command = [
        str(GENERATOR),
        "generate",
        "--path", str(DOCUMENT),
        "--config", str(CONFIG),
        "--meta", "none",
        "--output-path", str(folder / "kredo_client"),
        "--fail-on-warning",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("kredo_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.partition(".")[0] == "kredo_client"]:
            del sys.modules[name]


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return loaded


def operation_modules(package: ModuleType) -> dict[str, ModuleType]:
    """Each generated operation module by its name, which is the operation's id."""
    api = importlib.import_module(f"{package.__name__}.api")
    modules = {}
    for found in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        if not found.ispkg:
            modules[found.name.rsplit(".", 1)[1]] = importlib.import_module(found.name)
    return modules


def test_every_operation_is_generated(generated: ModuleType):
    ids = {
        operation["operationId"]
        for operations in document()["paths"].values()
        for operation in operations.values()
    }
    assert set(operation_modules(generated)) == ids
    assert "import_negative_list" in ids


class Pipeline:
    """Calls the generated client as each demo user, and checks every answer's status and
    headers against the document."""

    def __init__(self, package: ModuleType, base_url: str) -> None:
        self.package = package
        self.base_url = base_url
        self.operations = operation_modules(package)
        self.models = importlib.import_module(f"{package.__name__}.models")
        spec = document()
        self.header_components = spec["components"]["headers"]
        self.documented = {
            operation["operationId"]: operation["responses"]
            for operations in spec["paths"].values()
            for operation in operations.values()
        }

    def model(self, name: str, data: dict[str, Any]) -> Any:
        return getattr(self.models, name).from_dict(data)

    def call(self, user: str, operation_id: str, status: int = 200, **arguments: Any) -> Any:
        client = self.package.AuthenticatedClient(
            base_url=self.base_url,
            token=demo_key(user),
            raise_on_unexpected_status=True,
            headers={"Accept-Language": "en"},
        )
        with client:
            response = self.operations[operation_id].sync_detailed(client=client, **arguments)
        assert response.status_code == status, (operation_id, response.content)
        self.check_headers(operation_id, status, response.headers)
        return response

    def check_headers(self, operation_id: str, status: int, sent: Any) -> None:
        responses = self.documented[operation_id]
        documented = {
            reference["$ref"].rsplit("/", 1)[1]
            for reference in responses[str(status)].get("headers", {}).values()
        }
        for name in documented:
            if self.header_components[name].get("required"):
                assert name in sent, (operation_id, status, name)
        given = {name.lower() for name in sent} & CHECKED_HEADERS
        assert given <= {name.lower() for name in documented}, (operation_id, status, given)


def test_a_generated_client_drives_the_whole_pipeline(
    generated: ModuleType, live_server: str, database: Database
):
    api = Pipeline(generated, live_server)
    number = submit_and_replay(api)

    read = api.call("cs.dewi", "get_contract", number=number)
    amended = api.call(
        "cs.dewi",
        "amend_application",
        number=number,
        body=api.model("AmendApplicationPatch", {"vehicle": {"colour": "Merah"}}),
        if_match=read.headers["ETag"],
    )
    assert amended.parsed.application.vehicle.colour == "Merah"
    etag = amended.headers["ETag"]
    unchanged = api.call("cs.dewi", "get_contract", 304, number=number, if_none_match=etag)
    assert unchanged.headers["ETag"] == etag

    order = api.call(
        "ca.rina", "assign_survey", 201, number=number, body=api.model("SurveyOrderIn", {})
    )
    assert order.headers["Location"] == f"/v1/survey-orders/{order.parsed.id}"
    api.call(
        order.parsed.surveyor,
        "record_survey_result",
        order_id=order.parsed.id,
        body=api.model(
            "SurveyResultIn",
            {
                "visit_date": TODAY.isoformat(),
                "residence_verified": True,
                "income_verified": True,
                "documents": {name: {"collected": True} for name in DOCUMENTS},
            },
        ),
    )

    # The negative list, imported as CSV (the one raw body of the API), names someone else.
    csv = (
        "subject,category,full_name,nik,birth_date\n"
        "person,fraud,Bambang Hermawan,3171011708750003,1975-08-17\n"
    )
    imported = api.call(
        "admin.sari",
        "import_negative_list",
        body=generated.types.File(payload=csv.encode(), file_name="negative.csv"),
    )
    assert imported.parsed.imported == 1, imported.content

    prescreened = api.call("ca.rina", "prescreen_contract", number=number)
    assert prescreened.parsed.contract_state == "PRESCREENED"
    scored = api.call(
        "ca.rina", "score_contract", number=number, body=api.model("FatalScoresIn", {})
    )
    assert scored.parsed.contract_state == "SCORED"
    simulated = api.call(
        "ca.rina",
        "choose_simulation",
        number=number,
        body=api.model(
            "ContractSimulationIn",
            {"package_code": f"MC-REG-{TODAY.year}", "tenor_months": 24, "down_payment": 6_000_000},
        ),
    )

    finding = api.call(
        "auditor.yuni",
        "raise_finding",
        201,
        number=number,
        body=api.model(
            "FindingIn",
            {"parameter": "income", "remark": "Slip gaji dicek ulang", "severity": "blocking"},
        ),
    )
    api.call(
        "auditor.yuni",
        "resolve_finding",
        number=number,
        finding_id=finding.parsed.id,
        body=api.model("ResolutionIn", {"resolution": "Rekening koran diterima"}),
    )

    api.call(
        "ca.rina", "request_approval", 201, number=number, body=api.model("ApprovalRequestIn", {})
    )
    approved = api.call(
        "approver.hendra",
        "decide",
        number=number,
        body=api.model("DecisionIn", {"decision": "approve"}),
    )
    po_number = approved.parsed.purchase_order
    po = api.call("dealer.sinar", "get_purchase_order", number=po_number)
    assert (po.parsed.amount_to_dealer, po.parsed.status) == (14_000_000, "open")
    api.call(
        "dealer.sinar",
        "deliver",
        number=number,
        body=api.model(
            "DeliveryIn",
            {
                "delivered_on": TODAY.isoformat(),
                "chassis_number": "MH1JM8117PK654321",
                "engine_number": "JM81E7654321",
                "invoice_number": "INV/SMK/0042",
                "invoice_amount": 20_000_000,
            },
        ),
    )
    paid_out = api.call(
        "finance.tono",
        "disburse",
        number=number,
        body=api.model(
            "DisbursementIn",
            {"amount": 14_000_000, "reference": "TRF-BCA-88123", "disbursed_on": TODAY.isoformat()},
        ),
    )
    assert paid_out.parsed.status == "fulfilled"

    installment = simulated.parsed.installment
    payment = api.model(
        "PaymentIn",
        {
            "contract_number": number,
            "amount": installment,
            "paid_on": TODAY.isoformat(),
            "reference": "VA-8808-0042-0001",
        },
    )
    posted = api.call(
        "finance.tono", "post_payment", 201, body=payment, idempotency_key="client-payment-1"
    )
    again = api.call(
        "finance.tono", "post_payment", 201, body=payment, idempotency_key="client-payment-1"
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.parsed.to_dict() == posted.parsed.to_dict()
    payments = api.call("finance.tono", "list_payments", number=number)
    assert [p.amount for p in payments.parsed.items] == [installment]

    active = api.call("cs.dewi", "get_contract", number=number)
    assert active.parsed.state == "ACTIVE"
    tracked = api.call("cs.dewi", "track_contract", number=number)
    story = [event.action for event in tracked.parsed.events]
    assert story[-4:] == ["approve", "deliver", "disburse", "payment"]


def submit_and_replay(api: Pipeline) -> str:
    """The dealer submits; the same request again with its key is answered as the first."""
    body = api.model(
        "ApplicationIn", application(applicant={"marital_status": "single", "spouse": None})
    )
    first = api.call(
        "dealer.sinar", "submit_application", 201, body=body, idempotency_key="client-application-1"
    )
    number: str = first.parsed.number
    assert first.headers["Location"] == f"/v1/contracts/{number}"
    assert "Idempotent-Replayed" not in first.headers
    again = api.call(
        "dealer.sinar", "submit_application", 201, body=body, idempotency_key="client-application-1"
    )
    assert (again.parsed.number, again.headers["Idempotent-Replayed"]) == (number, "true")
    assert again.headers["ETag"] == first.headers["ETag"]
    return number
