"""Pagination is a core concern: a cursor it did not issue is a domain error, not an HTTP one."""

import pytest

from comptoir.core.models import ApiToken
from comptoir.core.pagination import InvalidCursor, PageRequest, paginate


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJhYmMiXQ"])
def test_a_cursor_it_did_not_issue_is_invalid_cursor(workspace, cursor):
    with pytest.raises(InvalidCursor):
        paginate(ApiToken.objects.filter(workspace=workspace), PageRequest(cursor=cursor), ["id"])
