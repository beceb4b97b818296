"""A started campaign's results in the stand-in Dashboard: the mail funnel (opens flagged as unreliable), bounce
health, orders credited to the campaign per currency, and the lift over its random holdout with the 95% interval
and the verdict in words; a campaign the CRM paused shows why; the create form sets a holdout and the share most
likely to respond.

The figures are built with the ORM and the expected ones computed here from that data (the lift's statistics
written out again, as the module docstring of ``analytics/lift.py`` states them), not read back from the API.
"""

import math
import re
from datetime import timedelta
from decimal import Decimal
from statistics import NormalDist

from django.utils import timezone

from tests.browser.conftest import describe_violations, serious
from tests.browser.test_automations_service import checked_in_both_themes
from tests.browser.test_workflows import field, notified

Z95 = NormalDist().inv_cdf(0.975)
MAILED, HELD_OUT = 900, 100  # a 10% holdout
WINDOW_DAYS = 5  # attribution_window_days, pinned in the test


# --- the expected figures, computed from the data -------------------------------------------------------------

def per_recipient(values: list[float]) -> tuple[int, float, float]:
    """n, mean and sample variance of a per-recipient outcome."""
    n = len(values)
    mean = sum(values) / n
    return n, mean, sum((v - mean) ** 2 for v in values) / (n - 1)


def lift(mailed: list[float], holdout: list[float]) -> dict:
    """Difference and relative lift of the mean with 95% intervals and the verdict (Welch, delta method)."""
    n1, m1, v1 = per_recipient(mailed)
    n0, m0, v0 = per_recipient(holdout)
    se = math.sqrt(v1 / n1 + v0 / n0)
    difference = (m1 - m0, m1 - m0 - Z95 * se, m1 - m0 + Z95 * se)
    relative = None
    if m1 > 0 and m0 > 0:
        se_log = math.sqrt(v1 / (n1 * m1 * m1) + v0 / (n0 * m0 * m0))
        r = math.log(m1 / m0)
        relative = (m1 / m0 - 1, math.exp(r - Z95 * se_log) - 1, math.exp(r + Z95 * se_log) - 1)
    buyers = sum(1 for v in mailed if v) + sum(1 for v in holdout if v)
    if min(n1, n0) < 100 or buyers < 10 or difference[2] - difference[1] > 2 * m0:
        verdict = "Too small to tell"
    elif difference[1] > 0:
        verdict = "The mail raised it"
    elif difference[2] < 0:
        verdict = "The mail lowered it"
    else:
        verdict = "No clear effect"
    return {"mailed": m1, "holdout": m0, "difference": difference, "relative": relative, "verdict": verdict}


# --- the page's number formats (locale "en") --------------------------------------------------------------------

def signed(text: str, value: float) -> str:
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def per_100(value: float, sign: bool = False) -> str:
    text = f"{abs(value) * 100:,.1f}" if sign else f"{value * 100:,.1f}"
    return signed(text, value) if sign else text


def money(value: float, symbol: str, sign: bool = False) -> str:
    text = f"{symbol}{abs(value):,.2f}"
    return signed(text, value) if sign or value < 0 else text


def percent(share: float, sign: bool = False) -> str:
    text = f"{abs(share) * 100:,.1f}".removesuffix(".0") + "%"
    return signed(text, share) if sign or share < 0 else text


def interval(values: tuple, one) -> str:
    estimate, low, high = values
    return f"{one(estimate)} (95% interval {one(low)} to {one(high)})"


# --- the data ---------------------------------------------------------------------------------------------------

def make_campaign(name: str, **fields):
    from saleor_crm_plugin.models import Campaign, EmailTemplate

    template, _ = EmailTemplate.objects.get_or_create(name="Results mail", defaults={
        "subject": "News", "body": "<p>News</p>", "body_format": "html"})
    return Campaign.objects.create(name=name, template=template, channel="default-channel", **fields)


