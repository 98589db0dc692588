"""Unknown query parameters are refused: a mistyped filter (``?stat=CANCELLED``) must not
silently return the unfiltered list. "Known" means documented in the OpenAPI document."""

from fastapi import Request

from app.core.errors import FieldError, Unprocessable
from app.core.i18n import _


def reject_unknown_query_parameters(request: Request) -> None:
    template = getattr(request.scope.get("route"), "path_format", None)
    operation = (
        request.app.openapi()["paths"].get(template, {}).get(request.method.lower())
        if template
        else None
    )
    if operation is None:
        return
    documented = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    errors = [
        FieldError(field=f"query.{name}", message=_("Unknown parameter."), rule="unknown")
        for name in sorted(set(request.query_params) - set(documented))
    ]
    errors += [
        FieldError(field=f"query.{name}", message=_("Given more than once."), rule="repeated")
        for name, parameter in documented.items()
        if len(request.query_params.getlist(name)) > 1
        and parameter.get("schema", {}).get("type") != "array"
    ]
    if errors:
        allowed = ", ".join(sorted(documented)) or _("none")
        raise Unprocessable(
            _("Query parameters: {problems} This endpoint takes: {allowed}.").format(
                problems="; ".join(f"{e.field}: {e.message}" for e in errors), allowed=allowed
            ),
            errors=errors,
        )
