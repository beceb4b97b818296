import re

import pytest
from django.core import mail as django_mail
from django.test.utils import override_settings

from saleor_crm_plugin.campaigns import tokens
from saleor_crm_plugin.campaigns.previews import preview, test_send as send_test_mail
from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import CustomerProfile, EmailTemplate
from tests.celery_processes import free_port
from tests.conftest import T0

CRM = {"public_url": "https://shop.example.com", "from_email": "shop@example.com", "shop_name": "Record Shop",
       "recommendation_refresh_seconds": 0}
ANYMAIL_TEST = {"EMAIL_BACKEND": "anymail.backends.test.EmailBackend", "SALEOR_CRM": CRM}
UNSUBSCRIBE_PREFIX = "https://shop.example.com/plugins/global/saleor_crm_plugin.crm/unsubscribe/"

BODY = """<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{customer.greeting_name}},</mj-text>
<mj-raw>{{#each recommendations}}</mj-raw>
<mj-text><a href="{{url}}">{{name}}</a> {{price}}</mj-text>
<mj-raw>{{/each}}</mj-raw>
<mj-text><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""
SOURCES = {"subject": "Picks for {{customer.greeting_name}} & co", "preheader": "", "body_format": "mjml",
           "body": BODY, "text": ""}


@pytest.fixture(autouse=True)
def _crm_settings(settings):
    from saleor_crm_plugin.recommendations.store import store

    settings.SALEOR_CRM = CRM
    store.invalidate()  # the process-wide store must read this test's orders
    yield
    store.invalidate()


@pytest.fixture
def ann(events, ingest):
    """Ann bought Blue in channel ``web``, where Blue is listed at 19.99."""
    blue = events.product("product.created", product_id=1, name="Blue", category="Vinyl",
                          listings=[{"channel": "web", "is_published": True, "currency": "USD",
                                     "price_amount": "19.99"}])
    ingest(blue, events.order(user_id=1, email="ann@example.com", first_name="Ann", at=T0, channel="web",
                              lines=[events.line(product_id=1, name="Blue", category="Vinyl")]),
           events.customer(user_id=1, email="ann@example.com", first_name="Ann", last_name="Lee"))
    return CustomerProfile.objects.get(user_id=1).pk


def test_preview_of_a_saved_template_for_a_customer(ann):
    # given
    template = EmailTemplate.objects.create(name="Picks", **SOURCES)

    # when
    rendered = preview(template=template, profile_id=ann, channel="web")

    # then
    assert rendered.subject == "Picks for Ann & co"
    assert "Hello Ann," in rendered.html
    assert "Blue $19.99" in rendered.text
    token = re.search(r'href="' + re.escape(UNSUBSCRIBE_PREFIX) + r'([^"]+)"', rendered.html).group(1)
    assert tokens.read_token(tokens.UNSUBSCRIBE, token) == {"p": ann, "c": "web"}


def test_preview_of_unsaved_sources_without_a_customer_uses_the_sample(ann):
    # given / when
    rendered = preview(template=dict(SOURCES), profile_id=None, channel="web")

    # then
    assert rendered.subject == "Picks for Alex & co"
    assert "Blue $19.99" in rendered.text


@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"profile_id": 987654}, CampaignErrorCode.NOT_FOUND, "customer"),
    ({"channel": "web shop"}, CampaignErrorCode.INVALID_CHANNEL, "channel"),
    ({"channel": ""}, CampaignErrorCode.INVALID_CHANNEL, "channel"),
    ({"template": {**SOURCES, "subject": "{{#each x}}"}}, CampaignErrorCode.TEMPLATE_SYNTAX, "subject"),
])
def test_preview_refuses_bad_input(db, kwargs, code, field):
    # given
    arguments = {"template": dict(SOURCES), "profile_id": None, "channel": "web", **kwargs}

    # when
    with pytest.raises(CRMError) as caught:
        preview(**arguments)

    # then
    assert (caught.value.code, caught.value.field) == (code, field)


@override_settings(**ANYMAIL_TEST)
def test_test_send_marks_the_subject_and_carries_the_customers_unsubscribe_headers(ann):
    # given
    template = EmailTemplate.objects.create(name="Picks", **SOURCES)

    # when
    ids = send_test_mail(template=template, addresses=["qa@example.com", "boss@example.com"], channel="web",
                         profile_id=ann, from_name="Records", reply_to="help@example.com")

    # then
    assert [m.to for m in django_mail.outbox] == [["qa@example.com"], ["boss@example.com"]]
    assert len(set(ids)) == 2 and all(re.fullmatch(r"<crm\.test\.[0-9a-f]{32}@example\.com>", i) for i in ids)
    message = django_mail.outbox[0]
    assert message.subject == "[Test] Picks for Ann & co"
    assert message.extra_headers["Message-ID"] == ids[0]
    assert message.from_email == "Records <shop@example.com>"
    assert message.reply_to == ["help@example.com"]
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{UNSUBSCRIBE_PREFIX}")
    token = unsubscribe[len(UNSUBSCRIBE_PREFIX) + 1:].split(">")[0]
    assert tokens.read_token(tokens.UNSUBSCRIBE, token) == {"p": ann, "c": "web"}
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Blue $19.99" in message.body
    assert message.alternatives[0][1] == "text/html" and "Hello Ann," in message.alternatives[0][0]


@override_settings(**ANYMAIL_TEST)
def test_test_send_without_a_customer_renders_the_sample(ann):
    # given / when
    ids = send_test_mail(template=dict(SOURCES), addresses=["qa@example.com"], channel="web")

    # then
    assert len(ids) == 1
    assert django_mail.outbox[0].subject == "[Test] Picks for Alex & co"


@override_settings(**ANYMAIL_TEST)
@pytest.mark.parametrize(("addresses", "code"), [
    ([], CampaignErrorCode.REQUIRED),
    ("qa@example.com", CampaignErrorCode.REQUIRED),
    ([f"qa{i}@example.com" for i in range(11)], CampaignErrorCode.TOO_MANY),
    (["qa@example.com", "not-an-address"], CampaignErrorCode.INVALID_EMAIL),
    (["qa@example.com", None], CampaignErrorCode.INVALID_EMAIL),
])
def test_test_send_refuses_bad_addresses_and_sends_nothing(db, addresses, code):
    # given / when
    with pytest.raises(CRMError) as caught:
        send_test_mail(template=dict(SOURCES), addresses=addresses, channel="web")

    # then
    assert (caught.value.code, caught.value.field) == (code, "addresses")
    assert django_mail.outbox == []


@override_settings(**ANYMAIL_TEST)
def test_test_send_refuses_a_bad_reply_to_and_channel(db):
    # given
    arguments = {"template": dict(SOURCES), "addresses": ["qa@example.com"], "channel": "web"}

    # when
    with pytest.raises(CRMError) as bad_reply_to:
        send_test_mail(**arguments, reply_to="nope")
    with pytest.raises(CRMError) as bad_channel:
        send_test_mail(**{**arguments, "channel": "web/../x"})

    # then
    assert (bad_reply_to.value.code, bad_reply_to.value.field) == (CampaignErrorCode.INVALID_EMAIL, "reply_to")
    assert (bad_channel.value.code, bad_channel.value.field) == (CampaignErrorCode.INVALID_CHANNEL, "channel")
    assert django_mail.outbox == []


def test_a_provider_failure_is_send_failed_with_its_message(db):
    # given: an SMTP server that is not there
    port = free_port()

    # when
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=port, EMAIL_TIMEOUT=5, SALEOR_CRM=CRM):
        with pytest.raises(CRMError) as caught:
            send_test_mail(template=dict(SOURCES), addresses=["qa@example.com"], channel="web")

    # then
    assert caught.value.code == CampaignErrorCode.SEND_FAILED
    assert "refused" in caught.value.message.lower()
