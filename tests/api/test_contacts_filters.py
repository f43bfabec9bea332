"""`GET /api/v1/contacts`: every filter and sort of the contract, page after page.

The property test builds a random directory, asks the API for random filter and sort
combinations with small pages, joins the pages through `next_cursor`, and compares the
result with a plain-Python filter and sort over the same data.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from tests.conftest import api_client_for, make_workspace
from tests.contacts.helpers import make_contact, set_figures

SORTS = ["name", "email", "last_order_at", "order_count", "total_spent", "created_at"]


def all_pages(client, limit=2, **query) -> list[int]:
    """Every contact id the list returns, following next_cursor to the end."""
    ids, cursor = [], None
    for _ in range(500):
        params = {**query, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/contacts", **params)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination does not end")


# ------------------------------------------------------------- each filter, each sort


@pytest.fixture
def directory(workspace):
    """Five contacts whose figures tell them apart on every filter and sort."""
    people = {
        "zoe": set_figures(
            make_contact(workspace, "zoe@example.com", first_name="Zoé", tags=["VIP", "Pro"]),
            orders=5,
            spent="500.00",
            days_ago=2,
            consent="subscribed",
        ),
        "lea": set_figures(
            make_contact(workspace, "lea@example.com", first_name="Léa", tags=["VIP"]),
            orders=1,
            spent="20.00",
            days_ago=60,
            consent="unsubscribed",
        ),
        "ugo": set_figures(
            make_contact(workspace, "ugo@example.com", first_name="Ugo", source="widget"),
            consent="pending",
        ),
        "ana": set_figures(
            make_contact(workspace, "ana@example.com", first_name="Ana", has_account=True),
            orders=2,
            spent="99.99",
            days_ago=10,
        ),
        "eva": make_contact(workspace, phone="+33698765432", first_name="Éva"),
    }
    base = timezone.now() - datetime.timedelta(days=100)
    for offset, contact in enumerate(people.values()):
        set_figures(contact, created_at=base + datetime.timedelta(days=offset))
    return {name: contact.pk for name, contact in people.items()}


def names(directory, ids) -> list[str]:
    by_id = {pk: name for name, pk in directory.items()}
    return [by_id[pk] for pk in ids]


def days_ago(days) -> str:
    return (timezone.now() - datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, {"zoe", "lea", "ugo", "ana", "eva"}),
        ({"q": "ZOE"}, {"zoe"}),
        ({"q": "léa"}, {"lea"}),
        ({"q": "06 98 76"}, {"eva"}),
        ({"q": "ana@"}, {"ana"}),
        ({"q": "example.com"}, {"zoe", "lea", "ugo", "ana"}),
        ({"q": "na@example"}, {"ana"}),
        ({"q": "page.example"}, set()),
        ({"type": "customer"}, {"zoe", "lea", "ana"}),
        ({"type": "prospect"}, {"ugo", "eva"}),
        ({"consent": "subscribed"}, {"zoe"}),
        ({"consent": "unsubscribed"}, {"lea"}),
        ({"consent": "not_subscribed"}, {"ana", "eva"}),
        ({"consent": "pending"}, {"ugo"}),
        ({"tag": "vip"}, {"zoe", "lea"}),
        ({"tag": ["VIP", "Pro"]}, {"zoe"}),
        ({"min_total_spent": "99.99"}, {"zoe", "ana"}),
        ({"max_total_spent": "20"}, {"lea", "ugo", "eva"}),
        ({"min_total_spent": "20", "max_total_spent": "100"}, {"lea", "ana"}),
        ({"min_orders": 2}, {"zoe", "ana"}),
        ({"last_order_after": days_ago(30)}, {"zoe", "ana"}),
        ({"last_order_before": days_ago(5)}, {"lea", "ana"}),
        ({"segment": "repeat_customers"}, {"zoe", "ana"}),
        ({"segment": "signups"}, {"ugo"}),
        ({"source": "widget"}, {"ugo"}),
        ({"source": ["widget", "manual"]}, {"zoe", "lea", "ugo", "ana", "eva"}),
        ({"has_account": "true"}, {"ana"}),
        ({"type": "customer", "tag": "VIP", "min_orders": 2}, {"zoe"}),
    ],
)
def test_each_filter(api, directory, query, expected):
    assert set(names(directory, all_pages(api, **query))) == expected


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("name", ["ana", "eva", "lea", "ugo", "zoe"]),
        ("-name", ["zoe", "ugo", "lea", "eva", "ana"]),
        ("email", ["eva", "ana", "lea", "ugo", "zoe"]),  # phone-only first
        ("-email", ["zoe", "ugo", "lea", "ana", "eva"]),
        ("last_order_at", ["lea", "ana", "zoe", "ugo", "eva"]),  # never ordered last
        ("-last_order_at", ["zoe", "ana", "lea", "eva", "ugo"]),  # ties: id, same way
        ("order_count", ["ugo", "eva", "lea", "ana", "zoe"]),
        ("-order_count", ["zoe", "ana", "lea", "eva", "ugo"]),
        ("total_spent", ["ugo", "eva", "lea", "ana", "zoe"]),
        ("-total_spent", ["zoe", "ana", "lea", "eva", "ugo"]),
        ("created_at", ["zoe", "lea", "ugo", "ana", "eva"]),
        ("-created_at", ["eva", "ana", "ugo", "lea", "zoe"]),
        (None, ["eva", "ana", "ugo", "lea", "zoe"]),
    ],
)
def test_each_sort_across_pages(api, directory, sort, expected):
    query = {"sort": sort} if sort else {}
    for limit in (1, 2, 500):
        assert names(directory, all_pages(api, limit=limit, **query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "shoe_size"},
        {"type": "vip"},
        {"consent": "yes"},
        {"min_total_spent": "lots"},
        {"min_orders": "-1"},
        {"last_order_after": "yesterday"},
        {"limit": "501"},
        {"limit": "0"},
        {"has_account": "perhaps"},
        {"source": "pigeon"},
    ],
)
def test_bad_query_values_are_422(api, query):
    response = api.get("/api/v1/contacts", **query)
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_a_forged_cursor_is_422(api):
    response = api.get("/api/v1/contacts", cursor="not-a-cursor")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor")


# -------------------------------------------------------------------- property test

NOW = timezone.now().replace(microsecond=0)
# All first names fold to three letters, every address has the same shape: string order
# is then the same under any collation (C, en_US, ICU), so Python can be the oracle.
FIRST = ["Zoé", "Léa", "Ana", "Éva", "Noé", "Ugo", "ALI", "mia"]
LAST = ["Martin", "Dubois", "Durand", "Lefèvre", "Roux", "", "Bérénice"]
TAGS = ["VIP", "Fidèle", "Newsletter", "Pro"]
CONSENTS = ["subscribed", "unsubscribed", "not_subscribed", "pending"]
SOURCES = [s.value for s in Contact.Source]
CREATED = [NOW - datetime.timedelta(days=d) for d in (200, 150, 100, 50)]  # ties on purpose
QUERIES = [
    "zoé",
    "LEA",
    "mar",
    "du",
    "ève",
    "eva dub",
    "zoe0",
    "zoe00",
    "ana001@",
    "Mia0@EXAMPLE",
    "@example.com",
    "example.com",
    "a0@example",
    "page.example",
    "06 12 34",
    "+33 6 12 34 56",
    "0612340",
    "nobody",
]


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


@dataclass
class Person:
    id: int = 0
    first: str = ""
    last: str = ""
    email: str = ""
    phone: str = ""
    orders: int = 0
    spent: Decimal = Decimal("0.00")
    last_order_days: tuple | None = None
    consent: str = "not_subscribed"
    source: str = "manual"
    has_account: bool = False
    created_at: datetime.datetime = NOW
    tags: set = field(default_factory=set)

    @property
    def last_order_at(self):
        if self.last_order_days is None:
            return None
        days, hours = self.last_order_days
        return NOW - datetime.timedelta(days=days, hours=hours)

    @property
    def type(self):
        return "customer" if self.orders else "prospect"

    @property
    def customer_since(self):
        return self.last_order_at + datetime.timedelta(days=-3) if self.orders else None


@st.composite
def people(draw):
    count = draw(st.integers(min_value=0, max_value=18))
    result = []
    for n in range(count):
        first = draw(st.sampled_from(FIRST))
        orders = draw(st.integers(0, 4))
        person = Person(
            first=first,
            last=draw(st.sampled_from(LAST)),
            orders=orders,
            spent=Decimal(draw(st.integers(1, 60000))) / 100 if orders else Decimal("0.00"),
            last_order_days=(draw(st.integers(0, 60)), draw(st.integers(1, 23)))
            if orders
            else None,
            consent=draw(st.sampled_from(CONSENTS)),
            source=draw(st.sampled_from(SOURCES)),
            has_account=draw(st.booleans()),
            created_at=draw(st.sampled_from(CREATED)),
            tags=draw(st.sets(st.sampled_from(TAGS), max_size=3)),
        )
        if draw(st.integers(0, 5)) == 0:
            person.phone = f"+3361234{n:04d}"  # phone-only
        else:
            local = f"{fold(first)}{n:03d}"
            person.email = draw(st.sampled_from([local, local.upper(), local.title()]))
            person.email += draw(st.sampled_from(["@example.com", "@EXAMPLE.com"]))
            if draw(st.booleans()):
                person.phone = f"+3361234{n:04d}"
        result.append(person)
    return result


money = st.sampled_from(["0", "10", "99.99", "150.5", "300", "599.99"])
filters = st.fixed_dictionaries(
    {},
    optional={
        "q": st.sampled_from(QUERIES),
        "type": st.sampled_from(["customer", "prospect"]),
        "consent": st.sampled_from(CONSENTS),
        "tag": st.lists(st.sampled_from([*TAGS, "fidele", "Inconnu"]), max_size=2),
        "min_total_spent": money,
        "max_total_spent": money,
        "min_orders": st.integers(0, 5),
        "last_order_after": st.integers(0, 61),
        "last_order_before": st.integers(0, 61),
        "segment": st.sampled_from(
            [
                "all_customers",
                "prospects",
                "new_customers",
                "repeat_customers",
                "subscribers",
                "signups",
                "unsubscribed",
            ]
        ),
        "source": st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2),
        "has_account": st.booleans(),
        "sort": st.sampled_from([*SORTS, *[f"-{s}" for s in SORTS]]),
    },
)


def search_matches(person: Person, q: str) -> bool:
    q = q.strip()
    phone_forms = []
    if person.phone:
        phone_forms = [person.phone[1:], "0" + person.phone[3:]]  # +33…: 33… and 0…
    if re.fullmatch(r"[\d\s+().\-/]+", q):
        return any(re.sub(r"\D", "", q) in form for form in phone_forms)
    haystack = " ".join([fold(person.first), fold(person.last), fold(person.email), *phone_forms])
    return all(term in haystack for term in fold(q).split())


def in_segment(person: Person, segment: str) -> bool:
    return {
        "all_customers": person.type == "customer",
        "prospects": person.type == "prospect",
        "new_customers": person.type == "customer"
        and person.customer_since >= NOW - datetime.timedelta(days=30),
        "repeat_customers": person.orders >= 2,
        "subscribers": person.consent == "subscribed",
        "signups": person.source in ("signup_page", "qr_code", "widget"),
        "unsubscribed": person.consent == "unsubscribed",
    }[segment]


def expected(everyone: list[Person], query: dict) -> list[int]:
    def keep(p: Person) -> bool:
        tag_keys = {t.lower() for t in p.tags}
        checks = [
            "q" not in query or search_matches(p, query["q"]),
            "type" not in query or p.type == query["type"],
            "consent" not in query or p.consent == query["consent"],
            all(t.lower() in tag_keys for t in query.get("tag", [])),
            "min_total_spent" not in query or p.spent >= Decimal(query["min_total_spent"]),
            "max_total_spent" not in query or p.spent <= Decimal(query["max_total_spent"]),
            "min_orders" not in query or p.orders >= query["min_orders"],
            "last_order_after" not in query
            or (p.last_order_at is not None and p.last_order_at >= query["after_at"]),
            "last_order_before" not in query
            or (p.last_order_at is not None and p.last_order_at < query["before_at"]),
            "segment" not in query or in_segment(p, query["segment"]),
            "source" not in query or p.source in query["source"],
            "has_account" not in query or p.has_account == query["has_account"],
        ]
        return all(checks)

    sort = query.get("sort", "-created_at")
    descending = sort.startswith("-")
    column = sort.lstrip("-")

    def key(p: Person):
        if column == "name":
            value = fold(" ".join(f"{p.first} {p.last}".split()) or p.email or p.phone)
        elif column == "email":
            value = p.email.lower()
        elif column == "last_order_at":
            # Never ordered sorts last in both directions.
            missing = p.last_order_at is None
            value = (missing != descending, p.last_order_at or NOW)
        elif column == "order_count":
            value = p.orders
        elif column == "total_spent":
            value = p.spent
        else:
            value = p.created_at
        return (value, p.id)

    return [p.id for p in sorted(filter(keep, everyone), key=key, reverse=descending)]


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(everyone=people(), queries=st.lists(filters, min_size=1, max_size=4))
def test_api_agrees_with_plain_python(everyone, queries):
    workspace = make_workspace("Propriété")
    client = api_client_for(workspace)
    for person in everyone:
        contact = make_contact(
            workspace,
            person.email or None,
            phone=person.phone,
            first_name=person.first,
            last_name=person.last,
            source=person.source,
            has_account=person.has_account,
            tags=sorted(person.tags),
        )
        person.id = contact.pk
        set_figures(
            contact,
            order_count=person.orders,
            total_spent=person.spent,
            type=person.type,
            last_order_at=person.last_order_at,
            customer_since=person.customer_since,
            consent=person.consent,
            created_at=person.created_at,
        )
    assert scoped(Contact, workspace).count() == len(everyone)
    for query in queries:
        params = dict(query)
        if "last_order_after" in params:
            query["after_at"] = NOW - datetime.timedelta(days=params["last_order_after"])
            params["last_order_after"] = query["after_at"].isoformat()
        if "last_order_before" in params:
            query["before_at"] = NOW - datetime.timedelta(days=params["last_order_before"])
            params["last_order_before"] = query["before_at"].isoformat()
        if "has_account" in params:
            params["has_account"] = "true" if params["has_account"] else "false"
        limit = 1 + len(everyone) % 4
        wanted = expected(everyone, query)
        event("some contacts match" if wanted else "no contact matches")
        assert all_pages(client, limit=limit, **params) == wanted, params
