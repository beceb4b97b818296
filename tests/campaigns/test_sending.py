"""The sending engine with anymail's test backend: consent, suppression and the frequency cap at send time,
pause / resume / duplicated tasks / cancel, and mails of unknown fate after a lost worker."""

import threading
import time

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.db import connection
from django.test import override_settings

from saleor_crm_plugin.campaigns import sending
from saleor_crm_plugin.campaigns.consent import set_consent, subscribe
from saleor_crm_plugin.campaigns.suppression import lift, suppress
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import (
    Campaign, CampaignState, ConsentRecord, ConsentSource, ConsentState, Delivery, Suppression,
)
from tests.campaigns.conftest import ANYMAIL_TEST, make_audience, scheduled_campaign


def settings_with(**crm):
    return override_settings(EMAIL_BACKEND=ANYMAIL_TEST["EMAIL_BACKEND"],
                             SALEOR_CRM={**ANYMAIL_TEST["SALEOR_CRM"], **crm})


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def send_in_thread(campaign_id: int, reports: list) -> threading.Thread:
    """``send_campaign`` in a thread of its own (as another worker), closing its connection after."""
    def run():
        try:
            reports.append(sending.send_campaign(campaign_id))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def states(campaign) -> dict[str, tuple[str, str]]:
    return {d.email: (d.state, d.skip_reason) for d in Delivery.objects.filter(campaign=campaign)}


@pytest.mark.django_db
def test_consent_is_checked_per_channel_when_frozen_and_again_when_sent():
    with settings_with():
        # given: 0 and 1 subscribed in the campaign's channel, 2 only in another one, 3 never asked
        ids = make_audience(4, subscribed={0, 1})
        set_consent(ConsentState.SUBSCRIBED, "other-channel", ConsentSource.STAFF, profile_id=ids[2])
        campaign = scheduled_campaign()
        assert sending.start_campaign(campaign.pk)
        # when: 1 unsubscribes after the audience was frozen, before the mail goes out
        set_consent(ConsentState.UNSUBSCRIBED, "default-channel", ConsentSource.ONE_CLICK, profile_id=ids[1])
        report = sending.send_campaign(campaign.pk)
    # then
    assert recipients() == ["fan0@example.com"]
    assert states(campaign) == {
        "fan0@example.com": ("sent", ""), "fan1@example.com": ("skipped", "no_consent"),
        "fan2@example.com": ("skipped", "no_consent"), "fan3@example.com": ("skipped", "no_consent")}
    assert (report.sent, report.skipped, report.finished) == (1, 1, True)
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENT


@pytest.mark.django_db
def test_hard_bounce_and_complaint_suppress_and_a_new_subscription_lifts_no_complaint():
    with settings_with(double_opt_in=0):
        # given
        make_audience(3)
        # when: the ESP reports a hard bounce for fan0 and a complaint from fan1 (anymail's tracking signal)
        for kind, address in (("bounced", "fan0@example.com"), ("complained", "fan1@example.com"),
                              ("deferred", "fan2@example.com")):
            tracking.send(sender=object, event=AnymailTrackingEvent(event_type=kind, recipient=address),
                          esp_name="Postmark")
        subscribe("default-channel", email="fan1@example.com")  # the complainer subscribes again
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        sending.send_campaign(campaign.pk)
    # then
    assert {s.email: s.reason for s in Suppression.objects.all()} == {
        "fan0@example.com": "hard_bounce", "fan1@example.com": "complaint"}
    assert recipients() == ["fan2@example.com"]  # a soft bounce suppresses nothing
    assert states(campaign)["fan0@example.com"] == ("skipped", "suppressed")
    assert states(campaign)["fan1@example.com"] == ("skipped", "suppressed")
    complaint = ConsentRecord.objects.filter(source=ConsentSource.COMPLAINT).get()
    assert (complaint.state, complaint.channel) == ("unsubscribed", "default-channel")
    with pytest.raises(CRMError) as refused:
        lift("fan1@example.com")
    assert refused.value.code_value == "invalid_state"
    suppress("FAN1@example.com", "hard_bounce")  # a later bounce does not weaken a complaint either
    assert Suppression.objects.get(email="fan1@example.com").reason == "complaint"
    assert lift("fan0@example.com") is True and not Suppression.objects.filter(email="fan0@example.com").exists()


