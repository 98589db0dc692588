"""The ASGI application: ``app.main:app``, made by ``create_app``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp

from app.applications.router import router as applications_router
from app.approval.router import router as approval_router
from app.audit.router import router as audit_router
from app.auth.browser import BrowserSessions
from app.auth.browser import router as browser_router
from app.auth.router import router as auth_router
from app.auth.service import demo_users_exist
from app.auth.throttle import FailedAuthThrottle
from app.collection.page import router as page_router
from app.collection.router import router as collection_router
from app.contracts.router import router as contracts_router
from app.core.admission import WriteAdmission
from app.core.cors import Cors
from app.core.database import LOCK_WAIT_SECONDS, Database
from app.core.docs import install_docs
from app.core.edge import BodyLimit, SecurityHeaders
from app.core.errors import Problem, document_body_limit, install_error_handlers
from app.core.health import router as health_router
from app.core.i18n import LanguageMiddleware, set_default_language
from app.core.inputs import reject_control_characters, require_media_type
from app.core.logging import AccessLogMiddleware, configure_logging
from app.core.openapi import TAGS, document_responses
from app.core.query import reject_unknown_query_parameters
from app.core.settings import Settings, get_settings
from app.documents.router import DOCUMENT_UPLOAD, UPLOAD_FORM_BYTES
from app.documents.router import router as documents_router
from app.documents.storage import store_for
from app.payment_files.router import router as payment_files_router
from app.prescreening.router import router as prescreening_router
from app.reference.router import router as reference_router
from app.scoring.router import router as scoring_router
from app.servicing.router import router as servicing_router
from app.simulation.router import router as simulation_router
from app.slik.router import router as slik_router
from app.survey.router import router as survey_router
from app.tracking.router import router as tracking_router
from app.webhooks.router import router as webhooks_router

DESCRIPTION = """\
Credit origination for motor-vehicle leasing: an application travels from the dealer's
showroom through survey, pre-screening, fatal scores, simulation, audit, approval and
tracking to disbursement, and every disbursed contract feeds collection.

Authenticate with `Authorization: Bearer <api key>`; repeated failures from one address, or
with keys starting alike, are answered 429 with `Retry-After` for a while. Errors are RFC 9457
`application/problem+json`. Money is integer rupiah.

Input is strict: each value only from its own JSON type (an integer from a JSON integer, a
boolean from `true`/`false`, a date from a `YYYY-MM-DD` string); strings are normalised to NFC
and refuse control characters (line breaks and tabs only in notes and reasons) and invisible
ones (zero-width, soft hyphen, byte order mark, bidirectional overrides); business dates lie
in 2000-2100. Each is a 422 naming the field and the rule.
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


class ProductionWithDemoUsers(RuntimeError):
    pass


class Kredo(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's own outermost layer, whose 500 page would otherwise go out
        # without the security headers.
        return SecurityHeaders(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    set_default_language(settings.default_language)
    database = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            if settings.env == "production":
                with database.sessions() as session:
                    if demo_users_exist(session):
                        raise ProductionWithDemoUsers(
                            "Refusing to start in production while demo users exist: "
                            "deactivate them or use a fresh database."
                        )
            yield
        finally:
            database.dispose()

    app = Kredo(
        title="Kredo",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # Served by install_docs from installed files: FastAPI's own pages load from a CDN.
        docs_url=None,
        redoc_url=None,
        dependencies=[
            Depends(require_media_type),
            Depends(reject_unknown_query_parameters),
            Depends(reject_control_characters),
        ],
    )
    app.state.database = database
    app.state.settings = settings
    # One per application: a bucket's client keeps its connections.
    app.state.document_store = store_for(settings)
    app.state.auth_throttle = FailedAuthThrottle(
        settings.auth_failures_allowed, settings.auth_failure_window_seconds
    )
    app.state.browser_sessions = BrowserSessions.from_settings(settings)
    install_error_handlers(app)
    install_docs(app)
    # Added first, so it runs inside the access log: a refused body is logged like any request.
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        # A document's upload: the file and the form around it.
        larger={DOCUMENT_UPLOAD: settings.document_max_bytes + UPLOAD_FORM_BYTES},
    )
    app.add_middleware(
        WriteAdmission, writers=database.writer_slots, wait_seconds=LOCK_WAIT_SECONDS
    )
    # Outside the limit and the admission, so their 413 and 503 reach a browser on another
    # origin readable, and the JSON compressed; inside the access log, which logs preflights.
    # Pages are not compressed: one holding a CSRF token beside reflected input would let its
    # compressed size give the token away (BREACH).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "text/html"),
    )
    if settings.cors_origins:
        app.add_middleware(Cors, origins=settings.cors_origins)
    app.add_middleware(AccessLogMiddleware)
    # Outermost of the app's own layers: every answer, a refused body's included, is worded
    # in the request's language.
    app.add_middleware(LanguageMiddleware)
    for router in (
        health_router,
        auth_router,
        reference_router,
        applications_router,
        contracts_router,
        documents_router,
        survey_router,
        prescreening_router,
        scoring_router,
        simulation_router,
        audit_router,
        approval_router,
        tracking_router,
        webhooks_router,
        servicing_router,
        payment_files_router,
        collection_router,
        slik_router,
        page_router,
        browser_router,
    ):
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=TAGS,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(problem.pop("$defs", {}))
            components["Problem"] = problem
            document_body_limit(schema)
            document_responses(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
