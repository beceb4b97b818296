"""The ESP's tracking webhook on a live host (DEBUG=0): malformed bodies are refused with 400 (they gave HTTP 500),
and an event that names no id is stored only when it is about a mail the CRM sent."""

import base64
import json

import pytest

from saleor_crm_plugin.models import DeliveryEvent
from tests.live_host import live_host  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

WEBHOOK_SECRET = "hook:s3cret-live"
WEBHOOK = "/plugins/global/saleor_crm_plugin.crm/tracking/postmark/"


@pytest.fixture(scope="module")
def live_host_settings():
    return {"email_provider": "postmark", "tracking_webhook_secret": WEBHOOK_SECRET}


def _webhook(host, body: bytes):
    auth = base64.b64encode(WEBHOOK_SECRET.encode()).decode()
    return host.request("POST", WEBHOOK, data=body, headers={"Authorization": f"Basic {auth}",
                                                             "Content-Type": "application/json"})


@pytest.mark.parametrize("body", [
    b"[]", b'[{"RecordType": "Bounce"}]', b"{not json", b"\xff\xfe",
    b"[" * 50_000 + b"]" * 50_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
], ids=["array", "array of events", "invalid", "not utf-8", "50,000-deep array", "50,000-deep object"])
def test_malformed_webhook_bodies_get_400(live_host, transactional_db, body):
    response = _webhook(live_host, body)
    assert response.status_code == 400, response.text[:500]
    assert not DeliveryEvent.objects.exists()


def test_an_event_without_id_about_no_mail_of_ours_is_not_stored(live_host, transactional_db):
    # when: Postmark-shaped delivery events (Postmark sends no event id) about mail the CRM never sent
    answers = [_webhook(live_host, json.dumps({
        "RecordType": "Delivery", "MessageID": f"made-up-{n}", "Recipient": f"x{n}@example.com",
        "DeliveredAt": "2026-01-01T00:00:00Z", "Metadata": {"delivery": str(10_000 + n)}}).encode())
        for n in range(5)] + [_webhook(live_host, b'{"RecordType": 7}')]  # a record type no ESP sends
    # then: acknowledged (a retry would change nothing) but not stored
    assert [a.status_code for a in answers] == [200] * 6
    assert not DeliveryEvent.objects.exists()
