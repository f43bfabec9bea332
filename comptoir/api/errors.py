"""The API's one error shape: 4xx with {"detail": ..., "code": "<machine_code>"} (CONTRACT.md)."""

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import DataError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comptoir.core.pagination import InvalidCursor
from comptoir.core.services import ServiceError


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def forbidden() -> ApiError:
    return ApiError(403, "forbidden", "This token's role does not allow this action.")


def install(api) -> None:
    """Route every exception the API can raise to the contract's error body."""

    def respond(request, status: int, code: str, detail):
        return api.create_response(request, {"detail": detail, "code": code}, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request, exc: ApiError):
        return respond(request, exc.status, exc.code, exc.detail)

    @api.exception_handler(ServiceError)
    def on_service_error(request, exc: ServiceError):
        return respond(request, exc.status, exc.code, exc.message)

    @api.exception_handler(InvalidCursor)
    def on_invalid_cursor(request, exc: InvalidCursor):
        return respond(request, 422, "invalid_cursor", str(exc))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        response = respond(request, 401, "unauthorized", "A valid bearer token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
        return response

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(request, 404, "not_found", "Not found.")

    @api.exception_handler(ValidationError)
    def on_invalid(request, exc: ValidationError):
        return respond(request, 422, "validation_error", exc.errors)

    @api.exception_handler(ModelValidationError)
    def on_model_invalid(request, exc: ModelValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return respond(request, 422, "invalid", detail)

    @api.exception_handler(DataError)
    def on_unstorable(request, exc: DataError):
        # The database refused a value validation let through (a NUL character on
        # PostgreSQL, a number out of range): still the client's input, never a 500.
        return respond(request, 422, "invalid_value", "A value of the request cannot be stored.")

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        codes = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}
        return respond(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))
