"""The nightly response propensity inside the CRM: inputs known at the cut (mail features included), training and
scoring from the CRM's tables, the persisted model, the honest prior for customers who never ordered or a shop
with too little history, the segment field, and privacy."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from saleor_crm_plugin.analytics.propensity import PropensityModel
from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.models import (
    ConsentRecord, ConsentSource, ConsentState, CRMOrder, CRMOrderLine, CustomerProfile, CustomerPropensity, Delivery,
    DeliveryEvent, PropensityRun,
)
from saleor_crm_plugin.profiles.propensity import LABELS, MAIL_FEATURES, compute_propensity, latest_model, \
    mail_features
from saleor_crm_plugin.segments.membership import save_segment

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
DAY = timedelta(days=1)


def orders_for(profile, days_ago, *, total="20.00", currency="USD", category="Vinyl", status=""):
    taken = CRMOrder.objects.count()
    rows = [CRMOrder(order_id=f"o{taken + i}", profile=profile, email=profile.email, currency=currency,
                     total_gross=Decimal(total), placed_at=NOW - d * DAY, source_updated_at=NOW - d * DAY,
                     version_key="1", status=status) for i, d in enumerate(days_ago)]
    CRMOrder.objects.bulk_create(rows)
    CRMOrderLine.objects.bulk_create([CRMOrderLine(order=o, category=category, quantity=1) for o in rows])
    return rows


def shop(n: int, seed: int = 0) -> list[CustomerProfile]:
    """``n`` customers whose orders follow their own rate over two years: the frequent ones keep buying."""
    rng = np.random.default_rng(seed)
    profiles = CustomerProfile.objects.bulk_create(
        [CustomerProfile(email=f"c{i}@example.com", created_at=NOW - 800 * DAY) for i in range(n)])
    orders, lines = [], []
    for profile in profiles:
        rate = rng.gamma(0.6, 1 / 60)  # orders per day
        quits = rng.uniform(0, 900)  # days from the start until they stop buying
        days = np.cumsum(rng.exponential(1 / rate, 40))
        days = days[(days < min(quits, 730))]
        first = rng.uniform(0, 300)
        for k, day in enumerate(sorted({int(first + d) for d in days if first + d < 730} | {int(first)})):
            placed = NOW - (730 - day) * DAY
            orders.append(CRMOrder(order_id=f"{profile.pk}-{k}", profile=profile, email=profile.email,
                                   currency="USD" if profile.pk % 3 else "EUR",
                                   total_gross=Decimal(f"{rng.lognormal(3, 0.5):.2f}"), placed_at=placed,
                                   source_updated_at=placed, version_key="1"))
    CRMOrder.objects.bulk_create(orders)
    CRMOrderLine.objects.bulk_create([CRMOrderLine(order=o, category=("Vinyl", "Books")[o.pk % 2], quantity=1)
                                      for o in orders])
    return profiles


def test_mail_features_are_those_known_at_the_moment():
    from tests.campaigns.test_attribution import campaign

    ann = CustomerProfile.objects.create(email="ann@example.com")
    news = campaign("News")
    at = NOW - 30 * DAY
    old = Delivery.objects.create(campaign=news, profile=ann, email=ann.email, state="sent", sent_at=at - 400 * DAY)
    DeliveryEvent.objects.create(delivery=old, esp="crm", event_id="old", kind="clicked", occurred_at=at - 399 * DAY)
    recent = Delivery.objects.create(campaign=campaign("Sale"), profile=ann, email=ann.email, state="sent",
                                     sent_at=at - 10 * DAY)
    DeliveryEvent.objects.create(delivery=recent, esp="postmark", event_id="o", kind="opened", occurred_at=at - 9 * DAY)
    DeliveryEvent.objects.create(delivery=recent, esp="crm", event_id="c", kind="clicked", occurred_at=at - 9 * DAY)
    later = Delivery.objects.create(campaign=campaign("Later"), profile=ann, email=ann.email, state="sent",
                                    sent_at=at + DAY)  # after the moment: unknown then
    DeliveryEvent.objects.create(delivery=later, esp="crm", event_id="l", kind="clicked", occurred_at=at + DAY)
    orders_for(ann, [30 + 8, 30 + 7], category="Vinyl")  # within 5 days after the click: 2 orders after a click
    orders_for(ann, [30 + 100], category="Books")
    set_consent(ConsentState.SUBSCRIBED, "default-channel", ConsentSource.IMPORT, profile_id=ann.pk)
    ConsentRecord.objects.filter(profile=ann).update(at=at - 70 * DAY)

    features = mail_features(np.array([ann.pk, ann.pk + 1000]), at)
    assert {name: features[name][0] for name in MAIL_FEATURES} == pytest.approx({
        "mails_sent": 1, "mails_opened": 1, "mails_clicked": 1, "orders_after_click": 2, "subscribed": 1,
        "consent_weeks": 10, "top_category_share": 2 / 3})
    assert all(features[name][1] == 0 for name in MAIL_FEATURES)  # no such customer: absent
    # before the subscription there is none
    assert mail_features(np.array([ann.pk]), at - 71 * DAY)["subscribed"][0] == 0


def test_the_nightly_run_trains_scores_everyone_and_keeps_its_model():
    profiles = shop(900)
    never = CustomerProfile.objects.create(email="never@example.com", created_at=NOW - 400 * DAY)
    erased = CustomerProfile.objects.create(email=None, created_at=NOW - 400 * DAY, erased_at=NOW - DAY)
    orders_for(erased, [10, 200])
    stages = []

    run = compute_propensity(now=NOW, progress=lambda entity, done, total: stages.append((entity, done, total)))

    assert [done for _, done, _ in stages] == [0, 1, 2, 3, 4] and {e for e, _, _ in stages} == {"propensity"}
    assert (run.state, run.stage, run.horizon_days) == ("done", "done", 90)
    assert run.method in ("logistic", "boosting") and run.confidence in ("high", "medium", "low")
    assert run.metrics["auc"] > 0.7  # the frequent, recent buyers are the ones who buy again
    assert run.features == list(MAIL_FEATURES)
    model = latest_model()
    assert isinstance(model, PropensityModel) and model.names[-len(MAIL_FEATURES):] == MAIL_FEATURES
    scores = {row.profile_id: row for row in CustomerPropensity.objects.all()}
    assert run.scored == len(scores) == len(profiles) + 1  # everyone but the erased
    assert erased.pk not in scores
    # customers who never ordered get the rate at which such customers ordered, honestly labelled
    assert (scores[never.pk].method, scores[never.pk].confidence, scores[never.pk].reasons) == ("base_rate", "low", [])
    assert scores[never.pk].probability == pytest.approx(run.metrics["never_bought_rate"])
    buyers = [scores[p.pk] for p in profiles]
    assert all(0 <= s.probability <= 1 and s.run_id == run.pk for s in buyers)
    assert all(len(s.reasons) <= 3 and all(r["name"] in LABELS and r["value"] for r in s.reasons) for s in buyers)
    assert sum(1 for s in buyers if len(s.reasons) == 3) > 0.9 * len(buyers)
    # the ranking means something today: the likeliest fifth ordered recently far more than the least likely
    recent = set(CRMOrder.objects.filter(placed_at__gte=NOW - 60 * DAY).values_list("profile_id", flat=True))
    ranked = sorted(buyers, key=lambda s: -s.probability)
    fifth = len(ranked) // 5
    top_rate = np.mean([s.profile_id in recent for s in ranked[:fifth]])
    bottom_rate = np.mean([s.profile_id in recent for s in ranked[-fifth:]])
    assert top_rate > 3 * bottom_rate

    # the segment field reads the scores
    segment = save_segment(name="Likely", rules={"field": "response_probability", "op": "gte", "value": 0.5})
    assert segment.member_count == sum(1 for s in scores.values() if s.probability >= 0.5) > 0

    # a second night replaces every score in one go
    again = compute_propensity(now=NOW + DAY)
    assert set(CustomerPropensity.objects.values_list("run_id", flat=True)) == {again.pk}


def test_a_shop_with_too_little_history_gets_an_honest_prior():
    shop(60, seed=1)
    run = compute_propensity(now=NOW)
    assert run.method in ("bgnbd_prior", "base_rate") and run.confidence == "low"
    rows = list(CustomerPropensity.objects.all())
    assert len(rows) == 60
    assert {(r.confidence, r.method) for r in rows} <= {("low", "bgnbd_prior"), ("low", "base_rate")}
    assert all(r.reasons == [] for r in rows)


def test_a_failed_run_keeps_the_previous_scores_and_a_dead_one_is_marked(monkeypatch):
    shop(60, seed=2)
    first = compute_propensity(now=NOW)
    before = dict(CustomerPropensity.objects.values_list("profile_id", "probability"))
    stale = PropensityRun.objects.create(started_at=NOW - timedelta(hours=7), cut=NOW, horizon_days=90)

    def broken(*args, **kwargs):
        raise RuntimeError("the fit broke")

    monkeypatch.setattr("saleor_crm_plugin.profiles.propensity.fit_propensity", broken)
    with pytest.raises(RuntimeError):
        compute_propensity(now=NOW + DAY)
    assert dict(CustomerPropensity.objects.values_list("profile_id", "probability")) == before
    assert PropensityRun.objects.get(pk=stale.pk).state == "failed"
    failed = PropensityRun.objects.exclude(pk__in=[first.pk, stale.pk]).get()
    assert (failed.state, failed.stage, failed.error) == ("failed", "training", "the fit broke")
    assert latest_model(None) is not None  # the last good model is still there


def test_the_command_prints_the_model_and_the_likeliest_customers_in_words(capsys):
    from django.core.management import call_command

    shop(400, seed=6)
    call_command("crm_propensity", "--as-of", NOW.isoformat(), "--top", "3")
    out = capsys.readouterr().out
    run = PropensityRun.objects.get()
    assert out.startswith(f"Propensity to order within 90 days: {run.method} model, {run.confidence} confidence, "
                          f"trained on {run.customers:,} customers")
    assert f"cross-fitted ROC AUC {run.metrics['auc']:.3f}" in out
    lines = out.split("The 3 customers most likely to order\n")[1].splitlines()
    best = CustomerPropensity.objects.order_by("-probability", "profile_id").first()
    assert len(lines) == 3 and lines[0].startswith(f"   1. {best.profile}")
    assert LABELS[best.reasons[0]["name"]] in lines[0] and "_" not in lines[0].split("(")[1]


def test_a_young_shop_is_skipped_with_the_reason_and_unpriced_orders_still_count():
    # nobody had ordered 90 days ago: nothing to learn from, and nothing is written
    young = CustomerProfile.objects.create(email="young@example.com", created_at=NOW - 30 * DAY)
    orders_for(young, [20, 10])
    run = compute_propensity(now=NOW)
    assert (run.state, run.method) == ("skipped", "") and "nothing to learn from" in run.error
    assert not CustomerPropensity.objects.exists() and latest_model() is None

    # a shop whose orders carry no prices (the demo's Instacart sample) is scored on its purchase days
    profiles = shop(300, seed=8)
    CRMOrder.objects.update(total_gross=0)
    run = compute_propensity(now=NOW)
    assert run.state == "done" and run.metrics["customers"] > 200
    scored = dict(CustomerPropensity.objects.values_list("profile_id", "probability"))
    assert set(scored) >= {p.pk for p in profiles}
    assert all(r["name"] != "monetary" for row in CustomerPropensity.objects.all() for r in row.reasons)
