"""Issue 20's reproductions against a live host (gunicorn, 2 sync workers, DEBUG=0), with their exact payloads:
nobody can make the shop mail strangers or store them, and CR/LF cannot break a mail.

The host reads the visitor's address from X-Forwarded-For (as behind a proxy), so one test can play many
visitors; its limits are the defaults (10 storefront requests per visitor per minute, 5 per address per hour).
"""

import time

import pytest

from saleor_crm_plugin.models import (
    ChannelConsent, CRMOrder, CustomerProfile, PendingSubscription, ServiceRequest, ShopChannel,
)
from tests.graphql.conftest import gid, operation, staff_token
from tests.live_host import live_host, wait_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBE = operation("storefront/marketing-subscribe")
FEEDBACK = operation("storefront/feedback-send")
REPLY = operation("staff/service-request-reply")
CREATE_CAMPAIGN = operation("staff/campaign-create")
AUTOMATION_UPDATE = operation("staff/automation-update")
PER_CLIENT, PER_ADDRESS = 10, 5  # the defaults of anonymous_per_client_per_minute / _per_address_per_hour


@pytest.fixture(scope="module")
def live_host_settings():
    return {"client_ip_header": "X-Forwarded-For", "double_opt_in": 1}


@pytest.fixture
def shop(transactional_db):
    ShopChannel.objects.bulk_create([ShopChannel(slug="default-channel"), ShopChannel(slug="outlet")])


def as_visitor(ip: str) -> dict:
    return {"X-Forwarded-For": ip}


def subscribe(host, channel: str, email: str, ip: str = "203.0.113.7"):
    response = host.graphql(SUBSCRIBE, {"channel": channel, "email": email}, headers=as_visitor(ip))
    return response, response.json()["data"]["crmMarketingSubscribe"]


def codes(answer) -> list[str]:
    return [error["code"] for error in answer["errors"]]


def settled(host, expected: int, timeout: float = 20) -> int:
    """Wait for ``expected`` mails, then a little longer for any extra one the worker might still send."""
    wait_for(lambda: len(host.inbox.messages) >= expected, timeout=timeout)
    time.sleep(2)
    return len(host.inbox.messages)


def test_thirty_invented_channels_for_one_address_send_no_mail(live_host, shop):
    # when: one address is subscribed in 30 channels the shop does not have
    answers = [subscribe(live_host, f"invented-{n}", "victim@example.com", ip=f"198.51.100.{n}")[1]
               for n in range(30)]
    # then: each is refused as not the shop's channel, nothing is stored and nobody is mailed
    assert all(codes(answer) == ["INVALID_CHANNEL"] for answer in answers), answers[:2]
    assert settled(live_host, 0, timeout=3) == 0
    assert not PendingSubscription.objects.exists() and not CustomerProfile.objects.exists()


def test_a_hundred_addresses_from_one_client_mail_no_more_than_the_limit(live_host, shop):
    live_host.clear_inbox()
    # when: one client types 100 addresses within a minute
    started = time.monotonic()
    results = [subscribe(live_host, "default-channel", f"stranger{n}@example.com", ip="203.0.113.50")
               for n in range(100)]
    assert time.monotonic() - started < 60
    # then: the first 10 are accepted; the rest are rate limited with 429 and Retry-After
    accepted = [answer for response, answer in results if not answer["errors"]]
    refused = [(response, answer) for response, answer in results if answer["errors"]]
    assert len(accepted) == PER_CLIENT and all(a["state"] == "PENDING" for a in accepted)
    assert all(codes(answer) == ["RATE_LIMITED"] for _, answer in refused)
    assert all(response.status_code == 429 and 1 <= int(response.headers["Retry-After"]) <= 61
               for response, _ in refused)
    # and no more than the limit were mailed; none of the typed addresses became a customer
    assert settled(live_host, PER_CLIENT) == PER_CLIENT
    assert sorted(m["To"] for m in live_host.inbox.messages) == sorted(f"stranger{n}@example.com"
                                                                        for n in range(PER_CLIENT))
    assert PendingSubscription.objects.count() == PER_CLIENT
    assert not CustomerProfile.objects.exists() and not ChannelConsent.objects.exists()


def test_one_address_from_many_clients_and_channels_is_limited_and_mailed_once_per_channel(live_host, shop):
    live_host.clear_inbox()
    # when: eight visitors subscribe the same address, alternating the shop's two channels
    answers = [subscribe(live_host, ("default-channel", "outlet")[n % 2], "target@example.com",
                         ip=f"192.0.2.{n + 10}")[1] for n in range(8)]
    # then: five pass (across channels), three are limited; one confirmation per channel reached the address
    assert [codes(a) for a in answers] == [[]] * PER_ADDRESS + [["RATE_LIMITED"]] * (8 - PER_ADDRESS)
    assert settled(live_host, 2) == 2
    assert {m["To"] for m in live_host.inbox.messages} == {"target@example.com"}