def deliver(campaign, prefix: str, mailed: int, held_out: int, start):
    """``mailed`` sent deliveries (one second apart) and ``held_out`` skipped ones, each to a new customer."""
    from saleor_crm_plugin.models import CustomerProfile, Delivery

    profiles = CustomerProfile.objects.bulk_create(
        [CustomerProfile(email=f"{prefix}{i}@example.com") for i in range(mailed + held_out)])
    sent = Delivery.objects.bulk_create(
        [Delivery(campaign=campaign, profile=p, email=p.email, state="sent", sent_at=start + timedelta(seconds=i),
                  attempts=1) for i, p in enumerate(profiles[:mailed])])
    held = Delivery.objects.bulk_create(
        [Delivery(campaign=campaign, profile=p, email=p.email, state="skipped", skip_reason="holdout")
         for p in profiles[mailed:]])
    return sent, held


def record_events(deliveries, kind: str, at) -> None:
    from saleor_crm_plugin.models import DeliveryEvent

    DeliveryEvent.objects.bulk_create(
        [DeliveryEvent(delivery=d, esp="postmark", event_id=f"{kind}-{d.pk}", kind=kind, esp_kind=kind, occurred_at=at)
         for d in deliveries])


def record_orders(rows) -> None:
    """``rows``: (profile id, email, currency, total, placed at)."""
    from saleor_crm_plugin.models import CRMOrder

    CRMOrder.objects.bulk_create([
        CRMOrder(order_id=f"results-{i}", profile_id=profile_id, email=email, channel="default-channel",
                 currency=currency, total_gross=Decimal(total), total_net=Decimal(total), lines_count=1,
                 placed_at=at, source_updated_at=at, version_key=f"v{i}", is_paid=True)
        for i, (profile_id, email, currency, total, at) in enumerate(rows)])


def open_campaign(dashboard, campaign):
    from saleor_crm_plugin.graphql.ids import global_id

    framed = dashboard("app", hash=f"#/campaigns/{global_id('CRMCampaign', campaign.pk)}")
    framed.frame.get_by_test_id("campaign-detail").wait_for(timeout=20_000)
    return framed


def row_text(frame, test_id: str) -> str:
    row = frame.get_by_test_id(test_id)
    row.wait_for(timeout=20_000)
    return row.inner_text()


