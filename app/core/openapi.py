"""The OpenAPI document's shared parts: the tags in pipeline order, the response headers the
app sends (declared once under ``components/headers``), and the problem responses (declared
once per status under ``components/responses``, each with its example).

A route names the headers only it sends (``responses={201: sends("Location")}``);
``document_responses`` adds those every operation of a kind sends: ``Content-Language`` on
every answer, ``Idempotent-Replayed`` where an ``Idempotency-Key`` is honoured, ``Retry-After``
on a problem that says when to retry.
"""

from typing import Any

from app.core.i18n import LANGUAGES

TAGS: list[dict[str, str]] = [
    {
        "name": "stage 1 — application",
        "description": "The dealer's or salesman's application: submitted, numbered SUBMITTED, "
        "completed or corrected until pre-screening.",
    },
    {
        "name": "stage 1 — survey",
        "description": "A surveyor visits the applicant: orders by area and workload, the "
        "visit's result and the document checklist.",
    },
    {
        "name": "stage 2 — pre-screening",
        "description": "Duplicate check (new customer or repeat order), the negative list and "
        "its CSV import, and rejection with a reason code.",
    },
    {
        "name": "stage 3 — fatal scores",
        "description": "SLIK (credit bureau) results, knock-out rules and the scorecard, by "
        "versioned rule sets.",
    },
    {
        "name": "stage 4 — credit simulation",
        "description": "Credit packages, quotes, and the terms and schedule chosen for a contract.",
    },
    {
        "name": "stage 5 — audit findings",
        "description": "Internal audit's findings on a contract; a blocking one holds approval. "
        "Auditors only: anyone else gets 404.",
    },
    {
        "name": "stages 6 and 7 — approval, delivery, disbursement",
        "description": "Approval by authority level, the Purchase Order to the dealer, the "
        "vehicle's delivery and the disbursement that makes the contract ACTIVE.",
    },
    {
        "name": "stage 7 — tracking",
        "description": "Where a contract is, who holds it and how long each stage took; the "
        "event feed of every transition.",
    },
    {
        "name": "contracts",
        "description": "Contracts in any stage: the list in your scope, one contract with its "
        "ETag, its log, and withdrawal before disbursement.",
    },
    {
        "name": "servicing",
        "description": "After disbursement: payments and reversals, installments and balances, "
        "the ledger, waivers, refunds, early settlement, restructuring and collateral.",
    },
    {
        "name": "documents",
        "description": "A contract's documents and photos (JPEG, PNG, PDF): handed in by the "
        "roles that produce them, stored by their SHA-256, never overwritten.",
    },
    {
        "name": "collection",
        "description": "Days past due and buckets at each close of business, the portfolio "
        "report and page, the work list, collection actions within the OJK conduct rules, "
        "and the holiday calendar.",
    },
    {
        "name": "reference data",
        "description": "Branches, dealers, survey areas and products: head office writes, "
        "staff read.",
    },
    {
        "name": "users",
        "description": "Who you are and what you may do; users, their API keys and areas.",
    },
    {
        "name": "health",
        "description": "Liveness and readiness, without authentication.",
    },
]

HEADERS: dict[str, dict[str, Any]] = {
    "Content-Language": {
        "description": "The language of the words a person reads in the answer, negotiated "
        "from `Accept-Language`.",
        "required": True,
        "schema": {"type": "string", "enum": list(LANGUAGES)},
    },
    "ETag": {
        "description": "The contract's version: send it as `If-Match` to change the contract "
        "only if nobody has since, or as `If-None-Match` to read it only when changed.",
        "required": True,
        "schema": {"type": "string", "examples": ['W/"JKT01-2026-MC-000042-v3"']},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the answer to an earlier request with the same "
        "`Idempotency-Key`, given again; nothing new was done.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Location": {
        "description": "Where the created resource is read.",
        "required": True,
        "schema": {"type": "string", "examples": ["/v1/contracts/JKT01-2026-MC-000042"]},
    },
    "Repr-Digest": {
        "description": "The SHA-256 of the content (RFC 9530), as kept when handed in.",
        "required": True,
        "schema": {
            "type": "string",
            "examples": ["sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"],
        },
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again (on a 409, only when another "
        "request was changing the contract at the same moment).",
        "schema": {"type": "integer", "minimum": 1},
    },
}
RETRY_STATUSES = ("409", "429", "503")


def _reference(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def sends(*names: str) -> dict[str, Any]:
    """A response's headers for a route's ``responses=``: ``{201: sends("Location", "ETag")}``."""
    return {"headers": {name: _reference(name) for name in names}}


def document_responses(document: dict[str, Any]) -> None:
    """Add the headers every operation of a kind sends, then refer each problem response to
    its status's one declaration."""
    _add_headers(document)
    _share_problems(document)


def _add_headers(document: dict[str, Any]) -> None:
    document.setdefault("components", {})["headers"] = HEADERS
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            taken = {
                parameter["name"].lower()
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "header"
            }
            for status, response in operation["responses"].items():
                named = set(response.get("headers", {}))
                if status.startswith("2") and "idempotency-key" in taken:
                    named.add("Idempotent-Replayed")
                problem = "application/problem+json" in response.get("content", {})
                if status in RETRY_STATUSES and problem:
                    named.add("Retry-After")
                named.add("Content-Language")
                response["headers"] = {name: _reference(name) for name in sorted(named)}


def _share_problems(document: dict[str, Any]) -> None:
    shared: dict[str, dict[str, Any]] = {}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if "application/problem+json" not in response.get("content", {}):
                    continue
                name = f"Problem{status}"
                if shared.setdefault(name, response) == response:
                    operation["responses"][status] = {"$ref": f"#/components/responses/{name}"}
    document["components"]["responses"] = dict(sorted(shared.items()))
