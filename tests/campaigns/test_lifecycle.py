"""A campaign's life: templates and drafts validated, every state change legal or refused, nothing half-written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_crm_plugin.campaigns import campaigns
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import Campaign, CustomerProfile, Delivery, EmailTemplate
from tests.conftest import SIMPLE_MJML as MJML

pytestmark = pytest.mark.django_db

ALL_STATES = ["draft", "scheduled", "sending", "paused", "sent", "cancelled"]


@pytest.fixture
def draft(template, segments):
    return campaigns.create_campaign(name="Spring sale", template_id=template.pk, channel="web",
                                     segment_ids=[segments[0].pk], exclude_segment_ids=[segments[1].pk],
                                     from_name="The Shop", from_email="News@Shop.example", reply_to="help@shop.example")


def in_state(campaign, state, **fields):
    Campaign.objects.filter(pk=campaign.pk).update(state=state, **fields)
    campaign.refresh_from_db()
    return campaign


def refused(call, *args, **kwargs) -> CRMError:
    with pytest.raises(CRMError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- templates -------------------------------------------------------------------------------------------------

def test_a_template_is_created_updated_and_deleted():
    # when
    created = campaigns.create_template(name="  Welcome ", subject="Hi {{customer.first_name}}", body=MJML,
                                        preheader="New in", text="Hi")
    updated = campaigns.update_template(created.pk, subject="Hello again", body_format="html", body="<p>Hi</p>")
    # then
    assert (updated.name, updated.subject, updated.preheader, updated.body_format, updated.text) == (
        "Welcome", "Hello again", "New in", "html", "Hi")
    assert updated.updated_at > created.created_at
    campaigns.delete_template(created.pk)
    assert not EmailTemplate.objects.exists()


@pytest.mark.parametrize("fields, code, field", [
    ({"name": ""}, "required", "name"),
    ({"name": "x" * 121}, "out_of_range", "name"),
    ({"name": "a\x00b"}, "invalid", "name"),
    ({"subject": " "}, "required", "subject"),
    ({"subject": "s" * 501}, "out_of_range", "subject"),
    ({"preheader": "p" * 501}, "out_of_range", "preheader"),
    ({"body": ""}, "required", "body"),
    ({"body_format": "markdown"}, "invalid", "bodyFormat"),
    ({"body": "<p>{{#if customer}}open</p>", "body_format": "html"}, "template_syntax", None),
    ({"subject": "{{shout customer.first_name}}"}, "unknown_helper", None),
])
def test_a_bad_template_is_refused_with_its_code_and_nothing_is_saved(fields, code, field):
    # given
    values = {"name": "Welcome", "subject": "Hi", "body": MJML, **fields}
    # when
    error = refused(campaigns.create_template, **values)
    # then
    assert error.code_value == code
    if field is not None:
        assert error.field == field
    assert not EmailTemplate.objects.exists()


def test_a_template_syntax_error_names_its_line():
    error = refused(campaigns.create_template, name="Broken", subject="Hi", body_format="html",
                    body="<p>one</p>\n<p>two</p>\n<p>{{#each items}}</p>")
    assert error.code_value == "template_syntax" and "3" in error.message


def test_a_template_name_is_unique_on_create_and_update(template):
    # given
    other = campaigns.create_template(name="Autumn", subject="Hi", body=MJML)
    # when
    on_create = refused(campaigns.create_template, name="Spring", subject="Hi", body=MJML)
    on_update = refused(campaigns.update_template, other.pk, name="Spring")
    # then
    assert (on_create.code_value, on_create.field) == ("duplicate_name", "name")
    assert on_update.code_value == "duplicate_name"
    assert EmailTemplate.objects.get(pk=other.pk).name == "Autumn"
    assert EmailTemplate.objects.count() == 2


def test_a_failed_template_update_changes_nothing(template):
    error = refused(campaigns.update_template, template.pk, subject="New subject", body="")
    assert error.code_value == "required"
    assert EmailTemplate.objects.get(pk=template.pk).subject == "Hello {{customer.first_name}}"


def test_a_template_a_campaign_uses_cannot_be_deleted(draft, template):
    # when: used by a draft, then by a sent campaign
    by_draft = refused(campaigns.delete_template, template.pk)
    in_state(draft, "sent")
    by_sent = refused(campaigns.delete_template, template.pk)
    # then
    assert by_draft.code_value == by_sent.code_value == "invalid_state"
    assert "Spring sale" in by_sent.message and EmailTemplate.objects.filter(pk=template.pk).exists()


@pytest.mark.parametrize("call", [campaigns.delete_template, lambda pk: campaigns.update_template(pk, name="x")])
def test_an_unknown_template_is_not_found(call):
    assert refused(call, 99999).code_value == "not_found"


# --- drafts ----------------------------------------------------------------------------------------------------

def test_a_draft_keeps_what_was_given(draft, template, segments):
    assert (draft.state, draft.template_id, draft.channel) == ("draft", template.pk, "web")
    assert (draft.segment_ids, draft.exclude_segment_ids) == ([segments[0].pk], [segments[1].pk])
    assert (draft.from_name, draft.from_email, draft.reply_to) == ("The Shop", "news@shop.example",
                                                                   "help@shop.example")


@pytest.mark.parametrize("change, code, field", [
    ({"name": " "}, "required", "name"),
    ({"name": "n" * 121}, "out_of_range", "name"),
    ({"template_id": 99999}, "not_found", "templateId"),
    ({"template_id": None}, "not_found", "templateId"),
    ({"channel": "web shop"}, "invalid_channel", "channel"),
    ({"channel": ""}, "invalid_channel", "channel"),
    ({"channel": "c" * 256}, "invalid_channel", "channel"),
    ({"segment_ids": []}, "invalid_segment", "segmentIds"),
    ({"segment_ids": [99999]}, "invalid_segment", "segmentIds"),
    ({"segment_ids": list(range(1, 22))}, "invalid_segment", "segmentIds"),
    ({"segment_ids": ["1"]}, "invalid_segment", "segmentIds"),
    ({"exclude_segment_ids": [99999]}, "invalid_segment", "excludeSegmentIds"),
    ({"exclude_segment_ids": "SAME"}, "invalid_segment", "excludeSegmentIds"),
    ({"from_email": "not-an-address"}, "invalid_email", "fromEmail"),
    ({"reply_to": "a@b"}, "invalid_email", "replyTo"),
    ({"from_name": "n" * 121}, "out_of_range", "fromName"),
    ({"from_name": "bad\x00"}, "invalid", "fromName"),
])
def test_a_bad_draft_is_refused_with_its_code_and_nothing_is_saved(template, segments, change, code, field):
    # given
    values = {"name": "Spring sale", "template_id": template.pk, "channel": "web", "segment_ids": [segments[0].pk],
              **change}
    if values.get("exclude_segment_ids") == "SAME":
        values["exclude_segment_ids"] = [segments[0].pk]
    # when
    error = refused(campaigns.create_campaign, **values)
    # then
    assert (error.code_value, error.field) == (code, field)
    assert not Campaign.objects.exists()


def test_a_draft_is_updated_and_a_bad_update_changes_nothing(draft, segments):
    # when
    updated = campaigns.update_campaign(draft.pk, name="Summer sale", segment_ids=[segments[2].pk], reply_to="")
    error = refused(campaigns.update_campaign, draft.pk, name="Autumn sale", channel="no way")
    # then
    assert (updated.name, updated.segment_ids, updated.reply_to) == ("Summer sale", [segments[2].pk], "")
    assert error.code_value == "invalid_channel"
    assert Campaign.objects.get(pk=draft.pk).name == "Summer sale"


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s != "draft"])
def test_only_a_draft_is_edited_or_deleted(draft, state):
    # given
    in_state(draft, state)
    # when
    on_update = refused(campaigns.update_campaign, draft.pk, name="Other")
    on_delete = refused(campaigns.delete_campaign, draft.pk)
    # then
    assert on_update.code_value == on_delete.code_value == "invalid_state"
    assert state in on_update.message
    assert Campaign.objects.get(pk=draft.pk).name == "Spring sale"


def test_a_draft_is_deleted(draft):
    campaigns.delete_campaign(draft.pk)
    assert not Campaign.objects.exists()
    assert refused(campaigns.delete_campaign, draft.pk).code_value == "not_found"


# --- states ----------------------------------------------------------------------------------------------------

def test_scheduling_now_asks_the_dispatcher_after_commit(draft, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        scheduled = campaigns.schedule_campaign(draft.pk)
    # then
    assert scheduled.state == "scheduled" and scheduled.scheduled_at <= timezone.now()
    assert scheduled.state_changed_at >= draft.state_changed_at and scheduled.updated_at == scheduled.state_changed_at
    assert len(callbacks) == 1


def test_scheduling_later_waits_for_the_dispatcher(draft, django_capture_on_commit_callbacks):
    at = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks() as callbacks:
        scheduled = campaigns.schedule_campaign(draft.pk, at)
    assert (scheduled.state, scheduled.scheduled_at) == ("scheduled", at)
    assert callbacks == []


@pytest.mark.parametrize("at, code", [
    (timedelta(minutes=-2), "out_of_range"),
    (timedelta(days=366), "out_of_range"),
    ("naive", "invalid"),
])
def test_a_bad_schedule_time_is_refused(draft, at, code):
    when = timezone.now().replace(tzinfo=None) if at == "naive" else timezone.now() + at
    error = refused(campaigns.schedule_campaign, draft.pk, when)
    assert (error.code_value, error.field) == (code, "at")
    assert Campaign.objects.get(pk=draft.pk).state == "draft"


def test_a_draft_whose_segment_was_deleted_cannot_be_scheduled(draft, segments):
    segments[0].delete()
    error = refused(campaigns.schedule_campaign, draft.pk)
    assert (error.code_value, error.field) == ("invalid_segment", "segmentIds")
    assert Campaign.objects.get(pk=draft.pk).state == "draft"


@pytest.mark.parametrize("state", ["scheduled", "sending"])
def test_a_scheduled_or_sending_campaign_is_paused(draft, state):
    in_state(draft, state)
    assert campaigns.pause_campaign(draft.pk).state == "paused"


def test_a_campaign_paused_before_it_started_is_scheduled_again(draft, django_capture_on_commit_callbacks):
    # given: scheduled for tomorrow, then paused
    in_state(draft, "paused", scheduled_at=timezone.now() + timedelta(days=1))
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        resumed = campaigns.resume_campaign(draft.pk)
    # then
    assert resumed.state == "scheduled" and callbacks == []


def test_a_campaign_paused_past_its_time_is_dispatched_on_resume(draft, django_capture_on_commit_callbacks):
    in_state(draft, "paused", scheduled_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks() as callbacks:
        resumed = campaigns.resume_campaign(draft.pk)
    assert resumed.state == "scheduled" and len(callbacks) == 1


def test_a_campaign_paused_while_sending_sends_again_on_resume(draft, django_capture_on_commit_callbacks):
    in_state(draft, "paused", scheduled_at=timezone.now(), started_at=timezone.now())
    with django_capture_on_commit_callbacks() as callbacks:
        resumed = campaigns.resume_campaign(draft.pk)
    assert resumed.state == "sending" and len(callbacks) == 1


@pytest.mark.parametrize("state", ["draft", "scheduled", "sending", "paused"])
def test_cancel_stops_the_campaign_and_every_queued_delivery(draft, state):
    # given: one delivery per state a delivery can be in
    in_state(draft, state)
    profiles = [CustomerProfile.objects.create(email=f"p{i}@example.com") for i in range(4)]
    for profile, delivery_state in zip(profiles, ["queued", "sending", "sent", "skipped"]):
        Delivery.objects.create(campaign=draft, profile=profile, email=profile.email, state=delivery_state)
    # when
    cancelled = campaigns.cancel_campaign(draft.pk)
    # then
    assert cancelled.state == "cancelled" and cancelled.finished_at is not None
    assert sorted(Delivery.objects.values_list("state", flat=True)) == ["cancelled", "sending", "sent", "skipped"]


ILLEGAL = [(call, state) for call, allowed in [
    (campaigns.schedule_campaign, {"draft"}),
    (campaigns.pause_campaign, {"scheduled", "sending"}),
    (campaigns.resume_campaign, {"paused"}),
    (campaigns.cancel_campaign, {"draft", "scheduled", "sending", "paused"}),
] for state in ALL_STATES if state not in allowed]


@pytest.mark.parametrize("call, state", ILLEGAL, ids=[f"{c.__name__}-{s}" for c, s in ILLEGAL])
def test_an_illegal_transition_is_refused_naming_the_current_state(draft, call, state):
    # given
    in_state(draft, state)
    profile = CustomerProfile.objects.create(email="q@example.com")
    Delivery.objects.create(campaign=draft, profile=profile, email=profile.email)
    before = Campaign.objects.values().get(pk=draft.pk)
    # when
    error = refused(call, draft.pk)
    # then
    assert error.code_value == "invalid_state" and f"this one is {state}" in error.message
    assert Campaign.objects.values().get(pk=draft.pk) == before
    assert Delivery.objects.get().state == "queued"


@pytest.mark.parametrize("call", [campaigns.schedule_campaign, campaigns.pause_campaign, campaigns.resume_campaign,
                                  campaigns.cancel_campaign, campaigns.delete_campaign,
                                  lambda pk: campaigns.update_campaign(pk, name="x")])
def test_an_unknown_campaign_is_not_found(db, call):
    assert refused(call, 99999).code_value == "not_found"
