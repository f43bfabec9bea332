"""Lists are {items, next_cursor}; following the cursors visits every row exactly once."""

import pytest
from django.utils import timezone

from comptoir.api.pagination import PageParams, paginate
from comptoir.core.models import ApiToken
from comptoir.core.services import token_create


def test_following_next_cursor_lists_every_token_once_in_order(workspace, api):
    for number in range(7):
        token_create(workspace=workspace, name=f"till {number}")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/v1/tokens", **params).json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    every = list(
        ApiToken.objects.filter(workspace=workspace).order_by("-id").values_list("id", flat=True)
    )
    assert seen == every  # the admin token of the fixture is one of the 8
    assert pages == 3


def test_a_multi_key_ordering_with_ties_neither_skips_nor_repeats(workspace):
    same_instant = timezone.now()
    for number in range(5):
        token, _secret = token_create(workspace=workspace, name=f"t{number}")
        ApiToken.objects.filter(pk=token.pk).update(created_at=same_instant)
    queryset = ApiToken.objects.filter(workspace=workspace)
    seen, cursor = [], None
    while True:
        page = paginate(queryset, PageParams(limit=2, cursor=cursor), ["-created_at", "id"])
        seen += [token.pk for token in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    "cursor", ["garbage", "W10", "bm90IGpzb24", "WyJhIiwgImIiXQ", "WyJhYmMiXQ", "W251bGxd"]
)
def test_a_cursor_the_api_did_not_issue_is_a_clear_422(api, cursor):
    response = api.get("/api/v1/tokens", cursor=cursor)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", [0, 501, -1])
def test_limit_is_between_1_and_500(api, limit):
    response = api.get("/api/v1/tokens", limit=limit)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
