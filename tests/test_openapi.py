"""The exported OpenAPI document is the app's, and every operation is documented."""

import json

from fastapi import FastAPI

from app.core.settings import PROJECT_ROOT

EXPORTED = PROJECT_ROOT / "openapi" / "openapi.json"
PUBLIC = {"/healthz", "/readyz"}


def operations(app: FastAPI):
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


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
    assert len(transitions) == 14
