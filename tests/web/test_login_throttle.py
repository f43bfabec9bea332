"""Issue 10: failed logins are limited per account and per address (comptoir/web/login.py)."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from comptoir.core import clock
from comptoir.web.login import ACCOUNT_LIMIT, ADDRESS_LIMIT
from tests.conftest import PASSWORD

URL = "/accounts/login/"


def attempt(email: str, password: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(URL, {"username": email, "password": password})


def test_an_account_is_locked_after_ten_failures_even_for_the_right_password(owner):
    for _ in range(ACCOUNT_LIMIT):
        assert attempt(owner.email, "guess").status_code == 200
    throttled = attempt(owner.email, PASSWORD, address="198.51.100.1")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "Too many failed attempts" in throttled.content.decode()
    assert "_auth_user_id" not in throttled.client.session


def test_the_lock_ends_with_its_window(owner):
    for _ in range(ACCOUNT_LIMIT):
        attempt(owner.email, "guess")
    with clock.at(timezone.now() + dt.timedelta(minutes=16)):
        assert attempt(owner.email, PASSWORD).status_code == 302


def test_one_address_is_limited_across_accounts(db, owner):
    for n in range(ADDRESS_LIMIT):
        attempt(f"nobody{n}@example.com", "guess", address="192.0.2.9")
    assert attempt(owner.email, PASSWORD, address="192.0.2.9").status_code == 429
    assert attempt(owner.email, PASSWORD, address="192.0.2.10").status_code == 302


def test_the_message_is_french_for_a_french_browser(owner):
    for _ in range(ACCOUNT_LIMIT):
        attempt(owner.email, "guess")
    throttled = Client().post(
        URL, {"username": owner.email, "password": "x"}, headers={"Accept-Language": "fr"}
    )
    assert throttled.status_code == 429
    assert "Trop de tentatives" in throttled.content.decode()