def test_a_sent_campaign_shows_its_funnel_credited_orders_and_lift_over_the_holdout(
        dashboard, built_pages, crm_settings, axe_source):
    from saleor_crm_plugin.config import get_setting

    crm_settings.SALEOR_CRM = {**crm_settings.SALEOR_CRM, "attribution_window_days": WINDOW_DAYS}
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=3)  # the lift's window (5 days) still runs: provisional
    # given: a sent campaign that held 10% out: 900 mailed, 100 not
    campaign = make_campaign("Autumn vinyl", state="sent", holdout_percent=10, started_at=start,
                             finished_at=start + timedelta(hours=1), segment_ids=[])
    sent, held = deliver(campaign, "lift", MAILED, HELD_OUT, start)
    # the mail service's events: 880 delivered, 8 bounced, 600 opened, 90 clicked, 4 unsubscribed
    record_events(sent[:880], "delivered", start + timedelta(minutes=5))
    record_events(sent[892:], "bounced", start + timedelta(minutes=5))
    record_events(sent[:600], "opened", start + timedelta(minutes=30))
    record_events(sent[:90], "clicked", start + timedelta(hours=2))
    record_events(sent[100:104], "unsubscribed", start + timedelta(hours=3))
    # orders: 315 mailed buyers in USD (the first 45 twice; the first 90 clicked before), 3 in EUR; 15 held out
    usd = lambda i: f"{20 + (i % 7) * 5}.00"  # noqa: E731
    rows = [(d.profile_id, d.email, "USD", usd(i), start + timedelta(days=1)) for i, d in enumerate(sent[:315])]
    rows += [(d.profile_id, d.email, "USD", "15.00", start + timedelta(days=2)) for d in sent[:45]]
    rows += [(d.profile_id, d.email, "EUR", "30.00", start + timedelta(days=1)) for d in sent[880:883]]
    rows += [(d.profile_id, d.email, "USD", usd(i), start + timedelta(days=1)) for i, d in enumerate(held[:15])]
    rows += [(sent[500].profile_id, sent[500].email, "USD", "999.00", start - timedelta(days=1))]  # before: no
    record_orders(rows)

    # the expected figures, from the rows above
    in_window = [r for r in rows if start <= r[4] < start + timedelta(days=WINDOW_DAYS)]
    mailed_ids, held_ids = [d.profile_id for d in sent], [d.profile_id for d in held]

    def outcome(ids, value) -> list[float]:
        return [sum(value(r) for r in in_window if r[0] == pid) for pid in ids]

    orders = lift(outcome(mailed_ids, lambda r: 1), outcome(held_ids, lambda r: 1))
    usd_lift = lift(outcome(mailed_ids, lambda r: float(r[3]) if r[2] == "USD" else 0),
                    outcome(held_ids, lambda r: float(r[3]) if r[2] == "USD" else 0))
    eur_lift = lift(outcome(mailed_ids, lambda r: float(r[3]) if r[2] == "EUR" else 0),
                    outcome(held_ids, lambda r: float(r[3]) if r[2] == "EUR" else 0))
    clicked = {d.profile_id for d in sent[:90]}
    credited = [r for r in rows if r[0] in clicked and start + timedelta(hours=2) <= r[4]
                < start + timedelta(hours=2, days=WINDOW_DAYS)]
    credited_usd = sum(Decimal(r[3]) for r in credited)
    window = min(get_setting("health_window"), MAILED)
    latest = sent[MAILED - window:]
    bounced_in_window = sum(1 for d in latest if d in sent[892:])
    assert orders["verdict"] == "The mail raised it" and eur_lift["verdict"] == "Too small to tell"

    # when
    framed = open_campaign(dashboard, campaign)
    frame = framed.frame

    # then: the funnel, shares of sent and of delivered, opens flagged
    assert re.search(r"Delivered\s+880\s+97\.8% of sent", row_text(frame, "funnel-delivered"))
    opened = row_text(frame, "funnel-opened")
    assert re.search(r"Opened\s+unreliable\s+600\s+" + re.escape(percent(600 / 880)) + " of delivered", opened), opened
    clicked_row = row_text(frame, "funnel-clicked")
    assert re.search(r"Clicked\s+90\s+" + re.escape(percent(90 / 880)) + " of delivered", clicked_row), clicked_row
    assert re.search(r"Bounced\s+8\s+" + re.escape(percent(8 / 900)) + " of sent", row_text(frame, "funnel-bounced"))
    assert re.search(r"Marked as spam\s+0\s", row_text(frame, "funnel-complained"))
    assert re.search(r"Unsubscribed\s+4\s", row_text(frame, "funnel-unsubscribed"))
    assert "privacy" in frame.get_by_test_id("opens-caveat").inner_text()
    health = frame.get_by_test_id("campaign-health").inner_text()
    assert f"{bounced_in_window} of {window}" in health and "Bounces: Healthy" in health

    # the orders credited to it (last click within the window), per currency, EUR never clicked
    attributed = row_text(frame, "attributed-USD")
    assert re.search(rf"USD\s+{len(credited)}\s+{re.escape(money(float(credited_usd), '$'))}", attributed), attributed
    assert frame.get_by_test_id("attributed-EUR").count() == 0
    assert f"within {WINDOW_DAYS} days after a click" in frame.get_by_test_id("campaign-attributed").inner_text()
    assert "pauses at 5%" in health and "pauses at 10" in health  # the shop's limits, from the API

    # the lift: orders per 100 recipients, difference and relative lift with their intervals, the verdict
    text = row_text(frame, "lift-orders")
    for expected in (per_100(orders["mailed"]), per_100(orders["holdout"]),
                     interval(orders["difference"], lambda v: per_100(v, sign=True)),
                     interval(orders["relative"], lambda v: percent(v, sign=True)), orders["verdict"]):
        assert expected in text, (expected, text)
    headline = frame.get_by_test_id("lift-headline").inner_text()
    extra = re.escape(per_100(orders["difference"][0], sign=True))
    assert re.search(rf"Extra orders per 100 recipients\s+{extra}\s", headline), headline
    assert re.search(r"Verdict on orders\s+The mail raised it", headline), headline
    text = row_text(frame, "lift-revenue-USD")
    for expected in (money(usd_lift["mailed"], "$"), money(usd_lift["holdout"], "$"),
                     interval(usd_lift["difference"], lambda v: money(v, "$", sign=True)),
                     interval(usd_lift["relative"], lambda v: percent(v, sign=True)), usd_lift["verdict"]):
        assert expected in text, (expected, text)
    # EUR: three mailed buyers and none held out: too small to tell, and no relative lift
    text = row_text(frame, "lift-revenue-EUR")
    assert "Too small to tell" in text and interval(eur_lift["difference"], lambda v: money(v, "€", sign=True)) in text
    groups = row_text(frame, "lift-group-mailed"), row_text(frame, "lift-group-holdout")
    mailed_usd = sum(float(r[3]) for r in in_window if r[0] in set(mailed_ids) and r[2] == "USD")
    assert re.search(r"Mailed\s+900\s+318\s+363\s", groups[0]), groups[0]  # 315 + 3 buyers, 315 + 45 + 3 orders
    assert f"{money(mailed_usd, '$')}" in groups[0] and "€90.00" in groups[0]  # per currency, never added
    assert re.search(r"Holdout\s+100\s+15\s+15\s", groups[1]), groups[1]
    verdicts = frame.get_by_test_id("lift-verdicts").inner_text()
    assert "The mail raised orders" in verdicts and "Too small to tell for revenue in EUR" in verdicts
    end = start + timedelta(days=WINDOW_DAYS)
    timing = frame.get_by_test_id("lift-timing").inner_text()
    assert timing.startswith(f"Provisional until {end:%b} {end.day}, {end.year}"), timing
    assert frame.get_by_role("heading", name="Lift over the holdout").count() == 1
    assert "10% held out" in frame.get_by_test_id("campaign-audience-options").inner_text()

    found = checked_in_both_themes(framed, axe_source, "campaign-results")
    assert not describe_violations(found), describe_violations(found)
    assert framed.errors == []


