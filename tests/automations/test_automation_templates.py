"""An automation step's template that today's checks refuse (saved before them) fails its mails with the
field and the line, and sends nothing."""

import pytest

from saleor_crm_plugin.campaigns.automations.running import run_automations
from saleor_crm_plugin.models import Delivery, EmailTemplate
from tests.automations.conftest import ago, mails_to

pytestmark = pytest.mark.django_db


def test_a_step_template_refused_today_fails_its_mail_with_the_line(anymail_settings, switch_on, customer, events,
                                                                     ingest):
    # given: the step's template holds a partial, written before the checks refused partials
    automation = switch_on("abandoned_checkout")
    EmailTemplate.objects.filter(pk=automation.steps.get(position=1).template_id).update(
        body="<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text>\n"
             "<mj-text>{{> footer}}</mj-text></mj-column></mj-section></mj-body></mjml>")
    customer("ann@example.com")
    ingest(events.checkout(token="cart-ann", email="ann@example.com", at=ago(minutes=70)))

    # when
    report = run_automations()

    # then
    delivery = Delivery.objects.get(run__trigger_key="checkout:cart-ann")
    assert report["failed"] == 1 and mails_to("ann@example.com") == []
    assert delivery.state == "failed"
    assert delivery.error == "render: body: Line 2: partials are not supported."
