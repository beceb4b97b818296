"""Staff API for templates and campaigns: each operation over HTTP, who may call it, every bad input's code."""

from datetime import datetime, timedelta, timezone

import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_crm_plugin.models import Campaign, CustomerProfile, Delivery, EmailTemplate
from tests.conftest import SIMPLE_MJML as MJML
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

CREATE_TEMPLATE = operation("staff/email-template-create")
UPDATE_TEMPLATE = operation("staff/email-template-update")
DELETE_TEMPLATE = operation("staff/email-template-delete")
TEMPLATES = operation("staff/email-templates")
PREVIEW = operation("staff/email-template-preview")
TEST_SEND = operation("staff/email-template-test-send")
CREATE_CAMPAIGN = operation("staff/campaign-create")
UPDATE_CAMPAIGN = operation("staff/campaign-update")
DELETE_CAMPAIGN = operation("staff/campaign-delete")
SCHEDULE = operation("staff/campaign-schedule")
PAUSE = operation("staff/campaign-pause")
RESUME = operation("staff/campaign-resume")
CANCEL = operation("staff/campaign-cancel")
CAMPAIGN = operation("staff/campaign")
CAMPAIGNS = operation("staff/campaigns")


@pytest.fixture
def mail_settings(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "public_url": "https://shop.example", "shop_name": "Shop",
                           "from_email": "news@shop.example"}


@pytest.fixture
def draft(template, segments):
    return Campaign.objects.create(name="Spring sale", template=template, channel="web",
                                   segment_ids=[segments[0].pk])


def campaign_input(template, segments, **changes):
    return {"name": "Spring sale", "templateId": gid("CRMEmailTemplate", template.pk), "channel": "web",
            "segmentIds": [gid("CRMSegment", segments[0].pk)],
            "excludeSegmentIds": [gid("CRMSegment", segments[1].pk)], "fromName": "The Shop",
            "fromEmail": "news@shop.example", "replyTo": "help@shop.example", **changes}


def payload(body, name):
    assert "errors" not in body, body
    return body["data"][name]


def coded(body, name):
    return [(e["code"], e["field"]) for e in payload(body, name)["errors"]]


# --- templates -------------------------------------------------------------------------------------------------

def test_staff_create_update_list_and_delete_a_template(gql):
    # when
    _, created = gql(CREATE_TEMPLATE, {"input": {"name": "Welcome", "subject": "Hi {{customer.first_name}}",
                                                 "body": MJML, "preheader": "New in"}}, bearer=staff_token())
    template = payload(created, "crmEmailTemplateCreate")["emailTemplate"]
    _, updated = gql(UPDATE_TEMPLATE, {"id": template["id"], "input": {"subject": "Hello", "bodyFormat": "HTML",
                                                                      "body": "<p>Hi</p>"}}, bearer=staff_token())
    _, listed = gql(TEMPLATES, {"first": 10}, bearer=staff_token())
    _, deleted = gql(DELETE_TEMPLATE, {"id": template["id"]}, bearer=staff_token())
    # then
    assert payload(created, "crmEmailTemplateCreate")["errors"] == []
    assert (template["name"], template["bodyFormat"], template["preheader"]) == ("Welcome", "MJML", "New in")
    changed = payload(updated, "crmEmailTemplateUpdate")["emailTemplate"]
    assert (changed["subject"], changed["bodyFormat"], changed["preheader"]) == ("Hello", "HTML", "New in")
    assert [e["node"]["name"] for e in payload(listed, "crmEmailTemplates")["edges"]] == ["Welcome"]
    assert payload(deleted, "crmEmailTemplateDelete") == {"deletedId": template["id"], "errors": []}
    assert not EmailTemplate.objects.exists()


@pytest.mark.parametrize("changes, code, field", [
    ({"name": ""}, "REQUIRED", "name"),
    ({"name": "n" * 121}, "OUT_OF_RANGE", "name"),
    ({"subject": "{{#if customer}}"}, "TEMPLATE_SYNTAX", "subject"),
    ({"body": "<mjml><mj-body>"}, "INVALID_MJML", "body"),
    ({"subject": "{{shout customer.first_name}}"}, "UNKNOWN_HELPER", "subject"),
    ({"body": "b" * 200_001}, "OUT_OF_RANGE", "body"),
])
def test_a_bad_template_gets_its_code_and_nothing_is_saved(gql, changes, code, field):
    variables = {"input": {"name": "Welcome", "subject": "Hi", "body": MJML, **changes}}
    _, body = gql(CREATE_TEMPLATE, variables, bearer=staff_token())
    assert coded(body, "crmEmailTemplateCreate") == [(code, field)]
    assert payload(body, "crmEmailTemplateCreate")["emailTemplate"] is None
    assert not EmailTemplate.objects.exists()