def test_a_campaign_the_crm_paused_says_why_and_one_without_holdout_says_it_cannot_measure_lift(
        dashboard, built_pages):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    reason = "Paused by the CRM: 10 hard bounces in the last 150 mails (6.7%); limit 5%."
    campaign = make_campaign("Bouncy", state="paused", started_at=start, pause_reason=reason, segment_ids=[])
    sent, _ = deliver(campaign, "bouncy", 150, 0, start)
    record_events(sent[:140], "delivered", start + timedelta(minutes=1))
    record_events(sent[140:], "bounced", start + timedelta(minutes=1))
    record_events(sent[:3], "complained", start + timedelta(minutes=9))

    framed = open_campaign(dashboard, campaign)
    frame = framed.frame

    alert = frame.get_by_test_id("pause-reason")
    alert.wait_for(timeout=20_000)
    assert alert.get_attribute("role") == "alert" and reason in alert.inner_text()
    health = frame.get_by_test_id("campaign-health").inner_text()
    assert "Bounces: Over the limit" in health and "Complaints: Over the limit" in health
    assert "10 of 150" in health and "200" in health  # 3 of 150 complained: 200 per 10,000
    assert "No holdout" in frame.get_by_role("region", name="Lift over the holdout").inner_text()
    assert frame.get_by_role("button", name="Resume").is_visible()
    assert framed.errors == []


