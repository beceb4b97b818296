"""Double opt-in through anymail's test backend: the confirmation mail, its link, expired and forged tokens."""

import re
import time

import pytest
from django.core import mail
from django.core import signing
from django.test import override_settings

from saleor_crm_plugin.campaigns import confirmation, consent, tokens
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import ConsentRecord, ConsentState
from tests.campaigns.conftest import ANYMAIL_TEST

DOUBLE_OPT_IN = override_settings(EMAIL_BACKEND=ANYMAIL_TEST["EMAIL_BACKEND"],
                                  SALEOR_CRM={**ANYMAIL_TEST["SALEOR_CRM"], "double_opt_in": 1})


def confirmation_link() -> str:
    [message] = mail.outbox
    return re.search(r"https://shop\.example\.com/plugins/global/saleor_crm_plugin\.crm/confirm/(\S+)",
                     message.body).group(0)


@pytest.mark.django_db
def test_a_subscription_waits_for_its_confirmation_mail_once_then_the_link_confirms(client):
    with DOUBLE_OPT_IN:
        # given: a storefront subscription
        pending = consent.subscribe("default-channel", email="New@Example.com")
        record = ConsentRecord.objects.get()
        # when: the task runs twice (a duplicated or retried message)
        results = [confirmation.send_confirmation(record.pk) for _ in range(2)]
        link = confirmation_link()
        path = link.removeprefix("https://shop.example.com")
        page = client.get(path)
        state_after_get = consent.consents_of(record.profile_id)[0].state
        done = client.post(path)
    # then
    assert (pending.state, results) == (ConsentState.PENDING, ["sent", "already sent"])
    [message] = mail.outbox
    assert message.to == ["new@example.com"] and message.extra_headers["Message-ID"] == (
        f"<crm.confirm.{record.pk}@shop.example.com>")
    assert "List-Unsubscribe" not in message.extra_headers  # not marketing yet
    assert page.status_code == 200 and state_after_get == "pending"  # a link scanner's GET confirms nobody
    assert done.status_code == 200 and consent.consents_of(record.profile_id)[0].state == "subscribed"
    latest = ConsentRecord.objects.latest("at", "pk")
    assert (latest.source, latest.detail["request"]) == ("confirmation_link", record.pk)


@pytest.mark.django_db
def test_asking_again_soon_sends_no_second_mail_and_subscribed_stays_subscribed():
    with DOUBLE_OPT_IN:
        consent.subscribe("default-channel", email="new@example.com")
        again = consent.subscribe("default-channel", email="new@example.com")
        confirmation.send_confirmation(ConsentRecord.objects.get().pk)
        consent.confirm(tokens.make_token(tokens.CONFIRM, {"r": ConsentRecord.objects.get().pk,
                                                           "p": again.profile_id, "c": "default-channel"}))
        third = consent.subscribe("default-channel", email="new@example.com")
    assert ConsentRecord.objects.filter(state="pending").count() == 1 and len(mail.outbox) == 1
    assert third.state == "subscribed" and ConsentRecord.objects.count() == 2


@pytest.mark.django_db
def test_expired_forged_and_superseded_links_are_refused_and_change_nothing(monkeypatch, client):
    with DOUBLE_OPT_IN:
        current = consent.subscribe("default-channel", email="new@example.com")
        record = ConsentRecord.objects.get()
        payload = {"r": record.pk, "p": record.profile_id, "c": "default-channel"}
        # a token signed 49 hours ago (the link works 48): Django's signer reads the clock at signing
        real_time = time.time
        monkeypatch.setattr(signing.time, "time", lambda: real_time() - 49 * 3600)
        expired = tokens.make_token(tokens.CONFIRM, payload)
        monkeypatch.setattr(signing.time, "time", real_time)
        forged = signing.dumps(payload, key="another shop's secret", salt="saleor_crm_plugin.confirm")
        foreign = tokens.make_token(tokens.UNSUBSCRIBE, payload)
        refused = {}
        for name, token in (("expired", expired), ("forged", forged), ("foreign", foreign)):
            with pytest.raises(CRMError) as error:
                consent.confirm(token)
            refused[name] = error.value.code_value
        page = client.post(f"/plugins/global/saleor_crm_plugin.crm/confirm/{forged}")
        # the person unsubscribes meanwhile: the old link must not subscribe them again
        consent.set_consent("unsubscribed", "default-channel", "staff", profile_id=current.profile_id)
        with pytest.raises(CRMError) as superseded:
            consent.confirm(tokens.make_token(tokens.CONFIRM, payload))
    assert refused == {"expired": "token_expired", "forged": "invalid_token", "foreign": "invalid_token"}
    assert page.status_code == 400 and b"This link does not work" in page.content
    assert superseded.value.code_value == "invalid_token"
    assert consent.consents_of(current.profile_id)[0].state == "unsubscribed"


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "email", "code"), [
    ("default-channel", "not-an-address", "invalid_email"),
    ("default-channel", "a" * 250 + "@example.com", "invalid_email"),
    ("default-channel", None, "invalid_email"),
    ("bad channel", "new@example.com", "invalid_channel"),
    ("", "new@example.com", "invalid_channel"),
    ("c" * 256, "new@example.com", "invalid_channel"),
    (["default-channel"], "new@example.com", "invalid_channel"),
])
def test_bad_subscriptions_get_their_code_and_write_nothing(channel, email, code):
    from saleor_crm_plugin.models import CustomerProfile

    with DOUBLE_OPT_IN, pytest.raises(CRMError) as error:
        consent.subscribe(channel, email=email)
    assert error.value.code_value == code
    assert not CustomerProfile.objects.exists() and not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_a_suppressed_address_may_ask_but_gets_no_confirmation_mail():
    from saleor_crm_plugin.campaigns.suppression import suppress

    with DOUBLE_OPT_IN:
        suppress("gone@example.com", "hard_bounce")
        pending = consent.subscribe("default-channel", email="gone@example.com")
        result = confirmation.send_confirmation(ConsentRecord.objects.get().pk)
    assert (pending.state, result, mail.outbox) == ("pending", "suppressed", [])
