"""`comptoir demo` shows campaigns as a merchant would have them after a few weeks: two
sent with results that add up, one scheduled (issue 11, point 7)."""

from io import StringIO

import pytest
from django.core.management import call_command

from comptoir.campaigns.models import Campaign
from comptoir.campaigns.selectors import campaign_hourly, campaign_links, campaign_stats
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.demo.fill import DEMO_SLUG


@pytest.fixture
def shop(db):
    call_command("demo", contacts=400, stdout=StringIO())
    return Workspace.objects.get(slug=DEMO_SLUG)


def test_the_demo_has_two_sent_campaigns_with_results_and_a_scheduled_one(shop):
    campaigns = scoped(Campaign, shop)
    assert sorted(campaigns.values_list("status", flat=True)) == ["scheduled", "sent", "sent"]
    for campaign in campaigns.filter(status="sent"):
        stats = campaign_stats(campaign=campaign)
        assert stats["recipients"] == stats["sent"] > 0
        assert 0 < stats["clicked"] <= stats["opened"] < stats["sent"]
        assert sum(link["unique"] for link in campaign_links(campaign=campaign)) == stats["clicked"]
        assert sum(hour["opens"] for hour in campaign_hourly(campaign=campaign)) > 0


def test_demo_again_adds_no_campaign(shop):
    call_command("demo", contacts=400, stdout=StringIO())
    assert scoped(Campaign, shop).count() == 3