def test_a_template_syntax_error_names_its_line(gql):
    source = "<p>one</p>\n<p>two</p>\n<p>{{#each items}}</p>"
    _, body = gql(CREATE_TEMPLATE, {"input": {"name": "Broken", "subject": "Hi", "bodyFormat": "HTML",
                                              "body": source}}, bearer=staff_token())
    error, = payload(body, "crmEmailTemplateCreate")["errors"]
    assert error["code"] == "TEMPLATE_SYNTAX" and "line 3" in error["message"].lower()


def test_template_names_are_unique_and_a_used_template_stays(gql, draft, template):
    _, duplicate = gql(CREATE_TEMPLATE, {"input": {"name": "Spring", "subject": "Hi", "body": MJML}},
                       bearer=staff_token())
    _, used = gql(DELETE_TEMPLATE, {"id": gid("CRMEmailTemplate", template.pk)}, bearer=staff_token())
    _, foreign = gql(DELETE_TEMPLATE, {"id": gid("CRMCampaign", draft.pk)}, bearer=staff_token())
    assert coded(duplicate, "crmEmailTemplateCreate") == [("DUPLICATE_NAME", "name")]
    assert coded(used, "crmEmailTemplateDelete") == [("INVALID_STATE", "id")]
    assert coded(foreign, "crmEmailTemplateDelete") == [("INVALID_ID", "id")]
    assert EmailTemplate.objects.count() == 1


def test_a_saved_template_and_unsaved_sources_are_previewed_for_a_customer(gql, template, record_shop,
                                                                          mail_settings):
    # given
    CustomerProfile.objects.filter(user_id=100).update(first_name="Ada")
    customer = gid("User", 100)
    # when
    _, saved = gql(PREVIEW, {"channel": "web", "templateId": gid("CRMEmailTemplate", template.pk),
                             "customerId": customer}, bearer=staff_token())
    _, unsaved = gql(PREVIEW, {"channel": "web", "customerId": customer, "input": {
        "subject": "For {{customer.email}}", "bodyFormat": "HTML", "body": "<p>Hi</p>"}}, bearer=staff_token())
    _, sample = gql(PREVIEW, {"channel": "web", "templateId": gid("CRMEmailTemplate", template.pk)},
                    bearer=staff_token())
    # then
    assert payload(saved, "crmEmailTemplatePreview")["subject"] == "Hello Ada"
    assert "<html" in payload(saved, "crmEmailTemplatePreview")["html"]
    assert payload(unsaved, "crmEmailTemplatePreview")["subject"] == "For jazz0@example.com"
    assert payload(sample, "crmEmailTemplatePreview")["text"]


@pytest.mark.parametrize("variables, code, field", [
    ({}, "required", "templateId"),
    ({"templateId": "TEMPLATE", "input": {"subject": "x"}}, "required", "templateId"),
    ({"templateId": gid("CRMEmailTemplate", 99999)}, "not_found", "templateId"),
    ({"input": {"subject": "{{#if x}}", "body": "<p/>", "bodyFormat": "HTML"}}, "template_syntax", "subject"),
    ({"templateId": "TEMPLATE", "channel": "web shop"}, "invalid_channel", "channel"),
    ({"templateId": "TEMPLATE", "customerId": gid("CRMCustomer", 99999)}, "not_found", "customerId"),
])
def test_bad_previews_get_codes(gql, template, mail_settings, variables, code, field):
    variables = {"channel": "web", **variables}
    if variables.get("templateId") == "TEMPLATE":
        variables["templateId"] = gid("CRMEmailTemplate", template.pk)
    _, body = gql(PREVIEW, variables, bearer=staff_token())
    assert error_codes(body) == [code] and body["errors"][0]["extensions"]["field"] == field


