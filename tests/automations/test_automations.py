"""Each automation in-process, with anymail's test backend: when it mails, once, with what, and every reason
it does not (a completed checkout, an order since, a changed cart, a cancelled order, a customer who came
back, no consent, quiet hours). The real-worker tests are in test_worker.py."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from saleor_crm_plugin.campaigns.automations import running, staff
from saleor_crm_plugin.campaigns.automations.running import run_automations
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import AutomationRun, CRMCheckout, CRMOrder, CustomerAnalytics, Delivery, SurveyResponse
from saleor_crm_plugin.profiles.timeline import timeline
from tests.automations.conftest import SURVEY_MJML, THANKS_MJML, ago, mails_to

pytestmark = pytest.mark.django_db


def runs(**filters) -> list[tuple]:
    return sorted(AutomationRun.objects.filter(**filters).values_list("step", "state", "reason"))


def test_an_abandoned_checkout_gets_one_reminder_after_the_delay_with_its_lines_and_link(
        anymail_settings, switch_on, customer, events, ingest):
    switch_on("abandoned_checkout")  # step 1 after 1 hour
    customer("ann@example.com")
    customer("bob@example.com")
    ingest(events.checkout(token="cart-ann", email="ann@example.com", at=ago(minutes=70),
                           lines=[events.line(1, quantity=2, price="4.50", name="Green tea")]))
    ingest(events.checkout(token="cart-bob", email="bob@example.com", at=ago(minutes=30)))  # not idle long enough
    # when: the periodic pass runs, twice (as beat does)
    first, second = run_automations(), run_automations()
    # then: Ann's reminder, once, from her cart
    [reminder] = mails_to("ann@example.com")
    assert reminder.subject == "abandoned_checkout for ann@example.com"
    html = reminder.alternatives[0][0]
    assert "2 x Green tea" in html and "$9.00" in html and "reminder 1" in html
    assert "https://shop.example.com/default-channel/checkout?token=cart-ann" in reminder.body  # the text part
    click = re.search(r'href="(https://[^"]+/click/[^"]+)"', html).group(1)
    assert Client().get(urlsplit(click).path)["Location"] == (
        "https://shop.example.com/default-channel/checkout?token=cart-ann")
    assert reminder.extra_headers["Message-ID"] == Delivery.objects.get(run__trigger_key="checkout:cart-ann").message_id
    assert mails_to("bob@example.com") == [] and runs(trigger_key="checkout:cart-bob") == []
    assert (first["sent"], second["sent"], second["planned"]) == (1, 0, {"abandoned_checkout": 0})
    # and her timeline says so
    assert any(entry["kind"] == "automation.mailed" and "Abandoned checkout" in entry["text"]
               for entry in timeline(customer_profile("ann@example.com")))


def customer_profile(email):
    from saleor_crm_plugin.models import CustomerProfile

    return CustomerProfile.objects.get(email=email)


def test_a_checkout_completed_or_followed_by_an_order_gets_no_reminder(anymail_settings, switch_on, customer, events,
                                                                       ingest):
    switch_on("abandoned_checkout")
    customer("ann@example.com")
    customer("cy@example.com")
    ingest(events.checkout(token="cart-ann", email="ann@example.com", at=ago(minutes=90)))
    ingest(events.order(email="ann@example.com", checkout_token="cart-ann", at=ago(minutes=80)))  # completed it
    ingest(events.checkout(token="cart-cy", email="cy@example.com", at=ago(minutes=90)))
    ingest(events.order(email="cy@example.com", at=ago(minutes=10)))  # ordered otherwise since
    run_automations()
    assert mails_to("ann@example.com") == [] and mails_to("cy@example.com") == []
    assert CRMCheckout.objects.get(token="cart-ann").completed_at is not None


def test_the_same_trigger_twice_or_late_fires_once(anymail_settings, switch_on, customer, events, ingest):
    switch_on("abandoned_checkout")
    customer("ann@example.com")
    cart = events.checkout(token="cart-ann", email="ann@example.com", at=ago(minutes=70))
    ingest(cart)
    run_automations()
    ingest(cart, cart)  # delivered again, late
    run_automations()
    assert len(mails_to("ann@example.com")) == 1 and runs() == [(1, "mailed", "")]


def test_an_order_between_the_reminders_stops_the_second(anymail_settings, switch_on, customer, events, ingest):
    switch_on("abandoned_checkout", steps=[{"position": 1}, {"position": 2, "enabled": True, "delay_seconds": 0}])
    customer("ann@example.com")
    customer("dee@example.com")
    for token, email in (("cart-ann", "ann@example.com"), ("cart-dee", "dee@example.com")):
        ingest(events.checkout(token=token, email=email, at=ago(minutes=70)))
    run_automations()  # reminder 1 to both; reminder 2 is planned at the next pass, once 1 was sent
    ingest(events.order(email="ann@example.com", at=timezone.now()))
    run_automations()
    assert len(mails_to("ann@example.com")) == 1 and len(mails_to("dee@example.com")) == 2
    assert runs(trigger_key="checkout:cart-ann") == [(1, "mailed", ""), (2, "cancelled", "ordered")]
    assert "reminder 2" in mails_to("dee@example.com")[1].alternatives[0][0]


def test_a_cart_changed_after_the_reminder_was_scheduled_is_not_reminded_of(anymail_settings, switch_on, customer,
                                                                            events, ingest):
    now = timezone.now()
    automation = switch_on("abandoned_checkout", quiet_start=(now.hour - 1) % 24, quiet_end=(now.hour + 2) % 24)
    customer("ann@example.com")
    ingest(events.checkout(token="cart-ann", email="ann@example.com", at=ago(minutes=70)))
    # when: planned during quiet hours, it waits for their end...
    report = run_automations()
    [run] = AutomationRun.objects.all()
    assert report["deferred"] == 1 and run.state == "scheduled" and run.due_at > now
    assert run.due_at == running.quiet_until(automation, now)
    # ...and the cart changes meanwhile
    ingest(events.checkout("checkout.updated", token="cart-ann", email="ann@example.com", at=ago(minutes=1),
                           lines=[events.line(1), events.line(2)]))
    AutomationRun.objects.update(due_at=now)  # the quiet hours are over
    staff.configure("abandoned_checkout", quiet_start=None, quiet_end=None)
    run_automations()
    # then
    assert mails_to("ann@example.com") == [] and runs() == [(1, "cancelled", "cart_changed")]


def test_no_consent_is_a_skip_with_its_reason_on_the_timeline(anymail_settings, switch_on, customer, events, ingest):
    switch_on("abandoned_checkout")
    profile = customer("ann@example.com", subscribed=False)
    ingest(events.checkout(token="cart-ann", email="ann@example.com", at=ago(minutes=70)))
    report = run_automations()
    assert mails_to("ann@example.com") == [] and report["skipped"] == 1
    assert runs() == [(1, "skipped", "no_consent")]
    assert any(e["kind"] == "automation.skipped" and "no consent" in e["text"] for e in timeline(profile))


def test_post_purchase_thanks_after_the_delay_and_not_for_a_cancelled_order(
        anymail_settings, switch_on, customer, events, ingest):
    switch_on("post_purchase", THANKS_MJML, steps=[{"position": 1, "delay_seconds": 3 * 86400}], since=ago(days=10))
    customer("ann@example.com")
    customer("bob@example.com")
    customer("cy@example.com")
    ingest(events.order(order_id="o-ann", email="ann@example.com", at=ago(days=4), status="fulfilled"))
    ingest(events.order(order_id="o-bob", email="bob@example.com", at=ago(days=1), status="fulfilled"))  # too soon
    ingest(events.order(order_id="o-cy", email="cy@example.com", at=ago(days=5), status="fulfilled"))
    ingest(events.order("order.cancelled", order_id="o-cy", email="cy@example.com", at=ago(days=5),
                        updated_at=ago(days=4), status="canceled"))
    run_automations()
    [thanks] = mails_to("ann@example.com")
    number = CRMOrder.objects.get(order_id="o-ann").number
    assert f"Thanks for order {number}" in thanks.alternatives[0][0]
    assert mails_to("bob@example.com") == [] and runs(trigger_key="order:o-bob") == [(1, "scheduled", "")]
    assert mails_to("cy@example.com") == []


def lapsed(profile, churn_risk):
    CustomerAnalytics.objects.update_or_create(profile=profile, currency="USD", defaults=dict(
        orders=1, revenue=Decimal(10), recency_days=200, r_score=1, f_score=1, m_score=1, rfm_group="at_risk",
        expected_orders_30=0, expected_orders_90=0, expected_orders_365=0.1, p_alive=1 - churn_risk,
        churn_risk=churn_risk, expected_order_value=Decimal(10), clv_12m=Decimal(1), method="bgnbd",
        confidence="low", computed_at=timezone.now()))


def test_win_back_mails_once_per_lapse(anymail_settings, switch_on, customer, events, ingest):
    automation = switch_on("win_back", THANKS_MJML, options={"churn_risk": 0.8})
    ann, bob = customer("ann@example.com"), customer("bob@example.com")
    for email in ("ann@example.com", "bob@example.com"):
        ingest(events.order(email=email, at=ago(days=200)))
    lapsed(ann, 0.9)
    lapsed(bob, 0.5)  # not lapsed at this threshold
    run_automations()
    run_automations()  # the same lapse: nothing more (and win-back scans hourly)
    automation.refresh_from_db()
    assert len(mails_to("ann@example.com")) == 1 and mails_to("bob@example.com") == []
    # when: Ann comes back, then lapses again
    ingest(events.order(email="ann@example.com", at=ago(days=100)))
    type(automation).objects.filter(pk=automation.pk).update(planned_at=None)
    run_automations()
    # then: a new lapse, a new mail
    assert len(mails_to("ann@example.com")) == 2
    assert AutomationRun.objects.filter(profile=ann).values("trigger_key").distinct().count() == 2


def test_welcome_once_on_subscription_or_account(anymail_settings, switch_on, customer, events, ingest):
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import ConsentSource, ConsentState

    switch_on("welcome", THANKS_MJML)
    ann = customer("ann@example.com", subscribed=False)
    set_consent(ConsentState.SUBSCRIBED, "default-channel", ConsentSource.STOREFRONT, profile_id=ann.pk)
    set_consent(ConsentState.SUBSCRIBED, "outlet", ConsentSource.STOREFRONT, profile_id=ann.pk)
    ingest(events.customer(user_id=7, email="ann@example.com", at=timezone.now()))  # her account too
    customer("old@example.com")  # imported consent: no welcome
    run_automations()
    run_automations()
    assert len(mails_to("ann@example.com")) == 1 and mails_to("old@example.com") == []


def test_the_survey_is_answered_by_its_link_and_a_low_score_opens_a_request(anymail_settings, switch_on, customer,
                                                                            events, ingest):
    from saleor_crm_plugin.models import ServiceRequest

    switch_on("satisfaction_survey", SURVEY_MJML, steps=[{"position": 1, "delay_seconds": 0}], since=ago(days=10))
    customer("ann@example.com")
    ingest(events.order(order_id="o-ann", email="ann@example.com", at=ago(days=2), status="fulfilled"))
    run_automations()
    [survey] = mails_to("ann@example.com")
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', survey.alternatives[0][0]))
    by_score = {int(score): url for url, score in links.items()}
    assert sorted(by_score) == [1, 2, 3, 4, 5]  # CSAT
    # when: Ann clicks 2 and confirms
    path = urlsplit(by_score[2].replace("&amp;", "&")).path
    assert Client().get(path).status_code == 200 and SurveyResponse.objects.count() == 0  # a GET stores nothing
    answered = Client().post(path, {"comment": "Late"})
    # then
    assert answered.status_code == 200
    response = SurveyResponse.objects.get()
    assert (response.kind, response.score, response.order_id) == ("csat", 2, "o-ann")
    assert ServiceRequest.objects.filter(kind="low_score", profile__email="ann@example.com").count() == 1


def test_configuration_errors_are_coded(switch_on):
    for call, code in [
        (lambda: staff.configure("nope", enabled=True), "not_found"),
        (lambda: staff.configure("welcome", enabled=True), "required"),  # no template yet
        (lambda: staff.configure("win_back", options={"churn_risk": 2}), "out_of_range"),
        (lambda: staff.configure("win_back", options={"colour": 1}), "invalid"),
        (lambda: staff.configure("satisfaction_survey", options={"scale": "stars"}), "invalid"),
        (lambda: staff.configure("welcome", quiet_start=25, quiet_end=3), "out_of_range"),
        (lambda: staff.configure("welcome", quiet_start=22), "required"),
        (lambda: staff.configure("welcome", channels=["Bad Slug!"]), "invalid_channel"),
        (lambda: staff.configure("welcome", steps=[{"position": 9}]), "not_found"),
        (lambda: staff.configure("welcome", steps=[{"position": 1, "delay_seconds": -1}]), "out_of_range"),
        (lambda: staff.configure("welcome", from_email="not an address"), "invalid_email"),
    ]:
        with pytest.raises(CRMError) as caught:
            call()
        assert caught.value.code_value == code


def test_step_stats_count_mails_skips_and_cancellations(anymail_settings, switch_on, customer, events, ingest):
    automation = switch_on("abandoned_checkout")
    customer("ann@example.com")
    customer("bob@example.com", subscribed=False)
    customer("cy@example.com")
    for token, email in (("a", "ann@example.com"), ("b", "bob@example.com"), ("c", "cy@example.com")):
        ingest(events.checkout(token=token, email=email, at=ago(minutes=70)))
    run_automations()
    [step1, step2] = staff.stats(automation)
    assert (step1.sent, step1.skipped, step1.cancelled, step2.sent) == (2, {"no_consent": 1}, {}, 0)
    assert timezone.now() - timedelta(minutes=1) < Delivery.objects.filter(state="sent").latest("sent_at").sent_at
