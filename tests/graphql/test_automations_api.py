"""Staff API for automations over HTTP: the list with steps and per-step figures, configuring and switching one
on, every bad input's code, and who may call it."""

import pytest

from saleor_crm_plugin.campaigns.automations.running import run_automations
from saleor_crm_plugin.models import Automation, EmailTemplate
from tests.automations.conftest import ago
from tests.conftest import SIMPLE_MJML
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

AUTOMATIONS = operation("staff/automations")
UPDATE = operation("staff/automation-update")


def update(gql, kind, **input):
    _, body = gql(UPDATE, {"kind": kind, "input": input}, bearer=staff_token())
    return body


def test_every_automation_is_listed_switched_off_with_its_default_steps(gql):
    _, body = gql(AUTOMATIONS, bearer=staff_token())
    listed = body["data"]["crmAutomations"]
    assert [a["kind"] for a in listed] == ["ABANDONED_CHECKOUT", "POST_PURCHASE", "WIN_BACK", "WELCOME",
                                           "SATISFACTION_SURVEY"]
    assert not any(a["enabled"] for a in listed)
    cart = listed[0]
    assert [(s["position"], s["enabled"], s["delaySeconds"]) for s in cart["steps"]] == [(1, True, 3600),
                                                                                       (2, False, 86400)]
    assert {o["name"]: o["value"] for o in listed[2]["options"]} == {"churn_risk": "0.7", "overdue_days": "30"}


def test_switched_on_it_mails_and_shows_the_figures_per_step(gql, settings, events, ingest):
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import CustomerProfile

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "public_url": "https://shop.example", "from_email": "s@shop.example"}
    template = EmailTemplate.objects.create(name="Cart", subject="Your cart", body=SIMPLE_MJML)
    # when
    body = update(gql, "ABANDONED_CHECKOUT", enabled=True, quietStart=None, quietEnd=None,
                  steps=[{"position": 1, "templateId": gid("CRMEmailTemplate", template.pk), "delaySeconds": 1800},
                         {"position": 2, "enabled": True}])
    # then
    payload = body["data"]["crmAutomationUpdate"]
    assert payload["errors"] == [] and payload["automation"]["enabled"] is True
    assert payload["automation"]["steps"] == [
        {"position": 1, "enabled": True, "delaySeconds": 1800, "templateName": "Cart"},
        {"position": 2, "enabled": True, "delaySeconds": 86400, "templateName": None}]
    # and after a pass over two abandoned carts (one customer without consent)
    Automation.objects.filter(kind="abandoned_checkout").update(enabled_at=ago(days=1))
    for email, subscribed in (("ann@example.com", True), ("bob@example.com", False)):
        profile = CustomerProfile.objects.create(email=email)
        if subscribed:
            set_consent("subscribed", "default-channel", "import", profile_id=profile.pk)
        ingest(events.checkout(token=email, email=email, at=ago(hours=1)))
    run_automations()
    _, listed = gql(AUTOMATIONS, bearer=staff_token())
    stats = listed["data"]["crmAutomations"][0]["steps"][0]["stats"]
    assert (stats["sent"], stats["mails"], stats["skipped"]) == (
        1, [{"key": "sent", "count": 1}], [{"key": "no_consent", "count": 1}])


def test_bad_inputs_have_codes_and_only_staff_may_call(gql):
    template = EmailTemplate.objects.create(name="T", subject="S", body=SIMPLE_MJML)
    cases = [
        ({"enabled": True}, "required"),  # no template on step 1
        ({"options": [{"name": "churn_risk", "value": "7"}]}, "out_of_range"),
        ({"options": [{"name": "colour", "value": "red"}]}, "invalid"),
        ({"quietStart": 30, "quietEnd": 2}, "out_of_range"),
        ({"channels": ["no spaces allowed"]}, "invalid_channel"),
        ({"steps": [{"position": 3}]}, "not_found"),
        ({"steps": [{"position": 1, "delaySeconds": -5}]}, "out_of_range"),
        ({"steps": [{"position": 1, "templateId": gid("CRMCampaign", template.pk)}]}, "invalid_id"),
        ({"fromEmail": "nobody"}, "invalid_email"),
        ({"fromName": "x" * 121}, "out_of_range"),
    ]
    for input, code in cases:
        payload = update(gql, "WIN_BACK", **input)["data"]["crmAutomationUpdate"]
        assert [e["code"] for e in payload["errors"]] == [code.upper()], (input, payload)
    # a NUL is refused for the whole request, before the mutation
    assert error_codes(update(gql, "WIN_BACK", fromName="Shop\x00")) == ["invalid_value"]
    _, shopper = gql(AUTOMATIONS, bearer=token(user_id=5))
    _, anonymous = gql(UPDATE, {"kind": "WELCOME", "input": {"enabled": False}})
    assert error_codes(shopper) == ["permission_denied"] and error_codes(anonymous) == ["unauthenticated"]
    assert not Automation.objects.get(kind="win_back").enabled