def test_a_test_mail_goes_to_the_given_addresses(gql, template, mail_settings):
    # when
    _, body = gql(TEST_SEND, {"templateId": gid("CRMEmailTemplate", template.pk), "channel": "web",
                              "addresses": ["ann@shop.example", "bo@shop.example"]}, bearer=staff_token())
    # then
    result = payload(body, "crmEmailTemplateTestSend")
    assert result["errors"] == [] and len(result["messageIds"]) == 2
    assert sorted(m.to[0] for m in django_mail.outbox) == ["ann@shop.example", "bo@shop.example"]
    assert {m.extra_headers["Message-ID"] for m in django_mail.outbox} == set(result["messageIds"])
    assert all(m.subject.startswith("[Test] ") for m in django_mail.outbox)


@pytest.mark.parametrize("addresses, code", [
    ([f"a{i}@shop.example" for i in range(11)], "TOO_MANY"),
    ([], "REQUIRED"),
    (["not an address"], "INVALID_EMAIL"),
])
def test_bad_test_mail_addresses_get_codes_and_nothing_is_sent(gql, template, mail_settings, addresses, code):
    _, body = gql(TEST_SEND, {"templateId": gid("CRMEmailTemplate", template.pk), "channel": "web",
                              "addresses": addresses}, bearer=staff_token())
    assert coded(body, "crmEmailTemplateTestSend") == [(code, "addresses")]
    assert django_mail.outbox == []


# --- campaigns -------------------------------------------------------------------------------------------------

def test_staff_create_update_and_delete_a_draft(gql, template, segments):
    # when
    _, created = gql(CREATE_CAMPAIGN, {"input": campaign_input(template, segments)}, bearer=staff_token())
    campaign = payload(created, "crmCampaignCreate")["campaign"]
    _, updated = gql(UPDATE_CAMPAIGN, {"id": campaign["id"], "input": {
        "name": "Summer sale", "segmentIds": [gid("CRMSegment", segments[2].pk)]}}, bearer=staff_token())
    _, deleted = gql(DELETE_CAMPAIGN, {"id": campaign["id"]}, bearer=staff_token())
    # then
    assert payload(created, "crmCampaignCreate")["errors"] == []
    assert (campaign["name"], campaign["state"], campaign["channel"]) == ("Spring sale", "DRAFT", "web")
    assert campaign["template"]["name"] == "Spring"
    assert [s["name"] for s in campaign["segments"]] == ["Segment 0"]
    assert [s["name"] for s in campaign["excludeSegments"]] == ["Segment 1"]
    assert (campaign["fromName"], campaign["fromEmail"], campaign["replyTo"]) == (
        "The Shop", "news@shop.example", "help@shop.example")
    changed = payload(updated, "crmCampaignUpdate")["campaign"]
    assert changed["name"] == "Summer sale" and [s["name"] for s in changed["segments"]] == ["Segment 2"]
    assert changed["fromName"] == "The Shop"  # not given: unchanged
    assert payload(deleted, "crmCampaignDelete")["errors"] == [] and not Campaign.objects.exists()


@pytest.mark.parametrize("changes, code, field", [
    ({"name": " "}, "REQUIRED", "name"),
    ({"templateId": gid("CRMEmailTemplate", 99999)}, "NOT_FOUND", "templateId"),
    ({"templateId": "nonsense"}, "INVALID_ID", "templateId"),
    ({"channel": "web/eu"}, "INVALID_CHANNEL", "channel"),
    ({"segmentIds": []}, "INVALID_SEGMENT", "segmentIds"),
    ({"segmentIds": [gid("CRMSegment", 99999)]}, "INVALID_SEGMENT", "segmentIds"),
    ({"segmentIds": [gid("CRMSegment", i) for i in range(1, 22)]}, "INVALID_SEGMENT", "segmentIds"),
    ({"segmentIds": [gid("CRMCustomer", 1)]}, "INVALID_ID", "segmentIds"),
    ({"excludeSegmentIds": [gid("CRMSegment", 99999)]}, "INVALID_SEGMENT", "excludeSegmentIds"),
    ({"excludeSegmentIds": "SAME"}, "INVALID_SEGMENT", "excludeSegmentIds"),
    ({"fromEmail": "news@"}, "INVALID_EMAIL", "fromEmail"),
    ({"replyTo": "reply to me"}, "INVALID_EMAIL", "replyTo"),
    ({"fromName": "n" * 121}, "OUT_OF_RANGE", "fromName"),
])
def test_a_bad_campaign_gets_its_code_and_nothing_is_saved(gql, template, segments, changes, code, field):
    variables = campaign_input(template, segments, **changes)
    if variables["excludeSegmentIds"] == "SAME":
        variables["excludeSegmentIds"] = variables["segmentIds"]
    _, body = gql(CREATE_CAMPAIGN, {"input": variables}, bearer=staff_token())
    assert coded(body, "crmCampaignCreate") == [(code, field)]
    assert not Campaign.objects.exists()


