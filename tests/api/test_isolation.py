"""No request ever sees another workspace's data (W1), and none works without a token."""

import pytest
from django.forms.models import model_to_dict

from comptoir.api.app import api as ninja_api
from tests.conftest import ApiClient, api_client_for
from tests.isolation import CASES


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_token_of_another_workspace_gets_404_and_changes_nothing(
    case, workspace, other_workspace
):
    theirs = case.make(other_workspace)
    before = model_to_dict(theirs)
    ours = api_client_for(workspace)
    for method, path, body in case.requests:
        response = ours.request(method, case.path(path, theirs), json=body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert model_to_dict(theirs) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_owning_workspace_reaches_the_same_object(case, workspace):
    """The 404s above mean isolation, not broken URLs: the owner's token gets through."""
    mine = case.make(workspace)
    method, path, body = case.requests[0]
    response = api_client_for(workspace).request(method, case.path(path, mine), json=body)
    assert response.status_code < 400, (method, path, response.content)


def every_operation():
    schema = ninja_api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path


@pytest.mark.parametrize("method, path", list(every_operation()))
@pytest.mark.parametrize("secret", [None, "cpt_not-a-real-token", "Basic Zm9vOmJhcg=="])
def test_every_endpoint_answers_401_without_a_valid_token(db, method, path, secret):
    concrete = path.replace("{", "").replace("}", "")  # any value: auth comes first
    response = ApiClient(secret).request(method, concrete, json={} if method != "GET" else None)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "A valid bearer token is required.",
        "code": "unauthorized",
    }


def test_a_revoked_token_is_refused(workspace):
    from comptoir.core.services import token_create, token_revoke

    token, secret = token_create(workspace=workspace, name="till")
    client = ApiClient(secret)
    assert client.get("/api/v1/workspace").status_code == 200
    token_revoke(token=token)
    assert client.get("/api/v1/workspace").status_code == 401