@pytest.mark.django_db
def test_suppression_is_checked_at_send_time():
    with settings_with():
        make_audience(2)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        suppress("fan1@example.com", "manual", "asked by phone")  # after the audience was frozen
        sending.send_campaign(campaign.pk)
    assert recipients() == ["fan0@example.com"]
    assert states(campaign)["fan1@example.com"] == ("skipped", "suppressed")


@pytest.mark.django_db
def test_frequency_cap_counts_mails_across_campaigns():
    with settings_with(frequency_cap_count=2, frequency_cap_days=7):
        make_audience(2)
        for name in ("One", "Two", "Three"):
            campaign = scheduled_campaign(name=name)
            sending.start_campaign(campaign.pk)
            sending.send_campaign(campaign.pk)
    assert len(mail.outbox) == 4  # two campaigns each, the third capped
    assert set(states(campaign).values()) == {("skipped", "frequency_cap")}


@pytest.mark.django_db
def test_no_consent_means_no_mail_even_for_a_suppression_free_address():
    with settings_with():
        make_audience(2, subscribed=set())
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        sending.send_campaign(campaign.pk)
    assert mail.outbox == [] and set(states(campaign).values()) == {("skipped", "no_consent")}


@pytest.mark.django_db
def test_exclusion_segments_and_a_repeated_start_freeze_once():
    from saleor_crm_plugin.segments.membership import save_segment

    with settings_with():
        # given: fan1 is also in the VIP channel's list, which the campaign excludes
        ids = make_audience(3)
        set_consent(ConsentState.SUBSCRIBED, "vip", ConsentSource.STAFF, profile_id=ids[1])
        vip = save_segment(name="VIP list", rules={"field": "marketing_consent", "op": "eq", "value": "subscribed",
                                                   "channel": "vip"})
        campaign = scheduled_campaign(exclude=[vip])
        # when
        assert sending.start_campaign(campaign.pk) is True
        assert sending.start_campaign(campaign.pk) is False  # not scheduled any more: nothing frozen twice
        sending.send_campaign(campaign.pk)
    # then
    assert sorted(Delivery.objects.filter(campaign=campaign).values_list("email", flat=True)) == [
        "fan0@example.com", "fan2@example.com"]
    assert recipients() == ["fan0@example.com", "fan2@example.com"]


@pytest.mark.django_db(transaction=True)
def test_pause_resume_and_a_duplicated_task_send_each_mail_once():
    with settings_with(send_batch_size=5, send_rate_per_minute=10**6):
        # given: 30 recipients, two batches sent, then paused
        make_audience(30)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        assert sending.send_campaign(campaign.pk, max_batches=2).sent == 10
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PAUSED)
        # when: a task runs while paused, then the campaign resumes and two copies of the task run at once
        assert sending.send_campaign(campaign.pk).sent == 0
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING)
        reports = []
        threads = [send_in_thread(campaign.pk, reports) for _ in range(2)]
        for thread in threads:
            thread.join(60)
    # then: everyone got exactly one mail, with one Message-ID each
    assert recipients() == sorted(f"fan{i}@example.com" for i in range(30))
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 30
    assert sum(r.sent for r in reports) == 20
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENT


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_sending_within_one_batch():
    from saleor_crm_plugin.campaigns.campaigns import cancel_campaign

    with settings_with(send_batch_size=5, send_rate_per_minute=600):  # a batch every 0.5 s
        make_audience(40)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        worker = send_in_thread(campaign.pk, [])
        while Delivery.objects.filter(campaign=campaign, state="sent").count() < 5:
            time.sleep(0.02)
        # when
        cancel_campaign(campaign.pk)
        sent_at_cancel = Delivery.objects.filter(campaign=campaign, state__in=["sent", "sending"]).count()
        worker.join(30)
    # then: at most the batch in flight was finished; nobody else got anything
    totals = sending.campaign_totals(campaign.pk)
    assert totals["sent"] <= sent_at_cancel <= 10
    assert totals["sent"] == len(mail.outbox)
    assert totals["cancelled"] == 40 - totals["sent"] and totals["queued"] == 0
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.CANCELLED


