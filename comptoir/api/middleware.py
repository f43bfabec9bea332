"""Errors that happen before or around the API's handlers still get the contract's JSON body.

Django answers an oversized body, a broken database or a bug with HTML pages of its own; a
client generated from the OpenAPI schema can read none of them. This middleware covers
/api/ and /webhooks/: the store and the e-mail services talk to those.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from comptoir.core.json_errors import error_response

logger = logging.getLogger("comptoir.api")

JSON_BODIES = ("POST", "PUT", "PATCH")
# The one API operation that takes a file rather than JSON.
MULTIPART_PATHS = {"/api/v1/imports"}


def _too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(413, "payload_too_large", f"The body is larger than {limit} bytes.")


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            refused = self._refuse_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def _refuse_body(request) -> JsonResponse | None:
        if request.method not in JSON_BODIES:
            return None
        length = request.META.get("CONTENT_LENGTH") or "0"
        has_body = not length.isdigit() or int(length) > 0
        if not has_body:
            return None
        if request.path.rstrip("/") in MULTIPART_PATHS:
            return None
        if request.content_type != "application/json":
            return error_response(
                415,
                "unsupported_media_type",
                "The body must be JSON, sent as Content-Type: application/json.",
            )
        if length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _too_large()
        return None

    def process_exception(self, request, exception):
        if not request.path.startswith(("/api/", "/webhooks/")):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _too_large()
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable on %s: %s", request.path, exception)
            return error_response(
                503, "database_unavailable", "The database is unavailable; retry later."
            )
        logger.exception("server error on %s", request.path)
        return error_response(500, "server_error", "Something went wrong on our side.")
