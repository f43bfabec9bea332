"""The contract's error body, `{"detail": ..., "code": ...}`, for views outside the ninja API.

The API (comptoir/api/errors.py) answers through ninja's renderer; the webhooks and the
middleware in front of everything answer with this one function, so the body cannot drift.
"""

from django.http import JsonResponse


def error_response(status: int, code: str, detail) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)
