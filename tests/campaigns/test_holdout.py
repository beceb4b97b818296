"""A campaign's random holdout (deterministic per campaign and customer, drawn among those who would be mailed,
never mailed), its lift figures over the attribution window, and "send to the X% most likely to respond"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from saleor_crm_plugin.campaigns import sending
from saleor_crm_plugin.campaigns.audience import audience_preview, in_holdout
from saleor_crm_plugin.campaigns.campaigns import create_campaign, schedule_campaign, update_campaign
from saleor_crm_plugin.campaigns.lift import campaign_lift
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import Campaign, CustomerPropensity, Delivery
from tests.campaigns.conftest import make_audience, scheduled_campaign
from tests.campaigns.test_sending import settings_with

pytestmark = pytest.mark.django_db


def skip_reasons(campaign) -> dict[int, str]:
    return dict(Delivery.objects.filter(campaign=campaign).values_list("profile_id", "skip_reason"))


def test_the_holdout_is_deterministic_drawn_among_the_eligible_and_never_mailed():
    with settings_with():
        ids = make_audience(400, subscribed=set(range(380)))  # the last 20 never consented
        campaign = scheduled_campaign()
        Campaign.objects.filter(pk=campaign.pk).update(holdout_percent=10)
        campaign.refresh_from_db()
        preview = audience_preview(campaign)  # a dry run draws the same customers
        assert sending.start_campaign(campaign.pk, enqueue=False)
        sending.send_campaign(campaign.pk, continue_later=False)

    reasons = skip_reasons(campaign)
    held = {pk for pk, reason in reasons.items() if reason == "holdout"}
    # the draw is the documented hash, among the 380 who could be mailed; the others keep their own reason
    assert held == {pk for pk in ids[:380] if in_holdout(campaign.pk, pk, 10)}
    assert all(reasons[pk] == "no_consent" for pk in ids[380:])
    assert 20 <= len(held) <= 60  # about 38
    assert preview["skipped_by_reason"]["holdout"] == len(held)
    # never mailed; everyone else eligible was
    mailed = {address for message in mail.outbox for address in message.to}
    held_addresses = set(Delivery.objects.filter(campaign=campaign, profile_id__in=held).values_list("email", flat=True))
    assert not mailed & held_addresses
    assert len(mailed) == 380 - len(held)
    assert set(Delivery.objects.filter(profile_id__in=held).values_list("state", flat=True)) == {"skipped"}
    # another campaign draws its own holdout
    other = {pk for pk in ids[:380] if in_holdout(campaign.pk + 1, pk, 10)}
    assert other != held and len(other & held) < len(held) / 2


def test_the_holdout_share_is_kept_for_every_share(db):
    # the hash splits customers evenly: each share within 3 standard deviations over 20,000 customers
    for percent in (1, 10, 25, 50):
        share = sum(in_holdout(7, pk, percent) for pk in range(1, 20001)) / 20000
        sigma = (percent / 100 * (1 - percent / 100) / 20000) ** 0.5
        assert abs(share - percent / 100) < 3 * sigma


def test_holdout_and_top_share_are_validated_and_top_needs_scores(db):
    from saleor_crm_plugin.models import EmailTemplate
    from tests.campaigns.conftest import everyone_segment

    template = EmailTemplate.objects.create(name="T", subject="S", body="<p>x</p>", body_format="html")
    segment = everyone_segment()
    base = dict(name="N", template_id=template.pk, channel="default-channel", segment_ids=[segment.pk])
    for field, value in (("holdout_percent", 51), ("holdout_percent", -1), ("holdout_percent", "10"),
                         ("audience_top_percent", 0), ("audience_top_percent", 101), ("audience_top_percent", 2.5)):
        with pytest.raises(CRMError) as refused:
            create_campaign(**base, **{field: value})
        assert refused.value.code.value == "out_of_range"
    campaign = create_campaign(**base, holdout_percent=10, audience_top_percent=20)
    assert (campaign.holdout_percent, campaign.audience_top_percent) == (10, 20)
    with pytest.raises(CRMError) as refused:
        schedule_campaign(campaign.pk)
    assert (refused.value.code.value, refused.value.field) == ("not_configured", "audienceTopPercent")
    update_campaign(campaign.pk, audience_top_percent=None)
    assert schedule_campaign(campaign.pk).state == "scheduled"


def test_only_the_share_most_likely_to_respond_is_mailed_and_the_holdout_is_drawn_among_them():
    with settings_with():
        ids = make_audience(40, subscribed=set(range(36)))
        # scores rising with the index; two eligible customers have none (ranked last)
        now = timezone.now()
        for rank, pk in enumerate(ids[:34]):
            CustomerPropensity.objects.create(profile_id=pk, probability=rank / 100, confidence="high",
                                              method="logistic", reasons=[], run_id=1, scored_at=now)
        CustomerPropensity.objects.create(profile_id=ids[39], probability=0.99, confidence="high",
                                          method="logistic", reasons=[], run_id=1, scored_at=now)  # no consent
        campaign = scheduled_campaign()
        Campaign.objects.filter(pk=campaign.pk).update(audience_top_percent=25, holdout_percent=50)
        assert sending.start_campaign(campaign.pk, enqueue=False)
        sending.send_campaign(campaign.pk, continue_later=False)

    reasons = skip_reasons(campaign)
    top = ids[25:34]  # ceil(25% of 36 eligible) = 9: the nine highest scores
    assert {pk for pk, reason in reasons.items() if reason in ("", "holdout")} == set(top)
    assert {pk for pk, reason in reasons.items() if reason == "low_propensity"} == set(ids[:25] + ids[34:36])
    assert reasons[ids[39]] == "no_consent"
    assert {pk for pk in top if reasons[pk] == "holdout"} == {pk for pk in top if in_holdout(campaign.pk, pk, 50)}
    assert len(mail.outbox) == sum(1 for pk in top if reasons[pk] == "")


def order(events, ingest, email, at, *, total="10.00", currency="USD", status="unfulfilled"):
    ingest(events.order(email=email, at=at, currency=currency, status=status, lines=[events.line(1, price=total)]))


def test_lift_counts_orders_and_revenue_per_recipient_over_the_window(events, ingest):
    from saleor_crm_plugin.models import CustomerProfile, EmailTemplate

    started = timezone.now().replace(microsecond=0) - timedelta(days=10)
    template = EmailTemplate.objects.create(name="T", subject="S", body="<p>x</p>", body_format="html")
    campaign = Campaign.objects.create(name="News", template=template, channel="default-channel", state="sent",
                                       holdout_percent=10, started_at=started)
    people = {}
    for name, state, reason in (("m1", "sent", ""), ("m2", "sent", ""), ("m3", "sent", ""), ("m4", "sent", ""),
                                ("h1", "skipped", "holdout"), ("h2", "skipped", "holdout"),
                                ("x1", "skipped", "no_consent"), ("f1", "failed", "")):
        profile = CustomerProfile.objects.create(email=f"{name}@example.com")
        Delivery.objects.create(campaign=campaign, profile=profile, email=profile.email, state=state,
                                skip_reason=reason, sent_at=started if state == "sent" else None)
        people[name] = profile
    window_end = started + timedelta(days=5)
    order(events, ingest, "m1@example.com", started, total="10.00")  # at the start: counts
    order(events, ingest, "m1@example.com", started + timedelta(days=1), total="20.00", currency="EUR")
    order(events, ingest, "m2@example.com", window_end - timedelta(seconds=1), total="5.00")  # last second
    order(events, ingest, "m3@example.com", window_end, total="99.00")  # the window's end: no
    order(events, ingest, "m4@example.com", started - timedelta(seconds=1), total="99.00")  # before: no
    order(events, ingest, "m4@example.com", started + timedelta(hours=2), total="99.00", status="canceled")  # no
    order(events, ingest, "h1@example.com", started + timedelta(days=2), total="8.00")
    order(events, ingest, "x1@example.com", started + timedelta(days=2), total="50.00")  # not in either group
    order(events, ingest, "f1@example.com", started + timedelta(days=2), total="50.00")  # never mailed, not held

    during = campaign_lift(campaign, now=window_end - timedelta(minutes=1))
    lift = campaign_lift(campaign, now=window_end)
    assert during.final is False and lift.final is True
    assert (lift.window_start, lift.window_end) == (started, window_end)
    assert (lift.mailed.recipients, lift.mailed.orders, lift.mailed.buyers) == (4, 3, 2)
    assert (lift.holdout.recipients, lift.holdout.orders, lift.holdout.buyers) == (2, 1, 1)
    assert lift.orders.mailed_mean == pytest.approx(3 / 4)
    assert lift.orders.holdout_mean == pytest.approx(1 / 2)
    assert lift.orders.difference.estimate == pytest.approx(0.25)
    assert lift.orders.relative.estimate == pytest.approx(0.5)
    assert lift.orders.verdict == "too_small"
    by_currency = {r.currency: r for r in lift.revenue}
    assert set(by_currency) == {"EUR", "USD"}
    assert (by_currency["USD"].mailed_revenue, by_currency["USD"].holdout_revenue) == (Decimal("15"), Decimal("8"))
    assert by_currency["USD"].comparison.mailed_mean == pytest.approx(15 / 4)
    assert by_currency["USD"].comparison.holdout_mean == pytest.approx(8 / 2)
    assert (by_currency["EUR"].comparison.mailed_mean, by_currency["EUR"].comparison.holdout_mean) == (5.0, 0.0)
    assert by_currency["EUR"].comparison.relative is None
    # no holdout, no lift
    Campaign.objects.filter(pk=campaign.pk).update(holdout_percent=0)
    campaign.refresh_from_db()
    assert campaign_lift(campaign) is None
