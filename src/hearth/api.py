"""The REST API at ``/api/v1/``: one NinjaAPI, one router per app, JSON errors.

Every error answers ``{"detail": …, "code": …}`` with the right status.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from hearth.workspaces import services


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = services.authenticate_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Hearth API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request, status: int, detail, code: str):
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(
        request,
        401,
        "Authentication required: send 'Authorization: Bearer <token>'.",
        "unauthenticated",
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.", "not_found")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or "Forbidden.", "forbidden")


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _error(request, 422, detail, "invalid")


@api.exception_handler(NinjaValidationError)
def _invalid_request(request, exc):
    return _error(request, 422, exc.errors, "invalid")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _error(request, exc.status_code, str(exc), getattr(exc, "code", "error"))


def _register_routers() -> None:
    # Explicit list, no discovery by file name.
    from hearth.workspaces.api import router as workspaces_router

    api.add_router("/", workspaces_router)
    from hearth.content.api import router as content_router

    api.add_router("/", content_router)
    from hearth.strategy.api import router as strategy_router

    api.add_router("/", strategy_router)
    from hearth.leads.api import router as leads_router

    api.add_router("/", leads_router)
    api.add_router("/", "hearth.links.api.router")
    api.add_router("/", "hearth.metrics.api.router")


_register_routers()
