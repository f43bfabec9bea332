"""The API documentation names each operation as a person would look for it (/api/v1/docs)."""

from django.test import Client

from comptoir.api.operation_names import SUMMARIES


def operations() -> list[dict]:
    schema = Client().get("/api/v1/openapi.json").json()
    return [operation for methods in schema["paths"].values() for operation in methods.values()]


def test_every_operation_has_a_short_id_and_a_readable_summary(db):
    found = operations()
    ids = [operation["operationId"] for operation in found]

    assert len(ids) == len(set(ids)), "two operations share an id"
    assert not [i for i in ids if i.startswith("comptoir_")], "ids are the views' names"
    missing = [i for i in ids if i not in SUMMARIES]
    assert not missing, "name these in comptoir/api/operation_names.py:\n" + "\n".join(missing)
    assert [operation["summary"] for operation in found] == [SUMMARIES[i] for i in ids]


def test_the_names_are_those_of_existing_operations(db):
    ids = {operation["operationId"] for operation in operations()}

    assert sorted(set(SUMMARIES) - ids) == []


def test_a_few_operations_read_as_sentences(db):
    by_id = {operation["operationId"]: operation["summary"] for operation in operations()}

    assert by_id["contact_list"] == "Search and filter contacts"
    assert by_id["consent_change"] == "Subscribe or unsubscribe a contact"
    assert by_id["import_post"] == "Import a contact file"