def test_the_confirmation_link_makes_the_customer_and_the_consent(live_host, shop):
    live_host.clear_inbox()
    subscribe(live_host, "outlet", "Real.Person@Example.com", ip="192.0.2.200")
    assert settled(live_host, 1) == 1
    assert not CustomerProfile.objects.exists()  # nothing but the request until the link is opened
    # when: the person opens the link in the mail and presses its button
    text = live_host.inbox.messages[0].get_body(("plain",)).get_content()
    link = next(word for word in text.split() if "/confirm/" in word)
    path = link.split("api.shop.example.com", 1)[1]
    shown, confirmed = live_host.request("GET", path), live_host.request("POST", path)
    # then
    assert shown.status_code == 200 and confirmed.status_code == 200, confirmed.text
    consent = ChannelConsent.objects.select_related("profile").get()
    assert (consent.profile.email, consent.channel, consent.state) == ("real.person@example.com", "outlet",
                                                                       "subscribed")


def test_guest_feedback_guesses_of_order_numbers_are_limited(live_host, shop, events, ingest):
    # given: a customer with an order
    ingest(events.order(email="ann@example.com", channel="default-channel"))
    # when: one client guesses 60 order numbers for that address
    answers = [live_host.graphql(FEEDBACK, {"body": "Where is my order?", "email": "ann@example.com",
                                            "orderNumber": str(1000 + n)}, headers=as_visitor("203.0.113.99"))
               for n in range(60)]
    # then: only the first few were even looked up
    found = [a.json()["data"]["crmFeedbackSend"] for a in answers]
    assert [codes(f) for f in found[:PER_ADDRESS]] == [["ORDER_NOT_FOUND"]] * PER_ADDRESS
    assert all(codes(f) == ["RATE_LIMITED"] for f in found[PER_ADDRESS:])
    assert not ServiceRequest.objects.exists()


def test_a_hostile_subject_never_breaks_the_reply(live_host, shop, events, ingest):
    live_host.clear_inbox()
    ingest(events.order(email="bo@example.com", channel="default-channel"))
    number = CRMOrder.objects.get(email="bo@example.com").number
    # given: a guest request with CR/LF in its subject, and an older one stored before subjects were cleaned
    sent = live_host.graphql(FEEDBACK, {"body": "Broken", "subject": "Help\r\nBcc: evil@example.org\r\n\r\nowned",
                                        "email": "bo@example.com", "orderNumber": number},
                             headers=as_visitor("203.0.113.120")).json()["data"]["crmFeedbackSend"]
    assert sent["errors"] == [], sent
    new = ServiceRequest.objects.get()
    old = ServiceRequest.objects.create(profile=new.profile, kind=new.kind, subject="Old\nBcc: evil@example.org",
                                        email="bo@example.com", channel="default-channel")
    assert new.subject == "Help Bcc: evil@example.org owned"
    # when staff reply to both
    replies = [live_host.graphql(REPLY, {"id": gid("CRMServiceRequest", request.pk), "body": "On its way.",
                                         "idempotencyKey": f"reply-{request.pk}"}, bearer=staff_token()).json()
               for request in (new, old)]
    # then both are delivered, each with a one-line subject and no smuggled header
    assert all(r["data"]["crmServiceRequestReply"]["errors"] == [] for r in replies), replies
    assert settled(live_host, 2) == 2
    subjects = sorted(m["Subject"] for m in live_host.inbox.messages)
    assert subjects == ["Re: Help Bcc: evil@example.org owned", "Re: Old Bcc: evil@example.org"]
    assert all(m["Bcc"] is None for m in live_host.inbox.messages)
    assert all(envelope[1] == ["bo@example.com"] for envelope in live_host.inbox.envelopes)


def test_cr_lf_in_a_sender_name_is_refused_when_saved(live_host, shop, template, segments):
    # when staff save a campaign's and an automation's sender name with a line break
    campaign = live_host.graphql(CREATE_CAMPAIGN, {"input": {
        "name": "Spring", "templateId": gid("CRMEmailTemplate", template.pk), "channel": "default-channel",
        "segmentIds": [gid("CRMSegment", segments[0].pk)], "fromName": "Shop\r\nBcc: evil@example.org"}},
        bearer=staff_token()).json()["data"]["crmCampaignCreate"]
    automation = live_host.graphql(AUTOMATION_UPDATE, {"kind": "WELCOME", "input": {
        "fromName": "Shop\nX-Injected: 1"}}, bearer=staff_token()).json()["data"]["crmAutomationUpdate"]
    # then both are refused by the field, and nothing is saved
    assert [(e["code"], e["field"]) for e in campaign["errors"]] == [("INVALID", "fromName")]
    assert [(e["code"], e["field"]) for e in automation["errors"]] == [("INVALID", "fromName")]
    assert campaign["campaign"] is None
