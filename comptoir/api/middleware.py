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
from django.http.multipartparser import MultiPartParserError

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
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        refused = self._refuse_body(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code == 404 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            # No route matched (`/contacts/false/tags/x`: an id must be a number), so Django
            # answered with its HTML page, before any API code ran.
            return error_response(404, "not_found", "Not found.")
        return response

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
        # Every body of the API is an object; ninja would read a list's missing keys as
        # absent fields and accept `[null]` as an empty change. A look at the first byte
        # costs nothing next to parsing the body twice.
        try:
            body = request.body
        except RequestDataTooBig:
            return _too_large()
        if body.lstrip()[:1] != b"{":
            return error_response(422, "invalid_body", "The body must be a JSON object.")
        return None

    def process_exception(self, request, exception):
        if not request.path.startswith(("/api/", "/webhooks/")):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _too_large()
        if isinstance(exception, MultiPartParserError):
            # A file upload whose Content-Type has no boundary, or a body that is no form.
            return error_response(400, "invalid_multipart", f"The form cannot be read: {exception}")
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable on %s: %s", request.path, exception)
            return error_response(
                503, "database_unavailable", "The database is unavailable; retry later."
            )
        logger.exception("server error on %s", request.path)
        return error_response(500, "server_error", "Something went wrong on our side.")
