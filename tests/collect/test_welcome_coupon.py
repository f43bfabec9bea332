"""S5, A6: a sign-up from the poster is welcomed by the welcome automation with the
poster's coupon; read back from a real SMTP server."""

import pytest
from django.utils import timezone

from comptoir.collect.models import Signup
from comptoir.collect.services import Visitor, signup_confirm
from tests.automations.helpers import welcome_on, work_at
from tests.campaigns.helpers import business
from tests.collect.helpers import page_path, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    return business(workspace)


def welcome_html(inbox) -> str:
    (received,) = inbox.received
    assert received.recipients == ["zoe@example.com"]
    return received.message.get_body(preferencelist=("html",)).get_content()


def test_a_poster_sign_up_is_welcomed_with_the_posters_coupon(shop, smtp_server):
    welcome_on(shop, trigger="signup", coupon_code="BIENVENUE10")
    path = page_path(shop, discount_offer="−10 % sur votre prochaine visite", coupon_code="AFFICHE")
    assert submit(path, {}).status_code == 200

    work_at(timezone.now())
    html = welcome_html(smtp_server)
    assert "AFFICHE" in html and "BIENVENUE10" not in html


def test_with_double_opt_in_the_welcome_waits_for_the_confirmation(shop, smtp_server):
    welcome_on(shop, trigger="signup")
    path = page_path(shop, double_opt_in=True)
    assert submit(path, {}).status_code == 200
    work_at(timezone.now())
    (confirmation,) = smtp_server.received  # the confirmation e-mail, no welcome yet

    signup_confirm(
        signup=Signup.objects.get(),
        visitor=Visitor(ip="203.0.113.7", user_agent="Firefox", language="en"),
    )
    work_at(timezone.now())
    assert len(smtp_server.received) == 2
    assert smtp_server.received[1].message["Subject"].startswith("Welcome")
