"""Issue 10 (7): the schema documents the errors every operation can answer, with their body,
so that a client generated from it knows them."""

from django.test import Client


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_its_error_statuses_with_the_error_body(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}
    for path, method, operation in operations(schema):
        documented = set(operation["responses"])
        expected = {"401", "403", "404", "414", "422", "500", "503"}
        if method in {"post", "put", "patch"}:
            expected |= {"400", "413", "415"}
        assert expected <= documented, (method, path, sorted(documented))
        body = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}
