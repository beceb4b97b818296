"""Day one in the stand-in Dashboard: right after the first import of the shop's history the overview shows
revenue per currency and the RFM groups; "Recompute now" shows its progress to done; a campaign sent over a
provider that reports no deliveries says so instead of "Delivered 0 (0% of sent)". Light and dark, axe-core.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.browser.conftest import describe_violations
from tests.conftest import OrdersSource
from tests.browser.test_automations_service import checked_in_both_themes
from tests.browser.test_campaign_results import deliver, make_campaign, open_campaign, row_text
from tests.clock import ago

CUSTOMERS = 8




def history(events) -> tuple[list, float]:
    """Customer n ordered n + 1 times over the last year at $12.50 a line; the total revenue."""
    orders = []
    for n in range(CUSTOMERS):
        for k in range(n + 1):
            orders.append(events.order(email=f"day{n}@example.com", user_id=700 + n, at=ago(days=n * 30 + k * 9 + 1),
                                       lines=[events.line(product_id=1 + k % 3, price="12.50")]))
    return orders, 12.5 * len(orders)


@pytest.fixture
def eager_worker():
    """Tasks sent by name run at once in this process: Saleor without a broker runs them so."""
    from crm_host.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def test_right_after_the_first_backfill_the_overview_shows_revenue_and_rfm_groups(
        dashboard, built_pages, events, eager_worker, axe_source):
    from saleor_crm_plugin import tasks

    # given: the plugin switched on in a shop with history: the backfill task imports it (the worker's path)
    orders, revenue = history(events)
    result = tasks.import_history(OrdersSource(orders))
    assert result["recompute"] is not None
    # when: the merchant opens the overview
    framed = dashboard("app", hash="#/overview")
    frame = framed.frame
    frame.get_by_test_id("overview-page").wait_for(timeout=20_000)
    # then: revenue per currency (what the customer list adds up), with CLV since everyone is scored
    usd = row_text(frame, "revenue-USD")
    assert re.search(rf"USD\s+{CUSTOMERS}\s+{len(orders)}\s+{re.escape(money(revenue))}\s+\$", usd), usd
    assert "Not scored yet" not in usd
    # the RFM groups add up to every customer
    rfm = frame.get_by_role("table", name=re.compile("Customers per RFM group"))
    counts = [int(cell) for cell in rfm.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert sum(counts) == CUSTOMERS, counts
    # and the recompute that followed the backfill reported done
    status = frame.get_by_test_id("recompute-status")
    assert "Up to date" in status.inner_text() and f"{CUSTOMERS} customers scored" in status.inner_text()
    found = checked_in_both_themes(framed, axe_source, "overview-day-one")
    assert not any(found.values()), describe_violations(found)
    assert framed.errors == []


def test_recompute_now_shows_its_progress_to_done(dashboard, built_pages, events, ingest, axe_source, monkeypatch):
    from saleor_crm_plugin import recompute
    from saleor_crm_plugin.models import RecomputeRun

    # given: orders folded since the last scores (none yet): revenue shows, the scores do not
    orders, revenue = history(events)
    ingest(*orders)
    framed = dashboard("app", hash="#/overview")
    frame = framed.frame
    frame.get_by_test_id("overview-page").wait_for(timeout=20_000)
    assert "Not scored yet" in row_text(frame, "revenue-USD")
    frame.get_by_text("No RFM scores yet").wait_for()
    # and a worker that holds on at its second step until told (so the page can be seen mid-way)
    reached, go_on = threading.Event(), threading.Event()
    real = recompute.STEP_FUNCTIONS["propensity"]

    def held(now):
        reached.set()
        go_on.wait(60)
        return real(now)

    monkeypatch.setitem(recompute.STEP_FUNCTIONS, "propensity", held)
    # when: the merchant clicks "Recompute now" (the run is handed to the task queue)
    frame.get_by_role("button", name="Recompute now").click()
    status = frame.get_by_test_id("recompute-status")
    status.get_by_text("Waiting for a worker").wait_for(timeout=10_000)
    assert frame.get_by_test_id("recompute-button").is_disabled()
    # and a worker takes it
    run = RecomputeRun.objects.get()

    def work():
        try:
            recompute.run_recompute(run.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert reached.wait(30)
        # then: the page follows it: step 2 of 3, a third done
        status.get_by_text("Recomputing: step 2 of 3").wait_for(timeout=10_000)
        bar = frame.get_by_role("progressbar", name="Recompute progress")
        assert bar.get_attribute("aria-valuenow") == "33"
        found = checked_in_both_themes(framed, axe_source, "overview-recompute-running")
        assert not any(found.values()), describe_violations(found)
    finally:
        go_on.set()
        worker.join(60)
    # and to done, with the scores and segments shown without a reload
    status.get_by_text("Up to date").wait_for(timeout=10_000)
    assert bar.get_attribute("aria-valuenow") == "100"
    assert frame.get_by_test_id("recompute-button").is_enabled()
    frame.get_by_role("table", name=re.compile("Customers per RFM group")).wait_for(timeout=10_000)
    assert "Not scored yet" not in row_text(frame, "revenue-USD")
    found = checked_in_both_themes(framed, axe_source, "overview-recompute-done")
    assert not any(found.values()), describe_violations(found)
    assert framed.errors == []


def test_over_smtp_the_funnel_says_the_provider_does_not_report_deliveries(
        dashboard, built_pages, crm_settings, axe_source):
    from saleor_crm_plugin.models import DeliveryEvent

    # given: a campaign of 40 mails sent over SMTP (no tracking webhook), 6 of them clicked through our links
    crm_settings.SALEOR_CRM = {**crm_settings.SALEOR_CRM, "email_provider": "smtp"}
    start = timezone.now() - timedelta(hours=5)
    campaign = make_campaign("SMTP news", state="sent", started_at=start, finished_at=start + timedelta(minutes=5),
                             segment_ids=[])
    sent, _ = deliver(campaign, "smtp", 40, 0, start)
    DeliveryEvent.objects.bulk_create([
        DeliveryEvent(delivery=d, esp="crm", event_id=f"click-{d.pk}", kind="clicked", esp_kind="clicked",
                      occurred_at=start + timedelta(hours=1), url="https://shop.example.com/p/x") for d in sent[:6]])
    # when
    framed = open_campaign(dashboard, campaign)
    frame = framed.frame
    # then: no "Delivered 0 (0% of sent)": unknown, said in words; clicks rated against sent
    note = frame.get_by_test_id("delivery-reports-note")
    note.wait_for(timeout=20_000)
    assert "does not report deliveries" in note.inner_text()
    delivered = row_text(frame, "funnel-delivered")
    assert re.search(r"Delivered\s+Not reported by your provider\s+—", delivered), delivered
    assert "0%" not in delivered
    assert re.search(r"Clicked\s+6\s+15% of sent", row_text(frame, "funnel-clicked"))
    assert "Not reported by your provider" in row_text(frame, "funnel-bounced")
    # and the bounce health does not read a healthy 0%
    health = frame.get_by_test_id("campaign-health").inner_text()
    assert "Not reported by your provider" in health and "0%" not in health
    found = checked_in_both_themes(framed, axe_source, "campaign-funnel-smtp")
    assert not any(found.values()), describe_violations(found)
    assert framed.errors == []
