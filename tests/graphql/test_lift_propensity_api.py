"""The staff API of holdout lift and response propensity: the campaign's options and lift figures, a customer's
propensity with its reasons in words, the model's figures in the report, and the coded refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_crm_plugin.models import Campaign, CustomerPropensity, Delivery
from saleor_crm_plugin.profiles.propensity import compute_propensity
from tests.graphql.conftest import gid, operation, staff_token
from tests.graphql.test_campaigns_api import campaign_input, coded, payload
from tests.profiles.test_propensity import NOW, shop

pytestmark = pytest.mark.django_db


def test_a_campaign_is_created_with_a_holdout_and_a_top_share_and_bad_values_are_coded(gql, template, segments):
    create = operation("staff/campaign-create")
    _, body = gql(create, {"input": campaign_input(template, segments, holdoutPercent=10, audienceTopPercent=30)},
                  bearer=staff_token())
    created = payload(body, "crmCampaignCreate")["campaign"]
    assert (created["holdoutPercent"], created["audienceTopPercent"]) == (10, 30)
    for field, value in (("holdoutPercent", 60), ("holdoutPercent", -5), ("audienceTopPercent", 0),
                         ("audienceTopPercent", 101)):
        _, body = gql(create, {"input": campaign_input(template, segments, **{field: value})}, bearer=staff_token())
        assert coded(body, "crmCampaignCreate") == [("OUT_OF_RANGE", field)]
    _, body = gql(operation("staff/campaign-schedule"), {"id": created["id"]}, bearer=staff_token())
    assert coded(body, "crmCampaignSchedule") == [("NOT_CONFIGURED", "audienceTopPercent")]


def test_the_campaign_shows_its_lift_over_the_holdout(gql, events, ingest, template):
    started = timezone.now().replace(microsecond=0) - timedelta(days=6)
    campaign = Campaign.objects.create(name="News", template=template, channel="web", state="sent",
                                       holdout_percent=20, started_at=started)
    from saleor_crm_plugin.models import CustomerProfile

    for i in range(10):
        held = i >= 8
        profile = CustomerProfile.objects.create(email=f"p{i}@example.com")
        Delivery.objects.create(campaign=campaign, profile=profile, email=profile.email,
                                state="skipped" if held else "sent", skip_reason="holdout" if held else "",
                                sent_at=None if held else started)
        if i in (0, 1, 8):
            ingest(events.order(email=profile.email, at=started + timedelta(days=1),
                                lines=[events.line(1, price="30.00")]))
    _, body = gql(operation("staff/campaign"), {"id": gid("CRMCampaign", campaign.pk)}, bearer=staff_token())
    lift = payload(body, "crmCampaign")["lift"]
    assert lift["final"] is True and lift["mailed"] == {"recipients": 8, "orders": 2, "buyers": 2}
    assert lift["holdout"] == {"recipients": 2, "orders": 1, "buyers": 1}
    assert lift["orders"]["mailedPerRecipient"] == 0.25 and lift["orders"]["holdoutPerRecipient"] == 0.5
    assert lift["orders"]["difference"]["estimate"] == -0.25 and lift["orders"]["verdict"] == "TOO_SMALL"
    assert lift["orders"]["relative"]["estimate"] == -0.5
    [usd] = lift["revenue"]
    assert (usd["currency"], usd["mailedRevenue"]["amount"], usd["holdoutRevenue"]["amount"]) == ("USD", 60.0, 30.0)
    assert usd["comparison"]["mailedPerRecipient"] == 7.5


def test_a_customers_propensity_and_the_models_figures(gql):
    profiles = shop(400, seed=5)
    run = compute_propensity(now=NOW)
    best = CustomerPropensity.objects.order_by("-probability").first()
    profile = next(p for p in profiles if p.pk == best.profile_id)
    _, body = gql(operation("staff/customer-analytics"), {"email": profile.email}, bearer=staff_token())
    propensity = payload(body, "crmCustomer")["propensity"]
    assert propensity["probability"] == pytest.approx(best.probability)
    assert (propensity["horizonDays"], propensity["method"]) == (90, run.method)
    assert [r["name"] for r in propensity["reasons"]] == [r["name"] for r in best.reasons]
    assert all(r["label"] and r["label"] != r["name"] for r in propensity["reasons"])
    _, body = gql(operation("staff/report"), {}, bearer=staff_token())
    model = payload(body, "crmReport")["propensity"]
    assert (model["method"], model["customers"], model["scored"]) == (run.method, run.customers, run.scored)
    assert model["auc"] == pytest.approx(run.metrics["auc"])


def test_a_score_whose_run_is_gone_reads_the_current_horizon(gql, settings):
    from saleor_crm_plugin.models import CustomerProfile

    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "propensity_horizon_days": 60}
    profile = CustomerProfile.objects.create(email="orphan@example.com")
    CustomerPropensity.objects.create(profile=profile, probability=0.2, confidence="low", method="base_rate",
                                      reasons=[], run_id=987654, scored_at=NOW)
    _, body = gql(operation("staff/customer-analytics"), {"email": profile.email}, bearer=staff_token())
    assert payload(body, "crmCustomer")["propensity"]["horizonDays"] == 60
