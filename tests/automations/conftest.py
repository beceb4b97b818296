"""Automations under test: a template, customers with consent, a switched-on automation, carts and orders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.campaigns.conftest import ANYMAIL_TEST

CHANNEL = "default-channel"
REMINDER_MJML = ("<mjml><mj-body><mj-section><mj-column>"
                 "<mj-text>{{customer.greeting_name}}, your cart is waiting (reminder {{checkout.reminder}}):</mj-text>"
                 "<mj-raw>{{#each checkout.lines}}</mj-raw><mj-text>{{quantity}} x {{name}}</mj-text><mj-raw>{{/each}}"
                 "</mj-raw><mj-text>Total {{checkout.total}} <a href=\"{{checkout.url}}\">Back to your cart</a></mj-text>"
                 "</mj-column></mj-section></mj-body></mjml>")
SURVEY_MJML = ("<mjml><mj-body><mj-section><mj-column><mj-text>How was order {{order.number}}?</mj-text>"
               "<mj-raw>{{#each survey.scores}}</mj-raw><mj-text><a href=\"{{url}}\">{{score}}</a></mj-text>"
               "<mj-raw>{{/each}}</mj-raw></mj-column></mj-section></mj-body></mjml>")
THANKS_MJML = ("<mjml><mj-body><mj-section><mj-column><mj-text>Thanks for order {{order.number}}</mj-text>"
               "<mj-raw>{{#each recommendations}}</mj-raw><mj-text>{{name}}</mj-text><mj-raw>{{/each}}</mj-raw>"
               "</mj-column></mj-section></mj-body></mjml>")


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


@pytest.fixture
def anymail_settings(settings):
    settings.EMAIL_BACKEND = ANYMAIL_TEST["EMAIL_BACKEND"]
    settings.SALEOR_CRM = {**ANYMAIL_TEST["SALEOR_CRM"], "double_opt_in": 0,
                           "storefront_checkout_url": "https://shop.example.com/{channel}/checkout?token={token}"}
    mail.outbox = []
    return settings


@pytest.fixture
def switch_on(db):
    """``switch_on(kind, body, **step_changes)``: a template, the first step set to it, the automation switched
    on as of ``since`` (default: a day ago, so triggers of the last hours count)."""
    from saleor_crm_plugin.campaigns.automations.staff import configure
    from saleor_crm_plugin.models import Automation, EmailTemplate

    def _switch_on(kind, body=REMINDER_MJML, *, since=None, steps=None, **config):
        template = EmailTemplate.objects.create(name=f"{kind} template", subject=f"{kind} for {{{{customer.email}}}}",
                                                body=body)
        changes = steps or [{"position": 1}]
        for change in changes:
            change.setdefault("template_id", template.pk)
        automation = configure(kind, enabled=True, steps=changes, **config)
        Automation.objects.filter(pk=automation.pk).update(enabled_at=since or ago(days=1))
        return Automation.objects.get(pk=automation.pk)

    return _switch_on


@pytest.fixture
def customer(db):
    """``customer(email, subscribed=True)``: a profile with consent in the channel (an import)."""
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import ConsentSource, ConsentState, CustomerProfile

    def _customer(email, *, subscribed=True, first_name="Ann"):
        profile = CustomerProfile.objects.create(email=email, first_name=first_name)
        if subscribed:
            set_consent(ConsentState.SUBSCRIBED, CHANNEL, ConsentSource.IMPORT, profile_id=profile.pk)
        return profile

    return _customer


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]