def test_a_campaign_without_required_fields_is_refused(gql):
    _, body = gql(CREATE_CAMPAIGN, {"input": {}}, bearer=staff_token())
    assert coded(body, "crmCampaignCreate") == [("REQUIRED", "name")]
    assert not Campaign.objects.exists()


def test_a_campaign_is_scheduled_paused_resumed_and_cancelled(gql, draft):
    # given
    campaign_id = gid("CRMCampaign", draft.pk)
    at = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    # when
    _, scheduled = gql(SCHEDULE, {"id": campaign_id, "at": at.isoformat()}, bearer=staff_token())
    _, paused = gql(PAUSE, {"id": campaign_id}, bearer=staff_token())
    _, resumed = gql(RESUME, {"id": campaign_id}, bearer=staff_token())
    _, cancelled = gql(CANCEL, {"id": campaign_id}, bearer=staff_token())
    # then
    first = payload(scheduled, "crmCampaignSchedule")["campaign"]
    assert first["state"] == "SCHEDULED"
    assert datetime.fromisoformat(first["scheduledAt"]) == at
    assert payload(paused, "crmCampaignPause")["campaign"]["state"] == "PAUSED"
    assert payload(resumed, "crmCampaignResume")["campaign"]["state"] == "SCHEDULED"
    assert payload(cancelled, "crmCampaignCancel")["campaign"]["state"] == "CANCELLED"
    assert Campaign.objects.get(pk=draft.pk).state == "cancelled"


@pytest.mark.parametrize("operation_, name, state", [
    (SCHEDULE, "crmCampaignSchedule", "sent"), (PAUSE, "crmCampaignPause", "draft"),
    (RESUME, "crmCampaignResume", "sending"), (CANCEL, "crmCampaignCancel", "cancelled"),
    (DELETE_CAMPAIGN, "crmCampaignDelete", "scheduled"),
])
def test_an_illegal_state_change_is_refused(gql, draft, operation_, name, state):
    Campaign.objects.filter(pk=draft.pk).update(state=state)
    _, body = gql(operation_, {"id": gid("CRMCampaign", draft.pk)}, bearer=staff_token())
    error, = payload(body, name)["errors"]
    assert error["code"] == "INVALID_STATE" and state in error["message"]
    assert Campaign.objects.get(pk=draft.pk).state == state


def test_only_a_draft_is_edited(gql, draft):
    Campaign.objects.filter(pk=draft.pk).update(state="scheduled")
    _, body = gql(UPDATE_CAMPAIGN, {"id": gid("CRMCampaign", draft.pk), "input": {"name": "Other"}},
                  bearer=staff_token())
    assert coded(body, "crmCampaignUpdate") == [("INVALID_STATE", "id")]
    assert Campaign.objects.get(pk=draft.pk).name == "Spring sale"


@pytest.mark.parametrize("at, code", [("2020-01-01T00:00:00+00:00", "OUT_OF_RANGE"),
                                      ("2999-01-01T00:00:00+00:00", "OUT_OF_RANGE")])
def test_a_schedule_time_out_of_range_is_refused(gql, draft, at, code):
    _, body = gql(SCHEDULE, {"id": gid("CRMCampaign", draft.pk), "at": at}, bearer=staff_token())
    assert coded(body, "crmCampaignSchedule") == [(code, "at")]
    assert Campaign.objects.get(pk=draft.pk).state == "draft"


