"""A Celery worker killed with SIGKILL in the middle of a campaign, then restarted: every recipient gets
exactly one mail (counted by Message-ID at a real SMTP server), and the only ones possibly missing are
the rows reported as unknown, no more than were in flight when the worker died."""

import os
import signal
import time

import pytest
from django.db import connection
from django.utils import timezone

from saleor_crm_plugin.models import Campaign, CampaignState, Delivery
from tests.campaigns.conftest import make_audience, scheduled_campaign
from tests.celery_processes import Worker, broker, host_env  # noqa: F401 (fixture)

pytestmark = pytest.mark.durability

RECIPIENTS = 400
BATCH = 10


def in_flight(campaign_id: int) -> int:
    return Delivery.objects.filter(campaign_id=campaign_id, state="sending").count()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_campaign_sends_no_second_copy_and_skips_nobody(broker, smtp_server, tmp_path):
    inbox, port = smtp_server
    broker.start()
    env = host_env(
        broker, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), PUBLIC_URL="https://shop.example.com",
        DEFAULT_FROM_EMAIL="news@shop.example.com", SALEOR_CRM_SEND_BATCH_SIZE=str(BATCH),
        SALEOR_CRM_SEND_RATE_PER_MINUTE="6000",  # a batch of 10 every 0.1 s per task
        SALEOR_CRM_CLAIM_LEASE_SECONDS="3", SALEOR_CRM_CAMPAIGN_DISPATCH_SECONDS="1", SALEOR_CRM_DOUBLE_OPT_IN="0",
    )
    # given: a campaign due now; beat's dispatcher starts it
    make_audience(RECIPIENTS)
    campaign = scheduled_campaign()
    connection.close()
    worker = Worker(env, beat=True, logfile=tmp_path / "worker-1.log")
    try:
        deadline = time.monotonic() + 90
        while len(inbox.messages) < RECIPIENTS // 4:
            assert time.monotonic() < deadline, worker.text()[-3000:]
            time.sleep(0.01)
        # when: the worker and its children are killed without warning
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(10)
        killed_at = timezone.now()
        flying = in_flight(campaign.pk)
        received_before_restart = len(inbox.messages)
    finally:
        worker.stop()
    assert received_before_restart < RECIPIENTS, "the campaign finished before the kill: nothing was tested"
    restarted = Worker(env, beat=True, logfile=tmp_path / "worker-2.log")
    try:
        deadline = time.monotonic() + 120
        while Campaign.objects.get(pk=campaign.pk).state != CampaignState.SENT:
            assert time.monotonic() < deadline, restarted.text()[-3000:]
            time.sleep(0.2)
    finally:
        restarted.stop()
    # then: one copy per Message-ID and per recipient
    ids = inbox.message_ids()
    assert len(ids) == len(set(ids))
    received = [m["To"] for m in inbox.messages]
    assert len(received) == len(set(received))
    rows = {d.email: d for d in Delivery.objects.filter(campaign=campaign)}
    assert len(rows) == RECIPIENTS and not any(d.state in ("queued", "sending") for d in rows.values())
    for address in received:
        assert rows[address].state in ("sent", "unknown") and rows[address].message_id in ids
    missing = {address for address, d in rows.items() if address not in received}
    unknown = {address for address, d in rows.items() if d.state == "unknown"}
    assert missing <= unknown, "a recipient was skipped without being reported"
    assert len(unknown) <= flying <= 2 * BATCH  # at most the rows in flight (two worker processes)
    assert all(rows[a].claimed_at <= killed_at for a in unknown)
    print(f"\nkilled after {received_before_restart} mails; {flying} rows in flight, "
          f"{len(unknown)} reported unknown ({len(missing)} of them never arrived); {len(received)} received once each")
