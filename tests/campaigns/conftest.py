"""A real SMTP server on loopback, a small audience with consent, and a campaign ready to start."""

import email
import email.policy
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.celery_processes import free_port

MJML_BODY = """<mjml><mj-body>
<mj-section><mj-column>
<mj-text font-size="18px">Hello {{default customer.first_name "there"}},</mj-text>
<mj-text>New in {{channel.slug}} for you:</mj-text>
<mj-raw>{{#each recommendations}}</mj-raw>
<mj-image src="{{image_url}}" alt="{{name}}" width="120px" />
<mj-text><a href="{{url}}">{{name}}</a> {{price}}</mj-text>
<mj-raw>{{/each}}</mj-raw>
<mj-text font-size="11px"><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section>
</mj-body></mjml>"""


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


@pytest.fixture
def smtp_server():
    """An aiosmtpd server on 127.0.0.1 (a free port); yields (inbox, port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def smtp_settings(port: int, **crm) -> dict:
    """Django settings sending through the loopback server, with the CRM's mail settings."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port, "EMAIL_USE_TLS": False,
        "SALEOR_CRM": {"public_url": "https://shop.example.com", "from_email": "news@shop.example.com",
                       "shop_name": "Record Shop", "double_opt_in": 0, **crm},
    }


ANYMAIL_TEST = {
    "EMAIL_BACKEND": "anymail.backends.test.EmailBackend",
    "SALEOR_CRM": {"public_url": "https://shop.example.com", "from_email": "news@shop.example.com",
                   "shop_name": "Record Shop"},
}


def make_audience(n: int, *, channel: str = "default-channel", subscribed=None, prefix: str = "fan") -> list[int]:
    """``n`` customers with an address; those in ``subscribed`` (indexes; default all) consent in ``channel``."""
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import ConsentSource, ConsentState, CustomerProfile

    ids = []
    for i in range(n):
        profile = CustomerProfile.objects.create(email=f"{prefix}{i}@example.com", first_name=f"Fan{i}" if i % 2 else "")
        ids.append(profile.pk)
        if subscribed is None or i in subscribed:
            set_consent(ConsentState.SUBSCRIBED, channel, ConsentSource.IMPORT, profile_id=profile.pk)
    return ids


def everyone_segment(name: str = "Everyone"):
    from saleor_crm_plugin.segments.membership import save_segment

    return save_segment(name=name, rules={"field": "order_count", "op": "gte", "value": 0})


def scheduled_campaign(*, name: str = "Spring news", channel: str = "default-channel", segments=None,
                       exclude=(), body: str = MJML_BODY, subject: str = "News for {{default customer.first_name \"you\"}} & co"):
    """A template and a campaign in state scheduled (due now), to the given segments (default: everyone)."""
    from django.utils import timezone

    from saleor_crm_plugin.models import Campaign, CampaignState, EmailTemplate

    template = EmailTemplate.objects.create(name=f"{name} template", subject=subject, body=body)
    segment_ids = [s.pk for s in (segments or [everyone_segment(f"{name} audience")])]
    return Campaign.objects.create(
        name=name, template=template, channel=channel, segment_ids=segment_ids,
        exclude_segment_ids=[s.pk for s in exclude], state=CampaignState.SCHEDULED, scheduled_at=timezone.now())