def test_the_create_form_sets_a_holdout_and_the_share_most_likely_to_respond(dashboard, built_pages):
    from saleor_crm_plugin.models import Campaign, CustomerProfile
    from saleor_crm_plugin.segments.membership import save_segment

    CustomerProfile.objects.create(email="one@example.com", order_count=2)
    save_segment(name="Buyers", rules={"field": "order_count", "op": "gte", "value": 1})
    make_campaign("Existing", segment_ids=[])  # makes the template
    framed = dashboard("app", hash="#/campaigns")
    frame = framed.frame
    frame.get_by_role("button", name="Create campaign").click()
    form = frame.get_by_test_id("campaign-create-form")
    form.wait_for(timeout=20_000)
    field(form, "Campaign name").fill("Measured")
    form.get_by_role("combobox", name="Template").click()
    frame.get_by_role("option", name="Results mail").click()
    form.locator("fieldset", has_text="Send to").get_by_text("Buyers").click()
    # when: an out-of-range holdout is refused before anything is sent
    form.get_by_role("spinbutton", name=re.compile(r"^Holdout")).fill("60")
    assert "0 to 50%" in form.inner_text()
    assert form.get_by_role("button", name="Create draft").is_disabled()
    form.get_by_role("spinbutton", name=re.compile(r"^Holdout")).fill("10")
    form.get_by_text("Send only to the customers most likely to respond").click()
    form.get_by_role("spinbutton", name=re.compile(r"^Most likely to respond")).fill("25")
    form.get_by_role("button", name="Create draft").click()
    notified(framed, "Campaign created")
    # then
    campaign = Campaign.objects.get(name="Measured")
    assert (campaign.holdout_percent, campaign.audience_top_percent) == (10, 25)
    options = frame.get_by_test_id("campaign-audience-options")
    options.wait_for(timeout=20_000)
    assert "10% held out" in options.inner_text() and "25% most likely to respond" in options.inner_text()
    assert framed.errors == []


def test_a_customers_likelihood_to_respond_shows_on_their_record_and_the_model_on_the_overview(
        dashboard, built_pages, axe_source):
    from graphql_relay import to_global_id

    from saleor_crm_plugin.models import CustomerProfile, CustomerPropensity, PropensityRun
    from saleor_crm_plugin.profiles.propensity import LABELS

    now = timezone.now()
    profile = CustomerProfile.objects.create(email="likely@example.com", user_id=4242, first_name="Lia")
    run = PropensityRun.objects.create(
        started_at=now, finished_at=now, state="done", cut=now - timedelta(days=90), horizon_days=90,
        method="boosting", confidence="high", customers=1200, scored=1500,
        metrics={"base_rate": 0.21, "auc": 0.784, "average_precision": 0.45, "top_decile_lift": 2.63})
    CustomerPropensity.objects.create(
        profile=profile, probability=0.342, confidence="high", method="boosting", run_id=run.pk, scored_at=now,
        reasons=[{"name": "mails_clicked", "value": 0.5}, {"name": "recency_weeks", "value": -1.2},
                 {"name": "frequency", "value": 0.1}, {"name": "tenure_weeks", "value": 0.05}])

    # the customer widget: the chance, how far to trust it, the strongest three reasons in words
    framed = dashboard("customer-widget", context={"customerId": to_global_id("User", "4242")})
    shown = framed.frame.get_by_test_id("customer-propensity")
    try:
        shown.wait_for(timeout=20_000)
    except Exception as error:  # say what the widget showed instead
        raise AssertionError(f"{framed.frame.locator('body').inner_text()!r}; errors {framed.errors}") from error
    text = shown.inner_text()
    assert "34% chance of ordering within 90 days" in text and "High confidence" in text
    strongest = LABELS["recency_weeks"]
    assert f"{strongest[0].upper()}{strongest[1:]} lowers the chance a lot (odds ×0.3)" in text
    assert LABELS["frequency"] in text.lower() and LABELS["tenure_weeks"] not in text.lower()  # top three only
    framed.screenshot("customer-propensity")
    found = serious(framed.axe(axe_source))
    assert not found, found
    assert framed.errors == []

    # the overview: the model's card
    framed = dashboard("app", hash="#/overview")
    card = framed.frame.get_by_role("region", name="Response propensity model")
    card.wait_for(timeout=20_000)
    text = card.inner_text()
    for expected in ("1,500", "trained on 1,200", "21%", "0.78", "×2.6", "High confidence"):
        assert expected in text, (expected, text)
    assert framed.errors == []
