"""Issue 10: every HTML page carries a Content-Security-Policy; its nonce is the brand
style block's, and the e-mail preview alone allows inline styles."""

import re

from django.test import Client

from tests.conftest import login


def test_dashboard_pages_carry_a_policy_whose_nonce_is_the_brand_styles(workspace, owner):
    response = login(owner).get(f"/w/{workspace.slug}/contacts/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()
    again = login(owner).get(f"/w/{workspace.slug}/contacts/")["Content-Security-Policy"]
    assert again != policy  # a new nonce for every response


def test_public_pages_and_the_login_page_carry_the_policy(db):
    response = Client().get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_json_responses_carry_no_page_policy(db):
    assert "Content-Security-Policy" not in Client().get("/healthz")