@pytest.mark.django_db
def test_rows_of_a_lost_worker_become_unknown_and_are_never_resent():
    with settings_with(send_batch_size=4, claim_lease_seconds=1):
        # given: a worker claimed a batch and died before recording it
        make_audience(10)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        lost = sending._claim(Campaign.objects.get(pk=campaign.pk), 4)
        Delivery.objects.filter(pk__in=[r["id"] for r in lost]).update(
            claimed_at=Delivery.objects.get(pk=lost[0]["id"]).claimed_at.replace(year=2000))
        # when: the dispatcher runs and sending resumes
        outcome = sending.dispatch()
        sending.send_campaign(campaign.pk)
    # then
    assert outcome["unknown"] == 4
    totals = sending.campaign_totals(campaign.pk)
    assert (totals["unknown"], totals["sent"]) == (4, 6)
    assert not set(recipients()) & {r["email"] for r in lost}
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENT


def esp_error(status: int, reason: str):
    """An AnymailAPIError as an ESP's HTTP answer raises it."""
    import requests
    from anymail.exceptions import AnymailAPIError

    response = requests.Response()
    response.status_code, response.reason, response._content = status, reason, b'{"message": "%s"}' % reason.encode()
    return AnymailAPIError(f"ESP API response {status}", status_code=status, response=response)


@pytest.mark.django_db
def test_provider_answers_are_recorded_per_row_rejected_fails_and_unavailable_retries():
    from anymail.message import AnymailRecipientStatus

    answers = {"fan1@example.com": {"recipient_status": {
                   "fan1@example.com": AnymailRecipientStatus(message_id=None, status="rejected")}},
               "fan2@example.com": esp_error(503, "Service Unavailable"),
               "fan3@example.com": esp_error(422, "Unprocessable Entity")}
    with settings_with():
        make_audience(4)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        # anymail's test backend answers with what a message carries as anymail_test_response
        original = sending.build_message

        def build(*args, **kwargs):
            message = original(*args, **kwargs)
            if kwargs["to"] in answers:
                message.anymail_test_response = answers[kwargs["to"]]
            return message

        sending.build_message = build
        try:
            report = sending.send_campaign(campaign.pk)
        finally:
            sending.build_message = original
    rows = {d.email: d for d in Delivery.objects.filter(campaign=campaign)}
    assert (rows["fan0@example.com"].state, rows["fan0@example.com"].provider_message_id) == ("sent", "0")
    assert rows["fan1@example.com"].state == "failed" and "rejected" in rows["fan1@example.com"].error
    assert rows["fan2@example.com"].state == "queued" and "503" in rows["fan2@example.com"].error
    assert rows["fan3@example.com"].state == "failed" and "422" in rows["fan3@example.com"].error
    assert (report.sent, report.retried, report.failed) == (1, 1, 2)


@pytest.mark.django_db
def test_a_mail_to_retry_in_a_campaign_cancelled_meanwhile_is_cancelled_not_queued():
    from saleor_crm_plugin.campaigns.campaigns import cancel_campaign

    with settings_with(send_batch_size=2):
        make_audience(2)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        rows = sending._claim(Campaign.objects.get(pk=campaign.pk), 2)  # in flight...
        cancel_campaign(campaign.pk)  # ...when staff cancel
        sending.record_outcomes({rows[0]["id"]: sending.Outcome("queued", rows[0]["message_id"], error="451 busy", delay=60),
                         rows[1]["id"]: sending.Outcome("sent", rows[1]["message_id"], provider_id="p-1")})
    assert states(campaign) == {"fan0@example.com": ("cancelled", ""), "fan1@example.com": ("sent", "")}
