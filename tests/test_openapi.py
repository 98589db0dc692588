"""The exported OpenAPI document is the app's, and every operation is documented."""

import json

from fastapi import FastAPI

from app.core.errors import Problem
from app.core.settings import PROJECT_ROOT

EXPORTED = PROJECT_ROOT / "openapi" / "openapi.json"
PUBLIC = {"/healthz", "/readyz"}


def operations(app: FastAPI):
    """Each operation, with the responses it refers to (``$ref``) read where declared."""
    document = app.openapi()
    shared = document["components"]["responses"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = {
                status: shared[response["$ref"].rsplit("/", 1)[1]]
                if "$ref" in response
                else response
                for status, response in operation["responses"].items()
            }
            yield path, method, {**operation, "responses": responses}


def test_exported_document_matches_the_app(app: FastAPI):
    assert EXPORTED.exists(), "run `kredo openapi` (or `make openapi`)"
    exported = json.loads(EXPORTED.read_text())
    assert exported == app.openapi(), "openapi/openapi.json is stale: run `make openapi`"


def test_operation_ids_are_unique_and_stable(app: FastAPI):
    ids = [operation["operationId"] for _, _, operation in operations(app)]
    assert len(ids) == len(set(ids))
    assert "submit_application" in ids
    assert "cancel_contract" in ids


def test_every_operation_has_a_summary_and_its_error_responses(app: FastAPI):
    for path, method, operation in operations(app):
        assert operation.get("summary"), (method, path)
        if path in PUBLIC:
            continue
        responses = operation["responses"]
        for status in ("401", "422"):
            assert status in responses, (method, path, status)
            content = responses[status]["content"]
            assert list(content) == ["application/problem+json"], (method, path)


def test_every_request_body_and_response_has_an_example(app: FastAPI):
    document = app.openapi()
    schemas = document["components"]["schemas"]

    def has_example(schema: dict) -> bool:
        if "examples" in schema or "example" in schema:
            return True
        if "$ref" in schema:
            return has_example(schemas[schema["$ref"].rsplit("/", 1)[1]])
        if "items" in schema:
            return has_example(schema["items"])
        if "anyOf" in schema:
            return any(has_example(option) for option in schema["anyOf"])
        properties = schema.get("properties", {})
        return any(has_example(p) for p in properties.values())

    for path, method, operation in operations(app):
        body = operation.get("requestBody")
        if body:
            (media,) = body["content"].values()
            assert "examples" in media or has_example(media["schema"]), (method, path, "request")
        for status, response in operation["responses"].items():
            for kind, media in response.get("content", {}).items():
                if status.startswith("2") and media.get("schema"):
                    shown = "example" in media or has_example(media["schema"])
                    assert shown, (method, path, status, kind)


def test_transition_endpoints_name_their_transitions(app: FastAPI):
    transitions = {
        operation["operationId"]: operation["x-transitions"]
        for _, _, operation in operations(app)
        if "x-transitions" in operation
    }
    assert transitions["decide"] == ["approve", "reject", "return"]
    assert transitions["cancel_contract"] == ["cancel"]
    assert len(transitions) == 17  # the pre-screening review also ends in "prescreen"


def test_schema_names_are_unique_and_shared_by_input_and_output(app: FastAPI):
    """A generator names its classes by title: two schemas of one title lose one of them, and
    an ``-Input``/``-Output`` pair of one model gives two classes for one thing."""
    schemas = app.openapi()["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert sorted(t for t in titles if titles.count(t) > 1) == []
    assert [name for name in schemas if name.endswith(("-Input", "-Output"))] == []


def test_each_error_status_shows_an_example_of_itself(app: FastAPI):
    examples: dict[str, dict] = {}
    for path, method, operation in operations(app):
        for status, response in operation["responses"].items():
            if int(status) < 400 or path in PUBLIC:
                continue
            media = response["content"]["application/problem+json"]
            example = media["example"]
            Problem.model_validate(example)
            assert example["status"] == int(status), (method, path, status)
            assert examples.setdefault(status, example) == example, (method, path, status)
    assert sorted(map(int, examples)) == [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503]
    assert examples["422"]["errors"], "a 422 names the fields and rules"
    assert examples["422"]["detail"].startswith(examples["422"]["errors"][0]["field"])
    assert examples["409"]["current_state"] in examples["409"]["detail"]
    details = [example["detail"] for example in examples.values()]
    assert len(set(details)) == len(details)
    # Declared once per status, and referred to: not copied into every operation.
    inline = [
        (method, path, status)
        for path, methods in app.openapi()["paths"].items()
        for method, operation in methods.items()
        for status, response in operation["responses"].items()
        if int(status) >= 400 and path not in PUBLIC and "$ref" not in response
    ]
    assert inline == []


def headers_of(app: FastAPI, operation_id: str, status: str) -> set[str]:
    document = app.openapi()
    components = document["components"]["headers"]
    for _, _, operation in operations(app):
        if operation["operationId"] == operation_id:
            headers = operation["responses"][status].get("headers", {})
            for header in headers.values():
                name = header["$ref"].rsplit("/", 1)[1]
                assert components[name]["schema"], name
            return {header["$ref"].rsplit("/", 1)[1] for header in headers.values()}
    raise AssertionError(f"no operation {operation_id}")


def test_response_headers_are_documented_where_they_are_sent(app: FastAPI):
    assert headers_of(app, "submit_application", "201") >= {"Location", "ETag"}
    assert headers_of(app, "assign_survey", "201") >= {"Location"}
    assert "ETag" in headers_of(app, "amend_application", "200")
    for reader in ("get_contract", "track_contract", "track_customer"):
        assert "ETag" in headers_of(app, reader, "200") & headers_of(app, reader, "304")
    for path, method, operation in operations(app):
        taken = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
        for status in operation["responses"]:
            documented = headers_of(app, operation["operationId"], status)
            assert "Content-Language" in documented, (method, path, status)
            replayed = "idempotency-key" in taken and status.startswith("2")
            assert ("Idempotent-Replayed" in documented) == replayed, (method, path, status)
            if status in ("429", "503") and path not in PUBLIC:
                assert "Retry-After" in documented, (method, path, status)


def test_tags_are_described_in_pipeline_order(app: FastAPI):
    document = app.openapi()
    listed = [tag["name"] for tag in document["tags"]]
    assert listed == [
        "stage 1 — application",
        "stage 1 — survey",
        "stage 2 — pre-screening",
        "stage 3 — fatal scores",
        "stage 4 — credit simulation",
        "stage 5 — audit findings",
        "stages 6 and 7 — approval, delivery, disbursement",
        "stage 7 — tracking",
        "contracts",
        "servicing",
        "documents",
        "collection",
        "reference data",
        "users",
        "health",
    ]
    assert all(tag["description"] for tag in document["tags"])
    used = {tag for _, _, operation in operations(app) for tag in operation["tags"]}
    assert used == set(listed)