def test_a_campaign_shows_its_totals_and_deliveries(gql, draft, record_shop):
    # given: four recipients in different states
    Campaign.objects.filter(pk=draft.pk).update(state="sending", started_at=datetime.now(timezone.utc))
    profiles = list(CustomerProfile.objects.order_by("pk")[:4])
    Delivery.objects.create(campaign=draft, profile=profiles[0], email=profiles[0].email, state="sent",
                            message_id="<crm.1@shop.example>", attempts=1, sent_at=datetime.now(timezone.utc))
    Delivery.objects.create(campaign=draft, profile=profiles[1], email=profiles[1].email, state="skipped",
                            skip_reason="no_consent")
    Delivery.objects.create(campaign=draft, profile=profiles[2], email=profiles[2].email, state="failed",
                            attempts=1, error="550 mailbox unknown")
    Delivery.objects.create(campaign=draft, profile=profiles[3], email=profiles[3].email)
    # when
    _, body = gql(CAMPAIGN, {"id": gid("CRMCampaign", draft.pk), "first": 10}, bearer=staff_token())
    _, skipped = gql(CAMPAIGN, {"id": gid("CRMCampaign", draft.pk), "deliveryState": "SKIPPED"},
                     bearer=staff_token())
    _, listed = gql(CAMPAIGNS, {"state": "SENDING"}, bearer=staff_token())
    _, none = gql(CAMPAIGNS, {"state": "SENT"}, bearer=staff_token())
    # then
    campaign = payload(body, "crmCampaign")
    totals = campaign["totals"]
    assert (totals["recipients"], totals["sent"], totals["skipped"], totals["failed"], totals["queued"]) == (
        4, 1, 1, 1, 1)
    assert totals["skippedByReason"] == [{"reason": "NO_CONSENT", "count": 1}]
    rows = [e["node"] for e in campaign["deliveries"]["edges"]]
    assert [r["state"] for r in rows] == ["SENT", "SKIPPED", "FAILED", "QUEUED"]
    assert rows[0]["customerId"] == gid("CRMCustomer", profiles[0].pk)
    assert rows[0]["messageId"] == "<crm.1@shop.example>" and rows[2]["error"] == "550 mailbox unknown"
    assert rows[1]["skipReason"] == "NO_CONSENT" and rows[3]["sentAt"] is None
    only = payload(skipped, "crmCampaign")["deliveries"]
    assert only["totalCount"] == 1 and only["edges"][0]["node"]["email"] == profiles[1].email
    assert [e["node"]["name"] for e in payload(listed, "crmCampaigns")["edges"]] == ["Spring sale"]
    assert payload(none, "crmCampaigns")["totalCount"] == 0


STAFF_OPERATIONS = [
    (TEMPLATES, {}), (PREVIEW, {"channel": "web", "input": {"subject": "x", "body": "<p/>"}}),
    (CREATE_TEMPLATE, {"input": {"name": "x"}}), (UPDATE_TEMPLATE, {"id": "ID", "input": {}}),
    (DELETE_TEMPLATE, {"id": "ID"}), (TEST_SEND, {"templateId": "ID", "addresses": ["a@b.example"], "channel": "web"}),
    (CAMPAIGNS, {}), (CAMPAIGN, {"id": "ID"}), (CREATE_CAMPAIGN, {"input": {}}),
    (UPDATE_CAMPAIGN, {"id": "ID", "input": {}}), (DELETE_CAMPAIGN, {"id": "ID"}), (SCHEDULE, {"id": "ID"}),
    (PAUSE, {"id": "ID"}), (RESUME, {"id": "ID"}), (CANCEL, {"id": "ID"}),
]


@pytest.mark.parametrize("query, variables", STAFF_OPERATIONS)
@pytest.mark.parametrize("bearer, code", [(None, "unauthenticated"), ("shopper", "permission_denied")])
def test_shoppers_and_anonymous_callers_may_not_use_the_staff_operations(gql, draft, query, variables, bearer,
                                                                        code, mail_settings):
    # given
    variables = {name: gid("CRMCampaign" if "Campaign" in query else "CRMEmailTemplate", draft.pk)
                 if value == "ID" else value for name, value in variables.items()}
    before = (EmailTemplate.objects.values().get(), Campaign.objects.values().get())
    # when
    _, body = gql(query, variables, bearer=token(user_id=100) if bearer else None)
    # then
    assert error_codes(body) == [code]
    assert (EmailTemplate.objects.values().get(), Campaign.objects.values().get()) == before
    assert django_mail.outbox == []


def test_a_page_of_campaigns_runs_a_constant_number_of_queries(gql, template, segments):
    # given
    query = """query { crmCampaigns(first: 50) { edges { node { name template { name } segments { name }
      excludeSegments { name } } } } }"""

    def count_queries(campaigns):
        for i in range(Campaign.objects.count(), campaigns):
            Campaign.objects.create(name=f"Sale {i}", template=template, channel="web",
                                    segment_ids=[segments[i % 3].pk], exclude_segment_ids=[segments[(i + 1) % 3].pk])
        with CaptureQueriesContext(connection) as captured:
            _, body = gql(query, bearer=staff_token())
        assert len(body["data"]["crmCampaigns"]["edges"]) == campaigns
        return len(captured)

    # when
    small, large = count_queries(2), count_queries(12)
    # then
    assert small == large
