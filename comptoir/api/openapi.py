"""The OpenAPI schema tells every status an operation can answer, with the error body.

ninja documents only what a handler declares (its 200 or 201); the errors come from layers
around it (authentication, roles, validation, the middleware), the same for every
operation. They are added here, from what each operation is, rather than repeated in 59
decorators that would drift apart.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from comptoir.api.commerce_schemas import EXTERNAL_ID
from comptoir.api.operation_names import SUMMARIES

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"description": "A message for people: a string, or the fields' errors."},
        "code": {"type": "string", "description": "A machine code, e.g. `validation_error`."},
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

WHEN = {
    400: "The body cannot be read: not JSON, a NUL byte, a bad encoding.",
    401: "No valid bearer token (`unauthorized`).",
    403: "The token's role does not allow it (`forbidden`), or a rule refuses it.",
    404: "No such object in the token's workspace (`not_found`).",
    409: "The request conflicts with the current state (e.g. `duplicate_email`).",
    414: "The URL is too long for the server (its own HTML page).",
    413: "The body is larger than 10 MB (`payload_too_large`).",
    415: "The body is not sent as `application/json` (`unsupported_media_type`).",
    422: "A value is missing or invalid (`validation_error`, `invalid_cursor`, …).",
    500: "A fault on our side (`server_error`).",
    503: "The database is unavailable; retry later (`database_unavailable`).",
}
WRITES = {"post", "put", "patch", "delete"}
# gunicorn answers a request line over 4,094 bytes itself, before Django: its own page.
SERVER_PAGE = {"text/html": {"schema": {"type": "string"}}}

# Path parameters whose rules the handlers check, to answer their own 422 codes.
PATH_RULES = {
    # The store's ids (422 `invalid_external_id`).
    "external_id": EXTERNAL_ID,
    "token": EXTERNAL_ID,
}
SAVED_SEGMENT = {
    "type": "string",
    "pattern": "^[0-9]{1,18}$",
    "description": "A saved segment's number: built-in segments cannot be changed "
    "(422 `builtin_segment`).",
}


def _statuses(method: str) -> list[int]:
    # 404 also for an object named in the query (a `segment` of the contacts list).
    statuses = [401, 403, 404, 414, 422, 500, 503]
    if method in WRITES:
        statuses.append(409)
    if method in {"post", "put", "patch"}:
        statuses += [400, 413, 415]
    return statuses


class ComptoirApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # "contact_list", not "comptoir_api_contacts_contact_list": view names are unique.
        return operation.view_func.__name__

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                operation["summary"] = SUMMARIES.get(operation["operationId"], operation["summary"])
                responses = operation.setdefault("responses", {})
                for status in _statuses(method):
                    content = {"application/json": {"schema": ERROR_REF}}
                    if status == 414:
                        content = SERVER_PAGE
                    responses.setdefault(status, {"description": WHEN[status], "content": content})
                _path_rules(method, operation)
        return schema


def _path_rules(method: str, operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        if parameter["name"] in PATH_RULES:
            parameter["schema"] = PATH_RULES[parameter["name"]]
        elif parameter["name"] == "segment_id" and method in WRITES:
            parameter["schema"] = SAVED_SEGMENT


class Utf8JsonRenderer(JSONRenderer):
    """Names as people write them ("Gaëlle", not "Ga\\u00eblle"): the body is UTF-8 anyway,
    and a GDPR export is read by the person it is about."""

    json_dumps_params = {"ensure_ascii": False}
